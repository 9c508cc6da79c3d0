/*===- internal.h - what the runtime's C files share ------------------------===*/
#ifndef HYBRID_RUNTIME_INTERNAL_H
#define HYBRID_RUNTIME_INTERNAL_H

#include "hybrid/runtime.h"

#include <stdint.h>

/* A status with a printf-style message; the static out-of-memory status when
 * even that cannot be allocated. */
__attribute__((format(printf, 2, 3))) hybrid_status_t
hybrid_internal_status(hybrid_status_code code, const char *fmt, ...);
hybrid_status_t hybrid_internal_oom(void);

/* Monotonic nanoseconds. */
int64_t hybrid_internal_now_ns(void);

/* A small number naming the calling thread in traces (1, 2, ...). */
int32_t hybrid_internal_thread_id(void);

/* Runs task over [0, n) on the executor's threads (and the calling one). */
void hybrid_internal_parallel_for(hybrid_executor_t *executor, hybrid_profile_t *profile,
                                  hybrid_abi_task_fn task, void *ctx, int64_t n,
                                  int64_t chunks);

/* Microseconds from environment variable `name` (0 .. 1e6), or `fallback`
 * when it is unset or not such a number. */
int64_t hybrid_internal_env_us(const char *name, int64_t fallback);

/* Parallel sites (sites.c): what each parallel loop of a module has learnt
 * about its own speed. run_inline runs task over [0, n) on the calling thread
 * and returns 1 when the loop is too small for threads (learning its speed
 * the first time), else returns 0 without running it. */
typedef struct hybrid_parallel_sites hybrid_parallel_sites_t;
hybrid_parallel_sites_t *hybrid_internal_sites_create(void);
void hybrid_internal_sites_free(hybrid_parallel_sites_t *sites);
int hybrid_internal_site_run_inline(hybrid_parallel_sites_t *sites, hybrid_abi_task_fn task,
                                    void *ctx, int64_t n, double work);

/* Profiles: the kernel names of a module are interned once per profile; an
 * event names its kernel by the interned module index. */
int32_t hybrid_internal_profile_module(hybrid_profile_t *profile,
                                       const hybrid_abi_module *table);
void hybrid_internal_profile_event(hybrid_profile_t *profile, int32_t module, int32_t kind,
                                   int32_t index, int64_t begin_ns, int64_t end_ns,
                                   int64_t arg);

/* Weights in a side file (weights.c): checks a table's hybrid_abi_weights;
 * maps the file (weights_path, else the recorded name next to library_path)
 * and fills the slots, once per slot table however many modules share it
 * (*out: NULL when the library has no side file); detach drops a reference
 * and unmaps with the last. */
struct hybrid_weights_map;
hybrid_status_t hybrid_internal_check_weights(const hybrid_abi_weights *weights,
                                              const char *where);
hybrid_status_t hybrid_internal_weights_attach(const hybrid_abi_module *table,
                                               const char *library_path,
                                               const char *weights_path,
                                               struct hybrid_weights_map **out);
void hybrid_internal_weights_detach(struct hybrid_weights_map *map);

/* The CUDA backend (cuda.c): the driver is opened on first use. A module
 * compiled for CUDA has a cache of loaded images and kernels; each call has a
 * stream and records the first CUDA error it meets. */
typedef struct hybrid_gpu_cache hybrid_gpu_cache_t;
typedef struct hybrid_gpu_call {
  hybrid_gpu_cache_t *cache;
  void *stream;              /* a CUstream */
  hybrid_status_t error;     /* the first error; later launches are skipped */
  const char *last_kernel;   /* the kernel last looked up: launch and sync errors name it */
  const char *module_name;
  const char *arch;
} hybrid_gpu_call_t;
hybrid_gpu_cache_t *hybrid_internal_gpu_cache_create(void);
void hybrid_internal_gpu_cache_free(hybrid_gpu_cache_t *cache);
/* Opens the driver (once), makes its context current and creates the call's
 * stream; fails when there is no usable GPU or it is older than `arch`. */
hybrid_status_t hybrid_internal_gpu_begin(hybrid_gpu_call_t *call, hybrid_gpu_cache_t *cache,
                                          const char *arch, const char *module_name);
/* Waits for the call's work, drops its stream, returns its first error. */
hybrid_status_t hybrid_internal_gpu_end(hybrid_gpu_call_t *call);
void *hybrid_internal_gpu_function(hybrid_gpu_call_t *call, const void *image,
                                   const char *name);
void hybrid_internal_gpu_launch(hybrid_gpu_call_t *call, void *function, int64_t gx,
                                int64_t gy, int64_t gz, int64_t bx, int64_t by, int64_t bz,
                                int32_t shared_bytes, void **params);
void hybrid_internal_gpu_synchronize(hybrid_gpu_call_t *call);
/* Managed memory (valid once a gpu_begin succeeded), and whether a pointer is
 * already such memory. */
const hybrid_allocator_t *hybrid_internal_gpu_allocator(void);
int hybrid_internal_gpu_accessible(const void *ptr);

enum {
  HYBRID_EVENT_CALL = 0,     /* index: the function; arg: unused */
  HYBRID_EVENT_KERNEL = 1,   /* index: the kernel */
  HYBRID_EVENT_TASK = 2      /* a slice of a parallel loop; arg: its iteration count */
};

#endif
