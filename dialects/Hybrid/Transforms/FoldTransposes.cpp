//===- FoldTransposes.cpp - hybrid-fold-transposes ------------------------===//
//
// An exported attention block moves its heads around with Transposes:
// [B, S, H, D] -> [B, H, S, D] for q, k and v (and back for the output).
// Bufferized, each is a copy into a fresh buffer that the next op (a
// hybrid.rotary, a hybrid.attention, a MatMul) only reads. When such a copy
// keeps the innermost dim in place, its readers can read the source through a
// strided view (the source's metadata, permuted) instead: no copy, no buffer, and every row
// the readers load along the innermost dim is still contiguous.
//
// A linalg.transpose on buffers is folded when
//   - its permutation keeps the last dim;
//   - its output is a memref.alloc that nothing else writes, whose other uses
//     are all reads after it in the same block: DPS inputs of linalg or
//     hybrid ops, or memref.load;
//   - its source (through view ops, down to the allocation or argument) is
//     not written after the transpose by any op before the last reader, nor
//     inside another region or block (so every read still sees the values the
//     copy would have held).
// It runs on freshly bufferized code, before deallocations are placed, so the
// ownership-based deallocation frees the source after its new last reader.
//
// First, results of an scf.if take their branches' layout back. Bufferization
// gives an scf.if result the fully dynamic layout (both branches yield a
// memref.cast to it) even when both branches yield the same identity-layout
// buffer: an attention whose form (prefill or decode with a past) is chosen
// at run time. Read through such a layout, a row is not provably contiguous,
// so the transposition after it (or any other reader) ran element by
// element. The scf.if now yields the identity-layout buffers, and readers
// that are linalg ops fold the cast back to the dynamic layout away.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDFOLDTRANSPOSESPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
/// Whether `user` may write the buffer it reaches through `operand`.
bool mayWrite(Operation *user, OpOperand &operand) {
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(user))
    return dps.isDpsInit(&operand);
  if (auto effects = dyn_cast<MemoryEffectOpInterface>(user)) {
    SmallVector<MemoryEffects::EffectInstance> list;
    effects.getEffectsOnValue(operand.get(), list);
    return llvm::any_of(list, [](const MemoryEffects::EffectInstance &e) {
      return isa<MemoryEffects::Write, MemoryEffects::Free>(e.getEffect());
    });
  }
  return true; // a call, a return, an op with unknown effects
}

/// Whether no op writes `root` (or a view of it) between `begin` and `end` in
/// their block, nor anywhere outside that block.
bool notWrittenBetween(Value root, Operation *begin, Operation *end) {
  Block *block = begin->getBlock();
  SmallVector<Value> worklist = {root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == v) {
        for (Value r : user->getResults())
          worklist.push_back(r);
        continue;
      }
      if (!mayWrite(user, use))
        continue;
      Operation *at = block->findAncestorOpInBlock(*user);
      if (!at)
        return false;
      if (at == begin || (begin->isBeforeInBlock(at) && !end->isBeforeInBlock(at)))
        return false;
    }
  }
  return true;
}

