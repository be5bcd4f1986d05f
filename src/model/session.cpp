#include "model/session.h"

#include "base/error.h"

namespace hw {
namespace {

PlanOptions plan_for(const SessionOptions& o) {
  PlanOptions p;
  p.max_tokens = o.prefill_chunk;
  p.max_logits = o.logits_all ? o.prefill_chunk : 1;
  p.max_ctx = o.ctx;
  p.n_threads = o.n_threads;
  return p;
}

}  // namespace

size_t utf8_complete_prefix(std::string_view s) {
  // Walk back over at most 3 continuation bytes to the last lead byte.
  size_t i = s.size(), back = 0;
  while (i > 0 && back < 4 && (uint8_t(s[i - 1]) & 0xC0) == 0x80) --i, ++back;
  if (i == 0) return s.size();
  const uint8_t lead = uint8_t(s[i - 1]);
  const size_t need = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 1;
  return back + 1 >= need ? s.size() : i - 1;
}

Session::Session(const Model& model, const SessionOptions& opt)
    : model_(model),
      opt_(opt),
      kv_(Transformer::kv_options(model.config(), (opt.ctx + 15) / 16)),
      seq_(kv_),
      tf_(model, kv_, plan_for(opt)) {
  check(opt.ctx > 0 && opt.prefill_chunk > 0, "session: ctx and prefill chunk must be positive");
  batch_.tokens.reserve(size_t(opt.prefill_chunk));
  batch_.block_tables.reserve(1);
  history_.reserve(size_t(opt.ctx));
}

void Session::reset() {
  seq_.clear();
  history_.clear();
}

const float* Session::feed(std::span<const int32_t> tokens, const ChunkFn& on_chunk) {
  check(!tokens.empty(), "nothing to feed");
  const int64_t end = n_past() + int64_t(tokens.size());
  if (end > opt_.ctx)
    throw Error("context full: " + std::to_string(end) + " tokens exceed the context of " + std::to_string(opt_.ctx));
  check(seq_.reserve(end), "KV cache exhausted");
  const float* logits = nullptr;
  for (size_t i = 0; i < tokens.size(); i += size_t(opt_.prefill_chunk)) {
    const size_t n = std::min(tokens.size() - i, size_t(opt_.prefill_chunk));
    Batch& b = batch_;  // reused: its capacity was reserved at construction
    b.tokens.clear();
    b.block_tables.assign(1, seq_.table());
    for (size_t j = 0; j < n; ++j) {
      const bool last = i + j + 1 == tokens.size();
      b.tokens.push_back({tokens[i + j], int32_t(n_past()), 0, opt_.logits_all || last});
      history_.push_back(tokens[i + j]);
    }
    logits = tf_.forward(b);
    if (on_chunk) on_chunk(int64_t(history_.size() - n), int64_t(n), logits);
  }
  return opt_.logits_all ? logits + (int64_t((tokens.size() - 1) % size_t(opt_.prefill_chunk))) * tf_.n_vocab()
                         : logits;
}

std::vector<int32_t> Session::generate(std::span<const int32_t> prompt, const GenerateOptions& opt,
                                       const TokenFn& on_token) {
  const Tokenizer& tok = model_.tokenizer();
  Sampler sampler(opt.sampling);
  std::vector<int32_t> out;
  const float* logits = feed(prompt);
  std::string pending;
  for (int64_t i = 0; i < opt.max_new; ++i) {
    const int32_t id = sampler.sample(logits, tf_.n_vocab(), history_);
    if (opt.stop_at_eog && tok.is_eog(id)) break;
    out.push_back(id);
    pending += tok.piece(id);
    const size_t ready = utf8_complete_prefix(pending);
    const std::string text = pending.substr(0, ready);
    pending.erase(0, ready);
    if (on_token && !on_token(id, text)) break;
    if (i + 1 == opt.max_new || n_past() + 1 > opt_.ctx) break;
    const int32_t next[1] = {id};
    logits = feed(next);
  }
  if (!pending.empty() && on_token) on_token(-1, pending);
  return out;
}

}  // namespace hw
