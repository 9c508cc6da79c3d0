//===- InitHybrid.cpp - register Hybrid's dialects and passes -------------===//
#include "hybrid/InitHybrid.h"

#include "dialects/Hybrid/Extensions/BufferizableOpInterfaceImpl.h"
#include "dialects/Hybrid/IR/HybridDialect.h"
#include "dialects/Hybrid/Transforms/Passes.h"
#include "dialects/ONNX/IR/ONNXDialect.h"
#include "lib/Conversion/ONNXToHybrid/Passes.h"
#include "passes/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"

void hybrid::registerAllHybridDialects(mlir::DialectRegistry &registry) {
  registry.insert<HybridDialect, onnx::ONNXDialect>();
  registerBufferizableOpInterfaceExternalModels(registry);
}

void hybrid::registerAllHybridPasses() {
  registerHybridPasses();
  registerHybridConversionPasses();
  registerPipelines();
}

