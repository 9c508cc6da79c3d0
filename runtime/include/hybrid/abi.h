/*===- hybrid/abi.h - the contract between compiled libraries and the runtime -===*
 *
 * A library that hybrid-opt compiles (`--target=cpu -o model.so`) exports
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

#define HYBRID_ABI_VERSION 1

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

/* The trampoline every entry function has:
 *   args[0]             where the outputs' descriptors are written (see below),
 *   args[1 + i]         a pointer to input i's descriptor.
 * A descriptor of rank r is, in 8-byte words,
 *   { allocated ptr, aligned ptr, offset, sizes[r], strides[r] }   (MLIR's memref
 * descriptor), and the outputs' descriptors follow each other in order. Output
 * buffers are fresh allocations made with malloc(); the caller frees `allocated`.
 * Two outputs may share one allocation. */
typedef void (*hybrid_abi_invoke_fn)(void **args);

typedef struct hybrid_abi_function {
  const char *name;
  int32_t num_inputs;
  int32_t num_outputs;
  const hybrid_abi_tensor_info *inputs;
  const hybrid_abi_tensor_info *outputs;
  hybrid_abi_invoke_fn invoke;
} hybrid_abi_function;

typedef struct hybrid_abi_module {
  uint32_t abi_version;          /* HYBRID_ABI_VERSION */
  int32_t num_functions;
  const hybrid_abi_function *functions;
  const char *name;              /* the module name */
  const char *producer;          /* "hybrid-opt <target triple> <cpu>" */
} hybrid_abi_module;

typedef const hybrid_abi_module *(*hybrid_abi_query_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* HYBRID_ABI_H */
