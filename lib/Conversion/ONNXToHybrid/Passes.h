//===- Passes.h - ONNX conversion passes ------------------------*- C++ -*-===//
#ifndef HYBRID_LIB_CONVERSION_ONNXTOHYBRID_PASSES_H
#define HYBRID_LIB_CONVERSION_ONNXTOHYBRID_PASSES_H

#include "dialects/Hybrid/IR/HybridDialect.h"
#include "hybrid/Import/ONNX.h"
#include "mlir/Pass/Pass.h"

namespace hybrid {

#define GEN_PASS_DECL
#include "lib/Conversion/ONNXToHybrid/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lib/Conversion/ONNXToHybrid/Passes.h.inc"

/// Converts every onnx.node in `module`; on failure the diagnostics name the nodes.
mlir::LogicalResult convertOnnxToHybrid(mlir::ModuleOp module);

/// Raises decomposed attention in the onnx.node graph under `root` into
/// standard Attention nodes (`hybrid-raise-attention`); returns how many.
unsigned raiseAttention(mlir::Operation *root);

/// Raises dense mixtures of experts (every expert on every token, masked by
/// the top-k routing weights, summed) into com.microsoft MoE nodes
/// (`hybrid-raise-moe`); returns how many.
unsigned raiseMoe(mlir::Operation *root);

/// Raises RMSNorm written as Pow/ReduceMean/Add/Sqrt/Reciprocal/Mul into
/// RMSNormalization nodes (`hybrid-raise-rms-norm`); returns how many.
unsigned raiseRmsNorm(mlir::Operation *root);

/// Raises the half-rotation rotary embedding (Slice/Neg/Concat, Mul by cos
/// and sin, Add) into RotaryEmbedding nodes (`hybrid-raise-rotary`); returns
/// how many.
unsigned raiseRotary(mlir::Operation *root);

/// Raises SSM and linear-attention recurrences written as an ONNX Scan or
/// Loop into ai.hybrid SsmScan and com.microsoft LinearAttention nodes
/// (`hybrid-raise-scans`); returns how many.
unsigned raiseScans(mlir::Operation *root);

/// The part of `hybrid-raise-scans` that raises Mamba-2's chunked scan (the
/// state-space-dual algorithm of its PyTorch paths, anchored on the Add of
/// the diagonal and off-diagonal outputs) into com.microsoft LinearAttention
/// nodes; returns how many.
unsigned raiseChunkedScans(mlir::Operation *root);

/// Raises depthwise causal convolutions written with Pad/Concat, Conv and
/// Slice into com.microsoft CausalConvWithState nodes
/// (`hybrid-raise-causal-conv`); returns how many.
unsigned raiseCausalConv(mlir::Operation *root);

/// Reports, as missed-optimization remarks (MLIR's remark engine, for
/// --report), the candidates the raising passes left as written and why:
/// Softmax outside any attention or router, TopK outside any MoE, 1-D Convs
/// that are not causal depthwise ones, Scans and Loops that are not known
/// recurrences. Nothing happens without a remark engine on the context.
void reportUnraised(mlir::Operation *root);
void reportUnraisedConvs(mlir::Operation *root);
void reportUnraisedScans(mlir::Operation *root);

/// Every raising rewrite of the onnx.node graph, run before conversion: what
/// the compiler does unless told not to (`--raise=false`): RMSNorm, rotary
/// embedding, attention, MoE, causal convolutions, recurrences.
void raiseOnnxGraph(mlir::ModuleOp module);

/// True when the conversion has a converter for `opType` of `domain` ("" for
/// ai.onnx) at opset `version`. The importer expands ONNX function ops for which
/// this is false into their schema's function body.
bool hasOnnxConverter(llvm::StringRef domain, llvm::StringRef opType, int64_t version);

/// Sets `options.expandSchemaFunction` so that every ai.onnx op without a
/// converter is imported as its schema's function body (when it has one): what
/// the compiler does before convertOnnxToHybrid.
void expandUnconvertedSchemaFunctions(OnnxImportOptions &options);

} // namespace hybrid

#endif // HYBRID_LIB_CONVERSION_ONNXTOHYBRID_PASSES_H
