//===- Importer.cpp - ONNX ModelProto to the faithful onnx dialect --------===//
//
// Reads a ModelProto (ONNX's protobuf schema, compiled by protoc at build time) and
// writes one func.func whose body holds an `onnx.node` per NodeProto. Nothing is
// interpreted here beyond what the file format itself defines:
//   - opset imports resolve each node's version ("" and "ai.onnx" are one domain);
//   - initializers become constants: small ones inline, large ones `dense_resource`
//     blobs copied straight from the protobuf bytes (or the external-data file), so
//     weights never pass through text;
//   - model-local FunctionProtos are inlined at their call sites, with their own
//     opset imports and `ref_attr_name` attribute references resolved; so are the
//     function bodies of ai.onnx ops' schemas, for the ops the caller asks for
//     (OnnxImportOptions::expandSchemaFunction: those the conversion lacks);
//   - GRAPH attributes (If, Loop, Scan bodies) become regions.
// Every error names the file and the node (name, op type, index) or the tensor.
//
//===----------------------------------------------------------------------===//
#include "hybrid/Import/ONNX.h"

#include "dialects/ONNX/IR/ONNXDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx-ml.pb.h"

#include <limits>
#include <optional>

using namespace mlir;
using namespace hybrid;

namespace {

/// Inlined functions calling functions: deeper than this is treated as recursion.
constexpr int kMaxInlineDepth = 64;

std::string describeNode(const ::onnx::NodeProto &node, int index) {
  std::string s = "node ";
  if (!node.name().empty())
    s += "'" + node.name() + "' ";
  else
    s += "#" + std::to_string(index) + " ";
  s += "(";
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    s += node.domain() + ".";
  s += node.op_type() + ")";
  return s;
}

/// The opset versions visible in one scope: the model's, or a function's.
using OpsetMap = llvm::StringMap<int64_t>;

/// The function bodies of ai.onnx ops' schemas, from the onnx package the build
/// used (gen_schema_functions.py), parsed once.
class SchemaFunctions {
public:
  static const SchemaFunctions &get() {
    static const SchemaFunctions table;
    return table;
  }

  /// The body that defines `opType` at opset `version`: the one of the op's
  /// newest schema at or below `version`, in its newest form at or below
  /// `version`. Null when that schema has no (context-independent) body.
  const ::onnx::FunctionProto *find(StringRef opType, int64_t version) const {
    auto s = sinceVersions.find(opType);
    if (s == sinceVersions.end())
      return nullptr;
    int64_t since = -1;
    for (int64_t v : s->second)
      if (v <= version)
        since = std::max(since, v);
    const ::onnx::FunctionProto *best = nullptr;
    int64_t bestOpset = -1;
    for (const Body &b : bodies.lookup(opType))
      if (b.since == since && b.opset <= version && b.opset > bestOpset)
        best = b.fn, bestOpset = b.opset;
    return best;
  }

private:
  struct Body {
    int64_t since, opset;
    const ::onnx::FunctionProto *fn;
  };

  SchemaFunctions() {
    static const unsigned char blob[] = {
#include "SchemaFunctions.inc"
    };
    if (!model.ParseFromArray(blob, sizeof(blob)))
      return;
    auto toInts = [](StringRef list) {
      SmallVector<int64_t> out;
      SmallVector<StringRef> parts;
      list.split(parts, ',');
      for (StringRef p : parts)
        if (int64_t v; !p.getAsInteger(10, v))
          out.push_back(v);
      return out;
    };
    for (const auto &p : model.metadata_props())
      if (StringRef(p.key()).starts_with("since:"))
        sinceVersions[StringRef(p.key()).drop_front(6)] = toInts(p.value());
    for (const auto &fn : model.functions()) {
      Body b{-1, -1, &fn};
      for (const auto &p : fn.metadata_props()) {
        int64_t v = -1;
        if (StringRef(p.value()).getAsInteger(10, v))
          continue;
        if (p.key() == "since_version")
          b.since = v;
        else if (p.key() == "function_opset")
          b.opset = v;
      }
      bodies[fn.name()].push_back(b);
    }
  }

  ::onnx::ModelProto model;
  llvm::StringMap<SmallVector<int64_t>> sinceVersions;
  llvm::StringMap<SmallVector<Body>> bodies;
};

std::string canonicalDomain(llvm::StringRef domain) {
  return domain == "ai.onnx" ? std::string() : domain.str();
}

class Importer {
public:
  Importer(MLIRContext *ctx, StringRef path, const OnnxImportOptions &options)
      : ctx(ctx), path(path.str()), options(options), builder(ctx) {
    baseDir = llvm::sys::path::parent_path(path).str();
    fileLoc = FileLineColLoc::get(ctx, path, 0, 0);
  }

  OwningOpRef<ModuleOp> run(const ::onnx::ModelProto &model);

private:
  // -- diagnostics -------------------------------------------------------------
  InFlightDiagnostic error(Location loc) { return emitError(loc); }
  InFlightDiagnostic error() { return emitError(fileLoc); }

  // -- types and tensors -------------------------------------------------------
  FailureOr<Type> elementType(int32_t dataType, Location loc, StringRef what);
  FailureOr<Type> valueType(const ::onnx::TypeProto &type, Location loc, StringRef what);
  FailureOr<ElementsAttr> tensorAttr(const ::onnx::TensorProto &tensor, Location loc,
                                     bool allowResource);
  LogicalResult readExternalData(const ::onnx::TensorProto &tensor, Location loc,
                                 std::string &bytes);

