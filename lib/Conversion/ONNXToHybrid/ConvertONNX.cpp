//===- ConvertONNX.cpp - the onnx.node conversion driver ------------------===//
//
// `hybrid-convert-onnx`: checks that every node has a converter (listing all that
// do not, at once), then converts the nodes in program order. Converting in order
// is what makes shape inference work: by the time a node is converted, its inputs
// are already converted values with inferred ranked types.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/ConvertONNX.h"
#include "lib/Conversion/ONNXToHybrid/Passes.h"

#include "dialects/Hybrid/IR/HybridDialect.h"
#include "dialects/Hybrid/IR/HybridUtils.h"
#include "dialects/ONNX/IR/ONNXDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <cstring>
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

namespace hybrid {
#define GEN_PASS_DEF_CONVERTONNX
#include "lib/Conversion/ONNXToHybrid/Passes.h.inc"
} // namespace hybrid

using namespace mlir;
using namespace hybrid;
using namespace hybrid::onnx_conv;

//===----------------------------------------------------------------------===//
// OnnxNode
//===----------------------------------------------------------------------===//

std::string OnnxNode::describe() {
  std::string s = "node ";
  if (auto name = op.getName())
    s += "'" + name->str() + "' ";
  return s + "(" + op.getDisplayName() + ")";
}

Block *OnnxNode::subgraph(StringRef name) {
  auto names = op.getRegionNames();
  if (!names)
    return nullptr;
  for (auto [i, n] : llvm::enumerate(names->getAsValueRange<StringAttr>()))
    if (n == name)
      return &op.getSubgraphs()[i].front();
  return nullptr;
}

InFlightDiagnostic OnnxNode::emitError() {
  return op.emitError() << describe() << ": ";
}

Value OnnxNode::input(unsigned i) {
  if (i >= numInputs())
    return nullptr;
  Value v = op.getInputs()[i];
  return isa<NoneType>(v.getType()) ? Value() : v;
}

FailureOr<Value> OnnxNode::rankedInput(unsigned i, StringRef what) {
  Value v = input(i);
  if (!v)
    return emitError() << "input " << i << " (" << what << ") is required", failure();
  if (!isa<RankedTensorType>(v.getType()))
    return emitError() << "input " << i << " (" << what << ") has type " << v.getType()
                       << "; a ranked tensor is needed (pin its shape with --input-shape)",
           failure();
  return v;
}

static bool isUnsignedType(Type t) {
  if (auto shaped = dyn_cast<ShapedType>(t))
    t = shaped.getElementType();
  return t.isUnsignedInteger();
}

bool OnnxNode::isUnsignedInput(unsigned i) {
  if (i < originalTypes.size() && isUnsignedType(originalTypes[i]))
    return true;
  Value v = input(i);
  return v && unsignedValues.contains(v);
}

bool OnnxNode::isUnsignedOutput(unsigned i) {
  return unsignedOutputs[i] || isUnsignedType(op.getOutputs()[i].getType());
}

void OnnxNode::badAttr(StringRef name, StringRef want) {
  emitError() << "attribute '" << name << "' must be " << want << ", got "
              << getAttr(name);
  attrError = true;
}

std::optional<int64_t> OnnxNode::getInt(StringRef name) {
  Attribute a = getAttr(name);
  if (!a)
    return std::nullopt;
  if (auto i = dyn_cast<IntegerAttr>(a))
    return i.getInt();
  badAttr(name, "an integer");
  return std::nullopt;
}

int64_t OnnxNode::getInt(StringRef name, int64_t dflt) {
  return getInt(name).value_or(dflt);
}

std::optional<float> OnnxNode::getFloat(StringRef name) {
  Attribute a = getAttr(name);
  if (!a)
    return std::nullopt;
  if (auto f = dyn_cast<FloatAttr>(a))
    return static_cast<float>(f.getValueAsDouble());
  // Hand-written files sometimes give an integer where a float is meant.
  if (auto i = dyn_cast<IntegerAttr>(a))
    return static_cast<float>(i.getInt());
  badAttr(name, "a float");
  return std::nullopt;
}

