/*===- runtime.c - Hybrid's thin runtime ------------------------------------===*
 *
 * Implements hybrid/runtime.h: statuses, tensors, loading compiled libraries
 * and validated calls through the trampolines of hybrid/abi.h.
 *
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE
#include "internal.h"
#include "plan.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*---- status ---------------------------------------------------------------*/

struct hybrid_status {
  hybrid_status_code code;
  char message[];
};

/* Returned when even the status cannot be allocated; never freed. */
static struct {
  hybrid_status_code code;
  char message[32];
} out_of_memory_status = {HYBRID_STATUS_OUT_OF_MEMORY, "out of memory"};

hybrid_status_t hybrid_internal_oom(void) {
  return (hybrid_status_t)(void *)&out_of_memory_status;
}
#define oom hybrid_internal_oom
#define make_status hybrid_internal_status

hybrid_status_t hybrid_internal_status(hybrid_status_code code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    n = 0;
  hybrid_status_t st = malloc(sizeof(struct hybrid_status) + (size_t)n + 1);
  if (!st)
    return oom();
  st->code = code;
  va_start(ap, fmt);
  vsnprintf(st->message, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return st;
}

hybrid_status_code hybrid_status_get_code(hybrid_status_t status) {
  return status ? status->code : HYBRID_STATUS_OK;
}

const char *hybrid_status_message(hybrid_status_t status) {
  return status ? status->message : "OK";
}

void hybrid_status_free(hybrid_status_t status) {
  if (status && status != oom())
    free(status);
}

/*---- element types --------------------------------------------------------*/

size_t hybrid_dtype_size(int32_t dtype) {
  switch (dtype) {
  case HYBRID_DTYPE_BOOL: case HYBRID_DTYPE_I8: case HYBRID_DTYPE_U8:
  case HYBRID_DTYPE_I4: case HYBRID_DTYPE_U4: return 1;
  case HYBRID_DTYPE_F16: case HYBRID_DTYPE_BF16: case HYBRID_DTYPE_I16:
  case HYBRID_DTYPE_U16: return 2;
  case HYBRID_DTYPE_F32: case HYBRID_DTYPE_I32: case HYBRID_DTYPE_U32: return 4;
  case HYBRID_DTYPE_F64: case HYBRID_DTYPE_I64: case HYBRID_DTYPE_U64: return 8;
  default: return 0;
  }
}

const char *hybrid_dtype_name(int32_t dtype) {
  switch (dtype) {
  case HYBRID_DTYPE_F32: return "float32";
  case HYBRID_DTYPE_F16: return "float16";
  case HYBRID_DTYPE_BF16: return "bfloat16";
  case HYBRID_DTYPE_F64: return "float64";
  case HYBRID_DTYPE_BOOL: return "bool";
  case HYBRID_DTYPE_I8: return "int8";
  case HYBRID_DTYPE_U8: return "uint8";
  case HYBRID_DTYPE_I16: return "int16";
  case HYBRID_DTYPE_U16: return "uint16";
  case HYBRID_DTYPE_I32: return "int32";
  case HYBRID_DTYPE_U32: return "uint32";
  case HYBRID_DTYPE_I64: return "int64";
  case HYBRID_DTYPE_U64: return "uint64";
  case HYBRID_DTYPE_I4: return "int4";
  case HYBRID_DTYPE_U4: return "uint4";
  default: return "invalid";
  }
}

/*---- allocators -----------------------------------------------------------*/

static void *system_alloc(void *user, size_t bytes, size_t alignment) {
  (void)user;
  if (alignment < sizeof(void *))
    alignment = sizeof(void *);
  /* aligned_alloc wants a multiple of the alignment, and never 0 bytes. */
  size_t rounded = (bytes + alignment - 1) / alignment * alignment;
  return aligned_alloc(alignment, rounded ? rounded : alignment);
}

static void system_free(void *user, void *ptr) {
  (void)user;
  free(ptr);
}

static const hybrid_allocator_t system_allocator = {system_alloc, system_free, NULL};

const hybrid_allocator_t *hybrid_allocator_system(void) { return &system_allocator; }

/*---- tensors --------------------------------------------------------------*/

/* Memory shared by tensors (two outputs of one call may share an allocation). */
typedef struct storage {
  atomic_int refs;
  void *ptr;
  void (*release)(void *user, void *ptr);
  void *user;
} storage_t;

struct hybrid_tensor {
  atomic_int refs;
  int32_t dtype;
  int32_t rank;
  int64_t num_elements;
  void *data;
  storage_t *storage;
  int64_t shape[HYBRID_MAX_RANK];
};

static void storage_release(storage_t *s) {
  if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
    if (s->release)
      s->release(s->user, s->ptr);
    free(s);
  }
}

static storage_t *storage_new(void *ptr, void (*release)(void *, void *), void *user) {
  storage_t *s = malloc(sizeof *s);
  if (!s)
    return NULL;
  atomic_init(&s->refs, 1);
  s->ptr = ptr;
  s->release = release;
  s->user = user;
  return s;
}

