// x86 kernels for the quantised dot products and activation quantisers, written once on
// 256-bit vectors and compiled once per ISA: quant_avx2.cpp (AVX2 + FMA + F16C) and
// quant_avx512.cpp (adds AVX-512 BW/VL/VNNI, used here through a few primitives chosen by
// HW_X86_AVX512). Include it from those files only, after defining HW_X86_AVX512 to 0 or 1.
//
// Everything is in an anonymous namespace, so each including file gets its own copies.
// Nothing here calls an inline function or template of another header (f16.h, <algorithm>,
// std::span, ...): such a function would be emitted with the wider instruction set and the
// linker could hand that copy to baseline code.
//
// Arithmetic: each block's integer dot is exact (as in the scalar reference); blocks are scaled
// and added in float vector lanes, even and odd blocks in two accumulators, and the lanes are
// added in one fixed order at the end. So a result depends only on the inputs and the row
// length, and differs from the scalar reference by float rounding order only. The activation
// quantisers do the scalar reference's float operations element by element, with its rounding
// rules, and give the same bytes.
#pragma once
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/quant.h"
#include "kernels/quant_internal.h"

#ifndef HW_X86_AVX512
#error "define HW_X86_AVX512 before including quant_x86.h"
#endif

namespace hw {
namespace {

// ---- Primitives

__m256i load32(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
__m128i load16(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
void store32(void* p, __m256i v) { _mm256_storeu_si256(static_cast<__m256i*>(p), v); }
float half_to_float(uint16_t h) { return _cvtsh_ss(h); }
uint16_t float_to_half(float f) { return uint16_t(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT)); }

__m256i bytes(int v) { return _mm256_set1_epi8(char(v)); }

// acc + (in each int32 lane) the sum of the four products u[k] * s[k], u unsigned and s signed
// bytes. Exact on both paths: the AVX2 one's 16-bit pair sums stay below 2^15 because every
// caller has u <= 128 and |s| <= 127.
__m256i dot_u8s8(__m256i acc, __m256i u, __m256i s) {
#if HW_X86_AVX512
  return _mm256_dpbusd_epi32(acc, u, s);
#else
  const __m256i pairs = _mm256_maddubs_epi16(u, s);
  return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
#endif
}

// acc + (per int32 lane) scale16 * the products of u and s summed in pairs: the pair of bytes
// 2k, 2k+1 is scaled by 16-bit lane k of scale16. Exact for u <= 63 and |s| <= 127.
__m256i dot_u8s8_scaled(__m256i acc, __m256i u, __m256i s, __m256i scale16) {
  const __m256i pairs = _mm256_maddubs_epi16(u, s);
#if HW_X86_AVX512
  return _mm256_dpwssd_epi32(acc, pairs, scale16);
#else
  return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, scale16));
#endif
}

// Byte j is 0xFF where bit j of `bits` is set, 0 elsewhere. (AVX-512's vpmovm2b would do it in
// one instruction, but with the mask loaded from memory it ran Q5_0 at half the speed of this.)
__m256i bit_mask_bytes(uint32_t bits) {
  // Byte j takes byte j / 8 of the word, then tests its bit j % 8.
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(int(bits)),
      _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303));
  const __m256i bit = _mm256_set1_epi64x(int64_t(0x8040201008040201));
  return _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
}

float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

int hsum_i32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
  return _mm_cvtsi128_si32(s);
}

float hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

__m256 abs_ps(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }

// Adds block(i, acc) over blocks 0..nb-1: even blocks into one accumulator, odd ones into
// another (two independent chains), then the two and their lanes in a fixed order.
template <class Block>
float sum_blocks(int64_t nb, Block block) {
  __m256 even = _mm256_setzero_ps(), odd = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 1 < nb; i += 2) {
    even = block(i, even);
    odd = block(i + 1, odd);
  }
  if (i < nb) even = block(i, even);
  return hsum(_mm256_add_ps(even, odd));
}

