// RUN: hybrid-opt %s | hybrid-opt | FileCheck %s
// RUN: hybrid-opt %s --mlir-print-op-generic | hybrid-opt | FileCheck %s
// Round trip of every hybrid op, in custom and generic form, on tensors (static
// and dynamic) and memrefs, with and without its optional operands.

// CHECK-LABEL: func.func @attention
func.func @attention(%q: tensor<2x8x16x64xf16>, %k: tensor<2x2x32x64xf16>, %v: tensor<2x2x32x32xf16>,
                     %mb: tensor<16x32xi1>, %mf: tensor<2x1x16x32xf16>, %o: tensor<2x8x16x32xf16>)
    -> (tensor<2x8x16x32xf16>, tensor<2x8x16x32xf16>, tensor<2x8x16x32xf16>) {
  // CHECK: hybrid.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x8x16x64xf16>, tensor<2x2x32x64xf16>, tensor<2x2x32x32xf16>) outs(%{{.*}} : tensor<2x8x16x32xf16>) -> tensor<2x8x16x32xf16>
  %0 = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf16>, tensor<2x2x32x64xf16>, tensor<2x2x32x32xf16>)
         outs(%o : tensor<2x8x16x32xf16>) -> tensor<2x8x16x32xf16>
  // CHECK: hybrid.attention {{.*}} mask(%{{.*}} : tensor<16x32xi1>) outs({{.*}}) {causal, window_left = 8 : i64} -> tensor<2x8x16x32xf16>
  %1 = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf16>, tensor<2x2x32x64xf16>, tensor<2x2x32x32xf16>)
         mask(%mb : tensor<16x32xi1>) outs(%o : tensor<2x8x16x32xf16>) {causal, window_left = 8 : i64}
         -> tensor<2x8x16x32xf16>
  // CHECK: hybrid.attention {{.*}} mask(%{{.*}} : tensor<2x1x16x32xf16>) outs({{.*}}) {scale = 1.250000e-01 : f32, softcap = 3.000000e+01 : f32, window_right = 0 : i64}
  %2 = hybrid.attention ins(%q, %k, %v : tensor<2x8x16x64xf16>, tensor<2x2x32x64xf16>, tensor<2x2x32x32xf16>)
         mask(%mf : tensor<2x1x16x32xf16>) outs(%o : tensor<2x8x16x32xf16>)
         {scale = 0.125 : f32, softcap = 30.0 : f32, window_right = 0 : i64} -> tensor<2x8x16x32xf16>
  return %0, %1, %2 : tensor<2x8x16x32xf16>, tensor<2x8x16x32xf16>, tensor<2x8x16x32xf16>
}

// CHECK-LABEL: func.func @attention_dynamic_memref
func.func @attention_dynamic_memref(%q: memref<?x?x?x?xbf16>, %k: memref<?x?x?x?xbf16>, %v: memref<?x?x?x?xbf16>, %o: memref<?x?x?x?xbf16>) {
  // CHECK: hybrid.attention ins({{.*}} : memref<?x?x?x?xbf16>, memref<?x?x?x?xbf16>, memref<?x?x?x?xbf16>) outs(%{{.*}} : memref<?x?x?x?xbf16>) {causal}
  // CHECK-NOT: ->
  hybrid.attention ins(%q, %k, %v : memref<?x?x?x?xbf16>, memref<?x?x?x?xbf16>, memref<?x?x?x?xbf16>)
    outs(%o : memref<?x?x?x?xbf16>) {causal}
  return
}

