// RUN: hybrid-opt %s --split-input-file --hybrid-raise-scans | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-raise-scans --hybrid-convert-onnx | FileCheck %s --check-prefix=CONVERTED

// Mamba-1's selective scan as an ONNX Scan over axis 1 (state h [B, 4, 3];
// u and delta [B, L, 4], B and C [B, L, 3]), every Mul and the Add with their
// operands in the other order: one ai.hybrid SelectiveScan (delta_softplus = 0,
// no D, z or dt_bias) on the channels-first transposes, its y transposed back;
// the converter makes it hybrid.ssm_scan.
// CHECK-LABEL: func.func @swapped
// CHECK-SAME: (%[[H0:[^:]*]]: tensor<?x4x3xf32>{{.*}}, %[[U:[^:]*]]: tensor<?x?x4xf32>{{.*}}, %[[D:[^:]*]]: tensor<?x?x4xf32>{{.*}}, %[[B:[^:]*]]: tensor<?x?x3xf32>{{.*}}, %[[C:[^:]*]]: tensor<?x?x3xf32>
// CHECK-DAG: %[[A:.*]] = arith.constant dense<{{.*}}> : tensor<4x3xf32>
// CHECK: %[[NONE:.*]] = onnx.none
// CHECK: %[[UT:.*]] = onnx.node "Transpose" v13 (%[[U]]) {attrs = {perm = array<i64: 0, 2, 1>}}
// CHECK: %[[DT:.*]] = onnx.node "Transpose" v13 (%[[D]])
// CHECK: %[[BT:.*]] = onnx.node "Transpose" v13 (%[[B]])
// CHECK: %[[CT:.*]] = onnx.node "Transpose" v13 (%[[C]])
// CHECK: %[[S:.*]]:2 = onnx.node "ai.hybrid" "SelectiveScan" v1 (%[[UT]], %[[DT]], %[[A]], %[[BT]], %[[CT]], %[[NONE]], %[[NONE]], %[[NONE]], %[[H0]]) {attrs = {delta_softplus = 0 : i64}}
// CHECK: %[[Y:.*]] = onnx.node "Transpose" v13 (%[[S]]#0)
// CHECK: return %[[Y]], %[[S]]#1
// CHECK-NOT: "Scan"
// CONVERTED-LABEL: func.func @swapped
// CONVERTED: hybrid.ssm_scan ins({{.*}} : tensor<?x?x4x1xf32>, tensor<?x?x4xf32>, tensor<4x3xf32>, tensor<?x?x1x3xf32>, tensor<?x?x1x3xf32>) initial_state({{.*}}) outs(
func.func @swapped(%arg0: tensor<?x4x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "h0"}, %arg1: tensor<?x?x4xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "u"}, %arg2: tensor<?x?x4xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "delta"}, %arg3: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "Bm"}, %arg4: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "Cm"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "h_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[-2.77446961, -0.278640598, -1.23250592], [-0.752853394, -0.797459185, -0.897808432], [-0.364221513, -0.890505313, -0.648815751], [-5.26720428, -1.11951244, -0.838353514]]> : tensor<4x3xf32>
  %cst_0 = arith.constant dense<1> : tensor<1xi64>
  %cst_1 = arith.constant dense<2> : tensor<1xi64>
  %0:2 = onnx.node "Scan" v18 (%arg0, %arg1, %arg2, %arg3, %arg4) subgraphs ({
  ^bb0(%arg5: tensor<*xf32>, %arg6: tensor<*xf32>, %arg7: tensor<*xf32>, %arg8: tensor<*xf32>, %arg9: tensor<*xf32>):
    %1 = onnx.node "Unsqueeze" v18 (%arg7, %cst_1) {attrs = {}, name = "/#0"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %2 = onnx.node "Mul" v18 (%cst, %1) {attrs = {}, name = "/#1"} : (tensor<4x3xf32>, !onnx.unknown) -> !onnx.unknown
    %3 = onnx.node "Exp" v18 (%2) {attrs = {}, name = "/#2"} : (!onnx.unknown) -> !onnx.unknown
    %4 = onnx.node "Mul" v18 (%arg7, %arg6) {attrs = {}, name = "/#3"} : (tensor<*xf32>, tensor<*xf32>) -> !onnx.unknown
    %5 = onnx.node "Unsqueeze" v18 (%4, %cst_1) {attrs = {}, name = "/#4"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %6 = onnx.node "Unsqueeze" v18 (%arg8, %cst_0) {attrs = {}, name = "/#5"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %7 = onnx.node "Mul" v18 (%6, %5) {attrs = {}, name = "/#6"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %8 = onnx.node "Mul" v18 (%arg5, %3) {attrs = {}, name = "/#7"} : (tensor<*xf32>, !onnx.unknown) -> !onnx.unknown
    %9 = onnx.node "Add" v18 (%7, %8) {attrs = {}, name = "/#8"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %10 = onnx.node "Unsqueeze" v18 (%arg9, %cst_1) {attrs = {}, name = "/#9"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %11 = onnx.node "MatMul" v18 (%9, %10) {attrs = {}, name = "/#10"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %12 = onnx.node "Squeeze" v18 (%11, %cst_1) {attrs = {}, name = "/#11"} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
    %13 = onnx.node "Identity" v18 (%9) {attrs = {}, name = "/#12"} : (!onnx.unknown) -> tensor<*xf32>
    onnx.yield %13, %12 : tensor<*xf32>, tensor<*xf32>
  }) {attrs = {num_scan_inputs = 4 : i64, scan_input_axes = array<i64: 1, 1, 1, 1>, scan_output_axes = array<i64: 1>}, region_names = ["body"]} : (tensor<?x4x3xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x3xf32>, tensor<?x?x3xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#1, %0#0 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Near miss: the read-out multiplies C with the state before the update (a
// different recurrence): the Scan stays.
// CHECK-LABEL: func.func @old_state
// CHECK: onnx.node "Scan"
// CHECK-NOT: SelectiveScan
func.func @old_state(%arg0: tensor<?x4x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "h0"}, %arg1: tensor<?x?x4xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "u"}, %arg2: tensor<?x?x4xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "delta"}, %arg3: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "Bm"}, %arg4: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "Cm"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "h_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[-2.77446961, -0.278640598, -1.23250592], [-0.752853394, -0.797459185, -0.897808432], [-0.364221513, -0.890505313, -0.648815751], [-5.26720428, -1.11951244, -0.838353514]]> : tensor<4x3xf32>
  %cst_0 = arith.constant dense<1> : tensor<1xi64>
  %cst_1 = arith.constant dense<2> : tensor<1xi64>
  %0:2 = onnx.node "Scan" v18 (%arg0, %arg1, %arg2, %arg3, %arg4) subgraphs ({
  ^bb0(%arg5: tensor<*xf32>, %arg6: tensor<*xf32>, %arg7: tensor<*xf32>, %arg8: tensor<*xf32>, %arg9: tensor<*xf32>):
    %1 = onnx.node "Unsqueeze" v18 (%arg7, %cst_1) {attrs = {}, name = "/#0"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %2 = onnx.node "Mul" v18 (%1, %cst) {attrs = {}, name = "/#1"} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
    %3 = onnx.node "Exp" v18 (%2) {attrs = {}, name = "/#2"} : (!onnx.unknown) -> !onnx.unknown
    %4 = onnx.node "Mul" v18 (%arg7, %arg6) {attrs = {}, name = "/#3"} : (tensor<*xf32>, tensor<*xf32>) -> !onnx.unknown
    %5 = onnx.node "Unsqueeze" v18 (%4, %cst_1) {attrs = {}, name = "/#4"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %6 = onnx.node "Unsqueeze" v18 (%arg8, %cst_0) {attrs = {}, name = "/#5"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %7 = onnx.node "Mul" v18 (%5, %6) {attrs = {}, name = "/#6"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %8 = onnx.node "Mul" v18 (%3, %arg5) {attrs = {}, name = "/#7"} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
    %9 = onnx.node "Add" v18 (%8, %7) {attrs = {}, name = "/#8"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %10 = onnx.node "Unsqueeze" v18 (%arg9, %cst_1) {attrs = {}, name = "/#9"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %11 = onnx.node "MatMul" v18 (%arg5, %10) {attrs = {}, name = "/#10"} : (tensor<*xf32>, !onnx.unknown) -> !onnx.unknown
    %12 = onnx.node "Squeeze" v18 (%11, %cst_1) {attrs = {}, name = "/#11"} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
    %13 = onnx.node "Identity" v18 (%9) {attrs = {}, name = "/#12"} : (!onnx.unknown) -> tensor<*xf32>
    onnx.yield %13, %12 : tensor<*xf32>, tensor<*xf32>
  }) {attrs = {num_scan_inputs = 4 : i64, scan_input_axes = array<i64: 1, 1, 1, 1>, scan_output_axes = array<i64: 1>}, region_names = ["body"]} : (tensor<?x4x3xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x3xf32>, tensor<?x?x3xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#1, %0#0 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Near miss: the input term is u * u instead of delta * u.
// CHECK-LABEL: func.func @u_squared
// CHECK: onnx.node "Scan"
// CHECK-NOT: SelectiveScan
func.func @u_squared(%arg0: tensor<?x4x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "h0"}, %arg1: tensor<?x?x4xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "u"}, %arg2: tensor<?x?x4xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "delta"}, %arg3: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "Bm"}, %arg4: tensor<?x?x3xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "Cm"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "h_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[-2.77446961, -0.278640598, -1.23250592], [-0.752853394, -0.797459185, -0.897808432], [-0.364221513, -0.890505313, -0.648815751], [-5.26720428, -1.11951244, -0.838353514]]> : tensor<4x3xf32>
  %cst_0 = arith.constant dense<1> : tensor<1xi64>
  %cst_1 = arith.constant dense<2> : tensor<1xi64>
  %0:2 = onnx.node "Scan" v18 (%arg0, %arg1, %arg2, %arg3, %arg4) subgraphs ({
  ^bb0(%arg5: tensor<*xf32>, %arg6: tensor<*xf32>, %arg7: tensor<*xf32>, %arg8: tensor<*xf32>, %arg9: tensor<*xf32>):
    %1 = onnx.node "Unsqueeze" v18 (%arg7, %cst_1) {attrs = {}, name = "/#0"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %2 = onnx.node "Mul" v18 (%1, %cst) {attrs = {}, name = "/#1"} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
    %3 = onnx.node "Exp" v18 (%2) {attrs = {}, name = "/#2"} : (!onnx.unknown) -> !onnx.unknown
    %4 = onnx.node "Mul" v18 (%arg6, %arg6) {attrs = {}, name = "/#3"} : (tensor<*xf32>, tensor<*xf32>) -> !onnx.unknown
    %5 = onnx.node "Unsqueeze" v18 (%4, %cst_1) {attrs = {}, name = "/#4"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %6 = onnx.node "Unsqueeze" v18 (%arg8, %cst_0) {attrs = {}, name = "/#5"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %7 = onnx.node "Mul" v18 (%5, %6) {attrs = {}, name = "/#6"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %8 = onnx.node "Mul" v18 (%3, %arg5) {attrs = {}, name = "/#7"} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
    %9 = onnx.node "Add" v18 (%8, %7) {attrs = {}, name = "/#8"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %10 = onnx.node "Unsqueeze" v18 (%arg9, %cst_1) {attrs = {}, name = "/#9"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %11 = onnx.node "MatMul" v18 (%9, %10) {attrs = {}, name = "/#10"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %12 = onnx.node "Squeeze" v18 (%11, %cst_1) {attrs = {}, name = "/#11"} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
    %13 = onnx.node "Identity" v18 (%9) {attrs = {}, name = "/#12"} : (!onnx.unknown) -> tensor<*xf32>
    onnx.yield %13, %12 : tensor<*xf32>, tensor<*xf32>
  }) {attrs = {num_scan_inputs = 4 : i64, scan_input_axes = array<i64: 1, 1, 1, 1>, scan_output_axes = array<i64: 1>}, region_names = ["body"]} : (tensor<?x4x3xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x3xf32>, tensor<?x?x3xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#1, %0#0 : tensor<*xf32>, tensor<*xf32>
}
