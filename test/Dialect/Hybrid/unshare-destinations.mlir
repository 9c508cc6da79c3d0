// RUN: hybrid-opt %s --split-input-file --hybrid-unshare-destinations | FileCheck %s

// One zero fill (as CSE leaves it) for two MatMuls: each gets its own, right
// before it, on an empty tensor of its own (so that bufferization gives each
// its own buffer).
// CHECK-LABEL: func.func @shared
// CHECK: %[[E0:.*]] = tensor.empty
// CHECK-NEXT: %[[F0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E0]] : tensor<4x8xf32>)
// CHECK-NEXT: %[[A:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3x8xf32>) outs(%[[F0]] : tensor<4x8xf32>)
// CHECK-NEXT: %[[E1:.*]] = tensor.empty
// CHECK-NEXT: %[[F1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<4x8xf32>)
// CHECK-NEXT: %[[B:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3x8xf32>) outs(%[[F1]] : tensor<4x8xf32>)
// CHECK-NOT: linalg.fill
// CHECK-NOT: tensor.empty
// CHECK: return %[[A]], %[[B]]
func.func @shared(%x: tensor<4x3xf32>, %y: tensor<4x3xf32>, %w: tensor<3x8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %a = linalg.matmul ins(%x, %w : tensor<4x3xf32>, tensor<3x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  %b = linalg.matmul ins(%y, %w : tensor<4x3xf32>, tensor<3x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %a, %b : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A fill that is also read (an input, a return value) stays for those uses;
// its destination use gets a clone.
// CHECK-LABEL: func.func @also_read
// CHECK: %[[F:.*]] = linalg.fill
// CHECK-NEXT: tensor.empty
// CHECK-NEXT: %[[G:.*]] = linalg.fill
// CHECK-NEXT: %[[A:.*]] = linalg.matmul ins(%{{.*}}, %[[F]] : tensor<8x8xf32>, tensor<8x8xf32>) outs(%[[G]] : tensor<8x8xf32>)
// CHECK: return %[[A]], %[[F]]
func.func @also_read(%x: tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %f = linalg.fill ins(%one : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %a = linalg.matmul ins(%x, %f : tensor<8x8xf32>, tensor<8x8xf32>) outs(%f : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %a, %f : tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

// A fill hoisted away from its single user moves next to it; a fill already
// right before its only user is left alone.
// CHECK-LABEL: func.func @sink
// CHECK: linalg.generic
// CHECK: linalg.fill
// CHECK-NEXT: linalg.reduce
// CHECK: linalg.fill
// CHECK-NEXT: linalg.reduce
// CHECK-NOT: linalg.fill
func.func @sink(%x: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %ex = tensor.empty() : tensor<4x8xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                        iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%ex : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %r = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%f : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %g = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r2 = linalg.reduce ins(%x : tensor<4x8xf32>) outs(%g : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r, %r2 : tensor<4xf32>, tensor<4xf32>
}

// -----

// One empty tensor (as CSE leaves it) for a transpose and the op that later
// writes the same shape: each gets its own, so that bufferization does not put
// the second result in the first one's buffer. A use that is not a
// destination (tensor.dim) keeps the original.
// CHECK-LABEL: func.func @empty
// CHECK: %[[E:.*]] = tensor.empty
// CHECK: tensor.dim %[[E]]
// CHECK: %[[E0:.*]] = tensor.empty
// CHECK-NEXT: %[[T:.*]] = linalg.transpose ins(%{{.*}} : tensor<4x8xf32>) outs(%[[E0]] : tensor<8x4xf32>)
// CHECK: %[[E1:.*]] = tensor.empty
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[T]] : tensor<8x4xf32>) outs(%[[E1]] : tensor<8x4xf32>)
func.func @empty(%x: tensor<4x8xf32>) -> (tensor<8x4xf32>, index) {
  %c0 = arith.constant 0 : index
  %e = tensor.empty() : tensor<8x4xf32>
  %d = tensor.dim %e, %c0 : tensor<8x4xf32>
  %t = linalg.transpose ins(%x : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
  %n = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%t : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.negf %in : f32
    linalg.yield %m : f32
  } -> tensor<8x4xf32>
  return %n, %d : tensor<8x4xf32>, index
}