  // -- graphs, nodes, attributes -----------------------------------------------
  LogicalResult importGraphBody(const ::onnx::GraphProto &graph, const OpsetMap &opsets,
                                StringRef prefix);
  LogicalResult importNode(const ::onnx::NodeProto &node, int index,
                           const OpsetMap &opsets, StringRef prefix,
                           const llvm::StringMap<const ::onnx::AttributeProto *> *callerAttrs);
  LogicalResult inlineFunction(const ::onnx::FunctionProto &fn,
                               const ::onnx::NodeProto &node, int index,
                               ArrayRef<Value> inputs, StringRef prefix,
                               const llvm::StringMap<const ::onnx::AttributeProto *> *callerAttrs,
                               Location loc);
  FailureOr<Attribute> attribute(const ::onnx::AttributeProto &attr, Location loc,
                                 StringRef where);
  LogicalResult subgraphRegion(const ::onnx::GraphProto &graph, Region &region,
                               const OpsetMap &opsets, StringRef prefix, Location loc);

  Value lookup(StringRef name) {
    for (auto &scope : llvm::reverse(scopes))
      if (auto it = scope.find(name); it != scope.end())
        return it->second;
    return nullptr;
  }
  void define(StringRef name, Value value) {
    if (!name.empty())
      scopes.back()[name] = value;
  }
  Type typeFor(StringRef name) {
    for (auto &scope : llvm::reverse(typeScopes))
      if (auto it = scope.find(name); it != scope.end())
        return it->second;
    return hybrid::onnx::UnknownType::get(ctx);
  }
  LogicalResult collectValueInfo(const ::onnx::GraphProto &graph);

  /// The entry function's argument/result attributes for a graph input or
  /// output: `onnx.name`, `onnx.elem_type` (TensorProto.DataType: keeps
  /// unsignedness, which the signless MLIR types lose) and, when any dim is
  /// symbolic, `onnx.dim_params` ("" for an unnamed dim). The compiled library's
  /// signature table and header are written from them.
  DictionaryAttr signatureAttrs(const ::onnx::ValueInfoProto &info) {
    SmallVector<NamedAttribute> attrs;
    attrs.push_back(builder.getNamedAttr("onnx.name", builder.getStringAttr(info.name())));
    if (info.type().has_tensor_type()) {
      const auto &tensor = info.type().tensor_type();
      if (tensor.elem_type() != 0)
        attrs.push_back(builder.getNamedAttr("onnx.elem_type",
                                             builder.getI32IntegerAttr(tensor.elem_type())));
      if (tensor.has_shape()) {
        SmallVector<Attribute> dimNames;
        bool any = false;
        for (const auto &d : tensor.shape().dim()) {
          dimNames.push_back(builder.getStringAttr(d.dim_param()));
          any |= !d.dim_param().empty();
        }
        if (any)
          attrs.push_back(
              builder.getNamedAttr("onnx.dim_params", builder.getArrayAttr(dimNames)));
      }
    }
    return builder.getDictionaryAttr(attrs);
  }

  MLIRContext *ctx;
  std::string path, baseDir;
  const OnnxImportOptions &options;
  OpBuilder builder;
  Location fileLoc = UnknownLoc();
  OpsetMap modelOpsets;
  llvm::StringMap<const ::onnx::FunctionProto *> functions;
  SmallVector<llvm::StringMap<Value>> scopes;
  SmallVector<llvm::StringMap<Type>> typeScopes;
  int inlineDepth = 0;
};

FailureOr<Type> Importer::elementType(int32_t dataType, Location loc, StringRef what) {
  if (Type t = hybrid::onnx::getElementType(ctx, dataType))
    return t;
  error(loc) << what << ": element type " << hybrid::onnx::getDataTypeName(dataType)
             << " is not supported";
  return failure();
}

FailureOr<Type> Importer::valueType(const ::onnx::TypeProto &type, Location loc,
                                    StringRef what) {
  if (type.value_case() == ::onnx::TypeProto::VALUE_NOT_SET)
    return Type(hybrid::onnx::UnknownType::get(ctx));
  if (type.value_case() != ::onnx::TypeProto::kTensorType) {
    const char *kind = "non-tensor";
    switch (type.value_case()) {
    case ::onnx::TypeProto::kSequenceType: kind = "sequence"; break;
    case ::onnx::TypeProto::kMapType: kind = "map"; break;
    case ::onnx::TypeProto::kOptionalType: kind = "optional"; break;
    case ::onnx::TypeProto::kSparseTensorType: kind = "sparse tensor"; break;
    default: break;
    }
    error(loc) << what << " has a " << kind << " type, which is not supported";
    return failure();
  }
  const auto &tensor = type.tensor_type();
  if (!tensor.has_elem_type() || tensor.elem_type() == 0)
    return Type(hybrid::onnx::UnknownType::get(ctx));
  FailureOr<Type> elt = elementType(tensor.elem_type(), loc, what);
  if (failed(elt))
    return failure();
  if (!tensor.has_shape())
    return Type(UnrankedTensorType::get(*elt));
  SmallVector<int64_t> dims;
  for (const auto &d : tensor.shape().dim()) {
    if (d.has_dim_value()) {
      if (d.dim_value() < 0) {
        error(loc) << what << " has a negative dimension " << d.dim_value();
        return failure();
      }
      dims.push_back(d.dim_value());
    } else {
      dims.push_back(ShapedType::kDynamic);
    }
  }
  return Type(RankedTensorType::get(dims, *elt));
}

LogicalResult Importer::readExternalData(const ::onnx::TensorProto &tensor, Location loc,
                                         std::string &bytes) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &kv : tensor.external_data()) {
    auto parseNum = [&](uint64_t &out) -> LogicalResult {
      if (StringRef(kv.value()).getAsInteger(10, out))
        return error(loc) << "initializer '" << tensor.name() << "': external_data "
                          << kv.key() << " '" << kv.value() << "' is not a number";
      return success();
    };
    if (kv.key() == "location") {
      location = kv.value();
    } else if (kv.key() == "offset") {
      if (failed(parseNum(offset)))
        return failure();
    } else if (kv.key() == "length") {
      uint64_t l = 0;
      if (failed(parseNum(l)))
        return failure();
      length = l;
    }
  }
  if (location.empty())
    return error(loc) << "initializer '" << tensor.name()
                      << "' is stored externally but names no location";
  // External data must live next to the model: no absolute paths, no "..".
  if (llvm::sys::path::is_absolute(location) ||
      llvm::any_of(llvm::make_range(llvm::sys::path::begin(location),
                                    llvm::sys::path::end(location)),
                   [](StringRef c) { return c == ".."; }))
    return error(loc) << "initializer '" << tensor.name() << "': external data location '"
                      << location << "' leaves the model's directory";
  SmallString<256> full(baseDir);
  llvm::sys::path::append(full, location);
  auto file = llvm::MemoryBuffer::getFile(full, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return error(loc) << "initializer '" << tensor.name() << "': cannot read external data file '"
                      << full << "': " << file.getError().message();
  uint64_t size = (*file)->getBufferSize();
  uint64_t len = length ? *length : (offset <= size ? size - offset : 0);
  if (offset > size || len > size - offset)
    return error(loc) << "initializer '" << tensor.name() << "': external data [" << offset
                      << ", " << offset + len << ") lies outside '" << full << "' ("
                      << size << " bytes)";
  bytes.assign((*file)->getBufferStart() + offset, len);
  return success();
}

