//===- hybrid-run.cpp - run a compiled Hybrid library ---------------------===//
//
// Loads a library from `hybrid-opt --target=cpu`, feeds it .npy inputs (or
// random ones), and writes each output as DIR/NAME.npy, or times it:
//
//   hybrid-run model.so --input input_ids=ids.npy --output-dir out/
//   hybrid-run model.so --random --dim batch=2 --dim seq=16 --benchmark 20
//   hybrid-run model.so --signature
//   hybrid-run model.so --random --dim batch=1 --threads 4 --profile trace.json
//
// Uses only the C runtime (runtime/include/hybrid/runtime.h): no LLVM, no MLIR.
// Every error is one line naming the input, file or dim, and exit status 1;
// output files are written whole (through a temporary file) or not at all.
//
//===----------------------------------------------------------------------===//
#include "hybrid/runtime.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

[[noreturn]] __attribute__((format(printf, 1, 2))) void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fprintf(stderr, "hybrid-run: error: ");
  std::vfprintf(stderr, fmt, ap);
  std::fprintf(stderr, "\n");
  va_end(ap);
  std::exit(1);
}

void check(hybrid_status_t st, const char *what) {
  if (st) {
    std::string msg = hybrid_status_message(st);
    hybrid_status_free(st);
    fail("%s: %s", what, msg.c_str());
  }
}

void usage() {
  std::printf(
      "usage: hybrid-run LIBRARY [options]\n"
      "Runs a library compiled by `hybrid-opt --target=cpu`.\n\n"
      "  --function NAME        entry function (default: the first)\n"
      "  --weights FILE         the weights side file of a library compiled with\n"
      "                         --external-weights (default: the one next to it)\n"
      "  --input NAME=FILE.npy  an input from a .npy file (repeatable)\n"
      "  --random               draw every input not given (floats uniform in [-1, 1),\n"
      "                         integers uniform in --int-range, bools 0/1)\n"
      "  --seed N               seed of --random (default 0)\n"
      "  --int-range LO:HI      integer range of --random, HI excluded (default 0:10)\n"
      "  --dim NAME=N           size of a symbolic dim for --random (repeatable)\n"
      "  --input-shape NAME=AxB shape of a random input (for unnamed dynamic dims)\n"
      "  --output-dir DIR       write each output as DIR/NAME.npy\n"
      "  --benchmark N          time N calls (after --warmup W, default 1) and print\n"
      "                         min/median/max latency\n"
      "  --threads N            threads for parallel loops, the calling one included\n"
      "                         (default 0: one per CPU; 1: no worker threads)\n"
      "  --profile FILE.json    write a Chrome/Perfetto trace of the calls, kernels\n"
      "                         and parallel slices (open in ui.perfetto.dev)\n"
      "  --memory               print the last call's peak and total buffer memory and\n"
      "                         its memory plan (planned from the 3rd call with the\n"
      "                         same input shapes: use --benchmark N)\n"
      "  --no-memory-plan       allocate every buffer on its own\n"
      "  --signature            print the library's functions, inputs and outputs\n"
      "  --quiet                print nothing about the outputs\n");
}

//===----------------------------------------------------------------------===//
// .npy files (format version 1.0-3.0, little-endian, C order)
//===----------------------------------------------------------------------===//

const char *npyDescr(int32_t dtype) {
  switch (dtype) {
  case HYBRID_DTYPE_F32: return "<f4";
  case HYBRID_DTYPE_F64: return "<f8";
  case HYBRID_DTYPE_F16: return "<f2";
  case HYBRID_DTYPE_BF16: return "<u2"; // NumPy has no bfloat16: the raw bits
  case HYBRID_DTYPE_BOOL: return "|b1";
  case HYBRID_DTYPE_I8: return "|i1";
  case HYBRID_DTYPE_U8: return "|u1";
  case HYBRID_DTYPE_I16: return "<i2";
  case HYBRID_DTYPE_U16: return "<u2";
  case HYBRID_DTYPE_I32: return "<i4";
  case HYBRID_DTYPE_U32: return "<u4";
  case HYBRID_DTYPE_I64: return "<i8";
  case HYBRID_DTYPE_U64: return "<u8";
  case HYBRID_DTYPE_I4: return "|i1"; // one value per byte, as ml_dtypes holds them
  case HYBRID_DTYPE_U4: return "|u1";
  default: return nullptr;
  }
}

