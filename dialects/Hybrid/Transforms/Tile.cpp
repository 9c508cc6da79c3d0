//===- Tile.cpp - hybrid-tile ---------------------------------------------===//
#include "dialects/Hybrid/IR/HybridOps.h"
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDTILEPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
struct HybridTilePass : public hybrid::impl::HybridTilePassBase<HybridTilePass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<TilingInterface> ops =
        hybrid::collectHybridOps<TilingInterface>(getOperation(), /*onTensors=*/true);
    IRRewriter rewriter(&getContext());
    for (TilingInterface op : ops) {
      // An op with an empty operand has nothing to tile (and upstream slicing
      // rejects offsets into dimensions of size 0).
      if (llvm::any_of(op->getOperandTypes(), [](Type t) {
            return llvm::is_contained(cast<ShapedType>(t).getShape(), 0);
          }))
        continue;
      size_t numLoops = op.getLoopIteratorTypes().size();
      SmallVector<OpFoldResult> sizes;
      for (size_t i = 0; i < numLoops; ++i)
        sizes.push_back(rewriter.getIndexAttr(
            i < tileSizes.size() ? static_cast<int64_t>(tileSizes[i]) : 0));
      if (llvm::all_of(sizes, [](OpFoldResult s) {
            return isConstantIntValue(s, 0);
          }))
        continue;
      scf::SCFTilingOptions options;
      options.setTileSizes(sizes);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, op, options);
      // The op's tiling implementation has said why it cannot take the tile.
      if (failed(tiled))
        return signalPassFailure();
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};
} // namespace
