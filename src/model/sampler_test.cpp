// The sampler: greedy, seeding, the candidate cuts (top-k, top-p, min-p), the
// penalties as sampler.h defines them, and the sampled frequencies against
// softmax(logits / T). Every test uses fixed seeds, so each is deterministic.
#include "model/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace hw {
namespace {

// All cuts and penalties off: plain sampling at temperature t.
SamplingOptions plain(float t, uint64_t seed = 1) {
  SamplingOptions o;
  o.temperature = t;
  o.top_k = 0;
  o.top_p = 1.0f;
  o.min_p = 0.0f;
  o.seed = seed;
  return o;
}

std::vector<float> random_logits(int64_t n, uint64_t seed, float scale = 3.0f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> l(static_cast<size_t>(n));
  for (float& x : l) x = d(rng);
  return l;
}

// Logits log(p) for the given probabilities (sampling at T = 1 gives back p).
std::vector<float> log_probs(const std::vector<double>& p) {
  std::vector<float> l;
  for (double x : p) l.push_back(float(std::log(x)));
  return l;
}

// How often each token is drawn in n draws.
std::vector<int> histogram(const SamplingOptions& o, const std::vector<float>& logits, int n,
                           const std::vector<int32_t>& history = {}) {
  Sampler s(o);
  std::vector<int> counts(logits.size(), 0);
  for (int i = 0; i < n; ++i) counts[size_t(s.sample(logits.data(), int64_t(logits.size()), history))]++;
  return counts;
}

TEST(Sampler, ArgmaxTakesTheLowestIndexOnTies) {
  const float x[] = {1, 3, -2, 3, 0};
  EXPECT_EQ(argmax(x, 5), 1);
  EXPECT_EQ(argmax(x, 1), 0);
}

TEST(Sampler, GreedyIsArgmax) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const std::vector<float> l = random_logits(1000, seed);
    Sampler s(plain(0.0f, seed));
    EXPECT_EQ(s.sample(l.data(), 1000, {}), argmax(l.data(), 1000));
    Sampler neg(plain(-1.0f, seed));
    EXPECT_EQ(neg.sample(l.data(), 1000, {}), argmax(l.data(), 1000));
  }
}

TEST(Sampler, TopKOneIsGreedyAtAnyTemperature) {
  for (float t : {0.01f, 0.5f, 1.0f, 5.0f, 1000.0f}) {
    SamplingOptions o = plain(t, 42);
    o.top_k = 1;
    Sampler s(o);
    for (uint64_t seed = 0; seed < 50; ++seed) {
      const std::vector<float> l = random_logits(300, seed, 0.1f);  // nearly flat
      EXPECT_EQ(s.sample(l.data(), 300, {}), argmax(l.data(), 300)) << "temperature " << t;
    }
  }
}

TEST(Sampler, SameSeedSameTokensDifferentSeedDifferentTokens) {
  const std::vector<float> l = random_logits(100, 5, 0.5f);
  auto draw = [&](uint64_t seed) {
    SamplingOptions o = plain(1.0f, seed);
    o.top_k = 50;
    o.top_p = 0.9f;
    o.min_p = 0.01f;
    Sampler s(o);
    std::vector<int32_t> out;
    for (int i = 0; i < 200; ++i) out.push_back(s.sample(l.data(), 100, out));
    return out;
  };
  EXPECT_EQ(draw(123), draw(123));
  // Over ~50 plausible tokens, 200 equal draws from another seed would be astronomically unlikely.
  EXPECT_NE(draw(123), draw(124));
  EXPECT_NE(draw(0), draw(1));
}

TEST(Sampler, TopKKeepsOnlyTheKLargest) {
  const std::vector<float> l = {0.0f, 0.3f, -0.2f, 0.1f, 0.25f, -1.0f};  // largest three: 1, 4, 3
  SamplingOptions o = plain(10.0f);
  o.top_k = 3;
  const std::vector<int> c = histogram(o, l, 3000);
  EXPECT_EQ(c[0] + c[2] + c[5], 0);
  EXPECT_GT(c[1], 0);
  EXPECT_GT(c[3], 0);
  EXPECT_GT(c[4], 0);
}

