//===- Weights.h - weights in a memory-mapped side file (internal) -*- C++ -*-===//
//
// `hybrid-opt --target=cpu --external-weights` moves the model's large
// constants out of the library into a side file (`model.so` -> `model.weights`)
// that the runtime memory-maps when it loads the library. The code reaches
// each such constant through a slot of a pointer table
// (`__hybrid_weight_slots`) that the runtime fills with addresses inside the
// mapping, so the weights are paged in from the file on demand, shared by every
// process that maps them, and never copied.
//
// The side file (all integers little-endian):
//   bytes  0..7   "HYBRIDWT"
//          8..11  format version (1)
//         12..15  number of constants
//         16..23  file size in bytes
//         24..39  the weights' id (a 128-bit hash of offsets and contents), also
//                 recorded in the library, so a library never runs on the
//                 weights of another compile
//         40..63  zero
//   then each constant's raw bytes at a 64-byte aligned offset.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_LIB_TARGET_CPU_WEIGHTS_H
#define HYBRID_LIB_TARGET_CPU_WEIGHTS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <array>
#include <cstdint>
#include <vector>

namespace hybrid {

/// The constants moved out of a module, and where each goes in the side file.
struct ExternalWeights {
  std::vector<llvm::ArrayRef<char>> contents; ///< each constant's bytes (owned by the context)
  std::vector<uint64_t> offsets;              ///< each constant's offset in the file
  uint64_t fileBytes = 0;
  std::array<uint8_t, 16> id{};

  bool empty() const { return offsets.empty(); }
  /// Writes the side file (header and contents) to `os`.
  void write(llvm::raw_ostream &os) const;
};

/// The symbol of the slot table the rewritten code loads constants' addresses
/// from (declared in the module; addAbiTables defines it).
inline constexpr llvm::StringLiteral kWeightSlotsSymbol = "__hybrid_weight_slots";

/// Rewrites an LLVM-dialect module so that every constant global of at least
/// `minBytes` bytes (dense integer or float data, not a splat) is read through
/// the slot table instead, and erases those globals. Returns what moved (empty
/// when nothing qualified; the module is then unchanged).
ExternalWeights externalizeWeights(mlir::ModuleOp module, uint64_t minBytes);

} // namespace hybrid

#endif // HYBRID_LIB_TARGET_CPU_WEIGHTS_H
