// RUN: hybrid-opt %s --transform-interpreter --split-input-file --canonicalize | FileCheck %s
// Tiling every hybrid op through the transform dialect (scf.forall). The
// numerical check that tiled ops compute the same results is
// test/Reference/reference-tiled.test.

// CHECK-LABEL: func.func @attention_causal_gqa
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[I:.*]]) in (2, 2, 2)
// Query heads [2h, 2h+2) read kv head h; causal query rows [4i, 4i+4) see keys [0, 4i+4).
// CHECK: %[[KV:.*]] = affine.max #{{.*}}(%[[I]])
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], %[[H]], 0, 0] [1, 1, %[[KV]], 16]
// CHECK: hybrid.attention {{.*}} : tensor<1x2x4x16xf32>, tensor<1x1x?x16xf32>, tensor<1x1x?x16xf32>) outs(%{{.*}} : tensor<1x2x4x16xf32>) {causal}
// CHECK: tensor.parallel_insert_slice
func.func @attention_causal_gqa(%q: tensor<2x4x8x16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<2x2x8x16xf32>, %o: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>) outs(%o : tensor<2x4x8x16xf32>) {causal} -> tensor<2x4x8x16xf32>
  return %r : tensor<2x4x8x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%arg1: !transform.any_op {transform.readonly}) {
    %0 = transform.structured.match ops{["hybrid.attention"]} in %arg1 : (!transform.any_op) -> !transform.any_op
    %1, %loops = transform.structured.tile_using_forall %0 tile_sizes [1, 2, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// CHECK-LABEL: func.func @ssm_scan
// CHECK: scf.forall ({{.*}}) in (2, 4, 4)
// CHECK: hybrid.ssm_scan ins({{.*}} : tensor<1x16x2x8xf32>, tensor<1x16x2xf32>, tensor<2xf32>, tensor<1x16x1x4xf32>, tensor<1x16x1x4xf32>) D(%{{.*}} : tensor<2x8xf32>) initial_state(%{{.*}} : tensor<1x2x8x4xf32>) outs({{.*}} : tensor<1x16x2x8xf32>, tensor<1x2x8x4xf32>)
func.func @ssm_scan(%x: tensor<2x16x8x32xf32>, %dt: tensor<2x16x8xf32>, %a: tensor<8xf32>, %b: tensor<2x16x4x4xf32>, %c: tensor<2x16x4x4xf32>,
                    %d: tensor<8x32xf32>, %s0: tensor<2x8x32x4xf32>, %y: tensor<2x16x8x32xf32>, %s: tensor<2x8x32x4xf32>) -> (tensor<2x16x8x32xf32>, tensor<2x8x32x4xf32>) {
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %a, %b, %c : tensor<2x16x8x32xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x16x4x4xf32>, tensor<2x16x4x4xf32>)
           D(%d : tensor<8x32xf32>) initial_state(%s0 : tensor<2x8x32x4xf32>)
           outs(%y, %s : tensor<2x16x8x32xf32>, tensor<2x8x32x4xf32>) -> tensor<2x16x8x32xf32>, tensor<2x8x32x4xf32>
  return %r#0, %r#1 : tensor<2x16x8x32xf32>, tensor<2x8x32x4xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%arg1: !transform.any_op {transform.readonly}) {
    %0 = transform.structured.match ops{["hybrid.ssm_scan"]} in %arg1 : (!transform.any_op) -> !transform.any_op
    %1, %loops = transform.structured.tile_using_forall %0 tile_sizes [1, 2, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// CHECK-LABEL: func.func @linear_attention
// CHECK: scf.forall ({{.*}}) in (2, 4)
// CHECK: hybrid.linear_attention gated_delta ins({{.*}} : tensor<1x32x2x64xf32>, tensor<1x32x1x64xf32>, tensor<1x32x1x4xf32>) decay(%{{.*}} : tensor<1x32x1xf32>) beta(%{{.*}} : tensor<1x32x1xf32>) outs({{.*}} : tensor<1x32x2x4xf32>, tensor<1x1x64x4xf32>)
func.func @linear_attention(%q: tensor<1x32x4x64xf32>, %k: tensor<1x32x2x64xf32>, %v: tensor<1x32x2x16xf32>, %g: tensor<1x32x2xf32>,
                            %beta: tensor<1x32x2xf32>, %o: tensor<1x32x4x16xf32>, %s: tensor<1x2x64x16xf32>) -> (tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>) {
  %r:2 = hybrid.linear_attention gated_delta ins(%q, %k, %v : tensor<1x32x4x64xf32>, tensor<1x32x2x64xf32>, tensor<1x32x2x16xf32>)
           decay(%g : tensor<1x32x2xf32>) beta(%beta : tensor<1x32x2xf32>)
           outs(%o, %s : tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>) -> tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>
  return %r#0, %r#1 : tensor<1x32x4x16xf32>, tensor<1x2x64x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%arg1: !transform.any_op {transform.readonly}) {
    %0 = transform.structured.match ops{["hybrid.linear_attention"]} in %arg1 : (!transform.any_op) -> !transform.any_op
    %1, %loops = transform.structured.tile_using_forall %0 tile_sizes [0, 1, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// CHECK-LABEL: func.func @conv_moe_norm_rotary
// CHECK: scf.forall ({{.*}}) in (2, 8)
// CHECK: hybrid.causal_conv1d silu ins({{.*}} : tensor<1x32x64xf32>, tensor<32x4xf32>) bias(%{{.*}} : tensor<32xf32>) outs({{.*}} : tensor<1x32x64xf32>, tensor<1x32x3xf32>)
// CHECK: scf.forall ({{.*}}) in (4)
// CHECK: hybrid.moe top_k(2) {{.*}} ins({{.*}} : tensor<4x64xf32>, tensor<4x8xf32>, tensor<8x128x64xf32>, tensor<8x64x128xf32>) w_gate({{.*}}) outs({{.*}} : tensor<4x64xf32>)
// CHECK: scf.forall ({{.*}}) in (4)
// CHECK: hybrid.rms_norm ins({{.*}} : tensor<4x64xf32>, tensor<64xf32>) outs({{.*}} : tensor<4x64xf32>)
// CHECK: scf.forall ({{.*}}) in (2, 8, 8)
// CHECK: hybrid.rotary ins({{.*}} : tensor<1x1x8x32xf32>, tensor<1x8x8xf32>, tensor<1x8x8xf32>) outs({{.*}} : tensor<1x1x8x32xf32>)
func.func @conv_moe_norm_rotary(%x: tensor<2x256x64xf32>, %w: tensor<256x4xf32>, %b: tensor<256xf32>, %y: tensor<2x256x64xf32>, %s: tensor<2x256x3xf32>,
                                %t: tensor<16x64xf32>, %l: tensor<16x8xf32>, %up: tensor<8x128x64xf32>, %down: tensor<8x64x128xf32>, %gate: tensor<8x128x64xf32>, %ty: tensor<16x64xf32>,
                                %nw: tensor<64xf32>, %xr: tensor<2x8x64x32xf32>, %cs: tensor<1x64x8xf32>, %yr: tensor<2x8x64x32xf32>)
    -> (tensor<2x256x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>, tensor<2x8x64x32xf32>) {
  %0:2 = hybrid.causal_conv1d silu ins(%x, %w : tensor<2x256x64xf32>, tensor<256x4xf32>) bias(%b : tensor<256xf32>)
           outs(%y, %s : tensor<2x256x64xf32>, tensor<2x256x3xf32>) -> tensor<2x256x64xf32>, tensor<2x256x3xf32>
  %1 = hybrid.moe top_k(2) scoring = softmax activation = swiglu ins(%t, %l, %up, %down : tensor<16x64xf32>, tensor<16x8xf32>, tensor<8x128x64xf32>, tensor<8x64x128xf32>)
         w_gate(%gate : tensor<8x128x64xf32>) outs(%ty : tensor<16x64xf32>) {normalize} -> tensor<16x64xf32>
  %2 = hybrid.rms_norm ins(%t, %nw : tensor<16x64xf32>, tensor<64xf32>) outs(%ty : tensor<16x64xf32>) -> tensor<16x64xf32>
  %3 = hybrid.rotary ins(%xr, %cs, %cs : tensor<2x8x64x32xf32>, tensor<1x64x8xf32>, tensor<1x64x8xf32>) outs(%yr : tensor<2x8x64x32xf32>) -> tensor<2x8x64x32xf32>
  return %0#0, %1, %2, %3 : tensor<2x256x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>, tensor<2x8x64x32xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%arg1: !transform.any_op {transform.readonly}) {
    %0 = transform.structured.match ops{["hybrid.causal_conv1d"]} in %arg1 : (!transform.any_op) -> !transform.any_op
    %1, %l1 = transform.structured.tile_using_forall %0 tile_sizes [1, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %2 = transform.structured.match ops{["hybrid.moe", "hybrid.rms_norm"]} in %arg1 : (!transform.any_op) -> !transform.any_op
    %3, %l2 = transform.structured.tile_using_forall %2 tile_sizes [4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %4 = transform.structured.match ops{["hybrid.rotary"]} in %arg1 : (!transform.any_op) -> !transform.any_op
    %5, %l3 = transform.structured.tile_using_forall %4 tile_sizes [1, 1, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// CHECK-LABEL: func.func @routed
// CHECK: scf.forall ({{.*}}) in (4)
// CHECK: hybrid.grouped_matmul ins({{.*}} : tensor<32x64xf32>, tensor<8x32x64xf32>, tensor<9xi64>) outs({{.*}} : tensor<32x32xf32>)
// CHECK: scf.forall ({{.*}}) in (2)
// CHECK: hybrid.moe_combine ins({{.*}} : tensor<32x64xf32>, tensor<32xi64>, tensor<16x2xf32>) outs({{.*}} : tensor<16x64xf32>)
func.func @routed(%rows: tensor<32x64xf32>, %w: tensor<8x128x64xf32>, %off: tensor<9xi64>, %h0: tensor<32x128xf32>,
                  %src: tensor<32xi64>, %cw: tensor<16x2xf32>, %y0: tensor<16x128xf32>) -> (tensor<32x128xf32>, tensor<16x128xf32>) {
  %h = hybrid.grouped_matmul ins(%rows, %w, %off : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<9xi64>) outs(%h0 : tensor<32x128xf32>) -> tensor<32x128xf32>
  %y = hybrid.moe_combine ins(%h, %src, %cw : tensor<32x128xf32>, tensor<32xi64>, tensor<16x2xf32>) outs(%y0 : tensor<16x128xf32>) -> tensor<16x128xf32>
  return %h, %y : tensor<32x128xf32>, tensor<16x128xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%arg1: !transform.any_op {transform.readonly}) {
    %0 = transform.structured.match ops{["hybrid.grouped_matmul"]} in %arg1 : (!transform.any_op) -> !transform.any_op
    %1, %l1 = transform.structured.tile_using_forall %0 tile_sizes [32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %2 = transform.structured.match ops{["hybrid.moe_combine"]} in %arg1 : (!transform.any_op) -> !transform.any_op
    %3, %l2 = transform.structured.tile_using_forall %2 tile_sizes [64] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
