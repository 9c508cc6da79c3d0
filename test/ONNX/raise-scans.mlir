// RUN: hybrid-opt %s --split-input-file --hybrid-raise-scans | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-raise-scans --hybrid-convert-onnx | FileCheck %s --check-prefix=CONVERTED

// Mamba-1's selective scan as an ONNX Scan over axis 1 (state h [B, 4, 3];
// u and delta [B, L, 4], B and C [B, L, 3]), every Mul and the Add with their
// operands in the other order: one ai.hybrid SsmScan (dt_softplus = 0, no D,
// z or dt_bias) with one channel per head (x [B, L, 4, 1], B and C
// [B, L, 1, 3], the state [B, 4, 1, 3]), its results squeezed back; the
// converter makes it hybrid.ssm_scan.
// CHECK-LABEL: func.func @swapped
// CHECK-SAME: (%[[H0:[^:]*]]: tensor<?x4x3xf32>{{.*}}, %[[U:[^:]*]]: tensor<?x?x4xf32>{{.*}}, %[[D:[^:]*]]: tensor<?x?x4xf32>{{.*}}, %[[B:[^:]*]]: tensor<?x?x3xf32>{{.*}}, %[[C:[^:]*]]: tensor<?x?x3xf32>
// CHECK-DAG: %[[A:.*]] = arith.constant dense<{{.*}}> : tensor<4x3xf32>
// CHECK: %[[NONE:.*]] = onnx.none
// CHECK: %[[X:.*]] = onnx.node "Unsqueeze" v13 (%[[U]], %{{.*}})
// CHECK: %[[B4:.*]] = onnx.node "Unsqueeze" v13 (%[[B]], %{{.*}})
// CHECK: %[[C4:.*]] = onnx.node "Unsqueeze" v13 (%[[C]], %{{.*}})
// CHECK: %[[S0:.*]] = onnx.node "Unsqueeze" v13 (%[[H0]], %{{.*}})
// CHECK: %[[S:.*]]:2 = onnx.node "ai.hybrid" "SsmScan" v1 (%[[X]], %[[D]], %[[A]], %[[B4]], %[[C4]], %[[NONE]], %[[NONE]], %[[NONE]], %[[S0]]) {attrs = {dt_softplus = 0 : i64}}
// CHECK: %[[Y:.*]] = onnx.node "Squeeze" v13 (%[[S]]#0, %{{.*}})
// CHECK: %[[F:.*]] = onnx.node "Squeeze" v13 (%[[S]]#1, %{{.*}})
// CHECK: return %[[Y]], %[[F]]
// CHECK-NOT: "Scan"
// CONVERTED-LABEL: func.func @swapped
// CONVERTED: hybrid.ssm_scan ins({{.*}} : tensor<?x?x4x1xf32>, tensor<?x?x4xf32>, tensor<4x3xf32>, tensor<?x?x1x3xf32>, tensor<?x?x1x3xf32>) initial_state({{.*}} : tensor<?x4x1x3xf32>) outs(
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
// CHECK-NOT: SsmScan
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
// CHECK-NOT: SsmScan
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

// -----

