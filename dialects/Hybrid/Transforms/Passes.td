//===- Passes.td - hybrid dialect passes -------------------*- tablegen -*-===//
#ifndef HYBRID_TRANSFORMS_PASSES_TD
#define HYBRID_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def HybridLowerToLoopsPass : Pass<"hybrid-lower-to-loops"> {
  let summary = "Lower hybrid ops on memrefs to scf loops (the reference lowering)";
  let description = [{
    Replaces every hybrid op with buffer semantics by `scf.for` loops over its
    iteration domain around its scalar implementation
    (`TilingInterface::generateScalarImplementation`). This is the reference
    lowering every faster lowering is checked against. Ops still on tensors are
    left alone (bufferize first).

    Before:

    ```mlir
    hybrid.rms_norm ins(%x, %w : memref<4x64xf32>, memref<64xf32>)
                    outs(%y : memref<4x64xf32>)
    ```

    After (abridged):

    ```mlir
    scf.for %i = %c0 to %c4 step %c1 {
      ... // sum of squares, rsqrt, scale by the weight
    }
    ```
  }];
  let options = [
    Option<"parallel", "parallel", "bool", /*default=*/"false",
           "Iterate the (all-parallel) iteration domain with one scf.parallel "
           "instead of scf.for loops">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::cf::ControlFlowDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def HybridInstrumentKernelsPass : Pass<"hybrid-instrument-kernels", "::mlir::ModuleOp"> {
  let summary = "Bracket every kernel with calls the runtime's profiler hooks into";
  let description = [{
    A kernel is an op at the top level of a function body that becomes a loop
    nest: a linalg op, a hybrid op, a `memref.copy`, or an `scf` loop or `if`
    (a whole ONNX Loop, Scan or If is one kernel). Each gets
    `func.call @__hybrid_kernel_begin(%id)` before it and
    `func.call @__hybrid_kernel_end(%id)` after it, and the module records the
    kernels' names (`"<op> <ONNX node>"`, the node from the op's location) in
    the `hybrid.kernels` attribute. The CPU target turns the attribute into the
    library's kernel table and gives the two functions bodies that call the
    runtime's profiler when one is attached to the call (hybrid/abi.h), so a
    call without a profiler pays one thread-local load and branch per kernel.

    ```mlir
    linalg.matmul ins(%a, %b : ...) outs(%c : ...)   // loc("/layers.0/MatMul")
    // becomes
    %c0_i32 = arith.constant 0 : i32
    func.call @__hybrid_kernel_begin(%c0_i32) : (i32) -> ()
    linalg.matmul ins(%a, %b : ...) outs(%c : ...)
    func.call @__hybrid_kernel_end(%c0_i32) : (i32) -> ()
    // module attributes {hybrid.kernels = ["linalg.matmul /layers.0/MatMul"]}
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::func::FuncDialect"];
}

def HybridOutlineParallelLoopsPass
    : Pass<"hybrid-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Run the outermost scf.parallel loops on the runtime's thread pool";
  let description = [{
    Every outermost `scf.parallel` without reductions (what
    `convert-linalg-to-parallel-loops` and `hybrid-lower-to-loops{parallel}`
    write) whose work is large enough is outlined into a task,
    `llvm.func internal @__hybrid_parallel_N(%ctx: !llvm.ptr, %begin: i64,
    %end: i64)`, that runs the linearised iterations [begin, end) of the
    outer dims; the last dim runs whole inside each iteration (a row LLVM
    vectorises) when it has 16 iterations or more, or 4 or more under a cheap
    body (64 operations or fewer: fills, copies, elementwise ops), and is
    linearised with the others otherwise. The values
    the body uses from above travel in a struct on the caller's stack (a
    memref as its LLVM descriptor), and the loop becomes

    ```mlir
    llvm.call @__hybrid_parallel_for(%task, %ctx, %n, %cost)
    ```

    which the CPU target defines: it hands the task to the runtime's
    `parallel_for` hook, or runs it whole on the calling thread when there is
    none. `%cost` is the estimated work of one iteration (operations, loops
    weighted by their trip counts); a loop whose total work is known and below
    `min-work` stays a plain loop.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"4096",
           "Loops with a static total work (iterations x cost) below this stay serial">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def HybridDecomposePadsPass : Pass<"hybrid-decompose-pads"> {
  let summary = "tensor.pad of a value from outside its body as linalg.fill and tensor.insert_slice";
  let description = [{
    Bufferization makes a `tensor.pad` an allocation, a `linalg.map` that
    evaluates the pad's body at every element and a copy into the interior.
    When the body yields a value defined outside it (a constant: the zero
    padding of a convolution) the pad is a `linalg.fill` of that value and a
    `tensor.insert_slice` of the source, which bufferize to a vectorised fill
    and a copy (upstream's `DecomposePadOpPattern`; a body that reads the
    indices becomes a `tensor.generate` and the same insertion). Runs on
    tensors, before bufferization, in the CPU pipeline.

    Then, when the source is the result of a linalg op that writes it into a
    `tensor.empty` (its body not reading it) and nothing else reads it but
    `tensor.dim`, that op writes into the padded tensor's interior instead:
    the fill (with its sizes) moves before the op, whose destination becomes
    a `tensor.extract_slice` of the fill at the insertion's offsets, so the
    insertion bufferizes to nothing (as upstream's `eliminate-empty-tensors`
    does once the fill comes first). A `tensor.dim` of the op's result
    becomes its empty tensor's size.

    ```mlir
    %p = tensor.pad %x low[0, 3] high[0, 3] { ^bb0(%i: index, %j: index):
      tensor.yield %zero : f32 } : tensor<4x8xf32> to tensor<4x14xf32>
    // becomes
    %e = tensor.empty() : tensor<4x14xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x14xf32>) -> tensor<4x14xf32>
    %p = tensor.insert_slice %x into %f[0, 3] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<4x14xf32>
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

def HybridUnshareDestinationsPass : Pass<"hybrid-unshare-destinations"> {
  let summary = "Give every destination use of a tensor.empty or tensor linalg.fill its own, right before its op";
  let description = [{
    CSE merges identical `tensor.empty` and `linalg.fill` ops: the zero fills
    of every MatMul of one shape become one, and so do the empty tensors of
    every op whose result has the shape of a transposed q. Bufferization then
    copies a shared fill into a fresh buffer for each op that writes it in
    place, and puts an op's result into the buffer of an earlier result on the
    same empty tensor once that one is dead. That reuse is what blocks
    `hybrid-fold-transposes` (the transposed q's buffer is written again by
    the attention, so its rotary cannot read q through a view), and the
    runtime's memory plan reuses memory anyway.

    This pass clones the fill, or the empty tensor, for each use as the
    destination of a destination-style op (`linalg`, `hybrid`,
    `tensor.insert_slice`, ...) right before that op, a cloned fill on an
    empty tensor of its own, and erases the original once nothing else uses
    it. Each user then bufferizes into a buffer of its own, a fill right
    before it, which `hybrid-vectorize-contractions` folds into the start
    value of its accumulators. Uses that only read the value keep the
    original. Runs on tensors, before bufferization.

    ```mlir
    %e = tensor.empty() : tensor<4x8xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
    %a = linalg.matmul ins(%x, %w : ...) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
    %b = linalg.matmul ins(%y, %w : ...) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
    // becomes
    %e0 = tensor.empty() : tensor<4x8xf32>
    %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4x8xf32>) -> tensor<4x8xf32>
    %a = linalg.matmul ins(%x, %w : ...) outs(%f0 : tensor<4x8xf32>) -> tensor<4x8xf32>
    %e1 = tensor.empty() : tensor<4x8xf32>
    %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4x8xf32>) -> tensor<4x8xf32>
    %b = linalg.matmul ins(%y, %w : ...) outs(%f1 : tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

def HybridExpandStridedCopiesPass : Pass<"hybrid-expand-strided-copies"> {
  let summary = "Rewrite memref.copy between non-contiguous buffers as linalg.copy";
  let description = [{
    The LLVM lowering of `memref.copy` turns a copy between buffers that are
    not both contiguous into a call to `memrefCopy`, a function of MLIR's
    C runner-utils library. Compiled models must not depend on that library
    (the runtime is MLIR-free), so such copies become `linalg.copy`, which the
    later linalg-to-loops lowering turns into plain loops. Copies between
    contiguous buffers stay `memref.copy` (a `memcpy`).

    ```mlir
    memref.copy %a, %b : memref<4x8xf32, strided<[16, 1]>> to memref<4x8xf32>
    // becomes
    linalg.copy ins(%a : memref<4x8xf32, strided<[16, 1]>>) outs(%b : memref<4x8xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def HybridFreeEarlyPass : Pass<"hybrid-free-early"> {
  let summary = "Move each buffer's dealloc right after the buffer's last use";
  let description = [{
    MLIR's ownership-based deallocation frees a buffer at the end of the block
    that allocated it, so in a model's entry function every intermediate
    buffer lives until the function returns: the peak memory is the sum of
    all of them, and no memory plan can reuse any. This pass moves an
    unconditional `memref.dealloc %a`, where `%a` is a `memref.alloc` of the
    same block, to just after the last op of that block that uses `%a` or
    any value that may alias it (`BufferViewFlowAnalysis`: views, casts,
    region and call results). A buffer that escapes the block (an alias used
    by its terminator, or used in another block) keeps its dealloc.

    ```mlir
    %a = memref.alloc() : memref<64xf32>
    linalg.fill ins(%c : f32) outs(%a : memref<64xf32>)
    linalg.copy ins(%a : memref<64xf32>) outs(%out : memref<64xf32>)
    ... long tail ...
    memref.dealloc %a : memref<64xf32>
    // becomes
    %a = memref.alloc() : memref<64xf32>
    linalg.fill ins(%c : f32) outs(%a : memref<64xf32>)
    linalg.copy ins(%a : memref<64xf32>) outs(%out : memref<64xf32>)
    memref.dealloc %a : memref<64xf32>
    ... long tail ...
    ```
  }];
}

def HybridTilePass : Pass<"hybrid-tile"> {
  let summary = "Tile hybrid ops with scf.for loops";
  let description = [{
    Tiles every hybrid op on tensors with `scf::tileUsingSCF` (scf.for loops
    over `tensor.extract_slice` / `tensor.insert_slice`), one tile size per
    iteration-domain dimension (0 leaves a dimension untiled; missing trailing
    sizes are 0). An op with an operand of static size 0 is left alone (there is
    nothing to tile). An op that cannot take the tile (a head tile that cuts a
    query group, for instance) is an error that says why.

    ```mlir
    // --hybrid-tile="tile-sizes=1,2"
    %o = hybrid.attention ins(...) outs(%init : tensor<2x4x8x16xf32>) -> ...
    // becomes two nested scf.for loops over batch and head tiles, each running
    // hybrid.attention on tensor<1x2x8x16xf32> slices.
    ```
  }];
  let options = [
    ListOption<"tileSizes", "tile-sizes", "int64_t",
               "Tile size per iteration-domain dimension (0 = untiled)">
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def HybridDecomposePass : Pass<"hybrid-decompose"> {
  let summary = "Decompose hybrid ops into linalg where that is their natural fallback";
  let description = [{
    Replaces every hybrid op on tensors that implements
    `AggregatedOpInterface` (attention, causal_conv1d, rms_norm, rotary) by its
    decomposition into `linalg.generic`, `linalg.fill`, `tensor` and `arith`
    ops. An op the decomposition does not cover (attention with dynamic head
    counts, for example) stays, with a remark saying why; its scalar
    implementation remains its fallback. Scans and MoE routing have no
    decomposition: they are sequential or data-dependent.

    Before:

    ```mlir
    %y = hybrid.rms_norm ins(%x, %w : tensor<4x64xf32>, tensor<64xf32>)
           outs(%init : tensor<4x64xf32>) -> tensor<4x64xf32>
    ```

    After (abridged):

    ```mlir
    %ss = linalg.generic {iterator_types = ["parallel", "parallel", "reduction"]} ...
    %y = linalg.generic {iterator_types = ["parallel", "parallel", "parallel"]} ...
    ```
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect"
  ];
}

def HybridVectorizeContractionsPass : Pass<"hybrid-vectorize-contractions"> {
  let summary = "Register-tiled vector code for float contractions on buffers";
  let description = [{
    Replaces every f32-accumulating multiply-add `linalg.generic` on buffers
    (MatMul, Gemm, Einsum, batch dims included, and convolutions; f16/bf16
    inputs widened) whose output is contiguous along its innermost dim n0
    with one `scf.parallel` over (column tile, other parallel dims, row
    block), each iteration running vector microkernels: `mr` rows x `nr`
    columns of accumulators kept in registers across every reduction dim, fed
    per step by the vector input (the one with exactly one index moving with
    n0 by a constant step: one vector load when it is contiguous; for a
    stride-2 to 4 convolution's image row, one masked load of nr x step
    elements and a shuffle of every step-th lane; lane by lane for a
    transposed B, larger steps and partial tiles) and broadcasts of the other
    (`vector.fma`). The rows are the dims only the broadcast input uses (a
    MatMul's M dims, linearised) when there are any, else those only the
    vector input uses (a depthwise convolution's batch and output rows,
    linearised). Constant f32 weights (the vector input is a constant
    `memref.global` read through views with a static layout, transposed or
    not) are packed at compile time, when the pass runs on the module (with
    `pack`): a new global of [column tiles, reduction extents..., `nr`]
    panels, zero past N, which every row block streams; the original goes
    when nothing else reads it. Otherwise a row block with two
    microkernels' rows or more first packs the vector input's panel into a
    contiguous stack buffer (static reduction extents, at most 128 KiB).
    Fewer static rows than `mr` (a matrix-vector product) widen the tile to
    `nr` x 2^j lanes, 2^j <= `mr` / rows, leaving four column tiles at
    least. A
    last partial column tile uses masked loads and stores; rows left over
    from the `mr`-row groups run in microkernels of 8, 4 and 2 rows (each at
    most once), then one at a time. When a `linalg.fill` of C comes just
    before (only the profiler's calls and side-effect-free ops between), the
    accumulators start from its value instead of loading C, and the fill is
    erased. With `epilogues`, an elementwise generic right after the
    contraction that reads C with an identity map (a bias Add, a GELU, a
    residual Add; only allocations, deallocations and side-effect-free ops
    between) is computed on the accumulators, its other operands loaded per
    row as vectors along n0 or as broadcast scalars, and stored into its own
    output: C is no longer written (unless something else reads it) and the
    elementwise kernel is gone. Its output must be a fresh buffer distinct
    from the contraction's inputs. Integer contractions and
    inputs read at, say, `n floordiv 2` are left for the loop lowering.

    ```mlir
    linalg.generic {indexing_maps = [(m, n, k) -> (m, k), (m, n, k) -> (k, n),
                                     (m, n, k) -> (m, n)], ...}
        ins(%a, %b : memref<?x64xf32>, memref<64x256xf32>) outs(%c : memref<?x256xf32>)
    // becomes
    scf.parallel (%t) = (%c0) to (%tiles) step (%c1) {
      ... scf.for %k = %c0 to %c64 step %c1 iter_args(%acc0 = ..., ...) {
            %b = vector.load %b[%k, %n] : memref<64x256xf32>, vector<16xf32>
            %a0 = memref.load %a[%m, %k] ...
            %s0 = vector.broadcast %a0 : f32 to vector<16xf32>
            %f0 = vector.fma %s0, %b, %acc0 : vector<16xf32>
            ...
    }
    ```
  }];
  let options = [
    Option<"mr", "mr", "int64_t", /*default=*/"6", "Rows per microkernel">,
    Option<"nr", "nr", "int64_t", /*default=*/"16",
           "Columns per microkernel (the vector length)">,
    Option<"mb", "mb", "int64_t", /*default=*/"48",
           "Rows per parallel iteration (at least mr)">,
    Option<"epilogues", "epilogues", "bool", /*default=*/"true",
           "Compute the elementwise generic that follows a contraction on its "
           "accumulators">,
    Option<"pack", "pack", "bool", /*default=*/"true",
           "Pack a constant vector operand (a linear layer's weights) into "
           "column-tile panels at compile time (when run on a module)">
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect"
  ];
}

def HybridFoldConstantsPass : Pass<"hybrid-fold-constants"> {
  let summary = "Evaluate linalg ops on constant tensors at compile time";
  let description = [{
    Replaces every linalg op on tensors whose inputs are all constants (and
    whose outputs start from constants, or from a `tensor.empty` the body
    never reads) by an `arith.constant` of its results, as onnxruntime folds
    constant subgraphs when it loads a model: a relative-position bias that a
    Gather picks from its table with constant indices and a Transpose puts in
    [heads, S, S] order becomes one constant, not two kernels per call.

    The body is interpreted point by point through the ops' own folders, so
    the results are what the ops compute; `linalg.index` gives the point, and
    a `cf.assert` must fold to true (an out-of-range Gather index stays a
    run-time error). Ops with dynamic loop ranges, more than `max-elements`
    iteration points or result elements, or a body op that does not fold are
    left as they are.

    A `linalg.fill` of a constant that some op writes into (a contraction's
    zeroed accumulator) stays a fill: as a constant it would be a copy from a
    global of zeros at run time, and hybrid-vectorize-contractions starts its
    accumulators from a fill's value. Its consumers still fold through it: a
    fill of a constant counts as a splat constant wherever it is read.

    ```mlir
    %idx = arith.constant dense<[[0, 2], [1, 0]]> : tensor<2x2xi64>
    %table = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
    %g = linalg.generic ... ins(%idx : tensor<2x2xi64>) outs(%e : tensor<2x2xf32>) {
    ^bb0(%i: i64, %o: f32):
      %j = arith.index_cast %i : i64 to index
      %v = tensor.extract %table[%j] : tensor<3xf32>
      linalg.yield %v : f32
    } -> tensor<2x2xf32>
    // becomes
    %g = arith.constant dense<[[1.0, 3.0], [2.0, 1.0]]> : tensor<2x2xf32>
    ```
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", /*default=*/"262144",
           "Largest iteration space and result (elements) that is folded">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def HybridFoldTransposesPass : Pass<"hybrid-fold-transposes"> {
  let summary = "Read a transposed buffer through a strided view of its source";
  let description = [{
    A `linalg.transpose` on buffers that keeps the innermost dim in place and
    whose output is a fresh allocation only read afterwards (DPS inputs of
    linalg and hybrid ops, `memref.load`, in the same block) is removed: its
    readers read the source through a strided view instead
    (`memref.extract_strided_metadata` and `memref.reinterpret_cast` with the
    sizes and strides permuted: view ops the deallocation passes follow,
    which `memref.transpose` is not). The source
    must not be written while those reads happen. This removes the copies
    exported attention blocks make to move heads between [B, S, H, D] and
    [B, H, S, D]; rows along the innermost dim stay contiguous.

    First, an `scf.if` whose branches both yield a `memref.cast` of the same
    identity-layout type to another layout (bufferization's fully dynamic
    one, for an attention whose form is chosen at run time) yields the
    identity-layout buffers; its linalg readers fold the cast back away, so
    they see contiguous rows.

    ```mlir
    %t = memref.alloc(%b, %s) : memref<?x4x?x16xf32>
    linalg.transpose ins(%x : memref<?x?x4x16xf32>) outs(%t : memref<?x4x?x16xf32>)
        permutation = [0, 2, 1, 3]
    hybrid.rotary ins(%t, %cos, %sin : ...) outs(%r : ...)
    // becomes
    %base, %offset, %sizes:4, %strides:4 = memref.extract_strided_metadata %x
    %t = memref.reinterpret_cast %base to offset: [0],
        sizes: [%sizes#0, 4, %sizes#1, 16], strides: [%strides#0, 16, 64, 1]
        : memref<f32> to memref<?x4x?x16xf32, strided<[?, 16, 64, 1]>>
    hybrid.rotary ins(%t, %cos, %sin : ...) outs(%r : ...)
    ```

    It runs before deallocations are placed, so they follow the new reads.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def HybridVectorizeElementwisePass : Pass<"hybrid-vectorize-elementwise"> {
  let summary = "Vector code for elementwise and reducing linalg.generic ops on buffers";
  let description = [{
    Rewrites every elementwise `linalg.generic` on buffers (all dims
    parallel, identity output maps, a body of arith and math ops on f32, f64
    or 8- to 64-bit integers) into one `scf.parallel` over blocks of its
    vector group, whose body runs on vectors of `lanes` elements with a
    masked last vector.

    The vector group is the longest run of trailing loop dims that every
    operand reads either whole, in order and contiguously (a vector load of
    a collapsed view), or not at all (one scalar load per group, broadcast):
    a GELU over [B, C, H, W] with per-channel [C, 1, 1] operands vectorises
    H x W as one row; an Add of two [B, S, D] tensors, all of it. The group
    splits into blocks of `block` elements (one block when it is static and
    at most twice that), and the parallel loop runs over the linearised
    (outer dims..., block) index, so even a [1, N] tensor spreads over the
    thread pool.

    ```mlir
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%x : memref<?x64xf32>) outs(%y : memref<?x64xf32>) {
    ^bb0(%a: f32, %o: f32):
      %e = math.exp %a : f32
      linalg.yield %e : f32
    }
    // becomes (abridged)
    %xv = memref.collapse_shape %x [[0, 1]] : memref<?x64xf32> into memref<?xf32>
    scf.parallel (%t) = (%c0) to (%blocks) step (%c1) {
      scf.for %j = %j0 to %jfull step %c16 {
        %v = vector.load %xv[%j] : memref<?xf32>, vector<16xf32>
        %e = math.exp %v : vector<16xf32>
        vector.store %e, %yv[%j] : memref<?xf32>, vector<16xf32>
      }
      scf.if %partial { ... vector.maskedload, math.exp, vector.maskedstore ... }
    }
    ```

    `linalg.fill` and `linalg.copy` on buffers are generalised first and go
    the same way (a padded convolution's input is a fill of the whole buffer
    and a copy into its strided interior). A static group shorter than
    `lanes` narrows the vectors to it (rounded up to a power of two, 4 at
    least): a row of 8 is one 8-lane vector.

    Float reductions with one output are vectorised too, in two forms:

    - *Column*: the reduced dims lie outside the group, which is parallel (a
      LayerNorm's mean over the channels of [B, C, H, W]: the group is H x W).
      Per vector of outputs, the reduction loops run around the body with the
      output's vector carried through them: the same sums, in the same order,
      as the loop lowering. Operands that skip the group may not read a
      reduced dim.
    - *Row*: the group is the reduction (a mean over the last dim, a global
      pool over H x W), the outer dims parallel, and the body ends by
      combining the output with a value that does not read it (`addf`,
      `mulf`, `maximumf`, `maxnumf`, `minimumf`, `minnumf`). Per row,
      `lanes` partial results (lane 0 starts from the output's value, the
      others from the combiner's identity; masked-off lanes keep theirs) are
      combined by one `vector.reduction`. This re-associates the reduction:
      a sum may differ from the loop lowering's in the last bits.

    A float division by a constant becomes a multiplication by its
    reciprocal (results may differ from the division by 1 ulp). Other
    reductions, `linalg.index`, transposed or strided operands, 16-bit
    floats, integer division (a masked lane would divide by zero) and static
    groups of fewer than 4 elements are left for the loop lowering.

    `linalg.transpose` of f32 buffers whose innermost dims are contiguous and
    differ (NCHW <-> NHWC) becomes tiles of 8 x 8: the input dims that stay
    consecutive in the output are collapsed first, then one `scf.parallel`
    over the other dims and blocks of 8 of x (the dim the input's innermost
    becomes) runs 8 vector loads, 24 `vector.shuffle`s and 8 vector stores
    per tile; the rest of a row and a last partial block element by element.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"16", "Elements per vector">,
    Option<"block", "block", "int64_t", /*default=*/"512",
           "Elements per parallel iteration (a multiple of lanes)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect"
  ];
}

def HybridRouteMoePass : Pass<"hybrid-route-moe"> {
  let summary = "Route hybrid.moe into top-k, dispatch, grouped matmuls and combine";
  let description = [{
    Rewrites every `hybrid.moe` on tensors into the routed form of spec
    section 6: `moe_topk` (router scores and top-k), `moe_dispatch` (the token
    rows grouped by expert), `grouped_matmul` for the gate, up and down
    projections with each row's expert bias added, the activation as a
    `linalg.generic`, and `moe_combine` (each token's weighted sum). Each
    expert then multiplies only its own rows, as one matrix product
    (`hybrid-lower-routed-moe`). Dropless: no capacity limit. A moe with a
    dynamic number of experts is left as it is.

    ```mlir
    %y = hybrid.moe top_k(2) scoring = softmax activation = swiglu
           ins(%x, %logits, %w_up, %w_down : ...) w_gate(%w_gate : ...)
           outs(%init : tensor<16x64xf32>) {normalize} -> tensor<16x64xf32>
    // becomes
    %ids, %w = hybrid.moe_topk scoring = softmax ins(%logits : ...) outs(...) {normalize}
    %rows, %off, %src = hybrid.moe_dispatch num_experts(8) ins(%x, %ids : ...) outs(...)
    %up = hybrid.grouped_matmul ins(%rows, %w_up, %off : ...) outs(...)
    %gate = hybrid.grouped_matmul ins(%rows, %w_gate, %off : ...) outs(...)
    %h = linalg.generic ... silu(%gate) * %up
    %out = hybrid.grouped_matmul ins(%h, %w_down, %off : ...) outs(...)
    %y = hybrid.moe_combine ins(%out, %src, %w : ...) outs(%init : ...)
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect"
  ];
}

def HybridLowerRoutedMoePass
    : Pass<"hybrid-lower-routed-moe", "::mlir::ModuleOp"> {
  let summary = "Lower grouped_matmul and moe_combine on buffers to vectorisable loops";
  let description = [{
    Replaces every f32 `hybrid.grouped_matmul` on memrefs with an
    `scf.parallel` over experts; each iteration zeroes its rows
    `out[offsets[e]:offsets[e+1]]` and accumulates `rows[...] * weights[e]^T`
    into them with a mul-add `linalg.generic`, which
    `hybrid-vectorize-contractions` turns into microkernels. Rows past
    `offsets[E]` are zeroed; the offsets are checked at run time as the
    scalar implementation checks them.

    Constant weights (a static view, strided slices included, of a
    `memref.global` constant) are transposed at compile time into a new
    global `[E, K, N]`, so the contraction reads whole rows of B with vector
    loads; the original global is erased when unused.

    Every f32 `hybrid.moe_combine` becomes a zero fill of `y` and, per block
    of 256 columns (an `scf.parallel`), a loop over the expert rows that adds
    `weights[t, slot] * expert_out[r, block]` to its token's row: contiguous
    rows instead of one column per point. Sources are checked as in the
    scalar implementation.

    Other element types keep the scalar implementations.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def HybridVectorizeScansPass : Pass<"hybrid-vectorize-scans"> {
  let summary = "Vector loops for the scans, causal convolution, RMS norm and rotary on buffers";
  let description = [{
    Replaces `hybrid.ssm_scan` on f32 buffers by an `scf.parallel` over
    (batch, block of `lanes` channels) whose body runs the time loop on
    vectors: the state is an [N x lanes] stack array, and each step updates
    every state of every lane (`exp(delta * A) * s + delta * x * B`) and sums
    `C * s` over the states in order, then adds `D * x` and the `silu(z)`
    gate. Two layouts:

    - Mamba-1 (one channel per head, P == 1, A [H, N], one group): the lanes
      are consecutive heads, the last block masked. x, z and y must be
      contiguous along H, dt along its last dim, D and dt_bias along H.
    - Mamba-2 (P a multiple of `lanes`): the lanes are consecutive channels of
      one head, which share dt, dt_bias, A and their B/C group; with A [H] the
      decay is computed once per step for all states. x, z, y and a [H, P] D
      must be contiguous along P.

    It also replaces `hybrid.linear_attention` on f32 buffers whose Dv is a
    multiple of `lanes` (v and o contiguous along it, static head counts) by
    an `scf.parallel` over (batch, kv head, block of `lanes` state columns):
    the [Dk x lanes] block of the state lives on the stack, and each step
    decays it, reads `S^T k` for the delta rules, adds `k u^T` and writes
    every query head's `scale * S^T q` as one vector.

    Other scans keep their scalar loops.

    Two row ops get vector loops too, one `scf.parallel` over their rows:
    `hybrid.rms_norm` (f32 buffers contiguous along the normalized dim; each
    group's sum of squares in `lanes` partial sums, then the scaled row, tails
    masked) and the half-rotated `hybrid.rotary` (f32, contiguous head dims;
    `lanes` rotated pairs per vector, narrowed to their count when it is
    smaller). The sum of squares is re-associated, so a norm may differ from
    the scalar loops' in the last bits; the rotation is computed as they do.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"16", "Channels per vector">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::cf::ControlFlowDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def HybridFlashAttentionPass : Pass<"hybrid-flash-attention"> {
  let summary = "Tiled online-softmax attention on buffers, from two contractions per key block";
  let description = [{
    Replaces `hybrid.attention` on buffers (f32, f16 or bf16; static head
    counts and head sizes) with a flash-attention loop nest: k is transposed
    once (widened to f32; vector stores of 8 keys gathered per head dim); one
    `scf.parallel` runs over (batch, query head,
    block of `query-block` query rows), and each iteration walks the key
    blocks its rows may see (causal and window bounds skip the rest) in steps
    of `key-block` keys (a query shorter than 4 blocks is cut into blocks of
    ceil(Sq / 4) rows, 16 at least, chosen at run time, so that each head
    still makes 4 parallel tasks):

    - the score block `q . k^T` (a mul-add `linalg.generic` into a stack
      array) is scaled, soft-capped, masked and turned into weights with the
      online softmax (running max and sum per row, the accumulator rescaled
      when the max grows), on vectors of 16 keys: the max is a compare and
      select (one `vmaxps`), and the weights' exp an expansion for x <= 0
      only (no clamps above 0; 0 below -86.5; NaN stays NaN);
    - the weights times the block's values accumulate into a stack array
      (another mul-add generic);

    and the rows are divided by their sums at the end (0 for a row that saw no
    key). Both generics are left for hybrid-vectorize-contractions, which runs
    next. No score matrix is written to memory.

    A decode step (one query row, or a few) takes the same form, and the
    transposition of k, a parallel loop over kv heads and chunks of 256 keys,
    is shared by every thread. With two kv heads or more, a query whose Sq x
    group rows fit a block (`query-block`) runs one block per kv head: the
    group's query rows, gathered on the stack, read each key block once (a
    run-time choice when Sq is dynamic). With `min-query-rows`
    N > 0, queries shorter than N rows keep the op's scalar loops instead
    (with a dynamic Sq the choice is an `scf.if` at run time). f64, other
    element types and dynamic head shapes are left alone.
  }];
  let options = [
    Option<"queryBlock", "query-block", "int64_t", /*default=*/"48",
           "Query rows per parallel iteration at most (a short query: fewer, "
           "down to 16, so that each head makes 4 tasks)">,
    Option<"keyBlock", "key-block", "int64_t", /*default=*/"64",
           "Keys per score block">,
    Option<"minQueryRows", "min-query-rows", "int64_t", /*default=*/"0",
           "Shorter queries keep the scalar loops (0, the default: always the "
           "flash form)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def HybridFuseElementwisePass : Pass<"hybrid-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg.generic chains on tensors into their consumers";
  let description = [{
    Upstream's elementwise fusion (`linalg::populateElementwiseOpsFusionPatterns`)
    with a control that fuses a producer only into its single use, only through
    a permutation map (never recomputed per broadcast element), and never into
    a mul-add contraction (kept for hybrid-vectorize-contractions). Splat
    constant operands fold into the bodies, and math's algebraic
    simplifications then rewrite `powf(x, 2.0)` as `x * x` and similar.

    ```mlir
    %sq = linalg.generic ... ins(%x, %two : tensor<?x64xf32>, tensor<f32>) { math.powf }
    %ms = linalg.generic ... ins(%sq : tensor<?x64xf32>) { arith.addf }  // ReduceMean
    // becomes one reduction whose body is arith.mulf %in, %in then arith.addf
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect"
  ];
}

def HybridExpandArithPass : Pass<"hybrid-expand-arith"> {
  let summary = "Expand the arith ops the LLVM lowering lacks, keeping float min/max";
  let description = [{
    Rewrites `arith.ceildivsi`, `ceildivui` and `floordivsi` into plain integer
    arithmetic, and `arith.extf`/`truncf` from and to bf16 into integer code
    (round to nearest even), as upstream's `arith-expand` does, but leaves
    `arith.maximumf`, `minimumf`, `maxnumf` and `minnumf` alone: they lower
    to `llvm.maximum`, `llvm.maxnum`, ..., whose reductions LLVM's loop
    vectoriser recognises (a softmax row's max, ReduceMax), where the
    compare-and-select form stays scalar.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def HybridApproximateMathPass : Pass<"hybrid-approximate-math"> {
  let summary = "Polynomial approximations for f32 exp, log, tanh and erf";
  let description = [{
    Rewrites f32 (scalar or vector) `math.exp`, `expm1`, `log`, `log1p`,
    `log2` and `tanh` with upstream's polynomial approximations
    (`populateMathPolynomialApproximationPatterns`), and `math.erf` with one
    rational function of x^2 on [-4, 4] fitted for it (16 operations, at most
    2.9e-7 absolute error, 4.9 ulp; NaN stays NaN): arith ops plus `math.fma`
    and `math.floor`, accurate to a few ulp, which LLVM vectorises with the
    loop around them instead of calling libm per element. Other math ops, and
    f64, are left as they are.

    ```mlir
    %e = math.exp %x : f32
    // becomes a range reduction, a polynomial and an exponent insertion
    // (arith.mulf, math.fma, math.floor, arith.bitcast, ...), no call
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def HybridMapParallelLoopsToGpuPass : Pass<"hybrid-map-parallel-loops-to-gpu"> {
  let summary = "Shape the outermost scf.parallel loops into blocks and threads for the GPU";
  let description = [{
    Prepares every outermost `scf.parallel` without reductions (what
    `convert-linalg-to-parallel-loops` and `hybrid-lower-to-loops{parallel}`
    write) for upstream's `convert-parallel-loops-to-gpu`:

    1. its dims are collapsed into one (`collapseParallelLoops`), so a loop
       of any rank fills the grid's x dimension (2^31 - 1 blocks) rather
       than y and z (65535 each);
    2. that dim is tiled by `block-size` with a guard instead of a `min`
       bound (`tileParallelLoop`, no-min-max-bounds), so the thread loop has
       a constant trip count, the block size;
    3. the tile loop is mapped to `block_x`, the intra-tile loop to
       `thread_x`, and every `scf.parallel` nested deeper becomes `scf.for`
       loops that each thread runs (mapped `sequential` when it has
       reductions);
    4. the constant buffers (`memref.get_global`) the body reads are
       re-read inside it, so that kernel outlining copies those globals into
       the GPU module (device memory) instead of passing host addresses.

    Loops with reductions stay on the host.

    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%m, %n) step (%c1, %c1) { ... }
    // becomes
    scf.parallel (%b) = (%c0) to (%mn) step (%c256) {
      scf.parallel (%t) = (%c0) to (%c256) step (%c1) {
        scf.if (%b + %t < %mn) { ... }   // i = (b + t) / n, j = (b + t) % n
      } {mapping = [#gpu.loop_dim_map<processor = thread_x, ...>]}
    } {mapping = [#gpu.loop_dim_map<processor = block_x, ...>]}
    ```
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect"
  ];
}

def HybridMergeGpuModulesPass : Pass<"hybrid-merge-gpu-modules", "::mlir::ModuleOp"> {
  let summary = "Merge the GPU modules kernel outlining made into one";
  let description = [{
    `gpu-kernel-outlining` puts each kernel into a `gpu.module` of its own.
    This pass moves every kernel (and the constant globals the kernels read,
    one copy each) into one `gpu.module @hybrid_kernels` (the first one,
    renamed, so a model's device code always has that name) and points every
    `gpu.launch_func` at it, so the device code is one PTX module: one
    NVPTX compile and one ptxas run at compile time, one image for the
    runtime to load.

    ```mlir
    gpu.module @f_kernel { gpu.func @f_kernel(...) kernel { ... } }
    gpu.module @f_kernel_0 { gpu.func @f_kernel_0(...) kernel { ... } }
    // becomes
    gpu.module @hybrid_kernels {
      gpu.func @f_kernel(...) kernel { ... }
      gpu.func @f_kernel_0(...) kernel { ... }
    }
    ```
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

#endif // HYBRID_TRANSFORMS_PASSES_TD
