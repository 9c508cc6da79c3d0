//===- VectorizeContractions.cpp - hybrid-vectorize-contractions ----------===//
//
// Register-tiled vector code for float contractions on buffers: the MatMul,
// Gemm and Einsum generics the importer writes (batch dims and all), and its
// convolutions.
//
// The output's innermost dim n0 is the vector dim. One input, the vector
// operand, has exactly one index that moves with n0 (a MatMul's B, a
// convolution's image row `s * ow + kw`); the other is broadcast. The vector
// operand is one vector load when that index is its last, with step 1, in a
// contiguous memref; otherwise (a transposed B, a strided convolution) its
// lanes are loaded one by one. The
// iteration space is split in three: n0 in tiles of `nr` columns, a row dim
// m0 in blocks of `mb` rows, and every other parallel dim one by one. One
// scf.parallel runs over the linearised (n tile, other dims..., row block)
// index, so the thread pool can split any of them (a decode step's single row
// still spreads over its column tiles), and a task's consecutive iterations
// share one B panel. Each iteration runs a microkernel per `mr` rows (then per
// row for the rest of the block):
//
//   acc[i] = C[m + i, n0 : n0 + nr]                     i < mr, vector loads
//   for k...:                                          (every reduction dim)
//     b = B[k, n0 : n0 + nr]                            one vector load
//     acc[i] = fma(broadcast(A[m + i, k]), b, acc[i])  mr broadcasts and FMAs
//   C[m + i, n0 : n0 + nr] = acc[i]
//
// The row dims are chosen so that rows share work: the dims only the broadcast
// operand uses (a MatMul's M: one B load feeds every row), else those only the
// vector operand uses (a depthwise convolution's batch and output rows: one
// weight broadcast feeds every row; each row loads its own image row).
//
// A row block with two microkernels' rows or more first copies the vector
// operand's panel for its column tile (every reduction coordinate x nr lanes,
// widened to f32) into a contiguous, 64-byte aligned stack buffer, when the
// reduction extents are static and the panel is at most 128 KiB: the
// microkernels then stream consecutive cache lines instead of one line per B
// row, whose stride (4 KiB for N = 1024) maps every line to the same L1 set.
//
// A vector operand that is a constant global read through views with a
// static layout (a linear layer's weights, transposed or not) is packed at
// compile time instead, when the pass runs on the module: a new global of
// [ceil(N / nr), reduction extents..., nr] panels, zero past N, made once per
// weights, view and tile width. Every row block, a single row included,
// streams its column tile's panel from it; the original global goes when
// nothing else reads it. f16/bf16 weights are not packed (the panel is f32:
// twice their bytes).
//
// The accumulators live in registers across the whole reduction (mr x nr/8
// AVX2 registers; 6 x 2 by default, with one B panel row and one broadcast
// that is 15 of 16). The CPU target asks for 8 x 32 on AVX-512 (8 x 2 zmm
// accumulators, 19 of 32 registers), which keeps both FMA units busy where
// 6 x 16 would give only 6 independent chains. A last partial column tile uses
// masked loads and stores. When the vector dim is static and shorter than nr
// (a depthwise convolution's 8 output columns), the tile narrows to the dim
// rounded up to a power of two of 4 lanes or more and grows in rows instead
// (mr x nr / width, at most 16 and no more than the static rows), so lanes
// are not wasted on masks. With fewer static rows than mr (a decode step's
// matrix-vector product) the tile widens instead, to nr x 2^j lanes with
// 2^j <= mr / rows (64 lanes for one row on AVX2: eight accumulator chains),
// while four column tiles at least remain for the threads; a single row's
// reduction is then unrolled less (its chains are already independent).
// Rows left over from the mr-row microkernels run in
// microkernels of 8, 4 and 2 rows before single rows (a single row is one
// chain of dependent FMAs).
// 16-bit inputs are widened to f32 after loading (the body's arith.extf).
//
// The epilogue. An elementwise generic that follows the contraction (only
// allocations, deallocations, run-time shape checks and side-effect-free ops
// between them) and
// reads C with an identity map -- a MatMul's bias Add, a GELU, a residual
// Add, what hybrid-fuse-elementwise made of them -- runs on the accumulators
// before they are stored: its body is cloned on vectors (as
// hybrid-vectorize-elementwise does), its other operands loaded per row as
// vectors along n0 (a bias [N], a residual [M, N]) or as broadcast scalars
// (a per-row value), and the microkernel stores its result into the generic's
// output D instead of C, which is then neither written nor read. C is still
// stored when something else reads it. D must be a fresh buffer that no input
// of the contraction lives in (other tiles still read those while this one
// writes D), and no other operand may be a view of C or D, except D itself
// read at the same element (an Add written in place).
//
// What is not matched stays a linalg op for the loop lowering: integer
// contractions, non-f32 accumulators, an output not contiguous along its
// innermost dim, inputs where no index moves with n0 by a constant step (B
// read at `n floordiv 2`), and bodies other than a multiply-add. Every rewrite
// is a pure re-association of the same sums per output element, so results
// match the loop lowering up to floating-point rounding order.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/IR/HybridUtils.h"
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"
#include "hybrid/NodeName.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Remarks.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDVECTORIZECONTRACTIONSPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {

/// How input `i` is read along n0 when it is the vector operand.
struct VectorAccess {
  /// The index (result of its map) that moves with n0; by default the last.
  unsigned position = kLast;
  static constexpr unsigned kLast = ~0u;
  /// Its step per n0 (2 for a stride-2 convolution's image row).
  int64_t step = 1;
  /// One vector load: the last index, step 1, a contiguous memref. Otherwise
  /// lane by lane (a strided row, a transposed B).
  bool contiguous = true;
};

/// The elementwise generic computed on the accumulators before they are
/// stored (see the file comment).
struct Epilogue {
  linalg::GenericOp op;
  /// How each input of `op` is read in the microkernel: the accumulators (C),
  /// a vector along n0, or one scalar broadcast to every lane.
  enum class Read { Acc, Vector, Splat };
  SmallVector<Read> reads;
  /// Each input's map, then the output's, over the contraction's loops.
  SmallVector<AffineMap> maps;
  /// Whether the microkernel still stores C (something else reads it).
  bool storeC = true;
};

/// A contraction this pass can generate code for, with its dims sorted out.
struct Plan {
  linalg::GenericOp op;
  unsigned numLoops = 0;
  /// The input loaded as vectors along n0 (`v`) and the one broadcast (`s`).
  unsigned vInput = 1, sInput = 0;
  /// The output's innermost dim: C and the vector operand are contiguous in it.
  unsigned n0 = 0;
  /// How the vector operand is read along n0.
  VectorAccess vAccess;
  /// The row dims blocked into microkernels, outermost first: the rows are
  /// their linearised product (a MatMul on [batch, seq, d] activations has
  /// batch x seq rows). Empty when no parallel dim is left (a matvec).
  SmallVector<unsigned> rowDims;
  /// Every other parallel dim, in loop order.
  SmallVector<unsigned> others;
  /// The reduction dims, in loop order (the microkernel's loop nest).
  SmallVector<unsigned> reductions;
  /// The linalg.fill that sets C just before the contraction, when there is
  /// one: the accumulators start from its value instead of loading C, and the
  /// fill is erased (one pass over C fewer).
  linalg::FillOp initFill;
  /// The elementwise generic fused into the microkernels' stores, if any.
  std::optional<Epilogue> epilogue;
};

/// `v` with an optional arith.extf peeled off.
Value stripExt(Value v) {
  if (auto ext = v.getDefiningOp<arith::ExtFOp>())
    return ext.getIn();
  return v;
}

bool isF32OrHalf(Type t) { return t.isF32() || t.isF16() || t.isBF16(); }

