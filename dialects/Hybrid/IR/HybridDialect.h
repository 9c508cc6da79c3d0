//===- HybridDialect.h - The hybrid dialect ---------------------*- C++ -*-===//
#ifndef HYBRID_DIALECTS_HYBRID_IR_HYBRIDDIALECT_H
#define HYBRID_DIALECTS_HYBRID_IR_HYBRIDDIALECT_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "dialects/Hybrid/IR/HybridDialect.h.inc"

#endif // HYBRID_DIALECTS_HYBRID_IR_HYBRIDDIALECT_H