// p = 0.4, 0.3, 0.15, 0.1, 0.05 at T = 1.
const std::vector<double> kProbs = {0.4, 0.3, 0.15, 0.1, 0.05};

TEST(Sampler, TopPKeepsTheSmallestPrefixReachingP) {
  // Cumulative: 0.4, 0.7, 0.85, 0.95, 1.0.
  struct Case {
    float top_p;
    size_t kept;
  };
  for (const Case& c : {Case{0.3f, 1}, Case{0.6f, 2}, Case{0.8f, 3}, Case{0.9f, 4}, Case{0.99f, 5}}) {
    SamplingOptions o = plain(1.0f, 9);
    o.top_p = c.top_p;
    const std::vector<int> h = histogram(o, log_probs(kProbs), 4000);
    for (size_t i = 0; i < kProbs.size(); ++i) {
      if (i < c.kept) EXPECT_GT(h[i], 0) << "top_p " << c.top_p << " token " << i;
      else EXPECT_EQ(h[i], 0) << "top_p " << c.top_p << " token " << i;
    }
  }
}

TEST(Sampler, MinPDropsTokensBelowAFractionOfTheBest) {
  // Relative to the best (0.4): 1, 0.75, 0.375, 0.25, 0.125.
  struct Case {
    float min_p;
    size_t kept;
  };
  for (const Case& c : {Case{0.9f, 1}, Case{0.5f, 2}, Case{0.3f, 3}, Case{0.2f, 4}, Case{0.1f, 5}}) {
    SamplingOptions o = plain(1.0f, 10);
    o.min_p = c.min_p;
    const std::vector<int> h = histogram(o, log_probs(kProbs), 4000);
    for (size_t i = 0; i < kProbs.size(); ++i) {
      if (i < c.kept) EXPECT_GT(h[i], 0) << "min_p " << c.min_p << " token " << i;
      else EXPECT_EQ(h[i], 0) << "min_p " << c.min_p << " token " << i;
    }
  }
  // min-p compares probabilities at the sampling temperature: at T = 2 the ratios are
  // square roots (0.5 for token 3, 0.35 for token 4), so min_p 0.4 keeps four tokens
  // where at T = 1 it keeps two.
  SamplingOptions o = plain(2.0f, 11);
  o.min_p = 0.4f;
  const std::vector<int> h = histogram(o, log_probs(kProbs), 4000);
  EXPECT_GT(h[3], 0);
  EXPECT_EQ(h[4], 0);
}

// Chi-square of observed counts against softmax(logits / T); df = n - 1.
double chi_square(const std::vector<int>& counts, const std::vector<float>& logits, double t) {
  double mx = -INFINITY, sum = 0, n = 0, chi = 0;
  for (float x : logits) mx = std::max(mx, double(x));
  for (float x : logits) sum += std::exp((x - mx) / t);
  for (int c : counts) n += c;
  for (size_t i = 0; i < logits.size(); ++i) {
    const double expect = n * std::exp((logits[i] - mx) / t) / sum;
    chi += (counts[i] - expect) * (counts[i] - expect) / expect;
  }
  return chi;
}

TEST(Sampler, FrequenciesFollowSoftmaxAtTemperature) {
  // 12 tokens, df = 11: mean 11, P(chi2 > 40) < 1e-4. Fixed seeds, so the test is
  // deterministic; the bound only says the seeds are not special.
  const std::vector<float> l = random_logits(12, 77, 1.0f);
  for (float t : {0.5f, 1.0f, 2.0f}) {
    const std::vector<int> h = histogram(plain(t, 1234), l, 40000);
    EXPECT_LT(chi_square(h, l, t), 40.0) << "temperature " << t;
  }
  // The test has power: the counts at T = 1 are far from softmax at T = 2.
  const std::vector<int> h1 = histogram(plain(1.0f, 1234), l, 40000);
  EXPECT_GT(chi_square(h1, l, 2.0), 200.0);
}

// Penalties, with greedy choice (temperature 0) so their effect is a flip of the argmax.
SamplingOptions greedy_with(float repeat, float presence, float frequency, int last_n = 64) {
  SamplingOptions o = plain(0.0f);
  o.repeat_penalty = repeat;
  o.presence_penalty = presence;
  o.frequency_penalty = frequency;
  o.repeat_last_n = last_n;
  return o;
}