/// The body must be `yield out + a * b` over f32, the inputs optionally
/// widened from f16/bf16 (either operand order).
bool isMulAddBody(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (body.getNumArguments() != 3)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value out = body.getArgument(2);
  Value product = add.getLhs() == out ? add.getRhs() : add.getRhs() == out ? add.getLhs() : Value();
  auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul)
    return false;
  Value x = stripExt(mul.getLhs()), y = stripExt(mul.getRhs());
  Value a = body.getArgument(0), b = body.getArgument(1);
  if (!((x == a && y == b) || (x == b && y == a)))
    return false;
  // Nothing else in the body (the two optional extf, mul, add, yield).
  return llvm::count_if(body, [](Operation &) { return true; }) <=
         3 + (mul.getLhs() != x) + (mul.getRhs() != y);
}

bool involves(AffineMap map, unsigned d) {
  return llvm::any_of(map.getResults(), [&](AffineExpr e) { return e.isFunctionOfDim(d); });
}

} // namespace

bool hybrid::isMulAddContraction(linalg::GenericOp op) {
  return op.getNumDpsInputs() == 2 && op.getNumDpsInits() == 1 &&
         op.getNumReductionLoops() > 0 &&
         op.getMatchingIndexingMap(op.getDpsInitOperand(0))
             .isProjectedPermutation(/*allowZeroInResults=*/false) &&
         isMulAddBody(op);
}

namespace {

/// How input `i` can be the vector operand: exactly one of its indices is
/// `s * n0 + (anything without n0)` for a constant s >= 1. nullopt when it
/// cannot.
std::optional<VectorAccess> vectorAccess(linalg::GenericOp op, unsigned i, unsigned n0) {
  auto ty = dyn_cast<MemRefType>(op.getDpsInputOperand(i)->get().getType());
  AffineMap map = op.getMatchingIndexingMap(op.getDpsInputOperand(i));
  if (!ty || map.getNumSymbols())
    return std::nullopt;
  std::optional<unsigned> position;
  for (auto [r, e] : llvm::enumerate(map.getResults())) {
    if (!e.isFunctionOfDim(n0))
      continue;
    if (position)
      return std::nullopt;
    position = r;
  }
  if (!position)
    return std::nullopt;
  AffineExpr e = map.getResult(*position);
  // The coefficient of n0: e(n0 = 1, others = 0) - e(all = 0).
  MLIRContext *ctx = op.getContext();
  unsigned nd = map.getNumDims();
  SmallVector<AffineExpr> zeros(nd, getAffineConstantExpr(0, ctx)), unit = zeros;
  unit[n0] = getAffineConstantExpr(1, ctx);
  auto at1 = dyn_cast<AffineConstantExpr>(simplifyAffineExpr(e.replaceDims(unit), nd, 0));
  auto at0 = dyn_cast<AffineConstantExpr>(simplifyAffineExpr(e.replaceDims(zeros), nd, 0));
  if (!at1 || !at0 || at1.getValue() - at0.getValue() < 1)
    return std::nullopt;
  VectorAccess access;
  access.position = *position;
  access.step = at1.getValue() - at0.getValue();
  if (simplifyAffineExpr(e - getAffineDimExpr(n0, ctx) * access.step, nd, 0).isFunctionOfDim(n0))
    return std::nullopt;
  access.contiguous = access.step == 1 && *position + 1 == map.getNumResults() &&
                      ty.isLastDimUnitStride();
  return access;
}

linalg::FillOp initFill(linalg::GenericOp op, AffineMap cMap);
std::optional<Epilogue> epilogueFor(linalg::GenericOp op, AffineMap cMap,
                                    linalg::FillOp initFill);

/// Returns the plan for `op`, or nullopt when this pass leaves it alone.
std::optional<Plan> planFor(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || !hybrid::isMulAddContraction(op))
    return std::nullopt;
  auto cTy = dyn_cast<MemRefType>(op.getDpsInitOperand(0)->get().getType());
  auto aTy = dyn_cast<MemRefType>(op.getDpsInputOperand(0)->get().getType());
  auto bTy = dyn_cast<MemRefType>(op.getDpsInputOperand(1)->get().getType());
  if (!aTy || !bTy || !cTy || !cTy.getElementType().isF32() ||
      !isF32OrHalf(aTy.getElementType()) || !isF32OrHalf(bTy.getElementType()) ||
      cTy.getRank() == 0 || !cTy.isLastDimUnitStride())
    return std::nullopt;
  AffineMap cMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  Plan plan;
  plan.op = op;
  plan.numLoops = op.getNumLoops();
  plan.n0 = cMap.getDimPosition(cMap.getNumResults() - 1);
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  if (iters[plan.n0] != utils::IteratorType::parallel)
    return std::nullopt;
  // The vector operand: one read with vector loads before one read lane by
  // lane; B (a MatMul's weights) before A (a convolution's image row).
  std::optional<VectorAccess> access1 = vectorAccess(op, 1, plan.n0),
                              access0 = vectorAccess(op, 0, plan.n0);
  if (access1 && (access1->contiguous || !access0 || !access0->contiguous)) {
    plan.vInput = 1;
    plan.sInput = 0;
    plan.vAccess = *access1;
  } else if (access0) {
    plan.vInput = 0;
    plan.sInput = 1;
    plan.vAccess = *access0;
  } else {
    return std::nullopt;
  }
  AffineMap vMap = op.getMatchingIndexingMap(op.getDpsInputOperand(plan.vInput));
  AffineMap sMap = op.getMatchingIndexingMap(op.getDpsInputOperand(plan.sInput));
  if (involves(sMap, plan.n0) || sMap.getNumSymbols())
    return std::nullopt;
  // Every parallel dim must index the output (each output element is one
  // independent sum).
  for (unsigned d = 0; d < plan.numLoops; ++d)
    if (iters[d] == utils::IteratorType::parallel && !involves(cMap, d))
      return std::nullopt;

  // The row dims, best first: those only the broadcast operand uses (a
  // MatMul's M dims, all of them: one vector load feeds every row), else
  // those only the vector operand uses (a depthwise convolution's batch and
  // output rows, linearised: one broadcast of a weight feeds every row, and
  // with a batch of one the output rows still make independent accumulator
  // chains), else any other one. A dim of static extent 1 gains nothing.
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  int bestScore = 0;
  SmallVector<unsigned> byScore[4];
  for (unsigned d = 0; d < plan.numLoops; ++d) {
    if (d == plan.n0 || iters[d] != utils::IteratorType::parallel || extents[d] == 1)
      continue;
    bool inS = involves(sMap, d), inV = involves(vMap, d);
    int score = inS && !inV ? 3 : inV && !inS ? 2 : 1;
    byScore[score].push_back(d);
    bestScore = std::max(bestScore, score);
  }
  if (bestScore >= 2)
    plan.rowDims = byScore[bestScore];
  else if (bestScore == 1)
    plan.rowDims.push_back(byScore[1].front());
  for (unsigned d = 0; d < plan.numLoops; ++d) {
    if (iters[d] == utils::IteratorType::reduction)
      plan.reductions.push_back(d);
    else if (d != plan.n0 && !llvm::is_contained(plan.rowDims, d))
      plan.others.push_back(d);
  }
  plan.initFill = initFill(op, cMap);
  plan.epilogue = epilogueFor(op, cMap, plan.initFill);
  return plan;
}

/// The number of rows the microkernels share (the product of the row dims;
/// 1 without any), or nullopt when one of them is dynamic.
std::optional<int64_t> staticRows(const Plan &plan, ArrayRef<int64_t> ranges) {
  int64_t rows = 1;
  for (unsigned d : plan.rowDims) {
    if (ShapedType::isDynamic(ranges[d]))
      return std::nullopt;
    rows *= ranges[d];
  }
  return rows;
}

