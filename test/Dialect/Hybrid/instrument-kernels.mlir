// RUN: hybrid-opt %s --hybrid-instrument-kernels | FileCheck %s
// Kernels (top-level ops that become loop nests) are bracketed with the
// profiler's hooks and named after their op and ONNX node; other ops are not.

// CHECK: module attributes {hybrid.kernels = ["linalg.fill /model/Fill", "memref.copy /model/Copy", "scf.for", "hybrid.rms_norm /layers.0/norm", "hybrid.rms_norm /layers.0/choice"]}
// CHECK-LABEL: func.func @f
// CHECK: %[[A:.*]] = memref.alloc
// CHECK-NEXT: %[[K0:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @__hybrid_kernel_begin(%[[K0]]) : (i32) -> ()
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: call @__hybrid_kernel_end(%[[K0]]) : (i32) -> ()
// CHECK: call @__hybrid_kernel_begin(%{{.*}})
// CHECK-NEXT: memref.copy
// CHECK-NEXT: call @__hybrid_kernel_end
// The loop is one kernel: nothing inside it is bracketed.
// CHECK: call @__hybrid_kernel_begin(%{{.*}})
// CHECK-NEXT: scf.for
// CHECK-NOT: __hybrid_kernel
// CHECK: }
// CHECK-NEXT: call @__hybrid_kernel_end
// CHECK: call @__hybrid_kernel_begin(%{{.*}})
// CHECK-NEXT: hybrid.rms_norm
// CHECK-NEXT: call @__hybrid_kernel_end
// CHECK-NEXT: memref.dealloc
// A run-time choice between two forms of an op is one kernel, named after the
// op it holds.
// CHECK: call @__hybrid_kernel_begin(%{{.*}})
// CHECK-NEXT: scf.if
// CHECK-NOT: __hybrid_kernel
// CHECK: } else {
// CHECK-NOT: __hybrid_kernel
// CHECK: {{^ *}}}{{$}}
// CHECK-NEXT: call @__hybrid_kernel_end
// CHECK: func.func private @__hybrid_kernel_begin(i32)
// CHECK: func.func private @__hybrid_kernel_end(i32)
func.func @f(%x: memref<4x64xf32>, %w: memref<64xf32>, %y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<4x64xf32>
  linalg.fill ins(%zero : f32) outs(%a : memref<4x64xf32>) loc("/model/Fill"(unknown))
  memref.copy %x, %a : memref<4x64xf32> to memref<4x64xf32> loc(fused["/model/Copy"(unknown), unknown])
  scf.for %i = %c0 to %c4 step %c1 {
    linalg.fill ins(%zero : f32) outs(%y : memref<4x64xf32>)
  }
  hybrid.rms_norm ins(%a, %w : memref<4x64xf32>, memref<64xf32>) outs(%y : memref<4x64xf32>) loc("/layers.0/norm"("model.onnx":0:0))
  memref.dealloc %a : memref<4x64xf32>
  %p = arith.cmpi eq, %c0, %c1 : index
  scf.if %p {
    hybrid.rms_norm ins(%x, %w : memref<4x64xf32>, memref<64xf32>) outs(%y : memref<4x64xf32>)
  } else {
    hybrid.rms_norm ins(%y, %w : memref<4x64xf32>, memref<64xf32>) outs(%x : memref<4x64xf32>)
  } loc("/layers.0/choice"(unknown))
  return
}
