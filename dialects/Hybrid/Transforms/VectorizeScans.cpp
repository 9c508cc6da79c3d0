//===- VectorizeScans.cpp - hybrid-vectorize-scans ------------------------===//
//
// A vector lowering of the selective scan (hybrid.ssm_scan) on buffers. The
// scalar implementation runs one channel at a time with the state loop
// innermost: its sum over the states and the exp in it stay scalar. Here the
// lanes of a vector are `lanes` channels that share nothing but the step's B
// and C rows, so every operation is elementwise across lanes. Two layouts:
//
//   Channels (Mamba-1: P == 1, A [H, N], one group): the lanes are `lanes`
//   consecutive heads h0 .. h0 + lanes, the last block masked off (loads give
//   0, stores are skipped);
//   Heads (Mamba-2: P a multiple of `lanes`): the lanes are `lanes`
//   consecutive channels p0 .. of one head h, which share dt, dt_bias, D [H],
//   A and the B/C group h / (H / G); with A [H] the decay exp(delta * A[h])
//   is computed once per step for all N states.
//
//   scf.parallel (b, block of lanes):
//     aT[n] = A[lanes' heads, n]    per block, [N x lanes] on the stack (A [H, N])
//     st[n] = initial_state or 0    [N x lanes] on the stack
//     for t in 0 .. L:
//       delta = softplus?(dt[b, t, h..] + dt_bias), clamped
//       dx = delta * x[b, t, lanes]
//       acc = 0
//       for n in 0 .. N:
//         st[n] = exp(delta * aT[n]) * st[n] + dx * B[b, t, g, n]
//         acc += C[b, t, g, n] * st[n]
//       y[b, t, lanes] = (acc + D * x) * silu(z)
//     final_state[b, lanes, n] = st[n]
//
// The arithmetic is the reference's, in the same order per channel (the sum
// over states runs n = 0, 1, ...); exp, log1p and the sigmoid are the same
// math ops, which hybrid-approximate-math expands for vectors.
//
// It applies to f32 operands whose lanes are contiguous (Channels: x, z and
// y with unit stride along H, dt along its last dim, D and dt_bias along H;
// Heads: x, z, y and a per-channel D [H, P] along P); anything else keeps the
// scalar loops.
//
// hybrid.linear_attention (Gated DeltaNet, and Mamba-2 as the fused exports
// write it) gets the same treatment with `lanes` columns of its [Dk, Dv]
// state in the lanes (see vectorize(LinearAttentionOp) below).
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/IR/HybridOps.h"
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Remarks.h"

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

/// `v`'s last dim (or `dim`) has unit stride; a missing operand qualifies.
bool unitStride(Value v, int64_t dim = -1) {
  if (!v)
    return true;
  MemRefType t = memrefOf(v);
  return t && staticStride(v, dim < 0 ? t.getRank() - 1 : dim) == int64_t(1);
}

/// Every operand given is an f32 buffer (missing optional ones qualify).
bool allF32Buffers(ArrayRef<Value> operands) {
  return llvm::all_of(operands, [](Value v) {
    return !v || (memrefOf(v) && memrefOf(v).getElementType().isF32());
  });
}

/// How a scan's channels go into vector lanes.
enum class Layout {
  None,     // not vectorised: the scalar loops
  Channels, // Mamba-1: one channel per head (P == 1); lanes are heads
  Heads,    // Mamba-2: P % lanes == 0; lanes are one head's channels
};

