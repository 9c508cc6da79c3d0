/*===- plan.c - memory plans: one arena per call instead of a buffer each ---===*
 *
 * The compiled code allocates its intermediate buffers one by one (through the
 * call's allocator) and frees each as soon as it dies. For a given function and
 * given input shapes that sequence of allocations and frees is the same every
 * call, so the runtime plans it once and then serves the buffers from one
 * arena at precomputed offsets, buffers whose lifetimes do not overlap sharing
 * memory:
 *
 *   1st call with a shape key   runs as usual and remembers the key;
 *   2nd call                    records the sequence (sizes, alignments, the
 *                               order of allocations and frees) and computes
 *                               the plan: greedy by size, each buffer at the
 *                               lowest offset free for its whole lifetime;
 *   later calls                 allocate the arena once and replay.
 *
 * The arena outlives its call: the module's cache keeps the last one returned
 * (the largest, when calls return several) for the next call that fits in it,
 * so that a call does not map, fault in and unmap fresh pages every time.
 * glibc serves blocks of 128 KiB and more with mmap, and with worker threads
 * the munmap also interrupts the other cores to flush their TLBs: a 1x1
 * convolution with a 128 KiB intermediate ran 4x slower on 2 threads than on
 * one. Only arenas from the system allocator are kept (a caller's allocator
 * may not outlive the module); the cache frees the one it holds when the
 * module is unloaded.
 *
 * (The first call only remembers so that a decode loop whose KV length grows
 * every step, a new key each call, never pays for plans it cannot reuse.)
 *
 * Only what the calling thread allocates outside parallel loops is planned;
 * buffers a parallel task allocates, and buffers that outlive the call
 * (outputs), come from the allocator as before. A replay checks every event
 * against the recording; the first difference (data-dependent control flow:
 * an ONNX Loop or If, say) ends the replay, and every later buffer comes from
 * the allocator. That is always safe: up to the difference the live buffers
 * were exactly the recording's, which the plan keeps apart. An output that
 * ends up in the arena anyway is copied out by the caller.
 *
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE
#include "plan.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Plans kept per module, and the most buffers one plan covers (placement is
 * quadratic in it). */
#define PLAN_CACHE_MAX 16
#define PLAN_MAX_ALLOCS 16384
#define ESCAPES UINT64_MAX

struct hybrid_plan {
  struct hybrid_plan *next;
  atomic_int refs;    /* the cache's one, and one per call using it */
  int ready;          /* recorded and planned (else: seen once) */
  int recording;      /* a call is recording it */
  int unplannable;    /* a recording failed (too many buffers, out of memory) */
  uint64_t last_use;  /* the cache's clock, for eviction */
  int32_t key_words;
  int64_t *key;       /* function index, then per input: rank, dims */
  int32_t num_allocs;
  uint64_t *sizes, *alignments, *offsets; /* offsets[k] == ESCAPES: not in the arena */
  int32_t num_events;
  int32_t *events;    /* k >= 0: allocation k; -(k + 1): free of allocation k */
  uint64_t arena_bytes;
};

struct hybrid_plan_cache {
  pthread_mutex_t lock;
  hybrid_plan_t *plans;
  int32_t count;
  uint64_t clock;
  /* An arena kept from an earlier call (system allocator), and its size. */
  void *spare;
  uint64_t spare_bytes;
};

/* Whether arenas from `a` may be kept between calls. */
static int keeps_arenas(const hybrid_allocator_t *a) {
  const hybrid_allocator_t *sys = hybrid_allocator_system();
  return a->alloc == sys->alloc && a->free == sys->free && a->user == sys->user;
}

static void plan_unref(hybrid_plan_t *p) {
  if (p && atomic_fetch_sub(&p->refs, 1) == 1) {
    free(p->key);
    free(p->sizes);
    free(p->alignments);
    free(p->offsets);
    free(p->events);
    free(p);
  }
}

hybrid_plan_cache_t *hybrid_internal_plan_cache_create(void) {
  hybrid_plan_cache_t *c = calloc(1, sizeof *c);
  if (c)
    pthread_mutex_init(&c->lock, NULL);
  return c;
}

