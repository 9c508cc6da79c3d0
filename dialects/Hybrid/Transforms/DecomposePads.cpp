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
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

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
  }
};
} // namespace
