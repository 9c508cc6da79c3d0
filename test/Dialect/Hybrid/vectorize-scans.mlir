// RUN: hybrid-opt %s --split-input-file --hybrid-vectorize-scans --cse | FileCheck %s
// RUN: hybrid-opt %s --split-input-file --hybrid-vectorize-scans="lanes=8" --cse | FileCheck %s --check-prefix=LANES8
// RUN: not hybrid-opt %s --split-input-file --hybrid-vectorize-scans="lanes=0" 2>&1 | FileCheck %s --check-prefix=OPTS

// OPTS: hybrid-vectorize-scans: lanes must be in [1, 64], got 0

// Mamba-1's scan (P = 1, A [H, N], one group), every optional operand: one
// parallel loop over (batch, block of 16 channels); per block A's rows are
// transposed into an [N x 16] stack array and the state starts from
// initial_state (0 in masked-off lanes); each step loads dt, x and z as
// masked vectors over the channels (x, z and y through [B, L, H] views
// without the unit P dim), updates the N state vectors, sums C * s, adds
// D * x, gates with silu(z) and stores y masked; the final state is written
// lane by lane. The stack is released per block.
// CHECK-LABEL: func.func @mamba1
// CHECK-SAME: (%[[X:[^:]*]]: memref<?x?x37x1xf32>, %[[DT:[^:]*]]: memref<?x?x37xf32>, %[[A:[^:]*]]: memref<37x5xf32>, %[[B:[^:]*]]: memref<?x?x1x5xf32>, %[[C:[^:]*]]: memref<?x?x1x5xf32>, %[[D:[^:]*]]: memref<37xf32>, %[[Z:[^:]*]]: memref<?x?x37x1xf32>, %[[BIAS:[^:]*]]: memref<37xf32>, %[[S0:[^:]*]]: memref<?x37x1x5xf32>, %[[Y:[^:]*]]: memref<?x?x37x1xf32>, %[[S:[^:]*]]: memref<?x37x1x5xf32>)
// CHECK-NOT: hybrid.ssm_scan
// CHECK-DAG: %[[X3:.*]] = memref.subview %[[X]][0, 0, 0, 0] [%{{.*}}, %{{.*}}, 37, 1] [1, 1, 1, 1] : memref<?x?x37x1xf32> to memref<?x?x37xf32, strided<[?, 37, 1]>>
// CHECK-DAG: %[[Y3:.*]] = memref.subview %[[Y]][0, 0, 0, 0]
// CHECK-DAG: %[[Z3:.*]] = memref.subview %[[Z]][0, 0, 0, 0]
// CHECK: scf.parallel (%[[BI:.*]], %[[BLK:.*]]) = (%c0, %c0) to (%{{.*}}, %{{.*}}) step (%c1, %c1)
// CHECK: %[[H0:.*]] = arith.muli %[[BLK]], %c16
// CHECK: %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK: %[[SP:.*]] = llvm.intr.stacksave
// CHECK: %[[AT:.*]] = memref.alloca(%{{.*}}) : memref<?x16xf32>
// CHECK: %[[ST:.*]] = memref.alloca(%{{.*}}) : memref<?x16xf32>
// CHECK: memref.load %[[A]]
// CHECK: memref.load %[[S0]]
// CHECK: %[[BV:.*]] = vector.maskedload %[[BIAS]][%[[H0]]], %[[MASK]]
// CHECK: %[[DV:.*]] = vector.maskedload %[[D]][%[[H0]]], %[[MASK]]
// CHECK: scf.for %[[T:.*]] = %c0 to %{{.*}} step %c1
// CHECK: %[[DT0:.*]] = vector.maskedload %[[DT]][%[[BI]], %[[T]], %[[H0]]], %[[MASK]]
// CHECK: arith.addf %[[DT0]], %[[BV]] : vector<16xf32>
// CHECK: math.log1p {{.*}} : vector<16xf32>
// CHECK: %[[XV:.*]] = vector.maskedload %[[X3]][%[[BI]], %[[T]], %[[H0]]], %[[MASK]]
// CHECK: %[[SUM:.*]] = scf.for %[[N:.*]] = %c0 to %{{.*}} step %c1 iter_args(%[[ACC:.*]] = %{{.*}}) -> (vector<16xf32>)
// CHECK: vector.load %[[ST]][%[[N]], %c0]
// CHECK: memref.load %[[B]][%[[BI]], %[[T]], %c0, %[[N]]]
// CHECK: memref.load %[[C]][%[[BI]], %[[T]], %c0, %[[N]]]
// CHECK: vector.load %[[AT]][%[[N]], %c0] : memref<?x16xf32>, vector<16xf32>
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: vector.store %{{.*}}, %[[ST]][%[[N]], %c0]
// CHECK: scf.yield
// CHECK: arith.mulf %[[DV]], %[[XV]]
// CHECK: vector.maskedload %[[Z3]]
// CHECK: vector.maskedstore %[[Y3]][%[[BI]], %[[T]], %[[H0]]], %[[MASK]]
// CHECK: memref.store %{{.*}}, %[[S]][%[[BI]], %{{.*}}, %c0, %{{.*}}]
// CHECK: llvm.intr.stackrestore %[[SP]]
// LANES8-LABEL: func.func @mamba1
// LANES8: vector.create_mask %{{.*}} : vector<8xi1>
func.func @mamba1(%x: memref<?x?x37x1xf32>, %dt: memref<?x?x37xf32>, %a: memref<37x5xf32>,
                  %b: memref<?x?x1x5xf32>, %c: memref<?x?x1x5xf32>, %d: memref<37xf32>,
                  %z: memref<?x?x37x1xf32>, %bias: memref<37xf32>, %s0: memref<?x37x1x5xf32>,
                  %y: memref<?x?x37x1xf32>, %s: memref<?x37x1x5xf32>) {
  hybrid.ssm_scan ins(%x, %dt, %a, %b, %c : memref<?x?x37x1xf32>, memref<?x?x37xf32>, memref<37x5xf32>, memref<?x?x1x5xf32>, memref<?x?x1x5xf32>)
    D(%d : memref<37xf32>) z(%z : memref<?x?x37x1xf32>) dt_bias(%bias : memref<37xf32>) initial_state(%s0 : memref<?x37x1x5xf32>)
    outs(%y, %s : memref<?x?x37x1xf32>, memref<?x37x1x5xf32>) {dt_softplus}
  return
}

