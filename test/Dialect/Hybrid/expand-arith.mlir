// RUN: hybrid-opt %s --hybrid-expand-arith | FileCheck %s

// Signed ceil/floor division and unsigned ceil division become plain integer
// arithmetic; bf16 conversions become integer code; float min/max stay ops
// (LLVM intrinsics whose reductions vectorise), as does everything else.
// CHECK-LABEL: func.func @expand
// CHECK-NOT: arith.ceildivsi
// CHECK-NOT: arith.floordivsi
// CHECK-NOT: arith.ceildivui
// CHECK: arith.maximumf %{{.*}} : f32
// CHECK: arith.maxnumf %{{.*}} : vector<8xf32>
// CHECK: arith.minimumf
// CHECK: arith.minnumf
// CHECK-NOT: arith.extf %{{.*}} : bf16
// CHECK-NOT: arith.truncf %{{.*}} to bf16
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: return
func.func @expand(%a: index, %b: index, %x: f32, %y: f32, %v: vector<8xf32>,
                  %h: bf16, %g: f16) -> (index, index, index, f32, vector<8xf32>, f32, f32, f32, bf16, f32) {
  %0 = arith.ceildivsi %a, %b : index
  %1 = arith.floordivsi %a, %b : index
  %2 = arith.ceildivui %a, %b : index
  %3 = arith.maximumf %x, %y : f32
  %4 = arith.maxnumf %v, %v : vector<8xf32>
  %5 = arith.minimumf %x, %y : f32
  %6 = arith.minnumf %x, %y : f32
  %7 = arith.extf %h : bf16 to f32
  %8 = arith.truncf %x : f32 to bf16
  %9 = arith.extf %g : f16 to f32
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : index, index, index, f32, vector<8xf32>, f32, f32, f32, bf16, f32
}
