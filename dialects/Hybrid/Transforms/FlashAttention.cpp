//===- FlashAttention.cpp - hybrid-flash-attention ------------------------===//
//
// A tiled, online-softmax ("flash") lowering of hybrid.attention on buffers,
// built from linalg contractions that hybrid-vectorize-contractions then turns
// into microkernels:
//
//   kt = transpose(k), widened to f32              [B, Hkv, Dk, Skv], once
//   scf.parallel (b, h, query block of qb rows):
//     m = -inf, l = 0, acc = 0                     per row, on the stack
//     for each block of kb keys (only those some row of the block may see):
//       s = q[rows] . kt[:, keys]                  linalg.generic (mul-add)
//       per row, on vectors of 16 keys:
//                scale, softcap, float mask, -inf where not allowed;
//                m' = max(m, max s); p = exp(s - m'); alpha = exp(m - m')
//                l = alpha * l + sum p; acc *= alpha; m = m'
//       acc += p . v[keys]                         linalg.generic (mul-add)
//     o[rows] = acc / l                            (0 where l == 0)
//
// The row's softmax is built for x86's vector units: the maximum is
// select(a > b, a, b) (one vmaxps; arith.maximumf is five instructions) and
// its lanes are combined by halving the vector; exp takes only x <= 0 (a score
// minus its row's maximum), so its expansion skips the clamps a general exp
// needs (16 instructions a vector instead of 27; expNonPositive below); the
// rescale of acc and the output rows are vectors of 16 (the last one masked),
// and the rescale is skipped while a row has seen no finite score (its first
// key block). CoAtNet's attention (4 heads of 64 x 64, head size 12): 26 ->
// 23 us on one thread.
//
// A short query is cut into smaller blocks (down to 16 rows) so that each
// (batch, head) makes 4 parallel tasks at least.
//
// The score block never leaves the stack (qb x kb floats), and a causal or
// windowed op visits only the key blocks its rows can see. Transposing k once
// makes both contractions read their vector operand contiguously, so the
// microkernels pack it with vector loads.
//
// It takes f32, f16 and bf16 operands (arithmetic in f32) with static head
// counts and head sizes; f64 and dynamic head shapes keep the scalar loops.
// Decode steps (a query of one row or a few) take this form too, and the
// transposition of k, parallel over kv heads and chunks of keys, is as cheap as
// one more pass over the cache. With GQA (two kv heads or more) a query of Sq
// rows whose Sq x group rows fit a block runs as one block per kv head: the
// group's query rows, gathered on the stack, share every key block (chosen at
// run time when Sq is dynamic). The scalar loops decode steps used to keep
// read each key twice with scalar loads, once per query head: a decode step
// over 4096 keys of 128 (8 query heads, 2 kv heads) took 3.5 ms. With
// `min-query-rows` > 0, shorter queries keep the scalar loops (when Sq is
// dynamic, the choice is made at run time with an scf.if).
//
// A boolean mask, or a float mask of another type or not contiguous along the
// keys, is applied key by key (the maximum and the weights stay vectors).
//
// Numerics: the same sums as the reference, re-associated per key block; a
// NaN score propagates to its row, a row with no allowed key (or only -inf
// scores) gives zeros. Masked keys inside a visited block multiply a zero
// weight into v, as the NumPy reference does (0 * inf is NaN there too).
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/IR/HybridOps.h"
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Remarks.h"

#include <cmath>
#include <limits>

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDFLASHATTENTIONPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;
using namespace hybrid;

namespace {

bool isF32OrHalf(Type t) { return t.isF32() || t.isF16() || t.isBF16(); }

/// Whether the flash form applies to `op` (whatever Sq is).
bool eligible(AttentionOp op) {
  auto memref = [](Value v) { return dyn_cast_or_null<MemRefType>(v ? v.getType() : Type()); };
  MemRefType q = memref(op.getQ()), k = memref(op.getK()), v = memref(op.getV()),
             o = memref(op.getOutputs()[0]);
  if (!q || !k || !v || !o)
    return false;
  for (MemRefType t : {q, k, v, o})
    if (!isF32OrHalf(t.getElementType()))
      return false;
  if (Value mask = op.getMask()) {
    MemRefType m = memref(mask);
    if (!m || !(m.getElementType().isInteger(1) || isF32OrHalf(m.getElementType())))
      return false;
  }
  // Static heads (the group is a compile-time constant) and head sizes (the
  // accumulator row is a stack array; the contraction panels are packed).
  return !q.isDynamicDim(1) && !k.isDynamicDim(1) && !q.isDynamicDim(3) &&
         !v.isDynamicDim(3) && k.getDimSize(1) > 0 && q.getDimSize(1) % k.getDimSize(1) == 0;
}

class Generator {
public:
  Generator(AttentionOp op, int64_t qb, int64_t kb) : op(op), qb(qb), kb(kb) {}

  /// Emits the flash form of `op` at the builder's insertion point.
  void emit(OpBuilder &b) {
    Location loc = op.getLoc();
    Value q = op.getQ(), k = op.getK(), v = op.getV();
    auto qTy = cast<MemRefType>(q.getType());
    int64_t dk = qTy.getDimSize(3), dv = cast<MemRefType>(v.getType()).getDimSize(3);
    int64_t group = qTy.getDimSize(1) / cast<MemRefType>(k.getType()).getDimSize(1);
    Value batch = dim(b, loc, q, 0), hq = dim(b, loc, q, 1), hkv = dim(b, loc, k, 1),
          sq = dim(b, loc, q, 2), skv = dim(b, loc, k, 2);
    Type f32 = b.getF32Type();

    // kt[b, h, d, j] = k[b, h, j, d] in f32.
    auto ktTy = MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic, dk,
                                 ShapedType::kDynamic},
                                f32);
    Value kt = memref::AllocOp::create(b, loc, ktTy, ValueRange{batch, hkv, skv},
                                       b.getI64IntegerAttr(64));
    transposeKeys(b, loc, k, kt, batch, hkv, skv, dk);

