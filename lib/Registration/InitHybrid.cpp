//===- InitHybrid.cpp - register Hybrid's dialects and passes -------------===//
#include "hybrid/InitHybrid.h"

#include "dialects/Hybrid/Extensions/BufferizableOpInterfaceImpl.h"
#include "dialects/Hybrid/IR/HybridDialect.h"
#include "dialects/Hybrid/Transforms/Passes.h"
#include "dialects/ONNX/IR/ONNXDialect.h"
#include "lib/Conversion/ONNXToHybrid/Passes.h"
#include "passes/Pipelines/Pipelines.h"

#include "mlir/Dialect/Affine/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"

void hybrid::registerAllHybridDialects(mlir::DialectRegistry &registry) {
  registry.insert<HybridDialect, onnx::ONNXDialect>();
  registerBufferizableOpInterfaceExternalModels(registry);
  // The ONNX conversion reifies dynamic dims (a Scan's per-iteration outputs)
  // through the value-bounds analysis of the ops it emits.
  mlir::affine::registerValueBoundsOpInterfaceExternalModels(registry);
  mlir::arith::registerValueBoundsOpInterfaceExternalModels(registry);
  mlir::linalg::registerValueBoundsOpInterfaceExternalModels(registry);
  mlir::scf::registerValueBoundsOpInterfaceExternalModels(registry);
  mlir::tensor::registerValueBoundsOpInterfaceExternalModels(registry);
}

void hybrid::registerAllHybridPasses() {
  registerHybridPasses();
  registerHybridConversionPasses();
  registerPipelines();
}

