// RUN: hybrid-opt %s --split-input-file --hybrid-flash-attention | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-flash-attention="query-block=32 key-block=16 min-query-rows=0" | FileCheck %s --check-prefix=SMALL
// RUN: hybrid-opt %s --split-input-file --hybrid-flash-attention="min-query-rows=8" | FileCheck %s --check-prefix=ROWS8
// RUN: not hybrid-opt %s --split-input-file --hybrid-flash-attention="key-block=0" 2>&1 | FileCheck %s --check-prefix=OPTS

// OPTS: need query-block >= 1, key-block >= 1 and min-query-rows >= 0, got query-block=48 key-block=0 min-query-rows=0

// Causal GQA prefill (two query heads per kv head): k is transposed once into
// a 64-byte aligned f32 buffer (vector stores of gathered keys, a parallel
// loop over batch, kv head and chunk of 256 keys); one parallel loop over (batch, query head,
// block of up to 48 query rows) keeps its score block, accumulator, row max and row
// sum on the stack (restored per iteration); the key loop ends at the block's
// last visible key; each key block is one q.k^T contraction into the zeroed
// scores, the online softmax per row on vectors of 16 keys (scale, causal
// lanes, max; exp and sum; the last vector masked; rescale) and one p.v
// contraction into the accumulator; the rows are divided by their sums.
// CHECK-LABEL: func.func @causal_gqa
// CHECK-SAME: (%[[Q:.*]]: memref<1x4x128x64xf32>, %[[K:.*]]: memref<1x2x128x64xf32>, %[[V:.*]]: memref<1x2x128x32xf32>, %[[O:.*]]: memref<1x4x128x32xf32>)
// CHECK-NOT: hybrid.attention
// CHECK: %[[KT:.*]] = memref.alloc({{.*}}) {alignment = 64 : i64} : memref<?x?x64x?xf32>
// The transposition: vectors of 8 keys gathered per d, the last keys (past
// a multiple of 8, in the last chunk) one by one.
// CHECK: %[[FULL:.*]] = arith.muli %{{.*}}, %c8
// CHECK: %[[CHUNKS:.*]] = arith.ceildivui %[[SKV:.*]], %c256
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %[[TC:.*]]) = (%c0{{.*}}, %c0{{.*}}, %c0{{.*}}) to (%{{.*}}, %{{.*}}, %[[CHUNKS]])
// CHECK: %[[LO:.*]] = arith.muli %[[TC]], %c256
// CHECK: %[[HI:.*]] = arith.minui %{{.*}}, %[[SKV]]
// CHECK: %[[VEND:.*]] = arith.minui %[[HI]], %[[FULL]]
// CHECK: %[[TAIL:.*]] = arith.maxui %[[LO]], %[[FULL]]
// CHECK: scf.for %[[TJ:.*]] = %[[LO]] to %[[VEND]] step %c8
// CHECK: scf.for %[[TD:.*]] = %c0{{.*}} to %c64
// CHECK-COUNT-8: memref.load %[[K]][%{{.*}}, %{{.*}}, %{{.*}}, %[[TD]]] : memref<1x2x128x64xf32>
// CHECK: %[[TV:.*]] = vector.from_elements {{.*}} : vector<8xf32>
// CHECK: vector.store %[[TV]], %[[KT]][%{{.*}}, %{{.*}}, %[[TD]], %[[TJ]]] : memref<?x?x64x?xf32>, vector<8xf32>
// CHECK: scf.for %{{.*}} = %[[TAIL]] to %[[HI]]
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[KT]]
// Blocks of min(48, max(16, ceil(Sq / 4))) rows, at run time: 4 tasks per
// head at least.
// CHECK: %[[QUARTER:.*]] = arith.ceildivui %{{.*}}, %c4
// CHECK: %[[ATLEAST:.*]] = arith.maxui %c16, %[[QUARTER]]
// CHECK: %[[ROWS:.*]] = arith.minui %c48, %[[ATLEAST]]
// CHECK: %[[NB:.*]] = arith.ceildivui %{{.*}}, %[[ROWS]]
// CHECK: scf.parallel (%[[B:.*]], %[[H:.*]], %[[QB:.*]]) = ({{.*}}) to ({{.*}}, %[[NB]])
// CHECK: %[[HK:.*]] = arith.divui %[[H]], %c2
// CHECK: %[[SP:.*]] = llvm.intr.stacksave
// CHECK: %[[S:.*]] = memref.alloca() {alignment = 64 : i64} : memref<48x64xf32>
// CHECK: %[[ACC:.*]] = memref.alloca() {alignment = 64 : i64} : memref<48x32xf32>
// CHECK: %[[QS:.*]] = memref.subview %[[Q]][%[[B]], %[[H]], %{{.*}}, 0] [1, 1, %{{.*}}, 64] [1, 1, 1, 1]
// CHECK: %[[HI:.*]] = arith.minsi
// CHECK: scf.for %[[J0:.*]] = %{{.*}} to %{{.*}} step %c64
// CHECK: linalg.fill
// CHECK: %[[KS:.*]] = memref.subview %[[KT]][%[[B]], %[[HK]], 0, %[[J0]]] [1, 1, 64, %{{.*}}] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[QS]], %[[KS]] : {{.*}}) outs(%{{.*}} : memref<?x?xf32, strided<[64, 1]>>)
// CHECK: scf.for %[[C:.*]] = {{.*}} iter_args({{.*}}) -> (vector<16xf32>)
// CHECK: %[[SV:.*]] = vector.load %[[S]][%{{.*}}, %[[C]]] : memref<48x64xf32>, vector<16xf32>
// CHECK: arith.mulf %[[SV]], %{{.*}} : vector<16xf32>
// CHECK: arith.cmpi sge, %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK: arith.cmpi sle, %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK: arith.select %{{.*}} : vector<16xi1>, vector<16xf32>
// CHECK: vector.store %{{.*}}, %[[S]][%{{.*}}, %[[C]]]
// The running maximum: select(m > s, m, s), one vmaxps.
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[M:.*]], %[[X:.*]] : vector<16xf32>
// CHECK: arith.select %[[GT]], %[[M]], %[[X]] : vector<16xi1>, vector<16xf32>
// CHECK: scf.if
// CHECK: vector.maskedload %[[S]]
// CHECK: vector.maskedstore %[[S]]
// The row's maximum by halves, 16 -> 8 -> 4 -> 2 -> 1 lanes.
// CHECK: vector.extract_strided_slice %{{.*}} {offsets = [8], sizes = [8], strides = [1]} : vector<16xf32> to vector<8xf32>
// CHECK: arith.cmpf ogt, %{{.*}} : vector<8xf32>
// CHECK: vector.extract %{{.*}}[0] : f32 from vector<1xf32>
// alpha = exp(m - m') and the weights by the softmax's exp (x <= 0): no
// math.exp; t = x log2(e) + magic, 2 + 7 FMAs, 2^k from t's bits, 0 below
// -86.5 (uge: NaN stays).
// CHECK-NOT: math.exp
// CHECK: %[[T:.*]] = math.fma %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK: arith.bitcast %[[T]] : f32 to i32
// CHECK: arith.cmpf uge
// CHECK: scf.for
// CHECK: %[[TV:.*]] = math.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-COUNT-9: math.fma {{.*}} : vector<16xf32>
// CHECK: %[[BITS:.*]] = arith.bitcast %[[TV]] : vector<16xf32> to vector<16xi32>
// CHECK: arith.shli %[[BITS]]
// CHECK: arith.cmpf uge, %{{.*}} : vector<16xf32>
// CHECK: vector.store
// CHECK: scf.if
// CHECK: vector.maskedstore %[[S]]
// CHECK: vector.reduction <add>, %{{.*}} fastmath<reassoc>
// acc *= alpha on vectors (dv = 32: two whole ones), skipped while the row's
// maximum is still -inf.
// CHECK: %[[SEEN:.*]] = arith.cmpf one
// CHECK: scf.if %[[SEEN]] {
// CHECK: vector.load %[[ACC]]
// CHECK: arith.mulf
// CHECK: vector.store %{{.*}}, %[[ACC]]
// CHECK: vector.load %[[ACC]]
// CHECK: vector.store %{{.*}}, %[[ACC]]
// CHECK: }
// CHECK: %[[VS:.*]] = memref.subview %[[V]][%[[B]], %[[HK]], %[[J0]], 0]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[VS]] : {{.*}}) outs(%{{.*}} : memref<?x32xf32, strided<[32, 1]>>)
// The output rows on vectors too (o is contiguous f32).
// CHECK: arith.divf %{{.*}} : vector<16xf32>
// CHECK: vector.store %{{.*}}, %[[O]][%[[B]], %[[H]], %{{.*}}, %{{.*}}] : memref<1x4x128x32xf32>, vector<16xf32>
// CHECK: arith.divf %{{.*}} : vector<16xf32>
// CHECK: vector.store %{{.*}}, %[[O]]
// CHECK: llvm.intr.stackrestore %[[SP]]
// CHECK: memref.dealloc %[[KT]]
func.func @causal_gqa(%q: memref<1x4x128x64xf32>, %k: memref<1x2x128x64xf32>,
                      %v: memref<1x2x128x32xf32>, %o: memref<1x4x128x32xf32>) {
  hybrid.attention ins(%q, %k, %v : memref<1x4x128x64xf32>, memref<1x2x128x64xf32>,
                       memref<1x2x128x32xf32>) outs(%o : memref<1x4x128x32xf32>) {causal}
  return
}

