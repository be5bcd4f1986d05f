// The K-quant super-block types Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and the activation type Q8_K:
// scalar reference kernels.
//
// Each block is unpacked to 256 integer levels and per-sub-block integer scales first;
// dequantisation and dot products then follow ggml's reference order of float operations.
// Weight quantisers are plain round-to-nearest (no search for the best scales); the Q8_K
// activation quantiser is ggml's quantize_row_q8_K_ref.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/f16.h"
#include "kernels/quant_internal.h"


namespace hw {
namespace {

using quant_detail::nearest_int;
using quant_detail::signed_absmax;

// ---- Where each element's bits live.

// Q2_K/Q3_K low 2 bits: element e = 128*h + 32*j + l is in bits 2j..2j+1 of qs[32*h + l].
int get_2bits(const uint8_t* qs, int e) {
  return (qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3;
}
void set_2bits(uint8_t* qs, int e, int v) {  // qs zeroed beforehand
  qs[32 * (e / 128) + e % 32] |= uint8_t(v << (2 * ((e % 128) / 32)));
}

// Q3_K/Q5_K high bit: element e is bit e / 32 of hbits[e % 32].
int get_hbit(const uint8_t* hbits, int e) { return (hbits[e % 32] >> (e / 32)) & 1; }
void set_hbit(uint8_t* hbits, int e, int v) { hbits[e % 32] |= uint8_t(v << (e / 32)); }

// Q4_K/Q5_K low 4 bits: element e = 64*c + 32*k + l is nibble k of qs[32*c + l].
int get_nibble(const uint8_t* qs, int e) {
  return (qs[32 * (e / 64) + e % 32] >> (4 * ((e / 32) % 2))) & 0xF;
}
void set_nibble(uint8_t* qs, int e, int v) {
  qs[32 * (e / 64) + e % 32] |= uint8_t(v << (4 * ((e / 32) % 2)));
}

// Q6_K: element e = 128*h + 32*g + l has its low nibble in ql[64*h + 32*(g%2) + l] (nibble g/2)
// and its high 2 bits in bits 2g..2g+1 of qh[32*h + l].
int get_6bits(const uint8_t* ql, const uint8_t* qh, int e) {
  const int h = e / 128, g = (e % 128) / 32, l = e % 32;
  const int lo = (ql[64 * h + 32 * (g % 2) + l] >> (4 * (g / 2))) & 0xF;
  const int hi = (qh[32 * h + l] >> (2 * g)) & 3;
  return lo | hi << 4;
}
void set_6bits(uint8_t* ql, uint8_t* qh, int e, int v) {
  const int h = e / 128, g = (e % 128) / 32, l = e % 32;
  ql[64 * h + 32 * (g % 2) + l] |= uint8_t((v & 0xF) << (4 * (g / 2)));
  qh[32 * h + l] |= uint8_t((v >> 4) << (2 * g));
}

// Q4_K/Q5_K: 8 pairs (scale, min) of 6 bits in 12 bytes. Pairs 0-3 take the low 6 bits of
// bytes 0-3 and 4-7; pairs 4-7 take the nibbles of bytes 8-11 plus the top 2 bits of bytes 0-7.
void get_scale_min(const uint8_t* s, int j, int* sc, int* m) {
  if (j < 4) {
    *sc = s[j] & 63;
    *m = s[j + 4] & 63;
  } else {
    *sc = (s[j + 4] & 0xF) | (s[j - 4] >> 6) << 4;
    *m = (s[j + 4] >> 4) | (s[j] >> 6) << 4;
  }
}
void set_scale_min(uint8_t* s, int j, int sc, int m) {  // s zeroed beforehand
  if (j < 4) {
    s[j] |= uint8_t(sc);
    s[j + 4] |= uint8_t(m);
  } else {
    s[j + 4] |= uint8_t((sc & 0xF) | (m & 0xF) << 4);
    s[j - 4] |= uint8_t((sc >> 4) << 6);
    s[j] |= uint8_t((m >> 4) << 6);
  }
}

// Q3_K: 16 scales of 6 bits, stored +32. Low 4 bits: nibble j/8 of byte j%8; high 2 bits:
// bits 2*(j/4)..+1 of byte 8 + j%4.
int get_q3_scale(const uint8_t* s, int j) {
  const int lo = (s[j % 8] >> (4 * (j / 8))) & 0xF;
  const int hi = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
  return (lo | hi << 4) - 32;
}
void set_q3_scale(uint8_t* s, int j, int v) {  // v in -32..31; s zeroed beforehand
  const int u = v + 32;
  s[j % 8] |= uint8_t((u & 0xF) << (4 * (j / 8)));
  s[8 + j % 4] |= uint8_t((u >> 4) << (2 * (j / 4)));
}

// ---- Levels: each block's 256 integer quants, with the offset of the format removed.

void levels_q2_K(const BlockQ2_K& b, int8_t* q) {
  for (int e = 0; e < kQK_K; ++e) q[e] = int8_t(get_2bits(b.qs, e));  // 0..3
}
void levels_q3_K(const BlockQ3_K& b, int8_t* q) {  // -4..3; a set high bit means no offset
  for (int e = 0; e < kQK_K; ++e)
    q[e] = int8_t(get_2bits(b.qs, e) - (get_hbit(b.hmask, e) ? 0 : 4));
}
void levels_q4_K(const BlockQ4_K& b, int8_t* q) {
  for (int e = 0; e < kQK_K; ++e) q[e] = int8_t(get_nibble(b.qs, e));  // 0..15
}
void levels_q5_K(const BlockQ5_K& b, int8_t* q) {
  for (int e = 0; e < kQK_K; ++e) q[e] = int8_t(get_nibble(b.qs, e) | get_hbit(b.qh, e) << 4);
}
void levels_q6_K(const BlockQ6_K& b, int8_t* q) {
  for (int e = 0; e < kQK_K; ++e) q[e] = int8_t(get_6bits(b.ql, b.qh, e) - 32);  // -32..31
}

// ---- Round-to-nearest fitting shared by the weight quantisers.

// Affine fit of each sub-block of `sub` elements: x ~ scale*q - min, q in 0..nmax, min >= 0.
void fit_affine(const float* x, int sub, int nmax, float* scale, float* min) {
  for (int j = 0; j < kQK_K / sub; ++j) {
    const float* xs = x + j * sub;
    float lo = 0, hi = xs[0];
    for (int i = 0; i < sub; ++i) {
      lo = std::min(lo, xs[i]);
      hi = std::max(hi, xs[i]);
    }
    scale[j] = (hi - lo) / float(nmax);
    min[j] = -lo;
  }
}

// Non-negative values v[n] as integers 0..qmax times one step; returns the step.
float quantize_unsigned(const float* v, int n, int qmax, int* l) {
  const float vmax = *std::max_element(v, v + n);
  const float inv = vmax > 0 ? float(qmax) / vmax : 0.0f;
  for (int j = 0; j < n; ++j) l[j] = std::min(qmax, nearest_int(inv * v[j]));
  return vmax / float(qmax);
}

// Signed values v[n] as integers -qn..qn-1 times one step, the largest magnitude mapping to
// exactly -qn (as ggml's Q4_0 and K-quant references do); returns the step.
float quantize_signed(const float* v, int n, int qn, int* l) {
  const float vmax = signed_absmax(v, n);
  const float iscale = vmax != 0 ? -float(qn) / vmax : 0.0f;
  for (int j = 0; j < n; ++j) l[j] = std::clamp(nearest_int(iscale * v[j]), -qn, qn - 1);
  return vmax != 0 ? 1 / iscale : 0.0f;
}

// Levels of x for the affine types, given the stored super-block scales and integer
// sub-block scales/mins: q = round((x + dmin*m) / (d*sc)), clamped to 0..nmax.
void affine_levels(const float* x, int sub, int nmax, float d, float dmin, const int* sc,
                   const int* m, int* q) {
  for (int e = 0; e < kQK_K; ++e) {
    const float dl = d * float(sc[e / sub]);
    const float ml = dmin * float(m[e / sub]);
    q[e] = dl != 0 ? std::clamp(nearest_int((x[e] + ml) / dl), 0, nmax) : 0;
  }
}

// Levels of x for the symmetric types: q = round(x / (d*sc)) clamped to -qn..qn-1.
void signed_levels(const float* x, int qn, float d, const int* sc, int* q) {
  for (int e = 0; e < kQK_K; ++e) {
    const float dl = d * float(sc[e / 16]);
    q[e] = dl != 0 ? std::clamp(nearest_int(x[e] / dl), -qn, qn - 1) : 0;
  }
}

// ---- Dot products. ggml's reference adds a super-block's products into 8 integer lanes
// (element e into lane e % 8), scales each lane by d in float, and adds the 8 lane totals to
// the row sum only after the last block. The same order here gives bit-identical sums.

void add_lanes(const int8_t* q, const int* scale16, const int8_t* q8, float d, float* lanes) {
  int32_t acc[8] = {};
  for (int e = 0; e < kQK_K; ++e) acc[e % 8] += scale16[e / 16] * (q[e] * q8[e]);
  for (int l = 0; l < 8; ++l) lanes[l] += d * float(acc[l]);
}

float finish_lanes(float sum, const float* lanes) {
  for (int l = 0; l < 8; ++l) sum += lanes[l];
  return sum;
}

// ---- Q2_K: value = d*sc*q - dmin*m, 16 sub-blocks of 16, 4-bit sc and m.

void dequant_q2_K(const void* src, float* y, int64_t nb) {
  const auto* x = static_cast<const BlockQ2_K*>(src);
  for (int64_t i = 0; i < nb; ++i, y += kQK_K) {
    const float d = f16_to_f32(x[i].d), dmin = f16_to_f32(x[i].dmin);
    int8_t q[kQK_K];
    levels_q2_K(x[i], q);
    for (int e = 0; e < kQK_K; ++e) {
      const int s = x[i].scales[e / 16];
      const float dl = d * float(s & 0xF), ml = dmin * float(s >> 4);
      y[e] = dl * float(q[e]) - ml;
    }
  }
}

void quant_q2_K(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ2_K*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
    float scale[16], min[16];
    int sc[16], m[16], q[kQK_K];
    fit_affine(x, 16, 3, scale, min);
    y[i].d = f32_to_f16(quantize_unsigned(scale, 16, 15, sc));
    y[i].dmin = f32_to_f16(quantize_unsigned(min, 16, 15, m));
    affine_levels(x, 16, 3, f16_to_f32(y[i].d), f16_to_f32(y[i].dmin), sc, m, q);
    std::memset(y[i].qs, 0, sizeof y[i].qs);
    for (int j = 0; j < 16; ++j) y[i].scales[j] = uint8_t(sc[j] | m[j] << 4);
    for (int e = 0; e < kQK_K; ++e) set_2bits(y[i].qs, e, q[e]);
  }
}

float dot_q2_K(const void* w, const void* act, int64_t nb) {
  const auto* x = static_cast<const BlockQ2_K*>(w);
  const auto* y = static_cast<const BlockQ8_K*>(act);
  float sum = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int8_t q[kQK_K];
    levels_q2_K(x[i], q);
    int isum = 0, summs = 0;
    for (int e = 0; e < kQK_K; ++e) isum += (x[i].scales[e / 16] & 0xF) * (q[e] * y[i].qs[e]);
    for (int j = 0; j < 16; ++j) summs += y[i].bsums[j] * (x[i].scales[j] >> 4);
    const float dall = y[i].d * f16_to_f32(x[i].d);
    const float dmin = y[i].d * f16_to_f32(x[i].dmin);
    sum += dall * float(isum) - dmin * float(summs);
  }
  return sum;
}

// ---- Q3_K: value = d*sc*q, 16 sub-blocks of 16, signed 6-bit sc, q in -4..3.

void dequant_q3_K(const void* src, float* y, int64_t nb) {
  const auto* x = static_cast<const BlockQ3_K*>(src);
  for (int64_t i = 0; i < nb; ++i, y += kQK_K) {
    const float d = f16_to_f32(x[i].d);
    int8_t q[kQK_K];
    levels_q3_K(x[i], q);
    for (int e = 0; e < kQK_K; ++e) {
      const float dl = d * float(get_q3_scale(x[i].scales, e / 16));
      y[e] = dl * float(q[e]);
    }
  }
}

void quant_q3_K(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ3_K*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
    float scale[16];
    int sc[16], q[kQK_K];
    for (int j = 0; j < 16; ++j) scale[j] = signed_absmax(x + 16 * j, 16) / -4;
    y[i].d = f32_to_f16(quantize_signed(scale, 16, 32, sc));
    signed_levels(x, 4, f16_to_f32(y[i].d), sc, q);
    std::memset(y[i].scales, 0, sizeof y[i].scales);
    std::memset(y[i].qs, 0, sizeof y[i].qs);
    std::memset(y[i].hmask, 0, sizeof y[i].hmask);
    for (int j = 0; j < 16; ++j) set_q3_scale(y[i].scales, j, sc[j]);
    for (int e = 0; e < kQK_K; ++e) {
      const int u = q[e] + 4;  // 0..7: the high bit set means "no -4 offset"
      set_2bits(y[i].qs, e, u & 3);
      set_hbit(y[i].hmask, e, u >> 2);
    }
  }
}

