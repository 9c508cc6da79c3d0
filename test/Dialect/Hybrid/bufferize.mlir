// RUN: hybrid-opt %s --one-shot-bufferize="bufferize-function-boundaries" --canonicalize | FileCheck %s
// One-shot bufferization rebuilds hybrid ops on memrefs, writing each result into
// its destination's buffer; a tensor.empty destination needs no copy because
// hybrid ops never read their destinations.

// CHECK-LABEL: func.func @attention_in_place
// CHECK-SAME: %[[Q:[a-z0-9]+]]: memref<1x2x4x8xf32
// CHECK-SAME: %[[O:[a-z0-9]+]]: memref<1x2x4x8xf32
// CHECK-NOT: memref.copy
// CHECK: hybrid.attention ins(%[[Q]], %[[Q]], %[[Q]] : {{.*}}) outs(%[[O]] : {{.*}}) {causal}
// CHECK-NOT: memref.copy
// CHECK: return %[[O]]
func.func @attention_in_place(%q: tensor<1x2x4x8xf32>, %o: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %r = hybrid.attention ins(%q, %q, %q : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) outs(%o : tensor<1x2x4x8xf32>) {causal} -> tensor<1x2x4x8xf32>
  return %r : tensor<1x2x4x8xf32>
}

// CHECK-LABEL: func.func @ssm_scan_empty_dests
// CHECK-DAG: %[[Y:.*]] = memref.alloc() {{.*}} : memref<1x4x2x3xf32>
// CHECK-DAG: %[[S:.*]] = memref.alloc() {{.*}} : memref<1x2x3x5xf32>
// CHECK-NOT: memref.copy
// CHECK: hybrid.ssm_scan ins({{.*}}) outs(%[[Y]], %[[S]] : memref<1x4x2x3xf32>, memref<1x2x3x5xf32>)
func.func @ssm_scan_empty_dests(%x: tensor<1x4x2x3xf32>, %dt: tensor<1x4x2xf32>, %a: tensor<2xf32>, %b: tensor<1x4x1x5xf32>)
    -> (tensor<1x4x2x3xf32>, tensor<1x2x3x5xf32>) {
  %y0 = tensor.empty() : tensor<1x4x2x3xf32>
  %s0 = tensor.empty() : tensor<1x2x3x5xf32>
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %a, %b, %b : tensor<1x4x2x3xf32>, tensor<1x4x2xf32>, tensor<2xf32>, tensor<1x4x1x5xf32>, tensor<1x4x1x5xf32>)
           outs(%y0, %s0 : tensor<1x4x2x3xf32>, tensor<1x2x3x5xf32>) -> tensor<1x4x2x3xf32>, tensor<1x2x3x5xf32>
  return %r#0, %r#1 : tensor<1x4x2x3xf32>, tensor<1x2x3x5xf32>
}

