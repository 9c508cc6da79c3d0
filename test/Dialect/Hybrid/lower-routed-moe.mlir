// RUN: hybrid-opt %s --hybrid-lower-routed-moe --canonicalize | FileCheck %s

// Constant weights read through a strided view (every other row: the gate
// rows of fc1 interleaving gate and up) are transposed at compile time into a
// new [E, K, N] global; the original, now unused, is erased. Each expert's
// rows are one zero-filled mul-add contraction reading B as [k, n]; rows past
// offsets[E] are zeroed; the offsets are checked.
// CHECK-DAG: #[[BKN:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[BNK:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-NOT: @fc1 :
// CHECK: memref.global "private" constant @fc1_kn : memref<2x3x3xf32> = dense<{{\[\[\[}}4.000000e+00, 1.000000e+01, 1.600000e+01], [5.000000e+00, 1.100000e+01, 1.700000e+01], [6.000000e+00, 1.200000e+01, 1.800000e+01]], {{\[\[}}2.200000e+01, 2.800000e+01, 3.400000e+01], [2.300000e+01, 2.900000e+01, 3.500000e+01], [2.400000e+01, 3.000000e+01, 3.600000e+01]]]> {alignment = 64 : i64}
// CHECK-NOT: @fc1 :
// CHECK-LABEL: func.func @strided_constant
// CHECK: cf.assert %{{.*}}, "hybrid.grouped_matmul: offsets[0] must be 0"
// CHECK: %[[W:.*]] = memref.get_global @fc1_kn : memref<2x3x3xf32>
// CHECK: scf.parallel (%[[E:.*]]) = (%c0) to (%c2) step (%c1) {
// CHECK: cf.assert %{{.*}}, "hybrid.grouped_matmul: offsets must be non-decreasing and at most the number of rows"
// CHECK: %[[ROWS:.*]] = memref.subview %arg0[%[[LO:.*]], 0] [%[[CNT:.*]], 3] [1, 1]
// CHECK: %[[OUT:.*]] = memref.subview %arg2[%[[LO]], 0] [%[[CNT]], 3] [1, 1]
// CHECK: %[[WE:.*]] = memref.subview %[[W]][%[[E]], 0, 0] [1, 3, 3] [1, 1, 1] : memref<2x3x3xf32> to memref<3x3xf32, strided<[3, 1], offset: ?>>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[OUT]]
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BKN]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[ROWS]], %[[WE]] : {{.*}}) outs(%[[OUT]] : {{.*}})
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: memref.subview %arg2[%[[END:.*]], 0] [%{{.*}}, 3] [1, 1]
// CHECK: linalg.fill
memref.global "private" constant @fc1 : memref<2x6x3xf32> = dense<[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0], [13.0, 14.0, 15.0], [16.0, 17.0, 18.0]], [[19.0, 20.0, 21.0], [22.0, 23.0, 24.0], [25.0, 26.0, 27.0], [28.0, 29.0, 30.0], [31.0, 32.0, 33.0], [34.0, 35.0, 36.0]]]>
func.func @strided_constant(%rows: memref<?x3xf32>, %off: memref<3xi64>, %out: memref<?x3xf32>) {
  %g = memref.get_global @fc1 : memref<2x6x3xf32>
  %w = memref.subview %g[0, 1, 0] [2, 3, 3] [1, 2, 1] : memref<2x6x3xf32> to memref<2x3x3xf32, strided<[18, 6, 1], offset: 3>>
  hybrid.grouped_matmul ins(%rows, %w, %off : memref<?x3xf32>, memref<2x3x3xf32, strided<[18, 6, 1], offset: 3>>, memref<3xi64>) outs(%out : memref<?x3xf32>)
  return
}

