// RUN: hybrid-opt %s --split-input-file --hybrid-vectorize-contractions | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-vectorize-contractions="pack=0" | FileCheck %s --check-prefix=NOPACK
// RUN: hybrid-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(hybrid-vectorize-contractions))" | FileCheck %s --check-prefix=NOPACK

// Constant weights are packed at compile time into [column tiles, K, 16]
// panels, zero past N = 20; every row block reads its tile's panel, and the
// original global, read by nothing else, is gone.
// CHECK-LABEL: memref.global "private" constant @w_panels16 : memref<2x2x16xf32> = dense<
// CHECK-SAME: {{\[\[\[}}0.000000e+00, 1.000000e+00, {{.*}}, 1.500000e+01], [1.000000e+02, {{.*}}, 1.150000e+02]],
// CHECK-SAME: {{\[\[}}1.600000e+01, 1.700000e+01, 1.800000e+01, 1.900000e+01, 0.000000e+00, {{.*}}, 0.000000e+00], [1.160000e+02, 1.170000e+02, 1.180000e+02, 1.190000e+02, 0.000000e+00, {{.*}}]]]>
// CHECK-NOT: memref.global {{.*}} @w :
// CHECK-LABEL: func.func @linear
// CHECK: %[[P:.*]] = memref.get_global @w_panels16 : memref<2x2x16xf32>
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK: %[[T:.*]] = arith.divui %[[I]]
// CHECK: vector.load %[[P]][%[[T]], %{{.*}}, %{{.*}}] : memref<2x2x16xf32>, vector<16xf32>
// CHECK-NOT: memref.get_global @w :
// NOPACK-LABEL: func.func @linear
// NOPACK-NOT: _panels
// NOPACK: memref.get_global @w :
memref.global "private" constant @w : memref<2x20xf32> = dense<[
  [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0],
  [100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0]]>
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @linear(%a: memref<?x2xf32>, %c: memref<?x20xf32>) {
  %w = memref.get_global @w : memref<2x20xf32>
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<?x2xf32>, memref<2x20xf32>) outs(%c : memref<?x20xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Transposed weights (Gemm's transB, [N, K]) through a transpose view: the
// panels hold them in [K, N] order, so the lanes are one vector load instead
// of sixteen scalar ones. Two contractions on the same view share one
// packed global.
// CHECK: memref.global "private" constant @wt_panels16 : memref<2x64x16xf32>
// CHECK-NOT: @wt_panels16_
// CHECK-LABEL: func.func @transposed_twice
// CHECK-NOT: memref.get_global @wt :
// CHECK: vector.load %{{.*}} : memref<2x64x16xf32>, vector<16xf32>
// CHECK-NOT: vector.from_elements
// CHECK: vector.load %{{.*}} : memref<2x64x16xf32>, vector<16xf32>
// CHECK-NOT: vector.from_elements
// NOPACK-LABEL: func.func @transposed_twice
// NOPACK: vector.from_elements
memref.global "private" constant @wt : memref<32x64xf32> = dense<0.5>
#tA = affine_map<(m, n, k) -> (m, k)>
#tB = affine_map<(m, n, k) -> (n, k)>
#tC = affine_map<(m, n, k) -> (m, n)>
func.func @transposed_twice(%a: memref<8x64xf32>, %c: memref<8x32xf32>, %d: memref<8x32xf32>) {
  %w = memref.get_global @wt : memref<32x64xf32>
  linalg.generic {indexing_maps = [#tA, #tB, #tC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<8x64xf32>, memref<32x64xf32>) outs(%c : memref<8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#tA, #tB, #tC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<8x64xf32>, memref<32x64xf32>) outs(%d : memref<8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A decode step's matrix-vector product on constant weights: one row, tiles
// of 64 lanes (eight accumulator chains, no unrolled reduction), panels of
// 64. The weights are also read elsewhere, so the original global stays.
// CHECK: memref.global "private" constant @wv : memref<128x1024xf32>
// CHECK: memref.global "private" constant @wv_panels64 : memref<16x128x64xf32>
// CHECK-LABEL: func.func @matvec
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c128{{.*}} step %c1{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<64xf32>)
// CHECK: vector.load %{{.*}} : memref<16x128x64xf32>, vector<64xf32>
// CHECK: vector.fma
// CHECK: memref.load %{{.*}} : memref<128x1024xf32>
memref.global "private" constant @wv : memref<128x1024xf32> = dense<0.25>
#vA = affine_map<(n, k) -> (k)>
#vB = affine_map<(n, k) -> (k, n)>
#vC = affine_map<(n, k) -> (n)>
func.func @matvec(%a: memref<128xf32>, %c: memref<1024xf32>) -> f32 {
  %w = memref.get_global @wv : memref<128x1024xf32>
  linalg.generic {indexing_maps = [#vA, #vB, #vC], iterator_types = ["parallel", "reduction"]}
      ins(%a, %w : memref<128xf32>, memref<128x1024xf32>) outs(%c : memref<1024xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  %i = arith.constant 3 : index
  %v = memref.load %w[%i, %i] : memref<128x1024xf32>
  return %v : f32
}

// -----

// Not packed: weights that are not constant (a mutable global), and a
// half-precision constant (packing would widen it to twice the bytes).
// CHECK-LABEL: func.func @not_packed
// CHECK-NOT: _panels
// CHECK: return
memref.global "private" @state : memref<64x32xf32> = dense<1.0>
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
memref.global "private" constant @half : memref<64x32xf16> = dense<1.0>
func.func @not_packed(%a: memref<8x64xf32>, %c: memref<8x32xf32>) {
  %s = memref.get_global @state : memref<64x32xf32>
  %h = memref.get_global @half : memref<64x32xf16>
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %s : memref<8x64xf32>, memref<64x32xf32>) outs(%c : memref<8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %t = arith.addf %o, %p : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %h : memref<8x64xf32>, memref<64x32xf16>) outs(%c : memref<8x32xf32>) {
  ^bb0(%x: f32, %y: f16, %o: f32):
    %y32 = arith.extf %y : f16 to f32
    %p = arith.mulf %x, %y32 : f32
    %t = arith.addf %o, %p : f32
    linalg.yield %t : f32
  }
  return
}
