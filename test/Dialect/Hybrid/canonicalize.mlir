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

// Upstream's tensor canonicalization folds a tensor.cast that only erases static
// sizes into any destination-style op, ours included; a result whose type got
// more static is cast back for its users.
// CHECK-LABEL: func.func @fold_cast
// CHECK-SAME: %[[Q:[a-z0-9]+]]: tensor<1x2x4x8xf32>, %[[O:[a-z0-9]+]]: tensor<1x2x4x8xf32>
// CHECK: %[[R:.*]] = hybrid.attention ins(%[[Q]], %[[Q]], %[[Q]] : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) outs(%[[O]] : tensor<1x2x4x8xf32>) {causal} -> tensor<1x2x4x8xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[R]] : tensor<1x2x4x8xf32> to tensor<?x2x?x8xf32>
// CHECK: return %[[C]]
func.func @fold_cast(%q: tensor<1x2x4x8xf32>, %o: tensor<1x2x4x8xf32>) -> tensor<?x2x?x8xf32> {
  %qd = tensor.cast %q : tensor<1x2x4x8xf32> to tensor<?x2x?x8xf32>
  %od = tensor.cast %o : tensor<1x2x4x8xf32> to tensor<?x2x?x8xf32>
  %r = hybrid.attention ins(%qd, %qd, %qd : tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>) outs(%od : tensor<?x2x?x8xf32>) {causal} -> tensor<?x2x?x8xf32>
  return %r : tensor<?x2x?x8xf32>
}

