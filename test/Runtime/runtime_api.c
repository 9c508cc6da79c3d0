/* The runtime's C API on a compiled library (runtime-api.test):
 *   runtime_api LIB.so TRACE.json
 * statuses and messages, allocators, tensor references, table checks, and
 * concurrent calls: 8 threads x 25 calls on one module must each reproduce a
 * single-threaded call bit for bit, and so must 4 threads x 25 calls sharing
 * one 4-thread executor, with a counting allocator (every buffer returned), call
 * statistics, the memory plan and a profile written to TRACE.json. Prints "OK" at the end; any
 * failed check prints it and exits 1. */
#include "check.h"
#include "hybrid/runtime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The status must carry `code` and a message containing `text`. */
static void expect(hybrid_status_t st, hybrid_status_code code, const char *text) {
  CHECK(st != NULL);
  if (hybrid_status_get_code(st) != code || !strstr(hybrid_status_message(st), text)) {
    fprintf(stderr, "expected code %d and '%s', got %d: %s\n", code, text,
            hybrid_status_get_code(st), hybrid_status_message(st));
    exit(1);
  }
  printf("error as expected: %s\n", hybrid_status_message(st));
  hybrid_status_free(st);
}

/* Counts (atomically: calls allocate from several threads). */
static _Atomic int allocs, frees;
static void *counting_alloc(void *user, size_t bytes, size_t alignment) {
  ++*(_Atomic int *)user;
  return aligned_alloc(alignment, (bytes + alignment - 1) / alignment * alignment);
}
static void counting_free(void *user, void *ptr) {
  (void)user;
  ++frees;
  free(ptr);
}
static int wrapped_released;
static void on_release(void *user, void *data) {
  (void)data;
  ++*(int *)user;
}

static hybrid_module_t *module;
static const hybrid_abi_function *fn;
static hybrid_tensor_t *inputs[16];
static hybrid_tensor_t *reference[16];

/* Calls with options (an executor, an allocator, a profile) when `arg` is
 * not NULL. */
static void *worker(void *arg) {
  const hybrid_call_options_t *options = arg;
  for (int call = 0; call < 25; ++call) {
    hybrid_tensor_t *out[16] = {0};
    ok(hybrid_call_ex(module, fn, inputs, fn->num_inputs, out, fn->num_outputs, options));
    for (int i = 0; i < fn->num_outputs; ++i) {
      CHECK(hybrid_tensor_byte_size(out[i]) == hybrid_tensor_byte_size(reference[i]));
      CHECK(memcmp(hybrid_tensor_data(out[i]), hybrid_tensor_data(reference[i]),
                   hybrid_tensor_byte_size(out[i])) == 0);
      hybrid_tensor_release(out[i]);
    }
  }
  return NULL;
}

/* fn's inputs, every dynamic dim `dynamic`, f32 values in [-1, 1] from the
 * LCG state `seed`. */
static void make_inputs(int64_t dynamic, unsigned *seed, hybrid_tensor_t **out) {
  for (int i = 0; i < fn->num_inputs; ++i) {
    const hybrid_abi_tensor_info *info = &fn->inputs[i];
    int64_t dims[HYBRID_MAX_RANK];
    for (int d = 0; d < info->rank; ++d)
      dims[d] = info->dims[d] >= 0 ? info->dims[d] : dynamic;
    ok(hybrid_tensor_create(NULL, info->dtype, info->rank, dims, &out[i]));
    CHECK(info->dtype == HYBRID_DTYPE_F32);
    float *p = hybrid_tensor_data(out[i]);
    for (int64_t k = 0; k < hybrid_tensor_num_elements(out[i]); ++k) {
      *seed = *seed * 1103515245u + 12345u;
      p[k] = (float)((*seed >> 8) % 2001) / 1000.0f - 1.0f;
    }
  }
}