// Weights that are not constant are read as [n, k] (a transposed B, which
// the microkernels pack); a dynamic number of experts bounds the loop.
// CHECK-LABEL: func.func @arg_weights
// CHECK: %[[NE:.*]] = memref.dim %arg1, %c0 : memref<?x4x8xf32>
// CHECK: scf.parallel (%[[E:.*]]) = (%c0) to (%[[NE]]) step (%c1) {
// CHECK: %[[WE:.*]] = memref.subview %arg1[%[[E]], 0, 0] [1, 4, 8] [1, 1, 1] : memref<?x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BNK]], #{{.*}}], {{.*}} ins(%{{.*}}, %[[WE]] :
func.func @arg_weights(%rows: memref<?x8xf32>, %w: memref<?x4x8xf32>, %off: memref<?xi32>, %out: memref<?x4xf32>) {
  hybrid.grouped_matmul ins(%rows, %w, %off : memref<?x8xf32>, memref<?x4x8xf32>, memref<?xi32>) outs(%out : memref<?x4xf32>)
  return
}

// Combine: y zeroed, then per block of 256 columns every expert row (checked)
// is added, times its weight, to its token's row.
// CHECK-LABEL: func.func @combine
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%arg3 : memref<?x300xf32>)
// CHECK: scf.parallel (%[[B:.*]]) = (%c0) to (%c2) step (%c1) {
// CHECK: %[[D0:.*]] = arith.muli %[[B]], %c256
// CHECK: %[[D1:.*]] = arith.minui %{{.*}}, %c300
// CHECK: scf.for %[[R:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK: cf.assert %{{.*}}, "hybrid.moe_combine: row source out of range"
// CHECK: %[[T:.*]] = arith.divui
// CHECK: %[[S:.*]] = arith.remui
// CHECK: %[[WV:.*]] = memref.load %arg2[%[[T]], %[[S]]]
// CHECK: scf.for %[[D:.*]] = %[[D0]] to %[[D1]] step %c1 {
// CHECK: memref.load %arg3[%[[T]], %[[D]]]
// CHECK: memref.load %arg0[%[[R]], %[[D]]]
// CHECK: memref.store %{{.*}}, %arg3[%[[T]], %[[D]]]
func.func @combine(%eo: memref<?x300xf32>, %src: memref<?xi64>, %w: memref<?x2xf32>, %y: memref<?x300xf32>) {
  hybrid.moe_combine ins(%eo, %src, %w : memref<?x300xf32>, memref<?xi64>, memref<?x2xf32>) outs(%y : memref<?x300xf32>)
  return
}

// Index-typed offsets and sources are used as they are (no cast).
// CHECK-LABEL: func.func @index_offsets
// CHECK-NOT: arith.index_cast
// CHECK: scf.parallel
// CHECK: cf.assert %{{.*}}, "hybrid.moe_combine: row source out of range"
func.func @index_offsets(%rows: memref<?x8xf32>, %w: memref<2x4x8xf32>, %off: memref<3xindex>, %out: memref<?x4xf32>,
                         %eo: memref<?x4xf32>, %src: memref<?xindex>, %cw: memref<?x2xf32>, %y: memref<?x4xf32>) {
  hybrid.grouped_matmul ins(%rows, %w, %off : memref<?x8xf32>, memref<2x4x8xf32>, memref<3xindex>) outs(%out : memref<?x4xf32>)
  hybrid.moe_combine ins(%eo, %src, %cw : memref<?x4xf32>, memref<?xindex>, memref<?x2xf32>) outs(%y : memref<?x4xf32>)
  return
}

// Other element types keep the scalar implementations.
// CHECK-LABEL: func.func @f16_stays
// CHECK: hybrid.grouped_matmul
// CHECK: hybrid.moe_combine
func.func @f16_stays(%rows: memref<4x8xf16>, %w: memref<2x4x8xf16>, %off: memref<3xi64>, %out: memref<4x4xf16>,
                     %eo: memref<4x4xf16>, %src: memref<4xi64>, %cw: memref<2x2xf16>, %y: memref<2x4xf16>) {
  hybrid.grouped_matmul ins(%rows, %w, %off : memref<4x8xf16>, memref<2x4x8xf16>, memref<3xi64>) outs(%out : memref<4x4xf16>)
  hybrid.moe_combine ins(%eo, %src, %cw : memref<4x4xf16>, memref<4xi64>, memref<2x2xf16>) outs(%y : memref<2x4xf16>)
  return
}
