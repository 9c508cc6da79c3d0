// RUN: hybrid-opt %s --split-input-file --hybrid-raise-attention | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-raise-attention --hybrid-convert-onnx | FileCheck %s --check-prefix=CONVERTED

// The exporter's form: q.kᵀ (k transposed by the last two dims), a scalar
// scale, an additive mask, softmax on the last axis, times v. One Attention
// node (opset 23) with the scale and the mask replaces all five; the
// converter makes it hybrid.attention.
// CHECK-LABEL: func.func @additive_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x8x16xf32>, %[[K:.*]]: tensor<1x4x8x16xf32>, %[[V:.*]]: tensor<1x4x8x16xf32>, %[[M:.*]]: tensor<8x8xf32>)
// CHECK-NOT: onnx.node
// CHECK: %[[A:.*]] = onnx.node "Attention" v23 (%[[Q]], %[[K]], %[[V]], %[[M]]) {attrs = {scale = 2.500000e-01 : f32}, name = "sm/raised_attention"}
// CHECK-NEXT: return %[[A]]
// CONVERTED-LABEL: func.func @additive_mask
// CONVERTED: hybrid.attention ins({{.*}}) mask({{.*}} : tensor<1x1x8x8xf32>) outs({{.*}}) {scale = 2.500000e-01 : f32}
// CONVERTED-NOT: onnx.node
func.func @additive_mask(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>,
                         %v: tensor<1x4x8x16xf32>, %m: tensor<8x8xf32>) -> !onnx.unknown {
  %c = arith.constant dense<2.500000e-01> : tensor<f32>
  %kt = onnx.node "Transpose" v18 (%k) {attrs = {perm = array<i64: 0, 1, 3, 2>}, name = "kt"} : (tensor<1x4x8x16xf32>) -> !onnx.unknown
  %s = onnx.node "MatMul" v18 (%q, %kt) {attrs = {}, name = "qk"} : (tensor<1x4x8x16xf32>, !onnx.unknown) -> !onnx.unknown
  %ss = onnx.node "Mul" v18 (%s, %c) {attrs = {}, name = "scale"} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %sm = onnx.node "Add" v18 (%ss, %m) {attrs = {}, name = "mask"} : (!onnx.unknown, tensor<8x8xf32>) -> !onnx.unknown
  %p = onnx.node "Softmax" v18 (%sm) {attrs = {axis = -1 : i64}, name = "sm"} : (!onnx.unknown) -> !onnx.unknown
  %o = onnx.node "MatMul" v18 (%p, %v) {attrs = {}, name = "pv"} : (!onnx.unknown, tensor<1x4x8x16xf32>) -> !onnx.unknown
  return %o : !onnx.unknown
}

// -----

