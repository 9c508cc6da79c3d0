//===- FoldConstants.cpp - hybrid-fold-constants --------------------------===//
//
// Evaluates at compile time the linalg ops on tensors whose inputs are all
// constants, the way onnxruntime folds constant subgraphs when it loads a
// model: a relative-position bias gathered from its table by constant
// indices and transposed to [heads, S, S] (CoAtNet, Swin, T5) becomes one
// constant instead of two kernels per call.
//
// An op qualifies when every input is a dense constant, every output starts
// from a constant or from a tensor.empty its body never reads, its loop
// ranges are static and its iteration space and results are small (at most
// `max-elements` points and result elements). The body is interpreted point
// by point through the ops' own folders (`Operation::fold` with constant
// operands), so whatever arith, math and tensor.extract fold, this evaluates,
// with the same semantics; linalg.index gives the point, and a cf.assert
// must fold to true (an out-of-range Gather index stays a run-time error).
// When any op of the body does not fold for some point, the op is left as it
// is.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDFOLDCONSTANTSPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
/// Element `linear` (row-major) of a constant tensor, inline or a
/// dense_resource blob; null for anything else.
Attribute elementAt(Attribute attr, int64_t linear) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return dense.isSplat() ? dense.getSplatValue<Attribute>()
                           : dense.getValues<Attribute>()[linear];
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return {};
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  Type elem = resource.getType().getElementType();
  if (!blob || !elem.isIntOrFloat() || elem.getIntOrFloatBitWidth() % 8 != 0)
    return {};
  unsigned bytes = elem.getIntOrFloatBitWidth() / 8;
  ArrayRef<char> data = blob->getData();
  if (static_cast<int64_t>(data.size()) < (linear + 1) * static_cast<int64_t>(bytes))
    return {};
  uint64_t word = 0;
  std::memcpy(&word, data.data() + linear * bytes, bytes); // little-endian host
  APInt bits(elem.getIntOrFloatBitWidth(), word);
  if (auto f = dyn_cast<FloatType>(elem))
    return FloatAttr::get(f, APFloat(f.getFloatSemantics(), bits));
  return IntegerAttr::get(elem, bits);
}

/// The constant `v` holds: an `arith.constant`, or a linalg.fill of a
/// constant scalar (a splat), which this pass keeps as a fill where it is an
/// op's destination (see tryFold) but still folds into its consumers.
Attribute constantOf(Value v) {
  Attribute attr;
  if (matchPattern(v, m_Constant(&attr)))
    return attr;
  auto fill = v.getDefiningOp<linalg::FillOp>();
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!fill || !fill.hasPureTensorSemantics() || !type || !type.hasStaticShape() ||
      !matchPattern(fill.getInputs()[0], m_Constant(&attr)) || !isa<FloatAttr, IntegerAttr>(attr) ||
      cast<TypedAttr>(attr).getType() != type.getElementType()) // a fill that converts
    return {};
  return DenseElementsAttr::get(type, attr);
}

/// Whether some linalg op writes into `v` (its destination operand): a
/// contraction's zero-filled accumulator. A fill there costs what the copy of
/// a constant would, without the constant's bytes in the binary, and lets
/// hybrid-vectorize-contractions start the accumulators from its value.
bool isDestination(Value v) {
  return llvm::any_of(v.getUses(), [](OpOperand &use) {
    auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
    return dps && dps.isDpsInit(&use);
  });
}

/// Row-major linear index of `idx` in `shape`.
int64_t linearize(ArrayRef<int64_t> idx, ArrayRef<int64_t> shape) {
  int64_t linear = 0;
  for (auto [i, s] : llvm::zip(idx, shape))
    linear = linear * s + i;
  return linear;
}

struct Evaluator {
  linalg::LinalgOp op;
  SmallVector<Attribute> inputs; // a DenseElementsAttr, or a scalar's attribute
  SmallVector<SmallVector<Attribute>> outputs; // per init, row-major elements
  SmallVector<RankedTensorType> outputTypes;

  /// The value of `v` at the current point: from `env`, else a constant from
  /// above the op.
  static Attribute valueOf(Value v, const DenseMap<Value, Attribute> &env) {
    if (Attribute a = env.lookup(v))
      return a;
    Attribute a;
    if (matchPattern(v, m_Constant(&a)))
      return a;
    return {};
  }