// acc + float(isum) * d, lane by lane.
__m256 scale_add(__m256i isum, float d, __m256 acc) {
  return _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(d), acc);
}
uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The half scale d that starts block b, in lane 0. Four bytes are loaded and converted (a plain
// load, where a two-byte one would need a shuffle); lanes 1..3 hold whatever the next bytes of
// the block make and are never used.
template <class Block>
__m128 block_scale(const Block& b) {
  static_assert(offsetof(Block, d) == 0 && sizeof(Block) >= 4);
  return _mm_cvtph_ps(_mm_cvtsi32_si128(int(load_u32(reinterpret_cast<const uint8_t*>(&b)))));
}
// ---- The 32-element block types against Q8_0 / Q8_1 activations.

// A legacy block's 16 bytes of nibbles as 32 bytes: elements 0..15 are the low nibbles,
// 16..31 the high ones. (Both halves loaded at once, the upper one shifted: no shuffles.)
__m256i legacy_nibbles(const uint8_t* qs) {
  const __m256i q = _mm256_broadcastsi128_si256(load16(qs));
  return _mm256_and_si256(_mm256_srlv_epi64(q, _mm256_setr_epi64x(0, 0, 4, 4)), bytes(0x0F));
}

// Each weight type's dot is split into a per-block decode (weights into registers, once per
// block) and a step (one decoded block against one activation block, into one accumulator), so
// the one-column dot and the tiles of many rows and columns (below) do the same float
// operations per output, in the same order, and give the same bits.

// The signed-byte types (Q4_0, Q5_0, Q8_0) against Q8_0. AVX-512 takes the activations as
// unsigned bytes x + 128 and starts each lane at -128 * (its four weights' sum), so one vpdpbusd
// per pair gives the exact lane sums; AVX2 (whose maddubs could saturate on x + 128) gives the
// activations the weights' signs. Both give the same int32 lanes, and the scales are
// multiplied in all lanes at once (the same product as a scalar multiply).
struct SignedBlock {
#if HW_X86_AVX512
  __m256i q, lane_bias;  // lane_bias = -128 * sum of the lane's four weights
#else
  __m256i q, abs_q;
#endif
  __m256 d;
};
struct Q8_0Act {
  __m256i q;  // AVX-512: x + 128 as unsigned bytes; AVX2: x
  __m256 d;
};
Q8_0Act prepare_q8_0(const BlockQ8_0& y) {
#if HW_X86_AVX512
  return {_mm256_xor_si256(load32(y.qs), bytes(0x80)), _mm256_broadcastss_ps(block_scale(y))};
#else
  return {load32(y.qs), _mm256_broadcastss_ps(block_scale(y))};
#endif
}
template <class Block>
SignedBlock signed_block(__m256i q, const Block& b) {
#if HW_X86_AVX512
  const __m256i zero = _mm256_setzero_si256();
  return {q, _mm256_sub_epi32(zero, _mm256_dpbusd_epi32(zero, bytes(0x80), q)), _mm256_broadcastss_ps(block_scale(b))};
#else
  return {q, _mm256_abs_epi8(q), _mm256_broadcastss_ps(block_scale(b))};
#endif
}
__m256 signed_step(const SignedBlock& w, const Q8_0Act& y, __m256 acc) {
#if HW_X86_AVX512
  const __m256i s = _mm256_dpbusd_epi32(w.lane_bias, y.q, w.q);
#else
  const __m256i s = dot_u8s8(_mm256_setzero_si256(), w.abs_q, _mm256_sign_epi8(y.q, w.q));
#endif
  return _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(w.d, y.d), acc);
}

struct SignedOps {
  static constexpr bool kWide = true;  // has dot_tile_wide
  using A = BlockQ8_0;
  using Prepared = Q8_0Act;
  static constexpr bool kMins = false;
  static Prepared prepare(const A& y) { return prepare_q8_0(y); }
  static __m256 step(const SignedBlock& w, const Prepared& y, __m256 acc) { return signed_step(w, y, acc); }
};

struct Q4_0Ops : SignedOps {
  using W = BlockQ4_0;
  static SignedBlock decode(const W& b) {
    return signed_block(_mm256_sub_epi8(legacy_nibbles(b.qs), bytes(8)), b);
  }
};

struct Q5_0Ops : SignedOps {
  using W = BlockQ5_0;
  static SignedBlock decode(const W& b) {
    // q - 16 as a signed byte: the nibble with 0xF0 or-ed in where the fifth bit is clear.
    const __m256i clear = _mm256_andnot_si256(bit_mask_bytes(load_u32(b.qh)), bytes(0xF0));
    return signed_block(_mm256_or_si256(legacy_nibbles(b.qs), clear), b);
  }
};

struct Q8_0Ops : SignedOps {
  using W = BlockQ8_0;
  static SignedBlock decode(const W& b) { return signed_block(load32(b.qs), b); }
};

