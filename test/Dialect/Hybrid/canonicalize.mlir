// RUN: hybrid-opt %s --canonicalize | FileCheck %s
// Hybrid ops on tensors have no side effects: an unused one is removed. On
// memrefs they write their destinations and stay.

// CHECK-LABEL: func.func @dead_tensor_ops
// CHECK-NOT: hybrid.
// CHECK: return
func.func @dead_tensor_ops(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %q: tensor<1x2x4x8xf32>) {
  %0 = hybrid.rms_norm ins(%x, %w : tensor<4x8xf32>, tensor<8xf32>) outs(%x : tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = hybrid.attention ins(%q, %q, %q : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) outs(%q : tensor<1x2x4x8xf32>) {causal} -> tensor<1x2x4x8xf32>
  return
}

// CHECK-LABEL: func.func @memref_ops_stay
// CHECK: hybrid.rms_norm
func.func @memref_ops_stay(%x: memref<4x8xf32>, %w: memref<8xf32>, %y: memref<4x8xf32>) {
  hybrid.rms_norm ins(%x, %w : memref<4x8xf32>, memref<8xf32>) outs(%y : memref<4x8xf32>)
  return
}

// Default-valued attributes are not printed.
// CHECK-LABEL: func.func @defaults_elided
// CHECK: hybrid.attention ins({{.*}}) outs({{.*}}) -> tensor<1x2x4x8xf32>
func.func @defaults_elided(%q: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %0 = hybrid.attention ins(%q, %q, %q : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) outs(%q : tensor<1x2x4x8xf32>)
         {window_left = -1 : i64, window_right = -1 : i64, softcap = 0.0 : f32} -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}
