//===- Report.cpp - the compile report (--report) -------------------------===//
//
// Collects MLIR optimization remarks and IR snapshots into a CompileReport
// and writes it as one self-contained HTML page (no scripts, no external
// files): a summary, what was raised and why, what was left as written and
// why, the code generator's choices, and the converted graph grouped by the
// ONNX scopes its nodes came from, each op marked with what happened to it.
//
//===----------------------------------------------------------------------===//
#include "hybrid/Report.h"

#include "dialects/ONNX/IR/ONNXDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Remarks.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <ctime>
#include <mutex>
#include <set>

using namespace mlir;

namespace {

/// Forwards every remark the engine reports to the report.
class Streamer : public remark::detail::MLIRRemarkStreamerBase {
public:
  explicit Streamer(hybrid::CompileReport &report) : report(report) {}
  void streamOptimizationRemark(const remark::detail::Remark &r) override {
    hybrid::CompileReport::Entry e;
    switch (r.getRemarkType()) {
    case llvm::remarks::Type::Passed: e.kind = "passed"; break;
    case llvm::remarks::Type::Missed: e.kind = "missed"; break;
    case llvm::remarks::Type::Failure: e.kind = "failure"; break;
    default: e.kind = "analysis"; break;
    }
    e.pass = r.getCombinedCategoryName().str();
    e.name = r.getRemarkName().str();
    e.node = hybrid::onnxNodeOf(r.getLocation());
    // The message: the remark's text arguments in order (metrics as k=v).
    std::string msg;
    for (const remark::detail::Remark::Arg &a : r.getArgs()) {
      if (!msg.empty() && !StringRef(msg).ends_with(" "))
        msg += " ";
      if (a.key == "Remark" || a.key == "Reason")
        msg += a.val;
      else
        msg += a.key + "=" + a.val;
    }
    e.message = std::move(msg);
    report.add(std::move(e));
  }

private:
  hybrid::CompileReport &report;
};

std::string escape(StringRef s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    default: out += c;
    }
  }
  return out;
}

/// The scope a node name belongs to: its path up to the last '/' but one
/// ("/layers.0/layers.0.mamba/Loop" -> "/layers.0/layers.0.mamba").
std::string scopeOf(StringRef node) {
  size_t slash = node.rfind('/');
  if (slash == StringRef::npos || slash == 0)
    return node.empty() ? "(no ONNX node)" : "/";
  return node.take_front(slash).str();
}

/// The passes whose remarks are about raising (onnx.node graph rewrites).
bool isRaising(StringRef pass) { return pass.starts_with("hybrid-raise"); }

/// `s` inside a DOT double-quoted string (a line break as DOT's \n).
std::string dotEscape(StringRef s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

/// Graphs with more nodes than this are not drawn (a layout of minutes).
constexpr size_t kMaxDrawnNodes = 2000;

} // namespace


hybrid::CompileReport::CompileReport(std::string model, std::vector<std::string> options)
    : model(std::move(model)), options(std::move(options)),
      started(std::chrono::system_clock::now()) {}

LogicalResult hybrid::CompileReport::attach(MLIRContext &context) {
  // Every kind of every category (a kind's filter exists only when set).
  remark::RemarkCategories all;
  all.passed = all.missed = all.analysis = all.failed = ".*";
  return remark::enableOptimizationRemarks(context, std::make_unique<Streamer>(*this),
                                           std::make_unique<remark::RemarkEmittingPolicyAll>(),
                                           all, /*printAsEmitRemarks=*/false);
}