// -----

// Mamba-2's heads (P = 32 channels per head, A [H], G = 3 groups, D [H], z):
// one parallel loop over (batch, H * 32 / 16 blocks); block blk is head
// blk / 2, channels (blk % 2) * 16 .. + 16, group head / (H / G). Per step dt,
// dt_bias, D and A are the head's scalars broadcast to the lanes, the decay
// exp(delta * A) is computed once for all N states, x, z and y are plain
// vector loads and stores along P, and the state starts from initial_state
// [B, H, P, N] lane by lane.
// CHECK-LABEL: func.func @mamba2
// CHECK-SAME: (%[[X:[^:]*]]: memref<?x?x6x32xf32>, %[[DT:[^:]*]]: memref<?x?x6xf32>, %[[A:[^:]*]]: memref<6xf32>, %[[B:[^:]*]]: memref<?x?x3x5xf32>, %[[C:[^:]*]]: memref<?x?x3x5xf32>, %[[D:[^:]*]]: memref<6xf32>, %[[Z:[^:]*]]: memref<?x?x6x32xf32>, %[[BIAS:[^:]*]]: memref<6xf32>, %[[S0:[^:]*]]: memref<?x6x32x5xf32>, %[[Y:[^:]*]]: memref<?x?x6x32xf32>, %[[S:[^:]*]]: memref<?x6x32x5xf32>)
// CHECK-NOT: hybrid.ssm_scan
// CHECK: scf.parallel (%[[BI:.*]], %[[BLK:.*]]) = (%c0, %c0) to (%{{.*}}, %{{.*}}) step (%c1, %c1)
// CHECK: %[[H:.*]] = arith.divui %[[BLK]], %c2
// CHECK: %[[R:.*]] = arith.remui %[[BLK]], %c2
// CHECK: %[[P0:.*]] = arith.muli %[[R]], %c16
// CHECK: %[[HPG:.*]] = arith.divui %{{.*}}, %{{.*}}
// CHECK: %[[G:.*]] = arith.divui %[[H]], %[[HPG]]
// CHECK: %[[ST:.*]] = memref.alloca(%{{.*}}) : memref<?x16xf32>
// CHECK: memref.load %[[S0]][%[[BI]], %[[H]], %{{.*}}, %{{.*}}]
// CHECK: memref.load %[[BIAS]][%[[H]]]
// CHECK: memref.load %[[D]][%[[H]]]
// CHECK: memref.load %[[A]][%[[H]]]
// CHECK: scf.for %[[T:.*]] = %c0 to %{{.*}} step %c1
// CHECK: memref.load %[[DT]][%[[BI]], %[[T]], %[[H]]]
// CHECK: %[[XV:.*]] = vector.load %[[X]][%[[BI]], %[[T]], %[[H]], %[[P0]]] : memref<?x?x6x32xf32>, vector<16xf32>
// CHECK: %[[DECAY:.*]] = math.exp %{{.*}} : vector<16xf32>
// CHECK: scf.for %[[N:.*]] = %c0 to %{{.*}} step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<16xf32>)
// CHECK: memref.load %[[B]][%[[BI]], %[[T]], %[[G]], %[[N]]]
// CHECK: memref.load %[[C]][%[[BI]], %[[T]], %[[G]], %[[N]]]
// CHECK-NOT: math.exp
// CHECK: arith.mulf %[[DECAY]], %{{.*}} : vector<16xf32>
// CHECK: scf.yield
// CHECK: vector.load %[[Z]][%[[BI]], %[[T]], %[[H]], %[[P0]]]
// CHECK: vector.store %{{.*}}, %[[Y]][%[[BI]], %[[T]], %[[H]], %[[P0]]]
// CHECK: memref.store %{{.*}}, %[[S]][%[[BI]], %[[H]], %{{.*}}, %{{.*}}]
// LANES8-LABEL: func.func @mamba2
// LANES8: arith.divui %{{.*}}, %c4
// LANES8: vector.load {{.*}} : memref<?x?x6x32xf32>, vector<8xf32>
func.func @mamba2(%x: memref<?x?x6x32xf32>, %dt: memref<?x?x6xf32>, %a: memref<6xf32>,
                  %b: memref<?x?x3x5xf32>, %c: memref<?x?x3x5xf32>, %d: memref<6xf32>,
                  %z: memref<?x?x6x32xf32>, %bias: memref<6xf32>, %s0: memref<?x6x32x5xf32>,
                  %y: memref<?x?x6x32xf32>, %s: memref<?x6x32x5xf32>) {
  hybrid.ssm_scan ins(%x, %dt, %a, %b, %c : memref<?x?x6x32xf32>, memref<?x?x6xf32>, memref<6xf32>, memref<?x?x3x5xf32>, memref<?x?x3x5xf32>)
    D(%d : memref<6xf32>) z(%z : memref<?x?x6x32xf32>) dt_bias(%bias : memref<6xf32>) initial_state(%s0 : memref<?x6x32x5xf32>)
    outs(%y, %s : memref<?x?x6x32xf32>, memref<?x6x32x5xf32>) {dt_softplus}
  return
}