float dot_q3_K(const void* w, const void* act, int64_t nb) {
  const auto* x = static_cast<const BlockQ3_K*>(w);
  const auto* y = static_cast<const BlockQ8_K*>(act);
  float lanes[8] = {};
  for (int64_t i = 0; i < nb; ++i) {
    int8_t q[kQK_K];
    int sc[16];
    levels_q3_K(x[i], q);
    for (int j = 0; j < 16; ++j) sc[j] = get_q3_scale(x[i].scales, j);
    add_lanes(q, sc, y[i].qs, f16_to_f32(x[i].d) * y[i].d, lanes);
  }
  return finish_lanes(0, lanes);
}

// ---- Q4_K and Q5_K: value = d*sc*q - dmin*m, 8 sub-blocks of 32, 6-bit sc and m;
// q in 0..15 (Q4_K) or 0..31 (Q5_K, the fifth bit in qh).

template <class Block, void (*kLevels)(const Block&, int8_t*)>
void dequant_q45_K(const void* src, float* y, int64_t nb) {
  const auto* x = static_cast<const Block*>(src);
  for (int64_t i = 0; i < nb; ++i, y += kQK_K) {
    const float d = f16_to_f32(x[i].d), dmin = f16_to_f32(x[i].dmin);
    int8_t q[kQK_K];
    kLevels(x[i], q);
    for (int j = 0; j < 8; ++j) {
      int sc, m;
      get_scale_min(x[i].scales, j, &sc, &m);
      const float dl = d * float(sc), ml = dmin * float(m);
      for (int e = 32 * j; e < 32 * j + 32; ++e) y[e] = dl * float(q[e]) - ml;
    }
  }
}

