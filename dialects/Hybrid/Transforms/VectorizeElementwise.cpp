//===- VectorizeElementwise.cpp - hybrid-vectorize-elementwise ------------===//
//
// Vector code for elementwise linalg.generic ops on buffers: what the importer
// writes for ONNX's Add, Mul, Erf, Sigmoid... and what hybrid-fuse-elementwise
// makes of their chains (a decomposed GELU after a BatchNormalization is one
// generic with three per-channel operands).
//
// Left to the loop lowering, such a generic is a loop nest whose innermost
// row LLVM vectorises only when it can prove the output does not alias the
// inputs at run time and the row is long enough: a row of 8 elements is
// unrolled into scalar code that reloads its per-channel operands after every
// store (5 ns per element for a GELU on 8x8 images), and a [1, N] tensor's
// single row runs on one thread.
//
// The vector group. The trailing loop dims [g, n) form the vector group when
// every operand either reads all of them, in order, as its own trailing dims
// over contiguous memory ("full": one vector load or store of a collapsed
// view), or none of them ("invariant": one scalar load per group, broadcast).
// g is the smallest such: a GELU over [B, C, H, W] with per-channel operands
// [C, 1, 1] vectorises H x W as one row, an Add of two [B, S, D] tensors the
// whole tensor. Outputs must be full (identity maps).
//
// The loop. The group's N elements split into blocks of `block` elements
// (one block when N is static and at most 2 x `block`), and one scf.parallel
// runs over the linearised (outer dims..., block) index, so the thread pool
// splits a [1, N] tensor too. Each iteration loads its invariant operands
// once, then runs the body on vectors of `lanes` elements, the last partial
// vector with masked loads and stores:
//
//   scf.parallel (%t) = (0) to (outer x blocks) {
//     %s = broadcast(memref.load %scale[%c])          (invariant operands)
//     scf.for %j = %j0 to %jfull step lanes {
//       %x = vector.load %in[%b, %c, %j]               (full operands)
//       ... the body's arith and math ops on vectors ...
//       vector.store %y, %out[%b, %c, %j]
//     }
//     scf.if (partial) { the same with vector.maskedload / maskedstore }
//   }
//
// The body is cloned op by op with vector types: arith and math ops only
// (elementwise-mappable), on f32, f64 and integers of 8 to 64 bits, with no
// integer division (a masked lane would divide by zero). A float division by a
// constant becomes a multiplication by its reciprocal (at most one more
// rounding: results may differ from the division by 1 ulp); everything else
// computes what the scalar body computes, lane by lane.
//
// What is not matched stays for the loop lowering: generics with reductions,
// linalg.index, a transposed or strided operand (no g qualifies), 16-bit
// floats, ops with regions, and groups of fewer than 4 static elements.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDVECTORIZEELEMENTWISEPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
/// How an operand reads the vector group.
enum class Access { Full, Invariant };

/// Groups with fewer static elements stay scalar loops.
constexpr int64_t kMinGroup = 4;

bool supportedElementType(Type t) {
  if (auto i = dyn_cast<IntegerType>(t))
    return i.getWidth() >= 8 && i.getWidth() <= 64;
  return t.isF32() || t.isF64();
}

bool supportedScalarType(Type t) {
  if (auto i = dyn_cast<IntegerType>(t))
    return i.getWidth() <= 64;
  return t.isF32() || t.isF64();
}

/// Whether `e` reads a loop dim at `g` or later; nullopt for an expression that
/// is neither a dim nor a constant.
std::optional<bool> readsGroup(AffineExpr e, unsigned g) {
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return d.getPosition() >= g;
  if (isa<AffineConstantExpr>(e))
    return false;
  return std::nullopt;
}