// -----

// Heads of P = 4 channels (not a multiple of the lanes) keep the scalar loops.
// CHECK-LABEL: func.func @multi_channel_heads
// CHECK: hybrid.ssm_scan
func.func @multi_channel_heads(%x: memref<1x8x2x4xf32>, %dt: memref<1x8x2xf32>, %a: memref<2xf32>, %b: memref<1x8x1x3xf32>,
                               %y: memref<1x8x2x4xf32>, %s: memref<1x2x4x3xf32>) {
  hybrid.ssm_scan ins(%x, %dt, %a, %b, %b : memref<1x8x2x4xf32>, memref<1x8x2xf32>, memref<2xf32>, memref<1x8x1x3xf32>, memref<1x8x1x3xf32>)
    outs(%y, %s : memref<1x8x2x4xf32>, memref<1x2x4x3xf32>) {dt_softplus}
  return
}

// -----

// Channels not contiguous in x (a strided view along H), a head's channels
// not contiguous (strided along P), and f16 operands keep the scalar loops.
// CHECK-LABEL: func.func @strided_channels
// CHECK: hybrid.ssm_scan
// CHECK-LABEL: func.func @strided_heads
// CHECK: hybrid.ssm_scan
// CHECK-LABEL: func.func @f16
// CHECK: hybrid.ssm_scan
func.func @strided_channels(%x: memref<1x8x4x1xf32, strided<[64, 8, 2, 1]>>, %dt: memref<1x8x4xf32>, %a: memref<4x3xf32>,
                            %b: memref<1x8x1x3xf32>, %y: memref<1x8x4x1xf32>, %s: memref<1x4x1x3xf32>) {
  hybrid.ssm_scan ins(%x, %dt, %a, %b, %b : memref<1x8x4x1xf32, strided<[64, 8, 2, 1]>>, memref<1x8x4xf32>, memref<4x3xf32>, memref<1x8x1x3xf32>, memref<1x8x1x3xf32>)
    outs(%y, %s : memref<1x8x4x1xf32>, memref<1x4x1x3xf32>) {dt_softplus}
  return
}
func.func @strided_heads(%x: memref<1x8x2x16xf32, strided<[512, 64, 32, 2]>>, %dt: memref<1x8x2xf32>, %a: memref<2xf32>,
                         %b: memref<1x8x1x3xf32>, %y: memref<1x8x2x16xf32>, %s: memref<1x2x16x3xf32>) {
  hybrid.ssm_scan ins(%x, %dt, %a, %b, %b : memref<1x8x2x16xf32, strided<[512, 64, 32, 2]>>, memref<1x8x2xf32>, memref<2xf32>, memref<1x8x1x3xf32>, memref<1x8x1x3xf32>)
    outs(%y, %s : memref<1x8x2x16xf32>, memref<1x2x16x3xf32>) {dt_softplus}
  return
}
func.func @f16(%x: memref<1x8x4x1xf16>, %dt: memref<1x8x4xf16>, %a: memref<4x3xf16>,
               %b: memref<1x8x1x3xf16>, %y: memref<1x8x4x1xf16>, %s: memref<1x4x1x3xf16>) {
  hybrid.ssm_scan ins(%x, %dt, %a, %b, %b : memref<1x8x4x1xf16>, memref<1x8x4xf16>, memref<4x3xf16>, memref<1x8x1x3xf16>, memref<1x8x1x3xf16>)
    outs(%y, %s : memref<1x8x4x1xf16>, memref<1x4x1x3xf16>) {dt_softplus}
  return
}

