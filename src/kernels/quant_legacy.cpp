// The 32-element block types Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1: scalar reference kernels.
//
// Each block is unpacked to its integer levels first; dequantisation and dot products then
// scale those levels in exactly ggml's order of float operations (noted where it matters).
// Quantisers follow ggml's quantize_row_*_ref (round to nearest with one scale, plus a min
// for the _1 types).
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "base/f16.h"
#include "kernels/quant_internal.h"


namespace hw {
namespace {

using quant_detail::signed_absmax;

// Bit j of the block's little-endian high-bit word is bit 4 of element j.
uint32_t load_qh(const uint8_t* qh) {
  return uint32_t(qh[0]) | uint32_t(qh[1]) << 8 | uint32_t(qh[2]) << 16 | uint32_t(qh[3]) << 24;
}

void store_qh(uint32_t v, uint8_t* qh) {
  for (int i = 0; i < 4; ++i) qh[i] = uint8_t(v >> (8 * i));
}

// Element j < 16 is the low nibble of qs[j], element j + 16 the high nibble.
void unpack_nibbles(const uint8_t* qs, int* q) {
  for (int j = 0; j < kQK / 2; ++j) {
    q[j] = qs[j] & 0x0F;
    q[j + kQK / 2] = qs[j] >> 4;
  }
}

void pack_nibbles(const int* q, uint8_t* qs) {
  for (int j = 0; j < kQK / 2; ++j) qs[j] = uint8_t((q[j] & 0x0F) | (q[j + kQK / 2] & 0x0F) << 4);
}

// 5-bit levels 0..31: nibbles plus the high-bit word.
void unpack_q5(const uint8_t* qs, const uint8_t* qh, int* q) {
  unpack_nibbles(qs, q);
  const uint32_t h = load_qh(qh);
  for (int j = 0; j < kQK; ++j) q[j] |= int((h >> j) & 1) << 4;
}

void pack_q5(const int* q, uint8_t* qs, uint8_t* qh) {
  pack_nibbles(q, qs);
  uint32_t h = 0;
  for (int j = 0; j < kQK; ++j) h |= uint32_t((q[j] >> 4) & 1) << j;
  store_qh(h, qh);
}

// Integer dot of 32 levels with 32 int8 activations.
int dot_levels(const int* q, const int8_t* x) {
  int sum = 0;
  for (int j = 0; j < kQK; ++j) sum += q[j] * x[j];
  return sum;
}

// ---- Q4_0: value = d * (q - 8)

void dequant_q4_0(const void* src, float* y, int64_t nb) {
  const auto* x = static_cast<const BlockQ4_0*>(src);
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = f16_to_f32(x[i].d);
    int q[kQK];
    unpack_nibbles(x[i].qs, q);
    for (int j = 0; j < kQK; ++j) y[j] = float(q[j] - 8) * d;
  }
}

void quant_q4_0(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ4_0*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    const float d = signed_absmax(x, kQK) / -8;  // the largest magnitude maps to level 0
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = f32_to_f16(d);
    int q[kQK];
    for (int j = 0; j < kQK; ++j) q[j] = std::clamp(int(x[j] * id + 8.5f), 0, 15);
    pack_nibbles(q, y[i].qs);
  }
}

float dot_q4_0(const void* w, const void* act, int64_t nb) {
  const auto* x = static_cast<const BlockQ4_0*>(w);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  float sum = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int q[kQK];
    unpack_nibbles(x[i].qs, q);
    for (int& v : q) v -= 8;
    const int sumi = dot_levels(q, y[i].qs);
    sum += float(sumi) * f16_to_f32(x[i].d) * f16_to_f32(y[i].d);  // (sumi * dx) * dy
  }
  return sum;
}

// ---- Q4_1: value = d * q + m

void dequant_q4_1(const void* src, float* y, int64_t nb) {
  const auto* x = static_cast<const BlockQ4_1*>(src);
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = f16_to_f32(x[i].d);
    const float m = f16_to_f32(x[i].m);
    int q[kQK];
    unpack_nibbles(x[i].qs, q);
    for (int j = 0; j < kQK; ++j) y[j] = float(q[j]) * d + m;
  }
}

// Minimum and maximum of a block, as ggml's reference finds them.
void min_max(const float* x, int n, float* lo, float* hi) {
  *lo = FLT_MAX;
  *hi = -FLT_MAX;
  for (int j = 0; j < n; ++j) {
    if (x[j] < *lo) *lo = x[j];
    if (x[j] > *hi) *hi = x[j];
  }
}

void quant_q4_1(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ4_1*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    float lo, hi;
    min_max(x, kQK, &lo, &hi);
    const float d = (hi - lo) / 15;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = f32_to_f16(d);
    y[i].m = f32_to_f16(lo);
    int q[kQK];
    for (int j = 0; j < kQK; ++j) q[j] = std::clamp(int((x[j] - lo) * id + 0.5f), 0, 15);
    pack_nibbles(q, y[i].qs);
  }
}

float dot_q4_1(const void* w, const void* act, int64_t nb) {
  const auto* x = static_cast<const BlockQ4_1*>(w);
  const auto* y = static_cast<const BlockQ8_1*>(act);
  float sum = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int q[kQK];
    unpack_nibbles(x[i].qs, q);
    const int sumi = dot_levels(q, y[i].qs);
    sum += (f16_to_f32(x[i].d) * f16_to_f32(y[i].d)) * float(sumi) +
           f16_to_f32(x[i].m) * f16_to_f32(y[i].s);
  }
  return sum;
}

// ---- Q5_0: value = d * (q - 16)