/// Bit width of one element as stored in raw_data (sub-byte types are packed).
static unsigned rawBits(Type elt) {
  if (auto c = dyn_cast<ComplexType>(elt))
    return 2 * c.getElementType().getIntOrFloatBitWidth();
  return elt.getIntOrFloatBitWidth();
}

FailureOr<ElementsAttr> Importer::tensorAttr(const ::onnx::TensorProto &tensor, Location loc,
                                             bool allowResource) {
  using TP = ::onnx::TensorProto;
  std::string what = "tensor '" + tensor.name() + "'";
  FailureOr<Type> eltOr = elementType(tensor.data_type(), loc, what);
  if (failed(eltOr))
    return failure();
  Type elt = *eltOr;
  SmallVector<int64_t> dims;
  int64_t numElements = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0)
      return (error(loc) << what << " has a negative dimension " << d), failure();
    dims.push_back(d);
    if (d != 0 && numElements > std::numeric_limits<int64_t>::max() / d)
      return (error(loc) << what << " has too many elements"), failure();
    numElements *= d;
  }
  // Signless storage type for the attribute; unsigned types keep their signedness
  // in the tensor type.
  auto type = RankedTensorType::get(dims, elt);
  unsigned bits = rawBits(elt);

  // Gather the little-endian bytes of the tensor in `raw`, one element per
  // ceil(bits/8) bytes (sub-byte types are unpacked).
  std::string raw;
  bool external = tensor.has_data_location() && tensor.data_location() == TP::EXTERNAL;
  if (external) {
    if (failed(readExternalData(tensor, loc, raw)))
      return failure();
  } else if (tensor.has_raw_data()) {
    raw = tensor.raw_data();
  }
  bool haveRaw = external || tensor.has_raw_data();
  uint64_t eltBytes = std::max(1u, bits / 8);
  uint64_t want = static_cast<uint64_t>(numElements) * eltBytes;
  if (haveRaw) {
    if (bits < 8) {
      uint64_t packedBytes = (static_cast<uint64_t>(numElements) * bits + 7) / 8;
      if (bits != 1 && raw.size() != packedBytes)
        return (error(loc) << what << " holds " << raw.size() << " bytes of data, expected "
                           << packedBytes),
               failure();
      if (bits == 4) {
        std::string unpacked(numElements, '\0');
        bool isSigned = elt.isSignlessInteger();
        for (int64_t i = 0; i < numElements; ++i) {
          uint8_t nib = (static_cast<uint8_t>(raw[i / 2]) >> (4 * (i % 2))) & 0xF;
          if (isSigned && (nib & 0x8))
            nib |= 0xF0;
          unpacked[i] = static_cast<char>(nib);
        }
        raw = std::move(unpacked);
      }
    }
    if (bits == 1 || (bits >= 8 && raw.size() != want))
      if (raw.size() != static_cast<uint64_t>(numElements) * (bits == 1 ? 1 : eltBytes))
        return (error(loc) << what << " holds " << raw.size() << " bytes of data, expected "
                           << want),
               failure();
  } else {
    // Typed fields: see the comments on TensorProto in onnx.proto for which field
    // holds which type.
    auto put = [&](const void *p, size_t n) { raw.append(static_cast<const char *>(p), n); };
    switch (tensor.data_type()) {
    case TP::FLOAT:
    case TP::COMPLEX64:
      for (float f : tensor.float_data())
        put(&f, 4);
      break;
    case TP::DOUBLE:
    case TP::COMPLEX128:
      for (double f : tensor.double_data())
        put(&f, 8);
      break;
    case TP::INT64:
      for (int64_t v : tensor.int64_data())
        put(&v, 8);
      break;
    case TP::UINT32:
    case TP::UINT64:
      for (uint64_t v : tensor.uint64_data()) {
        if (tensor.data_type() == TP::UINT32) {
          uint32_t w = static_cast<uint32_t>(v);
          put(&w, 4);
        } else {
          put(&v, 8);
        }
      }
      break;
    case TP::STRING:
      break;
    default:
      // int32_data holds INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16, BFLOAT16,
      // the float8 types and (packed two per entry) the 4-bit types.
      if (bits == 4) {
        for (int32_t v : tensor.int32_data()) {
          for (int half = 0; half < 2; ++half) {
            if (static_cast<int64_t>(raw.size()) == numElements)
              break;
            uint8_t nib = (static_cast<uint32_t>(v) >> (4 * half)) & 0xF;
            if (elt.isSignlessInteger() && (nib & 0x8))
              nib |= 0xF0;
            raw.push_back(static_cast<char>(nib));
          }
        }
      } else {
        for (int32_t v : tensor.int32_data())
          put(&v, bits == 1 ? 1 : eltBytes);
      }
      break;
    }
    if (raw.size() != (bits == 1 ? static_cast<uint64_t>(numElements) : want))
      return (error(loc) << what << " holds " << raw.size() / (bits == 1 ? 1 : eltBytes)
                         << " elements, its shape needs " << numElements),
             failure();
  }

  if (bits == 1) {
    SmallVector<bool> values;
    values.reserve(numElements);
    for (char c : raw)
      values.push_back(c != 0);
    return ElementsAttr(DenseElementsAttr::get(type, values));
  }
  // MLIR stores sub-byte integers one per byte; the attribute's storage type is
  // signless when the tensor type is unsigned.
  if (allowResource && static_cast<int64_t>(raw.size()) > options.inlineConstantLimitBytes &&
      bits >= 8) {
    std::string key = tensor.name().empty() ? "onnx_tensor" : tensor.name();
    for (char &c : key)
      if (!llvm::isAlnum(c) && c != '_' && c != '.')
        c = '_';
    if (!llvm::isAlpha(key[0]) && key[0] != '_')
      key = "t_" + key;
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(raw.data(), raw.size()), alignof(uint64_t));
    return ElementsAttr(DenseResourceElementsAttr::get(type, key, std::move(blob)));
  }
  bool detectedSplat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, ArrayRef<char>(raw.data(), raw.size()),
                                           detectedSplat))
    return (error(loc) << what << ": data does not match type " << type), failure();
  return ElementsAttr(
      DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(raw.data(), raw.size())));
}

