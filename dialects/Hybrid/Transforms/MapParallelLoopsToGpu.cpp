//===- MapParallelLoopsToGpu.cpp - loops to GPU kernels --------------------===//
//
// Gets the outermost scf.parallel loops of a function ready for upstream's
// convert-parallel-loops-to-gpu: one collapsed dim, tiled into blocks of
// `block-size` threads with a guard, mapped to block_x / thread_x, deeper
// parallel loops sequential, and the constant buffers the body reads re-read
// inside it (so that kernel outlining moves those globals to the device).
// hybrid-merge-gpu-modules then gathers the outlined kernels into one module.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDMAPPARALLELLOOPSTOGPUPASS
#define GEN_PASS_DEF_HYBRIDMERGEGPUMODULESPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
/// Re-reads inside `loop` every memref.get_global from outside that its body
/// uses. Kernel outlining sinks only a few side-effect-free ops (constants,
/// dims) into the kernel and passes every other captured value as an
/// argument; a global's address passed that way is a host address the device
/// cannot read, whereas a get_global inside the kernel makes the outliner
/// copy the global into the GPU module.
void rereadGlobalsInside(RewriterBase &rewriter, scf::ParallelOp loop) {
  llvm::SmallDenseMap<Operation *, Value> copies;
  loop.getBody()->walk([&](Operation *op) {
    for (OpOperand &use : op->getOpOperands()) {
      auto global = use.get().getDefiningOp<memref::GetGlobalOp>();
      if (!global || loop->isAncestor(global))
        continue;
      Value &copy = copies[global];
      if (!copy) {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointToStart(loop.getBody());
        copy = rewriter.clone(*global)->getResult(0);
      }
      rewriter.modifyOpInPlace(op, [&] { use.set(copy); });
    }
  });
}

/// Rewrites `loop` (no reductions) as a nest of scf.for loops. Upstream's
/// conversion maps nested parallel loops only where they are perfectly nested
/// in the thread loop, and the guard puts every body inside an scf.if.
void toSequentialLoops(RewriterBase &rewriter, scf::ParallelOp loop) {
  rewriter.setInsertionPoint(loop);
  SmallVector<Value> ivs;
  scf::LoopNest nest =
      scf::buildLoopNest(rewriter, loop.getLoc(), loop.getLowerBound(), loop.getUpperBound(),
                         loop.getStep(), [&](OpBuilder &, Location, ValueRange inner) {
                           ivs.assign(inner.begin(), inner.end());
                         });
  Block *innermost = nest.loops.back().getBody();
  Operation *reduce = loop.getBody()->getTerminator();
  rewriter.inlineBlockBefore(loop.getBody(), innermost->getTerminator(), ivs);
  rewriter.eraseOp(reduce);
  rewriter.eraseOp(loop);
}

gpu::ParallelLoopDimMappingAttr mapTo(MLIRContext *ctx, gpu::Processor processor) {
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, ctx);
  return gpu::ParallelLoopDimMappingAttr::get(ctx, processor, identity, identity);
}

