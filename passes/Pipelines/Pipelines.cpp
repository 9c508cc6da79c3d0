//===- Pipelines.cpp - Hybrid's named pass pipelines ----------------------===//
#include "passes/Pipelines/Pipelines.h"

#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
/// What the CPU pipeline adds to the reference lowering.
struct LoweringHooks {
  bool parallel = false;
  int64_t parallelMinWork = 0;
  bool instrumentKernels = false;
  /// Register-tiled vector microkernels for contractions
  /// (hybrid-vectorize-contractions).
  bool vectorizeContractions = false;
  int64_t microkernelRows = 6, microkernelColumns = 16;
  /// Tiled online-softmax attention (hybrid-flash-attention).
  bool flashAttention = false;
  int64_t flashMinQueryRows = 8;
  /// Polynomial exp/log/tanh/erf instead of libm calls
  /// (hybrid-approximate-math).
  bool approximateMath = false;
  /// Buffers through _mlir_memref_to_llvm_{alloc,free} (defined by the CPU
  /// target to call the runtime's allocator) instead of malloc/free.
  bool genericAllocation = false;
};

void buildLowering(OpPassManager &pm, const LoweringHooks &hooks) {
  // Tensors to buffers. Function arguments and results become plain
  // (identity-layout) memrefs; destinations are written in place, and a
  // result that is just a destination argument is dropped (private functions
  // only: a public function keeps its signature and returns the buffer).
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // A loop (an ONNX Scan) may carry a freshly computed tensor to its next
  // iteration; the deallocation pipeline below frees the buffers it leaves.
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  // A public function returns a fresh copy of a buffer it does not own (a
  // `bufferization.clone`, here an alloc + copy the caller frees).
  pm.addPass(createConvertBufferizationToMemRefPass());
  // Ownership frees a buffer at the end of its block; free it after its last
  // use instead, so the peak is what is live and the runtime's memory plan
  // can reuse memory.
  pm.addNestedPass<func::FuncOp>(hybrid::createHybridFreeEarlyPass());
  // Copies between strided buffers become loops rather than calls into MLIR's
  // runner-utils library, which compiled models do not link.
  pm.addPass(hybrid::createHybridExpandStridedCopiesPass());

  if (hooks.instrumentKernels)
    pm.addPass(hybrid::createHybridInstrumentKernelsPass());

  // Attention becomes score blocks on the stack and two contractions per
  // block, which the next pass vectorises like any other.
  if (hooks.flashAttention) {
    hybrid::HybridFlashAttentionPassOptions flash;
    flash.minQueryRows = hooks.flashMinQueryRows;
    pm.addNestedPass<func::FuncOp>(hybrid::createHybridFlashAttentionPass(flash));
  }

  // The Mamba-1 scan runs its channels in vector lanes.
  if (hooks.vectorizeContractions)
    pm.addNestedPass<func::FuncOp>(hybrid::createHybridVectorizeScansPass());

  // A grouped matmul becomes one contraction per expert's rows (weights
  // transposed at compile time when constant), vectorised below; a MoE
  // combine, row-wise accumulation.
  if (hooks.vectorizeContractions)
    pm.addPass(hybrid::createHybridLowerRoutedMoePass());

  // Matmul-like contractions become vector microkernels on scf.parallel
  // (after instrumentation, so each stays one kernel in profiles).
  if (hooks.vectorizeContractions) {
    hybrid::HybridVectorizeContractionsPassOptions kernel;
    kernel.mr = hooks.microkernelRows;
    kernel.nr = hooks.microkernelColumns;
    pm.addNestedPass<func::FuncOp>(hybrid::createHybridVectorizeContractionsPass(kernel));
  }

  // Every hybrid op through its scalar implementation; linalg to loops. With
  // `parallel`, dims that are parallel become scf.parallel loops, and the
  // outermost of those tasks for the runtime's thread pool.
  hybrid::HybridLowerToLoopsPassOptions loops;
  loops.parallel = hooks.parallel;
  pm.addPass(hybrid::createHybridLowerToLoopsPass(loops));
  if (hooks.parallel) {
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
    hybrid::HybridOutlineParallelLoopsPassOptions outline;
    outline.minWork = hooks.parallelMinWork;
    pm.addPass(hybrid::createHybridOutlineParallelLoopsPass(outline));
  } else {
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  }

  // On the whole module: parallel task bodies are llvm.func by now.
  if (hooks.approximateMath)
    pm.addPass(hybrid::createHybridApproximateMathPass());

  // Loops to LLVM. Arithmetic is f32 already; the remaining bf16 <-> f32
  // conversions become integer code (no libgcc bf16 helpers needed).
  // Arithmetic on bf16 (a Range or an elementwise op of a bf16 model) runs in
  // f32, rounding each result back to bf16, as the hardware would.
  arith::ArithEmulateUnsupportedFloatsOptions emulate;
  emulate.sourceTypeStrs = {"bf16"};
  emulate.targetTypeStr = "f32";
  pm.addPass(arith::createArithEmulateUnsupportedFloats(emulate));
  // Division forms and bf16 conversions LLVM lacks; float min/max stay ops
  // (LLVM intrinsics whose reductions vectorise).
  pm.addPass(hybrid::createHybridExpandArithPass());
  pm.addPass(createSCFToControlFlowPass());
  // Vector ops (the microkernels) to LLVM; n-D vectors do not occur.
  pm.addPass(createConvertVectorToLLVMPass());
  // expand-strided-metadata writes affine.apply, which lower-affine then
  // lowers together with any affine op left by tiling.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Math ops LLVM has intrinsics for (fma, floor, sqrt, exp, ...) become
  // those, which vectorise and select to instructions where the target has
  // them; the rest (erf, tanh, ... when not approximated) become libm calls.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = hooks.genericAllocation;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}
} // namespace