FailureOr<Attribute> Importer::attribute(const ::onnx::AttributeProto &attr, Location loc,
                                         StringRef where) {
  using AP = ::onnx::AttributeProto;
  AP::AttributeType kind = attr.type();
  // Files older than IR version 2 have no `type`: infer it from the field set.
  if (kind == AP::UNDEFINED) {
    if (attr.has_f()) kind = AP::FLOAT;
    else if (attr.has_i()) kind = AP::INT;
    else if (attr.has_s()) kind = AP::STRING;
    else if (attr.has_t()) kind = AP::TENSOR;
    else if (attr.has_g()) kind = AP::GRAPH;
    else if (attr.floats_size()) kind = AP::FLOATS;
    else if (attr.ints_size()) kind = AP::INTS;
    else if (attr.strings_size()) kind = AP::STRINGS;
    else if (attr.tensors_size()) kind = AP::TENSORS;
    else if (attr.graphs_size()) kind = AP::GRAPHS;
  }
  switch (kind) {
  case AP::FLOAT: return Attribute(builder.getF32FloatAttr(attr.f()));
  case AP::INT: return Attribute(builder.getI64IntegerAttr(attr.i()));
  case AP::STRING: return Attribute(builder.getStringAttr(attr.s()));
  case AP::FLOATS:
    return Attribute(builder.getDenseF32ArrayAttr(
        SmallVector<float>(attr.floats().begin(), attr.floats().end())));
  case AP::INTS:
    return Attribute(builder.getDenseI64ArrayAttr(
        SmallVector<int64_t>(attr.ints().begin(), attr.ints().end())));
  case AP::STRINGS: {
    SmallVector<Attribute> strs;
    for (const auto &s : attr.strings())
      strs.push_back(builder.getStringAttr(s));
    return Attribute(builder.getArrayAttr(strs));
  }
  case AP::TENSOR: {
    FailureOr<ElementsAttr> t = tensorAttr(attr.t(), loc, /*allowResource=*/true);
    if (failed(t))
      return failure();
    return Attribute(*t);
  }
  case AP::TENSORS: {
    SmallVector<Attribute> ts;
    for (const auto &t : attr.tensors()) {
      FailureOr<ElementsAttr> e = tensorAttr(t, loc, /*allowResource=*/true);
      if (failed(e))
        return failure();
      ts.push_back(*e);
    }
    return Attribute(builder.getArrayAttr(ts));
  }
  case AP::TYPE_PROTO: {
    FailureOr<Type> t = valueType(attr.tp(), loc, where);
    if (failed(t))
      return failure();
    return Attribute(TypeAttr::get(*t));
  }
  default:
    break;
  }
  error(loc) << where << ": attribute '" << attr.name() << "' has kind " << static_cast<int>(kind)
             << ", which is not supported";
  return failure();
}

