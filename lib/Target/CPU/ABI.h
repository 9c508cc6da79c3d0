//===- ABI.h - compiled libraries' ABI tables (internal) --------*- C++ -*-===//
#ifndef HYBRID_LIB_TARGET_CPU_ABI_H
#define HYBRID_LIB_TARGET_CPU_ABI_H

#include "hybrid/Target/CPU.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace llvm {
class Module;
} // namespace llvm

namespace hybrid {
struct ExternalWeights;

/// The public functions a library exports: those with `llvm.emit_c_interface`,
/// or every public definition when none has it.
llvm::SmallVector<mlir::func::FuncOp> entryFunctions(mlir::ModuleOp module);

/// Adds the hybrid/abi.h tables for `signatures` and `kernels` (the names of
/// the profiler's kernel ids) to a translated module, one `__hybrid_invoke_<fn>`
/// trampoline per entry (calling `_mlir_ciface_<fn>`), the bodies of the
/// runtime hooks the pipeline declared (parallel loops, allocation, kernel
/// brackets), and the query functions `<module>_module_query` (and, when
/// `exportGenericQuery`, `hybrid_module_query`); makes every other definition
/// internal. `weights` (may be null) describes constants moved to the side file
/// `weightsFileName`: the table gets its hybrid_abi_weights and the declared
/// slot table a definition. `gpuArch` ("sm_90"; empty for the CPU target)
/// marks a CUDA module: the table records it, and MLIR's GPU runtime calls
/// (mgpuLaunchKernel, ...) get bodies over the runtime's GPU hooks.
mlir::LogicalResult addAbiTables(llvm::Module &module,
                                 llvm::ArrayRef<FunctionSignature> signatures,
                                 llvm::ArrayRef<std::string> kernels,
                                 const ExternalWeights *weights,
                                 llvm::StringRef weightsFileName,
                                 llvm::StringRef moduleName, llvm::StringRef producer,
                                 llvm::StringRef gpuArch, bool exportGenericQuery,
                                 std::string &error);

} // namespace hybrid

#endif // HYBRID_LIB_TARGET_CPU_ABI_H
