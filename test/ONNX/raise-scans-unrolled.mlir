// RUN: hybrid-opt %s --split-input-file --hybrid-raise-scans | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-raise-scans --hybrid-convert-onnx | FileCheck %s --check-prefix=CONVERTED

// hybrid-raise-scans on a Mamba-1 scan unrolled by tracing (HF's slow path:
// dA and dB*x for every step, then a chain of Gather/Mul/Add steps and
// MatMul read-outs stacked by a Concat). The graphs are test_raise.py's
// _unrolled_mamba1_model (D 2, N 2, 3 steps) printed by `hybrid-opt
// --onnx-faithful`.

// The "folded" spelling: A[None, :, None] a constant, Squeeze read-outs. One
// SsmScan on x and dt transposed to [B, L, D], A squeezed to [D, N], its y
// transposed back; the steps and the [B, D, L, N] dA and dBu are gone.
// CHECK-LABEL: func.func @unrolled_folded
// CHECK-DAG: %[[XT:.*]] = onnx.node "Transpose" v13 (%arg0) {attrs = {perm = array<i64: 0, 2, 1>}}
// CHECK-DAG: %[[DTT:.*]] = onnx.node "Transpose" v13 (%arg1) {attrs = {perm = array<i64: 0, 2, 1>}}
// CHECK-DAG: %[[A:.*]] = onnx.node "Squeeze" v13 (%cst
// CHECK: %[[S:.*]]:2 = onnx.node "ai.hybrid" "SsmScan" v1 ({{.*}}, %[[DTT]], %[[A]], {{.*}}) {attrs = {dt_softplus = 0 : i64}}
// CHECK-NOT: "Exp"
// CHECK-NOT: "MatMul"
// CHECK: %[[Y:.*]] = onnx.node "Squeeze" v13 (%[[S]]#0,
// CHECK: %[[YT:.*]] = onnx.node "Transpose" v13 (%[[Y]]) {attrs = {perm = array<i64: 0, 2, 1>}}
// CHECK: return %[[YT]]
// CONVERTED-LABEL: func.func @unrolled_folded
// CONVERTED: hybrid.ssm_scan
// CONVERTED-NOT: onnx.node
module attributes {onnx.ir_version = 14 : i64, onnx.opset = {ai.onnx = 18 : i64}} {
  func.func @unrolled_folded(%arg0: tensor<?x2x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}, %arg1: tensor<?x2x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "dt"}, %arg2: tensor<?x3x2xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "Bm"}, %arg3: tensor<?x3x2xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "Cm"}) -> (tensor<?x2x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
    %cst = arith.constant dense<[[[[-0.721880555, -0.916348397]], [[-2.29759288, -1.39037549]]]]> : tensor<1x2x1x2xf32>
    %cst_0 = arith.constant dense<-1> : tensor<1xi64>
    %cst_1 = arith.constant dense<1> : tensor<1xi64>
    %cst_2 = arith.constant dense<-1> : tensor<1xi64>
    %cst_3 = arith.constant dense<[0, 1]> : tensor<2xi64>
    %cst_4 = arith.constant dense<2> : tensor<1xi64>
    %cst_5 = arith.constant dense<0.000000e+00> : tensor<f32>
    %cst_6 = arith.constant dense<0> : tensor<i64>
    %cst_7 = arith.constant dense<0> : tensor<i64>
    %cst_8 = arith.constant dense<0> : tensor<i64>
    %cst_9 = arith.constant dense<-1> : tensor<1xi64>
    %cst_10 = arith.constant dense<2> : tensor<1xi64>
    %cst_11 = arith.constant dense<-1> : tensor<1xi64>
    %cst_12 = arith.constant dense<1> : tensor<i64>
    %cst_13 = arith.constant dense<1> : tensor<i64>
    %cst_14 = arith.constant dense<1> : tensor<i64>
    %cst_15 = arith.constant dense<-1> : tensor<1xi64>
    %cst_16 = arith.constant dense<2> : tensor<1xi64>
    %cst_17 = arith.constant dense<-1> : tensor<1xi64>
    %cst_18 = arith.constant dense<2> : tensor<i64>
    %cst_19 = arith.constant dense<2> : tensor<i64>
    %cst_20 = arith.constant dense<2> : tensor<i64>
    %cst_21 = arith.constant dense<-1> : tensor<1xi64>
    %cst_22 = arith.constant dense<2> : tensor<1xi64>
    %cst_23 = arith.constant dense<-1> : tensor<1xi64>
    %0 = onnx.node "Unsqueeze" v18 (%arg1, %cst_0) {attrs = {}} : (tensor<?x2x3xf32>, tensor<1xi64>) -> !onnx.unknown
    %1 = onnx.node "Mul" v18 (%cst, %0) {attrs = {}} : (tensor<1x2x1x2xf32>, !onnx.unknown) -> !onnx.unknown
    %2 = onnx.node "Exp" v18 (%1) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %3 = onnx.node "Unsqueeze" v18 (%arg2, %cst_1) {attrs = {}} : (tensor<?x3x2xf32>, tensor<1xi64>) -> !onnx.unknown
    %4 = onnx.node "Unsqueeze" v18 (%arg0, %cst_2) {attrs = {}} : (tensor<?x2x3xf32>, tensor<1xi64>) -> !onnx.unknown
    %5 = onnx.node "Mul" v18 (%3, %4) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %6 = onnx.node "Mul" v18 (%0, %5) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %7 = onnx.node "Shape" v18 (%arg0) {attrs = {}} : (tensor<?x2x3xf32>) -> !onnx.unknown
    %8 = onnx.node "Gather" v18 (%7, %cst_3) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %9 = onnx.node "Concat" v18 (%8, %cst_4) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %10 = onnx.node "Expand" v18 (%cst_5, %9) {attrs = {}} : (tensor<f32>, !onnx.unknown) -> !onnx.unknown
    %11 = onnx.node "Gather" v18 (%2, %cst_6) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %12 = onnx.node "Mul" v18 (%11, %10) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %13 = onnx.node "Gather" v18 (%6, %cst_7) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %14 = onnx.node "Add" v18 (%12, %13) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %15 = onnx.node "Gather" v18 (%arg3, %cst_8) {attrs = {axis = 1 : i64}} : (tensor<?x3x2xf32>, tensor<i64>) -> !onnx.unknown
    %16 = onnx.node "Unsqueeze" v18 (%15, %cst_9) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %17 = onnx.node "MatMul" v18 (%14, %16) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %18 = onnx.node "Squeeze" v18 (%17, %cst_10) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %19 = onnx.node "Unsqueeze" v18 (%18, %cst_11) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %20 = onnx.node "Gather" v18 (%2, %cst_12) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %21 = onnx.node "Mul" v18 (%20, %14) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %22 = onnx.node "Gather" v18 (%6, %cst_13) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %23 = onnx.node "Add" v18 (%21, %22) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %24 = onnx.node "Gather" v18 (%arg3, %cst_14) {attrs = {axis = 1 : i64}} : (tensor<?x3x2xf32>, tensor<i64>) -> !onnx.unknown
    %25 = onnx.node "Unsqueeze" v18 (%24, %cst_15) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %26 = onnx.node "MatMul" v18 (%23, %25) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %27 = onnx.node "Squeeze" v18 (%26, %cst_16) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %28 = onnx.node "Unsqueeze" v18 (%27, %cst_17) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %29 = onnx.node "Gather" v18 (%2, %cst_18) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %30 = onnx.node "Mul" v18 (%29, %23) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %31 = onnx.node "Gather" v18 (%6, %cst_19) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %32 = onnx.node "Add" v18 (%30, %31) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %33 = onnx.node "Gather" v18 (%arg3, %cst_20) {attrs = {axis = 1 : i64}} : (tensor<?x3x2xf32>, tensor<i64>) -> !onnx.unknown
    %34 = onnx.node "Unsqueeze" v18 (%33, %cst_21) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %35 = onnx.node "MatMul" v18 (%32, %34) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %36 = onnx.node "Squeeze" v18 (%35, %cst_22) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %37 = onnx.node "Unsqueeze" v18 (%36, %cst_23) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %38 = onnx.node "Concat" v18 (%19, %28, %37) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> tensor<?x2x3xf32>
    return %38 : tensor<?x2x3xf32>
  }
}

