//===- ControlFlow.cpp - Scan and If with their subgraphs -----------------===//
//
// Subgraph bodies become scf regions. A body's nodes are converted in place, after
// its arguments have been replaced by converted values (a loop's induction
// variable, its carried state, the slice of each scan input), so every converter
// works inside a body unchanged, and a body reads outer values directly.
//
// The result types of an scf op must be known when it is built, but a body's
// types are only known once it has been converted. So each converter first builds
// a scratch op of the same kind with the types it already knows (the carried
// state), converts the body inside it, then builds the real op with the full
// result types and moves the converted body over.
//
//   Scan-9+  -> scf.for over the scan axis; scan outputs are accumulated with
//               tensor.insert_slice. The accumulator is allocated before the loop,
//               so each dynamic dim of a per-iteration slice (a dynamic batch, say)
//               is reified in terms of values outside the body: the outer values,
//               the scan inputs and the initial states (whose shapes a body keeps).
//   Loop-1+  -> scf.while carrying the iteration number, the loop-carried values
//               and one accumulator per scan output. The condition checks the trip
//               count M and the condition value, each when the node has it. Scan
//               outputs are accumulated into [M, ...] (so they need M) and sliced to
//               the iterations that ran. The body's condition input reads true:
//               the body only runs while the condition holds (for the plain
//               M-bounded form, where the condition is ignored, it is not the
//               previous iteration's value).
//   If-11+   -> scf.if; branches whose shapes differ join to a dynamic type.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Transforms.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/ScopeExit.h"

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

Value idx(OpBuilder &b, Location loc, int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

/// The type both `a` and `b` can be cast to: same element type and rank, dims kept
/// where they agree and dynamic where they differ. Null when there is none.
Type joinTypes(Type a, Type b) {
  if (a == b)
    return a;
  auto ra = dyn_cast<RankedTensorType>(a), rb = dyn_cast<RankedTensorType>(b);
  if (!ra || !rb || ra.getElementType() != rb.getElementType() || ra.getRank() != rb.getRank())
    return nullptr;
  SmallVector<int64_t> shape;
  for (auto [x, y] : llvm::zip(ra.getShape(), rb.getShape()))
    shape.push_back(x == y ? x : ShapedType::kDynamic);
  return ra.clone(shape);
}

/// `v` cast to `type` (tensor.cast) when it differs.
Value castTo(OpBuilder &b, Location loc, Value v, Type type) {
  return v.getType() == type ? v : tensor::CastOp::create(b, loc, type, v).getResult();
}

/// Moves the operations of subgraph `from` to the end of `to`, replacing the
/// subgraph's arguments with `args`.
void spliceBody(Block &from, Block &to, ValueRange args) {
  for (auto [arg, v] : llvm::zip(from.getArguments(), args))
    arg.replaceAllUsesWith(v);
  to.getOperations().splice(to.end(), from.getOperations());
}

/// The 0-based slice `i` of `t` along `axis`, with that dim dropped.
Value sliceAt(OpBuilder &b, Location loc, Value t, int64_t axis, Value i) {
  SmallVector<OpFoldResult> offsets(rankOf(t), b.getIndexAttr(0)), sizes = mixedSizes(b, loc, t),
      strides(rankOf(t), b.getIndexAttr(1));
  offsets[axis] = i;
  sizes[axis] = b.getIndexAttr(1);
  SmallVector<int64_t> shape(tensorType(t).getShape());
  shape.erase(shape.begin() + axis);
  auto type = RankedTensorType::get(shape, elementTypeOf(t));
  return tensor::ExtractSliceOp::create(b, loc, type, t, offsets, sizes, strides);
}

/// Inserts `slice` (rank r - 1) into `dest` at position `i` of `axis`. A dynamic
/// dim of `slice` is checked at run time against `dest`'s, which was sized before
/// the loop.
Value insertAt(OpBuilder &b, Location loc, Value slice, Value dest, int64_t axis, Value i) {
  SmallVector<OpFoldResult> offsets(rankOf(dest), b.getIndexAttr(0)),
      sizes = mixedSizes(b, loc, dest), strides(rankOf(dest), b.getIndexAttr(1));
  for (int64_t j = 0; j < rankOf(slice); ++j) {
    if (!tensorType(slice).isDynamicDim(j))
      continue;
    int64_t dj = j < axis ? j : j + 1;
    Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tensor::DimOp::create(b, loc, slice, j),
                                     indexValue(b, loc, sizes[dj]));
    cf::AssertOp::create(b, loc, eq, "a scan output's size changed between iterations");
  }
  offsets[axis] = i;
  sizes[axis] = b.getIndexAttr(1);
  return tensor::InsertSliceOp::create(b, loc, slice, dest, offsets, sizes, strides);
}

