// RUN: hybrid-opt %s --split-input-file --hybrid-sink-fills | FileCheck %s

// One zero fill (as CSE leaves it) for two MatMuls: each gets its own, right
// before it.
// CHECK-LABEL: func.func @shared
// CHECK: %[[E:.*]] = tensor.empty
// CHECK-NEXT: %[[F0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<4x8xf32>)
// CHECK-NEXT: %[[A:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3x8xf32>) outs(%[[F0]] : tensor<4x8xf32>)
// CHECK-NEXT: %[[F1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<4x8xf32>)
// CHECK-NEXT: %[[B:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3x8xf32>) outs(%[[F1]] : tensor<4x8xf32>)
// CHECK-NOT: linalg.fill
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