/// The dtype a .npy descr holds; `want` resolves '<u2' (uint16 or bf16 bits)
/// and one-byte integers (int4/uint4 values, one per byte).
int32_t dtypeOfDescr(const std::string &descr, int32_t want) {
  const char *wanted = npyDescr(want);
  bool fourBit = want == HYBRID_DTYPE_I4 || want == HYBRID_DTYPE_U4;
  if ((wanted && descr == wanted) || (fourBit && (descr == "|i1" || descr == "|u1")))
    return want;
  // Otherwise the one dtype NumPy means by it (bf16 and int4 have no descr of their own).
  for (int32_t d : {HYBRID_DTYPE_F32, HYBRID_DTYPE_F64, HYBRID_DTYPE_F16, HYBRID_DTYPE_BOOL,
                    HYBRID_DTYPE_I8, HYBRID_DTYPE_U8, HYBRID_DTYPE_I16, HYBRID_DTYPE_U16,
                    HYBRID_DTYPE_I32, HYBRID_DTYPE_U32, HYBRID_DTYPE_I64, HYBRID_DTYPE_U64})
    if (descr == npyDescr(d))
      return d;
  return 0;
}

/// The value of `key` in the header dict, as written by NumPy.
std::string headerField(const std::string &header, const std::string &key) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    return "";
  size_t colon = header.find(':', k);
  if (colon == std::string::npos)
    return "";
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos)
    return "";
  char open = header[start];
  size_t end;
  if (open == '\'') {
    end = header.find('\'', start + 1);
    return end == std::string::npos ? "" : header.substr(start + 1, end - start - 1);
  }
  if (open == '(') {
    end = header.find(')', start);
    return end == std::string::npos ? "" : header.substr(start, end - start + 1);
  }
  end = header.find_first_of(",}", start);
  return header.substr(start, end - start);
}

