//===- ScalarImplementation.cpp - reference loops of the hybrid ops -------===//
//
// `generateScalarImplementation` of every hybrid op: the body of one point of
// the op's (parallel) iteration domain, on memrefs, written straight from
// shared/spec/hybrid-ops.md. This is the reference lowering that every faster
// lowering is checked against, so it favours clarity over speed:
//
// - arithmetic happens in f32 (f64 for f64 operands) and is rounded to the
//   element type only when stored;
// - per-point scratch (a state column, an accumulator row) is a heap buffer
//   freed at the end of the point;
// - data-dependent indices (expert ids, row sources) are checked with
//   `cf.assert` before use.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/IR/HybridOpUtils.h"
#include "dialects/Hybrid/IR/HybridOps.h"
#include "dialects/Hybrid/IR/HybridUtils.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace hybrid;

namespace {

/// A small builder for loop-level code: constants, loads/stores that widen to
/// and round from the compute type, and structured loops and branches that keep
/// the insertion point where the caller expects it.
class ScalarBuilder {
public:
  ScalarBuilder(OpBuilder &b, Location loc, Type elementType)
      : b(b), loc(loc),
        ct(elementType.isF64() ? Type(b.getF64Type()) : b.getF32Type()) {}

  OpBuilder &b;
  Location loc;
  /// The compute type: f64 for f64 operands, else f32.
  Type ct;
  /// Scratch buffers of the open scopes, innermost last, and whether each
  /// scope has stack scratch (then it restores the stack pointer it saved).
  struct Scope {
    SmallVector<Value> heap;
    Operation *stackSave = nullptr;
    bool usesStack = false;
  };
  SmallVector<Scope> scopes;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f(double v) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ct, v));
  }
  Value dim(Value m, int64_t d) { return hybrid::detail::dimValue(b, loc, m, d); }

  /// Loads a float element widened to the compute type.
  Value load(Value m, ValueRange ivs) {
    Value v = memref::LoadOp::create(b, loc, m, ivs);
    if (v.getType() != ct)
      v = arith::ExtFOp::create(b, loc, ct, v);
    return v;
  }
  /// Loads an integer element as an index.
  Value loadIndex(Value m, ValueRange ivs) {
    Value v = memref::LoadOp::create(b, loc, m, ivs);
    if (!v.getType().isIndex())
      v = arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
    return v;
  }
  /// Stores a compute-type value rounded to the memref's element type.
  void store(Value v, Value m, ValueRange ivs) {
    Type et = cast<MemRefType>(m.getType()).getElementType();
    if (et != v.getType()) {
      if (isa<FloatType>(et))
        v = arith::TruncFOp::create(b, loc, et, v);
      else
        v = arith::IndexCastOp::create(b, loc, et, v);
    }
    memref::StoreOp::create(b, loc, v, m, ivs);
  }

  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  Value fmax(Value x, Value y) {
    return arith::MaximumFOp::create(b, loc, x, y);
  }
  Value fmin(Value x, Value y) {
    return arith::MinimumFOp::create(b, loc, x, y);
  }
  Value iadd(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value isub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value imul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value idiv(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value irem(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value icmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value fcmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value band(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  /// An index value as a compute-type float.
  Value indexToFloat(Value i) {
    Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), i);
    return arith::SIToFPOp::create(b, loc, ct, i64);
  }

  Value sigmoid(Value x) {
    return div(f(1.0), add(f(1.0), exp(arith::NegFOp::create(b, loc, x))));
  }
  Value silu(Value x) { return mul(x, sigmoid(x)); }
  /// softplus(x) = log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)).
  Value softplus(Value x) {
    Value absx = math::AbsFOp::create(b, loc, x);
    Value e = exp(arith::NegFOp::create(b, loc, absx));
    return add(fmax(x, f(0.0)), math::Log1pOp::create(b, loc, e));
  }

  /// `body(iv)` for iv in [lb, ub).
  void forEach(Value lb, Value ub, function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(b, loc, lb, ub, idx(1));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVar());
  }
  void forEach(Value ub, function_ref<void(Value)> body) {
    forEach(idx(0), ub, body);
  }

  /// Folds `step(iv, carried)` over iv in [0, ub), starting from `init`.
  SmallVector<Value>
  fold(Value ub, ValueRange init,
       function_ref<SmallVector<Value>(Value, ValueRange)> step) {
    auto loop = scf::ForOp::create(b, loc, idx(0), ub, idx(1), init);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToEnd(loop.getBody());
    SmallVector<Value> next =
        step(loop.getInductionVar(), loop.getRegionIterArgs());
    scf::YieldOp::create(b, loc, next);
    return SmallVector<Value>(loop.getResults());
  }
  /// Sum of `term(iv)` over iv in [0, ub), plus `init`.
  Value sum(Value ub, Value init, function_ref<Value(Value)> term) {
    return fold(ub, init, [&](Value iv, ValueRange acc) {
      return SmallVector<Value>{add(acc[0], term(iv))};
    })[0];
  }

  /// `cond ? thenFn() : elseFn()`, each branch built only on its own path.
  Value ifElse(Value cond, Type type, function_ref<Value()> thenFn,
               function_ref<Value()> elseFn) {
    auto op = scf::IfOp::create(b, loc, TypeRange{type}, cond,
                                /*withElseRegion=*/true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(op.thenBlock());
    scf::YieldOp::create(b, loc, thenFn());
    b.setInsertionPointToStart(op.elseBlock());
    scf::YieldOp::create(b, loc, elseFn());
    return op.getResult(0);
  }
  /// Side effects only: `cond ? thenFn() : elseFn()`.
  void ifThenElse(Value cond, function_ref<void()> thenFn,
                  function_ref<void()> elseFn = nullptr) {
    auto op = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/static_cast<bool>(elseFn));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(op.thenBlock()->getTerminator());
    thenFn();
    if (elseFn) {
      b.setInsertionPoint(op.elseBlock()->getTerminator());
      elseFn();
    }
  }

  /// A scratch buffer of `sizes` (index values) and element type `type`,
  /// freed at the end of the enclosing `scope`.
  Value scratch(Type type, ValueRange sizes) {
    assert(!scopes.empty() && "scratch outside of a scope");
    auto t = MemRefType::get(
        SmallVector<int64_t>(sizes.size(), ShapedType::kDynamic), type);
    Value m = memref::AllocOp::create(b, loc, t, sizes);
    scopes.back().heap.push_back(m);
    return m;
  }
  /// A scratch buffer on the stack, popped at the end of the enclosing
  /// `scope`: for sizes known to be small (a router's experts and top_k),
  /// where a heap allocation per point would cost more than the work.
  Value stackScratch(Type type, ValueRange sizes) {
    assert(!scopes.empty() && "scratch outside of a scope");
    auto t = MemRefType::get(
        SmallVector<int64_t>(sizes.size(), ShapedType::kDynamic), type);
    scopes.back().usesStack = true;
    return memref::AllocaOp::create(b, loc, t, sizes);
  }
  void fill(Value m, Value ub, Value v) {
    forEach(ub, [&](Value i) { memref::StoreOp::create(b, loc, v, m, i); });
  }

  /// Runs `body`, then frees the scratch buffers it allocated. (Heap scratch,
  /// or the stack between llvm.intr.stacksave/stackrestore, rather than
  /// `memref.alloca_scope`: lowering scf to cf inside an alloca scope would
  /// give the scope several blocks, which it may not have.)
  void scope(function_ref<void()> body) {
    scopes.emplace_back();
    scopes.back().stackSave = LLVM::StackSaveOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext()));
    body();
    for (Value m : scopes.back().heap)
      memref::DeallocOp::create(b, loc, m);
    if (scopes.back().usesStack)
      LLVM::StackRestoreOp::create(b, loc, scopes.back().stackSave->getResult(0));
    else
      scopes.back().stackSave->erase();
    scopes.pop_back();
  }

  void check(Value cond, StringRef message) {
    cf::AssertOp::create(b, loc, cond, message);
  }

  /// `dim(members, md) / dim(groups, gd)`, checked at run time to be an exact,
  /// non-zero division where either size is dynamic (the verifier checked the
  /// static case).
  Value groupSize(Value members, int64_t md, Value groups, int64_t gd,
                  StringRef message) {
    Value m = dim(members, md), g = dim(groups, gd);
    if (ShapedType::isDynamic(hybrid::detail::staticDim(members, md)) ||
        ShapedType::isDynamic(hybrid::detail::staticDim(groups, gd))) {
      Value nonZero = icmp(arith::CmpIPredicate::ne, g, idx(0));
      // g == 0 is replaced by 1 in the remainder so the check itself is safe.
      Value safe = select(nonZero, g, idx(1));
      check(band(nonZero, icmp(arith::CmpIPredicate::eq, irem(m, safe), idx(0))),
            message);
    }
    return idiv(m, g);
  }

  /// The default scale 1/sqrt(dk), or the attribute.
  Value scaleOr(std::optional<APFloat> attr, Value dk) {
    if (attr)
      return f(attr->convertToDouble());
    return div(f(1.0), math::SqrtOp::create(b, loc, indexToFloat(dk)));
  }

  /// The index along a broadcastable dimension: 0 when the operand's dim is
  /// (statically or at run time) 1, else `iv`.
  Value bcastIndex(Value operand, int64_t d, Value iv) {
    int64_t s = hybrid::detail::staticDim(operand, d);
    if (s == 1)
      return idx(0);
    if (!ShapedType::isDynamic(s))
      return iv;
    Value isOne = icmp(arith::CmpIPredicate::eq, dim(operand, d), idx(1));
    return select(isOne, idx(0), iv);
  }
};

