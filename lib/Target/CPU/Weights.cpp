//===- Weights.cpp - weights in a memory-mapped side file -------------------===//
#include "lib/Target/CPU/Weights.h"

#include "dialects/Hybrid/IR/HybridUtils.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

using namespace mlir;

namespace {
constexpr uint64_t kHeaderBytes = 64;
constexpr uint64_t kAlignment = 64;

/// The raw bytes of a global's initial value, when it is dense integer or float
/// data stored element by element (not a splat, not packed bits).
std::optional<ArrayRef<char>> rawContents(LLVM::GlobalOp global) {
  return hybrid::rawElementBytes(global.getValueOrNull());
}
} // namespace

hybrid::ExternalWeights hybrid::externalizeWeights(ModuleOp module, uint64_t minBytes) {
  ExternalWeights result;
  // Candidates: large constant globals whose every use is an addressof inside a
  // function (a use anywhere else, e.g. in another global's initializer, keeps
  // the constant in the library).
  llvm::MapVector<StringRef, LLVM::GlobalOp> candidates;
  for (auto global : module.getOps<LLVM::GlobalOp>()) {
    if (!global.getConstant() || global.getThreadLocal_())
      continue;
    std::optional<ArrayRef<char>> data = rawContents(global);
    if (data && data->size() >= minBytes && data->size() > 0)
      candidates[global.getSymName()] = global;
  }
  if (candidates.empty())
    return result;
  SmallVector<LLVM::AddressOfOp> uses;
  if (auto symbolUses = SymbolTable::getSymbolUses(&module.getBodyRegion())) {
    for (const SymbolTable::SymbolUse &use : *symbolUses) {
      StringRef name = use.getSymbolRef().getRootReference().getValue();
      auto it = candidates.find(name);
      if (it == candidates.end())
        continue;
      auto addressOf = dyn_cast<LLVM::AddressOfOp>(use.getUser());
      if (!addressOf || !addressOf->getParentOfType<LLVM::LLVMFuncOp>()) {
        candidates.erase(it);
        continue;
      }
      uses.push_back(addressOf);
    }
  } else {
    return result; // an op with unknown symbol uses: leave the module alone
  }
  if (candidates.empty())
    return result;

  // Lay the file out and hash it: each constant's hash, then one over the
  // offsets and those hashes.
  llvm::DenseMap<StringRef, int64_t> slotOf;
  std::string idInput;
  uint64_t offset = kHeaderBytes;
  for (auto [name, global] : candidates) {
    ArrayRef<char> data = *rawContents(global);
    slotOf[name] = static_cast<int64_t>(result.offsets.size());
    result.offsets.push_back(offset);
    result.contents.push_back(data);
    llvm::XXH128_hash_t h = llvm::xxh3_128bits(
        ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(data.data()), data.size()));
    for (uint64_t word : {offset, static_cast<uint64_t>(data.size()), h.low64, h.high64})
      idInput.append(reinterpret_cast<const char *>(&word), sizeof word);
    offset = llvm::alignTo(offset + data.size(), kAlignment);
  }
  result.fileBytes = offset;
  llvm::XXH128_hash_t id = llvm::xxh3_128bits(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(idInput.data()), idInput.size()));
  llvm::support::endian::write64le(result.id.data(), id.low64);
  llvm::support::endian::write64le(result.id.data() + 8, id.high64);

  // The slot table: declared here, defined (zero-initialised, internal) by
  // addAbiTables; the runtime fills it when it loads the library.
  MLIRContext *ctx = module.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  auto slotsType = LLVM::LLVMArrayType::get(ptrType, result.offsets.size());
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  LLVM::GlobalOp::create(b, module.getLoc(), slotsType, /*isConstant=*/false,
                         LLVM::Linkage::External, kWeightSlotsSymbol, Attribute(),
                         /*alignment=*/64);

  // Each `llvm.mlir.addressof @w` becomes a load of w's slot.
  for (LLVM::AddressOfOp addressOf : uses) {
    b.setInsertionPoint(addressOf);
    Location loc = addressOf.getLoc();
    Value slots = LLVM::AddressOfOp::create(b, loc, ptrType, kWeightSlotsSymbol);
    Value slot = LLVM::GEPOp::create(
        b, loc, ptrType, slotsType, slots,
        ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(slotOf[addressOf.getGlobalName()])},
        LLVM::GEPNoWrapFlags::inbounds);
    Value pointer = LLVM::LoadOp::create(b, loc, ptrType, slot, /*alignment=*/8);
    addressOf.replaceAllUsesWith(pointer);
    addressOf.erase();
  }
  for (auto [name, global] : candidates)
    global.erase();
  return result;
}

void hybrid::ExternalWeights::write(llvm::raw_ostream &os) const {
  char header[kHeaderBytes] = {};
  memcpy(header, "HYBRIDWT", 8);
  llvm::support::endian::write32le(header + 8, 1);
  llvm::support::endian::write32le(header + 12, static_cast<uint32_t>(offsets.size()));
  llvm::support::endian::write64le(header + 16, fileBytes);
  memcpy(header + 24, id.data(), id.size());
  os.write(header, sizeof header);
  uint64_t at = kHeaderBytes;
  for (auto [data, offset] : llvm::zip_equal(contents, offsets)) {
    os.write_zeros(offset - at);
    os.write(data.data(), data.size());
    at = offset + data.size();
  }
  os.write_zeros(fileBytes - at);
}