bool isProfilerCall(Operation *op) {
  auto call = dyn_cast<func::CallOp>(op);
  return call && (call.getCallee() == hybrid::kKernelBegin || call.getCallee() == hybrid::kKernelEnd);
}

/// The buffer `v` is a view of (through subviews, reshapes, casts...).
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

bool isAllocation(Value v) {
  return v.getDefiningOp<memref::AllocOp>() || v.getDefiningOp<memref::AllocaOp>();
}

bool isEpilogueElementType(Type t) {
  if (auto i = dyn_cast<IntegerType>(t))
    return i.getWidth() >= 8 && i.getWidth() <= 64;
  return t.isF32() || t.isF64();
}

/// The epilogue of `op` (see the file comment), when the generic after it
/// qualifies. `initFill`: C's fill that the accumulators replace.
std::optional<Epilogue> epilogueFor(linalg::GenericOp op, AffineMap cMap,
                                    linalg::FillOp initFill) {
  Value c = op.getDpsInitOperand(0)->get();
  linalg::GenericOp e;
  for (Operation *next = op->getNextNode(); next; next = next->getNextNode()) {
    if ((e = dyn_cast<linalg::GenericOp>(next)))
      break;
    // (A cf.assert, the importer's run-time shape check of the generic's
    // operands, moves before the contraction with the allocations.)
    if (!isProfilerCall(next) && !isa<memref::AllocOp, memref::DeallocOp, cf::AssertOp>(next) &&
        !isMemoryEffectFree(next))
      return std::nullopt;
  }
  unsigned rank = cMap.getNumResults();
  if (!e || !e.hasPureBufferSemantics() || e.getNumDpsInits() != 1 ||
      e.getNumLoops() != rank || e.getNumParallelLoops() != rank ||
      !e.getBody()->getOps<linalg::IndexOp>().empty() ||
      !hybrid::isVectorizableElementwiseBody(e))
    return std::nullopt;
  // The output: identity map, contiguous rows, not read by the body.
  OpOperand *dOperand = e.getDpsInitOperand(0);
  Value d = dOperand->get();
  auto dTy = dyn_cast<MemRefType>(d.getType());
  if (!dTy || !dTy.isLastDimUnitStride() || !isEpilogueElementType(dTy.getElementType()) ||
      !e.getMatchingIndexingMap(dOperand).isIdentity() ||
      !e.getMatchingBlockArgument(dOperand).use_empty())
    return std::nullopt;
  // D is written while other tiles still read the contraction's inputs.
  Value cRoot = rootOf(c), dRoot = rootOf(d);
  if (!isAllocation(dRoot) || (dRoot == cRoot && d != c))
    return std::nullopt;
  for (Value in : op.getDpsInputs())
    if (rootOf(in) == dRoot)
      return std::nullopt;

  // The generic's dim i is C's dim i: the contraction's loop cMap(i).
  MLIRContext *ctx = op.getContext();
  SmallVector<AffineExpr> dims;
  for (unsigned i = 0; i < rank; ++i)
    dims.push_back(getAffineDimExpr(cMap.getDimPosition(i), ctx));
  auto overLoops = [&](AffineMap map) {
    return map.replaceDimsAndSymbols(dims, {}, op.getNumLoops(), 0);
  };
  Epilogue epi;
  epi.op = e;
  bool readsC = false;
  for (OpOperand *in : e.getDpsInputOperands()) {
    AffineMap map = e.getMatchingIndexingMap(in);
    Value v = in->get();
    if (v == c) {
      if (!map.isIdentity())
        return std::nullopt;
      readsC = true;
      epi.reads.push_back(Epilogue::Read::Acc);
      epi.maps.push_back(overLoops(map));
      continue;
    }
    auto ty = dyn_cast<MemRefType>(v.getType());
    if (!ty || !isEpilogueElementType(ty.getElementType()) || map.getNumSymbols())
      return std::nullopt;
    Value root = rootOf(v);
    if (root == cRoot || (root == dRoot && !(v == d && map.isIdentity())))
      return std::nullopt;
    // Every index a dim or a constant; the vector dim, if read, last.
    bool alongN = false;
    for (auto [r, expr] : llvm::enumerate(map.getResults())) {
      if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
        if (dim.getPosition() != rank - 1)
          continue;
        if (r + 1 != map.getNumResults())
          return std::nullopt;
        alongN = true;
      } else if (!isa<AffineConstantExpr>(expr)) {
        return std::nullopt;
      }
    }
    if (alongN && !ty.isLastDimUnitStride())
      return std::nullopt;
    epi.reads.push_back(alongN ? Epilogue::Read::Vector : Epilogue::Read::Splat);
    epi.maps.push_back(overLoops(map));
  }
  if (!readsC)
    return std::nullopt;
  epi.maps.push_back(overLoops(e.getMatchingIndexingMap(dOperand)));
  // C need not be stored when the epilogue writes it in place, or when it is
  // a buffer of its own that nothing but the two ops (and its deallocation)
  // uses.
  bool onlyHere = c == cRoot && isAllocation(c) && llvm::all_of(c.getUsers(), [&](Operation *u) {
                    return u == op.getOperation() || u == e.getOperation() ||
                           u == initFill.getOperation() || isa<memref::DeallocOp>(u);
                  });
  epi.storeC = d != c && !onlyHere;
  return epi;
}

/// The linalg.fill of an f32 value that writes C last before `op` reads it,
/// when `op` then writes every element of C: only the profiler's calls and
/// side-effect-free ops (constants, index arithmetic) may lie between them.
linalg::FillOp initFill(linalg::GenericOp op, AffineMap cMap) {
  Value c = op.getDpsInitOperand(0)->get();
  // Every element of C is written: its map is a permutation of the parallel
  // dims (each output element is one parallel point; the loop extents are
  // C's dims).
  if (!cMap.isProjectedPermutation() || cMap.getNumResults() != op.getNumParallelLoops() ||
      llvm::is_contained(op.getDpsInputs(), c))
    return {};
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev)) {
      if (fill.hasPureBufferSemantics() && fill.getOutputs()[0] == c &&
          fill.getInputs()[0].getType().isF32())
        return fill;
      return {};
    }
    if (!isProfilerCall(prev) && !isMemoryEffectFree(prev))
      return {};
  }
  return {};
}

/// The constant global whose data the vector operand of `plan` reads through
/// views with a static layout: a linear layer's weights. Null otherwise.
memref::GlobalOp constantSource(const Plan &plan, SymbolTable &symbols) {
  linalg::GenericOp op = plan.op;
  Value v = op.getDpsInputOperand(plan.vInput)->get();
  auto get = rootOf(v).getDefiningOp<memref::GetGlobalOp>();
  if (!get)
    return {};
  // The nearest symbol table's global, and only one of the module's (where
  // the packed copy goes).
  auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(get, get.getNameAttr());
  if (!global || global != symbols.lookup<memref::GlobalOp>(get.getNameAttr().getAttr()) ||
      !global.getConstant() || !global.getInitialValue() ||
      !global.getType().getLayout().isIdentity() || !global.getType().getElementType().isF32())
    return {};
  return global;
}