// Fits one super-block for Q4_K/Q5_K: fills d, dmin, scales and returns the levels in q.
template <class Block>
void quant_q45_K_block(const float* x, int nmax, Block* b, int* q) {
  float scale[8], min[8];
  int sc[8], m[8];
  fit_affine(x, 32, nmax, scale, min);
  b->d = f32_to_f16(quantize_unsigned(scale, 8, 63, sc));
  b->dmin = f32_to_f16(quantize_unsigned(min, 8, 63, m));
  std::memset(b->scales, 0, sizeof b->scales);
  for (int j = 0; j < 8; ++j) set_scale_min(b->scales, j, sc[j], m[j]);
  affine_levels(x, 32, nmax, f16_to_f32(b->d), f16_to_f32(b->dmin), sc, m, q);
}

void quant_q4_K(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ4_K*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
    int q[kQK_K];
    quant_q45_K_block(x, 15, &y[i], q);
    std::memset(y[i].qs, 0, sizeof y[i].qs);
    for (int e = 0; e < kQK_K; ++e) set_nibble(y[i].qs, e, q[e]);
  }
}

void quant_q5_K(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ5_K*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
    int q[kQK_K];
    quant_q45_K_block(x, 31, &y[i], q);
    std::memset(y[i].qs, 0, sizeof y[i].qs);
    std::memset(y[i].qh, 0, sizeof y[i].qh);
    for (int e = 0; e < kQK_K; ++e) {
      set_nibble(y[i].qs, e, q[e] & 0xF);
      set_hbit(y[i].qh, e, q[e] >> 4);
    }
  }
}

