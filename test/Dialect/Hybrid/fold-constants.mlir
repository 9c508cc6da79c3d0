// RUN: hybrid-opt %s --split-input-file --hybrid-fold-constants | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-fold-constants="max-elements=4" | FileCheck %s --check-prefix=SMALL

// A Gather of a constant table by constant indices (negative ones wrap, as
// the importer writes it) and the Transpose after it: both become constants.
// CHECK-LABEL: func.func @gather_transpose
// CHECK-NOT: linalg.
// CHECK: %[[C:.*]] = arith.constant dense<{{\[}}{{\[}}[1.000000e+00, 5.000000e+00], [3.000000e+00, 5.000000e+00]], {{\[}}[2.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00]]]> : tensor<2x2x2xf32>
// CHECK: return %[[C]]
// SMALL-LABEL: func.func @gather_transpose
// SMALL: linalg.generic
// SMALL: linalg.transpose
func.func @gather_transpose() -> tensor<2x2x2xf32> {
  %idx = arith.constant dense<[[0, 2], [1, -1]]> : tensor<2x2xi64>
  %table = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %e = tensor.empty() : tensor<2x2x2xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>,
                                        affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%idx : tensor<2x2xi64>) outs(%e : tensor<2x2x2xf32>) {
  ^bb0(%in: i64, %out: f32):
    %0 = arith.index_cast %in : i64 to index
    %1 = arith.cmpi slt, %0, %c0 : index
    %2 = arith.addi %0, %c3 : index
    %3 = arith.select %1, %2, %0 : index
    %4 = arith.cmpi ult, %3, %c3 : index
    cf.assert %4, "an index is out of range"
    %5 = linalg.index 2 : index
    %x = tensor.extract %table[%3, %5] : tensor<3x2xf32>
    linalg.yield %x : f32
  } -> tensor<2x2x2xf32>
  %e2 = tensor.empty() : tensor<2x2x2xf32>
  %t = linalg.transpose ins(%g : tensor<2x2x2xf32>) outs(%e2 : tensor<2x2x2xf32>) permutation = [2, 0, 1]
  return %t : tensor<2x2x2xf32>
}

// -----

// A reduction from a constant init, and a fill.
// CHECK-LABEL: func.func @reduce_and_fill
// CHECK-DAG: arith.constant dense<[1.100000e+01, 1.300000e+01]> : tensor<2xf32>
// CHECK-DAG: arith.constant dense<7> : tensor<3xi32>
// CHECK-NOT: linalg.
func.func @reduce_and_fill() -> (tensor<2xf32>, tensor<3xi32>) {
  %x = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, -1.0]]> : tensor<2x3xf32>
  %init = arith.constant dense<[5.0, 5.0]> : tensor<2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<2x3xf32>) outs(%init : tensor<2xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %seven = arith.constant 7 : i32
  %e = tensor.empty() : tensor<3xi32>
  %f = linalg.fill ins(%seven : i32) outs(%e : tensor<3xi32>) -> tensor<3xi32>
  return %r, %f : tensor<2xf32>, tensor<3xi32>
}

// -----

// A fill that is an op's destination stays a fill (a contraction's zeroed
// accumulator: a constant would be a copy from a global of zeros, and the
// vectorised contraction starts from the fill's value). A consumer whose
// inputs are all constant still folds through a fill: the reduction's init
// and the add's input here.
// CHECK-LABEL: func.func @fill_destination
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<4x8xf32>)
// CHECK: linalg.matmul {{.*}} outs(%[[ACC]] : tensor<4x8xf32>)
// CHECK-DAG: %[[R:.*]] = arith.constant dense<[8.000000e+00, 1.000000e+01]> : tensor<2xf32>
// CHECK-DAG: %[[SUM:.*]] = arith.constant dense<3.000000e+00> : tensor<2xf32>
// CHECK: return %{{.*}}, %[[R]], %[[SUM]]
// CHECK-NOT: linalg.generic
func.func @fill_destination(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>) -> (tensor<4x8xf32>, tensor<2xf32>, tensor<2xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%acc : tensor<4x8xf32>) -> tensor<4x8xf32>
  %x = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, -1.0]]> : tensor<2x3xf32>
  %two = arith.constant 2.0 : f32
  %e2 = tensor.empty() : tensor<2xf32>
  %init = linalg.fill ins(%two : f32) outs(%e2 : tensor<2xf32>) -> tensor<2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<2x3xf32>) outs(%init : tensor<2xf32>) {
  ^bb0(%in: f32, %o: f32):
    %s = arith.addf %in, %o : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %one = arith.constant 1.0 : f32
  %e3 = tensor.empty() : tensor<2xf32>
  %ones = linalg.fill ins(%one : f32) outs(%e3 : tensor<2xf32>) -> tensor<2xf32>
  %e4 = tensor.empty() : tensor<2xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                         iterator_types = ["parallel"]}
      ins(%ones : tensor<2xf32>) outs(%e4 : tensor<2xf32>) {
  ^bb0(%in: f32, %o: f32):
    %s = arith.addf %in, %two : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  return %mm, %r, %sum : tensor<4x8xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// Left alone: an input that is not constant, an index out of range (the
// assert stays a run-time error), a reduction into an empty tensor (its body
// reads the uninitialised output), dynamic shapes.
// CHECK-LABEL: func.func @not_folded
// CHECK-COUNT-4: linalg.generic
func.func @not_folded(%arg: tensor<2xf32>, %n: index) -> (tensor<2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<?xf32>) {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<2xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                       iterator_types = ["parallel"]}
      ins(%arg, %c : tensor<2xf32>, tensor<2xf32>) outs(%e : tensor<2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %idx = arith.constant dense<[0, 5]> : tensor<2xindex>
  %c2 = arith.constant 2 : index
  %1 = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                       iterator_types = ["parallel"]}
      ins(%idx : tensor<2xindex>) outs(%e : tensor<2xf32>) {
  ^bb0(%i: index, %o: f32):
    %ok = arith.cmpi ult, %i, %c2 : index
    cf.assert %ok, "an index is out of range"
    %x = tensor.extract %c[%i] : tensor<2xf32>
    linalg.yield %x : f32
  } -> tensor<2xf32>
  %e1 = tensor.empty() : tensor<1xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (0)>],
                       iterator_types = ["reduction"]}
      ins(%c : tensor<2xf32>) outs(%e1 : tensor<1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<1xf32>
  %ed = tensor.empty(%n) : tensor<?xf32>
  %cd = tensor.cast %c : tensor<2xf32> to tensor<?xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                       iterator_types = ["parallel"]}
      ins(%cd : tensor<?xf32>) outs(%ed : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.negf %a : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<?xf32>
}

// -----

// Tables and indices as dense_resource blobs, as the importer writes large
// initializers.
// CHECK-LABEL: func.func @gather_resource
// CHECK-NOT: linalg.
// CHECK: arith.constant dense<[3.000000e+00, 1.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<4xf32>
func.func @gather_resource() -> tensor<4xf32> {
  %idx = arith.constant dense_resource<idx> : tensor<4xi64>
  %table = arith.constant dense_resource<table> : tensor<3xf32>
  %e = tensor.empty() : tensor<4xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%idx : tensor<4xi64>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %0 = arith.index_cast %in : i64 to index
    %x = tensor.extract %table[%0] : tensor<3xf32>
    linalg.yield %x : f32
  } -> tensor<4xf32>
  return %g : tensor<4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      idx: "0x080000000200000000000000000000000000000002000000000000000100000000000000",
      table: "0x040000000000803F0000004000004040"
    }
  }
#-}