Type elementTypeOf(Value v) { return getElementTypeOrSelf(v.getType()); }

//===----------------------------------------------------------------------===//
// attention
//===----------------------------------------------------------------------===//

void scalarAttention(AttentionOp op, ScalarBuilder &sb, ValueRange ivs) {
  using P = arith::CmpIPredicate;
  Value q = op.getQ(), k = op.getK(), v = op.getV(), mask = op.getMask(),
        o = op.getOutputs()[0];
  Value bi = ivs[0], h = ivs[1], i = ivs[2];
  Value dk = sb.dim(q, 3), dv = sb.dim(v, 3), skv = sb.dim(k, 2),
        sq = sb.dim(q, 2);
  Value group = sb.groupSize(q, 1, k, 1, "hybrid.attention: query heads must "
                                         "be a multiple of key/value heads");
  Value hk = sb.idiv(h, group);
  // p(i) = Skv - Sq + i (bottom-right alignment); may be negative.
  Value pos = sb.iadd(sb.isub(skv, sq), i);
  Value scale = sb.scaleOr(op.getScale(), dk);
  double softcap = op.getSoftcap().convertToDouble();
  bool boolMask = mask && elementTypeOf(mask).isInteger(1);

  // Mask indices for every dim but the key dim, broadcast where the mask is 1.
  SmallVector<Value> maskIdx;
  if (mask) {
    int64_t r = cast<ShapedType>(mask.getType()).getRank();
    Value target[3] = {bi, h, i};
    for (int64_t d = 0; d + 1 < r; ++d)
      maskIdx.push_back(sb.bcastIndex(mask, d, target[4 - r + d]));
  }
  auto maskAt = [&](Value j) {
    SmallVector<Value> idx = maskIdx;
    idx.push_back(
        sb.bcastIndex(mask, cast<ShapedType>(mask.getType()).getRank() - 1, j));
    return idx;
  };
  auto allowed = [&](Value j) -> Value {
    Value ok = arith::ConstantIntOp::create(sb.b, sb.loc, 1, 1);
    // Distances rather than shifted positions: no overflow for any window.
    if (op.getCausal())
      ok = sb.band(ok, sb.icmp(P::sle, j, pos));
    if (static_cast<int64_t>(op.getWindowLeft()) >= 0)
      ok = sb.band(ok, sb.icmp(P::sle, sb.isub(pos, j),
                               sb.idx(op.getWindowLeft())));
    if (static_cast<int64_t>(op.getWindowRight()) >= 0)
      ok = sb.band(ok, sb.icmp(P::sle, sb.isub(j, pos),
                               sb.idx(op.getWindowRight())));
    if (boolMask)
      ok = sb.band(ok, memref::LoadOp::create(sb.b, sb.loc, mask, maskAt(j)));
    return ok;
  };
  auto score = [&](Value j) {
    Value dot = sb.sum(dk, sb.f(0.0), [&](Value d) {
      return sb.mul(sb.load(q, {bi, h, i, d}), sb.load(k, {bi, hk, j, d}));
    });
    Value s = sb.mul(scale, dot);
    if (softcap > 0.0)
      s = sb.mul(sb.f(softcap),
                 math::TanhOp::create(sb.b, sb.loc, sb.div(s, sb.f(softcap))));
    if (mask && !boolMask)
      s = sb.add(s, sb.load(mask, maskAt(j)));
    return s;
  };

  // Pass 1: the row maximum over allowed keys.
  Value negInf = sb.f(-std::numeric_limits<double>::infinity());
  Value rowMax = sb.fold(skv, negInf, [&](Value j, ValueRange acc) {
    return SmallVector<Value>{sb.ifElse(
        allowed(j), sb.ct, [&] { return sb.fmax(acc[0], score(j)); },
        [&] { return acc[0]; })};
  })[0];
  // A row with no allowed key (or only -inf scores) gives zeros; a NaN score
  // propagates.
  Value anyKey = sb.fcmp(arith::CmpFPredicate::UNE, rowMax, negInf);
  sb.ifThenElse(
      anyKey,
      [&] {
        // Pass 2: sum of exp(s - max) and the weighted sum of values.
        sb.scope([&] {
          Value acc = sb.scratch(sb.ct, {dv});
          sb.fill(acc, dv, sb.f(0.0));
          Value denom = sb.fold(skv, sb.f(0.0), [&](Value j, ValueRange l) {
            return SmallVector<Value>{sb.ifElse(
                allowed(j), sb.ct,
                [&] {
                  Value p = sb.exp(sb.sub(score(j), rowMax));
                  sb.forEach(dv, [&](Value d) {
                    Value a = memref::LoadOp::create(sb.b, sb.loc, acc, d);
                    a = sb.add(a, sb.mul(p, sb.load(v, {bi, hk, j, d})));
                    memref::StoreOp::create(sb.b, sb.loc, a, acc, d);
                  });
                  return sb.add(l[0], p);
                },
                [&] { return l[0]; })};
          })[0];
          sb.forEach(dv, [&](Value d) {
            Value a = memref::LoadOp::create(sb.b, sb.loc, acc, d);
            sb.store(sb.div(a, denom), o, {bi, h, i, d});
          });
        });
      },
      [&] {
        sb.forEach(dv, [&](Value d) { sb.store(sb.f(0.0), o, {bi, h, i, d}); });
      });
}

