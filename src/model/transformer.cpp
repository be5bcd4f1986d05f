#include "model/transformer.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "kernels/attention.h"
#include "kernels/ops.h"
#include "kernels/quant.h"

namespace hw {

KvCacheOptions Transformer::kv_options(const ModelConfig& c, int64_t n_blocks, int64_t block_size) {
  KvCacheOptions o;
  o.n_layers = c.n_layers;
  o.geo.n_kv_heads = c.n_kv_heads;
  o.geo.head_dim = c.head_dim;
  o.geo.block_size = block_size;
  o.n_blocks = n_blocks;
  return o;
}

Transformer::Transformer(const Model& model, KvCache& kv, const PlanOptions& opt)
    : model_(model), cfg_(model.config()), kv_(kv), opt_(opt), pool_(opt.n_threads) {
  const ModelConfig& c = cfg_;
  const int64_t T = opt.max_tokens, q_dim = c.n_heads * c.head_dim, kv_dim = c.n_kv_heads * c.head_dim;
  check(T > 0 && opt.max_logits > 0 && opt.max_ctx > 0, "plan: batch sizes must be positive");
  x_.resize(T * c.dim);
  xn_.resize(T * c.dim);
  tmp_.resize(T * c.dim);
  q_.resize(T * q_dim);
  att_.resize(T * q_dim);
  k_.resize(T * kv_dim);
  v_.resize(T * kv_dim);
  gate_.resize(T * c.ffn_dim);
  up_.resize(T * c.ffn_dim);
  last_.resize(opt.max_logits * c.dim);
  logits_.resize(opt.max_logits * c.n_vocab);
  const int64_t widest = std::max({c.dim, q_dim, c.ffn_dim});
  size_t qbytes = 0;
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q8_1, DType::Q8_K})
    if (widest % dtype_info(t).block == 0) qbytes = std::max(qbytes, row_bytes(t, widest) * size_t(T));
  for (auto& b : qbuf_) b.resize(qbytes);

  RopeFreqOptions ro;
  ro.rot_dim = c.rope_dim;
  ro.base = c.rope_theta;
  if (c.rope_scaling == RopeScaling::Linear) ro.linear_scale = c.rope_scale;
  inv_freq_global_.resize(c.rope_dim / 2);
  rope_inv_freq(ro, inv_freq_global_.data());
  const std::vector<float>& factors = model.weights().rope_freq_factors;
  if (!factors.empty()) {
    for (size_t i = 0; i < factors.size(); ++i) inv_freq_global_[i] /= factors[i];
  } else if (c.rope_scaling == RopeScaling::Llama3) {
    RopeFreqOptions l3 = ro;
    l3.llama3 = true;
    l3.llama3_factor = c.rope_scale;
    l3.low_freq = c.rope_low_freq;
    l3.high_freq = c.rope_high_freq;
    l3.orig_ctx = c.rope_orig_ctx;
    rope_inv_freq(l3, inv_freq_global_.data());
  }
  RopeFreqOptions local = ro;
  local.base = c.rope_theta_local;
  local.linear_scale = 1;
  inv_freq_local_.resize(c.rope_dim / 2);
  rope_inv_freq(local, inv_freq_local_.data());
}

const float* Transformer::forward(const Batch& b) {
  const ModelConfig& c = cfg_;
  const int64_t n = int64_t(b.tokens.size());
  int64_t n_logits = 0;
  // Validation builds no strings unless it fails: a step allocates nothing.
  for (const BatchToken& t : b.tokens) {
    if (t.token < 0 || t.token >= c.n_vocab) throw Error("token id " + std::to_string(t.token) + " out of range");
    if (t.seq < 0 || size_t(t.seq) >= b.block_tables.size()) throw Error("batch token refers to an unknown sequence");
    if (t.pos < 0 || t.pos >= opt_.max_ctx)
      throw Error("position " + std::to_string(t.pos) + " exceeds the plan's context");
    n_logits += t.logits;
  }
  if (n <= 0 || n > opt_.max_tokens) throw Error("batch of " + std::to_string(n) + " tokens exceeds the plan");
  if (n_logits > opt_.max_logits) throw Error("batch asks for more logits than the plan allows");

  // Embedding lookup (dequantised rows), scaled for gemma.
  const WeightMatrix& emb = model_.weights().tok_embd;
  const float scale = c.embed_scale ? std::sqrt(float(c.dim)) : 1.0f;
  for (int64_t t = 0; t < n; ++t) {
    float* x = &x_[t * c.dim];
    dequantize_row(emb.type, emb.row(b.tokens[t].token), x, c.dim);
    if (c.embed_scale)
      for (int64_t i = 0; i < c.dim; ++i) x[i] *= scale;
  }

  for (int64_t l = 0; l < c.n_layers; ++l) layer(l, b);

  // Final norm and output projection only for the tokens that asked for logits.
  int64_t j = 0;
  for (int64_t t = 0; t < n; ++t)
    if (b.tokens[t].logits) rmsnorm(&x_[t * c.dim], model_.weights().out_norm.data(), &last_[j++ * c.dim], c.dim, float(c.norm_eps));
  if (n_logits) project(last_.data(), n_logits, {{&model_.weights().output, logits_.data()}});
  return logits_.data();
}

