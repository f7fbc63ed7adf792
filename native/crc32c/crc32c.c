// CRC-32C (Castagnoli) for Node: crc32c(bytes) -> unsigned 32-bit CRC.
//
// Two ways, chosen once at load. With AVX-512 and VPCLMULQDQ, long inputs are folded 256
// bytes at a time by carry-less multiplication (Intel's "Fast CRC Computation for Generic
// Polynomials Using PCLMULQDQ", four 512-bit lanes), which runs at memory speed. Otherwise
// the x86-64 crc32 instruction runs on three independent streams at once (its latency is
// three cycles, its throughput one per cycle) and the three CRCs are combined with
// precomputed "append n zero bytes" tables, as in Mark Adler's crc32c.c. Other CPUs are
// not served: the build fails there, or loading fails without SSE4.2, and Krill uses
// @node-rs/crc32 instead.
#if !defined(__x86_64__)
#error "krill-crc32c needs x86-64"
#endif
#include <node_api.h>
#include <immintrin.h>
#include <stdbool.h>
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

// The last bytes from register `crc`, eight at a time, then one by one; the final CRC.
__attribute__((target("sse4.2")))
static inline uint32_t crc32c_tail(uint64_t crc, const uint8_t *next, size_t len) {
  for (; len >= 8; next += 8, len -= 8) {
    uint64_t w;
    memcpy(&w, next, 8);
    crc = _mm_crc32_u64(crc, w);
  }
  while (len--) crc = _mm_crc32_u8((uint32_t)crc, *next++);
  return ~(uint32_t)crc;
}

__attribute__((target("sse4.2")))
static uint32_t crc32c_streams(const uint8_t *next, size_t len) {
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
  return crc32c_tail(crc0, next, len);
}

// ---- folding by carry-less multiplication --------------------------------------------

#define POLY_NORMAL 0x1edc6f41u

// x^n mod P, in the polynomial's normal bit order.
static uint32_t xpow_mod(size_t n) {
  uint64_t v = 1;
  while (n--) {
    v <<= 1;
    if (v >> 32) v = (v ^ POLY_NORMAL) & 0xffffffffu;
  }
  return (uint32_t)v;
}

static uint32_t reflect32(uint32_t v) {
  uint32_t r = 0;
  for (int i = 0; i < 32; i++) r |= ((v >> i) & 1u) << (31 - i);
  return r;
}

// The pair of multipliers that moves a 128-bit lane `bits` further along the message: its
// low half times x^(bits+32) mod P, its high half times x^(bits-32) mod P, in the
// reflected order with the shift by one the reflected product needs.
typedef struct { uint64_t lo, hi; } fold_k;

static fold_k fold_by(size_t bits) {
  fold_k k = { (uint64_t)reflect32(xpow_mod(bits + 32)) << 1, (uint64_t)reflect32(xpow_mod(bits - 32)) << 1 };
  return k;
}

static fold_k k128, k256, k384, k512, k2048;
static bool can_fold;

#define FOLD_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,vpclmulqdq,pclmul,sse4.2")))
#define FOLD_MIN 1024

FOLD_TARGET static inline __m128i fold128(__m128i x, fold_k k, __m128i next) {
  __m128i kk = _mm_set_epi64x((long long)k.hi, (long long)k.lo);
  return _mm_ternarylogic_epi64(_mm_clmulepi64_si128(x, kk, 0x00), _mm_clmulepi64_si128(x, kk, 0x11), next, 0x96);
}

FOLD_TARGET static inline __m512i fold512(__m512i x, __m512i kk, __m512i next) {
  return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x, kk, 0x00), _mm512_clmulepi64_epi128(x, kk, 0x11), next, 0x96);
}

FOLD_TARGET static __m512i broadcast(fold_k k) {
  return _mm512_broadcast_i32x4(_mm_set_epi64x((long long)k.hi, (long long)k.lo));
}

