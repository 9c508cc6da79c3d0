//===- hybrid-opt.cpp - the Hybrid optimizer driver -----------------------===//
//
// mlir-opt with every upstream dialect, extension and pass plus Hybrid's dialects,
// passes and named pipelines. An ONNX model as input (recognised by its ".onnx"
// extension or its protobuf content) is imported first, then converted to hybrid
// and upstream ops (unless --onnx-faithful), then run through the requested passes:
//
//   hybrid-opt model.onnx --input-shape input_ids=1x128 -o model.mlir
//
// With --target=cpu it is the compiler: the model (ONNX, or MLIR at the tensor
// level) is compiled to a shared library plus its C header, or to an earlier
// stage with --emit:
//
//   hybrid-opt model.onnx --target=cpu -o model.so      # model.so + model.h
//
// Errors name the file and the node; the output file is written only on success.
//
//===----------------------------------------------------------------------===//
#include "hybrid/Import/ONNX.h"
#include "hybrid/InitHybrid.h"
#include "hybrid/Report.h"
#include "hybrid/Target/CPU.h"
#include "lib/Conversion/ONNXToHybrid/Passes.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;

static llvm::cl::OptionCategory onnxCategory("ONNX import options");
static llvm::cl::list<std::string>
    inputShapes("input-shape",
                llvm::cl::desc("Pin an ONNX graph input's shape: name=1x128x512 (? keeps a "
                               "dim dynamic; 'scalar' for rank 0); repeatable"),
                llvm::cl::cat(onnxCategory));
static llvm::cl::list<std::string> bindInputs(
    "bind-input",
    llvm::cl::desc("Specialise the model on a constant value for a graph input: "
                   "name=tensor.pb (a serialized ONNX TensorProto); repeatable"),
    llvm::cl::cat(onnxCategory));
static llvm::cl::opt<bool>
    onnxFaithful("onnx-faithful",
                 llvm::cl::desc("Print the ONNX model as onnx.node ops, without converting"),
                 llvm::cl::cat(onnxCategory));
static llvm::cl::opt<bool> raisePatterns(
    "raise",
    llvm::cl::desc("Raise decomposed exports (attention written as MatMul, Softmax, "
                   "MatMul, with GQA repeats and Trilu causal masks; RMSNorm; rotary "
                   "embeddings; mixtures of experts, dense or as a loop over the experts; Mamba and "
                   "linear-attention recurrences; causal convolutions) into fused ops before "
                   "conversion (default true)"),
    llvm::cl::init(true), llvm::cl::cat(onnxCategory));
static llvm::cl::opt<std::string>
    onnxEntry("onnx-entry", llvm::cl::desc("Name of the function holding the ONNX graph"),
              llvm::cl::init("main"), llvm::cl::cat(onnxCategory));

static llvm::cl::OptionCategory compileCategory("Compiler options (--target)");
static llvm::cl::opt<std::string>
    target("target",
           llvm::cl::desc("Compile the model for a target instead of printing MLIR: 'cpu' "
                          "writes a shared library (-o model.so) and its C header (model.h); "
                          "'cuda' the same, its kernels for an NVIDIA GPU (--gpu-arch)"),
           llvm::cl::cat(compileCategory));
static llvm::cl::opt<hybrid::CpuEmitKind> emitKind(
    "emit", llvm::cl::desc("With --target: the stage to stop at"),
    llvm::cl::values(
        clEnumValN(hybrid::CpuEmitKind::Mlir, "mlir", "the LLVM-dialect module after the pipeline"),
        clEnumValN(hybrid::CpuEmitKind::LlvmIR, "llvm", "optimised LLVM IR with the ABI tables"),
        clEnumValN(hybrid::CpuEmitKind::Object, "obj", "an object file"),
        clEnumValN(hybrid::CpuEmitKind::SharedLibrary, "lib",
                   "a shared library and its C header (the default)"),
        clEnumValN(hybrid::CpuEmitKind::StaticLibrary, "staticlib",
                   "a static archive and its C header"),
        clEnumValN(hybrid::CpuEmitKind::Ptx, "ptx",
                   "--target=cuda: the kernels' PTX (one PTX module per kernel module)")),
    llvm::cl::init(hybrid::CpuEmitKind::SharedLibrary), llvm::cl::cat(compileCategory));