// One transformer block. Families differ only through config flags.
void Transformer::layer(int64_t l, const Batch& b) {
  const ModelConfig& c = cfg_;
  const LayerWeights& w = model_.weights().layers[l];
  const int64_t n = int64_t(b.tokens.size());

  norm_rows(x_.data(), w.attn_norm, xn_.data(), n);
  project(xn_.data(), n, {{&w.wq, q_.data()}, {&w.wk, k_.data()}, {&w.wv, v_.data()}});
  attend(l, b);  // biases, qk-norm, rope, KV store, attention -> att_
  project(att_.data(), n, {{&w.wo, tmp_.data()}});
  if (c.post_norms) norm_rows(tmp_.data(), w.post_attn_norm, tmp_.data(), n);
  add_inplace(x_.data(), tmp_.data(), n * c.dim);

  norm_rows(x_.data(), w.ffn_norm, xn_.data(), n);
  project(xn_.data(), n, {{&w.w_gate, gate_.data()}, {&w.w_up, up_.data()}});
  pool_.run(n, [&](int64_t t0, int64_t t1, int) {
    float* g = &gate_[t0 * c.ffn_dim];
    const float* u = &up_[t0 * c.ffn_dim];
    if (c.act == Activation::SiLU) silu_mul(g, u, (t1 - t0) * c.ffn_dim);
    else gelu_tanh_mul(g, u, (t1 - t0) * c.ffn_dim);
  });
  project(gate_.data(), n, {{&w.w_down, tmp_.data()}});
  if (c.post_norms) norm_rows(tmp_.data(), w.post_ffn_norm, tmp_.data(), n);
  add_inplace(x_.data(), tmp_.data(), n * c.dim);
}

void Transformer::norm_rows(const float* x, const std::vector<float>& w, float* out, int64_t n) {
  const int64_t d = cfg_.dim;
  for (int64_t t = 0; t < n; ++t) rmsnorm(x + t * d, w.data(), out + t * d, d, float(cfg_.norm_eps));
}

// y = x W^T for each output, x quantised once per distinct dot type; the rows of all
// outputs are split over the threads as one range.
void Transformer::project(const float* x, int64_t n, std::initializer_list<Out> outs) {
  const int64_t cols = outs.begin()->w->cols;
  DType types[2];
  QuantizedActs acts[2];
  int n_types = 0;
  for (const Out& o : outs) {
    const DType t = vec_dot_type(o.w->type);
    if (std::find(types, types + n_types, t) != types + n_types) continue;
    check(n_types < 2, "more than two activation formats in one projection");
    types[n_types] = t;
    acts[n_types] = acts_layout(o.w->type, cols, n, qbuf_[n_types].data());
    const QuantizedActs& a = acts[n_types++];
    pool_.run(n, [&](int64_t t0, int64_t t1, int) { quantize_acts(a, x, t0, t1); });
  }
  int64_t total = 0;
  for (const Out& o : outs) total += o.w->rows;
  pool_.run(total, [&](int64_t r0, int64_t r1, int) {
    int64_t base = 0;
    for (const Out& o : outs) {
      const int64_t lo = std::max(r0 - base, int64_t(0)), hi = std::min(r1 - base, o.w->rows);
      if (lo < hi) {
        const QuantizedActs& a = acts[vec_dot_type(o.w->type) == types[0] ? 0 : 1];
        matmul_rows(*o.w, a, o.y, o.w->rows, lo, hi);
      }
      base += o.w->rows;
    }
  });
}

// Biases, per-head norms, RoPE and the KV write for every token, then attention.
void Transformer::attend(int64_t l, const Batch& b) {
  const ModelConfig& c = cfg_;
  const LayerWeights* lw = &model_.weights().layers[l];
  const int64_t n = int64_t(b.tokens.size()), hd = c.head_dim;
  const int64_t q_dim = c.n_heads * hd, kv_dim = c.n_kv_heads * hd;
  const bool sliding = c.layer_is_sliding(l);
  RopeArgs ra{sliding ? inv_freq_local_.data() : inv_freq_global_.data(), c.rope_dim, c.rope_style == RopeStyle::Neox};
  KvLayerView kv = kv_.layer(l);
  const float eps = float(c.norm_eps);

  pool_.run(n, [&](int64_t t0, int64_t t1, int) {
    for (int64_t t = t0; t < t1; ++t) {
      float* q = &q_[t * q_dim];
      float* k = &k_[t * kv_dim];
      float* v = &v_[t * kv_dim];
      if (c.qkv_bias) {
        add_inplace(q, lw->bq.data(), q_dim);
        add_inplace(k, lw->bk.data(), kv_dim);
        add_inplace(v, lw->bv.data(), kv_dim);
      }
      const int64_t pos = b.tokens[t].pos;
      for (int64_t h = 0; h < c.n_heads; ++h) {
        if (c.qk_norm) rmsnorm(q + h * hd, lw->q_norm.data(), q + h * hd, hd, eps);
        rope(q + h * hd, pos, ra);
      }
      for (int64_t h = 0; h < c.n_kv_heads; ++h) {
        if (c.qk_norm) rmsnorm(k + h * hd, lw->k_norm.data(), k + h * hd, hd, eps);
        rope(k + h * hd, pos, ra);
      }
      kv_store(kv, b.block_tables[b.tokens[t].seq], pos, k, v);
    }
  });

  const int64_t window = sliding ? c.sliding_window : 0;
  pool_.run(n, [&](int64_t t0, int64_t t1, int) {
    for (int64_t t = t0; t < t1; ++t) {
      AttentionQuery aq{&q_[t * q_dim], b.tokens[t].pos, b.block_tables[b.tokens[t].seq], window, float(c.attn_scale())};
      attention_flash(kv, aq, c.n_heads, &att_[t * q_dim]);
    }
  });
}

}  // namespace hw
