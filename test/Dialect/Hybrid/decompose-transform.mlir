// RUN: hybrid-opt %s --transform-interpreter | FileCheck %s
// The upstream transform op reaches the decompositions through
// AggregatedOpInterface.

// CHECK-LABEL: func.func @rms_norm
// CHECK-NOT: hybrid.rms_norm
// CHECK: linalg.generic
func.func @rms_norm(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %z: tensor<4x8xf32>, %o: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = hybrid.rms_norm ins(%x, %w : tensor<4x8xf32>, tensor<8xf32>) gate(%z : tensor<4x8xf32>) outs(%o : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%arg1: !transform.any_op {transform.readonly}) {
    %0 = transform.structured.match ops{["hybrid.rms_norm"]} in %arg1 : (!transform.any_op) -> !transform.any_op
    %1 = transform.structured.decompose_interface %0 : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}
