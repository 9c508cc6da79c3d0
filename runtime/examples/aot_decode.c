/*===- aot_decode.c - greedy decoding with two AOT-compiled libraries -------===*
 *
 * The AOT example: a C program that includes the headers hybrid-opt generated
 * for the Jamba-style zoo model's prefill and decode forms, links both
 * libraries and the runtime, and generates tokens greedily, carrying the
 * recurrent state (conv and SSM states) and the KV cache from call to call.
 *
 *   python3 -m hybrid.zoo --out zoo --only jamba-fused
 *   hybrid-opt zoo/jamba-fused-prefill.onnx --target=cpu --module-name=jamba_prefill -o jamba_prefill.so
 *   hybrid-opt zoo/jamba-fused-decode.onnx  --target=cpu --module-name=jamba_decode  -o jamba_decode.so
 *   cc -std=c11 -I runtime/include -I . runtime/examples/aot_decode.c \
 *      jamba_prefill.so jamba_decode.so build/lib/libhybrid_runtime.a -ldl -lpthread \
 *      -Wl,-rpath,$PWD -o aot_decode
 *   ./aot_decode 8 1 17 42 99 7      # 8 new tokens after the prompt 1 17 42 99 7
 *
 * It prints the generated tokens as "tokens: t1 t2 ...". Each decode input
 * named past_* is fed from the previous call's matching present_* output
 * (past_key_values.N.key <- present.N.key, past_conv.N <- present_conv.N).
 *
 *===----------------------------------------------------------------------===*/
#include "jamba_decode.h"
#include "jamba_prefill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(hybrid_status_t st, const char *what) {
  if (!st)
    return;
  fprintf(stderr, "aot_decode: %s: %s\n", what, hybrid_status_message(st));
  hybrid_status_free(st);
  exit(1);
}

/* The output that feeds decode input `past` on the next step, or -1. */
static int present_index(const hybrid_abi_function *fn, const char *past) {
  char want[256];
  const char *kv = "past_key_values.";
  if (strncmp(past, kv, strlen(kv)) == 0)
    snprintf(want, sizeof want, "present.%s", past + strlen(kv));
  else if (strncmp(past, "past_", 5) == 0)
    snprintf(want, sizeof want, "present_%s", past + 5);
  else
    return -1;
  for (int i = 0; i < fn->num_outputs; ++i)
    if (strcmp(fn->outputs[i].name, want) == 0)
      return i;
  return -1;
}

/* Replaces each decode input's state (every input but input_ids) by the
 * matching output of the call `producer` just made; `outs` keep their own
 * references. Returns 0, or 1 when an input has no matching output. */
static int take_state(hybrid_tensor_t **state, const hybrid_abi_function *decode,
                      const hybrid_abi_function *producer, hybrid_tensor_t **outs) {
  for (int i = 0; i < decode->num_inputs; ++i) {
    if (i == JAMBA_DECODE_MAIN_IN_INPUT_IDS)
      continue;
    int k = present_index(producer, decode->inputs[i].name);
    if (k < 0) {
      fprintf(stderr, "aot_decode: no output of '%s' feeds '%s'\n", producer->name,
              decode->inputs[i].name);
      return 1;
    }
    hybrid_tensor_release(state[i]);
    state[i] = outs[k];
    hybrid_tensor_retain(state[i]);
  }
  return 0;
}

/* argmax over the vocabulary of the last position of logits [1, seq, vocab]. */
static int64_t last_argmax(hybrid_tensor_t *logits) {
  const int64_t *shape = hybrid_tensor_shape(logits);
  int64_t seq = shape[1], vocab = shape[2];
  const float *row = (const float *)hybrid_tensor_data(logits) + (seq - 1) * vocab;
  int64_t best = 0;
  for (int64_t v = 1; v < vocab; ++v)
    if (row[v] > row[best])
      best = v;
  return best;
}

