// The transformer forward pass over a batch of tokens from one or many sequences:
// prefill is many tokens of one sequence, decode is one token each of many sequences,
// and a step may mix both. All buffers are sized once, at construction, for the
// plan's maximum batch; a step allocates nothing.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "model/model.h"
#include "runtime/kv_cache.h"
#include "runtime/thread_pool.h"

namespace hw {

struct BatchToken {
  int32_t token = 0;
  int32_t pos = 0;      // position in its sequence
  int32_t seq = 0;      // index into Batch::block_tables
  bool logits = false;  // produce next-token logits for this token
};

struct Batch {
  std::vector<BatchToken> tokens;
  std::vector<const int32_t*> block_tables;  // per sequence; must cover every position used
};

struct PlanOptions {
  int64_t max_tokens = 256;   // tokens per step
  int64_t max_logits = 32;    // tokens per step that may ask for logits
  int64_t max_ctx = 4096;     // longest sequence attended over
  int n_threads = 2;
};

class Transformer {
 public:
  Transformer(const Model& model, KvCache& kv, const PlanOptions& opt);

  // Runs one step. Returns logits [n_flagged][n_vocab] in the order of flagged tokens;
  // valid until the next call. Throws hw::Error if the batch exceeds the plan.
  const float* forward(const Batch& batch);

  const Model& model() const { return model_; }
  const PlanOptions& options() const { return opt_; }
  int64_t n_vocab() const { return model_.config().n_vocab; }

  // KV cache geometry for a model.
  static KvCacheOptions kv_options(const ModelConfig& c, int64_t n_blocks, int64_t block_size = 16);

 private:
  struct Out {
    const WeightMatrix* w;
    float* y;
  };
  void layer(int64_t l, const Batch& b);
  void norm_rows(const float* x, const std::vector<float>& w, float* out, int64_t n);
  void project(const float* x, int64_t n, std::initializer_list<Out> outs);
  void attend(int64_t l, const Batch& b);

  const Model& model_;
  const ModelConfig& cfg_;
  KvCache& kv_;
  PlanOptions opt_;
  ThreadPool pool_;
  std::vector<float> inv_freq_global_, inv_freq_local_;
  // Activations [max_tokens][width].
  std::vector<float> x_, xn_, q_, k_, v_, att_, tmp_, gate_, up_;
  std::vector<float> logits_, last_;  // [max_logits][n_vocab], [max_logits][dim]
  std::vector<uint8_t> qbuf_[2];      // quantised activations, one per distinct dot type
};

}  // namespace hw
