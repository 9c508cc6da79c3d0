// RUN: hybrid-opt %s --split-input-file --hybrid-raise-rotary | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-raise-rotary --hybrid-convert-onnx | FileCheck %s --check-prefix=CONVERTED

// HF's apply_rotary_pos_emb on t [batch, 2, seq, 8] with positions 0..seq-1:
// cos and sin are rows of a [6, 4] cache, duplicated (Concat(c, c)) and
// unsqueezed to [1, 1, seq, 8]. The Range's length is t's seq (Shape, Squeeze),
// so the tables match t. One RotaryEmbedding node takes t and the first halves
// of the tables as [1, seq, 4]; the converter makes it hybrid.rotary.
// CHECK-LABEL: func.func @zoo
// CHECK-SAME: (%[[T:[^:]*]]: tensor<?x2x?x8xf32>
// CHECK: %[[COS:.*]] = onnx.node "Unsqueeze" v18
// CHECK: %[[SIN:.*]] = onnx.node "Unsqueeze" v18
// CHECK: %[[C3:.*]] = onnx.node "Squeeze" v13 (%[[COS]]
// CHECK: %[[CH:.*]] = onnx.node "Slice" v13 (%[[C3]]
// CHECK: %[[S3:.*]] = onnx.node "Squeeze" v13 (%[[SIN]]
// CHECK: %[[SH:.*]] = onnx.node "Slice" v13 (%[[S3]]
// CHECK: %[[Y:.*]] = onnx.node "RotaryEmbedding" v23 (%[[T]], %[[CH]], %[[SH]])
// CHECK-NEXT: return %[[Y]]
// CONVERTED-LABEL: func.func @zoo
// CONVERTED: hybrid.rotary ins({{.*}} : tensor<?x2x?x8xf32>, tensor<1x?x4xf32>, tensor<1x?x4xf32>)
// CONVERTED-NOT: onnx.node
func.func @zoo(%arg0: tensor<?x2x?x8xf32> {onnx.dim_params = ["batch", "", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "t"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<0> : tensor<1xi64>
  %cst_0 = arith.constant dense<0> : tensor<i64>
  %cst_1 = arith.constant dense<1> : tensor<i64>
  %cst_2 = arith.constant dense<[0, 1]> : tensor<2xi64>
  %cst_3 = arith.constant dense<0> : tensor<1xi64>
  %cst_4 = arith.constant dense<1> : tensor<1xi64>
  %cst_5 = arith.constant dense<3> : tensor<1xi64>
  %cst_6 = arith.constant dense<4> : tensor<1xi64>
  %cst_7 = arith.constant dense<9223372036854775807> : tensor<1xi64>
  %cst_8 = arith.constant dense<4> : tensor<1xi64>
  %cst_9 = arith.constant dense<[1.000000e+00, 1.000000e-01, 0.00999999977, 1.000000e-03]> : tensor<4xf32>
  %cst_10 = arith.constant dense<[[1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00], [0.540302277, 0.995004177, 0.999949991, 0.999999523], [-0.416146845, 0.980066597, 9.998000e-01, 0.999997973], [-0.989992499, 0.955336511, 0.999550044, 0.999995529], [-0.653643608, 0.921060979, 0.999200105, 9.999920e-01], [0.2836622, 0.87758255, 0.998750269, 0.999987483]]> : tensor<6x4xf32>
  %cst_11 = arith.constant dense<[[0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.841470957, 0.0998334139, 0.00999983306, 9.99999814E-4], [0.909297406, 0.198669329, 0.0199986659, 0.0019999987], [1.411200e-01, 0.295520216, 0.029995501, 0.0029999956], [-0.756802499, 0.389418334, 0.0399893336, 0.00399998948], [-0.958924293, 0.47942555, 0.0499791689, 0.0049999794]]> : tensor<6x4xf32>
  %0 = onnx.node "Shape" v18 (%arg0) {attrs = {end = 3 : i64, start = 2 : i64}} : (tensor<?x2x?x8xf32>) -> !onnx.unknown
  %1 = onnx.node "Squeeze" v18 (%0, %cst) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %2 = onnx.node "Range" v18 (%cst_0, %1, %cst_1) {attrs = {}} : (tensor<i64>, !onnx.unknown, tensor<i64>) -> !onnx.unknown
  %3 = onnx.node "Gather" v18 (%cst_10, %2) {attrs = {}} : (tensor<6x4xf32>, !onnx.unknown) -> !onnx.unknown
  %4 = onnx.node "Concat" v18 (%3, %3) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %5 = onnx.node "Unsqueeze" v18 (%4, %cst_2) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
  %6 = onnx.node "Gather" v18 (%cst_11, %2) {attrs = {}} : (tensor<6x4xf32>, !onnx.unknown) -> !onnx.unknown
  %7 = onnx.node "Concat" v18 (%6, %6) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %8 = onnx.node "Unsqueeze" v18 (%7, %cst_2) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
  %9 = onnx.node "Slice" v18 (%arg0, %cst, %cst_8, %cst_5) {attrs = {}} : (tensor<?x2x?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
  %10 = onnx.node "Slice" v18 (%arg0, %cst_8, %cst_7, %cst_5) {attrs = {}} : (tensor<?x2x?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
  %11 = onnx.node "Neg" v18 (%10) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %12 = onnx.node "Concat" v18 (%11, %9) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %13 = onnx.node "Mul" v18 (%arg0, %5) {attrs = {}} : (tensor<?x2x?x8xf32>, !onnx.unknown) -> !onnx.unknown
  %14 = onnx.node "Mul" v18 (%8, %12) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %15 = onnx.node "Add" v18 (%13, %14) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> tensor<*xf32>
  return %15 : tensor<*xf32>
}

// -----

// The tables computed in the graph: emb = Concat(freqs, freqs), then Cos
// and Sin, unsqueezed twice: the halves repeat under the Cos.
// CHECK-LABEL: func.func @hf_cos
// CHECK: onnx.node "RotaryEmbedding" v23 (%arg0,
// CHECK-NOT: "Neg"
func.func @hf_cos(%arg0: tensor<?x2x?x8xf32> {onnx.dim_params = ["batch", "", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "t"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<0> : tensor<1xi64>
  %cst_0 = arith.constant dense<0> : tensor<i64>
  %cst_1 = arith.constant dense<1> : tensor<i64>
  %cst_2 = arith.constant dense<[0, 1]> : tensor<2xi64>
  %cst_3 = arith.constant dense<0> : tensor<1xi64>
  %cst_4 = arith.constant dense<1> : tensor<1xi64>
  %cst_5 = arith.constant dense<3> : tensor<1xi64>
  %cst_6 = arith.constant dense<4> : tensor<1xi64>
  %cst_7 = arith.constant dense<9223372036854775807> : tensor<1xi64>
  %cst_8 = arith.constant dense<4> : tensor<1xi64>
  %cst_9 = arith.constant dense<[1.000000e+00, 1.000000e-01, 0.00999999977, 1.000000e-03]> : tensor<4xf32>
  %0 = onnx.node "Shape" v18 (%arg0) {attrs = {end = 3 : i64, start = 2 : i64}} : (tensor<?x2x?x8xf32>) -> !onnx.unknown
  %1 = onnx.node "Squeeze" v18 (%0, %cst) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %2 = onnx.node "Range" v18 (%cst_0, %1, %cst_1) {attrs = {}} : (tensor<i64>, !onnx.unknown, tensor<i64>) -> !onnx.unknown
  %3 = onnx.node "Cast" v18 (%2) {attrs = {to = 1 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %4 = onnx.node "Unsqueeze" v18 (%3, %cst_4) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %5 = onnx.node "Mul" v18 (%4, %cst_9) {attrs = {}} : (!onnx.unknown, tensor<4xf32>) -> !onnx.unknown
  %6 = onnx.node "Concat" v18 (%5, %5) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %7 = onnx.node "Cos" v18 (%6) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %8 = onnx.node "Unsqueeze" v18 (%7, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %9 = onnx.node "Unsqueeze" v18 (%8, %cst_4) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %10 = onnx.node "Sin" v18 (%6) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %11 = onnx.node "Unsqueeze" v18 (%10, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %12 = onnx.node "Unsqueeze" v18 (%11, %cst_4) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %13 = onnx.node "Slice" v18 (%arg0, %cst, %cst_8, %cst_5) {attrs = {}} : (tensor<?x2x?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
  %14 = onnx.node "Slice" v18 (%arg0, %cst_8, %cst_7, %cst_5) {attrs = {}} : (tensor<?x2x?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
  %15 = onnx.node "Neg" v18 (%14) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %16 = onnx.node "Concat" v18 (%15, %13) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %17 = onnx.node "Mul" v18 (%arg0, %9) {attrs = {}} : (tensor<?x2x?x8xf32>, !onnx.unknown) -> !onnx.unknown
  %18 = onnx.node "Mul" v18 (%12, %16) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %19 = onnx.node "Add" v18 (%17, %18) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> tensor<*xf32>
  return %19 : tensor<*xf32>
}

// -----

// Near miss: Concat(x1, -x2) is not rotate_half (the halves are swapped).
// CHECK-LABEL: func.func @swapped
// CHECK: "Neg"
// CHECK-NOT: "RotaryEmbedding"
func.func @swapped(%arg0: tensor<?x2x?x8xf32> {onnx.dim_params = ["batch", "", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "t"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<0> : tensor<1xi64>
  %cst_0 = arith.constant dense<0> : tensor<i64>
  %cst_1 = arith.constant dense<1> : tensor<i64>
  %cst_2 = arith.constant dense<[0, 1]> : tensor<2xi64>
  %cst_3 = arith.constant dense<0> : tensor<1xi64>
  %cst_4 = arith.constant dense<1> : tensor<1xi64>
  %cst_5 = arith.constant dense<3> : tensor<1xi64>
  %cst_6 = arith.constant dense<4> : tensor<1xi64>
  %cst_7 = arith.constant dense<9223372036854775807> : tensor<1xi64>
  %cst_8 = arith.constant dense<4> : tensor<1xi64>
  %cst_9 = arith.constant dense<[1.000000e+00, 1.000000e-01, 0.00999999977, 1.000000e-03]> : tensor<4xf32>
  %cst_10 = arith.constant dense<[[1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00], [0.540302277, 0.995004177, 0.999949991, 0.999999523], [-0.416146845, 0.980066597, 9.998000e-01, 0.999997973], [-0.989992499, 0.955336511, 0.999550044, 0.999995529], [-0.653643608, 0.921060979, 0.999200105, 9.999920e-01], [0.2836622, 0.87758255, 0.998750269, 0.999987483]]> : tensor<6x4xf32>
  %cst_11 = arith.constant dense<[[0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.841470957, 0.0998334139, 0.00999983306, 9.99999814E-4], [0.909297406, 0.198669329, 0.0199986659, 0.0019999987], [1.411200e-01, 0.295520216, 0.029995501, 0.0029999956], [-0.756802499, 0.389418334, 0.0399893336, 0.00399998948], [-0.958924293, 0.47942555, 0.0499791689, 0.0049999794]]> : tensor<6x4xf32>
  %0 = onnx.node "Shape" v18 (%arg0) {attrs = {end = 3 : i64, start = 2 : i64}} : (tensor<?x2x?x8xf32>) -> !onnx.unknown
  %1 = onnx.node "Squeeze" v18 (%0, %cst) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %2 = onnx.node "Range" v18 (%cst_0, %1, %cst_1) {attrs = {}} : (tensor<i64>, !onnx.unknown, tensor<i64>) -> !onnx.unknown
  %3 = onnx.node "Gather" v18 (%cst_10, %2) {attrs = {}} : (tensor<6x4xf32>, !onnx.unknown) -> !onnx.unknown
  %4 = onnx.node "Concat" v18 (%3, %3) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %5 = onnx.node "Unsqueeze" v18 (%4, %cst_2) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
  %6 = onnx.node "Gather" v18 (%cst_11, %2) {attrs = {}} : (tensor<6x4xf32>, !onnx.unknown) -> !onnx.unknown
  %7 = onnx.node "Concat" v18 (%6, %6) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %8 = onnx.node "Unsqueeze" v18 (%7, %cst_2) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
  %9 = onnx.node "Slice" v18 (%arg0, %cst, %cst_8, %cst_5) {attrs = {}} : (tensor<?x2x?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
  %10 = onnx.node "Slice" v18 (%arg0, %cst_8, %cst_7, %cst_5) {attrs = {}} : (tensor<?x2x?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
  %11 = onnx.node "Neg" v18 (%10) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %12 = onnx.node "Concat" v18 (%9, %11) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %13 = onnx.node "Mul" v18 (%arg0, %5) {attrs = {}} : (tensor<?x2x?x8xf32>, !onnx.unknown) -> !onnx.unknown
  %14 = onnx.node "Mul" v18 (%8, %12) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %15 = onnx.node "Add" v18 (%13, %14) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> tensor<*xf32>
  return %15 : tensor<*xf32>
}

// -----

// Near miss: a table per head ([1, 2, seq, 8]): RotaryEmbedding has one
// table for every head.
// CHECK-LABEL: func.func @per_head
// CHECK: "Neg"
// CHECK-NOT: "RotaryEmbedding"
func.func @per_head(%arg0: tensor<?x2x?x8xf32> {onnx.dim_params = ["batch", "", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "t"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<0> : tensor<1xi64>
  %cst_0 = arith.constant dense<0> : tensor<i64>
  %cst_1 = arith.constant dense<1> : tensor<i64>
  %cst_2 = arith.constant dense<[0, 1]> : tensor<2xi64>
  %cst_3 = arith.constant dense<0> : tensor<1xi64>
  %cst_4 = arith.constant dense<1> : tensor<1xi64>
  %cst_5 = arith.constant dense<3> : tensor<1xi64>
  %cst_6 = arith.constant dense<4> : tensor<1xi64>
  %cst_7 = arith.constant dense<9223372036854775807> : tensor<1xi64>
  %cst_8 = arith.constant dense<4> : tensor<1xi64>
  %cst_9 = arith.constant dense<[1.000000e+00, 1.000000e-01, 0.00999999977, 1.000000e-03]> : tensor<4xf32>
  %cst_10 = arith.constant dense<[[[1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00], [0.540302277, 0.995004177, 0.999949991, 0.999999523], [-0.416146845, 0.980066597, 9.998000e-01, 0.999997973], [-0.989992499, 0.955336511, 0.999550044, 0.999995529], [-0.653643608, 0.921060979, 0.999200105, 9.999920e-01], [0.2836622, 0.87758255, 0.998750269, 0.999987483]], [[1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00], [-0.416146845, 0.980066597, 9.998000e-01, 0.999997973], [-0.653643608, 0.921060979, 0.999200105, 9.999920e-01], [0.960170269, 0.825335621, 0.998200535, 0.999981999], [-0.145500034, 0.696706712, 0.996801733, 0.999967992], [-0.839071512, 0.540302277, 0.995004177, 0.999949991]]]> : tensor<2x6x4xf32>
  %cst_11 = arith.constant dense<[[[0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.841470957, 0.0998334139, 0.00999983306, 9.99999814E-4], [0.909297406, 0.198669329, 0.0199986659, 0.0019999987], [1.411200e-01, 0.295520216, 0.029995501, 0.0029999956], [-0.756802499, 0.389418334, 0.0399893336, 0.00399998948], [-0.958924293, 0.47942555, 0.0499791689, 0.0049999794]], [[0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.909297406, 0.198669329, 0.0199986659, 0.0019999987], [-0.756802499, 0.389418334, 0.0399893336, 0.00399998948], [-0.279415488, 0.564642489, 0.0599640049, 0.0059999642], [0.989358246, 0.717356086, 0.0799146965, 0.0079999147], [-0.54402113, 0.841470957, 0.0998334139, 0.00999983306]]]> : tensor<2x6x4xf32>
  %0 = onnx.node "Shape" v18 (%arg0) {attrs = {end = 3 : i64, start = 2 : i64}} : (tensor<?x2x?x8xf32>) -> !onnx.unknown
  %1 = onnx.node "Squeeze" v18 (%0, %cst) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %2 = onnx.node "Range" v18 (%cst_0, %1, %cst_1) {attrs = {}} : (tensor<i64>, !onnx.unknown, tensor<i64>) -> !onnx.unknown
  %3 = onnx.node "Gather" v18 (%cst_10, %2) {attrs = {axis = 1 : i64}} : (tensor<2x6x4xf32>, !onnx.unknown) -> !onnx.unknown
  %4 = onnx.node "Concat" v18 (%3, %3) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %5 = onnx.node "Unsqueeze" v18 (%4, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %6 = onnx.node "Gather" v18 (%cst_11, %2) {attrs = {axis = 1 : i64}} : (tensor<2x6x4xf32>, !onnx.unknown) -> !onnx.unknown
  %7 = onnx.node "Concat" v18 (%6, %6) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %8 = onnx.node "Unsqueeze" v18 (%7, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %9 = onnx.node "Slice" v18 (%arg0, %cst, %cst_8, %cst_5) {attrs = {}} : (tensor<?x2x?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
  %10 = onnx.node "Slice" v18 (%arg0, %cst_8, %cst_7, %cst_5) {attrs = {}} : (tensor<?x2x?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
  %11 = onnx.node "Neg" v18 (%10) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %12 = onnx.node "Concat" v18 (%11, %9) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %13 = onnx.node "Mul" v18 (%arg0, %5) {attrs = {}} : (tensor<?x2x?x8xf32>, !onnx.unknown) -> !onnx.unknown
  %14 = onnx.node "Mul" v18 (%8, %12) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %15 = onnx.node "Add" v18 (%13, %14) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> tensor<*xf32>
  return %15 : tensor<*xf32>
}
