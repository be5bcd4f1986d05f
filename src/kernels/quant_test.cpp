#include "kernels/kernel_test_util.h"
#include "kernels/quant.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/f16.h"

namespace hw {
namespace {

constexpr DType kAllTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1,
                               DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q8_1, DType::Q2_K,
                               DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q8_K};
constexpr DType kWeightTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0,
                                  DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0,
                                  DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};

std::string name(DType t) { return std::string(dtype_name(t)); }
int block(DType t) { return dtype_info(t).block; }

std::vector<float> nan_filled(int64_t n) {
  return std::vector<float>(size_t(n), std::numeric_limits<float>::quiet_NaN());
}

std::vector<float> random_row(int64_t n, uint32_t seed) { return testing::random_row(n, seed, 1); }

std::vector<uint8_t> quantized(DType t, const std::vector<float>& x) {
  std::vector<uint8_t> q(row_bytes(t, int64_t(x.size())), 0xAB);
  quantize_row(t, x.data(), q.data(), int64_t(x.size()));
  return q;
}

std::vector<float> dequantized(DType t, const std::vector<uint8_t>& q, int64_t n) {
  std::vector<float> y = nan_filled(n);
  dequantize_row(t, q.data(), y.data(), n);
  return y;
}

// ---- Golden files from tools/gen_quant_golden.py (the PyPI gguf package's quants module).

struct Golden {
  DType type;
  uint32_t kind;  // 0: bytes dequantise to values; 1: values quantise to bytes; 2: vec_dot cases
  int64_t n;      // elements (per case for kind 2)
  std::vector<uint8_t> bytes;
  std::vector<float> values;
};

// Layout (little-endian): "HWQG", u32 type, kind, n, byte count, value count; bytes; f32 values.
Golden load_golden(const std::string& file) {
  const std::string path = std::string(HW_SOURCE_DIR) + "/tests/golden/quant/" + file;
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> data{std::istreambuf_iterator<char>(in), {}};
  uint32_t head[5] = {};
  if (data.size() < 24 || std::memcmp(data.data(), "HWQG", 4) != 0) {
    ADD_FAILURE() << path << " is missing or not a golden file";
    return {};
  }
  std::memcpy(head, data.data() + 4, sizeof head);
  Golden g{DType(head[0]), head[1], head[2], std::vector<uint8_t>(head[3]),
           std::vector<float>(head[4])};
  if (data.size() != 24 + g.bytes.size() + 4 * g.values.size()) {
    ADD_FAILURE() << path << " has the wrong size";
    return {};
  }
  std::memcpy(g.bytes.data(), data.data() + 24, g.bytes.size());
  std::memcpy(g.values.data(), data.data() + 24 + g.bytes.size(), 4 * g.values.size());
  return g;
}

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// Dequantisation must equal gguf's bit for bit: both do the same IEEE float32 multiplies and
// adds, in the same order, on the same exactly converted halves (no tolerance is needed).
TEST(QuantGolden, DequantizeMatchesGgufBitwise) {
  for (DType t : kWeightTypes) {
    SCOPED_TRACE(name(t));
    const Golden g = load_golden(name(t) + ".dequant.bin");
    if (g.values.empty()) continue;
    ASSERT_EQ(g.type, t);
    ASSERT_EQ(g.kind, 0u);
    const int64_t n = g.n;
    ASSERT_EQ(g.values.size(), size_t(n));
    ASSERT_EQ(g.bytes.size(), row_bytes(t, n));
    const std::vector<float> y = dequantized(t, g.bytes, n);
    int64_t mismatches = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (bits(y[size_t(i)]) == bits(g.values[size_t(i)])) continue;
      if (mismatches++ == 0)
        ADD_FAILURE() << "element " << i << ": got " << y[size_t(i)] << " want "
                      << g.values[size_t(i)];
    }
    EXPECT_EQ(mismatches, 0);
  }
}

// gguf's quantisers for these types are bit-exact ports of ggml's reference ones, as ours are.
TEST(QuantGolden, QuantizeMatchesGgufBitwise) {
  for (DType t : {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::F16,
                  DType::BF16}) {
    SCOPED_TRACE(name(t));
    const Golden g = load_golden(name(t) + ".quant.bin");
    if (g.values.empty()) continue;
    ASSERT_EQ(g.type, t);
    ASSERT_EQ(g.kind, 1u);
    ASSERT_EQ(g.values.size(), size_t(g.n));
    const std::vector<uint8_t> q = quantized(t, g.values);
    ASSERT_EQ(q.size(), g.bytes.size());
    for (size_t i = 0; i < q.size(); ++i) {
      ASSERT_EQ(q[i], g.bytes[i]) << "byte " << i << " (block " << i / dtype_info(t).block_bytes
                                  << ")";
    }
  }
}

