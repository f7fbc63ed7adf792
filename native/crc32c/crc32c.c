// CRC-32C (Castagnoli) for Node: crc32c(bytes) -> unsigned 32-bit CRC.
//
// The x86-64 crc32 instruction runs on three independent streams at once (its latency is
// three cycles, its throughput one per cycle) and the three CRCs are combined with
// precomputed "append n zero bytes" tables, as in Mark Adler's crc32c.c. Other CPUs are
// not served: the build fails there, or loading fails without SSE4.2, and Krill uses
// @node-rs/crc32 instead.
#if !defined(__x86_64__)
#error "krill-crc32c needs x86-64"
#endif
#include <node_api.h>
#include <nmmintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define POLY 0x82f63b78u
#define LONG_BLOCK 8192
#define SHORT_BLOCK 256

static uint32_t zeros_long[4][256];
static uint32_t zeros_short[4][256];

static uint32_t gf2_times(const uint32_t *mat, uint32_t vec) {
  uint32_t sum = 0;
  while (vec) {
    if (vec & 1) sum ^= *mat;
    vec >>= 1;
    mat++;
  }
  return sum;
}

static void gf2_square(uint32_t *square, const uint32_t *mat) {
  for (int n = 0; n < 32; n++) square[n] = gf2_times(mat, mat[n]);
}

// The operator that appends `len` zero bytes (a power of two) to a CRC.
static void zeros_op(uint32_t *even, size_t len) {
  uint32_t odd[32];
  odd[0] = POLY;
  uint32_t row = 1;
  for (int n = 1; n < 32; n++) {
    odd[n] = row;
    row <<= 1;
  }
  gf2_square(even, odd);  // 2 zero bits
  gf2_square(odd, even);  // 4 zero bits
  do {
    gf2_square(even, odd);
    len >>= 1;
    if (len == 0) return;
    gf2_square(odd, even);
    len >>= 1;
  } while (len);
  memcpy(even, odd, sizeof odd);
}

static void zeros_table(uint32_t zeros[4][256], size_t len) {
  uint32_t op[32];
  zeros_op(op, len);
  for (uint32_t n = 0; n < 256; n++) {
    zeros[0][n] = gf2_times(op, n);
    zeros[1][n] = gf2_times(op, n << 8);
    zeros[2][n] = gf2_times(op, n << 16);
    zeros[3][n] = gf2_times(op, n << 24);
  }
}

static uint32_t shift(uint32_t zeros[4][256], uint32_t crc) {
  return zeros[0][crc & 0xff] ^ zeros[1][(crc >> 8) & 0xff] ^ zeros[2][(crc >> 16) & 0xff] ^ zeros[3][crc >> 24];
}

__attribute__((target("sse4.2")))
static uint32_t crc32c(const uint8_t *next, size_t len) {
  uint64_t crc0 = 0xffffffffu, crc1, crc2;
  while (len && ((uintptr_t)next & 7) != 0) {
    crc0 = _mm_crc32_u8((uint32_t)crc0, *next++);
    len--;
  }
  const size_t blocks[2] = { LONG_BLOCK, SHORT_BLOCK };
  for (int b = 0; b < 2; b++) {
    const size_t block = blocks[b];
    while (len >= block * 3) {
      crc1 = 0;
      crc2 = 0;
      const uint8_t *end = next + block;
      do {
        uint64_t w0, w1, w2;
        memcpy(&w0, next, 8);
        memcpy(&w1, next + block, 8);
        memcpy(&w2, next + 2 * block, 8);
        crc0 = _mm_crc32_u64(crc0, w0);
        crc1 = _mm_crc32_u64(crc1, w1);
        crc2 = _mm_crc32_u64(crc2, w2);
        next += 8;
      } while (next < end);
      uint32_t (*zeros)[256] = b == 0 ? zeros_long : zeros_short;
      crc0 = shift(zeros, (uint32_t)crc0) ^ crc1;
      crc0 = shift(zeros, (uint32_t)crc0) ^ crc2;
      next += block * 2;
      len -= block * 3;
    }
  }
  const uint8_t *end = next + (len - (len & 7));
  while (next < end) {
    uint64_t w;
    memcpy(&w, next, 8);
    crc0 = _mm_crc32_u64(crc0, w);
    next += 8;
  }
  len &= 7;
  while (len--) crc0 = _mm_crc32_u8((uint32_t)crc0, *next++);
  return ~(uint32_t)crc0;
}

static napi_value Crc32c(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  bool is_typed = false;
  if (argc < 1 || napi_is_typedarray(env, argv[0], &is_typed) != napi_ok || !is_typed) {
    napi_throw_type_error(env, NULL, "crc32c expects a Uint8Array");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "crc32c expects a Uint8Array");
    return NULL;
  }
  napi_value out;
  napi_create_uint32(env, crc32c((const uint8_t *)data, length), &out);
  return out;
}

NAPI_MODULE_INIT() {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("sse4.2")) {
    napi_throw_error(env, NULL, "krill-crc32c needs SSE4.2");
    return NULL;
  }
  zeros_table(zeros_long, LONG_BLOCK);
  zeros_table(zeros_short, SHORT_BLOCK);
  napi_value fn;
  napi_create_function(env, "crc32c", NAPI_AUTO_LENGTH, Crc32c, NULL, &fn);
  napi_set_named_property(env, exports, "crc32c", fn);
  return exports;
}
