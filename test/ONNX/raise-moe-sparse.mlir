// RUN: hybrid-opt %s --split-input-file --hybrid-raise-moe | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-raise-moe --hybrid-convert-onnx | FileCheck %s --check-prefix=CONVERTED

// hybrid-raise-moe on the sparse form: each expert on the tokens that chose
// it (NonZero of its one-hot mask), gathered, weighted, scattered back. The
// graphs are test_raise.py's _sparse_moe builder (hidden 4, inter 3) printed
// by `hybrid-opt --onnx-faithful`.

// torch.onnx dynamo's spelling of the per-expert loop (2 experts, top-1):
// Gemm projections, the one-hot as Equal(Unsqueeze(i, -1), arange), NonZero's
// transpose sliced into slot and token, GatherND for the rows and the
// weights, ScatterND(reduction = add) into an Expand of 0. One MoE node is
// left, reading the [b*l, 4] view and the router logits; the b*l arithmetic
// of the zeros and every NonZero, gather and scatter are erased.
// CHECK-LABEL: func.func @sparse_scatternd
// CHECK-NOT: "NonZero"
// CHECK: %[[Y:.*]] = onnx.node "com.microsoft" "MoE" v1 ({{.*}}) {attrs = {activation_type = "swiglu", k = 1 : i64, normalize_routing_weights = 1 : i64, swiglu_fusion = 0 : i64}
// CHECK-NOT: "NonZero"
// CHECK-NOT: "Scatter
// CHECK: onnx.node "Reshape" v18 (%[[Y]],
// CONVERTED-LABEL: func.func @sparse_scatternd
// CONVERTED: hybrid.moe top_k(1) scoring = softmax activation = swiglu
// CONVERTED-NOT: onnx.node
module attributes {onnx.ir_version = 14 : i64, onnx.opset = {ai.onnx = 18 : i64}} {
  func.func @sparse_scatternd(%arg0: tensor<?x?x4xf32> {onnx.dim_params = ["b", "l", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<?x?x4xf32> {onnx.dim_params = ["b", "l", ""], onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
    %cst = arith.constant dense<[-1, 4]> : tensor<2xi64>
    %cst_0 = arith.constant dense<[[0.0170963835, 0.679873764, 0.612360537, -0.255153537], [-0.14898476, -0.263692111, 0.284863174, -0.028032219]]> : tensor<2x4xf32>
    %cst_1 = arith.constant dense<1> : tensor<1xi64>
    %cst_2 = arith.constant dense<-1> : tensor<1xi64>
    %cst_3 = arith.constant dense<-1> : tensor<1xi64>
    %cst_4 = arith.constant dense<[0, 1]> : tensor<2xi64>
    %cst_5 = arith.constant dense<4> : tensor<1xi64>
    %cst_6 = arith.constant dense<0.000000e+00> : tensor<f32>
    %cst_7 = arith.constant dense<-1> : tensor<1xi64>
    %cst_8 = arith.constant dense<0> : tensor<1xi64>
    %cst_9 = arith.constant dense<0> : tensor<i64>
    %cst_10 = arith.constant dense<0> : tensor<1xi64>
    %cst_11 = arith.constant dense<1> : tensor<1xi64>
    %cst_12 = arith.constant dense<1> : tensor<1xi64>
    %cst_13 = arith.constant dense<1> : tensor<1xi64>
    %cst_14 = arith.constant dense<2> : tensor<1xi64>
    %cst_15 = arith.constant dense<1> : tensor<1xi64>
    %cst_16 = arith.constant dense<1> : tensor<1xi64>
    %cst_17 = arith.constant dense<1> : tensor<1xi64>
    %cst_18 = arith.constant dense<-1> : tensor<1xi64>
    %cst_19 = arith.constant dense<[-1, 4]> : tensor<2xi64>
    %cst_20 = arith.constant dense<[[0.373442799, -0.923662424, 0.783274412, -0.0482160784], [0.340189219, -0.0682831704, -0.189549282, 0.231555074], [0.412256777, -0.101264939, -0.0763930902, 0.342849314]]> : tensor<3x4xf32>
    %cst_21 = arith.constant dense<[[-0.435170323, -0.757191777, 0.197490931, -0.335282922], [-0.960170269, -0.407026827, -0.233798772, -0.596601248], [-0.746231914, 0.0183189139, 0.448624641, -0.11656604]]> : tensor<3x4xf32>
    %cst_22 = arith.constant dense<[[-0.429315358, 0.222276285, 0.414096296], [-0.173211202, 0.314464092, 0.602104425], [-0.119486354, -0.469683409, 0.200716168], [0.142920598, 0.634399831, -0.741653085]]> : tensor<4x3xf32>
    %cst_23 = arith.constant dense<-1> : tensor<1xi64>
    %cst_24 = arith.constant dense<-1> : tensor<1xi64>
    %cst_25 = arith.constant dense<-1> : tensor<1xi64>
    %cst_26 = arith.constant dense<1> : tensor<i64>
    %cst_27 = arith.constant dense<0> : tensor<1xi64>
    %cst_28 = arith.constant dense<1> : tensor<1xi64>
    %cst_29 = arith.constant dense<1> : tensor<1xi64>
    %cst_30 = arith.constant dense<1> : tensor<1xi64>
    %cst_31 = arith.constant dense<2> : tensor<1xi64>
    %cst_32 = arith.constant dense<1> : tensor<1xi64>
    %cst_33 = arith.constant dense<1> : tensor<1xi64>
    %cst_34 = arith.constant dense<1> : tensor<1xi64>
    %cst_35 = arith.constant dense<-1> : tensor<1xi64>
    %cst_36 = arith.constant dense<[-1, 4]> : tensor<2xi64>
    %cst_37 = arith.constant dense<[[-0.330806464, -0.419083476, -0.867007434, 0.0632172748], [0.263902098, -0.369395018, 0.692823529, 0.410962164], [0.313688248, 0.200853541, 0.477834791, -0.665989935]]> : tensor<3x4xf32>
    %cst_38 = arith.constant dense<[[0.306964815, 0.301388413, -0.883859276, 0.173515052], [-0.125210673, 0.390761346, -0.219531089, -0.00912042893], [0.17142576, -0.438130856, 0.299298316, -0.0524815954]]> : tensor<3x4xf32>
    %cst_39 = arith.constant dense<[[2.843350e-01, -0.301283032, 0.627118766], [0.349413514, -0.102782793, 0.364860624], [0.727319956, 1.0341357, -0.908504725], [0.50987637, 0.268507421, -0.0541905463]]> : tensor<4x3xf32>
    %cst_40 = arith.constant dense<-1> : tensor<1xi64>
    %cst_41 = arith.constant dense<-1> : tensor<1xi64>
    %cst_42 = arith.constant dense<-1> : tensor<1xi64>
    %0 = onnx.node "Shape" v18 (%arg0) {attrs = {end = 1 : i64, start = 0 : i64}} : (tensor<?x?x4xf32>) -> !onnx.unknown
    %1 = onnx.node "Shape" v18 (%arg0) {attrs = {end = 2 : i64, start = 1 : i64}} : (tensor<?x?x4xf32>) -> !onnx.unknown
    %2 = onnx.node "Mul" v18 (%0, %1) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %3 = onnx.node "Reshape" v18 (%arg0, %cst) {attrs = {}} : (tensor<?x?x4xf32>, tensor<2xi64>) -> !onnx.unknown
    %4 = onnx.node "Gemm" v18 (%3, %cst_0) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<2x4xf32>) -> !onnx.unknown
    %5 = onnx.node "Softmax" v18 (%4) {attrs = {axis = 1 : i64}} : (!onnx.unknown) -> !onnx.unknown
    %6:2 = onnx.node "TopK" v18 (%5, %cst_1) {attrs = {axis = -1 : i64}} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
    %7 = onnx.node "ReduceSum" v18 (%6#0, %cst_2) {attrs = {keepdims = 1 : i64}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %8 = onnx.node "Div" v18 (%6#0, %7) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %9 = onnx.node "Unsqueeze" v18 (%6#1, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %10 = onnx.node "Equal" v18 (%9, %cst_4) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %11 = onnx.node "Cast" v18 (%10) {attrs = {to = 7 : i64}} : (!onnx.unknown) -> !onnx.unknown
    %12 = onnx.node "Transpose" v18 (%11) {attrs = {perm = array<i64: 2, 1, 0>}} : (!onnx.unknown) -> !onnx.unknown
    %13 = onnx.node "Concat" v18 (%2, %cst_5) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %14 = onnx.node "Expand" v18 (%cst_6, %13) {attrs = {}} : (tensor<f32>, !onnx.unknown) -> !onnx.unknown
    %15 = onnx.node "Unsqueeze" v18 (%8, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %16 = onnx.node "Unsqueeze" v18 (%3, %cst_8) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %17 = onnx.node "Transpose" v18 (%16) {attrs = {perm = array<i64: 1, 0, 2>}} : (!onnx.unknown) -> !onnx.unknown
    %18 = onnx.node "Gather" v18 (%12, %cst_9) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %19 = onnx.node "NonZero" v18 (%18) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %20 = onnx.node "Transpose" v18 (%19) {attrs = {perm = array<i64: 1, 0>}} : (!onnx.unknown) -> !onnx.unknown
    %21 = onnx.node "Slice" v18 (%20, %cst_10, %cst_11, %cst_12) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %22 = onnx.node "Slice" v18 (%20, %cst_13, %cst_14, %cst_15) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %23 = onnx.node "Squeeze" v18 (%21, %cst_16) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %24 = onnx.node "Squeeze" v18 (%22, %cst_17) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %25 = onnx.node "Unsqueeze" v18 (%24, %cst_18) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %26 = onnx.node "GatherND" v18 (%17, %25) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %27 = onnx.node "Transpose" v18 (%26) {attrs = {perm = array<i64: 1, 0, 2>}} : (!onnx.unknown) -> !onnx.unknown
    %28 = onnx.node "Reshape" v18 (%27, %cst_19) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %29 = onnx.node "Gemm" v18 (%28, %cst_20) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
    %30 = onnx.node "Gemm" v18 (%28, %cst_21) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
    %31 = onnx.node "Sigmoid" v18 (%29) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %32 = onnx.node "Mul" v18 (%29, %31) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %33 = onnx.node "Mul" v18 (%32, %30) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %34 = onnx.node "Gemm" v18 (%33, %cst_22) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
    %35 = onnx.node "Unsqueeze" v18 (%24, %cst_23) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %36 = onnx.node "Unsqueeze" v18 (%23, %cst_24) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %37 = onnx.node "Concat" v18 (%35, %36) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %38 = onnx.node "GatherND" v18 (%15, %37) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %39 = onnx.node "Mul" v18 (%34, %38) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %40 = onnx.node "Unsqueeze" v18 (%24, %cst_25) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %41 = onnx.node "ScatterND" v18 (%14, %40, %39) {attrs = {reduction = "add"}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %42 = onnx.node "Gather" v18 (%12, %cst_26) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %43 = onnx.node "NonZero" v18 (%42) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %44 = onnx.node "Transpose" v18 (%43) {attrs = {perm = array<i64: 1, 0>}} : (!onnx.unknown) -> !onnx.unknown
    %45 = onnx.node "Slice" v18 (%44, %cst_27, %cst_28, %cst_29) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %46 = onnx.node "Slice" v18 (%44, %cst_30, %cst_31, %cst_32) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %47 = onnx.node "Squeeze" v18 (%45, %cst_33) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %48 = onnx.node "Squeeze" v18 (%46, %cst_34) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %49 = onnx.node "Unsqueeze" v18 (%48, %cst_35) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %50 = onnx.node "GatherND" v18 (%17, %49) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %51 = onnx.node "Transpose" v18 (%50) {attrs = {perm = array<i64: 1, 0, 2>}} : (!onnx.unknown) -> !onnx.unknown
    %52 = onnx.node "Reshape" v18 (%51, %cst_36) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %53 = onnx.node "Gemm" v18 (%52, %cst_37) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
    %54 = onnx.node "Gemm" v18 (%52, %cst_38) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
    %55 = onnx.node "Sigmoid" v18 (%53) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %56 = onnx.node "Mul" v18 (%53, %55) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %57 = onnx.node "Mul" v18 (%56, %54) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %58 = onnx.node "Gemm" v18 (%57, %cst_39) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
    %59 = onnx.node "Unsqueeze" v18 (%48, %cst_40) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %60 = onnx.node "Unsqueeze" v18 (%47, %cst_41) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %61 = onnx.node "Concat" v18 (%59, %60) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %62 = onnx.node "GatherND" v18 (%15, %61) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %63 = onnx.node "Mul" v18 (%58, %62) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %64 = onnx.node "Unsqueeze" v18 (%48, %cst_42) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %65 = onnx.node "ScatterND" v18 (%41, %64, %63) {attrs = {reduction = "add"}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %66 = onnx.node "Shape" v18 (%arg0) {attrs = {}} : (tensor<?x?x4xf32>) -> !onnx.unknown
    %67 = onnx.node "Reshape" v18 (%65, %66) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> tensor<?x?x4xf32>
    return %67 : tensor<?x?x4xf32>
  }
}

// -----

// The TorchScript exporter's spelling: MatMul projections, OneHot, Split of
// NonZero's transpose, Gather along axis 1 of Unsqueeze(x, 0), the weight a
// Gather of the flattened values at tok * k + slot with k read by Shape, and
// index_add_ as Add(acc, ScatterElements(zeros like acc, Expand(tok[:, None]),
// Cast(o))). The routing weights' k (Gather(Shape)) and the zeros' b*l are
// proven by symbolic shapes.
// CHECK-LABEL: func.func @sparse_scatter_elements
// CHECK-NOT: "NonZero"
// CHECK: %[[Y:.*]] = onnx.node "com.microsoft" "MoE" v1 ({{.*}}) {attrs = {activation_type = "swiglu", k = 1 : i64, normalize_routing_weights = 1 : i64, swiglu_fusion = 0 : i64}
// CHECK-NOT: "NonZero"
// CHECK-NOT: "Scatter
// CHECK: onnx.node "Reshape" v18 (%[[Y]],
// CONVERTED-LABEL: func.func @sparse_scatter_elements
// CONVERTED: hybrid.moe top_k(1) scoring = softmax activation = swiglu
// CONVERTED-NOT: onnx.node
module attributes {onnx.ir_version = 14 : i64, onnx.opset = {ai.onnx = 18 : i64}} {
  func.func @sparse_scatter_elements(%arg0: tensor<?x?x4xf32> {onnx.dim_params = ["b", "l", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<?x?x4xf32> {onnx.dim_params = ["b", "l", ""], onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
    %cst = arith.constant dense<[-1, 4]> : tensor<2xi64>
    %cst_0 = arith.constant dense<[[0.0170963835, 0.679873764], [0.612360537, -0.255153537], [-0.14898476, -0.263692111], [0.284863174, -0.028032219]]> : tensor<4x2xf32>
    %cst_1 = arith.constant dense<1> : tensor<1xi64>
    %cst_2 = arith.constant dense<-1> : tensor<1xi64>
    %cst_3 = arith.constant dense<2> : tensor<i64>
    %cst_4 = arith.constant dense<[0, 1]> : tensor<2xi64>
    %cst_5 = arith.constant dense<4> : tensor<1xi64>
    %cst_6 = arith.constant dense<0> : tensor<1xi64>
    %cst_7 = arith.constant dense<2> : tensor<1xi64>
    %cst_8 = arith.constant dense<1> : tensor<i64>
    %cst_9 = arith.constant dense<0> : tensor<i64>
    %cst_10 = arith.constant dense<1> : tensor<2xi64>
    %cst_11 = arith.constant dense<1> : tensor<1xi64>
    %cst_12 = arith.constant dense<1> : tensor<1xi64>
    %cst_13 = arith.constant dense<[-1, 4]> : tensor<2xi64>
    %cst_14 = arith.constant dense<[[0.373442799, -0.923662424, 0.783274412], [-0.0482160784, 0.340189219, -0.0682831704], [-0.189549282, 0.231555074, 0.412256777], [-0.101264939, -0.0763930902, 0.342849314]]> : tensor<4x3xf32>
    %cst_15 = arith.constant dense<[[-0.435170323, -0.757191777, 0.197490931], [-0.335282922, -0.960170269, -0.407026827], [-0.233798772, -0.596601248, -0.746231914], [0.0183189139, 0.448624641, -0.11656604]]> : tensor<4x3xf32>
    %cst_16 = arith.constant dense<[[-0.429315358, 0.222276285, 0.414096296, -0.173211202], [0.314464092, 0.602104425, -0.119486354, -0.469683409], [0.200716168, 0.142920598, 0.634399831, -0.741653085]]> : tensor<3x4xf32>
    %cst_17 = arith.constant dense<[-1, 1]> : tensor<2xi64>
    %cst_18 = arith.constant dense<1> : tensor<1xi64>
    %cst_19 = arith.constant dense<1> : tensor<i64>
    %cst_20 = arith.constant dense<1> : tensor<2xi64>
    %cst_21 = arith.constant dense<1> : tensor<1xi64>
    %cst_22 = arith.constant dense<1> : tensor<1xi64>
    %cst_23 = arith.constant dense<[-1, 4]> : tensor<2xi64>
    %cst_24 = arith.constant dense<[[-0.330806464, -0.419083476, -0.867007434], [0.0632172748, 0.263902098, -0.369395018], [0.692823529, 0.410962164, 0.313688248], [0.200853541, 0.477834791, -0.665989935]]> : tensor<4x3xf32>
    %cst_25 = arith.constant dense<[[0.306964815, 0.301388413, -0.883859276], [0.173515052, -0.125210673, 0.390761346], [-0.219531089, -0.00912042893, 0.17142576], [-0.438130856, 0.299298316, -0.0524815954]]> : tensor<4x3xf32>
    %cst_26 = arith.constant dense<[[2.843350e-01, -0.301283032, 0.627118766, 0.349413514], [-0.102782793, 0.364860624, 0.727319956, 1.0341357], [-0.908504725, 0.50987637, 0.268507421, -0.0541905463]]> : tensor<3x4xf32>
    %cst_27 = arith.constant dense<[-1, 1]> : tensor<2xi64>
    %cst_28 = arith.constant dense<1> : tensor<1xi64>
    %0 = onnx.node "Shape" v18 (%arg0) {attrs = {end = 1 : i64, start = 0 : i64}} : (tensor<?x?x4xf32>) -> !onnx.unknown
    %1 = onnx.node "Shape" v18 (%arg0) {attrs = {end = 2 : i64, start = 1 : i64}} : (tensor<?x?x4xf32>) -> !onnx.unknown
    %2 = onnx.node "Mul" v18 (%0, %1) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %3 = onnx.node "Reshape" v18 (%arg0, %cst) {attrs = {}} : (tensor<?x?x4xf32>, tensor<2xi64>) -> !onnx.unknown
    %4 = onnx.node "MatMul" v18 (%3, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<4x2xf32>) -> !onnx.unknown
    %5 = onnx.node "Softmax" v18 (%4) {attrs = {axis = 1 : i64}} : (!onnx.unknown) -> !onnx.unknown
    %6:2 = onnx.node "TopK" v18 (%5, %cst_1) {attrs = {axis = -1 : i64}} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
    %7 = onnx.node "ReduceSum" v18 (%6#0, %cst_2) {attrs = {keepdims = 1 : i64}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %8 = onnx.node "Div" v18 (%6#0, %7) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %9 = onnx.node "OneHot" v18 (%6#1, %cst_3, %cst_4) {attrs = {axis = -1 : i64}} : (!onnx.unknown, tensor<i64>, tensor<2xi64>) -> !onnx.unknown
    %10 = onnx.node "Transpose" v18 (%9) {attrs = {perm = array<i64: 2, 1, 0>}} : (!onnx.unknown) -> !onnx.unknown
    %11 = onnx.node "Concat" v18 (%2, %cst_5) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %12 = onnx.node "ConstantOfShape" v18 (%11) {attrs = {value = dense<0.000000e+00> : tensor<1xf32>}} : (!onnx.unknown) -> !onnx.unknown
    %13 = onnx.node "Unsqueeze" v18 (%3, %cst_6) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %14 = onnx.node "Unsqueeze" v18 (%8, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %15 = onnx.node "Shape" v18 (%14) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %16 = onnx.node "Gather" v18 (%15, %cst_8) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %17 = onnx.node "Flatten" v18 (%14) {attrs = {axis = 2 : i64}} : (!onnx.unknown) -> !onnx.unknown
    %18 = onnx.node "Gather" v18 (%10, %cst_9) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %19 = onnx.node "Cast" v18 (%18) {attrs = {to = 9 : i64}} : (!onnx.unknown) -> !onnx.unknown
    %20 = onnx.node "NonZero" v18 (%19) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %21 = onnx.node "Transpose" v18 (%20) {attrs = {perm = array<i64: 1, 0>}} : (!onnx.unknown) -> !onnx.unknown
    %22:2 = onnx.node "Split" v18 (%21, %cst_10) {attrs = {axis = 1 : i64}} : (!onnx.unknown, tensor<2xi64>) -> (!onnx.unknown, !onnx.unknown)
    %23 = onnx.node "Squeeze" v18 (%22#0, %cst_11) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %24 = onnx.node "Squeeze" v18 (%22#1, %cst_12) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %25 = onnx.node "Gather" v18 (%13, %24) {attrs = {axis = 1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %26 = onnx.node "Reshape" v18 (%25, %cst_13) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %27 = onnx.node "MatMul" v18 (%26, %cst_14) {attrs = {}} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
    %28 = onnx.node "MatMul" v18 (%26, %cst_15) {attrs = {}} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
    %29 = onnx.node "Sigmoid" v18 (%27) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %30 = onnx.node "Mul" v18 (%27, %29) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %31 = onnx.node "Mul" v18 (%30, %28) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %32 = onnx.node "MatMul" v18 (%31, %cst_16) {attrs = {}} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
    %33 = onnx.node "Mul" v18 (%24, %16) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %34 = onnx.node "Add" v18 (%23, %33) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %35 = onnx.node "Gather" v18 (%17, %34) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %36 = onnx.node "Reshape" v18 (%35, %cst_17) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %37 = onnx.node "Mul" v18 (%32, %36) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %38 = onnx.node "Unsqueeze" v18 (%24, %cst_18) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %39 = onnx.node "Shape" v18 (%37) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %40 = onnx.node "Expand" v18 (%38, %39) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %41 = onnx.node "Cast" v18 (%37) {attrs = {to = 1 : i64}} : (!onnx.unknown) -> !onnx.unknown
    %42 = onnx.node "Shape" v18 (%12) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %43 = onnx.node "ConstantOfShape" v18 (%42) {attrs = {value = dense<0.000000e+00> : tensor<1xf32>}} : (!onnx.unknown) -> !onnx.unknown
    %44 = onnx.node "ScatterElements" v18 (%43, %40, %41) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %45 = onnx.node "Add" v18 (%12, %44) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %46 = onnx.node "Gather" v18 (%10, %cst_19) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %47 = onnx.node "Cast" v18 (%46) {attrs = {to = 9 : i64}} : (!onnx.unknown) -> !onnx.unknown
    %48 = onnx.node "NonZero" v18 (%47) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %49 = onnx.node "Transpose" v18 (%48) {attrs = {perm = array<i64: 1, 0>}} : (!onnx.unknown) -> !onnx.unknown
    %50:2 = onnx.node "Split" v18 (%49, %cst_20) {attrs = {axis = 1 : i64}} : (!onnx.unknown, tensor<2xi64>) -> (!onnx.unknown, !onnx.unknown)
    %51 = onnx.node "Squeeze" v18 (%50#0, %cst_21) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %52 = onnx.node "Squeeze" v18 (%50#1, %cst_22) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %53 = onnx.node "Gather" v18 (%13, %52) {attrs = {axis = 1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %54 = onnx.node "Reshape" v18 (%53, %cst_23) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %55 = onnx.node "MatMul" v18 (%54, %cst_24) {attrs = {}} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
    %56 = onnx.node "MatMul" v18 (%54, %cst_25) {attrs = {}} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
    %57 = onnx.node "Sigmoid" v18 (%55) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %58 = onnx.node "Mul" v18 (%55, %57) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %59 = onnx.node "Mul" v18 (%58, %56) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %60 = onnx.node "MatMul" v18 (%59, %cst_26) {attrs = {}} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
    %61 = onnx.node "Mul" v18 (%52, %16) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %62 = onnx.node "Add" v18 (%51, %61) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %63 = onnx.node "Gather" v18 (%17, %62) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %64 = onnx.node "Reshape" v18 (%63, %cst_27) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %65 = onnx.node "Mul" v18 (%60, %64) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %66 = onnx.node "Unsqueeze" v18 (%52, %cst_28) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %67 = onnx.node "Shape" v18 (%65) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %68 = onnx.node "Expand" v18 (%66, %67) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %69 = onnx.node "Cast" v18 (%65) {attrs = {to = 1 : i64}} : (!onnx.unknown) -> !onnx.unknown
    %70 = onnx.node "Shape" v18 (%45) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %71 = onnx.node "ConstantOfShape" v18 (%70) {attrs = {value = dense<0.000000e+00> : tensor<1xf32>}} : (!onnx.unknown) -> !onnx.unknown
    %72 = onnx.node "ScatterElements" v18 (%71, %68, %69) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %73 = onnx.node "Add" v18 (%45, %72) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %74 = onnx.node "Shape" v18 (%arg0) {attrs = {}} : (tensor<?x?x4xf32>) -> !onnx.unknown
    %75 = onnx.node "Reshape" v18 (%73, %74) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> tensor<?x?x4xf32>
    return %75 : tensor<?x?x4xf32>
  }
}

// -----

// Near miss: each expert's output is scattered to its slot indices instead
// of its tokens. Left as written (NonZero converts, so it still compiles).
// CHECK-LABEL: func.func @sparse_rows_are_slots
// CHECK-NOT: "MoE"
// CHECK: onnx.node "NonZero"
// CHECK-NOT: "MoE"
// CHECK: onnx.node "NonZero"
// CHECK-NOT: "MoE"
// CHECK: return
// CONVERTED-LABEL: func.func @sparse_rows_are_slots
// CONVERTED-NOT: hybrid.moe
// CONVERTED: return
module attributes {onnx.ir_version = 14 : i64, onnx.opset = {ai.onnx = 18 : i64}} {
  func.func @sparse_rows_are_slots(%arg0: tensor<?x?x4xf32> {onnx.dim_params = ["b", "l", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<?x?x4xf32> {onnx.dim_params = ["b", "l", ""], onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
    %cst = arith.constant dense<[-1, 4]> : tensor<2xi64>
    %cst_0 = arith.constant dense<[[0.0170963835, 0.679873764, 0.612360537, -0.255153537], [-0.14898476, -0.263692111, 0.284863174, -0.028032219]]> : tensor<2x4xf32>
    %cst_1 = arith.constant dense<1> : tensor<1xi64>
    %cst_2 = arith.constant dense<-1> : tensor<1xi64>
    %cst_3 = arith.constant dense<-1> : tensor<1xi64>
    %cst_4 = arith.constant dense<[0, 1]> : tensor<2xi64>
    %cst_5 = arith.constant dense<4> : tensor<1xi64>
    %cst_6 = arith.constant dense<0.000000e+00> : tensor<f32>
    %cst_7 = arith.constant dense<-1> : tensor<1xi64>
    %cst_8 = arith.constant dense<0> : tensor<1xi64>
    %cst_9 = arith.constant dense<0> : tensor<i64>
    %cst_10 = arith.constant dense<0> : tensor<1xi64>
    %cst_11 = arith.constant dense<1> : tensor<1xi64>
    %cst_12 = arith.constant dense<1> : tensor<1xi64>
    %cst_13 = arith.constant dense<1> : tensor<1xi64>
    %cst_14 = arith.constant dense<2> : tensor<1xi64>
    %cst_15 = arith.constant dense<1> : tensor<1xi64>
    %cst_16 = arith.constant dense<1> : tensor<1xi64>
    %cst_17 = arith.constant dense<1> : tensor<1xi64>
    %cst_18 = arith.constant dense<-1> : tensor<1xi64>
    %cst_19 = arith.constant dense<[-1, 4]> : tensor<2xi64>
    %cst_20 = arith.constant dense<[[0.373442799, -0.923662424, 0.783274412, -0.0482160784], [0.340189219, -0.0682831704, -0.189549282, 0.231555074], [0.412256777, -0.101264939, -0.0763930902, 0.342849314]]> : tensor<3x4xf32>
    %cst_21 = arith.constant dense<[[-0.435170323, -0.757191777, 0.197490931, -0.335282922], [-0.960170269, -0.407026827, -0.233798772, -0.596601248], [-0.746231914, 0.0183189139, 0.448624641, -0.11656604]]> : tensor<3x4xf32>
    %cst_22 = arith.constant dense<[[-0.429315358, 0.222276285, 0.414096296], [-0.173211202, 0.314464092, 0.602104425], [-0.119486354, -0.469683409, 0.200716168], [0.142920598, 0.634399831, -0.741653085]]> : tensor<4x3xf32>
    %cst_23 = arith.constant dense<-1> : tensor<1xi64>
    %cst_24 = arith.constant dense<-1> : tensor<1xi64>
    %cst_25 = arith.constant dense<-1> : tensor<1xi64>
    %cst_26 = arith.constant dense<1> : tensor<i64>
    %cst_27 = arith.constant dense<0> : tensor<1xi64>
    %cst_28 = arith.constant dense<1> : tensor<1xi64>
    %cst_29 = arith.constant dense<1> : tensor<1xi64>
    %cst_30 = arith.constant dense<1> : tensor<1xi64>
    %cst_31 = arith.constant dense<2> : tensor<1xi64>
    %cst_32 = arith.constant dense<1> : tensor<1xi64>
    %cst_33 = arith.constant dense<1> : tensor<1xi64>
    %cst_34 = arith.constant dense<1> : tensor<1xi64>
    %cst_35 = arith.constant dense<-1> : tensor<1xi64>
    %cst_36 = arith.constant dense<[-1, 4]> : tensor<2xi64>
    %cst_37 = arith.constant dense<[[-0.330806464, -0.419083476, -0.867007434, 0.0632172748], [0.263902098, -0.369395018, 0.692823529, 0.410962164], [0.313688248, 0.200853541, 0.477834791, -0.665989935]]> : tensor<3x4xf32>
    %cst_38 = arith.constant dense<[[0.306964815, 0.301388413, -0.883859276, 0.173515052], [-0.125210673, 0.390761346, -0.219531089, -0.00912042893], [0.17142576, -0.438130856, 0.299298316, -0.0524815954]]> : tensor<3x4xf32>
    %cst_39 = arith.constant dense<[[2.843350e-01, -0.301283032, 0.627118766], [0.349413514, -0.102782793, 0.364860624], [0.727319956, 1.0341357, -0.908504725], [0.50987637, 0.268507421, -0.0541905463]]> : tensor<4x3xf32>
    %cst_40 = arith.constant dense<-1> : tensor<1xi64>
    %cst_41 = arith.constant dense<-1> : tensor<1xi64>
    %cst_42 = arith.constant dense<-1> : tensor<1xi64>
    %0 = onnx.node "Shape" v18 (%arg0) {attrs = {end = 1 : i64, start = 0 : i64}} : (tensor<?x?x4xf32>) -> !onnx.unknown
    %1 = onnx.node "Shape" v18 (%arg0) {attrs = {end = 2 : i64, start = 1 : i64}} : (tensor<?x?x4xf32>) -> !onnx.unknown
    %2 = onnx.node "Mul" v18 (%0, %1) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %3 = onnx.node "Reshape" v18 (%arg0, %cst) {attrs = {}} : (tensor<?x?x4xf32>, tensor<2xi64>) -> !onnx.unknown
    %4 = onnx.node "Gemm" v18 (%3, %cst_0) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<2x4xf32>) -> !onnx.unknown
    %5 = onnx.node "Softmax" v18 (%4) {attrs = {axis = 1 : i64}} : (!onnx.unknown) -> !onnx.unknown
    %6:2 = onnx.node "TopK" v18 (%5, %cst_1) {attrs = {axis = -1 : i64}} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
    %7 = onnx.node "ReduceSum" v18 (%6#0, %cst_2) {attrs = {keepdims = 1 : i64}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %8 = onnx.node "Div" v18 (%6#0, %7) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %9 = onnx.node "Unsqueeze" v18 (%6#1, %cst_3) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %10 = onnx.node "Equal" v18 (%9, %cst_4) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %11 = onnx.node "Cast" v18 (%10) {attrs = {to = 7 : i64}} : (!onnx.unknown) -> !onnx.unknown
    %12 = onnx.node "Transpose" v18 (%11) {attrs = {perm = array<i64: 2, 1, 0>}} : (!onnx.unknown) -> !onnx.unknown
    %13 = onnx.node "Concat" v18 (%2, %cst_5) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %14 = onnx.node "Expand" v18 (%cst_6, %13) {attrs = {}} : (tensor<f32>, !onnx.unknown) -> !onnx.unknown
    %15 = onnx.node "Unsqueeze" v18 (%8, %cst_7) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %16 = onnx.node "Unsqueeze" v18 (%3, %cst_8) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %17 = onnx.node "Transpose" v18 (%16) {attrs = {perm = array<i64: 1, 0, 2>}} : (!onnx.unknown) -> !onnx.unknown
    %18 = onnx.node "Gather" v18 (%12, %cst_9) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %19 = onnx.node "NonZero" v18 (%18) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %20 = onnx.node "Transpose" v18 (%19) {attrs = {perm = array<i64: 1, 0>}} : (!onnx.unknown) -> !onnx.unknown
    %21 = onnx.node "Slice" v18 (%20, %cst_10, %cst_11, %cst_12) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %22 = onnx.node "Slice" v18 (%20, %cst_13, %cst_14, %cst_15) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %23 = onnx.node "Squeeze" v18 (%21, %cst_16) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %24 = onnx.node "Squeeze" v18 (%22, %cst_17) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %25 = onnx.node "Unsqueeze" v18 (%24, %cst_18) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %26 = onnx.node "GatherND" v18 (%17, %25) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %27 = onnx.node "Transpose" v18 (%26) {attrs = {perm = array<i64: 1, 0, 2>}} : (!onnx.unknown) -> !onnx.unknown
    %28 = onnx.node "Reshape" v18 (%27, %cst_19) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %29 = onnx.node "Gemm" v18 (%28, %cst_20) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
    %30 = onnx.node "Gemm" v18 (%28, %cst_21) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
    %31 = onnx.node "Sigmoid" v18 (%29) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %32 = onnx.node "Mul" v18 (%29, %31) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %33 = onnx.node "Mul" v18 (%32, %30) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %34 = onnx.node "Gemm" v18 (%33, %cst_22) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
    %35 = onnx.node "Unsqueeze" v18 (%24, %cst_23) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %36 = onnx.node "Unsqueeze" v18 (%23, %cst_24) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %37 = onnx.node "Concat" v18 (%35, %36) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %38 = onnx.node "GatherND" v18 (%15, %37) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %39 = onnx.node "Mul" v18 (%34, %38) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %40 = onnx.node "Unsqueeze" v18 (%23, %cst_25) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %41 = onnx.node "ScatterND" v18 (%14, %40, %39) {attrs = {reduction = "add"}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %42 = onnx.node "Gather" v18 (%12, %cst_26) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %43 = onnx.node "NonZero" v18 (%42) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %44 = onnx.node "Transpose" v18 (%43) {attrs = {perm = array<i64: 1, 0>}} : (!onnx.unknown) -> !onnx.unknown
    %45 = onnx.node "Slice" v18 (%44, %cst_27, %cst_28, %cst_29) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %46 = onnx.node "Slice" v18 (%44, %cst_30, %cst_31, %cst_32) {attrs = {}} : (!onnx.unknown, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> !onnx.unknown
    %47 = onnx.node "Squeeze" v18 (%45, %cst_33) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %48 = onnx.node "Squeeze" v18 (%46, %cst_34) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %49 = onnx.node "Unsqueeze" v18 (%48, %cst_35) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %50 = onnx.node "GatherND" v18 (%17, %49) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %51 = onnx.node "Transpose" v18 (%50) {attrs = {perm = array<i64: 1, 0, 2>}} : (!onnx.unknown) -> !onnx.unknown
    %52 = onnx.node "Reshape" v18 (%51, %cst_36) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %53 = onnx.node "Gemm" v18 (%52, %cst_37) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
    %54 = onnx.node "Gemm" v18 (%52, %cst_38) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
    %55 = onnx.node "Sigmoid" v18 (%53) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %56 = onnx.node "Mul" v18 (%53, %55) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %57 = onnx.node "Mul" v18 (%56, %54) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %58 = onnx.node "Gemm" v18 (%57, %cst_39) {attrs = {transB = 1 : i64}} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
    %59 = onnx.node "Unsqueeze" v18 (%48, %cst_40) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %60 = onnx.node "Unsqueeze" v18 (%47, %cst_41) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %61 = onnx.node "Concat" v18 (%59, %60) {attrs = {axis = -1 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %62 = onnx.node "GatherND" v18 (%15, %61) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %63 = onnx.node "Mul" v18 (%58, %62) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %64 = onnx.node "Unsqueeze" v18 (%47, %cst_42) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %65 = onnx.node "ScatterND" v18 (%41, %64, %63) {attrs = {reduction = "add"}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %66 = onnx.node "Shape" v18 (%arg0) {attrs = {}} : (tensor<?x?x4xf32>) -> !onnx.unknown
    %67 = onnx.node "Reshape" v18 (%65, %66) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> tensor<?x?x4xf32>
    return %67 : tensor<?x?x4xf32>
  }
}

// -----

// Near miss: the sum starts from ConstantOfShape(value = 1), not zeros.
// CHECK-LABEL: func.func @sparse_sum_from_ones
// CHECK-NOT: "MoE"
// CHECK: onnx.node "NonZero"
// CHECK-NOT: "MoE"
// CHECK: onnx.node "NonZero"
// CHECK-NOT: "MoE"
// CHECK: return
// CONVERTED-LABEL: func.func @sparse_sum_from_ones
// CONVERTED-NOT: hybrid.moe
// CONVERTED: return
module attributes {onnx.ir_version = 14 : i64, onnx.opset = {ai.onnx = 18 : i64}} {
  func.func @sparse_sum_from_ones(%arg0: tensor<?x?x4xf32> {onnx.dim_params = ["b", "l", ""], onnx.elem_type = 1 : i32, onnx.name = "x"}) -> (tensor<?x?x4xf32> {onnx.dim_params = ["b", "l", ""], onnx.elem_type = 1 : i32, onnx.name = "y"}) attributes {llvm.emit_c_interface} {
    %cst = arith.constant dense<[-1, 4]> : tensor<2xi64>
    %cst_0 = arith.constant dense<[[0.0170963835, 0.679873764], [0.612360537, -0.255153537], [-0.14898476, -0.263692111], [0.284863174, -0.028032219]]> : tensor<4x2xf32>
    %cst_1 = arith.constant dense<[0.746885597, -1.84732485]> : tensor<2xf32>
    %cst_2 = arith.constant dense<1> : tensor<1xi64>
    %cst_3 = arith.constant dense<-1> : tensor<1xi64>
    %cst_4 = arith.constant dense<-1> : tensor<1xi64>
    %cst_5 = arith.constant dense<0> : tensor<i64>
    %cst_6 = arith.constant dense<0> : tensor<i64>
    %cst_7 = arith.constant dense<1> : tensor<i64>
    %cst_8 = arith.constant dense<[[0.783274412, -0.0482160784, 0.340189219], [-0.0682831704, -0.189549282, 0.231555074], [0.412256777, -0.101264939, -0.0763930902], [0.342849314, -0.435170323, -0.757191777]]> : tensor<4x3xf32>
    %cst_9 = arith.constant dense<[0.394981861, -0.670565844, -1.92034054]> : tensor<3xf32>
    %cst_10 = arith.constant dense<[[-0.469994098, -0.269967586, -0.688895761, -0.861674427], [0.0211528596, 0.518027127, -0.134598866, -0.429315358], [0.222276285, 0.414096296, -0.173211202, 0.314464092]]> : tensor<3x4xf32>
    %cst_11 = arith.constant dense<[1.04287553, -0.206956431, -0.813515543, 0.347650588]> : tensor<4xf32>
    %cst_12 = arith.constant dense<1> : tensor<i64>
    %cst_13 = arith.constant dense<[-1, 1]> : tensor<2xi64>
    %cst_14 = arith.constant dense<1> : tensor<1xi64>
    %cst_15 = arith.constant dense<1> : tensor<i64>
    %cst_16 = arith.constant dense<0> : tensor<i64>
    %cst_17 = arith.constant dense<1> : tensor<i64>
    %cst_18 = arith.constant dense<[[0.123772867, 0.549406409, -0.642290413], [-0.330806464, -0.419083476, -0.867007434], [0.0632172748, 0.263902098, -0.369395018], [0.692823529, 0.410962164, 0.313688248]]> : tensor<4x3xf32>
    %cst_19 = arith.constant dense<[0.401707083, 0.955669581, -1.33197987]> : tensor<3xf32>
    %cst_20 = arith.constant dense<[[0.354452461, 0.348013371, -1.02059281, 0.200357929], [-0.144580826, 0.451212347, -0.253492683, -0.010531364], [0.197945416, -0.50590992, 0.345599949, -0.0606005266]]> : tensor<3x4xf32>
    %cst_21 = arith.constant dense<[0.492482632, -0.521837533, 1.08620155, 0.60520196]> : tensor<4xf32>
    %cst_22 = arith.constant dense<1> : tensor<i64>
    %cst_23 = arith.constant dense<[-1, 1]> : tensor<2xi64>
    %cst_24 = arith.constant dense<1> : tensor<1xi64>
    %0 = onnx.node "Shape" v18 (%arg0) {attrs = {end = 1 : i64, start = 0 : i64}} : (tensor<?x?x4xf32>) -> !onnx.unknown
    %1 = onnx.node "Shape" v18 (%arg0) {attrs = {end = 2 : i64, start = 1 : i64}} : (tensor<?x?x4xf32>) -> !onnx.unknown
    %2 = onnx.node "Mul" v18 (%0, %1) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %3 = onnx.node "Reshape" v18 (%arg0, %cst) {attrs = {}} : (tensor<?x?x4xf32>, tensor<2xi64>) -> !onnx.unknown
    %4 = onnx.node "MatMul" v18 (%3, %cst_0) {attrs = {}} : (!onnx.unknown, tensor<4x2xf32>) -> !onnx.unknown
    %5 = onnx.node "Add" v18 (%4, %cst_1) {attrs = {}} : (!onnx.unknown, tensor<2xf32>) -> !onnx.unknown
    %6 = onnx.node "Softmax" v18 (%5) {attrs = {axis = 1 : i64}} : (!onnx.unknown) -> !onnx.unknown
    %7:2 = onnx.node "TopK" v18 (%6, %cst_2) {attrs = {axis = -1 : i64}} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
    %8 = onnx.node "ReduceSum" v18 (%7#0, %cst_3) {attrs = {keepdims = 1 : i64}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %9 = onnx.node "Div" v18 (%7#0, %8) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %10 = onnx.node "Shape" v18 (%3) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %11 = onnx.node "ConstantOfShape" v18 (%10) {attrs = {value = dense<1.000000e+00> : tensor<1xf32>}} : (!onnx.unknown) -> !onnx.unknown
    %12 = onnx.node "Reshape" v18 (%9, %cst_4) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %13 = onnx.node "Equal" v18 (%7#1, %cst_5) {attrs = {}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %14 = onnx.node "NonZero" v18 (%13) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %15 = onnx.node "Gather" v18 (%14, %cst_6) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %16 = onnx.node "Gather" v18 (%14, %cst_7) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %17 = onnx.node "Gather" v18 (%3, %15) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %18 = onnx.node "MatMul" v18 (%17, %cst_8) {attrs = {}} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
    %19 = onnx.node "Add" v18 (%18, %cst_9) {attrs = {}} : (!onnx.unknown, tensor<3xf32>) -> !onnx.unknown
    %20 = onnx.node "Relu" v18 (%19) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %21 = onnx.node "MatMul" v18 (%20, %cst_10) {attrs = {}} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
    %22 = onnx.node "Add" v18 (%21, %cst_11) {attrs = {}} : (!onnx.unknown, tensor<4xf32>) -> !onnx.unknown
    %23 = onnx.node "Mul" v18 (%15, %cst_12) {attrs = {}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %24 = onnx.node "Add" v18 (%16, %23) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %25 = onnx.node "Gather" v18 (%12, %24) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %26 = onnx.node "Reshape" v18 (%25, %cst_13) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %27 = onnx.node "Mul" v18 (%22, %26) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %28 = onnx.node "Unsqueeze" v18 (%15, %cst_14) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %29 = onnx.node "Shape" v18 (%27) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %30 = onnx.node "Expand" v18 (%28, %29) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %31 = onnx.node "ScatterElements" v18 (%11, %30, %27) {attrs = {axis = 0 : i64, reduction = "add"}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %32 = onnx.node "Equal" v18 (%7#1, %cst_15) {attrs = {}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %33 = onnx.node "NonZero" v18 (%32) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %34 = onnx.node "Gather" v18 (%33, %cst_16) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %35 = onnx.node "Gather" v18 (%33, %cst_17) {attrs = {axis = 0 : i64}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %36 = onnx.node "Gather" v18 (%3, %34) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %37 = onnx.node "MatMul" v18 (%36, %cst_18) {attrs = {}} : (!onnx.unknown, tensor<4x3xf32>) -> !onnx.unknown
    %38 = onnx.node "Add" v18 (%37, %cst_19) {attrs = {}} : (!onnx.unknown, tensor<3xf32>) -> !onnx.unknown
    %39 = onnx.node "Relu" v18 (%38) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %40 = onnx.node "MatMul" v18 (%39, %cst_20) {attrs = {}} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
    %41 = onnx.node "Add" v18 (%40, %cst_21) {attrs = {}} : (!onnx.unknown, tensor<4xf32>) -> !onnx.unknown
    %42 = onnx.node "Mul" v18 (%34, %cst_22) {attrs = {}} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
    %43 = onnx.node "Add" v18 (%35, %42) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %44 = onnx.node "Gather" v18 (%12, %43) {attrs = {axis = 0 : i64}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %45 = onnx.node "Reshape" v18 (%44, %cst_23) {attrs = {}} : (!onnx.unknown, tensor<2xi64>) -> !onnx.unknown
    %46 = onnx.node "Mul" v18 (%41, %45) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %47 = onnx.node "Unsqueeze" v18 (%34, %cst_24) {attrs = {}} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
    %48 = onnx.node "Shape" v18 (%46) {attrs = {}} : (!onnx.unknown) -> !onnx.unknown
    %49 = onnx.node "Expand" v18 (%47, %48) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %50 = onnx.node "ScatterElements" v18 (%31, %49, %46) {attrs = {axis = 0 : i64, reduction = "add"}} : (!onnx.unknown, !onnx.unknown, !onnx.unknown) -> !onnx.unknown
    %51 = onnx.node "Shape" v18 (%arg0) {attrs = {}} : (tensor<?x?x4xf32>) -> !onnx.unknown
    %52 = onnx.node "Reshape" v18 (%50, %51) {attrs = {}} : (!onnx.unknown, !onnx.unknown) -> tensor<?x?x4xf32>
    return %52 : tensor<?x?x4xf32>
  }
}
