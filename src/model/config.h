// Model hyperparameters: one struct for every supported family, filled from GGUF
// metadata by one field list (visit_fields) that also drives validation and printing.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hw {

class GgufFile;

// general.architecture, parsed. Families differ only through the config fields below.
enum class Arch { Llama, Qwen2, Gemma3 };
std::string_view arch_name(Arch a);

enum class RopeStyle { Interleaved, Neox };  // pairs (2i, 2i+1) vs (i, i + d/2)
enum class Activation { SiLU, GeluTanh };    // gate activation of the GLU feed-forward
enum class RopeScaling { None, Linear, Llama3 };

struct ModelConfig {
  Arch arch = Arch::Llama;
  // From metadata ("<arch>." prefix implied):
  int64_t n_ctx_train = 0;   // context_length
  int64_t dim = 0;           // embedding_length
  int64_t n_layers = 0;      // block_count
  int64_t ffn_dim = 0;       // feed_forward_length
  int64_t n_heads = 0;       // attention.head_count
  int64_t n_kv_heads = 0;    // attention.head_count_kv (default n_heads)
  int64_t head_dim = 0;      // attention.key_length (default dim / n_heads)
  int64_t head_dim_v = 0;    // attention.value_length (default head_dim)
  int64_t rope_dim = 0;      // rope.dimension_count (default head_dim)
  double norm_eps = 0;       // attention.layer_norm_rms_epsilon
  double rope_theta = 10000;        // rope.freq_base
  double rope_theta_local = 10000;  // rope base of sliding-window layers (gemma3)
  RopeScaling rope_scaling = RopeScaling::None;  // rope.scaling.type
  double rope_scale = 1;            // rope.scaling.factor
  double rope_low_freq = 1, rope_high_freq = 4;  // llama3 scaling factors
  int64_t rope_orig_ctx = 8192;     // rope.scaling.original_context_length
  int64_t sliding_window = 0;       // attention.sliding_window (0 = none)
  int64_t n_vocab = 0;              // vocab_size, else the tokenizer's size

  // Family traits (set from arch, not read):
  RopeStyle rope_style = RopeStyle::Interleaved;
  Activation act = Activation::SiLU;
  bool qkv_bias = false;       // qwen2
  bool qk_norm = false;        // gemma3: RMSNorm of q and k per head
  bool post_norms = false;     // gemma3: norms after attention and after the FFN
  bool embed_scale = false;    // gemma3: embeddings scaled by sqrt(dim)
  int sliding_pattern = 0;     // gemma3: every n-th layer is global, the rest sliding

  // Derived helpers.
  bool layer_is_sliding(int64_t layer) const {
    return sliding_window > 0 && sliding_pattern > 0 && (layer + 1) % sliding_pattern != 0;
  }
  double attn_scale() const;
};

// Reads and validates the config of a GGUF model; throws hw::Error naming a missing
// or invalid key, or an unsupported architecture.
ModelConfig read_config(const GgufFile& file);

// One "name = value  (gguf key)" line per field, for `hardwire info`.
std::vector<std::string> describe_config(const ModelConfig& c);

}  // namespace hw
