/*===- cuda.c - the runtime's CUDA backend (driver API, loaded at run time) -===*
 *
 * CUDA modules (compiled with --target=cuda) launch their kernels through the
 * GPU hooks of hybrid_abi_exec, which land here. The driver library
 * (libcuda.so.1) is opened with dlopen the first time a CUDA module is
 * called, so the runtime builds, loads and runs CPU modules on machines with
 * no driver at all; a CUDA call there fails with a status that says why.
 *
 * Memory: every buffer of a CUDA call is managed memory (cuMemAllocManaged),
 * which the kernels and the host code between them both read; inputs that are
 * not already device-accessible are copied into such buffers for the call.
 * Execution: one stream per call; launches are stream-ordered and the
 * compiled code synchronises before the host reads a result.
 * Errors carry the CUDA error's name and string and the kernel's name.
 *
 *===----------------------------------------------------------------------===*/
/* strdup */
#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The few driver API types and constants used here (cuda.h is not needed to
 * build the runtime). */
typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef unsigned long long CUdeviceptr;

enum {
  CUDA_SUCCESS = 0,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY = 83,
  CU_MEM_ATTACH_GLOBAL = 1,
  CU_STREAM_NON_BLOCKING = 1,
  CU_POINTER_ATTRIBUTE_IS_MANAGED = 8,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
  CU_LIMIT_MALLOC_HEAP_SIZE = 2
};

static struct {
  CUresult (*Init)(unsigned);
  CUresult (*DeviceGetCount)(int *);
  CUresult (*DeviceGet)(CUdevice *, int);
  CUresult (*DeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*DeviceGetName)(char *, int, CUdevice);
  CUresult (*DriverGetVersion)(int *);
  CUresult (*DevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*CtxSetCurrent)(CUcontext);
  CUresult (*CtxSetLimit)(int, size_t);
  CUresult (*ModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *, void **);
  CUresult (*ModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*ModuleUnload)(CUmodule);
  CUresult (*LaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, CUstream, void **, void **);
  CUresult (*StreamCreate)(CUstream *, unsigned);
  CUresult (*StreamSynchronize)(CUstream);
  CUresult (*StreamDestroy)(CUstream);
  CUresult (*MemAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*MemFree)(CUdeviceptr);
  CUresult (*PointerGetAttribute)(void *, int, CUdeviceptr);
  CUresult (*GetErrorName)(CUresult, const char **);
  CUresult (*GetErrorString)(CUresult, const char **);
} cu;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static char init_error[512]; /* empty: the driver is ready */
static CUcontext context;
static int device_cc; /* compute capability, major * 10 + minor */
static char device_name[128];
static int driver_version;

static const char *error_name(CUresult r) {
  const char *name = NULL;
  if (!cu.GetErrorName || cu.GetErrorName(r, &name) != CUDA_SUCCESS || !name)
    return "CUDA_ERROR_UNKNOWN";
  return name;
}

static const char *error_string(CUresult r) {
  const char *s = NULL;
  if (!cu.GetErrorString || cu.GetErrorString(r, &s) != CUDA_SUCCESS || !s)
    return "no description";
  return s;
}

static void init_driver(void) {
  const char *lib = getenv("HYBRID_CUDA_DRIVER");
  if (!lib || !*lib)
    lib = "libcuda.so.1";
  void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *why = dlerror();
    snprintf(init_error, sizeof init_error,
             "the CUDA driver library %s cannot be loaded (%s): this machine has no NVIDIA "
             "driver", lib, why ? why : "not found");
    return;
  }