// CHECK-LABEL: func.func @ssm_scan
func.func @ssm_scan(%x: tensor<1x?x8x32xf32>, %dt: tensor<1x?x8xf32>, %a: tensor<8xf32>, %a2: tensor<8x16xf32>,
                    %b: tensor<1x?x2x16xf32>, %c: tensor<1x?x2x16xf32>, %d: tensor<8xf32>, %z: tensor<1x?x8x32xf32>,
                    %bias: tensor<8xf32>, %s0: tensor<1x8x32x16xf32>, %y: tensor<1x?x8x32xf32>, %s: tensor<1x8x32x16xf32>)
    -> (tensor<1x?x8x32xf32>, tensor<1x8x32x16xf32>, tensor<1x?x8x32xf32>, tensor<1x8x32x16xf32>) {
  // CHECK: %{{.*}}:2 = hybrid.ssm_scan ins({{.*}}) outs({{.*}}) -> tensor<1x?x8x32xf32>, tensor<1x8x32x16xf32>
  %0:2 = hybrid.ssm_scan ins(%x, %dt, %a, %b, %c : tensor<1x?x8x32xf32>, tensor<1x?x8xf32>, tensor<8xf32>, tensor<1x?x2x16xf32>, tensor<1x?x2x16xf32>)
           outs(%y, %s : tensor<1x?x8x32xf32>, tensor<1x8x32x16xf32>) -> tensor<1x?x8x32xf32>, tensor<1x8x32x16xf32>
  // CHECK: hybrid.ssm_scan {{.*}} D(%{{.*}} : tensor<8xf32>) z(%{{.*}} : tensor<1x?x8x32xf32>) dt_bias(%{{.*}} : tensor<8xf32>) initial_state(%{{.*}} : tensor<1x8x32x16xf32>) outs({{.*}}) {dt_max = 1.000000e-01 : f32, dt_min = 1.000000e-03 : f32, dt_softplus}
  %1:2 = hybrid.ssm_scan ins(%x, %dt, %a2, %b, %c : tensor<1x?x8x32xf32>, tensor<1x?x8xf32>, tensor<8x16xf32>, tensor<1x?x2x16xf32>, tensor<1x?x2x16xf32>)
           D(%d : tensor<8xf32>) z(%z : tensor<1x?x8x32xf32>) dt_bias(%bias : tensor<8xf32>) initial_state(%s0 : tensor<1x8x32x16xf32>)
           outs(%y, %s : tensor<1x?x8x32xf32>, tensor<1x8x32x16xf32>) {dt_softplus, dt_min = 0.001 : f32, dt_max = 0.1 : f32}
           -> tensor<1x?x8x32xf32>, tensor<1x8x32x16xf32>
  return %0#0, %0#1, %1#0, %1#1 : tensor<1x?x8x32xf32>, tensor<1x8x32x16xf32>, tensor<1x?x8x32xf32>, tensor<1x8x32x16xf32>
}

// CHECK-LABEL: func.func @linear_attention
func.func @linear_attention(%q: tensor<1x32x4x64xf32>, %k: tensor<1x32x2x64xf32>, %v: tensor<1x32x2x16xf32>,
                            %g: tensor<1x32x2xf32>, %gk: tensor<1x32x2x64xf32>, %beta: tensor<1x32x2xf32>,
                            %s0: tensor<1x2x64x16xf32>, %o: tensor<1x32x4x16xf32>, %s: tensor<1x2x64x16xf32>)
    -> (tensor<1x32x4x16xf32>, tensor<1x32x4x16xf32>, tensor<1x32x4x16xf32>, tensor<1x32x4x16xf32>) {
  // CHECK: hybrid.linear_attention linear ins({{.*}}) outs({{.*}}) -> tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>
  %0:2 = hybrid.linear_attention linear ins(%q, %k, %v : tensor<1x32x4x64xf32>, tensor<1x32x2x64xf32>, tensor<1x32x2x16xf32>)
           outs(%o, %s : tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>) -> tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>
  // CHECK: hybrid.linear_attention gated ins({{.*}}) decay(%{{.*}} : tensor<1x32x2x64xf32>) outs({{.*}}) {scale = 5.000000e-01 : f32}
  %1:2 = hybrid.linear_attention gated ins(%q, %k, %v : tensor<1x32x4x64xf32>, tensor<1x32x2x64xf32>, tensor<1x32x2x16xf32>)
           decay(%gk : tensor<1x32x2x64xf32>) outs(%o, %s : tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>) {scale = 0.5 : f32}
           -> tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>
  // CHECK: hybrid.linear_attention delta ins({{.*}}) beta(%{{.*}} : tensor<1x32x2xf32>) outs
  %2:2 = hybrid.linear_attention delta ins(%q, %k, %v : tensor<1x32x4x64xf32>, tensor<1x32x2x64xf32>, tensor<1x32x2x16xf32>)
           beta(%beta : tensor<1x32x2xf32>) outs(%o, %s : tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>)
           -> tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>
  // CHECK: hybrid.linear_attention gated_delta ins({{.*}}) decay(%{{.*}} : tensor<1x32x2xf32>) beta(%{{.*}} : tensor<1x32x2xf32>) initial_state(%{{.*}} : tensor<1x2x64x16xf32>) outs
  %3:2 = hybrid.linear_attention gated_delta ins(%q, %k, %v : tensor<1x32x4x64xf32>, tensor<1x32x2x64xf32>, tensor<1x32x2x16xf32>)
           decay(%g : tensor<1x32x2xf32>) beta(%beta : tensor<1x32x2xf32>) initial_state(%s0 : tensor<1x2x64x16xf32>)
           outs(%o, %s : tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>) -> tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>
  return %0#0, %1#0, %2#0, %3#0 : tensor<1x32x4x16xf32>, tensor<1x32x4x16xf32>, tensor<1x32x4x16xf32>, tensor<1x32x4x16xf32>
}

