/*===- exec.c - the runtime's thread pool and profiles ----------------------===*
 *
 * Executors: a fixed set of worker threads that share the slices of parallel
 * loops with the threads that start them. A parallel loop is a job on the
 * executor's list; its slices are claimed with one atomic counter, by the
 * calling thread and by any idle worker, so the caller always makes progress
 * even when every worker is busy with another call's loop. Several threads may
 * run calls on one executor at once.
 *
 * Waiting spins before it sleeps. A worker that finds no job polls the
 * executor's job counter for up to HYBRID_SPIN_US microseconds (default 100)
 * before it blocks on the condition variable, and a caller whose own slices are
 * done polls its job's counters for as long before it blocks: a model runs
 * many short parallel loops back to back, and waking a sleeping thread costs
 * several microseconds, often more than the loop. HYBRID_SPIN_US=0 blocks at
 * once (for machines shared with other busy processes).
 *
 * Profiles: events (calls, kernels, slices of parallel loops) with begin/end
 * times, written as a Chrome trace (the JSON that chrome://tracing and
 * ui.perfetto.dev open).
 *
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t hybrid_internal_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int32_t hybrid_internal_thread_id(void) {
  static atomic_int next = 1;
  static _Thread_local int32_t id;
  if (!id)
    id = atomic_fetch_add(&next, 1);
  return id;
}

/*---- executors ------------------------------------------------------------*/

typedef struct job {
  hybrid_abi_task_fn task;
  void *ctx;
  int64_t n, chunks;
  atomic_llong next_chunk; /* the next slice to claim */
  /* Written under the executor's mutex; read without it while spinning. */
  atomic_llong done_chunks;
  atomic_int helpers; /* workers inside the job */
  hybrid_profile_t *profile;
  pthread_cond_t finished;
  struct job *next;
} job_t;

struct hybrid_executor {
  int32_t num_threads; /* workers + 1 */
  pthread_t *workers;
  int32_t num_workers;
  pthread_mutex_t mu;
  pthread_cond_t work; /* signalled when a job is added or on shutdown */
  job_t *jobs;
  atomic_int stop; /* set under the mutex; polled without it while spinning */
  atomic_ullong posted; /* jobs ever added: idle workers poll it */
  int64_t spin_ns;      /* how long a waiting thread polls before it sleeps */
};

/* One iteration of a polling loop: a hint to the core that this is a spin. */
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

int64_t hybrid_internal_env_us(const char *name, int64_t fallback) {
  const char *v = getenv(name);
  if (!v || !*v)
    return fallback;
  char *end;
  long us = strtol(v, &end, 10);
  if (*end || us < 0 || us > 1000000)
    return fallback;
  return (int64_t)us;
}

/* HYBRID_SPIN_US in nanoseconds (default 100 us; bad values: the default). */
static int64_t spin_ns_from_env(void) { return hybrid_internal_env_us("HYBRID_SPIN_US", 100) * 1000; }

/* Slice c of n iterations in `chunks` near-equal slices. */
static void slice(int64_t n, int64_t chunks, int64_t c, int64_t *begin, int64_t *end) {
  int64_t base = n / chunks, extra = n % chunks;
  *begin = c * base + (c < extra ? c : extra);
  *end = *begin + base + (c < extra ? 1 : 0);
}

/* Claims and runs slices of `job` until none is left; returns how many ran. */
static int64_t run_slices(job_t *job) {
  int64_t ran = 0;
  for (;;) {
    int64_t c = atomic_fetch_add(&job->next_chunk, 1);
    if (c >= job->chunks)
      return ran;
    int64_t b, e;
    slice(job->n, job->chunks, c, &b, &e);
    int64_t t0 = job->profile ? hybrid_internal_now_ns() : 0;
    job->task(job->ctx, b, e);
    if (job->profile)
      hybrid_internal_profile_event(job->profile, -1, HYBRID_EVENT_TASK, 0, t0,
                                    hybrid_internal_now_ns(), e - b);
    ++ran;
  }
}

/* A job with slices left to claim, or NULL. Under the mutex. */
static job_t *open_job(hybrid_executor_t *ex) {
  for (job_t *j = ex->jobs; j; j = j->next)
    if (atomic_load(&j->next_chunk) < j->chunks)
      return j;
  return NULL;
}

/* Polls `ready(arg)` for up to the executor's spin time, without the mutex;
 * returns whether it became true. */