// -----

// Gated DeltaNet's recurrence (hybrid.linear_attention gated_delta) with
// Dv = 32 and two query heads per kv head: one parallel loop over (batch, kv
// head, block of 16 state columns); per step the state rows are decayed by
// exp(decay) and S^T k accumulated in one pass, u = beta * (v - S^T k) is one
// vector over the block's columns, every row gets k[i] * u, and each query
// head's output block is scale * sum_i S[i] * q[i], stored as one vector.
// CHECK-LABEL: func.func @gated_delta
// CHECK-SAME: (%[[Q:[^:]*]]: memref<?x?x4x3xf32>, %[[K:[^:]*]]: memref<?x?x2x3xf32>, %[[V:[^:]*]]: memref<?x?x2x32xf32>, %[[G:[^:]*]]: memref<?x?x2xf32>, %[[BETA:[^:]*]]: memref<?x?x2xf32>, %[[S0:[^:]*]]: memref<?x2x3x32xf32>, %[[O:[^:]*]]: memref<?x?x4x32xf32>, %[[S:[^:]*]]: memref<?x2x3x32xf32>)
// CHECK-NOT: hybrid.linear_attention
// CHECK: scf.parallel (%[[BI:.*]], %[[HK:.*]], %[[CB:.*]]) = (%c0, %c0, %c0) to (%{{.*}}, %c2, %c2) step (%c1, %c1, %c1)
// CHECK: %[[COL:.*]] = arith.muli %[[CB]], %c16
// CHECK: %[[ST:.*]] = memref.alloca(%{{.*}}) : memref<?x16xf32>
// CHECK: memref.load %[[S0]][%[[BI]], %[[HK]], %{{.*}}, %{{.*}}]
// CHECK: scf.for %[[T:.*]] = %c0 to %{{.*}} step %c1
// CHECK: %[[GS:.*]] = memref.load %[[G]][%[[BI]], %[[T]], %[[HK]]]
// CHECK: %[[GV:.*]] = vector.broadcast %[[GS]]
// CHECK: %[[F:.*]] = math.exp %[[GV]] : vector<16xf32>
// CHECK: %[[PRED:.*]] = scf.for %[[I:.*]] = %c0 to %{{.*}} step %c1 iter_args(%{{.*}}) -> (vector<16xf32>)
// CHECK: arith.mulf %[[F]], %{{.*}} : vector<16xf32>
// CHECK: memref.load %[[K]][%[[BI]], %[[T]], %[[HK]], %[[I]]]
// CHECK: %[[VV:.*]] = vector.load %[[V]][%[[BI]], %[[T]], %[[HK]], %[[COL]]] : memref<?x?x2x32xf32>, vector<16xf32>
// CHECK: memref.load %[[BETA]][%[[BI]], %[[T]], %[[HK]]]
// CHECK: arith.subf %[[VV]], %[[PRED]]
// CHECK: scf.for
// CHECK: vector.store %{{.*}}, %[[ST]]
// CHECK: scf.for {{.*}} -> (vector<16xf32>)
// CHECK: memref.load %[[Q]]
// CHECK: vector.store %{{.*}}, %[[O]][%[[BI]], %[[T]], %{{.*}}, %[[COL]]]
// CHECK: scf.for {{.*}} -> (vector<16xf32>)
// CHECK: vector.store %{{.*}}, %[[O]][%[[BI]], %[[T]], %{{.*}}, %[[COL]]]
// CHECK: memref.store %{{.*}}, %[[S]][%[[BI]], %[[HK]], %{{.*}}, %{{.*}}]
// LANES8-LABEL: func.func @gated_delta
// LANES8: scf.parallel {{.*}} to (%{{.*}}, %c2, %c4)
func.func @gated_delta(%q: memref<?x?x4x3xf32>, %k: memref<?x?x2x3xf32>, %v: memref<?x?x2x32xf32>,
                       %g: memref<?x?x2xf32>, %beta: memref<?x?x2xf32>, %s0: memref<?x2x3x32xf32>,
                       %o: memref<?x?x4x32xf32>, %s: memref<?x2x3x32xf32>) {
  hybrid.linear_attention gated_delta ins(%q, %k, %v : memref<?x?x4x3xf32>, memref<?x?x2x3xf32>, memref<?x?x2x32xf32>)
    decay(%g : memref<?x?x2xf32>) beta(%beta : memref<?x?x2xf32>) initial_state(%s0 : memref<?x2x3x32xf32>)
    outs(%o, %s : memref<?x?x4x32xf32>, memref<?x2x3x32xf32>) {scale = 5.000000e-01 : f32}
  return
}

