// Helpers shared by the kernel tests (tests only).
#pragma once
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/isa.h"
#include "kernels/matmul.h"
#include "kernels/quant.h"

namespace hw::testing {

// Makes `isa` the active variant for the scope, restoring the previous one after.
class ActiveIsa {
 public:
  explicit ActiveIsa(Isa isa) : saved_(active_isa()) { set_active_isa(isa); }
  ~ActiveIsa() { set_active_isa(saved_); }
  ActiveIsa(const ActiveIsa&) = delete;
  ActiveIsa& operator=(const ActiveIsa&) = delete;

 private:
  Isa saved_;
};

// n normal values whose scale changes every 32 elements by up to 10^decades either way.
inline std::vector<float> random_row(int64_t n, uint32_t seed, float decades = 2) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> exponent(-decades, decades);
  std::vector<float> x(static_cast<size_t>(n));
  float scale = 1;
  for (int64_t i = 0; i < n; ++i) {
    if (i % 32 == 0) scale = std::pow(10.0f, exponent(rng));
    x[size_t(i)] = normal(rng) * scale;
  }
  return x;
}

// x in type t by the scalar reference quantiser (bytes no block covers stay 0xAB).
inline std::vector<uint8_t> scalar_quantized(DType t, const std::vector<float>& x) {
  std::vector<uint8_t> q(row_bytes(t, int64_t(x.size())), 0xAB);
  quant_kernels(t, Isa::Scalar).quantize(x.data(), q.data(), int64_t(x.size()) / dtype_info(t).block);
  return q;
}

// A rows x cols weight matrix of random values in type t, owning its bytes.
struct TestWeights {
  std::vector<uint8_t> bytes;
  WeightMatrix w;
  TestWeights(DType t, int64_t cols, int64_t rows, uint32_t seed)
      : bytes(scalar_quantized(t, random_row(cols * rows, seed))) {
    w.type = t;
    w.cols = cols;
    w.rows = rows;
    w.row_bytes = row_bytes(t, cols);
    w.data = bytes.data();
  }
};

// n random activation rows converted for weights of type t, owning their buffer.
struct TestActs {
  std::vector<uint8_t> buf;
  QuantizedActs acts;
  TestActs(DType t, int64_t cols, int64_t n, uint32_t seed) : buf(quantized_acts_bytes(t, cols, n)) {
    acts = acts_layout(t, cols, n, buf.data());
    const std::vector<float> x = random_row(cols * n, seed);
    quantize_acts(acts, x.data(), 0, n);
  }
};

}  // namespace hw::testing
