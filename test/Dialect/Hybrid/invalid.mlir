// RUN: hybrid-opt %s -split-input-file -verify-diagnostics

// Negative tests of the hybrid verifiers (HybridVerifiers.cpp): one function per
// violated constraint, named `<op>_cN` (suffixes _a, _b, ... for several cases).

func.func @attention_c1_a(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>, %out1: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c1: expected 1 destination(s) in outs, got 2}}
  %r:2 = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
           outs(%o, %out1 : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c1_b(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: memref<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c1: operands must be all tensors or all memrefs}}
  hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
    outs(%o : memref<2x8x16x32xf32>)
  return
}

// -----

func.func @attention_c1_c(%q: tensor<*xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c1: operands must be ranked tensors or memrefs, got 'tensor<*xf32>'}}
  hybrid.attention ins(%q, %k, %v : tensor<*xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
    outs(%o : tensor<2x8x16x32xf32>)
  return
}

// -----

func.func @attention_c1_d(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c1: expected one result per destination (1), got 0}}
  hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
    outs(%o : tensor<2x8x16x32xf32>)
  return
}

// -----

func.func @attention_c1_e(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c1: result #0 type 'tensor<2x8x16x64xf32>' must equal its destination type 'tensor<2x8x16x32xf32>'}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x64xf32>
  return
}

// -----

// Results are Variadic<AnyRankedTensor>: a memref result is rejected by ODS before c1,
// so the memref form is given a tensor result here.
func.func @attention_c1_f(%q: memref<2x8x16x64xf32>, %k: memref<2x2x24x64xf32>, %v: memref<2x2x24x32xf32>, %o: memref<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c1: an op on memrefs has no results}}
  %r = hybrid.attention ins(%q, %k, %v : memref<2x8x16x64xf32>, memref<2x2x24x64xf32>, memref<2x2x24x32xf32>)
         outs(%o : memref<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c2_a(%q: tensor<8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c2: q must have rank 4, got rank 3}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c2_b(%q: tensor<2x8x16x64xf32>, %k: tensor<2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c2: k must have rank 4, got rank 3}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c2_c(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<1x2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c2: v must have rank 4, got rank 5}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<1x2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c2_d(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<8x16x32xf32>) {
  // expected-error @+1 {{attention_c2: output must have rank 4, got rank 3}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  return
}

// -----

func.func @attention_c3_a(%q: tensor<2x8x16x64xi32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c3: q must have f16, bf16, f32 or f64 elements, got 'i32'}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xi32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c3_b(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf16>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c3: element type of k ('f16') must equal that of q ('f32')}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf16>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c3_c(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xbf16>) {
  // expected-error @+1 {{attention_c3: element type of output ('bf16') must equal that of q ('f32')}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xbf16>) -> tensor<2x8x16x32xbf16>
  return
}

// -----

func.func @attention_c4_a(%q: tensor<2x8x16x64xf32>, %k: tensor<3x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c4: batch: dim 0 of q (2) must equal dim 0 of k (3)}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<3x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c4_b(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<3x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c4: batch: dim 0 of q (2) must equal dim 0 of v (3)}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<3x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c4_c(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{attention_c4: batch: dim 0 of q (2) must equal dim 0 of output (1)}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @attention_c5_a(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x4x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c5: kv heads: dim 1 of k (2) must equal dim 1 of v (4)}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x4x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c5_b(%q: tensor<2x8x16x64xf32>, %k: tensor<2x0x24x64xf32>, %v: tensor<2x0x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c5: k must have at least one head}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x0x24x64xf32>, tensor<2x0x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c5_c(%q: tensor<2x8x16x64xf32>, %k: tensor<2x3x24x64xf32>, %v: tensor<2x3x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c5: query heads (8) must be a multiple of key/value heads (3)}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x3x24x64xf32>, tensor<2x3x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c6(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x32xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c6: head dim: dim 3 of q (64) must equal dim 3 of k (32)}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x32xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c7(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x16x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c7: key/value sequence: dim 2 of k (24) must equal dim 2 of v (16)}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x16x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c8_a(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x4x16x32xf32>) {
  // expected-error @+1 {{attention_c8: output heads: dim 1 of q (8) must equal dim 1 of output (4)}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x4x16x32xf32>) -> tensor<2x4x16x32xf32>
  return
}

// -----

func.func @attention_c8_b(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x24x32xf32>) {
  // expected-error @+1 {{attention_c8: output sequence: dim 2 of q (16) must equal dim 2 of output (24)}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x24x32xf32>) -> tensor<2x8x24x32xf32>
  return
}

// -----

func.func @attention_c8_c(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{attention_c8: output head dim: dim 3 of v (32) must equal dim 3 of output (64)}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
  return
}

// -----

func.func @attention_c9_a(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %mask: tensor<16x24xi8>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c9: mask must have i1 elements or q's element type ('f32'), got 'i8'}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         mask(%mask : tensor<16x24xi8>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c9_b(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %mask: tensor<1x2x8x16x24xi1>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c9: mask rank must be between 1 and 4, got 5}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         mask(%mask : tensor<1x2x8x16x24xi1>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c9_c(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %mask: tensor<16x16xi1>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c9: mask dim 1 (16) must be 1 or broadcast to 24 of [B, Hq, Sq, Skv]}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         mask(%mask : tensor<16x16xi1>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c9_d(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %mask: tensor<2x2x16x24xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c9: mask dim 1 (2) must be 1 or broadcast to 8 of [B, Hq, Sq, Skv]}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         mask(%mask : tensor<2x2x16x24xf32>)
         outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c10_a(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c10: window_left and window_right must be >= -1}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) {window_left = -2 : i64} -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c10_b(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c10: window_left and window_right must be >= -1}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) {causal, window_right = -3 : i64} -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c10_c(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c10: softcap must be finite and >= 0 (0 is off)}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) {softcap = -1.0 : f32} -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c10_d(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c10: softcap must be finite and >= 0 (0 is off)}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) {softcap = 0x7FC00000 : f32} -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c10_e(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c10: scale must be finite}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>)
         outs(%o : tensor<2x8x16x32xf32>) {scale = 0x7F800000 : f32} -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @ssm_scan_c1_a(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>) {
  // expected-error @+1 {{ssm_scan_c1: expected 2 destination(s) in outs, got 1}}
  %r = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
         outs(%y : tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32>
  return
}

// -----

func.func @ssm_scan_c1_b(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: memref<2x16x4x8xf32>, %fin: memref<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c1: operands must be all tensors or all memrefs}}
  hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
    outs(%y, %fin : memref<2x16x4x8xf32>, memref<2x4x8x6xf32>)
  return
}

// -----

func.func @ssm_scan_c1_c(%x: memref<2x16x4x8xf32>, %dt: memref<2x16x4xf32>, %A: memref<4xf32>, %Bm: memref<2x16x2x6xf32>, %Cm: memref<2x16x2x6xf32>, %D: tensor<4xf32>, %y: memref<2x16x4x8xf32>, %fin: memref<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c1: operands must be all tensors or all memrefs}}
  hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : memref<2x16x4x8xf32>, memref<2x16x4xf32>, memref<4xf32>, memref<2x16x2x6xf32>, memref<2x16x2x6xf32>)
    D(%D : tensor<4xf32>)
    outs(%y, %fin : memref<2x16x4x8xf32>, memref<2x4x8x6xf32>)
  return
}

// -----

func.func @ssm_scan_c1_d(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c1: result #1 type 'tensor<2x4x6x8xf32>' must equal its destination type 'tensor<2x4x8x6xf32>'}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x6x8xf32>
  return
}

// -----