template <class Block, void (*kLevels)(const Block&, int8_t*)>
float dot_q45_K(const void* w, const void* act, int64_t nb) {
  const auto* x = static_cast<const Block*>(w);
  const auto* y = static_cast<const BlockQ8_K*>(act);
  float sum = 0, lanes[8] = {};
  for (int64_t i = 0; i < nb; ++i) {
    int8_t q[kQK_K];
    int sc16[16], summ = 0;
    kLevels(x[i], q);
    for (int j = 0; j < 8; ++j) {
      int sc, m;
      get_scale_min(x[i].scales, j, &sc, &m);
      sc16[2 * j] = sc16[2 * j + 1] = sc;
      summ += m * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
    }
    add_lanes(q, sc16, y[i].qs, f16_to_f32(x[i].d) * y[i].d, lanes);
    sum -= (f16_to_f32(x[i].dmin) * y[i].d) * float(summ);
  }
  return finish_lanes(sum, lanes);
}

// ---- Q6_K: value = d*sc*q, 16 sub-blocks of 16, int8 sc, q in -32..31.

void dequant_q6_K(const void* src, float* y, int64_t nb) {
  const auto* x = static_cast<const BlockQ6_K*>(src);
  for (int64_t i = 0; i < nb; ++i, y += kQK_K) {
    const float d = f16_to_f32(x[i].d);
    int8_t q[kQK_K];
    levels_q6_K(x[i], q);
    for (int e = 0; e < kQK_K; ++e) y[e] = d * float(x[i].scales[e / 16]) * float(q[e]);
  }
}