void hybrid::CompileReport::snapshot(StringRef stage, ModuleOp module) {
  if (stage == "raised") {
    // The main graph (the module's first function): its inputs, its nodes in
    // order and its outputs, each with the nodes it reads. Constants
    // (initializers) are left out: they are not the graph's structure.
    graph.clear();
    auto fns = module.getOps<func::FuncOp>();
    if (fns.empty() || (*fns.begin()).isExternal())
      return;
    func::FuncOp fn = *fns.begin();
    llvm::DenseMap<Value, int> producer;
    for (BlockArgument arg : fn.getArguments()) {
      auto name = fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name");
      producer[arg] = static_cast<int>(graph.size());
      graph.push_back({name ? name.str() : "input " + std::to_string(arg.getArgNumber()),
                       "input", {}});
    }
    auto reads = [&](Operation *op) {
      std::vector<int> from;
      for (Value v : op->getOperands()) {
        auto it = producer.find(v);
        if (it != producer.end() && !llvm::is_contained(from, it->second))
          from.push_back(it->second);
      }
      return from;
    };
    for (Operation &op : fn.getBody().front()) {
      if (auto node = dyn_cast<hybrid::onnx::NodeOp>(op)) {
        std::string type = node.getOpType().str();
        int id = static_cast<int>(graph.size());
        graph.push_back({onnxNodeOf(node.getLoc()), type, reads(node)});
        for (Value r : node->getResults())
          producer[r] = id;
      } else if (op.hasTrait<OpTrait::IsTerminator>()) {
        for (unsigned i = 0; i < op.getNumOperands(); ++i) {
          auto name = fn.getResultAttrOfType<StringAttr>(i, "onnx.name");
          std::vector<int> from;
          auto it = producer.find(op.getOperand(i));
          if (it != producer.end())
            from.push_back(it->second);
          graph.push_back({name ? name.str() : "output " + std::to_string(i), "output", from});
        }
      }
    }
    return;
  }
  if (stage == "onnx") {
    onnxNodes.clear();
    imported.clear();
    module->walk([&](hybrid::onnx::NodeOp node) {
      imported[onnxNodeOf(node.getLoc())] = node.getOpType().str();
      std::string key = node.getOpType().str();
      if (!node.getDomain().empty())
        key = node.getDomain().str() + "." + key;
      ++onnxNodes[key];
    });
    return;
  }
  ops.clear();
  module->walk([&](FunctionOpInterface fn) {
    fn->walk([&](Operation *op) {
      StringRef name = op->getName().getStringRef();
      // The graph's work, not its bookkeeping.
      if (op == fn.getOperation() || name.starts_with("arith.") || name.starts_with("func.") ||
          name == "tensor.empty" || name == "tensor.dim" || op->getNumResults() == 0)
        return;
      Op o;
      o.node = onnxNodeOf(op->getLoc());
      o.name = name.str();
      llvm::raw_string_ostream os(o.types);
      llvm::interleaveComma(op->getResultTypes(), os);
      ops.push_back(std::move(o));
    });
  });
}

void hybrid::CompileReport::time(StringRef stage, std::chrono::steady_clock::time_point start) {
  std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  times.push_back({stage.str(), seconds.count()});
}

