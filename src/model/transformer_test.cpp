// The forward pass against an independent reference, its determinism under batching,
// threading and chunking, and its plan limits.
//
// The reference below is written from the math (double accumulation, whole-sequence
// causal attention, no KV paging); it shares nothing with hardwire's kernels but
// dequantize_row/quantize_row (to read and edit the weights) and base/f16.h. It
// rounds values where hardwire stores them in a narrower format (K/V in the f16
// cache, matmul inputs in the weight type's dot format), so that the comparison can
// be tight. It reads hyperparameters from GGUF metadata and derives family traits
// itself, not through ModelConfig.
#include "model/transformer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <random>

#include "base/error.h"
#include "base/f16.h"
#include "kernels/quant.h"
#include "model/random_model.h"
#include "model/session.h"
#include "model/test_models.h"

namespace hw {
namespace {

// ---- reference forward ---------------------------------------------------------------

struct RefTraits {
  bool neox = false;          // rope pairs (i, i+d/2) instead of (2i, 2i+1)
  bool gelu = false;          // tanh-GELU gate instead of SiLU
  bool qkv_bias = false;
  bool qk_norm = false;       // RMSNorm of each q and k head before rope
  bool post_norms = false;    // RMSNorm of the attention and FFN outputs before the residual
  bool embed_scale = false;   // embeddings times sqrt(dim)
  int sliding_pattern = 0;    // layer l is global iff (l+1) % pattern == 0
  int64_t window = 0;         // sliding layers see the last `window` positions (self included)
  double local_base = 10000;  // rope base of sliding layers
  double attn_scale = 0;      // 0: 1 / sqrt(head_dim)
  // Numerics, not family traits: the storage formats hardwire rounds through.
  bool kv_f16 = true;         // K and V rounded to f16, as the cache stores them
  bool dot_acts = true;       // matmul inputs rounded to the weight type's dot format
};

struct RefModel {
  int64_t dim = 0, n_layers = 0, n_heads = 0, n_kv = 0, head_dim = 0, ffn = 0, rope_dim = 0, n_vocab = 0;
  double eps = 0, base = 10000;
  RefTraits traits;
  struct Tensor {
    DType type;
    int64_t cols, rows;
    std::vector<float> v;  // dequantised, row-major
  };
  std::map<std::string, Tensor> w;  // every tensor of the file

