//===- VectorizeScans.cpp - hybrid-vectorize-scans ------------------------===//
//
// A vector lowering of the Mamba-1 selective scan (hybrid.ssm_scan with one
// channel per head, P == 1, a per-state A [H, N] and one group) on buffers.
// The scalar implementation runs one channel at a time with the state loop
// innermost: its sum over the states and the exp in it stay scalar. Here the
// lanes of a vector are `lanes` consecutive channels, which share nothing but
// the step's B and C rows, so every operation is elementwise across lanes:
//
//   scf.parallel (b, block of `lanes` channels h0 .. h0 + lanes):
//     aT[n] = A[h0 .. , n]          per block, [N x lanes] on the stack
//     st[n] = initial_state or 0    [N x lanes] on the stack
//     for t in 0 .. L:
//       delta = softplus?(dt[b, t, h0 ..] + dt_bias), clamped  (masked load)
//       dx = delta * x[b, t, h0 ..]
//       acc = 0
//       for n in 0 .. N:
//         st[n] = exp(delta * aT[n]) * st[n] + dx * B[b, t, 0, n]
//         acc += C[b, t, 0, n] * st[n]
//       y[b, t, h0 ..] = (acc + D * x) * silu(z)             (masked store)
//     final_state[b, h0 .., 0, n] = st[n]
//
// The last block's missing channels are masked off (loads give 0, stores are
// skipped). The arithmetic is the reference's, in the same order per channel
// (the sum over states runs n = 0, 1, ...); exp, log1p and the sigmoid are
// the same math ops, which hybrid-approximate-math expands for vectors.
//
// It applies to f32 operands whose channel dims are contiguous (x, z and y
// with unit stride along H, dt along its last dim, D and dt_bias along H);
// anything else keeps the scalar loops. Mamba-2's multi-channel heads use
// hybrid.linear_attention in the importer, and keep the scalar loops here.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/IR/HybridOps.h"
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDVECTORIZESCANSPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;
using namespace hybrid;

namespace {

MemRefType memrefOf(Value v) { return v ? dyn_cast<MemRefType>(v.getType()) : MemRefType(); }

/// The static stride of `dim` of `v`'s buffer, if any.
std::optional<int64_t> staticStride(Value v, int64_t dim) {
  MemRefType t = memrefOf(v);
  SmallVector<int64_t> strides;
  int64_t offset;
  if (!t || failed(t.getStridesAndOffset(strides, offset)) || ShapedType::isDynamic(strides[dim]))
    return std::nullopt;
  return strides[dim];
}

bool eligible(SsmScanOp op) {
  SmallVector<Value> operands = {op.getX(),          op.getDt(),        op.getA(),
                                 op.getBm(),         op.getCm(),        op.getD(),
                                 op.getZ(),          op.getDtBias(),    op.getInitialState(),
                                 op.getOutputs()[0], op.getOutputs()[1]};
  for (Value v : operands)
    if (v && (!memrefOf(v) || !memrefOf(v).getElementType().isF32()))
      return false;
  MemRefType x = memrefOf(op.getX()), a = memrefOf(op.getA()), bm = memrefOf(op.getBm());
  // One channel per head, a per-state A, one group.
  if (x.isDynamicDim(3) || x.getDimSize(3) != 1 || a.getRank() != 2 || bm.isDynamicDim(2) ||
      bm.getDimSize(2) != 1)
    return false;
  // Channels contiguous where whole vectors are loaded or stored.
  auto unit = [](Value v, int64_t dim) { return !v || staticStride(v, dim) == int64_t(1); };
  Value d = op.getD();
  return unit(op.getX(), 2) && unit(op.getZ(), 2) && unit(op.getOutputs()[0], 2) &&
         unit(op.getDt(), 2) && unit(op.getDtBias(), 0) && unit(d, 0);
}

struct Builder {
  OpBuilder &b;
  Location loc;
  int64_t lanes;
  VectorType vt = VectorType::get({lanes}, b.getF32Type());

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value splat(double v) {
    return arith::ConstantOp::create(b, loc, vt, DenseElementsAttr::get(vt, static_cast<float>(v)));
  }
  Value bcast(Value s) { return vector::BroadcastOp::create(b, loc, vt, s); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  Value neg(Value x) { return arith::NegFOp::create(b, loc, x); }
  /// As the scalar implementation: 1 / (1 + exp(-x)), x * sigmoid(x),
  /// max(x, 0) + log1p(exp(-|x|)).
  Value silu(Value x) {
    return mul(x, arith::DivFOp::create(b, loc, splat(1.0), add(splat(1.0), exp(neg(x)))));
  }
  Value softplus(Value x) {
    Value e = exp(neg(math::AbsFOp::create(b, loc, x)));
    return add(arith::MaximumFOp::create(b, loc, x, splat(0.0)), math::Log1pOp::create(b, loc, e));
  }
  /// A rank-reduced view of `v` without its unit dim `drop` (static size 1).
  Value dropUnitDim(Value v, int64_t drop) {
    auto type = cast<MemRefType>(v.getType());
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0)),
        strides(type.getRank(), b.getIndexAttr(1)), sizes;
    SmallVector<int64_t> shape;
    for (int64_t i = 0; i < type.getRank(); ++i) {
      sizes.push_back(memref::getMixedSize(b, loc, v, i));
      if (i != drop)
        shape.push_back(type.getDimSize(i));
    }
    auto result =
        memref::SubViewOp::inferRankReducedResultType(shape, type, offsets, sizes, strides);
    return memref::SubViewOp::create(b, loc, cast<MemRefType>(result), v, offsets, sizes, strides);
  }
  Value maskedLoad(Value base, ValueRange indices, Value mask) {
    return vector::MaskedLoadOp::create(b, loc, vt, base, indices, mask, splat(0.0));
  }
};