int main(int argc, char **argv) {
  CHECK(argc == 3);
  CHECK(hybrid_status_get_code(NULL) == HYBRID_STATUS_OK);
  CHECK(strcmp(hybrid_status_message(NULL), "OK") == 0);
  CHECK(hybrid_dtype_size(HYBRID_DTYPE_BF16) == 2 && hybrid_dtype_size(99) == 0);

  /* Tensors: the allocator is used, references count. */
  hybrid_allocator_t counting = {counting_alloc, counting_free, &allocs};
  int64_t shape[2] = {3, 4};
  hybrid_tensor_t *t;
  ok(hybrid_tensor_create(&counting, HYBRID_DTYPE_F32, 2, shape, &t));
  CHECK(allocs == 1 && hybrid_tensor_num_elements(t) == 12 && hybrid_tensor_byte_size(t) == 48);
  CHECK(((float *)hybrid_tensor_data(t))[11] == 0.0f);
  hybrid_tensor_retain(t);
  hybrid_tensor_release(t);
  CHECK(frees == 0);
  hybrid_tensor_release(t);
  CHECK(frees == 1);
  int64_t bad[2] = {3, -1};
  expect(hybrid_tensor_create(NULL, HYBRID_DTYPE_F32, 2, bad, &t),
         HYBRID_STATUS_INVALID_ARGUMENT, "dim 1 is negative");
  CHECK(t == NULL);
  float buf[12];
  expect(hybrid_tensor_wrap(HYBRID_DTYPE_F32, 2, shape, buf, 40, NULL, NULL, &t),
         HYBRID_STATUS_INVALID_ARGUMENT, "40 bytes cannot hold the shape (48 needed)");
  ok(hybrid_tensor_wrap(HYBRID_DTYPE_F32, 2, shape, buf, sizeof buf, on_release,
                        &wrapped_released, &t));
  hybrid_tensor_release(t);
  CHECK(wrapped_released == 1);

  /* Modules: lookups, and a table from another ABI version is refused. */
  ok(hybrid_module_load(argv[1], &module));
  ok(hybrid_module_function(module, NULL, &fn));
  expect(hybrid_module_function(module, "nope", &fn), HYBRID_STATUS_NOT_FOUND,
         "has no function 'nope'");
  ok(hybrid_module_function(module, "main", &fn));
  hybrid_abi_module future = *hybrid_module_table(module);
  future.abi_version = 99;
  hybrid_module_t *other;
  expect(hybrid_module_wrap(&future, &other), HYBRID_STATUS_LOAD_ERROR, "ABI version 99");
  CHECK(fn->num_inputs <= 16 && fn->num_outputs <= 16);

  /* Inputs: dynamic dims 48 (named or not; enough work to split),
   * deterministic values. */
  unsigned seed = 1;
  make_inputs(48, &seed, inputs);
  /* Validation names the input; outputs stay NULL on failure. */
  hybrid_tensor_t *out[16];
  expect(hybrid_call(module, fn, inputs, fn->num_inputs - 1, out, fn->num_outputs),
         HYBRID_STATUS_INVALID_ARGUMENT, "takes 3 inputs (hidden_states, ");
  hybrid_tensor_t *saved = inputs[1];
  inputs[1] = NULL;
  expect(hybrid_call(module, fn, inputs, fn->num_inputs, out, fn->num_outputs),
         HYBRID_STATUS_INVALID_ARGUMENT, "input 1 ('past_key_values.0.key') is missing");
  CHECK(out[0] == NULL);
  inputs[1] = saved;

  ok(hybrid_call(module, fn, inputs, fn->num_inputs, reference, fn->num_outputs));
  pthread_t threads[8];
  for (int i = 0; i < 8; ++i)
    CHECK(pthread_create(&threads[i], NULL, worker, NULL) == 0);
  for (int i = 0; i < 8; ++i)
    CHECK(pthread_join(threads[i], NULL) == 0);
  printf("8 threads x 25 calls: identical outputs\n");

  /* One executor shared by 4 calling threads; every buffer through the
   * counting allocator. */
  hybrid_executor_t *executor;
  ok(hybrid_executor_create(4, &executor));
  CHECK(hybrid_executor_num_threads(executor) == 4);
  hybrid_profile_t *profile;
  ok(hybrid_profile_create(&profile));
  allocs = frees = 0;
  hybrid_call_options_t options = {executor, &counting, profile, NULL, 0};
  for (int i = 0; i < 4; ++i)
    CHECK(pthread_create(&threads[i], NULL, worker, &options) == 0);
  for (int i = 0; i < 4; ++i)
    CHECK(pthread_join(threads[i], NULL) == 0);
  CHECK(allocs > 0 && allocs == frees);
  printf("4 threads x 25 calls on a 4-thread executor: identical outputs, every buffer "
         "returned to the allocator\n");

  /* Statistics of one call. */
  hybrid_call_stats_t stats;
  memset(&stats, 0xff, sizeof stats);
  hybrid_call_options_t one = {executor, NULL, NULL, &stats, 0};
  ok(hybrid_call_ex(module, fn, inputs, fn->num_inputs, out, fn->num_outputs, &one));
  CHECK(stats.num_allocations > 0 && stats.peak_bytes > 0 &&
        stats.peak_bytes <= stats.allocated_bytes && stats.parallel_loops > 0);
  size_t output_bytes = 0;
  for (int i = 0; i < fn->num_outputs; ++i) {
    output_bytes += hybrid_tensor_byte_size(out[i]);
    hybrid_tensor_release(out[i]);
  }
  CHECK(stats.peak_bytes >= output_bytes);
  printf("stats: peak >= outputs, parallel loops split\n");

  /* The memory plan of these shapes (made by the calls above, from their 2nd)
   * serves buffers from one arena; the outputs are the same without it. */
  for (int planned = 1; planned >= 0; --planned) {
    hybrid_call_options_t plan = {executor, NULL, NULL, &stats, !planned};
    ok(hybrid_call_ex(module, fn, inputs, fn->num_inputs, out, fn->num_outputs, &plan));
    if (planned)
      CHECK(stats.planned_bytes > 0 && stats.planned_allocations > 0 &&
            stats.planned_bytes <= stats.peak_bytes);
    else
      CHECK(stats.planned_bytes == 0 && stats.planned_allocations == 0);
    for (int i = 0; i < fn->num_outputs; ++i) {
      CHECK(memcmp(hybrid_tensor_data(out[i]), hybrid_tensor_data(reference[i]),
                   hybrid_tensor_byte_size(out[i])) == 0);
      hybrid_tensor_release(out[i]);
    }
  }
  printf("memory plan: an arena serves the calling thread's buffers; same outputs without it\n");

  /* The arena outlives its call: the module keeps the largest one and lends it
   * to the next call it fits. Calls of a smaller shape (their own plan, from
   * their 2nd call) take the arena the calls above left, then alternate with
   * the larger shape; every output equals an unplanned call's. */
  hybrid_tensor_t *small[16], *small_ref[16];
  make_inputs(20, &seed, small);
  hybrid_call_options_t unplanned = {executor, NULL, NULL, NULL, 1};
  ok(hybrid_call_ex(module, fn, small, fn->num_inputs, small_ref, fn->num_outputs, &unplanned));
  for (int call = 0; call < 8; ++call) {
    int big = call >= 4 && call % 2;
    hybrid_tensor_t **args = big ? inputs : small, **want = big ? reference : small_ref;
    hybrid_call_options_t planned = {executor, NULL, NULL, &stats, 0};
    ok(hybrid_call_ex(module, fn, args, fn->num_inputs, out, fn->num_outputs, &planned));
    CHECK(call < 2 || stats.planned_bytes > 0);
    for (int i = 0; i < fn->num_outputs; ++i) {
      CHECK(hybrid_tensor_byte_size(out[i]) == hybrid_tensor_byte_size(want[i]));
      CHECK(memcmp(hybrid_tensor_data(out[i]), hybrid_tensor_data(want[i]),
                   hybrid_tensor_byte_size(out[i])) == 0);
      hybrid_tensor_release(out[i]);
    }
  }
  for (int i = 0; i < fn->num_outputs; ++i)
    hybrid_tensor_release(small_ref[i]);
  for (int i = 0; i < fn->num_inputs; ++i)
    hybrid_tensor_release(small[i]);
  printf("kept arena: a smaller shape's plan reuses it, alternating shapes; same outputs\n");
  hybrid_executor_release(executor);

  /* The profile: calls, kernels and slices; written whole. */
  CHECK(hybrid_profile_num_events(profile) > 100);
  ok(hybrid_profile_write_chrome_trace(profile, argv[2]));
  expect(hybrid_profile_write_chrome_trace(profile, "/nonexistent/dir/trace.json"),
         HYBRID_STATUS_INVALID_ARGUMENT, "cannot write '/nonexistent/dir/trace.json'");
  hybrid_profile_release(profile);

  /* Outputs outlive the module (its tables, `fn` included, go with it). */
  int num_outputs = fn->num_outputs;
  hybrid_module_release(module);
  CHECK(hybrid_tensor_num_elements(reference[0]) > 0);
  for (int i = 0; i < num_outputs; ++i)
    hybrid_tensor_release(reference[i]);
  for (int i = 0; i < 3; ++i)
    hybrid_tensor_release(inputs[i]);
  printf("OK\n");
  return 0;
}
