//===- ONNXOps.td - the faithful ONNX import dialect -------*- tablegen -*-===//
//
// The `onnx` dialect is what the importer writes first: one `onnx.node` per ONNX
// NodeProto, with its domain, op type, resolved opset version and attributes kept
// exactly as the file has them. `hybrid-convert-onnx` then rewrites every node into
// upstream dialects and hybrid ops with converters keyed by
// (domain, op type, since-version). Keeping the faithful form separate means
// unsupported nodes can all be listed at once, and `--onnx-faithful` shows a user
// what the file really holds.
//
//===----------------------------------------------------------------------===//

#ifndef HYBRID_ONNX_OPS_TD
#define HYBRID_ONNX_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def ONNX_Dialect : Dialect {
  let name = "onnx";
  let cppNamespace = "::hybrid::onnx";
  let summary = "A faithful image of an ONNX graph, before conversion";
  let description = [{
    Each ONNX node becomes one `onnx.node` op. Values whose type the file does not
    state (no `value_info`) have type `!onnx.unknown`; the converters infer it.
    Missing optional inputs (an empty input name) are the result of `onnx.none`.
    Subgraph attributes (`If`, `Loop`, `Scan`) become regions terminated by
    `onnx.yield`; a subgraph reads outer values directly, as ONNX scoping allows.
  }];
  let useDefaultTypePrinterParser = 1;
}

class ONNX_Op<string mnemonic, list<Trait> traits = []>
    : Op<ONNX_Dialect, mnemonic, traits>;

def ONNX_UnknownType : TypeDef<ONNX_Dialect, "Unknown"> {
  let mnemonic = "unknown";
  let summary = "a value whose type the ONNX file does not state";
}

def ONNX_NodeOp : ONNX_Op<"node", [RecursiveMemoryEffects]> {
  let summary = "one ONNX node, as the file has it";
  let description = [{
    `op_type`, `domain` (empty for `ai.onnx`) and `version` (the opset version the
    model imports for that domain) identify the operator; `attrs` holds the node's
    attributes (INT as i64, FLOAT as f32, STRING as a string, TENSOR as an elements
    attribute, INTS/FLOATS as dense arrays, STRINGS as an array of strings, TYPE_PROTO
    as a type); graph attributes are the regions, named by `region_names`.

    Example:

    ```mlir
    %y = onnx.node "Softmax" v13 (%x) {name = "attn/softmax", attrs = {axis = -1 : i64}}
        : (tensor<1x8x128x128xf32>) -> tensor<1x8x128x128xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$inputs,
                       StrAttr:$op_type,
                       DefaultValuedStrAttr<StrAttr, "">:$domain,
                       I64Attr:$version,
                       OptionalAttr<StrAttr>:$name,
                       DefaultValuedAttr<DictionaryAttr, "{}">:$attrs,
                       OptionalAttr<StrArrayAttr>:$region_names);
  let results = (outs Variadic<AnyType>:$outputs);
  let regions = (region VariadicRegion<SizedRegion<1>>:$subgraphs);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// "domain.OpType-version", e.g. "com.microsoft.MoE-1" or "Softmax-13".
    std::string getDisplayName();
  }];
}

def ONNX_NoneOp : ONNX_Op<"none", [Pure]> {
  let summary = "a missing optional input";
  let results = (outs NoneType:$result);
  let assemblyFormat = "attr-dict";
}

def ONNX_YieldOp : ONNX_Op<"yield", [Pure, Terminator, ReturnLike,
                                    ParentOneOf<["NodeOp"]>]> {
  let summary = "the outputs of an ONNX subgraph";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // HYBRID_ONNX_OPS_TD