#define LOAD(field, symbol)                                                                 \
  do {                                                                                      \
    *(void **)(&cu.field) = dlsym(h, symbol);                                               \
    if (!cu.field) {                                                                        \
      snprintf(init_error, sizeof init_error, "the CUDA driver %s lacks %s (too old?)", lib, \
               symbol);                                                                     \
      return;                                                                               \
    }                                                                                       \
  } while (0)
  LOAD(GetErrorName, "cuGetErrorName");
  LOAD(GetErrorString, "cuGetErrorString");
  LOAD(Init, "cuInit");
  LOAD(DriverGetVersion, "cuDriverGetVersion");
  LOAD(DeviceGetCount, "cuDeviceGetCount");
  LOAD(DeviceGet, "cuDeviceGet");
  LOAD(DeviceGetAttribute, "cuDeviceGetAttribute");
  LOAD(DeviceGetName, "cuDeviceGetName");
  LOAD(DevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  LOAD(CtxSetCurrent, "cuCtxSetCurrent");
  LOAD(CtxSetLimit, "cuCtxSetLimit");
  LOAD(ModuleLoadDataEx, "cuModuleLoadDataEx");
  LOAD(ModuleGetFunction, "cuModuleGetFunction");
  LOAD(ModuleUnload, "cuModuleUnload");
  LOAD(LaunchKernel, "cuLaunchKernel");
  LOAD(StreamCreate, "cuStreamCreate");
  LOAD(StreamSynchronize, "cuStreamSynchronize");
  LOAD(StreamDestroy, "cuStreamDestroy_v2");
  LOAD(MemAllocManaged, "cuMemAllocManaged");
  LOAD(MemFree, "cuMemFree_v2");
  LOAD(PointerGetAttribute, "cuPointerGetAttribute");
#undef LOAD
  CUresult r;
#define CHECK(call, what)                                                                   \
  if ((r = (call)) != CUDA_SUCCESS) {                                                       \
    snprintf(init_error, sizeof init_error, "CUDA error %s (%s) in %s", error_name(r),      \
             error_string(r), what);                                                        \
    return;                                                                                 \
  }
  CHECK(cu.Init(0), "cuInit");
  int count = 0;
  CHECK(cu.DeviceGetCount(&count), "cuDeviceGetCount");
  if (count < 1) {
    snprintf(init_error, sizeof init_error, "the CUDA driver sees no GPU");
    return;
  }
  /* The first device, or HYBRID_CUDA_DEVICE. */
  int ordinal = 0;
  const char *env = getenv("HYBRID_CUDA_DEVICE");
  if (env && *env)
    ordinal = atoi(env);
  if (ordinal < 0 || ordinal >= count) {
    snprintf(init_error, sizeof init_error, "HYBRID_CUDA_DEVICE=%s: the driver sees %d GPU(s)",
             env, count);
    return;
  }
  CUdevice dev;
  CHECK(cu.DeviceGet(&dev, ordinal), "cuDeviceGet");
  int major = 0, minor = 0, managed = 0;
  CHECK(cu.DeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev),
        "cuDeviceGetAttribute");
  CHECK(cu.DeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev),
        "cuDeviceGetAttribute");
  CHECK(cu.DeviceGetAttribute(&managed, CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY, dev),
        "cuDeviceGetAttribute");
  CHECK(cu.DeviceGetName(device_name, (int)sizeof device_name, dev), "cuDeviceGetName");
  CHECK(cu.DriverGetVersion(&driver_version), "cuDriverGetVersion");
  device_cc = major * 10 + minor;
  if (!managed) {
    snprintf(init_error, sizeof init_error, "%s does not support managed memory", device_name);
    return;
  }
  CHECK(cu.DevicePrimaryCtxRetain(&context, dev), "cuDevicePrimaryCtxRetain");
  /* Scratch buffers a kernel's threads allocate (an SSM state row each, say)
   * come from the device heap, 8 MiB by default: HYBRID_CUDA_HEAP_MB (default
   * 256) sets it, before any kernel runs. */
  CHECK(cu.CtxSetCurrent(context), "cuCtxSetCurrent");
  size_t heap_mb = 256;
  const char *heap = getenv("HYBRID_CUDA_HEAP_MB");
  if (heap && atoi(heap) > 0)
    heap_mb = (size_t)atoi(heap);
  CHECK(cu.CtxSetLimit(CU_LIMIT_MALLOC_HEAP_SIZE, heap_mb << 20), "cuCtxSetLimit");
#undef CHECK
}

/* The driver, ready on this thread, or a status saying why not. */
static hybrid_status_t driver_ready(void) {
  pthread_once(&init_once, init_driver);
  if (init_error[0])
    return hybrid_internal_status(HYBRID_STATUS_LOAD_ERROR, "%s", init_error);
  CUresult r = cu.CtxSetCurrent(context);
  if (r != CUDA_SUCCESS)
    return hybrid_internal_status(HYBRID_STATUS_INTERNAL, "CUDA error %s (%s) in cuCtxSetCurrent",
                                  error_name(r), error_string(r));
  return NULL;
}

hybrid_status_t hybrid_gpu_probe(char *description, size_t size) {
  hybrid_status_t st = driver_ready();
  if (!st && description && size)
    snprintf(description, size, "%s, sm_%d, driver %d.%d", device_name, device_cc,
             driver_version / 1000, (driver_version % 1000) / 10);
  return st;
}

/*---- memory -----------------------------------------------------------------*/

static void *managed_alloc(void *user, size_t bytes, size_t alignment) {
  (void)user;
  CUdeviceptr p = 0;
  /* Managed allocations are aligned to at least 256 bytes. */
  if (alignment > 256 || cu.MemAllocManaged(&p, bytes ? bytes : 1, CU_MEM_ATTACH_GLOBAL))
    return NULL;
  return (void *)(uintptr_t)p;
}

