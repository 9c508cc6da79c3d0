//===- Compile.cpp - tensor-level module -> native CPU library -------------===//
#include "hybrid/Target/CPU.h"
#include "lib/Target/CPU/ABI.h"
#include "lib/Target/CPU/Weights.h"
#include "dialects/Hybrid/Transforms/Passes.h"
#include "passes/Pipelines/Pipelines.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using llvm::StringRef;

std::string hybrid::headerPathFor(StringRef libraryPath) {
  llvm::SmallString<256> path(libraryPath);
  llvm::sys::path::replace_extension(path, ".h");
  return std::string(path);
}

std::string hybrid::weightsPathFor(StringRef libraryPath) {
  llvm::SmallString<256> path(libraryPath);
  llvm::sys::path::replace_extension(path, ".weights");
  return std::string(path);
}

namespace {
/// Writes `bytes` to `path` through a temporary file in the same directory that
/// is renamed into place, so `path` is either untouched or complete.
LogicalResult writeAtomically(Operation *where, StringRef path, StringRef bytes) {
  if (llvm::Error e = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
        os << bytes;
        return llvm::Error::success();
      })) {
    where->emitError() << "cannot write '" << path << "': " << llvm::toString(std::move(e));
    return failure();
  }
  return success();
}

/// The TargetMachine for the host's triple and the requested CPU.
FailureOr<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(Operation *where, const hybrid::CpuTargetOptions &options) {
  // Once per process: registration is not thread-safe, and compiles may run
  // on several threads at once (the Python API releases the GIL).
  static const bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    where->emitError() << "no LLVM target for " << triple.str() << ": " << error;
    return failure();
  }
  bool host = options.cpu.empty() || options.cpu == "host" || options.cpu == "native";
  std::string cpu = host ? llvm::sys::getHostCPUName().str() : options.cpu;
  SmallVector<std::string> features;
  if (host)
    for (const auto &f : llvm::sys::getHostCPUFeatures())
      features.push_back((f.getValue() ? "+" : "-") + f.getKey().str());
  if (!options.features.empty())
    features.push_back(options.features);
  // With AVX-512, loops LLVM vectorises use 512-bit vectors as the
  // microkernels do: LLVM's Skylake-era tuning keeps them at 256 bits (to
  // spare old cores' clocks), which left elementwise code such as GELU at half
  // width (CoAtNet about 10% slower). An explicit +/-prefer-256-bit wins.
  {
    std::unique_ptr<llvm::MCSubtargetInfo> probe(
        target->createMCSubtargetInfo(triple, cpu, llvm::join(features, ",")));
    if (probe && probe->checkFeatures("+avx512f") &&
        !StringRef(options.features).contains("prefer-256-bit"))
      features.push_back("-prefer-256-bit");
  }
  std::string featureString = llvm::join(features, ",");
  // An unknown CPU would only be a warning (and generic code) inside LLVM.
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(triple, cpu, featureString));
  if (!sti || !sti->isCPUStringValid(cpu)) {
    where->emitError() << "unknown --target-cpu '" << cpu << "' for " << triple.str()
                       << " (try 'host', 'x86-64-v3', 'skylake-avx512' or 'znver4')";
    return failure();
  }
  llvm::TargetOptions targetOptions;
  llvm::CodeGenOptLevel level = options.optLevel == 0   ? llvm::CodeGenOptLevel::None
                                : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                                        : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, featureString, targetOptions, llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm) {
    where->emitError() << "cannot create an LLVM target machine for " << triple.str() << ", "
                       << cpu;
    return failure();
  }
  return tm;
}

