//===- hybrid-import-fuzzer.cpp - libFuzzer target over the ONNX importer -===//
//
// Feeds arbitrary bytes to the ONNX importer and, when they import, to the
// onnx.node -> hybrid/linalg conversion. Any outcome but a crash, a sanitizer
// report, a hang or an out-of-memory is fine: bad input must end in a diagnostic.
// Built with -DHYBRID_BUILD_FUZZERS=ON (Clang only); test/ONNX/fuzz.test runs it
// for a bounded time from a seed corpus of small models.
//
//===----------------------------------------------------------------------===//
#include "hybrid/Import/ONNX.h"
#include "lib/Conversion/ONNXToHybrid/Passes.h"

#include "dialects/Hybrid/IR/HybridDialect.h"
#include "dialects/ONNX/IR/ONNXDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A fresh context per input, so nothing one input interns or registers (types,
  // attributes, resource blobs) accumulates over a run.
  mlir::DialectRegistry registry;
  registry.insert<hybrid::onnx::ONNXDialect, hybrid::HybridDialect, mlir::arith::ArithDialect,
                  mlir::cf::ControlFlowDialect, mlir::func::FuncDialect,
                  mlir::linalg::LinalgDialect, mlir::math::MathDialect, mlir::scf::SCFDialect,
                  mlir::tensor::TensorDialect>();
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();
  context.getDiagEngine().registerHandler([](mlir::Diagnostic &) { return mlir::success(); });
  llvm::StringRef buffer(reinterpret_cast<const char *>(data), size);
  // External data would be looked up next to this (nonexistent) path.
  // As hybrid-opt reads models: function ops without a converter are expanded.
  hybrid::OnnxImportOptions options;
  options.expandSchemaFunction = [](llvm::StringRef opType, int64_t version) {
    return !hybrid::hasOnnxConverter("", opType, version);
  };
  mlir::OwningOpRef<mlir::ModuleOp> module =
      hybrid::importOnnxModel(&context, buffer, "/nonexistent/fuzz-input.onnx", options);
  if (module)
    (void)hybrid::convertOnnxToHybrid(*module);
  return 0;
}