    // A short query of a GQA group (Sq x group rows fit a block) runs as one
    // block per kv head whose rows are the group's query rows: each key block
    // is read once for the whole group instead of once per query head (a
    // decode step over 4096 keys, 8 query heads on 2 kv heads: 4x less of the
    // cache read). It needs two kv heads at least, which keeps two parallel
    // tasks per batch; one kv head (MQA) keeps a task per query head.
    int64_t hkvStatic = cast<MemRefType>(k.getType()).getDimSize(1);
    int64_t sqStatic = qTy.getDimSize(2);
    if (group == 1 || hkvStatic < 2 || group > qb) {
      emitBlocks(b, loc, /*grouped=*/false, kt, batch, hq, hkv, sq, skv, dk, dv, group);
    } else if (!ShapedType::isDynamic(sqStatic)) {
      emitBlocks(b, loc, /*grouped=*/sqStatic * group <= qb, kt, batch, hq, hkv, sq, skv, dk, dv,
                 group);
    } else {
      Value fits = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ule,
          arith::MulIOp::create(b, loc, sq, cst(b, loc, group)), cst(b, loc, qb));
      auto ifOp = scf::IfOp::create(b, loc, fits, /*withElseRegion=*/true);
      OpBuilder tb = OpBuilder::atBlockBegin(ifOp.thenBlock());
      tb.setInsertionPoint(ifOp.thenBlock()->getTerminator());
      emitBlocks(tb, loc, /*grouped=*/true, kt, batch, hq, hkv, sq, skv, dk, dv, group);
      OpBuilder eb = OpBuilder::atBlockBegin(ifOp.elseBlock());
      eb.setInsertionPoint(ifOp.elseBlock()->getTerminator());
      emitBlocks(eb, loc, /*grouped=*/false, kt, batch, hq, hkv, sq, skv, dk, dv, group);
    }
    memref::DeallocOp::create(b, loc, kt);
  }

