/* A stand-in for libcuda.so.1 with no GPU behind it, for the runtime's CUDA
 * backend tests on machines without one (HYBRID_CUDA_DRIVER=libfake_cuda.so):
 * a device "Fake GPU" of compute capability 9.0 whose managed memory is host
 * memory, and whose module loads fail the way a driver fails on an image it
 * has no code for (CUDA_ERROR_NO_BINARY_FOR_GPU, with a JIT log). So the
 * runtime's path up to the first kernel (driver loading, device checks,
 * streams, staging inputs into managed memory, error messages, releasing
 * everything) runs for real, under the sanitizers too.
 *
 * FAKE_CUDA_CC overrides the compute capability (e.g. 80).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The driver's types as runtime/src/cuda.c declares them: the function
 * sanitizer checks that each call goes through a pointer of the callee's
 * exact type. */
typedef int CUresult;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
enum { OK = 0, INVALID_VALUE = 1, NO_BINARY_FOR_GPU = 209 };

#define API __attribute__((visibility("default")))

API CUresult cuGetErrorName(CUresult r, const char **s) {
  *s = r == NO_BINARY_FOR_GPU ? "CUDA_ERROR_NO_BINARY_FOR_GPU"
       : r == INVALID_VALUE   ? "CUDA_ERROR_INVALID_VALUE"
                              : "CUDA_SUCCESS";
  return OK;
}
API CUresult cuGetErrorString(CUresult r, const char **s) {
  *s = r == NO_BINARY_FOR_GPU ? "no kernel image is available for execution on the device"
       : r == INVALID_VALUE   ? "invalid argument"
                              : "no error";
  return OK;
}
API CUresult cuInit(unsigned flags) { return flags ? INVALID_VALUE : OK; }
API CUresult cuDriverGetVersion(int *v) { *v = 13000; return OK; }
API CUresult cuDeviceGetCount(int *n) { *n = 1; return OK; }
API CUresult cuDeviceGet(int *d, int i) { *d = i; return OK; }
API CUresult cuDeviceGetAttribute(int *v, int attr, int dev) {
  (void)dev;
  const char *cc = getenv("FAKE_CUDA_CC");
  int c = cc ? atoi(cc) : 90;
  *v = attr == 75 ? c / 10 : attr == 76 ? c % 10 : attr == 83 ? 1 : 0;
  return OK;
}
API CUresult cuDeviceGetName(char *name, int len, int dev) {
  (void)dev;
  strncpy(name, "Fake GPU", (size_t)len);
  return OK;
}
static int context;
API CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, int dev) {
  (void)dev;
  *ctx = (CUcontext)&context;
  return OK;
}
API CUresult cuCtxSetCurrent(CUcontext ctx) { return ctx == (CUcontext)&context ? OK : INVALID_VALUE; }
API CUresult cuCtxSetLimit(int limit, size_t value) { return limit == 2 && value ? OK : INVALID_VALUE; }
API CUresult cuModuleLoadDataEx(CUmodule *m, const void *image, unsigned n, int *opts,
                                void **vals) {
  (void)m;
  (void)image;
  for (unsigned i = 0; i < n; ++i)
    if (opts[i] == 5) /* CU_JIT_ERROR_LOG_BUFFER */
      strcpy((char *)vals[i], "fake driver: no device to run on");
  return NO_BINARY_FOR_GPU;
}
API CUresult cuModuleGetFunction(CUfunction *f, CUmodule m, const char *name) {
  (void)f; (void)m; (void)name;
  return INVALID_VALUE;
}
API CUresult cuModuleUnload(CUmodule m) { (void)m; return OK; }
API CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                            unsigned by, unsigned bz, unsigned smem, CUstream s, void **p,
                            void **e) {
  (void)f; (void)gx; (void)gy; (void)gz; (void)bx; (void)by; (void)bz; (void)smem; (void)s;
  (void)p; (void)e;
  return INVALID_VALUE;
}
static int stream;
API CUresult cuStreamCreate(CUstream *s, unsigned flags) {
  (void)flags;
  *s = (CUstream)&stream;
  return OK;
}
API CUresult cuStreamSynchronize(CUstream s) { return s == (CUstream)&stream ? OK : INVALID_VALUE; }
API CUresult cuStreamDestroy_v2(CUstream s) { return s == (CUstream)&stream ? OK : INVALID_VALUE; }
API CUresult cuMemAllocManaged(unsigned long long *p, size_t bytes, unsigned flags) {
  (void)flags;
  void *m = aligned_alloc(256, (bytes + 255) / 256 * 256);
  *p = (unsigned long long)(uintptr_t)m;
  return m ? OK : INVALID_VALUE;
}
API CUresult cuMemFree_v2(unsigned long long p) { free((void *)(uintptr_t)p); return OK; }
/* Nothing is "already managed": every input is staged. */
API CUresult cuPointerGetAttribute(void *v, int attr, unsigned long long p) {
  (void)v; (void)attr; (void)p;
  return INVALID_VALUE;
}