  const Tensor& tensor(const std::string& name) const {
    auto it = w.find(name);
    if (it == w.end()) throw Error("reference: no tensor " + name);
    return it->second;
  }
  const std::vector<float>& at(const std::string& name) const { return tensor(name).v; }
};

RefModel load_reference(const std::string& path) {
  auto f = GgufFile::open(path);
  RefModel m;
  const std::string arch(*f->get_string("general.architecture"));
  const std::string p = arch + ".";
  auto need = [&](const std::string& key) { return *f->get_int(p + key); };
  m.dim = need("embedding_length");
  m.n_layers = need("block_count");
  m.ffn = need("feed_forward_length");
  m.n_heads = need("attention.head_count");
  m.n_kv = f->get_int(p + "attention.head_count_kv").value_or(m.n_heads);
  m.head_dim = f->get_int(p + "attention.key_length").value_or(m.dim / m.n_heads);
  m.rope_dim = f->get_int(p + "rope.dimension_count").value_or(m.head_dim);
  m.eps = *f->get_float(p + "attention.layer_norm_rms_epsilon");
  m.base = f->get_float(p + "rope.freq_base").value_or(10000);
  RefTraits& tr = m.traits;
  if (arch == "qwen2") {
    tr.neox = tr.qkv_bias = true;
  } else if (arch == "gemma3") {
    tr.neox = tr.gelu = tr.qk_norm = tr.post_norms = tr.embed_scale = true;
    tr.sliding_pattern = 6;
    tr.window = f->get_int(p + "attention.sliding_window").value_or(0);
  }
  for (const TensorInfo& ti : f->tensors()) {
    RefModel::Tensor& t = m.w[ti.name] = {ti.type, ti.ne[0], ti.rows(), std::vector<float>(size_t(ti.n_elements))};
    for (int64_t r = 0; r < t.rows; ++r)
      dequantize_row(t.type, ti.data + r * row_bytes(t.type, t.cols), &t.v[r * t.cols], t.cols);
  }
  m.n_vocab = int64_t(m.at("token_embd.weight").size()) / m.dim;
  return m;
}

void ref_rmsnorm(double* x, const float* w, int64_t n, double eps) {
  double ss = 0;
  for (int64_t i = 0; i < n; ++i) ss += x[i] * x[i];
  const double s = 1.0 / std::sqrt(ss / double(n) + eps);
  for (int64_t i = 0; i < n; ++i) x[i] = x[i] * s * w[i];
}

double round_f16(double x) { return f16_to_f32(f32_to_f16(float(x))); }

// The value an activation has in the dot format of a weight type (ARCHITECTURE.md,
// step 5): f16 for f16 weights; for the 32-blocks types, per block of 32 the scale
// d = max|x| / 127 stored as f16 and x = round(x / d) * d; for the K-quants the same
// per block of 256 with d in f32.
void round_acts(DType weight, const double* x, double* out, int64_t n) {
  switch (weight) {
    case DType::F32:
      std::copy(x, x + n, out);
      return;
    case DType::F16:
      for (int64_t i = 0; i < n; ++i) out[i] = round_f16(x[i]);
      return;
    case DType::Q4_0: case DType::Q4_1: case DType::Q5_0: case DType::Q5_1: case DType::Q8_0:
      for (int64_t b = 0; b < n; b += 32) {
        double amax = 0;
        for (int64_t i = b; i < b + 32; ++i) amax = std::max(amax, std::abs(x[i]));
        const double d = amax / 127;
        for (int64_t i = b; i < b + 32; ++i) out[i] = d > 0 ? std::round(x[i] / d) * round_f16(d) : 0;
      }
      return;
    case DType::Q4_K: case DType::Q5_K: case DType::Q6_K:  // Q8_K: blocks of 256, f32 scale
      for (int64_t b = 0; b < n; b += 256) {
        double amax = 0;
        for (int64_t i = b; i < b + 256; ++i) amax = std::max(amax, std::abs(x[i]));
        const double d = double(float(amax / 127));
        for (int64_t i = b; i < b + 256; ++i) out[i] = d > 0 ? std::round(x[i] / d) * d : 0;
      }
      return;
    default:
      throw Error("reference: no activation model for " + std::string(dtype_name(weight)) + " weights");
  }
}

// y = W x for the named [rows x cols] matrix.
void ref_linear(const RefModel& m, const RefTraits& tr, const std::string& name, const double* x, double* y) {
  const RefModel::Tensor& w = m.tensor(name);
  std::vector<double> xr(size_t(w.cols));
  if (tr.dot_acts) round_acts(w.type, x, xr.data(), w.cols);
  else std::copy(x, x + w.cols, xr.begin());
  for (int64_t r = 0; r < w.rows; ++r) {
    const float* wr = &w.v[size_t(r * w.cols)];
    double s = 0;
    for (int64_t c = 0; c < w.cols; ++c) s += double(wr[c]) * xr[c];
    y[r] = s;
  }
}

void ref_rope(double* h, int64_t pos, int64_t rope_dim, double base, bool neox) {
  const int64_t half = rope_dim / 2;
  for (int64_t i = 0; i < half; ++i) {
    const double theta = double(pos) * std::pow(base, -2.0 * double(i) / double(rope_dim));
    const int64_t a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
    const double x0 = h[a], x1 = h[b];
    h[a] = x0 * std::cos(theta) - x1 * std::sin(theta);
    h[b] = x0 * std::sin(theta) + x1 * std::cos(theta);
  }
}

// Final hidden states (after the output norm) of every position of toks: [T][dim].
std::vector<double> reference_hidden(const RefModel& m, const RefTraits& tr, const std::vector<int32_t>& toks) {
  const int64_t T = int64_t(toks.size()), D = m.dim, hd = m.head_dim;
  const int64_t qd = m.n_heads * hd, kvd = m.n_kv * hd, F = m.ffn;
  std::vector<double> x(T * D), xn(T * D), q(T * qd), k(T * kvd), v(T * kvd), att(T * qd), o(T * D);
  std::vector<double> g(T * F), u(T * F), scores(T);
  const std::vector<float>& emb = m.at("token_embd.weight");
  for (int64_t t = 0; t < T; ++t)
    for (int64_t i = 0; i < D; ++i)
      x[t * D + i] = double(emb[size_t(toks[t] * D + i)]) * (tr.embed_scale ? std::sqrt(double(D)) : 1.0);

  for (int64_t l = 0; l < m.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    const bool sliding = tr.window > 0 && tr.sliding_pattern > 0 && (l + 1) % tr.sliding_pattern != 0;
    const double base = sliding ? tr.local_base : m.base;
    xn = x;
    for (int64_t t = 0; t < T; ++t) {
      ref_rmsnorm(&xn[t * D], m.at(p + "attn_norm.weight").data(), D, m.eps);
      ref_linear(m, tr, p + "attn_q.weight", &xn[t * D], &q[t * qd]);
      ref_linear(m, tr, p + "attn_k.weight", &xn[t * D], &k[t * kvd]);
      ref_linear(m, tr, p + "attn_v.weight", &xn[t * D], &v[t * kvd]);
      if (tr.qkv_bias) {
        for (int64_t i = 0; i < qd; ++i) q[t * qd + i] += m.at(p + "attn_q.bias")[i];
        for (int64_t i = 0; i < kvd; ++i) k[t * kvd + i] += m.at(p + "attn_k.bias")[i];
        for (int64_t i = 0; i < kvd; ++i) v[t * kvd + i] += m.at(p + "attn_v.bias")[i];
      }
      for (int64_t h = 0; h < m.n_heads; ++h) {
        if (tr.qk_norm) ref_rmsnorm(&q[t * qd + h * hd], m.at(p + "attn_q_norm.weight").data(), hd, m.eps);
        ref_rope(&q[t * qd + h * hd], t, m.rope_dim, base, tr.neox);
      }
      for (int64_t h = 0; h < m.n_kv; ++h) {
        if (tr.qk_norm) ref_rmsnorm(&k[t * kvd + h * hd], m.at(p + "attn_k_norm.weight").data(), hd, m.eps);
        ref_rope(&k[t * kvd + h * hd], t, m.rope_dim, base, tr.neox);
      }
      if (tr.kv_f16)
        for (int64_t i = 0; i < kvd; ++i) k[t * kvd + i] = round_f16(k[t * kvd + i]), v[t * kvd + i] = round_f16(v[t * kvd + i]);
    }
    // Causal attention; query head h reads kv head h / (n_heads / n_kv).
    for (int64_t t = 0; t < T; ++t) {
      const int64_t first = sliding ? std::max<int64_t>(0, t - tr.window + 1) : 0;
      for (int64_t h = 0; h < m.n_heads; ++h) {
        const int64_t kvh = h / (m.n_heads / m.n_kv);
        const double* qh = &q[t * qd + h * hd];
        double mx = -INFINITY, sum = 0;
        for (int64_t j = first; j <= t; ++j) {
          double s = 0;
          for (int64_t i = 0; i < hd; ++i) s += qh[i] * k[j * kvd + kvh * hd + i];
          scores[j] = s * (tr.attn_scale > 0 ? tr.attn_scale : 1 / std::sqrt(double(hd)));
          mx = std::max(mx, scores[j]);
        }
        for (int64_t j = first; j <= t; ++j) sum += (scores[j] = std::exp(scores[j] - mx));
        double* out = &att[t * qd + h * hd];
        std::fill(out, out + hd, 0.0);
        for (int64_t j = first; j <= t; ++j)
          for (int64_t i = 0; i < hd; ++i) out[i] += scores[j] / sum * v[j * kvd + kvh * hd + i];
      }
    }
    for (int64_t t = 0; t < T; ++t) {
      double* xt = &x[t * D];
      double* ot = &o[t * D];
      ref_linear(m, tr, p + "attn_output.weight", &att[t * qd], ot);
      if (tr.post_norms) ref_rmsnorm(ot, m.at(p + "post_attention_norm.weight").data(), D, m.eps);
      for (int64_t i = 0; i < D; ++i) xt[i] += ot[i];

      std::copy(xt, xt + D, &xn[t * D]);
      ref_rmsnorm(&xn[t * D], m.at(p + "ffn_norm.weight").data(), D, m.eps);
      double* gt = &g[t * F];
      double* ut = &u[t * F];
      ref_linear(m, tr, p + "ffn_gate.weight", &xn[t * D], gt);
      ref_linear(m, tr, p + "ffn_up.weight", &xn[t * D], ut);
      for (int64_t i = 0; i < F; ++i) {
        const double a = gt[i];
        const double act = tr.gelu ? 0.5 * a * (1 + std::tanh(std::sqrt(2 / M_PI) * (a + 0.044715 * a * a * a)))
                                   : a / (1 + std::exp(-a));
        gt[i] = act * ut[i];
      }
      ref_linear(m, tr, p + "ffn_down.weight", gt, ot);
      if (tr.post_norms) ref_rmsnorm(ot, m.at(p + "post_ffw_norm.weight").data(), D, m.eps);
      for (int64_t i = 0; i < D; ++i) xt[i] += ot[i];
    }
  }
  for (int64_t t = 0; t < T; ++t) ref_rmsnorm(&x[t * D], m.at("output_norm.weight").data(), D, m.eps);
  return x;
}

// Logits of the positions listed, [positions.size()][n_vocab]; output.weight or the
// tied embedding.
std::vector<double> reference_logits(const RefModel& m, const RefTraits& tr, const std::vector<double>& hidden,
                                     const std::vector<int64_t>& positions) {
  const std::string out = m.w.count("output.weight") ? "output.weight" : "token_embd.weight";
  std::vector<double> logits(positions.size() * m.n_vocab);
  for (size_t i = 0; i < positions.size(); ++i)
    ref_linear(m, tr, out, &hidden[positions[i] * m.dim], &logits[i * m.n_vocab]);
  return logits;
}

// max |got - want| / max |want| over the given rows of got ([T][n_vocab] for all positions).
double normalised_error(const std::vector<float>& got, const std::vector<double>& want,
                        const std::vector<int64_t>& positions, int64_t n_vocab) {
  double err = 0, mag = 0;
  for (size_t i = 0; i < positions.size(); ++i)
    for (int64_t j = 0; j < n_vocab; ++j) {
      const double w = want[i * n_vocab + j], g = got[positions[i] * n_vocab + j];
      err = std::max(err, std::abs(g - w));
      mag = std::max(mag, std::abs(w));
    }
  return err / mag;
}

// ---- test models ---------------------------------------------------------------------

// The random models have unit norms and small q/k weights (near-uniform attention),
// which would hide norm mix-ups and rope or window errors. This edit gives every norm
// its own gains (q/k norms up to 2, so gemma's normalised heads attend sharply) and
// scales the q/k projections so that attention is peaked for llama and qwen2 too.
void sharpen(testing::TensorEdit& e) {
  std::mt19937_64 rng(std::hash<std::string>{}(e.name));
  std::uniform_real_distribution<float> gain(0.5f, 1.5f), qk_gain(0.5f, 2.0f);
  const bool qk_norm = e.name.find("attn_q_norm") != std::string::npos || e.name.find("attn_k_norm") != std::string::npos;
  if (e.name.find("norm.weight") != std::string::npos) {
    std::vector<float> g(e.bytes.size() / 4);
    for (float& x : g) x = qk_norm ? qk_gain(rng) : gain(rng);
    std::memcpy(e.bytes.data(), g.data(), e.bytes.size());
  } else if (e.name.find("attn_q.weight") != std::string::npos || e.name.find("attn_k.weight") != std::string::npos) {
    const int64_t cols = e.dims[0], rows = e.dims[1];
    const size_t rb = row_bytes(e.type, cols);
    std::vector<float> row(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
      dequantize_row(e.type, e.bytes.data() + r * rb, row.data(), cols);
      for (float& x : row) x *= 6.0f;
      quantize_row(e.type, row.data(), e.bytes.data() + r * rb, cols);
    }
  }
}

// Writes the sharpened random model of a shape and type into dir; "" if the type's
// block size does not fit the shape.
std::string make_model(const testing::TempDir& dir, const std::string& shape, DType type) {
  const ModelShape* s = find_model_shape(shape);
  if (s->dim % dtype_info(type).block != 0) return "";
  const std::string random = testing::write_test_model(dir, shape, type, "random.gguf");
  const std::string path = dir.file("model.gguf");
  testing::rewrite_gguf(random, path, sharpen);
  return path;
}

std::vector<int32_t> random_tokens(int64_t n, int64_t n_vocab, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int32_t> t(static_cast<size_t>(n));
  for (int32_t& x : t) x = int32_t(rng() % uint64_t(n_vocab));
  return t;
}

// Logits of every position of toks through a Session (chunked prefill, 2 threads).
std::vector<float> session_logits(const Model& model, const std::vector<int32_t>& toks, int64_t chunk) {
  SessionOptions so;
  so.ctx = int64_t(toks.size());
  so.prefill_chunk = chunk;
  so.logits_all = true;
  so.n_threads = 2;
  Session s(model, so);
  const int64_t nv = model.config().n_vocab;
  std::vector<float> all(toks.size() * nv);
  s.feed(toks, [&](int64_t first, int64_t n, const float* logits) {
    std::copy(logits, logits + n * nv, &all[first * nv]);
  });
  return all;
}

// ---- forward vs reference ------------------------------------------------------------

// Tolerances on the normalised max error of the logits, max |hw - ref| / max |ref|.
// The reference rounds where hardwire stores (K/V to f16, matmul inputs to f16 or
// int8 blocks), so the two differ by float-vs-double arithmetic only. But rounding is
// discontinuous: a 1e-6 relative difference moves some values across a boundary, and
// the sharp attention of these models amplifies each flip. Perturbing the reference's
// own inputs to every rounding by 1e-6 (relative) moves its logits by: F32 1.3e-4 ..
// 3.5e-4 (f16 KV flips), F16 0.6e-3..1.5e-3, 8/4-bit 0.7e-2..2.7e-2 (int8 flips of
// 1/127 of a block's max; gemma3's 6 layers are the worst). hardwire's errors sit at
// that floor (F32 0.6e-4..2e-4, F16 0.5e-3..0.8e-3, 8/4-bit 0.55e-2..2.6e-2); the
// bounds are about twice it. Without modelling the rounding the errors are 2-6x larger.
constexpr double kTolF32 = 5e-4;
constexpr double kTolF16 = 3e-3;
constexpr double kTolQuant = 6e-2;

double tolerance(DType t) { return t == DType::F32 ? kTolF32 : t == DType::F16 ? kTolF16 : kTolQuant; }

constexpr int64_t kSeqLen = 100;  // longer than tiny-gemma3's window of 64

struct RefCase {
  std::string shape;
  DType type;
};

std::string case_name(const ::testing::TestParamInfo<RefCase>& info) {
  std::string n = info.param.shape + "_" + std::string(dtype_name(info.param.type));
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

class TransformerReference : public ::testing::TestWithParam<RefCase> {};

TEST_P(TransformerReference, LogitsMatchReferenceAtEveryPosition) {
  const RefCase& c = GetParam();
  testing::TempDir dir("tf_ref");
  const std::string path = make_model(dir, c.shape, c.type);
  if (path.empty()) GTEST_SKIP() << c.shape << " dims are not a multiple of the " << dtype_name(c.type) << " block";
  auto model = Model::load(path);
  const RefModel ref = load_reference(path);
  ASSERT_EQ(ref.n_vocab, model->config().n_vocab);

  const std::vector<int32_t> toks = random_tokens(kSeqLen, ref.n_vocab, 7);
  const std::vector<float> got = session_logits(*model, toks, 32);
  std::vector<int64_t> all(kSeqLen);
  for (int64_t i = 0; i < kSeqLen; ++i) all[i] = i;
  const std::vector<double> want = reference_logits(ref, ref.traits, reference_hidden(ref, ref.traits, toks), all);
  const double err = normalised_error(got, want, all, ref.n_vocab);
  std::printf("  %s %s: normalised max logit error %.3g (tolerance %.0e)\n", c.shape.c_str(),
              std::string(dtype_name(c.type)).c_str(), err, tolerance(c.type));
  EXPECT_LT(err, tolerance(c.type));
}

INSTANTIATE_TEST_SUITE_P(
    Transformer, TransformerReference,
    ::testing::Values(RefCase{"tiny-llama", DType::F32}, RefCase{"tiny-llama", DType::F16},
                      RefCase{"tiny-llama", DType::Q8_0}, RefCase{"tiny-llama", DType::Q4_0},
                      RefCase{"tiny-llama-k", DType::Q4_K}, RefCase{"tiny-llama-k", DType::Q6_K},
                      RefCase{"tiny-qwen2", DType::F32}, RefCase{"tiny-qwen2", DType::Q8_0},
                      RefCase{"tiny-qwen2", DType::Q4_1}, RefCase{"tiny-gemma3", DType::F32},
                      RefCase{"tiny-gemma3", DType::F16}, RefCase{"tiny-gemma3", DType::Q8_0}),
    case_name);

// The comparison above must be able to see each family trait: the reference with one
// trait changed is far outside the F32 tolerance.
TEST(TransformerTraits, EveryTraitIsVisibleInTheLogits) {
  for (const std::string shape : {"tiny-llama", "tiny-qwen2", "tiny-gemma3"}) {
    testing::TempDir dir("tf_traits");
    const std::string path = make_model(dir, shape, DType::F32);
    auto model = Model::load(path);
    const RefModel ref = load_reference(path);
    const std::vector<int32_t> toks = random_tokens(kSeqLen, ref.n_vocab, 11);
    const std::vector<float> got = session_logits(*model, toks, 64);
    std::vector<int64_t> some;  // every 9th position and the last: the flips are large
    for (int64_t i = 0; i < kSeqLen; i += 9) some.push_back(i);
    some.push_back(kSeqLen - 1);
    auto error_with = [&](const RefTraits& tr) {
      return normalised_error(got, reference_logits(ref, tr, reference_hidden(ref, tr, toks), some), some, ref.n_vocab);
    };
    EXPECT_LT(error_with(ref.traits), kTolF32) << shape;

    std::vector<std::pair<std::string, RefTraits>> flips;
    auto flip = [&](const char* name, auto&& change) {
      RefTraits t = ref.traits;
      change(t);
      flips.emplace_back(name, t);
    };
    flip("rope style", [](RefTraits& t) { t.neox = !t.neox; });
    flip("activation", [](RefTraits& t) { t.gelu = !t.gelu; });
    flip("embedding scale", [](RefTraits& t) { t.embed_scale = !t.embed_scale; });
    if (ref.traits.qkv_bias) flip("no qkv bias", [](RefTraits& t) { t.qkv_bias = false; });
    if (ref.traits.qk_norm) flip("no qk norm", [](RefTraits& t) { t.qk_norm = false; });
    if (ref.traits.post_norms) flip("no post norms", [](RefTraits& t) { t.post_norms = false; });
    if (ref.head_dim * ref.n_heads != ref.dim)
      flip("scale 1/sqrt(dim/heads)", [&](RefTraits& t) { t.attn_scale = 1 / std::sqrt(double(ref.dim / ref.n_heads)); });
    if (ref.traits.window > 0) {
      flip("no sliding window", [](RefTraits& t) { t.window = 0; });
      flip("window one shorter", [](RefTraits& t) { t.window -= 1; });
      flip("global rope base on local layers", [&](RefTraits& t) { t.local_base = ref.base; });
      flip("every 5th layer global", [](RefTraits& t) { t.sliding_pattern = 5; });
    }
    for (const auto& [name, t] : flips)
      EXPECT_GT(error_with(t), 20 * kTolF32) << shape << ": reference with '" << name << "' is indistinguishable";
  }
}

// ---- determinism ---------------------------------------------------------------------

// A Transformer on its own KV cache.
struct Engine {
  Engine(const Model& m, const PlanOptions& p, int64_t n_blocks)
      : kv(Transformer::kv_options(m.config(), n_blocks)), tf(m, kv, p) {}
  KvCache kv;
  Transformer tf;
};

PlanOptions plan(int64_t max_tokens, int threads) {
  PlanOptions p;
  p.max_tokens = p.max_logits = max_tokens;
  p.max_ctx = 256;
  p.n_threads = threads;
  return p;
}

// A piece of a step: tokens [begin, end) of sequence seq.
struct Piece {
  int seq;
  int64_t begin, end;
};

// Runs the steps over the sequences (each token asks for logits); logits per sequence, [len][n_vocab].
std::vector<std::vector<float>> run_steps(const Model& m, const std::vector<std::vector<int32_t>>& seqs,
                                          const std::vector<std::vector<Piece>>& steps, int threads) {
  int64_t widest = 0;
  for (const auto& s : steps) {
    int64_t n = 0;
    for (const Piece& p : s) n += p.end - p.begin;
    widest = std::max(widest, n);
  }
  Engine e(m, plan(widest, threads), 64);
  const int64_t nv = m.config().n_vocab;
  std::vector<std::unique_ptr<KvSequence>> kvs;
  std::vector<std::vector<float>> out;
  for (const auto& s : seqs) {
    kvs.push_back(std::make_unique<KvSequence>(e.kv));
    out.emplace_back(s.size() * nv);
  }
  for (const auto& step : steps) {
    for (const Piece& p : step) EXPECT_TRUE(kvs[p.seq]->reserve(p.end));
    Batch b;
    for (const auto& kv : kvs) b.block_tables.push_back(kv->table());
    for (const Piece& p : step)
      for (int64_t i = p.begin; i < p.end; ++i) b.tokens.push_back({seqs[p.seq][i], int32_t(i), p.seq, true});
    const float* logits = e.tf.forward(b);
    for (const Piece& p : step) {
      std::copy(logits, logits + (p.end - p.begin) * nv, &out[p.seq][p.begin * nv]);
      logits += (p.end - p.begin) * nv;
    }
  }
  return out;
}

std::vector<float> run_alone(const Model& m, const std::vector<int32_t>& toks, int64_t chunk, int threads) {
  std::vector<std::vector<Piece>> steps;
  for (int64_t i = 0; i < int64_t(toks.size()); i += chunk)
    steps.push_back({{0, i, std::min(i + chunk, int64_t(toks.size()))}});
  return run_steps(m, {toks}, steps, threads)[0];
}

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

class TransformerDeterminism : public ::testing::TestWithParam<RefCase> {
 protected:
  void SetUp() override {
    model_ = Model::load(make_model(dir_, GetParam().shape, GetParam().type));
    const int64_t nv = model_->config().n_vocab;
    seqs_ = {random_tokens(90, nv, 1), random_tokens(57, nv, 2), random_tokens(23, nv, 3)};
    for (const auto& s : seqs_) alone_.push_back(run_alone(*model_, s, 16, 2));
  }
  testing::TempDir dir_{"tf_det"};
  std::unique_ptr<Model> model_;
  std::vector<std::vector<int32_t>> seqs_;
  std::vector<std::vector<float>> alone_;  // each sequence alone, chunks of 16, 2 threads
};

TEST_P(TransformerDeterminism, ChunkSizeAndThreadCountDoNotChangeLogits) {
  struct Run {
    int64_t chunk;
    int threads;
  };
  for (const Run& r : {Run{1, 1}, Run{7, 1}, Run{90, 1}, Run{1, 2}, Run{64, 2}, Run{90, 2}, Run{7, 3}})
    EXPECT_TRUE(bit_identical(run_alone(*model_, seqs_[0], r.chunk, r.threads), alone_[0]))
        << "chunk " << r.chunk << ", " << r.threads << " threads";
}

// Steps mixing prefill pieces and single decode tokens of three sequences, in
// varying orders, with interleaved block allocation.
TEST_P(TransformerDeterminism, BatchingWithOtherSequencesDoesNotChangeLogits) {
  const int64_t pattern[] = {37, 1, 1, 12, 1, 50, 3, 1};
  std::vector<int64_t> cursor(seqs_.size(), 0);
  std::vector<std::vector<Piece>> steps;
  bool mixed = false;
  for (int s = 0; cursor[0] < 90 || cursor[1] < 57 || cursor[2] < 23; ++s) {
    std::vector<Piece> step;
    for (size_t k = 0; k < seqs_.size(); ++k) {
      const int i = int(s % 2 ? seqs_.size() - 1 - k : k);
      const int64_t len = int64_t(seqs_[i].size()), n = std::min(pattern[(s * 3 + i) % 8], len - cursor[i]);
      if (n > 0) step.push_back({i, cursor[i], cursor[i] + n});
      cursor[i] += n;
    }
    bool decode = false, prefill = false;
    for (const Piece& p : step) (p.end - p.begin == 1 ? decode : prefill) = true;
    mixed |= decode && prefill && step.size() == 3;
    steps.push_back(step);
  }
  ASSERT_TRUE(mixed) << "the schedule should mix prefill and decode tokens in one step";
  for (int threads : {1, 2}) {
    const auto batched = run_steps(*model_, seqs_, steps, threads);
    for (size_t i = 0; i < seqs_.size(); ++i)
      EXPECT_TRUE(bit_identical(batched[i], alone_[i])) << "sequence " << i << ", " << threads << " threads";
  }
}

TEST_P(TransformerDeterminism, SessionMatchesDirectForward) {
  EXPECT_TRUE(bit_identical(session_logits(*model_, seqs_[1], 32), alone_[1]));
}

// Each activation format: f32, int8 blocks (Q8_0), int8 blocks with sums (Q8_1).
INSTANTIATE_TEST_SUITE_P(Transformer, TransformerDeterminism,
                         ::testing::Values(RefCase{"tiny-llama", DType::F32}, RefCase{"tiny-llama", DType::Q8_0},
                                           RefCase{"tiny-qwen2", DType::Q4_1}, RefCase{"tiny-gemma3", DType::Q8_0}),
                         case_name);

// ---- plan limits ---------------------------------------------------------------------

#define EXPECT_HAS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

TEST(TransformerPlan, BatchesBeyondThePlanAreErrors) {
  testing::TempDir dir("tf_plan");
  auto model = Model::load(make_model(dir, "tiny-llama", DType::Q8_0));
  PlanOptions p;
  p.max_tokens = 8;
  p.max_logits = 2;
  p.max_ctx = 32;
  p.n_threads = 1;
  Engine e(*model, p, 4);
  KvSequence seq(e.kv);
  ASSERT_TRUE(seq.reserve(32));
  // A batch of n tokens, the first n_logits asking for logits, with `edit` applied to the last.
  auto error_of = [&](int n, int n_logits, const std::function<void(BatchToken&)>& edit = {}) {
    Batch b;
    b.block_tables.push_back(seq.table());
    for (int i = 0; i < n; ++i) b.tokens.push_back({i + 1, i, 0, i < n_logits});
    if (edit) edit(b.tokens.back());
    try {
      e.tf.forward(b);
    } catch (const Error& err) {
      return std::string(err.what());
    }
    return std::string();
  };
  const int32_t nv = int32_t(model->config().n_vocab);
  EXPECT_EQ(error_of(8, 2), "");
  EXPECT_HAS(error_of(9, 1), "batch of 9 tokens exceeds the plan");
  EXPECT_HAS(error_of(0, 0), "batch of 0 tokens exceeds the plan");
  EXPECT_HAS(error_of(4, 3), "more logits than the plan allows");
  EXPECT_HAS(error_of(2, 1, [&](BatchToken& t) { t.token = nv; }), "token id " + std::to_string(nv) + " out of range");
  EXPECT_HAS(error_of(2, 1, [](BatchToken& t) { t.token = -1; }), "token id -1 out of range");
  EXPECT_HAS(error_of(2, 1, [](BatchToken& t) { t.pos = 32; }), "position 32 exceeds the plan's context");
  EXPECT_HAS(error_of(2, 1, [](BatchToken& t) { t.seq = 1; }), "unknown sequence");
  EXPECT_EQ(error_of(8, 2), "");  // still usable after the rejections
}

}  // namespace
}  // namespace hw
