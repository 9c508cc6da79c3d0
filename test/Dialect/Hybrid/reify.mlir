// RUN: hybrid-opt %s --resolve-ranked-shaped-type-result-dims | FileCheck %s
// ReifyRankedShapedTypeOpInterface: a dynamic result size is its destination's.

// CHECK-LABEL: func.func @reify
// CHECK-SAME: %[[Y0:[a-z0-9]+]]: tensor<?x?x8x4xf32>, %[[S0:[a-z0-9]+]]: tensor<?x8x4x?xf32>
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[L:.*]] = tensor.dim %[[Y0]], %[[C1]]
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[S0]], %[[C3]]
// CHECK: return %[[L]], %[[N]]
func.func @reify(%x: tensor<?x?x8x4xf32>, %dt: tensor<?x?x8xf32>, %a: tensor<8xf32>, %b: tensor<?x?x1x?xf32>,
                 %y0: tensor<?x?x8x4xf32>, %s0: tensor<?x8x4x?xf32>) -> (index, index) {
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %a, %b, %b : tensor<?x?x8x4xf32>, tensor<?x?x8xf32>, tensor<8xf32>, tensor<?x?x1x?xf32>, tensor<?x?x1x?xf32>)
           outs(%y0, %s0 : tensor<?x?x8x4xf32>, tensor<?x8x4x?xf32>) -> tensor<?x?x8x4xf32>, tensor<?x8x4x?xf32>
  %l = tensor.dim %r#0, %c1 : tensor<?x?x8x4xf32>
  %n = tensor.dim %r#1, %c3 : tensor<?x8x4x?xf32>
  return %l, %n : index, index
}