/* Checks dtype, rank and shape; the element count goes to *count. */
static hybrid_status_t check_shape(int32_t dtype, int32_t rank, const int64_t *shape,
                                   int64_t *count) {
  if (!hybrid_dtype_size(dtype))
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "unknown dtype %d", (int)dtype);
  if (rank < 0 || rank > HYBRID_MAX_RANK)
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "rank %d is outside [0, %d]",
                       (int)rank, HYBRID_MAX_RANK);
  if (rank > 0 && !shape)
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "a tensor of rank %d needs a shape",
                       (int)rank);
  int64_t n = 1;
  for (int32_t i = 0; i < rank; ++i) {
    if (shape[i] < 0)
      return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "dim %d is negative (%lld)", (int)i,
                         (long long)shape[i]);
    if (shape[i] && n > INT64_MAX / shape[i] / 8)
      return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "the shape's size overflows");
    n *= shape[i];
  }
  *count = n;
  return NULL;
}

static hybrid_tensor_t *tensor_new(int32_t dtype, int32_t rank, const int64_t *shape,
                                   int64_t count, void *data, storage_t *storage) {
  hybrid_tensor_t *t = malloc(sizeof *t);
  if (!t)
    return NULL;
  atomic_init(&t->refs, 1);
  t->dtype = dtype;
  t->rank = rank;
  t->num_elements = count;
  t->data = data;
  t->storage = storage;
  for (int32_t i = 0; i < rank; ++i)
    t->shape[i] = shape[i];
  return t;
}

typedef struct {
  hybrid_allocator_t allocator;
} allocator_box_t;

static void allocator_box_release(void *user, void *ptr) {
  allocator_box_t *box = user;
  box->allocator.free(box->allocator.user, ptr);
  free(box);
}

hybrid_status_t hybrid_tensor_create(const hybrid_allocator_t *allocator, int32_t dtype,
                                     int32_t rank, const int64_t *shape,
                                     hybrid_tensor_t **out) {
  if (!out)
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "hybrid_tensor_create: out is NULL");
  *out = NULL;
  if (!allocator)
    allocator = &system_allocator;
  if (!allocator->alloc || !allocator->free)
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT,
                       "hybrid_tensor_create: the allocator lacks alloc or free");
  int64_t count;
  hybrid_status_t st = check_shape(dtype, rank, shape, &count);
  if (st)
    return st;
  size_t bytes = (size_t)count * hybrid_dtype_size(dtype);
  allocator_box_t *box = malloc(sizeof *box);
  if (!box)
    return oom();
  box->allocator = *allocator;
  void *data = allocator->alloc(allocator->user, bytes ? bytes : 1, 64);
  if (!data) {
    free(box);
    return make_status(HYBRID_STATUS_OUT_OF_MEMORY, "cannot allocate %zu bytes for a tensor",
                       bytes);
  }
  memset(data, 0, bytes);
  storage_t *s = storage_new(data, allocator_box_release, box);
  hybrid_tensor_t *t = s ? tensor_new(dtype, rank, shape, count, data, s) : NULL;
  if (!t) {
    if (s)
      storage_release(s);
    else
      allocator_box_release(box, data);
    return oom();
  }
  *out = t;
  return NULL;
}

hybrid_status_t hybrid_tensor_wrap(int32_t dtype, int32_t rank, const int64_t *shape,
                                   void *data, size_t byte_size,
                                   void (*release)(void *user, void *data), void *user,
                                   hybrid_tensor_t **out) {
  if (!out)
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "hybrid_tensor_wrap: out is NULL");
  *out = NULL;
  int64_t count;
  hybrid_status_t st = check_shape(dtype, rank, shape, &count);
  if (st)
    return st;
  size_t need = (size_t)count * hybrid_dtype_size(dtype);
  if (byte_size < need)
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT,
                       "hybrid_tensor_wrap: %zu bytes cannot hold the shape (%zu needed)",
                       byte_size, need);
  if (need && !data)
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "hybrid_tensor_wrap: data is NULL");
  storage_t *s = storage_new(data, release, user);
  hybrid_tensor_t *t = s ? tensor_new(dtype, rank, shape, count, data, s) : NULL;
  if (!t) {
    free(s);
    return oom();
  }
  *out = t;
  return NULL;
}

void hybrid_tensor_retain(hybrid_tensor_t *t) {
  if (t)
    atomic_fetch_add(&t->refs, 1);
}

void hybrid_tensor_release(hybrid_tensor_t *t) {
  if (t && atomic_fetch_sub(&t->refs, 1) == 1) {
    storage_release(t->storage);
    free(t);
  }
}

int32_t hybrid_tensor_dtype(const hybrid_tensor_t *t) { return t ? t->dtype : 0; }
int32_t hybrid_tensor_rank(const hybrid_tensor_t *t) { return t ? t->rank : 0; }
const int64_t *hybrid_tensor_shape(const hybrid_tensor_t *t) { return t ? t->shape : NULL; }
int64_t hybrid_tensor_num_elements(const hybrid_tensor_t *t) {
  return t ? t->num_elements : 0;
}
size_t hybrid_tensor_byte_size(const hybrid_tensor_t *t) {
  return t ? (size_t)t->num_elements * hybrid_dtype_size(t->dtype) : 0;
}
void *hybrid_tensor_data(hybrid_tensor_t *t) { return t ? t->data : NULL; }

/*---- modules --------------------------------------------------------------*/

struct hybrid_module {
  void *handle; /* dlopen handle, or NULL for a wrapped table */
  const hybrid_abi_module *table;
  struct hybrid_weights_map *weights; /* the side file's mapping, or NULL */
  hybrid_plan_cache_t *plans;         /* memory plans by input shapes (plan.c) */
  hybrid_parallel_sites_t *sites;     /* what its parallel loops learnt (sites.c) */
  hybrid_gpu_cache_t *gpu;            /* a CUDA module's loaded kernels (cuda.c), or NULL */
};