/// How `map` over `type` reads the group [g, numLoops), if it qualifies.
std::optional<Access> classify(AffineMap map, MemRefType type, unsigned g) {
  unsigned k = map.getNumDims() - g;
  unsigned rank = map.getNumResults();
  bool any = false;
  for (AffineExpr e : map.getResults()) {
    std::optional<bool> r = readsGroup(e, g);
    if (!r)
      return std::nullopt;
    any |= *r;
  }
  if (!any)
    return Access::Invariant;
  if (rank < k)
    return std::nullopt;
  for (unsigned i = 0; i < rank; ++i) {
    AffineExpr e = map.getResult(i);
    if (i < rank - k) {
      if (*readsGroup(e, g))
        return std::nullopt;
    } else if (e != getAffineDimExpr(g + (i - (rank - k)), map.getContext())) {
      return std::nullopt;
    }
  }
  if (!type.areTrailingDimsContiguous(k))
    return std::nullopt;
  return Access::Full;
}

struct Plan {
  unsigned group = 0;
  SmallVector<Access> access; // per operand: inputs, then outputs
};

std::optional<Plan> analyse(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() == 0 || op.getNumLoops() == 0)
    return std::nullopt;
  if (op.getNumParallelLoops() != op.getNumLoops())
    return std::nullopt;
  if (!op.getBody()->getOps<linalg::IndexOp>().empty())
    return std::nullopt;
  if (!hybrid::isVectorizableElementwiseBody(op))
    return std::nullopt;
  for (OpOperand &o : op->getOpOperands()) {
    auto t = dyn_cast<MemRefType>(o.get().getType());
    if (!t || !supportedElementType(t.getElementType()))
      return std::nullopt;
  }
  for (OpOperand &init : op.getDpsInitsMutable())
    if (!op.getMatchingIndexingMap(&init).isIdentity())
      return std::nullopt;
  unsigned n = op.getNumLoops();
  for (unsigned g = 0; g < n; ++g) {
    Plan plan;
    plan.group = g;
    bool ok = true;
    for (OpOperand &o : op->getOpOperands()) {
      std::optional<Access> a =
          classify(op.getMatchingIndexingMap(&o), cast<MemRefType>(o.get().getType()), g);
      if (!a || (op.isDpsInit(&o) && *a != Access::Full)) {
        ok = false;
        break;
      }
      plan.access.push_back(*a);
    }
    if (!ok)
      continue;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t staticGroup = 1;
    bool dynamic = false;
    for (unsigned d = g; d < n; ++d) {
      if (ShapedType::isDynamic(ranges[d]))
        dynamic = true;
      else
        staticGroup *= ranges[d];
    }
    if (!dynamic && staticGroup < kMinGroup)
      return std::nullopt;
    return plan;
  }
  return std::nullopt;
}

