//===- OutlineParallelLoops.cpp - hybrid-outline-parallel-loops -----------===//
//
// Turns the outermost scf.parallel loops into tasks for the runtime's thread
// pool: the body becomes an LLVM function over a range of linearised
// iterations, the values it uses from above travel in a struct, and the loop
// becomes a call to __hybrid_parallel_for (defined by the CPU target).
//
// The outlined function is an llvm.func from the start (so that its address
// can be taken with llvm.mlir.addressof) whose body still holds memref, scf and
// arith ops; the later conversions to the LLVM dialect rewrite them in place.
// Captured values cross as their LLVM types through unrealized casts, which
// those conversions resolve (a memref is its descriptor struct).
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDOUTLINEPARALLELLOOPSPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
constexpr llvm::StringLiteral kParallelFor = "__hybrid_parallel_for";
/// The trip count assumed for a loop whose bounds are not constants.
constexpr int64_t kUnknownTripCount = 32;
/// A last dim with a static trip count below this is linearised with the
/// others rather than run whole inside each task iteration...
constexpr int64_t kMinRow = 16;
/// ...unless the body is this cheap (a fill, a copy, an elementwise op) and
/// the row at least kMinCheapRow long: rows of 8 or 14 elements then run as
/// inner loops LLVM vectorises instead of one division-heavy iteration per
/// element. A heavy body (a scan's whole time loop) keeps short rows
/// distributed, so its few iterations still spread over the threads.
constexpr int64_t kCheapBody = 64;
constexpr int64_t kMinCheapRow = 4;

std::optional<int64_t> constantTripCount(Value lb, Value ub, Value step) {
  std::optional<int64_t> l = getConstantIntValue(lb), u = getConstantIntValue(ub),
                         s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return *u <= *l ? 0 : (*u - *l + *s - 1) / *s;
}

int64_t saturatingMul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

/// Estimated operations of one execution of `block`: an op counts 1, a loop its
/// trip count (kUnknownTripCount when not constant) times its body.
int64_t blockCost(Block &block) {
  int64_t cost = 0;
  for (Operation &op : block) {
    int64_t own = 1;
    if (auto f = dyn_cast<scf::ForOp>(op)) {
      int64_t trips =
          constantTripCount(f.getLowerBound(), f.getUpperBound(), f.getStep())
              .value_or(kUnknownTripCount);
      own = saturatingMul(trips, blockCost(*f.getBody()));
    } else if (auto p = dyn_cast<scf::ParallelOp>(op)) {
      int64_t trips = 1;
      for (auto [l, u, s] : llvm::zip(p.getLowerBound(), p.getUpperBound(), p.getStep()))
        trips = saturatingMul(trips, constantTripCount(l, u, s).value_or(kUnknownTripCount));
      own = saturatingMul(trips, blockCost(*p.getBody()));
    } else {
      for (Region &r : op.getRegions())
        for (Block &b : r)
          own = std::max(own, saturatingMul(isa<scf::WhileOp>(op) ? kUnknownTripCount : 1,
                                            blockCost(b)));
    }
    cost = cost > INT64_MAX - own ? INT64_MAX : cost + own;
  }
  return cost;
}