/// Whether and how `op` is vectorised with `lanes` lanes.
Layout layoutOf(SsmScanOp op, int64_t lanes) {
  if (!allF32Buffers({op.getX(), op.getDt(), op.getA(), op.getBm(), op.getCm(), op.getD(),
                      op.getZ(), op.getDtBias(), op.getInitialState(), op.getOutputs()[0],
                      op.getOutputs()[1]}))
    return Layout::None;
  MemRefType x = memrefOf(op.getX()), a = memrefOf(op.getA()), bm = memrefOf(op.getBm());
  if (x.isDynamicDim(3))
    return Layout::None;
  Value d = op.getD();
  if (x.getDimSize(3) == 1) {
    // A per-state A and one group; channels contiguous where whole vectors
    // are loaded or stored.
    if (a.getRank() != 2 || bm.isDynamicDim(2) || bm.getDimSize(2) != 1)
      return Layout::None;
    bool contiguous = unitStride(op.getX(), 2) && unitStride(op.getZ(), 2) &&
                      unitStride(op.getOutputs()[0], 2) && unitStride(op.getDt(), 2) &&
                      unitStride(op.getDtBias(), 0) && unitStride(d, 0);
    return contiguous ? Layout::Channels : Layout::None;
  }
  // A head's channels contiguous in x, z, y (and a per-channel D).
  if (x.getDimSize(3) % lanes != 0)
    return Layout::None;
  bool contiguous = unitStride(op.getX(), 3) && unitStride(op.getZ(), 3) &&
                    unitStride(op.getOutputs()[0], 3) &&
                    (!d || memrefOf(d).getRank() == 1 || unitStride(d, 1));
  return contiguous ? Layout::Heads : Layout::None;
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

void vectorize(SsmScanOp op, int64_t lanes, Layout layout) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Builder v{b, loc, lanes};
  bool heads = layout == Layout::Heads;
  Value x = op.getX(), dt = op.getDt(), a = op.getA(), bm = op.getBm(), cm = op.getCm(),
        dskip = op.getD(), z = op.getZ(), bias = op.getDtBias(), init = op.getInitialState(),
        y = op.getOutputs()[0], fin = op.getOutputs()[1];
  Value batch = memref::DimOp::create(b, loc, x, 0), len = memref::DimOp::create(b, loc, x, 1),
        numHeads = memref::DimOp::create(b, loc, x, 2),
        groups = memref::DimOp::create(b, loc, bm, 2),
        states = memref::DimOp::create(b, loc, bm, 3);
  int64_t headDim = memrefOf(x).getDimSize(3);
  // Channels: [B, L, H] views of x, z, y and D as [H]; lanes are heads.
  if (!heads) {
    x = v.dropUnitDim(x, 3);
    y = v.dropUnitDim(y, 3);
    z = z ? v.dropUnitDim(z, 3) : Value();
    if (dskip && memrefOf(dskip).getRank() == 2)
      dskip = v.dropUnitDim(dskip, 1);
  }
  bool perStateA = memrefOf(a).getRank() == 2;
  Value c0 = v.idx(0), c1 = v.idx(1), cl = v.idx(lanes);
  // Heads: H * P / lanes blocks of one head's channels; channels: H / lanes
  // blocks of heads, the last one masked.
  Value blocksPerHead = v.idx(headDim / lanes);
  Value blocks = heads ? arith::MulIOp::create(b, loc, numHeads, blocksPerHead).getResult()
                       : arith::CeilDivUIOp::create(b, loc, numHeads, cl).getResult();
  auto f32 = b.getF32Type();
  auto mt = VectorType::get({lanes}, b.getI1Type());
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));

  auto par = scf::ParallelOp::create(b, loc, ValueRange{c0, c0}, ValueRange{batch, blocks},
                                     ValueRange{c1, c1});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(par.getBody());
  Value bi = par.getInductionVars()[0], blk = par.getInductionVars()[1];
  // Heads: head h, channels p0 .. p0 + lanes, B/C group h / (H / G).
  // Channels: heads h0 .. h0 + rem.
  Value h, p0, g, h0, rem, mask;
  if (heads) {
    h = arith::DivUIOp::create(b, loc, blk, blocksPerHead);
    p0 = arith::MulIOp::create(b, loc, arith::RemUIOp::create(b, loc, blk, blocksPerHead), cl);
    g = arith::DivUIOp::create(b, loc, h, arith::DivUIOp::create(b, loc, numHeads, groups));
    rem = cl;
  } else {
    h0 = arith::MulIOp::create(b, loc, blk, cl);
    rem = arith::MinUIOp::create(b, loc, cl, arith::SubIOp::create(b, loc, numHeads, h0));
    mask = vector::CreateMaskOp::create(b, loc, mt, ValueRange{rem});
    g = c0;
  }
  /// A vector of the lanes' channels of `src` at `at` (the lanes' index
  /// last): a plain load for a head's channels, a masked one for heads.
  auto lanesOf = [&](Value src, SmallVector<Value> at) -> Value {
    if (heads)
      return vector::LoadOp::create(b, loc, v.vt, src, at);
    return v.maskedLoad(src, at, mask);
  };
  /// One value shared by the lanes (heads) or one per lane (channels).
  auto perHead = [&](Value src, SmallVector<Value> prefix) -> Value {
    if (heads) {
      prefix.push_back(h);
      return v.bcast(memref::LoadOp::create(b, loc, src, prefix));
    }
    prefix.push_back(h0);
    return v.maskedLoad(src, prefix, mask);
  };
  // Where the lanes' channels are in x, z, y ([B, L, H, P] or [B, L, H]) and
  // in the state ([B, H, P, N]).
  auto channels = [&](Value bIdx, Value t) -> SmallVector<Value> {
    if (heads)
      return {bIdx, t, h, p0};
    return {bIdx, t, h0};
  };
  auto stateAt = [&](Value lane, Value n) -> SmallVector<Value> {
    if (heads)
      return {bi, h, arith::AddIOp::create(b, loc, p0, lane), n};
    return {bi, arith::AddIOp::create(b, loc, h0, lane), c0, n};
  };

  // [N x lanes] scratch on the stack, released at the end of the iteration.
  auto ptrTy = LLVM::LLVMPointerType::get(b.getContext());
  Value saved = LLVM::StackSaveOp::create(b, loc, ptrTy);
  auto scratchType = MemRefType::get({ShapedType::kDynamic, lanes}, f32);
  Value aT = perStateA ? memref::AllocaOp::create(b, loc, scratchType, ValueRange{states}).getResult()
                       : Value();
  Value st = memref::AllocaOp::create(b, loc, scratchType, ValueRange{states});

  // Per block: A's rows in lanes (a per-state A), and the initial state (0 in
  // the lanes past the last channel).
  forLoop(b, loc, c0, states, [&](Value n) {
    if (perStateA && heads)
      vector::StoreOp::create(b, loc, v.bcast(memref::LoadOp::create(b, loc, a, ValueRange{h, n})),
                              aT, ValueRange{n, c0});
    forLoop(b, loc, c0, cl, [&](Value lane) {
      Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, lane, rem);
      auto read = [&](Value src, ValueRange at) -> Value {
        auto ifOp = scf::IfOp::create(b, loc, TypeRange{f32}, inside, true);
        OpBuilder tb = ifOp.getThenBodyBuilder();
        scf::YieldOp::create(tb, loc, memref::LoadOp::create(tb, loc, src, at).getResult());
        OpBuilder eb = ifOp.getElseBodyBuilder();
        scf::YieldOp::create(eb, loc, zero);
        return ifOp.getResult(0);
      };
      if (perStateA && !heads)
        memref::StoreOp::create(b, loc, read(a, {arith::AddIOp::create(b, loc, h0, lane), n}), aT,
                                ValueRange{n, lane});
      Value s0 = init ? (heads ? memref::LoadOp::create(b, loc, init, stateAt(lane, n)).getResult()
                               : read(init, stateAt(lane, n)))
                      : zero;
      memref::StoreOp::create(b, loc, s0, st, ValueRange{n, lane});
    });
  });
  Value biasV = bias ? perHead(bias, {}) : Value();
  Value dV;
  if (dskip)
    dV = heads && memrefOf(dskip).getRank() == 2 ? lanesOf(dskip, {h, p0}) : perHead(dskip, {});
  // A per-head A: one decay per step for the whole state.
  Value aHead = perStateA ? Value() : perHead(a, {});

  forLoop(b, loc, c0, len, [&](Value t) {
    Value delta = perHead(dt, {bi, t});
    if (biasV)
      delta = v.add(delta, biasV);
    if (op.getDtSoftplus())
      delta = v.softplus(delta);
    if (op.getDtMin())
      delta = arith::MaximumFOp::create(b, loc, delta, v.splat(op.getDtMin()->convertToDouble()));
    if (op.getDtMax())
      delta = arith::MinimumFOp::create(b, loc, delta, v.splat(op.getDtMax()->convertToDouble()));
    Value xv = lanesOf(x, channels(bi, t));
    Value dx = v.mul(delta, xv);
    Value decay = aHead ? v.exp(v.mul(delta, aHead)) : Value();
    auto sum = scf::ForOp::create(b, loc, c0, states, c1, ValueRange{v.splat(0.0)});
    {
      OpBuilder::InsertionGuard ig(b);
      b.setInsertionPointToStart(sum.getBody());
      Value n = sum.getInductionVar();
      Value s = vector::LoadOp::create(b, loc, v.vt, st, ValueRange{n, c0});
      Value bn = v.bcast(memref::LoadOp::create(b, loc, bm, ValueRange{bi, t, g, n}));
      Value cn = v.bcast(memref::LoadOp::create(b, loc, cm, ValueRange{bi, t, g, n}));
      Value dA = decay ? decay
                       : v.exp(v.mul(delta, vector::LoadOp::create(b, loc, v.vt, aT,
                                                                   ValueRange{n, c0})));
      Value decayed = v.mul(dA, s);
      Value input = v.mul(dx, bn);
      s = v.add(decayed, input);
      vector::StoreOp::create(b, loc, s, st, ValueRange{n, c0});
      scf::YieldOp::create(b, loc, v.add(sum.getRegionIterArgs()[0], v.mul(cn, s)));
    }
    Value out = sum.getResult(0);
    if (dV)
      out = v.add(out, v.mul(dV, xv));
    if (z)
      out = v.mul(out, v.silu(lanesOf(z, channels(bi, t))));
    if (heads)
      vector::StoreOp::create(b, loc, out, y, channels(bi, t));
    else
      vector::MaskedStoreOp::create(b, loc, y, channels(bi, t), mask, out);
  });

  // The final state, lane by lane.
  forLoop(b, loc, c0, states, [&](Value n) {
    forLoop(b, loc, c0, rem, [&](Value lane) {
      Value s = memref::LoadOp::create(b, loc, st, ValueRange{n, lane});
      memref::StoreOp::create(b, loc, s, fin, stateAt(lane, n));
    });
  });
  LLVM::StackRestoreOp::create(b, loc, saved);
  op->erase();
}