LogicalResult Importer::collectValueInfo(const ::onnx::GraphProto &graph) {
  auto add = [&](const ::onnx::ValueInfoProto &vi) -> LogicalResult {
    if (!vi.has_type())
      return success();
    FailureOr<Type> t = valueType(vi.type(), fileLoc, "value '" + vi.name() + "'");
    if (failed(t))
      return failure();
    typeScopes.back()[vi.name()] = *t;
    return success();
  };
  for (const auto &vi : graph.value_info())
    if (failed(add(vi)))
      return failure();
  for (const auto &vi : graph.output())
    if (failed(add(vi)))
      return failure();
  return success();
}

LogicalResult Importer::subgraphRegion(const ::onnx::GraphProto &graph, Region &region,
                                       const OpsetMap &opsets, StringRef prefix,
                                       Location loc) {
  Block *block = new Block();
  region.push_back(block);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(block);
  scopes.emplace_back();
  typeScopes.emplace_back();
  llvm::scope_exit popScopes([&] {
    scopes.pop_back();
    typeScopes.pop_back();
  });
  if (failed(collectValueInfo(graph)))
    return failure();
  for (const auto &in : graph.input()) {
    FailureOr<Type> t = valueType(in.type(), loc, "subgraph input '" + in.name() + "'");
    if (failed(t))
      return failure();
    define(in.name(), block->addArgument(*t, loc));
  }
  if (graph.sparse_initializer_size())
    return error(loc) << "subgraph '" << graph.name()
                      << "' has sparse initializers, which are not supported";
  for (const auto &init : graph.initializer()) {
    FailureOr<ElementsAttr> value = tensorAttr(init, loc, /*allowResource=*/true);
    if (failed(value))
      return failure();
    define(init.name(), arith::ConstantOp::create(builder, loc, cast<TypedAttr>(*value)));
  }
  if (failed(importGraphBody(graph, opsets, prefix)))
    return failure();
  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    Value v = lookup(out.name());
    if (!v)
      return error(loc) << "subgraph '" << graph.name() << "' output '" << out.name()
                        << "' is never produced";
    results.push_back(v);
  }
  hybrid::onnx::YieldOp::create(builder, loc, results);
  return success();
}

LogicalResult Importer::importGraphBody(const ::onnx::GraphProto &graph,
                                        const OpsetMap &opsets, StringRef prefix) {
  // ONNX requires nodes in topological order; a node reading a name defined later
  // (or nowhere) is an error, reported with the node.
  for (int i = 0; i < graph.node_size(); ++i)
    if (failed(importNode(graph.node(i), i, opsets, prefix, nullptr)))
      return failure();
  return success();
}

LogicalResult Importer::inlineFunction(
    const ::onnx::FunctionProto &fn, const ::onnx::NodeProto &node, int index,
    ArrayRef<Value> inputs, StringRef prefix,
    const llvm::StringMap<const ::onnx::AttributeProto *> *callerAttrs, Location loc) {
  if (++inlineDepth > kMaxInlineDepth)
    return error(loc) << describeNode(node, index) << ": function '"
                      << fn.name() << "' nests deeper than " << kMaxInlineDepth
                      << " calls (recursive?)";
  llvm::scope_exit restoreDepth([&] { --inlineDepth; });
  if (static_cast<int>(inputs.size()) > fn.input_size())
    return error(loc) << describeNode(node, index) << " passes " << inputs.size()
                      << " inputs to function '" << fn.name() << "', which takes "
                      << fn.input_size();
  if (node.output_size() > fn.output_size())
    return error(loc) << describeNode(node, index) << " expects " << node.output_size()
                      << " outputs from function '" << fn.name() << "', which has "
                      << fn.output_size();
  // Attribute values visible inside the body: the function's defaults, overridden by
  // the call site (whose own references were resolved by the caller).
  llvm::StringMap<const ::onnx::AttributeProto *> attrs;
  for (const auto &a : fn.attribute_proto())
    attrs[a.name()] = &a;
  for (const auto &a : node.attribute()) {
    if (!a.ref_attr_name().empty()) {
      if (callerAttrs)
        if (auto it = callerAttrs->find(a.ref_attr_name()); it != callerAttrs->end())
          attrs[a.name()] = it->second;
      continue;
    }
    attrs[a.name()] = &a;
  }
  OpsetMap fnOpsets = modelOpsets;
  for (const auto &os : fn.opset_import())
    fnOpsets[canonicalDomain(os.domain())] = os.version();

  // The body runs in its own scope; its outputs are bound in the caller's.
  SmallVector<Value> results;
  {
    scopes.emplace_back();
    typeScopes.emplace_back();
    llvm::scope_exit popScopes([&] {
      scopes.pop_back();
      typeScopes.pop_back();
    });
    Value none;
    for (int i = 0; i < fn.input_size(); ++i) {
      Value v = i < static_cast<int>(inputs.size()) ? inputs[i] : Value();
      if (!v) {
        if (!none)
          none = hybrid::onnx::NoneOp::create(builder, loc, builder.getNoneType());
        v = none;
      }
      define(fn.input(i), v);
    }
    std::string innerPrefix =
        prefix.str() + (node.name().empty() ? fn.name() : node.name()) + "/";
    for (int i = 0; i < fn.node_size(); ++i)
      if (failed(importNode(fn.node(i), i, fnOpsets, innerPrefix, &attrs)))
        return failure();
    for (int i = 0; i < node.output_size(); ++i) {
      Value v = lookup(fn.output(i));
      if (!v)
        return error(loc) << "function '" << fn.name() << "' output '" << fn.output(i)
                          << "' is never produced";
      results.push_back(v);
    }
  }
  for (int i = 0; i < node.output_size(); ++i)
    define(node.output(i), results[i]);
  return success();
}