// Q4_1 and Q5_1: d*q + m against Q8_1, whose s = d*sum(q) carries the min term. The min terms
// are added in block order to one float, kept apart from the vector lanes.
template <class Block, bool kFifthBit>
struct Q_1Ops {
  using W = Block;
  using A = BlockQ8_1;
  static constexpr bool kMins = true;
  static constexpr bool kWide = false;
  struct Decoded {
    __m256i q;
    __m256 d;
  };
  struct Prepared {
    __m256i q;
    __m256 d;
  };
  static Decoded decode(const W& b) {
    __m256i q = legacy_nibbles(b.qs);
    if constexpr (kFifthBit) q = _mm256_or_si256(q, _mm256_and_si256(bit_mask_bytes(load_u32(b.qh)), bytes(0x10)));
    return {q, _mm256_broadcastss_ps(block_scale(b))};
  }
  static Prepared prepare(const A& y) {
    return {load32(y.qs), _mm256_broadcastss_ps(block_scale(y))};
  }
  static float min_term(const W& b, const A& y) { return half_to_float(b.m) * half_to_float(y.s); }
  static __m256 step(const Decoded& w, const Prepared& y, __m256 acc) {
    const __m256i s = dot_u8s8(_mm256_setzero_si256(), w.q, y.q);
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(w.d, y.d), acc);
  }
};

// ---- K-quants against Q8_K activations.

// Q4_K/Q5_K's twelve bytes of 6-bit (scale, min) pairs as two 8-byte groups: the scales in
// bytes 0..7 of the result and the mins in bytes 8..15.
__m128i k4_scales_mins(const uint8_t* s) {
  uint32_t u[3];
  std::memcpy(u, s, 12);
  const uint32_t sc_lo = u[0] & 0x3F3F3F3F, m_lo = u[1] & 0x3F3F3F3F;
  const uint32_t sc_hi = (u[2] & 0x0F0F0F0F) | ((u[0] >> 6) & 0x03030303) << 4;
  const uint32_t m_hi = ((u[2] >> 4) & 0x0F0F0F0F) | ((u[1] >> 6) & 0x03030303) << 4;
  return _mm_setr_epi32(int(sc_lo), int(sc_hi), int(m_lo), int(m_hi));
}

// 16-bit lanes 0..7 of the result are lane a of v's low 128-bit half; lanes 8..15 are lane b
// of its high half.
__m256i broadcast_i16_pair(__m256i v, int a, int b) {
  const __m128i pick_a = _mm_set1_epi16(short(2 * a | (2 * a + 1) << 8));
  const __m128i pick_b = _mm_set1_epi16(short(2 * b | (2 * b + 1) << 8));
  return _mm256_shuffle_epi8(v, _mm256_set_m128i(pick_b, pick_a));
}
__m256i broadcast_i16(__m256i v, int j) { return broadcast_i16_pair(v, j, j); }