// -----

// A dynamic Sq: the flash form for any length by default; with
// min-query-rows=8, the flash form for 8 rows or more and the op itself (the
// scalar loops) otherwise. bf16 operands are widened in the contractions and
// the result rounded when stored; a float mask is added per score, its
// broadcast dims read at index 0.
// CHECK-LABEL: func.func @dynamic_bf16_mask
// CHECK-NOT: scf.if
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: scf.parallel
// CHECK: memref.load %{{.*}}[%c0{{.*}}, %c0{{.*}}, %{{.*}}, %{{.*}}] : memref<1x1x?x?xbf16>
// CHECK: arith.addf
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK-NOT: hybrid.attention
// ROWS8-LABEL: func.func @dynamic_bf16_mask
// ROWS8: %[[SQ:.*]] = memref.dim %{{.*}}, %c2{{.*}} : memref<1x2x?x16xbf16>
// ROWS8: %[[LONG:.*]] = arith.cmpi uge, %[[SQ]], %c8
// ROWS8: scf.if %[[LONG]] {
// ROWS8: arith.extf %{{.*}} : bf16 to f32
// ROWS8: scf.parallel
// ROWS8: arith.truncf %{{.*}} : f32 to bf16
// ROWS8: } else {
// ROWS8-NEXT: hybrid.attention
// ROWS8: }
// SMALL-LABEL: func.func @dynamic_bf16_mask
// SMALL-NOT: scf.if
// SMALL: memref.alloca() {alignment = 64 : i64} : memref<32x16xf32>
// SMALL-NOT: hybrid.attention
func.func @dynamic_bf16_mask(%q: memref<1x2x?x16xbf16>, %k: memref<1x2x?x16xbf16>,
                             %v: memref<1x2x?x16xbf16>, %m: memref<1x1x?x?xbf16>,
                             %o: memref<1x2x?x16xbf16>) {
  hybrid.attention ins(%q, %k, %v : memref<1x2x?x16xbf16>, memref<1x2x?x16xbf16>,
                       memref<1x2x?x16xbf16>) mask(%m : memref<1x1x?x?xbf16>)
                   outs(%o : memref<1x2x?x16xbf16>)
  return
}

