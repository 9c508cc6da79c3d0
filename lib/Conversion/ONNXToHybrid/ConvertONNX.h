//===- ConvertONNX.h - converters from onnx.node to MLIR ops ---*- C++ -*-===//
//
// The conversion framework shared by the per-family converter files. A converter
// handles one (domain, op type) from a since-version on; the table picks, for a node
// of opset version V, the converter with the greatest since-version <= V. A
// converter reads its node through `OnnxNode`, builds ops with the node's builder
// and returns one value per node output (null for an optional output it does not
// produce, which is then an error only if something reads it).
//
// Result types are inferred by the converters (this is the importer's shape
// inference); `hybrid-convert-onnx` then checks them against any type the file
// declared.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_LIB_CONVERSION_ONNXTOHYBRID_CONVERTONNX_H
#define HYBRID_LIB_CONVERSION_ONNXTOHYBRID_CONVERTONNX_H

#include "dialects/ONNX/IR/ONNXDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <optional>

namespace hybrid::onnx_conv {

using namespace mlir;

/// Read access to one node during conversion.
class OnnxNode {
public:
  OnnxNode(onnx::NodeOp op, ImplicitLocOpBuilder &b, ArrayRef<Type> originalInputTypes,
           const llvm::DenseSet<Value> &unsignedValues)
      : op(op), b(b), originalTypes(originalInputTypes), unsignedValues(unsignedValues),
        unsignedOutputs(op.getOutputs().size(), false) {}

  onnx::NodeOp getOp() { return op; }
  ImplicitLocOpBuilder &builder() { return b; }
  Location loc() { return op.getLoc(); }
  int64_t version() { return op.getVersion(); }
  StringRef opType() { return op.getOpType(); }

  /// "node 'name' (OpType-13)"; every converter message starts with it.
  std::string describe();
  /// An error on the node, prefixed with `describe()`.
  InFlightDiagnostic emitError();

  unsigned numInputs() { return op.getInputs().size(); }
  /// Input `i`, or null when absent (past the end, or an empty name in the file).
  Value input(unsigned i);
  bool hasInput(unsigned i) { return static_cast<bool>(input(i)); }
  /// Input `i` as a ranked tensor, or an error naming it.
  FailureOr<Value> rankedInput(unsigned i, StringRef what);
  /// The element type the file gives input `i` (unsigned types stay unsigned here,
  /// while converted values are signless).
  bool isUnsignedInput(unsigned i);

  unsigned numOutputs() { return op.getOutputs().size(); }
  /// Whether output `i` exists and something reads it.
  bool outputUsed(unsigned i) {
    return i < numOutputs() && !op.getOutputs()[i].use_empty();
  }
  /// Whether output `i` holds unsigned integers: the file's declared type says so,
  /// or the converter marked it (Cast to UINT8, ...).
  bool isUnsignedOutput(unsigned i);
  void markUnsignedOutput(unsigned i) { unsignedOutputs[i] = true; }
  /// Data movement keeps signedness: output `out` is unsigned when input `in` is.
  void forwardUnsigned(unsigned in = 0, unsigned out = 0) {
    if (isUnsignedInput(in))
      markUnsignedOutput(out);
  }

  // Attributes. The getters with a default return it when the attribute is absent;
  // a present attribute of the wrong kind is an error (reported through `ok()`).
  bool has(StringRef name) { return static_cast<bool>(op.getAttrs().get(name)); }
  int64_t getInt(StringRef name, int64_t dflt);
  std::optional<int64_t> getInt(StringRef name);
  float getFloat(StringRef name, float dflt);
  std::optional<float> getFloat(StringRef name);
  std::string getString(StringRef name, StringRef dflt);
  std::optional<SmallVector<int64_t>> getInts(StringRef name);
  std::optional<SmallVector<float>> getFloats(StringRef name);
  Attribute getAttr(StringRef name) { return op.getAttrs().get(name); }
  /// Failure when an attribute getter met a mistyped attribute (already reported).
  LogicalResult ok() { return attrError ? failure() : success(); }

