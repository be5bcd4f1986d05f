// Dispatch over the per-type kernel tables, and the unblocked float types F32, F16, BF16.
#include "kernels/quant.h"

#include <cstring>
#include <string>

#include "base/error.h"
#include "base/f16.h"
#include "kernels/quant_internal.h"


namespace hw {
namespace {

void dequant_f32(const void* src, float* y, int64_t n) { std::memcpy(y, src, size_t(n) * 4); }
void quant_f32(const float* x, void* dst, int64_t n) { std::memcpy(dst, x, size_t(n) * 4); }

void dequant_f16(const void* src, float* y, int64_t n) {
  const auto* x = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, x + 2 * i, 2);
    y[i] = f16_to_f32(h);
  }
}

void quant_f16(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<uint8_t*>(dst);
  for (int64_t i = 0; i < n; ++i) {
    const uint16_t h = f32_to_f16(x[i]);
    std::memcpy(y + 2 * i, &h, 2);
  }
}

void dequant_bf16(const void* src, float* y, int64_t n) {
  const auto* x = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, x + 2 * i, 2);
    y[i] = bf16_to_f32(h);
  }
}

void quant_bf16(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<uint8_t*>(dst);
  for (int64_t i = 0; i < n; ++i) {
    const uint16_t h = f32_to_bf16(x[i]);
    std::memcpy(y + 2 * i, &h, 2);
  }
}

// ggml's scalar float dots: each product rounded to float, the sum kept in double.
float dot_f32(const void* w, const void* x, int64_t n) {
  const auto* a = static_cast<const float*>(w);
  const auto* b = static_cast<const float*>(x);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += double(a[i] * b[i]);
  return float(sum);
}

template <float (*kToF32)(uint16_t)>
float dot_half(const void* w, const void* x, int64_t n) {
  const auto* a = static_cast<const uint8_t*>(w);
  const auto* b = static_cast<const uint8_t*>(x);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint16_t ha, hb;
    std::memcpy(&ha, a + 2 * i, 2);
    std::memcpy(&hb, b + 2 * i, 2);
    sum += double(kToF32(ha) * kToF32(hb));
  }
  return float(sum);
}

constexpr QuantKernels kFloatKernels[] = {
    {DType::F32, DType::F32, dequant_f32, quant_f32, dot_f32},
    {DType::F16, DType::F16, dequant_f16, quant_f16, dot_half<f16_to_f32>},
    {DType::BF16, DType::BF16, dequant_bf16, quant_bf16, dot_half<bf16_to_f32>},
};

// Every DType value is below this; tables are indexed by it.
constexpr int kTypeSlots = 32;

// One variant's kernels for every type: its own where it has them, the scalar ones elsewhere.
struct KernelTable {
  QuantKernels by_type[kTypeSlots] = {};
  bool present[kTypeSlots] = {};
};

// Replaces f with the variant's v unless the variant leaves it null.
template <class F>
void take(F& f, F v) {
  if (v != nullptr) f = v;
}

KernelTable build_table(Isa isa) {
  KernelTable table;
  for (auto scalar : {quant_detail::float_kernels(), quant_detail::legacy_kernels(),
                      quant_detail::k_kernels()}) {
    for (const QuantKernels& k : scalar) {
      table.by_type[int(k.type)] = k;
      table.present[int(k.type)] = true;
    }
  }
  quant_detail::KernelList variant{nullptr, 0};
  if (isa == Isa::Avx2) variant = quant_detail::avx2_kernels();
  if (isa == Isa::Avx512) variant = quant_detail::avx512_kernels();
  for (int i = 0; i < variant.size; ++i) {
    const QuantKernels& v = variant.data[i];
    QuantKernels& k = table.by_type[int(v.type)];
    check(table.present[int(v.type)] && k.dot_type == v.dot_type,
          std::string(isa_name(isa)) + " kernels disagree with the scalar ones for " +
              std::string(dtype_name(v.type)));
    take(k.dequantize, v.dequantize);
    take(k.quantize, v.quantize);
    take(k.dot, v.dot);
  }
  return table;
}

const KernelTable& kernel_table(Isa isa) {
  static const KernelTable tables[] = {build_table(Isa::Scalar), build_table(Isa::Avx2),
                                       build_table(Isa::Avx512)};
  return tables[int(isa)];
}

const QuantKernels* find_kernels(DType t, Isa isa) {
  const int slot = int(t);
  if (slot < 0 || slot >= kTypeSlots) return nullptr;
  const KernelTable& table = kernel_table(isa);
  return table.present[slot] ? &table.by_type[slot] : nullptr;
}

// The number of blocks in n elements; hw::Error unless n is a whole number of blocks.
int64_t block_count(const char* op, DType t, int64_t n) {
  const int block = dtype_info(t).block;
  if (n < 0 || n % block != 0)  // (no message is built on the hot, valid path)
    throw Error(std::string(op) + ": " + std::to_string(n) + " elements is not a multiple of the " +
                std::string(dtype_name(t)) + " block size " + std::to_string(block));
  return n / block;
}

}  // namespace

namespace quant_detail {
std::span<const QuantKernels> float_kernels() { return kFloatKernels; }
}  // namespace quant_detail

const QuantKernels& quant_kernels(DType t, Isa isa) {
  const QuantKernels* k = find_kernels(t, isa);
  if (k == nullptr) throw Error("no quantisation kernels for tensor type " + std::string(dtype_name(t)));
  return *k;
}

const QuantKernels& quant_kernels(DType t) { return quant_kernels(t, active_isa()); }

DotTileFn dot_tile_kernel(DType t, Isa isa) {
  quant_detail::TileList tiles{nullptr, 0};
  if (isa == Isa::Avx2) tiles = quant_detail::avx2_tiles();
  if (isa == Isa::Avx512) tiles = quant_detail::avx512_tiles();
  for (int i = 0; i < tiles.size; ++i)
    if (tiles.data[i].type == t) return tiles.data[i].tile;
  return nullptr;
}

DotTileFn dot_tile_kernel(DType t) { return dot_tile_kernel(t, active_isa()); }

void dequantize_row(DType t, const void* src, float* dst, int64_t n) {
  const int64_t nb = block_count("dequantize_row", t, n);
  quant_kernels(t).dequantize(src, dst, nb);
}

void quantize_row(DType t, const float* src, void* dst, int64_t n) {
  const int64_t nb = block_count("quantize_row", t, n);
  quant_kernels(t).quantize(src, dst, nb);
}

DType vec_dot_type(DType weight) {
  const QuantKernels& k = quant_kernels(weight);
  if (k.dot == nullptr) throw Error("no vec_dot for weight type " + std::string(dtype_name(weight)));
  return k.dot_type;
}

float vec_dot(DType weight, int64_t n, const void* w_row, const void* x_row) {
  const int64_t nb = block_count("vec_dot", weight, n);
  const QuantKernels& k = quant_kernels(weight);
  if (k.dot == nullptr) throw Error("no vec_dot for weight type " + std::string(dtype_name(weight)));
  return k.dot(w_row, x_row, nb);
}

}  // namespace hw