// -----

// An f32 mask: added on vectors, a row of 16 keys per load when its last dim
// is static, the one value of a row broadcast when that dim is 1, and picked
// at run time when it is dynamic. A sliding window bounds the lanes on both
// sides.
// CHECK-LABEL: func.func @f32_masks
// CHECK: scf.parallel
// CHECK: vector.load %{{.*}} : memref<2x1x32x32xf32>, vector<16xf32>
// CHECK: arith.addf %{{.*}} : vector<16xf32>
// CHECK: arith.cmpi sge, %{{.*}} : vector<16xi32>
// CHECK: arith.cmpi sle, %{{.*}} : vector<16xi32>
// CHECK: scf.parallel
// CHECK: %[[ONE:.*]] = memref.load %{{.*}} : memref<32x1xf32>
// CHECK: vector.broadcast %[[ONE]] : f32 to vector<16xf32>
// CHECK: scf.parallel
// CHECK: %[[ISONE:.*]] = arith.cmpi eq, %{{.*}}, %c1
// CHECK: scf.if %[[ISONE]] -> (vector<16xf32>)
// CHECK: memref.load %{{.*}} : memref<32x?xf32>
// CHECK: } else {
// CHECK: vector.load %{{.*}} : memref<32x?xf32>, vector<16xf32>
func.func @f32_masks(%q: memref<2x2x32x16xf32>, %k: memref<2x2x32x16xf32>,
                     %v: memref<2x2x32x16xf32>, %m: memref<2x1x32x32xf32>,
                     %m1: memref<32x1xf32>, %md: memref<32x?xf32>,
                     %o: memref<2x2x32x16xf32>) {
  hybrid.attention ins(%q, %k, %v : memref<2x2x32x16xf32>, memref<2x2x32x16xf32>,
                       memref<2x2x32x16xf32>) mask(%m : memref<2x1x32x32xf32>)
                   outs(%o : memref<2x2x32x16xf32>) {causal, window_left = 8 : i64}
  hybrid.attention ins(%q, %k, %v : memref<2x2x32x16xf32>, memref<2x2x32x16xf32>,
                       memref<2x2x32x16xf32>) mask(%m1 : memref<32x1xf32>)
                   outs(%o : memref<2x2x32x16xf32>)
  hybrid.attention ins(%q, %k, %v : memref<2x2x32x16xf32>, memref<2x2x32x16xf32>,
                       memref<2x2x32x16xf32>) mask(%md : memref<32x?xf32>)
                   outs(%o : memref<2x2x32x16xf32>)
  return
}

