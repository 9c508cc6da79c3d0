/*===- hybrid/runtime.h - Hybrid's thin runtime, C API ---------------------===*
 *
 * Loads libraries that `hybrid-opt --target=cpu|cuda` compiles, describes their
 * entry functions, and calls them with validated tensors. Plain C, no LLVM or
 * MLIR inside: link libhybrid_runtime (shared or static) and libdl.
 *
 *   hybrid_module_t *m = NULL;
 *   hybrid_status_t st = hybrid_module_load("model.so", &m);
 *   const hybrid_abi_function *fn;
 *   if (!st) st = hybrid_module_function(m, "main", &fn);
 *   ... hybrid_tensor_create(NULL, HYBRID_DTYPE_I64, 2, shape, &ids) ...
 *   if (!st) st = hybrid_call(m, fn, inputs, n_in, outputs, n_out);
 *   if (st) { fprintf(stderr, "%s\n", hybrid_status_message(st)); hybrid_status_free(st); }
 *
 * Errors: every function that can fail returns a hybrid_status_t; NULL means
 * success, anything else carries a code and a message naming what was wrong
 * (the input, the dim, the file) and must be freed with hybrid_status_free.
 *
 * Threads: a loaded module is immutable; any number of threads may call
 * hybrid_call on one module at once (each call uses its own memory). A tensor
 * may be read by several calls at once but must not be written meanwhile.
 *
 *===----------------------------------------------------------------------===*/
#ifndef HYBRID_RUNTIME_H
#define HYBRID_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "hybrid/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HYBRID_RT_API __attribute__((visibility("default")))
#else
#define HYBRID_RT_API
#endif

/*---- status ---------------------------------------------------------------*/

typedef enum hybrid_status_code {
  HYBRID_STATUS_OK = 0,
  HYBRID_STATUS_INVALID_ARGUMENT = 1, /* a bad input: dtype, shape, count, NULL */
  HYBRID_STATUS_NOT_FOUND = 2,        /* no such function */
  HYBRID_STATUS_LOAD_ERROR = 3,       /* the library cannot be loaded or is not ours */
  HYBRID_STATUS_OUT_OF_MEMORY = 4,
  HYBRID_STATUS_INTERNAL = 5          /* the compiled code broke its own contract */
} hybrid_status_code;

typedef struct hybrid_status *hybrid_status_t; /* NULL: success */

HYBRID_RT_API hybrid_status_code hybrid_status_get_code(hybrid_status_t status);
/* The message ("OK" for NULL); valid until hybrid_status_free. */
HYBRID_RT_API const char *hybrid_status_message(hybrid_status_t status);
HYBRID_RT_API void hybrid_status_free(hybrid_status_t status);

/*---- element types --------------------------------------------------------*/

/* Bytes per element (0 for an unknown dtype) and NumPy's name ("float32"). */
HYBRID_RT_API size_t hybrid_dtype_size(int32_t dtype);
HYBRID_RT_API const char *hybrid_dtype_name(int32_t dtype);

/* Writes a shape as "[2, batch, ?]" into buf (always terminated; truncated to
 * size). A dim >= 0 is printed as a number, else as names[d] when given and
 * non-empty, else as '?'. Returns buf. */
HYBRID_RT_API char *hybrid_shape_string(char *buf, size_t size, int32_t rank,
                                        const int64_t *dims, const char *const *names);

/*---- allocators -----------------------------------------------------------*/

/* Where tensor memory comes from. `alignment` is a power of two. */
typedef struct hybrid_allocator {
  void *(*alloc)(void *user, size_t bytes, size_t alignment);
  void (*free)(void *user, void *ptr);
  void *user;
} hybrid_allocator_t;

/* The default: aligned_alloc / free. */
HYBRID_RT_API const hybrid_allocator_t *hybrid_allocator_system(void);

/*---- tensors --------------------------------------------------------------*/

/* A dense, row-major tensor. Reference counted: create/wrap return one
 * reference, hybrid_tensor_retain adds one, hybrid_tensor_release drops one
 * and frees the tensor (and the memory it owns) with the last. */
typedef struct hybrid_tensor hybrid_tensor_t;

#define HYBRID_MAX_RANK 32

/* A new tensor with zeroed memory (64-byte aligned) from `allocator`
 * (NULL: the system allocator). */
