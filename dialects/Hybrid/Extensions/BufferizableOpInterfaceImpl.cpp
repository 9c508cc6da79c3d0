//===- BufferizableOpInterfaceImpl.cpp - bufferization of hybrid ops ------===//
//
// Hybrid ops are in destination-passing style, so the upstream
// DstBufferizableOpInterfaceExternalModel supplies the aliasing (each result
// is equivalent to its destination). Our ops overwrite their destinations
// whole, so destinations are not reads: a `tensor.empty` destination needs no
// copy. `bufferize` rebuilds the op on memrefs, with no results.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Extensions/BufferizableOpInterfaceImpl.h"
#include "dialects/Hybrid/IR/HybridOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {

template <typename OpTy>
struct HybridOpBufferization
    : public DstBufferizableOpInterfaceExternalModel<HybridOpBufferization<OpTy>,
                                                     OpTy> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &) const {
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&operand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto dps = cast<DestinationStyleOpInterface>(op);
    if (dps.hasPureBufferSemantics())
      return success();
    if (!dps.hasPureTensorSemantics())
      return op->emitOpError("expected all tensor or all memref operands");
    SmallVector<Value> operands;
    for (Value v : op->getOperands()) {
      FailureOr<Value> buffer = getBuffer(rewriter, v, options, state);
      if (failed(buffer))
        return failure();
      operands.push_back(*buffer);
    }
    SmallVector<Value> results;
    for (OpOperand &init : dps.getDpsInitsMutable())
      results.push_back(operands[init.getOperandNumber()]);
    rewriter.setInsertionPoint(op);
    clone(rewriter, op, /*newResultTypes=*/TypeRange{}, operands);
    replaceOpWithBufferizedValues(rewriter, op, results);
    return success();
  }
};

template <typename... OpTys>
void attach(MLIRContext *ctx) {
  (OpTys::template attachInterface<HybridOpBufferization<OpTys>>(*ctx), ...);
}

} // namespace

void hybrid::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, HybridDialect *) {
    attach<AttentionOp, SsmScanOp, LinearAttentionOp, CausalConv1dOp, MoeOp,
           MoeTopkOp, MoeDispatchOp, GroupedMatmulOp, MoeCombineOp, RmsNormOp, RotaryOp>(
        ctx);
  });
}