// -----

// A causal GQA decode step (Sq = 1) takes the flash form: 9 keys make one
// chunk of the transposition (the first 8 a vector, the 9th alone), then one
// block of its one row per query head. With min-query-rows=8 it keeps the
// scalar loops. Left alone: f64, a dynamic head size, and the op on tensors
// (before bufferization).
// CHECK-LABEL: func.func @left_alone
// CHECK: memref.dim %{{.*}} : memref<1x1x9x16xf32>
// CHECK: %[[CHUNKS:.*]] = arith.ceildivui %{{.*}}, %c256
// CHECK: scf.parallel ({{.*}}) = ({{.*}}) to (%{{.*}}, %{{.*}}, %[[CHUNKS]])
// CHECK: vector.from_elements {{.*}} : vector<8xf32>
// CHECK: scf.parallel ({{.*}}) = ({{.*}}) to ({{.*}})
// CHECK: %[[HK:.*]] = arith.divui %{{.*}}, %c4
// CHECK: llvm.intr.stackrestore
// CHECK-COUNT-2: hybrid.attention
// CHECK-NOT: hybrid.attention
// SMALL-LABEL: func.func @left_alone
// SMALL-COUNT-2: hybrid.attention
// SMALL-NOT: hybrid.attention
// ROWS8-LABEL: func.func @left_alone
// ROWS8-COUNT-3: hybrid.attention
// ROWS8-NOT: scf.parallel
func.func @left_alone(%q: memref<1x4x1x16xf32>, %k: memref<1x1x9x16xf32>,
                      %v: memref<1x1x9x16xf32>, %o: memref<1x4x1x16xf32>,
                      %qd: memref<1x2x9x16xf64>, %od: memref<1x2x9x16xf64>,
                      %qh: memref<1x2x9x?xf32>, %kh: memref<1x2x9x?xf32>,
                      %vh: memref<1x2x9x16xf32>, %oh: memref<1x2x9x16xf32>) {
  hybrid.attention ins(%q, %k, %v : memref<1x4x1x16xf32>, memref<1x1x9x16xf32>,
                       memref<1x1x9x16xf32>) outs(%o : memref<1x4x1x16xf32>) {causal}
  hybrid.attention ins(%qd, %qd, %qd : memref<1x2x9x16xf64>, memref<1x2x9x16xf64>,
                       memref<1x2x9x16xf64>) outs(%od : memref<1x2x9x16xf64>)
  hybrid.attention ins(%qh, %kh, %vh : memref<1x2x9x?xf32>, memref<1x2x9x?xf32>,
                       memref<1x2x9x16xf32>) outs(%oh : memref<1x2x9x16xf32>)
  return
}

