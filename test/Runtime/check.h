/* The C API tests' checks (runtime_api.c, weights_api.c): a failed CHECK or
 * an unexpected error status prints where and why, and exits 1. */
#ifndef HYBRID_TEST_RUNTIME_CHECK_H
#define HYBRID_TEST_RUNTIME_CHECK_H

#include "hybrid/runtime.h"

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                       \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);           \
      exit(1);                                                                            \
    }                                                                                     \
  } while (0)

static inline void ok(hybrid_status_t st) {
  if (st) {
    fprintf(stderr, "unexpected error: %s\n", hybrid_status_message(st));
    exit(1);
  }
}

#endif /* HYBRID_TEST_RUNTIME_CHECK_H */