/// Whether `op` is vectorised with `lanes` lanes over Dv: f32 buffers, Dv a
/// multiple of the lanes with v and o contiguous along it, static head counts.
bool vectorizable(LinearAttentionOp op, int64_t lanes) {
  if (!allF32Buffers({op.getQ(), op.getK(), op.getV(), op.getDecay(), op.getBeta(),
                      op.getInitialState(), op.getOutputs()[0], op.getOutputs()[1]}))
    return false;
  MemRefType q = memrefOf(op.getQ()), v = memrefOf(op.getV());
  if (v.isDynamicDim(3) || v.getDimSize(3) % lanes != 0 || q.isDynamicDim(2) ||
      v.isDynamicDim(2) || q.getDimSize(2) % v.getDimSize(2) != 0)
    return false;
  return unitStride(op.getV(), 3) && unitStride(op.getOutputs()[0], 3);
}

/// hybrid.linear_attention with `lanes` columns of the [Dk, Dv] state in the
/// lanes (the scalar implementation runs one column at a time):
///
///   scf.parallel (b, kv head hk, block of lanes columns c0 ..):
///     st[i] = initial_state[b, hk, i, c0 ..] or 0     [Dk x lanes] on the stack
///     for t in 0 .. T:
///       pred = 0
///       for i:  st[i] *= exp(decay)  (gated rules);  pred += st[i] * k[i]
///       u = beta * (v[c0 ..] - pred)  (delta rules), else v[c0 ..]
///       for i:  st[i] += k[i] * u
///       for each query head hq of hk:  o[b, t, hq, c0 ..] = scale * sum_i st[i] * q[hq, i]
///     final_state[b, hk, i, c0 ..] = st[i]
///
/// The sums over i run in the scalar implementation's order.
void vectorize(LinearAttentionOp op, int64_t lanes) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Builder v{b, loc, lanes};
  Value q = op.getQ(), k = op.getK(), val = op.getV(), decay = op.getDecay(),
        beta = op.getBeta(), init = op.getInitialState(), o = op.getOutputs()[0],
        fin = op.getOutputs()[1];
  UpdateRule rule = op.getUpdateRule();
  bool gated = rule == UpdateRule::Gated || rule == UpdateRule::GatedDelta;
  bool deltaRule = rule == UpdateRule::Delta || rule == UpdateRule::GatedDelta;
  bool perRow = decay && memrefOf(decay).getRank() == 4;
  int64_t hq = memrefOf(q).getDimSize(2), hkv = memrefOf(val).getDimSize(2),
          dv = memrefOf(val).getDimSize(3);
  int64_t group = hq / hkv;
  Value batch = memref::DimOp::create(b, loc, val, 0), len = memref::DimOp::create(b, loc, val, 1),
        dk = memref::DimOp::create(b, loc, k, 3);
  Value c0 = v.idx(0), c1 = v.idx(1);
  double scaleValue = op.getScale() ? op.getScale()->convertToDouble() : 0.0;
  auto f32 = b.getF32Type();
  auto par = scf::ParallelOp::create(b, loc, ValueRange{c0, c0, c0},
                                     ValueRange{batch, v.idx(hkv), v.idx(dv / lanes)},
                                     ValueRange{c1, c1, c1});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(par.getBody());
  Value bi = par.getInductionVars()[0], hk = par.getInductionVars()[1];
  Value col = arith::MulIOp::create(b, loc, par.getInductionVars()[2], v.idx(lanes));
  // The default scale 1 / sqrt(Dk), as the scalar implementation computes it.
  Value scale;
  if (op.getScale()) {
    scale = v.splat(scaleValue);
  } else {
    Value dkf = arith::UIToFPOp::create(b, loc, f32,
                                        arith::IndexCastOp::create(b, loc, b.getI64Type(), dk));
    Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1));
    Value root = math::SqrtOp::create(b, loc, dkf);
    scale = v.bcast(arith::DivFOp::create(b, loc, one, root));
  }
  auto ptrTy = LLVM::LLVMPointerType::get(b.getContext());
  Value saved = LLVM::StackSaveOp::create(b, loc, ptrTy);
  Value st = memref::AllocaOp::create(b, loc, MemRefType::get({ShapedType::kDynamic, lanes}, f32),
                                      ValueRange{dk});
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  forLoop(b, loc, c0, dk, [&](Value i) {
    forLoop(b, loc, c0, v.idx(lanes), [&](Value lane) {
      Value s0 = init ? memref::LoadOp::create(
                            b, loc, init,
                            ValueRange{bi, hk, i, arith::AddIOp::create(b, loc, col, lane)})
                            .getResult()
                      : zero;
      memref::StoreOp::create(b, loc, s0, st, ValueRange{i, lane});
    });
  });
  auto scalarAt = [&](Value src, SmallVector<Value> at) {
    return v.bcast(memref::LoadOp::create(b, loc, src, at));
  };
  forLoop(b, loc, c0, len, [&](Value t) {
    Value fHead = gated && !perRow ? v.exp(scalarAt(decay, {bi, t, hk})) : Value();
    // Decay the state and, for the delta rules, read S^T k from the decayed state.
    auto first = scf::ForOp::create(b, loc, c0, dk, c1, ValueRange{v.splat(0.0)});
    {
      OpBuilder::InsertionGuard ig(b);
      b.setInsertionPointToStart(first.getBody());
      Value i = first.getInductionVar();
      Value s = vector::LoadOp::create(b, loc, v.vt, st, ValueRange{i, c0});
      Value acc = first.getRegionIterArgs()[0];
      if (gated) {
        Value f = fHead ? fHead : v.exp(scalarAt(decay, {bi, t, hk, i}));
        s = v.mul(f, s);
        vector::StoreOp::create(b, loc, s, st, ValueRange{i, c0});
      }
      if (deltaRule)
        acc = v.add(acc, v.mul(s, scalarAt(k, {bi, t, hk, i})));
      scf::YieldOp::create(b, loc, acc);
    }
    Value u = vector::LoadOp::create(b, loc, v.vt, val, ValueRange{bi, t, hk, col});
    if (deltaRule) {
      // One statement per op: the IR's order must not depend on the compiler's
      // order of evaluating arguments.
      Value bt = scalarAt(beta, {bi, t, hk});
      Value err = arith::SubFOp::create(b, loc, u, first.getResult(0));
      u = v.mul(bt, err);
    }
    forLoop(b, loc, c0, dk, [&](Value i) {
      Value s = vector::LoadOp::create(b, loc, v.vt, st, ValueRange{i, c0});
      s = v.add(s, v.mul(scalarAt(k, {bi, t, hk, i}), u));
      vector::StoreOp::create(b, loc, s, st, ValueRange{i, c0});
    });
    for (int64_t j = 0; j < group; ++j) {
      Value base = arith::MulIOp::create(b, loc, hk, v.idx(group));
      Value head = arith::AddIOp::create(b, loc, base, v.idx(j));
      auto dot = scf::ForOp::create(b, loc, c0, dk, c1, ValueRange{v.splat(0.0)});
      {
        OpBuilder::InsertionGuard ig(b);
        b.setInsertionPointToStart(dot.getBody());
        Value i = dot.getInductionVar();
        Value s = vector::LoadOp::create(b, loc, v.vt, st, ValueRange{i, c0});
        scf::YieldOp::create(b, loc, v.add(dot.getRegionIterArgs()[0],
                                            v.mul(s, scalarAt(q, {bi, t, head, i}))));
      }
      vector::StoreOp::create(b, loc, v.mul(scale, dot.getResult(0)), o,
                              ValueRange{bi, t, head, col});
    }
  });
  forLoop(b, loc, c0, dk, [&](Value i) {
    forLoop(b, loc, c0, v.idx(lanes), [&](Value lane) {
      Value s = memref::LoadOp::create(b, loc, st, ValueRange{i, lane});
      memref::StoreOp::create(b, loc, s, fin,
                              ValueRange{bi, hk, i, arith::AddIOp::create(b, loc, col, lane)});
    });
  });
  LLVM::StackRestoreOp::create(b, loc, saved);
  op->erase();
}

