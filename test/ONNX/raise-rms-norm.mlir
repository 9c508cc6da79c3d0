// RUN: hybrid-opt %s --split-input-file --hybrid-raise-rms-norm | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-raise-rms-norm --hybrid-convert-onnx | FileCheck %s --check-prefix=CONVERTED

// HF's LlamaRMSNorm as exported: Pow(x, 2), ReduceMean over the last axis,
// + eps, Sqrt, Reciprocal, Mul by x, then the weight (on the left here). One
// RMSNormalization node over axis 2 replaces the seven; the converter makes it
// hybrid.rms_norm.
// CHECK-LABEL: func.func @hf
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>
// CHECK: %[[W:.*]] = arith.constant dense<[0.919806838
// CHECK-NOT: onnx.node
// CHECK: %[[Y:.*]] = onnx.node "RMSNormalization" v23 (%[[X]], %[[W]]) {attrs = {axis = 2 : i64, epsilon = 9.99999974E-6 : f32}}
// CHECK-NEXT: return %[[Y]]
// CONVERTED-LABEL: func.func @hf
// CONVERTED: hybrid.rms_norm ins({{.*}} : tensor<?x?x8xf32>, tensor<8xf32>) outs({{.*}}) {epsilon = 9.99999974E-6 : f32}
// CONVERTED-NOT: onnx.node
func.func @hf(%arg0: tensor<?x?x8xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[0.919806838, 0.867564082, 0.975163817, 1.04204452, 1.11360466, 1.01097059, 0.944735288, 0.921521961]> : tensor<8xf32>
  %cst_0 = arith.constant dense<9.99999974E-6> : tensor<f32>
  %cst_1 = arith.constant dense<2.000000e+00> : tensor<f32>
  %cst_2 = arith.constant dense<3.000000e+00> : tensor<f32>
  %cst_3 = arith.constant dense<1.000000e+00> : tensor<f32>
  %cst_4 = arith.constant dense<-1> : tensor<1xi64>
  %0 = onnx.node "Pow" v18 (%arg0, %cst_1) {attrs = {}} : (tensor<?x?x8xf32>, tensor<f32>) -> !onnx.unknown
  %1 = onnx.node "ReduceMean" v18 (%0, %cst_4) {attrs = {keepdims = 1 : i64}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %2 = onnx.node "Add" v18 (%1, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %3 = onnx.node "Sqrt" v18 (%2) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %4 = onnx.node "Reciprocal" v18 (%3) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %5 = onnx.node "Mul" v18 (%arg0, %4) {attrs = {}} : (tensor<?x?x8xf32>, !onnx.unknown) -> !onnx.unknown
  %6 = onnx.node "Mul" v18 (%cst, %5) {attrs = {}} : (tensor<8xf32>, !onnx.unknown) -> tensor<*xf32>
  return %6 : tensor<*xf32>
}

// -----

// Mul(x, x) for the square, eps on the left, Div(x, rms) and no weight: the
// scale is a new constant of ones (the normalized dim, 8, is known).
// CHECK-LABEL: func.func @div_square
// CHECK-DAG: %[[ONES:.*]] = arith.constant dense<1.000000e+00> : tensor<8xf32>
// CHECK: onnx.node "RMSNormalization" v23 (%arg0, %[[ONES]]) {attrs = {axis = 2 : i64, epsilon = 9.99999974E-6 : f32}}
// CHECK-NOT: onnx.node
func.func @div_square(%arg0: tensor<?x?x8xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[0.919806838, 0.867564082, 0.975163817, 1.04204452, 1.11360466, 1.01097059, 0.944735288, 0.921521961]> : tensor<8xf32>
  %cst_0 = arith.constant dense<9.99999974E-6> : tensor<f32>
  %cst_1 = arith.constant dense<2.000000e+00> : tensor<f32>
  %cst_2 = arith.constant dense<3.000000e+00> : tensor<f32>
  %cst_3 = arith.constant dense<1.000000e+00> : tensor<f32>
  %cst_4 = arith.constant dense<-1> : tensor<1xi64>
  %0 = onnx.node "Mul" v18 (%arg0, %arg0) {attrs = {}} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> !onnx.unknown
  %1 = onnx.node "ReduceMean" v18 (%0, %cst_4) {attrs = {keepdims = 1 : i64}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %2 = onnx.node "Add" v18 (%cst_0, %1) {attrs = {}} : (tensor<f32>, !onnx.unknown) -> !onnx.unknown
  %3 = onnx.node "Sqrt" v18 (%2) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %4 = onnx.node "Div" v18 (%arg0, %3) {attrs = {}} : (tensor<?x?x8xf32>, !onnx.unknown) -> tensor<*xf32>
  return %4 : tensor<*xf32>
}

// -----

// Near miss: the mean runs over axis 1 (the sequence), not the trailing
// dims: RMSNormalization cannot say that, so nothing changes.
// CHECK-LABEL: func.func @middle_axis
// CHECK: "ReduceMean"
// CHECK-NOT: "RMSNormalization"
func.func @middle_axis(%arg0: tensor<?x?x8xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[0.919806838, 0.867564082, 0.975163817, 1.04204452, 1.11360466, 1.01097059, 0.944735288, 0.921521961]> : tensor<8xf32>
  %cst_0 = arith.constant dense<9.99999974E-6> : tensor<f32>
  %cst_1 = arith.constant dense<2.000000e+00> : tensor<f32>
  %cst_2 = arith.constant dense<3.000000e+00> : tensor<f32>
  %cst_3 = arith.constant dense<1.000000e+00> : tensor<f32>
  %cst_4 = arith.constant dense<1> : tensor<1xi64>
  %0 = onnx.node "Pow" v18 (%arg0, %cst_1) {attrs = {}} : (tensor<?x?x8xf32>, tensor<f32>) -> !onnx.unknown
  %1 = onnx.node "ReduceMean" v18 (%0, %cst_4) {attrs = {keepdims = 1 : i64}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %2 = onnx.node "Add" v18 (%1, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<f32>) -> !onnx.unknown
  %3 = onnx.node "Sqrt" v18 (%2) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %4 = onnx.node "Reciprocal" v18 (%3) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %5 = onnx.node "Mul" v18 (%arg0, %4) {attrs = {}} : (tensor<?x?x8xf32>, !onnx.unknown) -> !onnx.unknown
  %6 = onnx.node "Mul" v18 (%cst, %5) {attrs = {}} : (tensor<8xf32>, !onnx.unknown) -> tensor<*xf32>
  return %6 : tensor<*xf32>
}

// -----

// Near miss: the mean of squares is also a graph output, so it must stay.
// CHECK-LABEL: func.func @shared_mean
// CHECK: "Pow"
// CHECK: "ReduceMean"
// CHECK: "Reciprocal"
// CHECK-NOT: "RMSNormalization"
func.func @shared_mean(%arg0: tensor<?x?x8xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "ms"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[0.919806838, 0.867564082, 0.975163817, 1.04204452, 1.11360466, 1.01097059, 0.944735288, 0.921521961]> : tensor<8xf32>
  %cst_0 = arith.constant dense<9.99999974E-6> : tensor<f32>
  %cst_1 = arith.constant dense<2.000000e+00> : tensor<f32>
  %cst_2 = arith.constant dense<3.000000e+00> : tensor<f32>
  %cst_3 = arith.constant dense<1.000000e+00> : tensor<f32>
  %cst_4 = arith.constant dense<-1> : tensor<1xi64>
  %0 = onnx.node "Pow" v18 (%arg0, %cst_1) {attrs = {}} : (tensor<?x?x8xf32>, tensor<f32>) -> !onnx.unknown
  %1 = onnx.node "ReduceMean" v18 (%0, %cst_4) {attrs = {keepdims = 1 : i64}} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
  %2 = onnx.node "Add" v18 (%1, %cst_0) {attrs = {}} : (tensor<*xf32>, tensor<f32>) -> !onnx.unknown
  %3 = onnx.node "Sqrt" v18 (%2) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %4 = onnx.node "Reciprocal" v18 (%3) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %5 = onnx.node "Mul" v18 (%arg0, %4) {attrs = {}} : (tensor<?x?x8xf32>, !onnx.unknown) -> !onnx.unknown
  %6 = onnx.node "Mul" v18 (%cst, %5) {attrs = {}} : (tensor<8xf32>, !onnx.unknown) -> tensor<*xf32>
  return %6, %1 : tensor<*xf32>, tensor<*xf32>
}
