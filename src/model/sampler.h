// Next-token sampling: greedy, temperature, top-k, top-p, min-p, repetition /
// presence / frequency penalties, seeded. The same seed, logits and history give
// the same token on every machine (own RNG arithmetic, no std distributions).
#pragma once
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace hw {

struct SamplingOptions {
  float temperature = 0.8f;      // <= 0: greedy
  int top_k = 40;                // <= 0: off
  float top_p = 0.95f;           // >= 1: off
  float min_p = 0.05f;           // <= 0: off
  float repeat_penalty = 1.0f;   // 1: off; divides positive / multiplies negative logits
  int repeat_last_n = 64;        // history window the penalties look at
  float presence_penalty = 0.0f;
  float frequency_penalty = 0.0f;
  uint64_t seed = 0;
};

class Sampler {
 public:
  explicit Sampler(const SamplingOptions& opt);
  // history: tokens so far (prompt and generated), for the penalties.
  int32_t sample(const float* logits, int64_t n_vocab, std::span<const int32_t> history);

 private:
  double uniform();  // [0, 1)
  SamplingOptions opt_;
  std::mt19937_64 rng_;
  std::vector<std::pair<float, int32_t>> cand_;
  std::vector<float> adjusted_;
};

// Index of the largest value (lowest index on ties).
int32_t argmax(const float* x, int64_t n);

}  // namespace hw