/// The vector operand's data in panels of `nr` lanes, the layout the
/// microkernels read (see the file comment): [ceil(N / nr), reduction
/// extents..., nr], zero past N. Empty when the operand's indices are not
/// each one reduction dim or n0, every reduction dim once, or its layout or
/// data are not static.
std::optional<std::vector<float>> packedPanels(const Plan &plan, memref::GlobalOp global,
                                               int64_t nr, SmallVectorImpl<int64_t> &shape) {
  linalg::GenericOp op = plan.op;
  auto type = cast<MemRefType>(op.getDpsInputOperand(plan.vInput)->get().getType());
  AffineMap map = op.getMatchingIndexingMap(op.getDpsInputOperand(plan.vInput));
  SmallVector<int64_t> strides;
  int64_t offset;
  if (!type.hasStaticShape() || failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) || llvm::any_of(strides, ShapedType::isDynamic))
    return std::nullopt;
  // Which reduction (its position in plan.reductions), or n0 (-1), each
  // index of the operand is.
  SmallVector<int> source;
  for (AffineExpr e : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(e);
    if (!dim)
      return std::nullopt;
    if (dim.getPosition() == plan.n0) {
      source.push_back(-1);
      continue;
    }
    auto *it = llvm::find(plan.reductions, dim.getPosition());
    if (it == plan.reductions.end() || llvm::is_contained(source, int(it - plan.reductions.begin())))
      return std::nullopt;
    source.push_back(int(it - plan.reductions.begin()));
  }
  if (!llvm::is_contained(source, -1) ||
      llvm::count_if(source, [](int s) { return s >= 0; }) != int64_t(plan.reductions.size()))
    return std::nullopt;
  // The global's elements: its raw data, or one value repeated.
  Attribute init = *global.getInitialValue();
  ArrayRef<float> data;
  std::optional<float> splat;
  if (auto dense = dyn_cast<DenseElementsAttr>(init); dense && dense.isSplat()) {
    splat = dense.getSplatValue<float>();
  } else if (std::optional<ArrayRef<char>> raw = hybrid::rawElementBytes(init)) {
    data = ArrayRef<float>(reinterpret_cast<const float *>(raw->data()), raw->size() / sizeof(float));
  } else {
    return std::nullopt;
  }
  int64_t size = global.getType().getNumElements();
  // Each index's extent and stride, and the packed shape.
  SmallVector<int64_t> redExtent(plan.reductions.size(), 1), redStride(plan.reductions.size(), 0);
  int64_t n = 0, nStride = 0;
  for (auto [i, src] : llvm::enumerate(source)) {
    if (src < 0) {
      n = type.getDimSize(i);
      nStride = strides[i];
    } else {
      redExtent[src] = type.getDimSize(i);
      redStride[src] = strides[i];
    }
  }
  int64_t tiles = (n + nr - 1) / nr, panel = nr;
  for (int64_t e : redExtent)
    panel *= e;
  shape.assign({tiles});
  shape.append(redExtent.begin(), redExtent.end());
  shape.push_back(nr);
  std::vector<float> out(size_t(tiles * panel), 0.0f);
  // Row-major over (tile, reductions...), lanes innermost.
  for (int64_t t = 0; t < tiles; ++t) {
    for (int64_t r = 0; r < panel / nr; ++r) {
      int64_t base = offset, rest = r;
      for (int i = int(redExtent.size()) - 1; i >= 0; --i) {
        base += (rest % redExtent[i]) * redStride[i];
        rest /= redExtent[i];
      }
      float *dst = &out[size_t((t * (panel / nr) + r) * nr)];
      for (int64_t l = 0; l < nr && t * nr + l < n; ++l) {
        int64_t at = base + (t * nr + l) * nStride;
        if (at < 0 || at >= size)
          return std::nullopt;
        dst[l] = splat ? *splat : data[at];
      }
    }
  }
  return out;
}

/// Independent accumulators of a single row's innermost reduction, at the
/// configured tile width.
constexpr int64_t kUnroll = 4;

class Generator {
public:
  /// `unroll`: the independent accumulators of a single row's reduction
  /// (fewer where the tile is wide enough to keep the FMA units busy).
  Generator(const Plan &plan, int64_t mr, int64_t nr, int64_t mb, int64_t unroll)
      : plan(plan), op(plan.op), mr(plan.rowDims.empty() ? 1 : mr), nr(nr),
        mb(plan.rowDims.empty() ? 1 : mb), unroll(unroll) {}

  void run(RewriterBase &rewriter) {
    OpBuilder &b = rewriter;
    Location loc = op.getLoc();
    b.setInsertionPoint(op);
    vOperand = op.getDpsInputOperand(plan.vInput)->get();
    sOperand = op.getDpsInputOperand(plan.sInput)->get();
    c = op.getDpsInitOperand(0)->get();
    vMap = op.getMatchingIndexingMap(op.getDpsInputOperand(plan.vInput));
    sMap = op.getMatchingIndexingMap(op.getDpsInputOperand(plan.sInput));
    cMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    if (plan.initFill) {
      // The fill's value in every lane (its scalar is defined before the
      // fill, so before this code).
      init = vector::BroadcastOp::create(b, loc, VectorType::get({nr}, b.getF32Type()),
                                         linalg::FillOp(plan.initFill).getInputs()[0]);
    }
    if (plan.epilogue) {
      // The buffers the epilogue writes (and anything else between the two
      // ops but deallocations and the profiler's calls) are made before the
      // contraction, where the fused code runs.
      for (Operation *next = op->getNextNode(); next != linalg::GenericOp(plan.epilogue->op).getOperation();) {
        Operation *here = next;
        next = next->getNextNode();
        if (!isa<memref::DeallocOp>(here) && !isProfilerCall(here))
          here->moveBefore(op);
      }
    }
    vPerRow = llvm::any_of(plan.rowDims, [&](unsigned d) { return involves(vMap, d); });
    sPerRow = llvm::any_of(plan.rowDims, [&](unsigned d) { return involves(sMap, d); });

    // Every loop's extent, from the operands' dims.
    SmallVector<Range> ranges = cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(b, loc);
    for (Range r : ranges)
      extents.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));

    Value c0 = cst(b, loc, 0), c1 = cst(b, loc, 1);
    Value nrV = cst(b, loc, nr), mbV = cst(b, loc, mb);
    Value n = extents[plan.n0], m = c1;
    for (unsigned d : plan.rowDims)
      m = arith::MulIOp::create(b, loc, m, extents[d]);
    // ceil(n / nr) column tiles, ceil(m / mb) row blocks.
    Value nTiles = ceilDiv(b, loc, n, nrV), mBlocks = ceilDiv(b, loc, m, mbV);
    SmallVector<Value> basis = {nTiles};
    for (unsigned d : plan.others)
      basis.push_back(extents[d]);
    basis.push_back(mBlocks);
    Value total = c1;
    for (Value v : basis)
      total = arith::MulIOp::create(b, loc, total, v);

    if (packed)
      packedBase = memref::GetGlobalOp::create(b, loc, packed.getType(), packed.getSymName());
    auto par = scf::ParallelOp::create(b, loc, ValueRange{c0}, ValueRange{total}, ValueRange{c1});
    b.setInsertionPointToStart(par.getBody());
    SmallVector<Value> coords = delinearize(b, loc, par.getInductionVars()[0], basis);
    tileIndex = coords.front();
    ivs.assign(plan.numLoops, Value());
    for (auto [d, v] : llvm::zip(plan.others, ArrayRef(coords).slice(1, plan.others.size())))
      ivs[d] = v;
    Value nBase = arith::MulIOp::create(b, loc, coords.front(), nrV);
    Value mBegin = arith::MulIOp::create(b, loc, coords.back(), mbV);
    Value mEnd = arith::MinUIOp::create(b, loc, arith::AddIOp::create(b, loc, mBegin, mbV), m);
    ivs[plan.n0] = nBase;

    // A full column tile, or the last partial one with a mask.
    Value cols = arith::SubIOp::create(b, loc, n, nBase);
    Value full = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, cols, nrV);
    auto ifFull = scf::IfOp::create(b, loc, full, /*withElseRegion=*/true);
    b.setInsertionPointToStart(ifFull.thenBlock());
    block(b, loc, mBegin, mEnd, Value());
    b.setInsertionPointToStart(ifFull.elseBlock());
    auto maskTy = VectorType::get({nr}, b.getI1Type());
    Value mask = vector::CreateMaskOp::create(b, loc, maskTy, ValueRange{cols});
    this->cols = cols;
    block(b, loc, mBegin, mEnd, mask);

    rewriter.eraseOp(op);
    if (plan.initFill)
      eraseKernel(rewriter, plan.initFill);
    if (plan.epilogue) {
      linalg::GenericOp e = plan.epilogue->op;
      // For the compile report (no-op without a remark engine).
      std::string from = hybrid::onnxNodeOf(e.getLoc()), into = hybrid::onnxNodeOf(loc);
      if (!from.empty() && !into.empty() && from != into) {
        auto opts = remark::RemarkOpts::name("epilogue").category("hybrid-vectorize-contractions");
        remark::passed(e.getLoc(), opts) << "computed in the epilogue of " + into;
      }
      Value d = e.getDpsInits()[0];
      eraseKernel(rewriter, e);
      // C, no longer written nor read, is not allocated.
      if (!plan.epilogue->storeC && c != d &&
          c.getDefiningOp<memref::AllocOp>() &&
          llvm::all_of(c.getUsers(), [](Operation *u) { return isa<memref::DeallocOp>(u); })) {
        for (Operation *u : llvm::make_early_inc_range(c.getUsers()))
          rewriter.eraseOp(u);
        rewriter.eraseOp(c.getDefiningOp());
      }
    }
  }

  /// Erases `kernel` and, when it was a kernel of its own, the profiler's
  /// brackets around it.
  static void eraseKernel(RewriterBase &rewriter, Operation *kernel) {
    auto bracket = [](Operation *op, StringRef name) -> func::CallOp {
      auto call = dyn_cast_or_null<func::CallOp>(op);
      return call && call.getCallee() == name ? call : func::CallOp();
    };
    func::CallOp begin = bracket(kernel->getPrevNode(), hybrid::kKernelBegin);
    func::CallOp end = bracket(kernel->getNextNode(), hybrid::kKernelEnd);
    rewriter.eraseOp(kernel);
    if (begin && end) {
      rewriter.eraseOp(begin);
      rewriter.eraseOp(end);
    }
  }

