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
// clamp by compares and selects that let NaN through (vmaxps / vminps; no NaN
// test at the end), the square, 6 + 5 FMAs, one division.
// CHECK-LABEL: func.func @erf
// CHECK-SAME: (%[[X:.*]]: vector<8xf32>)
// CHECK-DAG: %[[HI:.*]] = arith.constant dense<4.000000e+00> : vector<8xf32>
// CHECK-DAG: %[[LO:.*]] = arith.constant dense<-4.000000e+00> : vector<8xf32>
// CHECK: %[[BELOW:.*]] = arith.cmpf olt, %[[X]], %[[LO]]
// CHECK: %[[C0:.*]] = arith.select %[[BELOW]], %[[LO]], %[[X]]
// CHECK: %[[ABOVE:.*]] = arith.cmpf ogt, %[[C0]], %[[HI]]
// CHECK: %[[C:.*]] = arith.select %[[ABOVE]], %[[HI]], %[[C0]]
// CHECK: %[[T:.*]] = arith.mulf %[[C]], %[[C]]
// CHECK-COUNT-6: math.fma %{{.*}}, %[[T]], %{{.*}} : vector<8xf32>
// CHECK: %[[N:.*]] = arith.mulf %[[C]], %{{.*}}
// CHECK-COUNT-5: math.fma %{{.*}}, %[[T]], %{{.*}} : vector<8xf32>
// CHECK: %[[R:.*]] = arith.divf %[[N]], %{{.*}}
// CHECK-NOT: arith.select
// CHECK: return %[[R]]
func.func @erf(%x: vector<8xf32>) -> vector<8xf32> {
  %r = math.erf %x : vector<8xf32>
  return %r : vector<8xf32>
}

// erf(x * s), s > 0 a constant (GELU's x / sqrt(2) once vectorised): s goes
// into the clamp bounds (+-4 / s = +-4 sqrt(2)) and the coefficients; the
// rational reads x. The multiplication stays for its other user. A negative
// or non-constant factor is left as it is.
// CHECK-LABEL: func.func @erf_scaled
// CHECK-SAME: (%[[X:.*]]: vector<8xf32>, %[[Y:.*]]: vector<8xf32>)
// CHECK: %[[S:.*]] = arith.constant dense<0.707106769> : vector<8xf32>
// CHECK: %[[XS:.*]] = arith.mulf %[[X]], %[[S]]
// CHECK: %[[LO:.*]] = arith.constant dense<-5.65685415> : vector<8xf32>
// CHECK: arith.cmpf olt, %[[X]], %[[LO]]
// CHECK: arith.divf
// CHECK: %[[NEG:.*]] = arith.constant dense<-2.000000e+00>
// CHECK: %[[YS:.*]] = arith.mulf %[[Y]], %[[NEG]]
// CHECK: arith.cmpf olt, %[[YS]], %{{.*}}
// CHECK: return
func.func @erf_scaled(%x: vector<8xf32>, %y: vector<8xf32>) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>) {
  %s = arith.constant dense<0.707106769> : vector<8xf32>
  %xs = arith.mulf %x, %s : vector<8xf32>
  %r = math.erf %xs : vector<8xf32>
  %neg = arith.constant dense<-2.0> : vector<8xf32>
  %ys = arith.mulf %y, %neg : vector<8xf32>
  %q = math.erf %ys : vector<8xf32>
  return %r, %xs, %q : vector<8xf32>, vector<8xf32>, vector<8xf32>
}
