/*===- hybrid/abi.h - the contract between compiled libraries and the runtime -===*
 *
 * A library that hybrid-opt compiles (`--target=cpu|cuda -o model.so`) exports
 *
 *   const hybrid_abi_module *hybrid_module_query(void);
 *   const hybrid_abi_module *<name>_module_query(void);   (same table; <name> is
 *                                    the module name, for programs linking several)
 *
 * The table describes every entry function (its ONNX input and output names,
 * element types, shapes with symbolic dims) and points at a uniform trampoline
 * that calls it. This header is plain C, shared by the compiler (which emits the
 * tables with this exact layout) and the runtime (which reads them); a change of
 * layout bumps HYBRID_ABI_VERSION, and the runtime refuses other versions.
 *
 *===--------------------------------------------------------------------------===*/
#ifndef HYBRID_ABI_H
#define HYBRID_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HYBRID_ABI_VERSION 4

/* Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum hybrid_dtype {
  HYBRID_DTYPE_INVALID = 0,
  HYBRID_DTYPE_F32 = 1,
  HYBRID_DTYPE_U8 = 2,
  HYBRID_DTYPE_I8 = 3,
  HYBRID_DTYPE_U16 = 4,
  HYBRID_DTYPE_I16 = 5,
  HYBRID_DTYPE_I32 = 6,
  HYBRID_DTYPE_I64 = 7,
  HYBRID_DTYPE_BOOL = 9, /* one byte per element, 0 or 1 */
  HYBRID_DTYPE_F16 = 10,
  HYBRID_DTYPE_F64 = 11,
  HYBRID_DTYPE_U32 = 12,
  HYBRID_DTYPE_U64 = 13,
  HYBRID_DTYPE_BF16 = 16,
  HYBRID_DTYPE_U4 = 21, /* one byte per element: the value in the low 4 bits */
  HYBRID_DTYPE_I4 = 22  /* one byte per element, sign-extended */
} hybrid_dtype;

/* One input or output of an entry function. */
typedef struct hybrid_abi_tensor_info {
  const char *name;              /* the ONNX graph input/output name */
  int32_t dtype;                 /* a hybrid_dtype */
  int32_t rank;
  const int64_t *dims;           /* rank entries; -1 for a dim known only at run time */
  const char *const *dim_names;  /* rank entries ("" when unnamed), or NULL */
} hybrid_abi_tensor_info;

/* A slice of a parallel loop: iterations [begin, end) of the loop's `ctx`. */
typedef void (*hybrid_abi_task_fn)(void *ctx, int64_t begin, int64_t end);

/* What the caller lends one call of an entry function. Every hook may be NULL;
 * `user` is passed back to each. The compiled code calls them from the calling
 * thread and, for alloc/free, from the threads parallel_for runs tasks on.
 *
 *   parallel_for(user, task, ctx, n, cost)   runs task(ctx, b, e) over disjoint
 *       ranges that cover [0, n) exactly once and returns when all are done;
 *       `cost` is the compiler's estimate of the work of one iteration (scalar
 *       operations), to decide whether splitting pays. Each parallel loop of
 *       a module passes its own `task` pointer, the same on every call, so a
 *       runtime may learn per task what splitting that loop is worth. NULL:
 *       one task(ctx, 0, n) on the calling thread.
 *   alloc(user, bytes, alignment) / free(user, ptr)   every buffer the compiled
 *       code allocates, outputs included (free is never called on an output).
 *       alloc returns NULL only when out of memory (the code then faults). NULL:
 *       malloc/free.
 *   kernel_begin(user, k) / kernel_end(user, k)   bracket kernel k of the
 *       module's kernel table (one loop nest of the model), on the calling
 *       thread.
 *
 * A CUDA module (hybrid_abi_module.gpu_arch set) also needs the GPU hooks; it
 * stops (a trap) if they are missing. Its buffers (alloc) must be memory both
 * the device and the host can access (managed memory): kernels and the host
 * code between them read the same buffers, and its inputs must be such memory
 * too.
 *   gpu_function(user, image, name)   the kernel `name` of the device image
 *       at `image` (PTX text, a cubin or a fatbin, embedded in the library):
 *       a CUfunction, or NULL after recording an error;
 *   gpu_launch(user, function, gx, gy, gz, bx, by, bz, shared_bytes, params)
 *       launches it (cuLaunchKernel's kernelParams) on the call's stream;
 *       a NULL function (a failed gpu_function) launches nothing;
 *   gpu_synchronize(user)   waits for what the call launched; the host code
 *       reads buffers only after it. */
