// RUN: hybrid-opt %s --split-input-file --verify-diagnostics --hybrid-tile="tile-sizes=1,3,2"
// The two generic errors after ours come from upstream scf::tileUsingSCF.

// Three query heads per tile cut the groups of two (GQA 4 -> 2).
func.func @head_tile_cuts_group(%q: tensor<1x6x8x16xf32>, %k: tensor<1x3x8x16xf32>, %o: tensor<1x6x8x16xf32>) -> tensor<1x6x8x16xf32> {
  // expected-error @+3 {{head tile must be a static multiple or divisor of the query group size Hq / Hkv}}
  // expected-error @+2 {{faild to tile operation}}
  // expected-error @+1 {{failed to generate tiling loops}}
  %r = hybrid.attention ins(%q, %k, %k : tensor<1x6x8x16xf32>, tensor<1x3x8x16xf32>, tensor<1x3x8x16xf32>) outs(%o : tensor<1x6x8x16xf32>) -> tensor<1x6x8x16xf32>
  return %r : tensor<1x6x8x16xf32>
}

// -----

// A query tile of a non-causal windowed attention would lose keys to its right.
func.func @noncausal_window_query_tile(%q: tensor<1x3x8x16xf32>, %o: tensor<1x3x8x16xf32>) -> tensor<1x3x8x16xf32> {
  // expected-error @+3 {{cannot tile the query sequence of a non-causal windowed attention}}
  // expected-error @+2 {{faild to tile operation}}
  // expected-error @+1 {{failed to generate tiling loops}}
  %r = hybrid.attention ins(%q, %q, %q : tensor<1x3x8x16xf32>, tensor<1x3x8x16xf32>, tensor<1x3x8x16xf32>) outs(%o : tensor<1x3x8x16xf32>) {window_right = 2 : i64} -> tensor<1x3x8x16xf32>
  return %r : tensor<1x3x8x16xf32>
}

// -----

// Three heads per tile cut the SSM groups of two heads.
func.func @ssm_head_tile_cuts_group(%x: tensor<1x4x6x2xf32>, %dt: tensor<1x4x6xf32>, %a: tensor<6xf32>, %b: tensor<1x4x3x4xf32>,
                                    %y: tensor<1x4x6x2xf32>, %s: tensor<1x6x2x4xf32>) -> tensor<1x4x6x2xf32> {
  // expected-error @+3 {{head tile must be a static multiple or divisor of the heads per group H / G}}
  // expected-error @+2 {{faild to tile operation}}
  // expected-error @+1 {{failed to generate tiling loops}}
  %r:2 = hybrid.ssm_scan ins(%x, %dt, %a, %b, %b : tensor<1x4x6x2xf32>, tensor<1x4x6xf32>, tensor<6xf32>, tensor<1x4x3x4xf32>, tensor<1x4x3x4xf32>)
           outs(%y, %s : tensor<1x4x6x2xf32>, tensor<1x6x2x4xf32>) -> tensor<1x4x6x2xf32>, tensor<1x6x2x4xf32>
  return %r#0 : tensor<1x4x6x2xf32>
}
