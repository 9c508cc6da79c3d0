//===- HybridModule.cpp - the `hybrid._hybrid` extension module -----------===//
//
// pybind11 bindings over the compiler facade (include/hybrid/Compiler.h) and
// the C runtime (runtime/include/hybrid/runtime.h); no MLIR object crosses into
// Python. The Python package (python/hybrid/api.py) builds the user-facing API
// on these primitives:
//
//   compile(model_bytes, path, options, output, emit) -> (ok, diagnostics)
//   ir(model_bytes, path, options, stage)             -> (ok, diagnostics, text)
//   Library(path, weights_path)    a loaded compiled library
//     .functions()                 signatures as dicts
//     .call(fn, arrays, executor, memory_plan) -> (outputs, stats)
//   Executor(threads)              the runtime's thread pool
//
// The GIL is released while compiling and while a call runs. Runtime failures
// raise the exception class hybrid.errors maps their status code to.
//
//===----------------------------------------------------------------------===//
#include "hybrid/Compiler.h"
#include "hybrid/runtime.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace py = pybind11;
using namespace pybind11::literals;

namespace {

/// A failed runtime status, thrown by `check` and translated into the
/// hybrid.errors class for its code.
struct StatusError {
  int code;
  std::string message;
};

void check(hybrid_status_t status) {
  if (!status)
    return;
  StatusError error{static_cast<int>(hybrid_status_get_code(status)),
                    hybrid_status_message(status)};
  hybrid_status_free(status);
  throw error;
}

py::list diagnosticsToPython(const std::vector<hybrid::facade::Diagnostic> &diags) {
  py::list out;
  for (const auto &d : diags)
    out.append(py::make_tuple(d.severity, d.message, d.file, d.node));
  return out;
}

hybrid::facade::CompileOptions optionsFromPython(const py::dict &o) {
  hybrid::facade::CompileOptions options;
  for (auto item : o) {
    std::string key = py::str(item.first);
    py::handle v = item.second;
    if (key == "target") options.target = v.cast<std::string>();
    else if (key == "input_shapes")
      options.inputShapes = v.cast<std::map<std::string, std::vector<int64_t>>>();
    else if (key == "cpu") options.cpu = v.cast<std::string>();
    else if (key == "features") options.features = v.cast<std::string>();
    else if (key == "opt_level") options.optLevel = v.cast<unsigned>();
    else if (key == "module_name") options.moduleName = v.cast<std::string>();
    else if (key == "linker") options.linker = v.cast<std::string>();
    else if (key == "parallel") options.parallel = v.cast<bool>();
    else if (key == "instrument_kernels") options.instrumentKernels = v.cast<bool>();
    else if (key == "raise_patterns") options.raise = v.cast<bool>();
    else if (key == "fuse_elementwise") options.fuseElementwise = v.cast<bool>();
    else if (key == "fuse_epilogues") options.fuseEpilogues = v.cast<bool>();
    else if (key == "vectorize") options.vectorize = v.cast<bool>();
    else if (key == "flash_attention") options.flashAttention = v.cast<bool>();
    else if (key == "route_moe") options.routeMoe = v.cast<bool>();
    else if (key == "approximate_math") options.approximateMath = v.cast<bool>();
    else if (key == "external_weights") options.externalWeights = v.cast<bool>();
    else if (key == "external_weights_min_bytes")
      options.externalWeightsMinBytes = v.cast<uint64_t>();
    else if (key == "report") options.report = v.cast<std::string>();
    else if (key == "gpu_arch") options.gpuArch = v.cast<std::string>();
    else if (key == "cuda_toolkit") options.cudaToolkit = v.cast<std::string>();
    else if (key == "gpu_block_size") options.gpuBlockSize = v.cast<int64_t>();
    else
      throw py::type_error("unknown compile option '" + key + "'");
  }
  return options;
}

hybrid::facade::EmitKind emitKind(const std::string &emit) {
  using K = hybrid::facade::EmitKind;
  if (emit == "lib") return K::Lib;
  if (emit == "staticlib") return K::StaticLib;
  if (emit == "obj") return K::Object;
  if (emit == "llvm") return K::LlvmIR;
  if (emit == "mlir") return K::Mlir;
  throw py::value_error("unknown emit kind '" + emit +
                        "' (expected lib, staticlib, obj, llvm or mlir)");
}

class Executor {
public:
  explicit Executor(int32_t threads) { check(hybrid_executor_create(threads, &executor)); }
  ~Executor() { hybrid_executor_release(executor); }
  Executor(const Executor &) = delete;
  Executor &operator=(const Executor &) = delete;
  int32_t numThreads() const { return hybrid_executor_num_threads(executor); }
  hybrid_executor_t *get() const { return executor; }

private:
  hybrid_executor_t *executor = nullptr;
};

py::dict tensorInfo(const hybrid_abi_tensor_info &t) {
  py::list shape;
  for (int32_t d = 0; d < t.rank; ++d) {
    if (t.dims[d] >= 0)
      shape.append(t.dims[d]);
    else if (t.dim_names && t.dim_names[d] && t.dim_names[d][0])
      shape.append(py::str(t.dim_names[d]));
    else
      shape.append(py::none());
  }
  return py::dict("name"_a = t.name, "dtype"_a = t.dtype, "shape"_a = shape);
}

/// Owns one reference of a runtime tensor for the NumPy array over its memory.
void releaseTensor(PyObject *capsule) {
  auto *t = static_cast<hybrid_tensor_t *>(PyCapsule_GetPointer(capsule, "hybrid_tensor"));
  hybrid_tensor_release(t);
}

class Library {
public:
  Library(const std::string &path, std::optional<std::string> weightsPath) {
    hybrid_module_options_t options = {};
    if (weightsPath)
      options.weights_path = weightsPath->c_str();
    hybrid_status_t st;
    {
      py::gil_scoped_release release;
      st = hybrid_module_load_ex(path.c_str(), &options, &module);
    }
    check(st);
  }
  ~Library() { hybrid_module_release(module); }
  Library(const Library &) = delete;
  Library &operator=(const Library &) = delete;