func.func @ssm_scan_c2_a(%x: tensor<2x16x32xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c2: x must have rank 4, got rank 3}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x32xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c2_b(%x: tensor<2x16x4x8xf32>, %dt: tensor<16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c2: dt must have rank 3, got rank 2}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c2_c(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4x8x6xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c2: A must have rank 1 or 2, got rank 3}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4x8x6xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c2_d(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c2: Bm must have rank 4, got rank 3}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c2_e(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c2: Cm must have rank 4, got rank 3}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c2_f(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %D: tensor<1x4x8xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c2: D must have rank 1 or 2, got rank 3}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           D(%D : tensor<1x4x8xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c2_g(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %z: tensor<16x4x8xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c2: z must have rank 4, got rank 3}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           z(%z : tensor<16x4x8xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c2_h(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %dt_bias: tensor<1x4xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c2: dt_bias must have rank 1, got rank 2}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           dt_bias(%dt_bias : tensor<1x4xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c2_i(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %initial_state: tensor<4x8x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c2: initial_state must have rank 4, got rank 3}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           initial_state(%initial_state : tensor<4x8x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c2_j(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c2: y must have rank 4, got rank 3}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c2_k(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c2: final_state must have rank 4, got rank 3}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c3_a(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xi32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c3: dt must have f16, bf16, f32 or f64 elements, got 'i32'}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xi32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c3_b(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf16>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c3: element type of Bm ('f16') must equal that of x ('f32')}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf16>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c3_c(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %D: tensor<4xf64>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c3: element type of D ('f64') must equal that of x ('f32')}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           D(%D : tensor<4xf64>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c3_d(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xbf16>) {
  // expected-error @+1 {{ssm_scan_c3: element type of final_state ('bf16') must equal that of x ('f32')}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xbf16>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xbf16>
  return
}

// -----

func.func @ssm_scan_c4_a(%x: tensor<2x16x4x8xf32>, %dt: tensor<3x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c4: batch: dim 0 of x (2) must equal dim 0 of dt (3)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<3x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c4_b(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c4: sequence length: dim 1 of x (16) must equal dim 1 of dt (8)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c4_c(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x8x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c4: sequence length: dim 1 of x (16) must equal dim 1 of Bm (8)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x8x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c4_d(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<1x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c4: batch: dim 0 of x (2) must equal dim 0 of Cm (1)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<1x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c4_e(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %z: tensor<2x15x4x8xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c4: sequence length: dim 1 of x (16) must equal dim 1 of z (15)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           z(%z : tensor<2x15x4x8xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c4_f(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<1x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c4: batch: dim 0 of x (2) must equal dim 0 of y (1)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<1x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<1x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c4_g(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %initial_state: tensor<1x4x8x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c4: batch: dim 0 of x (2) must equal dim 0 of initial_state (1)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           initial_state(%initial_state : tensor<1x4x8x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c4_h(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<1x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c4: batch: dim 0 of x (2) must equal dim 0 of final_state (1)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<1x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<1x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c5_a(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x2xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c5: heads: dim 2 of x (4) must equal dim 2 of dt (2)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x2xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c5_b(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<2x6xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c5: heads: dim 2 of x (4) must equal dim 0 of A (2)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<2x6xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c5_c(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %D: tensor<8xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c5: heads: dim 2 of x (4) must equal dim 0 of D (8)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           D(%D : tensor<8xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c5_d(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %z: tensor<2x16x2x8xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c5: heads: dim 2 of x (4) must equal dim 2 of z (2)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           z(%z : tensor<2x16x2x8xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c5_e(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %dt_bias: tensor<1xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c5: heads: dim 2 of x (4) must equal dim 0 of dt_bias (1)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           dt_bias(%dt_bias : tensor<1xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c5_f(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %initial_state: tensor<2x2x8x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c5: heads: dim 2 of x (4) must equal dim 1 of initial_state (2)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           initial_state(%initial_state : tensor<2x2x8x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c5_g(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x8x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c5: heads: dim 2 of x (4) must equal dim 1 of final_state (8)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x8x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x8x8x6xf32>
  return
}

// -----

// The rank branch of ssm_scan_c6 ("Cm must have the shape of Bm") is unreachable:
// ssm_scan_c2 already requires rank 4 of both.
func.func @ssm_scan_c6_a(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x4x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c6: shape mismatch: dim 2 of Bm (2) must equal dim 2 of Cm (4)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x4x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c6_b(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x5xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c6: shape mismatch: dim 3 of Bm (6) must equal dim 3 of Cm (5)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x5xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c6_c(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x0x6xf32>, %Cm: tensor<2x16x0x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c6: Bm must have at least one group}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x0x6xf32>, tensor<2x16x0x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c6_d(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x3x6xf32>, %Cm: tensor<2x16x3x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c6: heads (4) must be a multiple of groups (3)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x3x6xf32>, tensor<2x16x3x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c7_a(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4x5xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c7: state size: dim 3 of Bm (6) must equal dim 1 of A (5)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4x5xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c7_b(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %initial_state: tensor<2x4x8x16xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c7: state size: dim 3 of Bm (6) must equal dim 3 of initial_state (16)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           initial_state(%initial_state : tensor<2x4x8x16xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c7_c(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x16xf32>) {
  // expected-error @+1 {{ssm_scan_c7: state size: dim 3 of Bm (6) must equal dim 3 of final_state (16)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x16xf32>
  return
}

// -----

func.func @ssm_scan_c8_a(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %D: tensor<4x7xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c8: head channels: dim 3 of x (8) must equal dim 1 of D (7)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           D(%D : tensor<4x7xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c8_b(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %z: tensor<2x16x4x7xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c8: head channels: dim 3 of x (8) must equal dim 3 of z (7)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           z(%z : tensor<2x16x4x7xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c8_c(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x7xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c8: head channels: dim 3 of x (8) must equal dim 3 of y (7)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x7xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x7xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c8_d(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %initial_state: tensor<2x4x7x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c8: head channels: dim 3 of x (8) must equal dim 2 of initial_state (7)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           initial_state(%initial_state : tensor<2x4x7x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c8_e(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x7x6xf32>) {
  // expected-error @+1 {{ssm_scan_c8: head channels: dim 3 of x (8) must equal dim 2 of final_state (7)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x7x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x4x7x6xf32>
  return
}

// -----

func.func @ssm_scan_c9_a(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c9: dt_min must be <= dt_max}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) {dt_min = 1.0 : f32, dt_max = 0.5 : f32} -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c9_b(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c9: dt_min and dt_max must be finite}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) {dt_max = 0x7F800000 : f32} -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @ssm_scan_c9_c(%x: tensor<2x16x4x8xf32>, %dt: tensor<2x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<2x16x2x6xf32>, %Cm: tensor<2x16x2x6xf32>, %y: tensor<2x16x4x8xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{ssm_scan_c9: dt_min and dt_max must be finite}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Cm : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x2x6xf32>, tensor<2x16x2x6xf32>)
           outs(%y, %fin : tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>) {dt_min = 0x7FC00000 : f32} -> tensor<2x16x4x8xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @linear_attention_c1_a(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>) {
  // expected-error @+1 {{linear_attention_c1: expected 2 destination(s) in outs, got 1}}
  %r = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
         outs(%o : tensor<2x16x4x6xf32>) -> tensor<2x16x4x6xf32>
  return
}

// -----

func.func @linear_attention_c1_b(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>, %out2: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c1: expected 2 destination(s) in outs, got 3}}
  %r:3 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin, %out2 : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c1_c(%q: memref<2x16x4x8xf32>, %k: memref<2x16x2x8xf32>, %v: memref<2x16x2x6xf32>, %initial_state: tensor<2x2x8x6xf32>, %o: memref<2x16x4x6xf32>, %fin: memref<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c1: operands must be all tensors or all memrefs}}
  hybrid.linear_attention linear ins(%q, %k, %v : memref<2x16x4x8xf32>, memref<2x16x2x8xf32>, memref<2x16x2x6xf32>)
    initial_state(%initial_state : tensor<2x2x8x6xf32>)
    outs(%o, %fin : memref<2x16x4x6xf32>, memref<2x2x8x6xf32>)
  return
}

// -----

func.func @linear_attention_c1_d(%q: memref<2x16x4x8xf32>, %k: memref<2x16x2x8xf32>, %v: memref<2x16x2x6xf32>, %o: memref<2x16x4x6xf32>, %fin: memref<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c1: an op on memrefs has no results}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : memref<2x16x4x8xf32>, memref<2x16x2x8xf32>, memref<2x16x2x6xf32>)
           outs(%o, %fin : memref<2x16x4x6xf32>, memref<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c2_a(%q: tensor<16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c2: q must have rank 4, got rank 3}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c2_b(%q: tensor<2x16x4x8xf32>, %k: tensor<16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c2: k must have rank 4, got rank 3}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c2_c(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c2: v must have rank 4, got rank 3}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c2_d(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %decay: tensor<2x16xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c2: decay must have rank 3 or 4, got rank 2}}
  %r:2 = hybrid.linear_attention gated ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           decay(%decay : tensor<2x16xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c2_e(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %beta: tensor<2x16x2x8xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c2: beta must have rank 3, got rank 4}}
  %r:2 = hybrid.linear_attention delta ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           beta(%beta : tensor<2x16x2x8xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c2_f(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %initial_state: tensor<2x8x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c2: initial_state must have rank 4, got rank 3}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           initial_state(%initial_state : tensor<2x8x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c2_g(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c2: output must have rank 4, got rank 3}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c2_h(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c2: final_state must have rank 4, got rank 3}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c3_a(%q: tensor<2x16x4x8xi32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c3: q must have f16, bf16, f32 or f64 elements, got 'i32'}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xi32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c3_b(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %decay: tensor<2x16x2xi1>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c3: decay must have f16, bf16, f32 or f64 elements, got 'i1'}}
  %r:2 = hybrid.linear_attention gated ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           decay(%decay : tensor<2x16x2xi1>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c3_c(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %beta: tensor<2x16x2xf16>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c3: element type of beta ('f16') must equal that of q ('f32')}}
  %r:2 = hybrid.linear_attention delta ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           beta(%beta : tensor<2x16x2xf16>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c3_d(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf64>) {
  // expected-error @+1 {{linear_attention_c3: element type of final_state ('f64') must equal that of q ('f32')}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf64>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf64>
  return
}

// -----

func.func @linear_attention_c4_a(%q: tensor<2x16x4x8xf32>, %k: tensor<1x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c4: batch: dim 0 of q (2) must equal dim 0 of k (1)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<1x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c4_b(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x8x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c4: time: dim 1 of q (16) must equal dim 1 of v (8)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x8x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c4_c(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %decay: tensor<2x8x2xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c4: time: dim 1 of q (16) must equal dim 1 of decay (8)}}
  %r:2 = hybrid.linear_attention gated ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           decay(%decay : tensor<2x8x2xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c4_d(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %beta: tensor<1x16x2xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c4: batch: dim 0 of q (2) must equal dim 0 of beta (1)}}
  %r:2 = hybrid.linear_attention delta ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           beta(%beta : tensor<1x16x2xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c4_e(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x8x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c4: time: dim 1 of q (16) must equal dim 1 of output (8)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x8x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x8x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c4_f(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %initial_state: tensor<1x2x8x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c4: batch: dim 0 of q (2) must equal dim 0 of initial_state (1)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           initial_state(%initial_state : tensor<1x2x8x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c4_g(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<1x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c4: batch: dim 0 of q (2) must equal dim 0 of final_state (1)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<1x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<1x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c5_a(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x4x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c5: kv heads: dim 2 of k (2) must equal dim 2 of v (4)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x4x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c5_b(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %decay: tensor<2x16x4x8xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c5: kv heads: dim 2 of k (2) must equal dim 2 of decay (4)}}
  %r:2 = hybrid.linear_attention gated ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           decay(%decay : tensor<2x16x4x8xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c5_c(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %beta: tensor<2x16x1xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c5: kv heads: dim 2 of k (2) must equal dim 2 of beta (1)}}
  %r:2 = hybrid.linear_attention delta ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           beta(%beta : tensor<2x16x1xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c5_d(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %initial_state: tensor<2x4x8x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c5: kv heads: dim 2 of k (2) must equal dim 1 of initial_state (4)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           initial_state(%initial_state : tensor<2x4x8x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c5_e(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x4x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c5: kv heads: dim 2 of k (2) must equal dim 1 of final_state (4)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x4x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x4x8x6xf32>
  return
}

// -----

func.func @linear_attention_c5_f(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x2x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c5: query heads: dim 2 of q (4) must equal dim 2 of output (2)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x2x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x2x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c5_g(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x0x8xf32>, %v: tensor<2x16x0x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x0x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c5: k must have at least one head}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x0x8xf32>, tensor<2x16x0x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x0x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x0x8x6xf32>
  return
}

// -----

func.func @linear_attention_c5_h(%q: tensor<2x16x3x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x3x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c5: query heads (3) must be a multiple of key/value heads (2)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x3x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x3x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x3x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c6_a(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x4xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c6: key dim: dim 3 of q (8) must equal dim 3 of k (4)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x4xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c6_b(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %decay: tensor<2x16x2x4xf32>, %beta: tensor<2x16x2xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c6: key dim: dim 3 of k (8) must equal dim 3 of decay (4)}}
  %r:2 = hybrid.linear_attention gated_delta ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           decay(%decay : tensor<2x16x2x4xf32>)
           beta(%beta : tensor<2x16x2xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c6_c(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %initial_state: tensor<2x2x4x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c6: key dim: dim 3 of k (8) must equal dim 2 of initial_state (4)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           initial_state(%initial_state : tensor<2x2x4x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c6_d(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x4x6xf32>) {
  // expected-error @+1 {{linear_attention_c6: key dim: dim 3 of k (8) must equal dim 2 of final_state (4)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x4x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x4x6xf32>
  return
}

// -----

func.func @linear_attention_c7_a(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x8xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c7: value dim: dim 3 of v (6) must equal dim 3 of output (8)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x8xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x8xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c7_b(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %initial_state: tensor<2x2x8x8xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c7: value dim: dim 3 of v (6) must equal dim 3 of initial_state (8)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           initial_state(%initial_state : tensor<2x2x8x8xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c7_c(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x8xf32>) {
  // expected-error @+1 {{linear_attention_c7: value dim: dim 3 of v (6) must equal dim 3 of final_state (8)}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x8xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x8xf32>
  return
}

// -----

func.func @linear_attention_c8_a(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c8: decay is required with update rule 'gated'}}
  %r:2 = hybrid.linear_attention gated ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c8_b(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %decay: tensor<2x16x2xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c8: decay is not allowed with update rule 'linear'}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           decay(%decay : tensor<2x16x2xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c8_c(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %decay: tensor<2x16x2xf32>, %beta: tensor<2x16x2xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c8: decay is not allowed with update rule 'delta'}}
  %r:2 = hybrid.linear_attention delta ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           decay(%decay : tensor<2x16x2xf32>)
           beta(%beta : tensor<2x16x2xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c8_d(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %decay: tensor<2x16x2xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c8: beta is required with update rule 'gated_delta'}}
  %r:2 = hybrid.linear_attention gated_delta ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           decay(%decay : tensor<2x16x2xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c8_e(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %decay: tensor<2x16x2xf32>, %beta: tensor<2x16x2xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c8: beta is not allowed with update rule 'gated'}}
  %r:2 = hybrid.linear_attention gated ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           decay(%decay : tensor<2x16x2xf32>)
           beta(%beta : tensor<2x16x2xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c9_a(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c9: scale must be finite}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) {scale = 0xFF800000 : f32} -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @linear_attention_c9_b(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>, %v: tensor<2x16x2x6xf32>, %o: tensor<2x16x4x6xf32>, %fin: tensor<2x2x8x6xf32>) {
  // expected-error @+1 {{linear_attention_c9: scale must be finite}}
  %r:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x6xf32>)
           outs(%o, %fin : tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>) {scale = 0x7FC00000 : f32} -> tensor<2x16x4x6xf32>, tensor<2x2x8x6xf32>
  return
}

// -----

func.func @causal_conv1d_c1_a(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<2x8x16xf32>) {
  // expected-error @+1 {{causal_conv1d_c1: expected 2 destination(s) in outs, got 1}}
  %r = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
         outs(%y : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return
}

// -----

func.func @causal_conv1d_c1_b(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: memref<2x8x16xf32>, %fin: memref<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c1: operands must be all tensors or all memrefs}}
  hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
    outs(%y, %fin : memref<2x8x16xf32>, memref<2x8x3xf32>)
  return
}

// -----

func.func @causal_conv1d_c1_c(%x: memref<2x8x16xf32>, %weight: memref<8x4xf32>, %bias: memref<*xf32>, %y: memref<2x8x16xf32>, %fin: memref<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c1: operands must be ranked tensors or memrefs, got 'memref<*xf32>'}}
  hybrid.causal_conv1d silu ins(%x, %weight : memref<2x8x16xf32>, memref<8x4xf32>)
    bias(%bias : memref<*xf32>)
    outs(%y, %fin : memref<2x8x16xf32>, memref<2x8x3xf32>)
  return
}

// -----

func.func @causal_conv1d_c1_d(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c1: expected one result per destination (2), got 1}}
  %r = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
         outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>
  return
}

// -----

func.func @causal_conv1d_c2_a(%x: tensor<8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c2: x must have rank 3, got rank 2}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<8x16xf32>, tensor<8x4xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c2_b(%x: tensor<2x8x16xf32>, %weight: tensor<8x1x4xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c2: weight must have rank 2, got rank 3}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x1x4xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c2_c(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %bias: tensor<1x8xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c2: bias must have rank 1, got rank 2}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           bias(%bias : tensor<1x8xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c2_d(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %initial_state: tensor<8x3xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c2: initial_state must have rank 3, got rank 2}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           initial_state(%initial_state : tensor<8x3xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c2_e(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c2: y must have rank 3, got rank 2}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           outs(%y, %fin : tensor<8x16xf32>, tensor<2x8x3xf32>) -> tensor<8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c2_f(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c2: final_state must have rank 3, got rank 2}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<8x3xf32>) -> tensor<2x8x16xf32>, tensor<8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c3_a(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xi8>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c3: weight must have f16, bf16, f32 or f64 elements, got 'i8'}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xi8>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c3_b(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %bias: tensor<8xf16>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c3: element type of bias ('f16') must equal that of x ('f32')}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           bias(%bias : tensor<8xf16>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c3_c(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<2x8x16xf16>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c3: element type of y ('f16') must equal that of x ('f32')}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           outs(%y, %fin : tensor<2x8x16xf16>, tensor<2x8x3xf32>) -> tensor<2x8x16xf16>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c4_a(%x: tensor<2x8x16xf32>, %weight: tensor<4x4xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c4: channels: dim 1 of x (8) must equal dim 0 of weight (4)}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<4x4xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c4_b(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %bias: tensor<16xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c4: channels: dim 1 of x (8) must equal dim 0 of bias (16)}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           bias(%bias : tensor<16xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c4_c(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %initial_state: tensor<2x4x3xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c4: channels: dim 1 of x (8) must equal dim 1 of initial_state (4)}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           initial_state(%initial_state : tensor<2x4x3xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c4_d(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<2x4x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c4: channels: dim 1 of x (8) must equal dim 1 of y (4)}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           outs(%y, %fin : tensor<2x4x16xf32>, tensor<2x8x3xf32>) -> tensor<2x4x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c4_e(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x4x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c4: channels: dim 1 of x (8) must equal dim 1 of final_state (4)}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x4x3xf32>) -> tensor<2x8x16xf32>, tensor<2x4x3xf32>
  return
}

// -----

func.func @causal_conv1d_c5_a(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %initial_state: tensor<1x8x3xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c5: batch: dim 0 of x (2) must equal dim 0 of initial_state (1)}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           initial_state(%initial_state : tensor<1x8x3xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c5_b(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<1x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c5: batch: dim 0 of x (2) must equal dim 0 of y (1)}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           outs(%y, %fin : tensor<1x8x16xf32>, tensor<2x8x3xf32>) -> tensor<1x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c5_c(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<1x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c5: batch: dim 0 of x (2) must equal dim 0 of final_state (1)}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<1x8x3xf32>) -> tensor<2x8x16xf32>, tensor<1x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c5_d(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<2x8x15xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c5: length: dim 2 of x (16) must equal dim 2 of y (15)}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           outs(%y, %fin : tensor<2x8x15xf32>, tensor<2x8x3xf32>) -> tensor<2x8x15xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c6_a(%x: tensor<2x8x16xf32>, %weight: tensor<8x0xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x0xf32>) {
  // expected-error @+1 {{causal_conv1d_c6: kernel width must be >= 1, got 0}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x0xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x0xf32>) -> tensor<2x8x16xf32>, tensor<2x8x0xf32>
  return
}

// -----

func.func @causal_conv1d_c6_b(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %initial_state: tensor<2x8x4xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c6: state width: dim 2 of initial_state is 4, expected 3}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           initial_state(%initial_state : tensor<2x8x4xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c6_c(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x4xf32>) {
  // expected-error @+1 {{causal_conv1d_c6: state width: dim 2 of final_state is 4, expected 3}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x4xf32>) -> tensor<2x8x16xf32>, tensor<2x8x4xf32>
  return
}

// -----

func.func @causal_conv1d_c6_d(%x: tensor<2x8x16xf32>, %weight: tensor<8x?xf32>, %initial_state: tensor<2x8x3xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x2xf32>) {
  // expected-error @+1 {{causal_conv1d_c6: state width: dim 2 of initial_state (3) must equal dim 2 of final_state (2)}}
  %r:2 = hybrid.causal_conv1d silu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x?xf32>)
           initial_state(%initial_state : tensor<2x8x3xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x2xf32>) -> tensor<2x8x16xf32>, tensor<2x8x2xf32>
  return
}

// -----

func.func @causal_conv1d_c7_a(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c7: activation must be none or silu, got gelu}}
  %r:2 = hybrid.causal_conv1d gelu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @causal_conv1d_c7_b(%x: tensor<2x8x16xf32>, %weight: tensor<8x4xf32>, %y: tensor<2x8x16xf32>, %fin: tensor<2x8x3xf32>) {
  // expected-error @+1 {{causal_conv1d_c7: activation must be none or silu, got swiglu}}
  %r:2 = hybrid.causal_conv1d swiglu ins(%x, %weight : tensor<2x8x16xf32>, tensor<8x4xf32>)
           outs(%y, %fin : tensor<2x8x16xf32>, tensor<2x8x3xf32>) -> tensor<2x8x16xf32>, tensor<2x8x3xf32>
  return
}

// -----

func.func @moe_c1_a(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>, %out1: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c1: expected 1 destination(s) in outs, got 2}}
  %r:2 = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
           outs(%y, %out1 : tensor<16x32xf32>, tensor<16x32xf32>) -> tensor<16x32xf32>, tensor<16x32xf32>
  return
}

// -----

func.func @moe_c1_b(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: memref<16x32xf32>) {
  // expected-error @+1 {{moe_c1: operands must be all tensors or all memrefs}}
  hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
    outs(%y : memref<16x32xf32>)
  return
}

// -----

func.func @moe_c1_c(%x: memref<16x32xf32>, %logits: memref<16x8xf32>, %w_up: memref<8x64x32xf32>, %w_down: memref<8x32x64xf32>, %selection_bias: tensor<8xf32>, %y: memref<16x32xf32>) {
  // expected-error @+1 {{moe_c1: operands must be all tensors or all memrefs}}
  hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : memref<16x32xf32>, memref<16x8xf32>, memref<8x64x32xf32>, memref<8x32x64xf32>)
    selection_bias(%selection_bias : tensor<8xf32>)
    outs(%y : memref<16x32xf32>)
  return
}

// -----

func.func @moe_c2_a(%x: tensor<1x16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c2: x must have rank 2, got rank 3}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<1x16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c2_b(%x: tensor<16x32xf32>, %logits: tensor<8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c2: router_logits must have rank 2, got rank 1}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c2_c(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c2: w_up must have rank 3, got rank 2}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c2_d(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c2: w_down must have rank 3, got rank 2}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c2_e(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %w_gate: tensor<64x32xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c2: w_gate must have rank 3, got rank 2}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = swiglu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         w_gate(%w_gate : tensor<64x32xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c2_f(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %selection_bias: tensor<1x8xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c2: selection_bias must have rank 1, got rank 2}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         selection_bias(%selection_bias : tensor<1x8xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c2_g(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %w_gate: tensor<8x64x32xf32>, %b_gate: tensor<64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c2: b_gate must have rank 2, got rank 1}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = swiglu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         w_gate(%w_gate : tensor<8x64x32xf32>)
         b_gate(%b_gate : tensor<64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c2_h(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %b_up: tensor<64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c2: b_up must have rank 2, got rank 1}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         b_up(%b_up : tensor<64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c2_i(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %b_down: tensor<32xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c2: b_down must have rank 2, got rank 1}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         b_down(%b_down : tensor<32xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c2_j(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<32xf32>) {
  // expected-error @+1 {{moe_c2: output must have rank 2, got rank 1}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<32xf32>) -> tensor<32xf32>
  return
}

// -----

func.func @moe_c3_a(%x: tensor<16x32xf32>, %logits: tensor<16x8xi32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c3: router_logits must have f16, bf16, f32 or f64 elements, got 'i32'}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xi32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c3_b(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf16>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c3: element type of w_down ('f16') must equal that of x ('f32')}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf16>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c3_c(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %w_gate: tensor<8x64x32xbf16>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c3: element type of w_gate ('bf16') must equal that of x ('f32')}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = swiglu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         w_gate(%w_gate : tensor<8x64x32xbf16>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c3_d(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %b_down: tensor<8x32xf64>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c3: element type of b_down ('f64') must equal that of x ('f32')}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         b_down(%b_down : tensor<8x32xf64>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c4_a(%x: tensor<16x32xf32>, %logits: tensor<8x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c4: tokens: dim 0 of x (16) must equal dim 0 of router_logits (8)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<8x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c4_b(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<8x32xf32>) {
  // expected-error @+1 {{moe_c4: tokens: dim 0 of x (16) must equal dim 0 of output (8)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<8x32xf32>) -> tensor<8x32xf32>
  return
}

// -----

func.func @moe_c5_a(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<4x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c5: experts: dim 1 of router_logits (8) must equal dim 0 of w_up (4)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<4x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c5_b(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<4x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c5: experts: dim 1 of router_logits (8) must equal dim 0 of w_down (4)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<4x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c5_c(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %w_gate: tensor<4x64x32xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c5: experts: dim 1 of router_logits (8) must equal dim 0 of w_gate (4)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = swiglu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         w_gate(%w_gate : tensor<4x64x32xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c5_d(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %selection_bias: tensor<4xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c5: experts: dim 1 of router_logits (8) must equal dim 0 of selection_bias (4)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         selection_bias(%selection_bias : tensor<4xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c5_e(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %w_gate: tensor<8x64x32xf32>, %b_gate: tensor<4x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c5: experts: dim 1 of router_logits (8) must equal dim 0 of b_gate (4)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = swiglu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         w_gate(%w_gate : tensor<8x64x32xf32>)
         b_gate(%b_gate : tensor<4x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c5_f(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %b_up: tensor<4x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c5: experts: dim 1 of router_logits (8) must equal dim 0 of b_up (4)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         b_up(%b_up : tensor<4x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c5_g(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %b_down: tensor<4x32xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c5: experts: dim 1 of router_logits (8) must equal dim 0 of b_down (4)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         b_down(%b_down : tensor<4x32xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c6_a(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x16xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c6: hidden size: dim 1 of x (32) must equal dim 2 of w_up (16)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x16xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c6_b(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %w_gate: tensor<8x64x16xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c6: hidden size: dim 1 of x (32) must equal dim 2 of w_gate (16)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = swiglu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         w_gate(%w_gate : tensor<8x64x16xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c6_c(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x16x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c6: hidden size: dim 1 of x (32) must equal dim 1 of w_down (16)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x16x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c6_d(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %b_down: tensor<8x16xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c6: hidden size: dim 1 of x (32) must equal dim 1 of b_down (16)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         b_down(%b_down : tensor<8x16xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c6_e(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x16xf32>) {
  // expected-error @+1 {{moe_c6: hidden size: dim 1 of x (32) must equal dim 1 of output (16)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x16xf32>) -> tensor<16x16xf32>
  return
}

// -----

func.func @moe_c7_a(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %w_gate: tensor<8x48x32xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c7: intermediate size: dim 1 of w_up (64) must equal dim 1 of w_gate (48)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = swiglu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         w_gate(%w_gate : tensor<8x48x32xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c7_b(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x48xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c7: intermediate size: dim 1 of w_up (64) must equal dim 2 of w_down (48)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x48xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c7_c(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %w_gate: tensor<8x64x32xf32>, %b_gate: tensor<8x48xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c7: intermediate size: dim 1 of w_up (64) must equal dim 1 of b_gate (48)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = swiglu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         w_gate(%w_gate : tensor<8x64x32xf32>)
         b_gate(%b_gate : tensor<8x48xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c7_d(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %b_up: tensor<8x48xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c7: intermediate size: dim 1 of w_up (64) must equal dim 1 of b_up (48)}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         b_up(%b_up : tensor<8x48xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c8_a(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c8: top_k (0) must be between 1 and the number of experts}}
  %r = hybrid.moe top_k(0) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c8_b(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c8: top_k (-1) must be between 1 and the number of experts (8)}}
  %r = hybrid.moe top_k(-1) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c8_c(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c8: top_k (9) must be between 1 and the number of experts}}
  %r = hybrid.moe top_k(9) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c9_a(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c9: activation must be swiglu, geglu, silu, gelu or relu}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = none ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c9_b(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c9: activation swiglu requires w_gate}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = swiglu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c9_c(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %b_up: tensor<8x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c9: activation geglu requires w_gate}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = geglu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         b_up(%b_up : tensor<8x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c9_d(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %w_gate: tensor<8x64x32xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c9: w_gate and b_gate are only allowed with swiglu or geglu}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = relu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         w_gate(%w_gate : tensor<8x64x32xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

// b_gate without w_gate, with an activation that takes no gate.
func.func @moe_c9_e(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %b_gate: tensor<8x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c9: w_gate and b_gate are only allowed with swiglu or geglu}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = gelu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         b_gate(%b_gate : tensor<8x64xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c10_a(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c10: scaling must be finite}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) {scaling = 0x7F800000 : f32} -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_c10_b(%x: tensor<16x32xf32>, %logits: tensor<16x8xf32>, %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_c10: scaling must be finite}}
  %r = hybrid.moe top_k(2) scoring = softmax activation = silu ins(%x, %logits, %w_up, %w_down : tensor<16x32xf32>, tensor<16x8xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
         outs(%y : tensor<16x32xf32>) {normalize, scaling = 0x7FC00000 : f32} -> tensor<16x32xf32>
  return
}

// -----

func.func @moe_dispatch_c1_a(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<9xi64>) {
  // expected-error @+1 {{moe_dispatch_c1: expected 3 destination(s) in outs, got 2}}
  %r:2 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets : tensor<32x32xf32>, tensor<9xi64>) -> tensor<32x32xf32>, tensor<9xi64>
  return
}

// -----

func.func @moe_dispatch_c1_b(%x: memref<16x32xf32>, %ids: tensor<16x2xi64>, %rows: memref<32x32xf32>, %offsets: memref<9xi64>, %sources: memref<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c1: operands must be all tensors or all memrefs}}
  hybrid.moe_dispatch num_experts(8) ins(%x, %ids : memref<16x32xf32>, tensor<16x2xi64>)
    outs(%rows, %offsets, %sources : memref<32x32xf32>, memref<9xi64>, memref<32xi64>)
  return
}

// -----

func.func @moe_dispatch_c1_c(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<9xi64>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c1: result #2 type 'tensor<32xi32>' must equal its destination type 'tensor<32xi64>'}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<9xi64>, tensor<32xi64>) -> tensor<32x32xf32>, tensor<9xi64>, tensor<32xi32>
  return
}

// -----

func.func @moe_dispatch_c2_a(%x: tensor<32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<9xi64>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c2: x must have rank 2, got rank 1}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<9xi64>, tensor<32xi64>) -> tensor<32x32xf32>, tensor<9xi64>, tensor<32xi64>
  return
}

// -----

func.func @moe_dispatch_c2_b(%x: tensor<16x32xf32>, %ids: tensor<32xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<9xi64>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c2: expert_ids must have rank 2, got rank 1}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<32xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<9xi64>, tensor<32xi64>) -> tensor<32x32xf32>, tensor<9xi64>, tensor<32xi64>
  return
}

// -----

func.func @moe_dispatch_c2_c(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<16x2x32xf32>, %offsets: tensor<9xi64>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c2: rows must have rank 2, got rank 3}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<16x2x32xf32>, tensor<9xi64>, tensor<32xi64>) -> tensor<16x2x32xf32>, tensor<9xi64>, tensor<32xi64>
  return
}

// -----

func.func @moe_dispatch_c2_d(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<1x9xi64>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c2: offsets must have rank 1, got rank 2}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<1x9xi64>, tensor<32xi64>) -> tensor<32x32xf32>, tensor<1x9xi64>, tensor<32xi64>
  return
}

// -----

func.func @moe_dispatch_c2_e(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<9xi64>, %sources: tensor<16x2xi64>) {
  // expected-error @+1 {{moe_dispatch_c2: sources must have rank 1, got rank 2}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<9xi64>, tensor<16x2xi64>) -> tensor<32x32xf32>, tensor<9xi64>, tensor<16x2xi64>
  return
}

// -----

func.func @moe_dispatch_c3_a(%x: tensor<16x32xi32>, %ids: tensor<16x2xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<9xi64>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c3: x must have f16, bf16, f32 or f64 elements, got 'i32'}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xi32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<9xi64>, tensor<32xi64>) -> tensor<32x32xf32>, tensor<9xi64>, tensor<32xi64>
  return
}

// -----

func.func @moe_dispatch_c3_b(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<32x32xf16>, %offsets: tensor<9xi64>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c3: element type of rows ('f16') must equal that of x ('f32')}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf16>, tensor<9xi64>, tensor<32xi64>) -> tensor<32x32xf16>, tensor<9xi64>, tensor<32xi64>
  return
}

// -----

func.func @moe_dispatch_c3_c(%x: tensor<16x32xf32>, %ids: tensor<16x2xf32>, %rows: tensor<32x32xf32>, %offsets: tensor<9xi64>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c3: expert_ids must have i32, i64 or index elements, got 'f32'}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xf32>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<9xi64>, tensor<32xi64>) -> tensor<32x32xf32>, tensor<9xi64>, tensor<32xi64>
  return
}

// -----

func.func @moe_dispatch_c3_d(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<9xi1>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c3: offsets must have i32, i64 or index elements, got 'i1'}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<9xi1>, tensor<32xi64>) -> tensor<32x32xf32>, tensor<9xi1>, tensor<32xi64>
  return
}

// -----

func.func @moe_dispatch_c3_e(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<9xi64>, %sources: tensor<32xui32>) {
  // expected-error @+1 {{moe_dispatch_c3: sources must have i32, i64 or index elements, got 'ui32'}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<9xi64>, tensor<32xui32>) -> tensor<32x32xf32>, tensor<9xi64>, tensor<32xui32>
  return
}

// -----

func.func @moe_dispatch_c4_a(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<1xi64>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c4: num_experts must be >= 1}}
  %r:3 = hybrid.moe_dispatch num_experts(0) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<1xi64>, tensor<32xi64>) -> tensor<32x32xf32>, tensor<1xi64>, tensor<32xi64>
  return
}

// -----

func.func @moe_dispatch_c4_b(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<8xi64>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c4: offsets: dim 0 of offsets is 8, expected 9}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<8xi64>, tensor<32xi64>) -> tensor<32x32xf32>, tensor<8xi64>, tensor<32xi64>
  return
}

// -----

func.func @moe_dispatch_c5_a(%x: tensor<16x32xf32>, %ids: tensor<8x2xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<9xi64>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c5: tokens: dim 0 of x (16) must equal dim 0 of expert_ids (8)}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<8x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<9xi64>, tensor<32xi64>) -> tensor<32x32xf32>, tensor<9xi64>, tensor<32xi64>
  return
}

// -----

func.func @moe_dispatch_c5_b(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<32x64xf32>, %offsets: tensor<9xi64>, %sources: tensor<32xi64>) {
  // expected-error @+1 {{moe_dispatch_c5: hidden size: dim 1 of x (32) must equal dim 1 of rows (64)}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x64xf32>, tensor<9xi64>, tensor<32xi64>) -> tensor<32x64xf32>, tensor<9xi64>, tensor<32xi64>
  return
}

// -----

func.func @moe_dispatch_c5_c(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<32x32xf32>, %offsets: tensor<9xi64>, %sources: tensor<16xi64>) {
  // expected-error @+1 {{moe_dispatch_c5: rows: dim 0 of rows (32) must equal dim 0 of sources (16)}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<32x32xf32>, tensor<9xi64>, tensor<16xi64>) -> tensor<32x32xf32>, tensor<9xi64>, tensor<16xi64>
  return
}

// -----

func.func @moe_dispatch_c5_d(%x: tensor<16x32xf32>, %ids: tensor<16x2xi64>, %rows: tensor<16x32xf32>, %offsets: tensor<9xi64>, %sources: tensor<16xi64>) {
  // expected-error @+1 {{moe_dispatch_c5: rows (T * top_k): dim 0 of rows is 16, expected 32}}
  %r:3 = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x32xf32>, tensor<16x2xi64>)
           outs(%rows, %offsets, %sources : tensor<16x32xf32>, tensor<9xi64>, tensor<16xi64>) -> tensor<16x32xf32>, tensor<9xi64>, tensor<16xi64>
  return
}

// -----

func.func @grouped_matmul_c1_a(%rows: tensor<32x64xf32>, %weights: tensor<8x128x64xf32>, %offsets: tensor<9xi64>, %o: tensor<32x128xf32>, %out1: tensor<32x128xf32>) {
  // expected-error @+1 {{grouped_matmul_c1: expected 1 destination(s) in outs, got 2}}
  %r:2 = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<9xi64>)
           outs(%o, %out1 : tensor<32x128xf32>, tensor<32x128xf32>) -> tensor<32x128xf32>, tensor<32x128xf32>
  return
}

// -----

func.func @grouped_matmul_c1_b(%rows: tensor<32x64xf32>, %weights: tensor<8x128x64xf32>, %offsets: tensor<9xi64>, %o: memref<32x128xf32>) {
  // expected-error @+1 {{grouped_matmul_c1: operands must be all tensors or all memrefs}}
  hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<9xi64>)
    outs(%o : memref<32x128xf32>)
  return
}

// -----

func.func @grouped_matmul_c2_a(%rows: tensor<64xf32>, %weights: tensor<8x128x64xf32>, %offsets: tensor<9xi64>, %o: tensor<32x128xf32>) {
  // expected-error @+1 {{grouped_matmul_c2: rows must have rank 2, got rank 1}}
  %r = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<64xf32>, tensor<8x128x64xf32>, tensor<9xi64>)
         outs(%o : tensor<32x128xf32>) -> tensor<32x128xf32>
  return
}

// -----

func.func @grouped_matmul_c2_b(%rows: tensor<32x64xf32>, %weights: tensor<128x64xf32>, %offsets: tensor<9xi64>, %o: tensor<32x128xf32>) {
  // expected-error @+1 {{grouped_matmul_c2: weights must have rank 3, got rank 2}}
  %r = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xf32>, tensor<128x64xf32>, tensor<9xi64>)
         outs(%o : tensor<32x128xf32>) -> tensor<32x128xf32>
  return
}

// -----

func.func @grouped_matmul_c2_c(%rows: tensor<32x64xf32>, %weights: tensor<8x128x64xf32>, %offsets: tensor<i64>, %o: tensor<32x128xf32>) {
  // expected-error @+1 {{grouped_matmul_c2: offsets must have rank 1, got rank 0}}
  %r = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<i64>)
         outs(%o : tensor<32x128xf32>) -> tensor<32x128xf32>
  return
}

// -----

func.func @grouped_matmul_c2_d(%rows: tensor<32x64xf32>, %weights: tensor<8x128x64xf32>, %offsets: tensor<9xi64>, %o: tensor<1x32x128xf32>) {
  // expected-error @+1 {{grouped_matmul_c2: output must have rank 2, got rank 3}}
  %r = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<9xi64>)
         outs(%o : tensor<1x32x128xf32>) -> tensor<1x32x128xf32>
  return
}

// -----

func.func @grouped_matmul_c3_a(%rows: tensor<32x64xi8>, %weights: tensor<8x128x64xf32>, %offsets: tensor<9xi64>, %o: tensor<32x128xf32>) {
  // expected-error @+1 {{grouped_matmul_c3: rows must have f16, bf16, f32 or f64 elements, got 'i8'}}
  %r = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xi8>, tensor<8x128x64xf32>, tensor<9xi64>)
         outs(%o : tensor<32x128xf32>) -> tensor<32x128xf32>
  return
}

// -----

func.func @grouped_matmul_c3_b(%rows: tensor<32x64xf32>, %weights: tensor<8x128x64xf16>, %offsets: tensor<9xi64>, %o: tensor<32x128xf32>) {
  // expected-error @+1 {{grouped_matmul_c3: element type of weights ('f16') must equal that of rows ('f32')}}
  %r = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xf32>, tensor<8x128x64xf16>, tensor<9xi64>)
         outs(%o : tensor<32x128xf32>) -> tensor<32x128xf32>
  return
}

// -----

func.func @grouped_matmul_c3_c(%rows: tensor<32x64xf32>, %weights: tensor<8x128x64xf32>, %offsets: tensor<9xi64>, %o: tensor<32x128xbf16>) {
  // expected-error @+1 {{grouped_matmul_c3: element type of output ('bf16') must equal that of rows ('f32')}}
  %r = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<9xi64>)
         outs(%o : tensor<32x128xbf16>) -> tensor<32x128xbf16>
  return
}

// -----

func.func @grouped_matmul_c3_d(%rows: tensor<32x64xf32>, %weights: tensor<8x128x64xf32>, %offsets: tensor<9xf32>, %o: tensor<32x128xf32>) {
  // expected-error @+1 {{grouped_matmul_c3: offsets must have i32, i64 or index elements, got 'f32'}}
  %r = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<9xf32>)
         outs(%o : tensor<32x128xf32>) -> tensor<32x128xf32>
  return
}

// -----

func.func @grouped_matmul_c4(%rows: tensor<32x64xf32>, %weights: tensor<8x128x32xf32>, %offsets: tensor<9xi64>, %o: tensor<32x128xf32>) {
  // expected-error @+1 {{grouped_matmul_c4: reduction dim: dim 1 of rows (64) must equal dim 2 of weights (32)}}
  %r = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xf32>, tensor<8x128x32xf32>, tensor<9xi64>)
         outs(%o : tensor<32x128xf32>) -> tensor<32x128xf32>
  return
}

// -----

func.func @grouped_matmul_c5(%rows: tensor<32x64xf32>, %weights: tensor<8x128x64xf32>, %offsets: tensor<8xi64>, %o: tensor<32x128xf32>) {
  // expected-error @+1 {{grouped_matmul_c5: offsets (experts + 1): dim 0 of offsets is 8, expected 9}}
  %r = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<8xi64>)
         outs(%o : tensor<32x128xf32>) -> tensor<32x128xf32>
  return
}

// -----

func.func @grouped_matmul_c6_a(%rows: tensor<32x64xf32>, %weights: tensor<8x128x64xf32>, %offsets: tensor<9xi64>, %o: tensor<16x128xf32>) {
  // expected-error @+1 {{grouped_matmul_c6: rows: dim 0 of rows (32) must equal dim 0 of output (16)}}
  %r = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<9xi64>)
         outs(%o : tensor<16x128xf32>) -> tensor<16x128xf32>
  return
}

// -----

func.func @grouped_matmul_c6_b(%rows: tensor<32x64xf32>, %weights: tensor<8x128x64xf32>, %offsets: tensor<9xi64>, %o: tensor<32x64xf32>) {
  // expected-error @+1 {{grouped_matmul_c6: columns: dim 1 of weights (128) must equal dim 1 of output (64)}}
  %r = hybrid.grouped_matmul ins(%rows, %weights, %offsets : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<9xi64>)
         outs(%o : tensor<32x64xf32>) -> tensor<32x64xf32>
  return
}

// -----

func.func @moe_topk_c1_a(%l: tensor<4x8xf32>, %ids: tensor<4x2xi64>) {
  // expected-error @+1 {{moe_topk_c1: expected 2 destination(s) in outs, got 1}}
  %r = hybrid.moe_topk scoring = softmax ins(%l : tensor<4x8xf32>) outs(%ids : tensor<4x2xi64>) -> tensor<4x2xi64>
  return
}

// -----

func.func @moe_topk_c2(%l: tensor<4x8xf32>, %b: tensor<1x8xf32>, %ids: tensor<4x2xi64>, %w: tensor<4x2xf32>) {
  // expected-error @+1 {{moe_topk_c2: selection_bias must have rank 1, got rank 2}}
  %r:2 = hybrid.moe_topk scoring = softmax ins(%l : tensor<4x8xf32>) selection_bias(%b : tensor<1x8xf32>)
           outs(%ids, %w : tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<4x2xi64>, tensor<4x2xf32>
  return
}

// -----

func.func @moe_topk_c3_a(%l: tensor<4x8xf32>, %ids: tensor<4x2xi64>, %w: tensor<4x2xf16>) {
  // expected-error @+1 {{moe_topk_c3: element type of weights ('f16') must equal that of router_logits ('f32')}}
  %r:2 = hybrid.moe_topk scoring = softmax ins(%l : tensor<4x8xf32>)
           outs(%ids, %w : tensor<4x2xi64>, tensor<4x2xf16>) -> tensor<4x2xi64>, tensor<4x2xf16>
  return
}

// -----

func.func @moe_topk_c3_b(%l: tensor<4x8xf32>, %ids: tensor<4x2xf32>, %w: tensor<4x2xf32>) {
  // expected-error @+1 {{moe_topk_c3: expert_ids must have i32, i64 or index elements, got 'f32'}}
  %r:2 = hybrid.moe_topk scoring = softmax ins(%l : tensor<4x8xf32>)
           outs(%ids, %w : tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>, tensor<4x2xf32>
  return
}

// -----

func.func @moe_topk_c4_a(%l: tensor<4x8xf32>, %ids: tensor<5x2xi64>, %w: tensor<4x2xf32>) {
  // expected-error @+1 {{moe_topk_c4: tokens: dim 0 of router_logits (4) must equal dim 0 of expert_ids (5)}}
  %r:2 = hybrid.moe_topk scoring = softmax ins(%l : tensor<4x8xf32>)
           outs(%ids, %w : tensor<5x2xi64>, tensor<4x2xf32>) -> tensor<5x2xi64>, tensor<4x2xf32>
  return
}

// -----

func.func @moe_topk_c4_b(%l: tensor<4x8xf32>, %ids: tensor<4x2xi64>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{moe_topk_c4: top_k: dim 1 of expert_ids (2) must equal dim 1 of weights (3)}}
  %r:2 = hybrid.moe_topk scoring = softmax ins(%l : tensor<4x8xf32>)
           outs(%ids, %w : tensor<4x2xi64>, tensor<4x3xf32>) -> tensor<4x2xi64>, tensor<4x3xf32>
  return
}

// -----

func.func @moe_topk_c4_c(%l: tensor<4x8xf32>, %b: tensor<6xf32>, %ids: tensor<4x2xi64>, %w: tensor<4x2xf32>) {
  // expected-error @+1 {{moe_topk_c4: experts: dim 1 of router_logits (8) must equal dim 0 of selection_bias (6)}}
  %r:2 = hybrid.moe_topk scoring = softmax ins(%l : tensor<4x8xf32>) selection_bias(%b : tensor<6xf32>)
           outs(%ids, %w : tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<4x2xi64>, tensor<4x2xf32>
  return
}

// -----

func.func @moe_topk_c5(%l: tensor<4x8xf32>, %ids: tensor<4x9xi64>, %w: tensor<4x9xf32>) {
  // expected-error @+1 {{moe_topk_c5: top_k (9) must be between 1 and the number of experts (8)}}
  %r:2 = hybrid.moe_topk scoring = softmax ins(%l : tensor<4x8xf32>)
           outs(%ids, %w : tensor<4x9xi64>, tensor<4x9xf32>) -> tensor<4x9xi64>, tensor<4x9xf32>
  return
}

// -----

func.func @moe_topk_c6(%l: tensor<4x8xf32>, %ids: tensor<4x2xi64>, %w: tensor<4x2xf32>) {
  // expected-error @+1 {{moe_topk_c6: scaling must be finite}}
  %r:2 = hybrid.moe_topk scoring = softmax ins(%l : tensor<4x8xf32>)
           outs(%ids, %w : tensor<4x2xi64>, tensor<4x2xf32>) {scaling = 0x7F800000 : f32} -> tensor<4x2xi64>, tensor<4x2xf32>
  return
}

// -----

func.func @moe_combine_c1_a(%expert_out: tensor<32x64xf32>, %sources: tensor<32xi64>, %weights: tensor<16x2xf32>, %y: tensor<16x64xf32>, %out1: tensor<16x64xf32>) {
  // expected-error @+1 {{moe_combine_c1: expected 1 destination(s) in outs, got 2}}
  %r:2 = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<32x64xf32>, tensor<32xi64>, tensor<16x2xf32>)
           outs(%y, %out1 : tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<16x64xf32>, tensor<16x64xf32>
  return
}

// -----

func.func @moe_combine_c1_b(%expert_out: memref<32x64xf32>, %sources: tensor<32xi64>, %weights: memref<16x2xf32>, %y: memref<16x64xf32>) {
  // expected-error @+1 {{moe_combine_c1: operands must be all tensors or all memrefs}}
  hybrid.moe_combine ins(%expert_out, %sources, %weights : memref<32x64xf32>, tensor<32xi64>, memref<16x2xf32>)
    outs(%y : memref<16x64xf32>)
  return
}

// -----

func.func @moe_combine_c2_a(%expert_out: tensor<16x2x64xf32>, %sources: tensor<32xi64>, %weights: tensor<16x2xf32>, %y: tensor<16x64xf32>) {
  // expected-error @+1 {{moe_combine_c2: expert_out must have rank 2, got rank 3}}
  %r = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<16x2x64xf32>, tensor<32xi64>, tensor<16x2xf32>)
         outs(%y : tensor<16x64xf32>) -> tensor<16x64xf32>
  return
}

// -----

func.func @moe_combine_c2_b(%expert_out: tensor<32x64xf32>, %sources: tensor<16x2xi64>, %weights: tensor<16x2xf32>, %y: tensor<16x64xf32>) {
  // expected-error @+1 {{moe_combine_c2: sources must have rank 1, got rank 2}}
  %r = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<32x64xf32>, tensor<16x2xi64>, tensor<16x2xf32>)
         outs(%y : tensor<16x64xf32>) -> tensor<16x64xf32>
  return
}

// -----

func.func @moe_combine_c2_c(%expert_out: tensor<32x64xf32>, %sources: tensor<32xi64>, %weights: tensor<32xf32>, %y: tensor<16x64xf32>) {
  // expected-error @+1 {{moe_combine_c2: weights must have rank 2, got rank 1}}
  %r = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<32x64xf32>, tensor<32xi64>, tensor<32xf32>)
         outs(%y : tensor<16x64xf32>) -> tensor<16x64xf32>
  return
}

// -----

func.func @moe_combine_c2_d(%expert_out: tensor<32x64xf32>, %sources: tensor<32xi64>, %weights: tensor<16x2xf32>, %y: tensor<64xf32>) {
  // expected-error @+1 {{moe_combine_c2: output must have rank 2, got rank 1}}
  %r = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<32x64xf32>, tensor<32xi64>, tensor<16x2xf32>)
         outs(%y : tensor<64xf32>) -> tensor<64xf32>
  return
}

// -----

func.func @moe_combine_c3_a(%expert_out: tensor<32x64xi32>, %sources: tensor<32xi64>, %weights: tensor<16x2xf32>, %y: tensor<16x64xf32>) {
  // expected-error @+1 {{moe_combine_c3: expert_out must have f16, bf16, f32 or f64 elements, got 'i32'}}
  %r = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<32x64xi32>, tensor<32xi64>, tensor<16x2xf32>)
         outs(%y : tensor<16x64xf32>) -> tensor<16x64xf32>
  return
}

// -----

func.func @moe_combine_c3_b(%expert_out: tensor<32x64xf32>, %sources: tensor<32xi64>, %weights: tensor<16x2xf16>, %y: tensor<16x64xf32>) {
  // expected-error @+1 {{moe_combine_c3: element type of weights ('f16') must equal that of expert_out ('f32')}}
  %r = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<32x64xf32>, tensor<32xi64>, tensor<16x2xf16>)
         outs(%y : tensor<16x64xf32>) -> tensor<16x64xf32>
  return
}

// -----

func.func @moe_combine_c3_c(%expert_out: tensor<32x64xf32>, %sources: tensor<32xi64>, %weights: tensor<16x2xf32>, %y: tensor<16x64xf64>) {
  // expected-error @+1 {{moe_combine_c3: element type of output ('f64') must equal that of expert_out ('f32')}}
  %r = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<32x64xf32>, tensor<32xi64>, tensor<16x2xf32>)
         outs(%y : tensor<16x64xf64>) -> tensor<16x64xf64>
  return
}

// -----

func.func @moe_combine_c3_d(%expert_out: tensor<32x64xf32>, %sources: tensor<32xsi64>, %weights: tensor<16x2xf32>, %y: tensor<16x64xf32>) {
  // expected-error @+1 {{moe_combine_c3: sources must have i32, i64 or index elements, got 'si64'}}
  %r = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<32x64xf32>, tensor<32xsi64>, tensor<16x2xf32>)
         outs(%y : tensor<16x64xf32>) -> tensor<16x64xf32>
  return
}

// -----

func.func @moe_combine_c4_a(%expert_out: tensor<32x64xf32>, %sources: tensor<16xi64>, %weights: tensor<16x2xf32>, %y: tensor<16x64xf32>) {
  // expected-error @+1 {{moe_combine_c4: rows: dim 0 of expert_out (32) must equal dim 0 of sources (16)}}
  %r = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<32x64xf32>, tensor<16xi64>, tensor<16x2xf32>)
         outs(%y : tensor<16x64xf32>) -> tensor<16x64xf32>
  return
}

// -----

func.func @moe_combine_c4_b(%expert_out: tensor<16x64xf32>, %sources: tensor<16xi64>, %weights: tensor<16x2xf32>, %y: tensor<16x64xf32>) {
  // expected-error @+1 {{moe_combine_c4: rows (T * top_k): dim 0 of expert_out is 16, expected 32}}
  %r = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<16x64xf32>, tensor<16xi64>, tensor<16x2xf32>)
         outs(%y : tensor<16x64xf32>) -> tensor<16x64xf32>
  return
}

// -----

func.func @moe_combine_c5_a(%expert_out: tensor<32x64xf32>, %sources: tensor<32xi64>, %weights: tensor<16x2xf32>, %y: tensor<32x64xf32>) {
  // expected-error @+1 {{moe_combine_c5: tokens: dim 0 of weights (16) must equal dim 0 of output (32)}}
  %r = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<32x64xf32>, tensor<32xi64>, tensor<16x2xf32>)
         outs(%y : tensor<32x64xf32>) -> tensor<32x64xf32>
  return
}

// -----

func.func @moe_combine_c5_b(%expert_out: tensor<32x64xf32>, %sources: tensor<32xi64>, %weights: tensor<16x2xf32>, %y: tensor<16x32xf32>) {
  // expected-error @+1 {{moe_combine_c5: hidden size: dim 1 of expert_out (64) must equal dim 1 of output (32)}}
  %r = hybrid.moe_combine ins(%expert_out, %sources, %weights : tensor<32x64xf32>, tensor<32xi64>, tensor<16x2xf32>)
         outs(%y : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @rms_norm_c1_a(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %y: tensor<2x16x64xf32>, %out1: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c1: expected 1 destination(s) in outs, got 2}}
  %r:2 = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
           outs(%y, %out1 : tensor<2x16x64xf32>, tensor<2x16x64xf32>) -> tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @rms_norm_c1_b(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %z: memref<2x16x64xf32>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c1: operands must be all tensors or all memrefs}}
  hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
    gate(%z : memref<2x16x64xf32>)
    outs(%y : tensor<2x16x64xf32>)
  return
}

// -----

func.func @rms_norm_c1_c(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c1: result #0 type 'tensor<2x16x64xf16>' must equal its destination type 'tensor<2x16x64xf32>'}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
         outs(%y : tensor<2x16x64xf32>) -> tensor<2x16x64xf16>
  return
}

// -----

func.func @rms_norm_c2_a(%x: tensor<f32>, %weight: tensor<64xf32>, %y: tensor<f32>) {
  // expected-error @+1 {{rms_norm_c2: x must have rank >= 1}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<f32>, tensor<64xf32>)
         outs(%y : tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @rms_norm_c2_b(%x: tensor<2x16x64xf32>, %weight: tensor<1x64xf32>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c2: weight must have rank 1, got rank 2}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<1x64xf32>)
         outs(%y : tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @rms_norm_c2_c(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %z: tensor<16x64xf32>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c2: z must have rank 3, got rank 2}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
         gate(%z : tensor<16x64xf32>)
         outs(%y : tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @rms_norm_c2_d(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %y: tensor<32x64xf32>) {
  // expected-error @+1 {{rms_norm_c2: output must have rank 3, got rank 2}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
         outs(%y : tensor<32x64xf32>) -> tensor<32x64xf32>
  return
}

// -----

func.func @rms_norm_c3_a(%x: tensor<2x16x64xi32>, %weight: tensor<64xf32>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c3: x must have f16, bf16, f32 or f64 elements, got 'i32'}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xi32>, tensor<64xf32>)
         outs(%y : tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @rms_norm_c3_b(%x: tensor<2x16x64xf32>, %weight: tensor<64xbf16>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c3: element type of weight ('bf16') must equal that of x ('f32')}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xbf16>)
         outs(%y : tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @rms_norm_c3_c(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %z: tensor<2x16x64xf16>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c3: element type of z ('f16') must equal that of x ('f32')}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
         gate(%z : tensor<2x16x64xf16>)
         outs(%y : tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @rms_norm_c4_a(%x: tensor<2x16x64xf32>, %weight: tensor<32xf32>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c4: normalized dim: dim 2 of x (64) must equal dim 0 of weight (32)}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<32xf32>)
         outs(%y : tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// The rank branches of rms_norm_c4 ("z/output must have the shape of x") are
// unreachable: rms_norm_c2 already requires the rank of x.
func.func @rms_norm_c4_b(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %z: tensor<2x8x64xf32>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c4: shape mismatch: dim 1 of x (16) must equal dim 1 of z (8)}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
         gate(%z : tensor<2x8x64xf32>)
         outs(%y : tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @rms_norm_c4_c(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %y: tensor<1x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c4: shape mismatch: dim 0 of x (2) must equal dim 0 of output (1)}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
         outs(%y : tensor<1x16x64xf32>) -> tensor<1x16x64xf32>
  return
}

// -----

func.func @rms_norm_c5_a(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c5: group_size must be >= 1}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
         outs(%y : tensor<2x16x64xf32>) {group_size = 0 : i64} -> tensor<2x16x64xf32>
  return
}

// -----

func.func @rms_norm_c5_b(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c5: group_size (48) must divide the normalized dim (64)}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
         outs(%y : tensor<2x16x64xf32>) {group_size = 48 : i64} -> tensor<2x16x64xf32>
  return
}

// -----

func.func @rms_norm_c6_a(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c6: epsilon must be finite and >= 0}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
         outs(%y : tensor<2x16x64xf32>) {epsilon = -1.0e-05 : f32} -> tensor<2x16x64xf32>
  return
}

// -----

func.func @rms_norm_c6_b(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c6: epsilon must be finite and >= 0}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
         outs(%y : tensor<2x16x64xf32>) {epsilon = 0x7F800000 : f32} -> tensor<2x16x64xf32>
  return
}

// -----

func.func @rms_norm_c6_c(%x: tensor<2x16x64xf32>, %weight: tensor<64xf32>, %y: tensor<2x16x64xf32>) {
  // expected-error @+1 {{rms_norm_c6: epsilon must be finite and >= 0}}
  %r = hybrid.rms_norm ins(%x, %weight : tensor<2x16x64xf32>, tensor<64xf32>)
         outs(%y : tensor<2x16x64xf32>) {epsilon = 0x7FC00000 : f32} -> tensor<2x16x64xf32>
  return
}

// -----

func.func @rotary_c1_a(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<2x16x16xf32>, %y: tensor<2x4x16x64xf32>, %out1: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c1: expected 1 destination(s) in outs, got 2}}
  %r:2 = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf32>, tensor<2x16x16xf32>)
           outs(%y, %out1 : tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c1_b(%x: memref<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: memref<2x16x16xf32>, %y: memref<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c1: operands must be all tensors or all memrefs}}
  hybrid.rotary ins(%x, %cos, %sin : memref<2x4x16x64xf32>, tensor<2x16x16xf32>, memref<2x16x16xf32>)
    outs(%y : memref<2x4x16x64xf32>)
  return
}

// -----

func.func @rotary_c2_a(%x: tensor<4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<2x16x16xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c2: x must have rank 4, got rank 3}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<4x16x64xf32>, tensor<2x16x16xf32>, tensor<2x16x16xf32>)
         outs(%y : tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c2_b(%x: tensor<2x4x16x64xf32>, %cos: tensor<16x16xf32>, %sin: tensor<2x16x16xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c2: cos must have rank 3, got rank 2}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<16x16xf32>, tensor<2x16x16xf32>)
         outs(%y : tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c2_c(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<1x2x16x16xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c2: sin must have rank 3, got rank 4}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf32>, tensor<1x2x16x16xf32>)
         outs(%y : tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c2_d(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<2x16x16xf32>, %y: tensor<4x16x64xf32>) {
  // expected-error @+1 {{rotary_c2: output must have rank 4, got rank 3}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf32>, tensor<2x16x16xf32>)
         outs(%y : tensor<4x16x64xf32>) -> tensor<4x16x64xf32>
  return
}

// -----

func.func @rotary_c3_a(%x: tensor<2x4x16x64xi16>, %cos: tensor<2x16x16xf32>, %sin: tensor<2x16x16xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c3: x must have f16, bf16, f32 or f64 elements, got 'i16'}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xi16>, tensor<2x16x16xf32>, tensor<2x16x16xf32>)
         outs(%y : tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c3_b(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf16>, %sin: tensor<2x16x16xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c3: element type of cos ('f16') must equal that of x ('f32')}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf16>, tensor<2x16x16xf32>)
         outs(%y : tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c3_c(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<2x16x16xf64>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c3: element type of sin ('f64') must equal that of x ('f32')}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf32>, tensor<2x16x16xf64>)
         outs(%y : tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c3_d(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<2x16x16xf32>, %y: tensor<2x4x16x64xbf16>) {
  // expected-error @+1 {{rotary_c3: element type of output ('bf16') must equal that of x ('f32')}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf32>, tensor<2x16x16xf32>)
         outs(%y : tensor<2x4x16x64xbf16>) -> tensor<2x4x16x64xbf16>
  return
}

// -----

// The rank branches of rotary_c4 and rotary_c6 ("... must have the shape of ...") are
// unreachable: rotary_c2 already fixes the ranks.
func.func @rotary_c4_a(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<2x16x8xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c4: shape mismatch: dim 2 of cos (16) must equal dim 2 of sin (8)}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf32>, tensor<2x16x8xf32>)
         outs(%y : tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c4_b(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<1x16x16xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c4: shape mismatch: dim 0 of cos (2) must equal dim 0 of sin (1)}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf32>, tensor<1x16x16xf32>)
         outs(%y : tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c4_c(%x: tensor<2x4x16x64xf32>, %cos: tensor<3x16x16xf32>, %sin: tensor<3x16x16xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c4: batch (or 1): dim 0 of x (2) must equal dim 0 of cos (3)}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<3x16x16xf32>, tensor<3x16x16xf32>)
         outs(%y : tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c4_d(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x8x16xf32>, %sin: tensor<2x8x16xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c4: sequence: dim 2 of x (16) must equal dim 1 of cos (8)}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>)
         outs(%y : tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c5_a(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<2x16x16xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c5: rotary_dim must be even and >= 2, got 3}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf32>, tensor<2x16x16xf32>)
         outs(%y : tensor<2x4x16x64xf32>) {rotary_dim = 3 : i64} -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c5_b(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<2x16x16xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c5: rotary_dim must be even and >= 2, got 0}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf32>, tensor<2x16x16xf32>)
         outs(%y : tensor<2x4x16x64xf32>) {interleaved, rotary_dim = 0 : i64} -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c5_c(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<2x16x16xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c5: rotary_dim / 2: dim 2 of cos is 16, expected 8}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf32>, tensor<2x16x16xf32>)
         outs(%y : tensor<2x4x16x64xf32>) {rotary_dim = 16 : i64} -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c5_d(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x64xf32>, %sin: tensor<2x16x64xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c5: rotary_dim (128) must be <= head dim (64)}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>)
         outs(%y : tensor<2x4x16x64xf32>) {rotary_dim = 128 : i64} -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c5_e(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x40xf32>, %sin: tensor<2x16x40xf32>, %y: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{rotary_c5: rotary dim 2 * 40 must be <= head dim (64)}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x40xf32>, tensor<2x16x40xf32>)
         outs(%y : tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @rotary_c6_a(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<2x16x16xf32>, %y: tensor<2x4x16x32xf32>) {
  // expected-error @+1 {{rotary_c6: shape mismatch: dim 3 of x (64) must equal dim 3 of output (32)}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf32>, tensor<2x16x16xf32>)
         outs(%y : tensor<2x4x16x32xf32>) -> tensor<2x4x16x32xf32>
  return
}

// -----

func.func @rotary_c6_b(%x: tensor<2x4x16x64xf32>, %cos: tensor<2x16x16xf32>, %sin: tensor<2x16x16xf32>, %y: tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{rotary_c6: shape mismatch: dim 1 of x (4) must equal dim 1 of output (8)}}
  %r = hybrid.rotary ins(%x, %cos, %sin : tensor<2x4x16x64xf32>, tensor<2x16x16xf32>, tensor<2x16x16xf32>)
         outs(%y : tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
  return
}

// -----

func.func @attention_c9_e(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %mask: tensor<16x24xf64>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c9: mask must have i1 elements or q's element type ('f32'), got 'f64'}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>) mask(%mask : tensor<16x24xf64>) outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_c9_f(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x24x64xf32>, %v: tensor<2x2x24x32xf32>, %mask: tensor<f32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{attention_c9: mask rank must be between 1 and 4, got 0}}
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x24x64xf32>, tensor<2x2x24x32xf32>) mask(%mask : tensor<f32>) outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @ssm_scan_c5_y(%x: tensor<1x16x4x2xf32>, %dt: tensor<1x16x4xf32>, %A: tensor<4xf32>, %Bm: tensor<1x16x1x6xf32>, %y: tensor<1x16x2x2xf32>, %fin: tensor<1x4x2x6xf32>) {
  // expected-error @+1 {{ssm_scan_c5: heads: dim 2 of x (4) must equal dim 2 of y (2)}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %A, %Bm, %Bm : tensor<1x16x4x2xf32>, tensor<1x16x4xf32>, tensor<4xf32>, tensor<1x16x1x6xf32>, tensor<1x16x1x6xf32>) outs(%y, %fin : tensor<1x16x2x2xf32>, tensor<1x4x2x6xf32>) -> tensor<1x16x2x2xf32>, tensor<1x4x2x6xf32>
  return
}

// -----

func.func @moe_dispatch_c3_i4(%x: tensor<6x8xf32>, %ids: tensor<6x2xi4>, %rows: tensor<12x8xf32>, %off: tensor<5xi64>, %src: tensor<12xi64>) {
  // expected-error @+1 {{moe_dispatch_c3: expert_ids must have i32, i64 or index elements, got 'i4'}}
  %r:3 = hybrid.moe_dispatch num_experts(4) ins(%x, %ids : tensor<6x8xf32>, tensor<6x2xi4>) outs(%rows, %off, %src : tensor<12x8xf32>, tensor<5xi64>, tensor<12xi64>) -> tensor<12x8xf32>, tensor<5xi64>, tensor<12xi64>
  return
}

// -----

func.func @attention_c10_softcap_inf(%q: tensor<1x2x4x8xf32>, %o: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{attention_c10: softcap must be finite and >= 0 (0 is off)}}
  %r = hybrid.attention ins(%q, %q, %q : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
         outs(%o : tensor<1x2x4x8xf32>) {softcap = 0x7F800000 : f32} -> tensor<1x2x4x8xf32>
  return
}

// -----

func.func @moe_dispatch_c3_i16(%x: tensor<6x8xf32>, %ids: tensor<6x2xi64>, %rows: tensor<12x8xf32>, %off: tensor<5xi16>, %src: tensor<12xi64>) {
  // expected-error @+1 {{moe_dispatch_c3: offsets must have i32, i64 or index elements, got 'i16'}}
  %r:3 = hybrid.moe_dispatch num_experts(4) ins(%x, %ids : tensor<6x8xf32>, tensor<6x2xi64>) outs(%rows, %off, %src : tensor<12x8xf32>, tensor<5xi16>, tensor<12xi64>) -> tensor<12x8xf32>, tensor<5xi16>, tensor<12xi64>
  return
}
