// Perplexity of a text: exp of the mean negative log-likelihood, evaluated in
// independent windows of ctx tokens (BOS first where the model uses one); the first
// half of each window is context only and the rest is scored, as llama.cpp does.
#pragma once
#include <cstdint>
#include <functional>
#include <string_view>

#include "model/model.h"

namespace hw {

struct PerplexityOptions {
  int64_t ctx = 512;
  int64_t max_windows = 0;  // 0: all
  int n_threads = 2;
};

struct PerplexityResult {
  double ppl = 0;
  int64_t scored = 0;   // tokens scored
  int64_t windows = 0;
};

using PerplexityProgress = std::function<void(int64_t done, int64_t total, double ppl_so_far)>;

PerplexityResult perplexity(const Model& model, std::string_view text, const PerplexityOptions& opt,
                            const PerplexityProgress& progress = {});

}  // namespace hw