// Gated DeltaNet's recurrence as an ONNX Scan (state S [B, 2, 3, 4]; q and k
// [B, L, 2, 3], v [B, L, 2, 4], g and beta [B, L, 2]; q scaled by 0.3 before
// the read-out): one com.microsoft LinearAttention with the gated delta rule on
// q, k and v packed to [B, L, H * D], its output unpacked to [B, L, 2, 4].
// CHECK-LABEL: func.func @gated_delta
// CHECK-SAME: (%[[S0:[^:]*]]: tensor<?x2x3x4xf32>{{.*}}, %[[Q:[^:]*]]: tensor<?x?x2x3xf32>{{.*}}, %[[K:[^:]*]]: tensor<?x?x2x3xf32>{{.*}}, %[[V:[^:]*]]: tensor<?x?x2x4xf32>{{.*}}, %[[G:[^:]*]]: tensor<?x?x2xf32>{{.*}}, %[[BETA:[^:]*]]: tensor<?x?x2xf32>
// CHECK: %[[Q3:.*]] = onnx.node "Reshape" v13 (%[[Q]], %{{.*}})
// CHECK: %[[K3:.*]] = onnx.node "Reshape" v13 (%[[K]], %{{.*}})
// CHECK: %[[V3:.*]] = onnx.node "Reshape" v13 (%[[V]], %{{.*}})
// CHECK: %[[LA:.*]]:2 = onnx.node "com.microsoft" "LinearAttention" v1 (%[[Q3]], %[[K3]], %[[V3]], %[[S0]], %[[G]], %[[BETA]]) {attrs = {kv_num_heads = 2 : i64, q_num_heads = 2 : i64, scale = 3.000000e-01 : f32, update_rule = "gated_delta"}}
// CHECK: %[[O:.*]] = onnx.node "Reshape" v13 (%[[LA]]#0, %{{.*}})
// CHECK: return %[[O]], %[[LA]]#1
// CHECK-NOT: "Scan"
// CONVERTED-LABEL: func.func @gated_delta
// CONVERTED: hybrid.linear_attention gated_delta ins({{.*}} : tensor<?x?x2x3xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x4xf32>) decay({{.*}} : tensor<?x?x2xf32>) beta({{.*}} : tensor<?x?x2xf32>) initial_state({{.*}} : tensor<?x2x3x4xf32>)
func.func @gated_delta(%arg0: tensor<?x2x3x4xf32> {onnx.dim_params = ["batch", "", "", ""], onnx.elem_type = 1 : i32, onnx.name = "S0"}, %arg1: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "q"}, %arg2: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "k"}, %arg3: tensor<?x?x2x4xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "v"}, %arg4: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "g"}, %arg5: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "beta"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "o"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "S_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<3.000000e-01> : tensor<f32>
  %cst_0 = arith.constant dense<1> : tensor<1xi64>
  %cst_1 = arith.constant dense<2> : tensor<1xi64>
  %cst_2 = arith.constant dense<3> : tensor<1xi64>
  %cst_3 = arith.constant dense<[2, 3]> : tensor<2xi64>
  %0:2 = onnx.node "Scan" v18 (%arg0, %arg1, %arg2, %arg3, %arg4, %arg5) subgraphs ({
  ^bb0(%arg6: tensor<*xf32>, %arg7: tensor<*xf32>, %arg8: tensor<*xf32>, %arg9: tensor<*xf32>, %arg10: tensor<*xf32>, %arg11: tensor<*xf32>):
    %1 = onnx.node "Exp" v18 (%arg10) {attrs = {}, name = "/#0"} : (tensor<*xf32>) -> !onnx.unknown
    %2 = onnx.node "Unsqueeze" v18 (%1, %cst_3) {attrs = {}, name = "/#1"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %3 = onnx.node "Mul" v18 (%2, %arg6) {attrs = {}, name = "/#2"} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
    %4 = onnx.node "Unsqueeze" v18 (%arg8, %cst_1) {attrs = {}, name = "/#3"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %5 = onnx.node "MatMul" v18 (%4, %3) {attrs = {}, name = "/#4"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %6 = onnx.node "Squeeze" v18 (%5, %cst_1) {attrs = {}, name = "/#5"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %7 = onnx.node "Sub" v18 (%arg9, %6) {attrs = {}, name = "/#6"} : (tensor<*xf32>, !onnx.unknown) -> !onnx.unknown
    %8 = onnx.node "Unsqueeze" v18 (%arg11, %cst_1) {attrs = {}, name = "/#7"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %9 = onnx.node "Mul" v18 (%8, %7) {attrs = {}, name = "/#8"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %10 = onnx.node "Unsqueeze" v18 (%arg8, %cst_2) {attrs = {}, name = "/#9"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %11 = onnx.node "Unsqueeze" v18 (%9, %cst_1) {attrs = {}, name = "/#10"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %12 = onnx.node "MatMul" v18 (%10, %11) {attrs = {}, name = "/#11"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %13 = onnx.node "Add" v18 (%12, %3) {attrs = {}, name = "/#12"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %14 = onnx.node "Mul" v18 (%cst, %arg7) {attrs = {}, name = "/#13"} : (tensor<f32>, tensor<*xf32>) -> !onnx.unknown
    %15 = onnx.node "Unsqueeze" v18 (%14, %cst_1) {attrs = {}, name = "/#14"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %16 = onnx.node "MatMul" v18 (%15, %13) {attrs = {}, name = "/#15"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %17 = onnx.node "Squeeze" v18 (%16, %cst_1) {attrs = {}, name = "/#16"} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
    %18 = onnx.node "Identity" v18 (%13) {attrs = {}, name = "/#17"} : (!onnx.unknown) -> tensor<*xf32>
    onnx.yield %18, %17 : tensor<*xf32>, tensor<*xf32>
  }) {attrs = {num_scan_inputs = 5 : i64, scan_input_axes = array<i64: 1, 1, 1, 1, 1>, scan_output_axes = array<i64: 1>}, region_names = ["body"]} : (tensor<?x2x3x4xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#1, %0#0 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Plain linear attention (no decay, no delta correction): the linear rule.
// CHECK-LABEL: func.func @linear
// CHECK: onnx.node "com.microsoft" "LinearAttention" v1 ({{.*}}) {attrs = {kv_num_heads = 2 : i64, q_num_heads = 2 : i64, scale = 3.000000e-01 : f32, update_rule = "linear"}}
// CHECK-NOT: "Scan"
func.func @linear(%arg0: tensor<?x2x3x4xf32> {onnx.dim_params = ["batch", "", "", ""], onnx.elem_type = 1 : i32, onnx.name = "S0"}, %arg1: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "q"}, %arg2: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "k"}, %arg3: tensor<?x?x2x4xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "v"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "o"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "S_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<3.000000e-01> : tensor<f32>
  %cst_0 = arith.constant dense<1> : tensor<1xi64>
  %cst_1 = arith.constant dense<2> : tensor<1xi64>
  %cst_2 = arith.constant dense<3> : tensor<1xi64>
  %cst_3 = arith.constant dense<[2, 3]> : tensor<2xi64>
  %0:2 = onnx.node "Scan" v18 (%arg0, %arg1, %arg2, %arg3) subgraphs ({
  ^bb0(%arg4: tensor<*xf32>, %arg5: tensor<*xf32>, %arg6: tensor<*xf32>, %arg7: tensor<*xf32>):
    %1 = onnx.node "Unsqueeze" v18 (%arg6, %cst_2) {attrs = {}, name = "/#0"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %2 = onnx.node "Unsqueeze" v18 (%arg7, %cst_1) {attrs = {}, name = "/#1"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %3 = onnx.node "MatMul" v18 (%1, %2) {attrs = {}, name = "/#2"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %4 = onnx.node "Add" v18 (%3, %arg4) {attrs = {}, name = "/#3"} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
    %5 = onnx.node "Mul" v18 (%cst, %arg5) {attrs = {}, name = "/#4"} : (tensor<f32>, tensor<*xf32>) -> !onnx.unknown
    %6 = onnx.node "Unsqueeze" v18 (%5, %cst_1) {attrs = {}, name = "/#5"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %7 = onnx.node "MatMul" v18 (%6, %4) {attrs = {}, name = "/#6"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %8 = onnx.node "Squeeze" v18 (%7, %cst_1) {attrs = {}, name = "/#7"} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
    %9 = onnx.node "Identity" v18 (%4) {attrs = {}, name = "/#8"} : (!onnx.unknown) -> tensor<*xf32>
    onnx.yield %9, %8 : tensor<*xf32>, tensor<*xf32>
  }) {attrs = {num_scan_inputs = 3 : i64, scan_input_axes = array<i64: 1, 1, 1>, scan_output_axes = array<i64: 1>}, region_names = ["body"]} : (tensor<?x2x3x4xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x4xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#1, %0#0 : tensor<*xf32>, tensor<*xf32>
}

// -----

// The scale applied to the read-out instead of q.
// CHECK-LABEL: func.func @scale_after
// CHECK: onnx.node "com.microsoft" "LinearAttention" v1 ({{.*}}) {attrs = {kv_num_heads = 2 : i64, q_num_heads = 2 : i64, scale = 3.000000e-01 : f32, update_rule = "gated_delta"}}
// CHECK-NOT: "Scan"
func.func @scale_after(%arg0: tensor<?x2x3x4xf32> {onnx.dim_params = ["batch", "", "", ""], onnx.elem_type = 1 : i32, onnx.name = "S0"}, %arg1: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "q"}, %arg2: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "k"}, %arg3: tensor<?x?x2x4xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "v"}, %arg4: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "g"}, %arg5: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "beta"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "o"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "S_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<3.000000e-01> : tensor<f32>
  %cst_0 = arith.constant dense<1> : tensor<1xi64>
  %cst_1 = arith.constant dense<2> : tensor<1xi64>
  %cst_2 = arith.constant dense<3> : tensor<1xi64>
  %cst_3 = arith.constant dense<[2, 3]> : tensor<2xi64>
  %0:2 = onnx.node "Scan" v18 (%arg0, %arg1, %arg2, %arg3, %arg4, %arg5) subgraphs ({
  ^bb0(%arg6: tensor<*xf32>, %arg7: tensor<*xf32>, %arg8: tensor<*xf32>, %arg9: tensor<*xf32>, %arg10: tensor<*xf32>, %arg11: tensor<*xf32>):
    %1 = onnx.node "Exp" v18 (%arg10) {attrs = {}, name = "/#0"} : (tensor<*xf32>) -> !onnx.unknown
    %2 = onnx.node "Unsqueeze" v18 (%1, %cst_3) {attrs = {}, name = "/#1"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %3 = onnx.node "Mul" v18 (%2, %arg6) {attrs = {}, name = "/#2"} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
    %4 = onnx.node "Unsqueeze" v18 (%arg8, %cst_1) {attrs = {}, name = "/#3"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %5 = onnx.node "MatMul" v18 (%4, %3) {attrs = {}, name = "/#4"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %6 = onnx.node "Squeeze" v18 (%5, %cst_1) {attrs = {}, name = "/#5"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %7 = onnx.node "Sub" v18 (%arg9, %6) {attrs = {}, name = "/#6"} : (tensor<*xf32>, !onnx.unknown) -> !onnx.unknown
    %8 = onnx.node "Unsqueeze" v18 (%arg11, %cst_1) {attrs = {}, name = "/#7"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %9 = onnx.node "Mul" v18 (%8, %7) {attrs = {}, name = "/#8"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %10 = onnx.node "Unsqueeze" v18 (%arg8, %cst_2) {attrs = {}, name = "/#9"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %11 = onnx.node "Unsqueeze" v18 (%9, %cst_1) {attrs = {}, name = "/#10"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %12 = onnx.node "MatMul" v18 (%10, %11) {attrs = {}, name = "/#11"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %13 = onnx.node "Add" v18 (%12, %3) {attrs = {}, name = "/#12"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %14 = onnx.node "Unsqueeze" v18 (%arg7, %cst_1) {attrs = {}, name = "/#13"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %15 = onnx.node "MatMul" v18 (%14, %13) {attrs = {}, name = "/#14"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %16 = onnx.node "Squeeze" v18 (%15, %cst_1) {attrs = {}, name = "/#15"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %17 = onnx.node "Mul" v18 (%16, %cst) {attrs = {}, name = "/#16"} : (!onnx.unknown, tensor<f32>) -> tensor<*xf32>
    %18 = onnx.node "Identity" v18 (%13) {attrs = {}, name = "/#17"} : (!onnx.unknown) -> tensor<*xf32>
    onnx.yield %18, %17 : tensor<*xf32>, tensor<*xf32>
  }) {attrs = {num_scan_inputs = 5 : i64, scan_input_axes = array<i64: 1, 1, 1, 1, 1>, scan_output_axes = array<i64: 1>}, region_names = ["body"]} : (tensor<?x2x3x4xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#1, %0#0 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Near miss: the delta rule's memory read uses the state before the decay.
// CHECK-LABEL: func.func @mem_before_gate
// CHECK: onnx.node "Scan"
// CHECK-NOT: LinearAttention
func.func @mem_before_gate(%arg0: tensor<?x2x3x4xf32> {onnx.dim_params = ["batch", "", "", ""], onnx.elem_type = 1 : i32, onnx.name = "S0"}, %arg1: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "q"}, %arg2: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "k"}, %arg3: tensor<?x?x2x4xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "v"}, %arg4: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "g"}, %arg5: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "beta"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "o"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "S_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<3.000000e-01> : tensor<f32>
  %cst_0 = arith.constant dense<1> : tensor<1xi64>
  %cst_1 = arith.constant dense<2> : tensor<1xi64>
  %cst_2 = arith.constant dense<3> : tensor<1xi64>
  %cst_3 = arith.constant dense<[2, 3]> : tensor<2xi64>
  %0:2 = onnx.node "Scan" v18 (%arg0, %arg1, %arg2, %arg3, %arg4, %arg5) subgraphs ({
  ^bb0(%arg6: tensor<*xf32>, %arg7: tensor<*xf32>, %arg8: tensor<*xf32>, %arg9: tensor<*xf32>, %arg10: tensor<*xf32>, %arg11: tensor<*xf32>):
    %1 = onnx.node "Exp" v18 (%arg10) {attrs = {}, name = "/#0"} : (tensor<*xf32>) -> !onnx.unknown
    %2 = onnx.node "Unsqueeze" v18 (%1, %cst_3) {attrs = {}, name = "/#1"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %3 = onnx.node "Mul" v18 (%2, %arg6) {attrs = {}, name = "/#2"} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
    %4 = onnx.node "Unsqueeze" v18 (%arg8, %cst_1) {attrs = {}, name = "/#3"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %5 = onnx.node "MatMul" v18 (%4, %arg6) {attrs = {}, name = "/#4"} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
    %6 = onnx.node "Squeeze" v18 (%5, %cst_1) {attrs = {}, name = "/#5"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %7 = onnx.node "Sub" v18 (%arg9, %6) {attrs = {}, name = "/#6"} : (tensor<*xf32>, !onnx.unknown) -> !onnx.unknown
    %8 = onnx.node "Unsqueeze" v18 (%arg11, %cst_1) {attrs = {}, name = "/#7"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %9 = onnx.node "Mul" v18 (%8, %7) {attrs = {}, name = "/#8"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %10 = onnx.node "Unsqueeze" v18 (%arg8, %cst_2) {attrs = {}, name = "/#9"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %11 = onnx.node "Unsqueeze" v18 (%9, %cst_1) {attrs = {}, name = "/#10"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %12 = onnx.node "MatMul" v18 (%10, %11) {attrs = {}, name = "/#11"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %13 = onnx.node "Add" v18 (%12, %3) {attrs = {}, name = "/#12"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %14 = onnx.node "Mul" v18 (%cst, %arg7) {attrs = {}, name = "/#13"} : (tensor<f32>, tensor<*xf32>) -> !onnx.unknown
    %15 = onnx.node "Unsqueeze" v18 (%14, %cst_1) {attrs = {}, name = "/#14"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %16 = onnx.node "MatMul" v18 (%15, %13) {attrs = {}, name = "/#15"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %17 = onnx.node "Squeeze" v18 (%16, %cst_1) {attrs = {}, name = "/#16"} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
    %18 = onnx.node "Identity" v18 (%13) {attrs = {}, name = "/#17"} : (!onnx.unknown) -> tensor<*xf32>
    onnx.yield %18, %17 : tensor<*xf32>, tensor<*xf32>
  }) {attrs = {num_scan_inputs = 5 : i64, scan_input_axes = array<i64: 1, 1, 1, 1, 1>, scan_output_axes = array<i64: 1>}, region_names = ["body"]} : (tensor<?x2x3x4xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#1, %0#0 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Near miss: the output reads the state before the update.
// CHECK-LABEL: func.func @old_readout
// CHECK: onnx.node "Scan"
// CHECK-NOT: LinearAttention
func.func @old_readout(%arg0: tensor<?x2x3x4xf32> {onnx.dim_params = ["batch", "", "", ""], onnx.elem_type = 1 : i32, onnx.name = "S0"}, %arg1: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "q"}, %arg2: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "k"}, %arg3: tensor<?x?x2x4xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "v"}, %arg4: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "g"}, %arg5: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "beta"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "o"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "S_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<3.000000e-01> : tensor<f32>
  %cst_0 = arith.constant dense<1> : tensor<1xi64>
  %cst_1 = arith.constant dense<2> : tensor<1xi64>
  %cst_2 = arith.constant dense<3> : tensor<1xi64>
  %cst_3 = arith.constant dense<[2, 3]> : tensor<2xi64>
  %0:2 = onnx.node "Scan" v18 (%arg0, %arg1, %arg2, %arg3, %arg4, %arg5) subgraphs ({
  ^bb0(%arg6: tensor<*xf32>, %arg7: tensor<*xf32>, %arg8: tensor<*xf32>, %arg9: tensor<*xf32>, %arg10: tensor<*xf32>, %arg11: tensor<*xf32>):
    %1 = onnx.node "Exp" v18 (%arg10) {attrs = {}, name = "/#0"} : (tensor<*xf32>) -> !onnx.unknown
    %2 = onnx.node "Unsqueeze" v18 (%1, %cst_3) {attrs = {}, name = "/#1"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %3 = onnx.node "Mul" v18 (%2, %arg6) {attrs = {}, name = "/#2"} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
    %4 = onnx.node "Unsqueeze" v18 (%arg8, %cst_1) {attrs = {}, name = "/#3"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %5 = onnx.node "MatMul" v18 (%4, %3) {attrs = {}, name = "/#4"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %6 = onnx.node "Squeeze" v18 (%5, %cst_1) {attrs = {}, name = "/#5"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %7 = onnx.node "Sub" v18 (%arg9, %6) {attrs = {}, name = "/#6"} : (tensor<*xf32>, !onnx.unknown) -> !onnx.unknown
    %8 = onnx.node "Unsqueeze" v18 (%arg11, %cst_1) {attrs = {}, name = "/#7"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %9 = onnx.node "Mul" v18 (%8, %7) {attrs = {}, name = "/#8"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %10 = onnx.node "Unsqueeze" v18 (%arg8, %cst_2) {attrs = {}, name = "/#9"} : (tensor<*xf32>, tensor<1xi64>) -> !onnx.unknown
    %11 = onnx.node "Unsqueeze" v18 (%9, %cst_1) {attrs = {}, name = "/#10"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %12 = onnx.node "MatMul" v18 (%10, %11) {attrs = {}, name = "/#11"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %13 = onnx.node "Add" v18 (%12, %3) {attrs = {}, name = "/#12"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %14 = onnx.node "Mul" v18 (%cst, %arg7) {attrs = {}, name = "/#13"} : (tensor<f32>, tensor<*xf32>) -> !onnx.unknown
    %15 = onnx.node "Unsqueeze" v18 (%14, %cst_1) {attrs = {}, name = "/#14"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %16 = onnx.node "MatMul" v18 (%15, %arg6) {attrs = {}, name = "/#15"} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
    %17 = onnx.node "Squeeze" v18 (%16, %cst_1) {attrs = {}, name = "/#16"} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
    %18 = onnx.node "Identity" v18 (%13) {attrs = {}, name = "/#17"} : (!onnx.unknown) -> tensor<*xf32>
    onnx.yield %18, %17 : tensor<*xf32>, tensor<*xf32>
  }) {attrs = {num_scan_inputs = 5 : i64, scan_input_axes = array<i64: 1, 1, 1, 1, 1>, scan_output_axes = array<i64: 1>}, region_names = ["body"]} : (tensor<?x2x3x4xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#1, %0#0 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Mamba-2's recurrence (one group) as a Loop as the dynamo exporter writes a
// while_loop: trip count Gather(Shape(x), 1), Gather(_, i, axis = 1) slices of
// x [B, L, 2, 3], dt [B, L, 2], B and C [B, L, 4], y stacked time-major and
// transposed back: one ai.hybrid SsmScan with A [2] and the state [B, 2, 3, 4]
// as they are, B and C given a group axis; the transpose of the stacked output
// is gone (an Identity keeps the graph output's declared type).
// CHECK-LABEL: func.func @ssd_plain
// CHECK-SAME: (%[[H0:[^:]*]]: tensor<?x2x3x4xf32>{{.*}}, %[[X:[^:]*]]: tensor<?x?x2x3xf32>{{.*}}, %[[DT:[^:]*]]: tensor<?x?x2xf32>{{.*}}, %[[B:[^:]*]]: tensor<?x?x4xf32>{{.*}}, %[[C:[^:]*]]: tensor<?x?x4xf32>
// CHECK-DAG: %[[A:.*]] = arith.constant dense<{{.*}}> : tensor<2xf32>
// CHECK: %[[B4:.*]] = onnx.node "Unsqueeze" v13 (%[[B]], %{{.*}})
// CHECK: %[[C4:.*]] = onnx.node "Unsqueeze" v13 (%[[C]], %{{.*}})
// CHECK: %[[S:.*]]:2 = onnx.node "ai.hybrid" "SsmScan" v1 (%[[X]], %[[DT]], %[[A]], %[[B4]], %[[C4]], %[[NONE:[0-9]+]], %[[NONE]], %[[NONE]], %[[H0]]) {attrs = {dt_softplus = 0 : i64}}
// CHECK: %[[Y:.*]] = onnx.node "Identity" v13 (%[[S]]#0)
// CHECK: return %[[Y]], %[[S]]#1
// CHECK-NOT: "Loop"
// CHECK-NOT: "Transpose"
// CONVERTED-LABEL: func.func @ssd_plain
// CONVERTED: hybrid.ssm_scan ins({{.*}} : tensor<?x?x2x3xf32>, tensor<?x?x2xf32>, tensor<2xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x4xf32>) initial_state({{.*}} : tensor<?x2x3x4xf32>) outs(
func.func @ssd_plain(%arg0: tensor<?x2x3x4xf32> {onnx.dim_params = ["batch", "", "", ""], onnx.elem_type = 1 : i32, onnx.name = "h0"}, %arg1: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}, %arg2: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "dt"}, %arg3: tensor<?x?x4xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "Bm"}, %arg4: tensor<?x?x4xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "Cm"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "h_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[-6.696730e-01, -0.515726089]> : tensor<2xf32>
  %cst_0 = arith.constant dense<1> : tensor<i64>
  %cst_1 = arith.constant dense<2> : tensor<1xi64>
  %cst_2 = arith.constant dense<3> : tensor<1xi64>
  %cst_3 = arith.constant dense<[1, 2]> : tensor<2xi64>
  %cst_4 = arith.constant dense<[1, 3]> : tensor<2xi64>
  %cst_5 = arith.constant dense<[2, 3]> : tensor<2xi64>
  %0 = onnx.node "Shape" v18 (%arg1) {attrs = {}} : (tensor<?x?x2x3xf32>) -> !onnx.unknown
  %1 = onnx.node "Gather" v18 (%0, %cst_0) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %2 = onnx.none
  %3:2 = onnx.node "Loop" v18 (%1, %2, %arg0) subgraphs ({
  ^bb0(%arg5: tensor<i64>, %arg6: tensor<i1>, %arg7: tensor<*xf32>):
    %5 = onnx.node "Gather" v18 (%arg1, %arg5) {attrs = {axis = 1 : i64}, name = "/#0"} : (tensor<?x?x2x3xf32>, tensor<i64>) -> !onnx.unknown
    %6 = onnx.node "Gather" v18 (%arg2, %arg5) {attrs = {axis = 1 : i64}, name = "/#1"} : (tensor<?x?x2xf32>, tensor<i64>) -> !onnx.unknown
    %7 = onnx.node "Gather" v18 (%arg3, %arg5) {attrs = {axis = 1 : i64}, name = "/#2"} : (tensor<?x?x4xf32>, tensor<i64>) -> !onnx.unknown
    %8 = onnx.node "Gather" v18 (%arg4, %arg5) {attrs = {axis = 1 : i64}, name = "/#3"} : (tensor<?x?x4xf32>, tensor<i64>) -> !onnx.unknown
    %9 = onnx.node "Mul" v18 (%6, %cst) {attrs = {}, name = "/#4"} : (!onnx.unknown, tensor<2xf32>) -> !onnx.unknown
    %10 = onnx.node "Exp" v18 (%9) {attrs = {}, name = "/#5"} : (!onnx.unknown) -> !onnx.unknown
    %11 = onnx.node "Unsqueeze" v18 (%10, %cst_5) {attrs = {}, name = "/#6"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %12 = onnx.node "Unsqueeze" v18 (%6, %cst_1) {attrs = {}, name = "/#7"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %13 = onnx.node "Mul" v18 (%5, %12) {attrs = {}, name = "/#8"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %14 = onnx.node "Unsqueeze" v18 (%13, %cst_2) {attrs = {}, name = "/#9"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %15 = onnx.node "Unsqueeze" v18 (%7, %cst_3) {attrs = {}, name = "/#10"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %16 = onnx.node "Mul" v18 (%14, %15) {attrs = {}, name = "/#11"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %17 = onnx.node "Mul" v18 (%11, %arg7) {attrs = {}, name = "/#12"} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
    %18 = onnx.node "Add" v18 (%17, %16) {attrs = {}, name = "/#13"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %19 = onnx.node "Unsqueeze" v18 (%8, %cst_4) {attrs = {}, name = "/#14"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %20 = onnx.node "MatMul" v18 (%18, %19) {attrs = {}, name = "/#15"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %21 = onnx.node "Squeeze" v18 (%20, %cst_2) {attrs = {}, name = "/#16"} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
    %22 = onnx.node "Identity" v18 (%arg6) {attrs = {}, name = "/#17"} : (tensor<i1>) -> tensor<*xi1>
    %23 = onnx.node "Identity" v18 (%18) {attrs = {}, name = "/#18"} : (!onnx.unknown) -> tensor<*xf32>
    onnx.yield %22, %23, %21 : tensor<*xi1>, tensor<*xf32>, tensor<*xf32>
  }) {attrs = {}, region_names = ["body"]} : (!onnx.unknown, none, tensor<?x2x3x4xf32>) -> (tensor<*xf32>, !onnx.unknown)
  %4 = onnx.node "Transpose" v18 (%3#1) {attrs = {perm = array<i64: 1, 0, 2, 3>}} : (!onnx.unknown) -> tensor<*xf32>
  return %4, %3#0 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Near miss: the input term is x * x instead of x * dt.
// CHECK-LABEL: func.func @ssd_x_squared
// CHECK: onnx.node "Loop"
// CHECK-NOT: SsmScan
func.func @ssd_x_squared(%arg0: tensor<?x2x3x4xf32> {onnx.dim_params = ["batch", "", "", ""], onnx.elem_type = 1 : i32, onnx.name = "h0"}, %arg1: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}, %arg2: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "dt"}, %arg3: tensor<?x?x4xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "Bm"}, %arg4: tensor<?x?x4xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "Cm"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "h_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[-6.696730e-01, -0.515726089]> : tensor<2xf32>
  %cst_0 = arith.constant dense<1> : tensor<i64>
  %cst_1 = arith.constant dense<2> : tensor<1xi64>
  %cst_2 = arith.constant dense<3> : tensor<1xi64>
  %cst_3 = arith.constant dense<[1, 2]> : tensor<2xi64>
  %cst_4 = arith.constant dense<[1, 3]> : tensor<2xi64>
  %cst_5 = arith.constant dense<[2, 3]> : tensor<2xi64>
  %0 = onnx.node "Shape" v18 (%arg1) {attrs = {}} : (tensor<?x?x2x3xf32>) -> !onnx.unknown
  %1 = onnx.node "Gather" v18 (%0, %cst_0) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %2 = onnx.none
  %3:2 = onnx.node "Loop" v18 (%1, %2, %arg0) subgraphs ({
  ^bb0(%arg5: tensor<i64>, %arg6: tensor<i1>, %arg7: tensor<*xf32>):
    %5 = onnx.node "Gather" v18 (%arg1, %arg5) {attrs = {axis = 1 : i64}, name = "/#0"} : (tensor<?x?x2x3xf32>, tensor<i64>) -> !onnx.unknown
    %6 = onnx.node "Gather" v18 (%arg2, %arg5) {attrs = {axis = 1 : i64}, name = "/#1"} : (tensor<?x?x2xf32>, tensor<i64>) -> !onnx.unknown
    %7 = onnx.node "Gather" v18 (%arg3, %arg5) {attrs = {axis = 1 : i64}, name = "/#2"} : (tensor<?x?x4xf32>, tensor<i64>) -> !onnx.unknown
    %8 = onnx.node "Gather" v18 (%arg4, %arg5) {attrs = {axis = 1 : i64}, name = "/#3"} : (tensor<?x?x4xf32>, tensor<i64>) -> !onnx.unknown
    %9 = onnx.node "Mul" v18 (%6, %cst) {attrs = {}, name = "/#4"} : (!onnx.unknown, tensor<2xf32>) -> !onnx.unknown
    %10 = onnx.node "Exp" v18 (%9) {attrs = {}, name = "/#5"} : (!onnx.unknown) -> !onnx.unknown
    %11 = onnx.node "Unsqueeze" v18 (%10, %cst_5) {attrs = {}, name = "/#6"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %12 = onnx.node "Unsqueeze" v18 (%6, %cst_1) {attrs = {}, name = "/#7"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %13 = onnx.node "Mul" v18 (%5, %5) {attrs = {}, name = "/#8"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %14 = onnx.node "Unsqueeze" v18 (%13, %cst_2) {attrs = {}, name = "/#9"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %15 = onnx.node "Unsqueeze" v18 (%7, %cst_3) {attrs = {}, name = "/#10"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %16 = onnx.node "Mul" v18 (%14, %15) {attrs = {}, name = "/#11"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %17 = onnx.node "Mul" v18 (%11, %arg7) {attrs = {}, name = "/#12"} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
    %18 = onnx.node "Add" v18 (%17, %16) {attrs = {}, name = "/#13"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %19 = onnx.node "Unsqueeze" v18 (%8, %cst_4) {attrs = {}, name = "/#14"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %20 = onnx.node "MatMul" v18 (%18, %19) {attrs = {}, name = "/#15"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %21 = onnx.node "Squeeze" v18 (%20, %cst_2) {attrs = {}, name = "/#16"} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
    %22 = onnx.node "Identity" v18 (%arg6) {attrs = {}, name = "/#17"} : (tensor<i1>) -> tensor<*xi1>
    %23 = onnx.node "Identity" v18 (%18) {attrs = {}, name = "/#18"} : (!onnx.unknown) -> tensor<*xf32>
    onnx.yield %22, %23, %21 : tensor<*xi1>, tensor<*xf32>, tensor<*xf32>
  }) {attrs = {}, region_names = ["body"]} : (!onnx.unknown, none, tensor<?x2x3x4xf32>) -> (tensor<*xf32>, !onnx.unknown)
  %4 = onnx.node "Transpose" v18 (%3#1) {attrs = {perm = array<i64: 1, 0, 2, 3>}} : (!onnx.unknown) -> tensor<*xf32>
  return %4, %3#0 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Near miss: the loop runs H times (Shape(h0)[1]), not once per token.
// CHECK-LABEL: func.func @ssd_trip_heads
// CHECK: onnx.node "Loop"
// CHECK-NOT: SsmScan
func.func @ssd_trip_heads(%arg0: tensor<?x2x3x4xf32> {onnx.dim_params = ["batch", "", "", ""], onnx.elem_type = 1 : i32, onnx.name = "h0"}, %arg1: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}, %arg2: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "dt"}, %arg3: tensor<?x?x4xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "Bm"}, %arg4: tensor<?x?x4xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "Cm"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "h_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[-6.696730e-01, -0.515726089]> : tensor<2xf32>
  %cst_0 = arith.constant dense<1> : tensor<i64>
  %cst_1 = arith.constant dense<2> : tensor<1xi64>
  %cst_2 = arith.constant dense<3> : tensor<1xi64>
  %cst_3 = arith.constant dense<[1, 2]> : tensor<2xi64>
  %cst_4 = arith.constant dense<[1, 3]> : tensor<2xi64>
  %cst_5 = arith.constant dense<[2, 3]> : tensor<2xi64>
  %0 = onnx.node "Shape" v18 (%arg0) {attrs = {}} : (tensor<?x2x3x4xf32>) -> !onnx.unknown
  %1 = onnx.node "Gather" v18 (%0, %cst_0) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %2 = onnx.none
  %3:2 = onnx.node "Loop" v18 (%1, %2, %arg0) subgraphs ({
  ^bb0(%arg5: tensor<i64>, %arg6: tensor<i1>, %arg7: tensor<*xf32>):
    %5 = onnx.node "Gather" v18 (%arg1, %arg5) {attrs = {axis = 1 : i64}, name = "/#0"} : (tensor<?x?x2x3xf32>, tensor<i64>) -> !onnx.unknown
    %6 = onnx.node "Gather" v18 (%arg2, %arg5) {attrs = {axis = 1 : i64}, name = "/#1"} : (tensor<?x?x2xf32>, tensor<i64>) -> !onnx.unknown
    %7 = onnx.node "Gather" v18 (%arg3, %arg5) {attrs = {axis = 1 : i64}, name = "/#2"} : (tensor<?x?x4xf32>, tensor<i64>) -> !onnx.unknown
    %8 = onnx.node "Gather" v18 (%arg4, %arg5) {attrs = {axis = 1 : i64}, name = "/#3"} : (tensor<?x?x4xf32>, tensor<i64>) -> !onnx.unknown
    %9 = onnx.node "Mul" v18 (%6, %cst) {attrs = {}, name = "/#4"} : (!onnx.unknown, tensor<2xf32>) -> !onnx.unknown
    %10 = onnx.node "Exp" v18 (%9) {attrs = {}, name = "/#5"} : (!onnx.unknown) -> !onnx.unknown
    %11 = onnx.node "Unsqueeze" v18 (%10, %cst_5) {attrs = {}, name = "/#6"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %12 = onnx.node "Unsqueeze" v18 (%6, %cst_1) {attrs = {}, name = "/#7"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %13 = onnx.node "Mul" v18 (%5, %12) {attrs = {}, name = "/#8"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %14 = onnx.node "Unsqueeze" v18 (%13, %cst_2) {attrs = {}, name = "/#9"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %15 = onnx.node "Unsqueeze" v18 (%7, %cst_3) {attrs = {}, name = "/#10"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %16 = onnx.node "Mul" v18 (%14, %15) {attrs = {}, name = "/#11"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %17 = onnx.node "Mul" v18 (%11, %arg7) {attrs = {}, name = "/#12"} : (!onnx.unknown, tensor<*xf32>) -> !onnx.unknown
    %18 = onnx.node "Add" v18 (%17, %16) {attrs = {}, name = "/#13"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %19 = onnx.node "Unsqueeze" v18 (%8, %cst_4) {attrs = {}, name = "/#14"} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %20 = onnx.node "MatMul" v18 (%18, %19) {attrs = {}, name = "/#15"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %21 = onnx.node "Squeeze" v18 (%20, %cst_2) {attrs = {}, name = "/#16"} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
    %22 = onnx.node "Identity" v18 (%arg6) {attrs = {}, name = "/#17"} : (tensor<i1>) -> tensor<*xi1>
    %23 = onnx.node "Identity" v18 (%18) {attrs = {}, name = "/#18"} : (!onnx.unknown) -> tensor<*xf32>
    onnx.yield %22, %23, %21 : tensor<*xi1>, tensor<*xf32>, tensor<*xf32>
  }) {attrs = {}, region_names = ["body"]} : (!onnx.unknown, none, tensor<?x2x3x4xf32>) -> (tensor<*xf32>, !onnx.unknown)
  %4 = onnx.node "Transpose" v18 (%3#1) {attrs = {perm = array<i64: 1, 0, 2, 3>}} : (!onnx.unknown) -> tensor<*xf32>
  return %4, %3#0 : tensor<*xf32>, tensor<*xf32>
}

// -----

// A decode step written out (no loop): Mamba-1's body on the past state h0
// (a graph input) and Squeeze(x, [1]) slices of u, delta, B and C [B, 1, ...]:
// the same SsmScan over the one-token inputs, its y squeezed back to the
// step's output; the step's nodes are gone.
// CHECK-LABEL: func.func @decode_mamba1
// CHECK-SAME: (%[[H0:[^:]*]]: tensor<?x4x3xf32>{{.*}}, %[[U:[^:]*]]: tensor<?x1x4xf32>{{.*}}, %[[D:[^:]*]]: tensor<?x1x4xf32>
// CHECK: %[[X:.*]] = onnx.node "Unsqueeze" v13 (%[[U]], %{{.*}})
// CHECK: %[[S0:.*]] = onnx.node "Unsqueeze" v13 (%[[H0]], %{{.*}})
// CHECK: %[[S:.*]]:2 = onnx.node "ai.hybrid" "SsmScan" v1 (%[[X]], %[[D]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[S0]])
// CHECK: %[[Y:.*]] = onnx.node "Squeeze" v13 (%[[S]]#0, %{{.*}})
// CHECK: %[[F:.*]] = onnx.node "Squeeze" v13 (%[[S]]#1, %{{.*}})
// CHECK: onnx.node "Squeeze" v13 (%[[Y]], %{{.*}})
// CHECK-NOT: "Exp"
// CHECK-NOT: "MatMul"
func.func @decode_mamba1(%arg0: tensor<?x4x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "h0"}, %arg1: tensor<?x1x4xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "u"}, %arg2: tensor<?x1x4xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "delta"}, %arg3: tensor<?x1x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "Bm"}, %arg4: tensor<?x1x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "Cm"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "h_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[-2.77446961, -0.278640598, -1.23250592], [-0.752853394, -0.797459185, -0.897808432], [-0.364221513, -0.890505313, -0.648815751], [-5.26720428, -1.11951244, -0.838353514]]> : tensor<4x3xf32>
  %cst_0 = arith.constant dense<2> : tensor<1xi64>
  %cst_1 = arith.constant dense<1> : tensor<1xi64>
  %0 = onnx.node "Squeeze" v18 (%arg1, %cst_1) {attrs = {}} : (tensor<?x1x4xf32>, tensor<1xi64>) -> !onnx.unknown
  %1 = onnx.node "Squeeze" v18 (%arg2, %cst_1) {attrs = {}} : (tensor<?x1x4xf32>, tensor<1xi64>) -> !onnx.unknown
  %2 = onnx.node "Squeeze" v18 (%arg3, %cst_1) {attrs = {}} : (tensor<?x1x3xf32>, tensor<1xi64>) -> !onnx.unknown
  %3 = onnx.node "Squeeze" v18 (%arg4, %cst_1) {attrs = {}} : (tensor<?x1x3xf32>, tensor<1xi64>) -> !onnx.unknown
  %4 = onnx.node "Identity" v18 (%arg0) {attrs = {}} : (tensor<?x4x3xf32>) -> !onnx.unknown
  %5 = onnx.node "Unsqueeze" v18 (%1, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %6 = onnx.node "Mul" v18 (%cst, %5) {attrs = {}} : (tensor<4x3xf32>, !onnx.unknown) -> !onnx.unknown
  %7 = onnx.node "Exp" v18 (%6) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %8 = onnx.node "Mul" v18 (%1, %0) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %9 = onnx.node "Unsqueeze" v18 (%8, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %10 = onnx.node "Unsqueeze" v18 (%2, %cst_1) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %11 = onnx.node "Mul" v18 (%10, %9) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %12 = onnx.node "Mul" v18 (%4, %7) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %13 = onnx.node "Add" v18 (%11, %12) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %14 = onnx.node "Unsqueeze" v18 (%3, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %15 = onnx.node "MatMul" v18 (%13, %14) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %16 = onnx.node "Squeeze" v18 (%15, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %17 = onnx.node "Identity" v18 (%13) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %18 = onnx.node "Identity" v18 (%17) {attrs = {}} : (!onnx.unknown) -> tensor<*xf32>
  %19 = onnx.node "Unsqueeze" v18 (%16, %cst_1) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
  return %19, %18 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Gated DeltaNet's decode step: LinearAttention on the [B, 1, ...] inputs
// with the past state S0.
// CHECK-LABEL: func.func @decode_gated_delta
// CHECK-SAME: (%[[S0:[^:]*]]: tensor<?x2x3x4xf32>
// CHECK: %[[LA:.*]]:2 = onnx.node "com.microsoft" "LinearAttention" v1 (%{{.*}}, %{{.*}}, %{{.*}}, %[[S0]], %{{.*}}, %{{.*}}) {attrs = {kv_num_heads = 2 : i64, q_num_heads = 2 : i64, scale = 3.000000e-01 : f32, update_rule = "gated_delta"}}
// CHECK-NOT: "MatMul"
func.func @decode_gated_delta(%arg0: tensor<?x2x3x4xf32> {onnx.dim_params = ["batch", "", "", ""], onnx.elem_type = 1 : i32, onnx.name = "S0"}, %arg1: tensor<?x1x2x3xf32> {onnx.dim_params = ["batch", "", "", ""], onnx.elem_type = 1 : i32, onnx.name = "q"}, %arg2: tensor<?x1x2x3xf32> {onnx.dim_params = ["batch", "", "", ""], onnx.elem_type = 1 : i32, onnx.name = "k"}, %arg3: tensor<?x1x2x4xf32> {onnx.dim_params = ["batch", "", "", ""], onnx.elem_type = 1 : i32, onnx.name = "v"}, %arg4: tensor<?x1x2xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "g"}, %arg5: tensor<?x1x2xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "beta"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "o"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "S_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<3.000000e-01> : tensor<f32>
  %cst_0 = arith.constant dense<2> : tensor<1xi64>
  %cst_1 = arith.constant dense<3> : tensor<1xi64>
  %cst_2 = arith.constant dense<[2, 3]> : tensor<2xi64>
  %cst_3 = arith.constant dense<1> : tensor<1xi64>
  %0 = onnx.node "Squeeze" v18 (%arg1, %cst_3) {attrs = {}} : (tensor<?x1x2x3xf32>, tensor<1xi64>) -> !onnx.unknown
  %1 = onnx.node "Squeeze" v18 (%arg2, %cst_3) {attrs = {}} : (tensor<?x1x2x3xf32>, tensor<1xi64>) -> !onnx.unknown
  %2 = onnx.node "Squeeze" v18 (%arg3, %cst_3) {attrs = {}} : (tensor<?x1x2x4xf32>, tensor<1xi64>) -> !onnx.unknown
  %3 = onnx.node "Squeeze" v18 (%arg4, %cst_3) {attrs = {}} : (tensor<?x1x2xf32>, tensor<1xi64>) -> !onnx.unknown
  %4 = onnx.node "Squeeze" v18 (%arg5, %cst_3) {attrs = {}} : (tensor<?x1x2xf32>, tensor<1xi64>) -> !onnx.unknown
  %5 = onnx.node "Identity" v18 (%arg0) {attrs = {}} : (tensor<?x2x3x4xf32>) -> !onnx.unknown
  %6 = onnx.node "Exp" v18 (%3) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %7 = onnx.node "Unsqueeze" v18 (%6, %cst_2) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
  %8 = onnx.node "Mul" v18 (%7, %5) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %9 = onnx.node "Unsqueeze" v18 (%1, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %10 = onnx.node "MatMul" v18 (%9, %8) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %11 = onnx.node "Squeeze" v18 (%10, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %12 = onnx.node "Sub" v18 (%2, %11) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %13 = onnx.node "Unsqueeze" v18 (%4, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %14 = onnx.node "Mul" v18 (%13, %12) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %15 = onnx.node "Unsqueeze" v18 (%1, %cst_1) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %16 = onnx.node "Unsqueeze" v18 (%14, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %17 = onnx.node "MatMul" v18 (%15, %16) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %18 = onnx.node "Add" v18 (%17, %8) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %19 = onnx.node "Mul" v18 (%cst, %0) {attrs = {}} : (tensor<f32>, !onnx.unknown) -> !onnx.unknown
  %20 = onnx.node "Unsqueeze" v18 (%19, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %21 = onnx.node "MatMul" v18 (%20, %18) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %22 = onnx.node "Squeeze" v18 (%21, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %23 = onnx.node "Identity" v18 (%18) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %24 = onnx.node "Identity" v18 (%23) {attrs = {}} : (!onnx.unknown) -> tensor<*xf32>
  %25 = onnx.node "Unsqueeze" v18 (%22, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
  return %25, %24 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Near miss: the decode step's read-out uses the old state.
// CHECK-LABEL: func.func @decode_old_state
// CHECK: onnx.node "MatMul"
// CHECK-NOT: SsmScan
func.func @decode_old_state(%arg0: tensor<?x4x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "h0"}, %arg1: tensor<?x1x4xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "u"}, %arg2: tensor<?x1x4xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "delta"}, %arg3: tensor<?x1x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "Bm"}, %arg4: tensor<?x1x3xf32> {onnx.dim_params = ["batch", "", ""], onnx.elem_type = 1 : i32, onnx.name = "Cm"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "h_final"}) attributes {llvm.emit_c_interface} {
  %cst = arith.constant dense<[[-2.77446961, -0.278640598, -1.23250592], [-0.752853394, -0.797459185, -0.897808432], [-0.364221513, -0.890505313, -0.648815751], [-5.26720428, -1.11951244, -0.838353514]]> : tensor<4x3xf32>
  %cst_0 = arith.constant dense<2> : tensor<1xi64>
  %cst_1 = arith.constant dense<1> : tensor<1xi64>
  %0 = onnx.node "Squeeze" v18 (%arg1, %cst_1) {attrs = {}} : (tensor<?x1x4xf32>, tensor<1xi64>) -> !onnx.unknown
  %1 = onnx.node "Squeeze" v18 (%arg2, %cst_1) {attrs = {}} : (tensor<?x1x4xf32>, tensor<1xi64>) -> !onnx.unknown
  %2 = onnx.node "Squeeze" v18 (%arg3, %cst_1) {attrs = {}} : (tensor<?x1x3xf32>, tensor<1xi64>) -> !onnx.unknown
  %3 = onnx.node "Squeeze" v18 (%arg4, %cst_1) {attrs = {}} : (tensor<?x1x3xf32>, tensor<1xi64>) -> !onnx.unknown
  %4 = onnx.node "Identity" v18 (%arg0) {attrs = {}} : (tensor<?x4x3xf32>) -> !onnx.unknown
  %5 = onnx.node "Unsqueeze" v18 (%1, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %6 = onnx.node "Mul" v18 (%5, %cst) {attrs = {}} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
  %7 = onnx.node "Exp" v18 (%6) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %8 = onnx.node "Mul" v18 (%1, %0) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %9 = onnx.node "Unsqueeze" v18 (%8, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %10 = onnx.node "Unsqueeze" v18 (%2, %cst_1) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %11 = onnx.node "Mul" v18 (%9, %10) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %12 = onnx.node "Mul" v18 (%7, %4) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %13 = onnx.node "Add" v18 (%12, %11) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %14 = onnx.node "Unsqueeze" v18 (%3, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %15 = onnx.node "MatMul" v18 (%4, %14) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %16 = onnx.node "Squeeze" v18 (%15, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %17 = onnx.node "Identity" v18 (%13) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
  %18 = onnx.node "Identity" v18 (%17) {attrs = {}} : (!onnx.unknown) -> tensor<*xf32>
  %19 = onnx.node "Unsqueeze" v18 (%16, %cst_1) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> tensor<*xf32>
  return %19, %18 : tensor<*xf32>, tensor<*xf32>
}
