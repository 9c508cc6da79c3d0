//===- Pipelines.cpp - Hybrid's named pass pipelines ----------------------===//
#include "passes/Pipelines/Pipelines.h"

#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToGPU/SCFToGPUPass.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
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
  /// Elementwise epilogues computed on the microkernels' accumulators.
  bool fuseEpilogues = true;
  /// Tiled online-softmax attention (hybrid-flash-attention).
  bool flashAttention = false;
  int64_t flashMinQueryRows = 0;
  /// Polynomial exp/log/tanh/erf instead of libm calls
  /// (hybrid-approximate-math).
  bool approximateMath = false;
  /// Buffers through _mlir_memref_to_llvm_{alloc,free} (defined by the CPU
  /// target to call the runtime's allocator) instead of malloc/free.
  bool genericAllocation = false;
  /// Non-null: the CUDA target. Outermost parallel loops become GPU kernels
  /// and the device code is compiled for `gpu->chip`.
  const hybrid::CudaPipelineOptions *gpu = nullptr;
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
  // Transposes that keep rows contiguous become strided views their readers
  // read (before deallocations are placed, which then follow those reads).
  if (hooks.vectorizeContractions)
    pm.addNestedPass<func::FuncOp>(hybrid::createHybridFoldTransposesPass());
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
    kernel.epilogues = hooks.fuseEpilogues;
    // On the module: constant weights are packed into new globals.
    pm.addPass(hybrid::createHybridVectorizeContractionsPass(kernel));
    // Elementwise generics: vector rows over blocks of their trailing dims,
    // as wide as the microkernels' tiles.
    hybrid::HybridVectorizeElementwisePassOptions elementwise;
    elementwise.lanes = hooks.microkernelColumns;
    pm.addNestedPass<func::FuncOp>(hybrid::createHybridVectorizeElementwisePass(elementwise));
  }

  // Every hybrid op through its scalar implementation; linalg to loops. With
  // `parallel`, dims that are parallel become scf.parallel loops, and the
  // outermost of those tasks for the runtime's thread pool.
  hybrid::HybridLowerToLoopsPassOptions loops;
  loops.parallel = hooks.parallel || hooks.gpu;
  pm.addPass(hybrid::createHybridLowerToLoopsPass(loops));
  if (hooks.gpu) {
    // Each outermost parallel loop becomes a kernel: one dim in blocks of
    // threads, then upstream's conversion to gpu.launch and outlining into a
    // gpu.module (which copies the constant buffers kernels read).
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
    hybrid::HybridMapParallelLoopsToGpuPassOptions map;
    map.blockSize = hooks.gpu->blockSize;
    pm.addNestedPass<func::FuncOp>(hybrid::createHybridMapParallelLoopsToGpuPass(map));
    pm.addPass(createConvertParallelLoopToGpuPass());
    pm.addPass(createGpuKernelOutliningPass());
    pm.addPass(hybrid::createHybridMergeGpuModulesPass());
  } else if (hooks.parallel) {
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
  if (hooks.gpu) {
    // The kernels to NVVM first, before the host's math lowering reaches
    // into the GPU module: math functions there are libdevice's (__nv_*).
    GpuNVVMAttachTargetOptions target;
    target.chip = hooks.gpu->chip;
    target.features = hooks.gpu->features;
    target.optLevel = 3;
    pm.addPass(createGpuNVVMAttachTarget(target));
    ConvertGpuOpsToNVVMOpsOptions nvvm;
    nvvm.indexBitwidth = 64;
    pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps(nvvm));
    pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());
  }
  // Math ops LLVM has intrinsics for (fma, floor, sqrt, exp, ...) become
  // those, which vectorise and select to instructions where the target has
  // them; the rest (erf, tanh, ... when not approximated) become libm calls.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = hooks.genericAllocation;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  // Launches become MLIR's GPU runtime calls (mgpuLaunchKernel, ...), which
  // the CUDA target defines over the runtime's hooks.
  if (hooks.gpu)
    pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  if (hooks.gpu) {
    // The GPU modules through LLVM's NVPTX backend: PTX, or with the
    // toolkit's ptxas (and fatbinary) a cubin (fatbin) that embeds it.
    GpuModuleToBinaryPassOptions binary;
    binary.compilationTarget = hooks.gpu->format;
    binary.toolkitPath = hooks.gpu->toolkit;
    pm.addPass(createGpuModuleToBinaryPass(binary));
  }
}

/// The tensor-level passes every target runs before bufferization.
void buildTensorPasses(OpPassManager &pm, bool routeMoe, bool fuseElementwise) {
  // Fold what the importer left (shape arithmetic, constant subgraphs) first.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Then the linalg ops on constants (a Gather of a constant table by
  // constant indices), and the reshapes of their results.
  pm.addNestedPass<func::FuncOp>(hybrid::createHybridFoldConstantsPass());
  pm.addPass(createCanonicalizerPass());
  // MoE layers into the routed form: each expert multiplies the rows routed
  // to it as one matrix product.
  if (routeMoe) {
    pm.addNestedPass<func::FuncOp>(hybrid::createHybridRouteMoePass());
    pm.addPass(createCanonicalizerPass());
  }
  // Elementwise chains into one loop nest each (fewer passes over memory,
  // fewer buffers).
  if (fuseElementwise) {
    pm.addNestedPass<func::FuncOp>(hybrid::createHybridFuseElementwisePass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  // CSE merged the zero fills of same-shaped MatMuls and the empty tensors of
  // same-shaped results; each destination gets its own again, right before
  // its op, so that bufferization neither copies one fill into every user's
  // buffer nor reuses buffers (which the runtime's memory plan does anyway).
  pm.addNestedPass<func::FuncOp>(hybrid::createHybridUnshareDestinationsPass());
}

} // namespace

void hybrid::buildReferencePipeline(OpPassManager &pm, const ReferencePipelineOptions &) {
  buildLowering(pm, LoweringHooks());
}

void hybrid::buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options) {
  buildTensorPasses(pm, options.routeMoe, options.fuseElementwise);
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
  hooks.fuseEpilogues = options.fuseEpilogues;
  hooks.flashAttention = options.flashAttention;
  hooks.flashMinQueryRows = options.flashMinQueryRows;
  hooks.approximateMath = options.approximateMath;
  hooks.genericAllocation = true;
  buildLowering(pm, hooks);
}

void hybrid::buildCudaPipeline(OpPassManager &pm, const CudaPipelineOptions &options) {
  buildTensorPasses(pm, options.routeMoe, options.fuseElementwise);
  // The reference lowering with the runtime's allocator, every outermost
  // parallel loop a kernel.
  LoweringHooks hooks;
  hooks.genericAllocation = true;
  hooks.gpu = &options;
  buildLowering(pm, hooks);
}

void hybrid::registerPipelines() {
  PassPipelineRegistration<CudaPipelineOptions>(
      "hybrid-cuda-pipeline",
      "Lower an imported model to the LLVM dialect for the CUDA target: kernels "
      "compiled to PTX/cubin in gpu.binary ops, host code that launches them (what "
      "`--target=cuda` runs before translation to LLVM IR)",
      buildCudaPipeline);
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
