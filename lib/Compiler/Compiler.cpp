//===- Compiler.cpp - Hybrid's compiler facade ----------------------------===//
#include "hybrid/Compiler.h"

#include "hybrid/Import/ONNX.h"
#include "hybrid/InitHybrid.h"
#include "hybrid/Report.h"
#include "hybrid/Target/CPU.h"
#include "lib/Conversion/ONNXToHybrid/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>
#include <optional>

using namespace mlir;
using hybrid::facade::CompileOptions;
using Record = hybrid::facade::Diagnostic;
using hybrid::facade::Result;

namespace {

/// The registry every context gets: what hybrid-opt registers (the importer's
/// output uses upstream dialects whose bufferization and inliner models live
/// in the extensions).
const DialectRegistry &registry() {
  static const DialectRegistry *r = [] {
    auto *reg = new DialectRegistry();
    registerAllDialects(*reg);
    registerAllExtensions(*reg);
    hybrid::registerAllHybridDialects(*reg);
    return reg;
  }();
  return *r;
}

/// Collects diagnostics as records: the file from the location's
/// FileLineColLoc, the ONNX node from its NameLoc (the importer gives every op
/// `NameLoc(node name, file)`).
class Collector {
public:
  explicit Collector(MLIRContext &context)
      : handler(&context, [this](mlir::Diagnostic &diag) {
          add(diag);
          return success();
        }) {
    context.printOpOnDiagnostic(false);
  }
  std::vector<Record> take() { return std::move(records); }

private:
  void add(mlir::Diagnostic &diag) {
    Record d;
    switch (diag.getSeverity()) {
    case DiagnosticSeverity::Error: d.severity = "error"; break;
    case DiagnosticSeverity::Warning: d.severity = "warning"; break;
    case DiagnosticSeverity::Note: d.severity = "note"; break;
    case DiagnosticSeverity::Remark: d.severity = "remark"; break;
    }
    d.message = diag.str();
    diag.getLocation()->walk([&](Location l) {
      if (auto name = dyn_cast<NameLoc>(l); name && d.node.empty())
        d.node = name.getName().str();
      if (auto file = dyn_cast<FileLineColLoc>(l); file && d.file.empty())
        d.file = file.getFilename().str();
      return WalkResult::advance();
    });
    records.push_back(std::move(d));
    for (mlir::Diagnostic &note : diag.getNotes())
      add(note);
  }