struct MapParallelLoopsToGpu
    : hybrid::impl::HybridMapParallelLoopsToGpuPassBase<MapParallelLoopsToGpu> {
  using Base::Base;

  void runOnOperation() override {
    if (blockSize < 1 || blockSize > 1024) {
      getOperation()->emitError() << "hybrid-map-parallel-loops-to-gpu: block-size "
                                  << static_cast<int64_t>(blockSize) << " is not in [1, 1024]";
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    // The outermost loops first (pre-order), skipping what is already on the
    // device or nested in a loop taken earlier.
    SmallVector<scf::ParallelOp> outermost;
    getOperation()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp, gpu::GPUModuleOp>(op))
        return WalkResult::skip();
      auto loop = dyn_cast<scf::ParallelOp>(op);
      if (!loop)
        return WalkResult::advance();
      // A loop with reductions stays on the host (upstream's conversion has
      // no reductions); its inner parallel loops stay there with it.
      if (loop.getNumReductions() == 0)
        outermost.push_back(loop);
      return WalkResult::skip();
    });

    IRRewriter rewriter(ctx);
    for (scf::ParallelOp loop : outermost) {
      rereadGlobalsInside(rewriter, loop);
      // 1. One dim. collapseParallelLoops builds the new loop just before the
      //    old one and erases the old one.
      if (loop.getNumLoops() > 1) {
        Operation *next = loop->getNextNode();
        std::vector<unsigned> all(loop.getNumLoops());
        for (unsigned d = 0; d < all.size(); ++d)
          all[d] = d;
        collapseParallelLoops(rewriter, loop, {all});
        loop = cast<scf::ParallelOp>(next->getPrevNode());
      }
      // 2. Blocks of `blockSize` threads; the thread loop has a constant
      //    trip count and a guard (what the conversion needs for a launch
      //    size it can compute on the host).
      auto [blocks, threads] = scf::tileParallelLoop(loop, {blockSize},
                                                     /*noMinMaxBounds=*/true);
      // 3. The mapping; deeper parallel loops run in each thread, as scf.for
      //    nests (those with reductions stay scf.parallel, mapped sequential).
      (void)gpu::setMappingAttr(blocks, {mapTo(ctx, gpu::Processor::BlockX)});
      (void)gpu::setMappingAttr(threads, {mapTo(ctx, gpu::Processor::ThreadX)});
      SmallVector<scf::ParallelOp> inner;
      threads.getBody()->walk([&](scf::ParallelOp p) { inner.push_back(p); });
      // Post-order: innermost first, so each rewrite sees loops it contains
      // already rewritten.
      for (scf::ParallelOp p : inner) {
        if (p.getNumReductions() == 0) {
          toSequentialLoops(rewriter, p);
          continue;
        }
        SmallVector<gpu::ParallelLoopDimMappingAttr> seq(p.getNumLoops(),
                                                         mapTo(ctx, gpu::Processor::Sequential));
        (void)gpu::setMappingAttr(p, seq);
      }
    }
  }
};

struct MergeGpuModules : hybrid::impl::HybridMergeGpuModulesPassBase<MergeGpuModules> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.empty())
      return;
    gpu::GPUModuleOp into = modules.front();
    SymbolTable symbols(module);
    if (failed(symbols.rename(into, "hybrid_kernels"))) {
      into.emitError("cannot rename the GPU module to hybrid_kernels");
      return signalPassFailure();
    }
    SymbolTable kernels(into);
    Block *body = into.getBody();
    for (gpu::GPUModuleOp from : ArrayRef(modules).drop_front()) {
      // Outlining names the kernel of every module alike (`main_kernel`);
      // SymbolTable::insert gives a moved kernel a unique name, kept here
      // for the launches.
      llvm::DenseMap<StringAttr, StringAttr> renamed;
      for (Operation &op : llvm::make_early_inc_range(from.getBody()->getOperations())) {
        if (op.hasTrait<OpTrait::IsTerminator>())
          continue;
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        // A constant two kernels read is the same host global, which
        // outlining copied into both modules: one copy stays.
        if (isa<memref::GlobalOp>(op) && kernels.lookup(symbol.getNameAttr())) {
          op.erase();
          continue;
        }
        StringAttr name = symbol ? symbol.getNameAttr() : StringAttr();
        op.moveBefore(body, body->end());
        if (symbol)
          renamed[name] = kernels.insert(&op);
      }
      StringAttr old = from.getNameAttr();
      module.walk([&](gpu::LaunchFuncOp launch) {
        if (launch.getKernelModuleName() != old)
          return;
        StringAttr kernel = launch.getKernelName();
        if (StringAttr now = renamed.lookup(kernel))
          kernel = now;
        launch.setKernelAttr(
            SymbolRefAttr::get(into.getNameAttr(), {FlatSymbolRefAttr::get(kernel)}));
      });
      from.erase();
    }
  }
};
} // namespace
