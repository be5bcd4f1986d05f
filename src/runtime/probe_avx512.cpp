// AVX-512 register loops for runtime/probe.h, compiled with AVX-512 F/BW/VL/VNNI/BF16 flags
// (CMakeLists.txt). int8_vnni_zmm runs only where kernels/isa.h reports AVX-512 VNNI, bf16_dp_zmm
// only where it reports AVX512_BF16. Includes no inline functions of other headers.
#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>

namespace hw::probe_loops {

// 16 accumulators in named variables (an array would live in memory), kept opaque to the
// optimiser by empty asm statements (two: asm takes at most 30 operands).
#define HW_PROBE_ACC16(T, init) T c0 = init, c1 = init, c2 = init, c3 = init, c4 = init, c5 = init, c6 = init, \
  c7 = init, c8 = init, c9 = init, c10 = init, c11 = init, c12 = init, c13 = init, c14 = init, c15 = init
#define HW_PROBE_STEP16(OP) c0 = OP(c0, a, b), c1 = OP(c1, a, b), c2 = OP(c2, a, b), c3 = OP(c3, a, b), \
  c4 = OP(c4, a, b), c5 = OP(c5, a, b), c6 = OP(c6, a, b), c7 = OP(c7, a, b), c8 = OP(c8, a, b),       \
  c9 = OP(c9, a, b), c10 = OP(c10, a, b), c11 = OP(c11, a, b), c12 = OP(c12, a, b), c13 = OP(c13, a, b), \
  c14 = OP(c14, a, b), c15 = OP(c15, a, b)
#define HW_PROBE_KEEP16()                                                                              \
  __asm__ volatile("" : "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3), "+v"(c4), "+v"(c5), "+v"(c6), "+v"(c7)); \
  __asm__ volatile("" : "+v"(c8), "+v"(c9), "+v"(c10), "+v"(c11), "+v"(c12), "+v"(c13), "+v"(c14), "+v"(c15))

int64_t int8_vnni_zmm(int64_t iters, const int32_t* seed) {
  const __m512i a = _mm512_set1_epi32(seed[0]), b = _mm512_set1_epi32(seed[1]);
  HW_PROBE_ACC16(__m512i, _mm512_set1_epi32(seed[2]));
  for (int64_t i = 0; i < iters; ++i) {
    HW_PROBE_STEP16(_mm512_dpbusd_epi32);
    HW_PROBE_KEEP16();
  }
  const __m512i s = _mm512_add_epi32(
      _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(c0, c1), _mm512_add_epi32(c2, c3)),
                       _mm512_add_epi32(_mm512_add_epi32(c4, c5), _mm512_add_epi32(c6, c7))),
      _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(c8, c9), _mm512_add_epi32(c10, c11)),
                       _mm512_add_epi32(_mm512_add_epi32(c12, c13), _mm512_add_epi32(c14, c15))));
  alignas(64) int32_t out[16];
  _mm512_store_si512(out, s);
  int64_t r = 0;
  for (int32_t v : out) r += v;
  return r;
}

float bf16_dp_zmm(int64_t iters, const float* seed) {
  const __m512 fa = _mm512_set1_ps(seed[0]), fb = _mm512_set1_ps(seed[1]);
  const __m512bh a = _mm512_cvtne2ps_pbh(fa, fa), b = _mm512_cvtne2ps_pbh(fb, fb);
  HW_PROBE_ACC16(__m512, _mm512_set1_ps(seed[2]));
  for (int64_t i = 0; i < iters; ++i) {
    HW_PROBE_STEP16(_mm512_dpbf16_ps);
    HW_PROBE_KEEP16();
  }
  const __m512 s = _mm512_add_ps(
      _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c0, c1), _mm512_add_ps(c2, c3)),
                    _mm512_add_ps(_mm512_add_ps(c4, c5), _mm512_add_ps(c6, c7))),
      _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c8, c9), _mm512_add_ps(c10, c11)),
                    _mm512_add_ps(_mm512_add_ps(c12, c13), _mm512_add_ps(c14, c15))));
  alignas(64) float out[16];
  _mm512_store_ps(out, s);
  float r = 0;
  for (float v : out) r += v;
  return r;
}

#undef HW_PROBE_ACC16
#undef HW_PROBE_STEP16
#undef HW_PROBE_KEEP16

}  // namespace hw::probe_loops

#else  // not x86-64: never called (cpu_features reports nothing)
namespace hw::probe_loops {
int64_t int8_vnni_zmm(int64_t, const int32_t*) { return 0; }
float bf16_dp_zmm(int64_t, const float*) { return 0; }
}  // namespace hw::probe_loops
#endif
