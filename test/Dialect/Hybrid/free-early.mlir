// RUN: hybrid-opt %s --pass-pipeline='builtin.module(func.func(hybrid-free-early))' --split-input-file | FileCheck %s

// A buffer's dealloc moves from the end of the block to just after the last
// op that uses it or a view of it.
// CHECK-LABEL: func.func @early
// CHECK: %[[A:.*]] = memref.alloc() : memref<64xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[A]] : memref<64xf32>)
// CHECK: %[[V:.*]] = memref.subview %[[A]][0] [32] [1]
// CHECK: memref.copy %[[V]], %{{.*}}
// CHECK-NEXT: memref.dealloc %[[A]] : memref<64xf32>
// CHECK-NEXT: %[[B:.*]] = memref.alloc() : memref<32xf32>
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: memref.copy %[[B]], %arg1
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NEXT: return
func.func @early(%arg0: memref<32xf32>, %arg1: memref<32xf32>) {
  %c = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<64xf32>
  linalg.fill ins(%c : f32) outs(%a : memref<64xf32>)
  %v = memref.subview %a[0] [32] [1] : memref<64xf32> to memref<32xf32, strided<[1]>>
  memref.copy %v, %arg0 : memref<32xf32, strided<[1]>> to memref<32xf32>
  %b = memref.alloc() : memref<32xf32>
  linalg.fill ins(%c : f32) outs(%b : memref<32xf32>)
  memref.copy %b, %arg1 : memref<32xf32> to memref<32xf32>
  memref.dealloc %a : memref<64xf32>
  memref.dealloc %b : memref<32xf32>
  return
}

// -----

// A use inside a loop keeps the buffer until after the whole loop.
// CHECK-LABEL: func.func @loop
// CHECK: scf.for
// CHECK: memref.load %[[A:.*]][
// CHECK: }
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: arith.addf
func.func @loop(%n: index, %x: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc() : memref<4xf32>
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x) -> f32 {
    %e = memref.load %a[%c0] : memref<4xf32>
    %r = arith.addf %acc, %e : f32
    scf.yield %r : f32
  }
  %t = arith.addf %s, %x : f32
  memref.dealloc %a : memref<4xf32>
  return %t : f32
}

// -----

// A near miss: a buffer whose view is returned keeps its dealloc where it
// is.
// CHECK-LABEL: func.func @escapes
// CHECK: memref.cast
// CHECK-NEXT: arith.constant
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: return
func.func @escapes() -> memref<?xf32> {
  %a = memref.alloc() : memref<4xf32>
  %c = memref.cast %a : memref<4xf32> to memref<?xf32>
  %k = arith.constant 0 : index
  memref.dealloc %a : memref<4xf32>
  return %c : memref<?xf32>
}