LogicalResult
Importer::importNode(const ::onnx::NodeProto &node, int index, const OpsetMap &opsets,
                     StringRef prefix,
                     const llvm::StringMap<const ::onnx::AttributeProto *> *callerAttrs) {
  std::string name = prefix.str() + node.name();
  Location loc = NameLoc::get(
      builder.getStringAttr(name.empty() ? "#" + std::to_string(index) : name), fileLoc);
  std::string where = describeNode(node, index);
  if (node.op_type().empty())
    return error(loc) << where << " has no op_type";

  // Inputs: an empty name is a missing optional input.
  SmallVector<Value> inputs;
  Value none;
  for (const auto &in : node.input()) {
    if (in.empty()) {
      if (!none)
        none = hybrid::onnx::NoneOp::create(builder, loc, builder.getNoneType());
      inputs.push_back(none);
      continue;
    }
    Value v = lookup(in);
    if (!v)
      return error(loc) << where << " reads '" << in
                        << "', which no graph input, initializer or earlier node defines";
    inputs.push_back(v);
  }

  std::string domain = canonicalDomain(node.domain());
  auto fnIt = functions.find(node.domain() + ":" + node.op_type() + ":" + node.overload());
  if (fnIt != functions.end())
    return inlineFunction(*fnIt->second, node, index, inputs, prefix, callerAttrs, loc);

  auto opset = opsets.find(domain);
  if (opset == opsets.end())
    return error(loc) << where << " uses domain '" << (domain.empty() ? "ai.onnx" : domain)
                      << "', which the model does not import (no opset_import entry)";

  // An ai.onnx function op the caller wants expanded: its schema's body instead.
  if (domain.empty() && options.expandSchemaFunction &&
      options.expandSchemaFunction(node.op_type(), opset->second))
    if (const ::onnx::FunctionProto *fn = SchemaFunctions::get().find(node.op_type(), opset->second))
      return inlineFunction(*fn, node, index, inputs, prefix, callerAttrs, loc);

  SmallVector<NamedAttribute> attrs;
  SmallVector<const ::onnx::GraphProto *> graphs;
  SmallVector<Attribute> regionNames;
  for (const auto &a : node.attribute()) {
    const ::onnx::AttributeProto *src = &a;
    if (!a.ref_attr_name().empty()) {
      // Inside a function: take the caller's value, or leave the attribute out
      // (the op's default then applies).
      src = nullptr;
      if (callerAttrs)
        if (auto it = callerAttrs->find(a.ref_attr_name()); it != callerAttrs->end())
          src = it->second;
      if (!src)
        continue;
    }
    if (src->type() == ::onnx::AttributeProto::GRAPH || src->has_g()) {
      graphs.push_back(&src->g());
      regionNames.push_back(builder.getStringAttr(a.name()));
      continue;
    }
    if (src->type() == ::onnx::AttributeProto::GRAPHS)
      return error(loc) << where << ": attribute '" << a.name()
                        << "' holds a list of graphs, which is not supported";
    FailureOr<Attribute> value = attribute(*src, loc, where);
    if (failed(value))
      return failure();
    attrs.push_back(builder.getNamedAttr(a.name(), *value));
  }

  SmallVector<Type> resultTypes;
  for (const auto &out : node.output())
    resultTypes.push_back(out.empty() ? Type(hybrid::onnx::UnknownType::get(ctx)) : typeFor(out));
  OperationState state(loc, hybrid::onnx::NodeOp::getOperationName());
  state.addOperands(inputs);
  state.addTypes(resultTypes);
  state.addAttribute("op_type", builder.getStringAttr(node.op_type()));
  if (!domain.empty())
    state.addAttribute("domain", builder.getStringAttr(domain));
  state.addAttribute("version", builder.getI64IntegerAttr(opset->second));
  // Nodes inlined from a function are named after the call site ("call/inner",
  // "call/#2" for unnamed ones) so messages can point at them.
  if (!node.name().empty())
    state.addAttribute("name", builder.getStringAttr(name));
  else if (!prefix.empty())
    state.addAttribute("name", builder.getStringAttr(prefix.str() + "#" + std::to_string(index)));
  state.addAttribute("attrs", builder.getDictionaryAttr(attrs));
  if (!graphs.empty())
    state.addAttribute("region_names", builder.getArrayAttr(regionNames));
  for (size_t i = 0; i < graphs.size(); ++i)
    state.addRegion();
  Operation *op = builder.create(state);
  for (auto [graph, region] : llvm::zip(graphs, op->getRegions()))
    if (failed(subgraphRegion(*graph, region, opsets, name + "/", loc)))
      return failure();
  for (auto [i, out] : llvm::enumerate(node.output()))
    define(out, op->getResult(i));
  return success();
}