static int spin_until(const hybrid_executor_t *ex, int (*ready)(void *), void *arg) {
  if (ex->spin_ns <= 0)
    return 0;
  int64_t deadline = hybrid_internal_now_ns() + ex->spin_ns;
  for (unsigned i = 0;; ++i) {
    if (ready(arg))
      return 1;
    cpu_relax();
    if ((i & 63) == 63) {
      if (hybrid_internal_now_ns() > deadline)
        return 0;
      sched_yield(); /* lets a thread that shares this core run (more threads than cores) */
    }
  }
}

/* For an idle worker: a job was posted after `seen`, or the executor stops. */
typedef struct {
  hybrid_executor_t *ex;
  unsigned long long seen;
} post_watch_t;

static int job_posted(void *arg) {
  const post_watch_t *w = arg;
  return atomic_load_explicit(&w->ex->posted, memory_order_acquire) != w->seen ||
         atomic_load_explicit(&w->ex->stop, memory_order_relaxed);
}

/* For a caller: every slice of its job ran and no helper is inside it. */
static int job_finished(void *arg) {
  job_t *job = arg;
  return atomic_load(&job->done_chunks) == job->chunks && atomic_load(&job->helpers) == 0;
}

static void *worker_main(void *arg) {
  hybrid_executor_t *ex = arg;
  pthread_mutex_lock(&ex->mu);
  for (;;) {
    job_t *job = NULL;
    while (!ex->stop && !(job = open_job(ex))) {
      /* Nothing to do: poll for a while, then sleep. */
      post_watch_t watch = {ex, atomic_load(&ex->posted)};
      pthread_mutex_unlock(&ex->mu);
      int moved = spin_until(ex, job_posted, &watch);
      pthread_mutex_lock(&ex->mu);
      if (!moved && !ex->stop && atomic_load(&ex->posted) == watch.seen)
        pthread_cond_wait(&ex->work, &ex->mu);
    }
    if (ex->stop)
      break;
    ++job->helpers; /* the job stays alive (its caller waits) until we leave */
    pthread_mutex_unlock(&ex->mu);
    int64_t ran = run_slices(job);
    pthread_mutex_lock(&ex->mu);
    job->done_chunks += ran;
    --job->helpers;
    if (job->done_chunks == job->chunks && job->helpers == 0)
      pthread_cond_signal(&job->finished);
  }
  pthread_mutex_unlock(&ex->mu);
  return NULL;
}

void hybrid_internal_parallel_for(hybrid_executor_t *ex, hybrid_profile_t *profile,
                                  hybrid_abi_task_fn task, void *ctx, int64_t n,
                                  int64_t chunks) {
  job_t job;
  job.task = task;
  job.ctx = ctx;
  job.n = n;
  job.chunks = chunks < 1 ? 1 : (chunks > n ? n : chunks);
  atomic_init(&job.next_chunk, 0);
  atomic_init(&job.done_chunks, 0);
  atomic_init(&job.helpers, 0);
  job.profile = profile;
  pthread_cond_init(&job.finished, NULL);

  pthread_mutex_lock(&ex->mu);
  job.next = ex->jobs;
  ex->jobs = &job;
  atomic_fetch_add_explicit(&ex->posted, 1, memory_order_release);
  pthread_cond_broadcast(&ex->work);
  pthread_mutex_unlock(&ex->mu);

  int64_t ran = run_slices(&job);

  pthread_mutex_lock(&ex->mu);
  for (job_t **p = &ex->jobs; *p; p = &(*p)->next)
    if (*p == &job) {
      *p = job.next;
      break;
    }
  job.done_chunks += ran;
  if (job.done_chunks < job.chunks || job.helpers > 0) {
    /* Helpers still run slices: poll for them before sleeping. They update
     * the counters under the mutex and signal under it, so taking the mutex
     * after the poll also waits out a helper's last signal. */
    pthread_mutex_unlock(&ex->mu);
    spin_until(ex, job_finished, &job);
    pthread_mutex_lock(&ex->mu);
    while (job.done_chunks < job.chunks || job.helpers > 0)
      pthread_cond_wait(&job.finished, &ex->mu);
  }
  pthread_mutex_unlock(&ex->mu);
  pthread_cond_destroy(&job.finished);
}