// -----

// A GQA decode step (two query heads per kv head, two kv heads): one task per
// (batch, kv head) whose block rows are the group's query rows, gathered from
// q onto the stack (row r: head hk x 2 + r / Sq, query row r mod Sq); the key
// blocks are read once for both heads, and each row is written to its head.
// With a dynamic Sq the grouped form runs when Sq x 2 rows fit a block (48),
// the per-head blocks otherwise.
// ROWS8-LABEL: func.func @grouped
// CHECK-LABEL: func.func @grouped
// CHECK-SAME: (%[[Q:.*]]: memref<1x4x1x16xf32>, %[[K:.*]]: memref<1x2x9x16xf32>, %[[V:.*]]: memref<1x2x9x16xf32>, %[[O:.*]]: memref<1x4x1x16xf32>
// CHECK: %[[SQ:.*]] = memref.dim %[[Q]], %c2
// CHECK: %[[KT:.*]] = memref.alloc
// CHECK: scf.parallel
// CHECK: scf.parallel (%[[B:.*]], %[[HK:.*]]) = (%{{.*}}, %{{.*}}) to (%{{.*}}, %{{.*}}) step
// CHECK: %[[ROWS:.*]] = arith.muli %[[SQ]], %c2
// CHECK-COUNT-3: linalg.fill
// CHECK: %[[QS:.*]] = memref.alloca() {alignment = 64 : i64} : memref<48x16xf32>
// CHECK: scf.for %[[R:.*]] = %{{.*}} to %[[ROWS]]
// CHECK: %[[H0:.*]] = arith.muli %[[HK]], %c2
// CHECK: %[[HR:.*]] = arith.divui %[[R]], %[[SQ]]
// CHECK: %[[HEAD:.*]] = arith.addi %[[H0]], %[[HR]]
// CHECK: %[[QI:.*]] = arith.remui %[[R]], %[[SQ]]
// CHECK: %[[X:.*]] = memref.load %[[Q]][%[[B]], %[[HEAD]], %[[QI]], %{{.*}}]
// CHECK: memref.store %[[X]], %[[QS]][%[[R]], %{{.*}}]
// CHECK: %[[QROWS:.*]] = memref.subview %[[QS]][0, 0] [%[[ROWS]], 16] [1, 1]
// CHECK: scf.for %[[J0:.*]] =
// CHECK: %[[KS:.*]] = memref.subview %[[KT]][%[[B]], %[[HK]], 0, %[[J0]]]
// CHECK: linalg.generic {{.*}} ins(%[[QROWS]], %[[KS]] :
// CHECK: %[[VS:.*]] = memref.subview %[[V]][%[[B]], %[[HK]], %[[J0]], 0]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[VS]] :
// CHECK: arith.divf
// CHECK: vector.store %{{.*}}, %[[O]][%[[B]], %{{.*}}, %{{.*}}, %{{.*}}]
// CHECK-LABEL: func.func @grouped_dynamic
// CHECK: %[[DSQ:.*]] = memref.dim %{{.*}}, %c2{{.*}} : memref<1x4x?x16xf32>
// CHECK: scf.parallel
// CHECK: %[[N:.*]] = arith.muli %[[DSQ]], %c2
// CHECK: %[[FITS:.*]] = arith.cmpi ule, %[[N]], %c48
// CHECK: scf.if %[[FITS]] {
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = (%{{.*}}, %{{.*}}) to (%{{.*}}, %{{.*}}) step
// CHECK: } else {
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = (%{{.*}}, %{{.*}}, %{{.*}}) to
// CHECK: }
// CHECK: memref.dealloc
func.func @grouped(%q: memref<1x4x1x16xf32>, %k: memref<1x2x9x16xf32>,
                   %v: memref<1x2x9x16xf32>, %o: memref<1x4x1x16xf32>) {
  hybrid.attention ins(%q, %k, %v : memref<1x4x1x16xf32>, memref<1x2x9x16xf32>,
                       memref<1x2x9x16xf32>) outs(%o : memref<1x4x1x16xf32>) {causal}
  return
}
func.func @grouped_dynamic(%q: memref<1x4x?x16xf32>, %k: memref<1x2x?x16xf32>,
                           %v: memref<1x2x?x16xf32>, %o: memref<1x4x?x16xf32>) {
  hybrid.attention ins(%q, %k, %v : memref<1x4x?x16xf32>, memref<1x2x?x16xf32>,
                       memref<1x2x?x16xf32>) outs(%o : memref<1x4x?x16xf32>) {causal}
  return
}

