// RUN: hybrid-opt %s --split-input-file --hybrid-raise-causal-conv | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-raise-causal-conv --hybrid-convert-onnx | FileCheck %s --check-prefix=CONVERTED

// The zoo's form: Conv(Pad(x^T, 2 on the left)) over 3 channels, K = 3,
// group = 3, then SiLU; the padded input's last K-1 steps are the carried
// state. One com.microsoft CausalConvWithState (activation silu, no past), its
// present_state the state output; Pad, Conv, Slice, Sigmoid and Mul are gone.
// CHECK-LABEL: func.func @conv_pad
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x3xf32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<3x1x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<{{.*}}> : tensor<3xf32>
// CHECK: %[[XT:.*]] = onnx.node "Transpose" v18 (%[[X]])
// CHECK: %[[NONE:.*]] = onnx.none
// CHECK: %[[C:.*]]:2 = onnx.node "com.microsoft" "CausalConvWithState" v1 (%[[XT]], %[[W]], %[[B]], %[[NONE]]) {attrs = {activation = "silu"}}
// CHECK: %[[Y:.*]] = onnx.node "Transpose" v18 (%[[C]]#0)
// CHECK: return %[[Y]], %[[C]]#1
// CHECK-NOT: "Pad"
// CHECK-NOT: "Conv"
// CHECK-NOT: "Sigmoid"
// CONVERTED-LABEL: func.func @conv_pad
// CONVERTED: hybrid.causal_conv1d silu ins({{.*}} : tensor<?x3x?xf32>, tensor<3x3xf32>) bias({{.*}} : tensor<3xf32>) outs(
func.func @conv_pad(%arg0: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "state"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[[-0.463518143, 0.140209451, -0.956291496]], [[0.378802329, 0.660172879, -0.261315078]], [[0.248541072, 0.144875988, -0.227679268]]]> : tensor<3x1x3xf32>
  %cst_0 = arith.constant dense<[-0.0862404853, -0.203255236, 0.141042352]> : tensor<3xf32>
  %cst_1 = arith.constant dense<0> : tensor<1xi64>
  %cst_2 = arith.constant dense<1> : tensor<1xi64>
  %cst_3 = arith.constant dense<2> : tensor<1xi64>
  %cst_4 = arith.constant dense<-2> : tensor<1xi64>
  %cst_5 = arith.constant dense<4611686018427387904> : tensor<1xi64>
  %cst_6 = arith.constant dense<[0, 0, 2, 0, 0, 0]> : tensor<6xi64>
  %0 = onnx.node "Transpose" v18 (%arg0) {attrs = {perm = array<i64: 0, 2, 1>}} : (tensor<?x?x3xf32>) -> !onnx.unknown
  %1 = onnx.node "Pad" v18 (%0, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<6xi64>) -> !onnx.unknown
  %2 = onnx.node "Conv" v18 (%1, %cst, %cst_0) {attrs = {group = 3 : i64, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>}} : (!onnx.unknown, tensor<3x1x3xf32>, tensor<3xf32>) -> !onnx.unknown
  %3 = onnx.node "Slice" v18 (%1, %cst_4, %cst_5, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %4 = onnx.node "Sigmoid" v18 (%2) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %5 = onnx.node "Mul" v18 (%4, %2) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %6 = onnx.node "Transpose" v18 (%5) {attrs = {perm = array<i64: 0, 2, 1>}} : (!onnx.unknown) -> tensor<*xf32>
  return %6, %3 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Conv's own pads [K-1, 0]: no state output.
// CHECK-LABEL: func.func @conv_conv_pads
// CHECK: onnx.node "com.microsoft" "CausalConvWithState" v1 ({{.*}}) {attrs = {activation = "silu"}}
// CHECK-NOT: "Conv"
func.func @conv_conv_pads(%arg0: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[[-0.463518143, 0.140209451, -0.956291496]], [[0.378802329, 0.660172879, -0.261315078]], [[0.248541072, 0.144875988, -0.227679268]]]> : tensor<3x1x3xf32>
  %cst_0 = arith.constant dense<[-0.0862404853, -0.203255236, 0.141042352]> : tensor<3xf32>
  %cst_1 = arith.constant dense<0> : tensor<1xi64>
  %cst_2 = arith.constant dense<1> : tensor<1xi64>
  %cst_3 = arith.constant dense<2> : tensor<1xi64>
  %cst_4 = arith.constant dense<-2> : tensor<1xi64>
  %cst_5 = arith.constant dense<4611686018427387904> : tensor<1xi64>
  %0 = onnx.node "Transpose" v18 (%arg0) {attrs = {perm = array<i64: 0, 2, 1>}} : (tensor<?x?x3xf32>) -> !onnx.unknown
  %1 = onnx.node "Conv" v18 (%0, %cst, %cst_0) {attrs = {group = 3 : i64, kernel_shape = array<i64: 3>, pads = array<i64: 2, 0>}} : (!onnx.unknown, tensor<3x1x3xf32>, tensor<3xf32>) -> !onnx.unknown
  %2 = onnx.node "Sigmoid" v18 (%1) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %3 = onnx.node "Mul" v18 (%2, %1) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %4 = onnx.node "Transpose" v18 (%3) {attrs = {perm = array<i64: 0, 2, 1>}} : (!onnx.unknown) -> tensor<*xf32>
  return %4 : tensor<*xf32>
}