struct OutlineParallelLoopsPass
    : public hybrid::impl::HybridOutlineParallelLoopsPassBase<OutlineParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ParallelOp> loops;
    module.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (auto p = dyn_cast<scf::ParallelOp>(op)) {
        // Loops with reductions stay serial; nested loops run inside the task.
        if (p.getNumResults() == 0 && p->getParentOfType<func::FuncOp>())
          loops.push_back(p);
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    if (loops.empty())
      return;

    OpBuilder b(module.getContext());
    auto ptrTy = LLVM::LLVMPointerType::get(&getContext());
    auto i64 = b.getI64Type();
    auto voidTy = LLVM::LLVMVoidType::get(&getContext());
    LLVM::LLVMFuncOp parallelFor = module.lookupSymbol<LLVM::LLVMFuncOp>(kParallelFor);
    if (!parallelFor) {
      b.setInsertionPointToEnd(module.getBody());
      parallelFor = LLVM::LLVMFuncOp::create(
          b, module.getLoc(), kParallelFor,
          LLVM::LLVMFunctionType::get(voidTy, {ptrTy, ptrTy, i64, i64}));
    }
    LLVMTypeConverter converter(&getContext());
    unsigned counter = 0;
    for (scf::ParallelOp loop : loops)
      if (failed(outline(loop, parallelFor, converter, counter)))
        return signalPassFailure();
  }

  LogicalResult outline(scf::ParallelOp loop, LLVM::LLVMFuncOp parallelFor,
                        const LLVMTypeConverter &converter, unsigned &counter) {
    MLIRContext *ctx = &getContext();
    Location loc = loop.getLoc();
    unsigned rank = loop.getNumLoops();
    SmallVector<std::optional<int64_t>> staticTrip;
    for (auto [l, u, s] : llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()))
      staticTrip.push_back(constantTripCount(l, u, s));
    // The task's iterations are the linearised outer dims; the last dim runs
    // whole inside each (a row: no division per element, and the innermost
    // loop LLVM vectorises), unless it is too short to be worth it.
    unsigned distributed = rank;
    int64_t bodyCost = std::max<int64_t>(1, blockCost(*loop.getBody()));
    std::optional<int64_t> row = staticTrip.back();
    if (rank > 1 && (!row || *row >= kMinRow || (*row >= kMinCheapRow && bodyCost <= kCheapBody)))
      distributed = rank - 1;
    int64_t cost = bodyCost;
    for (unsigned d = distributed; d < rank; ++d)
      cost = saturatingMul(cost, staticTrip[d].value_or(kUnknownTripCount));
    std::optional<int64_t> staticTotal = 1;
    for (std::optional<int64_t> t : staticTrip)
      staticTotal = t && staticTotal ? std::optional(saturatingMul(*staticTotal, *t))
                                     : std::nullopt;
    if (staticTotal && (*staticTotal <= 1 || saturatingMul(*staticTotal, bodyCost) < minWork))
      return success(); // not worth a task: stays a loop

    // The values the body uses from above, then the loop's bounds. Every one
    // needs an LLVM type; a loop over anything else stays serial.
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(loop.getRegion(), used);
    // Constants are cloned into the task rather than carried.
    SmallVector<Value> captures, constants;
    for (Value v : used) {
      Operation *def = v.getDefiningOp();
      (def && def->hasTrait<OpTrait::ConstantLike>() && def->getNumOperands() == 0
           ? constants
           : captures)
          .push_back(v);
    }
    Type i64 = IntegerType::get(ctx, 64);
    SmallVector<Type> fieldTypes;
    for (Value v : captures) {
      Type t = converter.convertType(v.getType());
      if (!t || !LLVM::isCompatibleType(t))
        return success();
      fieldTypes.push_back(t);
    }

    // In the caller: trip counts, the linearised count, the struct.
    OpBuilder b(loop);
    auto func = loop->getParentOfType<func::FuncOp>();
    Type indexTy = b.getIndexType();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    SmallVector<Value> trips;
    Value total = arith::ConstantIndexOp::create(b, loc, 1);
    for (auto [d, l, u, s] : llvm::enumerate(loop.getLowerBound(), loop.getUpperBound(),
                                             loop.getStep())) {
      Value t;
      if (staticTrip[d]) {
        t = arith::ConstantIndexOp::create(b, loc, *staticTrip[d]);
      } else {
        t = arith::CeilDivSIOp::create(b, loc, arith::SubIOp::create(b, loc, u, l), s);
        t = arith::MaxSIOp::create(b, loc, t, zero);
      }
      trips.push_back(t);
      if (d < distributed)
        total = arith::MulIOp::create(b, loc, total, t);
    }
    // Fields: captures, then every dim's lower bound, upper bound, step and
    // trip count (as i64) where they are not constants (a constant is
    // rematerialised in the task, so LLVM sees static trip counts there).
    SmallVector<Value> fields(captures.begin(), captures.end());
    SmallVector<Value> dimValues;
    for (Value v : llvm::concat<Value>(loop.getLowerBound(), loop.getUpperBound(),
                                       loop.getStep(), trips)) {
      dimValues.push_back(v);
      if (getConstantIntValue(v))
        continue;
      fields.push_back(v);
      fieldTypes.push_back(i64);
    }
    auto structTy = LLVM::LLVMStructType::getLiteral(ctx, fieldTypes);
    auto ptrTy = LLVM::LLVMPointerType::get(ctx);
    Value ctxPtr;
    {
      // One slot per loop in the function's entry block (a loop inside another
      // loop must not grow the stack).
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&func.getBody().front());
      Value one = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(1));
      ctxPtr = LLVM::AllocaOp::create(b, loc, ptrTy, structTy, one);
    }
    auto toLLVM = [&](Value v, Type llvmTy) -> Value {
      if (v.getType() == llvmTy)
        return v;
      if (v.getType().isIndex())
        return arith::IndexCastOp::create(b, loc, llvmTy, v);
      return UnrealizedConversionCastOp::create(b, loc, llvmTy, v).getResult(0);
    };
    for (auto [k, v] : llvm::enumerate(fields)) {
      Value slot = LLVM::GEPOp::create(b, loc, ptrTy, structTy, ctxPtr,
                                       ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(k)});
      LLVM::StoreOp::create(b, loc, toLLVM(v, fieldTypes[k]), slot);
    }

    // The task: void (ptr ctx, i64 begin, i64 end).
    std::string name;
    do {
      name = "__hybrid_parallel_" + std::to_string(counter++);
    } while (SymbolTable::lookupNearestSymbolFrom(loop, b.getStringAttr(name)));
    OpBuilder mb(ctx);
    mb.setInsertionPoint(func);
    auto task = LLVM::LLVMFuncOp::create(
        mb, loc, name,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptrTy, i64, i64}),
        LLVM::Linkage::Internal);
    Block *entry = task.addEntryBlock(mb);
    OpBuilder tb = OpBuilder::atBlockBegin(entry);
    SmallVector<Value> loaded;
    for (auto [k, v] : llvm::enumerate(fields)) {
      Value slot = LLVM::GEPOp::create(tb, loc, ptrTy, structTy, entry->getArgument(0),
                                       ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(k)});
      Value x = LLVM::LoadOp::create(tb, loc, fieldTypes[k], slot);
      if (v.getType().isIndex())
        x = arith::IndexCastOp::create(tb, loc, indexTy, x);
      else if (v.getType() != fieldTypes[k])
        x = UnrealizedConversionCastOp::create(tb, loc, v.getType(), x).getResult(0);
      loaded.push_back(x);
    }
    IRMapping map;
    for (auto [k, v] : llvm::enumerate(captures))
      map.map(v, loaded[k]);
    for (Value c : constants)
      tb.clone(*c.getDefiningOp(), map);
    SmallVector<Value> dimsIn;
    unsigned nextField = captures.size();
    for (Value v : dimValues) {
      if (std::optional<int64_t> c = getConstantIntValue(v))
        dimsIn.push_back(arith::ConstantIndexOp::create(tb, loc, *c));
      else
        dimsIn.push_back(loaded[nextField++]);
    }
    auto dimFields = [&](unsigned k) { return ArrayRef<Value>(dimsIn).slice(k * rank, rank); };
    ArrayRef<Value> lbs = dimFields(0), ubs = dimFields(1), steps = dimFields(2),
                    tripsIn = dimFields(3);
    Value begin = arith::IndexCastOp::create(tb, loc, indexTy, entry->getArgument(1));
    Value end = arith::IndexCastOp::create(tb, loc, indexTy, entry->getArgument(2));
    Value one = arith::ConstantIndexOp::create(tb, loc, 1);
    auto outer = scf::ForOp::create(tb, loc, begin, end, one);
    OpBuilder fb = OpBuilder::atBlockBegin(outer.getBody());
    // Linear iteration -> the distributed dims' ivs (row-major).
    SmallVector<Value> ivs(rank);
    Value rest = outer.getInductionVar();
    for (int d = static_cast<int>(distributed) - 1; d >= 0; --d) {
      Value pos = rest;
      if (d > 0) {
        pos = arith::RemUIOp::create(fb, loc, rest, tripsIn[d]);
        rest = arith::DivUIOp::create(fb, loc, rest, tripsIn[d]);
      }
      ivs[d] = arith::AddIOp::create(fb, loc, lbs[d], arith::MulIOp::create(fb, loc, pos, steps[d]));
    }
    // The other dims as plain loops inside.
    for (unsigned d = distributed; d < rank; ++d) {
      auto inner = scf::ForOp::create(fb, loc, lbs[d], ubs[d], steps[d]);
      ivs[d] = inner.getInductionVar();
      fb.setInsertionPointToStart(inner.getBody());
    }
    for (auto [iv, v] : llvm::zip(loop.getInductionVars(), ivs))
      map.map(iv, v);
    for (Operation &op : loop.getBody()->without_terminator())
      fb.clone(op, map);
    LLVM::ReturnOp::create(tb, loc, ValueRange());

    // The call replaces the loop.
    Value fn = LLVM::AddressOfOp::create(b, loc, task);
    Value n = arith::IndexCastOp::create(b, loc, i64, total);
    Value costValue = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(cost));
    LLVM::CallOp::create(b, loc, parallelFor, ValueRange{fn, ctxPtr, n, costValue});
    loop.erase();
    return success();
  }
};
} // namespace