hybrid_tensor_t *readNpy(const std::string &path, const hybrid_abi_tensor_info &info) {
  std::ifstream f(path, std::ios::binary);
  if (!f)
    fail("input '%s': cannot open '%s': %s", info.name, path.c_str(), std::strerror(errno));
  char magic[8];
  if (!f.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    fail("input '%s': '%s' is not a .npy file", info.name, path.c_str());
  uint32_t headerLen = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    if (!f.read(reinterpret_cast<char *>(b), 2))
      fail("input '%s': '%s' is truncated", info.name, path.c_str());
    headerLen = b[0] | (b[1] << 8);
  } else if (magic[6] == 2 || magic[6] == 3) {
    unsigned char b[4];
    if (!f.read(reinterpret_cast<char *>(b), 4))
      fail("input '%s': '%s' is truncated", info.name, path.c_str());
    headerLen = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  } else {
    fail("input '%s': '%s' has .npy format version %d, which is not supported", info.name,
         path.c_str(), magic[6]);
  }
  if (headerLen > (1u << 20))
    fail("input '%s': '%s' has a corrupt header", info.name, path.c_str());
  std::string header(headerLen, '\0');
  if (!f.read(header.data(), headerLen))
    fail("input '%s': '%s' is truncated", info.name, path.c_str());
  std::string descr = headerField(header, "descr");
  if (headerField(header, "fortran_order") != "False")
    fail("input '%s': '%s' is in Fortran order; save it C-ordered (np.ascontiguousarray)",
         info.name, path.c_str());
  int32_t dtype = dtypeOfDescr(descr, info.dtype);
  if (!dtype)
    fail("input '%s': '%s' holds dtype '%s', which is not supported (little-endian "
         "numbers and bools only)",
         info.name, path.c_str(), descr.c_str());
  std::string shapeText = headerField(header, "shape");
  if (shapeText.size() < 2 || shapeText.front() != '(' || shapeText.back() != ')')
    fail("input '%s': '%s' has a corrupt header (shape)", info.name, path.c_str());
  std::vector<int64_t> shape;
  std::string inner = shapeText.substr(1, shapeText.size() - 2);
  std::stringstream ss(inner);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t a = item.find_first_not_of(' ');
    if (a == std::string::npos)
      continue;
    char *end = nullptr;
    long long v = std::strtoll(item.c_str() + a, &end, 10);
    if (end == item.c_str() + a || v < 0)
      fail("input '%s': '%s' has a corrupt header (shape %s)", info.name, path.c_str(),
           shapeText.c_str());
    shape.push_back(v);
  }
  if (shape.size() > HYBRID_MAX_RANK)
    fail("input '%s': '%s' has rank %zu, above %d", info.name, path.c_str(), shape.size(),
         HYBRID_MAX_RANK);
  hybrid_tensor_t *t = nullptr;
  check(hybrid_tensor_create(nullptr, dtype, static_cast<int32_t>(shape.size()), shape.data(),
                             &t),
        ("input '" + std::string(info.name) + "'").c_str());
  size_t bytes = hybrid_tensor_byte_size(t);
  if (bytes && !f.read(static_cast<char *>(hybrid_tensor_data(t)), bytes))
    fail("input '%s': '%s' holds fewer bytes than its shape needs", info.name, path.c_str());
  return t;
}

void writeNpy(const std::filesystem::path &path, hybrid_tensor_t *t) {
  // A Python tuple: "()", "(3,)", "(2, 3)".
  int32_t rank = hybrid_tensor_rank(t);
  std::string shape = "(";
  for (int32_t d = 0; d < rank; ++d)
    shape += (d ? ", " : "") + std::to_string(hybrid_tensor_shape(t)[d]);
  shape += rank == 1 ? ",)" : ")";
  std::string header = std::string("{'descr': '") + npyDescr(hybrid_tensor_dtype(t)) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    unsigned char len[2] = {static_cast<unsigned char>(header.size() & 0xff),
                            static_cast<unsigned char>(header.size() >> 8)};
    f.write("\x93NUMPY\x01\x00", 8);
    f.write(reinterpret_cast<const char *>(len), 2);
    f << header;
    f.write(static_cast<const char *>(hybrid_tensor_data(t)),
            static_cast<std::streamsize>(hybrid_tensor_byte_size(t)));
    f.close();
    if (!f) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      fail("cannot write '%s'", path.c_str());
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    fail("cannot write '%s': %s", path.c_str(), ec.message().c_str());
  }
}

//===----------------------------------------------------------------------===//
// Random inputs
//===----------------------------------------------------------------------===//

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffff;
  if (exp <= 0)
    return static_cast<uint16_t>(sign); // |f| < 2^-14 here: flush (inputs are in [-1, 1))
  // Round to nearest even on the 13 dropped bits.
  uint32_t h = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
    ++h;
  return static_cast<uint16_t>(h);
}

uint16_t floatToBf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  x += 0x7fff + ((x >> 16) & 1);
  return static_cast<uint16_t>(x >> 16);
}