/// The axes / directions attribute of a Scan, defaulting to zeros, each in range.
FailureOr<SmallVector<int64_t>> scanInts(OnnxNode &node, StringRef name, size_t count) {
  SmallVector<int64_t> v = node.getInts(name).value_or(SmallVector<int64_t>(count, 0));
  if (v.size() != count)
    return node.emitError() << name << " has " << v.size() << " entries, expected " << count,
           failure();
  return v;
}

/// The sizes of every per-iteration slice, computed before `scratch` (whose body
/// yields them) from values outside it. A dynamic dim is reified through the
/// value-bounds analysis, stopping at outer values and at the loop's carried
/// states, which are then read from their initial values `states`: a body keeps
/// the shape of its state. Dims that vary per iteration (depend on the induction
/// variable or on data) are errors.
FailureOr<SmallVector<SmallVector<OpFoldResult>>>
sliceSizesBeforeLoop(OnnxNode &node, scf::ForOp scratch, ValueRange states, ValueRange slices) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Block *sb = scratch.getBody();
  auto stop = [&](Value v, std::optional<int64_t>, ValueBoundsConstraintSet &) {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return arg.getOwner() == sb ? arg != scratch.getInductionVar()
                                  : !scratch->isAncestor(arg.getOwner()->getParentOp());
    return !scratch->isAncestor(v.getDefiningOp());
  };
  SmallVector<SmallVector<OpFoldResult>> all;
  for (auto [k, s] : llvm::enumerate(slices)) {
    auto t = dyn_cast<RankedTensorType>(s.getType());
    if (!t)
      return node.emitError() << "scan output " << k << " has unranked type " << s.getType(),
             failure();
    SmallVector<OpFoldResult> sizes;
    for (auto [d, size] : llvm::enumerate(t.getShape())) {
      if (!ShapedType::isDynamic(size)) {
        sizes.push_back(b.getIndexAttr(size));
        continue;
      }
      FailureOr<OpFoldResult> r =
          arith::reifyShapedValueDimBound(b, loc, presburger::BoundType::EQ, s, d, stop);
      if (failed(r))
        return node.emitError() << "scan output " << k << " has type " << s.getType()
                                << " per iteration, and dim " << d
                                << " cannot be computed before the loop (it varies per iteration)",
               failure();
      sizes.push_back(*r);
    }
    all.push_back(std::move(sizes));
  }
  // The reified sizes read the carried states; read their initial values instead.
  for (auto [arg, init] : llvm::zip(scratch.getRegionIterArgs(), states))
    arg.replaceUsesWithIf(init, [&](OpOperand &use) { return !scratch->isAncestor(use.getOwner()); });
  return all;
}

