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
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::cf::ControlFlowDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
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

#endif // HYBRID_TRANSFORMS_PASSES_TD
