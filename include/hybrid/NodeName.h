//===- NodeName.h - the ONNX node an op comes from --------------*- C++ -*-===//
//
// The importer gives every op `NameLoc(node name, file)`; fusions and rewrites
// keep it inside fused locations. Passes (the profiler's kernel names, the
// remarks of the compile report) and the report itself read it back here.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_NODENAME_H
#define HYBRID_NODENAME_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"

#include <string>

namespace hybrid {

/// The ONNX node an op or a remark is about: the name of the first NameLoc in
/// `loc` (empty when there is none).
inline std::string onnxNodeOf(mlir::Location loc) {
  std::string node;
  loc->walk([&](mlir::Location l) {
    if (auto name = llvm::dyn_cast<mlir::NameLoc>(l)) {
      node = name.getName().str();
      return mlir::WalkResult::interrupt();
    }
    return mlir::WalkResult::advance();
  });
  return node;
}

} // namespace hybrid

#endif // HYBRID_NODENAME_H