  /// Runs the body at `point`; false when some op does not fold.
  bool step(ArrayRef<int64_t> point) {
    Block *body = op.getBlock();
    DenseMap<Value, Attribute> env;
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    unsigned numInputs = op.getNumDpsInputs();
    SmallVector<SmallVector<int64_t>> outIdx;
    for (auto [i, arg] : llvm::enumerate(body->getArguments())) {
      SmallVector<int64_t> idx = maps[i].compose(point);
      if (i < numInputs) {
        if (arg.use_empty())
          continue;
        auto in = dyn_cast<ElementsAttr>(inputs[i]);
        Attribute a = in ? elementAt(in, linearize(idx, in.getShapedType().getShape()))
                         : inputs[i]; // a scalar operand (linalg.fill's value)
        if (!a)
          return false;
        env[arg] = a;
      } else {
        unsigned o = i - numInputs;
        outIdx.push_back(idx);
        if (arg.use_empty())
          continue;
        Attribute a = outputs[o][linearize(idx, outputTypes[o].getShape())];
        if (!a)
          return false; // reads an uninitialised output
        env[arg] = a;
      }
    }
    MLIRContext *ctx = op.getContext();
    for (Operation &inner : *body) {
      if (auto yield = dyn_cast<linalg::YieldOp>(inner)) {
        for (auto [o, v] : llvm::enumerate(yield.getOperands())) {
          Attribute a = valueOf(v, env);
          if (!a)
            return false;
          outputs[o][linearize(outIdx[o], outputTypes[o].getShape())] = a;
        }
        return true;
      }
      if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
        env[index] = IntegerAttr::get(IndexType::get(ctx), point[index.getDim()]);
        continue;
      }
      if (auto check = dyn_cast<cf::AssertOp>(inner)) {
        auto ok = dyn_cast_or_null<BoolAttr>(valueOf(check.getArg(), env));
        auto okInt = dyn_cast_or_null<IntegerAttr>(valueOf(check.getArg(), env));
        if (!(ok ? ok.getValue() : okInt && okInt.getValue().isOne()))
          return false;
        continue;
      }
      if (inner.getNumResults() != 1 || inner.getNumRegions() != 0)
        return false;
      SmallVector<Attribute> operands;
      for (Value v : inner.getOperands()) {
        Attribute a = valueOf(v, env);
        if (!a)
          return false;
        operands.push_back(a);
      }
      SmallVector<OpFoldResult> results;
      if (auto extract = dyn_cast<tensor::ExtractOp>(inner)) {
        // Read here rather than through the folder, which takes only inline
        // dense constants (a table is usually a dense_resource).
        SmallVector<int64_t> idx;
        for (Attribute a : ArrayRef(operands).drop_front()) {
          auto i = dyn_cast<IntegerAttr>(a);
          if (!i)
            return false;
          idx.push_back(i.getInt());
        }
        auto shape = extract.getTensor().getType().getShape();
        for (auto [i, n] : llvm::zip(idx, shape))
          if (i < 0 || i >= n)
            return false;
        Attribute r = elementAt(operands[0], linearize(idx, shape));
        if (!r)
          return false;
        env[inner.getResult(0)] = r;
        continue;
      }
      if (failed(inner.fold(operands, results)) || results.size() != 1)
        return false;
      Attribute r;
      if (auto a = dyn_cast<Attribute>(results[0]))
        r = a;
      else
        r = valueOf(cast<Value>(results[0]), env);
      // Only plain scalars travel: a folder may return a typed attribute of
      // another kind (a poison value, a range) that no element can hold.
      if (!isa_and_nonnull<FloatAttr, IntegerAttr>(r))
        return false;
      env[inner.getResult(0)] = r;
    }
    return false;
  }
};

struct FoldConstantsPass
    : public hybrid::impl::HybridFoldConstantsPassBase<FoldConstantsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation()->walk([&](linalg::LinalgOp op) { candidates.push_back(op); });
    // In program order, so a folded producer makes its consumers constant.
    for (linalg::LinalgOp op : candidates)
      tryFold(op);
  }

  void tryFold(linalg::LinalgOp op) {
    if (!op.hasPureTensorSemantics() || op->getNumResults() != op.getNumDpsInits())
      return;
    if (isa<linalg::FillOp>(op) && isDestination(op->getResult(0)))
      return;
    Evaluator ev{op, {}, {}, {}};
    for (OpOperand *in : op.getDpsInputOperands()) {
      Attribute attr = constantOf(in->get());
      if (!attr || !isa<DenseElementsAttr, DenseResourceElementsAttr, FloatAttr, IntegerAttr>(attr) ||
          isa<ShapedType>(in->get().getType()) != isa<ElementsAttr>(attr))
        return;
      ev.inputs.push_back(attr);
    }
    int64_t resultElements = 0;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      auto type = dyn_cast<RankedTensorType>(init.get().getType());
      if (!type || !type.hasStaticShape() ||
          !(type.getElementType().isIntOrIndexOrFloat()))
        return;
      resultElements += type.getNumElements();
      ev.outputTypes.push_back(type);
      Attribute attr = constantOf(init.get());
      if (isa_and_nonnull<DenseElementsAttr, DenseResourceElementsAttr>(attr)) {
        SmallVector<Attribute> &elements = ev.outputs.emplace_back();
        for (int64_t e = 0; e < type.getNumElements(); ++e) {
          elements.push_back(elementAt(attr, e));
          if (!elements.back())
            return;
        }
      } else if (init.get().getDefiningOp<tensor::EmptyOp>()) {
        ev.outputs.emplace_back(type.getNumElements(), Attribute());
      } else {
        return;
      }
    }
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t points = 1;
    for (int64_t r : ranges) {
      if (ShapedType::isDynamic(r))
        return;
      points *= r;
      if (points > maxElements)
        return;
    }
    if (resultElements > maxElements)
      return;

    // Every point of the iteration space, the last dim fastest.
    SmallVector<int64_t> point(ranges.size(), 0);
    for (int64_t p = 0; p < points; ++p) {
      if (!ev.step(point))
        return;
      for (int d = static_cast<int>(point.size()) - 1; d >= 0; --d) {
        if (++point[d] < ranges[d])
          break;
        point[d] = 0;
      }
    }
    for (auto &elements : ev.outputs)
      if (llvm::any_of(elements, [](Attribute a) { return !a; }))
        return; // an output element no point wrote

    OpBuilder b(op);
    for (auto [i, result] : llvm::enumerate(op->getResults())) {
      auto attr = DenseElementsAttr::get(ev.outputTypes[i], ev.outputs[i]);
      result.replaceAllUsesWith(arith::ConstantOp::create(b, op.getLoc(), attr));
    }
    op->erase();
  }
};
} // namespace
