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
// fills with a finite value; q of a rank the pass does not infer (an Einsum
// with "...": its rank is its input's, which the pass does not follow); 3-D
// operands.
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
  %qu = onnx.node "Einsum" v18 (%q) {attrs = {equation = "...d->...d"}, name = "einsum"} : (tensor<1x2x4x8xf32>) -> !onnx.unknown
  %s4 = onnx.node "MatMul" v18 (%qu, %kt) {attrs = {}, name = "qk4"} : (!onnx.unknown, tensor<1x2x8x4xf32>) -> !onnx.unknown
  %p4 = onnx.node "Softmax" v18 (%s4) {attrs = {axis = -1 : i64}, name = "sm4"} : (!onnx.unknown) -> !onnx.unknown
  %o4 = onnx.node "MatMul" v18 (%p4, %v) {attrs = {}, name = "pv4"} : (!onnx.unknown, tensor<1x2x4x8xf32>) -> !onnx.unknown
  // 3-D [B*H, S, D] operands.
  %s5 = onnx.node "MatMul" v18 (%q3, %kt3) {attrs = {}, name = "qk5"} : (tensor<2x4x8xf32>, tensor<2x8x4xf32>) -> !onnx.unknown
  %p5 = onnx.node "Softmax" v18 (%s5) {attrs = {axis = -1 : i64}, name = "sm5"} : (!onnx.unknown) -> !onnx.unknown
  %o5 = onnx.node "MatMul" v18 (%p5, %v3) {attrs = {}, name = "pv5"} : (!onnx.unknown, tensor<2x4x8xf32>) -> !onnx.unknown
  return %o0, %p0, %o1, %o2, %o3, %o4, %o5 : !onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown
}

// -----