static llvm::cl::opt<std::string>
    targetCpu("target-cpu",
              llvm::cl::desc("LLVM CPU to generate code for ('host', 'x86-64-v3', "
                             "'skylake-avx512', 'znver4', ...)"),
              llvm::cl::init("host"), llvm::cl::cat(compileCategory));
static llvm::cl::opt<std::string>
    targetFeatures("target-features",
                   llvm::cl::desc("Extra LLVM target features, e.g. '+avx2,-avx512f'"),
                   llvm::cl::cat(compileCategory));
static llvm::cl::opt<std::string>
    gpuArch("gpu-arch",
            llvm::cl::desc("--target=cuda: the GPU architecture (sm_80, sm_90, sm_90a, ...)"),
            llvm::cl::init("sm_90"), llvm::cl::cat(compileCategory));
static llvm::cl::opt<std::string> cudaToolkit(
    "cuda-toolkit",
    llvm::cl::desc("--target=cuda: the CUDA toolkit whose ptxas and fatbinary make the "
                   "embedded cubin (default: $CUDA_HOME, $CUDA_PATH or /usr/local/cuda; "
                   "without them the library embeds PTX)"),
    llvm::cl::cat(compileCategory));
static llvm::cl::opt<int64_t>
    gpuBlockSize("gpu-block-size",
                 llvm::cl::desc("--target=cuda: threads per block of every kernel (default 256)"),
                 llvm::cl::init(256), llvm::cl::cat(compileCategory));
static llvm::cl::opt<unsigned> optLevel("opt-level",
                                        llvm::cl::desc("LLVM optimisation level (0-3)"),
                                        llvm::cl::init(3), llvm::cl::cat(compileCategory));
static llvm::cl::opt<std::string>
    moduleName("module-name",
               llvm::cl::desc("C identifier prefix of the header and the query symbol "
                              "(default: the output file's stem)"),
               llvm::cl::cat(compileCategory));
static llvm::cl::opt<std::string>
    linker("linker", llvm::cl::desc("C compiler driver that links shared libraries (default: cc)"),
           llvm::cl::cat(compileCategory));
static llvm::cl::opt<bool> cpuParallel(
    "parallel",
    llvm::cl::desc("Run parallel loops on the runtime's thread pool (default true; false "
                   "keeps every call on its calling thread)"),
    llvm::cl::init(true), llvm::cl::cat(compileCategory));
static llvm::cl::opt<bool> instrumentKernels(
    "instrument-kernels",
    llvm::cl::desc("Bracket kernels with the runtime profiler's hooks (default true)"),
    llvm::cl::init(true), llvm::cl::cat(compileCategory));
static llvm::cl::opt<bool> fuseElementwise(
    "fuse-elementwise",
    llvm::cl::desc("Fuse elementwise chains into their consumers (default true)"),
    llvm::cl::init(true), llvm::cl::cat(compileCategory));
static llvm::cl::opt<bool> fuseEpilogues(
    "fuse-epilogues",
    llvm::cl::desc("With --vectorize: compute the elementwise code after a matmul or "
                   "convolution (bias, activation, residual) on its microkernels' "
                   "accumulators (default true)"),
    llvm::cl::init(true), llvm::cl::cat(compileCategory));
static llvm::cl::opt<bool> vectorizeContractions(
    "vectorize",
    llvm::cl::desc("Vector microkernels for matmuls and convolutions, vector rows for "
                   "elementwise ops, transposed copies read as strided views (default true; "
                   "false: the loop lowering, vectorised by LLVM where it can)"),
    llvm::cl::init(true), llvm::cl::cat(compileCategory));
static llvm::cl::opt<bool> flashAttention(
    "flash-attention",
    llvm::cl::desc("Tiled online-softmax attention on the microkernels (default true; "
                   "false: the scalar loops of hybrid.attention)"),
    llvm::cl::init(true), llvm::cl::cat(compileCategory));
static llvm::cl::opt<bool> routeMoe(
    "route-moe",
    llvm::cl::desc("Route MoE layers into top-k, dispatch, per-expert matrix products and "
                   "combine (default true; false: the per-token loops of hybrid.moe)"),
    llvm::cl::init(true), llvm::cl::cat(compileCategory));
static llvm::cl::opt<bool> approximateMath(
    "approximate-math",
    llvm::cl::desc("Polynomial f32 exp/log/tanh/erf that vectorise, instead of libm calls "
                   "(default true)"),
    llvm::cl::init(true), llvm::cl::cat(compileCategory));
