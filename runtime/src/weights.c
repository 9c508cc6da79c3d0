/*===- weights.c - weights memory-mapped from a library's side file ---------===*
 *
 * A library compiled with `hybrid-opt --external-weights` reads its large
 * constants through a slot table (hybrid_abi_weights.slots) that must point
 * into its side file before any call. The slot table lives in the library's
 * writable data, so it is shared by every hybrid_module_t over the same loaded
 * library (dlopen returns one handle for one file; a linked-in table is one
 * object): the mapping is therefore kept per slot table, reference counted, and
 * unmapped with its last module.
 *
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { HEADER_BYTES = 64, FORMAT_VERSION = 1 };

struct hybrid_weights_map {
  struct hybrid_weights_map *next;
  void **slots; /* the key: the table's slot array */
  int32_t num_slots;
  void *base;
  size_t bytes;
  int refs;
};

static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hybrid_weights_map *maps;

static uint64_t read_u64le(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = v << 8 | p[i];
  return v;
}
static uint32_t read_u32le(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

hybrid_status_t hybrid_internal_check_weights(const hybrid_abi_weights *w, const char *where) {
  if (!w)
    return NULL;
  if (!w->file_name || !w->id || !w->slots || w->num_slots < 0 ||
      (w->num_slots > 0 && (!w->offsets || !w->sizes)))
    return hybrid_internal_status(HYBRID_STATUS_LOAD_ERROR,
                                  "%s: the weights table is corrupt", where);
  for (int32_t i = 0; i < w->num_slots; ++i)
    if (w->offsets[i] < HEADER_BYTES || w->offsets[i] % 64 != 0 ||
        w->sizes[i] > w->file_bytes || w->offsets[i] > w->file_bytes - w->sizes[i])
      return hybrid_internal_status(HYBRID_STATUS_LOAD_ERROR,
                                    "%s: the weights table is corrupt (constant %d)", where,
                                    (int)i);
  return NULL;
}

/* Maps `path` and checks it is the side file `w` describes. */
static hybrid_status_t map_file(const hybrid_abi_weights *w, const char *path,
                                const char *module, void **base_out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hybrid_internal_status(
        HYBRID_STATUS_LOAD_ERROR,
        "module '%s' keeps its weights in a side file, and '%s' cannot be opened: %s", module,
        path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return hybrid_internal_status(HYBRID_STATUS_LOAD_ERROR,
                                  "the weights file '%s' of module '%s' is not a regular file",
                                  path, module);
  }
  if ((uint64_t)st.st_size != w->file_bytes) {
    close(fd);
    return hybrid_internal_status(
        HYBRID_STATUS_LOAD_ERROR,
        "'%s' is not the weights file of module '%s': it has %llu bytes, the library expects "
        "%llu (a truncated copy, or the weights of another model)",
        path, module, (unsigned long long)st.st_size, (unsigned long long)w->file_bytes);
  }
  void *base = mmap(NULL, (size_t)w->file_bytes, PROT_READ, MAP_PRIVATE, fd, 0);
  int map_errno = errno;
  close(fd);
  if (base == MAP_FAILED)
    return hybrid_internal_status(HYBRID_STATUS_LOAD_ERROR, "cannot map '%s': %s", path,
                                  strerror(map_errno));
  const unsigned char *h = base;
  const char *why = NULL;
  if (memcmp(h, "HYBRIDWT", 8) != 0)
    why = "it is not a Hybrid weights file";
  else if (read_u32le(h + 8) != FORMAT_VERSION)
    why = "its format version is not 1";
  else if (read_u32le(h + 12) != (uint32_t)w->num_slots || read_u64le(h + 16) != w->file_bytes ||
           memcmp(h + 24, w->id, 16) != 0)
    why = "it holds the weights of another compile (recompile, or use the file written "
          "with the library)";
  if (why) {
    munmap(base, (size_t)w->file_bytes);
    return hybrid_internal_status(HYBRID_STATUS_LOAD_ERROR,
                                  "'%s' is not the weights file of module '%s': %s", path, module,
                                  why);
  }
  /* The model reads the constants soon and whole: ask for read-ahead. */
  madvise(base, (size_t)w->file_bytes, MADV_WILLNEED);
  *base_out = base;
  return NULL;
}

hybrid_status_t hybrid_internal_weights_attach(const hybrid_abi_module *table,
                                               const char *library_path,
                                               const char *weights_path,
                                               struct hybrid_weights_map **out) {
  *out = NULL;
  const hybrid_abi_weights *w = table->weights;
  if (!w)
    return NULL;
  const char *module = table->name ? table->name : "?";
  pthread_mutex_lock(&maps_lock);
  for (struct hybrid_weights_map *m = maps; m; m = m->next)
    if (m->slots == w->slots) {
      ++m->refs;
      pthread_mutex_unlock(&maps_lock);
      *out = m;
      return NULL;
    }
  /* The file: the given path, else the recorded name next to the library. */
  char *path = NULL;
  if (weights_path) {
    path = strdup(weights_path);
  } else if (library_path) {
    const char *slash = strrchr(library_path, '/');
    size_t dir = slash ? (size_t)(slash - library_path) + 1 : 0;
    path = malloc(dir + strlen(w->file_name) + 1);
    if (path) {
      memcpy(path, library_path, dir);
      strcpy(path + dir, w->file_name);
    }
  } else {
    pthread_mutex_unlock(&maps_lock);
    return hybrid_internal_status(
        HYBRID_STATUS_LOAD_ERROR,
        "module '%s' keeps its weights in the side file '%s'; pass its path in "
        "hybrid_module_options_t.weights_path",
        module, w->file_name);
  }
  struct hybrid_weights_map *m = path ? calloc(1, sizeof *m) : NULL;
  if (!m) {
    free(path);
    pthread_mutex_unlock(&maps_lock);
    return hybrid_internal_oom();
  }
  void *base = NULL;
  hybrid_status_t st = map_file(w, path, module, &base);
  free(path);
  if (st) {
    free(m);
    pthread_mutex_unlock(&maps_lock);
    return st;
  }
  for (int32_t i = 0; i < w->num_slots; ++i)
    w->slots[i] = (char *)base + w->offsets[i];
  m->slots = w->slots;
  m->num_slots = w->num_slots;
  m->base = base;
  m->bytes = (size_t)w->file_bytes;
  m->refs = 1;
  m->next = maps;
  maps = m;
  pthread_mutex_unlock(&maps_lock);
  *out = m;
  return NULL;
}

void hybrid_internal_weights_detach(struct hybrid_weights_map *map) {
  if (!map)
    return;
  pthread_mutex_lock(&maps_lock);
  if (--map->refs == 0) {
    for (struct hybrid_weights_map **p = &maps; *p; p = &(*p)->next)
      if (*p == map) {
        *p = map->next;
        break;
      }
    /* No slot keeps pointing into the unmapped file. */
    memset(map->slots, 0, (size_t)map->num_slots * sizeof *map->slots);
    munmap(map->base, map->bytes);
    free(map);
  }
  pthread_mutex_unlock(&maps_lock);
}