//===----------------------------------------------------------------------===//
// ssm_scan
//===----------------------------------------------------------------------===//

void scalarSsmScan(SsmScanOp op, ScalarBuilder &sb, ValueRange ivs) {
  Value x = op.getX(), dt = op.getDt(), a = op.getA(), bm = op.getBm(),
        cm = op.getCm(), dskip = op.getD(), z = op.getZ(),
        bias = op.getDtBias(), init = op.getInitialState(),
        y = op.getOutputs()[0], fin = op.getOutputs()[1];
  Value bi = ivs[0], h = ivs[1], p = ivs[2];
  Value len = sb.dim(x, 1), n = sb.dim(bm, 3);
  Value grp = sb.idiv(h, sb.groupSize(x, 2, bm, 2,
                                     "hybrid.ssm_scan: heads must be a "
                                     "multiple of groups"));
  bool perStateA = cast<ShapedType>(a.getType()).getRank() == 2;
  sb.scope([&] {
    Value st = sb.scratch(sb.ct, {n});
    sb.forEach(n, [&](Value j) {
      Value s0 = init ? sb.load(init, {bi, h, p, j}) : sb.f(0.0);
      memref::StoreOp::create(sb.b, sb.loc, s0, st, j);
    });
    Value aHead = perStateA ? Value() : sb.load(a, {h});
    Value dHead;
    if (dskip)
      dHead = cast<ShapedType>(dskip.getType()).getRank() == 1
                  ? sb.load(dskip, {h})
                  : sb.load(dskip, {h, p});
    Value biasHead = bias ? sb.load(bias, {h}) : Value();
    sb.forEach(len, [&](Value t) {
      Value delta = sb.load(dt, {bi, t, h});
      if (biasHead)
        delta = sb.add(delta, biasHead);
      if (op.getDtSoftplus())
        delta = sb.softplus(delta);
      if (op.getDtMin())
        delta = sb.fmax(delta, sb.f(op.getDtMin()->convertToDouble()));
      if (op.getDtMax())
        delta = sb.fmin(delta, sb.f(op.getDtMax()->convertToDouble()));
      Value xv = sb.load(x, {bi, t, h, p});
      Value dx = sb.mul(delta, xv);
      Value out = sb.sum(n, sb.f(0.0), [&](Value j) {
        Value aj = perStateA ? sb.load(a, {h, j}) : aHead;
        Value s = memref::LoadOp::create(sb.b, sb.loc, st, j);
        s = sb.add(sb.mul(sb.exp(sb.mul(delta, aj)), s),
                   sb.mul(dx, sb.load(bm, {bi, t, grp, j})));
        memref::StoreOp::create(sb.b, sb.loc, s, st, j);
        return sb.mul(sb.load(cm, {bi, t, grp, j}), s);
      });
      if (dHead)
        out = sb.add(out, sb.mul(dHead, xv));
      if (z)
        out = sb.mul(out, sb.silu(sb.load(z, {bi, t, h, p})));
      sb.store(out, y, {bi, t, h, p});
    });
    sb.forEach(n, [&](Value j) {
      sb.store(memref::LoadOp::create(sb.b, sb.loc, st, j), fin, {bi, h, p, j});
    });
  });
}