OwningOpRef<ModuleOp> Importer::run(const ::onnx::ModelProto &model) {
  if (!model.has_graph()) {
    error() << "the file holds no graph (not an ONNX model, or truncated)";
    return nullptr;
  }
  if (model.ir_version() >= 3 && model.opset_import_size() == 0) {
    error() << "the model (IR version " << model.ir_version()
            << ") imports no opset";
    return nullptr;
  }
  for (const auto &os : model.opset_import())
    modelOpsets[canonicalDomain(os.domain())] = os.version();
  // Before IR version 3 the opset was implicit; treat it as opset 1.
  if (model.opset_import_size() == 0)
    modelOpsets[""] = 1;
  for (const auto &fn : model.functions())
    functions[fn.domain() + ":" + fn.name() + ":" + fn.overload()] = &fn;

  const ::onnx::GraphProto &graph = model.graph();
  auto module = ModuleOp::create(fileLoc);
  module->setAttr("onnx.ir_version", builder.getI64IntegerAttr(model.ir_version()));
  if (!model.producer_name().empty())
    module->setAttr("onnx.producer",
                    builder.getStringAttr(model.producer_name() + " " + model.producer_version()));
  SmallVector<NamedAttribute> opsetAttrs;
  for (const auto &os : model.opset_import())
    opsetAttrs.push_back(builder.getNamedAttr(
        os.domain().empty() ? "ai.onnx" : os.domain(), builder.getI64IntegerAttr(os.version())));
  module->setAttr("onnx.opset", builder.getDictionaryAttr(opsetAttrs));

  scopes.emplace_back();
  typeScopes.emplace_back();
  if (failed(collectValueInfo(graph)))
    return nullptr;

  llvm::StringMap<const ::onnx::TensorProto *> initializers;
  for (const auto &init : graph.initializer())
    initializers[init.name()] = &init;
  if (graph.sparse_initializer_size()) {
    error() << "the graph has sparse initializers, which are not supported";
    return nullptr;
  }

  // Graph inputs that are also initializers (old exporters list every weight as an
  // input) are constants: their initializer is the value.
  SmallVector<Type> argTypes;
  SmallVector<const ::onnx::ValueInfoProto *> args;
  llvm::StringSet<> pinned;
  std::vector<std::pair<const ::onnx::ValueInfoProto *, ::onnx::TensorProto>> bound;
  llvm::StringSet<> boundNames;
  for (const auto &in : graph.input()) {
    if (initializers.count(in.name()))
      continue;
    std::string what = "graph input '" + in.name() + "'";
    FailureOr<Type> t = valueType(in.type(), fileLoc, what);
    if (failed(t))
      return nullptr;
    if (auto it = options.boundInputs.find(in.name()); it != options.boundInputs.end()) {
      // Specialised on a constant value: check it against the declared type.
      boundNames.insert(in.name());
      ::onnx::TensorProto value;
      if (!value.ParseFromString(it->second)) {
        error() << "--bind-input " << in.name() << ": not a serialized TensorProto";
        return nullptr;
      }
      auto declared = dyn_cast<TensorType>(*t);
      if (!declared) {
        error() << "--bind-input: " << what << " is not a tensor";
        return nullptr;
      }
      if (value.data_type() != in.type().tensor_type().elem_type()) {
        error() << "--bind-input: " << what << " is declared as "
                << hybrid::onnx::getDataTypeName(in.type().tensor_type().elem_type())
                << ", the value is "
                << hybrid::onnx::getDataTypeName(value.data_type());
        return nullptr;
      }
      if (auto ranked = dyn_cast<RankedTensorType>(declared)) {
        bool ok = ranked.getRank() == value.dims_size();
        for (int64_t i = 0; ok && i < ranked.getRank(); ++i)
          ok = ranked.isDynamicDim(i) || ranked.getDimSize(i) == value.dims(i);
        if (!ok) {
          error() << "--bind-input: the value's shape does not match " << what
                  << ", declared as " << ranked;
          return nullptr;
        }
      }
      value.set_name(in.name());
      bound.emplace_back(&in, std::move(value));
      continue;
    }
    if (auto it = options.inputShapes.find(in.name()); it != options.inputShapes.end()) {
      pinned.insert(in.name());
      auto ranked = dyn_cast<RankedTensorType>(*t);
      auto unranked = dyn_cast<UnrankedTensorType>(*t);
      if (!ranked && !unranked) {
        error() << what << " has no element type, so --input-shape cannot pin it";
        return nullptr;
      }
      ArrayRef<int64_t> want = it->second;
      if (ranked) {
        if (ranked.getRank() != static_cast<int64_t>(want.size())) {
          error() << "--input-shape gives " << what << " rank " << want.size()
                  << ", the model says " << ranked;
          return nullptr;
        }
        for (auto [have, pin] : llvm::zip(ranked.getShape(), want))
          if (!ShapedType::isDynamic(have) && pin >= 0 && have != pin) {
            error() << "--input-shape pins " << what << " to a shape that contradicts its "
                    << "declared type " << ranked;
            return nullptr;
          }
      }
      SmallVector<int64_t> shape;
      for (auto [i, pin] : llvm::enumerate(want))
        shape.push_back(pin >= 0 ? pin
                                 : (ranked ? ranked.getDimSize(i) : ShapedType::kDynamic));
      Type elt = ranked ? ranked.getElementType() : unranked.getElementType();
      *t = RankedTensorType::get(shape, elt);
    }
    if (isa<hybrid::onnx::UnknownType>(*t)) {
      error() << what << " has no type";
      return nullptr;
    }
    argTypes.push_back(*t);
    args.push_back(&in);
  }
  for (const auto &entry : options.boundInputs)
    if (!boundNames.contains(entry.getKey())) {
      error() << "--bind-input names '" << entry.getKey()
              << "', which is not an input of the graph";
      return nullptr;
    }
  for (const auto &entry : options.inputShapes)
    if (!pinned.contains(entry.getKey())) {
      error() << "--input-shape names '" << entry.getKey()
              << "', which is not an input of the graph";
      return nullptr;
    }

  auto func = func::FuncOp::create(fileLoc, options.entryName,
                                   builder.getFunctionType(argTypes, {}));
  module.push_back(func);
  // A C entry point (_mlir_ciface_<name>) taking memref descriptors, for the
  // runtime and the tests.
  func->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (auto [i, in] : llvm::enumerate(args)) {
    define(in->name(), entry->getArgument(i));
    func.setArgAttrs(i, signatureAttrs(*in));
  }
  for (const auto &init : graph.initializer()) {
    Location loc = NameLoc::get(builder.getStringAttr(init.name()), fileLoc);
    FailureOr<ElementsAttr> value = tensorAttr(init, loc, /*allowResource=*/true);
    if (failed(value))
      return nullptr;
    define(init.name(), arith::ConstantOp::create(builder, loc, cast<TypedAttr>(*value)));
  }
  for (auto &[in, tensor] : bound) {
    Location loc = NameLoc::get(builder.getStringAttr(in->name()), fileLoc);
    FailureOr<ElementsAttr> value = tensorAttr(tensor, loc, /*allowResource=*/true);
    if (failed(value))
      return nullptr;
    define(in->name(), arith::ConstantOp::create(builder, loc, cast<TypedAttr>(*value)));
  }
  if (failed(importGraphBody(graph, modelOpsets, "")))
    return nullptr;

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (auto [i, out] : llvm::enumerate(graph.output())) {
    Value v = lookup(out.name());
    if (!v) {
      error() << "graph output '" << out.name() << "' is never produced";
      return nullptr;
    }
    results.push_back(v);
    resultTypes.push_back(v.getType());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    func.setResultAttrs(i, signatureAttrs(out));
  return OwningOpRef<ModuleOp>(module);
}

} // namespace

