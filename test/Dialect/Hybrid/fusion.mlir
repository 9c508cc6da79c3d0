// RUN: hybrid-opt %s --transform-interpreter --split-input-file --canonicalize | FileCheck %s
// Producer fusion (TilingInterface::generateResultTileValue): a tiled consumer
// pulls in just the tile of a hybrid op it reads.

// rms_norm -> attention: tiling the attention by (batch, heads, query rows)
// computes the normalized q rows of each tile inside the loop.
// CHECK-LABEL: func.func @norm_into_attention
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[N:.*]] = hybrid.rms_norm ins(%{{.*}}, %{{.*}} : tensor<1x1x4x16xf32>, tensor<16xf32>) outs(%{{.*}} : tensor<1x1x4x16xf32>)
// CHECK: hybrid.attention ins(%[[N]], %{{.*}}, %{{.*}} : tensor<1x1x4x16xf32>, tensor<1x1x?x16xf32>, tensor<1x1x?x16xf32>) outs(%{{.*}} : tensor<1x1x4x16xf32>) {causal}
func.func @norm_into_attention(%x: tensor<2x4x8x16xf32>, %w: tensor<16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<2x2x8x16xf32>,
                               %n0: tensor<2x4x8x16xf32>, %o: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %q = hybrid.rms_norm ins(%x, %w : tensor<2x4x8x16xf32>, tensor<16xf32>) outs(%n0 : tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  %r = hybrid.attention ins(%q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>) outs(%o : tensor<2x4x8x16xf32>) {causal} -> tensor<2x4x8x16xf32>
  return %r : tensor<2x4x8x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%arg1: !transform.any_op {transform.readonly}) {
    %0 = transform.structured.match ops{["hybrid.attention"]} in %arg1 : (!transform.any_op) -> !transform.any_op
    %1, %loops:3 = transform.structured.fuse %0 tile_sizes [1, 1, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// attention -> elementwise linalg: the attention tile that a tile of the
// consumer reads. A consumer tile that cuts Dv (the last dim) could not be
// produced by one attention tile, so that dim stays whole.
// CHECK-LABEL: func.func @attention_into_elementwise
// CHECK: scf.forall ({{.*}}) in (2, 2, 2)
// CHECK: hybrid.attention {{.*}} outs(%{{.*}} : tensor<1x2x4x16xf32>) {causal}
// CHECK: linalg.generic
// CHECK: math.exp
func.func @attention_into_elementwise(%q: tensor<2x4x8x16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<2x2x8x16xf32>,
                                      %o: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %a = hybrid.attention ins(%q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>) outs(%o : tensor<2x4x8x16xf32>) {causal} -> tensor<2x4x8x16xf32>
  %e = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
       ins(%a : tensor<2x4x8x16xf32>) outs(%o : tensor<2x4x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = math.exp %in : f32
    linalg.yield %x : f32
  } -> tensor<2x4x8x16xf32>
  return %e : tensor<2x4x8x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%arg1: !transform.any_op {transform.readonly}) {
    %a = transform.structured.match ops{["hybrid.attention"]} in %arg1 : (!transform.any_op) -> !transform.any_op
    %g = transform.structured.match ops{["linalg.generic"]} in %arg1 : (!transform.any_op) -> !transform.any_op
    %t, %forall = transform.structured.tile_using_forall %g tile_sizes [1, 2, 4, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %f, %l = transform.structured.fuse_into_containing_op %a into %forall : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