LogicalResult convertScan(OnnxNode &node, SmallVectorImpl<Value> &results) {
  Block *body = node.subgraph("body");
  if (!body)
    return node.emitError() << "has no body";
  int64_t m = node.getInt("num_scan_inputs", 0);
  int64_t numIn = node.numInputs();
  if (m < 1 || m > numIn)
    return node.emitError() << "num_scan_inputs is " << m << " with " << numIn << " inputs";
  int64_t n = numIn - m;
  auto yield = cast<hybrid::onnx::YieldOp>(body->getTerminator());
  int64_t k = static_cast<int64_t>(yield.getNumOperands()) - n;
  if (static_cast<int64_t>(body->getNumArguments()) != numIn || k < 0)
    return node.emitError() << "the body takes " << body->getNumArguments() << " inputs and gives "
                            << yield.getNumOperands() << " outputs; the node has " << n
                            << " state and " << m << " scan inputs";
  if (n + k == 0)
    return node.emitError() << "has no outputs";
  FailureOr<SmallVector<int64_t>> inAxes = scanInts(node, "scan_input_axes", m),
                                  inDirs = scanInts(node, "scan_input_directions", m),
                                  outAxes = scanInts(node, "scan_output_axes", k),
                                  outDirs = scanInts(node, "scan_output_directions", k);
  if (failed(inAxes) || failed(inDirs) || failed(outAxes) || failed(outDirs))
    return failure();

  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<Value> states, scans;
  for (int64_t i = 0; i < numIn; ++i) {
    FailureOr<Value> v = node.rankedInput(i, i < n ? "initial state" : "scan input");
    if (failed(v))
      return failure();
    (i < n ? states : scans).push_back(*v);
  }
  // The sequence length, from the first scan input; the others must agree.
  OpFoldResult len;
  for (auto [j, s] : llvm::enumerate(scans)) {
    FailureOr<int64_t> axis = normalizeAxis(node, (*inAxes)[j], rankOf(s), "scan_input_axes");
    if (failed(axis))
      return failure();
    (*inAxes)[j] = *axis;
    OpFoldResult l = mixedSizes(b, loc, s)[*axis];
    if (j == 0) {
      len = l;
      continue;
    }
    auto c0 = getConstantIntValue(len), c1 = getConstantIntValue(l);
    if (c0 && c1 && *c0 != *c1)
      return node.emitError() << "scan inputs 0 and " << j << " have lengths " << *c0 << " and "
                              << *c1;
  }
  Value zero = idx(b, loc, 0), one = idx(b, loc, 1), t = indexValue(b, loc, len);
  Value last = arith::SubIOp::create(b, loc, t, one);

  // Scratch loop: converts the body with the state types known up front.
  auto scratch = scf::ForOp::create(b, loc, zero, t, one, states);
  Block &sb = *scratch.getBody();
  SmallVector<Value> args(scratch.getRegionIterArgs());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&sb);
    Value iv = scratch.getInductionVar();
    Value rev = arith::SubIOp::create(b, loc, last, iv);
    for (auto [j, s] : llvm::enumerate(scans))
      args.push_back(sliceAt(b, loc, s, (*inAxes)[j], (*inDirs)[j] ? rev : iv));
  }
  spliceBody(*body, sb, args);
  if (failed(node.convertSubgraph(sb)))
    return failure();
  yield = cast<hybrid::onnx::YieldOp>(sb.getTerminator());
  SmallVector<Value> newStates(yield.getOperands().take_front(n)),
      slices(yield.getOperands().drop_front(n));
  for (auto [i, s] : llvm::enumerate(newStates))
    if (!tensor::CastOp::areCastCompatible(s.getType(), states[i].getType()))
      return node.emitError() << "state " << i << " enters the body as " << states[i].getType()
                              << " and leaves it as " << s.getType();
  FailureOr<SmallVector<SmallVector<OpFoldResult>>> sliceSizes =
      sliceSizesBeforeLoop(node, scratch, states, slices);
  if (failed(sliceSizes))
    return failure();

  // The real loop carries the states and one accumulator per scan output.
  SmallVector<Value> inits(states);
  for (auto [kk, s] : llvm::enumerate(slices)) {
    auto st = cast<RankedTensorType>(s.getType());
    FailureOr<int64_t> axis =
        normalizeAxis(node, (*outAxes)[kk], st.getRank() + 1, "scan_output_axes");
    if (failed(axis))
      return failure();
    (*outAxes)[kk] = *axis;
    SmallVector<OpFoldResult> sizes = (*sliceSizes)[kk];
    sizes.insert(sizes.begin() + *axis, len);
    inits.push_back(emptyTensor(b, loc, sizes, st.getElementType()));
  }
  auto loop = scf::ForOp::create(b, loc, zero, t, one, inits);
  Block &lb = *loop.getBody();
  SmallVector<Value> replacements = {loop.getInductionVar()};
  for (int64_t i = 0; i < n; ++i)
    replacements.push_back(loop.getRegionIterArgs()[i]);
  spliceBody(sb, lb, replacements);
  // The yielded values again: those that were the scratch loop's arguments now
  // are the real loop's.
  newStates.assign(yield.getOperands().begin(), yield.getOperands().begin() + n);
  slices.assign(yield.getOperands().begin() + n, yield.getOperands().end());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(yield);
    Value iv = loop.getInductionVar();
    Value rev = arith::SubIOp::create(b, loc, last, iv);
    SmallVector<Value> yielded;
    for (auto [i, s] : llvm::enumerate(newStates))
      yielded.push_back(castTo(b, loc, s, states[i].getType()));
    for (auto [kk, s] : llvm::enumerate(slices))
      yielded.push_back(insertAt(b, loc, s, loop.getRegionIterArgs()[n + kk], (*outAxes)[kk],
                                 (*outDirs)[kk] ? rev : iv));
    scf::YieldOp::create(b, loc, yielded);
  }
  yield.erase();
  scratch.erase();
  results.append(loop.getResults().begin(), loop.getResults().end());
  return success();
}