// Q4_K (kHigh = false) and Q5_K (true): value = d*sc*q - dmin*m, 8 sub-blocks of 32.
// Chunk c of 32 bytes holds sub-block 2c in its low nibbles and 2c+1 in its high ones; Q5_K's
// fifth bits are bits 2c and 2c+1 of qh's 32 bytes.
template <class Block, bool kHigh>
struct Q45_KOps {
  using W = Block;
  using A = BlockQ8_K;
  using Prepared = const A*;
  static constexpr bool kMins = false;
  static constexpr bool kWide = false;
  static Prepared prepare(const A& y) { return &y; }
  struct Decoded {
    __m256i q[8];      // sub-block j's 32 quants
    __m256i scale[8];  // sub-block j's scale in every 16-bit lane
    __m256i mins;      // 16-bit lanes 2j, 2j+1 (and 8+2j, 9+2j): sub-block j's min
    float d, dmin;
  };
  static Decoded decode(const W& b) {
    Decoded w;
    const __m128i scales_mins = k4_scales_mins(b.scales);
    const __m256i sc16 = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(scales_mins));
    __m256i qh;
    if constexpr (kHigh) qh = load32(b.qh);
    for (int c = 0; c < 4; ++c) {
      const __m256i q = load32(b.qs + 32 * c);
      __m256i lo = _mm256_and_si256(q, bytes(0x0F));
      __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), bytes(0x0F));
      if constexpr (kHigh) {
        const __m256i bit_lo = bytes(1 << (2 * c)), bit_hi = bytes(2 << (2 * c));
        lo = _mm256_or_si256(lo, _mm256_and_si256(
                                     _mm256_cmpeq_epi8(_mm256_and_si256(qh, bit_lo), bit_lo), bytes(0x10)));
        hi = _mm256_or_si256(hi, _mm256_and_si256(
                                     _mm256_cmpeq_epi8(_mm256_and_si256(qh, bit_hi), bit_hi), bytes(0x10)));
      }
      w.q[2 * c] = lo;
      w.q[2 * c + 1] = hi;
      w.scale[2 * c] = broadcast_i16(sc16, 2 * c);
      w.scale[2 * c + 1] = broadcast_i16(sc16, 2 * c + 1);
    }
    const __m128i m16 = _mm_cvtepu8_epi16(_mm_unpackhi_epi64(scales_mins, scales_mins));
    w.mins = _mm256_set_m128i(_mm_unpackhi_epi16(m16, m16), _mm_unpacklo_epi16(m16, m16));
    w.d = half_to_float(b.d);
    w.dmin = half_to_float(b.dmin);
    return w;
  }
  static __m256 step(const Decoded& w, Prepared y, __m256 acc) {
    const A& a = *y;
    __m256i isum = _mm256_setzero_si256();
    for (int j = 0; j < 8; ++j) isum = dot_u8s8_scaled(isum, w.q[j], load32(a.qs + 32 * j), w.scale[j]);
    acc = scale_add(isum, w.d * a.d, acc);
    // The minimum term per lane: m_j * (bsums[2j] + bsums[2j+1]) in int32 lane j.
    const __m256i msum = _mm256_madd_epi16(load32(a.bsums), w.mins);
    return _mm256_fnmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_set1_ps(w.dmin * a.d), acc);
  }
};

// Q6_K: value = d*sc*(q - 32), 16 sub-blocks of 16, q in 0..63. Each half h of 128 elements:
// element 32g + l has its low nibble in ql[64h + 32(g%2) + l] (nibble g/2) and its high two bits
// in bits 2g, 2g+1 of qh[32h + l]. The -32 is taken out with Q8_K's sums of 16: the block's
// integer dot is sum sc*q*x - 32 * sum sc*bsum.
struct Q6_KOps {
  using W = BlockQ6_K;
  using A = BlockQ8_K;
  using Prepared = const A*;
  static constexpr bool kMins = false;
  static constexpr bool kWide = false;
  static Prepared prepare(const A& y) { return &y; }
  struct Decoded {
    __m256i q[8];      // elements 32k..32k+31
    __m256i scale[8];  // their sub-blocks' scales: 2k in 16-bit lanes 0..7, 2k+1 in 8..15
    __m256i sc16;      // the 16 scales, sign-extended
    float d;
  };
  static Decoded decode(const W& b) {
    Decoded w;
    w.sc16 = _mm256_cvtepi8_epi16(load16(b.scales));
    for (int h = 0; h < 2; ++h) {
      const __m256i ql0 = load32(b.ql + 64 * h), ql1 = load32(b.ql + 64 * h + 32);
      const __m256i qh = load32(b.qh + 32 * h);
      // Scales 8h..8h+7 in both 128-bit halves.
      const __m256i half_scales = h == 0 ? _mm256_permute2x128_si256(w.sc16, w.sc16, 0x00)
                                         : _mm256_permute2x128_si256(w.sc16, w.sc16, 0x11);
      const __m256i low[4] = {_mm256_and_si256(ql0, bytes(0x0F)), _mm256_and_si256(ql1, bytes(0x0F)),
                              _mm256_and_si256(_mm256_srli_epi16(ql0, 4), bytes(0x0F)),
                              _mm256_and_si256(_mm256_srli_epi16(ql1, 4), bytes(0x0F))};
      for (int g = 0; g < 4; ++g) {
        const __m256i high =
            _mm256_and_si256(_mm256_slli_epi16(_mm256_srli_epi16(qh, 2 * g), 4), bytes(0x30));
        w.q[4 * h + g] = _mm256_or_si256(low[g], high);
        // Bytes 0..15 belong to sub-block 8h + 2g, bytes 16..31 to the next one.
        w.scale[4 * h + g] = broadcast_i16_pair(half_scales, 2 * g, 2 * g + 1);
      }
    }
    w.d = half_to_float(b.d);
    return w;
  }
  static __m256 step(const Decoded& w, Prepared y, __m256 acc) {
    const A& a = *y;
    __m256i isum = _mm256_setzero_si256();
    for (int k = 0; k < 8; ++k) isum = dot_u8s8_scaled(isum, w.q[k], load32(a.qs + 32 * k), w.scale[k]);
    const __m256i offset = _mm256_slli_epi32(_mm256_madd_epi16(load32(a.bsums), w.sc16), 5);
    return scale_add(_mm256_sub_epi32(isum, offset), w.d * a.d, acc);
  }
};