// -----

// Dv = 12 (not a multiple of the lanes) keeps the scalar loops.
// CHECK-LABEL: func.func @narrow_columns
// CHECK: hybrid.linear_attention
func.func @narrow_columns(%q: memref<1x4x2x3xf32>, %v: memref<1x4x2x12xf32>, %o: memref<1x4x2x12xf32>, %s: memref<1x2x3x12xf32>) {
  hybrid.linear_attention linear ins(%q, %q, %v : memref<1x4x2x3xf32>, memref<1x4x2x3xf32>, memref<1x4x2x12xf32>)
    outs(%o, %s : memref<1x4x2x12xf32>, memref<1x2x3x12xf32>)
  return
}

// -----

// hybrid.causal_conv1d (K = 4, SiLU, bias and initial state): one parallel
// loop over (batch, channel); the first K-1 outputs read the state and stay
// scalar, the rest run 16 time steps at a time from x alone (masked at the
// end), bias first and then w[j] * x[t0 + j - 3 ..] for j in order; the final
// state is written after every output.
// CHECK-LABEL: func.func @causal_conv
// CHECK-SAME: (%[[X:[^:]*]]: memref<?x?x?xf32>, %[[W:[^:]*]]: memref<?x4xf32>, %[[BIAS:[^:]*]]: memref<?xf32>, %[[S0:[^:]*]]: memref<?x?x3xf32>, %[[Y:[^:]*]]: memref<?x?x?xf32>, %[[S:[^:]*]]: memref<?x?x3xf32>)
// CHECK-NOT: hybrid.causal_conv1d
// CHECK: %[[HIST:.*]] = arith.subi %{{.*}}, %c1
// CHECK: scf.parallel (%[[BI:.*]], %[[C:.*]]) = (%c0, %c0) to (%{{.*}}, %{{.*}}) step (%c1, %c1)
// CHECK: %[[B0:.*]] = memref.load %[[BIAS]][%[[C]]]
// CHECK: scf.for
// CHECK: memref.load %[[S0]]
// CHECK: memref.store %{{.*}}, %[[Y]]
// CHECK: scf.for %[[T0:.*]] = %[[HIST]] to %[[L:.*]] step %c16
// CHECK: %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK: %[[ACC:.*]] = scf.for %[[J:.*]] = %c0 to %{{.*}} step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<16xf32>)
// CHECK: vector.maskedload %[[X]][%[[BI]], %[[C]], %{{.*}}], %[[MASK]]
// CHECK: memref.load %[[W]][%[[C]], %[[J]]]
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: vector.maskedstore %[[Y]][%[[BI]], %[[C]], %[[T0]]], %[[MASK]]
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[S]][%[[BI]], %[[C]], %{{.*}}]
func.func @causal_conv(%x: memref<?x?x?xf32>, %w: memref<?x4xf32>, %bias: memref<?xf32>, %s0: memref<?x?x3xf32>,
                       %y: memref<?x?x?xf32>, %s: memref<?x?x3xf32>) {
  hybrid.causal_conv1d silu ins(%x, %w : memref<?x?x?xf32>, memref<?x4xf32>) bias(%bias : memref<?xf32>)
    initial_state(%s0 : memref<?x?x3xf32>) outs(%y, %s : memref<?x?x?xf32>, memref<?x?x3xf32>)
  return
}