//===----------------------------------------------------------------------===//
// linear_attention: one column c of the [Dk, Dv] state of one kv head.
//===----------------------------------------------------------------------===//

void scalarLinearAttention(LinearAttentionOp op, ScalarBuilder &sb,
                           ValueRange ivs) {
  Value q = op.getQ(), k = op.getK(), v = op.getV(), decay = op.getDecay(),
        beta = op.getBeta(), init = op.getInitialState(),
        o = op.getOutputs()[0], fin = op.getOutputs()[1];
  Value bi = ivs[0], hk = ivs[1], c = ivs[2];
  Value len = sb.dim(q, 1), dk = sb.dim(k, 3);
  Value group = sb.groupSize(q, 2, k, 2, "hybrid.linear_attention: query "
                                         "heads must be a multiple of key/value "
                                         "heads");
  Value scale = sb.scaleOr(op.getScale(), dk);
  UpdateRule rule = op.getUpdateRule();
  bool gated = rule == UpdateRule::Gated || rule == UpdateRule::GatedDelta;
  bool delta = rule == UpdateRule::Delta || rule == UpdateRule::GatedDelta;
  sb.scope([&] {
    Value st = sb.scratch(sb.ct, {dk});
    auto get = [&](Value i) -> Value {
      return memref::LoadOp::create(sb.b, sb.loc, st, i);
    };
    auto set = [&](Value val, Value i) {
      memref::StoreOp::create(sb.b, sb.loc, val, st, i);
    };
    sb.forEach(dk, [&](Value i) {
      set(init ? sb.load(init, {bi, hk, i, c}) : sb.f(0.0), i);
    });
    sb.forEach(len, [&](Value t) {
      if (gated) {
        bool perRow = cast<ShapedType>(decay.getType()).getRank() == 4;
        Value fHead = perRow ? Value() : sb.exp(sb.load(decay, {bi, t, hk}));
        sb.forEach(dk, [&](Value i) {
          Value f = perRow ? sb.exp(sb.load(decay, {bi, t, hk, i})) : fHead;
          set(sb.mul(f, get(i)), i);
        });
      }
      Value u = sb.load(v, {bi, t, hk, c});
      if (delta) {
        Value pred = sb.sum(dk, sb.f(0.0), [&](Value i) {
          return sb.mul(get(i), sb.load(k, {bi, t, hk, i}));
        });
        u = sb.mul(sb.load(beta, {bi, t, hk}), sb.sub(u, pred));
      }
      sb.forEach(dk, [&](Value i) {
        set(sb.add(get(i), sb.mul(sb.load(k, {bi, t, hk, i}), u)), i);
      });
      sb.forEach(group, [&](Value j) {
        Value hq = sb.iadd(sb.imul(hk, group), j);
        Value dot = sb.sum(dk, sb.f(0.0), [&](Value i) {
          return sb.mul(get(i), sb.load(q, {bi, t, hq, i}));
        });
        sb.store(sb.mul(scale, dot), o, {bi, t, hq, c});
      });
    });
    sb.forEach(dk, [&](Value i) { sb.store(get(i), fin, {bi, hk, i, c}); });
  });
}

//===----------------------------------------------------------------------===//
// causal_conv1d
//===----------------------------------------------------------------------===//