  py::dict describe() const {
    const hybrid_abi_module *table = hybrid_module_table(module);
    py::list functions;
    for (int32_t f = 0; f < table->num_functions; ++f) {
      const hybrid_abi_function &fn = table->functions[f];
      py::list inputs, outputs;
      for (int32_t i = 0; i < fn.num_inputs; ++i)
        inputs.append(tensorInfo(fn.inputs[i]));
      for (int32_t i = 0; i < fn.num_outputs; ++i)
        outputs.append(tensorInfo(fn.outputs[i]));
      functions.append(py::dict("name"_a = fn.name, "inputs"_a = inputs, "outputs"_a = outputs));
    }
    py::object weights = py::none();
    if (table->weights && table->weights->file_name)
      weights = py::str(table->weights->file_name);
    return py::dict("name"_a = table->name ? table->name : "", "weights_file"_a = weights,
                    "producer"_a = table->producer ? table->producer : "",
                    "functions"_a = functions);
  }

  /// Calls function `index` on `arrays` (C-contiguous NumPy arrays whose dtype
  /// codes are `dtypes`, checked by the runtime) and returns (outputs, stats).
  /// Each output is a NumPy array of its dtype and shape over the tensor's own
  /// memory, or, for a dtype NumPy itself lacks (bfloat16, 4-bit integers), a
  /// (dtype code, shape, flat uint8 array) tuple that Python views. `stats` is
  /// the call's statistics (a dict), or None without `withStats`.
  py::tuple call(int32_t index, const py::list &arrays, const std::vector<int32_t> &dtypes,
                 const Executor *executor, bool memoryPlan, bool withStats) const {
    const hybrid_abi_module *table = hybrid_module_table(module);
    if (index < 0 || index >= table->num_functions)
      throw py::index_error("no function #" + std::to_string(index));
    const hybrid_abi_function *fn = &table->functions[index];
    if (arrays.size() != dtypes.size())
      throw py::value_error("one dtype code per array");

    // Each input is a view of the array's memory; the runtime only reads it,
    // and `arrays` keeps it alive for the call.
    std::vector<hybrid_tensor_t *> inputs(arrays.size(), nullptr);
    auto releaseInputs = [&] {
      for (hybrid_tensor_t *t : inputs)
        if (t)
          hybrid_tensor_release(t);
    };
    try {
      int64_t shape[kMaxRank];
      for (size_t i = 0; i < arrays.size(); ++i) {
        // The arrays come from the Python side, which made them ndarrays.
        if (!py::isinstance<py::array>(arrays[i]))
          throw py::type_error("inputs must be NumPy arrays");
        auto a = py::reinterpret_borrow<py::array>(arrays[i]);
        if (!(a.flags() & py::array::c_style))
          throw py::value_error("input arrays must be C-contiguous");
        if (a.ndim() > kMaxRank)
          throw py::value_error("input of rank " + std::to_string(a.ndim()) + " (at most " +
                                std::to_string(kMaxRank) + ")");
        std::copy(a.shape(), a.shape() + a.ndim(), shape);
        check(hybrid_tensor_wrap(dtypes[i], static_cast<int32_t>(a.ndim()), shape,
                                 const_cast<void *>(a.data()), static_cast<size_t>(a.nbytes()),
                                 nullptr, nullptr, &inputs[i]));
      }
    } catch (...) {
      releaseInputs();
      throw;
    }

    std::vector<hybrid_tensor_t *> outputs(fn->num_outputs, nullptr);
    hybrid_call_stats_t stats = {};
    hybrid_call_options_t options = {};
    options.executor = executor ? executor->get() : nullptr;
    options.stats = &stats;
    options.no_memory_plan = memoryPlan ? 0 : 1;
    hybrid_status_t st;
    {
      py::gil_scoped_release release;
      st = hybrid_call_ex(module, fn, inputs.data(), static_cast<int32_t>(inputs.size()),
                          outputs.data(), fn->num_outputs, &options);
    }
    releaseInputs();
    check(st);

    // Every output becomes an array over the tensor's own memory (no copy);
    // the capsule holds the tensor's reference.
    py::list results(fn->num_outputs);
    auto releaseOutputs = [&] {
      for (hybrid_tensor_t *t : outputs)
        if (t)
          hybrid_tensor_release(t);
    };
    try {
      for (int32_t i = 0; i < fn->num_outputs; ++i) {
        hybrid_tensor_t *t = outputs[i];
        outputs[i] = nullptr;
        py::capsule owner(t, "hybrid_tensor", &releaseTensor);
        const int64_t *dims = hybrid_tensor_shape(t);
        int32_t rank = hybrid_tensor_rank(t);
        std::vector<py::ssize_t> shape(dims, dims + rank);
        int32_t code = hybrid_tensor_dtype(t);
        if (const char *format = numpyFormat(code)) {
          results[i] = py::array(py::dtype(format), shape, hybrid_tensor_data(t), owner);
          continue;
        }
        auto bytes = static_cast<py::ssize_t>(hybrid_tensor_byte_size(t));
        py::array raw;
        if (bytes == 0)
          raw = py::array_t<uint8_t>(0);
        else
          raw = py::array_t<uint8_t>({bytes}, {py::ssize_t(1)},
                                     static_cast<uint8_t *>(hybrid_tensor_data(t)), owner);
        results[i] = py::make_tuple(code, py::cast(shape), raw);
      }
    } catch (...) {
      releaseOutputs();
      throw;
    }
    if (!withStats)
      return py::make_tuple(results, py::none());
    py::dict s("peak_bytes"_a = stats.peak_bytes, "allocated_bytes"_a = stats.allocated_bytes,
               "num_allocations"_a = stats.num_allocations,
               "parallel_loops"_a = stats.parallel_loops, "planned_bytes"_a = stats.planned_bytes,
               "planned_allocations"_a = stats.planned_allocations);
    return py::make_tuple(results, s);
  }

private:
  /// Ranks above this are refused (the runtime's own limit is far larger
  /// than any model's).
  static constexpr int kMaxRank = 32;

