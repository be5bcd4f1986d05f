// The one harness for the ISA variants of the quantised kernels: every variant this CPU
// supports, every type, against the scalar reference. Dot products must agree to float rounding
// (normalised by sum |w*x|) and be reproducible bit for bit; activation quantisers must give the
// same bytes. Run with HW_PERF=1 to also time every variant's dot products.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/f16.h"
#include "kernels/isa.h"
#include "kernels/matmul.h"
#include "kernels/kernel_test_util.h"
#include "kernels/quant.h"

namespace hw {
namespace {

using testing::ActiveIsa;
using testing::random_row;
using testing::scalar_quantized;

constexpr DType kWeightTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0,
                                  DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0,
                                  DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};
constexpr DType kActivationTypes[] = {DType::Q8_0, DType::Q8_1, DType::Q8_K, DType::F16,
                                      DType::BF16, DType::F32};

std::string name(DType t) { return std::string(dtype_name(t)); }
std::string name(Isa isa) { return std::string(isa_name(isa)); }

std::vector<Isa> supported_variants() {  // every supported ISA but the scalar reference
  std::vector<Isa> out;
  for (Isa isa : kAllIsas)
    if (isa != Isa::Scalar && isa_supported(isa)) out.push_back(isa);
  return out;
}

std::vector<float> scalar_dequantized(DType t, const std::vector<uint8_t>& q, int64_t n) {
  std::vector<float> y(size_t(n), std::numeric_limits<float>::quiet_NaN());
  quant_kernels(t, Isa::Scalar).dequantize(q.data(), y.data(), n / dtype_info(t).block);
  return y;
}

// Weight bytes drawn at random (every bit pattern of the quants, e.g. Q8_0's -128 or Q6_K's
// scale -128), with the half scale fields set to sane values so that sums stay finite.
std::vector<uint8_t> random_weight_bytes(DType t, int64_t nb, uint32_t seed) {
  const DTypeInfo& info = dtype_info(t);
  std::mt19937 rng(seed);
  std::vector<uint8_t> w(size_t(nb) * size_t(info.block_bytes));
  for (uint8_t& b : w) b = uint8_t(rng());
  std::uniform_real_distribution<float> scale(1e-3f, 1e-1f);
  std::vector<size_t> halves;  // byte offsets of the half fields in a block
  switch (t) {
    case DType::Q4_0: case DType::Q5_0: case DType::Q8_0: halves = {0}; break;
    case DType::Q4_1: case DType::Q5_1: case DType::Q4_K: case DType::Q5_K: halves = {0, 2}; break;
    case DType::Q2_K: halves = {offsetof(BlockQ2_K, d), offsetof(BlockQ2_K, dmin)}; break;
    case DType::Q3_K: halves = {offsetof(BlockQ3_K, d)}; break;
    case DType::Q6_K: halves = {offsetof(BlockQ6_K, d)}; break;
    default: return scalar_quantized(t, random_row(nb * info.block, seed));  // float types
  }
  for (int64_t i = 0; i < nb; ++i)
    for (size_t off : halves) {
      const uint16_t h = f32_to_f16(scale(rng));
      std::memcpy(&w[size_t(i) * size_t(info.block_bytes) + off], &h, 2);
    }
  return w;
}

// The dot of a variant, from copies of the rows placed `shift` bytes past an aligned start.
float dot_at(const QuantKernels& k, int64_t nb, const std::vector<uint8_t>& w,
             const std::vector<uint8_t>& x, size_t shift) {
  std::vector<uint8_t> wb(w.size() + 64), xb(x.size() + 64);
  uint8_t* wp = wb.data() + (64 - reinterpret_cast<uintptr_t>(wb.data()) % 64) % 64 + shift;
  uint8_t* xp = xb.data() + (64 - reinterpret_cast<uintptr_t>(xb.data()) % 64) % 64 + shift;
  if (size_t(wp - wb.data()) + w.size() > wb.size()) wp -= 64;  // keep in bounds
  if (size_t(xp - xb.data()) + x.size() > xb.size()) xp -= 64;
  std::memcpy(wp, w.data(), w.size());
  std::memcpy(xp, x.data(), x.size());
  return k.dot(wp, xp, nb);
}

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// Checks one (weight row, activation row) pair on one variant against the scalar reference.
void check_dot(Isa isa, DType t, int64_t nb, const std::vector<uint8_t>& w,
               const std::vector<uint8_t>& x) {
  const DType xt = vec_dot_type(t);
  const int64_t n = nb * dtype_info(t).block;
  const float ref = quant_kernels(t, Isa::Scalar).dot(w.data(), x.data(), nb);
  const std::vector<float> wf = scalar_dequantized(t, w, n), xf = scalar_dequantized(xt, x, n);
  double mag = 0;
  for (int64_t i = 0; i < n; ++i) mag += std::fabs(double(wf[size_t(i)]) * xf[size_t(i)]);
  const QuantKernels& k = quant_kernels(t, isa);
  const float got = dot_at(k, nb, w, x, 0);
  ASSERT_TRUE(std::isfinite(got)) << "got " << got << " want " << ref;
  if (mag == 0) {
    EXPECT_EQ(got, 0.0f);
  } else {
    // Block sums are exact integers; only the float combination order differs. The _1 types'
    // min term (m * s) is also exact per block, so one bound fits all.
    EXPECT_LE(std::fabs(double(got) - double(ref)) / mag, 1e-5) << "got " << got << " want " << ref;
  }
  // Deterministic: the same bits again, and from rows at other alignments.
  for (size_t shift : {0, 1, 3, 17})
    ASSERT_EQ(bits(dot_at(k, nb, w, x, shift)), bits(got)) << "shift " << shift;
}

// Row lengths in the type's own units: odd counts, one block, and many.
std::vector<int64_t> lengths(DType t) {
  if (dtype_info(t).block == 1) return {1, 7, 8, 9, 31, 32, 33, 100, 257, 896, 4864 + 3};
  return {1, 2, 3, 5, 7, 16, 19, 33};  // in blocks
}

TEST(QuantIsa, DotsMatchScalarReference) {
  for (Isa isa : supported_variants()) {
    for (DType t : kWeightTypes) {
      const DType xt = vec_dot_type(t);
      const int block = dtype_info(t).block;
      for (int64_t nb : lengths(t)) {
        const int64_t n = nb * block;
        SCOPED_TRACE(name(isa) + " " + name(t) + " n=" + std::to_string(n));
        const uint32_t seed = uint32_t(1000 * int(t) + nb);
        const std::vector<uint8_t> x = scalar_quantized(xt, random_row(n, seed + 1));
        check_dot(isa, t, nb, scalar_quantized(t, random_row(n, seed)), x);
        check_dot(isa, t, nb, random_weight_bytes(t, nb, seed + 2), x);
        check_dot(isa, t, nb, std::vector<uint8_t>(row_bytes(t, n), 0), x);  // all zero
      }
    }
  }
}

// Rows with the quantisers' corner cases: exact halves after scaling, ties for the largest
// magnitude, zero blocks, tiny and huge scales.
std::vector<std::vector<float>> quantiser_rows() {
  std::vector<std::vector<float>> rows;
  const int64_t n = 4 * 256;
  for (uint32_t seed : {1u, 2u, 3u}) rows.push_back(random_row(n, seed));
  std::vector<float> grid(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) grid[size_t(i)] = float(i % 509 - 254) * 0.5f;  // k/2 in ±127
  grid[0] = 127;
  grid[256] = -127;
  rows.push_back(grid);
  std::vector<float> ties(static_cast<size_t>(n), 0.0f);
  for (int64_t i = 0; i < n; ++i) ties[size_t(i)] = (i % 3 == 0 ? 1.0f : -1.0f) * float(i % 7);
  rows.push_back(ties);  // ±6 both appear: the first one decides Q8_K's sign
  std::vector<float> zeros_and_tiny(static_cast<size_t>(n), 0.0f);
  for (int64_t i = 512; i < n; ++i) zeros_and_tiny[size_t(i)] = float(i % 13) * 1e-7f;
  rows.push_back(zeros_and_tiny);
  std::vector<float> scaled = random_row(n, 9);
  for (int64_t i = 0; i < n; ++i) scaled[size_t(i)] *= i < n / 2 ? 1e-3f : 1e30f;
  rows.push_back(scaled);
  return rows;
}

TEST(QuantIsa, ActivationQuantisersMatchBytewise) {
  for (Isa isa : supported_variants()) {
    for (DType t : kActivationTypes) {
      const QuantKernels& k = quant_kernels(t, isa);
      int row = 0;
      for (const std::vector<float>& x : quantiser_rows()) {
        SCOPED_TRACE(name(isa) + " " + name(t) + " row " + std::to_string(row++));
        const std::vector<uint8_t> ref = scalar_quantized(t, x);
        std::vector<uint8_t> got(ref.size(), 0xCD);  // poisoned: a skipped byte shows
        k.quantize(x.data(), got.data(), int64_t(x.size()) / dtype_info(t).block);
        for (size_t i = 0; i < ref.size(); ++i)
          ASSERT_EQ(got[i], ref[i]) << "byte " << i << " of block " << i / size_t(dtype_info(t).block_bytes);
      }
    }
  }
}

TEST(QuantIsa, DequantizersMatchBitwise) {
  for (Isa isa : supported_variants()) {
    for (DType t : kWeightTypes) {
      SCOPED_TRACE(name(isa) + " " + name(t));
      const int64_t n = 3 * 256;
      const std::vector<uint8_t> q = scalar_quantized(t, random_row(n, 5));
      const std::vector<float> ref = scalar_dequantized(t, q, n);
      std::vector<float> got(size_t(n), std::numeric_limits<float>::quiet_NaN());
      quant_kernels(t, isa).dequantize(q.data(), got.data(), n / dtype_info(t).block);
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(bits(got[size_t(i)]), bits(ref[size_t(i)])) << i;
    }
  }
}

// ---- Selection: the dispatching entry points really use the chosen variant.

TEST(QuantIsa, SetActiveIsaRoutesDispatch) {
  for (Isa isa : kAllIsas) {
    if (!isa_supported(isa)) {
      EXPECT_THROW(set_active_isa(isa), Error) << name(isa);
      continue;
    }
    SCOPED_TRACE(name(isa));
    ActiveIsa scope(isa);
    EXPECT_EQ(active_isa(), isa);
    for (DType t : kWeightTypes) EXPECT_EQ(quant_kernels(t).dot, quant_kernels(t, isa).dot) << name(t);
    if (isa != Isa::Scalar) {  // the variants handle these types themselves
      for (DType t : {DType::Q4_0, DType::Q5_0, DType::Q8_0, DType::Q4_K, DType::Q6_K, DType::F16})
        EXPECT_NE(quant_kernels(t).dot, quant_kernels(t, Isa::Scalar).dot) << name(t);
      for (DType t : {DType::Q8_0, DType::Q8_K})
        EXPECT_NE(quant_kernels(t).quantize, quant_kernels(t, Isa::Scalar).quantize) << name(t);
    }
    const int64_t n = 7 * 32;
    const std::vector<uint8_t> w = scalar_quantized(DType::Q5_0, random_row(n, 1));
    const std::vector<uint8_t> x = scalar_quantized(DType::Q8_0, random_row(n, 2));
    EXPECT_EQ(bits(vec_dot(DType::Q5_0, n, w.data(), x.data())),
              bits(quant_kernels(DType::Q5_0, isa).dot(w.data(), x.data(), 7)));
  }
}

TEST(QuantIsa, EnvironmentNamesAVariantOrFailsLoudly) {
  EXPECT_EQ(isa_from_env(nullptr), best_isa());
  EXPECT_EQ(isa_from_env(""), best_isa());
  EXPECT_EQ(isa_from_env("scalar"), Isa::Scalar);
  for (Isa isa : kAllIsas) {
    EXPECT_EQ(parse_isa(isa_name(isa)), isa);
    const std::string value(isa_name(isa));
    if (isa_supported(isa)) {
      EXPECT_EQ(isa_from_env(value.c_str()), isa);
    } else {
      EXPECT_THROW(isa_from_env(value.c_str()), Error) << value;
    }
  }
  for (const char* bad : {"AVX2", "sse", "avx512vnni", "native"}) {
    try {
      isa_from_env(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(isa_supported(best_isa()));
}

// ---- matmul: a (row, token) result is the variant's dot, whatever the batch size.

TEST(QuantIsa, MatmulIsTheDotForAnyBatch) {
  for (Isa isa : kAllIsas) {
    if (!isa_supported(isa)) continue;
    ActiveIsa scope(isa);
    for (DType t : {DType::Q5_0, DType::Q8_0, DType::Q4_K, DType::Q6_K, DType::F32}) {
      SCOPED_TRACE(name(isa) + " " + name(t));
      const int64_t cols = 2 * 256, rows = 9, tokens = 5;
      const testing::TestWeights weights(t, cols, rows, 3);
      const WeightMatrix& w = weights.w;
      const testing::TestActs x(t, cols, tokens, 4);
      const QuantizedActs& all = x.acts;
      std::vector<float> y(size_t(rows * tokens), std::numeric_limits<float>::quiet_NaN());
      matmul_rows(w, all, y.data(), rows, 0, rows);
      for (int64_t tok = 0; tok < tokens; ++tok) {
        QuantizedActs one = acts_layout(t, cols, 1, const_cast<uint8_t*>(all.row(tok)));
        std::vector<float> y1(size_t(rows), std::numeric_limits<float>::quiet_NaN());
        matmul_rows(w, one, y1.data(), rows, 0, rows);
        for (int64_t r = 0; r < rows; ++r) {
          const float dot = vec_dot(t, cols, w.row(r), all.row(tok));
          ASSERT_EQ(bits(y[size_t(tok * rows + r)]), bits(dot)) << "row " << r << " token " << tok;
          ASSERT_EQ(bits(y1[size_t(r)]), bits(dot)) << "row " << r << " token " << tok;
        }
      }
    }
  }
}

// ---- Perf mode (HW_PERF=1): dot throughput of every variant over a cache-resident matrix.

TEST(QuantIsa, Perf) {
  if (std::getenv("HW_PERF") == nullptr) GTEST_SKIP() << "set HW_PERF=1 to time the variants";
  const int64_t cols = 4864, rows = 256;  // fits in L2: this times the kernels, not DRAM
  for (DType t : {DType::Q4_0, DType::Q5_0, DType::Q8_0, DType::Q4_K, DType::Q5_K, DType::Q6_K,
                  DType::F16, DType::F32}) {
    const DType xt = vec_dot_type(t);
    const int64_t nb = cols / dtype_info(t).block;
    const std::vector<uint8_t> w = scalar_quantized(t, random_row(cols * rows, 1));
    const std::vector<uint8_t> x = scalar_quantized(xt, random_row(cols, 2));
    const size_t rb = row_bytes(t, cols);
    for (Isa isa : kAllIsas) {
      if (!isa_supported(isa)) continue;
      const QuantKernels& k = quant_kernels(t, isa);
      float sink = 0;
      const auto t0 = std::chrono::steady_clock::now();
      int reps = 0;
      double s = 0;
      do {
        for (int64_t r = 0; r < rows; ++r) sink += k.dot(w.data() + size_t(r) * rb, x.data(), nb);
        ++reps;
        s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      } while (s < 0.3);
      std::printf("%-5s %-7s %8.2f GB/s of weights  %8.1f ns/row  (%g)\n", name(t).c_str(),
                  name(isa).c_str(), double(rb) * double(rows) * reps / s / 1e9,
                  s / double(rows * reps) * 1e9, double(sink));
    }
  }
}

}  // namespace
}  // namespace hw
