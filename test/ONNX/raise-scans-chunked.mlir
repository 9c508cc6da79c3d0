// RUN: hybrid-opt %s --split-input-file --hybrid-raise-scans | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-raise-scans --hybrid-convert-onnx | FileCheck %s --check-prefix=CONVERTED

// Mamba-2's chunked scan as mamba_ssm's ssd_minimal_discrete writes it
// (Einsum contractions, segment sums as differences of a CumSum, the
// inter-chunk mask built at run time by Trilu), over x [B, L, 2, 3], dt
// [B, L, 2], B and C [B, L, 1, 2] tiled to the 2 heads, chunks of 2:
// test/pytest/test_raise.py's _chunked_ssd_model("einsum", "plain", heads=2,
// p=3, n=2, cs=2) printed by `hybrid-opt --onnx-faithful`. The chunks become
// one gated LinearAttention (q = C, k = B, v = x dt, decay A dt per head,
// scale 1) on the chunks flattened to [B, c*l, ...]; y is its output in
// chunks again, the final state its present state transposed to
// [B, H, P, N]; no Einsum, CumSum or segment sum is left.
// CHECK-LABEL: func.func @ssd
// CHECK: %[[XDT:.*]] = onnx.node "Mul" v18 (%arg0,
// CHECK: %[[ADT:.*]] = onnx.node "Mul" v18 (%cst, %arg1)
// CHECK: %[[XC:.*]] = onnx.node "Reshape" v18 (%[[XDT]], %{{.*}})
// CHECK: %[[AC:.*]] = onnx.node "Reshape" v18 (%[[ADT]], %{{.*}})
// CHECK: %[[BC:.*]] = onnx.node "Reshape" v18 (%{{.*}}, %{{.*}})
// CHECK: %[[CC:.*]] = onnx.node "Reshape" v18 (%{{.*}}, %{{.*}})
// CHECK: %[[A4:.*]] = onnx.node "Transpose" v18 (%[[AC]]) {attrs = {perm = array<i64: 0, 3, 1, 2>}}
// CHECK-DAG: %[[Q:.*]] = onnx.node "Reshape" v13 (%[[CC]], %{{.*}})
// CHECK-DAG: %[[K:.*]] = onnx.node "Reshape" v13 (%[[BC]], %{{.*}})
// CHECK-DAG: %[[V:.*]] = onnx.node "Reshape" v13 (%[[XC]], %{{.*}})
// CHECK: %[[AT:.*]] = onnx.node "Transpose" v13 (%[[A4]]) {attrs = {perm = array<i64: 0, 2, 3, 1>}}
// CHECK: %[[DECAY:.*]] = onnx.node "Reshape" v13 (%[[AT]], %{{.*}})
// CHECK: %[[LA:.*]]:2 = onnx.node "com.microsoft" "LinearAttention" v1 (%[[Q]], %[[K]], %[[V]], %{{.*}}, %[[DECAY]], %{{.*}}) {attrs = {kv_num_heads = 2 : i64, q_num_heads = 2 : i64, scale = 1.000000e+00 : f32, update_rule = "gated"}}
// CHECK: %[[Y:.*]] = onnx.node "Reshape" v13 (%[[LA]]#0, %{{.*}})
// CHECK: %[[S:.*]] = onnx.node "Transpose" v13 (%[[LA]]#1) {attrs = {perm = array<i64: 0, 1, 3, 2>}}
// CHECK: %[[OUT:.*]] = onnx.node "Reshape" v18 (%[[Y]], %{{.*}})
// CHECK: return %[[OUT]], %[[S]]
// CHECK-NOT: "Einsum"
// CHECK-NOT: "CumSum"
// CONVERTED-LABEL: func.func @ssd
// CONVERTED: hybrid.linear_attention gated ins({{.*}} : tensor<?x?x2x2xf32>, tensor<?x?x2x2xf32>, tensor<?x?x2x3xf32>
// CONVERTED-NOT: linalg.generic {{.*}}reduction
  func.func @ssd(%arg0: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}, %arg1: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "dt"}, %arg2: tensor<?x?x1x2xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "Bg"}, %arg3: tensor<?x?x1x2xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "Cg"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "state"}) attributes {llvm.emit_c_interface} {
    %cst = arith.constant dense<[-1.73434746, -1.18437552]> : tensor<2xf32>
    %cst_0 = arith.constant dense<[-0.53997153, -1.26024187]> : tensor<2xf32>
    %cst_1 = arith.constant dense<0.000000e+00> : tensor<f32>
    %cst_2 = arith.constant dense<0xFF800000> : tensor<f32>
    %cst_3 = arith.constant dense<2> : tensor<i64>
    %cst_4 = arith.constant dense<-1> : tensor<i64>
    %cst_5 = arith.constant dense<-1> : tensor<1xi64>
    %cst_6 = arith.constant dense<-2> : tensor<1xi64>
    %cst_7 = arith.constant dense<1> : tensor<1xi64>
    %cst_8 = arith.constant dense<2> : tensor<1xi64>
    %cst_9 = arith.constant dense<3> : tensor<1xi64>
    %cst_10 = arith.constant dense<[4, 5]> : tensor<2xi64>
    %cst_11 = arith.constant dense<-1> : tensor<i64>
    %cst_12 = arith.constant dense<-2> : tensor<i64>
    %cst_13 = arith.constant dense<0> : tensor<1xi64>
    %cst_14 = arith.constant dense<1> : tensor<1xi64>
    %cst_15 = arith.constant dense<-1> : tensor<1xi64>
    %cst_16 = arith.constant dense<4611686018427387904> : tensor<1xi64>
    %cst_17 = arith.constant dense<[1, 1, 2, 1]> : tensor<4xi64>
    %cst_18 = arith.constant dense<[0, 0, 1, 0, 0, 0]> : tensor<6xi64>
    %cst_19 = arith.constant dense<-1> : tensor<i64>
    %cst_20 = arith.constant dense<1> : tensor<i64>
    %cst_21 = arith.constant dense<2> : tensor<1xi64>
    %cst_22 = arith.constant dense<3> : tensor<1xi64>
    %cst_23 = arith.constant dense<[[false, true], [false, false]]> : tensor<2x2xi1>
    %cst_24 = arith.constant dense<[[true, true], [false, true]]> : tensor<2x2xi1>
    %cst_25 = arith.constant dense<[0, -1, 2, 2, 3]> : tensor<5xi64>
    %cst_26 = arith.constant dense<[0, -1, 2, 2, 2]> : tensor<5xi64>
    %cst_27 = arith.constant dense<[0, -1, 2, 2]> : tensor<4xi64>
    %cst_28 = arith.constant dense<[0, -1, 2, 3]> : tensor<4xi64>
    %0 = onnx.node "Unsqueeze" v18 (%arg1, %cst_5) {attrs = {}} : (tensor<?x?x2xf32>, tensor<1xi64>) -> !onnx.unknown
    %1 = onnx.node "Mul" v18 (%arg0, %0) {attrs = {}} : (tensor<?x?x2x3xf32>, !onnx.unknown) -> !onnx.unknown
    %2 = onnx.node "Mul" v18 (%cst, %arg1) {attrs = {}} : (tensor<2xf32>, tensor<?x?x2xf32>) -> !onnx.unknown
    %3 = onnx.node "Tile" v18 (%arg2, %cst_17) {attrs = {}} : (tensor<?x?x1x2xf32>, tensor<4xi64>) -> !onnx.unknown
    %4 = onnx.node "Tile" v18 (%arg3, %cst_17) {attrs = {}} : (tensor<?x?x1x2xf32>, tensor<4xi64>) -> !onnx.unknown
    %5 = onnx.node "Reshape" v18 (%1, %cst_25) {attrs = {}} : (!onnx.unknown, tensor<5xi64>) -> !onnx.unknown
    %6 = onnx.node "Reshape" v18 (%2, %cst_27) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
    %7 = onnx.node "Reshape" v18 (%3, %cst_26) {attrs = {}} : (!onnx.unknown, tensor<5xi64>) -> !onnx.unknown
    %8 = onnx.node "Reshape" v18 (%4, %cst_26) {attrs = {}} : (!onnx.unknown, tensor<5xi64>) -> !onnx.unknown
    %9 = onnx.node "Transpose" v18 (%6) {attrs = {perm = array<i64: 0, 3, 1, 2>}} : (!onnx.unknown) -> !onnx.unknown
    %10 = onnx.node "CumSum" v18 (%9, %cst_11) {attrs = {}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %11 = onnx.node "CumSum" v18 (%9, %cst_11) {attrs = {}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %12 = onnx.node "Unsqueeze" v18 (%11, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %13 = onnx.node "Unsqueeze" v18 (%11, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %14 = onnx.node "Sub" v18 (%12, %13) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %15 = onnx.node "Where" v18 (%cst_23, %cst_2, %14) {attrs = {}} : (tensor<2x2xi1>, tensor<f32>, !onnx.unknown) -> !onnx.unknown
    %16 = onnx.node "Exp" v18 (%15) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %17 = onnx.node "Einsum" v18 (%8, %7, %16, %5) {attrs = {equation = "bclhn,bcshn,bhcls,bcshp->bclhp"}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %18 = onnx.node "Slice" v18 (%10, %cst_15, %cst_16, %cst_9) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %19 = onnx.node "Sub" v18 (%18, %10) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %20 = onnx.node "Exp" v18 (%19) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %21 = onnx.node "Einsum" v18 (%7, %20, %5) {attrs = {equation = "bclhn,bhcl,bclhp->bchpn"}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %22 = onnx.node "Slice" v18 (%21, %cst_13, %cst_14, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %23 = onnx.node "Shape" v18 (%22) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %24 = onnx.node "ConstantOfShape" v18 (%23) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %25 = onnx.node "Concat" v18 (%24, %21) {attrs = {axis = 1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %26 = onnx.node "Gather" v18 (%10, %cst_4) {attrs = {axis = 3 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %27 = onnx.node "Pad" v18 (%26, %cst_18) {attrs = {}} : (!onnx.unknown, tensor<6xi64>) -> !onnx.unknown
    %28 = onnx.node "CumSum" v18 (%27, %cst_11) {attrs = {}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %29 = onnx.node "Unsqueeze" v18 (%28, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %30 = onnx.node "Unsqueeze" v18 (%28, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %31 = onnx.node "Sub" v18 (%29, %30) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %32 = onnx.node "Shape" v18 (%27) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %33 = onnx.node "Gather" v18 (%32, %cst_4) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %34 = onnx.node "Unsqueeze" v18 (%33, %cst_13) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %35 = onnx.node "Concat" v18 (%34, %34) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %36 = onnx.node "ConstantOfShape" v18 (%35) {attrs = {value = dense<true> : tensor<1xi1>}} : (!onnx.unknown) -> !onnx.unknown
    %37 = onnx.none
    %38 = onnx.node "Trilu" v18 (%36, %37) {attrs = {upper = 0 : i64}} : (!onnx.unknown, none) -> !onnx.unknown
    %39 = onnx.node "Not" v18 (%38) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %40 = onnx.node "Where" v18 (%39, %cst_2, %31) {attrs = {}} : (!onnx.unknown, tensor<f32>, !onnx.unknown) -> !onnx.unknown
    %41 = onnx.node "Exp" v18 (%40) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %42 = onnx.node "Einsum" v18 (%41, %25) {attrs = {equation = "bhzc,bchpn->bzhpn"}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %43 = onnx.node "Slice" v18 (%42, %cst_13, %cst_15, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %44 = onnx.node "Gather" v18 (%42, %cst_4) {attrs = {axis = 1 : i64}} : (!onnx.unknown, tensor<i64>) -> tensor<*xf32>
    %45 = onnx.node "Exp" v18 (%10) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %46 = onnx.node "Einsum" v18 (%8, %43, %45) {attrs = {equation = "bclhn,bchpn,bhcl->bclhp"}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %47 = onnx.node "Add" v18 (%17, %46) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %48 = onnx.node "Reshape" v18 (%47, %cst_28) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> tensor<*xf32>
    return %48, %44 : tensor<*xf32>, tensor<*xf32>
  }


// -----

// Near miss: the chunk states decay from the chunk's first step
// (A_cs[..., :1] - A_cs) instead of its last: not the scan, left as written.
// CHECK-LABEL: func.func @first_decay
// CHECK-NOT: LinearAttention
// CHECK: "Einsum"
// CONVERTED-LABEL: func.func @first_decay
// CONVERTED-NOT: hybrid.linear_attention
  func.func @first_decay(%arg0: tensor<?x?x2x3xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}, %arg1: tensor<?x?x2xf32> {onnx.dim_params = ["batch", "seq", ""], onnx.elem_type = 1 : i32, onnx.name = "dt"}, %arg2: tensor<?x?x1x2xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "Bg"}, %arg3: tensor<?x?x1x2xf32> {onnx.dim_params = ["batch", "seq", "", ""], onnx.elem_type = 1 : i32, onnx.name = "Cg"}) -> (tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "y"}, tensor<*xf32> {onnx.elem_type = 1 : i32, onnx.name = "state"}) attributes {llvm.emit_c_interface} {
    %cst = arith.constant dense<[-1.73434746, -1.18437552]> : tensor<2xf32>
    %cst_0 = arith.constant dense<[-0.53997153, -1.26024187]> : tensor<2xf32>
    %cst_1 = arith.constant dense<0.000000e+00> : tensor<f32>
    %cst_2 = arith.constant dense<0xFF800000> : tensor<f32>
    %cst_3 = arith.constant dense<2> : tensor<i64>
    %cst_4 = arith.constant dense<-1> : tensor<i64>
    %cst_5 = arith.constant dense<-1> : tensor<1xi64>
    %cst_6 = arith.constant dense<-2> : tensor<1xi64>
    %cst_7 = arith.constant dense<1> : tensor<1xi64>
    %cst_8 = arith.constant dense<2> : tensor<1xi64>
    %cst_9 = arith.constant dense<3> : tensor<1xi64>
    %cst_10 = arith.constant dense<[4, 5]> : tensor<2xi64>
    %cst_11 = arith.constant dense<-1> : tensor<i64>
    %cst_12 = arith.constant dense<-2> : tensor<i64>
    %cst_13 = arith.constant dense<0> : tensor<1xi64>
    %cst_14 = arith.constant dense<1> : tensor<1xi64>
    %cst_15 = arith.constant dense<-1> : tensor<1xi64>
    %cst_16 = arith.constant dense<4611686018427387904> : tensor<1xi64>
    %cst_17 = arith.constant dense<[1, 1, 2, 1]> : tensor<4xi64>
    %cst_18 = arith.constant dense<[0, 0, 1, 0, 0, 0]> : tensor<6xi64>
    %cst_19 = arith.constant dense<-1> : tensor<i64>
    %cst_20 = arith.constant dense<1> : tensor<i64>
    %cst_21 = arith.constant dense<2> : tensor<1xi64>
    %cst_22 = arith.constant dense<3> : tensor<1xi64>
    %cst_23 = arith.constant dense<[[false, true], [false, false]]> : tensor<2x2xi1>
    %cst_24 = arith.constant dense<[[true, true], [false, true]]> : tensor<2x2xi1>
    %cst_25 = arith.constant dense<[0, -1, 2, 2, 3]> : tensor<5xi64>
    %cst_26 = arith.constant dense<[0, -1, 2, 2, 2]> : tensor<5xi64>
    %cst_27 = arith.constant dense<[0, -1, 2, 2]> : tensor<4xi64>
    %cst_28 = arith.constant dense<[0, -1, 2, 3]> : tensor<4xi64>
    %0 = onnx.node "Unsqueeze" v18 (%arg1, %cst_5) {attrs = {}} : (tensor<?x?x2xf32>, tensor<1xi64>) -> !onnx.unknown
    %1 = onnx.node "Mul" v18 (%arg0, %0) {attrs = {}} : (tensor<?x?x2x3xf32>, !onnx.unknown) -> !onnx.unknown
    %2 = onnx.node "Mul" v18 (%cst, %arg1) {attrs = {}} : (tensor<2xf32>, tensor<?x?x2xf32>) -> !onnx.unknown
    %3 = onnx.node "Tile" v18 (%arg2, %cst_17) {attrs = {}} : (tensor<?x?x1x2xf32>, tensor<4xi64>) -> !onnx.unknown
    %4 = onnx.node "Tile" v18 (%arg3, %cst_17) {attrs = {}} : (tensor<?x?x1x2xf32>, tensor<4xi64>) -> !onnx.unknown
    %5 = onnx.node "Reshape" v18 (%1, %cst_25) {attrs = {}} : (!onnx.unknown, tensor<5xi64>) -> !onnx.unknown
    %6 = onnx.node "Reshape" v18 (%2, %cst_27) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> !onnx.unknown
    %7 = onnx.node "Reshape" v18 (%3, %cst_26) {attrs = {}} : (!onnx.unknown, tensor<5xi64>) -> !onnx.unknown
    %8 = onnx.node "Reshape" v18 (%4, %cst_26) {attrs = {}} : (!onnx.unknown, tensor<5xi64>) -> !onnx.unknown
    %9 = onnx.node "Transpose" v18 (%6) {attrs = {perm = array<i64: 0, 3, 1, 2>}} : (!onnx.unknown) -> !onnx.unknown
    %10 = onnx.node "CumSum" v18 (%9, %cst_11) {attrs = {}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %11 = onnx.node "CumSum" v18 (%9, %cst_11) {attrs = {}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %12 = onnx.node "Unsqueeze" v18 (%11, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %13 = onnx.node "Unsqueeze" v18 (%11, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %14 = onnx.node "Sub" v18 (%12, %13) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %15 = onnx.node "Where" v18 (%cst_23, %cst_2, %14) {attrs = {}} : (tensor<2x2xi1>, tensor<f32>, !onnx.unknown) -> !onnx.unknown
    %16 = onnx.node "Exp" v18 (%15) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %17 = onnx.node "Einsum" v18 (%8, %7, %16, %5) {attrs = {equation = "bclhn,bcshn,bhcls,bcshp->bclhp"}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %18 = onnx.node "Slice" v18 (%10, %cst_13, %cst_14, %cst_9) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %19 = onnx.node "Sub" v18 (%18, %10) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %20 = onnx.node "Exp" v18 (%19) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %21 = onnx.node "Einsum" v18 (%7, %20, %5) {attrs = {equation = "bclhn,bhcl,bclhp->bchpn"}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %22 = onnx.node "Slice" v18 (%21, %cst_13, %cst_14, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %23 = onnx.node "Shape" v18 (%22) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %24 = onnx.node "ConstantOfShape" v18 (%23) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %25 = onnx.node "Concat" v18 (%24, %21) {attrs = {axis = 1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %26 = onnx.node "Gather" v18 (%10, %cst_4) {attrs = {axis = 3 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %27 = onnx.node "Pad" v18 (%26, %cst_18) {attrs = {}} : (!onnx.unknown, tensor<6xi64>) -> !onnx.unknown
    %28 = onnx.node "CumSum" v18 (%27, %cst_11) {attrs = {}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %29 = onnx.node "Unsqueeze" v18 (%28, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %30 = onnx.node "Unsqueeze" v18 (%28, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %31 = onnx.node "Sub" v18 (%29, %30) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %32 = onnx.node "Shape" v18 (%27) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %33 = onnx.node "Gather" v18 (%32, %cst_4) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %34 = onnx.node "Unsqueeze" v18 (%33, %cst_13) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %35 = onnx.node "Concat" v18 (%34, %34) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %36 = onnx.node "ConstantOfShape" v18 (%35) {attrs = {value = dense<true> : tensor<1xi1>}} : (!onnx.unknown) -> !onnx.unknown
    %37 = onnx.none
    %38 = onnx.node "Trilu" v18 (%36, %37) {attrs = {upper = 0 : i64}} : (!onnx.unknown, none) -> !onnx.unknown
    %39 = onnx.node "Not" v18 (%38) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %40 = onnx.node "Where" v18 (%39, %cst_2, %31) {attrs = {}} : (!onnx.unknown, tensor<f32>, !onnx.unknown) -> !onnx.unknown
    %41 = onnx.node "Exp" v18 (%40) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %42 = onnx.node "Einsum" v18 (%41, %25) {attrs = {equation = "bhzc,bchpn->bzhpn"}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %43 = onnx.node "Slice" v18 (%42, %cst_13, %cst_15, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %44 = onnx.node "Gather" v18 (%42, %cst_4) {attrs = {axis = 1 : i64}} : (!onnx.unknown, tensor<i64>) -> tensor<*xf32>
    %45 = onnx.node "Exp" v18 (%10) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %46 = onnx.node "Einsum" v18 (%8, %43, %45) {attrs = {equation = "bclhn,bchpn,bhcl->bclhp"}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %47 = onnx.node "Add" v18 (%17, %46) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %48 = onnx.node "Reshape" v18 (%47, %cst_28) {attrs = {}} : (!onnx.unknown, tensor<4xi64>) -> tensor<*xf32>
    return %48, %44 : tensor<*xf32>, tensor<*xf32>
  }

