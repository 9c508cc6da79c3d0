// RUN: hybrid-opt %s --split-input-file --hybrid-vectorize-contractions | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-vectorize-contractions="epilogues=false" | FileCheck %s --check-prefix=OFF

// The elementwise generic after a contraction (its epilogue) computed on the
// microkernels' accumulators before they are stored.

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#row = affine_map<(m, n) -> (m, 0)>

// MatMul, bias Add and GELU (x * 0.5 * (1 + erf(x / sqrt 2))), as
// hybrid-fuse-elementwise leaves them. The bias is loaded once per
// microkernel (no row dim indexes it), the GELU runs on vectors (the division
// as a multiplication by the reciprocal), and the result goes to D: C is
// neither stored nor allocated, and the elementwise kernel is gone.
// CHECK-LABEL: func.func @bias_gelu
// CHECK-SAME: (%[[A:.*]]: memref<?x64xf32>, %[[B:.*]]: memref<64x40xf32>, %[[BIAS:.*]]: memref<40xf32>)
// CHECK-NOT: linalg.generic
// CHECK: %[[D:.*]] = memref.alloc(%{{.*}}) : memref<?x40xf32>
// CHECK-NOT: memref.alloc(
// CHECK: scf.parallel
// CHECK: scf.for %{{.*}} step %c6
// CHECK: vector.fma
// CHECK: scf.yield
// CHECK: %[[BV:.*]] = vector.load %[[BIAS]][%{{.*}}] : memref<40xf32>, vector<16xf32>
// CHECK-NEXT: %[[X:.*]] = arith.addf %{{.*}}, %[[BV]] : vector<16xf32>
// CHECK-NEXT: %[[R:.*]] = arith.constant 0.707106769 : f32
// CHECK-NEXT: %[[RV:.*]] = vector.broadcast %[[R]] : f32 to vector<16xf32>
// CHECK-NEXT: %[[S:.*]] = arith.mulf %[[X]], %[[RV]] : vector<16xf32>
// CHECK-NEXT: %[[E:.*]] = math.erf %[[S]] : vector<16xf32>
// CHECK: vector.store %{{.*}}, %[[D]][%{{.*}}, %{{.*}}] : memref<?x40xf32>, vector<16xf32>
// CHECK: arith.addf %{{.*}}, %[[BV]] : vector<16xf32>
// The partial column tile: masked loads of the bias, masked stores of D.
// CHECK: vector.create_mask
// CHECK: vector.maskedload %[[BIAS]]
// CHECK: vector.maskedstore %[[D]]
// CHECK: return %[[D]]
// OFF-LABEL: func.func @bias_gelu
// OFF: scf.parallel
// OFF: linalg.generic
// OFF-SAME: ins(%{{.*}}, %{{.*}} : memref<?x40xf32>, memref<40xf32>)
func.func @bias_gelu(%a: memref<?x64xf32>, %b: memref<64x40xf32>, %bias: memref<40xf32>) -> memref<?x40xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %sqrt2 = arith.constant 1.41421354 : f32
  %m = memref.dim %a, %c0 : memref<?x64xf32>
  %c = memref.alloc(%m) : memref<?x40xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x40xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x64xf32>, memref<64x40xf32>) outs(%c : memref<?x40xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %d = memref.alloc(%m) : memref<?x40xf32>
  linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias : memref<?x40xf32>, memref<40xf32>) outs(%d : memref<?x40xf32>) {
  ^bb0(%x: f32, %bv: f32, %out: f32):
    %v = arith.addf %x, %bv : f32
    %q = arith.divf %v, %sqrt2 : f32
    %e = math.erf %q : f32
    %e1 = arith.addf %e, %one : f32
    %g = arith.mulf %v, %e1 : f32
    %h = arith.mulf %g, %half : f32
    linalg.yield %h : f32
  }
  memref.dealloc %c : memref<?x40xf32>
  return %d : memref<?x40xf32>
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (m, 0)>