// ---- Dots from the per-block steps: one row by one column, and tiles of R rows by C columns.

// One weight row with one activation row, as sum_blocks adds them; the _1 types' min terms in
// block order.
template <class Ops>
float dot_blocks(const void* w, const void* act, int64_t nb) {
  const auto* x = static_cast<const typename Ops::W*>(w);
  const auto* y = static_cast<const typename Ops::A*>(act);
  float mins = 0;
  const float lanes = sum_blocks(nb, [&](int64_t i, __m256 acc) {
    if constexpr (Ops::kMins) mins += Ops::min_term(x[i], y[i]);
    return Ops::step(Ops::decode(x[i]), Ops::prepare(y[i]), acc);
  });
  if constexpr (Ops::kMins) return lanes + mins;
  return lanes;
}

// R rows from row r0 by C columns from column c0: each weight block is decoded once, each
// activation block prepared once, and the pairs stepped. Every output gets dot_blocks' float
// operations in its order: the even blocks into one accumulator (first pass), the odd ones into
// another (second pass; two passes keep only R x C accumulators live), the min terms in block
// order, and the same final sums. So it gets the same bits.
template <class Ops, int R, int C>
void dot_tile_rc(const DotTile& t, int64_t r0, int64_t c0) {
  using W = typename Ops::W;
  using A = typename Ops::A;
  const W* x[R];
  const A* y[C];
  for (int r = 0; r < R; ++r) x[r] = reinterpret_cast<const W*>(t.w + size_t(r0 + r) * t.w_stride);
  for (int c = 0; c < C; ++c) y[c] = reinterpret_cast<const A*>(t.x + size_t(c0 + c) * t.x_stride);
  __m256 even[R][C];
  for (int parity = 0; parity < 2; ++parity) {
    __m256 acc[R][C];
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_ps();
    for (int64_t i = parity; i < t.nblocks; i += 2) {
      decltype(Ops::decode(x[0][0])) w[R];
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) w[r] = Ops::decode(x[r][i]);
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) {
        const auto a = Ops::prepare(y[c][i]);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) acc[r][c] = Ops::step(w[r], a, acc[r][c]);
      }
    }
    if (parity == 0) {
      for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) even[r][c] = acc[r][c];
      continue;
    }
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) {
        float v = hsum(_mm256_add_ps(even[r][c], acc[r][c]));
        if constexpr (Ops::kMins) {
          float mins = 0;
          for (int64_t i = 0; i < t.nblocks; ++i) mins += Ops::min_term(x[r][i], y[c][i]);
          v = v + mins;
        }
        t.y[(c0 + c) * t.y_stride + r0 + r] = v;
      }
  }
}

