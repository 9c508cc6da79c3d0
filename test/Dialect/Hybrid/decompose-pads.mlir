// RUN: hybrid-opt %s --split-input-file --hybrid-decompose-pads | FileCheck %s

// A convolution's zero padding: one fill of the padded tensor with the
// constant, then the source inserted into its interior.
// CHECK-LABEL: func.func @constant_pad
// CHECK-SAME: (%[[X:.*]]: tensor<?x32x8x8xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x32x14x14xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?x32x14x14xf32>)
// CHECK: %[[P:.*]] = tensor.insert_slice %[[X]] into %[[F]][0, 0, 3, 3] [%{{.*}}, 32, 8, 8] [1, 1, 1, 1]
// CHECK: return %[[P]]
func.func @constant_pad(%x: tensor<?x32x8x8xf32>) -> tensor<?x32x14x14xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 3, 3] high[0, 0, 3, 3] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<?x32x8x8xf32> to tensor<?x32x14x14xf32>
  return %p : tensor<?x32x14x14xf32>
}

// -----

// A body that computes its value from the indices becomes a tensor.generate
// of the whole padded shape with that body, and the same insertion.
// CHECK-LABEL: func.func @index_pad
// CHECK: %[[G:.*]] = tensor.generate
// CHECK: arith.sitofp
// CHECK: tensor.insert_slice %{{.*}} into %[[G]][0, 1] [4, 8] [1, 1]
// CHECK-NOT: tensor.pad
func.func @index_pad(%x: tensor<4x8xf32>) -> tensor<4x10xf32> {
  %p = tensor.pad %x low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    %c = arith.index_cast %j : index to i32
    %f = arith.sitofp %c : i32 to f32
    tensor.yield %f : f32
  } : tensor<4x8xf32> to tensor<4x10xf32>
  return %p : tensor<4x10xf32>
}
