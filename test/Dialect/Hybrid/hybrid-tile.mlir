// RUN: hybrid-opt %s --hybrid-tile="tile-sizes=1,2" --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @attention
// CHECK: scf.for %[[B:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: scf.for %[[H:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: hybrid.attention ins({{.*}} : tensor<1x2x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>) mask(%{{.*}} : tensor<1x1x8x8xi1>) outs(%{{.*}} : tensor<1x2x8x16xf32>)
// CHECK: tensor.insert_slice
func.func @attention(%q: tensor<2x4x8x16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<2x2x8x16xf32>, %m: tensor<2x1x8x8xi1>, %o: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>) mask(%m : tensor<2x1x8x8xi1>) outs(%o : tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %r : tensor<2x4x8x16xf32>
}

// An op with a one-dim domain takes the first size only; a memref op is left alone.
// CHECK-LABEL: func.func @moe_combine_and_memref
// CHECK: scf.for
// CHECK: hybrid.moe_combine ins({{.*}}) outs(%{{.*}} : tensor<16x1xf32>)
// CHECK: hybrid.rms_norm ins({{.*}} : memref<4x8xf32>, memref<8xf32>) outs(%{{.*}} : memref<4x8xf32>)
func.func @moe_combine_and_memref(%e: tensor<32x8xf32>, %src: tensor<32xi64>, %w: tensor<16x2xf32>, %y: tensor<16x8xf32>,
                                  %x: memref<4x8xf32>, %nw: memref<8xf32>, %ny: memref<4x8xf32>) -> tensor<16x8xf32> {
  %r = hybrid.moe_combine ins(%e, %src, %w : tensor<32x8xf32>, tensor<32xi64>, tensor<16x2xf32>) outs(%y : tensor<16x8xf32>) -> tensor<16x8xf32>
  hybrid.rms_norm ins(%x, %nw : memref<4x8xf32>, memref<8xf32>) outs(%ny : memref<4x8xf32>)
  return %r : tensor<16x8xf32>
}