void fillRandom(hybrid_tensor_t *t, std::mt19937_64 &rng, int64_t lo, int64_t hi) {
  std::uniform_real_distribution<float> real(-1.f, 1.f);
  std::uniform_int_distribution<int64_t> integer(lo, hi - 1);
  std::uniform_int_distribution<int> coin(0, 1);
  void *p = hybrid_tensor_data(t);
  int64_t n = hybrid_tensor_num_elements(t);
  for (int64_t i = 0; i < n; ++i) {
    switch (hybrid_tensor_dtype(t)) {
    case HYBRID_DTYPE_F32: static_cast<float *>(p)[i] = real(rng); break;
    case HYBRID_DTYPE_F64: static_cast<double *>(p)[i] = real(rng); break;
    case HYBRID_DTYPE_F16: static_cast<uint16_t *>(p)[i] = floatToHalf(real(rng)); break;
    case HYBRID_DTYPE_BF16: static_cast<uint16_t *>(p)[i] = floatToBf16(real(rng)); break;
    case HYBRID_DTYPE_BOOL: static_cast<uint8_t *>(p)[i] = coin(rng); break;
    case HYBRID_DTYPE_I8: static_cast<int8_t *>(p)[i] = static_cast<int8_t>(integer(rng)); break;
    case HYBRID_DTYPE_U8: static_cast<uint8_t *>(p)[i] = static_cast<uint8_t>(integer(rng)); break;
    case HYBRID_DTYPE_I16: static_cast<int16_t *>(p)[i] = static_cast<int16_t>(integer(rng)); break;
    case HYBRID_DTYPE_U16: static_cast<uint16_t *>(p)[i] = static_cast<uint16_t>(integer(rng)); break;
    case HYBRID_DTYPE_I32: static_cast<int32_t *>(p)[i] = static_cast<int32_t>(integer(rng)); break;
    case HYBRID_DTYPE_U32: static_cast<uint32_t *>(p)[i] = static_cast<uint32_t>(integer(rng)); break;
    case HYBRID_DTYPE_I64: static_cast<int64_t *>(p)[i] = integer(rng); break;
    case HYBRID_DTYPE_U64: static_cast<uint64_t *>(p)[i] = static_cast<uint64_t>(integer(rng)); break;
    case HYBRID_DTYPE_I4: static_cast<int8_t *>(p)[i] = static_cast<int8_t>(std::clamp<int64_t>(integer(rng), -8, 7)); break;
    case HYBRID_DTYPE_U4: static_cast<uint8_t *>(p)[i] = static_cast<uint8_t>(std::clamp<int64_t>(integer(rng), 0, 15)); break;
    default: break;
    }
  }
}

std::string shapeText(int32_t rank, const int64_t *dims, const char *const *names) {
  char buf[1024];
  return hybrid_shape_string(buf, sizeof buf, rank, dims, names);
}

void printSignature(const hybrid_abi_module *m) {
  std::printf("module %s (%s)\n", m->name, m->producer);
  for (int32_t f = 0; f < m->num_functions; ++f) {
    const hybrid_abi_function &fn = m->functions[f];
    std::printf("function %s\n", fn.name);
    for (int32_t i = 0; i < fn.num_inputs; ++i)
      std::printf("  input  %-28s %-8s %s\n", fn.inputs[i].name,
                  hybrid_dtype_name(fn.inputs[i].dtype),
                  shapeText(fn.inputs[i].rank, fn.inputs[i].dims, fn.inputs[i].dim_names).c_str());
    for (int32_t i = 0; i < fn.num_outputs; ++i)
      std::printf("  output %-28s %-8s %s\n", fn.outputs[i].name,
                  hybrid_dtype_name(fn.outputs[i].dtype),
                  shapeText(fn.outputs[i].rank, fn.outputs[i].dims, fn.outputs[i].dim_names).c_str());
  }
}