static hybrid_status_t check_tensor_info(const hybrid_abi_tensor_info *t, const char *fn,
                                         const char *kind, int i) {
  if (!t->name || !hybrid_dtype_size(t->dtype) || t->rank < 0 || t->rank > HYBRID_MAX_RANK ||
      (t->rank > 0 && !t->dims))
    return make_status(HYBRID_STATUS_LOAD_ERROR,
                       "the library's table is corrupt: %s %d of function '%s'", kind, i, fn);
  return NULL;
}

/* Checks a table before anything trusts it. */
static hybrid_status_t check_table(const hybrid_abi_module *m, const char *where) {
  if (!m)
    return make_status(HYBRID_STATUS_LOAD_ERROR, "%s: the module table is NULL", where);
  if (m->abi_version != HYBRID_ABI_VERSION)
    return make_status(HYBRID_STATUS_LOAD_ERROR,
                       "%s: compiled for Hybrid ABI version %u, but this runtime speaks "
                       "version %d; recompile the model with the matching hybrid-opt",
                       where, m->abi_version, HYBRID_ABI_VERSION);
  if (m->num_functions < 0 || (m->num_functions > 0 && !m->functions) || m->num_kernels < 0 ||
      (m->num_kernels > 0 && !m->kernels))
    return make_status(HYBRID_STATUS_LOAD_ERROR, "%s: the module table is corrupt", where);
  for (int32_t f = 0; f < m->num_functions; ++f) {
    const hybrid_abi_function *fn = &m->functions[f];
    if (!fn->name || !fn->invoke || fn->num_inputs < 0 || fn->num_outputs < 0 ||
        (fn->num_inputs && !fn->inputs) || (fn->num_outputs && !fn->outputs))
      return make_status(HYBRID_STATUS_LOAD_ERROR, "%s: function %d of the table is corrupt",
                         where, (int)f);
    for (int32_t i = 0; i < fn->num_inputs; ++i) {
      hybrid_status_t st = check_tensor_info(&fn->inputs[i], fn->name, "input", i);
      if (st)
        return st;
    }
    for (int32_t i = 0; i < fn->num_outputs; ++i) {
      hybrid_status_t st = check_tensor_info(&fn->outputs[i], fn->name, "output", i);
      if (st)
        return st;
    }
  }
  if (m->gpu_arch) {
    /* "sm_" and two or three digits, maybe a suffix letter ("sm_90a"). */
    const char *a = m->gpu_arch;
    size_t digits = 0;
    if (strncmp(a, "sm_", 3) == 0)
      while (a[3 + digits] >= '0' && a[3 + digits] <= '9')
        ++digits;
    if (digits < 2 || digits > 3 || strlen(a + 3 + digits) > 1)
      return make_status(HYBRID_STATUS_LOAD_ERROR, "%s: the table's GPU architecture is corrupt",
                         where);
  }
  return hybrid_internal_check_weights(m->weights, where);
}

/* A module over a checked table: its caches, and its weights side file mapped
 * (`library_path`: where to look for it, NULL for a wrapped table). On failure
 * nothing is left allocated (the caller closes `handle`). */
static hybrid_status_t module_new(void *handle, const hybrid_abi_module *table,
                                  const char *library_path,
                                  const hybrid_module_options_t *options,
                                  hybrid_module_t **out) {
  hybrid_module_t *m = calloc(1, sizeof *m);
  if (!m)
    return oom();
  m->handle = handle;
  m->table = table;
  m->plans = hybrid_internal_plan_cache_create(); /* NULL: calls go unplanned */
  m->sites = hybrid_internal_sites_create();      /* NULL: no learning */
  hybrid_status_t st = NULL;
  if (table->gpu_arch && !(m->gpu = hybrid_internal_gpu_cache_create()))
    st = oom();
  if (!st)
    st = hybrid_internal_weights_attach(table, library_path,
                                        options ? options->weights_path : NULL, &m->weights);
  if (st) {
    hybrid_internal_plan_cache_free(m->plans);
    hybrid_internal_sites_free(m->sites);
    hybrid_internal_gpu_cache_free(m->gpu);
    free(m);
    return st;
  }
  *out = m;
  return NULL;
}

hybrid_status_t hybrid_module_load(const char *path, hybrid_module_t **out) {
  return hybrid_module_load_ex(path, NULL, out);
}

hybrid_status_t hybrid_module_load_ex(const char *path, const hybrid_module_options_t *options,
                                      hybrid_module_t **out) {
  if (!out || !path)
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "hybrid_module_load: NULL argument");
  *out = NULL;
  /* dlopen searches the library path for a bare name; a user means the file. */
  char *full = NULL;
  if (!strchr(path, '/')) {
    full = malloc(strlen(path) + 3);
    if (!full)
      return oom();
    strcpy(full, "./");
    strcat(full, path);
  }
  void *handle = dlopen(full ? full : path, RTLD_NOW | RTLD_LOCAL);
  free(full);
  if (!handle) {
    const char *why = dlerror();
    return make_status(HYBRID_STATUS_LOAD_ERROR, "cannot load '%s': %s", path,
                       why ? why : "unknown error");
  }
  hybrid_abi_query_fn query;
  *(void **)&query = dlsym(handle, "hybrid_module_query");
  if (!query) {
    dlclose(handle);
    return make_status(HYBRID_STATUS_LOAD_ERROR,
                       "'%s' is not a library compiled by hybrid-opt (it has no "
                       "hybrid_module_query)",
                       path);
  }
  const hybrid_abi_module *table = query();
  hybrid_status_t st = check_table(table, path);
  if (!st)
    st = module_new(handle, table, path, options, out);
  if (st)
    dlclose(handle);
  return st;
}