void scalarCausalConv1d(CausalConv1dOp op, ScalarBuilder &sb, ValueRange ivs) {
  using P = arith::CmpIPredicate;
  Value x = op.getX(), w = op.getWeight(), bias = op.getBias(),
        init = op.getInitialState(), y = op.getOutputs()[0],
        fin = op.getOutputs()[1];
  Value bi = ivs[0], c = ivs[1];
  Value len = sb.dim(x, 2), kw = sb.dim(w, 1);
  Value hist = sb.isub(kw, sb.idx(1));
  // xp[idx] of concat(initial_state or zeros, x).
  auto xp = [&](Value at) {
    return sb.ifElse(
        sb.icmp(P::ult, at, hist), sb.ct,
        [&] { return init ? sb.load(init, {bi, c, at}) : sb.f(0.0); },
        [&] { return sb.load(x, {bi, c, sb.isub(at, hist)}); });
  };
  Value b0 = bias ? sb.load(bias, {c}) : sb.f(0.0);
  // Outputs first: when final_state shares a buffer with initial_state, every
  // read of the state happens before (or at a later index than) its write.
  sb.forEach(len, [&](Value t) {
    Value acc = sb.sum(kw, b0, [&](Value j) {
      return sb.mul(sb.load(w, {c, j}), xp(sb.iadd(t, j)));
    });
    if (op.getActivation() == Activation::Silu)
      acc = sb.silu(acc);
    sb.store(acc, y, {bi, c, t});
  });
  sb.forEach(hist, [&](Value m) { sb.store(xp(sb.iadd(len, m)), fin, {bi, c, m}); });
}

//===----------------------------------------------------------------------===//
// moe: one token.
//===----------------------------------------------------------------------===//

/// The routing of token `t` (spec section 5), shared by moe and moe_topk:
/// writes the selected experts, in order of decreasing biased score, into
/// `selIdx` [top_k] (index) and their weights into `selW` [top_k].
void emitRouting(ScalarBuilder &sb, Value logits, Value selBias, Value t,
                 Value ne, Value topK, Scoring scoring, bool normalize,
                 double scaling, Value selIdx, Value selW) {
  using P = arith::CmpIPredicate;
  OpBuilder &b = sb.b;
  Location loc = sb.loc;
  Value scores = sb.stackScratch(sb.ct, {ne});
  Value used = sb.stackScratch(b.getI1Type(), {ne});
  auto get = [&](Value m, Value i) -> Value {
    return memref::LoadOp::create(b, loc, m, i);
  };
  auto set = [&](Value v, Value m, Value i) {
    memref::StoreOp::create(b, loc, v, m, i);
  };
  // Scores.
  if (scoring == Scoring::Softmax) {
    Value mx = sb.fold(ne, sb.f(-std::numeric_limits<double>::infinity()),
                       [&](Value e, ValueRange m) {
                         return SmallVector<Value>{
                             sb.fmax(m[0], sb.load(logits, {t, e}))};
                       })[0];
    Value total = sb.sum(ne, sb.f(0.0), [&](Value e) {
      Value ex = sb.exp(sb.sub(sb.load(logits, {t, e}), mx));
      set(ex, scores, e);
      return ex;
    });
    sb.forEach(ne, [&](Value e) {
      set(sb.div(get(scores, e), total), scores, e);
    });
  } else {
    sb.forEach(ne, [&](Value e) {
      set(sb.sigmoid(sb.load(logits, {t, e})), scores, e);
    });
  }

  // Top-k by score + selection bias; ties go to the lower expert index.
  sb.fill(used, ne, arith::ConstantIntOp::create(b, loc, 0, 1));
  sb.forEach(topK, [&](Value kk) {
    SmallVector<Value> best = sb.fold(
        ne, {sb.f(-std::numeric_limits<double>::infinity()), sb.idx(-1)},
        [&](Value e, ValueRange cur) {
          Value cand = get(scores, e);
          if (selBias)
            cand = sb.add(cand, sb.load(selBias, {e}));
          Value free = arith::XOrIOp::create(
              b, loc, get(used, e), arith::ConstantIntOp::create(b, loc, 1, 1));
          Value better = arith::OrIOp::create(
              b, loc, sb.icmp(P::slt, cur[1], sb.idx(0)),
              sb.fcmp(arith::CmpFPredicate::OGT, cand, cur[0]));
          Value take = sb.band(free, better);
          return SmallVector<Value>{sb.select(take, cand, cur[0]),
                                    sb.select(take, e, cur[1])};
        });
    set(arith::ConstantIntOp::create(b, loc, 1, 1), used, best[1]);
    set(best[1], selIdx, kk);
    set(get(scores, best[1]), selW, kk);
  });
  if (normalize) {
    Value total =
        sb.sum(topK, sb.f(0.0), [&](Value kk) { return get(selW, kk); });
    sb.forEach(topK,
               [&](Value kk) { set(sb.div(get(selW, kk), total), selW, kk); });
  }
  if (scaling != 1.0)
    sb.forEach(topK, [&](Value kk) {
      set(sb.mul(get(selW, kk), sb.f(scaling)), selW, kk);
    });
}

