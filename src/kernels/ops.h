// Element-wise and row kernels of the transformer (scalar reference versions).
#pragma once
#include <cstdint>

namespace hw {

// out[i] = x[i] / sqrt(mean(x^2) + eps) * w[i]   (w may be null: no weight)
void rmsnorm(const float* x, const float* w, float* out, int64_t n, float eps);

// Rotary embedding of one head in place. Interleaved rotates pairs (2i, 2i+1),
// neox rotates (i, i + rot_dim/2). inv_freq has rot_dim/2 entries (see rope_inv_freq).
struct RopeArgs {
  const float* inv_freq = nullptr;
  int64_t rot_dim = 0;
  bool neox = false;
};
void rope(float* head, int64_t pos, const RopeArgs& args);

// Per-pair inverse frequencies base^(-2i/rot_dim), with llama3 or linear scaling applied.
struct RopeFreqOptions {
  double base = 10000;
  int64_t rot_dim = 0;
  double linear_scale = 1;      // positions divided by this (Linear scaling)
  bool llama3 = false;          // Llama 3.1 frequency-dependent scaling:
  double llama3_factor = 8, low_freq = 1, high_freq = 4;
  int64_t orig_ctx = 8192;
};
void rope_inv_freq(const RopeFreqOptions& opt, float* inv_freq);

// gate[i] = act(gate[i]) * up[i]
void silu_mul(float* gate, const float* up, int64_t n);
void gelu_tanh_mul(float* gate, const float* up, int64_t n);

// In-place softmax over n values.
void softmax(float* x, int64_t n);

// y[i] += x[i]
void add_inplace(float* y, const float* x, int64_t n);

}  // namespace hw