// CHECK-LABEL: func.func @causal_conv1d
func.func @causal_conv1d(%x: tensor<2x256x?xf32>, %w: tensor<256x4xf32>, %b: tensor<256xf32>, %s0: tensor<2x256x3xf32>,
                         %y: tensor<2x256x?xf32>, %s: tensor<2x256x3xf32>) -> (tensor<2x256x?xf32>, tensor<2x256x?xf32>) {
  // CHECK: hybrid.causal_conv1d none ins({{.*}}) outs({{.*}}) -> tensor<2x256x?xf32>, tensor<2x256x3xf32>
  %0:2 = hybrid.causal_conv1d none ins(%x, %w : tensor<2x256x?xf32>, tensor<256x4xf32>)
           outs(%y, %s : tensor<2x256x?xf32>, tensor<2x256x3xf32>) -> tensor<2x256x?xf32>, tensor<2x256x3xf32>
  // CHECK: hybrid.causal_conv1d silu ins({{.*}}) bias(%{{.*}} : tensor<256xf32>) initial_state(%{{.*}} : tensor<2x256x3xf32>) outs
  %1:2 = hybrid.causal_conv1d silu ins(%x, %w : tensor<2x256x?xf32>, tensor<256x4xf32>) bias(%b : tensor<256xf32>)
           initial_state(%s0 : tensor<2x256x3xf32>) outs(%y, %s : tensor<2x256x?xf32>, tensor<2x256x3xf32>)
           -> tensor<2x256x?xf32>, tensor<2x256x3xf32>
  return %0#0, %1#0 : tensor<2x256x?xf32>, tensor<2x256x?xf32>
}

// CHECK-LABEL: func.func @moe_topk
func.func @moe_topk(%l: tensor<?x8xf32>, %sb: tensor<8xf32>, %ids: tensor<?x2xi64>, %w: tensor<?x2xf32>,
                    %lm: memref<4x8xf16>, %idm: memref<4x1xi32>, %wm: memref<4x1xf16>)
    -> (tensor<?x2xi64>, tensor<?x2xf32>) {
  // CHECK: hybrid.moe_topk scoring = sigmoid ins(%{{.*}} : tensor<?x8xf32>) selection_bias(%{{.*}} : tensor<8xf32>) outs(%{{.*}}, %{{.*}} : tensor<?x2xi64>, tensor<?x2xf32>) {normalize, scaling = 2.500000e+00 : f32} -> tensor<?x2xi64>, tensor<?x2xf32>
  %0:2 = hybrid.moe_topk scoring = sigmoid ins(%l : tensor<?x8xf32>) selection_bias(%sb : tensor<8xf32>)
           outs(%ids, %w : tensor<?x2xi64>, tensor<?x2xf32>) {normalize, scaling = 2.5 : f32}
           -> tensor<?x2xi64>, tensor<?x2xf32>
  // CHECK: hybrid.moe_topk scoring = softmax ins(%{{.*}} : memref<4x8xf16>) outs(%{{.*}}, %{{.*}} : memref<4x1xi32>, memref<4x1xf16>)
  hybrid.moe_topk scoring = softmax ins(%lm : memref<4x8xf16>) outs(%idm, %wm : memref<4x1xi32>, memref<4x1xf16>)
  return %0#0, %0#1 : tensor<?x2xi64>, tensor<?x2xf32>
}

// CHECK-LABEL: func.func @moe
func.func @moe(%x: tensor<?x64xbf16>, %l: tensor<?x8xbf16>, %up: tensor<8x128x64xbf16>, %down: tensor<8x64x128xbf16>,
               %gate: tensor<8x128x64xbf16>, %sb: tensor<8xbf16>, %bg: tensor<8x128xbf16>, %bu: tensor<8x128xbf16>,
               %bd: tensor<8x64xbf16>, %y: tensor<?x64xbf16>) -> (tensor<?x64xbf16>, tensor<?x64xbf16>) {
  // CHECK: hybrid.moe top_k(1) scoring = sigmoid activation = relu ins({{.*}}) outs({{.*}}) -> tensor<?x64xbf16>
  %0 = hybrid.moe top_k(1) scoring = sigmoid activation = relu
         ins(%x, %l, %up, %down : tensor<?x64xbf16>, tensor<?x8xbf16>, tensor<8x128x64xbf16>, tensor<8x64x128xbf16>)
         outs(%y : tensor<?x64xbf16>) -> tensor<?x64xbf16>
  // CHECK: hybrid.moe top_k(2) scoring = softmax activation = swiglu ins({{.*}}) w_gate(%{{.*}} : tensor<8x128x64xbf16>) selection_bias(%{{.*}} : tensor<8xbf16>) b_gate(%{{.*}} : tensor<8x128xbf16>) b_up(%{{.*}} : tensor<8x128xbf16>) b_down(%{{.*}} : tensor<8x64xbf16>) outs({{.*}}) {normalize, scaling = 2.500000e+00 : f32}
  %1 = hybrid.moe top_k(2) scoring = softmax activation = swiglu
         ins(%x, %l, %up, %down : tensor<?x64xbf16>, tensor<?x8xbf16>, tensor<8x128x64xbf16>, tensor<8x64x128xbf16>)
         w_gate(%gate : tensor<8x128x64xbf16>) selection_bias(%sb : tensor<8xbf16>) b_gate(%bg : tensor<8x128xbf16>)
         b_up(%bu : tensor<8x128xbf16>) b_down(%bd : tensor<8x64xbf16>)
         outs(%y : tensor<?x64xbf16>) {normalize, scaling = 2.5 : f32} -> tensor<?x64xbf16>
  return %0, %1 : tensor<?x64xbf16>, tensor<?x64xbf16>
}

