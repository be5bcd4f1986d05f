#include "model/weights.h"

#include "base/error.h"
#include "format/gguf.h"
#include "kernels/quant.h"

namespace hw {
namespace {

std::string shape_str(const int64_t* ne, int n) {
  std::string s = "[";
  for (int i = 0; i < n; ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

class Binder {
 public:
  Binder(const GgufFile& f) : f_(f) {}

  const TensorInfo* find(const std::string& name, bool required) const {
    const TensorInfo* t = f_.tensor(name);
    check(t || !required, f_.origin() + ": missing tensor " + name);
    return t;
  }

  void expect_shape(const TensorInfo& t, std::initializer_list<int64_t> want) const {
    const int64_t* w = want.begin();
    bool ok = int(want.size()) >= t.n_dims;
    for (int i = 0; ok && i < 4; ++i) ok = t.ne[i] == (i < int(want.size()) ? w[i] : 1);
    check(ok, f_.origin() + ": tensor " + t.name + ": shape " + shape_str(t.ne, t.n_dims) + ", expected " +
                  shape_str(w, int(want.size())));
  }

  // A matrix of `rows` outputs by `cols` inputs.
  WeightMatrix matrix(const std::string& name, int64_t cols, int64_t rows, bool required = true) const {
    const TensorInfo* t = find(name, required);
    if (!t) return {};
    expect_shape(*t, {cols, rows});
    check(dtype_info(t->type).weights, f_.origin() + ": tensor " + name + ": type " +
                                           std::string(dtype_name(t->type)) + " is not supported for weights");
    return WeightMatrix{t->type, cols, rows, t->data, row_bytes(t->type, cols)};
  }

  std::vector<float> vec(const std::string& name, int64_t n, bool required = true) const {
    const TensorInfo* t = find(name, required);
    if (!t) return {};
    expect_shape(*t, {n});
    check(dtype_info(t->type).weights, f_.origin() + ": tensor " + name + ": type " +
                                           std::string(dtype_name(t->type)) + " is not supported");
    std::vector<float> out(static_cast<size_t>(n));
    dequantize_row(t->type, t->data, out.data(), n);
    return out;
  }

 private:
  const GgufFile& f_;
};

}  // namespace

Weights bind_weights(const GgufFile& f, const ModelConfig& c) {
  Binder b(f);
  Weights w;
  const int64_t q_dim = c.n_heads * c.head_dim, kv_dim = c.n_kv_heads * c.head_dim;
  w.tok_embd = b.matrix("token_embd.weight", c.dim, c.n_vocab);
  w.out_norm = b.vec("output_norm.weight", c.dim);
  w.output = b.matrix("output.weight", c.dim, c.n_vocab, /*required=*/false);
  w.tied_output = w.output.data == nullptr;
  if (w.tied_output) w.output = w.tok_embd;
  if (c.rope_scaling == RopeScaling::Llama3) w.rope_freq_factors = b.vec("rope_freqs.weight", c.rope_dim / 2, false);

  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    LayerWeights L;
    L.attn_norm = b.vec(p + "attn_norm.weight", c.dim);
    L.wq = b.matrix(p + "attn_q.weight", c.dim, q_dim);
    L.wk = b.matrix(p + "attn_k.weight", c.dim, kv_dim);
    L.wv = b.matrix(p + "attn_v.weight", c.dim, kv_dim);
    if (c.qkv_bias) {
      L.bq = b.vec(p + "attn_q.bias", q_dim);
      L.bk = b.vec(p + "attn_k.bias", kv_dim);
      L.bv = b.vec(p + "attn_v.bias", kv_dim);
    }
    if (c.qk_norm) {
      L.q_norm = b.vec(p + "attn_q_norm.weight", c.head_dim);
      L.k_norm = b.vec(p + "attn_k_norm.weight", c.head_dim);
    }
    L.wo = b.matrix(p + "attn_output.weight", q_dim, c.dim);
    L.ffn_norm = b.vec(p + "ffn_norm.weight", c.dim);
    L.w_gate = b.matrix(p + "ffn_gate.weight", c.dim, c.ffn_dim);
    L.w_up = b.matrix(p + "ffn_up.weight", c.dim, c.ffn_dim);
    L.w_down = b.matrix(p + "ffn_down.weight", c.ffn_dim, c.dim);
    if (c.post_norms) {
      L.post_attn_norm = b.vec(p + "post_attention_norm.weight", c.dim);
      L.post_ffn_norm = b.vec(p + "post_ffw_norm.weight", c.dim);
    }
    w.layers.push_back(std::move(L));
  }
  return w;
}

WeightStats weight_stats(const GgufFile& f) {
  WeightStats s;
  for (const TensorInfo& t : f.tensors()) {
    s.params += t.n_elements;
    s.bytes += t.n_bytes;
  }
  return s;
}

}  // namespace hw