struct VectorizeElementwisePass
    : public hybrid::impl::HybridVectorizeElementwisePassBase<VectorizeElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    if (lanes < 1 || block < lanes || block % lanes != 0) {
      emitError(getOperation()->getLoc())
          << "hybrid-vectorize-elementwise: need lanes >= 1 and block a multiple of lanes, got "
             "lanes="
          << static_cast<int64_t>(lanes) << " block=" << static_cast<int64_t>(block);
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::GenericOp, Plan>> work;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (std::optional<Plan> plan = analyse(op))
        work.emplace_back(op, std::move(*plan));
    });
    for (auto &[op, plan] : work) {
      rewrite(op, plan);
      op->erase();
    }
  }

  void rewrite(linalg::GenericOp op, const Plan &plan) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    unsigned n = op.getNumLoops(), g = plan.group, k = n - g;
    auto cIdx = [&](OpBuilder &bb, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(bb, loc, v);
    };

    // The loop extents, from the first output (identity map).
    Value out0 = op.getDpsInits()[0];
    auto out0Ty = cast<MemRefType>(out0.getType());
    SmallVector<Value> sizes;
    for (unsigned d = 0; d < n; ++d)
      sizes.push_back(out0Ty.isDynamicDim(d) ? Value(memref::DimOp::create(b, loc, out0, d))
                                             : cIdx(b, out0Ty.getDimSize(d)));
    std::optional<int64_t> staticN = 1;
    for (unsigned d = g; d < n; ++d)
      staticN = out0Ty.isDynamicDim(d) || !staticN
                    ? std::nullopt
                    : std::optional(*staticN * out0Ty.getDimSize(d));
    Value groupN = sizes[g];
    for (unsigned d = g + 1; d < n; ++d)
      groupN = arith::MulIOp::create(b, loc, groupN, sizes[d]);

    // The full operands as views whose last dim is the group.
    SmallVector<Value> views;
    for (auto [i, o] : llvm::enumerate(op->getOpOperands())) {
      Value v = o.get();
      auto t = cast<MemRefType>(v.getType());
      if (plan.access[i] == Access::Full && k > 1) {
        SmallVector<ReassociationIndices> reassoc;
        unsigned lead = t.getRank() - k;
        for (unsigned d = 0; d < lead; ++d)
          reassoc.push_back({static_cast<int64_t>(d)});
        ReassociationIndices last;
        for (unsigned d = lead; d < t.getRank(); ++d)
          last.push_back(d);
        reassoc.push_back(last);
        v = memref::CollapseShapeOp::create(b, loc, v, reassoc);
      }
      views.push_back(v);
    }

    // Blocks of the group: one when it is static and short.
    int64_t blockLen = staticN && *staticN <= 2 * block ? *staticN : block;
    std::optional<int64_t> staticBlocks;
    Value blocks;
    if (staticN) {
      staticBlocks = (*staticN + blockLen - 1) / blockLen;
      blocks = cIdx(b, *staticBlocks);
    } else {
      blocks = arith::DivUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, groupN, cIdx(b, blockLen - 1)), cIdx(b, blockLen));
    }
    Value total = blocks;
    for (unsigned d = 0; d < g; ++d)
      total = arith::MulIOp::create(b, loc, total, sizes[d]);

    Value zero = cIdx(b, 0), one = cIdx(b, 1);
    scf::ParallelOp::create(
        b, loc, ValueRange{zero}, ValueRange{total}, ValueRange{one},
        [&](OpBuilder &pb, Location, ValueRange ivs) {
          // (outer dims..., block) from the linear index; the block is fastest.
          Value rest = ivs[0];
          Value blockIdx = zero;
          if (!staticBlocks || *staticBlocks > 1) {
            blockIdx = arith::RemUIOp::create(pb, loc, rest, blocks);
            rest = arith::DivUIOp::create(pb, loc, rest, blocks);
          }
          SmallVector<Value> outer(g);
          for (int d = static_cast<int>(g) - 1; d >= 0; --d) {
            if (d == 0) {
              outer[d] = rest;
            } else {
              outer[d] = arith::RemUIOp::create(pb, loc, rest, sizes[d]);
              rest = arith::DivUIOp::create(pb, loc, rest, sizes[d]);
            }
          }
          // This iteration's elements [j0, j0 + len), `full` of them in
          // whole vectors.
          Value j0, fullEnd, partial;
          std::optional<int64_t> staticRem;
          if (staticBlocks && *staticBlocks == 1) {
            j0 = zero;
            fullEnd = cIdx(pb, *staticN - *staticN % lanes);
            staticRem = *staticN % lanes;
          } else {
            j0 = arith::MulIOp::create(pb, loc, blockIdx, cIdx(pb, blockLen));
            Value len = arith::MinUIOp::create(pb, loc, cIdx(pb, blockLen),
                                               arith::SubIOp::create(pb, loc, groupN, j0));
            Value rem = arith::RemUIOp::create(pb, loc, len, cIdx(pb, lanes));
            fullEnd = arith::AddIOp::create(pb, loc, j0, arith::SubIOp::create(pb, loc, len, rem));
            partial = rem;
          }

          // The invariant operands, once per iteration.
          IRMapping invariants;
          auto indicesOf = [&](OpBuilder &ib, OpOperand &o, Value j) {
            SmallVector<Value> idx;
            AffineMap map = op.getMatchingIndexingMap(&o);
            unsigned lead = plan.access[o.getOperandNumber()] == Access::Full
                                ? map.getNumResults() - k
                                : map.getNumResults();
            for (unsigned r = 0; r < lead; ++r) {
              AffineExpr e = map.getResult(r);
              if (auto d = dyn_cast<AffineDimExpr>(e))
                idx.push_back(outer[d.getPosition()]);
              else
                idx.push_back(cIdx(ib, cast<AffineConstantExpr>(e).getValue()));
            }
            if (j)
              idx.push_back(j);
            return idx;
          };
          for (OpOperand &o : op->getOpOperands()) {
            if (plan.access[o.getOperandNumber()] != Access::Invariant)
              continue;
            BlockArgument arg = op.getMatchingBlockArgument(&o);
            if (arg.use_empty())
              continue;
            Value s = memref::LoadOp::create(pb, loc, o.get(), indicesOf(pb, o, Value()));
            invariants.map(arg, vector::BroadcastOp::create(
                                    pb, loc, VectorType::get({lanes}, s.getType()), s));
          }

          auto body = [&](OpBuilder &vb, Value j, Value mask) {
            IRMapping map = invariants;
            auto vecOf = [&](Type t) { return VectorType::get({lanes}, t); };
            for (OpOperand &o : op->getOpOperands()) {
              if (plan.access[o.getOperandNumber()] != Access::Full)
                continue;
              BlockArgument arg = op.getMatchingBlockArgument(&o);
              if (arg.use_empty())
                continue;
              Value view = views[o.getOperandNumber()];
              VectorType vt = vecOf(arg.getType());
              SmallVector<Value> idx = indicesOf(vb, o, j);
              Value v = mask ? Value(vector::MaskedLoadOp::create(
                                   vb, loc, vt, view, idx, mask,
                                   arith::ConstantOp::create(vb, loc, vt, vb.getZeroAttr(vt))))
                             : Value(vector::LoadOp::create(vb, loc, vt, view, idx));
              map.map(arg, v);
            }
            SmallVector<Value> results = hybrid::vectorizeElementwiseBody(vb, op, map, lanes);
            for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable())) {
              Value v = results[i];
              Value view = views[init.getOperandNumber()];
              SmallVector<Value> idx = indicesOf(vb, init, j);
              if (mask)
                vector::MaskedStoreOp::create(vb, loc, view, idx, mask, v);
              else
                vector::StoreOp::create(vb, loc, v, view, idx);
            }
          };

          scf::ForOp::create(pb, loc, j0, fullEnd, cIdx(pb, lanes), ValueRange{},
                             [&](OpBuilder &fb, Location, Value j, ValueRange) {
                               body(fb, j, Value());
                               scf::YieldOp::create(fb, loc);
                             });
          auto maskTy = VectorType::get({lanes}, pb.getI1Type());
          if (staticRem) {
            if (*staticRem != 0) {
              Value mask = vector::CreateMaskOp::create(pb, loc, maskTy,
                                                        ValueRange{cIdx(pb, *staticRem)});
              body(pb, fullEnd, mask);
            }
          } else {
            Value any =
                arith::CmpIOp::create(pb, loc, arith::CmpIPredicate::ne, partial, zero);
            auto ifPartial = scf::IfOp::create(pb, loc, any, /*withElseRegion=*/false);
            OpBuilder ib = OpBuilder::atBlockBegin(ifPartial.thenBlock());
            Value mask = vector::CreateMaskOp::create(ib, loc, maskTy, ValueRange{partial});
            body(ib, fullEnd, mask);
          }
        });
  }

};
} // namespace

