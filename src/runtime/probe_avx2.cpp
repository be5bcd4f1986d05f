// AVX2 register loops for runtime/probe.h, compiled with -mavx2 -mfma (CMakeLists.txt) and
// called only where kernels/isa.h reports AVX2+FMA. Includes no inline functions of other headers.
#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>

namespace hw::probe_loops {

// Accumulators are named variables (an array would live in memory), kept opaque to the
// optimiser by an empty asm statement each iteration.
int64_t int8_maddubs_ymm(int64_t iters, const int32_t* seed) {
  const __m256i a = _mm256_set1_epi32(seed[0]), b = _mm256_set1_epi32(seed[1]);
  const __m256i ones = _mm256_set1_epi16(1);
  const __m256i z = _mm256_set1_epi32(seed[2]);
  __m256i c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
#define HW_PROBE_MAC(c) c = _mm256_add_epi32(c, _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), ones))
  for (int64_t i = 0; i < iters; ++i) {
    HW_PROBE_MAC(c0), HW_PROBE_MAC(c1), HW_PROBE_MAC(c2), HW_PROBE_MAC(c3);
    HW_PROBE_MAC(c4), HW_PROBE_MAC(c5), HW_PROBE_MAC(c6), HW_PROBE_MAC(c7);
    __asm__ volatile("" : "+x"(c0), "+x"(c1), "+x"(c2), "+x"(c3), "+x"(c4), "+x"(c5), "+x"(c6), "+x"(c7));
  }
#undef HW_PROBE_MAC
  const __m256i s = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(c0, c1), _mm256_add_epi32(c2, c3)),
                                     _mm256_add_epi32(_mm256_add_epi32(c4, c5), _mm256_add_epi32(c6, c7)));
  alignas(32) int32_t out[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(out), s);
  int64_t r = 0;
  for (int32_t v : out) r += v;
  return r;
}

float fma_ymm(int64_t iters, const float* seed) {
  const __m256 a = _mm256_set1_ps(seed[0]), b = _mm256_set1_ps(seed[1]), z = _mm256_set1_ps(seed[2]);
  __m256 c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z, c8 = z, c9 = z, c10 = z, c11 = z;
#define HW_PROBE_FMA(c) c = _mm256_fmadd_ps(a, c, b)
  for (int64_t i = 0; i < iters; ++i) {
    HW_PROBE_FMA(c0), HW_PROBE_FMA(c1), HW_PROBE_FMA(c2), HW_PROBE_FMA(c3), HW_PROBE_FMA(c4), HW_PROBE_FMA(c5);
    HW_PROBE_FMA(c6), HW_PROBE_FMA(c7), HW_PROBE_FMA(c8), HW_PROBE_FMA(c9), HW_PROBE_FMA(c10), HW_PROBE_FMA(c11);
    __asm__ volatile("" : "+x"(c0), "+x"(c1), "+x"(c2), "+x"(c3), "+x"(c4), "+x"(c5));
    __asm__ volatile("" : "+x"(c6), "+x"(c7), "+x"(c8), "+x"(c9), "+x"(c10), "+x"(c11));
  }
#undef HW_PROBE_FMA
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                           _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11)));
  alignas(32) float out[8];
  _mm256_store_ps(out, s);
  float r = 0;
  for (float v : out) r += v;
  return r;
}

}  // namespace hw::probe_loops

#else  // not x86-64: never called (cpu_features reports nothing)
namespace hw::probe_loops {
int64_t int8_maddubs_ymm(int64_t, const int32_t*) { return 0; }
float fma_ymm(int64_t, const float*) { return 0; }
}  // namespace hw::probe_loops
#endif