/// min / mean / max of a float tensor, for the summary line.
std::string summary(hybrid_tensor_t *t) {
  std::string s = std::string(hybrid_dtype_name(hybrid_tensor_dtype(t))) + " " +
                  shapeText(hybrid_tensor_rank(t), hybrid_tensor_shape(t), nullptr);
  int64_t n = hybrid_tensor_num_elements(t);
  if (n == 0)
    return s;
  double lo = 0, hi = 0, sum = 0;
  bool have = true;
  for (int64_t i = 0; i < n && have; ++i) {
    double v;
    switch (hybrid_tensor_dtype(t)) {
    case HYBRID_DTYPE_F32: v = static_cast<float *>(hybrid_tensor_data(t))[i]; break;
    case HYBRID_DTYPE_F64: v = static_cast<double *>(hybrid_tensor_data(t))[i]; break;
    case HYBRID_DTYPE_I64: v = static_cast<double>(static_cast<int64_t *>(hybrid_tensor_data(t))[i]); break;
    case HYBRID_DTYPE_I32: v = static_cast<int32_t *>(hybrid_tensor_data(t))[i]; break;
    default: have = false; v = 0; break;
    }
    lo = i ? std::min(lo, v) : v;
    hi = i ? std::max(hi, v) : v;
    sum += v;
  }
  if (have) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "  min %.6g  mean %.6g  max %.6g", lo, sum / n, hi);
    s += buf;
  }
  return s;
}

} // namespace