void scalarMoe(MoeOp op, ScalarBuilder &sb, ValueRange ivs) {
  using P = arith::CmpIPredicate;
  OpBuilder &b = sb.b;
  Location loc = sb.loc;
  Value x = op.getX(), logits = op.getRouterLogits(), wUp = op.getWUp(),
        wDown = op.getWDown(), wGate = op.getWGate(),
        selBias = op.getSelectionBias(), bGate = op.getBGate(),
        bUp = op.getBUp(), bDown = op.getBDown(), y = op.getOutputs()[0];
  Value t = ivs[0];
  Value ne = sb.dim(logits, 1), hd = sb.dim(x, 1), inter = sb.dim(wUp, 1);
  Value topK = sb.idx(op.getTopK());
  Activation act = op.getActivation();
  sb.check(sb.icmp(P::ule, topK, ne),
           "hybrid.moe: top_k exceeds the number of experts");
  sb.scope([&] {
    Value selIdx = sb.stackScratch(b.getIndexType(), {topK});
    Value selW = sb.stackScratch(sb.ct, {topK});
    Value hidden = sb.scratch(sb.ct, {inter});
    Value acc = sb.scratch(sb.ct, {hd});
    auto get = [&](Value m, Value i) -> Value {
      return memref::LoadOp::create(b, loc, m, i);
    };
    auto set = [&](Value v, Value m, Value i) {
      memref::StoreOp::create(b, loc, v, m, i);
    };

    emitRouting(sb, logits, selBias, t, ne, topK, op.getScoring(),
                op.getNormalize(), op.getScaling().convertToDouble(), selIdx,
                selW);

    // Experts.
    sb.fill(acc, hd, sb.f(0.0));
    sb.forEach(topK, [&](Value kk) {
      Value e = get(selIdx, kk), we = get(selW, kk);
      sb.forEach(inter, [&](Value i) {
        auto proj = [&](Value w, Value bvec) {
          Value r = sb.sum(hd, sb.f(0.0), [&](Value d) {
            return sb.mul(sb.load(w, {e, i, d}), sb.load(x, {t, d}));
          });
          return bvec ? sb.add(r, sb.load(bvec, {e, i})) : r;
        };
        Value up = proj(wUp, bUp);
        Value gate = wGate ? proj(wGate, bGate) : Value();
        set(moeActivation(b, loc, act, gate, up), hidden, i);
      });
      sb.forEach(hd, [&](Value d) {
        Value out = sb.sum(inter, sb.f(0.0), [&](Value i) {
          return sb.mul(sb.load(wDown, {e, d, i}), get(hidden, i));
        });
        if (bDown)
          out = sb.add(out, sb.load(bDown, {e, d}));
        set(sb.add(get(acc, d), sb.mul(we, out)), acc, d);
      });
    });
    sb.forEach(hd, [&](Value d) { sb.store(get(acc, d), y, {t, d}); });
  });
}

void scalarMoeTopk(MoeTopkOp op, ScalarBuilder &sb, ValueRange ivs) {
  Value logits = op.getRouterLogits(), ids = op.getOutputs()[0],
        w = op.getOutputs()[1];
  Value t = ivs[0];
  Value ne = sb.dim(logits, 1), topK = sb.dim(ids, 1);
  sb.check(sb.icmp(arith::CmpIPredicate::ule, topK, ne),
           "hybrid.moe_topk: top_k exceeds the number of experts");
  sb.scope([&] {
    Value selIdx = sb.stackScratch(sb.b.getIndexType(), {topK});
    Value selW = sb.stackScratch(sb.ct, {topK});
    emitRouting(sb, logits, op.getSelectionBias(), t, ne, topK,
                op.getScoring(), op.getNormalize(),
                op.getScaling().convertToDouble(), selIdx, selW);
    sb.forEach(topK, [&](Value kk) {
      sb.store(memref::LoadOp::create(sb.b, sb.loc, selIdx, kk), ids, {t, kk});
      sb.store(memref::LoadOp::create(sb.b, sb.loc, selW, kk), w, {t, kk});
    });
  });
}

//===----------------------------------------------------------------------===//
// moe_dispatch, grouped_matmul, moe_combine
//===----------------------------------------------------------------------===//