hybrid_status_t hybrid_module_wrap(const hybrid_abi_module *table, hybrid_module_t **out) {
  return hybrid_module_wrap_ex(table, NULL, out);
}

hybrid_status_t hybrid_module_wrap_ex(const hybrid_abi_module *table,
                                      const hybrid_module_options_t *options,
                                      hybrid_module_t **out) {
  if (!out)
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "hybrid_module_wrap: out is NULL");
  *out = NULL;
  hybrid_status_t st = check_table(table, table && table->name ? table->name : "module");
  if (st)
    return st;
  return module_new(NULL, table, NULL, options, out);
}

void hybrid_module_release(hybrid_module_t *m) {
  if (!m)
    return;
  /* The mapping goes before the library that reads it. */
  hybrid_internal_weights_detach(m->weights);
  hybrid_internal_plan_cache_free(m->plans);
  hybrid_internal_sites_free(m->sites);
  /* Kernels unload while their images are still mapped. */
  hybrid_internal_gpu_cache_free(m->gpu);
  if (m->handle)
    dlclose(m->handle);
  free(m);
}

const hybrid_abi_module *hybrid_module_table(const hybrid_module_t *m) {
  return m ? m->table : NULL;
}

hybrid_status_t hybrid_module_function(const hybrid_module_t *m, const char *name,
                                       const hybrid_abi_function **out) {
  if (!m || !out)
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "hybrid_module_function: NULL argument");
  *out = NULL;
  const hybrid_abi_module *t = m->table;
  for (int32_t f = 0; f < t->num_functions; ++f)
    if (!name || strcmp(t->functions[f].name, name) == 0) {
      *out = &t->functions[f];
      return NULL;
    }
  if (!name || t->num_functions == 0)
    return make_status(HYBRID_STATUS_NOT_FOUND, "module '%s' has no entry function",
                       t->name ? t->name : "?");
  /* List what there is. */
  char list[512] = "";
  size_t used = 0;
  for (int32_t f = 0; f < t->num_functions && used + 1 < sizeof list; ++f)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s'%s'", f ? ", " : "",
                             t->functions[f].name);
  return make_status(HYBRID_STATUS_NOT_FOUND, "module '%s' has no function '%s' (it has %s)",
                     t->name ? t->name : "?", name, list);
}

/*---- calls ----------------------------------------------------------------*/

char *hybrid_shape_string(char *buf, size_t size, int32_t rank, const int64_t *dims,
                          const char *const *names) {
  if (!buf || !size)
    return buf;
  size_t used = (size_t)snprintf(buf, size, "[");
  for (int32_t i = 0; i < rank && used < size; ++i) {
    const char *sep = i ? ", " : "";
    if (dims[i] >= 0)
      used += (size_t)snprintf(buf + used, size - used, "%s%lld", sep, (long long)dims[i]);
    else if (names && names[i] && names[i][0])
      used += (size_t)snprintf(buf + used, size - used, "%s%s", sep, names[i]);
    else
      used += (size_t)snprintf(buf + used, size - used, "%s?", sep);
  }
  if (used < size)
    snprintf(buf + used, size - used, "]");
  return buf;
}

/* A symbolic dim's size, and the input that fixed it. */
typedef struct {
  const char *name;
  int64_t size;
  const char *set_by;
} dim_binding_t;

/* Both shapes of an input that does not fit, for its message: formatted only
 * on the error paths (a call whose inputs fit formats nothing). */
enum { SHAPE_TEXT = 256 };
static void shape_texts(const hybrid_abi_tensor_info *info, const hybrid_tensor_t *t,
                        char want[SHAPE_TEXT], char got[SHAPE_TEXT]) {
  hybrid_shape_string(want, SHAPE_TEXT, info->rank, info->dims, info->dim_names);
  if (got)
    hybrid_shape_string(got, SHAPE_TEXT, t->rank, t->shape, NULL);
}