// The scalar vec_dot must equal ggml's generic reference bit for bit: same integer block sums,
// same float operations in the same order (the golden values follow ggml's order, see the
// generator). The ISA variants are checked against the scalar one in quant_isa_test.cpp.
TEST(QuantGolden, VecDotMatchesGgmlReferenceBitwise) {
  for (DType t : kWeightTypes) {
    SCOPED_TRACE(name(t));
    const Golden g = load_golden(name(t) + ".vecdot.bin");
    if (g.values.empty()) continue;
    ASSERT_EQ(g.type, t);
    ASSERT_EQ(g.kind, 2u);
    const size_t wbytes = row_bytes(t, g.n), xbytes = row_bytes(vec_dot_type(t), g.n);
    ASSERT_EQ(g.bytes.size(), g.values.size() * (wbytes + xbytes));
    for (size_t c = 0; c < g.values.size(); ++c) {
      const uint8_t* w = g.bytes.data() + c * (wbytes + xbytes);
      const float got = quant_kernels(t, Isa::Scalar).dot(w, w + wbytes, g.n / block(t));
      EXPECT_EQ(bits(got), bits(g.values[c])) << "case " << c << ": got " << got << " want "
                                              << g.values[c];
    }
  }
}

// ---- Activation quantisers: the rounding rules ggml's references use.

TEST(QuantActivation, Q8_0RoundsHalfAwayFromZero) {
  std::vector<float> x(32, 0.0f);
  x[0] = 127;  // d = 1
  x[1] = 2.5f;
  x[2] = -2.5f;
  x[3] = 1.5f;
  x[4] = 0.49f;
  const std::vector<uint8_t> q = quantized(DType::Q8_0, x);
  BlockQ8_0 b;
  std::memcpy(&b, q.data(), sizeof b);
  EXPECT_EQ(b.d, 0x3C00);  // 1.0 in half
  EXPECT_EQ(b.qs[0], 127);
  EXPECT_EQ(b.qs[1], 3);
  EXPECT_EQ(b.qs[2], -3);
  EXPECT_EQ(b.qs[3], 2);
  EXPECT_EQ(b.qs[4], 0);
}

TEST(QuantActivation, Q8_1StoresScaledSum) {
  std::vector<float> x(32, 0.0f);
  x[0] = 254;  // d = 2
  x[1] = -10;
  x[2] = 7;
  const std::vector<uint8_t> q = quantized(DType::Q8_1, x);
  BlockQ8_1 b;
  std::memcpy(&b, q.data(), sizeof b);
  EXPECT_EQ(f16_to_f32(b.d), 2.0f);
  EXPECT_EQ(b.qs[1], -5);
  EXPECT_EQ(b.qs[2], 4);  // 3.5 rounds away from zero
  EXPECT_EQ(f16_to_f32(b.s), 2.0f * (127 - 5 + 4));
}

TEST(QuantActivation, Q8_KRoundsHalfToEvenAndFlipsSign) {
  std::vector<float> x(256, 0.0f);
  x[0] = 127;  // the largest magnitude becomes -127, so d = -1
  x[1] = 2.5f;
  x[2] = -2.5f;
  x[3] = 1.5f;
  x[17] = 3;
  const std::vector<uint8_t> q = quantized(DType::Q8_K, x);
  BlockQ8_K b;
  std::memcpy(&b, q.data(), sizeof b);
  EXPECT_EQ(b.d, -1.0f);
  EXPECT_EQ(b.qs[0], -127);
  EXPECT_EQ(b.qs[1], -2);
  EXPECT_EQ(b.qs[2], 2);
  EXPECT_EQ(b.qs[3], -2);
  EXPECT_EQ(b.bsums[0], -127 - 2 + 2 - 2);
  EXPECT_EQ(b.bsums[1], -3);
  for (int j = 2; j < 16; ++j) EXPECT_EQ(b.bsums[j], 0);
}

// ---- Round trips: quantise then dequantise random rows.

// Bound on sqrt(sum err^2 / sum x^2) for rows of normal values whose scale varies per 32.
double round_trip_bound(DType t) {  // measured values are about 2/3 of these
  switch (t) {
    case DType::F32: return 0;
    case DType::F16: return 1e-3;
    case DType::BF16: return 4e-3;
    case DType::Q8_0: case DType::Q8_1: return 0.01;
    case DType::Q8_K: return 0.02;  // one scale per 256 elements of varied scale
    case DType::Q6_K: return 0.03;
    case DType::Q5_0: case DType::Q5_1: case DType::Q5_K: return 0.06;
    case DType::Q4_0: case DType::Q4_1: case DType::Q4_K: return 0.12;
    case DType::Q3_K: return 0.25;
    case DType::Q2_K: return 0.45;
    default: return 0;
  }
}