void scalarMoeDispatch(MoeDispatchOp op, ScalarBuilder &sb) {
  using P = arith::CmpIPredicate;
  OpBuilder &b = sb.b;
  Location loc = sb.loc;
  Value x = op.getX(), ids = op.getExpertIds(), rows = op.getOutputs()[0],
        offsets = op.getOutputs()[1], src = op.getOutputs()[2];
  Value nt = sb.dim(ids, 0), topK = sb.dim(ids, 1), hd = sb.dim(x, 1);
  Value ne = sb.idx(op.getNumExperts());
  Value ne1 = sb.idx(op.getNumExperts() + 1);
  sb.check(sb.icmp(P::eq, sb.dim(rows, 0), sb.imul(nt, topK)),
           "hybrid.moe_dispatch: rows must have T * top_k rows");
  sb.scope([&] {
    Value cursor = sb.scratch(b.getIndexType(), {ne1});
    auto get = [&](Value i) -> Value {
      return memref::LoadOp::create(b, loc, cursor, i);
    };
    auto set = [&](Value v, Value i) {
      memref::StoreOp::create(b, loc, v, cursor, i);
    };
    sb.fill(cursor, ne1, sb.idx(0));
    auto expertOf = [&](Value t, Value kk) {
      Value e = sb.loadIndex(ids, {t, kk});
      sb.check(sb.band(sb.icmp(P::sge, e, sb.idx(0)), sb.icmp(P::slt, e, ne)),
               "hybrid.moe_dispatch: expert id out of range");
      return e;
    };
    // Histogram, then exclusive prefix sum: cursor[e] = first row of e.
    sb.forEach(nt, [&](Value t) {
      sb.forEach(topK, [&](Value kk) {
        Value e1 = sb.iadd(expertOf(t, kk), sb.idx(1));
        set(sb.iadd(get(e1), sb.idx(1)), e1);
      });
    });
    sb.forEach(sb.idx(1), ne1, [&](Value e) {
      set(sb.iadd(get(e), get(sb.isub(e, sb.idx(1)))), e);
    });
    sb.forEach(ne1, [&](Value e) { sb.store(get(e), offsets, {e}); });
    // Scatter rows in token order, which keeps every group stable.
    sb.forEach(nt, [&](Value t) {
      sb.forEach(topK, [&](Value kk) {
        Value e = expertOf(t, kk);
        Value pos = get(e);
        set(sb.iadd(pos, sb.idx(1)), e);
        sb.store(sb.iadd(sb.imul(t, topK), kk), src, {pos});
        sb.forEach(hd, [&](Value d) {
          Value v = memref::LoadOp::create(b, loc, x, ValueRange{t, d});
          memref::StoreOp::create(b, loc, v, rows, ValueRange{pos, d});
        });
      });
    });
  });
}

void scalarGroupedMatmul(GroupedMatmulOp op, ScalarBuilder &sb,
                         ValueRange ivs) {
  using P = arith::CmpIPredicate;
  Value rows = op.getRows(), w = op.getWeights(), offsets = op.getOffsets(),
        o = op.getOutputs()[0];
  Value n = ivs[0];
  Value m = sb.dim(rows, 0), kd = sb.dim(rows, 1), ne = sb.dim(w, 0);
  // offsets must start at 0, never decrease and end within the rows.
  sb.check(sb.icmp(P::eq, sb.loadIndex(offsets, {sb.idx(0)}), sb.idx(0)),
           "hybrid.grouped_matmul: offsets[0] must be 0");
  sb.forEach(ne, [&](Value e) {
    Value lo = sb.loadIndex(offsets, {e});
    Value hi = sb.loadIndex(offsets, {sb.iadd(e, sb.idx(1))});
    sb.check(sb.band(sb.icmp(P::sle, lo, hi), sb.icmp(P::sle, hi, m)),
             "hybrid.grouped_matmul: offsets must be non-decreasing and at "
             "most the number of rows");
  });
  sb.forEach(m, [&](Value r) {
    // The expert of row r: how many groups end at or before r.
    Value e = sb.fold(ne, sb.idx(0), [&](Value j, ValueRange cnt) {
      Value end = sb.loadIndex(offsets, {sb.iadd(j, sb.idx(1))});
      Value inc = sb.select(sb.icmp(P::sle, end, r), sb.idx(1), sb.idx(0));
      return SmallVector<Value>{sb.iadd(cnt[0], inc)};
    })[0];
    Value val = sb.ifElse(
        sb.icmp(P::ult, e, ne), sb.ct,
        [&] {
          return sb.sum(kd, sb.f(0.0), [&](Value kk) {
            return sb.mul(sb.load(rows, {r, kk}), sb.load(w, {e, n, kk}));
          });
        },
        [&] { return sb.f(0.0); });
    sb.store(val, o, {r, n});
  });
}

void scalarMoeCombine(MoeCombineOp op, ScalarBuilder &sb, ValueRange ivs) {
  using P = arith::CmpIPredicate;
  Value eo = op.getExpertOut(), src = op.getSources(), w = op.getWeights(),
        y = op.getOutputs()[0];
  Value d = ivs[0];
  Value nr = sb.dim(eo, 0), nt = sb.dim(w, 0), topK = sb.dim(w, 1);
  Value limit = sb.imul(nt, topK);
  sb.scope([&] {
    Value acc = sb.scratch(sb.ct, {nt});
    sb.fill(acc, nt, sb.f(0.0));
    sb.forEach(nr, [&](Value r) {
      Value a = sb.loadIndex(src, {r});
      sb.check(sb.band(sb.icmp(P::sge, a, sb.idx(0)), sb.icmp(P::slt, a, limit)),
               "hybrid.moe_combine: row source out of range");
      Value t = sb.idiv(a, topK), kk = sb.irem(a, topK);
      Value cur = memref::LoadOp::create(sb.b, sb.loc, acc, t);
      cur = sb.add(cur, sb.mul(sb.load(w, {t, kk}), sb.load(eo, {r, d})));
      memref::StoreOp::create(sb.b, sb.loc, cur, acc, t);
    });
    sb.forEach(nt, [&](Value t) {
      sb.store(memref::LoadOp::create(sb.b, sb.loc, acc, t), y, {t, d});
    });
  });
}

//===----------------------------------------------------------------------===//
// rms_norm, rotary
//===----------------------------------------------------------------------===//

