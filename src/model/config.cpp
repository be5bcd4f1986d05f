#include "model/config.h"

#include <cmath>
#include <sstream>

#include "base/error.h"
#include "format/gguf.h"

namespace hw {

std::string_view arch_name(Arch a) {
  switch (a) {
    case Arch::Llama: return "llama";
    case Arch::Qwen2: return "qwen2";
    case Arch::Gemma3: return "gemma3";
  }
  return "?";
}

double ModelConfig::attn_scale() const { return 1.0 / std::sqrt(double(head_dim)); }

namespace {

enum class Need { Required, Optional };

// The one field list. A visitor gets (gguf key suffix, field, need, description).
template <typename V>
void visit_fields(ModelConfig& c, V&& v) {
  v("context_length", c.n_ctx_train, Need::Required, "training context length");
  v("embedding_length", c.dim, Need::Required, "model width");
  v("block_count", c.n_layers, Need::Required, "transformer layers");
  v("feed_forward_length", c.ffn_dim, Need::Required, "FFN hidden width");
  v("attention.head_count", c.n_heads, Need::Required, "query heads");
  v("attention.head_count_kv", c.n_kv_heads, Need::Optional, "key/value heads (GQA)");
  v("attention.key_length", c.head_dim, Need::Optional, "head dimension of q and k");
  v("attention.value_length", c.head_dim_v, Need::Optional, "head dimension of v");
  v("rope.dimension_count", c.rope_dim, Need::Optional, "rotary dimensions per head");
  v("attention.layer_norm_rms_epsilon", c.norm_eps, Need::Required, "RMSNorm epsilon");
  v("rope.freq_base", c.rope_theta, Need::Optional, "RoPE base");
  v("rope.scaling.factor", c.rope_scale, Need::Optional, "RoPE scaling factor");
  v("rope.scaling.low_freq_factor", c.rope_low_freq, Need::Optional, "llama3 RoPE low-frequency factor");
  v("rope.scaling.high_freq_factor", c.rope_high_freq, Need::Optional, "llama3 RoPE high-frequency factor");
  v("rope.scaling.original_context_length", c.rope_orig_ctx, Need::Optional, "RoPE original context");
  v("attention.sliding_window", c.sliding_window, Need::Optional, "sliding-window size");
  v("vocab_size", c.n_vocab, Need::Optional, "vocabulary size");
}

struct Reader {
  const GgufFile& f;
  std::string prefix;
  void operator()(const char* key, int64_t& field, Need need, const char*) const {
    if (auto x = f.get_int(prefix + key)) field = *x;
    else missing(key, need);
  }
  void operator()(const char* key, double& field, Need need, const char*) const {
    if (auto x = f.get_float(prefix + key)) field = *x;
    else missing(key, need);
  }
  void missing(const char* key, Need need) const {
    check(need == Need::Optional, f.origin() + ": missing required key " + prefix + key);
  }
};

struct Printer {
  std::string prefix;
  std::vector<std::string>& out;
  template <typename T>
  void operator()(const char* key, T& field, Need, const char* desc) const {
    std::ostringstream s;
    s << prefix << key << " = " << field << "  (" << desc << ")";
    out.push_back(s.str());
  }
};

Arch parse_arch(std::string_view name, const std::string& origin) {
  if (name == "llama") return Arch::Llama;
  if (name == "qwen2") return Arch::Qwen2;
  if (name == "gemma3") return Arch::Gemma3;
  throw Error(origin + ": unsupported architecture '" + std::string(name) +
              "' (supported: llama, qwen2, gemma3)");
}

void set_family_traits(ModelConfig& c) {
  switch (c.arch) {
    case Arch::Llama:
      c.rope_style = RopeStyle::Interleaved;
      break;
    case Arch::Qwen2:
      c.rope_style = RopeStyle::Neox;
      c.qkv_bias = true;
      break;
    case Arch::Gemma3:
      c.rope_style = RopeStyle::Neox;
      c.act = Activation::GeluTanh;
      c.qk_norm = c.post_norms = c.embed_scale = true;
      c.sliding_pattern = 6;
      c.rope_theta_local = 10000;
      break;
  }
}

}  // namespace

ModelConfig read_config(const GgufFile& f) {
  ModelConfig c;
  auto arch = f.get_string("general.architecture");
  check(arch.has_value(), f.origin() + ": missing required key general.architecture");
  c.arch = parse_arch(*arch, f.origin());
  set_family_traits(c);
  const std::string prefix = std::string(*arch) + ".";
  visit_fields(c, Reader{f, prefix});

  if (auto s = f.get_string(prefix + "rope.scaling.type")) {
    if (*s == "linear") c.rope_scaling = RopeScaling::Linear;
    else if (*s == "llama3") c.rope_scaling = RopeScaling::Llama3;
    else if (*s != "none") throw Error(f.origin() + ": unsupported rope.scaling.type '" + std::string(*s) + "'");
  } else if (c.rope_scale != 1) {
    c.rope_scaling = RopeScaling::Linear;
  }
  // Llama 3.1+ files carry their scaling as a rope_freqs tensor and these keys.
  if (c.arch == Arch::Llama && f.tensor("rope_freqs.weight")) c.rope_scaling = RopeScaling::Llama3;

  if (c.n_kv_heads == 0) c.n_kv_heads = c.n_heads;
  const std::string where = f.origin() + ": ";
  check(c.dim > 0 && c.n_layers > 0 && c.n_heads > 0 && c.ffn_dim > 0,
        where + "embedding_length, block_count, head_count and feed_forward_length must be positive");
  if (c.head_dim == 0) {
    check(c.dim % c.n_heads == 0, where + "embedding_length is not a multiple of head_count");
    c.head_dim = c.dim / c.n_heads;
  }
  if (c.head_dim_v == 0) c.head_dim_v = c.head_dim;
  if (c.rope_dim == 0) c.rope_dim = c.head_dim;
  check(c.n_kv_heads > 0 && c.n_heads % c.n_kv_heads == 0,
        where + "head_count " + std::to_string(c.n_heads) + " is not a multiple of head_count_kv " +
            std::to_string(c.n_kv_heads));
  check(c.head_dim_v == c.head_dim, where + "key_length != value_length is not supported");
  check(c.rope_dim > 0 && c.rope_dim <= c.head_dim && c.rope_dim % 2 == 0,
        where + "rope.dimension_count must be even and at most the head dimension");
  check(c.head_dim <= 1024 && c.n_heads <= 1024, where + "head dimension or count out of range");
  check(c.norm_eps > 0 && c.norm_eps < 1, where + "layer_norm_rms_epsilon out of range");
  check(c.rope_theta > 0 && c.rope_scale > 0, where + "rope.freq_base and scaling factor must be positive");
  check(c.n_ctx_train > 0, where + "context_length must be positive");
  check(c.sliding_window >= 0, where + "sliding_window must not be negative");
  return c;
}

std::vector<std::string> describe_config(const ModelConfig& c) {
  std::vector<std::string> out;
  out.push_back("architecture = " + std::string(arch_name(c.arch)));
  ModelConfig copy = c;
  visit_fields(copy, Printer{std::string(arch_name(c.arch)) + ".", out});
  out.push_back(std::string("rope style = ") + (c.rope_style == RopeStyle::Neox ? "neox" : "interleaved"));
  out.push_back(std::string("activation = ") + (c.act == Activation::SiLU ? "silu" : "gelu-tanh"));
  out.push_back(std::string("qkv bias = ") + (c.qkv_bias ? "yes" : "no") +
                ", qk norm = " + (c.qk_norm ? "yes" : "no") + ", post norms = " + (c.post_norms ? "yes" : "no"));
  if (c.sliding_pattern)
    out.push_back("sliding window = " + std::to_string(c.sliding_window) + " on " +
                  std::to_string(c.sliding_pattern - 1) + " of every " + std::to_string(c.sliding_pattern) +
                  " layers, local rope base " + std::to_string(c.rope_theta_local));
  return out;
}

}  // namespace hw
