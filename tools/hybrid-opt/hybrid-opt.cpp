//===- hybrid-opt.cpp - the Hybrid optimizer driver -----------------------===//
//
// mlir-opt with every upstream dialect, extension and pass plus Hybrid's
// dialect, passes and named pipelines. Later it grows into the user-facing
// compiler (ONNX in, libraries out); its flags stay in the mlir-opt style.
//
//===----------------------------------------------------------------------===//
#include "hybrid/InitHybrid.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  hybrid::registerAllHybridPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  hybrid::registerAllHybridDialects(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Hybrid optimizer driver\n", registry));
}