static llvm::cl::opt<bool> externalWeights(
    "external-weights",
    llvm::cl::desc("Write large constants to a side file next to the output (model.so -> "
                   "model.weights) that the runtime memory-maps, instead of embedding them"),
    llvm::cl::cat(compileCategory));
static llvm::cl::opt<uint64_t> externalWeightsMinBytes(
    "external-weights-min-bytes",
    llvm::cl::desc("Smallest constant (bytes) --external-weights moves out (default 1024)"),
    llvm::cl::init(1024), llvm::cl::cat(compileCategory));
static llvm::cl::opt<bool>
    progress("progress",
             llvm::cl::desc("Print a line per compile stage to stderr (on by default when "
                            "stderr is a terminal)"),
             llvm::cl::cat(compileCategory));

static llvm::cl::opt<std::string> reportFile(
    "report",
    llvm::cl::desc("Also write the compile report here: an HTML page of what the raising "
                   "passes rewrote and left, the code generator's choices and the converted "
                   "graph (ONNX models only)"),
    llvm::cl::value_desc("report.html"), llvm::cl::init(""), llvm::cl::cat(compileCategory));

/// The command line, as the report records it.
static std::vector<std::string> commandLine;

/// Prints "file: error: message" (the importer's messages name the node).
static void printDiagnostic(Diagnostic &diag) {
  auto &os = llvm::errs();
  Location loc = diag.getLocation();
  std::string where;
  loc->walk([&](Location l) {
    if (auto file = dyn_cast<FileLineColLoc>(l)) {
      where = file.getFilename().str();
      if (file.getLine() != 0)
        where += ":" + std::to_string(file.getLine()) + ":" + std::to_string(file.getColumn());
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (!where.empty())
    os << where << ": ";
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error: os << "error: "; break;
  case DiagnosticSeverity::Warning: os << "warning: "; break;
  case DiagnosticSeverity::Note: os << "note: "; break;
  case DiagnosticSeverity::Remark: os << "remark: "; break;
  }
  os << diag << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note);
}

/// --target: compiles `module` and writes the requested stage.
static LogicalResult compileModule(ModuleOp module, StringRef outputFilename,
                                   TimingScope &timing) {
  if (target != "cpu" && target != "cuda") {
    llvm::errs() << "hybrid-opt: unknown --target '" << target
                 << "' (expected 'cpu' or 'cuda')\n";
    return failure();
  }
  hybrid::CpuTargetOptions options;
  if (target == "cuda") {
    options.gpuArch = gpuArch;
    options.cudaToolkit = cudaToolkit;
    options.gpuBlockSize = gpuBlockSize;
  }
  options.cpu = targetCpu;
  options.features = targetFeatures;
  options.optLevel = std::min(optLevel.getValue(), 3u);
  options.moduleName = moduleName;
  options.linker = linker;
  options.parallel = cpuParallel;
  options.instrumentKernels = instrumentKernels;
  options.fuseElementwise = fuseElementwise;
  options.fuseEpilogues = fuseEpilogues;
  options.vectorize = vectorizeContractions;
  options.flashAttention = flashAttention;
  options.routeMoe = routeMoe;
  options.approximateMath = approximateMath;
  options.externalWeights = externalWeights;
  options.externalWeightsMinBytes = externalWeightsMinBytes;
  options.passManagerCLOptions = true;
  if (progress || llvm::errs().is_displayed()) {
    auto start = std::make_shared<llvm::TimeRecord>(llvm::TimeRecord::getCurrentTime());
    options.progress = [start](StringRef stage) {
      double s = llvm::TimeRecord::getCurrentTime().getWallTime() - start->getWallTime();
      llvm::errs() << "hybrid-opt: [" << llvm::format("%6.2f", s) << " s] " << stage << "\n";
    };
  }
  return hybrid::compileForCpu(module, outputFilename, emitKind, options, timing);
}

/// Nothing the user gave may be overwritten: refuse an output (or the header
/// written next to a library) that is the input file.
static bool overwritesInput(StringRef inputFilename, StringRef outputFilename) {
  if (inputFilename == "-" || outputFilename == "-")
    return false;
  SmallVector<std::string> outputs = {outputFilename.str()};
  if (!target.empty() && (emitKind == hybrid::CpuEmitKind::SharedLibrary ||
                          emitKind == hybrid::CpuEmitKind::StaticLibrary))
    outputs.push_back(hybrid::headerPathFor(outputFilename));
  for (const std::string &out : outputs) {
    bool same = false;
    if (!llvm::sys::fs::equivalent(inputFilename, out, same) && same) {
      llvm::errs() << "hybrid-opt: writing '" << out << "' would overwrite the input '"
                   << inputFilename << "'\n";
      return true;
    }
  }
  return false;
}

static void installDiagnosticPrinter(MLIRContext &context) {
  // Messages name the node; a dump of the onnx.node op adds nothing for a user.
  context.printOpOnDiagnostic(false);
  context.getDiagEngine().registerHandler([](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });
}

/// --target with an MLIR input: parse it and compile it.
static LogicalResult compileMlirFile(StringRef inputFilename,
                                     std::unique_ptr<llvm::MemoryBuffer> file,
                                     StringRef outputFilename, DialectRegistry &registry) {
  if (!reportFile.empty()) {
    llvm::errs() << "hybrid-opt: --report needs an ONNX model ('" << inputFilename
                 << "' is MLIR)\n";
    return failure();
  }
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  installDiagnosticPrinter(context);
  DefaultTimingManager tm;
  applyDefaultTimingManagerCLOptions(tm);
  TimingScope timing = tm.getRootScope();
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module;
  {
    TimingScope t = timing.nest("Parse");
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  if (!module)
    return failure();
  if (!module->getName())
    module->setName(inputFilename);
  return compileModule(*module, outputFilename, timing);
}

static LogicalResult runOnOnnxWith(StringRef inputFilename, StringRef buffer,
                                   StringRef outputFilename, DialectRegistry &registry,
                                   hybrid::CompileReport *report);

/// An ONNX model: import, raise, convert and, with --target, compile it; with
/// --report, write the report too (also when compilation failed: it shows how
/// far it got).
static LogicalResult runOnOnnx(StringRef inputFilename, StringRef buffer,
                               StringRef outputFilename, DialectRegistry &registry) {
  if (reportFile.empty())
    return runOnOnnxWith(inputFilename, buffer, outputFilename, registry, nullptr);
  StringRef dir = llvm::sys::path::parent_path(reportFile.getValue());
  if (!llvm::sys::fs::is_directory(dir.empty() ? "." : dir)) {
    llvm::errs() << "hybrid-opt: cannot write the report '" << reportFile
                 << "': no such directory\n";
    return failure();
  }
  bool same = false;
  if (!llvm::sys::fs::equivalent(inputFilename, reportFile.getValue(), same) && same) {
    llvm::errs() << "hybrid-opt: writing the report '" << reportFile
                 << "' would overwrite the input\n";
    return failure();
  }
  // The report outlives the context whose remark engine feeds it.
  hybrid::CompileReport report(inputFilename.str(), commandLine);
  LogicalResult result = runOnOnnxWith(inputFilename, buffer, outputFilename, registry, &report);
  report.finish(succeeded(result));
  std::string error;
  if (!report.write(reportFile, error)) {
    llvm::errs() << "hybrid-opt: " << error << "\n";
    return failure();
  }
  return result;
}

static LogicalResult runOnOnnxWith(StringRef inputFilename, StringRef buffer,
                                   StringRef outputFilename, DialectRegistry &registry,
                                   hybrid::CompileReport *report) {
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  hybrid::OnnxImportOptions options;
  options.entryName = onnxEntry;
  // Function ops the conversion has no converter for are read as their schema's
  // body (the faithful form keeps every node as written).
  if (!onnxFaithful)
    hybrid::expandUnconvertedSchemaFunctions(options);
  for (const std::string &spec : inputShapes) {
    std::string error;
    if (failed(hybrid::parseInputShapeOption(spec, options, error))) {
      llvm::errs() << "hybrid-opt: " << error << "\n";
      return failure();
    }
  }
  for (const std::string &spec : bindInputs) {
    std::string error;
    if (failed(hybrid::parseBindInputOption(spec, options, error))) {
      llvm::errs() << "hybrid-opt: " << error << "\n";
      return failure();
    }
  }
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  installDiagnosticPrinter(context);
  if (report && failed(report->attach(context))) {
    llvm::errs() << "hybrid-opt: cannot enable optimization remarks for --report\n";
    return failure();
  }
  DefaultTimingManager tm;
  applyDefaultTimingManagerCLOptions(tm);
  TimingScope timing = tm.getRootScope();
  OwningOpRef<ModuleOp> module;
  auto start = std::chrono::steady_clock::now();
  {
    TimingScope t = timing.nest("Import ONNX");
    module = hybrid::importOnnxModel(&context, buffer, inputFilename, options);
  }
  if (!module)
    return failure();
  if (report) {
    report->time("import", start);
    report->snapshot("onnx", *module);
  }
  if (!onnxFaithful && raisePatterns) {
    start = std::chrono::steady_clock::now();
    TimingScope t = timing.nest("Raise ONNX");
    hybrid::raiseOnnxGraph(*module);
    if (report)
      report->time("raise", start);
  }
  if (report)
    report->snapshot("raised", *module);
  if (!onnxFaithful) {
    start = std::chrono::steady_clock::now();
    TimingScope t = timing.nest("Convert ONNX");
    if (failed(hybrid::convertOnnxToHybrid(*module)))
      return failure();
    if (report) {
      report->time("convert", start);
      report->snapshot("hybrid", *module);
    }
  }
  if (!target.empty()) {
    if (onnxFaithful) {
      llvm::errs() << "hybrid-opt: --onnx-faithful keeps onnx.node ops, which cannot be "
                      "compiled; drop it with --target\n";
      return failure();
    }
    module->setName(inputFilename);
    start = std::chrono::steady_clock::now();
    LogicalResult compiled = compileModule(*module, outputFilename, timing);
    if (report)
      report->time("code generation", start);
    return compiled;
  }
  PassManager pm(&context, ModuleOp::getOperationName());
  pm.enableVerifier(config.shouldVerifyPasses());
  if (failed(applyPassManagerCLOptions(pm)) || failed(config.setupPassPipeline(pm)))
    return failure();
  pm.enableTiming(timing);
  if (failed(pm.run(*module)))
    return failure();

  std::string error;
  auto output = openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "hybrid-opt: " << error << "\n";
    return failure();
  }
  if (config.shouldEmitBytecode()) {
    if (failed(writeBytecodeToFile(*module, output->os())))
      return failure();
  } else {
    module->print(output->os());
    output->os() << "\n";
  }
  output->keep();
  return success();
}

int main(int argc, char **argv) {
  registerAllPasses();
  hybrid::registerAllHybridPasses();

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // gpu-module-to-binary (--hybrid-cuda-pipeline) translates GPU modules to
  // LLVM IR inside the pass pipeline.
  registerAllToLLVMIRTranslations(registry);
  hybrid::registerAllHybridDialects(registry);

  auto [inputFilename, outputFilename] =
      registerAndParseCLIOptions(argc, argv, "Hybrid optimizer driver\n", registry);
  for (int i = 1; i < argc; ++i)
    commandLine.push_back(argv[i]);

  // Standard input is always MLIR (sniffing it would consume it); a file is checked
  // for ONNX content and otherwise handed to MlirOptMain unchanged.
  if (inputFilename != "-") {
    std::string error;
    std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(inputFilename, &error);
    if (!file) {
      llvm::errs() << "hybrid-opt: " << error << "\n";
      return 1;
    }
    if (overwritesInput(inputFilename, outputFilename))
      return 1;
    if (hybrid::looksLikeOnnxModel(inputFilename, file->getBuffer()))
      return failed(runOnOnnx(inputFilename, file->getBuffer(), outputFilename, registry)) ? 1
                                                                                            : 0;
    if (!target.empty())
      return failed(compileMlirFile(inputFilename, std::move(file), outputFilename, registry))
                 ? 1
                 : 0;
  } else if (!target.empty()) {
    std::string error;
    std::unique_ptr<llvm::MemoryBuffer> file = openInputFile("-", &error);
    if (!file) {
      llvm::errs() << "hybrid-opt: " << error << "\n";
      return 1;
    }
    return failed(compileMlirFile("<stdin>", std::move(file), outputFilename, registry)) ? 1 : 0;
  }
  if (!reportFile.empty()) {
    llvm::errs() << "hybrid-opt: --report needs an ONNX model\n";
    return 1;
  }
  return asMainReturnCode(MlirOptMain(argc, argv, inputFilename, outputFilename, registry));
}