static void managed_free(void *user, void *ptr) {
  (void)user;
  if (ptr)
    cu.MemFree((CUdeviceptr)(uintptr_t)ptr);
}

static const hybrid_allocator_t managed_allocator = {managed_alloc, managed_free, NULL};

const hybrid_allocator_t *hybrid_internal_gpu_allocator(void) { return &managed_allocator; }

int hybrid_internal_gpu_accessible(const void *ptr) {
  unsigned int managed = 0;
  if (!ptr)
    return 1;
  return cu.PointerGetAttribute(&managed, CU_POINTER_ATTRIBUTE_IS_MANAGED,
                                (CUdeviceptr)(uintptr_t)ptr) == CUDA_SUCCESS &&
         managed;
}

/*---- images and kernels, cached per module ----------------------------------*/

typedef struct loaded_image {
  const void *image;
  CUmodule module;
} loaded_image_t;

typedef struct loaded_function {
  CUmodule module;
  char *name;
  CUfunction function;
} loaded_function_t;

struct hybrid_gpu_cache {
  pthread_mutex_t mutex;
  loaded_image_t *images;
  size_t num_images, cap_images;
  loaded_function_t *functions;
  size_t num_functions, cap_functions;
};

hybrid_gpu_cache_t *hybrid_internal_gpu_cache_create(void) {
  hybrid_gpu_cache_t *c = calloc(1, sizeof *c);
  if (c)
    pthread_mutex_init(&c->mutex, NULL);
  return c;
}

void hybrid_internal_gpu_cache_free(hybrid_gpu_cache_t *c) {
  if (!c)
    return;
  /* Images were loaded only if the driver came up. */
  if (c->num_images) {
    hybrid_status_t st = driver_ready();
    for (size_t i = 0; !st && i < c->num_images; ++i)
      cu.ModuleUnload(c->images[i].module);
    hybrid_status_free(st);
  }
  for (size_t i = 0; i < c->num_functions; ++i)
    free(c->functions[i].name);
  free(c->images);
  free(c->functions);
  pthread_mutex_destroy(&c->mutex);
  free(c);
}

static void record(hybrid_gpu_call_t *call, hybrid_status_t st) {
  if (!call->error)
    call->error = st;
  else
    hybrid_status_free(st);
}

void *hybrid_internal_gpu_function(hybrid_gpu_call_t *call, const void *image,
                                   const char *name) {
  if (call->error)
    return NULL;
  /* The compiled code looks its kernel up right before each launch: the name
   * (a constant of the library) is the one errors of that launch report. */
  call->last_kernel = name;
  hybrid_gpu_cache_t *c = call->cache;
  CUfunction result = NULL;
  pthread_mutex_lock(&c->mutex);
  CUmodule module = NULL;
  for (size_t i = 0; i < c->num_images && !module; ++i)
    if (c->images[i].image == image)
      module = c->images[i].module;
  if (!module) {
    /* PTX is compiled by the driver here; keep its log for the message. */
    char log[2048] = "";
    int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *values[] = {log, (void *)(uintptr_t)sizeof log};
    CUresult r = cu.ModuleLoadDataEx(&module, image, 2, options, values);
    if (r != CUDA_SUCCESS) {
      record(call, hybrid_internal_status(
                       HYBRID_STATUS_LOAD_ERROR,
                       "CUDA error %s (%s) loading the device code of kernel '%s' of module "
                       "'%s' (compiled for %s; this GPU: %s, sm_%d)%s%s",
                       error_name(r), error_string(r), name, call->module_name, call->arch,
                       device_name, device_cc, log[0] ? ": " : "", log));
      pthread_mutex_unlock(&c->mutex);
      return NULL;
    }
    if (c->num_images == c->cap_images) {
      size_t cap = c->cap_images ? 2 * c->cap_images : 8;
      loaded_image_t *grown = realloc(c->images, cap * sizeof *grown);
      if (!grown) {
        cu.ModuleUnload(module);
        record(call, hybrid_internal_oom());
        pthread_mutex_unlock(&c->mutex);
        return NULL;
      }
      c->images = grown;
      c->cap_images = cap;
    }
    c->images[c->num_images++] = (loaded_image_t){image, module};
  }
  for (size_t i = 0; i < c->num_functions && !result; ++i)
    if (c->functions[i].module == module && !strcmp(c->functions[i].name, name))
      result = c->functions[i].function;
  if (!result) {
    CUresult r = cu.ModuleGetFunction(&result, module, name);
    if (r != CUDA_SUCCESS) {
      record(call, hybrid_internal_status(HYBRID_STATUS_INTERNAL,
                                          "CUDA error %s (%s) looking up kernel '%s' of module "
                                          "'%s'",
                                          error_name(r), error_string(r), name,
                                          call->module_name));
      result = NULL;
    } else {
      if (c->num_functions == c->cap_functions) {
        size_t cap = c->cap_functions ? 2 * c->cap_functions : 16;
        loaded_function_t *grown = realloc(c->functions, cap * sizeof *grown);
        if (grown) {
          c->functions = grown;
          c->cap_functions = cap;
        }
      }
      char *copy = c->num_functions < c->cap_functions ? strdup(name) : NULL;
      if (copy) {
        c->functions[c->num_functions++] = (loaded_function_t){module, copy, result};
      } else {
        record(call, hybrid_internal_oom());
        result = NULL;
      }
    }
  }
  pthread_mutex_unlock(&c->mutex);
  return result;
}

