//===- ONNXDialect.h - the faithful ONNX import dialect ---------*- C++ -*-===//
#ifndef HYBRID_DIALECTS_ONNX_IR_ONNXDIALECT_H
#define HYBRID_DIALECTS_ONNX_IR_ONNXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/ONNX/IR/ONNXDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/ONNX/IR/ONNXTypes.h.inc"

#define GET_OP_CLASSES
#include "dialects/ONNX/IR/ONNXOps.h.inc"

namespace hybrid::onnx {
/// The MLIR element type of an ONNX TensorProto.DataType code (unsigned ONNX types
/// become unsigned MLIR integers), or null when MLIR has no such type (STRING, the
/// 2-bit and 6-bit types) or the code is unknown.
mlir::Type getElementType(mlir::MLIRContext *ctx, int64_t dataType);
/// The name of a DataType code ("FLOAT", "STRING", ...), or "code N".
std::string getDataTypeName(int64_t dataType);
} // namespace hybrid::onnx

#endif // HYBRID_DIALECTS_ONNX_IR_ONNXDIALECT_H
