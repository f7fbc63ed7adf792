// Memory for Krill's large blocks (src/storage/huge-pages.ts) in 2 MB-aligned anonymous
// mappings advised for transparent huge pages. On the VMs Krill is benchmarked on, first
// touching memory costs 3.5 s per GiB in 4 KiB pages and 0.1-2.3 s in 2 MB ones, which is
// what a broker pays for every block it has not had before.
//
// A slab is one mapping; blocks are ArrayBuffers over parts of it, handed out in order and
// never reused here (blocks.ts recycles them). A block's memory goes back to the kernel
// when its ArrayBuffer is collected, or earlier through discard(); the mapping is unmapped
// once the slab's handle and all its blocks are.
//
// V8 is not told about the blocks' memory. It counts every ArrayBuffer's bytes as external
// memory and starts a full collection each time that grows by 64 MB, so an in-memory log
// that keeps what it is sent paid for a full collection every 64 MB taken in (0.3-0.4 s of
// CPU per GB on the benchmark VM). Those collections cannot free these blocks: the log and
// the block pool hold them on purpose, and the pool hands its spares back with discard()
// rather than by waiting for a collection.
#define _GNU_SOURCE
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((size_t)2 << 20)

typedef struct {
  void *map;       // the whole mapping, for munmap
  size_t map_len;
  uint8_t *base;   // its first 2 MB boundary
  size_t size;     // bytes usable from base
  size_t live;     // the handle plus each block not yet collected
} slab_t;

typedef struct {
  slab_t *slab;
  void *at;
  size_t len;
} block_t;

static void slab_unref(slab_t *s) {
  if (--s->live > 0) return;
  munmap(s->map, s->map_len);
  free(s);
}

static void slab_finalize(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  slab_unref((slab_t *)data);
}

static void block_finalize(napi_env env, void *data, void *hint) {
  (void)data;
  block_t *b = (block_t *)hint;
  // V8 has just taken the block's bytes off its count: put back what Block() took off.
  int64_t total;
  napi_adjust_external_memory(env, (int64_t)b->len, &total);
  madvise(b->at, b->len, MADV_DONTNEED);
  slab_unref(b->slab);
  free(b);
}

// The call's first `n` arguments into argv, and undefined into *result (what every
// function returns on bad input); 0 when fewer were passed.
static int args(napi_env env, napi_callback_info info, size_t n, napi_value *argv, napi_value *result) {
  size_t argc = n;
  napi_get_undefined(env, result);
  return napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= n;
}

static int arg_size(napi_env env, napi_value v, size_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > (double)((size_t)1 << 40)) return 0;
  *out = (size_t)d;
  return 1;
}

// slab(bytes): a handle to a mapping of at least `bytes`, or undefined.
static napi_value Slab(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  size_t size;
  if (!args(env, info, 1, argv, &result) || !arg_size(env, argv[0], &size) || size == 0) return result;
  size = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  size_t map_len = size + HUGE_PAGE;
  void *map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (map == MAP_FAILED) return result;
  slab_t *s = malloc(sizeof *s);
  if (!s) {
    munmap(map, map_len);
    return result;
  }
  s->map = map;
  s->map_len = map_len;
  s->base = (uint8_t *)(((uintptr_t)map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
  s->size = size;
  s->live = 1;
#ifdef MADV_HUGEPAGE
  // Only advice: where THP is off the mapping is ordinary memory.
  madvise(s->base, size, MADV_HUGEPAGE);
#endif
  if (napi_create_external(env, s, slab_finalize, NULL, &result) != napi_ok) {
    slab_unref(s);
    napi_get_undefined(env, &result);
  }
  return result;
}

// block(slab, offset, length): an ArrayBuffer over [offset, offset + length) of the slab, or
// undefined (out of range, or a Node that does not allow external ArrayBuffers).
static napi_value Block(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  void *data;
  size_t offset, len;
  if (!args(env, info, 3, argv, &result)) return result;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok || !arg_size(env, argv[1], &offset) || !arg_size(env, argv[2], &len)) return result;
  slab_t *s = (slab_t *)data;
  if (len == 0 || offset > s->size || len > s->size - offset) return result;
  block_t *b = malloc(sizeof *b);
  if (!b) return result;
  b->slab = s;
  b->at = s->base + offset;
  b->len = len;
  s->live++;
  if (napi_create_external_arraybuffer(env, b->at, len, block_finalize, b, &result) != napi_ok) {
    slab_unref(s);
    free(b);
    napi_get_undefined(env, &result);
    return result;
  }
  int64_t total;
  napi_adjust_external_memory(env, -(int64_t)len, &total);
  return result;
}

// discard(arrayBuffer): gives the buffer's whole pages back to the kernel; they read as
// zeros when next touched. For a block nobody holds that may stay uncollected a while.
static napi_value Discard(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  void *data;
  size_t len;
  if (!args(env, info, 1, argv, &result)) return result;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &len) != napi_ok || data == NULL) return result;
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), from = ((uintptr_t)data + page - 1) & ~(page - 1), to = ((uintptr_t)data + len) & ~(page - 1);
  if (to > from) madvise((void *)from, to - from, MADV_DONTNEED);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "slab", NAPI_AUTO_LENGTH, Slab, NULL, &fn);
  napi_set_named_property(env, exports, "slab", fn);
  napi_create_function(env, "block", NAPI_AUTO_LENGTH, Block, NULL, &fn);
  napi_set_named_property(env, exports, "block", fn);
  napi_create_function(env, "discard", NAPI_AUTO_LENGTH, Discard, NULL, &fn);
  napi_set_named_property(env, exports, "discard", fn);
  return exports;
}
