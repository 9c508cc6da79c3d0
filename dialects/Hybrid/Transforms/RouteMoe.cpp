//===- RouteMoe.cpp - hybrid-route-moe -------------------------------------===//
//
// Rewrites every `hybrid.moe` on tensors into the routed form of spec section 6
// (docs/Dialects/HybridRationale.md, "The routed MoE form"):
//
//   ids, w         = hybrid.moe_topk(router_logits, selection_bias)
//   rows, off, src = hybrid.moe_dispatch(x, ids)
//   gate, up       = hybrid.grouped_matmul(rows, w_gate | w_up, off)
//                    (+ the bias of each row's expert: ids.flat[src[r]])
//   h              = act(gate, up)                          linalg.generic
//   out            = hybrid.grouped_matmul(h, w_down, off) (+ b_down)
//   y              = hybrid.moe_combine(out, src, w)
//
// so that each expert multiplies only the rows routed to it, as a matrix
// product over those rows (hybrid-lower-routed-moe) rather than one token
// at a time. Dropless: every token keeps all its top_k experts.
//
// The number of experts must be static (it sizes `offsets`); a moe with a
// dynamic E keeps its per-token implementation. The intermediates have the
// op's element type, so f16/bf16 layers round gate, up, h, the expert outputs
// and the routing weights to that type where the per-token loops keep f32.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/IR/HybridOps.h"
#include "dialects/Hybrid/IR/HybridUtils.h"
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"


#include "mlir/IR/Remarks.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDROUTEMOEPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;
using namespace hybrid;

namespace {

/// An empty tensor of `shape` (OpFoldResults: static or dynamic) and `et`.
Value empty(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> shape, Type et) {
  return tensor::EmptyOp::create(b, loc, shape, et);
}

struct Router {
  OpBuilder &b;
  Location loc;
  Type et;
  int64_t topK;
  Value ids, src; // [T, top_k] expert ids, [T*top_k] sources

  /// `h [R, C] + bias[expert of row r, c]`, the expert of row r being
  /// `ids.flat[src[r]]` (every row of a group shares its expert's bias row).
  Value addRowBias(Value h, Value bias) {
    auto type = cast<RankedTensorType>(h.getType());
    MLIRContext *ctx = b.getContext();
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap row = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
    SmallVector<utils::IteratorType> par(2, utils::IteratorType::parallel);
    Value init = empty(b, loc, tensor::getMixedSizes(b, loc, h), et);
    return linalg::GenericOp::create(
               b, loc, TypeRange{type}, ValueRange{h, src}, ValueRange{init},
               ArrayRef<AffineMap>{id2, row, id2}, par,
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 Value a = arith::IndexCastOp::create(nb, nl, nb.getIndexType(),
                                                      args[1]);
                 Value k = arith::ConstantIndexOp::create(nb, nl, topK);
                 Value t = arith::DivUIOp::create(nb, nl, a, k);
                 Value slot = arith::RemUIOp::create(nb, nl, a, k);
                 Value e = tensor::ExtractOp::create(nb, nl, ids, ValueRange{t, slot});
                 e = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), e);
                 Value col = linalg::IndexOp::create(nb, nl, 1);
                 Value bv = tensor::ExtractOp::create(nb, nl, bias, ValueRange{e, col});
                 Value sum = arith::AddFOp::create(nb, nl, args[0], bv);
                 linalg::YieldOp::create(nb, nl, sum);
               })
        .getResult(0);
  }
};