// GQA and a causal mask as HF exports them (2 query heads, 1 kv head): k and v
// repeated by Unsqueeze(2)/Expand([1, 1, 2, 1, 1])/Reshape([0, 2, -1, 4]), and
// Add(scores, Where(Equal(Trilu(ConstantOfShape([n, n], 1)), 0), lowest, 0))
// with n = Shape(x)[1:2]. The symbolic shapes show the Reshape merges the new
// axis into the heads, and that n is the query's and the key's length (both
// x's "seq"): the node takes k and v unrepeated and is_causal = 1, and the
// mask's nodes are gone.
// CHECK-LABEL: func.func @gqa_causal
// CHECK: %[[Q:.*]] = onnx.node "Transpose" v17 (%{{.*}}) {attrs = {perm = array<i64: 0, 2, 1, 3>}}
// CHECK: %[[V:.*]] = onnx.node "Transpose" v17
// CHECK: %[[K:.*]] = onnx.node "Transpose" v17
// CHECK: onnx.node "Attention" v23 (%[[Q]], %[[K]], %[[V]]) {attrs = {is_causal = 1 : i64, scale = 5.000000e-01 : f32}}
// CHECK-NOT: "Expand"
// CHECK-NOT: "Trilu"
// CONVERTED-LABEL: func.func @gqa_causal
// CONVERTED: hybrid.attention ins({{.*}} : tensor<?x2x?x4xf32>, tensor<?x1x?x4xf32>, tensor<?x1x?x4xf32>) outs({{.*}}) {causal, scale = 5.000000e-01 : f32}
func.func @gqa_causal(%arg0: tensor<?x?x8xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[0.0120889684, 0.480743349, 0.43300429, -0.180420801, -0.105348133, -0.186458468, 0.201428682, -0.0198217724], [0.264063954, -0.653127968, 0.553858638, -0.0340939164, 0.240550116, -0.0482834913, -0.134031579, 0.163734168], [0.291509539, -0.0716051236, -0.0540180728, 0.242431074, -0.307711899, -0.535415411, 0.139647171, -0.237080827], [-0.678942919, -0.287811428, -0.165320709, -0.421860784, -0.527665675, 0.0129534276, 0.317225516, -0.0824246332], [-0.262900889, 0.136115864, 0.253581166, -0.106069766, 0.192569152, 0.368712157, -0.0731701478, -0.28762117], [0.122913048, 0.0875206366, 0.388488978, -0.454167902, -0.233915493, -0.29633677, -0.613066852, 0.0447013639], [0.186606973, -0.26120171, 0.489900231, 0.290594131, 0.221811086, 0.142024904, 0.337880224, -4.709260e-01], [0.217056915, 0.2131138, -0.624982893, 0.122693673, -0.088537313, 2.763100e-01, -0.155231923, -0.00644911686]]> : tensor<8x8xf32>
  %cst_0 = arith.constant dense<[[0.12121632, -0.309805304, 0.211635873, -0.0371100903], [0.174118906, -0.184497416, 0.384030253, 0.213971213], [-0.06294135, 0.223430589, 0.445390701, 0.633276164], [-0.556343257, 0.312234253, 0.16442655, -0.0331847966], [-0.355909795, 0.44448331, -0.446091741, 0.200445488], [0.460279852, -0.565568507, -0.106956206, -0.462878048], [0.0862861573, 0.53541249, 0.715435087, -0.628658414], [-0.203275174, 0.248740748, 0.558392584, 0.148920447]]> : tensor<8x4xf32>
  %cst_1 = arith.constant dense<[[-0.263804555, 0.105051853, -0.00587577466, -0.0720332265], [-0.259674758, 1.369170e-01, 0.108851887, -0.0328748524], [-0.0783785209, -0.454286605, -0.171889052, 0.426544368], [-0.0673725158, -0.509009838, 0.471796781, 0.187477127], [0.745321333, 0.0221013892, -0.163124084, -0.51181972], [0.468047529, 0.908459484, -0.290244341, -0.228780031], [0.210784569, -0.293571442, -0.0956568271, -0.123686306], [0.0678677186, 0.387076765, 0.00780207104, 0.324883789]]> : tensor<8x4xf32>
  %cst_2 = arith.constant dense<[0, 0, 2, 4]> : tensor<4xi64>
  %cst_3 = arith.constant dense<[0, 0, 1, 4]> : tensor<4xi64>
  %cst_4 = arith.constant dense<[0, 0, 8]> : tensor<3xi64>
  %cst_5 = arith.constant dense<2> : tensor<1xi64>
  %cst_6 = arith.constant dense<[1, 1, 2, 1, 1]> : tensor<5xi64>
  %cst_7 = arith.constant dense<[0, 2, -1, 4]> : tensor<4xi64>
  %cst_8 = arith.constant dense<2.000000e+00> : tensor<f32>
  %cst_9 = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_10 = arith.constant dense<-3.40282347E+38> : tensor<f32>
  %cst_11 = arith.constant dense<1> : tensor<1xi64>
  %0 = onnx.node "MatMul" v17 (%arg0, %cst) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x8xf32>) -> !onnx.unknown
  %1 = onnx.node "Reshape" v17 (%0, %cst_2) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %2 = onnx.node "MatMul" v17 (%arg0, %cst_0) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x4xf32>) -> !onnx.unknown
  %3 = onnx.node "Reshape" v17 (%2, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %4 = onnx.node "MatMul" v17 (%arg0, %cst_1) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x4xf32>) -> !onnx.unknown
  %5 = onnx.node "Reshape" v17 (%4, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %6 = onnx.node "Transpose" v17 (%1) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %7 = onnx.node "Transpose" v17 (%5) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %8 = onnx.node "Unsqueeze" v17 (%7, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %9 = onnx.node "Expand" v17 (%8, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<5xi64>) -> !onnx.unknown
  %10 = onnx.node "Reshape" v17 (%9, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %11 = onnx.node "Transpose" v17 (%3) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %12 = onnx.node "Unsqueeze" v17 (%11, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %13 = onnx.node "Expand" v17 (%12, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<5xi64>) -> !onnx.unknown
  %14 = onnx.node "Reshape" v17 (%13, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %15 = onnx.node "Transpose" v17 (%14) {attrs = {perm = array<i64: 0, 1, 3, 2>}} : (!onnx.unknown) -> !onnx.unknown
  %16 = onnx.node "MatMul" v17 (%6, %15) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %17 = onnx.node "Div" v17 (%16, %cst_8) {attrs = {}} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %18 = onnx.node "Shape" v17 (%arg0) {attrs = {end = 2 : i64, start = 1 : i64}} : (tensor<?x?x8xf32>) -> !onnx.unknown
  %19 = onnx.node "Concat" v17 (%18, %18) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %20 = onnx.node "ConstantOfShape" v17 (%19) {attrs = {value = dense<1.000000e+00> : tensor<1xf32>}} : (!onnx.unknown) -> !onnx.unknown
  %21 = onnx.node "Trilu" v17 (%20) {attrs = {upper = 0 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %22 = onnx.node "Equal" v17 (%21, %cst_9) {attrs = {}} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %23 = onnx.node "Where" v17 (%22, %cst_10, %cst_9) {attrs = {}} : (!onnx.unknown, tensor<f32>, tensor<f32>) -> !onnx.unknown
  %24 = onnx.node "Add" v17 (%17, %23) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %25 = onnx.node "Softmax" v17 (%24) {attrs = {axis = -1 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %26 = onnx.node "MatMul" v17 (%25, %10) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %27 = onnx.node "Transpose" v17 (%26) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %28 = onnx.node "Reshape" v17 (%27, %cst_4) {attrs = {}} : (!onnx.unknown, tensor<3xi64>) -> tensor<*xf32>
  return %28 : tensor<*xf32>
}

// -----

// Where's keep-condition straight from Trilu(ConstantOfShape([n, n], true)):
// also is_causal.
// CHECK-LABEL: func.func @causal_bool
// CHECK: onnx.node "Attention" v23 (%{{.*}}, %{{.*}}, %{{.*}}) {attrs = {is_causal = 1 : i64, scale = 5.000000e-01 : f32}}
// CHECK-NOT: "Trilu"
func.func @causal_bool(%arg0: tensor<?x?x8xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[0.0120889684, 0.480743349, 0.43300429, -0.180420801, -0.105348133, -0.186458468, 0.201428682, -0.0198217724], [0.264063954, -0.653127968, 0.553858638, -0.0340939164, 0.240550116, -0.0482834913, -0.134031579, 0.163734168], [0.291509539, -0.0716051236, -0.0540180728, 0.242431074, -0.307711899, -0.535415411, 0.139647171, -0.237080827], [-0.678942919, -0.287811428, -0.165320709, -0.421860784, -0.527665675, 0.0129534276, 0.317225516, -0.0824246332], [-0.262900889, 0.136115864, 0.253581166, -0.106069766, 0.192569152, 0.368712157, -0.0731701478, -0.28762117], [0.122913048, 0.0875206366, 0.388488978, -0.454167902, -0.233915493, -0.29633677, -0.613066852, 0.0447013639], [0.186606973, -0.26120171, 0.489900231, 0.290594131, 0.221811086, 0.142024904, 0.337880224, -4.709260e-01], [0.217056915, 0.2131138, -0.624982893, 0.122693673, -0.088537313, 2.763100e-01, -0.155231923, -0.00644911686]]> : tensor<8x8xf32>
  %cst_0 = arith.constant dense<[[0.12121632, -0.309805304, 0.211635873, -0.0371100903], [0.174118906, -0.184497416, 0.384030253, 0.213971213], [-0.06294135, 0.223430589, 0.445390701, 0.633276164], [-0.556343257, 0.312234253, 0.16442655, -0.0331847966], [-0.355909795, 0.44448331, -0.446091741, 0.200445488], [0.460279852, -0.565568507, -0.106956206, -0.462878048], [0.0862861573, 0.53541249, 0.715435087, -0.628658414], [-0.203275174, 0.248740748, 0.558392584, 0.148920447]]> : tensor<8x4xf32>
  %cst_1 = arith.constant dense<[[-0.263804555, 0.105051853, -0.00587577466, -0.0720332265], [-0.259674758, 1.369170e-01, 0.108851887, -0.0328748524], [-0.0783785209, -0.454286605, -0.171889052, 0.426544368], [-0.0673725158, -0.509009838, 0.471796781, 0.187477127], [0.745321333, 0.0221013892, -0.163124084, -0.51181972], [0.468047529, 0.908459484, -0.290244341, -0.228780031], [0.210784569, -0.293571442, -0.0956568271, -0.123686306], [0.0678677186, 0.387076765, 0.00780207104, 0.324883789]]> : tensor<8x4xf32>
  %cst_2 = arith.constant dense<[0, 0, 2, 4]> : tensor<4xi64>
  %cst_3 = arith.constant dense<[0, 0, 1, 4]> : tensor<4xi64>
  %cst_4 = arith.constant dense<[0, 0, 8]> : tensor<3xi64>
  %cst_5 = arith.constant dense<2> : tensor<1xi64>
  %cst_6 = arith.constant dense<[1, 1, 2, 1, 1]> : tensor<5xi64>
  %cst_7 = arith.constant dense<[0, 2, -1, 4]> : tensor<4xi64>
  %cst_8 = arith.constant dense<2.000000e+00> : tensor<f32>
  %cst_9 = arith.constant dense<0xFF800000> : tensor<f32>
  %0 = onnx.node "MatMul" v17 (%arg0, %cst) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x8xf32>) -> !onnx.unknown
  %1 = onnx.node "Reshape" v17 (%0, %cst_2) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %2 = onnx.node "MatMul" v17 (%arg0, %cst_0) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x4xf32>) -> !onnx.unknown
  %3 = onnx.node "Reshape" v17 (%2, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %4 = onnx.node "MatMul" v17 (%arg0, %cst_1) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x4xf32>) -> !onnx.unknown
  %5 = onnx.node "Reshape" v17 (%4, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %6 = onnx.node "Transpose" v17 (%1) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %7 = onnx.node "Transpose" v17 (%5) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %8 = onnx.node "Unsqueeze" v17 (%7, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %9 = onnx.node "Expand" v17 (%8, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<5xi64>) -> !onnx.unknown
  %10 = onnx.node "Reshape" v17 (%9, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %11 = onnx.node "Transpose" v17 (%3) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %12 = onnx.node "Unsqueeze" v17 (%11, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %13 = onnx.node "Expand" v17 (%12, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<5xi64>) -> !onnx.unknown
  %14 = onnx.node "Reshape" v17 (%13, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %15 = onnx.node "Transpose" v17 (%14) {attrs = {perm = array<i64: 0, 1, 3, 2>}} : (!onnx.unknown) -> !onnx.unknown
  %16 = onnx.node "MatMul" v17 (%6, %15) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %17 = onnx.node "Div" v17 (%16, %cst_8) {attrs = {}} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %18 = onnx.node "Shape" v17 (%arg0) {attrs = {end = 2 : i64, start = 1 : i64}} : (tensor<?x?x8xf32>) -> !onnx.unknown
  %19 = onnx.node "Concat" v17 (%18, %18) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %20 = onnx.node "ConstantOfShape" v17 (%19) {attrs = {value = dense<true> : tensor<1xi1>}} : (!onnx.unknown) -> !onnx.unknown
  %21 = onnx.node "Trilu" v17 (%20) {attrs = {upper = 0 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %22 = onnx.node "Where" v17 (%21, %17, %cst_9) {attrs = {}} : (!onnx.unknown, !onnx.unknown, tensor<f32>) -> !onnx.unknown
  %23 = onnx.node "Softmax" v17 (%22) {attrs = {axis = -1 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %24 = onnx.node "MatMul" v17 (%23, %10) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %25 = onnx.node "Transpose" v17 (%24) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %26 = onnx.node "Reshape" v17 (%25, %cst_4) {attrs = {}} : (!onnx.unknown, tensor<3xi64>) -> tensor<*xf32>
  return %26 : tensor<*xf32>
}

// -----

// Near miss for GQA: the new axis is added before the heads (Unsqueeze(1),
// Expand([1, 2, 1, 1, 1])), which tiles the kv heads rather than repeating
// each: k and v stay expanded (the causal mask is still recognised).
// CHECK-LABEL: func.func @gqa_tiled
// CHECK: "Expand"
// CHECK: "Expand"
// CHECK: onnx.node "Attention" v23 ({{.*}}) {attrs = {is_causal = 1 : i64,
// CONVERTED-LABEL: func.func @gqa_tiled
// CONVERTED: hybrid.attention ins({{.*}} : tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32>) outs({{.*}}) {causal,
func.func @gqa_tiled(%arg0: tensor<?x?x8xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[0.0120889684, 0.480743349, 0.43300429, -0.180420801, -0.105348133, -0.186458468, 0.201428682, -0.0198217724], [0.264063954, -0.653127968, 0.553858638, -0.0340939164, 0.240550116, -0.0482834913, -0.134031579, 0.163734168], [0.291509539, -0.0716051236, -0.0540180728, 0.242431074, -0.307711899, -0.535415411, 0.139647171, -0.237080827], [-0.678942919, -0.287811428, -0.165320709, -0.421860784, -0.527665675, 0.0129534276, 0.317225516, -0.0824246332], [-0.262900889, 0.136115864, 0.253581166, -0.106069766, 0.192569152, 0.368712157, -0.0731701478, -0.28762117], [0.122913048, 0.0875206366, 0.388488978, -0.454167902, -0.233915493, -0.29633677, -0.613066852, 0.0447013639], [0.186606973, -0.26120171, 0.489900231, 0.290594131, 0.221811086, 0.142024904, 0.337880224, -4.709260e-01], [0.217056915, 0.2131138, -0.624982893, 0.122693673, -0.088537313, 2.763100e-01, -0.155231923, -0.00644911686]]> : tensor<8x8xf32>
  %cst_0 = arith.constant dense<[[0.12121632, -0.309805304, 0.211635873, -0.0371100903], [0.174118906, -0.184497416, 0.384030253, 0.213971213], [-0.06294135, 0.223430589, 0.445390701, 0.633276164], [-0.556343257, 0.312234253, 0.16442655, -0.0331847966], [-0.355909795, 0.44448331, -0.446091741, 0.200445488], [0.460279852, -0.565568507, -0.106956206, -0.462878048], [0.0862861573, 0.53541249, 0.715435087, -0.628658414], [-0.203275174, 0.248740748, 0.558392584, 0.148920447]]> : tensor<8x4xf32>
  %cst_1 = arith.constant dense<[[-0.263804555, 0.105051853, -0.00587577466, -0.0720332265], [-0.259674758, 1.369170e-01, 0.108851887, -0.0328748524], [-0.0783785209, -0.454286605, -0.171889052, 0.426544368], [-0.0673725158, -0.509009838, 0.471796781, 0.187477127], [0.745321333, 0.0221013892, -0.163124084, -0.51181972], [0.468047529, 0.908459484, -0.290244341, -0.228780031], [0.210784569, -0.293571442, -0.0956568271, -0.123686306], [0.0678677186, 0.387076765, 0.00780207104, 0.324883789]]> : tensor<8x4xf32>
  %cst_2 = arith.constant dense<[0, 0, 2, 4]> : tensor<4xi64>
  %cst_3 = arith.constant dense<[0, 0, 1, 4]> : tensor<4xi64>
  %cst_4 = arith.constant dense<[0, 0, 8]> : tensor<3xi64>
  %cst_5 = arith.constant dense<1> : tensor<1xi64>
  %cst_6 = arith.constant dense<[1, 2, 1, 1, 1]> : tensor<5xi64>
  %cst_7 = arith.constant dense<[0, 2, -1, 4]> : tensor<4xi64>
  %cst_8 = arith.constant dense<2.000000e+00> : tensor<f32>
  %cst_9 = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_10 = arith.constant dense<-3.40282347E+38> : tensor<f32>
  %cst_11 = arith.constant dense<1> : tensor<1xi64>
  %0 = onnx.node "MatMul" v17 (%arg0, %cst) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x8xf32>) -> !onnx.unknown
  %1 = onnx.node "Reshape" v17 (%0, %cst_2) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %2 = onnx.node "MatMul" v17 (%arg0, %cst_0) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x4xf32>) -> !onnx.unknown
  %3 = onnx.node "Reshape" v17 (%2, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %4 = onnx.node "MatMul" v17 (%arg0, %cst_1) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x4xf32>) -> !onnx.unknown
  %5 = onnx.node "Reshape" v17 (%4, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %6 = onnx.node "Transpose" v17 (%1) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %7 = onnx.node "Transpose" v17 (%5) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %8 = onnx.node "Unsqueeze" v17 (%7, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %9 = onnx.node "Expand" v17 (%8, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<5xi64>) -> !onnx.unknown
  %10 = onnx.node "Reshape" v17 (%9, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %11 = onnx.node "Transpose" v17 (%3) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %12 = onnx.node "Unsqueeze" v17 (%11, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %13 = onnx.node "Expand" v17 (%12, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<5xi64>) -> !onnx.unknown
  %14 = onnx.node "Reshape" v17 (%13, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %15 = onnx.node "Transpose" v17 (%14) {attrs = {perm = array<i64: 0, 1, 3, 2>}} : (!onnx.unknown) -> !onnx.unknown
  %16 = onnx.node "MatMul" v17 (%6, %15) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %17 = onnx.node "Div" v17 (%16, %cst_8) {attrs = {}} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %18 = onnx.node "Shape" v17 (%arg0) {attrs = {end = 2 : i64, start = 1 : i64}} : (tensor<?x?x8xf32>) -> !onnx.unknown
  %19 = onnx.node "Concat" v17 (%18, %18) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %20 = onnx.node "ConstantOfShape" v17 (%19) {attrs = {value = dense<1.000000e+00> : tensor<1xf32>}} : (!onnx.unknown) -> !onnx.unknown
  %21 = onnx.node "Trilu" v17 (%20) {attrs = {upper = 0 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %22 = onnx.node "Equal" v17 (%21, %cst_9) {attrs = {}} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %23 = onnx.node "Where" v17 (%22, %cst_10, %cst_9) {attrs = {}} : (!onnx.unknown, tensor<f32>, tensor<f32>) -> !onnx.unknown
  %24 = onnx.node "Add" v17 (%17, %23) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %25 = onnx.node "Softmax" v17 (%24) {attrs = {axis = -1 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %26 = onnx.node "MatMul" v17 (%25, %10) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %27 = onnx.node "Transpose" v17 (%26) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %28 = onnx.node "Reshape" v17 (%27, %cst_4) {attrs = {}} : (!onnx.unknown, tensor<3xi64>) -> tensor<*xf32>
  return %28 : tensor<*xf32>
}

// -----

// Near miss for the causal mask: its side is an input the caller sets; nothing
// shows it is the sequence length, so the mask is passed as a mask.
// CHECK-LABEL: func.func @runtime_side
// CHECK: "Trilu"
// CHECK: onnx.node "Attention" v23 (%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {attrs = {scale = 5.000000e-01 : f32}}
func.func @runtime_side(%arg0: tensor<?x?x8xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}, %arg1: tensor<1xi64> {onnx.elem_type = 7 : i32, onnx.name = "side"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[0.0120889684, 0.480743349, 0.43300429, -0.180420801, -0.105348133, -0.186458468, 0.201428682, -0.0198217724], [0.264063954, -0.653127968, 0.553858638, -0.0340939164, 0.240550116, -0.0482834913, -0.134031579, 0.163734168], [0.291509539, -0.0716051236, -0.0540180728, 0.242431074, -0.307711899, -0.535415411, 0.139647171, -0.237080827], [-0.678942919, -0.287811428, -0.165320709, -0.421860784, -0.527665675, 0.0129534276, 0.317225516, -0.0824246332], [-0.262900889, 0.136115864, 0.253581166, -0.106069766, 0.192569152, 0.368712157, -0.0731701478, -0.28762117], [0.122913048, 0.0875206366, 0.388488978, -0.454167902, -0.233915493, -0.29633677, -0.613066852, 0.0447013639], [0.186606973, -0.26120171, 0.489900231, 0.290594131, 0.221811086, 0.142024904, 0.337880224, -4.709260e-01], [0.217056915, 0.2131138, -0.624982893, 0.122693673, -0.088537313, 2.763100e-01, -0.155231923, -0.00644911686]]> : tensor<8x8xf32>
  %cst_0 = arith.constant dense<[[0.12121632, -0.309805304, 0.211635873, -0.0371100903, 0.174118906, -0.184497416, 0.384030253, 0.213971213], [-0.06294135, 0.223430589, 0.445390701, 0.633276164, -0.556343257, 0.312234253, 0.16442655, -0.0331847966], [-0.355909795, 0.44448331, -0.446091741, 0.200445488, 0.460279852, -0.565568507, -0.106956206, -0.462878048], [0.0862861573, 0.53541249, 0.715435087, -0.628658414, -0.203275174, 0.248740748, 0.558392584, 0.148920447], [-0.263804555, 0.105051853, -0.00587577466, -0.0720332265, -0.259674758, 1.369170e-01, 0.108851887, -0.0328748524], [-0.0783785209, -0.454286605, -0.171889052, 0.426544368, -0.0673725158, -0.509009838, 0.471796781, 0.187477127], [0.745321333, 0.0221013892, -0.163124084, -0.51181972, 0.468047529, 0.908459484, -0.290244341, -0.228780031], [0.210784569, -0.293571442, -0.0956568271, -0.123686306, 0.0678677186, 0.387076765, 0.00780207104, 0.324883789]]> : tensor<8x8xf32>
  %cst_1 = arith.constant dense<[[-0.148453146, 0.11589428, -0.755976915, -0.512634039, 0.281397879, -0.208649322, 0.205030888, 0.191747651], [0.467496186, 0.287035525, 0.359560728, -0.0394817777, -0.246881098, -0.258645087, -0.17254959, -0.399454921], [-0.193550542, -0.0327281021, 0.0889582633, -0.11981599, -0.68012458, -0.0255558845, 0.0796717703, 0.38342002], [0.204305738, -0.227533057, -0.255893648, 0.710853577, 0.267511904, 0.64751178, 0.752872348, -0.289236248], [0.136213273, 0.1619865, 0.197852805, 0.191591367, 0.0714371055, 0.0615639836, -0.531213939, -0.0584781505], [-0.264323473, 0.0445785932, -0.16530256, 0.218680114, 2.895870e-01, 0.109139234, 0.11178232, 0.0328616165], [-0.158320457, -0.0581599809, -0.175237343, 0.137174174, 0.00498984475, 0.205517471, -0.46974811, 0.313877255], [-0.269653827, -0.259607971, -0.0698066354, -0.199186534, 0.102928303, -0.202997908, -0.378117412, -0.299036443]]> : tensor<8x8xf32>
  %cst_2 = arith.constant dense<[0, 0, 2, 4]> : tensor<4xi64>
  %cst_3 = arith.constant dense<[0, 0, 2, 4]> : tensor<4xi64>
  %cst_4 = arith.constant dense<[0, 0, 8]> : tensor<3xi64>
  %cst_5 = arith.constant dense<2.000000e+00> : tensor<f32>
  %cst_6 = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_7 = arith.constant dense<-3.40282347E+38> : tensor<f32>
  %0 = onnx.node "MatMul" v17 (%arg0, %cst) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x8xf32>) -> !onnx.unknown
  %1 = onnx.node "Reshape" v17 (%0, %cst_2) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %2 = onnx.node "MatMul" v17 (%arg0, %cst_0) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x8xf32>) -> !onnx.unknown
  %3 = onnx.node "Reshape" v17 (%2, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %4 = onnx.node "MatMul" v17 (%arg0, %cst_1) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x8xf32>) -> !onnx.unknown
  %5 = onnx.node "Reshape" v17 (%4, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %6 = onnx.node "Transpose" v17 (%1) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %7 = onnx.node "Transpose" v17 (%5) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %8 = onnx.node "Identity" v17 (%7) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %9 = onnx.node "Transpose" v17 (%3) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %10 = onnx.node "Identity" v17 (%9) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %11 = onnx.node "Transpose" v17 (%10) {attrs = {perm = array<i64: 0, 1, 3, 2>}} : (!onnx.unknown) -> !onnx.unknown
  %12 = onnx.node "MatMul" v17 (%6, %11) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %13 = onnx.node "Div" v17 (%12, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %14 = onnx.node "Concat" v17 (%arg1, %arg1) {attrs = {axis = 0 : i64}} : (tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
  %15 = onnx.node "ConstantOfShape" v17 (%14) {attrs = {value = dense<1.000000e+00> : tensor<1xf32>}} : (!onnx.unknown) -> !onnx.unknown
  %16 = onnx.node "Trilu" v17 (%15) {attrs = {upper = 0 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %17 = onnx.node "Equal" v17 (%16, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %18 = onnx.node "Where" v17 (%17, %cst_7, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<f32>, tensor<f32>) -> !onnx.unknown
  %19 = onnx.node "Add" v17 (%13, %18) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %20 = onnx.node "Softmax" v17 (%19) {attrs = {axis = -1 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %21 = onnx.node "MatMul" v17 (%20, %8) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %22 = onnx.node "Transpose" v17 (%21) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %23 = onnx.node "Reshape" v17 (%22, %cst_4) {attrs = {}} : (!onnx.unknown, tensor<3xi64>) -> tensor<*xf32>
  return %23 : tensor<*xf32>
}

// -----

// Near miss: Trilu(upper=1) times the lowest float masks the diagonal too (each
// query's own key): not causal attention, so the mask is passed as a mask.
// CHECK-LABEL: func.func @triu_diag
// CHECK: "Trilu"
// CHECK: onnx.node "Attention" v23 (%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {attrs = {scale = 5.000000e-01 : f32}}
func.func @triu_diag(%arg0: tensor<?x?x8xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[0.0120889684, 0.480743349, 0.43300429, -0.180420801, -0.105348133, -0.186458468, 0.201428682, -0.0198217724], [0.264063954, -0.653127968, 0.553858638, -0.0340939164, 0.240550116, -0.0482834913, -0.134031579, 0.163734168], [0.291509539, -0.0716051236, -0.0540180728, 0.242431074, -0.307711899, -0.535415411, 0.139647171, -0.237080827], [-0.678942919, -0.287811428, -0.165320709, -0.421860784, -0.527665675, 0.0129534276, 0.317225516, -0.0824246332], [-0.262900889, 0.136115864, 0.253581166, -0.106069766, 0.192569152, 0.368712157, -0.0731701478, -0.28762117], [0.122913048, 0.0875206366, 0.388488978, -0.454167902, -0.233915493, -0.29633677, -0.613066852, 0.0447013639], [0.186606973, -0.26120171, 0.489900231, 0.290594131, 0.221811086, 0.142024904, 0.337880224, -4.709260e-01], [0.217056915, 0.2131138, -0.624982893, 0.122693673, -0.088537313, 2.763100e-01, -0.155231923, -0.00644911686]]> : tensor<8x8xf32>
  %cst_0 = arith.constant dense<[[0.12121632, -0.309805304, 0.211635873, -0.0371100903, 0.174118906, -0.184497416, 0.384030253, 0.213971213], [-0.06294135, 0.223430589, 0.445390701, 0.633276164, -0.556343257, 0.312234253, 0.16442655, -0.0331847966], [-0.355909795, 0.44448331, -0.446091741, 0.200445488, 0.460279852, -0.565568507, -0.106956206, -0.462878048], [0.0862861573, 0.53541249, 0.715435087, -0.628658414, -0.203275174, 0.248740748, 0.558392584, 0.148920447], [-0.263804555, 0.105051853, -0.00587577466, -0.0720332265, -0.259674758, 1.369170e-01, 0.108851887, -0.0328748524], [-0.0783785209, -0.454286605, -0.171889052, 0.426544368, -0.0673725158, -0.509009838, 0.471796781, 0.187477127], [0.745321333, 0.0221013892, -0.163124084, -0.51181972, 0.468047529, 0.908459484, -0.290244341, -0.228780031], [0.210784569, -0.293571442, -0.0956568271, -0.123686306, 0.0678677186, 0.387076765, 0.00780207104, 0.324883789]]> : tensor<8x8xf32>
  %cst_1 = arith.constant dense<[[-0.148453146, 0.11589428, -0.755976915, -0.512634039, 0.281397879, -0.208649322, 0.205030888, 0.191747651], [0.467496186, 0.287035525, 0.359560728, -0.0394817777, -0.246881098, -0.258645087, -0.17254959, -0.399454921], [-0.193550542, -0.0327281021, 0.0889582633, -0.11981599, -0.68012458, -0.0255558845, 0.0796717703, 0.38342002], [0.204305738, -0.227533057, -0.255893648, 0.710853577, 0.267511904, 0.64751178, 0.752872348, -0.289236248], [0.136213273, 0.1619865, 0.197852805, 0.191591367, 0.0714371055, 0.0615639836, -0.531213939, -0.0584781505], [-0.264323473, 0.0445785932, -0.16530256, 0.218680114, 2.895870e-01, 0.109139234, 0.11178232, 0.0328616165], [-0.158320457, -0.0581599809, -0.175237343, 0.137174174, 0.00498984475, 0.205517471, -0.46974811, 0.313877255], [-0.269653827, -0.259607971, -0.0698066354, -0.199186534, 0.102928303, -0.202997908, -0.378117412, -0.299036443]]> : tensor<8x8xf32>
  %cst_2 = arith.constant dense<[0, 0, 2, 4]> : tensor<4xi64>
  %cst_3 = arith.constant dense<[0, 0, 2, 4]> : tensor<4xi64>
  %cst_4 = arith.constant dense<[0, 0, 8]> : tensor<3xi64>
  %cst_5 = arith.constant dense<2.000000e+00> : tensor<f32>
  %cst_6 = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_7 = arith.constant dense<-3.40282347E+38> : tensor<f32>
  %cst_8 = arith.constant dense<1> : tensor<1xi64>
  %0 = onnx.node "MatMul" v17 (%arg0, %cst) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x8xf32>) -> !onnx.unknown
  %1 = onnx.node "Reshape" v17 (%0, %cst_2) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %2 = onnx.node "MatMul" v17 (%arg0, %cst_0) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x8xf32>) -> !onnx.unknown
  %3 = onnx.node "Reshape" v17 (%2, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %4 = onnx.node "MatMul" v17 (%arg0, %cst_1) {attrs = {}} : (tensor<?x?x8xf32>, tensor<8x8xf32>) -> !onnx.unknown
  %5 = onnx.node "Reshape" v17 (%4, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
  %6 = onnx.node "Transpose" v17 (%1) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %7 = onnx.node "Transpose" v17 (%5) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %8 = onnx.node "Identity" v17 (%7) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %9 = onnx.node "Transpose" v17 (%3) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %10 = onnx.node "Identity" v17 (%9) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %11 = onnx.node "Transpose" v17 (%10) {attrs = {perm = array<i64: 0, 1, 3, 2>}} : (!onnx.unknown) -> !onnx.unknown
  %12 = onnx.node "MatMul" v17 (%6, %11) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %13 = onnx.node "Div" v17 (%12, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %14 = onnx.node "Shape" v17 (%arg0) {attrs = {end = 2 : i64, start = 1 : i64}} : (tensor<?x?x8xf32>) -> !onnx.unknown
  %15 = onnx.node "Concat" v17 (%14, %14) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %16 = onnx.node "ConstantOfShape" v17 (%15) {attrs = {value = dense<1.000000e+00> : tensor<1xf32>}} : (!onnx.unknown) -> !onnx.unknown
  %17 = onnx.node "Trilu" v17 (%16) {attrs = {upper = 1 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %18 = onnx.node "Mul" v17 (%17, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %19 = onnx.node "Add" v17 (%13, %18) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %20 = onnx.node "Softmax" v17 (%19) {attrs = {axis = -1 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %21 = onnx.node "MatMul" v17 (%20, %8) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %22 = onnx.node "Transpose" v17 (%21) {attrs = {perm = array<i64: 0, 2, 1, 3>}} : (!onnx.unknown) -> !onnx.unknown
  %23 = onnx.node "Reshape" v17 (%22, %cst_4) {attrs = {}} : (!onnx.unknown, tensor<3xi64>) -> tensor<*xf32>
  return %23 : tensor<*xf32>
}