// -----

// A head of 12 (CoAtNet's): the accumulator's rescale and the output rows are
// one masked vector of 12 lanes each; an output whose rows are not contiguous
// keeps the scalar loop.
// CHECK-LABEL: func.func @head12
// CHECK: scf.if
// CHECK: %[[M12:.*]] = vector.create_mask %c12{{.*}} : vector<16xi1>
// CHECK: vector.maskedload %{{.*}}, %[[M12]]
// CHECK: arith.mulf
// CHECK: vector.maskedstore %{{.*}}, %[[M12]]
// CHECK: arith.divf %{{.*}} : vector<16xf32>
// CHECK: vector.maskedstore %{{.*}} : memref<1x2x64x12xf32>, vector<16xi1>, vector<16xf32>
// CHECK-LABEL: func.func @head12_strided_out
// CHECK: scf.for %[[E:.*]] = %c0{{.*}} to %c12
// CHECK: arith.divf %{{.*}} : f32
// CHECK: memref.store %{{.*}} : memref<1x2x64x12xf32, strided<[3072, 1536, 24, 2]>>
func.func @head12(%q: memref<1x2x64x12xf32>, %o: memref<1x2x64x12xf32>) {
  hybrid.attention ins(%q, %q, %q : memref<1x2x64x12xf32>, memref<1x2x64x12xf32>,
                       memref<1x2x64x12xf32>) outs(%o : memref<1x2x64x12xf32>)
  return
}
func.func @head12_strided_out(%q: memref<1x2x64x12xf32>,
                              %o: memref<1x2x64x12xf32, strided<[3072, 1536, 24, 2]>>) {
  hybrid.attention ins(%q, %q, %q : memref<1x2x64x12xf32>, memref<1x2x64x12xf32>,
                       memref<1x2x64x12xf32>) outs(%o : memref<1x2x64x12xf32, strided<[3072, 1536, 24, 2]>>)
  return
}

// -----

// CHECK-LABEL: func.func @tensors
// SMALL-LABEL: func.func @tensors
// ROWS8-LABEL: func.func @tensors
// CHECK: hybrid.attention
// CHECK-NOT: scf.parallel
func.func @tensors(%q: tensor<1x2x64x16xf32>, %o: tensor<1x2x64x16xf32>) -> tensor<1x2x64x16xf32> {
  %r = hybrid.attention ins(%q, %q, %q : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>,
                            tensor<1x2x64x16xf32>) outs(%o : tensor<1x2x64x16xf32>) -> tensor<1x2x64x16xf32>
  return %r : tensor<1x2x64x16xf32>
}