private:
  static Value cst(OpBuilder &b, Location loc, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  static Value ceilDiv(OpBuilder &b, Location loc, Value x, Value y) {
    return arith::CeilDivUIOp::create(b, loc, x, y);
  }
  /// `linear` as coordinates in `basis` (outermost first, innermost fastest).
  static SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                                        ArrayRef<Value> basis) {
    SmallVector<Value> coords(basis.size());
    for (size_t i = basis.size(); i-- > 1;) {
      coords[i] = arith::RemUIOp::create(b, loc, linear, basis[i]);
      linear = arith::DivUIOp::create(b, loc, linear, basis[i]);
    }
    if (!coords.empty())
      coords[0] = linear;
    return coords;
  }

  /// The shape of a packed panel of the vector operand (every reduction
  /// coordinate x nr f32 lanes), when one can be packed: the operand is the
  /// same for every row, every reduction extent is static and the panel fits
  /// the stack budget.
  std::optional<SmallVector<int64_t>> panelShape() {
    if (vPerRow)
      return std::nullopt;
    SmallVector<int64_t> extents = op.getStaticLoopRanges(), shape;
    int64_t bytes = nr * 4;
    for (unsigned d : plan.reductions) {
      if (ShapedType::isDynamic(extents[d]))
        return std::nullopt;
      shape.push_back(extents[d]);
      bytes *= std::max<int64_t>(extents[d], 1);
    }
    if (bytes > kMaxPanelBytes)
      return std::nullopt;
    shape.push_back(nr);
    return shape;
  }

  /// The panel's indices at the current reduction coordinates.
  SmallVector<Value> panelIndices(OpBuilder &b, Location loc) {
    SmallVector<Value> at;
    if (panel && panel == packedBase)
      at.push_back(tileIndex);
    for (unsigned d : plan.reductions)
      at.push_back(ivs[d]);
    at.push_back(cst(b, loc, 0));
    return at;
  }

  /// A row block of the current column tile. When the block has rows enough
  /// to reuse it (two microkernels or more) and it fits the stack budget, the
  /// vector operand's panel for this column tile is first copied into a
  /// contiguous stack buffer, widened to f32: the microkernels then read
  /// consecutive cache lines instead of one line per B row (a 4 KiB stride for
  /// N = 1024, which also maps every line to the same L1 set).
  void block(OpBuilder &b, Location loc, Value begin, Value end, Value mask) {
    if (packedBase) {
      // Packed at compile time: any number of rows streams it, a partial
      // tile included (its lanes past N are zeros).
      panel = packedBase;
      rows(b, loc, begin, end, mask);
      panel = Value();
      return;
    }
    std::optional<SmallVector<int64_t>> shape = panelShape();
    if (!shape) {
      rows(b, loc, begin, end, mask);
      return;
    }
    Value span = arith::SubIOp::create(b, loc, end, begin);
    Value worth = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, span, cst(b, loc, 2 * mr));
    auto ifPack = scf::IfOp::create(b, loc, worth, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(ifPack.elseBlock());
    rows(b, loc, begin, end, mask);
    b.setInsertionPointToStart(ifPack.thenBlock());
    // The stack is restored at the end of each iteration (the body runs in a
    // loop once outlined into a task). This is what memref.alloca_scope lowers
    // to; the scope op itself cannot be used here, as the scf-to-cf lowering
    // would give its single-block region several blocks before memref-to-llvm
    // inlines it.
    auto ptrTy = LLVM::LLVMPointerType::get(b.getContext());
    Value saved = LLVM::StackSaveOp::create(b, loc, ptrTy);
    Value buf = memref::AllocaOp::create(b, loc, MemRefType::get(*shape, b.getF32Type()),
                                         b.getI64IntegerAttr(64));
    SmallVector<Value> first = rowCoords(b, loc, begin);
    pack(b, loc, 0, buf, first, mask);
    panel = buf;
    rows(b, loc, begin, end, mask);
    panel = Value();
    LLVM::StackRestoreOp::create(b, loc, saved);
  }

  /// Copies the vector operand over every reduction coordinate into `buf`.
  void pack(OpBuilder &b, Location loc, size_t level, Value buf, ArrayRef<Value> row, Value mask) {
    if (level == plan.reductions.size()) {
      Value v = load(b, loc, vOperand, indices(b, loc, vMap, row), mask, plan.vAccess);
      vector::StoreOp::create(b, loc, v, buf, panelIndices(b, loc));
      return;
    }
    unsigned d = plan.reductions[level];
    scf::ForOp::create(b, loc, cst(b, loc, 0), extents[d], cst(b, loc, 1), ValueRange{},
                       [&](OpBuilder &nb, Location nloc, Value iv, ValueRange) {
                         ivs[d] = iv;
                         pack(nb, nloc, level + 1, buf, row, mask);
                         scf::YieldOp::create(nb, nloc);
                       });
  }

  /// Rows [begin, end): microkernels of mr rows; the rows left over (fewer
  /// than mr) through one microkernel of each power of two below mr that
  /// still fits (8, 4, 2: at most one each), then the last one alone. A
  /// single row's reduction is one chain of dependent FMAs (a 7x7 depthwise
  /// convolution's 49 taps wait 4 cycles each), so the rest of a short block
  /// (4 output rows of a 4x4 plane) runs as rows side by side.
  void rows(OpBuilder &b, Location loc, Value begin, Value end, Value mask) {
    Value mrV = cst(b, loc, mr), c1 = cst(b, loc, 1);
    Value span = arith::SubIOp::create(b, loc, end, begin);
    Value groups = arith::DivUIOp::create(b, loc, span, mrV);
    Value fullEnd = arith::AddIOp::create(b, loc, begin, arith::MulIOp::create(b, loc, groups, mrV));
    auto big = scf::ForOp::create(b, loc, begin, fullEnd, mrV);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(big.getBody());
      kernel(b, loc, big.getInductionVar(), mr, mask);
    }
    if (mr == 1)
      return;
    Value at = fullEnd;
    for (int64_t k = int64_t(llvm::PowerOf2Ceil(mr)) / 2; k >= 2; k /= 2) {
      if (k >= mr)
        continue;
      Value kV = cst(b, loc, k);
      Value fits = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                         arith::SubIOp::create(b, loc, end, at), kV);
      auto ifFits = scf::IfOp::create(b, loc, TypeRange{b.getIndexType()}, fits,
                                      /*withElseRegion=*/true);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(ifFits.thenBlock());
      kernel(b, loc, at, k, mask);
      scf::YieldOp::create(b, loc, ValueRange{arith::AddIOp::create(b, loc, at, kV)});
      b.setInsertionPointToStart(ifFits.elseBlock());
      scf::YieldOp::create(b, loc, ValueRange{at});
      at = ifFits.getResult(0);
    }
    auto small = scf::ForOp::create(b, loc, at, end, c1);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(small.getBody());
    kernel(b, loc, small.getInductionVar(), 1, mask);
  }

  /// The row dims' values at linear row `row`.
  SmallVector<Value> rowCoords(OpBuilder &b, Location loc, Value row) {
    SmallVector<Value> basis;
    for (unsigned d : plan.rowDims)
      basis.push_back(extents[d]);
    return delinearize(b, loc, row, basis);
  }

  /// The indices of `map`'s operand at the current ivs, the row dims at
  /// `row` (from rowCoords; the vector dim n0 at its tile base). Plain dims
  /// are used directly; anything else (a convolution's `oh + kh`) through an
  /// affine.apply.
  SmallVector<Value> indices(OpBuilder &b, Location loc, AffineMap map, ArrayRef<Value> row) {
    SmallVector<Value> dims = ivs;
    for (auto [d, v] : llvm::zip(plan.rowDims, row))
      dims[d] = v;
    SmallVector<Value> idx;
    for (AffineExpr e : map.getResults()) {
      if (auto d = dyn_cast<AffineDimExpr>(e)) {
        idx.push_back(dims[d.getPosition()]);
        continue;
      }
      if (auto k = dyn_cast<AffineConstantExpr>(e)) {
        idx.push_back(cst(b, loc, k.getValue()));
        continue;
      }
      // Only the dims `e` uses are defined here; the others are unused operands.
      SmallVector<Value> operands;
      for (unsigned d = 0; d < map.getNumDims(); ++d)
        operands.push_back(e.isFunctionOfDim(d) ? dims[d] : Value(cst(b, loc, 0)));
      idx.push_back(affine::AffineApplyOp::create(
          b, loc, AffineMap::get(map.getNumDims(), 0, e), operands));
    }
    return idx;
  }

  /// `nr` elements of `base` from `idx` on (along `access`: by default the
  /// last index, step 1, one vector load), widened to f32; under `mask`,
  /// lanes past the tile's columns are not read (their values are unspecified
  /// and never stored).
  Value load(OpBuilder &b, Location loc, Value base, ValueRange idx, Value mask,
             VectorAccess access = {}) {
    auto elt = cast<MemRefType>(base.getType()).getElementType();
    auto vecTy = VectorType::get({nr}, elt);
    unsigned pos = access.position == VectorAccess::kLast ? idx.size() - 1 : access.position;
    int64_t step = access.step;
    Value v;
    auto memTy = cast<MemRefType>(base.getType());
    if (!access.contiguous && !mask && elt.isF32() && access.step >= 2 && access.step <= 4 &&
        pos + 1 == idx.size() && memTy.isLastDimUnitStride()) {
      // A short stride along the last, contiguous dim (a stride-2
      // convolution's image row): the nr * step elements from idx in vector
      // loads, every step-th lane kept by one shuffle, instead of nr scalar
      // loads and inserts (8x faster on a depthwise 3x3 stride-2
      // convolution). The load is masked past the last element read, (nr - 1)
      // * step, so that it never touches memory the lanes would not.
      int64_t wide = nr * step, needed = (nr - 1) * step + 1;
      auto wideTy = VectorType::get({wide}, elt);
      auto maskTy = VectorType::get({wide}, b.getI1Type());
      SmallVector<bool> bits(wide, false);
      std::fill_n(bits.begin(), needed, true);
      Value inBounds =
          arith::ConstantOp::create(b, loc, maskTy, DenseElementsAttr::get(maskTy, ArrayRef(bits)));
      Value zero = arith::ConstantOp::create(b, loc, wideTy, b.getZeroAttr(wideTy));
      Value all = vector::MaskedLoadOp::create(b, loc, wideTy, base, idx, inBounds, zero);
      SmallVector<int64_t> picks;
      for (int64_t i = 0; i < nr; ++i)
        picks.push_back(i * step);
      v = vector::ShuffleOp::create(b, loc, all, all, picks);
    } else if (!access.contiguous || (mask && !elt.isF32())) {
      // Lane by lane: a strided row, or a partial tile of 16-bit floats (x86
      // has no masked load of those; LLVM would legalise one through libgcc's
      // __truncsfbf2). Under a mask, lanes past the last column repeat the
      // last valid element.
      SmallVector<Value> lanes, at(idx.begin(), idx.end());
      Value last;
      if (mask)
        last = arith::AddIOp::create(
            b, loc, idx[pos],
            arith::MulIOp::create(b, loc, arith::SubIOp::create(b, loc, cols, cst(b, loc, 1)),
                                  cst(b, loc, step)));
      for (int64_t i = 0; i < nr; ++i) {
        Value lane = arith::AddIOp::create(b, loc, idx[pos], cst(b, loc, i * step));
        at[pos] = mask ? arith::MinUIOp::create(b, loc, lane, last).getResult() : lane;
        lanes.push_back(memref::LoadOp::create(b, loc, base, at));
      }
      v = vector::FromElementsOp::create(b, loc, vecTy, lanes);
    } else if (mask) {
      Value zero = arith::ConstantOp::create(b, loc, vecTy, b.getZeroAttr(vecTy));
      v = vector::MaskedLoadOp::create(b, loc, vecTy, base, idx, mask, zero);
    } else {
      v = vector::LoadOp::create(b, loc, vecTy, base, idx);
    }
    if (!elt.isF32())
      v = arith::ExtFOp::create(b, loc, VectorType::get({nr}, b.getF32Type()), v);
    return v;
  }

  Value splat(OpBuilder &b, Location loc, ArrayRef<Value> row) {
    Value s = memref::LoadOp::create(b, loc, sOperand, indices(b, loc, sMap, row));
    if (!s.getType().isF32())
      s = arith::ExtFOp::create(b, loc, b.getF32Type(), s);
    return vector::BroadcastOp::create(b, loc, VectorType::get({nr}, b.getF32Type()), s);
  }

  /// Rows [row, row + rowsHere) x the current column tile, over every
  /// reduction dim.
  void kernel(OpBuilder &b, Location loc, Value row, int64_t rowsHere, Value mask) {
    SmallVector<SmallVector<Value>> rowIdx;
    for (int64_t i = 0; i < rowsHere; ++i)
      rowIdx.push_back(rowCoords(
          b, loc, i == 0 ? row : arith::AddIOp::create(b, loc, row, cst(b, loc, i)).getResult()));
    SmallVector<Value> acc;
    for (ArrayRef<Value> r : rowIdx)
      acc.push_back(init ? init : load(b, loc, c, indices(b, loc, cMap, r), mask));
    acc = reduce(b, loc, 0, rowIdx, acc, mask);
    // The epilogue's operands that are the same for every row, loaded once.
    IRMapping shared;
    if (plan.epilogue)
      loadEpilogueOperands(b, loc, rowIdx[0], mask, /*rowInvariant=*/true, shared);
    for (auto [r, v] : llvm::zip(rowIdx, acc)) {
      if (!plan.epilogue || plan.epilogue->storeC)
        store(b, loc, v, c, indices(b, loc, cMap, r), mask);
      if (!plan.epilogue)
        continue;
      const Epilogue &epi = *plan.epilogue;
      linalg::GenericOp e = epi.op;
      IRMapping values = shared;
      loadEpilogueOperands(b, loc, r, mask, /*rowInvariant=*/false, values);
      for (auto [in, read] : llvm::zip(e.getDpsInputOperands(), epi.reads))
        if (read == Epilogue::Read::Acc)
          values.map(e.getMatchingBlockArgument(in), v);
      SmallVector<Value> results = hybrid::vectorizeElementwiseBody(b, e, values, nr);
      store(b, loc, results.front(), e.getDpsInits()[0], indices(b, loc, epi.maps.back(), r),
            mask);
    }
  }

  void store(OpBuilder &b, Location loc, Value v, Value base, ValueRange idx, Value mask) {
    if (mask)
      vector::MaskedStoreOp::create(b, loc, base, idx, mask, v);
    else
      vector::StoreOp::create(b, loc, v, base, idx);
  }

  /// Maps the epilogue's block arguments for its vector and broadcast
  /// operands at row `row`: those that no row dim indexes
  /// (`rowInvariant`: a bias), or the others.
  void loadEpilogueOperands(OpBuilder &b, Location loc, ArrayRef<Value> row, Value mask,
                            bool rowInvariant, IRMapping &values) {
    const Epilogue &epi = *plan.epilogue;
    linalg::GenericOp e = epi.op;
    for (auto [i, in] : llvm::enumerate(e.getDpsInputOperands())) {
      BlockArgument arg = e.getMatchingBlockArgument(in);
      AffineMap map = epi.maps[i];
      bool perRow = llvm::any_of(plan.rowDims, [&](unsigned d) { return involves(map, d); });
      if (epi.reads[i] == Epilogue::Read::Acc || arg.use_empty() || perRow == rowInvariant)
        continue;
      Value base = in->get();
      SmallVector<Value> idx = indices(b, loc, map, row);
      auto vecTy = VectorType::get({nr}, arg.getType());
      Value x;
      if (epi.reads[i] == Epilogue::Read::Splat) {
        x = vector::BroadcastOp::create(b, loc, vecTy, memref::LoadOp::create(b, loc, base, idx));
      } else if (mask) {
        Value zero = arith::ConstantOp::create(b, loc, vecTy, b.getZeroAttr(vecTy));
        x = vector::MaskedLoadOp::create(b, loc, vecTy, base, idx, mask, zero);
      } else {
        x = vector::LoadOp::create(b, loc, vecTy, base, idx);
      }
      values.map(arg, x);
    }
  }

  /// The loop over reduction dim `level`; innermost, the FMAs: one vector
  /// load and one broadcast shared by every row unless the operand depends on
  /// the row.
  SmallVector<Value> reduce(OpBuilder &b, Location loc, size_t level,
                            ArrayRef<SmallVector<Value>> rowIdx, ArrayRef<Value> acc, Value mask) {
    if (level == plan.reductions.size()) {
      Value vShared;
      if (panel) {
        vShared = vector::LoadOp::create(b, loc, VectorType::get({nr}, b.getF32Type()), panel,
                                         panelIndices(b, loc));
      } else if (!vPerRow) {
        vShared = load(b, loc, vOperand, indices(b, loc, vMap, rowIdx[0]), mask, plan.vAccess);
      }
      Value sShared = sPerRow ? Value() : splat(b, loc, rowIdx[0]);
      SmallVector<Value> out;
      for (auto [r, v] : llvm::zip(rowIdx, acc)) {
        Value vv = vShared ? vShared
                           : load(b, loc, vOperand, indices(b, loc, vMap, r), mask, plan.vAccess);
        Value sv = sShared ? sShared : splat(b, loc, r);
        out.push_back(vector::FMAOp::create(b, loc, sv, vv, v));
      }
      return out;
    }
    unsigned d = plan.reductions[level];
    // A single row has one accumulator: each FMA waits for the previous one
    // (4 cycles), a quarter of the FMA units' throughput. Its innermost
    // reduction, when static and long enough, runs `unroll` independent
    // accumulators instead, summed after the loop (a decode step's matrix-
    // vector products).
    int64_t extent = op.getStaticLoopRanges()[d];
    if (acc.size() == 1 && unroll >= 2 && level + 1 == plan.reductions.size() &&
        !ShapedType::isDynamic(extent) && extent >= 2 * unroll)
      return reduceUnrolled(b, loc, level, extent, rowIdx, acc.front(), mask);
    auto loop = scf::ForOp::create(
        b, loc, cst(b, loc, 0), extents[d], cst(b, loc, 1), acc,
        [&](OpBuilder &nb, Location nloc, Value iv, ValueRange args) {
          ivs[d] = iv;
          SmallVector<Value> next = reduce(nb, nloc, level + 1, rowIdx, llvm::to_vector(args), mask);
          scf::YieldOp::create(nb, nloc, next);
        });
    return SmallVector<Value>(loop.getResults());
  }

  /// The innermost reduction `level` of a single row over `extent` steps:
  /// `unroll` accumulators, each taking every unroll-th step, then the rest
  /// of the steps on their sum.
  SmallVector<Value> reduceUnrolled(OpBuilder &b, Location loc, size_t level, int64_t extent,
                                    ArrayRef<SmallVector<Value>> rowIdx, Value acc, Value mask) {
    unsigned d = plan.reductions[level];
    auto vecTy = VectorType::get({nr}, b.getF32Type());
    Value zero = arith::ConstantOp::create(b, loc, vecTy, b.getZeroAttr(vecTy));
    SmallVector<Value> init(unroll, zero);
    init[0] = acc;
    int64_t main = extent / unroll * unroll;
    auto loop = scf::ForOp::create(
        b, loc, cst(b, loc, 0), cst(b, loc, main), cst(b, loc, unroll), init,
        [&](OpBuilder &nb, Location nloc, Value iv, ValueRange args) {
          SmallVector<Value> next;
          for (int64_t u = 0; u < unroll; ++u) {
            ivs[d] = u == 0 ? iv : arith::AddIOp::create(nb, nloc, iv, cst(nb, nloc, u)).getResult();
            next.push_back(reduce(nb, nloc, level + 1, rowIdx, {args[u]}, mask).front());
          }
          scf::YieldOp::create(nb, nloc, next);
        });
    // A balanced sum: (a0 + a1) + (a2 + a3).
    SmallVector<Value> parts(loop.getResults());
    while (parts.size() > 1) {
      SmallVector<Value> half;
      for (size_t i = 0; i + 1 < parts.size(); i += 2)
        half.push_back(arith::AddFOp::create(b, loc, parts[i], parts[i + 1]));
      if (parts.size() % 2)
        half.push_back(parts.back());
      parts = std::move(half);
    }
    if (main == extent)
      return parts;
    auto rest = scf::ForOp::create(
        b, loc, cst(b, loc, main), cst(b, loc, extent), cst(b, loc, 1), parts,
        [&](OpBuilder &nb, Location nloc, Value iv, ValueRange args) {
          ivs[d] = iv;
          scf::YieldOp::create(nb, nloc, reduce(nb, nloc, level + 1, rowIdx, llvm::to_vector(args), mask));
        });
    return SmallVector<Value>(rest.getResults());
  }