bool hybrid::CompileReport::write(StringRef path, std::string &error) const {
  std::string html;
  llvm::raw_string_ostream os(html);
  std::time_t now = std::chrono::system_clock::to_time_t(started);
  char when[64];
  std::strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  double total = 0;
  for (auto &t : times)
    total += t.second;

  os << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Hybrid: "
     << escape(model) << "</title>\n<style>\n"
     << "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}\n"
     << "h1{font-size:1.5em;margin-bottom:0}h2{margin-top:1.8em;border-bottom:1px solid #ddd}\n"
     << ".meta{color:#666}.cards{display:flex;flex-wrap:wrap;gap:.8em}\n"
     << ".card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:11em}\n"
     << ".card b{display:block;font-size:1.6em}\n"
     << "table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25em .6em;"
     << "border-bottom:1px solid #eee;vertical-align:top}th{background:#f6f6f6}\n"
     << "code{font:12px ui-monospace,monospace}.passed{color:#176b2c}.missed{color:#a15c00}\n"
     << ".op-hybrid{background:#e9f5ec;font-weight:600}.op-linalg{background:#f1f4fb}\n"
     << "details{margin:.3em 0}summary{cursor:pointer;font-weight:600}\n"
     << ".tag{font-size:11px;border-radius:3px;padding:0 .4em;margin-left:.4em;background:#eee}\n"
     << ".ok{color:#176b2c}.fail{color:#b00020}\n</style></head><body>\n";
  os << "<h1>" << escape(model) << "</h1>\n<p class=\"meta\">Compiled by Hybrid on " << when
     << " &middot; " << (succeeded ? "<span class=\"ok\">compiled</span>"
                                   : "<span class=\"fail\">failed</span>")
     << " &middot; " << llvm::format("%.2f", total) << " s";
  if (!options.empty()) {
    os << " &middot; options: ";
    for (size_t i = 0; i < options.size(); ++i)
      os << (i ? ", " : "") << "<code>" << escape(options[i]) << "</code>";
  }
  os << "</p>\n";

  // At a glance.
  int onnxTotal = 0, raised = 0, missed = 0, choices = 0, hybridOps = 0;
  for (auto &[type, n] : onnxNodes)
    onnxTotal += n;
  for (const Entry &e : entries) {
    if (isRaising(e.pass))
      (e.kind == "passed" ? raised : missed) += 1;
    else
      ++choices;
  }
  std::map<std::string, int> opCounts;
  for (const Op &o : ops) {
    ++opCounts[o.name];
    if (StringRef(o.name).starts_with("hybrid."))
      ++hybridOps;
  }
  os << "<h2>At a glance</h2>\n<div class=\"cards\">\n"
     << "<div class=\"card\"><b>" << onnxTotal << "</b>ONNX nodes</div>\n"
     << "<div class=\"card\"><b>" << raised << "</b>rewrites by the raising passes</div>\n"
     << "<div class=\"card\"><b>" << missed << "</b>candidates left as written</div>\n"
     << "<div class=\"card\"><b>" << hybridOps << "</b>hybrid ops after conversion</div>\n"
     << "<div class=\"card\"><b>" << choices << "</b>code-generation choices</div>\n</div>\n";
  std::vector<std::pair<int, std::string>> byCount;
  for (auto &[name, n] : opCounts)
    if (StringRef(name).starts_with("hybrid."))
      byCount.push_back({n, name});
  std::sort(byCount.rbegin(), byCount.rend());
  if (!byCount.empty()) {
    os << "<p>Hybrid ops: ";
    for (size_t i = 0; i < byCount.size(); ++i)
      os << (i ? ", " : "") << "<code>" << escape(byCount[i].second) << "</code> &times;"
         << byCount[i].first;
    os << ".</p>\n";
  }

  auto table = [&](StringRef title, StringRef intro, auto keep, StringRef whatHeader) {
    std::vector<const Entry *> rows;
    for (const Entry &e : entries)
      if (keep(e))
        rows.push_back(&e);
    os << "<h2>" << title << "</h2>\n<p>" << intro << "</p>\n";
    if (rows.empty()) {
      os << "<p><i>None.</i></p>\n";
      return;
    }
    os << "<table><tr><th>pass</th><th>ONNX node</th><th>" << whatHeader << "</th></tr>\n";
    for (const Entry *e : rows)
      os << "<tr><td><code>" << escape(e->pass) << "</code></td><td><code>"
         << escape(e->node.empty() ? "-" : e->node) << "</code></td><td class=\"" << e->kind
         << "\">" << escape(e->message) << "</td></tr>\n";
    os << "</table>\n";
  };
  table("Raised",
        "What the raising passes rewrote in the ONNX graph before conversion: each row is one "
        "rewrite, anchored on the node named, with what it became and what had to be proven.",
        [](const Entry &e) { return isRaising(e.pass) && e.kind == "passed"; }, "became, and why");
  table("Left as written",
        "Candidates a raising pass looked at and did not rewrite, with the reason: these run as "
        "the standard ops they are.",
        [](const Entry &e) { return isRaising(e.pass) && e.kind != "passed"; }, "why not");
  table("Code generation",
        "The CPU pipeline's choices for each op: vector kernels or scalar loops, flash or plain "
        "attention, routed or dense experts, fused elementwise chains.",
        [](const Entry &e) { return !isRaising(e.pass); }, "choice");

  writeGraph(os);

  // The graph after conversion, by scope.
  os << "<h2>The graph after conversion</h2>\n<p>Every op of the converted function in "
        "program order, grouped by the ONNX scope of the node it comes from; hybrid ops are "
        "highlighted, and an op whose node a pass reported on is tagged.</p>\n";
  std::set<std::string> reported;
  for (const Entry &e : entries)
    if (!e.node.empty())
      reported.insert(e.node);
  std::vector<std::string> scopes;
  std::map<std::string, std::vector<const Op *>> grouped;
  for (const Op &o : ops) {
    std::string s = scopeOf(o.node);
    if (!grouped.count(s))
      scopes.push_back(s);
    grouped[s].push_back(&o);
  }
  for (const std::string &s : scopes) {
    const std::vector<const Op *> &list = grouped[s];
    int nh = 0;
    for (const Op *o : list)
      nh += StringRef(o->name).starts_with("hybrid.");
    os << "<details" << (nh ? " open" : "") << "><summary><code>" << escape(s) << "</code> "
       << list.size() << " ops" << (nh ? ", " + std::to_string(nh) + " hybrid" : "")
       << "</summary>\n<table><tr><th>op</th><th>ONNX node</th><th>result types</th></tr>\n";
    for (const Op *o : list) {
      StringRef n(o->name);
      const char *cls = n.starts_with("hybrid.") ? "op-hybrid"
                        : n.starts_with("linalg.") ? "op-linalg"
                                                   : "";
      os << "<tr class=\"" << cls << "\"><td><code>" << escape(o->name) << "</code>";
      if (reported.count(o->node))
        os << "<span class=\"tag\">reported</span>";
      os << "</td><td><code>" << escape(o->node) << "</code></td><td><code>" << escape(o->types)
         << "</code></td></tr>\n";
    }
    os << "</table></details>\n";
  }

  os << "<h2>ONNX graph as imported</h2>\n<p>";
  bool first = true;
  for (auto &[type, n] : onnxNodes) {
    os << (first ? "" : ", ") << "<code>" << escape(type) << "</code> &times;" << n;
    first = false;
  }
  os << (first ? "<i>not recorded</i>" : "") << ".</p>\n";
  if (!times.empty()) {
    os << "<h2>Stage times</h2>\n<table><tr><th>stage</th><th>seconds</th></tr>\n";
    for (auto &[stage, s] : times)
      os << "<tr><td>" << escape(stage) << "</td><td>" << llvm::format("%.3f", s)
         << "</td></tr>\n";
    os << "</table>\n";
  }
  os << "</body></html>\n";

  // Through a temporary file next to `path` and a rename: no half-written report.
  SmallString<256> tmp;
  SmallString<256> dir = path;
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  SmallString<256> model = dir;
  llvm::sys::path::append(model, llvm::sys::path::filename(path) + ".tmp-%%%%%%");
  int fd;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, tmp)) {
    error = "cannot write the report '" + path.str() + "': " + ec.message();
    return false;
  }
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out << html;
    out.flush();
    if (out.has_error()) {
      error = "cannot write the report '" + path.str() + "': " + out.error().message();
      out.clear_error();
      llvm::sys::fs::remove(tmp);
      return false;
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmp, path)) {
    llvm::sys::fs::remove(tmp);
    error = "cannot write the report '" + path.str() + "': " + ec.message();
    return false;
  }
  return true;
}

