//===- InitHybrid.h - register Hybrid's dialects and passes ----*- C++ -*-===//
//
// The one place that knows every dialect, extension, pass and pipeline Hybrid
// adds to MLIR. hybrid-opt, the tests and the compiler facade call these.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_INITHYBRID_H
#define HYBRID_INITHYBRID_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace hybrid {

/// Adds the hybrid dialect and its external interface models (bufferization)
/// to `registry`.
void registerAllHybridDialects(mlir::DialectRegistry &registry);

/// Registers Hybrid's passes and named pipelines with the global registry.
void registerAllHybridPasses();

} // namespace hybrid

#endif // HYBRID_INITHYBRID_H