void dequant_q5_0(const void* src, float* y, int64_t nb) {
  const auto* x = static_cast<const BlockQ5_0*>(src);
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = f16_to_f32(x[i].d);
    int q[kQK];
    unpack_q5(x[i].qs, x[i].qh, q);
    for (int j = 0; j < kQK; ++j) y[j] = float(q[j] - 16) * d;
  }
}

void quant_q5_0(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ5_0*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    const float d = signed_absmax(x, kQK) / -16;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = f32_to_f16(d);
    int q[kQK];
    for (int j = 0; j < kQK; ++j) q[j] = std::clamp(int(x[j] * id + 16.5f), 0, 31);
    pack_q5(q, y[i].qs, y[i].qh);
  }
}

float dot_q5_0(const void* w, const void* act, int64_t nb) {
  const auto* x = static_cast<const BlockQ5_0*>(w);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  float sum = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int q[kQK];
    unpack_q5(x[i].qs, x[i].qh, q);
    for (int& v : q) v -= 16;
    const int sumi = dot_levels(q, y[i].qs);
    sum += (f16_to_f32(x[i].d) * f16_to_f32(y[i].d)) * float(sumi);
  }
  return sum;
}

// ---- Q5_1: value = d * q + m

void dequant_q5_1(const void* src, float* y, int64_t nb) {
  const auto* x = static_cast<const BlockQ5_1*>(src);
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = f16_to_f32(x[i].d);
    const float m = f16_to_f32(x[i].m);
    int q[kQK];
    unpack_q5(x[i].qs, x[i].qh, q);
    for (int j = 0; j < kQK; ++j) y[j] = float(q[j]) * d + m;
  }
}

void quant_q5_1(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ5_1*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    float lo, hi;
    min_max(x, kQK, &lo, &hi);
    const float d = (hi - lo) / 31;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = f32_to_f16(d);
    y[i].m = f32_to_f16(lo);
    int q[kQK];
    for (int j = 0; j < kQK; ++j) q[j] = std::clamp(int((x[j] - lo) * id + 0.5f), 0, 31);
    pack_q5(q, y[i].qs, y[i].qh);
  }
}

float dot_q5_1(const void* w, const void* act, int64_t nb) {
  const auto* x = static_cast<const BlockQ5_1*>(w);
  const auto* y = static_cast<const BlockQ8_1*>(act);
  float sum = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int q[kQK];
    unpack_q5(x[i].qs, x[i].qh, q);
    const int sumi = dot_levels(q, y[i].qs);
    sum += (f16_to_f32(x[i].d) * f16_to_f32(y[i].d)) * float(sumi) +
           f16_to_f32(x[i].m) * f16_to_f32(y[i].s);
  }
  return sum;
}

// ---- Q8_0 and Q8_1: value = d * q; q = roundf(x / d) with d = absmax / 127.
// Q8_1 also stores s = d * sum(q) for the min term of the _1 weight types.

// Quantises 32 values to qs; returns d. Half-way cases round away from zero (roundf).
float quant_q8_block(const float* x, int8_t* qs) {
  float amax = 0;
  for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float d = amax / 127;
  const float id = d != 0 ? 1.0f / d : 0.0f;
  for (int j = 0; j < kQK; ++j) qs[j] = int8_t(std::round(x[j] * id));
  return d;
}

void dequant_q8_0(const void* src, float* y, int64_t nb) {
  const auto* x = static_cast<const BlockQ8_0*>(src);
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = f16_to_f32(x[i].d);
    for (int j = 0; j < kQK; ++j) y[j] = float(x[i].qs[j]) * d;
  }
}

void quant_q8_0(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ8_0*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK) y[i].d = f32_to_f16(quant_q8_block(x, y[i].qs));
}

float dot_q8_0(const void* w, const void* act, int64_t nb) {
  const auto* x = static_cast<const BlockQ8_0*>(w);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  float sum = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int sumi = 0;
    for (int j = 0; j < kQK; ++j) sumi += x[i].qs[j] * y[i].qs[j];
    sum += float(sumi) * (f16_to_f32(x[i].d) * f16_to_f32(y[i].d));
  }
  return sum;
}

void dequant_q8_1(const void* src, float* y, int64_t nb) {
  const auto* x = static_cast<const BlockQ8_1*>(src);
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = f16_to_f32(x[i].d);
    for (int j = 0; j < kQK; ++j) y[j] = float(x[i].qs[j]) * d;
  }
}

void quant_q8_1(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ8_1*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    const float d = quant_q8_block(x, y[i].qs);
    int sum = 0;
    for (int8_t q : y[i].qs) sum += q;
    y[i].d = f32_to_f16(d);
    y[i].s = f32_to_f16(float(sum) * d);
  }
}

constexpr QuantKernels kLegacyKernels[] = {
    {DType::Q4_0, DType::Q8_0, dequant_q4_0, quant_q4_0, dot_q4_0},
    {DType::Q4_1, DType::Q8_1, dequant_q4_1, quant_q4_1, dot_q4_1},
    {DType::Q5_0, DType::Q8_0, dequant_q5_0, quant_q5_0, dot_q5_0},
    {DType::Q5_1, DType::Q8_1, dequant_q5_1, quant_q5_1, dot_q5_1},
    {DType::Q8_0, DType::Q8_0, dequant_q8_0, quant_q8_0, dot_q8_0},
    {DType::Q8_1, DType::Q8_1, dequant_q8_1, quant_q8_1, nullptr},
};

}  // namespace

namespace quant_detail {
std::span<const QuantKernels> legacy_kernels() { return kLegacyKernels; }
}  // namespace quant_detail

}  // namespace hw
