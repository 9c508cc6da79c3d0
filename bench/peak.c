/* The machine's measured limits, the denominators of bench/bench_zoo.py's
 * roofline columns:
 *   - FMA peak: each thread runs independent chains of vector FMAs (enough
 *     chains to cover the FMA latency of every x86-64 core we know), in the
 *     widest vectors the compiler targets (-march=native: AVX-512, AVX2 or
 *     SSE);
 *   - memory bandwidth: STREAM's triad a[i] = b[i] + s * c[i] over arrays far
 *     larger than the caches, split across the threads (3 x 4 bytes counted
 *     per element, as STREAM does).
 * Best of several repetitions. Prints one JSON object.
 *
 *   cc -O2 -march=native -pthread bench/peak.c -o peak && ./peak THREADS
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
#define LANES 16
#define ISA "avx512"
#elif defined(__AVX__)
#define LANES 8
#define ISA "avx2"
#else
#define LANES 4
#define ISA "sse"
#endif
typedef float vec __attribute__((vector_size(LANES * 4)));

#define CHAINS 12
#define FMA_ITERS 20000000L

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static volatile float sink;

static void *fma_worker(void *arg) {
  (void)arg;
  vec x, y;
  for (int i = 0; i < LANES; ++i) {
    x[i] = 0.999999f;
    y[i] = 1e-7f;
  }
  /* Twelve named accumulators, so that they live in registers. */
  vec a0 = x, a1 = x * 2, a2 = x * 3, a3 = x * 4, a4 = x * 5, a5 = x * 6, a6 = x * 7,
      a7 = x * 8, a8 = x * 9, a9 = x * 10, a10 = x * 11, a11 = x * 12;
  for (long it = 0; it < FMA_ITERS; ++it) {
    /* one FMA per lane each with -mfma (GNU C contracts a * b + c) */
    a0 = a0 * x + y; a1 = a1 * x + y; a2 = a2 * x + y; a3 = a3 * x + y;
    a4 = a4 * x + y; a5 = a5 * x + y; a6 = a6 * x + y; a7 = a7 * x + y;
    a8 = a8 * x + y; a9 = a9 * x + y; a10 = a10 * x + y; a11 = a11 * x + y;
  }
  vec t = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
  float s = 0;
  for (int i = 0; i < LANES; ++i)
    s += t[i];
  sink = s;
  return NULL;
}

typedef struct {
  float *a, *b, *c;
  long begin, end;
} triad_t;

static void *triad_worker(void *arg) {
  triad_t *t = arg;
  for (long i = t->begin; i < t->end; ++i)
    t->a[i] = t->b[i] + 3.0f * t->c[i];
  return NULL;
}

static double run(int threads, void *(*fn)(void *), void *args, size_t size) {
  pthread_t tid[256];
  double t0 = now();
  for (int i = 0; i < threads; ++i)
    pthread_create(&tid[i], NULL, fn, (char *)args + i * size);
  for (int i = 0; i < threads; ++i)
    pthread_join(tid[i], NULL);
  return now() - t0;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 256) {
    fprintf(stderr, "peak: THREADS must be 1-256\n");
    return 1;
  }
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    double t = run(threads, fma_worker, NULL, 0);
    if (t < best)
      best = t;
  }
  double gflops = 2.0 * LANES * CHAINS * FMA_ITERS * threads / best / 1e9;

  long n = 32L << 20; /* 32 Mi floats per array: 384 MiB in all */
  float *a = aligned_alloc(64, n * 4), *b = aligned_alloc(64, n * 4),
        *c = aligned_alloc(64, n * 4);
  if (!a || !b || !c) {
    fprintf(stderr, "peak: out of memory\n");
    return 1;
  }
  triad_t parts[256];
  for (int i = 0; i < threads; ++i) {
    parts[i] = (triad_t){a, b, c, n * i / threads, n * (i + 1) / threads};
  }
  for (long i = 0; i < n; ++i) { /* touch every page first */
    a[i] = 0;
    b[i] = 1;
    c[i] = 2;
  }
  best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    double t = run(threads, triad_worker, parts, sizeof(triad_t));
    if (t < best)
      best = t;
  }
  double gbps = 3.0 * 4 * n / best / 1e9;
  printf("{\"threads\": %d, \"isa\": \"%s\", \"fma_gflops\": %.1f, \"triad_gbps\": %.1f}\n",
         threads, ISA, gflops, gbps);
  free(a);
  free(b);
  free(c);
  return 0;
}