// CHECK-LABEL: func.func @routed
func.func @routed(%x: tensor<16x64xf32>, %ids: tensor<16x2xi64>, %w: tensor<8x128x64xf32>, %cw: tensor<16x2xf32>,
                  %r0: tensor<32x64xf32>, %o0: tensor<9xi64>, %s0: tensor<32xi64>, %h0: tensor<32x128xf32>,
                  %y0: tensor<16x128xf32>) -> tensor<16x128xf32> {
  // CHECK: %[[D:.*]]:3 = hybrid.moe_dispatch num_experts(8) ins({{.*}} : tensor<16x64xf32>, tensor<16x2xi64>) outs({{.*}}) -> tensor<32x64xf32>, tensor<9xi64>, tensor<32xi64>
  %rows, %offsets, %src = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : tensor<16x64xf32>, tensor<16x2xi64>)
      outs(%r0, %o0, %s0 : tensor<32x64xf32>, tensor<9xi64>, tensor<32xi64>) -> tensor<32x64xf32>, tensor<9xi64>, tensor<32xi64>
  // CHECK: %[[H:.*]] = hybrid.grouped_matmul ins(%[[D]]#0, %{{.*}}, %[[D]]#1 : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<9xi64>)
  %h = hybrid.grouped_matmul ins(%rows, %w, %offsets : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<9xi64>)
      outs(%h0 : tensor<32x128xf32>) -> tensor<32x128xf32>
  // CHECK: hybrid.moe_combine ins(%[[H]], %[[D]]#2, %{{.*}} : tensor<32x128xf32>, tensor<32xi64>, tensor<16x2xf32>)
  %y = hybrid.moe_combine ins(%h, %src, %cw : tensor<32x128xf32>, tensor<32xi64>, tensor<16x2xf32>)
      outs(%y0 : tensor<16x128xf32>) -> tensor<16x128xf32>
  return %y : tensor<16x128xf32>
}

// CHECK-LABEL: func.func @norm_rotary
func.func @norm_rotary(%x: tensor<1x64x512xf32>, %w: tensor<512xf32>, %z: tensor<1x64x512xf32>, %y: tensor<1x64x512xf32>,
                       %xr: memref<1x8x64x128xf32>, %c: memref<1x64x32xf32>, %s: memref<1x64x32xf32>, %yr: memref<1x8x64x128xf32>)
    -> (tensor<1x64x512xf32>, tensor<1x64x512xf32>) {
  // CHECK: hybrid.rms_norm ins({{.*}} : tensor<1x64x512xf32>, tensor<512xf32>) outs({{.*}}) -> tensor<1x64x512xf32>
  %0 = hybrid.rms_norm ins(%x, %w : tensor<1x64x512xf32>, tensor<512xf32>) outs(%y : tensor<1x64x512xf32>) -> tensor<1x64x512xf32>
  // CHECK: hybrid.rms_norm ins({{.*}}) gate(%{{.*}} : tensor<1x64x512xf32>) outs({{.*}}) {epsilon = 9.99999974E-6 : f32, gate_before_norm, group_size = 128 : i64}
  %1 = hybrid.rms_norm ins(%x, %w : tensor<1x64x512xf32>, tensor<512xf32>) gate(%z : tensor<1x64x512xf32>)
         outs(%y : tensor<1x64x512xf32>) {epsilon = 1.0e-05 : f32, group_size = 128 : i64, gate_before_norm} -> tensor<1x64x512xf32>
  // CHECK: hybrid.rotary ins({{.*}} : memref<1x8x64x128xf32>, memref<1x64x32xf32>, memref<1x64x32xf32>) outs(%{{.*}} : memref<1x8x64x128xf32>) {interleaved, rotary_dim = 64 : i64}
  hybrid.rotary ins(%xr, %c, %s : memref<1x8x64x128xf32>, memref<1x64x32xf32>, memref<1x64x32xf32>)
    outs(%yr : memref<1x8x64x128xf32>) {interleaved, rotary_dim = 64 : i64}
  return %0, %1 : tensor<1x64x512xf32>, tensor<1x64x512xf32>
}