// -----

// Near miss: step i reads C at step i + 1. Left as written.
// CHECK-LABEL: func.func @unrolled_shifted_c
// CHECK-NOT: SsmScan
// CHECK: onnx.node "Concat"
// CONVERTED-LABEL: func.func @unrolled_shifted_c
// CONVERTED-NOT: hybrid.ssm_scan
// CONVERTED: return
module attributes {onnx.ir_version = 14 : i64, onnx.opset = {ai.onnx = 18 : i64}} {
  func.func @unrolled_shifted_c(%arg0: tensor<?x2x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}, %arg1: tensor<?x2x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "dt"}, %arg2: tensor<?x3x2xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "Bm"}, %arg3: tensor<?x3x2xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "Cm"}) -> (tensor<?x2x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
    %cst = arith.constant dense<[[-0.721880555, -0.916348397], [-2.29759288, -1.39037549]]> : tensor<2x2xf32>
    %cst_0 = arith.constant dense<1> : tensor<1xi64>
    %cst_1 = arith.constant dense<-1> : tensor<1xi64>
    %cst_2 = arith.constant dense<1> : tensor<1xi64>
    %cst_3 = arith.constant dense<-1> : tensor<1xi64>
    %cst_4 = arith.constant dense<[0, 1]> : tensor<2xi64>
    %cst_5 = arith.constant dense<2> : tensor<1xi64>
    %cst_6 = arith.constant dense<0.000000e+00> : tensor<f32>
    %cst_7 = arith.constant dense<0> : tensor<i64>
    %cst_8 = arith.constant dense<0> : tensor<i64>
    %cst_9 = arith.constant dense<1> : tensor<i64>
    %cst_10 = arith.constant dense<-1> : tensor<1xi64>
    %cst_11 = arith.constant dense<0> : tensor<i64>
    %cst_12 = arith.constant dense<-1> : tensor<1xi64>
    %cst_13 = arith.constant dense<1> : tensor<i64>
    %cst_14 = arith.constant dense<1> : tensor<i64>
    %cst_15 = arith.constant dense<2> : tensor<i64>
    %cst_16 = arith.constant dense<-1> : tensor<1xi64>
    %cst_17 = arith.constant dense<0> : tensor<i64>
    %cst_18 = arith.constant dense<-1> : tensor<1xi64>
    %cst_19 = arith.constant dense<2> : tensor<i64>
    %cst_20 = arith.constant dense<2> : tensor<i64>
    %cst_21 = arith.constant dense<0> : tensor<i64>
    %cst_22 = arith.constant dense<-1> : tensor<1xi64>
    %cst_23 = arith.constant dense<0> : tensor<i64>
    %cst_24 = arith.constant dense<-1> : tensor<1xi64>
    %0 = onnx.node "Unsqueeze" v18 (%cst, %cst_0) {attrs = {}} : (tensor<2x2xf32>, tensor<1xi64>) -> !onnx.unknown
    %1 = onnx.node "Unsqueeze" v18 (%arg1, %cst_1) {attrs = {}} : (tensor<?x2x3xf32>, tensor<1xi64>) -> !onnx.unknown
    %2 = onnx.node "Mul" v18 (%0, %1) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %3 = onnx.node "Exp" v18 (%2) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %4 = onnx.node "Unsqueeze" v18 (%arg2, %cst_2) {attrs = {}} : (tensor<?x3x2xf32>, tensor<1xi64>) -> !onnx.unknown
    %5 = onnx.node "Unsqueeze" v18 (%arg0, %cst_3) {attrs = {}} : (tensor<?x2x3xf32>, tensor<1xi64>) -> !onnx.unknown
    %6 = onnx.node "Mul" v18 (%1, %4) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %7 = onnx.node "Mul" v18 (%6, %5) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %8 = onnx.node "Shape" v18 (%arg0) {attrs = {}} : (tensor<?x2x3xf32>) -> !onnx.unknown
    %9 = onnx.node "Gather" v18 (%8, %cst_4) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %10 = onnx.node "Concat" v18 (%9, %cst_5) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %11 = onnx.node "Expand" v18 (%cst_6, %10) {attrs = {}} : (tensor<f32>, !onnx.unknown) -> !onnx.unknown
    %12 = onnx.node "Gather" v18 (%3, %cst_7) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %13 = onnx.node "Mul" v18 (%12, %11) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %14 = onnx.node "Gather" v18 (%7, %cst_8) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %15 = onnx.node "Add" v18 (%13, %14) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %16 = onnx.node "Gather" v18 (%arg3, %cst_9) {attrs = {axis = 1 : i64}} : (tensor<?x3x2xf32>, tensor<i64>) -> !onnx.unknown
    %17 = onnx.node "Unsqueeze" v18 (%16, %cst_10) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %18 = onnx.node "MatMul" v18 (%15, %17) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %19 = onnx.node "Gather" v18 (%18, %cst_11) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %20 = onnx.node "Unsqueeze" v18 (%19, %cst_12) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %21 = onnx.node "Gather" v18 (%3, %cst_13) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %22 = onnx.node "Mul" v18 (%21, %15) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %23 = onnx.node "Gather" v18 (%7, %cst_14) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %24 = onnx.node "Add" v18 (%22, %23) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %25 = onnx.node "Gather" v18 (%arg3, %cst_15) {attrs = {axis = 1 : i64}} : (tensor<?x3x2xf32>, tensor<i64>) -> !onnx.unknown
    %26 = onnx.node "Unsqueeze" v18 (%25, %cst_16) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %27 = onnx.node "MatMul" v18 (%24, %26) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %28 = onnx.node "Gather" v18 (%27, %cst_17) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %29 = onnx.node "Unsqueeze" v18 (%28, %cst_18) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %30 = onnx.node "Gather" v18 (%3, %cst_19) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %31 = onnx.node "Mul" v18 (%30, %24) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %32 = onnx.node "Gather" v18 (%7, %cst_20) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %33 = onnx.node "Add" v18 (%31, %32) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %34 = onnx.node "Gather" v18 (%arg3, %cst_21) {attrs = {axis = 1 : i64}} : (tensor<?x3x2xf32>, tensor<i64>) -> !onnx.unknown
    %35 = onnx.node "Unsqueeze" v18 (%34, %cst_22) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %36 = onnx.node "MatMul" v18 (%33, %35) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %37 = onnx.node "Gather" v18 (%36, %cst_23) {attrs = {axis = 2 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %38 = onnx.node "Unsqueeze" v18 (%37, %cst_24) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %39 = onnx.node "Concat" v18 (%20, %29, %38) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> tensor<?x2x3xf32>
    return %39 : tensor<?x2x3xf32>
  }
}