/// Whether `op` is vectorised: f32 buffers with x and y contiguous in time.
bool vectorizable(CausalConv1dOp op) {
  return allF32Buffers({op.getX(), op.getWeight(), op.getBias(), op.getInitialState(),
                        op.getOutputs()[0], op.getOutputs()[1]}) &&
         unitStride(op.getX(), 2) && unitStride(op.getOutputs()[0], 2);
}

/// hybrid.causal_conv1d with `lanes` consecutive time steps in the lanes. With
/// xp = concat(initial_state or 0, x) and K the kernel width:
///
///   scf.parallel (b, c):
///     for t in 0 .. min(K-1, L):             y[t] reads the state: scalar
///       y[t] = act(bias + sum_j w[j] * xp[t + j])
///     for t0 in K-1 .. L step lanes:         x alone: vectors, the tail masked
///       y[t0 ..] = act(bias + sum_j w[j] * x[t0 + j - (K-1) ..])
///     final_state[m] = xp[L + m]             m < K-1, after every output
///
/// The sum runs j = 0, 1, ... from the bias as the scalar implementation's.
void vectorize(CausalConv1dOp op, int64_t lanes) {
  using P = arith::CmpIPredicate;
  OpBuilder b(op);
  Location loc = op.getLoc();
  Builder v{b, loc, lanes};
  Value x = op.getX(), w = op.getWeight(), bias = op.getBias(), init = op.getInitialState(),
        y = op.getOutputs()[0], fin = op.getOutputs()[1];
  bool silu = op.getActivation() == Activation::Silu;
  auto f32 = b.getF32Type();
  Value c0 = v.idx(0), c1 = v.idx(1), cl = v.idx(lanes);
  Value batch = memref::DimOp::create(b, loc, x, 0), chans = memref::DimOp::create(b, loc, x, 1),
        len = memref::DimOp::create(b, loc, x, 2), kw = memref::DimOp::create(b, loc, w, 1);
  Value hist = arith::SubIOp::create(b, loc, kw, c1);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  auto par = scf::ParallelOp::create(b, loc, ValueRange{c0, c0}, ValueRange{batch, chans},
                                     ValueRange{c1, c1});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(par.getBody());
  Value bi = par.getInductionVars()[0], c = par.getInductionVars()[1];
  Value b0 = bias ? memref::LoadOp::create(b, loc, bias, ValueRange{c}).getResult() : zero;
  // xp[at]: the state for at < K-1, else x[at - (K-1)].
  auto xp = [&](Value at) -> Value {
    Value inState = arith::CmpIOp::create(b, loc, P::ult, at, hist);
    auto ifOp = scf::IfOp::create(b, loc, TypeRange{f32}, inState, true);
    OpBuilder tb = ifOp.getThenBodyBuilder();
    scf::YieldOp::create(
        tb, loc,
        init ? memref::LoadOp::create(tb, loc, init, ValueRange{bi, c, at}).getResult() : zero);
    OpBuilder eb = ifOp.getElseBodyBuilder();
    scf::YieldOp::create(
        eb, loc,
        memref::LoadOp::create(eb, loc, x, ValueRange{bi, c, arith::SubIOp::create(eb, loc, at, hist)})
            .getResult());
    return ifOp.getResult(0);
  };
  auto scalarSilu = [&](Value a) -> Value {
    Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1));
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, a));
    return arith::MulFOp::create(
        b, loc, a, arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, e)));
  };
  // The outputs that read the state.
  forLoop(b, loc, c0, arith::MinUIOp::create(b, loc, hist, len), [&](Value t) {
    auto sum = scf::ForOp::create(b, loc, c0, kw, c1, ValueRange{b0});
    {
      OpBuilder::InsertionGuard ig(b);
      b.setInsertionPointToStart(sum.getBody());
      Value j = sum.getInductionVar();
      Value wj = memref::LoadOp::create(b, loc, w, ValueRange{c, j});
      Value xj = xp(arith::AddIOp::create(b, loc, t, j));
      Value term = arith::MulFOp::create(b, loc, wj, xj);
      scf::YieldOp::create(b, loc,
                           arith::AddFOp::create(b, loc, sum.getRegionIterArgs()[0], term).getResult());
    }
    Value acc = sum.getResult(0);
    memref::StoreOp::create(b, loc, silu ? scalarSilu(acc) : acc, y, ValueRange{bi, c, t});
  });
  // The rest, `lanes` steps at a time.
  auto mt = VectorType::get({lanes}, b.getI1Type());
  auto body = scf::ForOp::create(b, loc, hist, len, cl);
  {
    OpBuilder::InsertionGuard ig(b);
    b.setInsertionPointToStart(body.getBody());
    Value t0 = body.getInductionVar();
    Value mask = vector::CreateMaskOp::create(
        b, loc, mt, ValueRange{arith::SubIOp::create(b, loc, len, t0).getResult()});
    Value start = arith::SubIOp::create(b, loc, t0, hist);
    auto sum = scf::ForOp::create(b, loc, c0, kw, c1, ValueRange{v.bcast(b0)});
    {
      OpBuilder::InsertionGuard ig2(b);
      b.setInsertionPointToStart(sum.getBody());
      Value j = sum.getInductionVar();
      Value xs = v.maskedLoad(x, {bi, c, arith::AddIOp::create(b, loc, start, j)}, mask);
      Value wj = v.bcast(memref::LoadOp::create(b, loc, w, ValueRange{c, j}));
      scf::YieldOp::create(b, loc, v.add(sum.getRegionIterArgs()[0], v.mul(wj, xs)));
    }
    Value acc = sum.getResult(0);
    vector::MaskedStoreOp::create(b, loc, y, ValueRange{bi, c, t0}, mask,
                                  silu ? v.silu(acc) : acc);
  }
  // The final state, after every output (it may share the state's buffer).
  forLoop(b, loc, c0, hist, [&](Value m) {
    memref::StoreOp::create(b, loc, xp(arith::AddIOp::create(b, loc, len, m)), fin,
                            ValueRange{bi, c, m});
  });
}

