# -*- Python -*-
# The Hybrid lit suite: `ninja -C build check-hybrid`.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "HYBRID"
# lit's internal shell: lit 23 refuses the external one (execute_external=True),
# and the internal shell behaves the same on every host.
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.hybrid_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "reference", "onnx", "Inputs",
                   "pytest"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%hybrid_src_root", config.hybrid_src_root))
config.substitutions.append(("%hybrid_obj_root", config.hybrid_obj_root))
config.substitutions.append(("%llvm_tools_dir", config.llvm_tools_dir))

llvm_config.with_system_environment(["HOME", "TMPDIR", "TMP", "TEMP"])
# The `hybrid` Python package (hybrid.zoo, hybrid.onnx_ops) from the source tree.
config.environment["PYTHONPATH"] = os.pathsep.join(
    p for p in [os.path.join(config.hybrid_src_root, "python"), os.environ.get("PYTHONPATH")] if p)
llvm_config.use_default_substitutions()

# The Python API (build/python) is built unless HYBRID_ENABLE_PYTHON is off
# (the sanitizer build).
if config.hybrid_python_api.upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("python-api")

# hybrid-opt from the build; FileCheck, not, count from the LLVM 22 install.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.hybrid_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions([ToolSubst("hybrid-opt", unresolved="fatal"),
                                    ToolSubst("hybrid-run", unresolved="fatal")],
                                   tool_dirs)

# %cc compiles and links a C program against the runtime (the AOT example and
# the runtime's API test): the C compiler of the build, the runtime's headers
# and static library, and the sanitizers when the build has them.
sanitize = config.hybrid_sanitizers.upper() in ("ON", "1", "TRUE", "YES")
cc = [config.c_compiler, "-std=c11", "-Wall", "-Wextra", "-Werror", "-O1", "-g",
      "-I" + os.path.join(config.hybrid_src_root, "runtime", "include")]
if sanitize:
    cc += ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]
config.substitutions.append(("%cc", " ".join(cc)))
config.substitutions.append(
    ("%hybrid_runtime_libs",
     os.path.join(config.hybrid_obj_root, "lib", "libhybrid_runtime.a") + " -ldl -lpthread -lm"))

if sanitize:
    config.available_features.add("sanitizers")
    # LeakSanitizer reports MLIR's process-lifetime singletons; ASan and UBSan
    # still fail the run on any memory error or undefined behaviour.
    # allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons a new slab's
    # unused space from code inlined into our instrumented objects (attribute
    # storage our dialect uniques), while Debian's uninstrumented libMLIR
    # allocates from the same slabs without unpoisoning, so ASan flagged its
    # memmove into a fresh attribute (StringAttr::get, DenseArrayAttr::get) as
    # use-after-poison, depending only on allocation order. Heap errors on
    # malloc'd memory are still caught.
    config.environment["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1:allow_user_poisoning=0"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"

# The libFuzzer target exists in builds configured with HYBRID_BUILD_FUZZERS.
fuzzer = os.path.join(config.hybrid_tools_dir, "hybrid-import-fuzzer")
if os.path.exists(fuzzer):
    config.available_features.add("fuzzer")
    config.substitutions.append(("%hybrid_import_fuzzer", fuzzer))

# The CUDA toolkit's ptxas (CUDA_HOME, CUDA_PATH, /usr/local/cuda or PATH):
# the CUDA target's kernels are assembled and checked by it.
for root in (os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"), "/usr/local/cuda"):
    if root and os.access(os.path.join(root, "bin", "ptxas"), os.X_OK):
        config.available_features.add("ptxas")
        break
else:
    import shutil
    if shutil.which("ptxas"):
        config.available_features.add("ptxas")

# Graphviz's library, which the compile report loads to draw the graph
# (scripts/setup.sh installs it; without it the report has the DOT source).
try:
    import ctypes
    ctypes.CDLL("libgvc.so.6")
    config.available_features.add("graphviz")
except OSError:
    pass
