//===- HybridOps.cpp - hybrid dialect ops ---------------------------------===//
//
// What every hybrid op shares: memory effects and result-shape reification in
// destination-passing style. Verifiers live in HybridVerifiers.cpp, tiling in
// TilingInterfaceImpl.cpp and the reference loops in ScalarImplementation.cpp.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/IR/HybridOps.h"
#include "dialects/Hybrid/IR/HybridOpUtils.h"

#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace hybrid;

OpFoldResult hybrid::detail::dimOf(OpBuilder &b, Location loc, Value v,
                                   int64_t dim) {
  if (isa<RankedTensorType>(v.getType()))
    return tensor::getMixedSize(b, loc, v, dim);
  return memref::getMixedSize(b, loc, v, dim);
}

Value hybrid::detail::dimValue(OpBuilder &b, Location loc, Value v,
                               int64_t dim) {
  return getValueOrCreateConstantIndexOp(b, loc, dimOf(b, loc, v, dim));
}

int64_t hybrid::detail::staticDim(Value v, int64_t dim) {
  return cast<ShapedType>(v.getType()).getDimSize(dim);
}

namespace {
/// Inputs are read, destinations are written (never read: every hybrid op
/// overwrites its destinations whole). Ops on tensors have no memory effects.
void getDpsEffects(
    DestinationStyleOpInterface op,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (op.isDpsInit(&operand))
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  }
}

/// Result `i` has the shape of destination `i`.
LogicalResult reifyFromInits(DestinationStyleOpInterface op, OpBuilder &b,
                             ReifiedRankedShapedTypeDims &reified) {
  for (OpOperand &init : op.getDpsInitsMutable())
    reified.push_back(
        tensor::getMixedSizes(b, op.getLoc(), init.get()));
  return success();
}
} // namespace

#define HYBRID_DEFINE_DPS_BOILERPLATE(OP)                                      \
  void OP::getEffects(                                                         \
      SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>      \
          &effects) {                                                          \
    getDpsEffects(cast<DestinationStyleOpInterface>(getOperation()), effects); \
  }                                                                            \
  LogicalResult OP::reifyResultShapes(OpBuilder &b,                            \
                                      ReifiedRankedShapedTypeDims &reified) {  \
    return reifyFromInits(cast<DestinationStyleOpInterface>(getOperation()),   \
                          b, reified);                                         \
  }

HYBRID_DEFINE_DPS_BOILERPLATE(AttentionOp)
HYBRID_DEFINE_DPS_BOILERPLATE(SsmScanOp)
HYBRID_DEFINE_DPS_BOILERPLATE(LinearAttentionOp)
HYBRID_DEFINE_DPS_BOILERPLATE(CausalConv1dOp)
HYBRID_DEFINE_DPS_BOILERPLATE(MoeOp)
HYBRID_DEFINE_DPS_BOILERPLATE(MoeTopkOp)
HYBRID_DEFINE_DPS_BOILERPLATE(MoeDispatchOp)
HYBRID_DEFINE_DPS_BOILERPLATE(GroupedMatmulOp)
HYBRID_DEFINE_DPS_BOILERPLATE(MoeCombineOp)
HYBRID_DEFINE_DPS_BOILERPLATE(RmsNormOp)
HYBRID_DEFINE_DPS_BOILERPLATE(RotaryOp)

#undef HYBRID_DEFINE_DPS_BOILERPLATE

#define GET_OP_CLASSES
#include "dialects/Hybrid/IR/HybridOps.cpp.inc"
