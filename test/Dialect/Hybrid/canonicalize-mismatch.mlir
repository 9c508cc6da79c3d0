// RUN: not hybrid-opt %s --canonicalize 2>&1 | FileCheck %s
// Static sizes that disagree, hidden behind a tensor.cast, surface when the
// cast folds into the op: the program would have read out of bounds at run
// time; it fails verification at compile time instead.

// CHECK: error: 'hybrid.rms_norm' op rms_norm_c4: shape mismatch: dim 0 of x (1) must equal dim 0 of output (2)
func.func @mismatch(%x: tensor<1x8xf32>, %w: tensor<8xf32>, %o: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %xd = tensor.cast %x : tensor<1x8xf32> to tensor<?x8xf32>
  %r = hybrid.rms_norm ins(%xd, %w : tensor<?x8xf32>, tensor<8xf32>) outs(%o : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}