void hybrid::buildReferencePipeline(OpPassManager &pm, const ReferencePipelineOptions &) {
  buildLowering(pm, LoweringHooks());
}

void hybrid::buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options) {
  // Fold what the importer left (shape arithmetic, constant subgraphs) first.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // MoE layers into the routed form: each expert multiplies the rows routed
  // to it as one matrix product.
  if (options.routeMoe) {
    pm.addNestedPass<func::FuncOp>(hybrid::createHybridRouteMoePass());
    pm.addPass(createCanonicalizerPass());
  }
  // Elementwise chains into one loop nest each (fewer passes over memory,
  // fewer buffers).
  if (options.fuseElementwise) {
    pm.addNestedPass<func::FuncOp>(hybrid::createHybridFuseElementwisePass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  // Constant padding as a fill and a copy (bufferization would evaluate the
  // pad's body per element).
  if (options.vectorize)
    pm.addNestedPass<func::FuncOp>(hybrid::createHybridDecomposePadsPass());
  // Then the reference lowering with the runtime's hooks: scalar loops, the
  // parallel ones on the thread pool, that LLVM's optimiser (at the
  // TargetMachine's -O level, for the target CPU) unrolls and vectorises where
  // it can; contractions get register-tiled vector microkernels first.
  LoweringHooks hooks;
  hooks.parallel = options.parallel;
  hooks.parallelMinWork = options.parallelMinWork;
  hooks.instrumentKernels = options.instrumentKernels;
  hooks.vectorizeContractions = options.vectorize;
  hooks.microkernelRows = options.microkernelRows;
  hooks.microkernelColumns = options.microkernelColumns;
  hooks.flashAttention = options.flashAttention;
  hooks.flashMinQueryRows = options.flashMinQueryRows;
  hooks.approximateMath = options.approximateMath;
  hooks.genericAllocation = true;
  buildLowering(pm, hooks);
}

void hybrid::registerPipelines() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "hybrid-cpu-pipeline",
      "Lower an imported model (tensors, hybrid, linalg and upstream ops) to the "
      "LLVM dialect for the CPU target (what `--target=cpu` runs before "
      "translation to LLVM IR)",
      buildCpuPipeline);
  PassPipelineRegistration<ReferencePipelineOptions>(
      "hybrid-reference-pipeline",
      "Lower tensors with hybrid ops to the LLVM dialect through the scalar "
      "(reference) implementation of every op",
      buildReferencePipeline);
}