//===----------------------------------------------------------------------===//
// The body on vectors, shared with hybrid-vectorize-contractions' epilogues.
//===----------------------------------------------------------------------===//

namespace {
bool vectorizableBodyOp(Operation &op) {
  if (isa<linalg::YieldOp>(op))
    return true;
  StringRef dialect = op.getName().getDialectNamespace();
  if (dialect != "arith" && dialect != "math")
    return false;
  if (op.getNumRegions() != 0 || op.getNumResults() != 1)
    return false;
  // A masked lane holds zeros: an integer division there would trap.
  if (isa<arith::DivSIOp, arith::DivUIOp, arith::RemSIOp, arith::RemUIOp, arith::CeilDivSIOp,
          arith::CeilDivUIOp, arith::FloorDivSIOp>(op))
    return false;
  if (!isa<arith::ConstantOp>(op) && !OpTrait::hasElementwiseMappableTraits(&op))
    return false;
  if (auto c = dyn_cast<arith::ConstantOp>(op))
    if (!isa<FloatAttr, IntegerAttr>(c.getValue()))
      return false;
  return llvm::all_of(op.getOperandTypes(), supportedScalarType) &&
         llvm::all_of(op.getResultTypes(), supportedScalarType);
}

/// For `x / c` with a constant float c whose reciprocal is a normal number:
/// that reciprocal, as a scalar constant.
Value reciprocalOf(OpBuilder &b, Operation &op) {
  auto div = dyn_cast<arith::DivFOp>(op);
  if (!div)
    return {};
  FloatAttr c;
  if (auto cst = div.getRhs().getDefiningOp<arith::ConstantOp>())
    c = dyn_cast<FloatAttr>(cst.getValue());
  if (!c)
    return {};
  APFloat r(c.getValue().getSemantics(), 1);
  APFloat::opStatus status = r.divide(c.getValue(), APFloat::rmNearestTiesToEven);
  if ((status & ~APFloat::opInexact) != APFloat::opOK || !r.isNormal())
    return {};
  return arith::ConstantOp::create(b, div.getLoc(), FloatAttr::get(c.getType(), r));
}
} // namespace

