// RUN: hybrid-opt %s --hybrid-lower-to-loops | FileCheck %s
// RUN: hybrid-opt %s --hybrid-lower-to-loops=parallel=true | FileCheck %s --check-prefix=PAR
// The reference lowering: loops over the iteration domain around each op's
// scalar implementation. Results are checked numerically by test/Reference.

// CHECK-LABEL: func.func @rms_norm
// CHECK-NOT: hybrid.
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}}
// CHECK: scf.for {{.*}} iter_args
// CHECK: arith.mulf
// CHECK: math.sqrt
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[I]], %{{.*}}] : memref<4x?xf32>
// With parallel=true the (all-parallel) domain is one scf.parallel and the
// sequential parts stay scf.for inside it.
// PAR-LABEL: func.func @rms_norm
// PAR: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}})
// PAR: scf.for {{.*}} iter_args
// PAR: memref.store %{{.*}}, %{{.*}}[%[[I]], %{{.*}}] : memref<4x?xf32>
// PAR-LABEL: func.func @ssm_scan_f16
// PAR: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) =
// PAR-LABEL: func.func @moe_dispatch
// PAR-NOT: scf.parallel
// PAR-LABEL: func.func @tensor_op_untouched
func.func @rms_norm(%x: memref<4x?xf32>, %w: memref<?xf32>, %y: memref<4x?xf32>) {
  hybrid.rms_norm ins(%x, %w : memref<4x?xf32>, memref<?xf32>) outs(%y : memref<4x?xf32>)
  return
}

// 16-bit operands are widened on load and rounded on store; the scan state
// lives in f32 scratch.
// CHECK-LABEL: func.func @ssm_scan_f16
// CHECK-NOT: hybrid.
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: math.exp
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: memref.dealloc
func.func @ssm_scan_f16(%x: memref<1x8x2x4xf16>, %dt: memref<1x8x2xf16>, %a: memref<2xf16>, %b: memref<1x8x1x3xf16>,
                        %y: memref<1x8x2x4xf16>, %s: memref<1x2x4x3xf16>) {
  hybrid.ssm_scan ins(%x, %dt, %a, %b, %b : memref<1x8x2x4xf16>, memref<1x8x2xf16>, memref<2xf16>, memref<1x8x1x3xf16>, memref<1x8x1x3xf16>)
    outs(%y, %s : memref<1x8x2x4xf16>, memref<1x2x4x3xf16>) {dt_softplus}
  return
}

// Data-dependent indices are checked at run time.
// CHECK-LABEL: func.func @moe_dispatch
// CHECK: cf.assert %{{.*}}, "hybrid.moe_dispatch: rows must have T * top_k rows"
// CHECK: cf.assert %{{.*}}, "hybrid.moe_dispatch: expert id out of range"
func.func @moe_dispatch(%x: memref<6x8xf32>, %ids: memref<6x2xi32>, %rows: memref<12x8xf32>, %off: memref<5xi32>, %src: memref<12xi32>) {
  hybrid.moe_dispatch num_experts(4) ins(%x, %ids : memref<6x8xf32>, memref<6x2xi32>) outs(%rows, %off, %src : memref<12x8xf32>, memref<5xi32>, memref<12xi32>)
  return
}

// Ops still on tensors are left for bufferization.
// CHECK-LABEL: func.func @tensor_op_untouched
// CHECK: hybrid.rotary
func.func @tensor_op_untouched(%x: tensor<1x2x3x8xf32>, %c: tensor<1x3x4xf32>, %o: tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32> {
  %r = hybrid.rotary ins(%x, %c, %c : tensor<1x2x3x8xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>) outs(%o : tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32>
  return %r : tensor<1x2x3x8xf32>
}
