// The SIMD group kernel of attention_flash, written once over a small vector type and compiled
// per ISA: attention_avx2.cpp (8 lanes) and attention_avx512.cpp (HW_X86_AVX512: 16 lanes). Same
// tiles and online softmax as the scalar flash_group_scalar (attention.cpp); its sums are per
// lane then reduced in a fixed order, so results differ from scalar by float rounding only.
#pragma once
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_ps() through and it then warns about its own
// headers (GCC bug 105593, fixed in 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cmath>

#include "kernels/attention_internal.h"

namespace hw::attention_detail {
namespace {

#if HW_X86_AVX512
constexpr int kLanes = 16;
using Vec = __m512;
inline Vec vzero() { return _mm512_setzero_ps(); }
inline Vec vset1(float x) { return _mm512_set1_ps(x); }
inline Vec vload(const float* p) { return _mm512_loadu_ps(p); }
inline void vstore(float* p, Vec v) { _mm512_storeu_ps(p, v); }
inline Vec vload_f16(const uint16_t* p) {
  return _mm512_cvtph_ps( _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline Vec vmul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
inline float vsum(Vec v) {  // fixed tree: 16 -> 8 -> 4 -> 2 -> 1
  const __m256 a = _mm512_castps512_ps256(_mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4e)));
  __m128 b = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  b = _mm_add_ps(b, _mm_movehl_ps(b, b));
  b = _mm_add_ss(b, _mm_movehdup_ps(b));
  return _mm_cvtss_f32(b);
}
#else
constexpr int kLanes = 8;
using Vec = __m256;
inline Vec vzero() { return _mm256_setzero_ps(); }
inline Vec vset1(float x) { return _mm256_set1_ps(x); }
inline Vec vload(const float* p) { return _mm256_loadu_ps(p); }
inline void vstore(float* p, Vec v) { _mm256_storeu_ps(p, v); }
inline Vec vload_f16(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline Vec vmul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
inline float vsum(Vec v) {  // fixed tree: 8 -> 4 -> 2 -> 1
  __m128 b = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  b = _mm_add_ps(b, _mm_movehl_ps(b, b));
  b = _mm_add_ss(b, _mm_movehdup_ps(b));
  return _mm_cvtss_f32(b);
}
#endif

// G query heads at once (G a compile-time count so their accumulators stay in registers).
template <int G>
void flash_group(const KvLayerView& kv, const AttentionQuery& q, const FlashGroup& fg, float* out) {
  const int64_t hd = kv.geo.head_dim, nv = hd / kLanes;
  const float* qg = q.q + fg.head0 * hd;
  float* og = out + fg.head0 * hd;
  float m[G], l[G], alpha[G], s[G][kTile];
  for (int h = 0; h < G; ++h) {
    m[h] = -INFINITY;
    l[h] = 0;
    for (int64_t d = 0; d < nv; ++d) vstore(og + h * hd + d * kLanes, vzero());
  }
  for_each_tile(kv, q, fg.kv_head, [&](const uint16_t* kt, const uint16_t* vt, int64_t len) {
    // Scores: slot by slot, the K row converted once per chunk and used by all G heads.
    for (int64_t j = 0; j < len; ++j) {
      Vec acc[G];
      for (int h = 0; h < G; ++h) acc[h] = vzero();
      for (int64_t d = 0; d < nv; ++d) {
        const Vec k = vload_f16(kt + j * hd + d * kLanes);
        for (int h = 0; h < G; ++h) acc[h] = vfma(vload(qg + h * hd + d * kLanes), k, acc[h]);
      }
      for (int h = 0; h < G; ++h) s[h][j] = vsum(acc[h]) * q.scale;
    }
    // Online softmax, per head, in slot order.
    for (int h = 0; h < G; ++h) {
      float mt = m[h];
      for (int64_t j = 0; j < len; ++j) mt = s[h][j] > mt ? s[h][j] : mt;
      alpha[h] = expf(m[h] - mt);  // 0 on the first tile (m = -inf)
      m[h] = mt;
      float sum = 0;
      for (int64_t j = 0; j < len; ++j) {
        s[h][j] = expf(s[h][j] - mt);
        sum += s[h][j];
      }
      l[h] = l[h] * alpha[h] + sum;
    }
    // Accumulator: chunk by chunk, rescaled, then every slot's V chunk converted once for all G.
    for (int64_t d = 0; d < nv; ++d) {
      Vec acc[G];
      for (int h = 0; h < G; ++h) acc[h] = vmul(vload(og + h * hd + d * kLanes), vset1(alpha[h]));
      for (int64_t j = 0; j < len; ++j) {
        const Vec v = vload_f16(vt + j * hd + d * kLanes);
        for (int h = 0; h < G; ++h) acc[h] = vfma(vset1(s[h][j]), v, acc[h]);
      }
      for (int h = 0; h < G; ++h) vstore(og + h * hd + d * kLanes, acc[h]);
    }
  });
  for (int h = 0; h < G; ++h) {
    const Vec inv = vset1(1.0f / l[h]);
    for (int64_t d = 0; d < nv; ++d) vstore(og + h * hd + d * kLanes, vmul(vload(og + h * hd + d * kLanes), inv));
  }
}

bool flash_group_x86(const KvLayerView& kv, const AttentionQuery& q, const FlashGroup& fg, float* out) {
  if (kv.geo.head_dim % kLanes != 0) return false;
  switch (fg.n_heads) {
    case 1: flash_group<1>(kv, q, fg, out); return true;
    case 2: flash_group<2>(kv, q, fg, out); return true;
    case 3: flash_group<3>(kv, q, fg, out); return true;
    case 4: flash_group<4>(kv, q, fg, out); return true;
    case 5: flash_group<5>(kv, q, fg, out); return true;
    case 6: flash_group<6>(kv, q, fg, out); return true;
    case 7: flash_group<7>(kv, q, fg, out); return true;
    case 8: flash_group<8>(kv, q, fg, out); return true;
    default: return false;
  }
}
static_assert(kFlashMaxGroup == 8, "flash_group_x86 has one case per group size");

}  // namespace
}  // namespace hw::attention_detail
