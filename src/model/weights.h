// The transformer's weights, bound to tensors of a GGUF file. Matrices stay in place
// in the mapping; 1-D vectors (norms, biases) are converted to owned f32.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "kernels/matmul.h"
#include "model/config.h"

namespace hw {

class GgufFile;

struct LayerWeights {
  std::vector<float> attn_norm;       // [dim]
  WeightMatrix wq;                    // [n_heads*head_dim rows x dim]
  WeightMatrix wk, wv;                // [n_kv_heads*head_dim rows x dim]
  std::vector<float> bq, bk, bv;      // qwen2 biases, same rows as wq/wk/wv (else empty)
  std::vector<float> q_norm, k_norm;  // [head_dim] gemma3 (else empty)
  WeightMatrix wo;                    // [dim rows x n_heads*head_dim]
  std::vector<float> post_attn_norm;  // [dim] gemma3 (else empty)
  std::vector<float> ffn_norm;        // [dim]
  WeightMatrix w_gate, w_up;          // [ffn_dim rows x dim]
  WeightMatrix w_down;                // [dim rows x ffn_dim]
  std::vector<float> post_ffn_norm;   // [dim] gemma3 (else empty)
};

struct Weights {
  WeightMatrix tok_embd;              // [n_vocab rows x dim]
  std::vector<float> out_norm;        // [dim]
  WeightMatrix output;                // [n_vocab rows x dim]; tok_embd when tied
  bool tied_output = false;
  std::vector<float> rope_freq_factors;  // [rope_dim/2] llama3 (rope_freqs.weight), else empty
  std::vector<LayerWeights> layers;
};

// Binds every tensor the config calls for, checking names, shapes and types.
// Throws hw::Error naming the tensor ("tensor blk.3.ffn_up.weight: shape ...").
Weights bind_weights(const GgufFile& file, const ModelConfig& cfg);

// Total parameters and bytes of the bound matrices and vectors.
struct WeightStats {
  int64_t params = 0;
  uint64_t bytes = 0;
};
WeightStats weight_stats(const GgufFile& file);

}  // namespace hw
