// RUN: hybrid-opt %s --split-input-file --hybrid-raise-moe | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-raise-moe --hybrid-convert-onnx | FileCheck %s --check-prefix=CONVERTED

// The dense SwiGLU form: softmax routing, TopK, renormalised weights; each
// expert's weight ReduceSum(Cast(Equal(i, e)) * v); silu(x Wg) * (x Wu), then
// Wd; summed by a chain of Adds. One com.microsoft MoE node replaces it all,
// with the weights stacked [E, out, in]; the converter makes it hybrid.moe.
// CHECK-LABEL: func.func @swiglu_normalized
// CHECK-DAG: %[[FC1:.*]] = arith.constant dense_resource<sum2.fc1{{.*}}> : tensor<3x3x4xf32>
// CHECK-DAG: %[[FC2:.*]] = arith.constant dense_resource<sum2.fc2{{.*}}> : tensor<3x4x3xf32>
// CHECK-DAG: %[[FC3:.*]] = arith.constant dense_resource<sum2.fc3{{.*}}> : tensor<3x3x4xf32>
// CHECK-DAG: %[[NONE:.*]] = onnx.none
// CHECK-DAG: %[[LG:.*]] = onnx.node "MatMul" v18 (%arg0, %{{.*}}) {{.*}}name = "router"
// CHECK: %[[Y:.*]] = onnx.node "com.microsoft" "MoE" v1 (%arg0, %[[LG]], %[[FC1]], %[[NONE]], %[[FC2]], %[[NONE]], %[[FC3]], %[[NONE]]) {attrs = {activation_type = "swiglu", k = 2 : i64, normalize_routing_weights = 1 : i64, swiglu_fusion = 0 : i64}, name = "sum2/raised_moe"}
// CHECK-NOT: onnx.node
// CHECK: return %[[Y]]
// CONVERTED-LABEL: func.func @swiglu_normalized
// CONVERTED: hybrid.moe top_k(2) scoring = softmax activation = swiglu ins({{.*}} : tensor<5x4xf32>, tensor<5x3xf32>, tensor<3x3x4xf32>, tensor<3x4x3xf32>) w_gate({{.*}} : tensor<3x3x4xf32>) outs({{.*}}) {normalize}
// CONVERTED-NOT: onnx.node
func.func @swiglu_normalized(%x: tensor<5x4xf32>, %x2: tensor<5x4xf32>, %wa: tensor<4x3xf32>) -> (!onnx.unknown) {
  %wr = arith.constant dense<0.25> : tensor<4x3xf32>
  %k = arith.constant dense<2> : tensor<1xi64>
  %axes = arith.constant dense<-1> : tensor<1xi64>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %c0 = arith.constant dense<0> : tensor<i64>
  %wg0 = arith.constant dense<0.5> : tensor<4x3xf32>
  %wu0 = arith.constant dense<0.25> : tensor<4x3xf32>
  %wd0 = arith.constant dense<0.75> : tensor<3x4xf32>
  %c1 = arith.constant dense<1> : tensor<i64>
  %wg1 = arith.constant dense<1.5> : tensor<4x3xf32>
  %wu1 = arith.constant dense<1.25> : tensor<4x3xf32>
  %wd1 = arith.constant dense<1.75> : tensor<3x4xf32>
  %c2 = arith.constant dense<2> : tensor<i64>
  %wg2 = arith.constant dense<2.5> : tensor<4x3xf32>
  %wu2 = arith.constant dense<2.25> : tensor<4x3xf32>
  %wd2 = arith.constant dense<2.75> : tensor<3x4xf32>
  %lg = onnx.node "MatMul" v18 (%x, %wr) {attrs = {}, name = "router"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %p = onnx.node "Softmax" v18 (%lg) {attrs = {axis = -1 : i64}, name = "probs"} : (!onnx.unknown) -> !onnx.unknown
  %tk:2 = onnx.node "TopK" v18 (%p, %k) {attrs = {axis = -1 : i64}, name = "topk"} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
  %rs = onnx.node "ReduceSum" v18 (%tk#0, %axes) {attrs = {keepdims = 1 : i64}, name = "norm_sum"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %v = onnx.node "Div" v18 (%tk#0, %rs) {attrs = {}, name = "norm"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq0 = onnx.node "Equal" v18 (%tk#1, %c0) {attrs = {}, name = "e0/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast0 = onnx.node "Cast" v18 (%eq0) {attrs = {to = 1 : i64}, name = "e0/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m0 = onnx.node "Mul" v18 (%cast0, %v) {attrs = {}, name = "e0/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w0 = onnx.node "ReduceSum" v18 (%m0, %axes) {attrs = {keepdims = 1 : i64}, name = "e0/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g0 = onnx.node "MatMul" v18 (%x, %wg0) {attrs = {}, name = "e0/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg0 = onnx.node "Sigmoid" v18 (%g0) {attrs = {}, name = "e0/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si0 = onnx.node "Mul" v18 (%sg0, %g0) {attrs = {}, name = "e0/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u0 = onnx.node "MatMul" v18 (%x, %wu0) {attrs = {}, name = "e0/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h0 = onnx.node "Mul" v18 (%u0, %si0) {attrs = {}, name = "e0/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d0 = onnx.node "MatMul" v18 (%h0, %wd0) {attrs = {}, name = "e0/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o0 = onnx.node "Mul" v18 (%w0, %d0) {attrs = {}, name = "e0/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq1 = onnx.node "Equal" v18 (%tk#1, %c1) {attrs = {}, name = "e1/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast1 = onnx.node "Cast" v18 (%eq1) {attrs = {to = 1 : i64}, name = "e1/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m1 = onnx.node "Mul" v18 (%cast1, %v) {attrs = {}, name = "e1/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w1 = onnx.node "ReduceSum" v18 (%m1, %axes) {attrs = {keepdims = 1 : i64}, name = "e1/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g1 = onnx.node "MatMul" v18 (%x, %wg1) {attrs = {}, name = "e1/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg1 = onnx.node "Sigmoid" v18 (%g1) {attrs = {}, name = "e1/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si1 = onnx.node "Mul" v18 (%sg1, %g1) {attrs = {}, name = "e1/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u1 = onnx.node "MatMul" v18 (%x, %wu1) {attrs = {}, name = "e1/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h1 = onnx.node "Mul" v18 (%u1, %si1) {attrs = {}, name = "e1/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d1 = onnx.node "MatMul" v18 (%h1, %wd1) {attrs = {}, name = "e1/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o1 = onnx.node "Mul" v18 (%w1, %d1) {attrs = {}, name = "e1/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq2 = onnx.node "Equal" v18 (%tk#1, %c2) {attrs = {}, name = "e2/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast2 = onnx.node "Cast" v18 (%eq2) {attrs = {to = 1 : i64}, name = "e2/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m2 = onnx.node "Mul" v18 (%cast2, %v) {attrs = {}, name = "e2/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w2 = onnx.node "ReduceSum" v18 (%m2, %axes) {attrs = {keepdims = 1 : i64}, name = "e2/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g2 = onnx.node "MatMul" v18 (%x, %wg2) {attrs = {}, name = "e2/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg2 = onnx.node "Sigmoid" v18 (%g2) {attrs = {}, name = "e2/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si2 = onnx.node "Mul" v18 (%sg2, %g2) {attrs = {}, name = "e2/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u2 = onnx.node "MatMul" v18 (%x, %wu2) {attrs = {}, name = "e2/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h2 = onnx.node "Mul" v18 (%u2, %si2) {attrs = {}, name = "e2/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d2 = onnx.node "MatMul" v18 (%h2, %wd2) {attrs = {}, name = "e2/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o2 = onnx.node "Mul" v18 (%w2, %d2) {attrs = {}, name = "e2/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s1 = onnx.node "Add" v18 (%o0, %o1) {attrs = {}, name = "sum1"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s2 = onnx.node "Add" v18 (%s1, %o2) {attrs = {}, name = "sum2"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  return %s2 : !onnx.unknown
}

// -----

// Mixtral's order (TopK of the logits, softmax of the k values: normalised),
// the Where form of the mask, Relu experts with biases on both projections.
// CHECK-LABEL: func.func @mixtral_where_relu_biases
// CHECK: onnx.node "com.microsoft" "MoE" v1 (%arg0, %{{.*}}, %{{.*}}, %[[B1:.*]], %{{.*}}, %[[B2:.*]]) {attrs = {activation_type = "relu", k = 1 : i64, normalize_routing_weights = 1 : i64}
// CHECK-NOT: onnx.node
// CONVERTED-LABEL: func.func @mixtral_where_relu_biases
// CONVERTED: hybrid.moe top_k(1) scoring = softmax activation = relu {{.*}} b_up({{.*}} : tensor<2x3xf32>) b_down({{.*}} : tensor<2x4xf32>) {{.*}} {normalize}
func.func @mixtral_where_relu_biases(%x: tensor<5x4xf32>, %x2: tensor<5x4xf32>, %wa: tensor<4x3xf32>) -> (!onnx.unknown) {
  %wr = arith.constant dense<0.25> : tensor<4x2xf32>
  %k = arith.constant dense<1> : tensor<1xi64>
  %axes = arith.constant dense<-1> : tensor<1xi64>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %c0 = arith.constant dense<0> : tensor<i64>
  %wg0 = arith.constant dense<0.5> : tensor<4x3xf32>
  %wu0 = arith.constant dense<0.25> : tensor<4x3xf32>
  %wd0 = arith.constant dense<0.75> : tensor<3x4xf32>
  %bu0 = arith.constant dense<0.125> : tensor<3xf32>
  %bd0 = arith.constant dense<-0.5> : tensor<4xf32>
  %c1 = arith.constant dense<1> : tensor<i64>
  %wg1 = arith.constant dense<1.5> : tensor<4x3xf32>
  %wu1 = arith.constant dense<1.25> : tensor<4x3xf32>
  %wd1 = arith.constant dense<1.75> : tensor<3x4xf32>
  %bu1 = arith.constant dense<1.125> : tensor<3xf32>
  %bd1 = arith.constant dense<-1.5> : tensor<4xf32>
  %lg = onnx.node "MatMul" v18 (%x, %wr) {attrs = {}, name = "router"} : (tensor<5x4xf32>, tensor<4x2xf32>) -> !onnx.unknown
  %tk:2 = onnx.node "TopK" v18 (%lg, %k) {attrs = {axis = -1 : i64}, name = "topk"} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
  %v = onnx.node "Softmax" v18 (%tk#0) {attrs = {axis = -1 : i64}, name = "topk_softmax"} : (!onnx.unknown) -> !onnx.unknown
  %eq0 = onnx.node "Equal" v18 (%tk#1, %c0) {attrs = {}, name = "e0/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %m0 = onnx.node "Where" v18 (%eq0, %v, %zero) {attrs = {}, name = "e0/mask"} : (!onnx.unknown, !onnx.unknown, tensor<f32>) -> !onnx.unknown
  %w0 = onnx.node "ReduceSum" v18 (%m0, %axes) {attrs = {keepdims = 1 : i64}, name = "e0/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %u00 = onnx.node "MatMul" v18 (%x, %wu0) {attrs = {}, name = "e0/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %u0 = onnx.node "Add" v18 (%u00, %bu0) {attrs = {}, name = "e0/up_bias"} : (!onnx.unknown, tensor<3xf32>) -> !onnx.unknown
  %h0 = onnx.node "Relu" v18 (%u0) {attrs = {}, name = "e0/relu"} : (!onnx.unknown) -> !onnx.unknown
  %d00 = onnx.node "MatMul" v18 (%h0, %wd0) {attrs = {}, name = "e0/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %d0 = onnx.node "Add" v18 (%bd0, %d00) {attrs = {}, name = "e0/down_bias"} : (tensor<4xf32>, !onnx.unknown) -> !onnx.unknown
  %o0 = onnx.node "Mul" v18 (%w0, %d0) {attrs = {}, name = "e0/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq1 = onnx.node "Equal" v18 (%tk#1, %c1) {attrs = {}, name = "e1/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %m1 = onnx.node "Where" v18 (%eq1, %v, %zero) {attrs = {}, name = "e1/mask"} : (!onnx.unknown, !onnx.unknown, tensor<f32>) -> !onnx.unknown
  %w1 = onnx.node "ReduceSum" v18 (%m1, %axes) {attrs = {keepdims = 1 : i64}, name = "e1/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %u01 = onnx.node "MatMul" v18 (%x, %wu1) {attrs = {}, name = "e1/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %u1 = onnx.node "Add" v18 (%u01, %bu1) {attrs = {}, name = "e1/up_bias"} : (!onnx.unknown, tensor<3xf32>) -> !onnx.unknown
  %h1 = onnx.node "Relu" v18 (%u1) {attrs = {}, name = "e1/relu"} : (!onnx.unknown) -> !onnx.unknown
  %d01 = onnx.node "MatMul" v18 (%h1, %wd1) {attrs = {}, name = "e1/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %d1 = onnx.node "Add" v18 (%bd1, %d01) {attrs = {}, name = "e1/down_bias"} : (tensor<4xf32>, !onnx.unknown) -> !onnx.unknown
  %o1 = onnx.node "Mul" v18 (%w1, %d1) {attrs = {}, name = "e1/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s1 = onnx.node "Add" v18 (%o0, %o1) {attrs = {}, name = "sum1"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  return %s1 : !onnx.unknown
}

// -----

// Top-k weights used as they come (no renormalisation).
// CHECK-LABEL: func.func @unnormalized
// CHECK: onnx.node "com.microsoft" "MoE" v1 {{.*}}normalize_routing_weights = 0 : i64
func.func @unnormalized(%x: tensor<5x4xf32>, %x2: tensor<5x4xf32>, %wa: tensor<4x3xf32>) -> (!onnx.unknown) {
  %wr = arith.constant dense<0.25> : tensor<4x4xf32>
  %k = arith.constant dense<2> : tensor<1xi64>
  %axes = arith.constant dense<-1> : tensor<1xi64>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %c0 = arith.constant dense<0> : tensor<i64>
  %wg0 = arith.constant dense<0.5> : tensor<4x3xf32>
  %wu0 = arith.constant dense<0.25> : tensor<4x3xf32>
  %wd0 = arith.constant dense<0.75> : tensor<3x4xf32>
  %c1 = arith.constant dense<1> : tensor<i64>
  %wg1 = arith.constant dense<1.5> : tensor<4x3xf32>
  %wu1 = arith.constant dense<1.25> : tensor<4x3xf32>
  %wd1 = arith.constant dense<1.75> : tensor<3x4xf32>
  %c2 = arith.constant dense<2> : tensor<i64>
  %wg2 = arith.constant dense<2.5> : tensor<4x3xf32>
  %wu2 = arith.constant dense<2.25> : tensor<4x3xf32>
  %wd2 = arith.constant dense<2.75> : tensor<3x4xf32>
  %c3 = arith.constant dense<3> : tensor<i64>
  %wg3 = arith.constant dense<3.5> : tensor<4x3xf32>
  %wu3 = arith.constant dense<3.25> : tensor<4x3xf32>
  %wd3 = arith.constant dense<3.75> : tensor<3x4xf32>
  %lg = onnx.node "MatMul" v18 (%x, %wr) {attrs = {}, name = "router"} : (tensor<5x4xf32>, tensor<4x4xf32>) -> !onnx.unknown
  %p = onnx.node "Softmax" v18 (%lg) {attrs = {axis = -1 : i64}, name = "probs"} : (!onnx.unknown) -> !onnx.unknown
  %tk:2 = onnx.node "TopK" v18 (%p, %k) {attrs = {axis = -1 : i64}, name = "topk"} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
  %eq0 = onnx.node "Equal" v18 (%tk#1, %c0) {attrs = {}, name = "e0/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast0 = onnx.node "Cast" v18 (%eq0) {attrs = {to = 1 : i64}, name = "e0/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m0 = onnx.node "Mul" v18 (%cast0, %tk#0) {attrs = {}, name = "e0/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w0 = onnx.node "ReduceSum" v18 (%m0, %axes) {attrs = {keepdims = 1 : i64}, name = "e0/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g0 = onnx.node "MatMul" v18 (%x, %wg0) {attrs = {}, name = "e0/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg0 = onnx.node "Sigmoid" v18 (%g0) {attrs = {}, name = "e0/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si0 = onnx.node "Mul" v18 (%sg0, %g0) {attrs = {}, name = "e0/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u0 = onnx.node "MatMul" v18 (%x, %wu0) {attrs = {}, name = "e0/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h0 = onnx.node "Mul" v18 (%u0, %si0) {attrs = {}, name = "e0/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d0 = onnx.node "MatMul" v18 (%h0, %wd0) {attrs = {}, name = "e0/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o0 = onnx.node "Mul" v18 (%w0, %d0) {attrs = {}, name = "e0/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq1 = onnx.node "Equal" v18 (%tk#1, %c1) {attrs = {}, name = "e1/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast1 = onnx.node "Cast" v18 (%eq1) {attrs = {to = 1 : i64}, name = "e1/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m1 = onnx.node "Mul" v18 (%cast1, %tk#0) {attrs = {}, name = "e1/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w1 = onnx.node "ReduceSum" v18 (%m1, %axes) {attrs = {keepdims = 1 : i64}, name = "e1/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g1 = onnx.node "MatMul" v18 (%x, %wg1) {attrs = {}, name = "e1/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg1 = onnx.node "Sigmoid" v18 (%g1) {attrs = {}, name = "e1/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si1 = onnx.node "Mul" v18 (%sg1, %g1) {attrs = {}, name = "e1/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u1 = onnx.node "MatMul" v18 (%x, %wu1) {attrs = {}, name = "e1/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h1 = onnx.node "Mul" v18 (%u1, %si1) {attrs = {}, name = "e1/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d1 = onnx.node "MatMul" v18 (%h1, %wd1) {attrs = {}, name = "e1/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o1 = onnx.node "Mul" v18 (%w1, %d1) {attrs = {}, name = "e1/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq2 = onnx.node "Equal" v18 (%tk#1, %c2) {attrs = {}, name = "e2/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast2 = onnx.node "Cast" v18 (%eq2) {attrs = {to = 1 : i64}, name = "e2/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m2 = onnx.node "Mul" v18 (%cast2, %tk#0) {attrs = {}, name = "e2/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w2 = onnx.node "ReduceSum" v18 (%m2, %axes) {attrs = {keepdims = 1 : i64}, name = "e2/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g2 = onnx.node "MatMul" v18 (%x, %wg2) {attrs = {}, name = "e2/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg2 = onnx.node "Sigmoid" v18 (%g2) {attrs = {}, name = "e2/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si2 = onnx.node "Mul" v18 (%sg2, %g2) {attrs = {}, name = "e2/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u2 = onnx.node "MatMul" v18 (%x, %wu2) {attrs = {}, name = "e2/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h2 = onnx.node "Mul" v18 (%u2, %si2) {attrs = {}, name = "e2/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d2 = onnx.node "MatMul" v18 (%h2, %wd2) {attrs = {}, name = "e2/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o2 = onnx.node "Mul" v18 (%w2, %d2) {attrs = {}, name = "e2/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq3 = onnx.node "Equal" v18 (%tk#1, %c3) {attrs = {}, name = "e3/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast3 = onnx.node "Cast" v18 (%eq3) {attrs = {to = 1 : i64}, name = "e3/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m3 = onnx.node "Mul" v18 (%cast3, %tk#0) {attrs = {}, name = "e3/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w3 = onnx.node "ReduceSum" v18 (%m3, %axes) {attrs = {keepdims = 1 : i64}, name = "e3/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g3 = onnx.node "MatMul" v18 (%x, %wg3) {attrs = {}, name = "e3/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg3 = onnx.node "Sigmoid" v18 (%g3) {attrs = {}, name = "e3/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si3 = onnx.node "Mul" v18 (%sg3, %g3) {attrs = {}, name = "e3/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u3 = onnx.node "MatMul" v18 (%x, %wu3) {attrs = {}, name = "e3/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h3 = onnx.node "Mul" v18 (%u3, %si3) {attrs = {}, name = "e3/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d3 = onnx.node "MatMul" v18 (%h3, %wd3) {attrs = {}, name = "e3/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o3 = onnx.node "Mul" v18 (%w3, %d3) {attrs = {}, name = "e3/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s1 = onnx.node "Add" v18 (%o0, %o1) {attrs = {}, name = "sum1"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s2 = onnx.node "Add" v18 (%s1, %o2) {attrs = {}, name = "sum2"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s3 = onnx.node "Add" v18 (%s2, %o3) {attrs = {}, name = "sum3"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  return %s3 : !onnx.unknown
}

// -----

// Near miss: the router has 3 experts and the sum only 2 (expert 1 is
// missing): the dense form gives zero for tokens routed to it.
// CHECK-LABEL: func.func @expert_missing
// CHECK-NOT: "MoE"
// CHECK: onnx.node "TopK"
func.func @expert_missing(%x: tensor<5x4xf32>, %x2: tensor<5x4xf32>, %wa: tensor<4x3xf32>) -> (!onnx.unknown) {
  %wr = arith.constant dense<0.25> : tensor<4x3xf32>
  %k = arith.constant dense<2> : tensor<1xi64>
  %axes = arith.constant dense<-1> : tensor<1xi64>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %c0 = arith.constant dense<0> : tensor<i64>
  %wg0 = arith.constant dense<0.5> : tensor<4x3xf32>
  %wu0 = arith.constant dense<0.25> : tensor<4x3xf32>
  %wd0 = arith.constant dense<0.75> : tensor<3x4xf32>
  %c2 = arith.constant dense<2> : tensor<i64>
  %wg2 = arith.constant dense<2.5> : tensor<4x3xf32>
  %wu2 = arith.constant dense<2.25> : tensor<4x3xf32>
  %wd2 = arith.constant dense<2.75> : tensor<3x4xf32>
  %lg = onnx.node "MatMul" v18 (%x, %wr) {attrs = {}, name = "router"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %p = onnx.node "Softmax" v18 (%lg) {attrs = {axis = -1 : i64}, name = "probs"} : (!onnx.unknown) -> !onnx.unknown
  %tk:2 = onnx.node "TopK" v18 (%p, %k) {attrs = {axis = -1 : i64}, name = "topk"} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
  %rs = onnx.node "ReduceSum" v18 (%tk#0, %axes) {attrs = {keepdims = 1 : i64}, name = "norm_sum"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %v = onnx.node "Div" v18 (%tk#0, %rs) {attrs = {}, name = "norm"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq0 = onnx.node "Equal" v18 (%tk#1, %c0) {attrs = {}, name = "e0/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast0 = onnx.node "Cast" v18 (%eq0) {attrs = {to = 1 : i64}, name = "e0/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m0 = onnx.node "Mul" v18 (%cast0, %v) {attrs = {}, name = "e0/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w0 = onnx.node "ReduceSum" v18 (%m0, %axes) {attrs = {keepdims = 1 : i64}, name = "e0/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g0 = onnx.node "MatMul" v18 (%x, %wg0) {attrs = {}, name = "e0/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg0 = onnx.node "Sigmoid" v18 (%g0) {attrs = {}, name = "e0/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si0 = onnx.node "Mul" v18 (%sg0, %g0) {attrs = {}, name = "e0/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u0 = onnx.node "MatMul" v18 (%x, %wu0) {attrs = {}, name = "e0/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h0 = onnx.node "Mul" v18 (%u0, %si0) {attrs = {}, name = "e0/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d0 = onnx.node "MatMul" v18 (%h0, %wd0) {attrs = {}, name = "e0/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o0 = onnx.node "Mul" v18 (%w0, %d0) {attrs = {}, name = "e0/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq2 = onnx.node "Equal" v18 (%tk#1, %c2) {attrs = {}, name = "e2/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast2 = onnx.node "Cast" v18 (%eq2) {attrs = {to = 1 : i64}, name = "e2/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m2 = onnx.node "Mul" v18 (%cast2, %v) {attrs = {}, name = "e2/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w2 = onnx.node "ReduceSum" v18 (%m2, %axes) {attrs = {keepdims = 1 : i64}, name = "e2/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g2 = onnx.node "MatMul" v18 (%x, %wg2) {attrs = {}, name = "e2/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg2 = onnx.node "Sigmoid" v18 (%g2) {attrs = {}, name = "e2/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si2 = onnx.node "Mul" v18 (%sg2, %g2) {attrs = {}, name = "e2/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u2 = onnx.node "MatMul" v18 (%x, %wu2) {attrs = {}, name = "e2/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h2 = onnx.node "Mul" v18 (%u2, %si2) {attrs = {}, name = "e2/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d2 = onnx.node "MatMul" v18 (%h2, %wd2) {attrs = {}, name = "e2/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o2 = onnx.node "Mul" v18 (%w2, %d2) {attrs = {}, name = "e2/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s2 = onnx.node "Add" v18 (%o0, %o2) {attrs = {}, name = "sum2"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  return %s2 : !onnx.unknown
}

// -----

// Near miss: sigmoid scoring (no com.microsoft MoE form).
// CHECK-LABEL: func.func @sigmoid_scores
// CHECK-NOT: "MoE"
// CHECK: onnx.node "Sigmoid" v18 (%{{.*}}) {attrs = {}, name = "probs"}
func.func @sigmoid_scores(%x: tensor<5x4xf32>, %x2: tensor<5x4xf32>, %wa: tensor<4x3xf32>) -> (!onnx.unknown) {
  %wr = arith.constant dense<0.25> : tensor<4x2xf32>
  %k = arith.constant dense<2> : tensor<1xi64>
  %axes = arith.constant dense<-1> : tensor<1xi64>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %c0 = arith.constant dense<0> : tensor<i64>
  %wg0 = arith.constant dense<0.5> : tensor<4x3xf32>
  %wu0 = arith.constant dense<0.25> : tensor<4x3xf32>
  %wd0 = arith.constant dense<0.75> : tensor<3x4xf32>
  %c1 = arith.constant dense<1> : tensor<i64>
  %wg1 = arith.constant dense<1.5> : tensor<4x3xf32>
  %wu1 = arith.constant dense<1.25> : tensor<4x3xf32>
  %wd1 = arith.constant dense<1.75> : tensor<3x4xf32>
  %lg = onnx.node "MatMul" v18 (%x, %wr) {attrs = {}, name = "router"} : (tensor<5x4xf32>, tensor<4x2xf32>) -> !onnx.unknown
  %p = onnx.node "Sigmoid" v18 (%lg) {attrs = {}, name = "probs"} : (!onnx.unknown) -> !onnx.unknown
  %tk:2 = onnx.node "TopK" v18 (%p, %k) {attrs = {axis = -1 : i64}, name = "topk"} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
  %rs = onnx.node "ReduceSum" v18 (%tk#0, %axes) {attrs = {keepdims = 1 : i64}, name = "norm_sum"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %v = onnx.node "Div" v18 (%tk#0, %rs) {attrs = {}, name = "norm"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq0 = onnx.node "Equal" v18 (%tk#1, %c0) {attrs = {}, name = "e0/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast0 = onnx.node "Cast" v18 (%eq0) {attrs = {to = 1 : i64}, name = "e0/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m0 = onnx.node "Mul" v18 (%cast0, %v) {attrs = {}, name = "e0/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w0 = onnx.node "ReduceSum" v18 (%m0, %axes) {attrs = {keepdims = 1 : i64}, name = "e0/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g0 = onnx.node "MatMul" v18 (%x, %wg0) {attrs = {}, name = "e0/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg0 = onnx.node "Sigmoid" v18 (%g0) {attrs = {}, name = "e0/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si0 = onnx.node "Mul" v18 (%sg0, %g0) {attrs = {}, name = "e0/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u0 = onnx.node "MatMul" v18 (%x, %wu0) {attrs = {}, name = "e0/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h0 = onnx.node "Mul" v18 (%u0, %si0) {attrs = {}, name = "e0/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d0 = onnx.node "MatMul" v18 (%h0, %wd0) {attrs = {}, name = "e0/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o0 = onnx.node "Mul" v18 (%w0, %d0) {attrs = {}, name = "e0/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq1 = onnx.node "Equal" v18 (%tk#1, %c1) {attrs = {}, name = "e1/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast1 = onnx.node "Cast" v18 (%eq1) {attrs = {to = 1 : i64}, name = "e1/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m1 = onnx.node "Mul" v18 (%cast1, %v) {attrs = {}, name = "e1/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w1 = onnx.node "ReduceSum" v18 (%m1, %axes) {attrs = {keepdims = 1 : i64}, name = "e1/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g1 = onnx.node "MatMul" v18 (%x, %wg1) {attrs = {}, name = "e1/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg1 = onnx.node "Sigmoid" v18 (%g1) {attrs = {}, name = "e1/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si1 = onnx.node "Mul" v18 (%sg1, %g1) {attrs = {}, name = "e1/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u1 = onnx.node "MatMul" v18 (%x, %wu1) {attrs = {}, name = "e1/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h1 = onnx.node "Mul" v18 (%u1, %si1) {attrs = {}, name = "e1/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d1 = onnx.node "MatMul" v18 (%h1, %wd1) {attrs = {}, name = "e1/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o1 = onnx.node "Mul" v18 (%w1, %d1) {attrs = {}, name = "e1/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s1 = onnx.node "Add" v18 (%o0, %o1) {attrs = {}, name = "sum1"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  return %s1 : !onnx.unknown
}

// -----

// Near miss: an expert's hidden layer is also a graph output.
// CHECK-LABEL: func.func @hidden_escapes
// CHECK-NOT: "MoE"
// CHECK: return
func.func @hidden_escapes(%x: tensor<5x4xf32>, %x2: tensor<5x4xf32>, %wa: tensor<4x3xf32>) -> (!onnx.unknown, !onnx.unknown) {
  %wr = arith.constant dense<0.25> : tensor<4x2xf32>
  %k = arith.constant dense<2> : tensor<1xi64>
  %axes = arith.constant dense<-1> : tensor<1xi64>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %c0 = arith.constant dense<0> : tensor<i64>
  %wg0 = arith.constant dense<0.5> : tensor<4x3xf32>
  %wu0 = arith.constant dense<0.25> : tensor<4x3xf32>
  %wd0 = arith.constant dense<0.75> : tensor<3x4xf32>
  %c1 = arith.constant dense<1> : tensor<i64>
  %wg1 = arith.constant dense<1.5> : tensor<4x3xf32>
  %wu1 = arith.constant dense<1.25> : tensor<4x3xf32>
  %wd1 = arith.constant dense<1.75> : tensor<3x4xf32>
  %lg = onnx.node "MatMul" v18 (%x, %wr) {attrs = {}, name = "router"} : (tensor<5x4xf32>, tensor<4x2xf32>) -> !onnx.unknown
  %p = onnx.node "Softmax" v18 (%lg) {attrs = {axis = -1 : i64}, name = "probs"} : (!onnx.unknown) -> !onnx.unknown
  %tk:2 = onnx.node "TopK" v18 (%p, %k) {attrs = {axis = -1 : i64}, name = "topk"} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
  %rs = onnx.node "ReduceSum" v18 (%tk#0, %axes) {attrs = {keepdims = 1 : i64}, name = "norm_sum"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %v = onnx.node "Div" v18 (%tk#0, %rs) {attrs = {}, name = "norm"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq0 = onnx.node "Equal" v18 (%tk#1, %c0) {attrs = {}, name = "e0/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast0 = onnx.node "Cast" v18 (%eq0) {attrs = {to = 1 : i64}, name = "e0/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m0 = onnx.node "Mul" v18 (%cast0, %v) {attrs = {}, name = "e0/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w0 = onnx.node "ReduceSum" v18 (%m0, %axes) {attrs = {keepdims = 1 : i64}, name = "e0/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g0 = onnx.node "MatMul" v18 (%x, %wg0) {attrs = {}, name = "e0/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg0 = onnx.node "Sigmoid" v18 (%g0) {attrs = {}, name = "e0/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si0 = onnx.node "Mul" v18 (%sg0, %g0) {attrs = {}, name = "e0/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u0 = onnx.node "MatMul" v18 (%x, %wu0) {attrs = {}, name = "e0/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h0 = onnx.node "Mul" v18 (%u0, %si0) {attrs = {}, name = "e0/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d0 = onnx.node "MatMul" v18 (%h0, %wd0) {attrs = {}, name = "e0/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o0 = onnx.node "Mul" v18 (%w0, %d0) {attrs = {}, name = "e0/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq1 = onnx.node "Equal" v18 (%tk#1, %c1) {attrs = {}, name = "e1/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast1 = onnx.node "Cast" v18 (%eq1) {attrs = {to = 1 : i64}, name = "e1/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m1 = onnx.node "Mul" v18 (%cast1, %v) {attrs = {}, name = "e1/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w1 = onnx.node "ReduceSum" v18 (%m1, %axes) {attrs = {keepdims = 1 : i64}, name = "e1/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g1 = onnx.node "MatMul" v18 (%x, %wg1) {attrs = {}, name = "e1/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg1 = onnx.node "Sigmoid" v18 (%g1) {attrs = {}, name = "e1/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si1 = onnx.node "Mul" v18 (%sg1, %g1) {attrs = {}, name = "e1/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u1 = onnx.node "MatMul" v18 (%x, %wu1) {attrs = {}, name = "e1/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h1 = onnx.node "Mul" v18 (%u1, %si1) {attrs = {}, name = "e1/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d1 = onnx.node "MatMul" v18 (%h1, %wd1) {attrs = {}, name = "e1/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o1 = onnx.node "Mul" v18 (%w1, %d1) {attrs = {}, name = "e1/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s1 = onnx.node "Add" v18 (%o0, %o1) {attrs = {}, name = "sum1"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  return %s1, %h0 : !onnx.unknown, !onnx.unknown
}

// -----

// Near miss: one expert reads another input.
// CHECK-LABEL: func.func @other_input
// CHECK-NOT: "MoE"
// CHECK: return
func.func @other_input(%x: tensor<5x4xf32>, %x2: tensor<5x4xf32>, %wa: tensor<4x3xf32>) -> (!onnx.unknown) {
  %wr = arith.constant dense<0.25> : tensor<4x2xf32>
  %k = arith.constant dense<2> : tensor<1xi64>
  %axes = arith.constant dense<-1> : tensor<1xi64>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %c0 = arith.constant dense<0> : tensor<i64>
  %wg0 = arith.constant dense<0.5> : tensor<4x3xf32>
  %wu0 = arith.constant dense<0.25> : tensor<4x3xf32>
  %wd0 = arith.constant dense<0.75> : tensor<3x4xf32>
  %c1 = arith.constant dense<1> : tensor<i64>
  %wg1 = arith.constant dense<1.5> : tensor<4x3xf32>
  %wu1 = arith.constant dense<1.25> : tensor<4x3xf32>
  %wd1 = arith.constant dense<1.75> : tensor<3x4xf32>
  %lg = onnx.node "MatMul" v18 (%x, %wr) {attrs = {}, name = "router"} : (tensor<5x4xf32>, tensor<4x2xf32>) -> !onnx.unknown
  %p = onnx.node "Softmax" v18 (%lg) {attrs = {axis = -1 : i64}, name = "probs"} : (!onnx.unknown) -> !onnx.unknown
  %tk:2 = onnx.node "TopK" v18 (%p, %k) {attrs = {axis = -1 : i64}, name = "topk"} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
  %rs = onnx.node "ReduceSum" v18 (%tk#0, %axes) {attrs = {keepdims = 1 : i64}, name = "norm_sum"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %v = onnx.node "Div" v18 (%tk#0, %rs) {attrs = {}, name = "norm"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq0 = onnx.node "Equal" v18 (%tk#1, %c0) {attrs = {}, name = "e0/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast0 = onnx.node "Cast" v18 (%eq0) {attrs = {to = 1 : i64}, name = "e0/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m0 = onnx.node "Mul" v18 (%cast0, %v) {attrs = {}, name = "e0/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w0 = onnx.node "ReduceSum" v18 (%m0, %axes) {attrs = {keepdims = 1 : i64}, name = "e0/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g0 = onnx.node "MatMul" v18 (%x, %wg0) {attrs = {}, name = "e0/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg0 = onnx.node "Sigmoid" v18 (%g0) {attrs = {}, name = "e0/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si0 = onnx.node "Mul" v18 (%sg0, %g0) {attrs = {}, name = "e0/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u0 = onnx.node "MatMul" v18 (%x, %wu0) {attrs = {}, name = "e0/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h0 = onnx.node "Mul" v18 (%u0, %si0) {attrs = {}, name = "e0/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d0 = onnx.node "MatMul" v18 (%h0, %wd0) {attrs = {}, name = "e0/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o0 = onnx.node "Mul" v18 (%w0, %d0) {attrs = {}, name = "e0/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq1 = onnx.node "Equal" v18 (%tk#1, %c1) {attrs = {}, name = "e1/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast1 = onnx.node "Cast" v18 (%eq1) {attrs = {to = 1 : i64}, name = "e1/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m1 = onnx.node "Mul" v18 (%cast1, %v) {attrs = {}, name = "e1/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w1 = onnx.node "ReduceSum" v18 (%m1, %axes) {attrs = {keepdims = 1 : i64}, name = "e1/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g1 = onnx.node "MatMul" v18 (%x2, %wg1) {attrs = {}, name = "e1/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg1 = onnx.node "Sigmoid" v18 (%g1) {attrs = {}, name = "e1/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si1 = onnx.node "Mul" v18 (%sg1, %g1) {attrs = {}, name = "e1/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u1 = onnx.node "MatMul" v18 (%x2, %wu1) {attrs = {}, name = "e1/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h1 = onnx.node "Mul" v18 (%u1, %si1) {attrs = {}, name = "e1/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d1 = onnx.node "MatMul" v18 (%h1, %wd1) {attrs = {}, name = "e1/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o1 = onnx.node "Mul" v18 (%w1, %d1) {attrs = {}, name = "e1/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s1 = onnx.node "Add" v18 (%o0, %o1) {attrs = {}, name = "sum1"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  return %s1 : !onnx.unknown
}

// -----

// Near miss: two terms claim expert 0 (and none expert 2).
// CHECK-LABEL: func.func @duplicate_expert
// CHECK-NOT: "MoE"
// CHECK: return
func.func @duplicate_expert(%x: tensor<5x4xf32>, %x2: tensor<5x4xf32>, %wa: tensor<4x3xf32>) -> (!onnx.unknown) {
  %wr = arith.constant dense<0.25> : tensor<4x3xf32>
  %k = arith.constant dense<2> : tensor<1xi64>
  %axes = arith.constant dense<-1> : tensor<1xi64>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %c0 = arith.constant dense<0> : tensor<i64>
  %wg0 = arith.constant dense<0.5> : tensor<4x3xf32>
  %wu0 = arith.constant dense<0.25> : tensor<4x3xf32>
  %wd0 = arith.constant dense<0.75> : tensor<3x4xf32>
  %c1 = arith.constant dense<1> : tensor<i64>
  %wg1 = arith.constant dense<1.5> : tensor<4x3xf32>
  %wu1 = arith.constant dense<1.25> : tensor<4x3xf32>
  %wd1 = arith.constant dense<1.75> : tensor<3x4xf32>
  %c2 = arith.constant dense<0> : tensor<i64>
  %wg2 = arith.constant dense<2.5> : tensor<4x3xf32>
  %wu2 = arith.constant dense<2.25> : tensor<4x3xf32>
  %wd2 = arith.constant dense<2.75> : tensor<3x4xf32>
  %lg = onnx.node "MatMul" v18 (%x, %wr) {attrs = {}, name = "router"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %p = onnx.node "Softmax" v18 (%lg) {attrs = {axis = -1 : i64}, name = "probs"} : (!onnx.unknown) -> !onnx.unknown
  %tk:2 = onnx.node "TopK" v18 (%p, %k) {attrs = {axis = -1 : i64}, name = "topk"} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
  %rs = onnx.node "ReduceSum" v18 (%tk#0, %axes) {attrs = {keepdims = 1 : i64}, name = "norm_sum"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %v = onnx.node "Div" v18 (%tk#0, %rs) {attrs = {}, name = "norm"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq0 = onnx.node "Equal" v18 (%tk#1, %c0) {attrs = {}, name = "e0/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast0 = onnx.node "Cast" v18 (%eq0) {attrs = {to = 1 : i64}, name = "e0/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m0 = onnx.node "Mul" v18 (%cast0, %v) {attrs = {}, name = "e0/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w0 = onnx.node "ReduceSum" v18 (%m0, %axes) {attrs = {keepdims = 1 : i64}, name = "e0/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g0 = onnx.node "MatMul" v18 (%x, %wg0) {attrs = {}, name = "e0/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg0 = onnx.node "Sigmoid" v18 (%g0) {attrs = {}, name = "e0/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si0 = onnx.node "Mul" v18 (%sg0, %g0) {attrs = {}, name = "e0/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u0 = onnx.node "MatMul" v18 (%x, %wu0) {attrs = {}, name = "e0/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h0 = onnx.node "Mul" v18 (%u0, %si0) {attrs = {}, name = "e0/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d0 = onnx.node "MatMul" v18 (%h0, %wd0) {attrs = {}, name = "e0/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o0 = onnx.node "Mul" v18 (%w0, %d0) {attrs = {}, name = "e0/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq1 = onnx.node "Equal" v18 (%tk#1, %c1) {attrs = {}, name = "e1/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast1 = onnx.node "Cast" v18 (%eq1) {attrs = {to = 1 : i64}, name = "e1/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m1 = onnx.node "Mul" v18 (%cast1, %v) {attrs = {}, name = "e1/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w1 = onnx.node "ReduceSum" v18 (%m1, %axes) {attrs = {keepdims = 1 : i64}, name = "e1/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g1 = onnx.node "MatMul" v18 (%x, %wg1) {attrs = {}, name = "e1/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg1 = onnx.node "Sigmoid" v18 (%g1) {attrs = {}, name = "e1/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si1 = onnx.node "Mul" v18 (%sg1, %g1) {attrs = {}, name = "e1/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u1 = onnx.node "MatMul" v18 (%x, %wu1) {attrs = {}, name = "e1/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h1 = onnx.node "Mul" v18 (%u1, %si1) {attrs = {}, name = "e1/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d1 = onnx.node "MatMul" v18 (%h1, %wd1) {attrs = {}, name = "e1/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o1 = onnx.node "Mul" v18 (%w1, %d1) {attrs = {}, name = "e1/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq2 = onnx.node "Equal" v18 (%tk#1, %c2) {attrs = {}, name = "e2/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast2 = onnx.node "Cast" v18 (%eq2) {attrs = {to = 1 : i64}, name = "e2/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m2 = onnx.node "Mul" v18 (%cast2, %v) {attrs = {}, name = "e2/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w2 = onnx.node "ReduceSum" v18 (%m2, %axes) {attrs = {keepdims = 1 : i64}, name = "e2/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g2 = onnx.node "MatMul" v18 (%x, %wg2) {attrs = {}, name = "e2/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg2 = onnx.node "Sigmoid" v18 (%g2) {attrs = {}, name = "e2/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si2 = onnx.node "Mul" v18 (%sg2, %g2) {attrs = {}, name = "e2/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u2 = onnx.node "MatMul" v18 (%x, %wu2) {attrs = {}, name = "e2/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h2 = onnx.node "Mul" v18 (%u2, %si2) {attrs = {}, name = "e2/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d2 = onnx.node "MatMul" v18 (%h2, %wd2) {attrs = {}, name = "e2/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o2 = onnx.node "Mul" v18 (%w2, %d2) {attrs = {}, name = "e2/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s1 = onnx.node "Add" v18 (%o0, %o1) {attrs = {}, name = "sum1"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s2 = onnx.node "Add" v18 (%s1, %o2) {attrs = {}, name = "sum2"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  return %s2 : !onnx.unknown
}

// -----

// Near miss: an expert's weight is an input, not a constant.
// CHECK-LABEL: func.func @weight_not_constant
// CHECK-NOT: "MoE"
// CHECK: return
func.func @weight_not_constant(%x: tensor<5x4xf32>, %x2: tensor<5x4xf32>, %wa: tensor<4x3xf32>) -> (!onnx.unknown) {
  %wr = arith.constant dense<0.25> : tensor<4x2xf32>
  %k = arith.constant dense<2> : tensor<1xi64>
  %axes = arith.constant dense<-1> : tensor<1xi64>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %c0 = arith.constant dense<0> : tensor<i64>
  %wg0 = arith.constant dense<0.5> : tensor<4x3xf32>
  %wu0 = arith.constant dense<0.25> : tensor<4x3xf32>
  %wd0 = arith.constant dense<0.75> : tensor<3x4xf32>
  %c1 = arith.constant dense<1> : tensor<i64>
  %wg1 = arith.constant dense<1.5> : tensor<4x3xf32>
  %wu1 = arith.constant dense<1.25> : tensor<4x3xf32>
  %wd1 = arith.constant dense<1.75> : tensor<3x4xf32>
  %lg = onnx.node "MatMul" v18 (%x, %wr) {attrs = {}, name = "router"} : (tensor<5x4xf32>, tensor<4x2xf32>) -> !onnx.unknown
  %p = onnx.node "Softmax" v18 (%lg) {attrs = {axis = -1 : i64}, name = "probs"} : (!onnx.unknown) -> !onnx.unknown
  %tk:2 = onnx.node "TopK" v18 (%p, %k) {attrs = {axis = -1 : i64}, name = "topk"} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
  %rs = onnx.node "ReduceSum" v18 (%tk#0, %axes) {attrs = {keepdims = 1 : i64}, name = "norm_sum"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %v = onnx.node "Div" v18 (%tk#0, %rs) {attrs = {}, name = "norm"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq0 = onnx.node "Equal" v18 (%tk#1, %c0) {attrs = {}, name = "e0/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast0 = onnx.node "Cast" v18 (%eq0) {attrs = {to = 1 : i64}, name = "e0/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m0 = onnx.node "Mul" v18 (%cast0, %v) {attrs = {}, name = "e0/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w0 = onnx.node "ReduceSum" v18 (%m0, %axes) {attrs = {keepdims = 1 : i64}, name = "e0/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g0 = onnx.node "MatMul" v18 (%x, %wg0) {attrs = {}, name = "e0/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg0 = onnx.node "Sigmoid" v18 (%g0) {attrs = {}, name = "e0/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si0 = onnx.node "Mul" v18 (%sg0, %g0) {attrs = {}, name = "e0/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u0 = onnx.node "MatMul" v18 (%x, %wu0) {attrs = {}, name = "e0/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h0 = onnx.node "Mul" v18 (%u0, %si0) {attrs = {}, name = "e0/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d0 = onnx.node "MatMul" v18 (%h0, %wd0) {attrs = {}, name = "e0/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o0 = onnx.node "Mul" v18 (%w0, %d0) {attrs = {}, name = "e0/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq1 = onnx.node "Equal" v18 (%tk#1, %c1) {attrs = {}, name = "e1/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast1 = onnx.node "Cast" v18 (%eq1) {attrs = {to = 1 : i64}, name = "e1/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m1 = onnx.node "Mul" v18 (%cast1, %v) {attrs = {}, name = "e1/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w1 = onnx.node "ReduceSum" v18 (%m1, %axes) {attrs = {keepdims = 1 : i64}, name = "e1/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %g1 = onnx.node "MatMul" v18 (%x, %wg1) {attrs = {}, name = "e1/gate"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %sg1 = onnx.node "Sigmoid" v18 (%g1) {attrs = {}, name = "e1/sigmoid"} : (!onnx.unknown) -> !onnx.unknown
  %si1 = onnx.node "Mul" v18 (%sg1, %g1) {attrs = {}, name = "e1/silu"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %u1 = onnx.node "MatMul" v18 (%x, %wa) {attrs = {}, name = "e1/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %h1 = onnx.node "Mul" v18 (%u1, %si1) {attrs = {}, name = "e1/h"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %d1 = onnx.node "MatMul" v18 (%h1, %wd1) {attrs = {}, name = "e1/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %o1 = onnx.node "Mul" v18 (%w1, %d1) {attrs = {}, name = "e1/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s1 = onnx.node "Add" v18 (%o0, %o1) {attrs = {}, name = "sum1"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  return %s1 : !onnx.unknown
}

// -----

// Near miss: a bias of one element broadcasts over the projection's outputs
// (not the [E, I] bias of the MoE node).
// CHECK-LABEL: func.func @bias_broadcasts
// CHECK-NOT: "MoE"
// CHECK: return
func.func @bias_broadcasts(%x: tensor<5x4xf32>, %x2: tensor<5x4xf32>, %wa: tensor<4x3xf32>) -> (!onnx.unknown) {
  %wr = arith.constant dense<0.25> : tensor<4x2xf32>
  %k = arith.constant dense<1> : tensor<1xi64>
  %axes = arith.constant dense<-1> : tensor<1xi64>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %c0 = arith.constant dense<0> : tensor<i64>
  %wg0 = arith.constant dense<0.5> : tensor<4x3xf32>
  %wu0 = arith.constant dense<0.25> : tensor<4x3xf32>
  %wd0 = arith.constant dense<0.75> : tensor<3x4xf32>
  %bu0 = arith.constant dense<0.125> : tensor<1xf32>
  %bd0 = arith.constant dense<-0.5> : tensor<4xf32>
  %c1 = arith.constant dense<1> : tensor<i64>
  %wg1 = arith.constant dense<1.5> : tensor<4x3xf32>
  %wu1 = arith.constant dense<1.25> : tensor<4x3xf32>
  %wd1 = arith.constant dense<1.75> : tensor<3x4xf32>
  %bu1 = arith.constant dense<1.125> : tensor<1xf32>
  %bd1 = arith.constant dense<-1.5> : tensor<4xf32>
  %lg = onnx.node "MatMul" v18 (%x, %wr) {attrs = {}, name = "router"} : (tensor<5x4xf32>, tensor<4x2xf32>) -> !onnx.unknown
  %p = onnx.node "Softmax" v18 (%lg) {attrs = {axis = -1 : i64}, name = "probs"} : (!onnx.unknown) -> !onnx.unknown
  %tk:2 = onnx.node "TopK" v18 (%p, %k) {attrs = {axis = -1 : i64}, name = "topk"} : (!onnx.unknown, tensor<1xi64>) -> (!onnx.unknown, !onnx.unknown)
  %rs = onnx.node "ReduceSum" v18 (%tk#0, %axes) {attrs = {keepdims = 1 : i64}, name = "norm_sum"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %v = onnx.node "Div" v18 (%tk#0, %rs) {attrs = {}, name = "norm"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq0 = onnx.node "Equal" v18 (%tk#1, %c0) {attrs = {}, name = "e0/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast0 = onnx.node "Cast" v18 (%eq0) {attrs = {to = 1 : i64}, name = "e0/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m0 = onnx.node "Mul" v18 (%cast0, %v) {attrs = {}, name = "e0/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w0 = onnx.node "ReduceSum" v18 (%m0, %axes) {attrs = {keepdims = 1 : i64}, name = "e0/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %u00 = onnx.node "MatMul" v18 (%x, %wu0) {attrs = {}, name = "e0/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %u0 = onnx.node "Add" v18 (%u00, %bu0) {attrs = {}, name = "e0/up_bias"} : (!onnx.unknown, tensor<1xf32>) -> !onnx.unknown
  %h0 = onnx.node "Relu" v18 (%u0) {attrs = {}, name = "e0/relu"} : (!onnx.unknown) -> !onnx.unknown
  %d00 = onnx.node "MatMul" v18 (%h0, %wd0) {attrs = {}, name = "e0/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %d0 = onnx.node "Add" v18 (%bd0, %d00) {attrs = {}, name = "e0/down_bias"} : (tensor<4xf32>, !onnx.unknown) -> !onnx.unknown
  %o0 = onnx.node "Mul" v18 (%w0, %d0) {attrs = {}, name = "e0/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %eq1 = onnx.node "Equal" v18 (%tk#1, %c1) {attrs = {}, name = "e1/eq"} : (!onnx.unknown, tensor<i64>) -> !onnx.unknown
  %cast1 = onnx.node "Cast" v18 (%eq1) {attrs = {to = 1 : i64}, name = "e1/cast"} : (!onnx.unknown) -> !onnx.unknown
  %m1 = onnx.node "Mul" v18 (%cast1, %v) {attrs = {}, name = "e1/mask"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %w1 = onnx.node "ReduceSum" v18 (%m1, %axes) {attrs = {keepdims = 1 : i64}, name = "e1/weight"} : (!onnx.unknown, tensor<1xi64>) -> !onnx.unknown
  %u01 = onnx.node "MatMul" v18 (%x, %wu1) {attrs = {}, name = "e1/up"} : (tensor<5x4xf32>, tensor<4x3xf32>) -> !onnx.unknown
  %u1 = onnx.node "Add" v18 (%u01, %bu1) {attrs = {}, name = "e1/up_bias"} : (!onnx.unknown, tensor<1xf32>) -> !onnx.unknown
  %h1 = onnx.node "Relu" v18 (%u1) {attrs = {}, name = "e1/relu"} : (!onnx.unknown) -> !onnx.unknown
  %d01 = onnx.node "MatMul" v18 (%h1, %wd1) {attrs = {}, name = "e1/down"} : (!onnx.unknown, tensor<3x4xf32>) -> !onnx.unknown
  %d1 = onnx.node "Add" v18 (%bd1, %d01) {attrs = {}, name = "e1/down_bias"} : (tensor<4xf32>, !onnx.unknown) -> !onnx.unknown
  %o1 = onnx.node "Mul" v18 (%w1, %d1) {attrs = {}, name = "e1/out"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  %s1 = onnx.node "Add" v18 (%o0, %o1) {attrs = {}, name = "sum1"} : (!onnx.unknown, !onnx.unknown) -> !onnx.unknown
  return %s1 : !onnx.unknown
}
