//===- ONNXDialect.cpp - the faithful ONNX import dialect -----------------===//
#include "dialects/ONNX/IR/ONNXDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace hybrid::onnx;

#include "dialects/ONNX/IR/ONNXDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/ONNX/IR/ONNXTypes.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/ONNX/IR/ONNXOps.cpp.inc"

void ONNXDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/ONNX/IR/ONNXOps.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/ONNX/IR/ONNXTypes.cpp.inc"
      >();
}

std::string NodeOp::getDisplayName() {
  std::string s;
  if (!getDomain().empty())
    s += getDomain().str() + ".";
  s += getOpType().str() + "-" + std::to_string(getVersion());
  return s;
}

LogicalResult NodeOp::verify() {
  if (getVersion() < 1)
    return emitOpError("opset version must be positive, got ") << getVersion();
  size_t numNames = getRegionNames() ? getRegionNames()->size() : 0;
  if (numNames != getSubgraphs().size())
    return emitOpError("has ") << getSubgraphs().size() << " subgraph regions but "
                               << numNames << " region names";
  return success();
}

// Custom form:
//   onnx.node ["domain"] "OpType" v<version> (%operands) [regions (...)] {attrs}
//       : (operand types) -> result types
void NodeOp::print(OpAsmPrinter &p) {
  p << ' ';
  if (!getDomain().empty()) {
    p.printString(getDomain());
    p << ' ';
  }
  p.printString(getOpType());
  p << " v" << getVersion() << " (" << getInputs() << ")";
  if (!getSubgraphs().empty()) {
    p << " subgraphs (";
    llvm::interleaveComma(getSubgraphs(), p, [&](Region &r) {
      p.printRegion(r, /*printEntryBlockArgs=*/true, /*printBlockTerminators=*/true);
    });
    p << ")";
  }
  p.printOptionalAttrDict((*this)->getAttrs(),
                          {getOpTypeAttrName(), getDomainAttrName(), getVersionAttrName()});
  p << " : ";
  p.printFunctionalType(getInputs().getTypes(), getOutputs().getTypes());
}

ParseResult NodeOp::parse(OpAsmParser &parser, OperationState &result) {
  std::string first, opType;
  if (parser.parseString(&first))
    return failure();
  std::string domain;
  if (succeeded(parser.parseOptionalString(&opType)))
    domain = first;
  else
    opType = first;
  StringRef versionKw;
  SMLoc versionLoc = parser.getCurrentLocation();
  if (parser.parseKeyword(&versionKw))
    return failure();
  int64_t version = 0;
  if (!versionKw.starts_with("v") || versionKw.drop_front().getAsInteger(10, version))
    return parser.emitError(versionLoc, "expected opset version as 'v<N>'");
  SmallVector<OpAsmParser::UnresolvedOperand> operands;
  if (parser.parseOperandList(operands, OpAsmParser::Delimiter::Paren))
    return failure();
  if (succeeded(parser.parseOptionalKeyword("subgraphs"))) {
    if (parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Paren, [&]() {
          Region *region = result.addRegion();
          return parser.parseRegion(*region, /*arguments=*/{});
        }))
      return failure();
  }
  if (parser.parseOptionalAttrDict(result.attributes))
    return failure();
  Builder &b = parser.getBuilder();
  result.addAttribute(getOpTypeAttrName(result.name), b.getStringAttr(opType));
  if (!domain.empty())
    result.addAttribute(getDomainAttrName(result.name), b.getStringAttr(domain));
  result.addAttribute(getVersionAttrName(result.name), b.getI64IntegerAttr(version));
  FunctionType fnType;
  SMLoc typeLoc = parser.getCurrentLocation();
  if (parser.parseColonType(fnType) ||
      parser.resolveOperands(operands, fnType.getInputs(), typeLoc, result.operands))
    return failure();
  result.addTypes(fnType.getResults());
  return success();
}

// Codes from TensorProto.DataType in onnx.proto.
Type hybrid::onnx::getElementType(MLIRContext *ctx, int64_t dataType) {
  auto u = [&](unsigned w) { return IntegerType::get(ctx, w, IntegerType::Unsigned); };
  switch (dataType) {
  case 1: return Float32Type::get(ctx);
  case 2: return u(8);
  case 3: return IntegerType::get(ctx, 8);
  case 4: return u(16);
  case 5: return IntegerType::get(ctx, 16);
  case 6: return IntegerType::get(ctx, 32);
  case 7: return IntegerType::get(ctx, 64);
  case 9: return IntegerType::get(ctx, 1);
  case 10: return Float16Type::get(ctx);
  case 11: return Float64Type::get(ctx);
  case 12: return u(32);
  case 13: return u(64);
  case 14: return ComplexType::get(Float32Type::get(ctx));
  case 15: return ComplexType::get(Float64Type::get(ctx));
  case 16: return BFloat16Type::get(ctx);
  case 17: return Float8E4M3FNType::get(ctx);
  case 18: return Float8E4M3FNUZType::get(ctx);
  case 19: return Float8E5M2Type::get(ctx);
  case 20: return Float8E5M2FNUZType::get(ctx);
  case 21: return u(4);
  case 22: return IntegerType::get(ctx, 4);
  case 23: return Float4E2M1FNType::get(ctx);
  case 24: return Float8E8M0FNUType::get(ctx);
  default: return nullptr;
  }
}

std::string hybrid::onnx::getDataTypeName(int64_t dataType) {
  static const char *names[] = {
      "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
      "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64",
      "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2",
      "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1", "FLOAT8E8M0", "UINT2", "INT2",
      "FLOAT6E2M3", "FLOAT6E3M2"};
  if (dataType >= 0 && dataType < static_cast<int64_t>(std::size(names)))
    return names[dataType];
  return "code " + std::to_string(dataType);
}