//===----------------------------------------------------------------------===//
// Row ops: rms_norm, rotary
//===----------------------------------------------------------------------===//

/// An scf.parallel over dims [0, n) of `v` (one unit iteration when n is 0),
/// with `b` inside it; returns its induction variables (none when n is 0).
SmallVector<Value> parallelOverDims(OpBuilder &b, Location loc, Value v, int64_t n) {
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0), c1 = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t d = 0; d < n; ++d) {
    lbs.push_back(c0);
    ubs.push_back(memref::DimOp::create(b, loc, v, d));
    steps.push_back(c1);
  }
  if (n == 0)
    lbs = {c0}, ubs = {c1}, steps = {c1};
  auto par = scf::ParallelOp::create(b, loc, lbs, ubs, steps);
  b.setInsertionPointToStart(par.getBody());
  if (n == 0)
    return {};
  return SmallVector<Value>(par.getInductionVars());
}

/// Runs `body(j, mask)` over the columns [base, base + n) in vectors of
/// `v.lanes`: whole vectors with a null mask, then the tail (if any) with a
/// mask, under an scf.if. `init` is carried through (the tail yields it
/// unchanged when there is none); returns the final value, or null.
Value overColumns(Builder &v, Value base, Value n, Value init,
                  function_ref<Value(Value j, Value mask, Value acc)> body) {
  OpBuilder &b = v.b;
  Location loc = v.loc;
  Value cl = v.idx(v.lanes);
  Value full = arith::SubIOp::create(b, loc, n, arith::RemUIOp::create(b, loc, n, cl));
  SmallVector<Value> inits;
  if (init)
    inits.push_back(init);
  auto loop = scf::ForOp::create(b, loc, v.idx(0), full, cl, inits);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    Value r = body(arith::AddIOp::create(b, loc, base, loop.getInductionVar()), Value(),
                   init ? loop.getRegionIterArgs()[0] : Value());
    if (init)
      scf::YieldOp::create(b, loc, r);
  }
  Value acc = init ? loop.getResult(0) : Value();
  Value rest = arith::SubIOp::create(b, loc, n, full);
  Value any = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, rest, v.idx(0));
  auto tail = scf::IfOp::create(b, loc, init ? TypeRange{init.getType()} : TypeRange{}, any,
                                /*withElseRegion=*/static_cast<bool>(init));
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(tail.thenBlock());
    auto mt = VectorType::get({v.lanes}, b.getI1Type());
    Value mask = vector::CreateMaskOp::create(b, loc, mt, ValueRange{rest});
    Value r = body(arith::AddIOp::create(b, loc, base, full), mask, acc);
    // Without results the builder gave the block its yield already.
    if (init) {
      scf::YieldOp::create(b, loc, r);
      b.setInsertionPointToStart(tail.elseBlock());
      scf::YieldOp::create(b, loc, acc);
    }
  }
  return init ? tail.getResult(0) : Value();
}