/// The scalar i1 of a one-element bool tensor (If's cond, Loop's cond).
FailureOr<Value> conditionScalar(OnnxNode &node, Value cond, StringRef what) {
  auto t = tensorType(cond);
  if (!t.getElementType().isInteger(1) || !t.hasStaticShape() || t.getNumElements() != 1)
    return node.emitError() << what << " must be a one-element bool tensor, got " << cond.getType(),
           failure();
  OpBuilder &b = node.builder();
  SmallVector<Value> at;
  if (t.getRank())
    at.assign(t.getRank(), idx(b, node.loc(), 0));
  return tensor::ExtractOp::create(b, node.loc(), cond, at).getResult();
}

LogicalResult convertIf(OnnxNode &node, SmallVectorImpl<Value> &results) {
  Block *thenBody = node.subgraph("then_branch"), *elseBody = node.subgraph("else_branch");
  if (!thenBody || !elseBody)
    return node.emitError() << "needs then_branch and else_branch";
  FailureOr<Value> condT = node.rankedInput(0, "cond");
  if (failed(condT))
    return failure();
  FailureOr<Value> cond = conditionScalar(node, *condT, "cond");
  if (failed(cond))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  // Scratch if: both branches converted in place.
  auto scratch = scf::IfOp::create(b, loc, TypeRange{}, *cond, /*withElseRegion=*/true);
  Block *scratchBlocks[2] = {scratch.thenBlock(), scratch.elseBlock()};
  Block *bodies[2] = {thenBody, elseBody};
  SmallVector<Value> yielded[2];
  for (int br = 0; br < 2; ++br) {
    scratchBlocks[br]->getTerminator()->erase();
    spliceBody(*bodies[br], *scratchBlocks[br], {});
    if (failed(node.convertSubgraph(*scratchBlocks[br])))
      return failure();
    yielded[br] = SmallVector<Value>(scratchBlocks[br]->getTerminator()->getOperands());
  }
  if (yielded[0].size() != yielded[1].size())
    return node.emitError() << "then_branch gives " << yielded[0].size()
                            << " outputs, else_branch " << yielded[1].size();
  SmallVector<Type> types;
  for (auto [i, pair] : llvm::enumerate(llvm::zip(yielded[0], yielded[1]))) {
    Type j = joinTypes(std::get<0>(pair).getType(), std::get<1>(pair).getType());
    if (!j)
      return node.emitError() << "output " << i << " is " << std::get<0>(pair).getType()
                              << " in then_branch and " << std::get<1>(pair).getType()
                              << " in else_branch";
    types.push_back(j);
  }
  auto op = scf::IfOp::create(b, loc, types, *cond, /*withElseRegion=*/true);
  Block *blocks[2] = {op.thenBlock(), op.elseBlock()};
  for (int br = 0; br < 2; ++br) {
    Operation *oldYield = scratchBlocks[br]->getTerminator();
    blocks[br]->getOperations().splice(blocks[br]->end(), scratchBlocks[br]->getOperations());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(oldYield);
    SmallVector<Value> vals;
    for (auto [v, ty] : llvm::zip(yielded[br], types))
      vals.push_back(castTo(b, loc, v, ty));
    scf::YieldOp::create(b, loc, vals);
    oldYield->erase();
  }
  scratch.erase();
  results.append(op.getResults().begin(), op.getResults().end());
  return success();
}