/// Links `objectPath` into the shared library `outputPath` with the C compiler
/// driver (`cc -shared`), through a temporary file renamed into place.
LogicalResult linkShared(Operation *where, StringRef objectPath, StringRef outputPath,
                         const hybrid::CpuTargetOptions &options) {
  std::string linker = options.linker;
  if (linker.empty()) {
    for (StringRef candidate : {"cc", "gcc", "clang"})
      if (auto found = llvm::sys::findProgramByName(candidate)) {
        linker = *found;
        break;
      }
    if (linker.empty()) {
      where->emitError() << "no C compiler driver (cc, gcc or clang) on PATH to link the "
                            "shared library; install one or pass --linker "
                            "(--emit=obj and --emit=staticlib need none)";
      return failure();
    }
  }
  llvm::SmallString<256> tmpLib(outputPath);
  tmpLib += ".tmp-%%%%%%";
  int fd;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(tmpLib, fd, tmpLib)) {
    where->emitError() << "cannot create a file next to '" << outputPath << "': " << ec.message();
    return failure();
  }
  llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  llvm::FileRemover removeTmpLib(tmpLib);
  llvm::SmallString<128> errPath;
  if (llvm::sys::fs::createTemporaryFile("hybrid-link", "txt", errPath)) {
    where->emitError("cannot create a temporary file for the linker's messages");
    return failure();
  }
  llvm::FileRemover removeErr(errPath);
  // --no-undefined: a symbol nothing provides is an error now, not at load time.
  SmallVector<StringRef> args = {linker,   "-shared",      "-o", tmpLib, objectPath,
                                 "-lm", "-Wl,--no-undefined", "-Wl,-z,noexecstack"};
  std::optional<StringRef> redirects[] = {std::nullopt, std::nullopt, StringRef(errPath)};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(linker, args, std::nullopt, redirects, 0, 0, &execError);
  if (rc != 0) {
    std::string messages;
    if (auto buf = llvm::MemoryBuffer::getFile(errPath))
      messages = (*buf)->getBuffer().trim().str();
    auto diag = where->emitError() << "linking '" << outputPath << "' with " << linker
                                   << " failed";
    if (!execError.empty())
      diag << ": " << execError;
    if (!messages.empty())
      diag << ":\n" << messages;
    return failure();
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmpLib, outputPath)) {
    where->emitError() << "cannot write '" << outputPath << "': " << ec.message();
    return failure();
  }
  removeTmpLib.releaseFile();
  return success();
}
/// "sm_80", "sm_90a": sm_ and two or three digits, maybe one letter.
bool isGpuArch(StringRef arch) {
  if (!arch.consume_front("sm_"))
    return false;
  size_t digits = 0;
  while (digits < arch.size() && llvm::isDigit(arch[digits]))
    ++digits;
  StringRef rest = arch.drop_front(digits);
  return digits >= 2 && digits <= 3 && (rest.empty() || (rest.size() == 1 && llvm::isAlpha(rest[0])));
}

/// The CUDA toolkit directory: the option, else $CUDA_HOME, $CUDA_PATH, /usr/local/cuda.
std::string cudaToolkitDir(const hybrid::CpuTargetOptions &options) {
  if (!options.cudaToolkit.empty())
    return options.cudaToolkit;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
    if (std::optional<std::string> v = llvm::sys::Process::GetEnv(var); v && !v->empty())
      return *v;
  return "/usr/local/cuda";
}
} // namespace