bool hybrid::isVectorizableElementwiseBody(linalg::GenericOp op) {
  return llvm::all_of(*op.getBody(), vectorizableBodyOp);
}

SmallVector<Value> hybrid::vectorizeElementwiseBody(OpBuilder &b, linalg::GenericOp op,
                                                    IRMapping &values, int64_t lanes) {
  auto vecOf = [&](Type t) { return VectorType::get({lanes}, t); };
  auto splat = [&](Value s) -> Value {
    return vector::BroadcastOp::create(b, s.getLoc(), vecOf(s.getType()), s);
  };
  auto operandOf = [&](Value v) -> Value {
    if (Value m = values.lookupOrNull(v))
      return m;
    return splat(v); // a scalar from above the generic
  };
  for (Operation &inner : op.getBody()->without_terminator()) {
    Location loc = inner.getLoc();
    Value result;
    if (auto c = dyn_cast<arith::ConstantOp>(inner)) {
      VectorType vt = vecOf(c.getType());
      result = arith::ConstantOp::create(
          b, loc, vt, DenseElementsAttr::get(vt, cast<Attribute>(c.getValue())));
    } else if (Value r = reciprocalOf(b, inner)) {
      result = arith::MulFOp::create(b, loc, operandOf(inner.getOperand(0)), splat(r),
                                     cast<arith::DivFOp>(inner).getFastmath());
    } else {
      OperationState state(loc, inner.getName());
      for (Value v : inner.getOperands())
        state.addOperands(operandOf(v));
      state.addTypes(vecOf(inner.getResult(0).getType()));
      state.addAttributes(inner.getAttrs());
      result = b.create(state)->getResult(0);
    }
    values.map(inner.getResult(0), result);
  }
  SmallVector<Value> results;
  for (Value v : op.getBody()->getTerminator()->getOperands())
    results.push_back(operandOf(v));
  return results;
}
