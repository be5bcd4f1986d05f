#include "model/perplexity.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "model/session.h"

namespace hw {

PerplexityResult perplexity(const Model& model, std::string_view text, const PerplexityOptions& opt,
                            const PerplexityProgress& progress) {
  const Tokenizer& tok = model.tokenizer();
  const std::vector<int32_t> ids = tok.encode(text);  // with BOS where the model adds one
  check(opt.ctx >= 16, "perplexity: the window must be at least 16 tokens");
  int64_t n_windows = int64_t(ids.size()) / opt.ctx;
  if (opt.max_windows > 0) n_windows = std::min(n_windows, opt.max_windows);
  check(n_windows > 0, "perplexity: text has " + std::to_string(ids.size()) +
                           " tokens, fewer than one window of " + std::to_string(opt.ctx));
  SessionOptions so;
  so.ctx = opt.ctx;
  so.prefill_chunk = 32;
  so.logits_all = true;
  so.n_threads = opt.n_threads;
  Session session(model, so);
  const int64_t nv = model.config().n_vocab, first_scored = opt.ctx / 2;
  double nll = 0;
  PerplexityResult r;
  for (int64_t w = 0; w < n_windows; ++w) {
    std::vector<int32_t> window(ids.begin() + w * opt.ctx, ids.begin() + (w + 1) * opt.ctx);
    if (tok.add_bos() && tok.bos()) window[0] = *tok.bos();
    session.reset();
    session.feed(window, [&](int64_t first, int64_t n, const float* logits) {
      for (int64_t j = 0; j < n; ++j) {
        const int64_t pos = first + j;  // these logits predict window[pos + 1]
        if (pos < first_scored || pos + 1 >= opt.ctx) continue;
        const float* l = logits + j * nv;
        double mx = l[0];
        for (int64_t i = 1; i < nv; ++i) mx = std::max(mx, double(l[i]));
        double sum = 0;
        for (int64_t i = 0; i < nv; ++i) sum += std::exp(double(l[i]) - mx);
        nll -= double(l[window[size_t(pos + 1)]]) - mx - std::log(sum);
        ++r.scored;
      }
    });
    r.windows = w + 1;
    r.ppl = std::exp(nll / double(r.scored));
    if (progress) progress(w + 1, n_windows, r.ppl);
  }
  return r;
}

}  // namespace hw
