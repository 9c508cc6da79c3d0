//===- FreeEarly.cpp - hybrid-free-early ------------------------------------===//
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/BufferViewFlowAnalysis.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDFREEEARLYPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
struct HybridFreeEarlyPass
    : public hybrid::impl::HybridFreeEarlyPassBase<HybridFreeEarlyPass> {
  void runOnOperation() override {
    SmallVector<memref::DeallocOp> deallocs;
    getOperation()->walk([&](memref::DeallocOp op) {
      auto alloc = op.getMemref().getDefiningOp<memref::AllocOp>();
      if (alloc && alloc->getBlock() == op->getBlock())
        deallocs.push_back(op);
    });
    if (deallocs.empty())
      return;
    BufferViewFlowAnalysis aliases(getOperation());
    for (memref::DeallocOp dealloc : deallocs) {
      Block *block = dealloc->getBlock();
      Value buffer = dealloc.getMemref();
      // The last op of the block that touches the buffer through any alias.
      Operation *last = buffer.getDefiningOp();
      bool escapes = false;
      for (Value alias : aliases.resolve(buffer)) {
        for (Operation *user : alias.getUsers()) {
          if (user == dealloc.getOperation())
            continue;
          Operation *ancestor = block->findAncestorOpInBlock(*user);
          if (!ancestor || ancestor->hasTrait<OpTrait::IsTerminator>() ||
              isa<memref::DeallocOp>(ancestor)) {
            // Used in another block, returned or yielded, or freed by another
            // dealloc: leave this one where ownership put it.
            escapes = true;
            break;
          }
          if (last->isBeforeInBlock(ancestor))
            last = ancestor;
        }
        if (escapes)
          break;
      }
      if (escapes || !last->isBeforeInBlock(dealloc))
        continue;
      dealloc->moveAfter(last);
    }
  }
};
} // namespace
