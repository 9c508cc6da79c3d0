// RUN: hybrid-opt %s --split-input-file --hybrid-vectorize-elementwise | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-vectorize-elementwise="lanes=8 block=64" | FileCheck %s --check-prefix=SMALL
// RUN: not hybrid-opt %s --split-input-file --hybrid-vectorize-elementwise="lanes=16 block=24" 2>&1 | FileCheck %s --check-prefix=OPTS

// OPTS: need lanes >= 1 and block a multiple of lanes, got lanes=16 block=24

#id4 = affine_map<(b, c, h, w) -> (b, c, h, w)>
#ch = affine_map<(b, c, h, w) -> (c, 0, 0)>

// A BatchNormalization and a GELU fused over [B, 128, 8, 8] with per-channel
// operands [128, 1, 1]: the vector group is H x W (64 elements, four whole
// vectors), one parallel iteration per (batch, channel) that loads its two
// channel operands once. The division by sqrt(2) becomes a multiplication by
// its reciprocal.
// CHECK-LABEL: func.func @gelu_per_channel
// CHECK-SAME: (%[[X:.*]]: memref<?x128x8x8xf32>, %[[S:.*]]: memref<128x1x1xf32>, %[[T:.*]]: memref<128x1x1xf32>, %[[Y:.*]]: memref<?x128x8x8xf32>)
// CHECK-NOT: linalg.generic
// CHECK-DAG: %[[XV:.*]] = memref.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : memref<?x128x8x8xf32> into memref<?x128x64xf32>
// CHECK-DAG: %[[YV:.*]] = memref.collapse_shape %[[Y]] {{\[}}[0], [1], [2, 3]] : memref<?x128x8x8xf32> into memref<?x128x64xf32>
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK: %[[C:.*]] = arith.remui %[[I]], %c128
// CHECK: %[[B:.*]] = arith.divui %[[I]], %c128
// CHECK: %[[SS:.*]] = memref.load %[[S]][%[[C]], %{{.*}}, %{{.*}}]
// CHECK: %[[SV:.*]] = vector.broadcast %[[SS]] : f32 to vector<16xf32>
// CHECK: %[[TS:.*]] = memref.load %[[T]][%[[C]], %{{.*}}, %{{.*}}]
// CHECK: %[[TV:.*]] = vector.broadcast %[[TS]] : f32 to vector<16xf32>
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %c64{{.*}} step %c16
// CHECK: %[[V:.*]] = vector.load %[[XV]][%[[B]], %[[C]], %[[J]]] : memref<?x128x64xf32>, vector<16xf32>
// CHECK: %[[M:.*]] = arith.mulf %[[V]], %[[SV]] : vector<16xf32>
// CHECK: %[[Z:.*]] = arith.addf %[[M]], %[[TV]] : vector<16xf32>
// CHECK: %[[R:.*]] = arith.constant 0.707106769 : f32
// CHECK: %[[RV:.*]] = vector.broadcast %[[R]] : f32 to vector<16xf32>
// CHECK: %[[D:.*]] = arith.mulf %[[Z]], %[[RV]] : vector<16xf32>
// CHECK: %[[E:.*]] = math.erf %[[D]] : vector<16xf32>
// CHECK: arith.constant dense<1.000000e+00> : vector<16xf32>
// CHECK: vector.store %{{.*}}, %[[YV]][%[[B]], %[[C]], %[[J]]] : memref<?x128x64xf32>, vector<16xf32>
// CHECK-NOT: vector.maskedstore
// CHECK: return
func.func @gelu_per_channel(%x: memref<?x128x8x8xf32>, %s: memref<128x1x1xf32>,
                            %t: memref<128x1x1xf32>, %y: memref<?x128x8x8xf32>) {
  %c = arith.constant 1.41421354 : f32
  linalg.generic {indexing_maps = [#id4, #ch, #ch, #id4],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %s, %t : memref<?x128x8x8xf32>, memref<128x1x1xf32>, memref<128x1x1xf32>)
      outs(%y : memref<?x128x8x8xf32>) {
  ^bb0(%a: f32, %sc: f32, %sh: f32, %o: f32):
    %m = arith.mulf %a, %sc : f32
    %z = arith.addf %m, %sh : f32
    %d = arith.divf %z, %c : f32
    %e = math.erf %d : f32
    %one = arith.constant 1.0 : f32
    %p = arith.addf %e, %one : f32
    %r = arith.mulf %z, %p : f32
    linalg.yield %r : f32
  }
  return
}

// -----

#id2 = affine_map<(i, j) -> (i, j)>

// Fully dynamic: the whole tensor is one group in blocks of 512 elements, each
// parallel iteration its block's whole vectors, then a masked partial one.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[XV:.*]] = memref.collapse_shape %{{.*}} {{\[}}[0, 1]] : memref<?x?xf32> into memref<?xf32>
// CHECK: %[[YV:.*]] = memref.collapse_shape %{{.*}} {{\[}}[0, 1]] : memref<?x?xf32> into memref<?xf32>
// CHECK: scf.parallel
// CHECK: %[[J0:.*]] = arith.muli %{{.*}}, %c512
// CHECK: %[[LEN:.*]] = arith.minui %c512{{.*}}, %{{.*}}
// CHECK: %[[REM:.*]] = arith.remui %[[LEN]], %c16
// CHECK: scf.for %[[J:.*]] = %[[J0]] to %{{.*}} step %c16
// CHECK: vector.load %[[XV]][%[[J]]] : memref<?xf32>, vector<16xf32>
// CHECK: math.exp %{{.*}} : vector<16xf32>
// CHECK: vector.store
// CHECK: scf.if
// CHECK: %[[MASK:.*]] = vector.create_mask %[[REM]] : vector<16xi1>
// CHECK: vector.maskedload %[[XV]][%{{.*}}], %[[MASK]]
// CHECK: math.exp %{{.*}} : vector<16xf32>
// CHECK: vector.maskedstore %[[YV]][%{{.*}}], %[[MASK]]
// SMALL-LABEL: func.func @dynamic
// SMALL: arith.muli %{{.*}}, %c64
// SMALL: scf.for {{.*}} step %c8
// SMALL: vector.load {{.*}} vector<8xf32>
func.func @dynamic(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  }
  return
}

// -----

#in = affine_map<(i, j) -> (i, j)>
#bias = affine_map<(i, j) -> (j)>
#scalar = affine_map<(i, j) -> ()>

// A bias along the last dim reads it, so the group is that dim alone (50
// elements: three whole vectors and a masked one of 2 lanes, static); a 0-d
// operand and a value from above are broadcast. The output's own value is
// read where the body uses it.
// CHECK-LABEL: func.func @bias_rows
// CHECK-SAME: (%[[X:.*]]: memref<?x50xf32>, %[[B:.*]]: memref<50xf32>, %[[S:.*]]: memref<f32>, %[[F:.*]]: f32, %[[Y:.*]]: memref<?x50xf32>)
// CHECK-NOT: collapse_shape
// CHECK: scf.parallel (%[[R:.*]]) =
// CHECK: %[[SS:.*]] = memref.load %[[S]][] : memref<f32>
// CHECK: vector.broadcast %[[SS]]
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %c48 step %c16
// CHECK-DAG: vector.load %[[X]][%[[R]], %[[J]]] : memref<?x50xf32>, vector<16xf32>
// CHECK-DAG: vector.load %[[B]][%[[J]]] : memref<50xf32>, vector<16xf32>
// CHECK-DAG: vector.load %[[Y]][%[[R]], %[[J]]] : memref<?x50xf32>, vector<16xf32>
// CHECK-DAG: vector.broadcast %[[F]] : f32 to vector<16xf32>
// CHECK: vector.store %{{.*}}, %[[Y]][%[[R]], %[[J]]]
// CHECK: %[[MASK:.*]] = vector.create_mask %c2 : vector<16xi1>
// CHECK: vector.maskedload %[[X]][%[[R]], %c48{{.*}}], %[[MASK]]
// CHECK: vector.maskedstore %[[Y]][%[[R]], %c48{{.*}}], %[[MASK]]
func.func @bias_rows(%x: memref<?x50xf32>, %b: memref<50xf32>, %s: memref<f32>, %f: f32,
                     %y: memref<?x50xf32>) {
  linalg.generic {indexing_maps = [#in, #bias, #scalar, #in],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %b, %s : memref<?x50xf32>, memref<50xf32>, memref<f32>) outs(%y : memref<?x50xf32>) {
  ^bb0(%a: f32, %c: f32, %d: f32, %o: f32):
    %0 = arith.addf %a, %c : f32
    %1 = arith.mulf %0, %d : f32
    %2 = arith.mulf %1, %f : f32
    %3 = arith.addf %2, %o : f32
    linalg.yield %3 : f32
  }
  return
}

// -----

// Integer compare and select on i32 and i8 buffers: i1 vectors in between.
// CHECK-LABEL: func.func @select_ints
// CHECK: scf.for
// CHECK: %[[A:.*]] = vector.load %{{.*}} : memref<256xi32>, vector<16xi32>
// CHECK: %[[K:.*]] = vector.load %{{.*}} : memref<256xi8>, vector<16xi8>
// CHECK: %[[W:.*]] = arith.extsi %[[K]] : vector<16xi8> to vector<16xi32>
// CHECK: %[[P:.*]] = arith.cmpi sgt, %[[A]], %[[W]] : vector<16xi32>
// CHECK: arith.select %[[P]], %[[A]], %[[W]] : vector<16xi1>, vector<16xi32>
#v = affine_map<(i) -> (i)>
func.func @select_ints(%a: memref<256xi32>, %k: memref<256xi8>, %y: memref<256xi32>) {
  linalg.generic {indexing_maps = [#v, #v, #v], iterator_types = ["parallel"]}
      ins(%a, %k : memref<256xi32>, memref<256xi8>) outs(%y : memref<256xi32>) {
  ^bb0(%x: i32, %w8: i8, %o: i32):
    %w = arith.extsi %w8 : i8 to i32
    %p = arith.cmpi sgt, %x, %w : i32
    %r = arith.select %p, %x, %w : i32
    linalg.yield %r : i32
  }
  return
}

// -----

// Left for the loop lowering: a transposed input (no trailing group both
// reads in order), a reduction whose output the body reads twice (no
// combiner), linalg.index, integer division (a masked lane would divide by
// zero), bf16, and a static group of 2 elements (a per-row operand keeps the
// group to the last dim).
// CHECK-LABEL: func.func @not_matched
// CHECK-NOT: vector.
// CHECK-COUNT-6: linalg.generic
// CHECK-NOT: vector.
#t = affine_map<(i, j) -> (j, i)>
#in = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
func.func @not_matched(%x: memref<64x64xf32>, %y: memref<64x64xf32>, %s: memref<64xf32>,
                       %i: memref<64x64xi32>, %h: memref<64x64xbf16>, %p: memref<64x2xf32>) {
  linalg.generic {indexing_maps = [#t, #in], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<64x64xf32>) outs(%y : memref<64x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [#in, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<64x64xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %0 = arith.addf %a, %o : f32
    %1 = arith.mulf %0, %o : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [#in], iterator_types = ["parallel", "parallel"]}
      outs(%y : memref<64x64xf32>) {
  ^bb0(%o: f32):
    %j = linalg.index 1 : index
    %0 = arith.index_cast %j : index to i32
    %1 = arith.sitofp %0 : i32 to f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [#in, #in], iterator_types = ["parallel", "parallel"]}
      ins(%i : memref<64x64xi32>) outs(%i : memref<64x64xi32>) {
  ^bb0(%a: i32, %o: i32):
    %c3 = arith.constant 3 : i32
    %0 = arith.divsi %a, %c3 : i32
    linalg.yield %0 : i32
  }
  linalg.generic {indexing_maps = [#in, #in], iterator_types = ["parallel", "parallel"]}
      ins(%h : memref<64x64xbf16>) outs(%y : memref<64x64xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %0 = arith.extf %a : bf16 to f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [#in, #r, #in], iterator_types = ["parallel", "parallel"]}
      ins(%p, %s : memref<64x2xf32>, memref<64xf32>) outs(%p : memref<64x2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = arith.mulf %a, %b : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// A row reduction (the reduced dims are the trailing group, contiguous): per
// row, 16 lanes of partial sums, lane 0 starting from the output's value and
// the others from -0.0; whole vectors, then the 5 left under a mask (masked-off
// lanes keep their sums); one horizontal add, stored. An operand that does not
// read the row (the mean) is loaded once per row.
// CHECK-LABEL: func.func @row_sum_squares
// CHECK-SAME: (%[[X:.*]]: memref<?x37xf32>, %[[M:.*]]: memref<?xf32>, %[[S:.*]]: memref<?xf32>)
// CHECK: scf.parallel (%[[R:.*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}})
// CHECK: %[[MU:.*]] = vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK: %[[ID:.*]] = arith.constant dense<-0.000000e+00> : vector<16xf32>
// CHECK: %[[S0:.*]] = memref.load %[[S]][%[[R]]]
// CHECK: %[[A0:.*]] = vector.insert %[[S0]], %[[ID]] [0] : f32 into vector<16xf32>
// CHECK: %[[SUM:.*]] = scf.for %[[J:.*]] = %{{.*}} to %c32 step %c16 iter_args(%[[A:.*]] = %[[A0]])
// CHECK:   %[[XV:.*]] = vector.load %[[X]][%[[R]], %[[J]]] : memref<?x37xf32>, vector<16xf32>
// CHECK:   %[[D:.*]] = arith.subf %[[XV]], %[[MU]]
// CHECK:   %[[SQ:.*]] = arith.mulf %[[D]], %[[D]]
// CHECK:   %[[NEXT:.*]] = arith.addf %[[SQ]], %[[A]]
// CHECK:   scf.yield %[[NEXT]]
// CHECK: %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK: vector.maskedload %[[X]][%[[R]], %c32], %[[MASK]]
// CHECK: %[[T:.*]] = arith.addf %{{.*}}, %[[SUM]]
// CHECK: %[[KEEP:.*]] = arith.select %[[MASK]], %[[T]], %[[SUM]]
// CHECK: %[[TOTAL:.*]] = vector.reduction <add>, %[[KEEP]] : vector<16xf32> into f32
// CHECK: memref.store %[[TOTAL]], %[[S]][%[[R]]]
// CHECK-NOT: linalg.generic
#in = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
func.func @row_sum_squares(%x: memref<?x37xf32>, %m: memref<?xf32>, %s: memref<?xf32>) {
  linalg.generic {indexing_maps = [#in, #r, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x, %m : memref<?x37xf32>, memref<?xf32>) outs(%s : memref<?xf32>) {
  ^bb0(%a: f32, %mu: f32, %o: f32):
    %d = arith.subf %a, %mu : f32
    %sq = arith.mulf %d, %d : f32
    %0 = arith.addf %sq, %o : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// A max over two trailing reduced dims (a global pool over 8 x 8): one group
// of 64, four whole vectors, no tail; lanes start from -inf.
// CHECK-LABEL: func.func @row_max_2d
// CHECK: scf.parallel
// CHECK: arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64 step %c16
// CHECK: arith.maximumf
// CHECK-NOT: vector.maskedload
// CHECK: vector.reduction <maximumf>
// CHECK-NOT: linalg.generic
#x = affine_map<(b, c, h, w) -> (b, c, h, w)>
#o = affine_map<(b, c, h, w) -> (b, c)>
func.func @row_max_2d(%x: memref<2x16x8x8xf32>, %y: memref<2x16xf32>) {
  linalg.generic {indexing_maps = [#x, #o],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x : memref<2x16x8x8xf32>) outs(%y : memref<2x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %0 = arith.maximumf %o, %a : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// A column reduction (a LayerNorm's mean over the channels of [B, C, H*W]):
// the group is the parallel trailing dim, the reduction runs around the body
// per vector of outputs, in order (the same sums as the scalar loops).
// CHECK-LABEL: func.func @column_sum
// CHECK-SAME: (%[[X:.*]]: memref<?x32x64xf32>, %[[S:.*]]: memref<?x64xf32>)
// CHECK: scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}})
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %c64{{.*}} step %c16
// CHECK:   %[[S0:.*]] = vector.load %[[S]][%[[B]], %[[J]]] : memref<?x64xf32>, vector<16xf32>
// CHECK:   %[[SUM:.*]] = scf.for %[[C:.*]] = %{{.*}} to %c32 step %{{.*}} iter_args(%[[A:.*]] = %[[S0]])
// CHECK:     %[[XV:.*]] = vector.load %[[X]][%[[B]], %[[C]], %[[J]]]
// CHECK:     %[[NEXT:.*]] = arith.addf %[[A]], %[[XV]]
// CHECK:     scf.yield %[[NEXT]]
// CHECK:   vector.store %[[SUM]], %[[S]][%[[B]], %[[J]]]
// CHECK-NOT: linalg.generic
#x3 = affine_map<(b, c, p) -> (b, c, p)>
#o3 = affine_map<(b, c, p) -> (b, p)>
func.func @column_sum(%x: memref<?x32x64xf32>, %s: memref<?x64xf32>) {
  linalg.generic {indexing_maps = [#x3, #o3], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : memref<?x32x64xf32>) outs(%s : memref<?x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %0 = arith.addf %o, %a : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// Reductions left for the loop lowering: an integer sum (no float combiner),
// and a column reduction whose per-channel operand reads the reduced dim (it
// could not be loaded once per iteration).
// CHECK-LABEL: func.func @reductions_not_matched
// CHECK-NOT: vector.
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT: vector.
#in = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
#x3 = affine_map<(b, c, p) -> (b, c, p)>
#c3 = affine_map<(b, c, p) -> (c)>
#o3 = affine_map<(b, c, p) -> (b, p)>
func.func @reductions_not_matched(%i: memref<8x64xi32>, %si: memref<8xi32>, %x: memref<2x32x64xf32>,
                                  %w: memref<32xf32>, %s: memref<2x64xf32>) {
  linalg.generic {indexing_maps = [#in, #r], iterator_types = ["parallel", "reduction"]}
      ins(%i : memref<8x64xi32>) outs(%si : memref<8xi32>) {
  ^bb0(%a: i32, %o: i32):
    %0 = arith.addi %a, %o : i32
    linalg.yield %0 : i32
  }
  linalg.generic {indexing_maps = [#x3, #c3, #o3], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %w : memref<2x32x64xf32>, memref<32xf32>) outs(%s : memref<2x64xf32>) {
  ^bb0(%a: f32, %wc: f32, %o: f32):
    %0 = arith.mulf %a, %wc : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  }
  return
}


// -----

// A padded convolution's input: the fill of the whole buffer and the copy into
// its interior run as generics do. The fill's value is broadcast once per
// block; the copy's rows of 8 (the interior is strided) are 8-lane vectors.
// CHECK-LABEL: func.func @pad_fill_copy
// CHECK-SAME: (%[[X:.*]]: memref<?x32x8x8xf32>, %[[P:.*]]: memref<?x32x14x14xf32>)
// CHECK-NOT: linalg.
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[P]] {{\[\[}}0, 1, 2, 3]]
// CHECK: scf.parallel
// CHECK:   %[[ZERO:.*]] = vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK:   vector.store %[[ZERO]], %[[FLAT]][%{{.*}}] : memref<?xf32>, vector<16xf32>
// CHECK: %[[IN:.*]] = memref.subview %[[P]]
// CHECK: scf.parallel
// CHECK:   %[[ROW:.*]] = vector.load %[[X]][{{.*}}] : memref<?x32x8x8xf32>, vector<8xf32>
// CHECK:   vector.store %[[ROW]], %[[IN]][{{.*}}] : memref<?x32x8x8xf32, strided<[6272, 196, 14, 1], offset: 45>>, vector<8xf32>
// CHECK-NOT: linalg.
func.func @pad_fill_copy(%x: memref<?x32x8x8xf32>, %p: memref<?x32x14x14xf32>) {
  %c0 = arith.constant 0.0 : f32
  linalg.fill ins(%c0 : f32) outs(%p : memref<?x32x14x14xf32>)
  %c0i = arith.constant 0 : index
  %b = memref.dim %x, %c0i : memref<?x32x8x8xf32>
  %in = memref.subview %p[0, 0, 3, 3] [%b, 32, 8, 8] [1, 1, 1, 1] : memref<?x32x14x14xf32> to memref<?x32x8x8xf32, strided<[6272, 196, 14, 1], offset: 45>>
  linalg.copy ins(%x : memref<?x32x8x8xf32>) outs(%in : memref<?x32x8x8xf32, strided<[6272, 196, 14, 1], offset: 45>>)
  return
}

// -----

// Transpositions of the inner dims (f32, unit innermost strides): the input
// dims that stay consecutive in the output collapse (NCHW -> NHWC is
// [C, H x W] -> [H x W, C]), then one scf.parallel over the other dims and
// blocks of 8 x runs tiles of 8 x 8: 8 vector loads along x, 24 shuffles, 8
// vector stores along y; the y past a multiple of 8, and a last partial
// block of x, element by element. One of another element type is left to the
// loop lowering.
// CHECK-LABEL: func.func @nchw_to_nhwc
// CHECK-SAME: (%[[A:.*]]: memref<?x32x8x8xf32>, %[[B:.*]]: memref<?x8x8x32xf32>)
// CHECK-DAG: %[[IN:.*]] = memref.collapse_shape %[[A]] {{\[\[}}0], [1], [2, 3]] : memref<?x32x8x8xf32> into memref<?x32x64xf32>
// CHECK-DAG: %[[OUT:.*]] = memref.collapse_shape %[[B]] {{\[\[}}0], [1, 2], [3]] : memref<?x8x8x32xf32> into memref<?x64x32xf32>
// CHECK: %[[XB:.*]] = arith.ceildivui %{{.*}}, %c8
// CHECK: scf.parallel (%[[N:.*]], %[[XI:.*]]) = ({{.*}}) to (%{{.*}}, %[[XB]])
// CHECK: %[[X0:.*]] = arith.muli %[[XI]], %c8
// CHECK: scf.if
// CHECK: scf.for %[[Y0:.*]] = %{{.*}} to %{{.*}} step %c8
// CHECK-COUNT-8: vector.load %[[IN]][%[[N]], %{{.*}}, %[[X0]]] : memref<?x32x64xf32>, vector<8xf32>
// CHECK-COUNT-24: vector.shuffle
// CHECK-COUNT-8: vector.store %{{.*}}, %[[OUT]][%[[N]], %{{.*}}, %[[Y0]]] : memref<?x64x32xf32>, vector<8xf32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: memref.load %[[IN]]
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: } else {
// CHECK: memref.load %[[IN]]
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK-NOT: linalg.transpose
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.transpose ins(%{{.*}} : memref<16x8xf64>)
func.func @nchw_to_nhwc(%a: memref<?x32x8x8xf32>, %b: memref<?x8x8x32xf32>) {
  linalg.transpose ins(%a : memref<?x32x8x8xf32>) outs(%b : memref<?x8x8x32xf32>) permutation = [0, 2, 3, 1]
  return
}
func.func @left_alone(%c: memref<16x8xf64>, %d: memref<8x16xf64>) {
  linalg.transpose ins(%c : memref<16x8xf64>) outs(%d : memref<8x16xf64>) permutation = [1, 0]
  return
}

// -----

// A transposition that keeps the innermost dim (attention's [B, S, H, D] ->
// [B, H, S, D]) is a copy of rows: generalised, then vector rows like any
// copy. One whose rows are not provably contiguous (a dynamic innermost
// stride) stays a generic for the loop lowering.
// CHECK-LABEL: func.func @heads_out
// CHECK-NOT: linalg.
// CHECK: scf.parallel
// CHECK: %[[ROW:.*]] = vector.load %{{.*}} : memref<1x64x4x16xf32>, vector<16xf32>
// CHECK: vector.store %[[ROW]], %{{.*}} : memref<1x4x64x16xf32>, vector<16xf32>
// CHECK-LABEL: func.func @heads_out_strided
// CHECK: linalg.generic
func.func @heads_out(%a: memref<1x64x4x16xf32>, %b: memref<1x4x64x16xf32>) {
  linalg.transpose ins(%a : memref<1x64x4x16xf32>) outs(%b : memref<1x4x64x16xf32>) permutation = [0, 2, 1, 3]
  return
}
func.func @heads_out_strided(%a: memref<1x64x4x16xf32, strided<[?, ?, ?, ?], offset: ?>>, %b: memref<1x4x64x16xf32>) {
  linalg.transpose ins(%a : memref<1x64x4x16xf32, strided<[?, ?, ?, ?], offset: ?>>) outs(%b : memref<1x4x64x16xf32>) permutation = [0, 2, 1, 3]
  return
}