int32_t pick(const SamplingOptions& o, const std::vector<float>& l, const std::vector<int32_t>& history) {
  Sampler s(o);
  return s.sample(l.data(), int64_t(l.size()), history);
}

TEST(Sampler, RepetitionPenaltyDividesPositiveAndMultipliesNegativeLogits) {
  const std::vector<float> pos = {2.0f, 1.9f, 0.0f};
  EXPECT_EQ(pick(greedy_with(1.0f, 0, 0), pos, {0}), 0);
  EXPECT_EQ(pick(greedy_with(1.1f, 0, 0), pos, {0}), 1);   // 2.0 / 1.1 = 1.82 < 1.9
  EXPECT_EQ(pick(greedy_with(1.04f, 0, 0), pos, {0}), 0);  // 2.0 / 1.04 = 1.92 > 1.9
  EXPECT_EQ(pick(greedy_with(1.1f, 0, 0), pos, {1}), 0);   // penalising the runner-up

  const std::vector<float> neg = {-1.0f, -1.05f, -3.0f};
  EXPECT_EQ(pick(greedy_with(1.1f, 0, 0), neg, {0}), 1);   // -1.0 * 1.1 = -1.1 < -1.05
  EXPECT_EQ(pick(greedy_with(1.04f, 0, 0), neg, {0}), 0);  // -1.04 > -1.05
  // Counted once however often the token repeats.
  EXPECT_EQ(pick(greedy_with(1.04f, 0, 0), neg, {0, 0, 0, 0}), 0);
}

TEST(Sampler, PresencePenaltySubtractsOncePerToken) {
  const std::vector<float> l = {1.0f, 0.8f, 0.0f};
  EXPECT_EQ(pick(greedy_with(1, 0.1f, 0), l, {0}), 0);        // 0.9 > 0.8
  EXPECT_EQ(pick(greedy_with(1, 0.3f, 0), l, {0}), 1);        // 0.7 < 0.8
  EXPECT_EQ(pick(greedy_with(1, 0.1f, 0), l, {0, 0, 0}), 0);  // still 0.9
}

TEST(Sampler, FrequencyPenaltySubtractsPerOccurrence) {
  const std::vector<float> l = {1.0f, 0.8f, 0.0f};
  EXPECT_EQ(pick(greedy_with(1, 0, 0.05f), l, {0, 0, 0}), 0);        // 1 - 0.15 = 0.85
  EXPECT_EQ(pick(greedy_with(1, 0, 0.05f), l, {0, 0, 0, 0, 0}), 1);  // 1 - 0.25 = 0.75
  // Presence and frequency add: 1 - (2 * 0.05 + 0.15) = 0.75.
  EXPECT_EQ(pick(greedy_with(1, 0.15f, 0.05f), l, {0, 0}), 1);
}

TEST(Sampler, PenaltiesLookOnlyAtTheLastNTokens) {
  const std::vector<float> l = {1.0f, 0.8f, 0.0f};
  const std::vector<int32_t> h = {0, 0, 0, 0, 0, 2, 2};
  EXPECT_EQ(pick(greedy_with(1, 0, 0.05f, 64), l, h), 1);
  EXPECT_EQ(pick(greedy_with(1, 0, 0.05f, 2), l, h), 0);  // the 0s are outside the window
  EXPECT_EQ(pick(greedy_with(1, 0, 0.05f, 0), l, h), 0);  // window 0: no penalty
  // Ids outside the vocabulary in the history are ignored.
  EXPECT_EQ(pick(greedy_with(2.0f, 1, 1), l, {-1, 3, 1000}), 0);
}

TEST(Sampler, PenaltiesApplyBeforeTheCuts) {
  // Token 0 leads by far, but the penalty pushes it below min-p of the new best.
  const std::vector<float> l = {5.0f, 1.0f, 0.9f};
  SamplingOptions o = plain(1.0f, 3);
  o.min_p = 0.5f;
  o.presence_penalty = 10.0f;
  const std::vector<int> h = histogram(o, l, 2000, {0});
  EXPECT_EQ(h[0], 0);
  EXPECT_GT(h[1], 0);
  EXPECT_GT(h[2], 0);
}

}  // namespace
}  // namespace hw
