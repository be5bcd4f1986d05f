#include "model/random_model.h"

#include <cmath>
#include <cstring>
#include <random>

#include "base/error.h"
#include "format/gguf.h"
#include "format/gguf_writer.h"
#include "kernels/quant.h"

namespace hw {

const std::vector<ModelShape>& model_shapes() {
  static const std::vector<ModelShape> shapes = {
      // name, arch, dim, layers, heads, kv heads, ffn, ctx, rope base, tied
      {"tinyllama-1.1b", Arch::Llama, 2048, 22, 32, 4, 5632, 2048, 10000, false},
      {"smollm2-135m", Arch::Llama, 576, 30, 9, 3, 1536, 8192, 100000, true},
      {"llama3-8b", Arch::Llama, 4096, 32, 32, 8, 14336, 8192, 500000, false},
      {"tiny-llama", Arch::Llama, 128, 2, 4, 2, 256, 512, 10000, false},
      {"tiny-llama-k", Arch::Llama, 256, 2, 4, 2, 512, 512, 10000, false},  // K-quant block sized
      {"tiny-qwen2", Arch::Qwen2, 128, 2, 4, 2, 256, 512, 1000000, true},
      {"tiny-gemma3", Arch::Gemma3, 128, 6, 4, 1, 256, 512, 1000000, true},
  };
  return shapes;
}

const ModelShape* find_model_shape(const std::string& name) {
  for (const ModelShape& s : model_shapes())
    if (s.name == name) return &s;
  return nullptr;
}

namespace {

// Deterministic normal(0, std) values, quantised to `type`, one fill per tensor.
GgufWriter::Fill random_fill(DType type, int64_t cols, int64_t rows, float stddev, uint64_t seed) {
  return [=](uint8_t* dst) {
    std::mt19937_64 rng(seed);
    std::vector<float> row(size_t(cols), 0.0f);
    const size_t rb = row_bytes(type, cols);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t i = 0; i < cols; i += 2) {
        // Box-Muller from two 53-bit uniforms.
        const double u1 = (double(rng() >> 11) + 1.0) * 0x1.0p-53, u2 = double(rng() >> 11) * 0x1.0p-53;
        const double m = std::sqrt(-2.0 * std::log(u1)) * stddev;
        row[size_t(i)] = float(m * std::cos(2 * M_PI * u2));
        if (i + 1 < cols) row[size_t(i + 1)] = float(m * std::sin(2 * M_PI * u2));
      }
      quantize_row(type, row.data(), dst + size_t(r) * rb, cols);
    }
  };
}

GgufWriter::Fill ones(int64_t n) {
  return [n](uint8_t* dst) {
    const float one = 1.0f;
    for (int64_t i = 0; i < n; ++i) std::memcpy(dst + 4 * i, &one, 4);
  };
}

}  // namespace

void write_random_model(const RandomModelOptions& o) {
  const ModelShape* s = find_model_shape(o.shape);
  if (!s) {
    std::string names;
    for (const ModelShape& m : model_shapes()) names += (names.empty() ? "" : ", ") + m.name;
    throw Error("unknown model shape '" + o.shape + "' (known: " + names + ")");
  }
  check(dtype_info(o.type).weights, "type " + std::string(dtype_name(o.type)) + " is not a weight type");
  auto vocab = GgufFile::open(o.vocab_path);
  const auto* tokens = vocab->get_strings("tokenizer.ggml.tokens");
  check(tokens != nullptr, o.vocab_path + ": no tokenizer.ggml.tokens");
  const int64_t n_vocab = int64_t(tokens->size());
  const int64_t head_dim = s->arch == Arch::Gemma3 ? 64 : s->dim / s->n_heads;
  const int64_t block = dtype_info(o.type).block;
  check(s->dim % block == 0 && s->ffn_dim % block == 0 && (s->n_heads * head_dim) % block == 0,
        "shape " + s->name + " does not fit the " + std::string(dtype_name(o.type)) + " block size");

  GgufWriter w;
  const std::string a(arch_name(s->arch));
  w.set_string("general.architecture", a);
  w.set_string("general.name", "random " + s->name + " " + std::string(dtype_name(o.type)));
  w.set_u32(a + ".context_length", uint32_t(s->ctx));
  w.set_u32(a + ".embedding_length", uint32_t(s->dim));
  w.set_u32(a + ".block_count", uint32_t(s->n_layers));
  w.set_u32(a + ".feed_forward_length", uint32_t(s->ffn_dim));
  w.set_u32(a + ".attention.head_count", uint32_t(s->n_heads));
  w.set_u32(a + ".attention.head_count_kv", uint32_t(s->n_kv_heads));
  w.set_u32(a + ".attention.key_length", uint32_t(head_dim));
  w.set_u32(a + ".attention.value_length", uint32_t(head_dim));
  w.set_f32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_f32(a + ".rope.freq_base", float(s->rope_theta));
  if (s->arch == Arch::Gemma3) w.set_u32(a + ".attention.sliding_window", 64);
  for (const auto& [key, value] : vocab->metadata())
    if (key.rfind("tokenizer.", 0) == 0) w.copy(key, value);

  uint64_t seed = o.seed;
  const float sd = 0.02f;
  auto matrix = [&](const std::string& name, int64_t cols, int64_t rows) {
    w.add_tensor(name, o.type, {cols, rows}, random_fill(o.type, cols, rows, sd, seed++));
  };
  auto vec = [&](const std::string& name, int64_t n) { w.add_tensor(name, DType::F32, {n}, ones(n)); };
  const int64_t q_dim = s->n_heads * head_dim, kv_dim = s->n_kv_heads * head_dim;
  matrix("token_embd.weight", s->dim, n_vocab);
  vec("output_norm.weight", s->dim);
  if (!s->tied_output) matrix("output.weight", s->dim, n_vocab);
  for (int64_t l = 0; l < s->n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    vec(p + "attn_norm.weight", s->dim);
    matrix(p + "attn_q.weight", s->dim, q_dim);
    matrix(p + "attn_k.weight", s->dim, kv_dim);
    matrix(p + "attn_v.weight", s->dim, kv_dim);
    if (s->arch == Arch::Qwen2) {
      w.add_tensor(p + "attn_q.bias", DType::F32, {q_dim}, random_fill(DType::F32, q_dim, 1, sd, seed++));
      w.add_tensor(p + "attn_k.bias", DType::F32, {kv_dim}, random_fill(DType::F32, kv_dim, 1, sd, seed++));
      w.add_tensor(p + "attn_v.bias", DType::F32, {kv_dim}, random_fill(DType::F32, kv_dim, 1, sd, seed++));
    }
    if (s->arch == Arch::Gemma3) {
      vec(p + "attn_q_norm.weight", head_dim);
      vec(p + "attn_k_norm.weight", head_dim);
      vec(p + "post_attention_norm.weight", s->dim);
      vec(p + "post_ffw_norm.weight", s->dim);
    }
    matrix(p + "attn_output.weight", q_dim, s->dim);
    vec(p + "ffn_norm.weight", s->dim);
    matrix(p + "ffn_gate.weight", s->dim, s->ffn_dim);
    matrix(p + "ffn_up.weight", s->dim, s->ffn_dim);
    matrix(p + "ffn_down.weight", s->ffn_dim, s->dim);
  }
  w.write(o.out_path);
}

}  // namespace hw