// Needs len >= FOLD_MIN. Four 512-bit lanes take 256 bytes a step; what is left after
// the last whole step is folded 16 bytes at a time, the 128-bit remainder reduced with two
// crc32 instructions (a CRC of those 16 bytes from a zero register is exactly that
// reduction), and the last bytes run through crc32 as the streams' are.
FOLD_TARGET static uint32_t crc32c_fold(const uint8_t *next, size_t len) {
  __m512i z0 = _mm512_loadu_si512(next), z1 = _mm512_loadu_si512(next + 64);
  __m512i z2 = _mm512_loadu_si512(next + 128), z3 = _mm512_loadu_si512(next + 192);
  // A reflected CRC from register r over the message is the CRC from zero over the
  // message with r xored into its first four bytes.
  z0 = _mm512_xor_si512(z0, _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)0xffffffffu)));
  next += 256;
  len -= 256;
  const __m512i kk = broadcast(k2048);
  while (len >= 256) {
    z0 = fold512(z0, kk, _mm512_loadu_si512(next));
    z1 = fold512(z1, kk, _mm512_loadu_si512(next + 64));
    z2 = fold512(z2, kk, _mm512_loadu_si512(next + 128));
    z3 = fold512(z3, kk, _mm512_loadu_si512(next + 192));
    next += 256;
    len -= 256;
  }
  const __m512i k1 = broadcast(k512);
  z1 = fold512(z0, k1, z1);
  z2 = fold512(z1, k1, z2);
  z3 = fold512(z2, k1, z3);
  // The four 128-bit lanes of what is left, earliest first, each moved onto the last.
  __m128i x = _mm512_extracti32x4_epi32(z3, 3);
  x = fold128(_mm512_extracti32x4_epi32(z3, 2), k128, x);
  x = fold128(_mm512_extracti32x4_epi32(z3, 1), k256, x);
  x = fold128(_mm512_castsi512_si128(z3), k384, x);
  while (len >= 16) {
    x = fold128(x, k128, _mm_loadu_si128((const __m128i *)next));
    next += 16;
    len -= 16;
  }
  uint64_t crc = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(x));
  crc = _mm_crc32_u64(crc, (uint64_t)_mm_extract_epi64(x, 1));
  return crc32c_tail(crc, next, len);
}

static uint32_t crc32c(const uint8_t *data, size_t len) {
  return can_fold && len >= FOLD_MIN ? crc32c_fold(data, len) : crc32c_streams(data, len);
}

typedef uint32_t (*crc_fn)(const uint8_t *, size_t);

static napi_value call(napi_env env, napi_callback_info info, crc_fn fn) {
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
  napi_create_uint32(env, fn((const uint8_t *)data, length), &out);
  return out;
}

static napi_value Crc32c(napi_env env, napi_callback_info info) {
  return call(env, info, crc32c);
}

// The crc32-instruction way alone, whatever the CPU has: so that tests cover it on
// machines that fold.
static napi_value Crc32cStreams(napi_env env, napi_callback_info info) {
  return call(env, info, crc32c_streams);
}

NAPI_MODULE_INIT() {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("sse4.2")) {
    napi_throw_error(env, NULL, "krill-crc32c needs SSE4.2");
    return NULL;
  }
  zeros_table(zeros_long, LONG_BLOCK);
  zeros_table(zeros_short, SHORT_BLOCK);
  can_fold = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("pclmul");
  k128 = fold_by(128);
  k256 = fold_by(256);
  k384 = fold_by(384);
  k512 = fold_by(512);
  k2048 = fold_by(2048);
  napi_value fn;
  napi_create_function(env, "crc32c", NAPI_AUTO_LENGTH, Crc32c, NULL, &fn);
  napi_set_named_property(env, exports, "crc32c", fn);
  napi_create_function(env, "crc32cStreams", NAPI_AUTO_LENGTH, Crc32cStreams, NULL, &fn);
  napi_set_named_property(env, exports, "crc32cStreams", fn);
  return exports;
}
