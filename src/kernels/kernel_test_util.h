// Helpers shared by the kernel tests (tests only).
#pragma once
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/isa.h"

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

}  // namespace hw::testing
