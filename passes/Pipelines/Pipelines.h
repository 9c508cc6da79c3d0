//===- Pipelines.h - Hybrid's named pass pipelines --------------*- C++ -*-===//
//
// Every pipeline Hybrid runs is defined here, once, and used by hybrid-opt
// (as a registered pipeline), the tests and later the Python API, so that any
// compile can be reproduced as `hybrid-opt --<pipeline-name>`.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_PASSES_PIPELINES_PIPELINES_H
#define HYBRID_PASSES_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace hybrid {

/// Options of the reference pipeline.
struct ReferencePipelineOptions
    : public mlir::PassPipelineOptions<ReferencePipelineOptions> {};

/// The reference lowering: tensors -> buffers (one-shot, function boundaries
/// included, destinations written in place) -> every hybrid op through its
/// scalar implementation -> scf -> cf -> LLVM dialect, with math functions as
/// libm calls. Functions marked `llvm.emit_c_interface` get C wrappers that
/// take memref descriptors.
void buildReferencePipeline(mlir::OpPassManager &pm,
                            const ReferencePipelineOptions &options);

/// Registers every pipeline above with the pass registry.
void registerPipelines();

} // namespace hybrid

#endif // HYBRID_PASSES_PIPELINES_PIPELINES_H