/// The index value of a one-element integer tensor (Loop's M).
Value scalarIndex(OpBuilder &b, Location loc, Value t) {
  SmallVector<Value> at(rankOf(t), idx(b, loc, 0));
  Value v = tensor::ExtractOp::create(b, loc, t, at);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

LogicalResult convertLoop(OnnxNode &node, SmallVectorImpl<Value> &results) {
  Block *body = node.subgraph("body");
  if (!body)
    return node.emitError() << "has no body";
  int64_t numIn = node.numInputs();
  if (numIn < 2)
    return node.emitError() << "needs the M and cond inputs (either may be empty)";
  int64_t n = numIn - 2;
  auto yield = cast<hybrid::onnx::YieldOp>(body->getTerminator());
  int64_t k = static_cast<int64_t>(yield.getNumOperands()) - 1 - n;
  if (static_cast<int64_t>(body->getNumArguments()) != 2 + n || k < 0)
    return node.emitError() << "the body takes " << body->getNumArguments() << " inputs and gives "
                            << yield.getNumOperands() << " outputs; the node carries " << n
                            << " values (the body needs 2 + " << n << " inputs and 1 + " << n
                            << " + scan outputs)";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value tripCount, condInit;
  if (node.hasInput(0)) {
    FailureOr<Value> m = node.rankedInput(0, "M");
    if (failed(m))
      return failure();
    auto mt = tensorType(*m);
    if (!mt.getElementType().isInteger(64) || !mt.hasStaticShape() || mt.getNumElements() != 1)
      return node.emitError() << "M must be a one-element int64 tensor, got " << m->getType();
    tripCount = scalarIndex(b, loc, *m);
  }
  if (node.hasInput(1)) {
    FailureOr<Value> c = node.rankedInput(1, "cond");
    if (failed(c))
      return failure();
    FailureOr<Value> cv = conditionScalar(node, *c, "cond");
    if (failed(cv))
      return failure();
    condInit = *cv;
  }
  if (!tripCount && !condInit)
    return node.emitError() << "has neither a trip count nor a condition (an infinite loop)";
  if (k > 0 && node.hasInput(0))
    if (auto m = node.constantInts(0); m && !m->empty() && ((*m)[0] < 0 || (*m)[0] > (int64_t{1} << 31)))
      return node.emitError() << "has " << k << " scan outputs and a trip count M of " << (*m)[0]
                              << ", which cannot size them (the loop runs until its condition)";
  if (!tripCount && k > 0)
    return node.emitError() << "has " << k
                            << " scan outputs but no trip count M to size them (a condition-only "
                               "loop with scan outputs is not supported)";
  SmallVector<Value> states;
  for (int64_t i = 0; i < n; ++i) {
    FailureOr<Value> v = node.rankedInput(2 + i, "v_initial");
    if (failed(v))
      return failure();
    states.push_back(*v);
  }
  Value zero = idx(b, loc, 0), one = idx(b, loc, 1);

  // Scratch loop: converts the body with the iteration number and the condition
  // standing for the loop's values (the trip count only bounds the scratch loop).
  // A loop-carried value may change shape between iterations (an accumulator
  // grown by Concat, as onnxscript writes a for loop): when the body gives one
  // back with another type than it took, the body is converted again, from a
  // pristine copy, with the carried value's type widened to cover both.
  Region pristine;
  node.cloneSubgraph(*body->getParent(), pristine);
  std::unique_ptr<Region> copy; // the body for a retry, cloned from `pristine`
  llvm::scope_exit forgetCopies([&] {
    node.forgetOps(pristine);
    if (copy)
      node.forgetOps(*copy);
  });
  Block *src = body;
  scf::ForOp scratch;
  Value condOut;
  SmallVector<Value> newStates, slices;
  for (int attempt = 0;; ++attempt) {
    scratch = scf::ForOp::create(b, loc, zero, tripCount ? tripCount : one, one, states);
    Block &sb = *scratch.getBody();
    SmallVector<Value> args;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&sb);
      Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), scratch.getInductionVar());
      args.push_back(tensor::FromElementsOp::create(b, loc, RankedTensorType::get({}, b.getI64Type()),
                                                    ValueRange{i64}));
      Value t = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
      args.push_back(tensor::FromElementsOp::create(b, loc, RankedTensorType::get({}, b.getI1Type()),
                                                    ValueRange{t}));
    }
    llvm::append_range(args, scratch.getRegionIterArgs());
    spliceBody(*src, sb, args);
    if (failed(node.convertSubgraph(sb)))
      return failure();
    yield = cast<hybrid::onnx::YieldOp>(sb.getTerminator());
    condOut = yield.getOperand(0);
    newStates.assign(yield.getOperands().begin() + 1, yield.getOperands().begin() + 1 + n);
    slices.assign(yield.getOperands().begin() + 1 + n, yield.getOperands().end());
    bool widened = false;
    for (auto [i, s] : llvm::enumerate(newStates)) {
      Type joined = joinTypes(s.getType(), states[i].getType());
      if (!joined)
        return node.emitError() << "loop-carried value " << i << " enters the body as "
                                << states[i].getType() << " and leaves it as " << s.getType();
      if (joined != states[i].getType()) {
        states[i] = castTo(b, loc, states[i], joined);
        widened = true;
      }
    }
    if (!widened)
      break;
    if (attempt == 2 || pristine.empty())
      return node.emitError() << "the types of its loop-carried values do not settle";
    node.forgetOps(scratch.getRegion());
    scratch.erase();
    if (copy)
      node.forgetOps(*copy);
    copy = std::make_unique<Region>();
    node.cloneSubgraph(pristine, *copy);
    src = &copy->front();
  }
  Block &sb = *scratch.getBody();
  FailureOr<SmallVector<SmallVector<OpFoldResult>>> sliceSizes =
      sliceSizesBeforeLoop(node, scratch, states, slices);
  if (failed(sliceSizes))
    return failure();

  // The real loop: (iteration, condition, carried values..., accumulators...).
  SmallVector<Value> inits = {zero, condInit ? condInit : arith::ConstantOp::create(b, loc, b.getBoolAttr(true)).getResult()};
  llvm::append_range(inits, states);
  for (auto [kk, s] : llvm::enumerate(slices)) {
    SmallVector<OpFoldResult> sizes = (*sliceSizes)[kk];
    sizes.insert(sizes.begin(), tripCount);
    inits.push_back(emptyTensor(b, loc, sizes, elementTypeOf(s)));
  }
  SmallVector<Type> types = llvm::to_vector(ValueRange(inits).getTypes());
  SmallVector<Location> locs(types.size(), loc);
  auto loop = scf::WhileOp::create(b, loc, types, inits);
  {
    OpBuilder::InsertionGuard guard(b);
    Block *before = b.createBlock(&loop.getBefore(), {}, types, locs);
    Value go = before->getArgument(1);
    if (tripCount) {
      Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, before->getArgument(0), tripCount);
      go = condInit ? arith::AndIOp::create(b, loc, go, inRange).getResult() : inRange;
    }
    scf::ConditionOp::create(b, loc, go, before->getArguments());
  }
  Block *after = b.createBlock(&loop.getAfter(), {}, types, locs);
  b.setInsertionPointAfter(loop);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(after);
    Value iv = after->getArgument(0);
    SmallVector<Value> replacements = {iv};
    llvm::append_range(replacements, after->getArguments().slice(2, n));
    spliceBody(sb, *after, replacements);
    // The yielded values again: those that were the scratch loop's arguments
    // now are the real loop's.
    condOut = yield.getOperand(0);
    newStates.assign(yield.getOperands().begin() + 1, yield.getOperands().begin() + 1 + n);
    slices.assign(yield.getOperands().begin() + 1 + n, yield.getOperands().end());
    b.setInsertionPoint(yield);
    SmallVector<Value> yielded = {arith::AddIOp::create(b, loc, iv, one)};
    if (condInit) {
      FailureOr<Value> c = conditionScalar(node, condOut, "the body's condition output");
      if (failed(c))
        return failure();
      yielded.push_back(*c);
    } else {
      yielded.push_back(after->getArgument(1));
    }
    for (auto [i, s] : llvm::enumerate(newStates))
      yielded.push_back(castTo(b, loc, s, states[i].getType()));
    for (auto [kk, s] : llvm::enumerate(slices))
      yielded.push_back(insertAt(b, loc, s, after->getArgument(2 + n + kk), 0, iv));
    scf::YieldOp::create(b, loc, yielded);
  }
  yield.erase();
  scratch.erase();
  for (int64_t i = 0; i < n; ++i)
    results.push_back(loop.getResult(2 + i));
  // Scan outputs: the iterations that ran.
  Value count = loop.getResult(0);
  for (int64_t kk = 0; kk < k; ++kk) {
    Value acc = loop.getResult(2 + n + kk);
    SmallVector<OpFoldResult> offsets(rankOf(acc), b.getIndexAttr(0)), sizes = mixedSizes(b, loc, acc),
        strides(rankOf(acc), b.getIndexAttr(1));
    sizes[0] = count;
    results.push_back(tensor::ExtractSliceOp::create(b, loc, acc, offsets, sizes, strides));
  }
  return success();
}

} // namespace

void hybrid::onnx_conv::populateControlFlowConverters(ConverterTable &t) {
  t.add("", "Scan", 9, convertScan);
  t.add("", "If", 1, convertIf);
  t.add("", "Loop", 1, convertLoop);
}