/// `body(iv)` in an scf.for over [lb, ub), built with `b` inside it.
void forLoop(OpBuilder &b, Location loc, Value lb, Value ub, function_ref<void(Value)> body) {
  auto loop = scf::ForOp::create(b, loc, lb, ub, arith::ConstantIndexOp::create(b, loc, 1));
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  body(loop.getInductionVar());
}

void vectorize(SsmScanOp op, int64_t lanes) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Builder v{b, loc, lanes};
  Value x = op.getX(), dt = op.getDt(), a = op.getA(), bm = op.getBm(), cm = op.getCm(),
        dskip = op.getD(), z = op.getZ(), bias = op.getDtBias(), init = op.getInitialState(),
        y = op.getOutputs()[0], fin = op.getOutputs()[1];
  Value batch = memref::DimOp::create(b, loc, x, 0), len = memref::DimOp::create(b, loc, x, 1),
        heads = memref::DimOp::create(b, loc, x, 2), states = memref::DimOp::create(b, loc, bm, 3);
  // [B, L, H] views of x, z, y; D as [H].
  Value x3 = v.dropUnitDim(x, 3), y3 = v.dropUnitDim(y, 3), z3 = z ? v.dropUnitDim(z, 3) : Value();
  if (dskip && memrefOf(dskip).getRank() == 2)
    dskip = v.dropUnitDim(dskip, 1);
  Value c0 = v.idx(0), c1 = v.idx(1), cl = v.idx(lanes);
  Value blocks = arith::CeilDivUIOp::create(b, loc, heads, cl);
  auto f32 = b.getF32Type();
  auto mt = VectorType::get({lanes}, b.getI1Type());
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));

  auto par = scf::ParallelOp::create(b, loc, ValueRange{c0, c0}, ValueRange{batch, blocks},
                                     ValueRange{c1, c1});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(par.getBody());
  Value bi = par.getInductionVars()[0];
  Value h0 = arith::MulIOp::create(b, loc, par.getInductionVars()[1], cl);
  Value rem = arith::MinUIOp::create(b, loc, cl, arith::SubIOp::create(b, loc, heads, h0));
  Value mask = vector::CreateMaskOp::create(b, loc, mt, ValueRange{rem});
  // [N x lanes] scratch on the stack, released at the end of the iteration.
  auto ptrTy = LLVM::LLVMPointerType::get(b.getContext());
  Value saved = LLVM::StackSaveOp::create(b, loc, ptrTy);
  auto scratchType = MemRefType::get({ShapedType::kDynamic, lanes}, f32);
  Value aT = memref::AllocaOp::create(b, loc, scratchType, ValueRange{states});
  Value st = memref::AllocaOp::create(b, loc, scratchType, ValueRange{states});

  // Per block: A's rows transposed into lanes, and the initial state (0 in the
  // lanes past the last channel).
  forLoop(b, loc, c0, states, [&](Value n) {
    forLoop(b, loc, c0, cl, [&](Value lane) {
      Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, lane, rem);
      Value h = arith::AddIOp::create(b, loc, h0, lane);
      auto read = [&](Value src, ValueRange at) -> Value {
        auto ifOp = scf::IfOp::create(b, loc, TypeRange{f32}, inside, true);
        OpBuilder tb = ifOp.getThenBodyBuilder();
        scf::YieldOp::create(tb, loc, memref::LoadOp::create(tb, loc, src, at).getResult());
        OpBuilder eb = ifOp.getElseBodyBuilder();
        scf::YieldOp::create(eb, loc, zero);
        return ifOp.getResult(0);
      };
      memref::StoreOp::create(b, loc, read(a, {h, n}), aT, ValueRange{n, lane});
      memref::StoreOp::create(b, loc, init ? read(init, {bi, h, c0, n}) : zero, st,
                              ValueRange{n, lane});
    });
  });
  Value biasV = bias ? v.maskedLoad(bias, {h0}, mask) : Value();
  Value dV = dskip ? v.maskedLoad(dskip, {h0}, mask) : Value();

  forLoop(b, loc, c0, len, [&](Value t) {
    Value delta = v.maskedLoad(dt, {bi, t, h0}, mask);
    if (biasV)
      delta = v.add(delta, biasV);
    if (op.getDtSoftplus())
      delta = v.softplus(delta);
    if (op.getDtMin())
      delta = arith::MaximumFOp::create(b, loc, delta, v.splat(op.getDtMin()->convertToDouble()));
    if (op.getDtMax())
      delta = arith::MinimumFOp::create(b, loc, delta, v.splat(op.getDtMax()->convertToDouble()));
    Value xv = v.maskedLoad(x3, {bi, t, h0}, mask);
    Value dx = v.mul(delta, xv);
    auto sum = scf::ForOp::create(b, loc, c0, states, c1, ValueRange{v.splat(0.0)});
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(sum.getBody());
      Value n = sum.getInductionVar();
      Value an = vector::LoadOp::create(b, loc, v.vt, aT, ValueRange{n, c0});
      Value s = vector::LoadOp::create(b, loc, v.vt, st, ValueRange{n, c0});
      Value bn = v.bcast(memref::LoadOp::create(b, loc, bm, ValueRange{bi, t, c0, n}));
      Value cn = v.bcast(memref::LoadOp::create(b, loc, cm, ValueRange{bi, t, c0, n}));
      s = v.add(v.mul(v.exp(v.mul(delta, an)), s), v.mul(dx, bn));
      vector::StoreOp::create(b, loc, s, st, ValueRange{n, c0});
      scf::YieldOp::create(b, loc, v.add(sum.getRegionIterArgs()[0], v.mul(cn, s)));
    }
    Value out = sum.getResult(0);
    if (dV)
      out = v.add(out, v.mul(dV, xv));
    if (z3)
      out = v.mul(out, v.silu(v.maskedLoad(z3, {bi, t, h0}, mask)));
    vector::MaskedStoreOp::create(b, loc, y3, ValueRange{bi, t, h0}, mask, out);
  });

  // The final state, lane by lane.
  forLoop(b, loc, c0, states, [&](Value n) {
    forLoop(b, loc, c0, rem, [&](Value lane) {
      Value s = memref::LoadOp::create(b, loc, st, ValueRange{n, lane});
      memref::StoreOp::create(b, loc, s, fin,
                              ValueRange{bi, arith::AddIOp::create(b, loc, h0, lane), c0, n});
    });
  });
  LLVM::StackRestoreOp::create(b, loc, saved);
  op->erase();
}

struct HybridVectorizeScansPass
    : public hybrid::impl::HybridVectorizeScansPassBase<HybridVectorizeScansPass> {
  using Base::Base;
  void runOnOperation() override {
    if (lanes < 1 || lanes > 64) {
      getOperation()->emitError() << "hybrid-vectorize-scans: lanes must be in [1, 64], got "
                                  << static_cast<int64_t>(lanes);
      return signalPassFailure();
    }
    SmallVector<SsmScanOp> ops;
    getOperation()->walk([&](SsmScanOp op) {
      if (op.hasPureBufferSemantics() && eligible(op))
        ops.push_back(op);
    });
    for (SsmScanOp op : ops)
      vectorize(op, lanes);
  }
};

} // namespace
