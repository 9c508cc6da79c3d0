// RUN: hybrid-opt %s --hybrid-approximate-math | FileCheck %s

// f32 exp, tanh and erf (scalar or vector) become polynomials: no math op of
// theirs is left, the expansions use math.fma. f64, and functions without an
// accurate approximation (sin), are left alone.
// CHECK-LABEL: func.func @f
// CHECK-NOT: math.exp %{{.*}} : f32
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK: math.fma
// CHECK-DAG: math.exp %{{.*}} : f64
// CHECK-DAG: math.sin %{{.*}} : f32
func.func @f(%x: f32, %v: vector<8xf32>, %d: f64) -> (f32, vector<8xf32>, f32, f64, f32) {
  %e = math.exp %x : f32
  %t = math.tanh %v : vector<8xf32>
  %r = math.erf %x : f32
  %ed = math.exp %d : f64
  %s = math.sin %x : f32
  return %e, %t, %r, %ed, %s : f32, vector<8xf32>, f32, f64, f32
}

// erf: one rational function of the clamped x (no interval selects): the
// clamp, the square, 6 + 5 FMAs, one division, NaN passed through.
// CHECK-LABEL: func.func @erf
// CHECK-SAME: (%[[X:.*]]: vector<8xf32>)
// CHECK: %[[LO:.*]] = arith.maxnumf %[[X]], %{{.*}} : vector<8xf32>
// CHECK: %[[C:.*]] = arith.minnumf %[[LO]], %{{.*}} : vector<8xf32>
// CHECK: %[[T:.*]] = arith.mulf %[[C]], %[[C]]
// CHECK-COUNT-6: math.fma %{{.*}}, %[[T]], %{{.*}} : vector<8xf32>
// CHECK: %[[N:.*]] = arith.mulf %[[C]], %{{.*}}
// CHECK-COUNT-5: math.fma %{{.*}}, %[[T]], %{{.*}} : vector<8xf32>
// CHECK: %[[R:.*]] = arith.divf %[[N]], %{{.*}}
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]]
// CHECK: %[[OUT:.*]] = arith.select %[[NAN]], %[[X]], %[[R]]
// CHECK-NOT: arith.select
// CHECK: return %[[OUT]]
func.func @erf(%x: vector<8xf32>) -> vector<8xf32> {
  %r = math.erf %x : vector<8xf32>
  return %r : vector<8xf32>
}