static hybrid_status_t validate_inputs(const hybrid_abi_function *fn,
                                       hybrid_tensor_t *const *inputs) {
  enum { MAX_BINDINGS = 256 };
  dim_binding_t bindings[MAX_BINDINGS];
  int nbindings = 0;
  for (int32_t i = 0; i < fn->num_inputs; ++i) {
    const hybrid_abi_tensor_info *info = &fn->inputs[i];
    const hybrid_tensor_t *t = inputs[i];
    char want[SHAPE_TEXT], got[SHAPE_TEXT];
    if (!t) {
      shape_texts(info, t, want, NULL);
      return make_status(HYBRID_STATUS_INVALID_ARGUMENT,
                         "%s: input %d ('%s') is missing (NULL); expected %s %s", fn->name,
                         (int)i, info->name, hybrid_dtype_name(info->dtype), want);
    }
    if (t->dtype != info->dtype)
      return make_status(HYBRID_STATUS_INVALID_ARGUMENT,
                         "%s: input %d ('%s') has dtype %s; expected %s", fn->name, (int)i,
                         info->name, hybrid_dtype_name(t->dtype),
                         hybrid_dtype_name(info->dtype));
    if (t->rank != info->rank) {
      shape_texts(info, t, want, got);
      return make_status(HYBRID_STATUS_INVALID_ARGUMENT,
                         "%s: input %d ('%s') has shape %s (rank %d); expected %s (rank %d)",
                         fn->name, (int)i, info->name, got, (int)t->rank, want,
                         (int)info->rank);
    }
    for (int32_t d = 0; d < info->rank; ++d) {
      int64_t size = t->shape[d];
      if (info->dims[d] >= 0) {
        if (size != info->dims[d]) {
          shape_texts(info, t, want, got);
          return make_status(HYBRID_STATUS_INVALID_ARGUMENT,
                             "%s: input %d ('%s') has shape %s; expected %s (dim %d must be "
                             "%lld)",
                             fn->name, (int)i, info->name, got, want, (int)d,
                             (long long)info->dims[d]);
        }
        continue;
      }
      const char *name = info->dim_names ? info->dim_names[d] : NULL;
      if (!name || !name[0])
        continue;
      int b = 0;
      while (b < nbindings && strcmp(bindings[b].name, name) != 0)
        ++b;
      if (b == nbindings) {
        if (nbindings < MAX_BINDINGS)
          bindings[nbindings++] = (dim_binding_t){name, size, info->name};
        continue;
      }
      if (bindings[b].size != size) {
        shape_texts(info, t, want, got);
        return make_status(HYBRID_STATUS_INVALID_ARGUMENT,
                           "%s: input %d ('%s') has shape %s, so '%s' is %lld; but input "
                           "'%s' has '%s' = %lld",
                           fn->name, (int)i, info->name, got, name, (long long)size,
                           bindings[b].set_by, name, (long long)bindings[b].size);
      }
    }
    if (t->num_elements && !t->data)
      return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "%s: input %d ('%s') has no data",
                         fn->name, (int)i, info->name);
  }
  return NULL;
}

/* A descriptor's words: allocated, aligned, offset, sizes[r], strides[r]. */
static size_t descriptor_words(int32_t rank) { return 3 + 2 * (size_t)rank; }

/* MLIR marks buffers it does not own (constants) with this allocated pointer. */
#define HYBRID_NOT_OWNED ((uintptr_t)0xdeadbeef)

/*---- what a call lends the compiled code (hybrid_abi_exec) ------------------*/

/* Every buffer the compiled code allocates comes from the call's allocator,
 * behind a header that remembers where it came from, so that a buffer (an
 * output) can be freed after the call without it. */
typedef struct block_header {
  void *base;
  uint64_t bytes;
  hybrid_allocator_t allocator;
  int64_t plan_index; /* the buffer's number in a plan being recorded, or -1 */
} block_header_t;

#define BLOCK_ALIGN 64

typedef struct call_ctx {
  hybrid_allocator_t allocator;
  hybrid_executor_t *executor;
  hybrid_profile_t *profile;
  int32_t profile_module;
  atomic_ullong live, peak, total, count, parallel_loops;
  /* Begin times of open kernels (kernels nest only if the compiler nests them). */
  int64_t kernel_begin[16];
  int32_t kernel_depth;
  /* The memory plan (plan.c), and whether a parallel loop is running (its
   * tasks' buffers are not planned: their order is the threads'). */
  hybrid_plan_run_t plan;
  atomic_int in_parallel;
  hybrid_parallel_sites_t *sites; /* the module's (sites.c) */
  hybrid_gpu_call_t gpu;          /* a CUDA module's stream and first error */
} call_ctx_t;

static void note_live(call_ctx_t *c, uint64_t bytes) {
  unsigned long long live = atomic_fetch_add(&c->live, bytes) + bytes;
  unsigned long long peak = atomic_load(&c->peak);
  while (live > peak && !atomic_compare_exchange_weak(&c->peak, &peak, live))
    ;
}

static void *call_alloc(void *user, uint64_t bytes, uint64_t alignment) {
  call_ctx_t *c = user;
  if (alignment < BLOCK_ALIGN)
    alignment = BLOCK_ALIGN;
  /* The header sits just below the returned pointer, in a prefix of one
   * alignment unit (64 bytes or the requested alignment). */
  int64_t plan_index = -1;
  if (c->plan.mode != HYBRID_PLAN_OFF && !atomic_load(&c->in_parallel)) {
    void *planned = hybrid_internal_plan_alloc(&c->plan, bytes, alignment, &plan_index);
    if (planned) {
      /* Its memory is the arena's, counted live for the whole call. */
      atomic_fetch_add(&c->total, bytes);
      atomic_fetch_add(&c->count, 1);
      return planned;
    }
  }
  uint64_t prefix = alignment;
  if (bytes > SIZE_MAX - prefix)
    return NULL;
  char *base = c->allocator.alloc(c->allocator.user, (size_t)(prefix + bytes), alignment);
  if (!base)
    return NULL;
  block_header_t *h = (block_header_t *)(base + prefix) - 1;
  h->base = base;
  h->bytes = bytes;
  h->allocator = c->allocator;
  h->plan_index = plan_index;
  note_live(c, bytes);
  atomic_fetch_add(&c->total, bytes);
  atomic_fetch_add(&c->count, 1);
  return base + prefix;
}