int main(int argc, char **argv) {
  int steps = argc > 1 ? atoi(argv[1]) : 8;
  int64_t prompt[64] = {1, 17, 42, 99, 7};
  int64_t prompt_len = 5;
  if (argc > 2) {
    prompt_len = 0;
    for (int i = 2; i < argc && prompt_len < 64; ++i)
      prompt[prompt_len++] = atoll(argv[i]);
  }

  hybrid_module_t *pm, *dm;
  const hybrid_abi_function *prefill, *decode;
  die(hybrid_module_wrap(jamba_prefill_module_query(), &pm), "prefill library");
  die(hybrid_module_wrap(jamba_decode_module_query(), &dm), "decode library");
  die(hybrid_module_function(pm, JAMBA_PREFILL_MAIN_NAME, &prefill), "prefill");
  die(hybrid_module_function(dm, JAMBA_DECODE_MAIN_NAME, &decode), "decode");

  /* Prefill: the prompt as input_ids [1, prompt_len]. */
  hybrid_tensor_t *ids;
  int64_t ids_shape[2] = {1, prompt_len};
  die(hybrid_tensor_create(NULL, HYBRID_DTYPE_I64, 2, ids_shape, &ids), "input_ids");
  memcpy(hybrid_tensor_data(ids), prompt, (size_t)prompt_len * sizeof(int64_t));
  hybrid_tensor_t *in[JAMBA_PREFILL_MAIN_NUM_INPUTS] = {0};
  hybrid_tensor_t *out[JAMBA_PREFILL_MAIN_NUM_OUTPUTS] = {0};
  in[JAMBA_PREFILL_MAIN_IN_INPUT_IDS] = ids;
  die(hybrid_call(pm, prefill, in, JAMBA_PREFILL_MAIN_NUM_INPUTS, out,
                  JAMBA_PREFILL_MAIN_NUM_OUTPUTS),
      "prefill");
  hybrid_tensor_release(ids);

  /* The state each decode input takes, by name, from the prefill outputs. */
  hybrid_tensor_t *state[JAMBA_DECODE_MAIN_NUM_INPUTS] = {0};
  if (take_state(state, decode, prefill, out))
    return 1;
  int64_t token = last_argmax(out[JAMBA_PREFILL_MAIN_OUT_LOGITS]);
  for (int i = 0; i < JAMBA_PREFILL_MAIN_NUM_OUTPUTS; ++i)
    hybrid_tensor_release(out[i]);

  printf("tokens:");
  for (int step = 0; step < steps; ++step) {
    printf(" %lld", (long long)token);
    int64_t one[2] = {1, 1};
    die(hybrid_tensor_create(NULL, HYBRID_DTYPE_I64, 2, one, &ids), "input_ids");
    *(int64_t *)hybrid_tensor_data(ids) = token;
    state[JAMBA_DECODE_MAIN_IN_INPUT_IDS] = ids;
    hybrid_tensor_t *dout[JAMBA_DECODE_MAIN_NUM_OUTPUTS] = {0};
    die(hybrid_call(dm, decode, state, JAMBA_DECODE_MAIN_NUM_INPUTS, dout,
                    JAMBA_DECODE_MAIN_NUM_OUTPUTS),
        "decode");
    token = last_argmax(dout[JAMBA_DECODE_MAIN_OUT_LOGITS]);
    /* The new state replaces the old. */
    hybrid_tensor_release(ids);
    state[JAMBA_DECODE_MAIN_IN_INPUT_IDS] = NULL;
    if (take_state(state, decode, decode, dout))
      return 1;
    for (int i = 0; i < JAMBA_DECODE_MAIN_NUM_OUTPUTS; ++i)
      hybrid_tensor_release(dout[i]);
  }
  printf("\n");
  for (int i = 0; i < JAMBA_DECODE_MAIN_NUM_INPUTS; ++i)
    hybrid_tensor_release(state[i]);
  hybrid_module_release(pm);
  hybrid_module_release(dm);
  return 0;
}
