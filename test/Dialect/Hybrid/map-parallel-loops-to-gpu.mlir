// RUN: hybrid-opt %s --split-input-file --hybrid-map-parallel-loops-to-gpu=block-size=128 | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-map-parallel-loops-to-gpu --convert-parallel-loops-to-gpu --gpu-kernel-outlining | FileCheck %s --check-prefix=GPU
// RUN: not hybrid-opt %s --split-input-file --hybrid-map-parallel-loops-to-gpu=block-size=2048 2>&1 | FileCheck %s --check-prefix=BAD
// Outermost scf.parallel loops are shaped for upstream's conversion to GPU
// launches: one collapsed dim, tiled into blocks with a guard, mapped to
// block_x / thread_x; deeper parallel loops run sequentially in each thread;
// constant buffers are re-read inside the loop.

// BAD: hybrid-map-parallel-loops-to-gpu: block-size 2048 is not in [1, 1024]

// A 2-D loop becomes one dim of m * n iterations in blocks of 128 threads; the
// thread's iteration is guarded, and i, j are recovered by division.
// CHECK-LABEL: func.func @scale(
// CHECK-SAME: %[[X:.*]]: memref<?x?xf32>, %[[Y:.*]]: memref<?x?xf32>, %[[M:.*]]: index, %[[N:.*]]: index)
// CHECK: %[[MN:.*]] = arith.muli %{{.*}}, %[[N]] : index
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[BS:.*]] = arith.muli %{{.*}}, %[[C128]] : index
// CHECK: scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%[[MN]]) step (%[[BS]]) {
// CHECK: scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%[[BS]]) step (%{{.*}}) {
// CHECK: %[[L:.*]] = arith.addi %[[T]], %[[B]] : index
// CHECK: %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %[[MN]] : index
// CHECK: scf.if %{{.*}} {
// CHECK: arith.remsi
// CHECK: arith.divsi
// CHECK: memref.load %[[X]]
// CHECK: memref.store %{{.*}}, %[[Y]]
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
func.func @scale(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %m: index, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %two = arith.constant 2.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%m, %n) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<?x?xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %y[%i, %j] : memref<?x?xf32>
  }
  return
}

// GPU-LABEL: func.func @scale(
// GPU: gpu.launch_func @scale_kernel::@scale_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}})
// GPU: gpu.module @scale_kernel
// GPU: gpu.func @scale_kernel(
// GPU-SAME: kernel

// -----

// The weights the body reads are re-read inside it, so outlining copies the
// global into the GPU module rather than passing a host address; the nested
// parallel loop (over the row) becomes an scf.for that each thread runs.
memref.global "private" constant @w : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
// CHECK-LABEL: func.func @rows(
// CHECK: memref.get_global @w
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: scf.if
// CHECK-NEXT: memref.get_global @w
// CHECK-NEXT: scf.for
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x
// GPU-LABEL: func.func @rows(
// GPU: gpu.launch_func @rows_kernel::@rows_kernel
// GPU-NOT: memref<4xf32>
// GPU: gpu.module @rows_kernel
// GPU: gpu.func @rows_kernel(
// GPU: memref.get_global @w : memref<4xf32>
// GPU: scf.for
// GPU: memref.global "private" constant @w : memref<4xf32>
func.func @rows(%x: memref<?x4xf32>, %y: memref<?x4xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %g = memref.get_global @w : memref<4xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
      %v = memref.load %x[%i, %j] : memref<?x4xf32>
      %s = memref.load %g[%j] : memref<4xf32>
      %w = arith.mulf %v, %s : f32
      memref.store %w, %y[%i, %j] : memref<?x4xf32>
    }
  }
  return
}

// -----

// A loop with a reduction stays on the host, untouched.
// CHECK-LABEL: func.func @sum(
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) init (%{{.*}}) -> f32 {
// CHECK-NOT: mapping
// GPU-LABEL: func.func @sum(
// GPU-NOT: gpu.launch_func
func.func @sum(%x: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%zero) -> f32 {
    %v = memref.load %x[%i] : memref<?xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %r : f32
}