bool hybrid::renderDotToSvg(const std::string &dot, std::string &svg, std::string &error) {
  // Graphviz's C API, the few functions used, as Debian 12's Graphviz 2.42
  // declares them (gvRenderData's length is an unsigned int there, a size_t
  // in later versions: a zeroed size_t reads right either way).
  using ContextFn = void *(*)();
  using ReadFn = void *(*)(const char *);
  using LayoutFn = int (*)(void *, void *, const char *);
  using RenderFn = int (*)(void *, void *, const char *, char **, void *);
  using FreeDataFn = void (*)(char *);
  using FreeFn = int (*)(void *, void *);
  using CloseFn = int (*)(void *);
  using FreeContextFn = int (*)(void *);
  using SetErrFn = int (*)(int);
  // Graphviz keeps global state: one rendering at a time (Python may compile
  // on several threads).
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  std::string why;
  auto cgraph = llvm::sys::DynamicLibrary::getPermanentLibrary("libcgraph.so.6", &why);
  auto gvc = cgraph.isValid() ? llvm::sys::DynamicLibrary::getPermanentLibrary("libgvc.so.6", &why)
                              : llvm::sys::DynamicLibrary();
  if (!cgraph.isValid() || !gvc.isValid()) {
    error = "Graphviz's library (libgvc.so.6) is not installed: " + why;
    return false;
  }
  auto get = [](llvm::sys::DynamicLibrary &lib, const char *name) {
    return lib.getAddressOfSymbol(name);
  };
  auto context = reinterpret_cast<ContextFn>(get(gvc, "gvContext"));
  auto read = reinterpret_cast<ReadFn>(get(cgraph, "agmemread"));
  auto layout = reinterpret_cast<LayoutFn>(get(gvc, "gvLayout"));
  auto render = reinterpret_cast<RenderFn>(get(gvc, "gvRenderData"));
  auto freeData = reinterpret_cast<FreeDataFn>(get(gvc, "gvFreeRenderData"));
  auto freeLayout = reinterpret_cast<FreeFn>(get(gvc, "gvFreeLayout"));
  auto close = reinterpret_cast<CloseFn>(get(cgraph, "agclose"));
  auto freeContext = reinterpret_cast<FreeContextFn>(get(gvc, "gvFreeContext"));
  auto setErr = reinterpret_cast<SetErrFn>(get(cgraph, "agseterr"));
  if (!context || !read || !layout || !render || !freeData || !freeLayout || !close ||
      !freeContext) {
    error = "Graphviz's library lacks a function the report uses";
    return false;
  }
  if (setErr)
    setErr(2); // AGMAX: Graphviz prints nothing to stderr; failures are returned
  void *ctx = context();
  if (!ctx) {
    error = "Graphviz could not start";
    return false;
  }
  void *g = read(dot.c_str());
  bool ok = false;
  if (!g) {
    error = "Graphviz could not read the graph";
  } else if (layout(ctx, g, "dot") != 0) {
    error = "Graphviz's dot layout failed (is its plugin configuration installed?)";
  } else {
    char *data = nullptr;
    size_t length = 0;
    if (render(ctx, g, "svg", &data, &length) != 0 || !data) {
      error = "Graphviz could not render SVG";
    } else {
      svg.assign(data, static_cast<unsigned>(length));
      ok = true;
    }
    if (data)
      freeData(data);
    freeLayout(ctx, g);
  }
  if (g)
    close(g);
  freeContext(ctx);
  return ok;
}