// -----

// rms_norm's rows: one parallel loop over the rows; per group of 20 columns,
// the sum of squares in 16 lanes (a whole vector, then the 4 left under a
// mask), one horizontal add, 1 / sqrt(mean + eps), then the scaled, gated
// row, whole vectors then the masked tail.
// CHECK-LABEL: func.func @rms_norm_rows
// CHECK-SAME: (%[[X:[^:]*]]: memref<?x40xf32>, %[[W:[^:]*]]: memref<40xf32>, %[[Z:[^:]*]]: memref<?x40xf32>, %[[Y:[^:]*]]: memref<?x40xf32>)
// CHECK-NOT: hybrid.rms_norm ins
// CHECK: cf.assert %{{.*}}, "hybrid.rms_norm: group_size must divide the normalized dim"
// CHECK: scf.parallel (%[[R:.*]]) =
// CHECK: scf.for %[[G:.*]] =
// CHECK: %[[PART:.*]] = scf.for %{{.*}} iter_args(%{{.*}}) -> (vector<16xf32>)
// CHECK:   vector.load %[[X]][%[[R]], %{{.*}}] : memref<?x40xf32>, vector<16xf32>
// CHECK: %[[ALL:.*]] = scf.if %{{.*}} -> (vector<16xf32>)
// CHECK:   vector.create_mask %{{.*}} : vector<16xi1>
// CHECK:   vector.maskedload %[[X]]
// CHECK: vector.reduction <add>, %[[ALL]] : vector<16xf32> into f32
// CHECK: math.sqrt
// CHECK: scf.for
// CHECK:   vector.load %[[X]]
// CHECK:   vector.load %[[W]]
// CHECK:   vector.load %[[Z]]
// CHECK:   math.exp
// CHECK:   vector.store %{{.*}}, %[[Y]][%[[R]], %{{.*}}]
// CHECK: scf.if
// CHECK:   vector.maskedstore %[[Y]]
func.func @rms_norm_rows(%x: memref<?x40xf32>, %w: memref<40xf32>, %z: memref<?x40xf32>, %y: memref<?x40xf32>) {
  hybrid.rms_norm ins(%x, %w : memref<?x40xf32>, memref<40xf32>) gate(%z : memref<?x40xf32>)
      outs(%y : memref<?x40xf32>) {epsilon = 1.0e-05 : f32, group_size = 20 : i64}
  return
}