void quant_q6_K(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ6_K*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
    float scale[16];
    int sc[16], q[kQK_K];
    for (int j = 0; j < 16; ++j) scale[j] = signed_absmax(x + 16 * j, 16) / -32;
    y[i].d = f32_to_f16(quantize_signed(scale, 16, 128, sc));
    signed_levels(x, 32, f16_to_f32(y[i].d), sc, q);
    std::memset(y[i].ql, 0, sizeof y[i].ql);
    std::memset(y[i].qh, 0, sizeof y[i].qh);
    for (int j = 0; j < 16; ++j) y[i].scales[j] = int8_t(sc[j]);
    for (int e = 0; e < kQK_K; ++e) set_6bits(y[i].ql, y[i].qh, e, q[e] + 32);
  }
}

float dot_q6_K(const void* w, const void* act, int64_t nb) {
  const auto* x = static_cast<const BlockQ6_K*>(w);
  const auto* y = static_cast<const BlockQ8_K*>(act);
  float lanes[8] = {};
  for (int64_t i = 0; i < nb; ++i) {
    int8_t q[kQK_K];
    int sc[16];
    levels_q6_K(x[i], q);
    for (int j = 0; j < 16; ++j) sc[j] = x[i].scales[j];
    add_lanes(q, sc, y[i].qs, f16_to_f32(x[i].d) * y[i].d, lanes);
  }
  return finish_lanes(0, lanes);
}

// ---- Q8_K (activations): value = d*q with a float d; q = round-half-even(-127/max * x),
// where max is the element of largest magnitude, so that element becomes exactly -127.

void dequant_q8_K(const void* src, float* y, int64_t nb) {
  const auto* x = static_cast<const BlockQ8_K*>(src);
  for (int64_t i = 0; i < nb; ++i, y += kQK_K)
    for (int e = 0; e < kQK_K; ++e) y[e] = x[i].d * float(x[i].qs[e]);
}

void quant_q8_K(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ8_K*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
    const float max = signed_absmax(x, kQK_K);
    if (max == 0) {  // ggml leaves bsums unset here; zero is their true value
      std::memset(&y[i], 0, sizeof y[i]);
      continue;
    }
    const float iscale = -127.f / max;
    for (int e = 0; e < kQK_K; ++e) y[i].qs[e] = int8_t(std::min(127, nearest_int(iscale * x[e])));
    for (int j = 0; j < 16; ++j) {
      int sum = 0;
      for (int e = 16 * j; e < 16 * j + 16; ++e) sum += y[i].qs[e];
      y[i].bsums[j] = int16_t(sum);
    }
    y[i].d = 1 / iscale;
  }
}

constexpr QuantKernels kKKernels[] = {
    {DType::Q2_K, DType::Q8_K, dequant_q2_K, quant_q2_K, dot_q2_K},
    {DType::Q3_K, DType::Q8_K, dequant_q3_K, quant_q3_K, dot_q3_K},
    {DType::Q4_K, DType::Q8_K, dequant_q45_K<BlockQ4_K, levels_q4_K>, quant_q4_K,
     dot_q45_K<BlockQ4_K, levels_q4_K>},
    {DType::Q5_K, DType::Q8_K, dequant_q45_K<BlockQ5_K, levels_q5_K>, quant_q5_K,
     dot_q45_K<BlockQ5_K, levels_q5_K>},
    {DType::Q6_K, DType::Q8_K, dequant_q6_K, quant_q6_K, dot_q6_K},
    {DType::Q8_K, DType::Q8_K, dequant_q8_K, quant_q8_K, nullptr},
};

}  // namespace

namespace quant_detail {
std::span<const QuantKernels> k_kernels() { return kKKernels; }
}  // namespace quant_detail

}  // namespace hw
