// RUN: hybrid-opt %s --split-input-file --hybrid-route-moe | FileCheck %s

// A SwiGLU layer with up and down biases: top-k routing, dispatch, the gate
// and up projections of each expert's rows, each row's expert bias
// (ids.flat[sources[r]]), the activation, the down projection and combine
// into the op's destination.
// CHECK-LABEL: func.func @swiglu_biases
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<16x64xf32>, %[[L:[a-z0-9]+]]: tensor<16x8xf32>, %[[WU:[a-z0-9]+]]: tensor<8x96x64xf32>, %[[WD:[a-z0-9]+]]: tensor<8x64x96xf32>, %[[WG:[a-z0-9]+]]: tensor<8x96x64xf32>, %[[BU:[a-z0-9]+]]: tensor<8x96xf32>, %[[BD:[a-z0-9]+]]: tensor<8x64xf32>
// CHECK-NOT: hybrid.moe top_k
// CHECK: %[[R:.*]]:2 = hybrid.moe_topk scoring = softmax ins(%[[L]] : tensor<16x8xf32>) outs(%{{.*}}, %{{.*}} : tensor<16x2xi64>, tensor<16x2xf32>) {normalize, scaling = 5.000000e-01 : f32}
// CHECK: %[[D:.*]]:3 = hybrid.moe_dispatch num_experts(8) ins(%[[X]], %[[R]]#0 : tensor<16x64xf32>, tensor<16x2xi64>) outs({{.*}} : tensor<32x64xf32>, tensor<9xi64>, tensor<32xi64>)
// CHECK: %[[UP:.*]] = hybrid.grouped_matmul ins(%[[D]]#0, %[[WU]], %[[D]]#1 : tensor<32x64xf32>, tensor<8x96x64xf32>, tensor<9xi64>) outs(%{{.*}} : tensor<32x96xf32>)
// CHECK: %[[UPB:.*]] = linalg.generic {{.*}} ins(%[[UP]], %[[D]]#2 : tensor<32x96xf32>, tensor<32xi64>)
// CHECK: arith.divui %{{.*}}, %c2
// CHECK: arith.remui %{{.*}}, %c2
// CHECK: tensor.extract %[[R]]#0
// CHECK: tensor.extract %[[BU]]
// CHECK: %[[G:.*]] = hybrid.grouped_matmul ins(%[[D]]#0, %[[WG]], %[[D]]#1 : {{.*}}) outs(%{{.*}} : tensor<32x96xf32>)
// CHECK: %[[H:.*]] = linalg.generic {{.*}} ins(%[[G]], %[[UPB]] : tensor<32x96xf32>, tensor<32x96xf32>)
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: %[[DN:.*]] = hybrid.grouped_matmul ins(%[[H]], %[[WD]], %[[D]]#1 : tensor<32x96xf32>, tensor<8x64x96xf32>, tensor<9xi64>) outs(%{{.*}} : tensor<32x64xf32>)
// CHECK: %[[DNB:.*]] = linalg.generic {{.*}} ins(%[[DN]], %[[D]]#2 : tensor<32x64xf32>, tensor<32xi64>)
// CHECK: tensor.extract %[[BD]]
// CHECK: %[[Y:.*]] = hybrid.moe_combine ins(%[[DNB]], %[[D]]#2, %[[R]]#1 : tensor<32x64xf32>, tensor<32xi64>, tensor<16x2xf32>) outs(%{{.*}} : tensor<16x64xf32>)
// CHECK: return %[[Y]]
func.func @swiglu_biases(%x: tensor<16x64xf32>, %logits: tensor<16x8xf32>, %wu: tensor<8x96x64xf32>,
                         %wd: tensor<8x64x96xf32>, %wg: tensor<8x96x64xf32>, %bu: tensor<8x96xf32>,
                         %bd: tensor<8x64xf32>) -> tensor<16x64xf32> {
  %init = tensor.empty() : tensor<16x64xf32>
  %y = hybrid.moe top_k(2) scoring = softmax activation = swiglu
         ins(%x, %logits, %wu, %wd : tensor<16x64xf32>, tensor<16x8xf32>, tensor<8x96x64xf32>, tensor<8x64x96xf32>)
         w_gate(%wg : tensor<8x96x64xf32>) b_up(%bu : tensor<8x96xf32>) b_down(%bd : tensor<8x64xf32>)
         outs(%init : tensor<16x64xf32>) {normalize, scaling = 0.5 : f32} -> tensor<16x64xf32>
  return %y : tensor<16x64xf32>
}

// -----

// Dynamic tokens, sigmoid scoring with a selection bias, a non-GLU activation
// in f32 arithmetic for bf16 operands: T * top_k rows computed at run time.
// CHECK-LABEL: func.func @dynamic_tokens_bf16
// CHECK: %[[T:.*]] = tensor.dim %arg0, %c0_0
// CHECK-NEXT: %c3 = arith.constant 3 : index
// CHECK-NEXT: %[[TK:.*]] = arith.muli %[[T]], %c3
// CHECK: hybrid.moe_topk scoring = sigmoid ins(%arg1 : tensor<?x8xbf16>) selection_bias(%arg4 : tensor<8xbf16>) outs({{.*}} : tensor<?x3xi64>, tensor<?x3xbf16>)
// CHECK: tensor.empty(%[[TK]]) : tensor<?x32xbf16>
// CHECK: hybrid.moe_dispatch num_experts(8)
// CHECK: hybrid.grouped_matmul {{.*}} -> tensor<?x48xbf16>
// CHECK-NOT: hybrid.grouped_matmul
// CHECK: linalg.generic
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: math.erf
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: hybrid.grouped_matmul {{.*}} -> tensor<?x32xbf16>
// CHECK: hybrid.moe_combine
func.func @dynamic_tokens_bf16(%x: tensor<?x32xbf16>, %logits: tensor<?x8xbf16>, %wu: tensor<8x48x32xbf16>,
                               %wd: tensor<8x32x48xbf16>, %sb: tensor<8xbf16>) -> tensor<?x32xbf16> {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x32xbf16>
  %init = tensor.empty(%t) : tensor<?x32xbf16>
  %y = hybrid.moe top_k(3) scoring = sigmoid activation = gelu
         ins(%x, %logits, %wu, %wd : tensor<?x32xbf16>, tensor<?x8xbf16>, tensor<8x48x32xbf16>, tensor<8x32x48xbf16>)
         selection_bias(%sb : tensor<8xbf16>)
         outs(%init : tensor<?x32xbf16>) -> tensor<?x32xbf16>
  return %y : tensor<?x32xbf16>
}

// -----

// A dynamic number of experts cannot size the offsets: the op stays.
// CHECK-LABEL: func.func @dynamic_experts
// CHECK: hybrid.moe top_k(1)
// CHECK-NOT: hybrid.moe_dispatch
func.func @dynamic_experts(%x: tensor<4x16xf32>, %logits: tensor<4x?xf32>, %wu: tensor<?x8x16xf32>,
                           %wd: tensor<?x16x8xf32>) -> tensor<4x16xf32> {
  %init = tensor.empty() : tensor<4x16xf32>
  %y = hybrid.moe top_k(1) scoring = softmax activation = relu
         ins(%x, %logits, %wu, %wd : tensor<4x16xf32>, tensor<4x?xf32>, tensor<?x8x16xf32>, tensor<?x16x8xf32>)
         outs(%init : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