// The sqrt-scale form (q and kᵀ each times d^-1/4), a division, and k
// transposed straight from [B, S, H, D] to kᵀ ([0, 2, 3, 1]): composed with
// the swap, k is that tensor transposed by [0, 2, 1, 3]. Ranks come from the
// Reshape targets and Transpose permutations, not from declared types.
// CHECK-LABEL: func.func @sqrt_scale_div
// CHECK: %[[K4:.*]] = onnx.node "Reshape" v18
// CHECK: %[[Q4:.*]] = onnx.node "Reshape" v18
// CHECK: %[[QT:.*]] = onnx.node "Transpose" v18 (%[[Q4]])
// CHECK: %[[KP:.*]] = onnx.node "Transpose" v13 (%[[K4]]) {attrs = {perm = array<i64: 0, 2, 1, 3>}, name = "sm/raised_k"}
// CHECK: onnx.node "Attention" v23 (%[[QT]], %[[KP]], %{{.*}}) {attrs = {scale = 1.250000e-01 : f32}, name = "sm/raised_attention"}
// CHECK-NOT: "Softmax"
// CONVERTED-LABEL: func.func @sqrt_scale_div
// CONVERTED: hybrid.attention ins({{.*}} : tensor<2x3x5x16xf32>, tensor<2x3x5x16xf32>, tensor<2x3x5x16xf32>) outs({{.*}}) {scale = 1.250000e-01 : f32}
func.func @sqrt_scale_div(%q: tensor<2x5x48xf32>, %k: tensor<2x5x48xf32>, %v: tensor<2x3x5x16xf32>) -> !onnx.unknown {
  %shape = arith.constant dense<[2, 5, 3, 16]> : tensor<4xi64>
  %c = arith.constant dense<0.5> : tensor<f32>
  %two = arith.constant dense<2.0> : tensor<f32>
  %k4 = onnx.node "Reshape" v18 (%k, %shape) {attrs = {}, name = "k4"} : (tensor<2x5x48xf32>, tensor<4xi64>) -> !onnx.unknown
  %kt = onnx.node "Transpose" v18 (%k4) {attrs = {perm = array<i64: 0, 2, 3, 1>}, name = "kt"} : (!onnx.unknown) -> !onnx.unknown
  %q4 = onnx.node "Reshape" v18 (%q, %shape) {attrs = {}, name = "q4"} : (tensor<2x5x48xf32>, tensor<4xi64>) -> !onnx.unknown
  %qt = onnx.node "Transpose" v18 (%q4) {attrs = {perm = array<i64: 0, 2, 1, 3>}, name = "qt"} : (!onnx.unknown) -> !onnx.unknown
  %qs = onnx.node "Mul" v18 (%c, %qt) {attrs = {}, name = "qs"} : (tensor<f32>, !onnx.unknown) -> !onnx.unknown
  %ks = onnx.node "Mul" v18 (%kt, %c) {attrs = {}, name = "ks"} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %s = onnx.node "MatMul" v18 (%qs, %ks) {attrs = {}, name = "qk"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %sd = onnx.node "Div" v18 (%s, %two) {attrs = {}, name = "div"} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %p = onnx.node "Softmax" v18 (%sd) {attrs = {axis = 3 : i64}, name = "sm"} : (!onnx.unknown) -> !onnx.unknown
  %o = onnx.node "MatMul" v18 (%p, %v) {attrs = {}, name = "pv"} : (!onnx.unknown, tensor<2x3x5x16xf32>) -> !onnx.unknown
  return %o : !onnx.unknown
}

// -----

// A boolean mask through Where(cond, s, -inf), no scale (scale 1), and kᵀ
// that is not a Transpose: one is inserted.
// CHECK-LABEL: func.func @where_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x4x8xf32>, %[[KT:.*]]: tensor<1x2x8x6xf32>, %[[V:.*]]: tensor<1x2x6x8xf32>, %[[C:.*]]: tensor<1x1x4x6xi1>)
// CHECK: %[[K:.*]] = onnx.node "Transpose" v13 (%[[KT]]) {attrs = {perm = array<i64: 0, 1, 3, 2>}
// CHECK: onnx.node "Attention" v23 (%[[Q]], %[[K]], %[[V]], %[[C]]) {attrs = {scale = 1.000000e+00 : f32}
// CONVERTED-LABEL: func.func @where_mask
// CONVERTED: hybrid.attention {{.*}} mask({{.*}} : tensor<1x1x4x6xi1>)
func.func @where_mask(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x6xf32>, %v: tensor<1x2x6x8xf32>,
                      %cond: tensor<1x1x4x6xi1>) -> !onnx.unknown {
  %ninf = arith.constant dense<0xFF800000> : tensor<f32>
  %s = onnx.node "MatMul" v18 (%q, %kt) {attrs = {}, name = "qk"} : (tensor<1x2x4x8xf32>, tensor<1x2x8x6xf32>) -> !onnx.unknown
  %sm = onnx.node "Where" v18 (%cond, %s, %ninf) {attrs = {}, name = "mask"} : (tensor<1x1x4x6xi1>, !onnx.unknown, tensor<f32>) -> !onnx.unknown
  %p = onnx.node "Softmax" v18 (%sm) {attrs = {axis = -1 : i64}, name = "sm"} : (!onnx.unknown) -> !onnx.unknown
  %o = onnx.node "MatMul" v18 (%p, %v) {attrs = {}, name = "pv"} : (!onnx.unknown, tensor<1x2x6x8xf32>) -> !onnx.unknown
  return %o : !onnx.unknown
}

// -----

// Near misses, left as they are: the probabilities are also returned; the
// softmax is over the query axis; the scale is not a constant; a Where that
// fills with a finite value; q of a rank the pass does not infer (an Einsum's
// rank is in its equation); 3-D operands.
// CHECK-LABEL: func.func @near_misses
// CHECK-NOT: "Attention"
// CHECK: return
func.func @near_misses(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>, %v: tensor<1x2x4x8xf32>,
                       %x: tensor<f32>, %cond: tensor<4x4xi1>,
                       %q3: tensor<2x4x8xf32>, %kt3: tensor<2x8x4xf32>, %v3: tensor<2x4x8xf32>)
    -> (!onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown) {
  %big = arith.constant dense<-1.0e+09> : tensor<f32>
  // Probabilities used twice.
  %s0 = onnx.node "MatMul" v18 (%q, %kt) {attrs = {}, name = "qk0"} : (tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) -> !onnx.unknown
  %p0 = onnx.node "Softmax" v18 (%s0) {attrs = {axis = -1 : i64}, name = "sm0"} : (!onnx.unknown) -> !onnx.unknown
  %o0 = onnx.node "MatMul" v18 (%p0, %v) {attrs = {}, name = "pv0"} : (!onnx.unknown, tensor<1x2x4x8xf32>) -> !onnx.unknown
  // Softmax over axis 2.
  %s1 = onnx.node "MatMul" v18 (%q, %kt) {attrs = {}, name = "qk1"} : (tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) -> !onnx.unknown
  %p1 = onnx.node "Softmax" v18 (%s1) {attrs = {axis = 2 : i64}, name = "sm1"} : (!onnx.unknown) -> !onnx.unknown
  %o1 = onnx.node "MatMul" v18 (%p1, %v) {attrs = {}, name = "pv1"} : (!onnx.unknown, tensor<1x2x4x8xf32>) -> !onnx.unknown
  // A scale that is an input, not a constant.
  %s2 = onnx.node "MatMul" v18 (%q, %kt) {attrs = {}, name = "qk2"} : (tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) -> !onnx.unknown
  %ss2 = onnx.node "Mul" v18 (%s2, %x) {attrs = {}, name = "scale2"} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %p2 = onnx.node "Softmax" v18 (%ss2) {attrs = {axis = -1 : i64}, name = "sm2"} : (!onnx.unknown) -> !onnx.unknown
  %o2 = onnx.node "MatMul" v18 (%p2, %v) {attrs = {}, name = "pv2"} : (!onnx.unknown, tensor<1x2x4x8xf32>) -> !onnx.unknown
  // Where filling with -1e9: a fully masked row would average v, not give 0.
  %s3 = onnx.node "MatMul" v18 (%q, %kt) {attrs = {}, name = "qk3"} : (tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) -> !onnx.unknown
  %w3 = onnx.node "Where" v18 (%cond, %s3, %big) {attrs = {}, name = "mask3"} : (tensor<4x4xi1>, !onnx.unknown, tensor<f32>) -> !onnx.unknown
  %p3 = onnx.node "Softmax" v18 (%w3) {attrs = {axis = -1 : i64}, name = "sm3"} : (!onnx.unknown) -> !onnx.unknown
  %o3 = onnx.node "MatMul" v18 (%p3, %v) {attrs = {}, name = "pv3"} : (!onnx.unknown, tensor<1x2x4x8xf32>) -> !onnx.unknown
  // q of unknown rank.
  %qu = onnx.node "Einsum" v18 (%q) {attrs = {equation = "bhsd->bhsd"}, name = "einsum"} : (tensor<1x2x4x8xf32>) -> !onnx.unknown
  %s4 = onnx.node "MatMul" v18 (%qu, %kt) {attrs = {}, name = "qk4"} : (!onnx.unknown, tensor<1x2x8x4xf32>) -> !onnx.unknown
  %p4 = onnx.node "Softmax" v18 (%s4) {attrs = {axis = -1 : i64}, name = "sm4"} : (!onnx.unknown) -> !onnx.unknown
  %o4 = onnx.node "MatMul" v18 (%p4, %v) {attrs = {}, name = "pv4"} : (!onnx.unknown, tensor<1x2x4x8xf32>) -> !onnx.unknown
  // 3-D [B*H, S, D] operands.
  %s5 = onnx.node "MatMul" v18 (%q3, %kt3) {attrs = {}, name = "qk5"} : (tensor<2x4x8xf32>, tensor<2x8x4xf32>) -> !onnx.unknown
  %p5 = onnx.node "Softmax" v18 (%s5) {attrs = {axis = -1 : i64}, name = "sm5"} : (!onnx.unknown) -> !onnx.unknown
  %o5 = onnx.node "MatMul" v18 (%p5, %v3) {attrs = {}, name = "pv5"} : (!onnx.unknown, tensor<2x4x8xf32>) -> !onnx.unknown
  return %o0, %p0, %o1, %o2, %o3, %o4, %o5 : !onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown
}