HYBRID_RT_API hybrid_status_t hybrid_tensor_create(const hybrid_allocator_t *allocator,
                                                   int32_t dtype, int32_t rank,
                                                   const int64_t *shape,
                                                   hybrid_tensor_t **out);

/* A tensor over memory the caller owns: `byte_size` must cover the shape.
 * `release` (may be NULL) is called with (user, data) when the last reference
 * goes. */
HYBRID_RT_API hybrid_status_t hybrid_tensor_wrap(int32_t dtype, int32_t rank,
                                                 const int64_t *shape, void *data,
                                                 size_t byte_size,
                                                 void (*release)(void *user, void *data),
                                                 void *user, hybrid_tensor_t **out);

HYBRID_RT_API void hybrid_tensor_retain(hybrid_tensor_t *tensor);
HYBRID_RT_API void hybrid_tensor_release(hybrid_tensor_t *tensor);

HYBRID_RT_API int32_t hybrid_tensor_dtype(const hybrid_tensor_t *tensor);
HYBRID_RT_API int32_t hybrid_tensor_rank(const hybrid_tensor_t *tensor);
HYBRID_RT_API const int64_t *hybrid_tensor_shape(const hybrid_tensor_t *tensor);
HYBRID_RT_API int64_t hybrid_tensor_num_elements(const hybrid_tensor_t *tensor);
HYBRID_RT_API size_t hybrid_tensor_byte_size(const hybrid_tensor_t *tensor);
HYBRID_RT_API void *hybrid_tensor_data(hybrid_tensor_t *tensor);

/*---- modules --------------------------------------------------------------*/

typedef struct hybrid_module hybrid_module_t;

/* dlopen()s a compiled library (a path without '/' is taken relative to the
 * current directory, not searched for), checks its tables and, when it keeps
 * its weights in a side file, maps that file (hybrid_module_load_ex). */
HYBRID_RT_API hybrid_status_t hybrid_module_load(const char *path, hybrid_module_t **out);

/* A module over a table already in the program (a library linked in; its
 * header declares <name>_module_query). */
HYBRID_RT_API hybrid_status_t hybrid_module_wrap(const hybrid_abi_module *table,
                                                 hybrid_module_t **out);

/* Options of the _ex forms; zero-initialise and set what you need. */
typedef struct hybrid_module_options {
  /* The weights side file of a library compiled with --external-weights
   * (NULL: the name recorded in the library, next to it; a wrapped table has
   * no "next to it" and needs this). The file is memory-mapped read-only and
   * must not change while the module is loaded. Ignored for a library that
   * embeds its weights. */
  const char *weights_path;
} hybrid_module_options_t;

HYBRID_RT_API hybrid_status_t hybrid_module_load_ex(const char *path,
                                                    const hybrid_module_options_t *options,
                                                    hybrid_module_t **out);
HYBRID_RT_API hybrid_status_t hybrid_module_wrap_ex(const hybrid_abi_module *table,
                                                    const hybrid_module_options_t *options,
                                                    hybrid_module_t **out);

/* Unloads (for hybrid_module_load) and frees. Tensors returned by calls stay
 * valid: their memory belongs to them. */
HYBRID_RT_API void hybrid_module_release(hybrid_module_t *module);

HYBRID_RT_API const hybrid_abi_module *hybrid_module_table(const hybrid_module_t *module);

/* The entry function called `name` (NULL: the first one). */
HYBRID_RT_API hybrid_status_t hybrid_module_function(const hybrid_module_t *module,
                                                     const char *name,
                                                     const hybrid_abi_function **out);

/*---- executors --------------------------------------------------------------*/

/* A thread pool for the parallel loops of calls. It has num_threads - 1 worker
 * threads; the thread that makes a call works too. num_threads 0 means one per
 * online CPU; 1 means no workers (every loop runs on the calling thread). Any
 * number of calls, on any modules, may share one executor at once. */
typedef struct hybrid_executor hybrid_executor_t;

HYBRID_RT_API hybrid_status_t hybrid_executor_create(int32_t num_threads,
                                                     hybrid_executor_t **out);
/* Threads a loop can use, the calling one included (1 for NULL). */
HYBRID_RT_API int32_t hybrid_executor_num_threads(const hybrid_executor_t *executor);
/* Stops and joins the workers. No call may be using the executor. */
HYBRID_RT_API void hybrid_executor_release(hybrid_executor_t *executor);

/*---- profiles ---------------------------------------------------------------*/

