// GGUF/ggml quantised block formats and their scalar reference kernels.
//
// The kernels in quant.cpp, quant_legacy.cpp and quant_k.cpp are plain scalar C++: the reference
// that the ISA variants (quant_avx2.cpp, quant_avx512.cpp; see isa.h) are tested against. The
// functions below dispatch to the active variant, which falls back to the scalar kernel for
// anything it does not handle. Variants quantise activations to the same bytes as the scalar
// reference; their dot products differ from it by float summation order only, and each
// variant's result depends on its inputs alone (never on alignment, threads or batch size).
// Activation quantisers (Q8_0, Q8_1, Q8_K) and vec_dot follow ggml's reference arithmetic
// (same rounding, same integer block sums, same float scaling order), so that greedy decoding
// agrees with llama.cpp. Weight quantisers are plain round-to-nearest with per-block scales.
#pragma once
#include <cstdint>

#include "format/dtype.h"
#include "kernels/isa.h"

namespace hw {

constexpr int kQK = 32;     // elements per block of the 32-element ("legacy") types
constexpr int kQK_K = 256;  // elements per K-quant super-block

// Block layouts, byte for byte as in GGUF. Scale fields named d/m/dmin/s are IEEE half bits.
#pragma pack(push, 1)
struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[kQK / 2];  // element j in the low nibble of qs[j], element j+16 in the high nibble
};
struct BlockQ4_1 {
  uint16_t d, m;  // value = d*q + m
  uint8_t qs[kQK / 2];
};
struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4];  // bit j of this little-endian word is bit 4 of element j
  uint8_t qs[kQK / 2];
};
struct BlockQ5_1 {
  uint16_t d, m;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[kQK];
};
struct BlockQ8_1 {
  uint16_t d, s;  // s = d * sum(qs)
  int8_t qs[kQK];
};
struct BlockQ2_K {
  uint8_t scales[kQK_K / 16];  // per 16 elements: low nibble scale, high nibble min
  uint8_t qs[kQK_K / 4];
  uint16_t d, dmin;
};
struct BlockQ3_K {
  uint8_t hmask[kQK_K / 8];
  uint8_t qs[kQK_K / 4];
  uint8_t scales[12];  // 16 signed 6-bit scales (offset 32)
  uint16_t d;
};
struct BlockQ4_K {
  uint16_t d, dmin;
  uint8_t scales[12];  // 8 x (6-bit scale, 6-bit min)
  uint8_t qs[kQK_K / 2];
};
struct BlockQ5_K {
  uint16_t d, dmin;
  uint8_t scales[12];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};
struct BlockQ6_K {
  uint8_t ql[kQK_K / 2];
  uint8_t qh[kQK_K / 4];
  int8_t scales[kQK_K / 16];
  uint16_t d;
};
struct BlockQ8_K {
  float d;  // a plain float, not a half
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];  // sum of each 16 quants
};
#pragma pack(pop)

static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22 && sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34 && sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockQ2_K) == 84 && sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144 && sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210 && sizeof(BlockQ8_K) == 292);

// n is the element count; it must be a multiple of the type's block size (hw::Error otherwise,
// also for a type without the kernel). Types: every DType except that Q8_1/Q8_K have no vec_dot.
void dequantize_row(DType t, const void* src, float* dst, int64_t n);
void quantize_row(DType t, const float* src, void* dst, int64_t n);

// The type activations are quantised to for a dot with this weight type (as ggml's CPU backend):
// Q4_0/Q5_0/Q8_0 -> Q8_0; Q4_1/Q5_1 -> Q8_1; K-quants -> Q8_K; F32/F16/BF16 -> themselves.
DType vec_dot_type(DType weight);
// Dot of one weight row with one activation row already in vec_dot_type(weight).
float vec_dot(DType weight, int64_t n, const void* w_row, const void* x_row);

// One type's kernels, counted in blocks; a null pointer where the type has none.
// ISA variants provide the same shape (a null pointer there means "not handled").
struct QuantKernels {
  DType type;
  DType dot_type;
  void (*dequantize)(const void* src, float* dst, int64_t nblocks);
  void (*quantize)(const float* src, void* dst, int64_t nblocks);
  float (*dot)(const void* w, const void* x, int64_t nblocks);
};
// Dots of many weight rows with many activation rows:
// y[t * y_stride + r] = dot(row r of w, row t of x) for r < rows, t < cols, each result bit for
// bit the variant's vec_dot of that pair.
struct DotTile {
  const uint8_t* w = nullptr;  // weight rows, w_stride bytes apart
  size_t w_stride = 0;
  int64_t rows = 0;
  const uint8_t* x = nullptr;  // activation rows in the dot type, x_stride bytes apart
  size_t x_stride = 0;
  int64_t cols = 0;
  int64_t nblocks = 0;  // blocks per row
  float* y = nullptr;
  int64_t y_stride = 0;
};
using DotTileFn = void (*)(const DotTile& t);
// The variant's tiled dot for weights of type t; null where it has none (use vec_dot per pair).
DotTileFn dot_tile_kernel(DType t, Isa isa);
DotTileFn dot_tile_kernel(DType t);  // of the active variant

// The kernels of the active variant (active_isa()); hw::Error for a type without kernels.
const QuantKernels& quant_kernels(DType t);
// The kernels of a given variant, the scalar ones where it has none; Isa::Scalar gives the
// reference. Usable whether or not the CPU supports the variant; calling them is not.
const QuantKernels& quant_kernels(DType t, Isa isa);

}  // namespace hw