// -----

// HF's conv1d(x)[..., :seq_len]: pads [K-1, K-1], then a Slice to x's length.
// CHECK-LABEL: func.func @conv_hf
// CHECK: onnx.node "com.microsoft" "CausalConvWithState" v1 ({{.*}}) {attrs = {activation = "silu"}}
// CHECK-NOT: "Conv"
// CHECK-NOT: "Slice"
func.func @conv_hf(%arg0: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[[-0.463518143, 0.140209451, -0.956291496]], [[0.378802329, 0.660172879, -0.261315078]], [[0.248541072, 0.144875988, -0.227679268]]]> : tensor<3x1x3xf32>
  %cst_0 = arith.constant dense<[-0.0862404853, -0.203255236, 0.141042352]> : tensor<3xf32>
  %cst_1 = arith.constant dense<0> : tensor<1xi64>
  %cst_2 = arith.constant dense<1> : tensor<1xi64>
  %cst_3 = arith.constant dense<2> : tensor<1xi64>
  %cst_4 = arith.constant dense<-2> : tensor<1xi64>
  %cst_5 = arith.constant dense<4611686018427387904> : tensor<1xi64>
  %0 = onnx.node "Transpose" v18 (%arg0) {attrs = {perm = array<i64: 0, 2, 1>}} : (tensor<?x?x3xf32>) -> !onnx.unknown
  %1 = onnx.node "Conv" v18 (%0, %cst, %cst_0) {attrs = {group = 3 : i64, kernel_shape = array<i64: 3>, pads = array<i64: 2, 2>}} : (!onnx.unknown, tensor<3x1x3xf32>, tensor<3xf32>) -> !onnx.unknown
  %2 = onnx.node "Shape" v18 (%0) {attrs = {end = 3 : i64, start = 2 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %3 = onnx.node "Slice" v18 (%1, %cst_1, %2, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, !onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %4 = onnx.node "Sigmoid" v18 (%3) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %5 = onnx.node "Mul" v18 (%4, %3) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %6 = onnx.node "Transpose" v18 (%5) {attrs = {perm = array<i64: 0, 2, 1>}} : (!onnx.unknown) -> tensor<*xf32>
  return %6 : tensor<*xf32>
}

// -----

// The decode form: Conv(Concat(past, x^T)) with past [B, 3, 2]; the past is
// the node's initial state and the Slice of the concatenation its present.
// CHECK-LABEL: func.func @conv_decode
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x3xf32>{{.*}}, %[[PAST:[^:]*]]: tensor<?x3x2xf32>
// CHECK: %[[C:.*]]:2 = onnx.node "com.microsoft" "CausalConvWithState" v1 (%{{.*}}, %{{.*}}, %{{.*}}, %[[PAST]]) {attrs = {activation = "silu"}}
// CHECK: return %{{.*}}, %[[C]]#1
// CHECK-NOT: "Concat"
// CONVERTED-LABEL: func.func @conv_decode
// CONVERTED: hybrid.causal_conv1d silu ins({{.*}}) bias({{.*}}) initial_state({{.*}} : tensor<?x3x2xf32>)
func.func @conv_decode(%arg0: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}, %arg1: tensor<?x3x2xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "past"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "state"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[[-0.463518143, 0.140209451, -0.956291496]], [[0.378802329, 0.660172879, -0.261315078]], [[0.248541072, 0.144875988, -0.227679268]]]> : tensor<3x1x3xf32>
  %cst_0 = arith.constant dense<[-0.0862404853, -0.203255236, 0.141042352]> : tensor<3xf32>
  %cst_1 = arith.constant dense<0> : tensor<1xi64>
  %cst_2 = arith.constant dense<1> : tensor<1xi64>
  %cst_3 = arith.constant dense<2> : tensor<1xi64>
  %cst_4 = arith.constant dense<-2> : tensor<1xi64>
  %cst_5 = arith.constant dense<4611686018427387904> : tensor<1xi64>
  %0 = onnx.node "Transpose" v18 (%arg0) {attrs = {perm = array<i64: 0, 2, 1>}} : (tensor<?x?x3xf32>) -> !onnx.unknown
  %1 = onnx.node "Concat" v18 (%arg1, %0) {attrs = {axis = 2 : i64}} : (tensor<?x3x2xf32>, !onnx.unknown) -> !onnx.unknown
  %2 = onnx.node "Conv" v18 (%1, %cst, %cst_0) {attrs = {group = 3 : i64, kernel_shape = array<i64: 3>}} : (!onnx.unknown, tensor<3x1x3xf32>, tensor<3xf32>) -> !onnx.unknown
  %3 = onnx.node "Slice" v18 (%1, %cst_4, %cst_5, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %4 = onnx.node "Sigmoid" v18 (%2) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %5 = onnx.node "Mul" v18 (%4, %2) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %6 = onnx.node "Transpose" v18 (%5) {attrs = {perm = array<i64: 0, 2, 1>}} : (!onnx.unknown) -> tensor<*xf32>
  return %6, %3 : tensor<*xf32>, tensor<*xf32>
}

// -----

// The convolution's result is an output too: raised without the SiLU, which
// stays.
// CHECK-LABEL: func.func @conv_silu_shared
// CHECK: %[[C:.*]]:2 = onnx.node "com.microsoft" "CausalConvWithState" v1 ({{.*}}) {attrs = {activation = "none"}}
// CHECK: onnx.node "Sigmoid" v18 (%[[C]]#0)
// CHECK: return %{{.*}}, %[[C]]#1, %[[C]]#0
func.func @conv_silu_shared(%arg0: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "state"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "conv"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[[-0.463518143, 0.140209451, -0.956291496]], [[0.378802329, 0.660172879, -0.261315078]], [[0.248541072, 0.144875988, -0.227679268]]]> : tensor<3x1x3xf32>
  %cst_0 = arith.constant dense<[-0.0862404853, -0.203255236, 0.141042352]> : tensor<3xf32>
  %cst_1 = arith.constant dense<0> : tensor<1xi64>
  %cst_2 = arith.constant dense<1> : tensor<1xi64>
  %cst_3 = arith.constant dense<2> : tensor<1xi64>
  %cst_4 = arith.constant dense<-2> : tensor<1xi64>
  %cst_5 = arith.constant dense<4611686018427387904> : tensor<1xi64>
  %cst_6 = arith.constant dense<[0, 0, 2, 0, 0, 0]> : tensor<6xi64>
  %0 = onnx.node "Transpose" v18 (%arg0) {attrs = {perm = array<i64: 0, 2, 1>}} : (tensor<?x?x3xf32>) -> !onnx.unknown
  %1 = onnx.node "Pad" v18 (%0, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<6xi64>) -> !onnx.unknown
  %2 = onnx.node "Conv" v18 (%1, %cst, %cst_0) {attrs = {group = 3 : i64, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>}} : (!onnx.unknown, tensor<3x1x3xf32>, tensor<3xf32>) -> tensor<*xf32>
  %3 = onnx.node "Slice" v18 (%1, %cst_4, %cst_5, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %4 = onnx.node "Sigmoid" v18 (%2) {attrs = {}} : (tensor<*xf32>) -> !onnx.unknown
  %5 = onnx.node "Mul" v18 (%4, %2) {attrs = {}} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
  %6 = onnx.node "Transpose" v18 (%5) {attrs = {perm = array<i64: 0, 2, 1>}} : (!onnx.unknown) -> tensor<*xf32>
  return %6, %3, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Near miss: padded on both sides (one step on the right): not causal.
// CHECK-LABEL: func.func @conv_pad_right
// CHECK: onnx.node "Conv"
// CHECK-NOT: CausalConvWithState
func.func @conv_pad_right(%arg0: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "state"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[[-0.463518143, 0.140209451, -0.956291496]], [[0.378802329, 0.660172879, -0.261315078]], [[0.248541072, 0.144875988, -0.227679268]]]> : tensor<3x1x3xf32>
  %cst_0 = arith.constant dense<[-0.0862404853, -0.203255236, 0.141042352]> : tensor<3xf32>
  %cst_1 = arith.constant dense<0> : tensor<1xi64>
  %cst_2 = arith.constant dense<1> : tensor<1xi64>
  %cst_3 = arith.constant dense<2> : tensor<1xi64>
  %cst_4 = arith.constant dense<-2> : tensor<1xi64>
  %cst_5 = arith.constant dense<4611686018427387904> : tensor<1xi64>
  %cst_6 = arith.constant dense<[0, 0, 2, 0, 0, 1]> : tensor<6xi64>
  %0 = onnx.node "Transpose" v18 (%arg0) {attrs = {perm = array<i64: 0, 2, 1>}} : (tensor<?x?x3xf32>) -> !onnx.unknown
  %1 = onnx.node "Pad" v18 (%0, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<6xi64>) -> !onnx.unknown
  %2 = onnx.node "Conv" v18 (%1, %cst, %cst_0) {attrs = {group = 3 : i64, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>}} : (!onnx.unknown, tensor<3x1x3xf32>, tensor<3xf32>) -> !onnx.unknown
  %3 = onnx.node "Slice" v18 (%1, %cst_4, %cst_5, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %4 = onnx.node "Sigmoid" v18 (%2) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %5 = onnx.node "Mul" v18 (%4, %2) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %6 = onnx.node "Transpose" v18 (%5) {attrs = {perm = array<i64: 0, 2, 1>}} : (!onnx.unknown) -> tensor<*xf32>
  return %6, %3 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Near miss: a full convolution (group = 1, weight [3, 3, 3]).
// CHECK-LABEL: func.func @conv_not_depthwise
// CHECK: onnx.node "Conv"
// CHECK-NOT: CausalConvWithState
func.func @conv_not_depthwise(%arg0: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "state"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[[-0.463518143, 0.140209451, -0.956291496], [0.378802329, 0.660172879, -0.261315078], [0.248541072, 0.144875988, -0.227679268]], [[-0.497909695, -1.1734947, 0.814308405], [-0.0275004841, 1.4562664, 0.477017313], [0.160376668, -3.795680e-01, 0.803942442]], [[-0.292306155, 0.906410574, -2.299940e-01], [0.107360549, -0.879114151, 1.35286582], [-0.0542858355, -0.222345442, 0.468143106]]]> : tensor<3x3x3xf32>
  %cst_0 = arith.constant dense<[-0.0891371816, 0.0767607242, -0.117124043]> : tensor<3xf32>
  %cst_1 = arith.constant dense<0> : tensor<1xi64>
  %cst_2 = arith.constant dense<1> : tensor<1xi64>
  %cst_3 = arith.constant dense<2> : tensor<1xi64>
  %cst_4 = arith.constant dense<-2> : tensor<1xi64>
  %cst_5 = arith.constant dense<4611686018427387904> : tensor<1xi64>
  %cst_6 = arith.constant dense<[0, 0, 2, 0, 0, 0]> : tensor<6xi64>
  %0 = onnx.node "Transpose" v18 (%arg0) {attrs = {perm = array<i64: 0, 2, 1>}} : (tensor<?x?x3xf32>) -> !onnx.unknown
  %1 = onnx.node "Pad" v18 (%0, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<6xi64>) -> !onnx.unknown
  %2 = onnx.node "Conv" v18 (%1, %cst, %cst_0) {attrs = {group = 1 : i64, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>}} : (!onnx.unknown, tensor<3x3x3xf32>, tensor<3xf32>) -> !onnx.unknown
  %3 = onnx.node "Slice" v18 (%1, %cst_4, %cst_5, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %4 = onnx.node "Sigmoid" v18 (%2) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %5 = onnx.node "Mul" v18 (%4, %2) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %6 = onnx.node "Transpose" v18 (%5) {attrs = {perm = array<i64: 0, 2, 1>}} : (!onnx.unknown) -> tensor<*xf32>
  return %6, %3 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Near miss: HF's slice starts at step 1 (a shifted window).
// CHECK-LABEL: func.func @conv_hf_offset
// CHECK: onnx.node "Conv"
// CHECK-NOT: CausalConvWithState
func.func @conv_hf_offset(%arg0: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[[-0.463518143, 0.140209451, -0.956291496]], [[0.378802329, 0.660172879, -0.261315078]], [[0.248541072, 0.144875988, -0.227679268]]]> : tensor<3x1x3xf32>
  %cst_0 = arith.constant dense<[-0.0862404853, -0.203255236, 0.141042352]> : tensor<3xf32>
  %cst_1 = arith.constant dense<0> : tensor<1xi64>
  %cst_2 = arith.constant dense<1> : tensor<1xi64>
  %cst_3 = arith.constant dense<2> : tensor<1xi64>
  %cst_4 = arith.constant dense<-2> : tensor<1xi64>
  %cst_5 = arith.constant dense<4611686018427387904> : tensor<1xi64>
  %0 = onnx.node "Transpose" v18 (%arg0) {attrs = {perm = array<i64: 0, 2, 1>}} : (tensor<?x?x3xf32>) -> !onnx.unknown
  %1 = onnx.node "Conv" v18 (%0, %cst, %cst_0) {attrs = {group = 3 : i64, kernel_shape = array<i64: 3>, pads = array<i64: 2, 2>}} : (!onnx.unknown, tensor<3x1x3xf32>, tensor<3xf32>) -> !onnx.unknown
  %2 = onnx.node "Shape" v18 (%0) {attrs = {end = 3 : i64, start = 2 : i64}} : (!onnx.unknown) -> !onnx.unknown
  %3 = onnx.node "Slice" v18 (%1, %cst_2, %2, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, !onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %4 = onnx.node "Sigmoid" v18 (%3) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %5 = onnx.node "Mul" v18 (%4, %3) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %6 = onnx.node "Transpose" v18 (%5) {attrs = {perm = array<i64: 0, 2, 1>}} : (!onnx.unknown) -> tensor<*xf32>
  return %6 : tensor<*xf32>
}