/* Records what calls do: each call, each kernel (a loop nest of the model,
 * named "<op> <ONNX node>") and each slice of a parallel loop, with the thread
 * that ran it. Calls on several threads may record into one profile at once. */
typedef struct hybrid_profile hybrid_profile_t;

HYBRID_RT_API hybrid_status_t hybrid_profile_create(hybrid_profile_t **out);
HYBRID_RT_API void hybrid_profile_release(hybrid_profile_t *profile);
HYBRID_RT_API size_t hybrid_profile_num_events(const hybrid_profile_t *profile);
/* Writes the events as a Chrome trace (JSON; chrome://tracing, ui.perfetto.dev),
 * through a temporary file renamed over `path`. */
HYBRID_RT_API hybrid_status_t hybrid_profile_write_chrome_trace(hybrid_profile_t *profile,
                                                                const char *path);

/*---- CUDA -------------------------------------------------------------------*/

/* Modules compiled with --target=cuda run their kernels on the first GPU (or
 * HYBRID_CUDA_DEVICE's) through the CUDA driver, which the runtime opens
 * (libcuda.so.1, or HYBRID_CUDA_DRIVER) the first time such a module is
 * called: the runtime itself needs no driver to build or to run CPU modules.
 * A CUDA call's buffers, outputs included, are managed memory, readable from
 * the host (a call's `allocator` option does not apply); inputs in other
 * memory are copied in for the call.
 *
 * hybrid_gpu_probe opens the driver and says whether a CUDA module can run
 * here: NULL, with "<device name>, sm_<cc>, driver <major>.<minor>" written
 * to description (when not NULL), or a status saying why not. */
HYBRID_RT_API hybrid_status_t hybrid_gpu_probe(char *description, size_t size);

/*---- calls ----------------------------------------------------------------*/

/* What one call used. */
typedef struct hybrid_call_stats {
  uint64_t peak_bytes;      /* most memory the call's buffers held at once (outputs
                               included, inputs not) */
  uint64_t allocated_bytes; /* all the call allocated */
  uint64_t num_allocations;
  uint64_t parallel_loops;  /* parallel loops that were split across threads */
  uint64_t planned_bytes;   /* the memory plan's arena (0: the call had no plan) */
  uint64_t planned_allocations; /* buffers served from the arena */
} hybrid_call_stats_t;

/* Options of hybrid_call_ex; zero-initialise and set what you need. */
typedef struct hybrid_call_options {
  /* Runs the call's parallel loops; NULL: all on the calling thread. */
  hybrid_executor_t *executor;
  /* Every buffer of the call, outputs included; NULL: the system allocator.
   * Outputs are freed through it when released, so it must outlive them.
   * Not used by CUDA modules (their buffers are managed memory). */
  const hybrid_allocator_t *allocator;
  /* Records the call's events; NULL: none. */
  hybrid_profile_t *profile;
  /* Receives the call's statistics when not NULL. */
  hybrid_call_stats_t *stats;
  /* Non-zero: allocate every buffer on its own, without the memory plan.
   * (The plan: from the second call with the same function and input shapes
   * on, the buffers the calling thread allocates come from one arena laid out
   * so that buffers whose lifetimes do not overlap share memory; see
   * docs/runtime.md.) */
  int no_memory_plan;
} hybrid_call_options_t;


/* Calls `fn` of `module`. Checks first, naming the offending input in the
 * message: the input count, each input's dtype, rank and fixed dims, and that
 * a symbolic dim ("batch") has one size wherever it appears. On success
 * outputs[0..num_outputs) receive new tensors (one reference each, owning
 * their memory); on failure they are set to NULL. The call runs on the calling
 * thread alone, with the system allocator. */
HYBRID_RT_API hybrid_status_t hybrid_call(const hybrid_module_t *module,
                                          const hybrid_abi_function *fn,
                                          hybrid_tensor_t *const *inputs, int32_t num_inputs,
                                          hybrid_tensor_t **outputs, int32_t num_outputs);

/* hybrid_call with options (NULL: as hybrid_call, memory plan included). */
HYBRID_RT_API hybrid_status_t hybrid_call_ex(const hybrid_module_t *module,
                                             const hybrid_abi_function *fn,
                                             hybrid_tensor_t *const *inputs,
                                             int32_t num_inputs, hybrid_tensor_t **outputs,
                                             int32_t num_outputs,
                                             const hybrid_call_options_t *options);

#ifdef __cplusplus
}
#endif

#endif /* HYBRID_RUNTIME_H */
