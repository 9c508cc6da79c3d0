// RUN: hybrid-opt %s --split-input-file --hybrid-decompose --verify-diagnostics | FileCheck %s
// Decompositions into linalg; their numerical check is
// test/Reference/reference-decomposed.test.

// CHECK-LABEL: func.func @attention
// CHECK-NOT: hybrid.attention
// Scores: kv head h floordiv 2 (GQA 4 -> 2), reduction over the head dim.
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// Mask, causal and window.
// CHECK: linalg.generic
// CHECK: linalg.index 3
// CHECK: arith.select
// Row max, exp, row sum, weighted values, normalization.
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @attention(%q: tensor<1x4x8x16xbf16>, %k: tensor<1x2x8x16xbf16>, %m: tensor<1x1x8x8xi1>, %o: tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xbf16> {
  %r = hybrid.attention ins(%q, %k, %k : tensor<1x4x8x16xbf16>, tensor<1x2x8x16xbf16>, tensor<1x2x8x16xbf16>) mask(%m : tensor<1x1x8x8xi1>)
         outs(%o : tensor<1x4x8x16xbf16>) {causal, window_left = 2 : i64} -> tensor<1x4x8x16xbf16>
  return %r : tensor<1x4x8x16xbf16>
}

// -----

// CHECK-LABEL: func.func @conv_norm_rotary
// CHECK-NOT: hybrid.
// History and input concatenated, a depthwise conv reducing over the kernel.
// CHECK: tensor.insert_slice
// CHECK: tensor.insert_slice
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: tensor.extract_slice
// CHECK: linalg.copy
// RMS norm over groups of 4 of the last dim.
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [4, 2, 4]
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: tensor.collapse_shape
// Rotary as one elementwise map.
// CHECK: linalg.generic
// CHECK: tensor.extract
func.func @conv_norm_rotary(%x: tensor<2x3x6xf32>, %w: tensor<3x4xf32>, %s0: tensor<2x3x3xf32>, %y: tensor<2x3x6xf32>, %s: tensor<2x3x3xf32>,
                            %n: tensor<4x8xf32>, %nw: tensor<8xf32>,
                            %xr: tensor<1x2x3x8xf32>, %cs: tensor<1x3x2xf32>)
    -> (tensor<2x3x6xf32>, tensor<2x3x3xf32>, tensor<4x8xf32>, tensor<1x2x3x8xf32>) {
  %0:2 = hybrid.causal_conv1d silu ins(%x, %w : tensor<2x3x6xf32>, tensor<3x4xf32>) initial_state(%s0 : tensor<2x3x3xf32>)
           outs(%y, %s : tensor<2x3x6xf32>, tensor<2x3x3xf32>) -> tensor<2x3x6xf32>, tensor<2x3x3xf32>
  %1 = hybrid.rms_norm ins(%n, %nw : tensor<4x8xf32>, tensor<8xf32>) outs(%n : tensor<4x8xf32>) {group_size = 4 : i64} -> tensor<4x8xf32>
  %2 = hybrid.rotary ins(%xr, %cs, %cs : tensor<1x2x3x8xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32>) outs(%xr : tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32>
  return %0#0, %0#1, %1, %2 : tensor<2x3x6xf32>, tensor<2x3x3xf32>, tensor<4x8xf32>, tensor<1x2x3x8xf32>
}

// -----

// What has no decomposition stays; so does an attention whose group size is
// only known at run time.
// CHECK-LABEL: func.func @not_decomposed
// CHECK: hybrid.attention
// CHECK: hybrid.ssm_scan
func.func @not_decomposed(%q: tensor<1x?x8x16xf32>, %k: tensor<1x?x8x16xf32>, %o: tensor<1x?x8x16xf32>,
                          %x: tensor<1x4x2x3xf32>, %dt: tensor<1x4x2xf32>, %a: tensor<2xf32>, %b: tensor<1x4x1x5xf32>,
                          %y: tensor<1x4x2x3xf32>, %st: tensor<1x2x3x5xf32>) -> (tensor<1x?x8x16xf32>, tensor<1x4x2x3xf32>) {
  // expected-remark @+1 {{not decomposed: the decomposition needs static head counts}}
  %r = hybrid.attention ins(%q, %k, %k : tensor<1x?x8x16xf32>, tensor<1x?x8x16xf32>, tensor<1x?x8x16xf32>) outs(%o : tensor<1x?x8x16xf32>) -> tensor<1x?x8x16xf32>
  %s:2 = hybrid.ssm_scan ins(%x, %dt, %a, %b, %b : tensor<1x4x2x3xf32>, tensor<1x4x2xf32>, tensor<2xf32>, tensor<1x4x1x5xf32>, tensor<1x4x1x5xf32>)
           outs(%y, %st : tensor<1x4x2x3xf32>, tensor<1x2x3x5xf32>) -> tensor<1x4x2x3xf32>, tensor<1x2x3x5xf32>
  return %r, %s#0 : tensor<1x?x8x16xf32>, tensor<1x4x2x3xf32>
}
