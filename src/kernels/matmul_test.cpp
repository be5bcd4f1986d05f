// matmul_rows on every supported variant, for batches of 1..37 tokens: each (row, token) result
// must be bit for bit the variant's one-pair vec_dot (so a sequence's logits never depend on
// what it is batched with), and close to the scalar reference.
#include "kernels/matmul.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/isa.h"
#include "kernels/kernel_test_util.h"
#include "kernels/quant.h"

namespace hw {
namespace {

using testing::ActiveIsa;
using testing::random_row;

TEST(Matmul, EveryBatchGivesTheDotsBitForBit) {
  // Types with tiles, and two without (the per-pair path).
  const DType types[] = {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0,
                         DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q3_K, DType::F16};
  const int64_t cols = 3 * 256, rows = 11, r0 = 1;  // odd rows, a range not starting at 0
  for (Isa isa : kAllIsas) {
    if (!isa_supported(isa)) continue;
    ActiveIsa scope(isa);
    for (DType t : types) {
      SCOPED_TRACE(std::string(isa_name(isa)) + " " + std::string(dtype_name(t)));
      const DType xt = vec_dot_type(t);
      const testing::TestWeights weights(t, cols, rows, 7);
      const WeightMatrix& w = weights.w;
      const QuantKernels& scalar = quant_kernels(t, Isa::Scalar);
      for (int64_t tokens = 1; tokens <= 37; ++tokens) {
        const testing::TestActs x(t, cols, tokens, uint32_t(100 + tokens));
        const QuantizedActs& acts = x.acts;
        const int64_t stride = rows + 3;
        std::vector<float> y(size_t(stride * tokens), std::numeric_limits<float>::quiet_NaN());
        matmul_rows(w, acts, y.data(), stride, r0, rows);
        for (int64_t tok = 0; tok < tokens; ++tok) {
          EXPECT_TRUE(std::isnan(y[size_t(tok * stride)])) << "row 0 is outside the range";
          for (int64_t r = r0; r < rows; ++r) {
            const float got = y[size_t(tok * stride + r)];
            const float dot = vec_dot(t, cols, w.row(r), acts.row(tok));
            ASSERT_EQ(std::memcmp(&got, &dot, 4), 0)
                << "tokens " << tokens << " row " << r << " token " << tok << ": " << got << " vs " << dot;
            // Against the scalar reference, normalised by sum |w*x| of the dequantised rows.
            const float ref = scalar.dot(w.row(r), acts.row(tok), cols / dtype_info(t).block);
            std::vector<float> wd(static_cast<size_t>(cols)), xd(static_cast<size_t>(cols));
            quant_kernels(t, Isa::Scalar).dequantize(w.row(r), wd.data(), cols / dtype_info(t).block);
            quant_kernels(xt, Isa::Scalar).dequantize(acts.row(tok), xd.data(), cols / dtype_info(xt).block);
            double mag = 0;
            for (int64_t i = 0; i < cols; ++i) mag += std::fabs(double(wd[size_t(i)]) * xd[size_t(i)]);
            ASSERT_LE(std::fabs(double(got) - ref), 1e-5 * mag + 1e-30)
                << "tokens " << tokens << " row " << r << " token " << tok;
          }
        }
      }
    }
  }
}

// Perf mode (HW_PERF=1): one thread's matmul of a cache-resident matrix with 64 tokens, through
// the tiles and through per-pair dots; best of several runs, in int8 multiply-adds per second.
TEST(Matmul, Perf) {
  if (std::getenv("HW_PERF") == nullptr) GTEST_SKIP() << "set HW_PERF=1 to time the tiles";
  const int64_t cols = 2048, rows = 256, tokens = 64;
  for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q5_0, DType::Q4_1, DType::Q4_K, DType::Q6_K}) {
    const testing::TestWeights weights(t, cols, rows, 1);
    const WeightMatrix& w = weights.w;
    const testing::TestActs x(t, cols, tokens, 2);
    const QuantizedActs& acts = x.acts;
    std::vector<float> y(size_t(rows * tokens));
    const auto best_of = [&](auto&& fn) {
      double best = 1e9;
      for (int rep = 0; rep < 15; ++rep) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      return double(cols * rows * tokens) / best / 1e9;
    };
    const double tiled = best_of([&] { matmul_rows(w, acts, y.data(), rows, 0, rows); });
    const double pairs = best_of([&] {
      for (int64_t tok = 0; tok < tokens; ++tok)
        for (int64_t r = 0; r < rows; ++r) y[size_t(tok * rows + r)] = vec_dot(t, cols, w.row(r), acts.row(tok));
    });
    std::printf("%-5s %-7s tiles %6.1f GMAC/s, per pair %6.1f GMAC/s\n", std::string(dtype_name(t)).c_str(),
                std::string(isa_name(active_isa())).c_str(), tiled, pairs);
  }
}

#if defined(__x86_64__)
TEST(Matmul, TilesExistForTheCommonTypes) {
  for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
    for (DType t : {DType::Q4_0, DType::Q5_0, DType::Q8_0, DType::Q4_1, DType::Q5_1, DType::Q4_K,
                    DType::Q5_K, DType::Q6_K})
      EXPECT_NE(dot_tile_kernel(t, isa), nullptr) << isa_name(isa) << " " << dtype_name(t);
  }
  EXPECT_EQ(dot_tile_kernel(DType::Q8_0, Isa::Scalar), nullptr);
}
#endif

}  // namespace
}  // namespace hw
