// One sequence on a model: the CLI's way to prefill a prompt and generate.
// (The server batches many sequences through the same Transformer with its own
// scheduler; a Session is the single-sequence case.)
#pragma once
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/sampler.h"
#include "model/transformer.h"

namespace hw {

struct SessionOptions {
  int64_t ctx = 2048;          // longest sequence (prompt + generated)
  int64_t prefill_chunk = 64;  // prompt tokens per forward step
  bool logits_all = false;     // keep logits for every fed token (perplexity)
  int n_threads = 2;
};

struct GenerateOptions {
  int64_t max_new = 128;
  SamplingOptions sampling;
  bool stop_at_eog = true;
};

class Session {
 public:
  Session(const Model& model, const SessionOptions& opt);

  // Appends tokens; returns the logits of the last one (logits_all: of each, [n][n_vocab],
  // valid for the last chunk only — use on_chunk to see all of them).
  using ChunkFn = std::function<void(int64_t first, int64_t n, const float* logits)>;
  const float* feed(std::span<const int32_t> tokens, const ChunkFn& on_chunk = {});

  // Feeds the prompt, then samples up to max_new tokens. on_token gets each new
  // token and the text it completes (whole UTF-8 characters only); returning false stops.
  using TokenFn = std::function<bool(int32_t token, const std::string& text)>;
  std::vector<int32_t> generate(std::span<const int32_t> prompt, const GenerateOptions& opt, const TokenFn& on_token);

  int64_t n_past() const { return int64_t(history_.size()); }
  const std::vector<int32_t>& history() const { return history_; }
  void reset();
  const Model& model() const { return model_; }

 private:
  const Model& model_;
  SessionOptions opt_;
  KvCache kv_;
  KvSequence seq_;
  Transformer tf_;
  Batch batch_;
  std::vector<int32_t> history_;
};

// Length of the longest prefix of s that does not end inside a UTF-8 character.
size_t utf8_complete_prefix(std::string_view s);

}  // namespace hw