// A residual Add written in place into the residual's buffer (read and
// written at the same element), and a per-row scale (a broadcast scalar per
// row). C is not stored. The run-time shape check between the two ops moves
// before the contraction.
// CHECK-LABEL: func.func @residual_in_place
// CHECK-SAME: (%[[A:.*]]: memref<8x32xf32>, %[[B:.*]]: memref<32x16xf32>, %[[X:.*]]: memref<8x16xf32>, %[[S:.*]]: memref<8x1xf32>, %[[OK:.*]]: i1)
// CHECK: %[[R:.*]] = memref.alloc() : memref<8x16xf32>
// CHECK: memref.copy %[[X]], %[[R]]
// CHECK: cf.assert %[[OK]]
// CHECK: scf.parallel
// CHECK: vector.fma
// CHECK: scf.yield
// CHECK: %[[RV:.*]] = vector.load %[[R]][%{{.*}}, %{{.*}}] : memref<8x16xf32>, vector<16xf32>
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[SS:.*]] = memref.load %[[S]][%{{.*}}, %[[Z]]] : memref<8x1xf32>
// CHECK-NEXT: %[[SV:.*]] = vector.broadcast %[[SS]] : f32 to vector<16xf32>
// CHECK-NEXT: %[[P:.*]] = arith.mulf %{{.*}}, %[[SV]] : vector<16xf32>
// CHECK-NEXT: %[[Q:.*]] = arith.addf %[[RV]], %[[P]] : vector<16xf32>
// CHECK-NEXT: vector.store %[[Q]], %[[R]][%{{.*}}, %{{.*}}] : memref<8x16xf32>, vector<16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @residual_in_place(%a: memref<8x32xf32>, %b: memref<32x16xf32>, %x: memref<8x16xf32>,
                             %s: memref<8x1xf32>, %ok: i1) -> memref<8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %r = memref.alloc() : memref<8x16xf32>
  memref.copy %x, %r : memref<8x16xf32> to memref<8x16xf32>
  %c = memref.alloc() : memref<8x16xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<8x16xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x32xf32>, memref<32x16xf32>) outs(%c : memref<8x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %t = arith.mulf %p, %q : f32
    %u = arith.addf %acc, %t : f32
    linalg.yield %u : f32
  }
  cf.assert %ok, "run-time dims do not broadcast"
  linalg.generic {indexing_maps = [#id, #id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%r, %c, %s : memref<8x16xf32>, memref<8x16xf32>, memref<8x1xf32>) outs(%r : memref<8x16xf32>) {
  ^bb0(%res: f32, %y: f32, %sc: f32, %out: f32):
    %v = arith.mulf %y, %sc : f32
    %w = arith.addf %res, %v : f32
    linalg.yield %w : f32
  }
  memref.dealloc %c : memref<8x16xf32>
  return %r : memref<8x16xf32>
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>

// C is also read after the epilogue: the microkernel stores both.
// CHECK-LABEL: func.func @c_still_read
// CHECK: %[[C:.*]] = memref.alloc() : memref<8x16xf32>
// CHECK: %[[D:.*]] = memref.alloc() : memref<8x16xf32>
// CHECK: scf.parallel
// CHECK: vector.store %[[ACC:.*]], %[[C]][
// CHECK-NEXT: %[[T:.*]] = math.tanh %[[ACC]] : vector<16xf32>
// CHECK-NEXT: vector.store %[[T]], %[[D]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[C]], %[[D]]
func.func @c_still_read(%a: memref<8x32xf32>, %b: memref<32x16xf32>) -> (memref<8x16xf32>, memref<8x16xf32>) {
  %c = memref.alloc() : memref<8x16xf32>
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x32xf32>, memref<32x16xf32>) outs(%c : memref<8x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %t = arith.mulf %p, %q : f32
    %u = arith.addf %acc, %t : f32
    linalg.yield %u : f32
  }
  %d = memref.alloc() : memref<8x16xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<8x16xf32>) outs(%d : memref<8x16xf32>) {
  ^bb0(%y: f32, %out: f32):
    %t = math.tanh %y : f32
    linalg.yield %t : f32
  }
  return %c, %d : memref<8x16xf32>, memref<8x16xf32>
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#t = affine_map<(m, n) -> (n, m)>

// Near misses, each left as a generic of its own: C read transposed; an
// output in the buffer of the contraction's input A (other tiles still read
// it); a write to memory between the two ops; an output that is not a buffer
// of this function's own.
// CHECK-LABEL: func.func @near_misses
// CHECK-COUNT-4: ins(%{{.*}} : memref<16x16xf32>) outs(%{{.*}} : memref<16x16xf32>)
// CHECK-NOT: linalg.generic
func.func @near_misses(%a: memref<16x32xf32>, %b: memref<32x16xf32>, %arg: memref<16x16xf32>)
    -> (memref<16x16xf32>, memref<16x16xf32>, memref<16x16xf32>) {
  %c = memref.alloc() : memref<16x16xf32>
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<16x32xf32>, memref<32x16xf32>) outs(%c : memref<16x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %t = arith.mulf %p, %q : f32
    %u = arith.addf %acc, %t : f32
    linalg.yield %u : f32
  }
  %d = memref.alloc() : memref<16x16xf32>
  linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<16x16xf32>) outs(%d : memref<16x16xf32>) {
  ^bb0(%y: f32, %out: f32):
    %n = arith.negf %y : f32
    linalg.yield %n : f32
  }

  %x = memref.alloc() : memref<16x16xf32>
  memref.copy %arg, %x : memref<16x16xf32> to memref<16x16xf32>
  %c2 = memref.alloc() : memref<16x16xf32>
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %x : memref<16x16xf32>, memref<16x16xf32>) outs(%c2 : memref<16x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %t = arith.mulf %p, %q : f32
    %u = arith.addf %acc, %t : f32
    linalg.yield %u : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c2 : memref<16x16xf32>) outs(%x : memref<16x16xf32>) {
  ^bb0(%y: f32, %out: f32):
    %n = arith.negf %y : f32
    linalg.yield %n : f32
  }

  %c3 = memref.alloc() : memref<16x16xf32>
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<16x32xf32>, memref<32x16xf32>) outs(%c3 : memref<16x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %t = arith.mulf %p, %q : f32
    %u = arith.addf %acc, %t : f32
    linalg.yield %u : f32
  }
  %e = memref.alloc() : memref<16x16xf32>
  memref.copy %arg, %e : memref<16x16xf32> to memref<16x16xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c3 : memref<16x16xf32>) outs(%e : memref<16x16xf32>) {
  ^bb0(%y: f32, %out: f32):
    %n = arith.negf %y : f32
    linalg.yield %n : f32
  }

  %c4 = memref.alloc() : memref<16x16xf32>
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<16x32xf32>, memref<32x16xf32>) outs(%c4 : memref<16x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %t = arith.mulf %p, %q : f32
    %u = arith.addf %acc, %t : f32
    linalg.yield %u : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c4 : memref<16x16xf32>) outs(%arg : memref<16x16xf32>) {
  ^bb0(%y: f32, %out: f32):
    %n = arith.negf %y : f32
    linalg.yield %n : f32
  }
  return %d, %x, %e : memref<16x16xf32>, memref<16x16xf32>, memref<16x16xf32>
}