// All of t: rows in tiles of kRows (the rest one at a time), columns in groups of at most
// kCols, the remainder spread evenly (37 columns at 8 wide: 8, 8, 7, 7, 7). Rows outer, so each
// weight row is read from memory once while the activations stay in cache.
#if HW_X86_AVX512
// The signed-byte types' tile on 512-bit vectors: each vector holds two columns' accumulators
// (one per 256-bit half), so one instruction steps two pairs. Every lane does dot_tile_rc's
// operations on the same values, so the bits are the same.
template <class Ops, int R, int C2>
void dot_tile_wide(const DotTile& t, int64_t r0, int64_t c0) {
  using W = typename Ops::W;
  using A = typename Ops::A;
  const W* x[R];
  const A* y[2 * C2];
  for (int r = 0; r < R; ++r) x[r] = reinterpret_cast<const W*>(t.w + size_t(r0 + r) * t.w_stride);
  for (int c = 0; c < 2 * C2; ++c) y[c] = reinterpret_cast<const A*>(t.x + size_t(c0 + c) * t.x_stride);
  __m512 even[R][C2];
  for (int parity = 0; parity < 2; ++parity) {
    __m512 acc[R][C2];
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C2; ++c) acc[r][c] = _mm512_setzero_ps();
    for (int64_t i = parity; i < t.nblocks; i += 2) {
      __m512i q[R], bias[R];
      __m512 d[R];
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const SignedBlock b = Ops::decode(x[r][i]);
        q[r] = _mm512_broadcast_i64x4(b.q);
        bias[r] = _mm512_broadcast_i64x4(b.lane_bias);
        d[r] = _mm512_broadcastss_ps(_mm256_castps256_ps128(b.d));
      }
#pragma GCC unroll 8
      for (int c = 0; c < C2; ++c) {
        const Q8_0Act a0 = Ops::prepare(y[2 * c][i]), a1 = Ops::prepare(y[2 * c + 1][i]);
        const __m512i u = _mm512_inserti64x4(_mm512_castsi256_si512(a0.q), a1.q, 1);
        const __m512 dy = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(a0.d)),
                                                              _mm256_castps_pd(a1.d), 1));
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
          const __m512i s = _mm512_dpbusd_epi32(bias[r], u, q[r]);
          acc[r][c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(d[r], dy), acc[r][c]);
        }
      }
    }
    if (parity == 0) {
      for (int r = 0; r < R; ++r)
        for (int c = 0; c < C2; ++c) even[r][c] = acc[r][c];
      continue;
    }
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C2; ++c) {
        const __m512 sum = _mm512_add_ps(even[r][c], acc[r][c]);
        t.y[(c0 + 2 * c) * t.y_stride + r0 + r] = hsum(_mm512_castps512_ps256(sum));
        t.y[(c0 + 2 * c + 1) * t.y_stride + r0 + r] =
            hsum(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(sum), 1)));
      }
  }
}
#endif

using TileFn = void (*)(const DotTile&, int64_t, int64_t);

// The tile of R rows by C columns (C <= kMax; larger C are never asked for).
template <class Ops, int R, int C, int kMax>
constexpr TileFn tile_fn() {
  if constexpr (C > kMax) {
    return nullptr;
  } else {
#if HW_X86_AVX512
    if constexpr (Ops::kWide && C % 2 == 0) return dot_tile_wide<Ops, R, C / 2>;
#endif
    return dot_tile_rc<Ops, R, C>;
  }
}

// All of t: rows in tiles of kRows (the rest one at a time), columns in groups of at most
// kCols, the remainder spread evenly (37 columns at 8 wide: 8, 8, 7, 7, 7). Rows outer, so each
// weight row is read from memory once while the activations stay in cache.
template <class Ops, int kRows, int kCols>
void dot_tile(const DotTile& t) {
  static_assert(kCols >= 1 && kCols <= 8);
  constexpr TileFn kFull[8] = {tile_fn<Ops, kRows, 1, kCols>(), tile_fn<Ops, kRows, 2, kCols>(),
                               tile_fn<Ops, kRows, 3, kCols>(), tile_fn<Ops, kRows, 4, kCols>(),
                               tile_fn<Ops, kRows, 5, kCols>(), tile_fn<Ops, kRows, 6, kCols>(),
                               tile_fn<Ops, kRows, 7, kCols>(), tile_fn<Ops, kRows, 8, kCols>()};
  constexpr TileFn kOne[8] = {tile_fn<Ops, 1, 1, kCols>(), tile_fn<Ops, 1, 2, kCols>(),
                              tile_fn<Ops, 1, 3, kCols>(), tile_fn<Ops, 1, 4, kCols>(),
                              tile_fn<Ops, 1, 5, kCols>(), tile_fn<Ops, 1, 6, kCols>(),
                              tile_fn<Ops, 1, 7, kCols>(), tile_fn<Ops, 1, 8, kCols>()};
  const int64_t groups = (t.cols + kCols - 1) / kCols;
  if (groups == 0) return;
  const int64_t base = t.cols / groups, wide = t.cols % groups;  // `wide` groups take base + 1
  for (int64_t r = 0; r < t.rows;) {
    const bool full = r + kRows <= t.rows;
    int64_t c = 0;
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t width = base + (g < wide ? 1 : 0);
      (full ? kFull : kOne)[width - 1](t, r, c);
      c += width;
    }
    r += full ? kRows : 1;
  }
}

// ---- Float types: 4 accumulators over 32 elements, then 8 at a time, then the tail in one
// scalar float, all in a fixed order.