// A destination that is also an input gets a buffer of its own (inputs and
// outputs of one op never alias), and since hybrid ops never read their
// destinations, nothing is copied into it.
// CHECK-LABEL: func.func @rms_norm_dest_is_input
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<4x8xf32
// CHECK: %[[A:.*]] = memref.alloc
// CHECK-NOT: memref.copy
// CHECK: hybrid.rms_norm ins(%[[X]], %{{.*}} : {{.*}}) outs(%[[A]] : {{.*}})
func.func @rms_norm_dest_is_input(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  %r = hybrid.rms_norm ins(%x, %w : tensor<4x8xf32>, tensor<8xf32>) outs(%x : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// The routed form chains through buffers.
// CHECK-LABEL: func.func @routed
// CHECK: hybrid.moe_dispatch num_experts(4) ins({{.*}} : memref<{{.*}}>, memref<{{.*}}>) outs(%{{.*}}, %{{.*}}, %{{.*}} : memref<12x8xf32>, memref<5xi64>, memref<12xi64>)
// CHECK: hybrid.grouped_matmul ins({{.*}}) outs(%{{.*}} : memref<12x16xf32>)
// CHECK: hybrid.moe_combine ins({{.*}}) outs(%{{.*}} : memref<6x16xf32>)
func.func @routed(%x: tensor<6x8xf32>, %ids: tensor<6x2xi64>, %w: tensor<4x16x8xf32>, %cw: tensor<6x2xf32>) -> tensor<6x16xf32> {
  %r0 = tensor.empty() : tensor<12x8xf32>
  %o0 = tensor.empty() : tensor<5xi64>
  %s0 = tensor.empty() : tensor<12xi64>
  %rows, %off, %src = hybrid.moe_dispatch num_experts(4) ins(%x, %ids : tensor<6x8xf32>, tensor<6x2xi64>)
      outs(%r0, %o0, %s0 : tensor<12x8xf32>, tensor<5xi64>, tensor<12xi64>) -> tensor<12x8xf32>, tensor<5xi64>, tensor<12xi64>
  %h0 = tensor.empty() : tensor<12x16xf32>
  %h = hybrid.grouped_matmul ins(%rows, %w, %off : tensor<12x8xf32>, tensor<4x16x8xf32>, tensor<5xi64>) outs(%h0 : tensor<12x16xf32>) -> tensor<12x16xf32>
  %y0 = tensor.empty() : tensor<6x16xf32>
  %y = hybrid.moe_combine ins(%h, %src, %cw : tensor<12x16xf32>, tensor<12xi64>, tensor<6x2xf32>) outs(%y0 : tensor<6x16xf32>) -> tensor<6x16xf32>
  return %y : tensor<6x16xf32>
}

// The remaining ops bufferize the same way.
// CHECK-LABEL: func.func @others
// CHECK: hybrid.linear_attention gated ins({{.*}} : memref<{{.*}}>, memref<{{.*}}>, memref<{{.*}}>) decay(%{{.*}} : memref<{{.*}}>) outs(%{{.*}}, %{{.*}} : memref<1x4x2x8xf32{{.*}}>, memref<1x2x8x8xf32{{.*}}>)
// CHECK: hybrid.causal_conv1d silu ins({{.*}} : memref<{{.*}}>, memref<{{.*}}>) outs(%{{.*}}, %{{.*}} : memref<1x4x6xf32{{.*}}>, memref<1x4x3xf32{{.*}}>)
// CHECK: hybrid.moe top_k(2) {{.*}} ins({{.*}}) w_gate(%{{.*}} : memref<{{.*}}>) outs(%{{.*}} : memref<3x8xf32{{.*}}>)
// CHECK: hybrid.rotary ins({{.*}}) outs(%{{.*}} : memref<1x2x4x8xf32{{.*}}>) {interleaved}
// CHECK-NOT: hybrid.{{.*}} -> tensor
func.func @others(%q: tensor<1x4x2x8xf32>, %g: tensor<1x4x2xf32>, %o: tensor<1x4x2x8xf32>, %s: tensor<1x2x8x8xf32>,
                  %x: tensor<1x4x6xf32>, %w: tensor<4x4xf32>, %y: tensor<1x4x6xf32>, %st: tensor<1x4x3xf32>,
                  %t: tensor<3x8xf32>, %l: tensor<3x4xf32>, %up: tensor<4x16x8xf32>, %down: tensor<4x8x16xf32>, %ty: tensor<3x8xf32>,
                  %xr: tensor<1x2x4x8xf32>, %cs: tensor<1x4x4xf32>, %yr: tensor<1x2x4x8xf32>)
    -> (tensor<1x4x2x8xf32>, tensor<1x4x6xf32>, tensor<3x8xf32>, tensor<1x2x4x8xf32>) {
  %0:2 = hybrid.linear_attention gated ins(%q, %q, %q : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>) decay(%g : tensor<1x4x2xf32>)
           outs(%o, %s : tensor<1x4x2x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x4x2x8xf32>, tensor<1x2x8x8xf32>
  %1:2 = hybrid.causal_conv1d silu ins(%x, %w : tensor<1x4x6xf32>, tensor<4x4xf32>)
           outs(%y, %st : tensor<1x4x6xf32>, tensor<1x4x3xf32>) -> tensor<1x4x6xf32>, tensor<1x4x3xf32>
  %2 = hybrid.moe top_k(2) scoring = softmax activation = swiglu ins(%t, %l, %up, %down : tensor<3x8xf32>, tensor<3x4xf32>, tensor<4x16x8xf32>, tensor<4x8x16xf32>)
         w_gate(%up : tensor<4x16x8xf32>) outs(%ty : tensor<3x8xf32>) -> tensor<3x8xf32>
  %3 = hybrid.rotary ins(%xr, %cs, %cs : tensor<1x2x4x8xf32>, tensor<1x4x4xf32>, tensor<1x4x4xf32>) outs(%yr : tensor<1x2x4x8xf32>) {interleaved} -> tensor<1x2x4x8xf32>
  return %0#0, %1#0, %2, %3 : tensor<1x4x2x8xf32>, tensor<1x4x6xf32>, tensor<3x8xf32>, tensor<1x2x4x8xf32>
}
