//===- Builders.h - tensor building blocks for the converters ---*- C++ -*-===//
//
// Numpy-broadcasting elementwise ops, reductions, casts, reshapes and transposes
// on tensors with static or dynamic dims, shared by the converter families.
// Dynamic dims that must agree at run time are checked with cf.assert messages
// that name the node.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_LIB_CONVERSION_ONNXTOHYBRID_BUILDERS_H
#define HYBRID_LIB_CONVERSION_ONNXTOHYBRID_BUILDERS_H

#include "lib/Conversion/ONNXToHybrid/ConvertONNX.h"

namespace hybrid::onnx_conv {

using ScalarFn = llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

inline RankedTensorType tensorType(Value v) { return cast<RankedTensorType>(v.getType()); }
inline int64_t rankOf(Value v) { return tensorType(v).getRank(); }
inline Type elementTypeOf(Value v) { return tensorType(v).getElementType(); }
inline bool isFloatLike(Type t) { return isa<FloatType>(t); }

SmallVector<OpFoldResult> mixedSizes(OpBuilder &b, Location loc, Value v);
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes, Type elt);
/// A scalar of `elt` (float or integer) with value `v`.
Value scalarConstant(OpBuilder &b, Location loc, Type elt, double v);
/// A tensor of `sizes` filled with `scalar`.
/// The type arithmetic on `elt` runs in: f32 for floats narrower than 32 bits.
Type computeType(OpBuilder &b, Type elt);
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes, Value scalar);

/// Scalar conversion with ONNX Cast semantics (float to bool is x != 0).
Value convertScalar(OpBuilder &b, Location loc, Value x, Type to, bool srcUnsigned = false,
                    bool dstUnsigned = false);
/// Elementwise cast of a tensor; returns `t` when the element type already matches.
Value castTensor(OpBuilder &b, Location loc, Value t, Type elt, bool srcUnsigned = false,
                 bool dstUnsigned = false);

/// Numpy-broadcast elementwise op over ranked tensors; `body` gets one scalar per
/// input and returns a scalar of `resultElt`.
FailureOr<Value> elementwise(OnnxNode &node, ValueRange inputs, Type resultElt, ScalarFn body);
/// The broadcast result sizes of `inputs` (with run-time checks for dynamic dims).
FailureOr<SmallVector<OpFoldResult>> broadcastSizes(OnnxNode &node, ValueRange inputs);
/// `input` broadcast to `sizes` (numpy rules, `input` rank <= sizes rank).
Value broadcastTo(OpBuilder &b, Location loc, Value input, ArrayRef<OpFoldResult> sizes);

/// Resolves a possibly negative axis against `rank`, or reports an error.
FailureOr<int64_t> normalizeAxis(OnnxNode &node, int64_t axis, int64_t rank,
                                 StringRef what = "axis");

/// Reduces `input` over `axes` (sorted, unique) with `combine(acc, x)` starting
/// from `init`; `map(x)` is applied to each element first (may be null).
Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes, bool keepDims,
             Value init,
             llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> combine,
             llvm::function_ref<Value(OpBuilder &, Location, Value)> map = nullptr);

/// Inserts unit dims at `positions` (sorted, in the result's numbering).
Value insertUnitDims(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> positions);
/// Drops the unit dims at `positions` (sorted).
Value dropUnitDims(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> positions);
/// `v` with its dynamic dims made static where `sizes` has a constant (tensor.cast),
/// so that it can be inserted with those sizes.
Value refineToSizes(OpBuilder &b, Location loc, Value v, ArrayRef<OpFoldResult> sizes);
/// Reshape to `sizes` (the element count must match): an expand_shape or a
/// collapse_shape when the sizes prove the grouping of dims, else tensor.reshape.
Value reshapeTo(OpBuilder &b, Location loc, Value input, ArrayRef<OpFoldResult> sizes);
/// Whether two sizes are provably equal: equal constants, the same value, or
/// the same dim of the same tensor read twice.
bool provablyEqual(OpFoldResult a, OpFoldResult b);
/// Transpose with `perm` (result dim i = input dim perm[i]).
Value transposeTensor(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> perm);
/// An index value for a size.
Value indexValue(OpBuilder &b, Location loc, OpFoldResult size);
/// x * y, x + y and the product of `sizes`, folded when both sides are constant.
OpFoldResult mulSizes(OpBuilder &b, Location loc, OpFoldResult x, OpFoldResult y);
OpFoldResult addSizes(OpBuilder &b, Location loc, OpFoldResult x, OpFoldResult y);
OpFoldResult productOf(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes);
/// The number of elements of `input` over `axes`, as a scalar of float type `ft`.
Value elementCountAs(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes, Type ft);