private:
  /// The parallel loop over blocks of query rows and everything inside it.
  /// Not grouped: one task per (batch, query head, block of query rows).
  /// Grouped: one task per (batch, kv head) whose block rows are the group's
  /// query rows, head-major (row r is query head hk x group + r / Sq, query
  /// row r mod Sq), copied from q into a stack array.
  void emitBlocks(OpBuilder &b, Location loc, bool grouped, Value kt, Value batch, Value hq,
                  Value hkv, Value sq, Value skv, int64_t dk, int64_t dv, int64_t group) {
    Value q = op.getQ(), v = op.getV();
    Type f32 = b.getF32Type();
    Value c0 = cst(b, loc, 0), c1 = cst(b, loc, 1), groupV = cst(b, loc, group);
    // Not grouped: query blocks of qb rows at most (the stack arrays' size),
    // fewer for a short query so that each (batch, head) still makes
    // kMinBlocks parallel tasks: min(qb, max(kMinRows, ceil(Sq / kMinBlocks)))
    // rows, chosen at run time. 64 queries of 4 heads ran as 8 tasks of 48
    // and 16 rows (the threads waited on the long ones); in blocks of 16 they
    // run 30% faster (CoAtNet's and the zoo's attention layers); from Sq = 4 x
    // qb on the blocks are qb rows, as before.
    constexpr int64_t kMinBlocks = 4, kMinRows = 16;
    Value qbV;
    scf::ParallelOp par;
    if (grouped) {
      par = scf::ParallelOp::create(b, loc, ValueRange{c0, c0}, ValueRange{batch, hkv},
                                    ValueRange{c1, c1});
    } else {
      qbV = arith::MinUIOp::create(
          b, loc, cst(b, loc, qb),
          arith::MaxUIOp::create(b, loc, cst(b, loc, std::min(qb, kMinRows)),
                                 arith::CeilDivUIOp::create(b, loc, sq, cst(b, loc, kMinBlocks))));
      Value blocks = arith::CeilDivUIOp::create(b, loc, sq, qbV);
      par = scf::ParallelOp::create(b, loc, ValueRange{c0, c0, c0},
                                    ValueRange{batch, hq, blocks}, ValueRange{c1, c1, c1});
    }
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(par.getBody());
    Value bi = par.getInductionVars()[0];
    // The block's first query row q0, its query rows nq and its score rows.
    Value hk, h, q0, nq, rows;
    if (grouped) {
      hk = par.getInductionVars()[1];
      q0 = c0;
      nq = sq;
      rows = arith::MulIOp::create(b, loc, sq, groupV);
    } else {
      h = par.getInductionVars()[1];
      q0 = arith::MulIOp::create(b, loc, par.getInductionVars()[2], qbV);
      nq = rows = arith::MinUIOp::create(b, loc, qbV, arith::SubIOp::create(b, loc, sq, q0));
      hk = arith::DivUIOp::create(b, loc, h, groupV);
    }
    // Row r's query head and query row.
    auto rowHeadAndQuery = [&](OpBuilder &rb, Value r) -> std::pair<Value, Value> {
      if (!grouped)
        return {h, arith::AddIOp::create(rb, loc, q0, r)};
      Value first = arith::MulIOp::create(rb, loc, hk, groupV);
      Value head = arith::AddIOp::create(rb, loc, first, arith::DivUIOp::create(rb, loc, r, sq));
      return {head, arith::RemUIOp::create(rb, loc, r, sq)};
    };
    // The body runs in a loop once outlined into a task: free its stack
    // arrays at the end of each iteration (see hybrid-vectorize-contractions
    // for why not memref.alloca_scope).
    auto ptrTy = LLVM::LLVMPointerType::get(b.getContext());
    Value saved = LLVM::StackSaveOp::create(b, loc, ptrTy);
    auto stack = [&](ArrayRef<int64_t> shape) {
      return memref::AllocaOp::create(b, loc, MemRefType::get(shape, f32), b.getI64IntegerAttr(64))
          .getResult();
    };
    Value scores = stack({qb, kb}), acc = stack({qb, dv}), rowMax = stack({qb}),
          rowSum = stack({qb});
    Value negInf = flt(b, loc, -std::numeric_limits<double>::infinity());
    Value zero = flt(b, loc, 0.0);
    Value accRows = view2d(b, loc, acc, {c0, c0}, {rows, cst(b, loc, dv)});
    linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{accRows});
    linalg::FillOp::create(b, loc, ValueRange{negInf}, ValueRange{view1d(b, loc, rowMax, rows)});
    linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{view1d(b, loc, rowSum, rows)});

    // The block's query rows as a [rows, dk] matrix: a view of q, or the
    // group's rows gathered (and widened) on the stack.
    Value qRows;
    if (grouped) {
      Value qs = stack({qb, dk});
      scf::ForOp::create(
          b, loc, c0, rows, c1, ValueRange(), [&](OpBuilder &rb, Location rl, Value r, ValueRange) {
            auto [head, qi] = rowHeadAndQuery(rb, r);
            scf::ForOp::create(rb, rl, c0, cst(rb, rl, dk), c1, ValueRange(),
                               [&](OpBuilder &db, Location dl, Value d, ValueRange) {
                                 Value x = widen(db, dl, memref::LoadOp::create(
                                                             db, dl, q, ValueRange{bi, head, qi, d}));
                                 memref::StoreOp::create(db, dl, x, qs, ValueRange{r, d});
                                 scf::YieldOp::create(db, dl);
                               });
            scf::YieldOp::create(rb, rl);
          });
      qRows = view2d(b, loc, qs, {c0, c0}, {rows, cst(b, loc, dk)});
    } else {
      qRows = slice2d(b, loc, q, {bi, h, q0, c0}, {rows, cst(b, loc, dk)});
    }

    // The keys some row of the block may see: p(first) = Skv - Sq + q0 and
    // p(last) = p(first) + nq - 1 (signed; negative when Sq > Skv).
    Value pFirst = arith::AddIOp::create(b, loc, arith::SubIOp::create(b, loc, skv, sq), q0);
    Value pLast = arith::AddIOp::create(b, loc, pFirst, arith::SubIOp::create(b, loc, nq, c1));
    // Windows are clamped to 2^62 here (both positions are far smaller), so
    // that an INT64_MAX window cannot overflow the bounds.
    constexpr int64_t kHuge = int64_t(1) << 62;
    Value lo = c0, hi = skv;
    if (op.getCausal())
      hi = arith::MinSIOp::create(b, loc, hi, arith::AddIOp::create(b, loc, pLast, c1));
    if (int64_t wr = op.getWindowRight(); wr >= 0)
      hi = arith::MinSIOp::create(
          b, loc, hi, arith::AddIOp::create(b, loc, pLast, cst(b, loc, std::min(wr, kHuge) + 1)));
    if (int64_t wl = op.getWindowLeft(); wl >= 0)
      lo = arith::MaxSIOp::create(b, loc, lo,
                                  arith::SubIOp::create(b, loc, pFirst, cst(b, loc, std::min(wl, kHuge))));
    hi = arith::MaxSIOp::create(b, loc, hi, lo);

    auto keyLoop = scf::ForOp::create(b, loc, lo, hi, cst(b, loc, kb));
    {
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(keyLoop.getBody());
      Value j0 = keyLoop.getInductionVar();
      Value keys =
          arith::MinUIOp::create(b, loc, cst(b, loc, kb), arith::SubIOp::create(b, loc, hi, j0));
      Value s = view2d(b, loc, scores, {c0, c0}, {rows, keys});
      linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{s});
      // s += q[rows] . kt[b, hk, :, j0:]
      Value ktKeys = slice2d(b, loc, kt, {bi, hk, c0, j0}, {cst(b, loc, dk), keys});
      matmul(b, loc, qRows, ktKeys, s);
      auto rowLoop = scf::ForOp::create(b, loc, c0, rows, c1);
      {
        OpBuilder::InsertionGuard g3(b);
        b.setInsertionPointToStart(rowLoop.getBody());
        Value r = rowLoop.getInductionVar();
        auto [head, qi] = rowHeadAndQuery(b, r);
        Value pos = arith::AddIOp::create(b, loc, arith::SubIOp::create(b, loc, skv, sq), qi);
        softmaxRow(b, loc, r, bi, head, qi, pos, j0, keys, scores, acc, rowMax, rowSum, dk, dv);
      }
      // acc += p . v[b, hk, j0:, :]
      Value vKeys = slice2d(b, loc, v, {bi, hk, j0, c0}, {keys, cst(b, loc, dv)});
      matmul(b, loc, s, vKeys, accRows);
    }

    // o = acc / l, 0 for a row that saw no key.
    auto outRows = scf::ForOp::create(b, loc, c0, rows, c1);
    {
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(outRows.getBody());
      Value r = outRows.getInductionVar();
      auto [head, qi] = rowHeadAndQuery(b, r);
      Value l = memref::LoadOp::create(b, loc, rowSum, r);
      Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, l, zero);
      Value o = op.getOutputs()[0];
      auto oMemTy = cast<MemRefType>(o.getType());
      Type oType = oMemTy.getElementType();
      if (oType == f32 && oMemTy.isLastDimUnitStride()) {
        // On vectors: o's rows are contiguous f32.
        auto vecTy = VectorType::get({kLanes}, f32);
        Value lVec = vector::BroadcastOp::create(b, loc, vecTy, l);
        Value emptyVec = vector::BroadcastOp::create(
            b, loc, VectorType::get({kLanes}, b.getI1Type()), empty);
        Value zeros = vector::BroadcastOp::create(b, loc, vecTy, zero);
        forRowVectors(b, loc, dv, [&](OpBuilder &nb, Value e, Value valid) {
          Value a = loadRow(nb, loc, acc, {r, e}, valid);
          Value val = arith::SelectOp::create(nb, loc, emptyVec, zeros,
                                              arith::DivFOp::create(nb, loc, a, lVec));
          storeRow(nb, loc, val, o, {bi, head, qi, e}, valid);
        });
      } else {
        auto cols = scf::ForOp::create(b, loc, c0, cst(b, loc, dv), c1);
        b.setInsertionPointToStart(cols.getBody());
        Value e = cols.getInductionVar();
        Value a = memref::LoadOp::create(b, loc, acc, ValueRange{r, e});
        Value val =
            arith::SelectOp::create(b, loc, empty, zero, arith::DivFOp::create(b, loc, a, l));
        if (oType != f32)
          val = arith::TruncFOp::create(b, loc, oType, val);
        memref::StoreOp::create(b, loc, val, o, ValueRange{bi, head, qi, e});
      }
    }
    LLVM::StackRestoreOp::create(b, loc, saved);
  }

  /// kt[b, h, d, j] = k[b, h, j, d], widened to f32. Each vector of kt's row
  /// gathers kTransposeLanes keys (scalar loads a key row apart, one vector
  /// store), the keys past the last full vector one by one. As a
  /// linalg.generic this was a scalar loop nest of 1.5 ns per element: 4.8 us
  /// ahead of the parallel loop for CoAtNet's 4 x 64 keys of 12 (now 1.5 us).
  /// The copy is a parallel loop over (batch, kv head, chunk of
  /// kTransposeChunk keys): a decode step's cache of thousands of keys is
  /// transposed by every thread instead of the caller alone.
  void transposeKeys(OpBuilder &b, Location loc, Value k, Value kt, Value batch, Value hkv,
                     Value skv, int64_t dk) {
    constexpr int64_t kTransposeLanes = 8, kTransposeChunk = 32 * kTransposeLanes;
    using Body = function_ref<void(OpBuilder &, Location, Value)>;
    // scf.for lo to hi step `step` around `body`.
    auto loop = [](OpBuilder &ob, Location ol, Value lo, Value hi, Value step, Body body) {
      scf::ForOp::create(ob, ol, lo, hi, step, ValueRange(),
                         [&](OpBuilder &nb, Location nl, Value iv, ValueRange) {
                           body(nb, nl, iv);
                           scf::YieldOp::create(nb, nl);
                         });
    };
    Value c0 = cst(b, loc, 0), c1 = cst(b, loc, 1), lanes = cst(b, loc, kTransposeLanes),
          dks = cst(b, loc, dk), chunk = cst(b, loc, kTransposeChunk);
    // Keys [0, full) go in vectors, [full, skv) one by one.
    Value full = arith::MulIOp::create(b, loc, arith::DivUIOp::create(b, loc, skv, lanes), lanes);
    Value chunks = arith::CeilDivUIOp::create(b, loc, skv, chunk);
    auto vecTy = VectorType::get({kTransposeLanes}, b.getF32Type());
    scf::ParallelOp::create(
        b, loc, ValueRange{c0, c0, c0}, ValueRange{batch, hkv, chunks}, ValueRange{c1, c1, c1},
        [&](OpBuilder &b2, Location l2, ValueRange ivs) {
          Value bi = ivs[0], h = ivs[1];
          // This chunk's keys [lo, hi); lo is a multiple of the lanes.
          Value lo = arith::MulIOp::create(b2, l2, ivs[2], chunk);
          Value hi = arith::MinUIOp::create(b2, l2, arith::AddIOp::create(b2, l2, lo, chunk), skv);
          Value vecEnd = arith::MinUIOp::create(b2, l2, hi, full);
          Value tailBegin = arith::MaxUIOp::create(b2, l2, lo, full);
          // Full vectors of keys, every d for each (the 8 key rows stay in L1).
          loop(b2, l2, lo, vecEnd, lanes, [&](OpBuilder &b3, Location l3, Value j0) {
            loop(b3, l3, c0, dks, c1, [&](OpBuilder &b4, Location l4, Value d) {
              SmallVector<Value> elems;
              for (int64_t i = 0; i < kTransposeLanes; ++i) {
                Value j = arith::AddIOp::create(b4, l4, j0, cst(b4, l4, i));
                elems.push_back(
                    widen(b4, l4, memref::LoadOp::create(b4, l4, k, ValueRange{bi, h, j, d})));
              }
              Value v = vector::FromElementsOp::create(b4, l4, vecTy, elems);
              vector::StoreOp::create(b4, l4, v, kt, ValueRange{bi, h, d, j0});
            });
          });
          // The last keys (in the last chunk only), one by one.
          loop(b2, l2, tailBegin, hi, c1, [&](OpBuilder &b3, Location l3, Value j) {
            loop(b3, l3, c0, dks, c1, [&](OpBuilder &b4, Location l4, Value d) {
              Value e = widen(b4, l4, memref::LoadOp::create(b4, l4, k, ValueRange{bi, h, j, d}));
              memref::StoreOp::create(b4, l4, e, kt, ValueRange{bi, h, d, j});
            });
          });
        });
  }

  /// One query row of the current key block: scores to probabilities in
  /// place, and the row's running max, sum and accumulator rescaled.
  /// `r` is the row in the block's stack arrays; `h`, `qi` and `pos` are its
  /// query head, query row and position p(qi) = Skv - Sq + qi.
  void softmaxRow(OpBuilder &b, Location loc, Value r, Value bi, Value h, Value qi, Value pos,
                  Value j0, Value keys, Value scores, Value acc, Value rowMax, Value rowSum,
                  int64_t dk, int64_t dv) {
    using P = arith::CmpIPredicate;
    Value c0 = cst(b, loc, 0), c1 = cst(b, loc, 1);
    Value negInf = flt(b, loc, -std::numeric_limits<double>::infinity());
    Value zero = flt(b, loc, 0.0);
    double scale = op.getScale() ? op.getScale()->convertToDouble() : 1.0 / std::sqrt(double(dk));
    double softcap = op.getSoftcap().convertToDouble();
    Value mask = op.getMask();
    bool boolMask = mask && getElementTypeOrSelf(mask.getType()).isInteger(1);
    // The mask's indices but the last, broadcast where its dim is 1.
    SmallVector<Value> maskIdx;
    int64_t maskRank = mask ? cast<MemRefType>(mask.getType()).getRank() : 0;
    if (mask) {
      Value target[3] = {bi, h, qi};
      for (int64_t d = 0; d + 1 < maskRank; ++d)
        maskIdx.push_back(bcastIndex(b, loc, mask, d, target[4 - maskRank + d]));
    }
    // Pass 1: final scores, -inf where not allowed, and their maximum. On
    // vectors of kLanes when the mask is absent or an f32 one contiguous
    // along the keys (its row loads as vectors); otherwise element by
    // element, then the maximum in vectors.
    auto vecTy = VectorType::get({kLanes}, b.getF32Type());
    Value negInfVec = vector::BroadcastOp::create(b, loc, vecTy, negInf);
    Value blockMax;
    bool vectorScores =
        !mask || (!boolMask && getElementTypeOrSelf(mask.getType()).isF32() &&
                  cast<MemRefType>(mask.getType()).areTrailingDimsContiguous(1));
    if (vectorScores) {
      blockMax = vectorScoresAndMax(b, loc, r, pos, j0, keys, scores, scale, softcap, maskIdx);
    } else {
      scf::ForOp::create(
          b, loc, c0, keys, c1, ValueRange(),
          [&](OpBuilder &nb, Location nl, Value c, ValueRange) {
            Value j = arith::AddIOp::create(nb, nl, j0, c);
            Value s = memref::LoadOp::create(nb, nl, scores, ValueRange{r, c});
            s = scaleAndCap(nb, nl, s, scale, softcap, [&](double x) { return flt(nb, nl, x); });
            Value ok;
            auto both = [&](Value x) {
              ok = ok ? arith::AndIOp::create(nb, nl, ok, x).getResult() : x;
            };
            if (op.getCausal())
              both(arith::CmpIOp::create(nb, nl, P::sle, j, pos));
            if (int64_t wl = op.getWindowLeft(); wl >= 0)
              both(arith::CmpIOp::create(nb, nl, P::sle, arith::SubIOp::create(nb, nl, pos, j),
                                         cst(nb, nl, wl)));
            if (int64_t wr = op.getWindowRight(); wr >= 0)
              both(arith::CmpIOp::create(nb, nl, P::sle, arith::SubIOp::create(nb, nl, j, pos),
                                         cst(nb, nl, wr)));
            if (mask) {
              SmallVector<Value> idx = maskIdx;
              idx.push_back(bcastIndex(nb, nl, mask, maskRank - 1, j));
              Value m = memref::LoadOp::create(nb, nl, mask, idx);
              if (boolMask)
                both(m);
              else
                s = arith::AddFOp::create(nb, nl, s, widen(nb, nl, m));
            }
            if (ok)
              s = arith::SelectOp::create(nb, nl, ok, s, negInf);
            memref::StoreOp::create(nb, nl, s, scores, ValueRange{r, c});
            scf::YieldOp::create(nb, nl);
          });
      // Their maximum, in vectors of kLanes (LLVM does not vectorise a float max
      // reduction without fast-math flags); the last vector is masked, its
      // other lanes -inf.
      Value lanes = cst(b, loc, kLanes);
      auto maxLoop = scf::ForOp::create(
          b, loc, c0, keys, lanes, ValueRange{negInfVec},
          [&](OpBuilder &nb, Location nl, Value c, ValueRange it) {
            Value valid = vector::CreateMaskOp::create(
                nb, nl, VectorType::get({kLanes}, nb.getI1Type()),
                ValueRange{arith::SubIOp::create(nb, nl, keys, c)});
            Value x = vector::MaskedLoadOp::create(nb, nl, vecTy, scores, ValueRange{r, c}, valid,
                                                   negInfVec);
            scf::YieldOp::create(nb, nl, fastMax(nb, nl, it[0], x));
          });
      blockMax = reduceMax(b, loc, maxLoop.getResult(0));
    }
    Value mOld = memref::LoadOp::create(b, loc, rowMax, r);
    Value mNew = arith::MaximumFOp::create(b, loc, mOld, blockMax);
    // exp(x - (-inf)) would be NaN; with no finite score yet, every weight is
    // exp(-inf - 0) = 0 instead.
    Value none = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, mNew, negInf);
    Value mSafe = arith::SelectOp::create(b, loc, none, zero, mNew);
    Value alpha = expNonPositive(b, loc, arith::SubFOp::create(b, loc, mOld, mSafe));
    // Pass 2: weights in place and their sum, on vectors (the last one
    // masked).
    Value blockSum = vectorWeights(b, loc, r, keys, scores, mSafe);
    Value l = memref::LoadOp::create(b, loc, rowSum, r);
    l = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, l, alpha), blockSum);
    memref::StoreOp::create(b, loc, l, rowSum, r);
    memref::StoreOp::create(b, loc, mNew, rowMax, r);
    // acc *= alpha, on vectors. Not while the row has seen no finite score
    // (m = -inf: its first key block): acc holds 0 (or the NaN that a zero
    // weight times an infinite v made), which alpha = 0 would not change.
    Value seen = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE, mOld, negInf);
    auto rescale = scf::IfOp::create(b, loc, seen, /*withElseRegion=*/false);
    OpBuilder rb = OpBuilder::atBlockBegin(rescale.thenBlock());
    Value alphaVec = vector::BroadcastOp::create(rb, loc, vecTy, alpha);
    forRowVectors(rb, loc, dv, [&](OpBuilder &nb, Value e, Value valid) {
      Value a = loadRow(nb, loc, acc, {r, e}, valid);
      storeRow(nb, loc, arith::MulFOp::create(nb, loc, a, alphaVec), acc, {r, e}, valid);
    });
  }

  /// Runs `body` over a row of `n` (static) elements in vectors of kLanes:
  /// the vector's first element and, for a partial last vector, its lane mask
  /// (null for a whole vector). The vectors are unrolled: a row is a head's
  /// dv elements.
  static void forRowVectors(OpBuilder &b, Location loc, int64_t n,
                            function_ref<void(OpBuilder &, Value, Value)> body) {
    for (int64_t e0 = 0; e0 < n; e0 += kLanes) {
      Value valid;
      if (n - e0 < kLanes)
        valid = vector::CreateMaskOp::create(b, loc, VectorType::get({kLanes}, b.getI1Type()),
                                             ValueRange{cst(b, loc, n - e0)});
      body(b, cst(b, loc, e0), valid);
    }
  }
  /// A vector of kLanes f32 from `m` at `idx` (masked when `valid` is set,
  /// 0 in the other lanes), and its store.
  static Value loadRow(OpBuilder &b, Location loc, Value m, ValueRange idx, Value valid) {
    auto vecTy = VectorType::get({kLanes}, b.getF32Type());
    if (!valid)
      return vector::LoadOp::create(b, loc, vecTy, m, idx);
    Value zeros = vector::BroadcastOp::create(b, loc, vecTy, flt(b, loc, 0.0));
    return vector::MaskedLoadOp::create(b, loc, vecTy, m, idx, valid, zeros);
  }
  static void storeRow(OpBuilder &b, Location loc, Value x, Value m, ValueRange idx, Value valid) {
    if (valid)
      vector::MaskedStoreOp::create(b, loc, m, idx, valid, x);
    else
      vector::StoreOp::create(b, loc, x, m, idx);
  }

  /// max(a, x) as select(a > x, a, x), one vmaxps: arith.maximumf is five
  /// instructions on x86 (it orders -0 below +0 and keeps NaN). A NaN score
  /// may be left out of a row's maximum, but its weight exp(NaN - m) is NaN,
  /// so the row's output is NaN all the same.
  static Value fastMax(OpBuilder &b, Location loc, Value a, Value x) {
    Value gt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a, x);
    return arith::SelectOp::create(b, loc, gt, a, x);
  }
  /// The largest lane of `v`, by halving it (fastMax of its two halves)
  /// instead of vector.reduction <maximumf>, which x86 scalarises.
  static Value reduceMax(OpBuilder &b, Location loc, Value v) {
    for (int64_t n = cast<VectorType>(v.getType()).getNumElements(); n > 1; n /= 2) {
      int64_t half = n / 2;
      Value lo = vector::ExtractStridedSliceOp::create(b, loc, v, ArrayRef<int64_t>{0},
                                                       ArrayRef<int64_t>{half}, ArrayRef<int64_t>{1});
      Value hi = vector::ExtractStridedSliceOp::create(b, loc, v, ArrayRef<int64_t>{half},
                                                       ArrayRef<int64_t>{half}, ArrayRef<int64_t>{1});
      v = fastMax(b, loc, lo, hi);
    }
    return vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{0});
  }

  /// exp(x) for the x a softmax takes, x <= 0 (a score minus its row's
  /// maximum), -inf or NaN; scalar or vector. Upstream's expansion (math.exp
  /// through hybrid-approximate-math) takes any x: it clamps x and the
  /// exponent both ways, 27 instructions a vector; this one, 16:
  ///   t = x log2(e) + (1.5 x 2^23 + 127)    k = t - (1.5 x 2^23 + 127)
  ///                                         (k = x log2(e) rounded to even)
  ///   r = x - k ln2                         (ln2 in two parts, |r| <= ln2 / 2)
  ///   p = 1 + r + r^2 P(r)                  (P: Cephes expf's degree-5 fit)
  ///   exp(x) = p * 2^k                      (2^k: t's low bits, the biased
  ///                                          exponent, shifted into place)
  /// and 0 below -86.5, where 2^k would leave the normal floats (the weights
  /// dropped there are below 3e-38 of the row's largest, which is 1). -inf
  /// gives 0, NaN gives NaN.
  static Value expNonPositive(OpBuilder &b, Location loc, Value x) {
    Type type = x.getType();
    auto vecTy = dyn_cast<VectorType>(type);
    Type intTy = b.getI32Type();
    if (vecTy)
      intTy = VectorType::get(vecTy.getShape(), intTy);
    auto c = [&](float v) -> Value {
      if (vecTy)
        return vector::BroadcastOp::create(b, loc, vecTy, flt(b, loc, v));
      return flt(b, loc, v);
    };
    constexpr float kMagic = 12582912.0f + 127.0f; // 1.5 x 2^23 + the exponent bias
    Value t = math::FmaOp::create(b, loc, x, c(1.44269504f), c(kMagic));
    Value k = arith::SubFOp::create(b, loc, t, c(kMagic));
    Value r = math::FmaOp::create(b, loc, k, c(-0.693359375f), x);
    r = math::FmaOp::create(b, loc, k, c(2.12194440e-4f), r);
    Value p = c(1.9875691500e-4f);
    for (float coeff : {1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f,
                        5.0000001201e-1f, 1.0f, 1.0f})
      p = math::FmaOp::create(b, loc, p, r, c(coeff));
    Value tBits = arith::BitcastOp::create(b, loc, intTy, t);
    TypedAttr shiftAttr = b.getI32IntegerAttr(23);
    if (vecTy)
      shiftAttr = DenseElementsAttr::get(cast<ShapedType>(intTy), shiftAttr);
    Value shift = arith::ConstantOp::create(b, loc, intTy, shiftAttr);
    Value pow2 = arith::BitcastOp::create(b, loc, type, arith::ShLIOp::create(b, loc, tBits, shift));
    Value e = arith::MulFOp::create(b, loc, p, pow2);
    // Unordered or >=: NaN keeps its NaN.
    Value keep = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UGE, x, c(-86.5f));
    return arith::SelectOp::create(b, loc, keep, e, c(0.0f));
  }

  /// Pass 1 on vectors: for each kLanes keys of row `r`, the scaled (and
  /// soft-capped) scores plus the float mask, -inf at keys the row may not
  /// see, stored back; returns their maximum. The keys a row sees are a run
  /// of lanes [lo, hi] of each vector, from the row's position `pos` and the
  /// vector's first key.
  Value vectorScoresAndMax(OpBuilder &b, Location loc, Value r, Value pos, Value j0, Value keys,
                           Value scores, double scale, double softcap,
                           ArrayRef<Value> maskIdx) {
    Type f32 = b.getF32Type(), i32 = b.getI32Type();
    auto vecTy = VectorType::get({kLanes}, f32);
    auto laneTy = VectorType::get({kLanes}, i32);
    Value mask = op.getMask();
    Value negInfVec = vector::BroadcastOp::create(
        b, loc, vecTy, flt(b, loc, -std::numeric_limits<double>::infinity()));
    SmallVector<int32_t> laneIds(kLanes);
    for (int64_t i = 0; i < kLanes; ++i)
      laneIds[i] = static_cast<int32_t>(i);
    Value iota = arith::ConstantOp::create(b, loc, laneTy,
                                           DenseElementsAttr::get(laneTy, ArrayRef(laneIds)));
    // (The window getters return the I64Attr as uint64_t: -1 is "no window".)
    bool bounded = op.getCausal() || static_cast<int64_t>(op.getWindowLeft()) >= 0 ||
                   static_cast<int64_t>(op.getWindowRight()) >= 0;
    constexpr int64_t kHuge = int64_t(1) << 62;
    // A lane bound clamped to [-1, kLanes], as an i32 vector.
    auto laneBound = [&](OpBuilder &nb, Location nl, Value v) -> Value {
      v = arith::MaxSIOp::create(nb, nl, v, cst(nb, nl, -1));
      v = arith::MinSIOp::create(nb, nl, v, cst(nb, nl, kLanes));
      return vector::BroadcastOp::create(nb, nl, laneTy,
                                         arith::IndexCastOp::create(nb, nl, i32, v));
    };
    auto splat = [&](OpBuilder &nb, Location nl, double x) -> Value {
      return vector::BroadcastOp::create(nb, nl, vecTy, flt(nb, nl, x));
    };
    // The final scores of keys [c, c + kLanes) (`valid` lanes of them when
    // not null), stored back.
    auto scoresAt = [&](OpBuilder &nb, Location nl, Value c, Value valid) -> Value {
      Value base = arith::AddIOp::create(nb, nl, j0, c);
      Value sv = valid ? Value(vector::MaskedLoadOp::create(nb, nl, vecTy, scores,
                                                            ValueRange{r, c}, valid,
                                                            splat(nb, nl, 0.0)))
                       : Value(vector::LoadOp::create(nb, nl, vecTy, scores, ValueRange{r, c}));
      sv = scaleAndCap(nb, nl, sv, scale, softcap, [&](double x) { return splat(nb, nl, x); });
      if (mask) {
        auto maskMemTy = cast<MemRefType>(mask.getType());
        int64_t last = maskMemTy.getRank() - 1;
        int64_t size = maskMemTy.getDimSize(last);
        // One mask value for the whole row (a last dim of 1), or a vector of
        // the row at the keys.
        auto one = [&](OpBuilder &mb, Location ml) -> Value {
          SmallVector<Value> at(maskIdx.begin(), maskIdx.end());
          at.push_back(cst(mb, ml, 0));
          return vector::BroadcastOp::create(mb, ml, vecTy,
                                             memref::LoadOp::create(mb, ml, mask, at));
        };
        auto row = [&](OpBuilder &mb, Location ml) -> Value {
          SmallVector<Value> at(maskIdx.begin(), maskIdx.end());
          at.push_back(base);
          if (valid)
            return vector::MaskedLoadOp::create(mb, ml, vecTy, mask, at, valid,
                                                splat(mb, ml, 0.0));
          return vector::LoadOp::create(mb, ml, vecTy, mask, at);
        };
        Value mv;
        if (size == 1) {
          mv = one(nb, nl);
        } else if (!ShapedType::isDynamic(size)) {
          mv = row(nb, nl);
        } else {
          Value isOne = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                              dim(nb, nl, mask, last), cst(nb, nl, 1));
          auto pick = scf::IfOp::create(nb, nl, TypeRange{vecTy}, isOne, /*withElse=*/true);
          OpBuilder tb = OpBuilder::atBlockBegin(pick.thenBlock());
          scf::YieldOp::create(tb, nl, one(tb, nl));
          OpBuilder eb = OpBuilder::atBlockBegin(pick.elseBlock());
          scf::YieldOp::create(eb, nl, row(eb, nl));
          mv = pick.getResult(0);
        }
        sv = arith::AddFOp::create(nb, nl, sv, mv);
      }
      if (bounded) {
        // Key j = base + lane is seen when j <= pos (causal), pos - j <= wl
        // and j - pos <= wr: lo <= lane <= hi.
        Value rel = arith::SubIOp::create(nb, nl, pos, base);
        Value hi = cst(nb, nl, kLanes), lo = cst(nb, nl, -1);
        if (op.getCausal())
          hi = arith::MinSIOp::create(nb, nl, hi, rel);
        if (int64_t wr = op.getWindowRight(); wr >= 0)
          hi = arith::MinSIOp::create(
              nb, nl, hi, arith::AddIOp::create(nb, nl, rel, cst(nb, nl, std::min(wr, kHuge))));
        if (int64_t wl = op.getWindowLeft(); wl >= 0)
          lo = arith::MaxSIOp::create(
              nb, nl, lo, arith::SubIOp::create(nb, nl, rel, cst(nb, nl, std::min(wl, kHuge))));
        // One statement per op: the IR's order must not depend on the order a
        // compiler evaluates arguments in.
        Value aboveLo =
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, iota, laneBound(nb, nl, lo));
        Value belowHi =
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sle, iota, laneBound(nb, nl, hi));
        Value ok = arith::AndIOp::create(nb, nl, aboveLo, belowHi);
        sv = arith::SelectOp::create(nb, nl, ok, sv, negInfVec);
      }
      if (valid)
        vector::MaskedStoreOp::create(nb, nl, scores, ValueRange{r, c}, valid, sv);
      else
        vector::StoreOp::create(nb, nl, sv, scores, ValueRange{r, c});
      return sv;
    };
    Value rowMax = overKeyVectors(
        b, loc, keys, negInfVec,
        [&](OpBuilder &nb, Location nl, Value c, Value valid, Value acc) -> Value {
          Value sv = scoresAt(nb, nl, c, valid);
          if (valid)
            sv = arith::SelectOp::create(nb, nl, valid, sv, negInfVec);
          return fastMax(nb, nl, acc, sv);
        });
    return reduceMax(b, loc, rowMax);
  }

  /// Pass 2 on vectors: p = exp(s - m) in place for the keys of row `r`;
  /// returns their sum.
  Value vectorWeights(OpBuilder &b, Location loc, Value r, Value keys, Value scores, Value m) {
    auto vecTy = VectorType::get({kLanes}, b.getF32Type());
    Value zeroVec = vector::BroadcastOp::create(b, loc, vecTy, flt(b, loc, 0.0));
    Value mVec = vector::BroadcastOp::create(b, loc, vecTy, m);
    Value rowSum = overKeyVectors(
        b, loc, keys, zeroVec,
        [&](OpBuilder &nb, Location nl, Value c, Value valid, Value acc) -> Value {
          Value sv = valid ? Value(vector::MaskedLoadOp::create(nb, nl, vecTy, scores,
                                                                ValueRange{r, c}, valid, zeroVec))
                           : Value(vector::LoadOp::create(nb, nl, vecTy, scores, ValueRange{r, c}));
          Value p = expNonPositive(nb, nl, arith::SubFOp::create(nb, nl, sv, mVec));
          if (valid) {
            vector::MaskedStoreOp::create(nb, nl, scores, ValueRange{r, c}, valid, p);
            p = arith::SelectOp::create(nb, nl, valid, p, zeroVec);
          } else {
            vector::StoreOp::create(nb, nl, p, scores, ValueRange{r, c});
          }
          return arith::AddFOp::create(nb, nl, acc, p);
        });
    return vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, rowSum,
                                       arith::FastMathFlags::reassoc);
  }

  /// s * scale, then softcap * tanh(s / softcap) when there is a softcap; `c`
  /// makes a constant of s's type (a scalar or a splat vector).
  static Value scaleAndCap(OpBuilder &b, Location loc, Value s, double scale, double softcap,
                           function_ref<Value(double)> c) {
    s = arith::MulFOp::create(b, loc, s, c(scale));
    if (softcap <= 0.0)
      return s;
    Value cap = c(softcap);
    Value t = math::TanhOp::create(b, loc, arith::DivFOp::create(b, loc, s, c(softcap)));
    return arith::MulFOp::create(b, loc, cap, t);
  }

  /// Runs `step` over the keys [0, keys) of a row in vectors of kLanes: the
  /// whole vectors in a loop, then the last partial one under its lane mask.
  /// `step` gets a vector's first key, the mask (null for a whole vector) and
  /// the running value, and returns the new running value.
  static Value overKeyVectors(
      OpBuilder &b, Location loc, Value keys, Value init,
      function_ref<Value(OpBuilder &, Location, Value, Value, Value)> step) {
    Value c0 = cst(b, loc, 0), lanes = cst(b, loc, kLanes);
    Value full = arith::SubIOp::create(b, loc, keys, arith::RemUIOp::create(b, loc, keys, lanes));
    auto loop = scf::ForOp::create(b, loc, c0, full, lanes, ValueRange{init},
                                   [&](OpBuilder &nb, Location nl, Value c, ValueRange it) {
                                     scf::YieldOp::create(nb, nl, step(nb, nl, c, Value(), it[0]));
                                   });
    Value partial = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, full, keys);
    auto tail = scf::IfOp::create(b, loc, TypeRange{init.getType()}, partial, /*withElse=*/true);
    OpBuilder tb = OpBuilder::atBlockBegin(tail.thenBlock());
    Value valid = vector::CreateMaskOp::create(tb, loc, VectorType::get({kLanes}, tb.getI1Type()),
                                               ValueRange{arith::SubIOp::create(tb, loc, keys, full)});
    scf::YieldOp::create(tb, loc, step(tb, loc, full, valid, loop.getResult(0)));
    OpBuilder eb = OpBuilder::atBlockBegin(tail.elseBlock());
    scf::YieldOp::create(eb, loc, loop.getResult(0));
    return tail.getResult(0);
  }

  /// `c += a . b` as the mul-add generic hybrid-vectorize-contractions takes:
  /// a [m, k], b [k, n], c [m, n].
  static void matmul(OpBuilder &b, Location loc, Value a, Value bm, Value c) {
    MLIRContext *ctx = b.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {m, k}, ctx),
                                   AffineMap::get(3, 0, {k, n}, ctx),
                                   AffineMap::get(3, 0, {m, n}, ctx)};
    SmallVector<utils::IteratorType> iters = {utils::IteratorType::parallel,
                                              utils::IteratorType::parallel,
                                              utils::IteratorType::reduction};
    linalg::GenericOp::create(b, loc, TypeRange(), ValueRange{a, bm}, ValueRange{c}, maps, iters,
                              [&](OpBuilder &nb, Location nl, ValueRange args) {
                                Value x = widen(nb, nl, args[0]), y = widen(nb, nl, args[1]);
                                Value p = arith::MulFOp::create(nb, nl, x, y);
                                linalg::YieldOp::create(
                                    nb, nl, arith::AddFOp::create(nb, nl, args[2], p).getResult());
                              });
  }

  /// The [s0, s1] window at `offsets` of the last two dims of a rank-4 buffer.
  static Value slice2d(OpBuilder &b, Location loc, Value src, ArrayRef<Value> offsets,
                       ArrayRef<Value> sizes) {
    auto srcTy = cast<MemRefType>(src.getType());
    SmallVector<OpFoldResult> offs = getAsOpFoldResult(offsets);
    SmallVector<OpFoldResult> szs = {b.getIndexAttr(1), b.getIndexAttr(1),
                                     getAsOpFoldResult(sizes[0]), getAsOpFoldResult(sizes[1])};
    SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
    SmallVector<int64_t> shape;
    for (OpFoldResult s : ArrayRef(szs).drop_front(2)) {
      std::optional<int64_t> c = getConstantIntValue(s);
      shape.push_back(c ? *c : ShapedType::kDynamic);
    }
    auto ty = memref::SubViewOp::inferRankReducedResultType(shape, srcTy, offs, szs, strides);
    return memref::SubViewOp::create(b, loc, ty, src, offs, szs, strides);
  }

  static Value view2d(OpBuilder &b, Location loc, Value src, ArrayRef<Value> offsets,
                      ArrayRef<Value> sizes) {
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    return memref::SubViewOp::create(b, loc, src, getAsOpFoldResult(offsets),
                                     getAsOpFoldResult(sizes), strides);
  }

  static Value view1d(OpBuilder &b, Location loc, Value src, Value size) {
    return memref::SubViewOp::create(b, loc, src, ArrayRef<OpFoldResult>{b.getIndexAttr(0)},
                                     ArrayRef<OpFoldResult>{size},
                                     ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  }

  /// The index along a broadcastable dim of `operand`: 0 where the dim is
  /// (statically or at run time) 1, else `iv`.
  static Value bcastIndex(OpBuilder &b, Location loc, Value operand, int64_t d, Value iv) {
    int64_t s = cast<MemRefType>(operand.getType()).getDimSize(d);
    if (s == 1)
      return cst(b, loc, 0);
    if (!ShapedType::isDynamic(s))
      return iv;
    Value isOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        dim(b, loc, operand, d), cst(b, loc, 1));
    return arith::SelectOp::create(b, loc, isOne, cst(b, loc, 0), iv);
  }

  static Value widen(OpBuilder &b, Location loc, Value v) {
    if (v.getType().isF32())
      return v;
    return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  }
  static Value cst(OpBuilder &b, Location loc, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  static Value flt(OpBuilder &b, Location loc, double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(static_cast<float>(v)));
  }
  static Value dim(OpBuilder &b, Location loc, Value m, int64_t d) {
    return memref::DimOp::create(b, loc, m, d);
  }

  /// The vector length of the softmax rows (two AVX2 registers).
  static constexpr int64_t kLanes = 16;
  AttentionOp op;
  int64_t qb, kb;
};

