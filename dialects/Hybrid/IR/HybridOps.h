//===- HybridOps.h - hybrid dialect ops -------------------------*- C++ -*-===//
#ifndef HYBRID_DIALECTS_HYBRID_IR_HYBRIDOPS_H
#define HYBRID_DIALECTS_HYBRID_IR_HYBRIDOPS_H

#include "dialects/Hybrid/IR/HybridDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"

#include "dialects/Hybrid/IR/HybridEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Hybrid/IR/HybridAttrs.h.inc"

namespace hybrid {
// Upstream interface methods are declared with unqualified MLIR types.
using ::llvm::FailureOr;
using ::llvm::SmallVector;
using ::mlir::OpBuilder;
using ::mlir::Value;
} // namespace hybrid

#define GET_OP_CLASSES
#include "dialects/Hybrid/IR/HybridOps.h.inc"

#endif // HYBRID_DIALECTS_HYBRID_IR_HYBRIDOPS_H
