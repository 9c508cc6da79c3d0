//===- LowerRoutedMoe.cpp - hybrid-lower-routed-moe ------------------------===//
//
// The routed MoE ops on buffers, faster than their scalar implementations.
//
// `hybrid.grouped_matmul` becomes one matrix product per expert, so that
// hybrid-vectorize-contractions turns each into its register-tiled
// microkernels:
//
//   assert offsets[0] == 0
//   scf.parallel e in [0, E):                     (experts own disjoint rows)
//     lo, hi = offsets[e], offsets[e+1]; assert lo <= hi <= M
//     out[lo:hi, :] = 0
//     out[lo:hi, :] += rows[lo:hi, :] * W_e        linalg.generic (m, n, k)
//   out[offsets[E]:M, :] = 0                      (padding rows)
//
// The scalar implementation instead finds each row's expert by a search over
// `offsets` and multiplies one row by one weight column at a time.
//
// W_e is weights[e] read as [N, K] (a transposed B). When the weights are a
// static view (a strided slice, say) of a constant global, the pass stores
// them transposed, [E, K, N], in a new global
// at compile time, so the microkernels read B rows with vector loads (a
// decode step's single row has no packed panel to hide the transpose); the
// original global is erased when nothing else reads it.
//
// `hybrid.moe_combine` accumulates each expert row into its token's output
// row, whole rows at a time (contiguous, so LLVM vectorises them), instead of
// one output column per point with a scratch column of every token:
//
//   y = 0
//   scf.parallel over column blocks of y:
//     for r in rows: a = sources[r] (checked); t, slot = a / K, a % K
//       y[t, block] += weights[t, slot] * expert_out[r, block]
//
// The sums are taken in the same order as the scalar implementation's.
//
// Only f32 operands are rewritten (the microkernels accumulate in f32 in
// place); other element types keep the scalar implementation.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/IR/HybridOps.h"
#include "dialects/Hybrid/IR/HybridUtils.h"
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDLOWERROUTEDMOEPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;
using namespace hybrid;

namespace {

/// The elements of `value` (the data of a global) read through a strided view
/// of shape [E, N, K] (`offset`, `strides` in elements), written as
/// [E, K, N]; null when the data is not at hand.
Attribute transposedData(Attribute value, ArrayRef<int64_t> shape,
                         int64_t offset, ArrayRef<int64_t> strides,
                         Type elementType) {
  int64_t e = shape[0], n = shape[1], k = shape[2];
  auto tensorType = RankedTensorType::get({e, k, n}, elementType);
  if (auto dense = dyn_cast<DenseElementsAttr>(value); dense && dense.isSplat())
    return dense.resizeSplat(tensorType);
  std::optional<ArrayRef<char>> raw = rawElementBytes(value);
  unsigned bits = elementType.getIntOrFloatBitWidth();
  if (!raw || bits % 8)
    return {};
  int64_t bytes = bits / 8;
  int64_t last = offset + (e - 1) * strides[0] + (n - 1) * strides[1] +
                 (k - 1) * strides[2];
  if (offset < 0 || (last + 1) * bytes > static_cast<int64_t>(raw->size()))
    return {};
  std::vector<char> out(e * n * k * bytes);
  for (int64_t ei = 0; ei < e; ++ei)
    for (int64_t ni = 0; ni < n; ++ni)
      for (int64_t ki = 0; ki < k; ++ki)
        std::memcpy(&out[((ei * k + ki) * n + ni) * bytes],
                    &(*raw)[(offset + ei * strides[0] + ni * strides[1] +
                             ki * strides[2]) * bytes],
                    bytes);
  if (isa<DenseResourceElementsAttr>(value)) {
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(out, alignof(uint64_t));
    return DenseResourceElementsAttr::get(tensorType, "grouped_matmul_kn",
                                          std::move(blob));
  }
  return DenseElementsAttr::getFromRawBuffer(tensorType, out);
}

/// The `memref.get_global` that `v` views, through static subviews and casts.
memref::GetGlobalOp viewedGlobal(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto get = dyn_cast<memref::GetGlobalOp>(def))
      return get;
    if (auto sub = dyn_cast<memref::SubViewOp>(def))
      v = sub.getSource();
    else if (auto cast = dyn_cast<memref::CastOp>(def))
      v = cast.getSource();
    else
      return {};
  }
  return {};
}