  std::vector<Record> records;
  ScopedDiagnosticHandler handler;
};

Result failWith(std::vector<Record> diags, std::string message, const std::string &file) {
  Result r;
  r.diagnostics = std::move(diags);
  r.diagnostics.push_back(Record{"error", std::move(message), file, ""});
  return r;
}

/// Imports and converts the model; null with diagnostics on failure. With a
/// report, records the module after import and after conversion.
OwningOpRef<ModuleOp> importModel(MLIRContext &context, const std::string &model,
                                  const std::string &path, const CompileOptions &options,
                                  bool convert, hybrid::CompileReport *report = nullptr) {
  hybrid::OnnxImportOptions import;
  for (const auto &[name, dims] : options.inputShapes)
    import.inputShapes[name] = llvm::SmallVector<int64_t>(dims.begin(), dims.end());
  if (convert)
    hybrid::expandUnconvertedSchemaFunctions(import);
  auto start = std::chrono::steady_clock::now();
  OwningOpRef<ModuleOp> module = hybrid::importOnnxModel(&context, model, path, import);
  if (!module)
    return nullptr;
  if (report) {
    report->time("import", start);
    report->snapshot("onnx", *module);
  }
  start = std::chrono::steady_clock::now();
  if (convert && options.raise)
    hybrid::raiseOnnxGraph(*module);
  if (report) {
    report->time("raise", start);
    report->snapshot("raised", *module);
  }
  start = std::chrono::steady_clock::now();
  if (convert && failed(hybrid::convertOnnxToHybrid(*module)))
    return nullptr;
  if (report) {
    report->time("convert", start);
    report->snapshot("hybrid", *module);
  }
  module->setName(path);
  return module;
}

/// The options that differ from the defaults, as the report lists them.
std::vector<std::string> nonDefaultOptions(const CompileOptions &o) {
  CompileOptions d;
  std::vector<std::string> out;
  auto flag = [&](const char *name, bool v, bool dv) {
    if (v != dv)
      out.push_back(std::string(name) + "=" + (v ? "true" : "false"));
  };
  if (o.cpu != d.cpu)
    out.push_back("cpu=" + o.cpu);
  if (!o.features.empty())
    out.push_back("features=" + o.features);
  if (o.optLevel != d.optLevel)
    out.push_back("opt_level=" + std::to_string(o.optLevel));
  for (const auto &[name, dims] : o.inputShapes) {
    std::string s = "input_shape=" + name + "=";
    for (size_t i = 0; i < dims.size(); ++i)
      s += (i ? "x" : "") + (dims[i] < 0 ? std::string("?") : std::to_string(dims[i]));
    out.push_back(s);
  }
  flag("raise", o.raise, d.raise);
  flag("parallel", o.parallel, d.parallel);
  flag("fuse_elementwise", o.fuseElementwise, d.fuseElementwise);
  flag("fuse_epilogues", o.fuseEpilogues, d.fuseEpilogues);
  flag("vectorize", o.vectorize, d.vectorize);
  flag("flash_attention", o.flashAttention, d.flashAttention);
  flag("route_moe", o.routeMoe, d.routeMoe);
  flag("approximate_math", o.approximateMath, d.approximateMath);
  flag("external_weights", o.externalWeights, d.externalWeights);
  return out;
}

hybrid::CpuTargetOptions cpuOptions(const CompileOptions &o) {
  hybrid::CpuTargetOptions t;
  t.cpu = o.cpu;
  t.features = o.features;
  t.optLevel = std::min(o.optLevel, 3u);
  t.moduleName = o.moduleName;
  t.linker = o.linker;
  t.parallel = o.parallel;
  t.instrumentKernels = o.instrumentKernels;
  t.fuseElementwise = o.fuseElementwise;
  t.fuseEpilogues = o.fuseEpilogues;
  t.vectorize = o.vectorize;
  t.flashAttention = o.flashAttention;
  t.routeMoe = o.routeMoe;
  t.approximateMath = o.approximateMath;
  t.externalWeights = o.externalWeights;
  t.externalWeightsMinBytes = o.externalWeightsMinBytes;
  if (o.target == "cuda") {
    t.gpuArch = o.gpuArch;
    t.cudaToolkit = o.cudaToolkit;
    t.gpuBlockSize = o.gpuBlockSize;
  }
  return t;
}

hybrid::CpuEmitKind cpuKind(hybrid::facade::EmitKind kind) {
  using K = hybrid::facade::EmitKind;
  switch (kind) {
  case K::Lib: return hybrid::CpuEmitKind::SharedLibrary;
  case K::StaticLib: return hybrid::CpuEmitKind::StaticLibrary;
  case K::Object: return hybrid::CpuEmitKind::Object;
  case K::LlvmIR: return hybrid::CpuEmitKind::LlvmIR;
  case K::Mlir: return hybrid::CpuEmitKind::Mlir;
  }
  return hybrid::CpuEmitKind::SharedLibrary;
}

bool checkTarget(const CompileOptions &options, const std::string &path, Result &r) {
  if (options.target == "cpu" || options.target == "cuda")
    return true;
  r = failWith({}, "unknown target '" + options.target + "' (expected 'cpu' or 'cuda')", path);
  return false;
}

} // namespace

const std::vector<std::string> &hybrid::facade::irStages() {
  static const std::vector<std::string> stages = {"onnx", "hybrid", "llvm-dialect", "llvm"};
  return stages;
}