/// The raw `axes` of a node: the attribute before opset `inputSince`, the constant
/// input 1 from then on; nullopt when absent, failure when not a constant.
FailureOr<std::optional<SmallVector<int64_t>>> readAxes(OnnxNode &node, int64_t inputSince);
/// Resolves negative axes against `rank`; sorted, and an error when one repeats.
/// Each of `axes` made non-negative, in the given order (their order matters:
/// Resize's scales and CenterCropPad's shape follow it); repeats are errors.
FailureOr<SmallVector<int64_t>> normalizeAxesInOrder(OnnxNode &node, ArrayRef<int64_t> axes,
                                                     int64_t rank);
/// The `axes` attribute in the given order (normalized), or every axis 0..rank-1.
FailureOr<SmallVector<int64_t>> axesAttrOrAll(OnnxNode &node, int64_t rank);
FailureOr<SmallVector<int64_t>> normalizeAxes(OnnxNode &node, ArrayRef<int64_t> axes,
                                              int64_t rank);

/// The `math`/`arith` op for a float or integer binary op.
Value maxScalar(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned = false);
Value minScalar(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned = false);
/// The most negative / positive value of `elt` (-inf / +inf for floats).
Value lowestScalar(OpBuilder &b, Location loc, Type elt, bool isUnsigned = false);
Value highestScalar(OpBuilder &b, Location loc, Type elt, bool isUnsigned = false);

/// A parallel linalg.generic producing a tensor of `sizes` whose element at each
/// point is `body(indices)`; `body` reads its sources with tensor.extract.
Value generateTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes, Type elt,
                     llvm::function_ref<Value(OpBuilder &, Location, ValueRange)> body);
/// An scf.for nest over `sizes` carrying `iterArgs`; `body(ivs, iter)` returns the
/// next values. Returns the nest's results (`iterArgs` when `sizes` is empty and
/// the body ran once outside any loop).
SmallVector<Value> forEachIndex(
    OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes, ValueRange iterArgs,
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange, ValueRange)> body);

// Quantization (Quantize.cpp).
/// Input `input` widened to i32 minus the zero point at input `zpInput` (when
/// present): a scalar, or 1-D along dim `zpAxis` of the input (-1: scalar only).
FailureOr<Value> widenMinusZeroPoint(OnnxNode &node, unsigned input, unsigned zpInput,
                                     int64_t zpAxis);

/// clamp(round_half_even(acc * (scale1 * scale2 / yScale)) + y_zero_point) in the
/// zero point's type (input `yZpInput` of the node; `defaultType` when absent), the
/// factor in f32 and the product in f64 as ONNX's reference computes it.
FailureOr<Value> requantize(OnnxNode &node, Value acc, Value scale1, Value scale2, Value yScale,
                            unsigned yZpInput, Type defaultType, bool defaultUnsigned);

// Attention layouts (Attention.cpp).
/// [B, S, H*D] -> [B, H, S, D].
FailureOr<Value> splitHeads(OnnxNode &node, Value x, int64_t heads, StringRef what);
/// [B, H, S, D] -> [B, S, H*D].
Value mergeHeads(OpBuilder &b, Location loc, Value x);
/// Concatenates `past` and `cur` along dim 2 ([B, H, S, D]).
Value concatSeq(OpBuilder &b, Location loc, Value past, Value cur);

} // namespace hybrid::onnx_conv

#endif // HYBRID_LIB_CONVERSION_ONNXTOHYBRID_BUILDERS_H
