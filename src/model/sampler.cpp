#include "model/sampler.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace hw {

int32_t argmax(const float* x, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return int32_t(best);
}

Sampler::Sampler(const SamplingOptions& opt) : opt_(opt), rng_(opt.seed) {}

double Sampler::uniform() { return double(rng_() >> 11) * (1.0 / 9007199254740992.0); }

int32_t Sampler::sample(const float* logits, int64_t n_vocab, std::span<const int32_t> history) {
  const float* l = logits;
  const bool penalise = opt_.repeat_penalty != 1.0f || opt_.presence_penalty != 0 || opt_.frequency_penalty != 0;
  if (penalise && !history.empty()) {
    adjusted_.assign(logits, logits + n_vocab);
    const size_t window = std::min(history.size(), size_t(std::max(opt_.repeat_last_n, 0)));
    std::unordered_map<int32_t, int> counts;
    for (size_t i = history.size() - window; i < history.size(); ++i) counts[history[i]]++;
    for (const auto& [tok, count] : counts) {
      if (tok < 0 || tok >= n_vocab) continue;
      float& x = adjusted_[size_t(tok)];
      x = x > 0 ? x / opt_.repeat_penalty : x * opt_.repeat_penalty;
      x -= float(count) * opt_.frequency_penalty + opt_.presence_penalty;
    }
    l = adjusted_.data();
  }
  if (opt_.temperature <= 0) return argmax(l, n_vocab);

  // Candidates: drop what min-p would drop anyway before sorting (cheap on big vocabularies).
  const float mx = l[argmax(l, n_vocab)];
  const float floor = opt_.min_p > 0 ? mx + opt_.temperature * std::log(opt_.min_p) : -INFINITY;
  cand_.clear();
  for (int64_t i = 0; i < n_vocab; ++i)
    if (l[i] >= floor) cand_.emplace_back(l[i], int32_t(i));
  auto by_logit = [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); };
  size_t keep = cand_.size();
  if (opt_.top_k > 0 && size_t(opt_.top_k) < keep) {
    keep = size_t(opt_.top_k);
    std::partial_sort(cand_.begin(), cand_.begin() + keep, cand_.end(), by_logit);
    cand_.resize(keep);
  } else {
    std::sort(cand_.begin(), cand_.end(), by_logit);
  }
  // Softmax at temperature, then nucleus cut.
  double sum = 0;
  for (auto& c : cand_) sum += (c.first = std::exp((c.first - mx) / opt_.temperature));
  if (opt_.top_p < 1.0f) {
    double acc = 0;
    size_t i = 0;
    while (i < cand_.size() && acc < opt_.top_p * sum) acc += cand_[i++].first;
    cand_.resize(std::max<size_t>(i, 1));
    sum = acc > 0 ? acc : cand_[0].first;
  }
  double r = uniform() * sum;
  for (const auto& c : cand_) {
    if (r < c.first) return c.second;
    r -= c.first;
  }
  return cand_.back().second;
}

}  // namespace hw