float OnnxNode::getFloat(StringRef name, float dflt) {
  return getFloat(name).value_or(dflt);
}

std::string OnnxNode::getString(StringRef name, StringRef dflt) {
  Attribute a = getAttr(name);
  if (!a)
    return dflt.str();
  if (auto s = dyn_cast<StringAttr>(a))
    return s.str();
  badAttr(name, "a string");
  return dflt.str();
}

std::optional<SmallVector<int64_t>> OnnxNode::getInts(StringRef name) {
  Attribute a = getAttr(name);
  if (!a)
    return std::nullopt;
  if (auto arr = dyn_cast<DenseI64ArrayAttr>(a))
    return SmallVector<int64_t>(arr.asArrayRef());
  if (auto i = dyn_cast<IntegerAttr>(a))
    return SmallVector<int64_t>{i.getInt()};
  badAttr(name, "a list of integers");
  return std::nullopt;
}

std::optional<SmallVector<float>> OnnxNode::getFloats(StringRef name) {
  Attribute a = getAttr(name);
  if (!a)
    return std::nullopt;
  if (auto arr = dyn_cast<DenseF32ArrayAttr>(a))
    return SmallVector<float>(arr.asArrayRef());
  badAttr(name, "a list of floats");
  return std::nullopt;
}

/// The elements of a constant, whether inline or a dense_resource blob.
static std::optional<SmallVector<APInt>> constantIntElements(Value v) {
  ElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (!attr.getElementType().isInteger())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr))
    return SmallVector<APInt>(dense.getValues<APInt>());
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    unsigned bits = attr.getElementType().getIntOrFloatBitWidth();
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob || bits % 8)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    int64_t n = attr.getNumElements();
    if (static_cast<int64_t>(data.size()) != n * bits / 8)
      return std::nullopt;
    SmallVector<APInt> out;
    for (int64_t i = 0; i < n; ++i) {
      uint64_t word = 0;
      memcpy(&word, data.data() + i * bits / 8, bits / 8);
      out.push_back(APInt(bits, word));
    }
    return out;
  }
  return std::nullopt;
}

std::optional<SmallVector<int64_t>> OnnxNode::constantInts(unsigned i) {
  Value v = input(i);
  if (!v)
    return std::nullopt;
  auto elems = constantIntElements(v);
  if (!elems)
    return std::nullopt;
  bool isUnsigned = isUnsignedInput(i);
  SmallVector<int64_t> out;
  for (const APInt &e : *elems)
    out.push_back(e.getBitWidth() == 1 ? e.getZExtValue()
                  : isUnsigned         ? static_cast<int64_t>(e.getZExtValue())
                                       : e.getSExtValue());
  return out;
}