void hybrid_internal_plan_cache_free(hybrid_plan_cache_t *c) {
  if (!c)
    return;
  for (hybrid_plan_t *p = c->plans, *next; p; p = next) {
    next = p->next;
    plan_unref(p);
  }
  if (c->spare)
    hybrid_allocator_system()->free(hybrid_allocator_system()->user, c->spare);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

/*---- placement --------------------------------------------------------------*/

typedef struct {
  int32_t k;
  int32_t start, end; /* event positions: [start, end) is the lifetime */
} item_t;

static const uint64_t *sort_sizes;
static int by_size_desc(const void *a, const void *b) {
  const item_t *x = a, *y = b;
  uint64_t sx = sort_sizes[x->k], sy = sort_sizes[y->k];
  if (sx != sy)
    return sx > sy ? -1 : 1;
  return x->start - y->start;
}
static const uint64_t *sort_offsets;
static int by_offset(const void *a, const void *b) {
  uint64_t x = sort_offsets[((const item_t *)a)->k], y = sort_offsets[((const item_t *)b)->k];
  return x < y ? -1 : x > y;
}

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

/* Sets offsets (ESCAPES for buffers never freed) and the arena size. 0 on
 * success. (qsort's comparators read file statics: the caller holds
 * plan_sort_lock.) */
static pthread_mutex_t plan_sort_lock = PTHREAD_MUTEX_INITIALIZER;
static int place(hybrid_plan_t *p) {
  int32_t n = p->num_allocs;
  item_t *items = malloc(sizeof *items * (size_t)(n ? n : 1));
  item_t *overlapping = malloc(sizeof *overlapping * (size_t)(n ? n : 1));
  int32_t *start = malloc(sizeof *start * (size_t)(n ? n : 1));
  int32_t *end = malloc(sizeof *end * (size_t)(n ? n : 1));
  if (!items || !overlapping || !start || !end) {
    free(items), free(overlapping), free(start), free(end);
    return 1;
  }
  for (int32_t k = 0; k < n; ++k)
    end[k] = -1;
  for (int32_t e = 0; e < p->num_events; ++e) {
    int32_t v = p->events[e];
    if (v >= 0)
      start[v] = e;
    else
      end[-v - 1] = e;
  }
  int32_t m = 0;
  for (int32_t k = 0; k < n; ++k) {
    p->offsets[k] = ESCAPES;
    if (end[k] >= 0)
      items[m++] = (item_t){k, start[k], end[k]};
  }
  pthread_mutex_lock(&plan_sort_lock);
  sort_sizes = p->sizes;
  qsort(items, (size_t)m, sizeof *items, by_size_desc);
  sort_offsets = p->offsets;
  uint64_t arena = 0;
  for (int32_t i = 0; i < m; ++i) {
    /* The placed buffers alive at some point of this one's lifetime, by offset;
     * this one goes in the first gap that fits. */
    int32_t no = 0;
    for (int32_t j = 0; j < i; ++j)
      if (items[j].start < items[i].end && items[i].start < items[j].end)
        overlapping[no++] = items[j];
    qsort(overlapping, (size_t)no, sizeof *overlapping, by_offset);
    int32_t k = items[i].k;
    uint64_t size = align_up(p->sizes[k] ? p->sizes[k] : 1, 64);
    uint64_t at = 0;
    for (int32_t j = 0; j < no; ++j) {
      int32_t o = overlapping[j].k;
      at = align_up(at, p->alignments[k]);
      if (at + size <= p->offsets[o])
        break;
      uint64_t past = p->offsets[o] + align_up(p->sizes[o] ? p->sizes[o] : 1, 64);
      if (past > at)
        at = past;
    }
    at = align_up(at, p->alignments[k]);
    p->offsets[k] = at;
    if (at + size > arena)
      arena = at + size;
  }
  pthread_mutex_unlock(&plan_sort_lock);
  p->arena_bytes = arena;
  free(items), free(overlapping), free(start), free(end);
  return 0;
}

/*---- a call -------------------------------------------------------------------*/

static int key_equal(const hybrid_plan_t *p, const int64_t *key, int32_t words) {
  return p->key_words == words && memcmp(p->key, key, sizeof *key * (size_t)words) == 0;
}

void hybrid_internal_plan_begin(hybrid_plan_run_t *run, hybrid_plan_cache_t *cache,
                                int32_t fn, hybrid_tensor_t *const *inputs,
                                int32_t num_inputs, const hybrid_allocator_t *allocator) {
  memset(run, 0, sizeof *run);
  pthread_mutex_init(&run->lock, NULL);
  if (!cache)
    return;
  int32_t words = 1;
  for (int32_t i = 0; i < num_inputs; ++i)
    words += 1 + hybrid_tensor_rank(inputs[i]);
  int64_t *key = malloc(sizeof *key * (size_t)words);
  if (!key)
    return;
  int32_t w = 0;
  key[w++] = fn;
  for (int32_t i = 0; i < num_inputs; ++i) {
    int32_t r = hybrid_tensor_rank(inputs[i]);
    key[w++] = r;
    memcpy(key + w, hybrid_tensor_shape(inputs[i]), sizeof *key * (size_t)r);
    w += r;
  }

  pthread_mutex_lock(&cache->lock);
  hybrid_plan_t *p = cache->plans;
  while (p && !key_equal(p, key, words))
    p = p->next;
  if (!p) {
    /* First sight: remember the key, evicting the least recently used. */
    if (cache->count >= PLAN_CACHE_MAX) {
      hybrid_plan_t **victim = &cache->plans;
      for (hybrid_plan_t **q = &cache->plans; *q; q = &(*q)->next)
        if ((*q)->last_use < (*victim)->last_use)
          victim = q;
      hybrid_plan_t *v = *victim;
      *victim = v->next;
      --cache->count;
      plan_unref(v);
    }
    p = calloc(1, sizeof *p);
    if (p) {
      atomic_init(&p->refs, 1);
      p->key = key;
      key = NULL;
      p->key_words = words;
      p->next = cache->plans;
      cache->plans = p;
      ++cache->count;
    }
  } else if (p->ready) {
    atomic_fetch_add(&p->refs, 1);
    run->plan = p;
    run->mode = HYBRID_PLAN_REPLAY;
    /* The kept arena, when it is big enough and from the same allocator. */
    if (p->arena_bytes && cache->spare && cache->spare_bytes >= p->arena_bytes &&
        keeps_arenas(allocator)) {
      run->arena_block = cache->spare;
      run->arena_block_bytes = cache->spare_bytes;
      cache->spare = NULL;
      cache->spare_bytes = 0;
    }
  } else if (!p->recording && !p->unplannable) {
    p->recording = 1;
    atomic_fetch_add(&p->refs, 1);
    run->plan = p;
    run->mode = HYBRID_PLAN_RECORD;
  }
  if (p)
    p->last_use = ++cache->clock;
  pthread_mutex_unlock(&cache->lock);
  free(key);
  run->cache = cache;

  if (run->mode == HYBRID_PLAN_REPLAY && run->plan->arena_bytes) {
    run->arena_allocator = *allocator;
    if (!run->arena_block) {
      run->arena_block =
          allocator->alloc(allocator->user, (size_t)run->plan->arena_bytes, 64);
      run->arena_block_bytes = run->plan->arena_bytes;
    }
    if (!run->arena_block) {
      plan_unref(run->plan);
      run->plan = NULL;
      run->mode = HYBRID_PLAN_OFF;
    }
    run->arena = run->arena_block;
    run->arena_bytes = run->plan ? run->plan->arena_bytes : 0;
  }
}

/* Appends to a growing array; 0 on success. */
static int push(void **array, int32_t *count, int32_t *cap, size_t elem, const void *value) {
  if (*count == *cap) {
    int32_t next = *cap ? *cap * 2 : 256;
    void *grown = realloc(*array, elem * (size_t)next);
    if (!grown)
      return 1;
    *array = grown;
    *cap = next;
  }
  memcpy((char *)*array + elem * (size_t)*count, value, elem);
  ++*count;
  return 0;
}

void *hybrid_internal_plan_alloc(hybrid_plan_run_t *run, uint64_t bytes, uint64_t alignment,
                                 int64_t *record_index) {
  *record_index = -1;
  void *result = NULL;
  pthread_mutex_lock(&run->lock);
  if (run->mode == HYBRID_PLAN_RECORD && !run->record_failed) {
    int32_t k = run->rec_allocs;
    if (k >= PLAN_MAX_ALLOCS) {
      run->record_failed = 1;
    } else {
      if (k == run->rec_cap_allocs) {
        int32_t next = k ? 2 * k : 256;
        uint64_t *sizes = realloc(run->rec_sizes, sizeof *sizes * (size_t)next);
        if (sizes)
          run->rec_sizes = sizes;
        uint64_t *aligns = sizes ? realloc(run->rec_alignments, sizeof *aligns * (size_t)next) : NULL;
        if (aligns)
          run->rec_alignments = aligns;
        if (aligns)
          run->rec_cap_allocs = next;
      }
      if (k < run->rec_cap_allocs &&
          !push((void **)&run->rec_events, &run->rec_num_events, &run->rec_cap_events,
                sizeof(int32_t), &k)) {
        run->rec_sizes[k] = bytes;
        run->rec_alignments[k] = alignment;
        run->rec_allocs = k + 1;
        *record_index = k;
      } else {
        run->record_failed = 1;
      }
    }
  } else if (run->mode == HYBRID_PLAN_REPLAY && !run->diverged) {
    const hybrid_plan_t *p = run->plan;
    int32_t k = run->next_alloc;
    if (run->pos >= p->num_events || p->events[run->pos] != k || p->sizes[k] != bytes ||
        alignment > p->alignments[k]) {
      run->diverged = 1;
    } else {
      ++run->next_alloc;
      ++run->pos;
      if (p->offsets[k] != ESCAPES) {
        result = run->arena + p->offsets[k];
        ++run->served;
      }
    }
  }
  pthread_mutex_unlock(&run->lock);
  return result;
}

void hybrid_internal_plan_record_free(hybrid_plan_run_t *run, int64_t index) {
  pthread_mutex_lock(&run->lock);
  if (run->mode == HYBRID_PLAN_RECORD && !run->record_failed) {
    int32_t v = -(int32_t)index - 1;
    if (push((void **)&run->rec_events, &run->rec_num_events, &run->rec_cap_events,
             sizeof(int32_t), &v))
      run->record_failed = 1;
  }
  pthread_mutex_unlock(&run->lock);
}

int hybrid_internal_plan_owns(const hybrid_plan_run_t *run, const void *ptr) {
  return run->arena && (const char *)ptr >= run->arena &&
         (const char *)ptr < run->arena + run->arena_bytes;
}

void hybrid_internal_plan_free(hybrid_plan_run_t *run, void *ptr) {
  pthread_mutex_lock(&run->lock);
  const hybrid_plan_t *p = run->plan;
  if (!run->diverged && run->mode == HYBRID_PLAN_REPLAY) {
    int32_t v = run->pos < p->num_events ? p->events[run->pos] : 0;
    if (v < 0 && run->arena + p->offsets[-v - 1] == (char *)ptr)
      ++run->pos;
    else
      run->diverged = 1;
  }
  pthread_mutex_unlock(&run->lock);
}

void hybrid_internal_plan_invoked(hybrid_plan_run_t *run) {
  pthread_mutex_lock(&run->lock);
  int mode = run->mode;
  run->mode = HYBRID_PLAN_OFF; /* what follows (copies of outputs) is not planned */
  pthread_mutex_unlock(&run->lock);
  if (mode != HYBRID_PLAN_RECORD)
    return;
  hybrid_plan_t *p = run->plan;
  int ok = !run->record_failed;
  uint64_t *offsets = ok ? malloc(sizeof *offsets * (size_t)(run->rec_allocs ? run->rec_allocs : 1))
                         : NULL;
  ok = ok && offsets;
  pthread_mutex_lock(&run->cache->lock);
  p->recording = 0;
  if (!ok)
    p->unplannable = 1;
  pthread_mutex_unlock(&run->cache->lock);
  if (ok) {
    /* Fill a private copy, then publish it under the cache lock. */
    hybrid_plan_t tmp = {0};
    tmp.num_allocs = run->rec_allocs;
    tmp.sizes = run->rec_sizes;
    tmp.alignments = run->rec_alignments;
    tmp.offsets = offsets;
    tmp.num_events = run->rec_num_events;
    tmp.events = run->rec_events;
    ok = place(&tmp) == 0;
    if (ok) {
      pthread_mutex_lock(&run->cache->lock);
      if (!p->ready) {
        p->num_allocs = tmp.num_allocs;
        p->sizes = tmp.sizes;
        p->alignments = tmp.alignments;
        p->offsets = tmp.offsets;
        p->num_events = tmp.num_events;
        p->events = tmp.events;
        p->arena_bytes = tmp.arena_bytes;
        p->ready = 1;
        run->rec_sizes = NULL, run->rec_alignments = NULL, run->rec_events = NULL;
        offsets = NULL;
      }
      pthread_mutex_unlock(&run->cache->lock);
    }
  }
  free(offsets);
}

void hybrid_internal_plan_end(hybrid_plan_run_t *run) {
  void *block = run->arena_block;
  if (block && run->cache && keeps_arenas(&run->arena_allocator)) {
    /* Keep the larger of this arena and the one kept already; free the
     * other. */
    pthread_mutex_lock(&run->cache->lock);
    if (!run->cache->spare || run->cache->spare_bytes < run->arena_block_bytes) {
      void *old = run->cache->spare;
      run->cache->spare = block;
      run->cache->spare_bytes = run->arena_block_bytes;
      block = old;
    }
    pthread_mutex_unlock(&run->cache->lock);
  }
  if (block)
    run->arena_allocator.free(run->arena_allocator.user, block);
  free(run->rec_sizes);
  free(run->rec_alignments);
  free(run->rec_events);
  plan_unref(run->plan);
  pthread_mutex_destroy(&run->lock);
}