/// A vector of `base[indices]` (masked when `mask` is set; masked lanes 0).
Value loadRow(Builder &v, Value base, ValueRange indices, Value mask) {
  if (mask)
    return v.maskedLoad(base, indices, mask);
  return vector::LoadOp::create(v.b, v.loc, v.vt, base, indices);
}

void storeRow(Builder &v, Value value, Value base, ValueRange indices, Value mask) {
  if (mask)
    vector::MaskedStoreOp::create(v.b, v.loc, base, indices, mask, value);
  else
    vector::StoreOp::create(v.b, v.loc, value, base, indices);
}

/// Whether `op` is vectorised: f32 buffers, every operand contiguous along
/// the normalized dim.
bool vectorizable(RmsNormOp op) {
  Value x = op.getX(), w = op.getWeight(), z = op.getZ(), y = op.getOutputs()[0];
  return allF32Buffers({x, w, z, y}) && unitStride(x) && unitStride(w) && unitStride(z) &&
         unitStride(y);
}

/// hybrid.rms_norm with `lanes` columns of a row per vector (the scalar
/// implementation runs one element at a time, its sum a chain of scalar adds):
///
///   scf.parallel (every dim but the last):
///     for each group g (of group_size columns, or the whole row):
///       acc[lanes] = 0;  for j in the group:  acc += u[j]^2     (tail masked)
///       inv = 1 / sqrt(reduce_add(acc) / group_size + eps)
///       for j in the group:  y[j] = u[j] * inv * w[j]  (* silu(z[j]))
///
/// with u = x (* silu(z) when the gate comes before the norm), as the scalar
/// implementation. The sum of squares is re-associated (lanes' partial sums,
/// then a tree), so results may differ from it in the last bits.
void vectorize(RmsNormOp op, int64_t lanes) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value x = op.getX(), w = op.getWeight(), z = op.getZ(), y = op.getOutputs()[0];
  int64_t rank = memrefOf(x).getRank();
  Value dn = memref::DimOp::create(b, loc, x, rank - 1);
  Builder v{b, loc, lanes};
  Value gs = op.getGroupSize() ? v.idx(*op.getGroupSize()) : dn;
  if (op.getGroupSize())
    cf::AssertOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                              arith::RemUIOp::create(b, loc, dn, gs), v.idx(0)),
        "hybrid.rms_norm: group_size must divide the normalized dim");
  Value groups = arith::DivUIOp::create(b, loc, dn, gs);
  auto f32 = b.getF32Type();
  Value gsF = arith::UIToFPOp::create(b, loc, f32, arith::IndexCastUIOp::create(b, loc, b.getI64Type(), gs));
  Value eps = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(op.getEpsilon().convertToFloat()));
  Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
  bool before = op.getGateBeforeNorm();
  OpBuilder::InsertionGuard guard(b);
  SmallVector<Value> rows = parallelOverDims(b, loc, x, rank - 1);
  auto at = [&](Value j) {
    SmallVector<Value> idx(rows);
    idx.push_back(j);
    return idx;
  };
  auto u = [&](Value j, Value mask) {
    Value xv = loadRow(v, x, at(j), mask);
    return z && before ? v.mul(xv, v.silu(loadRow(v, z, at(j), mask))) : xv;
  };
  forLoop(b, loc, v.idx(0), groups, [&](Value g) {
    Value base = arith::MulIOp::create(b, loc, g, gs);
    Value acc = overColumns(v, base, gs, v.splat(0.0), [&](Value j, Value mask, Value a) {
      Value uj = u(j, mask);
      return v.add(a, v.mul(uj, uj));
    });
    Value ss = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, acc);
    Value inv = arith::DivFOp::create(
        b, loc, one,
        math::SqrtOp::create(b, loc, arith::AddFOp::create(
                                         b, loc, arith::DivFOp::create(b, loc, ss, gsF), eps)));
    Value invV = v.bcast(inv);
    overColumns(v, base, gs, Value(), [&](Value j, Value mask, Value) {
      // One op per statement: the IR's order does not depend on the order in
      // which the compiler evaluates arguments.
      Value uj = u(j, mask);
      Value scaled = v.mul(uj, invV);
      Value wj = loadRow(v, w, ValueRange{j}, mask);
      Value r = v.mul(scaled, wj);
      if (z && !before) {
        Value zj = loadRow(v, z, at(j), mask);
        r = v.mul(r, v.silu(zj));
      }
      storeRow(v, r, y, at(j), mask);
      return Value();
    });
  });
}

