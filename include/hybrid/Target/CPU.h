//===- CPU.h - compile hybrid modules to native CPU libraries ---*- C++ -*-===//
//
// The back half of `hybrid-opt --target=cpu`: a module at the tensor level (an
// imported ONNX model, or hybrid/linalg IR) goes through the CPU pipeline
// (passes/Pipelines), is translated to LLVM IR in-process, gets its ABI tables
// (runtime/include/hybrid/abi.h), is optimised and compiled to an object file
// by LLVM's TargetMachine for the requested CPU, and is linked into a shared
// library (with the system C compiler driver as linker) or a static archive
// (written in-process). A C header declaring the entry points goes next to it.
//
// Every output is written to a temporary file first and renamed into place
// only when the whole stage succeeded, so a failed compile never leaves a
// half-written or stale-looking file behind.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_TARGET_CPU_H
#define HYBRID_TARGET_CPU_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hybrid {

/// One input or output of an entry function, as the ABI table describes it.
struct TensorSignature {
  std::string name;
  int32_t dtype = 0; ///< a hybrid_dtype (ONNX TensorProto.DataType numbering)
  llvm::SmallVector<int64_t> dims; ///< -1 for a dim known only at run time
  llvm::SmallVector<std::string> dimNames; ///< empty, or one entry per dim
};

/// One entry function: a public function with the `llvm.emit_c_interface`
/// attribute (the importer's `@main`) or, when no function has it, every
/// public function.
struct FunctionSignature {
  std::string name;
  std::vector<TensorSignature> inputs, outputs;
};

/// Reads the entry functions' signatures from a tensor-level module (before the
/// CPU pipeline erases the ONNX names). Emits an error on the module and fails
/// when an argument or result is not a ranked tensor of a supported type.
mlir::FailureOr<std::vector<FunctionSignature>>
collectEntrySignatures(mlir::ModuleOp module);

/// What `compileForCpu` stops at.
enum class CpuEmitKind {
  Mlir,          ///< the LLVM-dialect module after the CPU pipeline
  LlvmIR,        ///< optimised LLVM IR, ABI tables included
  Object,        ///< a relocatable object file
  SharedLibrary, ///< a shared library plus its C header
  StaticLibrary, ///< a static archive plus its C header
  Ptx,           ///< the CUDA target's device code as PTX (every kernel module)
};

struct CpuTargetOptions {
  /// LLVM CPU name ("skylake-avx512", "znver4", "x86-64-v3"), or "host" for the
  /// machine compiling.
  std::string cpu = "host";
  /// Extra LLVM target features ("+avx2,-avx512f"), added to the CPU's own.
  std::string features;
  /// LLVM optimisation level, 0-3.
  unsigned optLevel = 3;
  /// The module name: the C identifier prefix of the header and the per-module
  /// query symbol (`<name>_module_query`). Empty: the output file's stem.
  std::string moduleName;
  /// The C compiler driver that links shared libraries; empty: `cc` on PATH.
  std::string linker;
  /// Run parallel loops on the runtime's thread pool (false: every loop stays
  /// on the calling thread, whatever the executor).
  bool parallel = true;
  /// Bracket kernels with the profiler's hooks (false: no kernel events).
  bool instrumentKernels = true;
  /// The optimisations of the CPU pipeline (CpuPipelineOptions): elementwise
  /// fusion, vector microkernels for contractions, tiled online-softmax
  /// attention, polynomial exp/log/tanh/erf.
  /// Off: the plain loop lowering of each, for comparison and bisection.
  bool fuseElementwise = true;
  bool fuseEpilogues = true;
  bool vectorize = true;
  bool flashAttention = true;
  bool routeMoe = true;
  bool approximateMath = true;
  /// Move constants of at least `externalWeightsMinBytes` into a side file
  /// next to the output (`model.so` -> `model.weights`) that the runtime
  /// memory-maps at load time, instead of embedding them in the library.
  bool externalWeights = false;
  uint64_t externalWeightsMinBytes = 1024;
  /// The CUDA target (`--target=cuda`) when not empty: the GPU architecture
  /// ("sm_80", "sm_90", "sm_90a"). The host code is compiled for `cpu` as
  /// above; every outermost parallel loop becomes a kernel compiled through
  /// LLVM's NVPTX backend (passes/Pipelines: buildCudaPipeline), embedded in
  /// the library, and launched through the runtime's CUDA backend.
  std::string gpuArch;
  /// The CUDA toolkit. When it has ptxas and fatbinary, the library embeds a
  /// fatbin (ptxas' cubin for gpuArch plus the PTX), so ptxas checks every
  /// kernel at compile time; without them it embeds the PTX, which the driver
  /// compiles at load time. Empty: $CUDA_HOME, $CUDA_PATH or /usr/local/cuda.
  std::string cudaToolkit;
  /// Threads per block of the CUDA target's kernels.
  int64_t gpuBlockSize = 256;
  /// Apply MLIR's pass manager command-line options (--mlir-print-ir-*,
  /// --mlir-pass-statistics) to the pipeline: a tool that registered them
  /// (hybrid-opt) sets this.
  bool passManagerCLOptions = false;
  /// Called before each stage with a short description (a progress line).
  std::function<void(llvm::StringRef stage)> progress;
};

/// A C identifier made from `name` (the module name in symbols and macros).
std::string cIdentifier(llvm::StringRef name);

/// The C header that declares a library's entry points and documents them
/// (`weightsFileName`: the side file the library needs, or empty).
std::string generateCpuHeader(llvm::ArrayRef<FunctionSignature> signatures,
                              llvm::StringRef moduleName, llvm::StringRef source,
                              llvm::StringRef weightsFileName = {});

/// Compiles `module` (tensor level, e.g. straight from the importer) and writes
/// `outputPath` (plus, for libraries, the header next to it: `model.so` ->
/// `model.h`). `timing` nests a timer per stage (`--mlir-timing`). Errors are
/// emitted as diagnostics on the module's context.
mlir::LogicalResult compileForCpu(mlir::ModuleOp module, llvm::StringRef outputPath,
                                  CpuEmitKind kind, const CpuTargetOptions &options,
                                  mlir::TimingScope &timing);

/// The path of the header written next to a library (`dir/model.so` -> `dir/model.h`).
std::string headerPathFor(llvm::StringRef libraryPath);
/// The path of the weights side file (`dir/model.so` -> `dir/model.weights`).
std::string weightsPathFor(llvm::StringRef libraryPath);

} // namespace hybrid

#endif // HYBRID_TARGET_CPU_H
