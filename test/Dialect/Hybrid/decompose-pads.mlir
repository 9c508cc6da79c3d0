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

// -----

// The padded tensor's producer (a GELU-like op into an empty tensor, whose
// result is otherwise only measured) writes into the padded tensor's
// interior: the fill moves before it, its destination becomes a slice of the
// fill, and the insertion of its result into that same slice bufferizes to
// nothing.
// CHECK-LABEL: func.func @producer_writes_interior
// CHECK-SAME: (%[[X:.*]]: tensor<?x32x8x8xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x32x14x14xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x32x14x14xf32>)
// CHECK: %[[S:.*]] = tensor.extract_slice %[[F]][0, 0, 3, 3] [%[[N]], 32, 8, 8] [1, 1, 1, 1]
// CHECK: %[[G:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<?x32x8x8xf32>) outs(%[[S]] : tensor<?x32x8x8xf32>)
// CHECK: %[[P:.*]] = tensor.insert_slice %[[G]] into %[[F]][0, 0, 3, 3] [%[[N]], 32, 8, 8] [1, 1, 1, 1]
// CHECK: return %[[P]]
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @producer_writes_interior(%x: tensor<?x32x8x8xf32>) -> tensor<?x32x14x14xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x8x8xf32>
  %e = tensor.empty(%n) : tensor<?x32x8x8xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x32x8x8xf32>) outs(%e : tensor<?x32x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<?x32x8x8xf32>
  %p = tensor.pad %g low[0, 0, 3, 3] high[0, 0, 3, 3] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<?x32x8x8xf32> to tensor<?x32x14x14xf32>
  return %p : tensor<?x32x14x14xf32>
}

// -----

// Left as a copy: the producer's result is also read by another op, and a
// reduction reads its output (which would then be the padding).
// CHECK-LABEL: func.func @producer_kept
// CHECK-NOT: tensor.extract_slice
// CHECK: return
func.func @producer_kept(%x: tensor<4x8xf32>) -> (tensor<4x10xf32>, tensor<4x8xf32>, tensor<6x10xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %p = tensor.pad %g low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<4x8xf32> to tensor<4x10xf32>
  %e2 = tensor.empty() : tensor<4x10xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (i, j)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<4x8xf32>) outs(%e2 : tensor<4x10xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4x10xf32>
  %q = tensor.pad %r low[1, 0] high[1, 0] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<4x10xf32> to tensor<6x10xf32>
  return %p, %g, %q : tensor<4x10xf32>, tensor<4x8xf32>, tensor<6x10xf32>
}