/// Dim `d` of memref `v`: a constant when static (a memref.dim would keep the
/// original weights alive after they are replaced by their transposed copy).
Value dimOf(OpBuilder &b, Location loc, Value v, int64_t d) {
  return getValueOrCreateConstantIndexOp(b, loc, memref::getMixedSize(b, loc, v, d));
}

/// `m[i]` as an index (the element type may be i32, i64 or index).
Value loadIndex(OpBuilder &b, Location loc, Value m, Value i) {
  Value v = memref::LoadOp::create(b, loc, m, i);
  if (v.getType().isIndex())
    return v;
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

struct HybridLowerRoutedMoePass
    : public hybrid::impl::HybridLowerRoutedMoePassBase<
          HybridLowerRoutedMoePass> {
  using Base::Base;

  /// Transposed copies of constant weights: by the original global and the
  /// view of it (offset, strides, shape).
  llvm::StringMap<memref::GlobalOp> transposed;
  /// The globals those copies were made from.
  llvm::SetVector<StringAttr> sources;

  /// The [E, K, N] global holding `weights` transposed, when `weights` is a
  /// static view (a strided slice included) of a constant global.
  memref::GlobalOp transposedGlobal(Value weights, SymbolTable &symbols) {
    auto type = cast<MemRefType>(weights.getType());
    memref::GetGlobalOp get = viewedGlobal(weights);
    if (!get || !type.hasStaticShape())
      return {};
    auto global = symbols.lookup<memref::GlobalOp>(get.getNameAttr().getAttr());
    if (!global || !global.getConstant() || !global.getInitialValue() ||
        !global.getType().getLayout().isIdentity())
      return {};
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(type.getStridesAndOffset(strides, offset)) ||
        ShapedType::isDynamic(offset) ||
        llvm::any_of(strides, ShapedType::isDynamic))
      return {};
    std::string key;
    llvm::raw_string_ostream os(key);
    os << global.getSymName() << "@" << offset << ":";
    llvm::interleave(strides, os, ",");
    os << ":";
    llvm::interleave(type.getShape(), os, ",");
    auto it = transposed.find(key);
    if (it != transposed.end())
      return it->second;
    Attribute value = transposedData(*global.getInitialValue(), type.getShape(),
                                     offset, strides, type.getElementType());
    if (!value)
      return {};
    ArrayRef<int64_t> s = type.getShape();
    auto newType = MemRefType::get({s[0], s[2], s[1]}, type.getElementType());
    OpBuilder b(global);
    b.setInsertionPointAfter(global);
    auto copy = memref::GlobalOp::create(
        b, global.getLoc(), (global.getSymName() + "_kn").str(),
        b.getStringAttr("private"), newType, value, /*constant=*/true,
        b.getI64IntegerAttr(64));
    symbols.insert(copy); // renames on a clash
    transposed[key] = copy;
    sources.insert(global.getSymNameAttr());
    return copy;
  }

  void lower(GroupedMatmulOp op, SymbolTable &symbols) {
    Location loc = op.getLoc();
    OpBuilder b(op);
    Value rows = op.getRows(), w = op.getWeights(), offsets = op.getOffsets(),
          out = op.getOutputs()[0];
    auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
    auto dim = [&](Value v, int64_t d) { return dimOf(b, loc, v, d); };
    auto offsetAt = [&](Value i) { return loadIndex(b, loc, offsets, i); };
    using P = arith::CmpIPredicate;
    Value m = dim(rows, 0), k = dim(rows, 1), n = dim(w, 1), ne = dim(w, 0);
    Value zero = idx(0), one = idx(1);
    Value f0 = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    cf::AssertOp::create(
        b, loc, arith::CmpIOp::create(b, loc, P::eq, offsetAt(zero), zero),
        "hybrid.grouped_matmul: offsets[0] must be 0");

    memref::GlobalOp wkn = transposedGlobal(w, symbols);
    Value weights = w;
    if (wkn)
      weights = memref::GetGlobalOp::create(b, loc, wkn.getType(), wkn.getSymName());

    MLIRContext *ctx = b.getContext();
    AffineExpr dm = getAffineDimExpr(0, ctx), dn = getAffineDimExpr(1, ctx),
               dk = getAffineDimExpr(2, ctx);
    auto map = [&](ArrayRef<AffineExpr> r) { return AffineMap::get(3, 0, r, ctx); };
    SmallVector<AffineMap> maps = {map({dm, dk}), wkn ? map({dk, dn}) : map({dn, dk}),
                                   map({dm, dn})};
    SmallVector<utils::IteratorType> iters = {utils::IteratorType::parallel,
                                              utils::IteratorType::parallel,
                                              utils::IteratorType::reduction};
    auto par = scf::ParallelOp::create(b, loc, ValueRange{zero}, ValueRange{ne},
                                       ValueRange{one});
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPoint(par.getBody()->getTerminator());
      Value e = par.getInductionVars()[0];
      Value lo = offsetAt(e), hi = offsetAt(arith::AddIOp::create(b, loc, e, one));
      Value ok = arith::AndIOp::create(b, loc,
                                       arith::CmpIOp::create(b, loc, P::sle, lo, hi),
                                       arith::CmpIOp::create(b, loc, P::sle, hi, m));
      cf::AssertOp::create(b, loc, ok,
                           "hybrid.grouped_matmul: offsets must be non-decreasing "
                           "and at most the number of rows");
      Value cnt = arith::SubIOp::create(b, loc, hi, lo);
      SmallVector<OpFoldResult> unit2 = {b.getIndexAttr(1), b.getIndexAttr(1)};
      Value rowsE = memref::SubViewOp::create(
          b, loc, rows, SmallVector<OpFoldResult>{lo, b.getIndexAttr(0)},
          SmallVector<OpFoldResult>{cnt, k}, unit2);
      Value outE = memref::SubViewOp::create(
          b, loc, out, SmallVector<OpFoldResult>{lo, b.getIndexAttr(0)},
          SmallVector<OpFoldResult>{cnt, n}, unit2);
      // weights[e] as a 2-D view: [K, N] transposed, else [N, K].
      auto wType = cast<MemRefType>(weights.getType());
      SmallVector<OpFoldResult> wSizes = {b.getIndexAttr(1)};
      for (int64_t d = 1; d < 3; ++d)
        wSizes.push_back(wType.isDynamicDim(d) ? OpFoldResult(dim(weights, d))
                                               : b.getIndexAttr(wType.getDimSize(d)));
      SmallVector<int64_t> reducedShape = {wType.getDimSize(1), wType.getDimSize(2)};
      auto reducedType = memref::SubViewOp::inferRankReducedResultType(
          reducedShape, wType,
          SmallVector<OpFoldResult>{e, b.getIndexAttr(0), b.getIndexAttr(0)}, wSizes,
          SmallVector<OpFoldResult>(3, b.getIndexAttr(1)));
      Value wE = memref::SubViewOp::create(
          b, loc, cast<MemRefType>(reducedType), weights,
          SmallVector<OpFoldResult>{e, b.getIndexAttr(0), b.getIndexAttr(0)}, wSizes,
          SmallVector<OpFoldResult>(3, b.getIndexAttr(1)));
      linalg::FillOp::create(b, loc, ValueRange{f0}, ValueRange{outE});
      linalg::GenericOp::create(
          b, loc, TypeRange{}, ValueRange{rowsE, wE}, ValueRange{outE}, maps, iters,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value prod = arith::MulFOp::create(nb, nl, args[0], args[1]);
            linalg::YieldOp::create(nb, nl,
                                    Value(arith::AddFOp::create(nb, nl, args[2], prod)));
          });
    }
    // Rows past offsets[E] (padding) are zero.
    Value end = offsetAt(ne);
    Value tail = memref::SubViewOp::create(
        b, loc, out, SmallVector<OpFoldResult>{end, b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{Value(arith::SubIOp::create(b, loc, m, end)), n},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
    linalg::FillOp::create(b, loc, ValueRange{f0}, ValueRange{tail});
    op.erase();
    // The original weights' view chain, now unused, goes too.
    for (Value v = w; Operation *def = v.getDefiningOp();) {
      if (!def->use_empty() ||
          !isa<memref::SubViewOp, memref::CastOp, memref::GetGlobalOp>(def))
        break;
      v = isa<memref::GetGlobalOp>(def) ? Value() : def->getOperand(0);
      def->erase();
      if (!v)
        break;
    }
  }

  /// Columns of `y` per parallel iteration of the combine.
  static constexpr int64_t kCombineBlock = 256;

  void lower(MoeCombineOp op) {
    Location loc = op.getLoc();
    OpBuilder b(op);
    Value eo = op.getExpertOut(), src = op.getSources(), w = op.getWeights(),
          y = op.getOutputs()[0];
    auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
    auto dim = [&](Value v, int64_t d) { return dimOf(b, loc, v, d); };
    using P = arith::CmpIPredicate;
    Value nr = dim(eo, 0), hd = dim(eo, 1), nt = dim(w, 0), topK = dim(w, 1);
    Value limit = arith::MulIOp::create(b, loc, nt, topK);
    Value zero = idx(0), one = idx(1), block = idx(kCombineBlock);
    Value f0 = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    linalg::FillOp::create(b, loc, ValueRange{f0}, ValueRange{y});
    Value blocks = arith::CeilDivUIOp::create(b, loc, hd, block);
    auto par = scf::ParallelOp::create(b, loc, ValueRange{zero}, ValueRange{blocks},
                                       ValueRange{one});
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(par.getBody()->getTerminator());
    Value d0 = arith::MulIOp::create(b, loc, par.getInductionVars()[0], block);
    Value d1 = arith::MinUIOp::create(b, loc, arith::AddIOp::create(b, loc, d0, block), hd);
    auto rows = scf::ForOp::create(b, loc, zero, nr, one);
    b.setInsertionPoint(rows.getBody()->getTerminator());
    Value r = rows.getInductionVar();
    Value a = loadIndex(b, loc, src, r);
    Value inRange = arith::AndIOp::create(b, loc,
                                          arith::CmpIOp::create(b, loc, P::sge, a, zero),
                                          arith::CmpIOp::create(b, loc, P::slt, a, limit));
    cf::AssertOp::create(b, loc, inRange, "hybrid.moe_combine: row source out of range");
    Value t = arith::DivUIOp::create(b, loc, a, topK);
    Value slot = arith::RemUIOp::create(b, loc, a, topK);
    Value wv = memref::LoadOp::create(b, loc, w, ValueRange{t, slot});
    auto cols = scf::ForOp::create(b, loc, d0, d1, one);
    b.setInsertionPoint(cols.getBody()->getTerminator());
    Value d = cols.getInductionVar();
    Value cur = memref::LoadOp::create(b, loc, y, ValueRange{t, d});
    Value e = memref::LoadOp::create(b, loc, eo, ValueRange{r, d});
    Value sum = arith::AddFOp::create(b, loc, cur, arith::MulFOp::create(b, loc, wv, e));
    memref::StoreOp::create(b, loc, sum, y, ValueRange{t, d});
    op.erase();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    transposed.clear();
    sources.clear();
    for (GroupedMatmulOp op :
         collectHybridOps<GroupedMatmulOp>(module, /*onTensors=*/false)) {
      auto f32 = [](Value v) { return getElementTypeOrSelf(v.getType()).isF32(); };
      if (f32(op.getRows()) && f32(op.getWeights()) && f32(op.getOutputs()[0]))
        lower(op, symbols);
    }
    for (MoeCombineOp op :
         collectHybridOps<MoeCombineOp>(module, /*onTensors=*/false)) {
      auto f32 = [](Value v) { return getElementTypeOrSelf(v.getType()).isF32(); };
      if (f32(op.getExpertOut()) && f32(op.getWeights()) && f32(op.getOutputs()[0]))
        lower(op);
    }
    // Originals only the rewritten ops read are no longer needed.
    for (StringAttr name : sources)
      if (auto global = symbols.lookup<memref::GlobalOp>(name))
        if (global.isPrivate() && SymbolTable::symbolKnownUseEmpty(global, module))
          symbols.erase(global);
  }
};

} // namespace
