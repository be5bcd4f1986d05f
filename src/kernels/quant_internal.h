// Shared between the quant_*.cpp files only: each file's kernel table and small helpers.
#pragma once
#include <cmath>
#include <span>

#include "kernels/quant.h"

namespace hw::quant_detail {

std::span<const QuantKernels> float_kernels();   // quant.cpp: F32, F16, BF16
std::span<const QuantKernels> legacy_kernels();  // quant_legacy.cpp: Q4_0 .. Q8_1
std::span<const QuantKernels> k_kernels();       // quant_k.cpp: Q2_K .. Q8_K

// An ISA variant's kernels (null entries: not handled). A plain pointer and count rather than a
// std::span: the variant files are compiled with wider instruction sets and must not emit
// out-of-line copies of inline library functions that baseline code could end up calling.
struct KernelList {
  const QuantKernels* data;
  int size;
};
KernelList avx2_kernels();    // quant_avx2.cpp
KernelList avx512_kernels();  // quant_avx512.cpp

// An ISA variant's many-row, many-column dot for one weight type (see DotTile).
struct TileKernel {
  DType type;
  void (*tile)(const DotTile& t);
};
struct TileList {
  const TileKernel* data;
  int size;
};
TileList avx2_tiles();    // quant_avx2.cpp
TileList avx512_tiles();  // quant_avx512.cpp

// Round half to even, as ggml's nearest_int (valid for |v| < 2^22, the only range used).
inline int nearest_int(float v) { return int(std::nearbyint(v)); }

// The element of largest magnitude, with its sign (the first one on ties); 0 for an empty run.
inline float signed_absmax(const float* x, int n) {
  float amax = 0, max = 0;
  for (int i = 0; i < n; ++i) {
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      max = x[i];
    }
  }
  return max;
}

}  // namespace hw::quant_detail