__m256 load8_f32(const uint8_t* p) { return _mm256_loadu_ps(reinterpret_cast<const float*>(p)); }
__m256 load8_f16(const uint8_t* p) { return _mm256_cvtph_ps(load16(p)); }
__m256 load8_bf16(const uint8_t* p) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(load16(p)), 16));
}
float load1_f32(const uint8_t* p) {
  float f;
  std::memcpy(&f, p, 4);
  return f;
}
float load1_f16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return half_to_float(h);
}
float load1_bf16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  const uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

template <int kBytes, __m256 (*kLoad8)(const uint8_t*), float (*kLoad1)(const uint8_t*)>
float dot_float(const void* w, const void* act, int64_t n) {
  const auto* a = static_cast<const uint8_t*>(w);
  const auto* b = static_cast<const uint8_t*>(act);
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                   _mm256_setzero_ps()};
  int64_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int k = 0; k < 4; ++k) {
      const int64_t o = (i + 8 * k) * kBytes;
      acc[k] = _mm256_fmadd_ps(kLoad8(a + o), kLoad8(b + o), acc[k]);
    }
  for (; i + 8 <= n; i += 8)
    acc[0] = _mm256_fmadd_ps(kLoad8(a + i * kBytes), kLoad8(b + i * kBytes), acc[0]);
  float tail = 0;
  for (; i < n; ++i) tail += kLoad1(a + i * kBytes) * kLoad1(b + i * kBytes);
  return hsum(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]))) + tail;
}

// ---- Activation quantisers (same bytes as the scalar reference).

// Rounds to the nearest integer, halves away from zero (as std::round). Exact: v - trunc(v) is
// representable.
__m256 round_half_away(__m256 v) {
  const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 up = _mm256_cmp_ps(abs_ps(_mm256_sub_ps(v, t)), _mm256_set1_ps(0.5f), _CMP_GE_OQ);
  const __m256 one = _mm256_or_ps(_mm256_and_ps(v, _mm256_set1_ps(-0.0f)), _mm256_set1_ps(1.0f));
  return _mm256_add_ps(t, _mm256_and_ps(up, one));
}

// Four vectors of 8 int32 (each within int8 range) as 32 bytes in element order.
__m256i pack_i8(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
  return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// One Q8_0/Q8_1 block: d = amax / 127, q = round(x / d) halves away from zero. Returns d.
// q_sum receives sum(q).
float quant_q8_block(const float* x, int8_t* qs, int* q_sum) {
  __m256 v[4];
  __m256 amax = _mm256_setzero_ps();
  for (int k = 0; k < 4; ++k) {
    v[k] = _mm256_loadu_ps(x + 8 * k);
    amax = _mm256_max_ps(abs_ps(v[k]), amax);  // a NaN element is skipped, as std::max does
  }
  const float d = hmax(amax) / 127;
  const __m256 id = _mm256_set1_ps(d != 0 ? 1.0f / d : 0.0f);
  __m256i q[4];
  for (int k = 0; k < 4; ++k) q[k] = _mm256_cvtps_epi32(round_half_away(_mm256_mul_ps(v[k], id)));
  store32(qs, pack_i8(q[0], q[1], q[2], q[3]));
  *q_sum = hsum_i32(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3])));
  return d;
}

void quant_q8_0(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ8_0*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    int sum;
    y[i].d = float_to_half(quant_q8_block(x, y[i].qs, &sum));
  }
}

void quant_q8_1(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ8_1*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    int sum;
    const float d = quant_q8_block(x, y[i].qs, &sum);
    y[i].d = float_to_half(d);
    y[i].s = float_to_half(float(sum) * d);
  }
}