LogicalResult hybrid::compileForCpu(ModuleOp module, StringRef outputPath, CpuEmitKind kind,
                                    const CpuTargetOptions &options, TimingScope &timing) {
  MLIRContext *ctx = module.getContext();
  auto progress = [&](StringRef stage) {
    if (options.progress)
      options.progress(stage);
  };
  bool toStdout = outputPath == "-";
  if (toStdout && (kind == CpuEmitKind::SharedLibrary || kind == CpuEmitKind::StaticLibrary)) {
    module.emitError("a library needs an output file: pass -o model.so (or model.a)");
    return failure();
  }
  if (toStdout && options.externalWeights && kind == CpuEmitKind::Object) {
    module.emitError("--external-weights writes the weights next to the output: pass -o model.o");
    return failure();
  }
  bool cuda = !options.gpuArch.empty();
  if (cuda && !isGpuArch(options.gpuArch)) {
    module.emitError() << "--gpu-arch '" << options.gpuArch
                       << "' is not a CUDA architecture (sm_80, sm_90, sm_90a, ...)";
    return failure();
  }
  if (!cuda && kind == CpuEmitKind::Ptx) {
    module.emitError("--emit=ptx needs --target=cuda");
    return failure();
  }
  if (cuda && options.externalWeights) {
    module.emitError("--external-weights is not supported with --target=cuda yet: the "
                     "kernels read their constants from the device image");
    return failure();
  }
  if (cuda && options.gpuBlockSize > 1024) {
    module.emitError() << "--gpu-block-size " << options.gpuBlockSize
                       << " is beyond CUDA's 1024 threads per block";
    return failure();
  }
  std::string moduleName = options.moduleName;
  if (moduleName.empty())
    moduleName = toStdout ? "model" : llvm::sys::path::stem(outputPath).str();

  // The signatures carry the ONNX names; the pipeline drops argument attributes.
  FailureOr<std::vector<FunctionSignature>> sigs = collectEntrySignatures(module);
  if (failed(sigs))
    return failure();
  for (func::FuncOp f : entryFunctions(module)) {
    f->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
    // The table holds the names now; LLVM IR has no place for them.
    f.removeArgAttrsAttr();
    f.removeResAttrsAttr();
  }

  // The target first: its vector registers size the microkernels.
  FailureOr<std::unique_ptr<llvm::TargetMachine>> tm = createTargetMachine(module, options);
  if (failed(tm))
    return failure();

  progress("lowering to the LLVM dialect");
  {
    TimingScope t = timing.nest("CPU pipeline");
    PassManager pm(ctx, ModuleOp::getOperationName());
    // The pass manager's command-line options (--mlir-print-ir-after, ...)
    // exist only in a tool that registered them; MLIR fails the call
    // elsewhere.
    if (options.passManagerCLOptions && failed(applyPassManagerCLOptions(pm))) {
      module.emitError("invalid pass manager options");
      return failure();
    }
    pm.enableTiming(t);
    if (cuda) {
      // The NVVM target (gpu-module-to-binary) and the translation of
      // gpu.binary and launches to LLVM IR.
      DialectRegistry registry;
      NVVM::registerNVVMTargetInterfaceExternalModels(registry);
      gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
      registerGPUDialectTranslation(registry);
      registerNVVMDialectTranslation(registry);
      registerLLVMDialectTranslation(registry);
      registerBuiltinDialectTranslation(registry);
      ctx->appendDialectRegistry(registry);
      CudaPipelineOptions pipeline;
      pipeline.chip = options.gpuArch;
      // PTX 7.8 at least: kernels with a dynamically sized stack buffer need
      // 7.3, and LLVM's default for sm_80/sm_86 is older (from sm_90 on its
      // default is newer).
      if (std::stoi(options.gpuArch.substr(3)) < 90)
        pipeline.features = "+ptx78";
      pipeline.blockSize = options.gpuBlockSize;
      pipeline.fuseElementwise = options.fuseElementwise;
      pipeline.routeMoe = options.routeMoe;
      std::string toolkit = cudaToolkitDir(options);
      pipeline.toolkit = toolkit;
      // A fatbin (cubin + PTX) when the toolkit can make one: ptxas then
      // checks every kernel now; else PTX for the driver to compile.
      bool ptxas = llvm::sys::fs::can_execute(toolkit + "/bin/ptxas");
      bool fatbinary = llvm::sys::fs::can_execute(toolkit + "/bin/fatbinary");
      pipeline.format = kind == CpuEmitKind::Ptx ? "isa"
                        : ptxas && fatbinary     ? "fatbin"
                        : ptxas                  ? "bin"
                                                 : "isa";
      progress(pipeline.format.getValue() == "isa"
                   ? "kernels as PTX (no ptxas in " + toolkit + "/bin)"
                   : "kernels through " + toolkit + "/bin/ptxas");
      buildCudaPipeline(pm, pipeline);
      if (failed(pm.run(module)))
        return failure();
    } else {
      CpuPipelineOptions pipeline;
      pipeline.parallel = options.parallel;
      pipeline.instrumentKernels = options.instrumentKernels;
      pipeline.fuseElementwise = options.fuseElementwise;
      pipeline.fuseEpilogues = options.fuseEpilogues;
      pipeline.vectorize = options.vectorize;
      pipeline.flashAttention = options.flashAttention;
      pipeline.routeMoe = options.routeMoe;
      pipeline.approximateMath = options.approximateMath;
      // AVX-512: 8 rows x 32 columns (two zmm per row, 16 accumulators of 32
      // registers); otherwise 6 x 16 (two ymm per row, 12 of 16).
      if ((*tm)->getMCSubtargetInfo()->checkFeatures("+avx512f")) {
        pipeline.microkernelRows = 8;
        pipeline.microkernelColumns = 32;
      }
      buildCpuPipeline(pm, pipeline);
      if (failed(pm.run(module)))
        return failure();
    }
  }
  if (kind == CpuEmitKind::Ptx) {
    // The kernels' PTX: one module (hybrid-merge-gpu-modules), after a
    // "// gpu.module @name" line (each module so, should there be several).
    std::string text;
    for (auto binary : module.getOps<gpu::BinaryOp>())
      for (Attribute object : binary.getObjects())
        text += "// gpu.module @" + binary.getName().str() + "\n" +
                cast<gpu::ObjectAttr>(object).getObject().str() + "\n";
    if (toStdout) {
      llvm::outs() << text;
      return success();
    }
    return writeAtomically(module, outputPath, text);
  }
  // Large constants move to the side file; the code reads them through slots.
  ExternalWeights weights;
  std::string weightsPath =
      weightsPathFor(toStdout ? StringRef(moduleName + ".so") : outputPath);
  if (options.externalWeights)
    weights = externalizeWeights(module, options.externalWeightsMinBytes);
  auto write = [&](StringRef bytes) -> LogicalResult {
    if (toStdout) {
      llvm::outs() << bytes;
      return success();
    }
    return writeAtomically(module, outputPath, bytes);
  };
  if (kind == CpuEmitKind::Mlir) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module.print(os);
    os << "\n";
    return write(text);
  }

  std::string producer = "hybrid-opt (LLVM " LLVM_VERSION_STRING "), " +
                         (*tm)->getTargetTriple().str() + ", cpu " +
                         (*tm)->getTargetCPU().str() +
                         (cuda ? ", cuda " + options.gpuArch : std::string());

  // The profiler's kernel names, recorded by hybrid-instrument-kernels (LLVM IR
  // has no place for the attribute; the ABI table gets them).
  std::vector<std::string> kernels;
  if (auto names = module->getAttrOfType<ArrayAttr>(kKernelNamesAttr))
    for (Attribute n : names)
      kernels.push_back(cast<StringAttr>(n).str());
  module->removeAttr(kKernelNamesAttr);

  progress("translating to LLVM IR");
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule;
  {
    TimingScope t = timing.nest("Translate to LLVM IR");
    registerBuiltinDialectTranslation(*ctx);
    registerLLVMDialectTranslation(*ctx);
    llvmModule = translateModuleToLLVMIR(module, llvmContext, moduleName);
    if (!llvmModule) {
      module.emitError("translation to LLVM IR failed");
      return failure();
    }
    llvmModule->setDataLayout((*tm)->createDataLayout());
    llvmModule->setTargetTriple((*tm)->getTargetTriple());
    std::string error;
    if (failed(addAbiTables(*llvmModule, *sigs, kernels, &weights,
                            llvm::sys::path::filename(weightsPath), moduleName, producer,
                            cuda ? StringRef(options.gpuArch) : StringRef(),
                            /*exportGenericQuery=*/kind != CpuEmitKind::StaticLibrary, error))) {
      module.emitError() << error;
      return failure();
    }
  }

  progress("optimising LLVM IR");
  {
    TimingScope t = timing.nest("LLVM optimisation");
    auto optimize = makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0, tm->get());
    if (llvm::Error e = optimize(llvmModule.get())) {
      module.emitError() << "LLVM optimisation failed: " << llvm::toString(std::move(e));
      return failure();
    }
  }
  if (kind == CpuEmitKind::LlvmIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    return write(text);
  }

  // The side file goes to a temporary file now and is renamed into place once
  // the library (or object) itself is written.
  llvm::SmallString<256> weightsTmp;
  std::optional<llvm::FileRemover> removeWeightsTmp;
  auto commitWeights = [&]() -> LogicalResult {
    if (weightsTmp.empty())
      return success();
    if (std::error_code ec = llvm::sys::fs::rename(weightsTmp, weightsPath)) {
      module.emitError() << "cannot write '" << weightsPath << "': " << ec.message();
      return failure();
    }
    removeWeightsTmp->releaseFile();
    return success();
  };
  if (!weights.empty()) {
    progress("writing the weights");
    TimingScope t = timing.nest("Weights file");
    weightsTmp = weightsPath;
    weightsTmp += ".tmp-%%%%%%";
    int fd;
    if (std::error_code ec = llvm::sys::fs::createUniqueFile(weightsTmp, fd, weightsTmp)) {
      module.emitError() << "cannot create a file next to '" << weightsPath
                         << "': " << ec.message();
      return failure();
    }
    removeWeightsTmp.emplace(weightsTmp);
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    weights.write(os);
    os.close();
    if (os.has_error()) {
      module.emitError() << "cannot write '" << weightsPath << "': " << os.error().message();
      os.clear_error();
      return failure();
    }
  }

  progress("generating machine code");
  llvm::SmallString<0> object;
  {
    TimingScope t = timing.nest("Machine code generation");
    llvm::raw_svector_ostream os(object);
    llvm::legacy::PassManager codegen;
    if ((*tm)->addPassesToEmitFile(codegen, os, nullptr, llvm::CodeGenFileType::ObjectFile)) {
      module.emitError("the LLVM target cannot emit object files");
      return failure();
    }
    codegen.run(*llvmModule);
  }
  if (kind == CpuEmitKind::Object) {
    if (failed(write(object)))
      return failure();
    if (failed(commitWeights())) {
      llvm::sys::fs::remove(outputPath);
      return failure();
    }
    return success();
  }

  std::string header = generateCpuHeader(
      *sigs, moduleName, module.getName().value_or(""),
      weights.empty() ? StringRef() : llvm::sys::path::filename(weightsPath));
  std::string headerPath = headerPathFor(outputPath);
  if (kind == CpuEmitKind::StaticLibrary) {
    progress("writing the archive");
    TimingScope t = timing.nest("Archive");
    std::string member = cIdentifier(moduleName) + ".o";
    llvm::NewArchiveMember m(llvm::MemoryBufferRef(object, member));
    m.MemberName = member;
    // writeArchive goes through a temporary file and renames it into place.
    std::vector<llvm::NewArchiveMember> members;
    members.push_back(std::move(m));
    if (llvm::Error e = llvm::writeArchive(outputPath, members, llvm::SymtabWritingMode::NormalSymtab,
                                           llvm::object::Archive::K_GNU,
                                           /*Deterministic=*/true, /*Thin=*/false)) {
      module.emitError() << "cannot write '" << outputPath << "': "
                         << llvm::toString(std::move(e));
      return failure();
    }
  } else {
    progress("linking");
    TimingScope t = timing.nest("Link");
    llvm::SmallString<128> objectPath;
    int fd;
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("hybrid-model", "o", fd, objectPath)) {
      module.emitError() << "cannot create a temporary object file: " << ec.message();
      return failure();
    }
    llvm::FileRemover removeObject(objectPath);
    {
      llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
      os << object;
      os.close();
      if (os.has_error()) {
        module.emitError() << "cannot write '" << objectPath << "': " << os.error().message();
        os.clear_error();
        return failure();
      }
    }
    if (failed(linkShared(module, objectPath, outputPath, options)))
      return failure();
  }
  if (failed(commitWeights()) || failed(writeAtomically(module, headerPath, header))) {
    // Never leave a library without its header or its weights.
    llvm::sys::fs::remove(outputPath);
    return failure();
  }
  return success();
}