TEST(QuantRoundTrip, ErrorWithinBound) {
  for (DType t : kAllTypes) {
    SCOPED_TRACE(name(t));
    const int64_t n = 8 * kQK_K;
    const std::vector<float> x = random_row(n, 7);
    const std::vector<float> y = dequantized(t, quantized(t, x), n);
    double err = 0, norm = 0;
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_TRUE(std::isfinite(y[size_t(i)])) << "element " << i;
      err += std::pow(double(y[size_t(i)]) - x[size_t(i)], 2);
      norm += double(x[size_t(i)]) * x[size_t(i)];
    }
    const double rel = std::sqrt(err / norm);
    EXPECT_LE(rel, round_trip_bound(t));
    RecordProperty(name(t) + "_rel_rms", std::to_string(rel));
  }
}

TEST(QuantRoundTrip, ZerosStayZero) {
  for (DType t : kAllTypes) {
    SCOPED_TRACE(name(t));
    const std::vector<float> x(2 * kQK_K, 0.0f);
    const std::vector<float> y = dequantized(t, quantized(t, x), int64_t(x.size()));
    for (float v : y) ASSERT_EQ(v, 0.0f);
  }
}

// ---- vec_dot against a double-precision dot of the dequantised rows.

TEST(QuantVecDot, TypesMatchGgmlCpu) {
  EXPECT_EQ(vec_dot_type(DType::F32), DType::F32);
  EXPECT_EQ(vec_dot_type(DType::F16), DType::F16);
  EXPECT_EQ(vec_dot_type(DType::BF16), DType::BF16);
  for (DType t : {DType::Q4_0, DType::Q5_0, DType::Q8_0}) EXPECT_EQ(vec_dot_type(t), DType::Q8_0);
  for (DType t : {DType::Q4_1, DType::Q5_1}) EXPECT_EQ(vec_dot_type(t), DType::Q8_1);
  for (DType t : {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K})
    EXPECT_EQ(vec_dot_type(t), DType::Q8_K);
  EXPECT_THROW(vec_dot_type(DType::Q8_K), Error);
  EXPECT_THROW(vec_dot_type(DType::Q8_1), Error);
}

TEST(QuantVecDot, MatchesDoubleDotOfDequantizedRows) {
  for (DType t : kWeightTypes) {
    const DType xt = vec_dot_type(t);
    // Q8_1 keeps d*sum(q) as a half, so the _1 types' min term carries a relative error of
    // up to 2^-11; everything else differs from the double dot by float rounding only.
    const double tol = xt == DType::Q8_1 ? 2e-3 : 1e-5;
    for (int blocks : {1, 3, 7, 16}) {
      const int64_t n = int64_t(blocks) * std::max(block(t), 32);
      SCOPED_TRACE(name(t) + " n=" + std::to_string(n));
      const std::vector<uint8_t> w = quantized(t, random_row(n, 100 + blocks));
      const std::vector<uint8_t> x = quantized(xt, random_row(n, 200 + blocks));
      const std::vector<float> wf = dequantized(t, w, n), xf = dequantized(xt, x, n);
      double ref = 0, mag = 0;
      for (int64_t i = 0; i < n; ++i) {
        ref += double(wf[size_t(i)]) * xf[size_t(i)];
        mag += std::fabs(double(wf[size_t(i)]) * xf[size_t(i)]);
      }
      const float got = vec_dot(t, n, w.data(), x.data());
      EXPECT_LE(std::fabs(got - ref) / mag, tol) << "got " << got << " want " << ref;
    }
  }
}

TEST(QuantVecDot, F32SumsFloatProductsInDouble) {
  const std::vector<float> a = random_row(96, 1), b = random_row(96, 2);
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += double(a[i] * b[i]);
  EXPECT_EQ(quant_kernels(DType::F32, Isa::Scalar).dot(a.data(), b.data(), 96), float(sum));
}

// ---- Row lengths that are not whole blocks.

TEST(QuantErrors, BadLengthThrowsNamingTheType) {
  std::vector<uint8_t> bytes(4096);
  std::vector<float> floats(1024);
  for (DType t : kAllTypes) {
    if (block(t) == 1) continue;
    SCOPED_TRACE(name(t));
    const int64_t bad = block(t) + 1;
    EXPECT_THROW(dequantize_row(t, bytes.data(), floats.data(), bad), Error);
    EXPECT_THROW(quantize_row(t, floats.data(), bytes.data(), bad), Error);
    EXPECT_THROW(quantize_row(t, floats.data(), bytes.data(), -block(t)), Error);
    try {
      dequantize_row(t, bytes.data(), floats.data(), bad);
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(name(t)), std::string::npos) << e.what();
    }
  }
  for (DType t : kWeightTypes) {
    if (block(t) == 1) continue;
    SCOPED_TRACE(name(t));
    EXPECT_THROW(vec_dot(t, block(t) / 2, bytes.data(), bytes.data()), Error);
  }
  EXPECT_THROW(vec_dot(DType::Q8_K, kQK_K, bytes.data(), bytes.data()), Error);
}

}  // namespace
}  // namespace hw