// Q8_K: max is the element of largest magnitude (the first on ties), q = round-half-even of
// -127/max * x capped at 127, d = max / -127 as 1 / (-127/max), bsums = sums of 16.
void quant_q8_K(const float* x, void* dst, int64_t nb) {
  auto* y = static_cast<BlockQ8_K*>(dst);
  for (int64_t i = 0; i < nb; ++i, x += kQK_K) {
    __m256 amax_v = _mm256_setzero_ps();
    for (int k = 0; k < kQK_K; k += 8) amax_v = _mm256_max_ps(abs_ps(_mm256_loadu_ps(x + k)), amax_v);
    const float amax = hmax(amax_v);
    if (amax == 0) {
      std::memset(&y[i], 0, sizeof y[i]);
      continue;
    }
    float max = 0;
    for (int k = 0; k < kQK_K; k += 8) {
      const __m256 hit = _mm256_cmp_ps(abs_ps(_mm256_loadu_ps(x + k)), _mm256_set1_ps(amax), _CMP_EQ_OQ);
      const int mask = _mm256_movemask_ps(hit);
      if (mask != 0) {
        max = x[k + __builtin_ctz(unsigned(mask))];
        break;
      }
    }
    const float iscale = -127.f / max;
    const __m256 is = _mm256_set1_ps(iscale);
    for (int k = 0; k < kQK_K; k += 32) {
      __m256i q[4];
      for (int u = 0; u < 4; ++u) {
        // cvtps rounds in the current mode, round-half-even, as std::nearbyint does.
        q[u] = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + k + 8 * u), is));
        q[u] = _mm256_min_epi32(q[u], _mm256_set1_epi32(127));
      }
      store32(y[i].qs + k, pack_i8(q[0], q[1], q[2], q[3]));
      y[i].bsums[k / 16] = int16_t(hsum_i32(_mm256_add_epi32(q[0], q[1])));
      y[i].bsums[k / 16 + 1] = int16_t(hsum_i32(_mm256_add_epi32(q[2], q[3])));
    }
    y[i].d = 1 / iscale;
  }
}

// ---- The table: the kernels this file provides; null entries fall back to the scalar ones.

constexpr QuantKernels kX86Kernels[] = {
    {DType::F32, DType::F32, nullptr, nullptr, dot_float<4, load8_f32, load1_f32>},
    {DType::F16, DType::F16, nullptr, nullptr, dot_float<2, load8_f16, load1_f16>},
    {DType::BF16, DType::BF16, nullptr, nullptr, dot_float<2, load8_bf16, load1_bf16>},
    {DType::Q4_0, DType::Q8_0, nullptr, nullptr, dot_blocks<Q4_0Ops>},
    {DType::Q4_1, DType::Q8_1, nullptr, nullptr, dot_blocks<Q_1Ops<BlockQ4_1, false>>},
    {DType::Q5_0, DType::Q8_0, nullptr, nullptr, dot_blocks<Q5_0Ops>},
    {DType::Q5_1, DType::Q8_1, nullptr, nullptr, dot_blocks<Q_1Ops<BlockQ5_1, true>>},
    {DType::Q8_0, DType::Q8_0, nullptr, quant_q8_0, dot_blocks<Q8_0Ops>},
    {DType::Q8_1, DType::Q8_1, nullptr, quant_q8_1, nullptr},
    {DType::Q4_K, DType::Q8_K, nullptr, nullptr, dot_blocks<Q45_KOps<BlockQ4_K, false>>},
    {DType::Q5_K, DType::Q8_K, nullptr, nullptr, dot_blocks<Q45_KOps<BlockQ5_K, true>>},
    {DType::Q6_K, DType::Q8_K, nullptr, nullptr, dot_blocks<Q6_KOps>},
    {DType::Q8_K, DType::Q8_K, nullptr, quant_q8_K, nullptr},
};

// Tile shapes (rows x most columns): AVX-512 has 32 vector registers, AVX2 16; each output
// holds two accumulators. The K-quants' decoded blocks fill many registers by themselves.
#if HW_X86_AVX512
constexpr int kLegacyRows = 4, kLegacyCols = 8, kKRows = 1, kKCols = 4;
#else
constexpr int kLegacyRows = 2, kLegacyCols = 4, kKRows = 1, kKCols = 2;
#endif

constexpr quant_detail::TileKernel kX86Tiles[] = {
    {DType::Q4_0, dot_tile<Q4_0Ops, kLegacyRows, kLegacyCols>},
    {DType::Q4_1, dot_tile<Q_1Ops<BlockQ4_1, false>, kLegacyRows, kLegacyCols>},
    {DType::Q5_0, dot_tile<Q5_0Ops, kLegacyRows, kLegacyCols>},
    {DType::Q5_1, dot_tile<Q_1Ops<BlockQ5_1, true>, kLegacyRows, kLegacyCols>},
    {DType::Q8_0, dot_tile<Q8_0Ops, kLegacyRows, kLegacyCols>},
    {DType::Q4_K, dot_tile<Q45_KOps<BlockQ4_K, false>, kKRows, kKCols>},
    {DType::Q5_K, dot_tile<Q45_KOps<BlockQ5_K, true>, kKRows, kKCols>},
    {DType::Q6_K, dot_tile<Q6_KOps, kKRows, kKCols>},
};

}  // namespace
}  // namespace hw