struct FlashAttentionPass
    : public hybrid::impl::HybridFlashAttentionPassBase<FlashAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    if (queryBlock < 1 || keyBlock < 1 || minQueryRows < 0) {
      getOperation()->emitError()
          << "hybrid-flash-attention: need query-block >= 1, key-block >= 1 and "
             "min-query-rows >= 0, got query-block="
          << queryBlock.getValue() << " key-block=" << keyBlock.getValue()
          << " min-query-rows=" << minQueryRows.getValue();
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    auto opts = remark::RemarkOpts::name("attention").category("hybrid-flash-attention");
    for (AttentionOp op : collectHybridOps<AttentionOp>(getOperation(), /*onTensors=*/false)) {
      if (!eligible(op)) {
        remark::missed(op.getLoc(), opts)
            << "scalar loops: the flash form needs f32/f16/bf16 operands, static head counts "
               "and head sizes";
        continue;
      }
      int64_t sq = cast<MemRefType>(op.getQ().getType()).getDimSize(2);
      if (!ShapedType::isDynamic(sq) && sq < minQueryRows) {
        remark::analysis(op.getLoc(), opts)
            << "plain loops: " + std::to_string(sq) + " query rows, below min-query-rows = " +
                   std::to_string(minQueryRows) + " (a decode step: one pass over the keys)";
        continue;
      }
      Generator gen(op, queryBlock, keyBlock);
      Location loc = op.getLoc();
      rewriter.setInsertionPoint(op);
      remark::passed(loc, opts)
          << "flash attention: blocks of " + std::to_string(queryBlock) + " queries x " +
                 std::to_string(keyBlock) +
                 " keys with an online softmax, no score matrix in memory" +
                 (op.getCausal() ? ", key blocks past the diagonal skipped" : "") +
                 (ShapedType::isDynamic(sq) && minQueryRows > 0
                      ? "; plain loops when the query has fewer than " +
                            std::to_string(minQueryRows) + " rows at run time"
                      : "");
      if (!ShapedType::isDynamic(sq) || minQueryRows == 0) {
        gen.emit(rewriter);
        rewriter.eraseOp(op);
        continue;
      }
      // Sq known at run time only: the flash form for long queries, the
      // scalar loops (this op, left for hybrid-lower-to-loops) for short ones.
      Value rows = memref::DimOp::create(rewriter, loc, op.getQ(), 2);
      Value longQuery = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::uge, rows,
          arith::ConstantIndexOp::create(rewriter, loc, minQueryRows));
      auto ifOp = scf::IfOp::create(rewriter, loc, longQuery, /*withElseRegion=*/true);
      rewriter.setInsertionPointToStart(ifOp.thenBlock());
      gen.emit(rewriter);
      rewriter.moveOpBefore(op, ifOp.elseBlock()->getTerminator());
    }
  }
};

} // namespace