Result hybrid::facade::compile(const std::string &model, const std::string &path,
                               const CompileOptions &options, const std::string &output,
                               EmitKind kind) {
  Result r;
  if (!checkTarget(options, path, r))
    return r;
  // The report outlives the context, whose remark engine feeds it.
  std::optional<hybrid::CompileReport> report;
  if (!options.report.empty()) {
    if (!llvm::sys::fs::is_directory(llvm::sys::path::parent_path(options.report).empty()
                                         ? "."
                                         : llvm::sys::path::parent_path(options.report)))
      return failWith({}, "cannot write the report '" + options.report + "': no such directory",
                      path);
    report.emplace(path, nonDefaultOptions(options));
  }
  MLIRContext context(registry());
  context.loadAllAvailableDialects();
  Collector collector(context);
  if (report && failed(report->attach(context)))
    return failWith(collector.take(), "cannot enable optimization remarks for the report", path);
  OwningOpRef<ModuleOp> module = importModel(context, model, path, options, /*convert=*/true,
                                             report ? &*report : nullptr);
  DefaultTimingManager tm;
  TimingScope timing = tm.getRootScope();
  auto start = std::chrono::steady_clock::now();
  r.ok = module && succeeded(hybrid::compileForCpu(*module, output, cpuKind(kind),
                                                   cpuOptions(options), timing));
  r.diagnostics = collector.take();
  if (report) {
    if (module)
      report->time("code generation", start);
    report->finish(r.ok);
    std::string error;
    if (!report->write(options.report, error)) {
      r.diagnostics.push_back(Record{"error", error, path, ""});
      r.ok = false;
    }
  }
  return r;
}

Result hybrid::facade::ir(const std::string &model, const std::string &path,
                          const CompileOptions &options, const std::string &stage) {
  Result r;
  const std::vector<std::string> &stages = irStages();
  if (std::find(stages.begin(), stages.end(), stage) == stages.end()) {
    std::string known;
    for (const std::string &s : stages)
      known += (known.empty() ? "" : ", ") + s;
    return failWith({}, "unknown IR stage '" + stage + "' (expected one of " + known + ")", path);
  }
  if (!checkTarget(options, path, r))
    return r;
  MLIRContext context(registry());
  context.loadAllAvailableDialects();
  Collector collector(context);
  OwningOpRef<ModuleOp> module =
      importModel(context, model, path, options, /*convert=*/stage != "onnx");
  if (module && (stage == "onnx" || stage == "hybrid")) {
    llvm::raw_string_ostream os(r.text);
    module->print(os);
    r.ok = true;
  } else if (module) {
    // The later stages are compileForCpu's text outputs, through a temporary
    // file (it writes files atomically, or standard output).
    llvm::SmallString<128> tmp;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile("hybrid-ir", "txt", tmp))
      return failWith(collector.take(), "cannot create a temporary file: " + ec.message(), path);
    auto remove = llvm::scope_exit([&] { llvm::sys::fs::remove(tmp); });
    DefaultTimingManager tm;
    TimingScope timing = tm.getRootScope();
    hybrid::CpuTargetOptions target = cpuOptions(options);
    // The module name must not come from the temporary file's name.
    if (target.moduleName.empty())
      target.moduleName = "model";
    // With externalWeights the text shows the slot loads; text stages write no
    // side file.
    auto kind = stage == "llvm" ? hybrid::CpuEmitKind::LlvmIR : hybrid::CpuEmitKind::Mlir;
    if (succeeded(hybrid::compileForCpu(*module, tmp, kind, target, timing))) {
      auto text = llvm::MemoryBuffer::getFile(tmp);
      if (!text)
        return failWith(collector.take(), "cannot read back " + tmp.str().str(), path);
      r.text = (*text)->getBuffer().str();
      r.ok = true;
    }
  }
  r.diagnostics = collector.take();
  return r;
}