void hybrid::CompileReport::writeGraph(llvm::raw_ostream &os) const {
  os << "<h2>The graph</h2>\n";
  if (graph.empty()) {
    os << "<p><i>Not recorded.</i></p>\n";
    return;
  }
  // What happened to each node, from the remarks about it.
  struct Status {
    bool raised = false, left = false, fused = false, kernel = false;
    std::vector<std::string> notes;
  };
  std::map<std::string, Status> status;
  // A raising pass reports on the node its match is anchored on (RMSNorm's
  // ReduceMean); the node it makes carries another name (the pattern's last
  // node). So a node is "raised" when it was not in the imported graph with
  // its op type, and the raising remarks of its scope explain it.
  std::map<std::string, std::vector<std::string>> raisedInScope;
  for (const Entry &e : entries) {
    if (e.node.empty())
      continue;
    bool passed = e.kind == "passed";
    if (isRaising(e.pass) && passed) {
      raisedInScope[scopeOf(e.node)].push_back(e.pass + ": " + e.message);
      continue;
    }
    Status &st = status[e.node];
    if (isRaising(e.pass))
      st.left = true;
    else if (e.pass == "hybrid-fuse-elementwise")
      st.fused = true;
    else if (passed)
      st.kernel = true;
    st.notes.push_back(e.pass + ": " + e.message);
  }
  for (const GraphNode &n : graph) {
    if (n.opType == "input" || n.opType == "output")
      continue;
    auto it = imported.find(n.node);
    if (it != imported.end() && it->second == n.opType)
      continue;
    Status &st = status[n.node];
    st.raised = true;
    std::vector<std::string> why = raisedInScope[scopeOf(n.node)];
    if (it != imported.end())
      why.insert(why.begin(), "made by raising (this name was a " + it->second + ")");
    else
      why.insert(why.begin(), "made by raising");
    st.notes.insert(st.notes.begin(), why.begin(), why.end());
  }
  // Raising may add layout nodes (Unsqueeze, Transpose) under the name of the
  // node it made; remarks keyed by that name are about the computing node.
  auto layoutOnly = [](StringRef type) {
    return llvm::is_contained({"Unsqueeze", "Squeeze", "Reshape", "Transpose", "Identity",
                               "Flatten", "Expand", "Cast"},
                              type);
  };
  std::set<std::string> computing;
  for (const GraphNode &n : graph)
    if (!layoutOnly(n.opType) && n.opType != "input" && n.opType != "output")
      computing.insert(n.node);
  int counts[5] = {0, 0, 0, 0, 0}; // raised, kernel, fused, left, plain
  std::string dot;
  llvm::raw_string_ostream d(dot);
  d << "digraph model {\n  rankdir=TB; nodesep=0.2; ranksep=0.3; bgcolor=\"transparent\";\n"
    << "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, "
       "fillcolor=\"#eeeeee\", color=\"#9e9e9e\", margin=\"0.08,0.04\"];\n"
    << "  edge [color=\"#757575\", arrowsize=0.6];\n";
  for (size_t i = 0; i < graph.size(); ++i) {
    const GraphNode &n = graph[i];
    if (n.opType == "input" || n.opType == "output") {
      d << "  n" << i << " [shape=ellipse, style=filled, fillcolor=\"#ffffff\", label=\""
        << dotEscape(n.node) << "\"];\n";
    } else {
      auto it = status.find(n.node);
      Status st = it == status.end() ? Status() : it->second;
      if (layoutOnly(n.opType) && computing.count(n.node)) {
        st.kernel = st.fused = st.left = false;
        st.notes.erase(std::remove_if(st.notes.begin(), st.notes.end(),
                                      [](const std::string &note) {
                                        return !StringRef(note).starts_with("made by raising") &&
                                               !StringRef(note).starts_with("hybrid-raise");
                                      }),
                       st.notes.end());
      }
      const char *fill = st.raised   ? "#a5d6a7"
                         : st.kernel ? "#90caf9"
                         : st.fused  ? "#ce93d8"
                         : st.left   ? "#ffcc80"
                                     : "#eeeeee";
      ++counts[st.raised ? 0 : st.kernel ? 1 : st.fused ? 2 : st.left ? 3 : 4];
      std::vector<std::string> tags;
      if (st.raised)
        tags.push_back("raised");
      if (st.kernel)
        tags.push_back("kernel");
      if (st.fused)
        tags.push_back("fused");
      if (st.left)
        tags.push_back("left");
      StringRef tail = StringRef(n.node).rsplit('/').second;
      if (tail.empty())
        tail = n.node;
      std::string label = n.opType + "\n" + tail.take_front(32).str();
      if (!tags.empty())
        label += "\n[" + llvm::join(tags, ", ") + "]";
      std::string tip = n.node;
      for (const std::string &note : st.notes)
        tip += "\n" + note;
      d << "  n" << i << " [label=\"" << dotEscape(label) << "\", fillcolor=\"" << fill
        << "\", tooltip=\"" << dotEscape(tip) << "\"";
      if (st.raised && st.kernel)
        d << ", color=\"#1565c0\", penwidth=2";
      d << "];\n";
    }
    for (int from : n.from)
      d << "  n" << from << " -> n" << i << ";\n";
  }
  d << "}\n";

  os << "<p>The ONNX graph after the raising passes, one box per node (constants left out), "
        "coloured by what happened to it; hover a box for the node's name and every remark "
        "about it. <span style=\"background:#a5d6a7\">&nbsp;raised&nbsp;</span> a raising pass "
        "made it (" << counts[0] << "); <span style=\"background:#90caf9\">&nbsp;kernel&nbsp;"
        "</span> a code-generation choice was made for it: routed experts, flash attention, "
        "vector scans (" << counts[1] << "; a blue border on a raised node too); "
     << "<span style=\"background:#ce93d8\">&nbsp;fused&nbsp;</span> its elementwise code was "
        "fused with a neighbour's (" << counts[2] << "); "
     << "<span style=\"background:#ffcc80\">&nbsp;left&nbsp;</span> a raising pass looked at it "
        "and left it as written (" << counts[3] << "); grey: converted as written ("
     << counts[4] << ").</p>\n";
  std::string svg, why;
  if (graph.size() > kMaxDrawnNodes) {
    why = "the graph has " + std::to_string(graph.size()) + " nodes, more than the " +
          std::to_string(kMaxDrawnNodes) + " drawn";
  } else if (renderDotToSvg(dot, svg, why)) {
    size_t at = svg.find("<svg");
    os << "<div style=\"overflow:auto;max-height:85vh;border:1px solid #ddd\">\n"
       << (at == std::string::npos ? svg : svg.substr(at)) << "</div>\n";
  }
  if (svg.empty())
    os << "<p><i>Not drawn: " << escape(why) << ". Its Graphviz source is below "
       << "(<code>dot -Tsvg</code> draws it).</i></p>\n";
  os << "<details><summary>Graphviz source</summary><pre>" << escape(dot)
     << "</pre></details>\n";
}