LogicalResult hybrid::parseInputShapeOption(StringRef spec, OnnxImportOptions &options,
                                            std::string &error) {
  auto [name, dims] = spec.rsplit('=');
  if (name.empty() || dims.empty() || !spec.contains('=')) {
    error = "--input-shape expects name=AxBxC, got '" + spec.str() + "'";
    return failure();
  }
  SmallVector<int64_t> shape;
  SmallVector<StringRef> parts;
  if (dims != "scalar")
    dims.split(parts, 'x');
  for (StringRef p : parts) {
    int64_t d;
    if (p == "?" || p == "-1") {
      shape.push_back(-1);
    } else if (p.getAsInteger(10, d) || d < 0) {
      error = "--input-shape: '" + p.str() + "' in '" + spec.str() +
              "' is not a dimension (use a number or ?)";
      return failure();
    } else {
      shape.push_back(d);
    }
  }
  options.inputShapes[name] = shape;
  return success();
}

LogicalResult hybrid::parseBindInputOption(StringRef spec, OnnxImportOptions &options,
                                           std::string &error) {
  auto [name, path] = spec.split('=');
  if (name.empty() || path.empty()) {
    error = "--bind-input expects name=tensor.pb, got '" + spec.str() + "'";
    return failure();
  }
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!file) {
    error = "--bind-input: cannot read '" + path.str() + "': " + file.getError().message();
    return failure();
  }
  options.boundInputs[name] = (*file)->getBuffer().str();
  return success();
}

bool hybrid::looksLikeOnnxModel(StringRef path, StringRef contents) {
  if (path.ends_with(".onnx"))
    return true;
  if (contents.empty() || contents.starts_with("ML\xefR"))
    return false;
  // A ModelProto starts with a protobuf tag: field 1 (ir_version, varint) = 0x08,
  // or another low field number; MLIR text starts with a printable character.
  unsigned char c = contents[0];
  return c == 0x08 || c == 0x12 || c == 0x1a;
}

OwningOpRef<ModuleOp> hybrid::importOnnxModel(MLIRContext *context, StringRef buffer,
                                              StringRef path,
                                              const OnnxImportOptions &options) {
  context->loadDialect<hybrid::onnx::ONNXDialect, arith::ArithDialect, func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  if (buffer.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    emitError(fileLoc) << "the file is larger than 2 GiB; protobuf cannot read it "
                          "(store the weights as external data)";
    return nullptr;
  }
  ::onnx::ModelProto model;
  if (!model.ParseFromArray(buffer.data(), static_cast<int>(buffer.size()))) {
    emitError(fileLoc) << "not a valid ONNX model: the protobuf data is corrupt or "
                          "truncated";
    return nullptr;
  }
  Importer importer(context, path, options);
  OwningOpRef<ModuleOp> module = importer.run(model);
  if (module && failed(verify(*module)))
    return nullptr;
  return module;
}

OwningOpRef<ModuleOp> hybrid::importOnnxModelFile(MLIRContext *context, StringRef path,
                                                  const OnnxImportOptions &options) {
  auto file = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false,
                                                 /*RequiresNullTerminator=*/false);
  if (!file) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read '" << path << "': " << file.getError().message();
    return nullptr;
  }
  return importOnnxModel(context, (*file)->getBuffer(), path, options);
}