// -----

// The half-rotated rotary: one parallel loop over (b, h, s); 8 pairs, so
// 8-lane vectors: x[i..] and x[8 + i..] against cos and sin (their batch 1
// broadcast), then the pass-through channels (none here, under the tail's if).
// CHECK-LABEL: func.func @rotary_rows
// CHECK-SAME: (%[[X:[^:]*]]: memref<?x2x?x16xf32>, %[[C:[^:]*]]: memref<1x?x8xf32>, %[[S:[^:]*]]: memref<1x?x8xf32>, %[[Y:[^:]*]]: memref<?x2x?x16xf32>)
// CHECK-NOT: hybrid.rotary ins
// CHECK: scf.parallel (%[[B:.*]], %[[H:.*]], %[[T:.*]]) =
// CHECK: scf.for
// CHECK:   vector.load %[[C]][%{{.*}}, %[[T]], %{{.*}}] : memref<1x?x8xf32>, vector<8xf32>
// CHECK:   vector.load %[[S]][%{{.*}}, %[[T]], %{{.*}}] : memref<1x?x8xf32>, vector<8xf32>
// CHECK:   %[[X0:.*]] = vector.load %[[X]][%[[B]], %[[H]], %[[T]], %{{.*}}] : memref<?x2x?x16xf32>, vector<8xf32>
// CHECK:   %[[X1:.*]] = vector.load %[[X]][%[[B]], %[[H]], %[[T]], %{{.*}}] : memref<?x2x?x16xf32>, vector<8xf32>
// CHECK:   arith.subf
// CHECK:   vector.store %{{.*}}, %[[Y]]
// CHECK:   arith.addf
// CHECK:   vector.store %{{.*}}, %[[Y]]
func.func @rotary_rows(%x: memref<?x2x?x16xf32>, %c: memref<1x?x8xf32>, %s: memref<1x?x8xf32>, %y: memref<?x2x?x16xf32>) {
  hybrid.rotary ins(%x, %c, %s : memref<?x2x?x16xf32>, memref<1x?x8xf32>, memref<1x?x8xf32>)
      outs(%y : memref<?x2x?x16xf32>)
  return
}

// -----

// Left scalar: the interleaved rotary (pairs are not contiguous) and an
// rms_norm over a strided row.
// CHECK-LABEL: func.func @rows_not_vectorized
// CHECK: hybrid.rotary
// CHECK: hybrid.rms_norm
func.func @rows_not_vectorized(%x: memref<1x2x3x8xf32>, %c: memref<1x3x4xf32>, %y: memref<1x2x3x8xf32>,
                               %t: memref<4x8xf32, strided<[1, 4]>>, %w: memref<8xf32>, %o: memref<4x8xf32>) {
  hybrid.rotary ins(%x, %c, %c : memref<1x2x3x8xf32>, memref<1x3x4xf32>, memref<1x3x4xf32>)
      outs(%y : memref<1x2x3x8xf32>) {interleaved}
  hybrid.rms_norm ins(%t, %w : memref<4x8xf32, strided<[1, 4]>>, memref<8xf32>) outs(%o : memref<4x8xf32>)
  return
}
