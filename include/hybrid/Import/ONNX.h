//===- ONNX.h - import ONNX models into MLIR --------------------*- C++ -*-===//
//
// The ONNX importer: a ModelProto (file or buffer) becomes a module with one
// function, `@main` by default, whose arguments are the graph inputs and whose
// results are the graph outputs. The faithful form holds one `onnx.node` per node;
// `convertOnnxToHybrid` (the `hybrid-convert-onnx` pass) then lowers every node
// into upstream dialects and hybrid ops.
//
// Errors are emitted as MLIR diagnostics on the context (file name, node name and
// op type in each message) and the functions return null / failure; malformed input
// never aborts the process.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_IMPORT_ONNX_H
#define HYBRID_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <cstdint>
#include <functional>
#include <string>

namespace hybrid {

struct OnnxImportOptions {
  /// Pinned input shapes by graph input name; dims of -1 stay dynamic.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Name of the function that holds the main graph.
  std::string entryName = "main";
  /// Initializers with more bytes than this become `dense_resource` blobs; smaller
  /// ones stay inline so shape constants remain visible to folding.
  int64_t inlineConstantLimitBytes = 256;
  /// Graph inputs bound to a constant value (a serialized ONNX TensorProto, the
  /// format of ONNX's test_data_set_*/input_K.pb files). The input disappears from
  /// the entry function's signature and the model is specialised on the value:
  /// inputs that decide shapes (Reshape's shape, Slice's starts, reduce axes) then
  /// become constants, which the conversion needs.
  llvm::StringMap<std::string> boundInputs;
  /// Called for each ai.onnx node with (op type, opset version): true replaces the
  /// node by its schema's function body (when the op has one), inlined as a
  /// model-local function is. hybrid-opt asks for every op the conversion has no
  /// converter for. Unset: nodes stay as written (the faithful form).
  std::function<bool(llvm::StringRef opType, int64_t version)> expandSchemaFunction;
};

/// Parses "name=path.pb" and reads the TensorProto file into `options`.
mlir::LogicalResult parseBindInputOption(llvm::StringRef spec, OnnxImportOptions &options,
                                         std::string &error);

/// Parses "name=1x128x512" (a '?' or -1 dim stays dynamic) into `options`.
mlir::LogicalResult parseInputShapeOption(llvm::StringRef spec,
                                          OnnxImportOptions &options,
                                          std::string &error);

/// True when `contents` (the start of a file, or all of it) looks like a serialized
/// ModelProto, or `path` ends in ".onnx".
bool looksLikeOnnxModel(llvm::StringRef path, llvm::StringRef contents);

/// Imports the model in `buffer`; `path` names it in messages and locates external
/// data files (relative to its directory).
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(mlir::MLIRContext *context, llvm::StringRef buffer, llvm::StringRef path,
                const OnnxImportOptions &options = {});

/// Reads `path` and imports it.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModelFile(mlir::MLIRContext *context, llvm::StringRef path,
                    const OnnxImportOptions &options = {});

} // namespace hybrid

#endif // HYBRID_IMPORT_ONNX_H
