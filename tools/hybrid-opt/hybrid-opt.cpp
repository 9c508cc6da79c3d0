//===- hybrid-opt.cpp - the Hybrid optimizer driver -----------------------===//
//
// mlir-opt with every upstream dialect, extension and pass plus Hybrid's dialects,
// passes and named pipelines. An ONNX model as input (recognised by its ".onnx"
// extension or its protobuf content) is imported first, then converted to hybrid
// and upstream ops (unless --onnx-faithful), then run through the requested passes:
//
//   hybrid-opt model.onnx --input-shape input_ids=1x128 -o model.mlir
//
// Errors name the file and the node; the output file is written only on success.
//
//===----------------------------------------------------------------------===//
#include "hybrid/Import/ONNX.h"
#include "hybrid/InitHybrid.h"
#include "lib/Conversion/ONNXToHybrid/Passes.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

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
static llvm::cl::opt<std::string>
    onnxEntry("onnx-entry", llvm::cl::desc("Name of the function holding the ONNX graph"),
              llvm::cl::init("main"), llvm::cl::cat(onnxCategory));

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

static LogicalResult runOnOnnx(StringRef inputFilename, StringRef buffer,
                               StringRef outputFilename, DialectRegistry &registry) {
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  hybrid::OnnxImportOptions options;
  options.entryName = onnxEntry;
  // Function ops the conversion has no converter for are read as their schema's
  // body (the faithful form keeps every node as written).
  if (!onnxFaithful)
    options.expandSchemaFunction = [](StringRef opType, int64_t version) {
      return !hybrid::hasOnnxConverter("", opType, version);
    };
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
  // Messages name the node; a dump of the onnx.node op adds nothing for a user.
  context.printOpOnDiagnostic(false);
  context.getDiagEngine().registerHandler([](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });
  OwningOpRef<ModuleOp> module = hybrid::importOnnxModel(&context, buffer, inputFilename, options);
  if (!module)
    return failure();
  if (!onnxFaithful && failed(hybrid::convertOnnxToHybrid(*module)))
    return failure();
  PassManager pm(&context, ModuleOp::getOperationName());
  pm.enableVerifier(config.shouldVerifyPasses());
  if (failed(applyPassManagerCLOptions(pm)) || failed(config.setupPassPipeline(pm)))
    return failure();
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
  hybrid::registerAllHybridDialects(registry);

  auto [inputFilename, outputFilename] =
      registerAndParseCLIOptions(argc, argv, "Hybrid optimizer driver\n", registry);

  // Standard input is always MLIR (sniffing it would consume it); a file is checked
  // for ONNX content and otherwise handed to MlirOptMain unchanged.
  if (inputFilename != "-") {
    std::string error;
    std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(inputFilename, &error);
    if (!file) {
      llvm::errs() << "hybrid-opt: " << error << "\n";
      return 1;
    }
    if (hybrid::looksLikeOnnxModel(inputFilename, file->getBuffer()))
      return failed(runOnOnnx(inputFilename, file->getBuffer(), outputFilename, registry)) ? 1
                                                                                            : 0;
  }
  return asMainReturnCode(MlirOptMain(argc, argv, inputFilename, outputFilename, registry));
}
