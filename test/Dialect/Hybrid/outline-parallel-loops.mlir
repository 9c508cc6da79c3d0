// RUN: hybrid-opt %s --hybrid-outline-parallel-loops | FileCheck %s
// RUN: hybrid-opt %s --hybrid-outline-parallel-loops --convert-scf-to-cf --finalize-memref-to-llvm --convert-to-llvm --reconcile-unrealized-casts | FileCheck %s --check-prefix=LLVM
// Outermost scf.parallel loops become tasks for the runtime's thread pool.

// The body is outlined into an llvm.func over a range [begin, end) of the
// linearised outer dims; the last dim runs whole inside (a row). What the body
// uses from above (the two memrefs) travels in a struct on the caller's stack
// with the loop's non-constant bounds and trip counts (here the upper bound %n
// and its trip count); constants (the scale, the static bounds) are
// rematerialised in the task.
// CHECK-LABEL: llvm.func internal @__hybrid_parallel_0(
// CHECK-SAME: %[[CTX:.*]]: !llvm.ptr, %[[B:.*]]: i64, %[[E:.*]]: i64)
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[CTX]][0, 0]
// CHECK: %[[L0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK: %[[X:.*]] = builtin.unrealized_conversion_cast %[[L0]] {{.*}} to memref<?x64xf32>
// CHECK: arith.constant 2.000000e+00 : f32
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[BI:.*]] = arith.index_cast %[[B]] : i64 to index
// CHECK-DAG: %[[EI:.*]] = arith.index_cast %[[E]] : i64 to index
// CHECK: scf.for %[[L:.*]] = %[[BI]] to %[[EI]] step
// CHECK-NOT: arith.divui
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[C64]] step
// CHECK: memref.load %[[X]][%{{.*}}, %[[J]]]
// CHECK: arith.mulf
// CHECK: memref.store
// CHECK: llvm.return

// CHECK-LABEL: func.func @scale(
// CHECK: %[[SLOT:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, i64, i64)>
// CHECK-NOT: scf.parallel
// CHECK: %[[F:.*]] = llvm.mlir.addressof @__hybrid_parallel_0 : !llvm.ptr
// CHECK: %[[N:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: llvm.call @__hybrid_parallel_for(%[[F]], %[[SLOT]], %[[N]], %{{.*}})
func.func @scale(%x: memref<?x64xf32>, %y: memref<?x64xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %two = arith.constant 2.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c64) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<?x64xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %y[%i, %j] : memref<?x64xf32>
    scf.reduce
  }
  return
}

// A short last dim (static, under 16) of a cheap body (a fill) still runs
// whole inside each task iteration when it has at least 4 iterations: a row
// loop LLVM vectorises, no division per element.
// CHECK-LABEL: llvm.func internal @__hybrid_parallel_1(
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NOT: arith.divui
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
// CHECK: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %[[J]]]
// CHECK-LABEL: func.func @short_rows(
// CHECK: llvm.call @__hybrid_parallel_for
func.func @short_rows(%y: memref<512x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c512 = arith.constant 512 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c512, %c8) step (%c1, %c1) {
    memref.store %one, %y[%i, %j] : memref<512x8xf32>
    scf.reduce
  }
  return
}

// Rows shorter than 4, and short rows of a heavy body (here a 128-step inner
// loop: a scan's time loop), are linearised with the outer dims, so that the
// few outer iterations still spread over the threads.
// CHECK-LABEL: llvm.func internal @__hybrid_parallel_2(
// CHECK: scf.for %[[L:.*]] = %{{.*}} to %{{.*}} step
// CHECK: arith.remui %[[L]]
// CHECK: arith.divui %[[L]]
// CHECK-LABEL: func.func @tiny_rows(
// CHECK: llvm.call @__hybrid_parallel_for
// CHECK-LABEL: llvm.func internal @__hybrid_parallel_3(
// CHECK: scf.for %[[L2:.*]] = %{{.*}} to %{{.*}} step
// CHECK: arith.remui %[[L2]]
// CHECK: arith.divui %[[L2]]
// CHECK: scf.for
// CHECK-LABEL: func.func @heavy_short_rows(
// CHECK: llvm.call @__hybrid_parallel_for
func.func @tiny_rows(%y: memref<4096x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4096 = arith.constant 4096 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4096, %c2) step (%c1, %c1) {
    memref.store %one, %y[%i, %j] : memref<4096x2xf32>
    scf.reduce
  }
  return
}
func.func @heavy_short_rows(%y: memref<2x8x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %c128 = arith.constant 128 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c2, %c8) step (%c1, %c1) {
    scf.for %t = %c0 to %c128 step %c1 {
      memref.store %one, %y[%i, %j, %t] : memref<2x8x128xf32>
    }
    scf.reduce
  }
  return
}

// A loop whose static work is below min-work stays a loop, and so do nested
// parallel loops and loops with reductions.
// CHECK-LABEL: func.func @small
// CHECK: scf.parallel
// CHECK-NOT: llvm.call @__hybrid_parallel_for
func.func @small(%y: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    memref.store %one, %y[%i] : memref<16xf32>
    scf.reduce
  }
  return
}

// CHECK-LABEL: func.func @reduction
// CHECK: scf.parallel
// CHECK: scf.reduce
// CHECK-NOT: llvm.call @__hybrid_parallel_for
func.func @reduction(%x: memref<100000xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cn = arith.constant 100000 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.parallel (%i) = (%c0) to (%cn) step (%c1) init (%zero) -> f32 {
    %v = memref.load %x[%i] : memref<100000xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %sum : f32
}

// The whole module lowers to the LLVM dialect: the casts of the captured
// descriptors meet the conversions' and vanish.
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.func internal @__hybrid_parallel_0(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// LLVM: llvm.call @__hybrid_parallel_for
// LLVM: llvm.func @__hybrid_parallel_for(!llvm.ptr, !llvm.ptr, i64, i64)
