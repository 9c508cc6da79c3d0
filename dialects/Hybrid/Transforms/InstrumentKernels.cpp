//===- InstrumentKernels.cpp - hybrid-instrument-kernels ------------------===//
//
// Brackets every kernel (a top-level op of a function that becomes a loop
// nest) with calls to __hybrid_kernel_begin/_end and records the kernels'
// names in the module, for the runtime's profiler.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/IR/HybridDialect.h"
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"
#include "hybrid/NodeName.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDINSTRUMENTKERNELSPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
using hybrid::kKernelBegin;
using hybrid::kKernelEnd;

bool isKernel(Operation *op) {
  return isa<linalg::LinalgOp, memref::CopyOp, scf::ForOp, scf::WhileOp, scf::ParallelOp,
             scf::ForallOp, scf::IfOp, scf::IndexSwitchOp>(op) ||
         isa<hybrid::HybridDialect>(op->getDialect());
}

struct InstrumentKernelsPass
    : public hybrid::impl::HybridInstrumentKernelsPassBase<InstrumentKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    auto hookType = b.getFunctionType({b.getI32Type()}, {});
    for (StringRef name : {kKernelBegin, kKernelEnd}) {
      if (auto existing = module.lookupSymbol<func::FuncOp>(name)) {
        if (existing.getFunctionType() != hookType || !existing.isDeclaration()) {
          existing.emitOpError() << "'" << name << "' is reserved for the profiler's hooks";
          return signalPassFailure();
        }
        continue;
      }
      b.setInsertionPointToEnd(module.getBody());
      func::FuncOp::create(b, module.getLoc(), name, hookType).setPrivate();
    }

    SmallVector<Attribute> names;
    if (auto existing = module->getAttrOfType<ArrayAttr>(hybrid::kKernelNamesAttr))
      names.append(existing.begin(), existing.end());
    for (auto f : module.getOps<func::FuncOp>()) {
      if (f.isDeclaration())
        continue;
      for (Block &block : f.getBody())
        for (Operation &op : llvm::make_early_inc_range(block)) {
          if (!isKernel(&op))
            continue;
          std::string node = hybrid::onnxNodeOf(op.getLoc());
          std::string name = op.getName().getStringRef().str();
          // A run-time choice between forms of one op (an scf.if the ONNX
          // converter wrote around two hybrid.attention) is named after it.
          if (isa<scf::IfOp>(op))
            op.walk([&](Operation *inner) {
              if (!isa<hybrid::HybridDialect>(inner->getDialect()))
                return WalkResult::advance();
              name = inner->getName().getStringRef().str();
              return WalkResult::interrupt();
            });
          if (!node.empty())
            name += " " + node;
          Location loc = op.getLoc();
          b.setInsertionPoint(&op);
          Value id = arith::ConstantIntOp::create(b, loc, names.size(), 32);
          names.push_back(b.getStringAttr(name));
          func::CallOp::create(b, loc, kKernelBegin, TypeRange(), id);
          b.setInsertionPointAfter(&op);
          func::CallOp::create(b, loc, kKernelEnd, TypeRange(), id);
        }
    }
    module->setAttr(hybrid::kKernelNamesAttr, b.getArrayAttr(names));
  }
};
} // namespace
