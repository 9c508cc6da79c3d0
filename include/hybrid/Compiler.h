//===- Compiler.h - Hybrid's compiler facade --------------------*- C++ -*-===//
//
// One call from an ONNX model to a compiled artifact or to the IR at a named
// stage, for front ends that must not see MLIR: the Python API (pybind11,
// python/src) is built on it. Only standard C++ types cross this header, so a
// caller compiled with exceptions and RTTI (pybind11 needs both) links against
// the compiler, which is built without them, LLVM's way.
//
// The work is what `hybrid-opt model.onnx --target=cpu` does, through the same
// functions: importOnnxModel (hybrid/Import/ONNX.h), convertOnnxToHybrid, and
// compileForCpu (hybrid/Target/CPU.h), whose pass pipeline is defined once in
// passes/Pipelines. Every call owns its MLIRContext, so calls on several
// threads at once are independent. Diagnostics are returned, never printed.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_COMPILER_H
#define HYBRID_COMPILER_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hybrid {
namespace facade {

/// One compiler message. `node` is the ONNX node the message is about (its name,
/// or "#K" for the K-th unnamed node of its graph), empty when none is known;
/// `file` is the model's path as the caller named it.
struct Diagnostic {
  std::string severity; ///< "error", "warning", "note" or "remark"
  std::string message;
  std::string file;
  std::string node;
};

/// What to compile and how. The fields mirror hybrid-opt's options.
struct CompileOptions {
  /// "cpu", or "cuda": the same library, its kernels for an NVIDIA GPU.
  std::string target = "cpu";
  /// target "cuda": the GPU architecture, the toolkit (empty: the default
  /// search) and the threads per block (CpuTargetOptions' gpu fields).
  std::string gpuArch = "sm_90";
  std::string cudaToolkit;
  int64_t gpuBlockSize = 256;
  /// Pinned graph input shapes by name (-1: the dim stays dynamic), as
  /// `--input-shape name=1x?x512`.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  std::string cpu = "host";
  std::string features;
  unsigned optLevel = 3;
  /// The C identifier prefix of the header and the query symbol; empty: the
  /// output file's stem.
  std::string moduleName;
  std::string linker;
  bool parallel = true;
  bool instrumentKernels = true;
  /// Raise decomposed exports (attention with GQA and causal masks, RMSNorm,
  /// rotary embeddings, dense MoE, Mamba-1 Scans) into fused ops before
  /// conversion.
  bool raise = true;
  bool fuseElementwise = true;
  /// Elementwise code after a matmul computed on its accumulators (with
  /// vectorize).
  bool fuseEpilogues = true;
  bool vectorize = true;
  bool flashAttention = true;
  /// Route MoE layers into top-k, dispatch, grouped matmuls and combine.
  bool routeMoe = true;
  bool approximateMath = true;
  bool externalWeights = false;
  uint64_t externalWeightsMinBytes = 1024;
  /// Also write the compile report (include/hybrid/Report.h) here, an HTML
  /// file; empty: none. `compile` only.
  std::string report;
};

/// The artifact `compile` writes: the names of hybrid-opt's `--emit` values.
/// "lib" writes `output` and its header (model.so -> model.h), plus the
/// weights side file with externalWeights.
enum class EmitKind { Lib, StaticLib, Object, LlvmIR, Mlir };

/// The IR at a named stage, for `ir`:
///   "onnx"   the imported model as written (one onnx.node per node);
///   "hybrid" after conversion: hybrid, linalg, tensor and arith ops;
///   "llvm-dialect" the LLVM-dialect module after the target's pipeline;
///   "llvm"   the optimised LLVM IR with the ABI tables.
const std::vector<std::string> &irStages();

struct Result {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  /// `ir`: the text of the stage.
  std::string text;
};

/// Compiles the serialized ModelProto `model` (`path` names it in messages and
/// locates external data; it need not exist when the bytes hold everything)
/// and writes `output`. Outputs appear only when everything succeeded.
Result compile(const std::string &model, const std::string &path,
               const CompileOptions &options, const std::string &output, EmitKind kind);

/// The IR of `model` at `stage` (see irStages).
Result ir(const std::string &model, const std::string &path, const CompileOptions &options,
          const std::string &stage);

} // namespace facade
} // namespace hybrid

#endif // HYBRID_COMPILER_H
