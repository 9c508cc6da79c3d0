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

// -----

// An scf.if whose branches both yield a cast of the same identity-layout
// buffer to the fully dynamic layout (what bufferization makes of an
// attention chosen at run time) yields the buffers themselves; its linalg
// readers read them so (here a transposition, which then keeps contiguous
// rows), and other readers through a cast back. A result whose branches
// yield different types keeps its layout.
// CHECK-LABEL: func.func @if_layouts
// CHECK: %[[R:.*]]:2 = scf.if %{{.*}} -> (memref<2x3x4xf32>, memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>)
// CHECK: scf.yield %{{.*}}, %{{.*}} : memref<2x3x4xf32>, memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>
// CHECK: } else {
// CHECK: scf.yield %{{.*}}, %{{.*}} : memref<2x3x4xf32>, memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>
// CHECK: %[[BACK:.*]] = memref.cast %[[R]]#0 : memref<2x3x4xf32> to memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>
// CHECK: linalg.transpose ins(%[[R]]#0 : memref<2x3x4xf32>)
// CHECK: memref.load %[[BACK]]
// CHECK: linalg.copy ins(%[[R]]#1 : memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>)
func.func @if_layouts(%c: i1, %a: memref<2x3x4xf32>, %b: memref<2x3x4xf32>,
                      %s: memref<2x3x4xf32, strided<[24, 4, 1], offset: 8>>,
                      %o: memref<4x2x3xf32>, %w: memref<2x3x4xf32>) -> f32 {
  %r:2 = scf.if %c -> (memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>, memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>) {
    %x = memref.cast %a : memref<2x3x4xf32> to memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>
    %y = memref.cast %a : memref<2x3x4xf32> to memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>
    scf.yield %x, %y : memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>, memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>
  } else {
    %x = memref.cast %b : memref<2x3x4xf32> to memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>
    %y = memref.cast %s : memref<2x3x4xf32, strided<[24, 4, 1], offset: 8>> to memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>
    scf.yield %x, %y : memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>, memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>
  }
  linalg.transpose ins(%r#0 : memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>) outs(%o : memref<4x2x3xf32>) permutation = [2, 0, 1]
  %c0 = arith.constant 0 : index
  %v = memref.load %r#0[%c0, %c0, %c0] : memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>
  linalg.copy ins(%r#1 : memref<2x3x4xf32, strided<[?, ?, ?], offset: ?>>) outs(%w : memref<2x3x4xf32>)
  return %v : f32
}
