//===- DecomposePads.cpp - hybrid-decompose-pads ---------------------------===//
//
// Bufferization turns a tensor.pad into an allocation, a linalg.map that
// computes the padding value at every element (the pad's body, with its
// indices) and a copy of the source into the interior: on a 7x7 depthwise
// convolution's input the map cost more than the copy. A pad whose body
// yields a value defined outside it (a constant, the common case) is the
// same as a linalg.fill of that value and a tensor.insert_slice of the
// source, which bufferize to a vectorised fill and a strided copy: upstream's
// DecomposePadOpPattern, applied here before bufferization (a body that reads
// the indices becomes a tensor.generate, as costly as before, and the copy).
//
// Then the copy goes too where it can: when the source is the result of a
// linalg op that writes it into a tensor.empty and nothing else reads it but
// tensor.dim (a depthwise convolution's input computed by the GELU before
// it), that op writes into the padded tensor's interior instead: a
// tensor.extract_slice of the fill, which bufferizes to a view of the padded
// buffer, as upstream's eliminate-empty-tensors does once the fill comes
// first. The fill, its sizes and the slice's offsets are moved before the op
// (all or nothing); a tensor.dim of the op's result becomes its empty
// tensor's size.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDDECOMPOSEPADSPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
struct HybridDecomposePadsPass
    : public hybrid::impl::HybridDecomposePadsPassBase<HybridDecomposePadsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateDecomposePadPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    SmallVector<tensor::InsertSliceOp> inserts;
    getOperation()->walk([&](tensor::InsertSliceOp op) { inserts.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (tensor::InsertSliceOp op : inserts)
      writeInPlace(rewriter, op);
  }

  /// Makes the producer of `insert`'s source write into the padded tensor
  /// (see the file comment), when it is safe.
  static void writeInPlace(IRRewriter &rewriter, tensor::InsertSliceOp insert) {
    auto fill = insert.getDest().getDefiningOp<linalg::FillOp>();
    if (!fill || !fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>() ||
        !fill->getResult(0).hasOneUse())
      return;
    auto result = dyn_cast<OpResult>(insert.getSource());
    auto producer = result ? dyn_cast<linalg::LinalgOp>(result.getOwner()) : linalg::LinalgOp();
    if (!producer || !producer.hasPureTensorSemantics() ||
        producer->getBlock() != insert->getBlock())
      return;
    OpOperand *init = producer.getDpsInitOperand(result.getResultNumber());
    auto empty = init->get().getDefiningOp<tensor::EmptyOp>();
    // An op that reads its output (a reduction) would read the padding.
    if (!empty || !empty->hasOneUse() || producer.payloadUsesValueFromOperand(init))
      return;
    // Besides the insertion, only dims of the result, which are its empty
    // tensor's sizes.
    SmallVector<tensor::DimOp> dims;
    for (OpOperand &use : result.getUses()) {
      if (use.getOwner() == insert.getOperation() && use.getOperandNumber() == 0)
        continue;
      auto dim = dyn_cast<tensor::DimOp>(use.getOwner());
      std::optional<int64_t> index = dim ? dim.getConstantIndex() : std::nullopt;
      if (!index || *index < 0 || *index >= empty.getType().getRank())
        return;
      dims.push_back(dim);
    }
    for (tensor::DimOp dim : dims) {
      rewriter.setInsertionPoint(dim);
      OpFoldResult size = empty.getMixedSizes()[*dim.getConstantIndex()];
      rewriter.replaceOp(dim, getValueOrCreateConstantIndexOp(rewriter, dim.getLoc(), size));
    }
    // The padded tensor and the slice's offsets and sizes, before the op.
    DominanceInfo dominance(producer->getParentOp());
    SmallVector<Value> needed = {insert.getDest()};
    llvm::append_range(needed, insert.getOffsets());
    llvm::append_range(needed, insert.getSizes());
    llvm::append_range(needed, insert.getStrides());
    if (failed(moveValueDefinitions(rewriter, needed, producer, dominance)))
      return;
    rewriter.setInsertionPoint(producer);
    Value slice = tensor::ExtractSliceOp::create(
        rewriter, insert.getLoc(), cast<RankedTensorType>(result.getType()), insert.getDest(),
        insert.getMixedOffsets(), insert.getMixedSizes(), insert.getMixedStrides());
    rewriter.modifyOpInPlace(producer, [&] { init->set(slice); });
    rewriter.eraseOp(empty);
  }
};
} // namespace