LogicalResult route(MoeOp op, RewriterBase &rewriter) {
  Value logits = op.getRouterLogits(), x = op.getX();
  auto logitsType = cast<RankedTensorType>(logits.getType());
  int64_t numExperts = logitsType.getDimSize(1);
  if (ShapedType::isDynamic(numExperts))
    return rewriter.notifyMatchFailure(op, "dynamic number of experts");
  int64_t topK = static_cast<int64_t>(op.getTopK());
  Location loc = op.getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  OpBuilder &b = rewriter;
  Type et = getElementTypeOrSelf(x.getType());
  Type i64 = b.getI64Type();

  // Sizes: T tokens, Hd hidden, I intermediate, TK = T * top_k rows.
  OpFoldResult t = tensor::getMixedSize(b, loc, x, 0);
  OpFoldResult hd = tensor::getMixedSize(b, loc, x, 1);
  OpFoldResult inter = tensor::getMixedSize(b, loc, op.getWUp(), 1);
  OpFoldResult tk;
  if (auto ts = getConstantIntValue(t))
    tk = b.getIndexAttr(*ts * topK);
  else
    tk = arith::MulIOp::create(b, loc, getValueOrCreateConstantIndexOp(b, loc, t),
                               arith::ConstantIndexOp::create(b, loc, topK))
             .getResult();
  OpFoldResult k = b.getIndexAttr(topK);

  // Routing.
  Value idsInit = empty(b, loc, {t, k}, i64);
  Value wInit = empty(b, loc, {t, k}, et);
  auto topk = MoeTopkOp::create(
      b, loc, TypeRange{idsInit.getType(), wInit.getType()}, logits,
      op.getSelectionBias(), ValueRange{idsInit, wInit}, op.getScoringAttr(),
      op.getNormalizeAttr(), op.getScalingAttr());
  Value ids = topk.getResult(0), weights = topk.getResult(1);

  // Dispatch.
  Value rowsInit = empty(b, loc, {tk, hd}, et);
  Value offInit = empty(b, loc, {b.getIndexAttr(numExperts + 1)}, i64);
  Value srcInit = empty(b, loc, {tk}, i64);
  auto dispatch = MoeDispatchOp::create(
      b, loc, TypeRange{rowsInit.getType(), offInit.getType(), srcInit.getType()},
      x, ids, ValueRange{rowsInit, offInit, srcInit},
      b.getI64IntegerAttr(numExperts));
  Value rows = dispatch.getResult(0), offsets = dispatch.getResult(1),
        src = dispatch.getResult(2);

  Router router{b, loc, et, topK, ids, src};
  auto grouped = [&](Value lhs, Value w, Value bias, OpFoldResult n) {
    Value init = empty(b, loc, {tk, n}, et);
    Value r = GroupedMatmulOp::create(b, loc, TypeRange{init.getType()}, lhs, w,
                                      offsets, ValueRange{init})
                  .getResult(0);
    return bias ? router.addRowBias(r, bias) : r;
  };

  // Experts: up (and gate), the activation, down.
  Value up = grouped(rows, op.getWUp(), op.getBUp(), inter);
  Value gate;
  if (Value wGate = op.getWGate())
    gate = grouped(rows, wGate, op.getBGate(), inter);
  MLIRContext *ctx = b.getContext();
  AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
  SmallVector<Value> actIns = gate ? SmallVector<Value>{gate, up} : SmallVector<Value>{up};
  SmallVector<AffineMap> maps(actIns.size() + 1, id2);
  Value hInit = empty(b, loc, {tk, inter}, et);
  Activation act = op.getActivation();
  Value hidden =
      linalg::GenericOp::create(
          b, loc, TypeRange{hInit.getType()}, actIns, ValueRange{hInit}, maps,
          SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            // f32 arithmetic for 16-bit types, as the per-token loops do.
            Type ct = et.isF64() ? et : nb.getF32Type();
            Value g = gate ? convertScalarToDtype(nb, nl, args[0], ct, false) : Value();
            Value u = convertScalarToDtype(nb, nl, args[gate ? 1 : 0], ct, false);
            Value r = convertScalarToDtype(nb, nl, moeActivation(nb, nl, act, g, u), et, false);
            linalg::YieldOp::create(nb, nl, r);
          })
          .getResult(0);
  Value out = grouped(hidden, op.getWDown(), op.getBDown(), hd);

  // Combine into the op's destination.
  auto combine = MoeCombineOp::create(b, loc, TypeRange{op.getResult(0).getType()},
                                      out, src, weights,
                                      ValueRange{op.getOutputs()[0]});
  rewriter.replaceOp(op, combine.getResults());
  return success();
}

struct HybridRouteMoePass
    : public hybrid::impl::HybridRouteMoePassBase<HybridRouteMoePass> {
  using Base::Base;
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    for (MoeOp op : collectHybridOps<MoeOp>(getOperation(), /*onTensors=*/true)) {
      // What the remark says, read before route() erases the op.
      Location loc = op.getLoc();
      int64_t experts = cast<RankedTensorType>(op.getRouterLogits().getType()).getDimSize(1);
      uint64_t topK = op.getTopK();
      auto opts = remark::RemarkOpts::name("moe").category("hybrid-route-moe");
      if (succeeded(route(op, rewriter)))
        remark::passed(loc, opts)
            << "routed: top-" + std::to_string(topK) + " of " + std::to_string(experts) +
                   " experts, tokens dispatched into per-expert groups (dropless), grouped "
                   "matmuls with the activation in between, weighted combine";
      else
        remark::missed(loc, opts) << "not routed: the number of experts is not static";
    }
  }
};

} // namespace
