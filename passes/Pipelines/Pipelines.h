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

/// Options of the CPU pipeline.
struct CpuPipelineOptions : public mlir::PassPipelineOptions<CpuPipelineOptions> {
  Option<bool> parallel{*this, "parallel",
                        llvm::cl::desc("Run parallel loops on the runtime's thread pool"),
                        llvm::cl::init(true)};
  Option<int64_t> parallelMinWork{
      *this, "parallel-min-work",
      llvm::cl::desc("Loops with less static work (iterations x operations) stay serial"),
      llvm::cl::init(4096)};
  Option<bool> instrumentKernels{
      *this, "instrument-kernels",
      llvm::cl::desc("Bracket kernels with the runtime's profiler hooks"),
      llvm::cl::init(true)};
  Option<bool> fuseElementwise{
      *this, "fuse-elementwise",
      llvm::cl::desc("Fuse elementwise chains into their consumers (hybrid-fuse-elementwise)"),
      llvm::cl::init(true)};
  Option<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("Polynomial f32 exp/log/tanh/erf, vectorisable, instead of libm calls "
                     "(hybrid-approximate-math)"),
      llvm::cl::init(true)};
  Option<bool> flashAttention{
      *this, "flash-attention",
      llvm::cl::desc("Tiled online-softmax attention whose contractions become microkernels "
                     "(hybrid-flash-attention); off: the scalar loops of hybrid.attention"),
      llvm::cl::init(true)};
  Option<int64_t> flashMinQueryRows{
      *this, "flash-min-query-rows",
      llvm::cl::desc("Attention with fewer query rows keeps its scalar loops "
                     "(hybrid-flash-attention's min-query-rows; 0, the default: always "
                     "flash)"),
      llvm::cl::init(0)};
  Option<bool> routeMoe{
      *this, "route-moe",
      llvm::cl::desc("Route hybrid.moe into top-k, dispatch, grouped matmuls and combine "
                     "(hybrid-route-moe); off: the per-token loops of hybrid.moe"),
      llvm::cl::init(true)};
  Option<int64_t> microkernelRows{
      *this, "microkernel-rows",
      llvm::cl::desc("Rows per contraction microkernel (hybrid-vectorize-contractions' mr); "
                     "the CPU target picks 8 with AVX-512, else 6"),
      llvm::cl::init(6)};
  Option<int64_t> microkernelColumns{
      *this, "microkernel-columns",
      llvm::cl::desc("Columns per contraction microkernel, one vector (nr); the CPU target "
                     "picks 32 with AVX-512 (two 512-bit registers per row), else 16"),
      llvm::cl::init(16)};
  Option<bool> fuseEpilogues{
      *this, "fuse-epilogues",
      llvm::cl::desc("With vectorize: compute the elementwise code after a contraction (bias, "
                     "activation, residual) on its microkernels' accumulators "
                     "(hybrid-vectorize-contractions' epilogues)"),
      llvm::cl::init(true)};
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Vector code for float contractions (register-tiled microkernels), "
                     "elementwise generics, Mamba-1 scans and routed MoE, and transposed "
                     "copies read as strided views (hybrid-vectorize-contractions, "
                     "-elementwise, -scans, hybrid-lower-routed-moe, hybrid-fold-transposes); "
                     "off: the loop lowering, LLVM's loop vectoriser only"),
      llvm::cl::init(true)};
};

/// The CPU pipeline: canonicalisation and CSE of the imported module, MoE
/// routing (hybrid-route-moe), elementwise fusion (hybrid-fuse-elementwise), then the reference lowering
/// above with the runtime's hooks (hybrid/abi.h) and the fast paths:
/// attention with query blocks of 8 rows or more becomes a tiled online-softmax
/// loop nest (hybrid-flash-attention) whose contractions, like every other,
/// become vector microkernels (hybrid-vectorize-contractions), the grouped
/// matmuls of routed MoE layers too, one per expert
/// (hybrid-lower-routed-moe);
/// other linalg and hybrid ops become scf.parallel loops where their dims are
/// parallel, and the outermost ones tasks for the thread pool
/// (hybrid-outline-parallel-loops); f32 exp/log/tanh/erf become polynomials
/// (hybrid-approximate-math); kernels are bracketed for the profiler
/// (hybrid-instrument-kernels); every buffer is allocated through the
/// runtime's allocator (MLIR's generic allocation functions).
/// `hybrid-opt --target=cpu`, the Python API and the tests all compile through
/// this one definition.
void buildCpuPipeline(mlir::OpPassManager &pm, const CpuPipelineOptions &options);

/// Options of the CUDA pipeline.
struct CudaPipelineOptions : public mlir::PassPipelineOptions<CudaPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("The GPU architecture (sm_80, sm_90, sm_90a, ...)"),
                           llvm::cl::init("sm_90")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("NVPTX target features (e.g. '+ptx80'); empty: the PTX version LLVM "
                     "picks for the chip"),
      llvm::cl::init("")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What the device code is embedded as: 'isa' (PTX, compiled by the driver "
                     "at load time), 'bin' (a cubin from ptxas) or 'fatbin' (cubin and PTX, "
                     "from ptxas and fatbinary)"),
      llvm::cl::init("isa")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("The CUDA toolkit (ptxas, fatbinary, libdevice); empty: MLIR's default"),
      llvm::cl::init("")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block of every kernel"),
                            llvm::cl::init(256)};
  Option<bool> fuseElementwise{
      *this, "fuse-elementwise",
      llvm::cl::desc("Fuse elementwise chains into their consumers (hybrid-fuse-elementwise)"),
      llvm::cl::init(true)};
  Option<bool> routeMoe{
      *this, "route-moe",
      llvm::cl::desc("Route hybrid.moe into top-k, dispatch, grouped matmuls and combine "
                     "(hybrid-route-moe)"),
      llvm::cl::init(true)};
};

/// The CUDA pipeline: the CPU pipeline's tensor-level passes and lowering up
/// to loops (every op's reference implementation, parallel dims as
/// scf.parallel), then each outermost parallel loop becomes a kernel
/// (hybrid-map-parallel-loops-to-gpu: one dim, blocks of `block-size`
/// threads; convert-parallel-loops-to-gpu; gpu-kernel-outlining), the kernels
/// go to NVVM (convert-gpu-to-nvvm, libdevice for math) and through LLVM's
/// NVPTX backend to PTX, or a cubin/fatbin with the toolkit
/// (gpu-module-to-binary), and the host code becomes LLVM with launches
/// through MLIR's GPU runtime calls (mgpuLaunchKernel, ...), which the CUDA
/// target defines over the runtime's hooks. Loops that are not parallel, and
/// parallel loops with reductions, run on the host. Every buffer is allocated
/// through the runtime's allocator, which gives device-accessible (managed)
/// memory for a CUDA module.
void buildCudaPipeline(mlir::OpPassManager &pm, const CudaPipelineOptions &options);

/// Registers every pipeline above with the pass registry.
void registerPipelines();

} // namespace hybrid

#endif // HYBRID_PASSES_PIPELINES_PIPELINES_H