typedef struct hybrid_abi_exec {
  void *user;
  void (*parallel_for)(void *user, hybrid_abi_task_fn task, void *ctx, int64_t n,
                       int64_t cost);
  void *(*alloc)(void *user, uint64_t bytes, uint64_t alignment);
  void (*free)(void *user, void *ptr);
  void (*kernel_begin)(void *user, int32_t kernel);
  void (*kernel_end)(void *user, int32_t kernel);
  void *(*gpu_function)(void *user, const void *image, const char *name);
  void (*gpu_launch)(void *user, void *function, int64_t grid_x, int64_t grid_y,
                     int64_t grid_z, int64_t block_x, int64_t block_y, int64_t block_z,
                     int32_t shared_bytes, void **params);
  void (*gpu_synchronize)(void *user);
} hybrid_abi_exec;

/* The trampoline every entry function has:
 *   args[0]             where the outputs' descriptors are written (see below),
 *   args[1 + i]         a pointer to input i's descriptor;
 *   exec                the hooks above (may be NULL).
 * A descriptor of rank r is, in 8-byte words,
 *   { allocated ptr, aligned ptr, offset, sizes[r], strides[r] }   (MLIR's memref
 * descriptor), and the outputs' descriptors follow each other in order. Output
 * buffers are fresh allocations made with exec->alloc (malloc() without one);
 * the caller frees `allocated` with the matching free. Two outputs may share
 * one allocation; an output may also point at an input or at a constant of the
 * library (allocated == 0xdeadbeef), which the caller must not free. */
typedef void (*hybrid_abi_invoke_fn)(void **args, const hybrid_abi_exec *exec);

typedef struct hybrid_abi_function {
  const char *name;
  int32_t num_inputs;
  int32_t num_outputs;
  const hybrid_abi_tensor_info *inputs;
  const hybrid_abi_tensor_info *outputs;
  hybrid_abi_invoke_fn invoke;
} hybrid_abi_function;

/* Weights kept in a side file (`hybrid-opt --external-weights`): the library
 * reads constant i at slots[i], which the runtime sets to the file's mapping
 * plus offsets[i] when it loads the library (see hybrid_module_load_ex). The
 * file starts with a 64-byte header: "HYBRIDWT", format version 1 (u32),
 * the number of constants (u32), the file's size (u64) and the 16-byte id
 * below, little-endian. */
typedef struct hybrid_abi_weights {
  const char *file_name;     /* the side file's name, looked for next to the library */
  const uint8_t *id;         /* 16 bytes: a hash of the contents, also in the header */
  uint64_t file_bytes;       /* the side file's exact size */
  int32_t num_slots;
  const uint64_t *offsets;   /* num_slots offsets into the file, 64-byte aligned */
  const uint64_t *sizes;     /* num_slots sizes in bytes */
  void **slots;              /* num_slots pointers the runtime fills; writable */
} hybrid_abi_weights;

typedef struct hybrid_abi_module {
  uint32_t abi_version;          /* HYBRID_ABI_VERSION */
  int32_t num_functions;
  const hybrid_abi_function *functions;
  const char *name;              /* the module name */
  const char *producer;          /* "hybrid-opt <target triple> <cpu>" */
  int32_t num_kernels;
  const char *const *kernels;    /* num_kernels names, "<op> <ONNX node>" */
  const hybrid_abi_weights *weights; /* NULL: every constant is in the library */
  const char *gpu_arch;          /* "sm_90": a CUDA module (its kernels need that
                                    architecture or a newer one); NULL: CPU only */
} hybrid_abi_module;

typedef const hybrid_abi_module *(*hybrid_abi_query_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* HYBRID_ABI_H */