static void block_free(void *ptr) {
  block_header_t *h = (block_header_t *)ptr - 1;
  h->allocator.free(h->allocator.user, h->base);
}

static void call_free(void *user, void *ptr) {
  if (!ptr)
    return;
  call_ctx_t *c = user;
  if (hybrid_internal_plan_owns(&c->plan, ptr)) {
    hybrid_internal_plan_free(&c->plan, ptr);
    return;
  }
  block_header_t *h = (block_header_t *)ptr - 1;
  if (h->plan_index >= 0)
    hybrid_internal_plan_record_free(&c->plan, h->plan_index);
  atomic_fetch_sub(&c->live, h->bytes);
  block_free(ptr);
}

static void block_release(void *user, void *ptr) {
  (void)user;
  block_free(ptr);
}

/* Below this much work (scalar operations, the compiler's estimate) a parallel
 * loop stays on the calling thread: waking workers costs microseconds. Above
 * it, the loop's site decides from its measured speed (sites.c). */
#define PARALLEL_MIN_WORK 16384
#define PARALLEL_SLICE_WORK 4096

static void call_parallel_for(void *user, hybrid_abi_task_fn task, void *ctx, int64_t n,
                              int64_t cost) {
  call_ctx_t *c = user;
  int32_t threads = hybrid_executor_num_threads(c->executor);
  if (cost < 1)
    cost = 1;
  double work = (double)n * (double)cost;
  /* Inline or not, a task's buffers stay out of the plan, so the plan does not
   * depend on the thread count. */
  atomic_fetch_add(&c->in_parallel, 1);
  if (threads <= 1 || n < 2 || work < PARALLEL_MIN_WORK) {
    task(ctx, 0, n);
    atomic_fetch_sub(&c->in_parallel, 1);
    return;
  }
  if (hybrid_internal_site_run_inline(c->sites, task, ctx, n, work)) {
    atomic_fetch_sub(&c->in_parallel, 1);
    return;
  }
  /* A few slices per thread balance uneven slices; none smaller than
   * PARALLEL_SLICE_WORK. */
  double by_work = work / PARALLEL_SLICE_WORK;
  int64_t chunks = (int64_t)threads * 4;
  if (by_work < (double)chunks)
    chunks = by_work < 2 ? 2 : (int64_t)by_work;
  atomic_fetch_add(&c->parallel_loops, 1);
  hybrid_internal_parallel_for(c->executor, c->profile, task, ctx, n, chunks);
  atomic_fetch_sub(&c->in_parallel, 1);
}

static void call_kernel_begin(void *user, int32_t kernel) {
  (void)kernel;
  call_ctx_t *c = user;
  if (c->kernel_depth < (int32_t)(sizeof c->kernel_begin / sizeof c->kernel_begin[0]))
    c->kernel_begin[c->kernel_depth] = hybrid_internal_now_ns();
  ++c->kernel_depth;
}

static void call_kernel_end(void *user, int32_t kernel) {
  call_ctx_t *c = user;
  if (c->kernel_depth <= 0)
    return;
  --c->kernel_depth;
  if (c->kernel_depth < (int32_t)(sizeof c->kernel_begin / sizeof c->kernel_begin[0]))
    hybrid_internal_profile_event(c->profile, c->profile_module, HYBRID_EVENT_KERNEL, kernel,
                                  c->kernel_begin[c->kernel_depth], hybrid_internal_now_ns(),
                                  0);
}

static void *call_gpu_function(void *user, const void *image, const char *name) {
  return hybrid_internal_gpu_function(&((call_ctx_t *)user)->gpu, image, name);
}

static void call_gpu_launch(void *user, void *function, int64_t gx, int64_t gy, int64_t gz,
                            int64_t bx, int64_t by, int64_t bz, int32_t shared_bytes,
                            void **params) {
  hybrid_internal_gpu_launch(&((call_ctx_t *)user)->gpu, function, gx, gy, gz, bx, by, bz,
                             shared_bytes, params);
}

static void call_gpu_synchronize(void *user) {
  hybrid_internal_gpu_synchronize(&((call_ctx_t *)user)->gpu);
}

/* A CUDA call reads its inputs on the device: each one that is not managed
 * memory already (an output of an earlier call is) is copied into such a
 * buffer. staged[i] is the tensor the call uses (a new reference). */
static hybrid_status_t stage_inputs(hybrid_tensor_t *const *inputs, int32_t n,
                                    hybrid_tensor_t **staged) {
  const hybrid_allocator_t *managed = hybrid_internal_gpu_allocator();
  for (int32_t i = 0; i < n; ++i) {
    hybrid_tensor_t *in = inputs[i];
    if (hybrid_internal_gpu_accessible(in->data)) {
      hybrid_tensor_retain(in);
      staged[i] = in;
      continue;
    }
    hybrid_status_t st =
        hybrid_tensor_create(managed, in->dtype, in->rank, in->shape, &staged[i]);
    if (st) {
      for (int32_t k = 0; k < i; ++k)
        hybrid_tensor_release(staged[k]);
      return st;
    }
    size_t bytes = hybrid_tensor_byte_size(in);
    if (bytes)
      memcpy(staged[i]->data, in->data, bytes);
  }
  return NULL;
}