  /// Subgraph `i` (an If branch, a Loop or Scan body): its single block.
  unsigned numSubgraphs() { return op.getSubgraphs().size(); }
  Block &subgraph(unsigned i) { return op.getSubgraphs()[i].front(); }
  /// The subgraph named `name` by its attribute, or null.
  Block *subgraph(StringRef name);
  /// Converts the nodes of a subgraph block (wherever it has been moved) once its
  /// arguments have been replaced by converted values; its onnx.yield then holds
  /// the converted outputs.
  LogicalResult convertSubgraph(Block &block) { return subgraphConverter(block); }
  void setSubgraphConverter(std::function<LogicalResult(Block &)> fn) {
    subgraphConverter = std::move(fn);
  }
  /// For converting a subgraph a second time (Loop, when a carried value changes
  /// type): clones the unconverted region `from` into `to` with the driver's
  /// records of its nodes (their original input types, which values are
  /// unsigned) carried over to the clones; and drops the records of the ops and
  /// block arguments in `region` before they are erased, so that nothing created
  /// later at the same address inherits them.
  void cloneSubgraph(Region &from, Region &to) { subgraphHooks.clone(from, to); }
  void forgetOps(Region &region) { subgraphHooks.forget(region); }
  struct SubgraphHooks {
    std::function<void(Region &, Region &)> clone;
    std::function<void(Region &)> forget;
  };
  void setSubgraphHooks(SubgraphHooks hooks) { subgraphHooks = std::move(hooks); }

  /// The integer values of a constant input (Reshape's shape, Slice's starts, ...),
  /// or nullopt when it is not a compile-time constant.
  std::optional<SmallVector<int64_t>> constantInts(unsigned i);
  std::optional<SmallVector<double>> constantFloats(unsigned i);

private:
  void badAttr(StringRef name, StringRef want);
  onnx::NodeOp op;
  ImplicitLocOpBuilder &b;
  ArrayRef<Type> originalTypes;
  const llvm::DenseSet<Value> &unsignedValues;
  SmallVector<bool> unsignedOutputs;
  bool attrError = false;
  std::function<LogicalResult(Block &)> subgraphConverter;
  SubgraphHooks subgraphHooks;
};

/// Appends a converter's single result, or passes its failure on.
inline LogicalResult appendResult(SmallVectorImpl<Value> &results, FailureOr<Value> value) {
  if (failed(value))
    return failure();
  results.push_back(*value);
  return success();
}

using ConvertFn = std::function<LogicalResult(OnnxNode &, SmallVectorImpl<Value> &)>;

/// Converters by (domain, op type), each list sorted by since-version.
class ConverterTable {
public:
  /// `domain` is "" for ai.onnx.
  void add(StringRef domain, StringRef opType, int64_t sinceVersion, ConvertFn fn);
  /// The converter for a node, or null.
  const ConvertFn *lookup(StringRef domain, StringRef opType, int64_t version) const;
  /// Every (domain, op type, since-version) registered, for the support table.
  SmallVector<std::tuple<std::string, std::string, int64_t>> entries() const;

private:
  llvm::StringMap<SmallVector<std::pair<int64_t, ConvertFn>, 2>> table;
};

/// Evaluates a node of integer shape arithmetic (Shape, Gather, Concat, Range, Add,
/// ...) whose inputs are all constants, appending an arith.constant to `results`.
/// False (nothing built) when the node is not of that kind; its converter runs then.
bool tryFoldIntegerNode(OnnxNode &node, SmallVectorImpl<Value> &results);

/// The table with every family registered (built once).
const ConverterTable &getConverterTable();

// One population function per op family (one source file each).
void populateElementwiseConverters(ConverterTable &table);
void populateMatMulConverters(ConverterTable &table);
void populateReductionConverters(ConverterTable &table);
void populateShapeConverters(ConverterTable &table);
void populateNormalizationConverters(ConverterTable &table);
void populateAttentionConverters(ConverterTable &table);
void populateRotaryConverters(ConverterTable &table);
void populateRecurrentConverters(ConverterTable &table);
void populateMoEConverters(ConverterTable &table);
void populateConvConverters(ConverterTable &table);
void populateControlFlowConverters(ConverterTable &table);
void populateIndexingConverters(ConverterTable &table);
void populateQuantizeConverters(ConverterTable &table);
void populateResizeConverters(ConverterTable &table);
void populateLossConverters(ConverterTable &table);

} // namespace hybrid::onnx_conv

#endif // HYBRID_LIB_CONVERSION_ONNXTOHYBRID_CONVERTONNX_H