std::optional<SmallVector<double>> OnnxNode::constantFloats(unsigned i) {
  Value v = input(i);
  if (!v)
    return std::nullopt;
  SmallVector<double> out;
  DenseFPElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr))) {
    for (const APFloat &f : attr.getValues<APFloat>())
      out.push_back(f.convertToDouble());
    return out;
  }
  // An f32 or f64 initializer kept as a dense_resource blob.
  Attribute value;
  if (!matchPattern(v, m_Constant(&value)))
    return std::nullopt;
  auto type = dyn_cast<ShapedType>(cast<TypedAttr>(value).getType());
  std::optional<ArrayRef<char>> bytes = hybrid::rawElementBytes(value);
  if (!type || !bytes || !(type.getElementType().isF32() || type.getElementType().isF64()))
    return std::nullopt;
  size_t width = type.getElementType().isF32() ? 4 : 8;
  for (size_t at = 0; at + width <= bytes->size(); at += width) {
    if (width == 4) {
      float f;
      std::memcpy(&f, bytes->data() + at, 4);
      out.push_back(f);
    } else {
      double d;
      std::memcpy(&d, bytes->data() + at, 8);
      out.push_back(d);
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// ConverterTable
//===----------------------------------------------------------------------===//

static std::string tableKey(StringRef domain, StringRef opType) {
  return (domain + "|" + opType).str();
}

void ConverterTable::add(StringRef domain, StringRef opType, int64_t sinceVersion,
                         ConvertFn fn) {
  auto &list = table[tableKey(domain, opType)];
  list.emplace_back(sinceVersion, std::move(fn));
  llvm::sort(list, [](const auto &a, const auto &b) { return a.first < b.first; });
}

const ConvertFn *ConverterTable::lookup(StringRef domain, StringRef opType,
                                        int64_t version) const {
  auto it = table.find(tableKey(domain, opType));
  if (it == table.end())
    return nullptr;
  const ConvertFn *best = nullptr;
  for (const auto &[since, fn] : it->second)
    if (since <= version)
      best = &fn;
  return best;
}

SmallVector<std::tuple<std::string, std::string, int64_t>> ConverterTable::entries() const {
  SmallVector<std::tuple<std::string, std::string, int64_t>> out;
  for (const auto &entry : table) {
    auto [domain, opType] = entry.getKey().split('|');
    for (const auto &[since, fn] : entry.getValue())
      out.emplace_back(domain.str(), opType.str(), since);
  }
  llvm::sort(out);
  return out;
}

const ConverterTable &hybrid::onnx_conv::getConverterTable() {
  static const ConverterTable table = [] {
    ConverterTable t;
    populateElementwiseConverters(t);
    populateMatMulConverters(t);
    populateReductionConverters(t);
    populateShapeConverters(t);
    populateNormalizationConverters(t);
    populateAttentionConverters(t);
    populateRotaryConverters(t);
    populateRecurrentConverters(t);
    populateMoEConverters(t);
    populateConvConverters(t);
    populateControlFlowConverters(t);
    populateIndexingConverters(t);
    populateQuantizeConverters(t);
    populateResizeConverters(t);
    populateLossConverters(t);
    return t;
  }();
  return table;
}

//===----------------------------------------------------------------------===//
// The driver
//===----------------------------------------------------------------------===//

/// Signless copy of a type (unsigned integers become signless).
static Type signless(Type t) {
  auto convertElt = [](Type e) -> Type {
    if (auto i = dyn_cast<IntegerType>(e); i && !i.isSignless())
      return IntegerType::get(e.getContext(), i.getWidth());
    return e;
  };
  if (auto r = dyn_cast<RankedTensorType>(t))
    return r.clone(convertElt(r.getElementType()));
  if (auto u = dyn_cast<UnrankedTensorType>(t))
    return UnrankedTensorType::get(convertElt(u.getElementType()));
  return t;
}

/// Checks an inferred type against the type the file declared. Returns the type to
/// use (the declared one when it is more precise), or null on a contradiction.
static Type reconcile(Type inferred, Type declared) {
  declared = signless(declared);
  auto inf = dyn_cast<RankedTensorType>(inferred);
  if (!inf)
    return inferred;
  if (auto unranked = dyn_cast<UnrankedTensorType>(declared))
    return unranked.getElementType() == inf.getElementType() ? inferred : Type();
  auto dec = dyn_cast<RankedTensorType>(declared);
  if (!dec)
    return inferred; // !onnx.unknown: nothing declared.
  if (dec.getElementType() != inf.getElementType() || dec.getRank() != inf.getRank())
    return nullptr;
  SmallVector<int64_t> shape;
  for (auto [a, b] : llvm::zip(inf.getShape(), dec.getShape())) {
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
      return nullptr;
    shape.push_back(ShapedType::isDynamic(a) ? b : a);
  }
  return inf.clone(shape);
}

/// Converts the constants and block arguments that carry unsigned types to signless
/// ones, remembering which values are unsigned.
static void makeSignless(func::FuncOp func, DenseSet<Value> &unsignedValues) {
  func.walk([&](Block *block) {
    for (BlockArgument arg : block->getArguments())
      if (isUnsignedType(arg.getType())) {
        arg.setType(signless(arg.getType()));
        unsignedValues.insert(arg);
      }
  });
  func.walk([&](arith::ConstantOp cst) {
    if (!isUnsignedType(cst.getType()))
      return;
    auto type = cast<ShapedType>(signless(cst.getType()));
    Attribute value = cst.getValue();
    if (auto dense = dyn_cast<DenseElementsAttr>(value))
      value = dense.bitcast(type.getElementType());
    else if (auto res = dyn_cast<DenseResourceElementsAttr>(value))
      value = DenseResourceElementsAttr::get(type, res.getRawHandle());
    OpBuilder b(cst);
    auto replacement = arith::ConstantOp::create(b, cst.getLoc(), cast<TypedAttr>(value));
    unsignedValues.insert(replacement);
    cst.replaceAllUsesWith(replacement.getResult());
    cst.erase();
  });
  SmallVector<Type> inputs(func.getBody().getArgumentTypes());
  func.setFunctionType(FunctionType::get(func.getContext(), inputs,
                                         func.getFunctionType().getResults()));
}

namespace {
/// What the driver keeps while converting one function (and its subgraphs).
struct DriverState {
  DenseSet<Value> unsignedValues;
  DenseMap<Operation *, SmallVector<Type>> originalTypes;
};
} // namespace

/// Converts the nodes directly in `block`, in program order. A node with subgraphs
/// (Scan, If) converts its bodies itself, through OnnxNode::convertSubgraph, after
/// it has given their arguments converted values.
static LogicalResult convertBlock(Block &block, DriverState &state) {
  const ConverterTable &table = getConverterTable();
  SmallVector<onnx::NodeOp> nodes(block.getOps<onnx::NodeOp>());
  std::function<LogicalResult(Block &)> convertSubgraph = [&](Block &body) {
    return convertBlock(body, state);
  };
  OnnxNode::SubgraphHooks hooks;
  hooks.clone = [&](Region &from, Region &to) {
    IRMapping mapping;
    from.cloneInto(&to, mapping);
    auto carry = [&](Value v) {
      if (state.unsignedValues.contains(v))
        state.unsignedValues.insert(mapping.lookup(v));
    };
    from.walk([&](Block *blk) { llvm::for_each(blk->getArguments(), carry); });
    from.walk([&](Operation *op) {
      Operation *copy = mapping.lookup(op);
      if (auto it = state.originalTypes.find(op); it != state.originalTypes.end()) {
        SmallVector<Type> types = it->second;
        state.originalTypes[copy] = std::move(types);
      }
      llvm::for_each(op->getResults(), carry);
    });
  };
  hooks.forget = [&](Region &region) {
    region.walk([&](Block *blk) {
      for (Value a : blk->getArguments())
        state.unsignedValues.erase(a);
    });
    region.walk([&](Operation *op) {
      state.originalTypes.erase(op);
      for (Value r : op->getResults())
        state.unsignedValues.erase(r);
    });
  };
  for (onnx::NodeOp node : nodes) {
    ImplicitLocOpBuilder b(node.getLoc(), node);
    OnnxNode view(node, b, state.originalTypes[node], state.unsignedValues);
    view.setSubgraphConverter(convertSubgraph);
    view.setSubgraphHooks(hooks);
    const ConvertFn *fn = table.lookup(node.getDomain(), node.getOpType(), node.getVersion());
    SmallVector<Value> results;
    if (!tryFoldIntegerNode(view, results) && (failed((*fn)(view, results)) || failed(view.ok())))
      return failure();
    if (results.size() > node.getNumResults())
      results.resize(node.getNumResults());
    results.resize(node.getNumResults(), Value());
    for (auto [i, oldResult, newResult] : llvm::enumerate(node.getResults(), results)) {
      if (!newResult) {
        if (!oldResult.use_empty())
          return view.emitError() << "output " << i
                                  << " is read, but its conversion does not produce it";
        continue;
      }
      Type type = reconcile(newResult.getType(), oldResult.getType());
      if (!type)
        return view.emitError() << "output " << i << " is declared as "
                                << oldResult.getType() << " in the file, but the inputs give "
                                << newResult.getType();
      if (type != newResult.getType())
        newResult = tensor::CastOp::create(b, type, newResult);
      if (view.isUnsignedOutput(i))
        state.unsignedValues.insert(newResult);
      oldResult.replaceAllUsesWith(newResult);
    }
    // The node's records go with it (a later op may get its address).
    state.originalTypes.erase(node);
    node.erase();
  }
  return success();
}

static LogicalResult convertFunction(func::FuncOp func) {
  const ConverterTable &table = getConverterTable();
  SmallVector<onnx::NodeOp> nodes;
  func.walk<WalkOrder::PreOrder>([&](onnx::NodeOp node) { nodes.push_back(node); });

  // Every unsupported node, at once (subgraphs included).
  SmallVector<onnx::NodeOp> unsupported;
  for (onnx::NodeOp node : nodes)
    if (!table.lookup(node.getDomain(), node.getOpType(), node.getVersion()))
      unsupported.push_back(node);
  if (!unsupported.empty()) {
    auto diag = func.emitError() << unsupported.size() << " node"
                                 << (unsupported.size() == 1 ? "" : "s")
                                 << " cannot be converted (no converter for the op "
                                    "type, domain or opset version):";
    for (onnx::NodeOp node : unsupported) {
      diag << "\n  ";
      if (auto name = node.getName())
        diag << "'" << *name << "' ";
      diag << node.getDisplayName();
    }
    for (onnx::NodeOp node : unsupported)
      diag.attachNote(node.getLoc()) << "unsupported: " << node.getDisplayName();
    return failure();
  }

  DriverState state;
  for (onnx::NodeOp node : nodes)
    state.originalTypes[node] = SmallVector<Type>(node.getInputs().getTypes());
  makeSignless(func, state.unsignedValues);

  if (failed(convertBlock(func.getBody().front(), state)))
    return failure();
  func.walk([](onnx::NoneOp none) {
    if (none->use_empty())
      none.erase();
  });

  // The graph outputs now have inferred types.
  auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
  func.setFunctionType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                         ret.getOperandTypes()));
  return success();
}

LogicalResult hybrid::convertOnnxToHybrid(ModuleOp module) {
  for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (failed(convertFunction(func)))
      return failure();
  // A converter that builds invalid IR is a bug; say so here rather than letting
  // a later pass (or a reader of the printed IR) trip over it.
  if (failed(verify(module))) {
    module.emitError() << "internal error: the converted module does not verify "
                          "(a bug in an ONNX converter; please report it)";
    return failure();
  }
  return success();
}

namespace {
struct ConvertONNXPass : public hybrid::impl::ConvertONNXBase<ConvertONNXPass> {
  void runOnOperation() override {
    if (failed(convertOnnxToHybrid(getOperation())))
      signalPassFailure();
  }
};
} // namespace

bool hybrid::hasOnnxConverter(llvm::StringRef domain, llvm::StringRef opType, int64_t version) {
  return onnx_conv::getConverterTable().lookup(domain, opType, version) != nullptr;
}

void hybrid::expandUnconvertedSchemaFunctions(OnnxImportOptions &options) {
  options.expandSchemaFunction = [](llvm::StringRef opType, int64_t version) {
    return !hasOnnxConverter("", opType, version);
  };
}
