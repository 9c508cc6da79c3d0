/*===- plan.h - memory plans (plan.c), internal ------------------------------===*/
#ifndef HYBRID_RUNTIME_PLAN_H
#define HYBRID_RUNTIME_PLAN_H

#include "internal.h"

#include <pthread.h>

typedef struct hybrid_plan hybrid_plan_t;
/* A module's plans, keyed by function and input shapes. */
typedef struct hybrid_plan_cache hybrid_plan_cache_t;

hybrid_plan_cache_t *hybrid_internal_plan_cache_create(void);
void hybrid_internal_plan_cache_free(hybrid_plan_cache_t *cache);

enum { HYBRID_PLAN_OFF = 0, HYBRID_PLAN_RECORD = 1, HYBRID_PLAN_REPLAY = 2 };

/* One call's side of its plan. Fields are private to plan.c, except `arena`,
 * `arena_bytes` and `served`, which the caller reads. */
typedef struct hybrid_plan_run {
  int mode;
  hybrid_plan_cache_t *cache;
  hybrid_plan_t *plan;            /* the plan replayed or recorded (a reference) */
  pthread_mutex_t lock;           /* events may come from several threads */
  /* replay */
  char *arena;
  uint64_t arena_bytes;
  void *arena_block;              /* the arena's memory: arena_block_bytes >= arena_bytes */
  uint64_t arena_block_bytes;
  hybrid_allocator_t arena_allocator;
  int32_t next_alloc, pos;
  int diverged;
  uint64_t served;                /* buffers served from the arena */
  /* record */
  int record_failed;
  int32_t rec_allocs, rec_cap_allocs;
  uint64_t *rec_sizes, *rec_alignments;
  int32_t rec_num_events, rec_cap_events;
  int32_t *rec_events;
} hybrid_plan_run_t;

/* Starts a call of function `fn` on `inputs`: replays the plan of their shapes
 * (its arena the one the cache keeps when it is big enough and `allocator` is
 * the system allocator, else allocated from `allocator`), records one, or does
 * neither. `cache` NULL: neither. */
void hybrid_internal_plan_begin(hybrid_plan_run_t *run, hybrid_plan_cache_t *cache,
                                int32_t fn, hybrid_tensor_t *const *inputs,
                                int32_t num_inputs, const hybrid_allocator_t *allocator);
/* A buffer the calling thread allocates outside parallel loops: the arena's
 * block for it (replay), or NULL to allocate it as usual; when recording,
 * *record_index receives the number hybrid_internal_plan_record_free takes
 * (else -1). `alignment` is at least 64. */
void *hybrid_internal_plan_alloc(hybrid_plan_run_t *run, uint64_t bytes, uint64_t alignment,
                                 int64_t *record_index);
/* The free of a recorded buffer. */
void hybrid_internal_plan_record_free(hybrid_plan_run_t *run, int64_t index);
/* Whether `ptr` lies in the arena, and the free of such a buffer. */
int hybrid_internal_plan_owns(const hybrid_plan_run_t *run, const void *ptr);
void hybrid_internal_plan_free(hybrid_plan_run_t *run, void *ptr);
/* The compiled code returned: nothing more is planned; a recording becomes
 * the plan of its key. The arena stays until _end (outputs in it are copied
 * out first). */
void hybrid_internal_plan_invoked(hybrid_plan_run_t *run);
void hybrid_internal_plan_end(hybrid_plan_run_t *run);

#endif
