// RUN: hybrid-opt %s --split-input-file --hybrid-vectorize-contractions | FileCheck %s
// RUN: not hybrid-opt %s --split-input-file --hybrid-vectorize-contractions="mr=8 mb=4" 2>&1 | FileCheck %s --check-prefix=OPTS

// OPTS: need mr >= 1, nr >= 1 and mb >= mr, got mr=8 nr=16 mb=4

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>

// A MatMul with a dynamic M and N = 40 (two full column tiles and a partial
// one): one parallel loop over (column tile, row block). A block with two
// microkernels' rows or more first packs its B panel into a contiguous stack
// buffer (restored after the block); then 6-row microkernels with one panel
// load and six broadcasts per k, then single rows. A smaller block reads B
// directly; the partial tile is masked.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: memref<?x64xf32>, %[[B:.*]]: memref<64x40xf32>, %[[C:.*]]: memref<?x40xf32>)
// CHECK-NOT: linalg.generic
// CHECK: scf.parallel
// CHECK: scf.if
// CHECK: scf.if
// CHECK: %[[SP:.*]] = llvm.intr.stacksave
// CHECK: %[[P:.*]] = memref.alloca() {alignment = 64 : i64} : memref<64x16xf32>
// CHECK: scf.for %[[PK:.*]] = %{{.*}} to %c64
// CHECK-NEXT: %[[PV:.*]] = vector.load %[[B]][%[[PK]], %{{.*}}]
// CHECK: vector.store %[[PV]], %[[P]][%[[PK]], %{{.*}}]
// CHECK: scf.for %[[M:.*]] = %{{.*}} to %{{.*}} step %c6
// CHECK-COUNT-6: vector.load %[[C]]
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %c64 step %{{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: %[[BV:.*]] = vector.load %[[P]][%[[K]], %{{.*}}] : memref<64x16xf32>, vector<16xf32>
// CHECK-NEXT: %[[A0:.*]] = memref.load %[[A]][%[[M]], %[[K]]]
// CHECK-NEXT: %[[S0:.*]] = vector.broadcast %[[A0]] : f32 to vector<16xf32>
// CHECK-NEXT: vector.fma %[[S0]], %[[BV]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-5: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-6: vector.store
// One row at a time for the rest of the block.
// CHECK: scf.for
// CHECK: vector.fma
// CHECK: llvm.intr.stackrestore %[[SP]]
// CHECK: } else {
// CHECK: scf.for %{{.*}} step %c6
// CHECK: scf.for %[[K2:.*]] = %{{.*}} to %c64
// CHECK-NEXT: vector.load %[[B]][%[[K2]], %{{.*}}] : memref<64x40xf32>, vector<16xf32>
// CHECK: } else {
// CHECK: %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK: vector.maskedload %[[B]][%{{.*}}], %[[MASK]]
// CHECK: vector.maskedstore %[[C]][%{{.*}}], %[[MASK]]
func.func @matmul(%a: memref<?x64xf32>, %b: memref<64x40xf32>, %c: memref<?x40xf32>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x64xf32>, memref<64x40xf32>) outs(%c : memref<?x40xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Batch dims (activations [batch, seq, d] times weights [d, n]) and bf16
// inputs widened after loading; the product's operands in the other order.
// The rows are batch x seq, linearised: a row's (batch, seq) by div/rem.
// CHECK-LABEL: func.func @batched_bf16
// CHECK: %[[B:.*]] = memref.dim %{{.*}}, %c0
// CHECK: %[[S:.*]] = memref.dim %{{.*}}, %c1
// CHECK: %[[ROWS0:.*]] = arith.muli %c1{{.*}}, %[[B]]
// CHECK: arith.muli %[[ROWS0]], %[[S]]
// CHECK: scf.parallel
// CHECK: arith.remui %{{.*}}, %[[S]]
// CHECK-NEXT: arith.divui %{{.*}}, %[[S]]
// CHECK: vector.load %{{.*}} : memref<32x48xbf16>, vector<16xbf16>
// CHECK-NEXT: arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK: memref.load %{{.*}} : memref<?x?x32xbf16>
// CHECK-NEXT: arith.extf %{{.*}} : bf16 to f32
// CHECK: vector.fma
#x = affine_map<(b, s, n, k) -> (b, s, k)>
#w = affine_map<(b, s, n, k) -> (k, n)>
#y = affine_map<(b, s, n, k) -> (b, s, n)>
func.func @batched_bf16(%a: memref<?x?x32xbf16>, %b: memref<32x48xbf16>, %c: memref<?x?x48xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x?x32xbf16>, memref<32x48xbf16>) outs(%c : memref<?x?x48xf32>) {
  ^bb0(%x: bf16, %y: bf16, %o: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %yf, %xf : f32
    %s = arith.addf %p, %o : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A depthwise 3x3 convolution (stride 1): the image row is the vector operand
// (its last index ow + kw), the output rows are the row dim (each row loads
// its own image row through an affine.apply), and one weight broadcast feeds
// every row. The 8 output columns are narrower than the 16-lane tile, so the
// tile is 8 lanes and as tall as the 8 rows (the full-tile path masks nothing).
// CHECK-LABEL: func.func @depthwise
// CHECK: scf.parallel
// CHECK: scf.for %{{.*}} step %c8
// CHECK: scf.for %[[KH:.*]] = %{{.*}} to %c3
// CHECK: scf.for %[[KW:.*]] = %{{.*}} to %c3
// CHECK: %[[W:.*]] = memref.load %{{.*}} : memref<4x3x3xf32>
// CHECK-NEXT: %[[S:.*]] = vector.broadcast %[[W]]
// CHECK: affine.apply
// CHECK: vector.load %{{.*}} : memref<1x4x10x10xf32>, vector<8xf32>
// CHECK-NEXT: vector.fma %[[S]]
#img = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh + kh, ow + kw)>
#flt = affine_map<(n, c, oh, ow, kh, kw) -> (c, kh, kw)>
#out = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh, ow)>
func.func @depthwise(%x: memref<1x4x10x10xf32>, %w: memref<4x3x3xf32>, %y: memref<1x4x8x8xf32>) {
  linalg.generic {indexing_maps = [#img, #flt, #out],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<1x4x10x10xf32>, memref<4x3x3xf32>) outs(%y : memref<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A 7x7 depthwise convolution with a dynamic batch and a 4x4 output plane:
// the rows are batch x output rows, linearised (both only in the image), the
// tile is 4 lanes wide (no mask) and 6 rows tall; a plane's 4 rows are fewer
// than 6, so they run as one 4-row microkernel (4 independent FMA chains per
// weight broadcast) before the single-row loop, not as 4 single rows.
// CHECK-LABEL: func.func @depthwise_batch
// CHECK: %[[N:.*]] = memref.dim %{{.*}}, %c0
// CHECK: %[[ROWS:.*]] = arith.muli %{{.*}}, %[[N]]
// CHECK: arith.muli %[[ROWS]], %c4
// CHECK: scf.parallel
// CHECK: scf.for %{{.*}} step %c6
// CHECK: %[[FITS4:.*]] = arith.cmpi uge, %{{.*}}, %c4
// CHECK: scf.if %[[FITS4]] -> (index)
// CHECK-COUNT-4: vector.load %{{.*}} : memref<?x8x4x4xf32>, vector<4xf32>
// CHECK: scf.for %{{.*}} to %c7
// CHECK: scf.for %{{.*}} to %c7
// CHECK: %[[W:.*]] = memref.load %{{.*}} : memref<8x7x7xf32>
// CHECK-NEXT: %[[S:.*]] = vector.broadcast %[[W]] : f32 to vector<4xf32>
// CHECK-COUNT-4: vector.fma %[[S]]
// CHECK: arith.cmpi uge, %{{.*}}, %c2
// CHECK: scf.if
// CHECK: scf.for
#bimg = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh + kh, ow + kw)>
#bflt = affine_map<(n, c, oh, ow, kh, kw) -> (c, kh, kw)>
#bout = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh, ow)>
func.func @depthwise_batch(%x: memref<?x8x10x10xf32>, %w: memref<8x7x7xf32>, %y: memref<?x8x4x4xf32>) {
  linalg.generic {indexing_maps = [#bimg, #bflt, #bout],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<?x8x10x10xf32>, memref<8x7x7xf32>) outs(%y : memref<?x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// C's zero fill just before the contraction (with the profiler's brackets
// around each, as hybrid-instrument-kernels leaves them) is folded in: the
// accumulators start from the fill's value and C is only stored; the fill
// and its brackets are gone, the contraction's stay.
// CHECK-LABEL: func.func @fill_folded
// CHECK-SAME: (%[[A:.*]]: memref<?x64xf32>, %[[B:.*]]: memref<64x32xf32>, %[[C:.*]]: memref<?x32xf32>)
// CHECK-NOT: linalg.fill
// CHECK-NOT: call @__hybrid_kernel_begin(%c0_i32)
// CHECK: call @__hybrid_kernel_begin(%c1_i32)
// CHECK: %[[Z:.*]] = vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK-NOT: vector.load %[[C]]
// CHECK-NOT: vector.maskedload %[[C]]
// CHECK: iter_args(%{{.*}} = %[[Z]], %{{.*}} = %[[Z]],
// CHECK: vector.store %{{.*}}, %[[C]]
// CHECK: call @__hybrid_kernel_end(%c1_i32)
#fA = affine_map<(m, n, k) -> (m, k)>
#fB = affine_map<(m, n, k) -> (k, n)>
#fC = affine_map<(m, n, k) -> (m, n)>
func.func private @__hybrid_kernel_begin(i32)
func.func private @__hybrid_kernel_end(i32)
func.func @fill_folded(%a: memref<?x64xf32>, %b: memref<64x32xf32>, %c: memref<?x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %k0 = arith.constant 0 : i32
  %k1 = arith.constant 1 : i32
  call @__hybrid_kernel_begin(%k0) : (i32) -> ()
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  call @__hybrid_kernel_end(%k0) : (i32) -> ()
  call @__hybrid_kernel_begin(%k1) : (i32) -> ()
  linalg.generic {indexing_maps = [#fA, #fB, #fC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>) outs(%c : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  call @__hybrid_kernel_end(%k1) : (i32) -> ()
  return
}

// -----

// Near misses: a fill of another buffer, and C's fill followed by a write to
// C (the contraction must add to what is there). Both fills stay, and C is
// loaded into the accumulators.
// CHECK-LABEL: func.func @fill_kept
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<?x32xf32>)
// CHECK: vector.load %{{.*}} : memref<?x32xf32>, vector<16xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<?x32xf32>)
// CHECK: memref.store
// CHECK: vector.load %{{.*}} : memref<?x32xf32>, vector<16xf32>
#fA = affine_map<(m, n, k) -> (m, k)>
#fB = affine_map<(m, n, k) -> (k, n)>
#fC = affine_map<(m, n, k) -> (m, n)>
func.func @fill_kept(%a: memref<?x64xf32>, %b: memref<64x32xf32>, %c: memref<?x32xf32>, %d: memref<?x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %i0 = arith.constant 0 : index
  linalg.fill ins(%zero : f32) outs(%d : memref<?x32xf32>)
  linalg.generic {indexing_maps = [#fA, #fB, #fC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>) outs(%c : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  memref.store %one, %c[%i0, %i0] : memref<?x32xf32>
  linalg.generic {indexing_maps = [#fA, #fB, #fC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>) outs(%c : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A stride-2 convolution: a full tile of the image row is one load of the 16
// elements from its first (masked past the 15th, the last one read) and a
// shuffle of the even lanes; a partial tile (5 output columns take an 8-lane
// tile) is read lane by lane (8 scalar loads, 2 apart). Either is shared by
// the rows, the 8 output channels here (one microkernel of 8 rows).
// CHECK-LABEL: func.func @strided
// CHECK: scf.parallel
// CHECK: %[[M:.*]] = arith.constant dense<[true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, false]> : vector<16xi1>
// CHECK: %[[ROW:.*]] = vector.maskedload %{{.*}}, %[[M]], %{{.*}} : memref<1x4x11x11xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// CHECK: vector.shuffle %[[ROW]], %[[ROW]] [0, 2, 4, 6, 8, 10, 12, 14] : vector<16xf32>, vector<16xf32>
// CHECK: scf.for %{{.*}} step %c8
// CHECK-COUNT-8: vector.fma
// CHECK: } else {
// CHECK-COUNT-8: memref.load %{{.*}} : memref<1x4x11x11xf32>
// CHECK: vector.from_elements {{.*}} : vector<8xf32>
#simg = affine_map<(n, m, oh, ow, c, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#sflt = affine_map<(n, m, oh, ow, c, kh, kw) -> (m, c, kh, kw)>
#sout = affine_map<(n, m, oh, ow, c, kh, kw) -> (n, m, oh, ow)>
func.func @strided(%x: memref<1x4x11x11xf32>, %w: memref<8x4x3x3xf32>, %y: memref<1x8x5x5xf32>) {
  linalg.generic {indexing_maps = [#simg, #sflt, #sout],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x4x11x11xf32>, memref<8x4x3x3xf32>) outs(%y : memref<1x8x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// B transposed (Gemm transB, [n, k]): its lanes are loaded one by one along
// its first index, one vector shared by the six rows.
// CHECK-LABEL: func.func @transposed_b
// CHECK-SAME: %[[B:[a-z0-9]+]]: memref<32x64xf32>
// CHECK: scf.for %{{.*}} step %c6
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %c64
// CHECK: memref.load %[[B]][%{{.*}}, %[[K]]]
// CHECK-COUNT-15: memref.load %[[B]][%{{.*}}, %[[K]]]
// CHECK-NEXT: vector.from_elements
// CHECK-COUNT-6: vector.fma
#tA = affine_map<(m, n, k) -> (m, k)>
#tB = affine_map<(m, n, k) -> (n, k)>
#tC = affine_map<(m, n, k) -> (m, n)>
func.func @transposed_b(%a: memref<8x64xf32>, %b: memref<32x64xf32>, %c: memref<8x32xf32>) {
  linalg.generic {indexing_maps = [#tA, #tB, #tC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x64xf32>, memref<32x64xf32>) outs(%c : memref<8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A matrix-vector product has no row dim: single-row kernels only.
// CHECK-LABEL: func.func @vecmat
// CHECK: scf.parallel
// CHECK-NOT: step %c6
// CHECK: vector.fma
#v = affine_map<(n, k) -> (k)>
#m = affine_map<(n, k) -> (k, n)>
#o = affine_map<(n, k) -> (n)>
func.func @vecmat(%a: memref<?xf32>, %b: memref<?x?xf32>, %c: memref<?xf32>) {
  linalg.generic {indexing_maps = [#v, #m, #o], iterator_types = ["parallel", "reduction"]}
      ins(%a, %b : memref<?xf32>, memref<?x?xf32>) outs(%c : memref<?xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Near misses, left for the loop lowering.
#mA = affine_map<(m, n, k) -> (m, k)>
#mBh = affine_map<(m, n, k) -> (n floordiv 2, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>

// B read at n floordiv 2: no lane step along n.
// CHECK-LABEL: func.func @halved_b
// CHECK-NOT: vector.
// CHECK: linalg.generic
func.func @halved_b(%a: memref<8x64xf32>, %b: memref<16x64xf32>, %c: memref<8x32xf32>) {
  linalg.generic {indexing_maps = [#mA, #mBh, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x64xf32>, memref<16x64xf32>) outs(%c : memref<8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Integers.
// CHECK-LABEL: func.func @integer
// CHECK-NOT: vector.
// CHECK: linalg.generic
func.func @integer(%a: memref<8x64xi32>, %b: memref<64x32xi32>, %c: memref<8x32xi32>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x64xi32>, memref<64x32xi32>) outs(%c : memref<8x32xi32>) {
  ^bb0(%x: i32, %y: i32, %o: i32):
    %p = arith.muli %x, %y : i32
    %s = arith.addi %o, %p : i32
    linalg.yield %s : i32
  }
  return
}

// Not a multiply-add (a max-plus product).
// CHECK-LABEL: func.func @max_plus
// CHECK-NOT: vector.
// CHECK: linalg.generic
func.func @max_plus(%a: memref<8x64xf32>, %b: memref<64x32xf32>, %c: memref<8x32xf32>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x64xf32>, memref<64x32xf32>) outs(%c : memref<8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.addf %x, %y : f32
    %s = arith.maximumf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// A strided output (C's innermost stride is not 1).
// CHECK-LABEL: func.func @strided_out
// CHECK-NOT: vector.
// CHECK: linalg.generic
func.func @strided_out(%a: memref<8x64xf32>, %b: memref<64x32xf32>, %c: memref<8x32xf32, strided<[1, 8]>>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x64xf32>, memref<64x32xf32>) outs(%c : memref<8x32xf32, strided<[1, 8]>>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// A decode step's matrix-vector product (one row, K = 66): four independent
// accumulators over k in steps of 4, summed pairwise, then the last two
// steps one by one.
// CHECK-LABEL: func.func @matvec_unrolled
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK: %[[ACC:.*]] = vector.load %{{.*}} : memref<1x32xf32>, vector<16xf32>
// CHECK: %[[R:.*]]:4 = scf.for %[[K:.*]] = %c0{{.*}} to %c64{{.*}} step %c4{{.*}} iter_args(%{{.*}} = %[[ACC]], %{{.*}} = %[[Z]], %{{.*}} = %[[Z]], %{{.*}} = %[[Z]])
// CHECK-COUNT-4: vector.fma
// CHECK: scf.yield
// CHECK: %[[S0:.*]] = arith.addf %[[R]]#0, %[[R]]#1 : vector<16xf32>
// CHECK: %[[S1:.*]] = arith.addf %[[R]]#2, %[[R]]#3 : vector<16xf32>
// CHECK: %[[S:.*]] = arith.addf %[[S0]], %[[S1]] : vector<16xf32>
// CHECK: scf.for %{{.*}} = %c64{{.*}} to %c66{{.*}} step %c1{{.*}} iter_args(%{{.*}} = %[[S]])
// CHECK: vector.fma
func.func @matvec_unrolled(%a: memref<1x66xf32>, %b: memref<66x32xf32>, %c: memref<1x32xf32>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<1x66xf32>, memref<66x32xf32>) outs(%c : memref<1x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// A dot product into a scalar: no output dim to vectorise along.
// CHECK-LABEL: func.func @dot
// CHECK-NOT: vector.
// CHECK: linalg.generic
func.func @dot(%a: memref<64xf32>, %b: memref<64xf32>, %c: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(k) -> (k)>, affine_map<(k) -> (k)>, affine_map<(k) -> ()>],
                  iterator_types = ["reduction"]}
      ins(%a, %b : memref<64xf32>, memref<64xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Tensors: bufferize first.
// CHECK-LABEL: func.func @on_tensors
// CHECK-NOT: vector.
// CHECK: linalg.generic
func.func @on_tensors(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%c : tensor<8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}
