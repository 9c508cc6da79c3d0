/*===- sites.c - whether a parallel loop is worth the threads ---------------===*
 *
 * The compiler passes each parallel loop's estimated work (trip count times an
 * operation count of its body, with unknown trip counts guessed). That guess is
 * good enough to keep tiny loops inline, but not to tell a 3 us loop from a
 * 30 us one, and on two cores handing a 3 us loop to a second thread costs
 * more than it saves: a scan step's small loops, a decode step's elementwise
 * ops.
 *
 * So each loop (a site: its task pointer, which the compiled code makes
 * distinct per loop, see abi.h) learns its own speed. A
 * site's first call goes by the compiler's estimate (to the pool when it is
 * big enough at all); its next three run inline and are timed, and the
 * fastest gives the site's picoseconds per unit of estimated work (the first
 * calls pay for cold caches and first-touch page faults). From then on a call whose
 * predicted inline time, rate x work, is below HYBRID_PARALLEL_MIN_US
 * microseconds (default 10) stays inline, and a larger one goes to the pool.
 * Every 256th call of a site runs inline again and is timed, so the rate
 * follows what the machine does (an average weighted 3:1 towards the old
 * rate). HYBRID_PARALLEL_MIN_US=0 turns the learning off: every loop the
 * compiler's estimate calls big enough is split. Sites live in a fixed open-addressed table per
 *module (a full table means no learning: the compiler's estimate decides); every field is an
 *atomic, so concurrent calls only race to refine an estimate.
 *
 *===----------------------------------------------------------------------===*/
#include "internal.h"

#include <stdatomic.h>
#include <stdlib.h>

#define SITE_SLOTS 512 /* a power of two */
#define REMEASURE_EVERY 256
#define WARMUP_SAMPLES 3

struct hybrid_parallel_site {
  _Atomic uintptr_t task;       /* 0: a free slot */
  _Atomic uint64_t ps_per_unit; /* picoseconds per work unit; 0: not timed yet */
  _Atomic uint32_t calls;
};

struct hybrid_parallel_sites {
  struct hybrid_parallel_site slot[SITE_SLOTS];
};

hybrid_parallel_sites_t *hybrid_internal_sites_create(void) {
  return calloc(1, sizeof(hybrid_parallel_sites_t));
}

void hybrid_internal_sites_free(hybrid_parallel_sites_t *sites) { free(sites); }

/* HYBRID_PARALLEL_MIN_US in nanoseconds (default 10 us; bad values: the
 * default). Read once. */
static int64_t min_parallel_ns(void) {
  static _Atomic int64_t cached = -1;
  int64_t v = atomic_load_explicit(&cached, memory_order_relaxed);
  if (v >= 0)
    return v;
  v = hybrid_internal_env_us("HYBRID_PARALLEL_MIN_US", 10) * 1000;
  atomic_store_explicit(&cached, v, memory_order_relaxed);
  return v;
}

static struct hybrid_parallel_site *find(hybrid_parallel_sites_t *sites, hybrid_abi_task_fn task) {
  uintptr_t key = (uintptr_t)task;
  uint64_t h = ((uint64_t)key >> 4) * 0x9E3779B97F4A7C15ull;
  for (uint32_t i = 0; i < SITE_SLOTS; ++i) {
    struct hybrid_parallel_site *s = &sites->slot[(h + i) & (SITE_SLOTS - 1)];
    uintptr_t cur = atomic_load_explicit(&s->task, memory_order_acquire);
    if (cur == key)
      return s;
    if (cur == 0) {
      if (atomic_compare_exchange_strong(&s->task, &cur, key) || cur == key)
        return s;
    }
  }
  return NULL;
}

int hybrid_internal_site_run_inline(hybrid_parallel_sites_t *sites, hybrid_abi_task_fn task,
                                    void *ctx, int64_t n, double work) {
  int64_t min_ns = min_parallel_ns();
  struct hybrid_parallel_site *s = sites && min_ns > 0 ? find(sites, task) : NULL;
  if (!s)
    return 0;
  uint32_t k = atomic_fetch_add_explicit(&s->calls, 1, memory_order_relaxed);
  uint64_t rate = atomic_load_explicit(&s->ps_per_unit, memory_order_relaxed);
  /* Calls 1 .. WARMUP_SAMPLES are timed inline and the site keeps the
   * fastest (the first ones pay for cold caches and first-touch page faults
   * on weights, which would make a small loop look big for good); after that,
   * every REMEASURE_EVERY-th call is timed and averaged in. */
  int warming = k >= 1 && k <= WARMUP_SAMPLES;
  int measure = warming || (rate && (k % REMEASURE_EVERY) == REMEASURE_EVERY - 1);
  if (!measure) {
    if (!rate)
      return 0; /* the first call: as the compiler's estimate says */
    if ((double)rate * work / 1000.0 >= (double)min_ns)
      return 0; /* worth the threads */
    task(ctx, 0, n);
    return 1;
  }
  /* Time it inline. */
  int64_t t0 = hybrid_internal_now_ns();
  task(ctx, 0, n);
  int64_t dt = hybrid_internal_now_ns() - t0;
  double measured = (double)dt * 1000.0 / (work > 1 ? work : 1);
  uint64_t now = measured < 1 ? 1 : (uint64_t)measured;
  uint64_t next = !rate ? now : warming ? (now < rate ? now : rate) : (3 * rate + now) / 4;
  atomic_store_explicit(&s->ps_per_unit, next, memory_order_relaxed);
  return 1;
}
