// The MLIR input of compile.test (Inputs/ holds no tests: see lit.cfg.py).
func.func @rms(%x: tensor<?x64xf32>, %w: tensor<64xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %init = tensor.empty(%n) : tensor<?x64xf32>
  %y = hybrid.rms_norm ins(%x, %w : tensor<?x64xf32>, tensor<64xf32>)
         outs(%init : tensor<?x64xf32>) {epsilon = 1.0e-5 : f32} -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