int main(int argc, char **argv) {
  std::string library, function, outputDir;
  std::map<std::string, std::string> inputFiles;
  std::map<std::string, int64_t> dims;
  std::map<std::string, std::vector<int64_t>> inputShapes;
  bool random = false, signature = false, quiet = false;
  uint64_t seed = 0;
  int64_t intLo = 0, intHi = 10;
  long benchmark = 0, warmup = 1;
  int64_t threads = 0;
  std::string profilePath, weightsPath;
  bool memory = false, noMemoryPlan = false;

  auto value = [&](int &i, const char *flag) -> std::string {
    std::string a = argv[i];
    size_t eq = a.find('=');
    if (eq != std::string::npos && a.compare(0, eq, flag) == 0)
      return a.substr(eq + 1);
    if (i + 1 >= argc)
      fail("%s needs a value", flag);
    return argv[++i];
  };
  auto number = [&](const std::string &s, const char *what) -> int64_t {
    char *end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end)
      fail("%s: '%s' is not an integer", what, s.c_str());
    return v;
  };
  auto keyValue = [&](const std::string &s, const char *flag) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      fail("%s expects NAME=VALUE, got '%s'", flag, s.c_str());
    return std::make_pair(s.substr(0, eq), s.substr(eq + 1));
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto is = [&](const char *flag) {
      return a == flag || (a.rfind(std::string(flag) + "=", 0) == 0);
    };
    if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else if (is("--function")) {
      function = value(i, "--function");
    } else if (is("--weights")) {
      weightsPath = value(i, "--weights");
    } else if (is("--input")) {
      auto [k, v] = keyValue(value(i, "--input"), "--input");
      inputFiles[k] = v;
    } else if (a == "--random") {
      random = true;
    } else if (is("--seed")) {
      seed = static_cast<uint64_t>(number(value(i, "--seed"), "--seed"));
    } else if (is("--int-range")) {
      std::string r = value(i, "--int-range");
      size_t colon = r.find(':');
      if (colon == std::string::npos)
        fail("--int-range expects LO:HI, got '%s'", r.c_str());
      intLo = number(r.substr(0, colon), "--int-range");
      intHi = number(r.substr(colon + 1), "--int-range");
      if (intHi <= intLo)
        fail("--int-range %s is empty", r.c_str());
    } else if (is("--dim")) {
      auto [k, v] = keyValue(value(i, "--dim"), "--dim");
      dims[k] = number(v, "--dim");
      if (dims[k] < 0)
        fail("--dim %s is negative", k.c_str());
    } else if (is("--input-shape")) {
      auto [k, v] = keyValue(value(i, "--input-shape"), "--input-shape");
      std::vector<int64_t> shape;
      std::stringstream ss(v);
      std::string item;
      if (v != "scalar")
        while (std::getline(ss, item, 'x'))
          shape.push_back(number(item, "--input-shape"));
      inputShapes[k] = shape;
    } else if (is("--output-dir")) {
      outputDir = value(i, "--output-dir");
    } else if (is("--benchmark")) {
      benchmark = number(value(i, "--benchmark"), "--benchmark");
      if (benchmark < 1)
        fail("--benchmark needs at least 1 run");
    } else if (is("--warmup")) {
      warmup = number(value(i, "--warmup"), "--warmup");
    } else if (is("--threads")) {
      threads = number(value(i, "--threads"), "--threads");
      if (threads < 0 || threads > 4096)
        fail("--threads %lld is outside [0, 4096]", static_cast<long long>(threads));
    } else if (is("--profile")) {
      profilePath = value(i, "--profile");
      if (profilePath.empty())
        fail("--profile needs a file name");
    } else if (a == "--memory") {
      memory = true;
    } else if (a == "--no-memory-plan") {
      noMemoryPlan = true;
    } else if (a == "--signature") {
      signature = true;
    } else if (a == "--quiet" || a == "-q") {
      quiet = true;
    } else if (!a.empty() && a[0] == '-') {
      fail("unknown option '%s' (see --help)", a.c_str());
    } else if (library.empty()) {
      library = a;
    } else {
      fail("more than one library given ('%s' and '%s')", library.c_str(), a.c_str());
    }
  }
  if (library.empty()) {
    usage();
    return 1;
  }

  hybrid_module_t *module = nullptr;
  hybrid_module_options_t moduleOptions = {};
  if (!weightsPath.empty())
    moduleOptions.weights_path = weightsPath.c_str();
  check(hybrid_module_load_ex(library.c_str(), &moduleOptions, &module), "load");
  if (signature) {
    printSignature(hybrid_module_table(module));
    hybrid_module_release(module);
    return 0;
  }
  const hybrid_abi_function *fn = nullptr;
  check(hybrid_module_function(module, function.empty() ? nullptr : function.c_str(), &fn),
        "function");

  // Inputs: files, then random ones for the rest.
  for (auto &[name, path] : inputFiles) {
    bool known = false;
    for (int32_t i = 0; i < fn->num_inputs; ++i)
      known |= name == fn->inputs[i].name;
    if (!known) {
      std::string names;
      for (int32_t i = 0; i < fn->num_inputs; ++i)
        names += std::string(i ? ", " : "") + fn->inputs[i].name;
      fail("--input %s: %s has no input of that name (its inputs: %s)", name.c_str(),
           fn->name, names.c_str());
    }
  }
  std::mt19937_64 rng(seed);
  std::vector<hybrid_tensor_t *> inputs(fn->num_inputs, nullptr);
  for (int32_t i = 0; i < fn->num_inputs; ++i) {
    const hybrid_abi_tensor_info &info = fn->inputs[i];
    if (auto it = inputFiles.find(info.name); it != inputFiles.end()) {
      inputs[i] = readNpy(it->second, info);
      continue;
    }
    if (!random)
      fail("input '%s' (%s %s) is not given: pass --input %s=FILE.npy, or --random",
           info.name, hybrid_dtype_name(info.dtype),
           shapeText(info.rank, info.dims, info.dim_names).c_str(), info.name);
    std::vector<int64_t> shape(info.rank);
    if (auto it = inputShapes.find(info.name); it != inputShapes.end()) {
      shape = it->second;
    } else {
      for (int32_t d = 0; d < info.rank; ++d) {
        if (info.dims[d] >= 0) {
          shape[d] = info.dims[d];
          continue;
        }
        const char *dimName = info.dim_names ? info.dim_names[d] : nullptr;
        if (!dimName || !dimName[0])
          fail("input '%s' dim %d is dynamic and unnamed: pass --input-shape %s=AxBx...",
               info.name, static_cast<int>(d), info.name);
        auto dit = dims.find(dimName);
        if (dit == dims.end())
          fail("input '%s' dim %d is '%s': pass --dim %s=N", info.name, static_cast<int>(d),
               dimName, dimName);
        shape[d] = dit->second;
      }
    }
    check(hybrid_tensor_create(nullptr, info.dtype, static_cast<int32_t>(shape.size()),
                               shape.data(), &inputs[i]),
          ("input '" + std::string(info.name) + "'").c_str());
    fillRandom(inputs[i], rng, intLo, intHi);
  }

  hybrid_executor_t *executor = nullptr;
  check(hybrid_executor_create(static_cast<int32_t>(threads), &executor), "threads");
  hybrid_profile_t *profile = nullptr;
  if (!profilePath.empty())
    check(hybrid_profile_create(&profile), "profile");
  hybrid_call_stats_t stats{};
  hybrid_call_options_t options{};
  options.executor = executor;
  options.profile = profile;
  options.stats = &stats;
  options.no_memory_plan = noMemoryPlan;

  std::vector<hybrid_tensor_t *> outputs(fn->num_outputs, nullptr);
  auto call = [&]() {
    for (hybrid_tensor_t *&t : outputs) {
      hybrid_tensor_release(t);
      t = nullptr;
    }
    check(hybrid_call_ex(module, fn, inputs.data(), fn->num_inputs, outputs.data(),
                         fn->num_outputs, &options),
          "call");
  };
  if (benchmark > 0) {
    for (long w = 0; w < warmup; ++w)
      call();
    std::vector<double> ms;
    for (long r = 0; r < benchmark; ++r) {
      auto start = std::chrono::steady_clock::now();
      call();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                             start)
                       .count());
    }
    std::sort(ms.begin(), ms.end());
    double median = ms.size() % 2 ? ms[ms.size() / 2]
                                  : 0.5 * (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]);
    std::printf("%s: %ld runs: min %.3f ms, median %.3f ms, max %.3f ms (%d threads)\n",
                fn->name, benchmark, ms.front(), median, ms.back(),
                static_cast<int>(hybrid_executor_num_threads(executor)));
  } else {
    call();
  }
  if (memory)
    std::printf("memory: peak %.3f MiB in buffers (outputs included), %.3f MiB allocated in "
                "%" PRIu64 " buffers; %" PRIu64 " parallel loops split across threads\n",
                stats.peak_bytes / 1048576.0, stats.allocated_bytes / 1048576.0,
                stats.num_allocations, stats.parallel_loops);
  if (memory && stats.planned_bytes)
    std::printf("memory plan: %" PRIu64 " of the %" PRIu64 " buffers in one %.3f MiB arena\n",
                stats.planned_allocations, stats.num_allocations,
                stats.planned_bytes / 1048576.0);
  else if (memory)
    std::printf("memory plan: none%s\n",
                noMemoryPlan ? " (--no-memory-plan)"
                             : " (a plan is made from the 2nd call with the same input shapes "
                               "and used from the 3rd)");
  if (profile) {
    check(hybrid_profile_write_chrome_trace(profile, profilePath.c_str()), "--profile");
    if (!quiet)
      std::printf("profile: %zu events written to %s\n", hybrid_profile_num_events(profile),
                  profilePath.c_str());
    hybrid_profile_release(profile);
  }

  if (!outputDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(outputDir, ec);
    if (ec)
      fail("cannot create '%s': %s", outputDir.c_str(), ec.message().c_str());
  }
  for (int32_t i = 0; i < fn->num_outputs; ++i) {
    const char *name = fn->outputs[i].name;
    if (!outputDir.empty()) {
      std::string file = name;
      std::replace(file.begin(), file.end(), '/', '_');
      if (file.empty() || file == "." || file == "..")
        file = "output_" + std::to_string(i);
      writeNpy(std::filesystem::path(outputDir) / (file + ".npy"), outputs[i]);
    }
    if (!quiet && benchmark == 0)
      std::printf("%-28s %s\n", name, summary(outputs[i]).c_str());
  }
  for (hybrid_tensor_t *t : outputs)
    hybrid_tensor_release(t);
  for (hybrid_tensor_t *t : inputs)
    hybrid_tensor_release(t);
  hybrid_executor_release(executor);
  hybrid_module_release(module);
  return 0;
}