void scalarRmsNorm(RmsNormOp op, ScalarBuilder &sb, ValueRange ivs) {
  Value x = op.getX(), w = op.getWeight(), z = op.getZ(),
        y = op.getOutputs()[0];
  int64_t r = cast<ShapedType>(x.getType()).getRank();
  Value dn = sb.dim(x, r - 1);
  Value gs = op.getGroupSize() ? sb.idx(*op.getGroupSize()) : dn;
  if (op.getGroupSize())
    sb.check(sb.icmp(arith::CmpIPredicate::eq, sb.irem(dn, gs), sb.idx(0)),
             "hybrid.rms_norm: group_size must divide the normalized dim");
  bool before = op.getGateBeforeNorm();
  auto at = [&](Value j) {
    SmallVector<Value> idx(ivs);
    idx.push_back(j);
    return idx;
  };
  auto u = [&](Value j) {
    Value v = sb.load(x, at(j));
    return z && before ? sb.mul(v, sb.silu(sb.load(z, at(j)))) : v;
  };
  Value eps = sb.f(op.getEpsilon().convertToDouble());
  sb.forEach(sb.idiv(dn, gs), [&](Value g) {
    Value base = sb.imul(g, gs);
    Value ss = sb.sum(gs, sb.f(0.0), [&](Value j) {
      Value v = u(sb.iadd(base, j));
      return sb.mul(v, v);
    });
    Value inv = sb.div(sb.f(1.0), math::SqrtOp::create(
        sb.b, sb.loc, sb.add(sb.div(ss, sb.indexToFloat(gs)), eps)));
    sb.forEach(gs, [&](Value j) {
      Value col = sb.iadd(base, j);
      Value v = sb.mul(sb.mul(u(col), inv), sb.load(w, {col}));
      if (z && !before)
        v = sb.mul(v, sb.silu(sb.load(z, at(col))));
      sb.store(v, y, at(col));
    });
  });
}

void scalarRotary(RotaryOp op, ScalarBuilder &sb, ValueRange ivs) {
  Value x = op.getX(), cs = op.getCos(), sn = op.getSin(),
        y = op.getOutputs()[0];
  Value bi = ivs[0], h = ivs[1], s = ivs[2];
  Value half = sb.dim(cs, 2), dh = sb.dim(x, 3);
  if (std::optional<uint64_t> rd = op.getRotaryDim())
    sb.check(sb.icmp(arith::CmpIPredicate::eq, half,
                     sb.idx(static_cast<int64_t>(*rd) / 2)),
             "hybrid.rotary: cos/sin must have rotary_dim / 2 columns");
  sb.check(sb.icmp(arith::CmpIPredicate::ule, sb.imul(half, sb.idx(2)), dh),
           "hybrid.rotary: the rotary dim exceeds the head dim");
  Value cb = sb.bcastIndex(cs, 0, bi);
  bool interleaved = op.getInterleaved();
  sb.forEach(half, [&](Value i) {
    Value c = sb.load(cs, {cb, s, i}), sv = sb.load(sn, {cb, s, i});
    Value i0 = interleaved ? sb.imul(i, sb.idx(2)) : i;
    Value i1 = interleaved ? sb.iadd(i0, sb.idx(1)) : sb.iadd(i, half);
    Value x0 = sb.load(x, {bi, h, s, i0}), x1 = sb.load(x, {bi, h, s, i1});
    sb.store(sb.sub(sb.mul(x0, c), sb.mul(x1, sv)), y, {bi, h, s, i0});
    sb.store(sb.add(sb.mul(x1, c), sb.mul(x0, sv)), y, {bi, h, s, i1});
  });
  sb.forEach(sb.imul(half, sb.idx(2)), dh, [&](Value d) {
    sb.store(sb.load(x, {bi, h, s, d}), y, {bi, h, s, d});
  });
}

} // namespace

LogicalResult hybrid::detail::scalarImplementation(Operation *op, OpBuilder &b,
                                                   Location loc,
                                                   ValueRange ivs) {
  auto dps = cast<DestinationStyleOpInterface>(op);
  if (!dps.hasPureBufferSemantics())
    return op->emitOpError("the scalar implementation needs memref operands; "
                           "bufferize first");
  // The compute type follows the op's first floating-point operand.
  Type et = b.getF32Type();
  for (Value v : op->getOperands())
    if (isa<FloatType>(elementTypeOf(v))) {
      et = elementTypeOf(v);
      break;
    }
  ScalarBuilder sb(b, loc, et);
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](AttentionOp o) { return scalarAttention(o, sb, ivs), success(); })
      .Case([&](SsmScanOp o) { return scalarSsmScan(o, sb, ivs), success(); })
      .Case([&](LinearAttentionOp o) {
        return scalarLinearAttention(o, sb, ivs), success();
      })
      .Case([&](CausalConv1dOp o) {
        return scalarCausalConv1d(o, sb, ivs), success();
      })
      .Case([&](MoeOp o) { return scalarMoe(o, sb, ivs), success(); })
      .Case([&](MoeTopkOp o) { return scalarMoeTopk(o, sb, ivs), success(); })
      .Case([&](MoeDispatchOp o) { return scalarMoeDispatch(o, sb), success(); })
      .Case([&](GroupedMatmulOp o) {
        return scalarGroupedMatmul(o, sb, ivs), success();
      })
      .Case([&](MoeCombineOp o) { return scalarMoeCombine(o, sb, ivs), success(); })
      .Case([&](RmsNormOp o) { return scalarRmsNorm(o, sb, ivs), success(); })
      .Case([&](RotaryOp o) { return scalarRotary(o, sb, ivs), success(); })
      .Default([](Operation *o) {
        return o->emitOpError("has no scalar implementation");
      });
}