public:
  /// The vector operand packed at compile time (packedPanels), when it is
  /// constant: every row block reads its column tile's panel from it.
  memref::GlobalOp packed;

private:
  const Plan &plan;
  linalg::GenericOp op;
  int64_t mr, nr, mb, unroll;
  /// In the loop body: the packed global and the current column tile.
  Value packedBase, tileIndex;
  Value vOperand, sOperand, c;
  AffineMap vMap, sMap, cMap;
  bool vPerRow = false, sPerRow = false;
  /// The columns left in the current (partial) tile, in the masked branch.
  Value cols;
  /// The packed panel of the vector operand, while generating rows over it.
  Value panel;
  /// The accumulators' initial value when C's fill was folded in.
  Value init;
  /// Panels larger than this (a very long reduction) are not packed.
  static constexpr int64_t kMaxPanelBytes = 128 * 1024;
  SmallVector<Value> extents;
  /// The current value of every loop dim (n0: its tile base).
  SmallVector<Value> ivs;
};

struct VectorizeContractionsPass
    : public hybrid::impl::HybridVectorizeContractionsPassBase<VectorizeContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (mr < 1 || nr < 1 || mb < mr) {
      getOperation()->emitError() << "hybrid-vectorize-contractions: need mr >= 1, nr >= 1 "
                                     "and mb >= mr, got mr="
                                  << mr.getValue() << " nr=" << nr.getValue()
                                  << " mb=" << mb.getValue();
      return signalPassFailure();
    }
    // Constant operands are packed into new globals, which needs the module
    // (the pipeline runs this pass on it; nested under a function, nothing is
    // packed).
    auto module = dyn_cast<ModuleOp>(getOperation());
    std::optional<SymbolTable> symbols;
    if (module && pack)
      symbols.emplace(module);
    llvm::StringMap<memref::GlobalOp> packedByKey;
    llvm::SetVector<StringAttr> sources;
    std::vector<Plan> plans;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (std::optional<Plan> p = planFor(op)) {
        if (!epilogues)
          p->epilogue.reset();
        plans.push_back(*p);
      }
    });
    IRRewriter rewriter(&getContext());
    for (const Plan &p : plans) {
      // A vector dim shorter than a tile (a 7x7 depthwise convolution's 8
      // output columns) gets narrower tiles of more rows, the same number of
      // accumulator lanes: a 32-lane tile would leave 3/4 of them masked off.
      int64_t tileN = nr, tileM = mr, blockM = mb, unroll = kUnroll;
      SmallVector<int64_t> ranges = linalg::GenericOp(p.op).getStaticLoopRanges();
      int64_t n = ranges[p.n0];
      // (A power of two: LLVM splits vector<24xf32> badly; 4 lanes at least,
      // one SSE register.)
      if (!ShapedType::isDynamic(n) && std::max<int64_t>(4, llvm::PowerOf2Ceil(n)) < nr) {
        tileN = std::max<int64_t>(4, llvm::PowerOf2Ceil(n));
        tileM = std::min<int64_t>(16, mr * (nr / tileN));
        // No taller than the rows there are, nor shorter than the configured
        // microkernel. A dynamic row dim (the batch) counts as one: the
        // static ones (8 output rows) are what a block has at least.
        int64_t rows = 1;
        for (unsigned d : p.rowDims)
          if (!ShapedType::isDynamic(ranges[d]))
            rows *= ranges[d];
        tileM = std::min(tileM, std::max<int64_t>(mr, rows));
        blockM = std::max<int64_t>(mb, tileM);
      } else if (std::optional<int64_t> rows = staticRows(p, ranges); rows && *rows < mr) {
        // Fewer rows than a microkernel (a decode step's matrix-vector
        // product): mr x nr accumulators would leave mr - rows of them idle
        // and a single row's nr / 8 chains stall on the FMA latency. Wider
        // tiles keep about as many independent chains (a row of 64 lanes is
        // 8 on AVX2), and stream several cache lines of each B row. Four
        // column tiles at least are left for the thread pool.
        int64_t widen = int64_t(llvm::bit_floor(uint64_t(mr / std::max<int64_t>(1, *rows))));
        while (widen > 1 && !ShapedType::isDynamic(n) && n < 4 * nr * widen)
          widen /= 2;
        tileN = nr * widen;
        tileM = std::max<int64_t>(1, *rows);
        unroll = std::max<int64_t>(1, kUnroll / widen);
      }
      Generator gen(p, tileM, tileN, blockM, unroll);
      Value v = linalg::GenericOp(p.op).getDpsInputOperand(p.vInput)->get();
      if (symbols)
        if (memref::GlobalOp global = constantSource(p, *symbols))
          gen.packed = packedGlobal(p, global, tileN, *symbols, packedByKey, sources);
      bool packedHere = bool(gen.packed);
      gen.run(rewriter);
      // The original operand's views, now unread.
      while (packedHere && v) {
        Operation *def = v.getDefiningOp();
        if (!def || !def->use_empty() || !isa<ViewLikeOpInterface, memref::GetGlobalOp>(def))
          break;
        auto view = dyn_cast<ViewLikeOpInterface>(def);
        v = view ? view.getViewSource() : Value();
        rewriter.eraseOp(def);
      }
    }
    // Weights only the packed contractions read are no longer needed.
    for (StringAttr name : sources)
      if (auto global = symbols->lookup<memref::GlobalOp>(name))
        if (global.isPrivate() && SymbolTable::symbolKnownUseEmpty(global, module))
          symbols->erase(global);
  }

  /// The global of `global`'s data packed for `p` in tiles of `nr` lanes,
  /// made once per source, view and tile width; null when it cannot be.
  memref::GlobalOp packedGlobal(const Plan &p, memref::GlobalOp global, int64_t nr,
                                SymbolTable &symbols, llvm::StringMap<memref::GlobalOp> &cache,
                                llvm::SetVector<StringAttr> &sources) {
    linalg::GenericOp op = p.op;
    OpOperand *operand = op.getDpsInputOperand(p.vInput);
    std::string key;
    llvm::raw_string_ostream os(key);
    os << global.getSymName() << "|" << nr << "|" << operand->get().getType() << "|"
       << op.getMatchingIndexingMap(operand) << "|" << p.n0;
    for (unsigned d : p.reductions)
      os << "," << d;
    if (auto it = cache.find(key); it != cache.end())
      return it->second;
    SmallVector<int64_t> shape;
    std::optional<std::vector<float>> data = packedPanels(p, global, nr, shape);
    if (!data)
      return {};
    auto tensorType = RankedTensorType::get(shape, Float32Type::get(&getContext()));
    // A blob for a blob (the importer's weights), inline data otherwise.
    Attribute value;
    if (isa<DenseResourceElementsAttr>(*global.getInitialValue())) {
      ArrayRef<char> bytes(reinterpret_cast<const char *>(data->data()), data->size() * sizeof(float));
      auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(uint64_t));
      value = DenseResourceElementsAttr::get(tensorType, "contraction_panels", std::move(blob));
    } else {
      value = DenseElementsAttr::get(tensorType, ArrayRef<float>(*data));
    }
    OpBuilder b(global);
    b.setInsertionPointAfter(global);
    auto copy = memref::GlobalOp::create(
        b, global.getLoc(), (global.getSymName() + "_panels" + Twine(nr)).str(),
        b.getStringAttr("private"), MemRefType::get(shape, b.getF32Type()), value,
        /*constant=*/true, b.getI64IntegerAttr(64));
    symbols.insert(copy); // renames on a clash
    cache[key] = copy;
    sources.insert(global.getSymNameAttr());
    return copy;
  }
};

} // namespace