/// Whether `op` is vectorised: the half-rotated form on f32 buffers, every
/// operand contiguous along its last dim.
bool vectorizable(RotaryOp op) {
  Value x = op.getX(), c = op.getCos(), s = op.getSin(), y = op.getOutputs()[0];
  return !op.getInterleaved() && allF32Buffers({x, c, s, y}) && unitStride(x) && unitStride(c) &&
         unitStride(s) && unitStride(y);
}

/// The half-rotated hybrid.rotary with `lanes` of the R/2 rotated pairs per
/// vector (lanes narrowed to the pairs' count, rounded up to a power of two,
/// when it is static and smaller):
///
///   scf.parallel (b, h, s):
///     for i in 0 .. R/2 step lanes:       (tail masked)
///       x0 = x[i ..], x1 = x[R/2 + i ..], c = cos[i ..], sn = sin[i ..]
///       y[i ..] = x0 c - x1 sn;  y[R/2 + i ..] = x1 c + x0 sn
///     for d in R .. D step lanes:  y[d ..] = x[d ..]
///
/// Each element is computed as in the scalar implementation.
void vectorize(RotaryOp op, int64_t lanes) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value x = op.getX(), cs = op.getCos(), sn = op.getSin(), y = op.getOutputs()[0];
  MemRefType ct = memrefOf(cs);
  if (!ct.isDynamicDim(2))
    lanes = std::min<int64_t>(lanes, std::max<int64_t>(4, llvm::PowerOf2Ceil(ct.getDimSize(2))));
  Builder v{b, loc, lanes};
  Value half = memref::DimOp::create(b, loc, cs, 2), dh = memref::DimOp::create(b, loc, x, 3);
  Value rot = arith::MulIOp::create(b, loc, half, v.idx(2));
  if (std::optional<uint64_t> rd = op.getRotaryDim())
    cf::AssertOp::create(b, loc,
                         arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, half,
                                               v.idx(static_cast<int64_t>(*rd) / 2)),
                         "hybrid.rotary: cos/sin must have rotary_dim / 2 columns");
  cf::AssertOp::create(b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, rot, dh),
                       "hybrid.rotary: the rotary dim exceeds the head dim");
  // cos/sin's batch: 0 when it broadcasts (size 1).
  Value csBatch = memref::DimOp::create(b, loc, cs, 0);
  OpBuilder::InsertionGuard guard(b);
  SmallVector<Value> ivs = parallelOverDims(b, loc, x, 3);
  Value bi = ivs[0], h = ivs[1], s = ivs[2];
  Value cb = arith::SelectOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, csBatch, v.idx(1)), v.idx(0),
      bi);
  overColumns(v, v.idx(0), half, Value(), [&](Value i, Value mask, Value) {
    Value i1 = arith::AddIOp::create(b, loc, i, half);
    Value c = loadRow(v, cs, {cb, s, i}, mask), sv = loadRow(v, sn, {cb, s, i}, mask);
    Value x0 = loadRow(v, x, {bi, h, s, i}, mask), x1 = loadRow(v, x, {bi, h, s, i1}, mask);
    Value x0c = v.mul(x0, c), x1s = v.mul(x1, sv);
    storeRow(v, arith::SubFOp::create(b, loc, x0c, x1s), y, {bi, h, s, i}, mask);
    Value x1c = v.mul(x1, c), x0s = v.mul(x0, sv);
    storeRow(v, v.add(x1c, x0s), y, {bi, h, s, i1}, mask);
    return Value();
  });
  overColumns(v, rot, arith::SubIOp::create(b, loc, dh, rot), Value(),
              [&](Value d, Value mask, Value) {
                storeRow(v, loadRow(v, x, {bi, h, s, d}, mask), y, {bi, h, s, d}, mask);
                return Value();
              });
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
    auto opts = remark::RemarkOpts::name("vectorize").category("hybrid-vectorize-scans");
    std::string n = std::to_string(lanes);
    SmallVector<std::pair<SsmScanOp, Layout>> ops;
    getOperation()->walk([&](SsmScanOp op) {
      if (!op.hasPureBufferSemantics())
        return;
      Layout layout = layoutOf(op, lanes);
      if (layout != Layout::None)
        ops.push_back({op, layout});
      else
        remark::missed(op.getLoc(), opts)
            << "ssm_scan in scalar loops: vector lanes need f32 buffers and either one channel "
               "per head with A [H, N] and one group, or a head size that is a multiple of " +
                   n + ", with the lanes' elements contiguous";
    });
    for (auto [op, layout] : ops) {
      remark::passed(op.getLoc(), opts)
          << (layout == Layout::Heads
                  ? "ssm_scan in vector loops: " + n + " channels of a head per vector"
                  : "ssm_scan in vector loops: " + n + " heads (one channel each) per vector");
      vectorize(op, lanes, layout);
    }
    SmallVector<LinearAttentionOp> linear;
    getOperation()->walk([&](LinearAttentionOp op) {
      if (!op.hasPureBufferSemantics())
        return;
      if (vectorizable(op, lanes))
        linear.push_back(op);
      else
        remark::missed(op.getLoc(), opts)
            << "linear_attention in scalar loops: vector lanes need f32 buffers, Dv a multiple "
               "of " + n + " with v and o contiguous along it, and static head counts";
    });
    for (LinearAttentionOp op : linear) {
      remark::passed(op.getLoc(), opts)
          << "linear_attention in vector loops: " + n + " state columns per vector";
      vectorize(op, lanes);
    }
    SmallVector<CausalConv1dOp> convs;
    getOperation()->walk([&](CausalConv1dOp op) {
      if (!op.hasPureBufferSemantics())
        return;
      if (vectorizable(op))
        convs.push_back(op);
      else
        remark::missed(op.getLoc(), opts)
            << "causal_conv1d in scalar loops: vector lanes need f32 buffers contiguous in time";
    });
    for (CausalConv1dOp op : convs) {
      remark::passed(op.getLoc(), opts)
          << "causal_conv1d in vector loops: " + n + " time steps per vector";
      vectorize(op, lanes);
      op->erase();
    }
    SmallVector<RmsNormOp> norms;
    SmallVector<RotaryOp> rotaries;
    getOperation()->walk([&](Operation *op) {
      auto dps = dyn_cast<DestinationStyleOpInterface>(op);
      if (!dps || !dps.hasPureBufferSemantics())
        return;
      if (auto norm = dyn_cast<RmsNormOp>(op)) {
        if (vectorizable(norm))
          norms.push_back(norm);
        else
          remark::missed(op->getLoc(), opts)
              << "rms_norm in scalar loops: vector rows need f32 buffers contiguous along the "
                 "normalized dim";
      } else if (auto rotary = dyn_cast<RotaryOp>(op)) {
        if (vectorizable(rotary))
          rotaries.push_back(rotary);
        else
          remark::missed(op->getLoc(), opts)
              << "rotary in scalar loops: vector rows need the half-rotated form on f32 "
                 "buffers contiguous along the head dim";
      }
    });
    for (RmsNormOp op : norms) {
      remark::passed(op.getLoc(), opts) << "rms_norm in vector loops: " + n + " columns per vector";
      vectorize(op, lanes);
      op->erase();
    }
    for (RotaryOp op : rotaries) {
      remark::passed(op.getLoc(), opts) << "rotary in vector loops: rotated pairs in the lanes";
      vectorize(op, lanes);
      op->erase();
    }
  }
};

} // namespace