void hybrid_internal_gpu_launch(hybrid_gpu_call_t *call, void *function, int64_t gx,
                                int64_t gy, int64_t gz, int64_t bx, int64_t by, int64_t bz,
                                int32_t shared_bytes, void **params) {
  if (!function || call->error)
    return;
  if (gx <= 0 || gy <= 0 || gz <= 0)
    return; /* an empty grid: nothing to do (the driver would reject it) */
  if (gx > 0x7fffffff || gy > 65535 || gz > 65535 || bx * by * bz > 1024) {
    record(call, hybrid_internal_status(
                     HYBRID_STATUS_INTERNAL,
                     "kernel '%s' of module '%s': grid %lldx%lldx%lld, block %lldx%lldx%lld "
                     "is beyond CUDA's limits",
                     call->last_kernel, call->module_name, (long long)gx, (long long)gy,
                     (long long)gz, (long long)bx, (long long)by, (long long)bz));
    return;
  }
  CUresult r = cu.LaunchKernel((CUfunction)function, (unsigned)gx, (unsigned)gy, (unsigned)gz,
                               (unsigned)bx, (unsigned)by, (unsigned)bz, (unsigned)shared_bytes,
                               call->stream, params, NULL);
  if (r != CUDA_SUCCESS)
    record(call, hybrid_internal_status(
                     HYBRID_STATUS_INTERNAL,
                     "CUDA error %s (%s) launching kernel '%s' of module '%s' (grid %lld, "
                     "block %lld)",
                     error_name(r), error_string(r), call->last_kernel, call->module_name,
                     (long long)gx, (long long)bx));
}

void hybrid_internal_gpu_synchronize(hybrid_gpu_call_t *call) {
  if (call->error)
    return;
  CUresult r = cu.StreamSynchronize(call->stream);
  if (r != CUDA_SUCCESS)
    record(call, hybrid_internal_status(
                     HYBRID_STATUS_INTERNAL,
                     "CUDA error %s (%s) in or after kernel '%s' of module '%s'",
                     error_name(r), error_string(r),
                     call->last_kernel ? call->last_kernel : "(none)", call->module_name));
}

hybrid_status_t hybrid_internal_gpu_begin(hybrid_gpu_call_t *call, hybrid_gpu_cache_t *cache,
                                          const char *arch, const char *module_name) {
  memset(call, 0, sizeof *call);
  call->cache = cache;
  call->arch = arch;
  call->module_name = module_name ? module_name : "?";
  hybrid_status_t st = driver_ready();
  if (st) {
    hybrid_status_t wrapped = hybrid_internal_status(
        hybrid_status_get_code(st), "module '%s' was compiled for CUDA (%s): %s",
        call->module_name, arch, hybrid_status_message(st));
    hybrid_status_free(st);
    return wrapped;
  }
  /* "sm_90a" -> 90: the device must be that architecture or newer (PTX is
   * compiled forward by the driver; a cubin alone would need the same major). */
  int want = atoi(arch + 3);
  if (want > device_cc)
    return hybrid_internal_status(HYBRID_STATUS_LOAD_ERROR,
                                  "module '%s' was compiled for %s; this GPU (%s) is sm_%d",
                                  call->module_name, arch, device_name, device_cc);
  CUstream stream = NULL;
  CUresult r = cu.StreamCreate(&stream, CU_STREAM_NON_BLOCKING);
  call->stream = stream;
  if (r != CUDA_SUCCESS)
    return hybrid_internal_status(HYBRID_STATUS_INTERNAL, "CUDA error %s (%s) in cuStreamCreate",
                                  error_name(r), error_string(r));
  return NULL;
}

hybrid_status_t hybrid_internal_gpu_end(hybrid_gpu_call_t *call) {
  if (call->stream) {
    hybrid_internal_gpu_synchronize(call);
    cu.StreamDestroy(call->stream);
    call->stream = NULL;
  }
  hybrid_status_t st = call->error;
  call->error = NULL;
  return st;
}