struct FoldTransposesPass
    : public hybrid::impl::HybridFoldTransposesPassBase<FoldTransposesPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<scf::IfOp> ifs;
    getOperation()->walk([&](scf::IfOp op) { ifs.push_back(op); });
    for (scf::IfOp op : ifs)
      narrowResults(op);
    SmallVector<linalg::TransposeOp> transposes;
    getOperation()->walk([&](linalg::TransposeOp op) { transposes.push_back(op); });
    for (linalg::TransposeOp op : transposes)
      tryFold(op);
  }

  /// The scf.if's memref results that both branches yield as a memref.cast
  /// of the same identity-layout type take that type (see the file comment);
  /// a cast after the scf.if gives the old type to readers that are not
  /// linalg ops.
  static void narrowResults(scf::IfOp op) {
    if (op.getNumResults() == 0 || op.getElseRegion().empty())
      return;
    scf::YieldOp yields[2] = {op.thenYield(), op.elseYield()};
    SmallVector<Type> types(op.getResultTypes());
    SmallVector<unsigned> narrowed;
    for (unsigned i = 0; i < op.getNumResults(); ++i) {
      auto thenCast = yields[0].getOperand(i).getDefiningOp<memref::CastOp>();
      auto elseCast = yields[1].getOperand(i).getDefiningOp<memref::CastOp>();
      if (!thenCast || !elseCast || thenCast.getSource().getType() != elseCast.getSource().getType())
        continue;
      auto source = cast<MemRefType>(thenCast.getSource().getType());
      if (!source.getLayout().isIdentity())
        continue;
      types[i] = source;
      narrowed.push_back(i);
    }
    if (narrowed.empty())
      return;
    OpBuilder b(op);
    auto newIf = scf::IfOp::create(b, op.getLoc(), types, op.getCondition(),
                                   /*addThenBlock=*/false, /*addElseBlock=*/false);
    newIf.getThenRegion().takeBody(op.getThenRegion());
    newIf.getElseRegion().takeBody(op.getElseRegion());
    b.setInsertionPointAfter(newIf);
    SmallVector<Operation *> readers;
    for (unsigned i : narrowed) {
      for (scf::YieldOp y : yields) {
        auto c = y.getOperand(i).getDefiningOp<memref::CastOp>();
        y->setOperand(i, c.getSource());
        if (c->use_empty())
          c->erase();
      }
      Value back = memref::CastOp::create(b, op.getLoc(), op.getResult(i).getType(), newIf.getResult(i));
      for (Operation *user : op.getResult(i).getUsers())
        if (isa<linalg::LinalgOp>(user))
          readers.push_back(user);
      op.getResult(i).replaceAllUsesWith(back);
    }
    for (unsigned i = 0; i < op.getNumResults(); ++i)
      if (!llvm::is_contained(narrowed, i))
        op.getResult(i).replaceAllUsesWith(newIf.getResult(i));
    op->erase();
    for (Operation *reader : readers)
      (void)memref::foldMemRefCast(reader);
  }

  void tryFold(linalg::TransposeOp op) {
    if (!op.hasPureBufferSemantics())
      return;
    ArrayRef<int64_t> perm = op.getPermutation();
    if (perm.empty() || perm.back() != static_cast<int64_t>(perm.size()) - 1)
      return;
    Value src = op.getInput(), dst = op.getInit();
    auto alloc = dst.getDefiningOp<memref::AllocOp>();
    if (!alloc)
      return;
    Block *block = op->getBlock();
    Operation *last = op;
    SmallVector<OpOperand *> reads;
    for (OpOperand &use : dst.getUses()) {
      Operation *user = use.getOwner();
      if (user == op)
        continue;
      bool read = isa<memref::LoadOp>(user);
      if (auto dps = dyn_cast<DestinationStyleOpInterface>(user))
        read = dps.isDpsInput(&use) &&
               (isa<linalg::LinalgOp>(user) ||
                user->getDialect()->getNamespace() == "hybrid");
      if (!read || user->getBlock() != block || !op->isBeforeInBlock(user))
        return;
      reads.push_back(&use);
      if (last->isBeforeInBlock(user))
        last = user;
    }
    // The buffer the source views, and no write to it while it is read.
    Value root = src;
    while (auto view = root.getDefiningOp<ViewLikeOpInterface>())
      root = view.getViewSource();
    if (!notWrittenBetween(root, op, last))
      return;

    // The view: the source's own base, offset, sizes and strides, the sizes
    // and strides permuted. (Not memref.transpose: it is no
    // ViewLikeOpInterface, so the deallocation passes would not see that it
    // aliases the source; these two ops are.)
    auto srcTy = cast<MemRefType>(src.getType());
    auto [srcStrides, srcOffset] = srcTy.getStridesAndOffset();
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, src);
    auto fold = [&](int64_t s, Value v) -> OpFoldResult {
      return ShapedType::isDynamic(s) ? OpFoldResult(v) : OpFoldResult(b.getIndexAttr(s));
    };
    SmallVector<OpFoldResult> sizes, strides;
    SmallVector<int64_t> shape, staticStrides;
    for (int64_t d : perm) {
      sizes.push_back(fold(srcTy.getDimSize(d), meta.getSizes()[d]));
      strides.push_back(fold(srcStrides[d], meta.getStrides()[d]));
      shape.push_back(srcTy.getDimSize(d));
      staticStrides.push_back(srcStrides[d]);
    }
    auto viewTy = MemRefType::get(
        shape, srcTy.getElementType(),
        StridedLayoutAttr::get(op.getContext(), srcOffset, staticStrides), srcTy.getMemorySpace());
    Value strided = memref::ReinterpretCastOp::create(
        b, loc, viewTy, meta.getBaseBuffer(), fold(srcOffset, meta.getOffset()), sizes, strides);
    for (OpOperand *use : reads)
      use->set(strided);
    op->erase();
    alloc->erase();
  }
};
} // namespace