hybrid_status_t hybrid_executor_create(int32_t num_threads, hybrid_executor_t **out) {
  if (!out)
    return hybrid_internal_status(HYBRID_STATUS_INVALID_ARGUMENT,
                                  "hybrid_executor_create: out is NULL");
  *out = NULL;
  if (num_threads < 0)
    return hybrid_internal_status(HYBRID_STATUS_INVALID_ARGUMENT,
                                  "hybrid_executor_create: %d threads", (int)num_threads);
  if (num_threads == 0) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    num_threads = cpus > 0 ? (cpus > 1024 ? 1024 : (int32_t)cpus) : 1;
  }
  hybrid_executor_t *ex = calloc(1, sizeof *ex);
  if (!ex)
    return hybrid_internal_oom();
  ex->num_threads = num_threads;
  atomic_init(&ex->posted, 0);
  atomic_init(&ex->stop, 0);
  ex->spin_ns = spin_ns_from_env();
  pthread_mutex_init(&ex->mu, NULL);
  pthread_cond_init(&ex->work, NULL);
  if (num_threads > 1) {
    ex->workers = calloc((size_t)num_threads - 1, sizeof(pthread_t));
    if (!ex->workers) {
      hybrid_executor_release(ex);
      return hybrid_internal_oom();
    }
    for (int32_t i = 0; i < num_threads - 1; ++i) {
      int err = pthread_create(&ex->workers[i], NULL, worker_main, ex);
      if (err) {
        hybrid_executor_release(ex);
        return hybrid_internal_status(HYBRID_STATUS_INTERNAL,
                                      "cannot start worker thread %d of %d: %s", (int)i + 1,
                                      (int)num_threads - 1, strerror(err));
      }
      ++ex->num_workers;
    }
  }
  *out = ex;
  return NULL;
}

int32_t hybrid_executor_num_threads(const hybrid_executor_t *ex) {
  return ex ? ex->num_threads : 1;
}

void hybrid_executor_release(hybrid_executor_t *ex) {
  if (!ex)
    return;
  pthread_mutex_lock(&ex->mu);
  ex->stop = 1;
  pthread_cond_broadcast(&ex->work);
  pthread_mutex_unlock(&ex->mu);
  for (int32_t i = 0; i < ex->num_workers; ++i)
    pthread_join(ex->workers[i], NULL);
  free(ex->workers);
  pthread_cond_destroy(&ex->work);
  pthread_mutex_destroy(&ex->mu);
  free(ex);
}

/*---- profiles -------------------------------------------------------------*/

typedef struct event {
  int32_t module, kind, index, tid;
  int64_t begin_ns, end_ns, arg;
} event_t;

typedef struct interned_module {
  const hybrid_abi_module *table; /* only compared, never read after interning */
  char *name;
  int32_t num_functions, num_kernels;
  char **functions, **kernels;
} interned_module_t;

struct hybrid_profile {
  pthread_mutex_t mu;
  int64_t origin_ns;
  event_t *events;
  size_t num_events, cap_events;
  interned_module_t *modules;
  int32_t num_modules;
  int dropped; /* events lost to a failed allocation */
};

hybrid_status_t hybrid_profile_create(hybrid_profile_t **out) {
  if (!out)
    return hybrid_internal_status(HYBRID_STATUS_INVALID_ARGUMENT,
                                  "hybrid_profile_create: out is NULL");
  hybrid_profile_t *p = calloc(1, sizeof *p);
  if (!p)
    return hybrid_internal_oom();
  pthread_mutex_init(&p->mu, NULL);
  p->origin_ns = hybrid_internal_now_ns();
  *out = p;
  return NULL;
}

static void free_strings(char **s, int32_t n) {
  for (int32_t i = 0; s && i < n; ++i)
    free(s[i]);
  free(s);
}

void hybrid_profile_release(hybrid_profile_t *p) {
  if (!p)
    return;
  for (int32_t m = 0; m < p->num_modules; ++m) {
    free(p->modules[m].name);
    free_strings(p->modules[m].functions, p->modules[m].num_functions);
    free_strings(p->modules[m].kernels, p->modules[m].num_kernels);
  }
  free(p->modules);
  free(p->events);
  pthread_mutex_destroy(&p->mu);
  free(p);
}

size_t hybrid_profile_num_events(const hybrid_profile_t *p) {
  return p ? p->num_events : 0;
}

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

int32_t hybrid_internal_profile_module(hybrid_profile_t *p, const hybrid_abi_module *t) {
  pthread_mutex_lock(&p->mu);
  int32_t found = -1;
  for (int32_t m = 0; m < p->num_modules && found < 0; ++m)
    if (p->modules[m].table == t)
      found = m;
  if (found < 0) {
    interned_module_t *grown =
        realloc(p->modules, sizeof *grown * (size_t)(p->num_modules + 1));
    if (grown) {
      p->modules = grown;
      interned_module_t *im = &grown[p->num_modules];
      memset(im, 0, sizeof *im);
      im->table = t;
      im->name = dup_or_empty(t->name);
      im->functions = calloc((size_t)t->num_functions + 1, sizeof(char *));
      im->kernels = calloc((size_t)(t->num_kernels > 0 ? t->num_kernels : 0) + 1,
                           sizeof(char *));
      if (im->functions)
        for (; im->num_functions < t->num_functions; ++im->num_functions)
          im->functions[im->num_functions] = dup_or_empty(t->functions[im->num_functions].name);
      if (im->kernels && t->kernels)
        for (; im->num_kernels < t->num_kernels; ++im->num_kernels)
          im->kernels[im->num_kernels] = dup_or_empty(t->kernels[im->num_kernels]);
      found = p->num_modules++;
    } else {
      p->dropped = 1;
    }
  }
  pthread_mutex_unlock(&p->mu);
  return found;
}

