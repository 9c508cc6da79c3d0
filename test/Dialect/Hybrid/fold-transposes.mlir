// RUN: hybrid-opt %s --split-input-file --hybrid-fold-transposes | FileCheck %s

// Heads moved to the front for a rotary embedding: the rotary reads the
// projection through a strided view, the copy and its buffer are gone.
// CHECK-LABEL: func.func @heads_first
// CHECK-SAME: (%[[X:.*]]: memref<?x?x4x16xf32>, %[[C:.*]]: memref<1x?x8xf32>, %[[S:.*]]: memref<1x?x8xf32>, %[[R:.*]]: memref<?x4x?x16xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[BASE:.*]], %{{.*}}, %[[SIZES:.*]]:4, %[[STRIDES:.*]]:4 = memref.extract_strided_metadata %[[X]]
// CHECK: %[[V:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[SIZES]]#0, 4, %[[SIZES]]#1, 16], strides: [%[[STRIDES]]#0, 16, 64, 1] : memref<f32> to memref<?x4x?x16xf32, strided<[?, 16, 64, 1]>>
// CHECK-NOT: memref.alloc
// CHECK: hybrid.rotary ins(%[[V]], %[[C]], %[[S]] : memref<?x4x?x16xf32, strided<[?, 16, 64, 1]>>
func.func @heads_first(%x: memref<?x?x4x16xf32>, %cos: memref<1x?x8xf32>, %sin: memref<1x?x8xf32>,
                       %r: memref<?x4x?x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = memref.dim %x, %c0 : memref<?x?x4x16xf32>
  %s = memref.dim %x, %c1 : memref<?x?x4x16xf32>
  %t = memref.alloc(%b, %s) : memref<?x4x?x16xf32>
  linalg.transpose ins(%x : memref<?x?x4x16xf32>) outs(%t : memref<?x4x?x16xf32>) permutation = [0, 2, 1, 3]
  hybrid.rotary ins(%t, %cos, %sin : memref<?x4x?x16xf32>, memref<1x?x8xf32>, memref<1x?x8xf32>)
                outs(%r : memref<?x4x?x16xf32>)
  return
}

// -----

// A static permutation that is not its own inverse: sizes and strides follow
// it (input dim permutation[i] becomes dim i).
// CHECK-LABEL: func.func @rotate_dims
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [3, 5, 2, 8], strides: [40, 8, 120, 1] : memref<f32> to memref<3x5x2x8xf32, strided<[40, 8, 120, 1]>>
// CHECK: linalg.generic
func.func @rotate_dims(%x: memref<2x3x5x8xf32>, %y: memref<3x5x2x8xf32>) {
  %t = memref.alloc() : memref<3x5x2x8xf32>
  linalg.transpose ins(%x : memref<2x3x5x8xf32>) outs(%t : memref<3x5x2x8xf32>) permutation = [1, 2, 0, 3]
  linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t : memref<3x5x2x8xf32>) outs(%y : memref<3x5x2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  }
  return
}

// -----

// Kept: the innermost dim moves; the copy is written again (an op's output);
// the source is written between the copy and its reader; a reader in another
// block; the copy is returned.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-5: linalg.transpose
// CHECK-NOT: reinterpret_cast
func.func @kept(%x: memref<4x8xf32>, %y: memref<8x4xf32>, %z: memref<2x3x4xf32>, %w: memref<3x2x4xf32>,
                %c: i1) -> memref<3x2x4xf32> {
  %t0 = memref.alloc() : memref<8x4xf32>
  linalg.transpose ins(%x : memref<4x8xf32>) outs(%t0 : memref<8x4xf32>) permutation = [1, 0]
  linalg.copy ins(%t0 : memref<8x4xf32>) outs(%y : memref<8x4xf32>)

  %t1 = memref.alloc() : memref<3x2x4xf32>
  linalg.transpose ins(%z : memref<2x3x4xf32>) outs(%t1 : memref<3x2x4xf32>) permutation = [1, 0, 2]
  linalg.copy ins(%w : memref<3x2x4xf32>) outs(%t1 : memref<3x2x4xf32>)

  %t2 = memref.alloc() : memref<3x2x4xf32>
  linalg.transpose ins(%z : memref<2x3x4xf32>) outs(%t2 : memref<3x2x4xf32>) permutation = [1, 0, 2]
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%z : memref<2x3x4xf32>)
  linalg.copy ins(%t2 : memref<3x2x4xf32>) outs(%w : memref<3x2x4xf32>)

  %t3 = memref.alloc() : memref<3x2x4xf32>
  linalg.transpose ins(%z : memref<2x3x4xf32>) outs(%t3 : memref<3x2x4xf32>) permutation = [1, 0, 2]
  scf.if %c {
    linalg.copy ins(%t3 : memref<3x2x4xf32>) outs(%w : memref<3x2x4xf32>)
  }

  %t4 = memref.alloc() : memref<3x2x4xf32>
  linalg.transpose ins(%z : memref<2x3x4xf32>) outs(%t4 : memref<3x2x4xf32>) permutation = [1, 0, 2]
  return %t4 : memref<3x2x4xf32>
}
