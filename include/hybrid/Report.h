//===- Report.h - the compile report (--report) -----------------*- C++ -*-===//
//
// What the compiler did to one model, for a person: `hybrid-opt model.onnx
// --target=cpu --report=report.html` and `hybrid.compile(model,
// report="report.html")` write it. It is built from MLIR's optimization
// remarks (mlir/IR/Remarks.h): the raising passes report every rewrite they
// make and every candidate they leave (a Scan whose body is not a recurrence
// they know, a Softmax outside any attention they can prove), and the CPU
// pipeline reports its choices (vector kernels or scalar loops, flash or
// plain attention, routed or dense experts). Remarks cost nothing unless a
// report is being made: without a remark engine on the context the passes'
// remark calls are no-ops.
//
// Use: attach() to the context before the first pass, snapshot() the module
// after import and after conversion, then write() once compilation is done.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_REPORT_H
#define HYBRID_REPORT_H

#include "hybrid/NodeName.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace hybrid {

class CompileReport {
public:
  /// One remark a pass made.
  struct Entry {
    std::string kind;     ///< "passed", "missed", "analysis" or "failure"
    std::string pass;     ///< the remark's category: the pass that made it
    std::string name;     ///< the remark's name ("raised", "vectorized", ...)
    std::string node;     ///< the ONNX node it is about (empty: none known)
    std::string message;  ///< what was done, or why not
  };
  /// One op of the converted function: what the graph became.
  struct Op {
    std::string node;   ///< the ONNX node it comes from (empty: none known)
    std::string name;   ///< the op ("hybrid.attention", "linalg.matmul", ...)
    std::string types;  ///< its result types
  };

  /// `model` names the model in the report; `options` lists the compile
  /// options that differ from the defaults (one "name=value" each).
  CompileReport(std::string model, std::vector<std::string> options);

  /// Enables MLIR's remark engine on `context` with this report collecting
  /// every remark. The report must outlive the context.
  mlir::LogicalResult attach(mlir::MLIRContext &context);

  /// One node of the ONNX graph after raising, for the drawing.
  struct GraphNode {
    std::string node;        ///< its name (a graph input's or output's name for those)
    std::string opType;      ///< "Attention", "SsmScan", ...; "input" / "output"
    std::vector<int> from;   ///< the nodes whose results it reads
  };

  /// Records the module at a stage: "onnx" (the faithful import: nodes by op
  /// type), "raised" (after the raising passes: the main graph's nodes and
  /// their data flow, drawn in the report) or "hybrid" (after conversion:
  /// every op of every function).
  void snapshot(llvm::StringRef stage, mlir::ModuleOp module);

  /// Records the wall time of a stage that began at `start` and ends now (in
  /// the order stages ran).
  void time(llvm::StringRef stage, std::chrono::steady_clock::time_point start);

  /// Whether compilation succeeded (a report is written either way).
  void finish(bool ok) { succeeded = ok; }

  /// Writes the HTML page to `path` through a temporary file and a rename;
  /// false with `error` set when it cannot.
  bool write(llvm::StringRef path, std::string &error) const;

  void add(Entry entry) { entries.push_back(std::move(entry)); }

private:
  /// The section with the drawing of `graph`.
  void writeGraph(llvm::raw_ostream &os) const;

  std::string model;
  std::vector<std::string> options;
  std::vector<Entry> entries;
  std::map<std::string, int> onnxNodes;        // op type -> count
  std::vector<Op> ops;                         // after conversion, in order
  std::vector<GraphNode> graph;                // after raising, in order
  std::map<std::string, std::string> imported; // node name -> op type, as imported
  std::vector<std::pair<std::string, double>> times;
  bool succeeded = false;
  std::chrono::system_clock::time_point started;
};

/// `dot` (Graphviz's language) laid out and rendered as SVG by Graphviz's
/// library, loaded at run time (libgvc.so.6): Hybrid neither links nor needs
/// it. False with `error` set when the library is missing or fails.
bool renderDotToSvg(const std::string &dot, std::string &svg, std::string &error);

} // namespace hybrid

#endif // HYBRID_REPORT_H
