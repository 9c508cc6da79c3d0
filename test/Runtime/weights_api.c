/* Weights in a side file through the runtime's C API (weights.test):
 *   weights_api LIB.so LIB.weights
 * LIB was compiled with --external-weights. A table linked into the program
 * (here: found with dlsym, as a program linking the library would call
 * <name>_module_query) has no "next to the library", so wrapping it needs the
 * weights path; a wrapped table and a loaded library share one mapping, which
 * outlives either module alone; every module computes the same outputs. */
#include "check.h"
#include "hybrid/runtime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs the first function on inputs drawn from a fixed LCG (every dynamic dim
 * 3, integers in [0, 7)) and returns the first output's bytes. */
static void *run(const hybrid_module_t *m, size_t *bytes) {
  const hybrid_abi_function *fn;
  ok(hybrid_module_function(m, NULL, &fn));
  hybrid_tensor_t *in[64] = {0}, *out[64] = {0};
  CHECK(fn->num_inputs <= 64 && fn->num_outputs <= 64);
  unsigned long long seed = 12345;
  for (int32_t i = 0; i < fn->num_inputs; ++i) {
    const hybrid_abi_tensor_info *t = &fn->inputs[i];
    int64_t shape[HYBRID_MAX_RANK];
    for (int32_t d = 0; d < t->rank; ++d)
      shape[d] = t->dims[d] >= 0 ? t->dims[d] : 3;
    ok(hybrid_tensor_create(NULL, t->dtype, t->rank, shape, &in[i]));
    int64_t n = hybrid_tensor_num_elements(in[i]);
    for (int64_t e = 0; e < n; ++e) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      unsigned r = (unsigned)(seed >> 40);
      if (t->dtype == HYBRID_DTYPE_F32)
        ((float *)hybrid_tensor_data(in[i]))[e] = (float)r / (1 << 24) * 2.0f - 1.0f;
      else if (t->dtype == HYBRID_DTYPE_I64)
        ((int64_t *)hybrid_tensor_data(in[i]))[e] = r % 7;
      else
        CHECK(!"an input dtype this test does not draw");
    }
  }
  ok(hybrid_call(m, fn, in, fn->num_inputs, out, fn->num_outputs));
  *bytes = hybrid_tensor_byte_size(out[0]);
  void *copy = malloc(*bytes);
  CHECK(copy);
  memcpy(copy, hybrid_tensor_data(out[0]), *bytes);
  for (int32_t i = 0; i < fn->num_inputs; ++i)
    hybrid_tensor_release(in[i]);
  for (int32_t i = 0; i < fn->num_outputs; ++i)
    hybrid_tensor_release(out[i]);
  return copy;
}

int main(int argc, char **argv) {
  CHECK(argc == 3);
  const char *lib = argv[1], *weights = argv[2];

  /* The table as a program linking the library sees it: nothing is mapped
   * yet, and there is no library path to look next to. */
  void *handle = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  CHECK(handle);
  hybrid_abi_query_fn query;
  *(void **)&query = dlsym(handle, "hybrid_module_query");
  CHECK(query);
  const hybrid_abi_module *table = query();
  CHECK(table->weights && table->weights->num_slots > 0 && !table->weights->slots[0]);
  printf("weights: %d constants in '%s', %llu bytes\n", (int)table->weights->num_slots,
         table->weights->file_name, (unsigned long long)table->weights->file_bytes);
  hybrid_module_t *wrapped = NULL;
  hybrid_status_t st = hybrid_module_wrap(table, &wrapped);
  CHECK(st && !wrapped);
  printf("error as expected: %s\n", hybrid_status_message(st));
  hybrid_status_free(st);

  /* Loaded: the side file is found next to the library. */
  hybrid_module_t *loaded;
  ok(hybrid_module_load(lib, &loaded));
  CHECK(hybrid_module_table(loaded) == table);
  size_t n0, n1, n2;
  void *want = run(loaded, &n0);

  /* Wrapped while loaded: the mapping is shared (no path needed, none made). */
  ok(hybrid_module_wrap(table, &wrapped));

  /* The mapping is shared, and stays while a module uses it. */
  hybrid_module_release(loaded);
  CHECK(table->weights->slots[0] != NULL);
  void *got = run(wrapped, &n1);
  CHECK(n1 == n0 && memcmp(got, want, n0) == 0);
  hybrid_module_release(wrapped);
  CHECK(table->weights->slots[0] == NULL); /* unmapped with the last module */

  /* Mapped again afresh, from the given path. */
  hybrid_module_options_t options = {0};
  options.weights_path = weights;
  ok(hybrid_module_wrap_ex(table, &options, &wrapped));
  void *again = run(wrapped, &n2);
  CHECK(n2 == n0 && memcmp(again, want, n0) == 0);
  hybrid_module_release(wrapped);
  dlclose(handle);
  free(want);
  free(got);
  free(again);
  printf("wrapped and loaded modules share one mapping and agree bit for bit\nOK\n");
  return 0;
}