static void release_staged(hybrid_tensor_t **staged, int32_t n, hybrid_tensor_t **on_stack) {
  for (int32_t i = 0; i < n; ++i)
    hybrid_tensor_release(staged[i]);
  if (staged != on_stack)
    free(staged);
}

hybrid_status_t hybrid_call(const hybrid_module_t *module, const hybrid_abi_function *fn,
                            hybrid_tensor_t *const *inputs, int32_t num_inputs,
                            hybrid_tensor_t **outputs, int32_t num_outputs) {
  return hybrid_call_ex(module, fn, inputs, num_inputs, outputs, num_outputs, NULL);
}

hybrid_status_t hybrid_call_ex(const hybrid_module_t *module, const hybrid_abi_function *fn,
                               hybrid_tensor_t *const *inputs, int32_t num_inputs,
                               hybrid_tensor_t **outputs, int32_t num_outputs,
                               const hybrid_call_options_t *options) {
  if (outputs)
    for (int32_t i = 0; i < num_outputs; ++i)
      outputs[i] = NULL;
  if (!module || !fn)
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "hybrid_call: NULL module or function");
  const hybrid_abi_module *t = module->table;
  if (fn < t->functions || fn >= t->functions + t->num_functions)
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT,
                       "hybrid_call: function '%s' does not belong to module '%s'",
                       fn->name ? fn->name : "?", t->name ? t->name : "?");
  if (num_inputs != fn->num_inputs || (num_inputs && !inputs)) {
    char names[512] = "";
    size_t used = 0;
    for (int32_t i = 0; i < fn->num_inputs && used + 1 < sizeof names; ++i)
      used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                               fn->inputs[i].name);
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT, "%s takes %d inputs (%s); got %d",
                       fn->name, (int)fn->num_inputs, names, (int)num_inputs);
  }
  if (num_outputs != fn->num_outputs || (num_outputs && !outputs))
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT,
                       "%s returns %d outputs; room for %d was given", fn->name,
                       (int)fn->num_outputs, (int)num_outputs);
  hybrid_status_t st = validate_inputs(fn, inputs);
  if (st)
    return st;
  const hybrid_call_options_t no_options = {0};
  if (!options)
    options = &no_options;
  if (options->allocator && (!options->allocator->alloc || !options->allocator->free))
    return make_status(HYBRID_STATUS_INVALID_ARGUMENT,
                       "hybrid_call: the allocator lacks alloc or free");

  /* A CUDA module: the driver, a stream, and inputs the device can read. */
  int gpu = t->gpu_arch != NULL;
  hybrid_gpu_call_t gpu_call;
  hybrid_tensor_t *staged_block[16];
  hybrid_tensor_t **staged = NULL;
  if (gpu) {
    st = hybrid_internal_gpu_begin(&gpu_call, module->gpu, t->gpu_arch, t->name);
    if (st)
      return st;
    staged = num_inputs <= 16 ? staged_block : malloc((size_t)num_inputs * sizeof *staged);
    if (!staged || (st = stage_inputs(inputs, num_inputs, staged))) {
      if (staged != staged_block)
        free(staged);
      hybrid_status_free(hybrid_internal_gpu_end(&gpu_call));
      return st ? st : oom();
    }
    inputs = staged;
  }
  /* One block for every descriptor and the argument array. */
  size_t words = 0;
  for (int32_t i = 0; i < fn->num_inputs; ++i)
    words += descriptor_words(fn->inputs[i].rank);
  size_t out_words = 0;
  for (int32_t i = 0; i < fn->num_outputs; ++i)
    out_words += descriptor_words(fn->outputs[i].rank);
  size_t nargs = 1 + (size_t)fn->num_inputs;
  int64_t *block = calloc(words + out_words + nargs, sizeof(int64_t));
  if (!block) {
    if (gpu) {
      release_staged(staged, num_inputs, staged_block);
      hybrid_status_free(hybrid_internal_gpu_end(&gpu_call));
    }
    return oom();
  }
  int64_t *results = block;
  void **args = (void **)(block + out_words);
  int64_t *desc = block + out_words + nargs;
  args[0] = results;
  for (int32_t i = 0; i < fn->num_inputs; ++i) {
    const hybrid_tensor_t *in = inputs[i];
    int32_t r = in->rank;
    desc[0] = (int64_t)(uintptr_t)in->data;
    desc[1] = (int64_t)(uintptr_t)in->data;
    desc[2] = 0;
    int64_t stride = 1;
    for (int32_t d = r - 1; d >= 0; --d) {
      desc[3 + d] = in->shape[d];
      desc[3 + r + d] = stride;
      stride *= in->shape[d] ? in->shape[d] : 1;
    }
    args[1 + i] = desc;
    desc += descriptor_words(r);
  }

  call_ctx_t call;
  memset(&call, 0, sizeof call);
  call.allocator = options->allocator ? *options->allocator : system_allocator;
  if (gpu) {
    /* Device-accessible buffers, whatever allocator was asked for. */
    call.allocator = *hybrid_internal_gpu_allocator();
    call.gpu = gpu_call;
  }
  call.executor = options->executor;
  call.profile = options->profile;
  call.sites = module->sites;
  call.profile_module = call.profile ? hybrid_internal_profile_module(call.profile, t) : -1;
  hybrid_internal_plan_begin(&call.plan, options->no_memory_plan ? NULL : module->plans,
                             (int32_t)(fn - t->functions), inputs, num_inputs, &call.allocator);
  if (call.plan.arena_bytes)
    note_live(&call, call.plan.arena_bytes);
  hybrid_abi_exec exec = {&call,
                          call_parallel_for,
                          call_alloc,
                          call_free,
                          call.profile ? call_kernel_begin : NULL,
                          call.profile ? call_kernel_end : NULL,
                          gpu ? call_gpu_function : NULL,
                          gpu ? call_gpu_launch : NULL,
                          gpu ? call_gpu_synchronize : NULL};
  int64_t begin_ns = call.profile ? hybrid_internal_now_ns() : 0;
  fn->invoke(args, &exec);
  /* The device's work is done before anything reads the results. */
  hybrid_status_t gpu_st = gpu ? hybrid_internal_gpu_end(&call.gpu) : NULL;
  hybrid_internal_plan_invoked(&call.plan);
  if (call.profile)
    hybrid_internal_profile_event(call.profile, call.profile_module, HYBRID_EVENT_CALL,
                                  (int32_t)(fn - t->functions), begin_ns,
                                  hybrid_internal_now_ns(), 0);
  /* Wrap the results; a storage per distinct allocation. */
  st = NULL;
  int64_t *rd = results;
  for (int32_t i = 0; i < fn->num_outputs && !st; ++i) {
    const hybrid_abi_tensor_info *info = &fn->outputs[i];
    int32_t r = info->rank;
    void *allocated = (void *)(uintptr_t)rd[0];
    char *aligned = (char *)(uintptr_t)rd[1];
    size_t esize = hybrid_dtype_size(info->dtype);
    /* (A NULL buffer, possible for an empty output, gets no offset: that is UB.) */
    char *data = aligned ? aligned + rd[2] * (int64_t)esize : NULL;
    int64_t count = 1, stride = 1;
    int contiguous = 1;
    for (int32_t d = r - 1; d >= 0; --d) {
      int64_t size = rd[3 + d];
      if (size < 0 || (info->dims[d] >= 0 && size != info->dims[d]))
        st = make_status(HYBRID_STATUS_INTERNAL,
                         "%s: output %d ('%s') came back with dim %d = %lld, against its "
                         "signature",
                         fn->name, (int)i, info->name, (int)d, (long long)size);
      if (size > 1 && rd[3 + r + d] != stride)
        contiguous = 0;
      stride *= size;
      count *= size;
    }
    if (!st && !contiguous)
      st = make_status(HYBRID_STATUS_INTERNAL, "%s: output %d ('%s') is not dense", fn->name,
                       (int)i, info->name);
    if (st)
      break;
    /* Memory the output does not own (a constant, an input) is copied. */
    int owned = allocated && (uintptr_t)allocated != HYBRID_NOT_OWNED &&
                !hybrid_internal_plan_owns(&call.plan, allocated); /* the arena goes */
    for (int32_t k = 0; owned && k < fn->num_inputs; ++k) {
      uintptr_t base = (uintptr_t)inputs[k]->data;
      size_t bytes = hybrid_tensor_byte_size(inputs[k]);
      if (base && (uintptr_t)allocated >= base && (uintptr_t)allocated < base + (bytes ? bytes : 1))
        owned = 0;
    }
    storage_t *s = NULL;
    for (int32_t k = 0; owned && k < i; ++k)
      if (outputs[k] && outputs[k]->storage->ptr == allocated) {
        s = outputs[k]->storage;
        atomic_fetch_add(&s->refs, 1);
        break;
      }
    size_t bytes = (size_t)count * esize;
    if (!owned) {
      void *copy = call_alloc(&call, bytes, BLOCK_ALIGN);
      if (!copy) {
        st = oom();
        break;
      }
      if (bytes)
        memcpy(copy, data, bytes);
      data = copy;
      allocated = copy;
    }
    if (!s && !(s = storage_new(allocated, block_release, NULL))) {
      block_free(allocated);
      st = oom();
      break;
    }
    int64_t shape[HYBRID_MAX_RANK];
    for (int32_t d = 0; d < r; ++d)
      shape[d] = rd[3 + d];
    outputs[i] = tensor_new(info->dtype, r, shape, count, data, s);
    if (!outputs[i]) {
      storage_release(s);
      st = oom();
      break;
    }
    rd += descriptor_words(r);
  }
  if (gpu_st) {
    /* Results of a call whose kernels failed are not results. */
    if (st)
      hybrid_status_free(gpu_st);
    else
      st = gpu_st;
  }
  if (st) {
    /* Free what was wrapped; the rest of the results leak rather than risk a
     * double free of memory the tensors above may share. */
    for (int32_t i = 0; i < num_outputs; ++i) {
      hybrid_tensor_release(outputs[i]);
      outputs[i] = NULL;
    }
  }
  /* After the outputs: copies of outputs that alias an input or a constant
   * are the call's memory too. */
  if (options->stats) {
    options->stats->peak_bytes = atomic_load(&call.peak);
    options->stats->allocated_bytes = atomic_load(&call.total);
    options->stats->num_allocations = atomic_load(&call.count);
    options->stats->parallel_loops = atomic_load(&call.parallel_loops);
    options->stats->planned_bytes = call.plan.arena_bytes;
    options->stats->planned_allocations = call.plan.served;
  }
  hybrid_internal_plan_end(&call.plan);
  free(block);
  if (gpu)
    release_staged(staged, num_inputs, staged_block);
  return st;
}