  /// The NumPy type of a runtime dtype code that NumPy has itself (the
  /// buffer protocol's format), or null (bfloat16, 4-bit integers).
  static const char *numpyFormat(int32_t code) {
    switch (code) {
    case HYBRID_DTYPE_F32: return "f4";
    case HYBRID_DTYPE_F64: return "f8";
    case HYBRID_DTYPE_F16: return "f2";
    case HYBRID_DTYPE_U8: return "u1";
    case HYBRID_DTYPE_I8: return "i1";
    case HYBRID_DTYPE_U16: return "u2";
    case HYBRID_DTYPE_I16: return "i2";
    case HYBRID_DTYPE_U32: return "u4";
    case HYBRID_DTYPE_I32: return "i4";
    case HYBRID_DTYPE_U64: return "u8";
    case HYBRID_DTYPE_I64: return "i8";
    case HYBRID_DTYPE_BOOL: return "?";
    default: return nullptr;
    }
  }


private:
  hybrid_module_t *module = nullptr;
};

} // namespace

PYBIND11_MODULE(_hybrid, m) {
  m.doc() = "Hybrid's compiler and runtime primitives (use the `hybrid` package)";

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const StatusError &e) {
      py::object cls = py::module_::import("hybrid.errors").attr("error_for_code")(e.code);
      PyErr_SetString(cls.ptr(), e.message.c_str());
    }
  });

  m.def(
      "compile",
      [](const py::bytes &model, const std::string &path, const py::dict &options,
         const std::string &output, const std::string &emit) {
        hybrid::facade::CompileOptions o = optionsFromPython(options);
        hybrid::facade::EmitKind kind = emitKind(emit);
        std::string bytes = model; // a copy the compiler reads without the GIL
        hybrid::facade::Result r;
        {
          py::gil_scoped_release release;
          r = hybrid::facade::compile(bytes, path, o, output, kind);
        }
        return py::make_tuple(r.ok, diagnosticsToPython(r.diagnostics));
      },
      "model"_a, "path"_a, "options"_a, "output"_a, "emit"_a = "lib");
  m.def(
      "ir",
      [](const py::bytes &model, const std::string &path, const py::dict &options,
         const std::string &stage) {
        hybrid::facade::CompileOptions o = optionsFromPython(options);
        std::string bytes = model;
        hybrid::facade::Result r;
        {
          py::gil_scoped_release release;
          r = hybrid::facade::ir(bytes, path, o, stage);
        }
        return py::make_tuple(r.ok, diagnosticsToPython(r.diagnostics), r.text);
      },
      "model"_a, "path"_a, "options"_a, "stage"_a);
  m.attr("IR_STAGES") = py::cast(hybrid::facade::irStages());
  m.attr("ABI_VERSION") = HYBRID_ABI_VERSION;

  py::class_<Executor>(m, "Executor")
      .def(py::init<int32_t>(), "threads"_a)
      .def_property_readonly("num_threads", &Executor::numThreads);

  py::class_<Library>(m, "Library")
      .def(py::init<const std::string &, std::optional<std::string>>(), "path"_a,
           "weights_path"_a = py::none())
      .def("describe", &Library::describe)
      .def("call", &Library::call, "index"_a, "arrays"_a, "dtypes"_a, "executor"_a,
           "memory_plan"_a = true, "with_stats"_a = false);
}