void hybrid_internal_profile_event(hybrid_profile_t *p, int32_t module, int32_t kind,
                                   int32_t index, int64_t begin_ns, int64_t end_ns,
                                   int64_t arg) {
  int32_t tid = hybrid_internal_thread_id();
  pthread_mutex_lock(&p->mu);
  if (p->num_events == p->cap_events) {
    size_t cap = p->cap_events ? 2 * p->cap_events : 1024;
    event_t *grown = realloc(p->events, cap * sizeof *grown);
    if (!grown) {
      p->dropped = 1;
      pthread_mutex_unlock(&p->mu);
      return;
    }
    p->events = grown;
    p->cap_events = cap;
  }
  p->events[p->num_events++] =
      (event_t){module, kind, index, tid, begin_ns, end_ns, arg};
  pthread_mutex_unlock(&p->mu);
}

/* Writes s as the inside of a JSON string. */
static void json_string(FILE *f, const char *s) {
  for (; *s; ++s) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
}

static const char *lookup(char **names, int32_t n, int32_t i) {
  return names && i >= 0 && i < n && names[i] ? names[i] : "?";
}

hybrid_status_t hybrid_profile_write_chrome_trace(hybrid_profile_t *p, const char *path) {
  if (!p || !path)
    return hybrid_internal_status(HYBRID_STATUS_INVALID_ARGUMENT,
                                  "hybrid_profile_write_chrome_trace: NULL argument");
  /* Written beside the target and renamed over it: never a half-written file. */
  size_t len = strlen(path);
  char *tmp = malloc(len + 32);
  if (!tmp)
    return hybrid_internal_oom();
  snprintf(tmp, len + 32, "%s.tmp%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) {
    hybrid_status_t st = hybrid_internal_status(HYBRID_STATUS_INVALID_ARGUMENT,
                                                "cannot write '%s': %s", path, strerror(errno));
    free(tmp);
    return st;
  }
  pthread_mutex_lock(&p->mu);
  fprintf(f, "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n");
  fprintf(f, "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"args\": {\"name\": "
             "\"hybrid\"}}");
  for (size_t i = 0; i < p->num_events; ++i) {
    const event_t *e = &p->events[i];
    const interned_module_t *m =
        e->module >= 0 && e->module < p->num_modules ? &p->modules[e->module] : NULL;
    const char *name, *cat;
    switch (e->kind) {
    case HYBRID_EVENT_CALL:
      cat = "call";
      name = m ? lookup(m->functions, m->num_functions, e->index) : "call";
      break;
    case HYBRID_EVENT_KERNEL:
      cat = "kernel";
      name = m ? lookup(m->kernels, m->num_kernels, e->index) : "kernel";
      break;
    default:
      cat = "task";
      name = "parallel slice";
      break;
    }
    fprintf(f, ",\n{\"name\": \"");
    json_string(f, name);
    fprintf(f, "\", \"cat\": \"%s\", \"ph\": \"X\", \"pid\": 1, \"tid\": %d, \"ts\": %.3f, "
               "\"dur\": %.3f",
            cat, (int)e->tid, (double)(e->begin_ns - p->origin_ns) / 1000.0,
            (double)(e->end_ns - e->begin_ns) / 1000.0);
    if (e->kind == HYBRID_EVENT_TASK)
      fprintf(f, ", \"args\": {\"iterations\": %lld}", (long long)e->arg);
    else if (m) {
      fprintf(f, ", \"args\": {\"module\": \"");
      json_string(f, m->name);
      fprintf(f, "\"}");
    }
    fprintf(f, "}");
  }
  fprintf(f, "\n]}\n");
  pthread_mutex_unlock(&p->mu);
  int bad = ferror(f);
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    int err = errno;
    remove(tmp);
    free(tmp);
    return hybrid_internal_status(HYBRID_STATUS_INVALID_ARGUMENT, "cannot write '%s': %s",
                                  path, strerror(err));
  }
  free(tmp);
  return NULL;
}
