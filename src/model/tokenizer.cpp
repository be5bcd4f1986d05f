// Loading the tokenizer keys, splitting special tokens out of the input, and decoding.
// The per-model merge loops live in tokenizer_spm.cpp and tokenizer_bpe.cpp.
#include "model/tokenizer.h"

#include <algorithm>
#include <climits>

#include "base/error.h"
#include "base/utf8.h"
#include "format/gguf.h"
#include "model/tokenizer_vocab.h"

namespace hw {
namespace {

constexpr std::string_view kSpmSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space

// Texts that end a turn or a generation in the chat formats we know. The first one
// present becomes eot when the file names none. Unlike current llama.cpp, "</s>" is not on
// the list: in Qwen2 it is ordinary text and in Gemma 3 a user-defined token, and
// llama.cpp's text match turns both into end-of-generation control tokens.
constexpr std::string_view kEotTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>", "_<EOT>",
    "<\xEF\xBD\x9C" "end\xE2\x96\x81" "of\xE2\x96\x81" "sentence\xEF\xBD\x9C>",  // DeepSeek
};
constexpr std::string_view kEomText = "<|eom_id|>";

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  for (size_t hit; (hit = s.find(from, pos)) != std::string_view::npos; pos = hit + from.size()) {
    out.append(s.substr(pos, hit - pos));
    out.append(to);
  }
  out.append(s.substr(pos));
  return out;
}

TokenType to_token_type(int32_t raw) {
  return raw >= 1 && raw <= 6 ? TokenType(raw) : TokenType::Undefined;
}

bool is_special_type(TokenType t) {
  return t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown;
}

// Reads an optional token-id key into slot; an id outside the vocabulary is an error.
void read_token_id(const GgufFile& f, const char* key, int32_t n_vocab,
                   std::optional<int32_t>& slot) {
  const std::optional<int64_t> x = f.get_int(key);
  if (!x) return;
  check(*x >= 0 && *x < n_vocab, std::string(key) + " = " + std::to_string(*x) +
                                     " is outside the vocabulary (" + std::to_string(n_vocab) +
                                     " tokens)");
  slot = int32_t(*x);
}

void build_specials(Tokenizer::Vocab& v) {
  SpecialTrie& t = v.specials;
  t.token.assign(1, std::nullopt);
  for (int32_t id = 0; id < v.n(); ++id) {
    const std::string& s = v.text[id];
    if (!is_special_type(v.type[id]) || s.empty()) continue;
    uint32_t node = 0;
    for (const char c : s) {
      const uint64_t key = uint64_t(node) << 8 | uint8_t(c);
      auto it = t.edges.find(key);
      if (it == t.edges.end()) {
        it = t.edges.emplace(key, uint32_t(t.token.size())).first;
        t.token.emplace_back();
      }
      node = it->second;
    }
    t.token[node] = id;  // a later duplicate text wins, as in the id lookup
    t.starts[uint8_t(s[0])] = true;
  }
}

void load_special_ids(const GgufFile& f, Tokenizer::Vocab& v) {
  const int32_t n = v.n();
  if (v.model == TokenizerModel::Spm) {  // SentencePiece's conventional ids
    if (n > 1) v.bos = 1;
    if (n > 2) v.eos = 2;
    v.unk = 0;
  }
  read_token_id(f, "tokenizer.ggml.bos_token_id", n, v.bos);
  read_token_id(f, "tokenizer.ggml.eos_token_id", n, v.eos);
  read_token_id(f, "tokenizer.ggml.eot_token_id", n, v.eot);
  read_token_id(f, "tokenizer.ggml.eom_token_id", n, v.eom);
  read_token_id(f, "tokenizer.ggml.unknown_token_id", n, v.unk);
  // Padding is never fed to the model by us; some converters write an id past the end.
  if (const std::optional<int64_t> pad = f.get_int("tokenizer.ggml.padding_token_id")) {
    if (*pad >= 0 && *pad < n) v.pad = int32_t(*pad);
  }

  if (const std::optional<bool> b = f.get_bool("tokenizer.ggml.add_bos_token")) v.add_bos = *b;
  if (const std::optional<bool> b = f.get_bool("tokenizer.ggml.add_eos_token")) v.add_eos = *b;
  check(!v.add_bos || v.bos, "tokenizer.ggml.add_bos_token is set but there is no BOS token");
  check(!v.add_eos || v.eos, "tokenizer.ggml.add_eos_token is set but there is no EOS token");

  // End-of-turn markers found by text are control tokens whatever the file says, so that
  // they are only matched in input with parse_special (as llama.cpp does).
  std::vector<int32_t> eog;
  for (const std::string_view s : kEotTexts) {
    if (const std::optional<int32_t> id = v.lookup(s)) {
      if (!v.eot) v.eot = *id;
      v.type[*id] = TokenType::Control;
      eog.push_back(*id);
    }
  }
  if (const std::optional<int32_t> id = v.lookup(kEomText)) {
    if (!v.eom) v.eom = *id;
    v.type[*id] = TokenType::Control;
    eog.push_back(*id);
  }
  for (const std::optional<int32_t>& id : {v.eos, v.eot, v.eom}) {
    if (id) eog.push_back(*id);
  }
  std::sort(eog.begin(), eog.end());
  eog.erase(std::unique(eog.begin(), eog.end()), eog.end());
  v.eog = std::move(eog);
}

void load_vocab(const GgufFile& f, Tokenizer::Vocab& v) {
  const std::optional<std::string_view> model = f.get_string("tokenizer.ggml.model");
  check(model.has_value(), "missing key tokenizer.ggml.model");
  if (*model == "llama") {
    v.model = TokenizerModel::Spm;
  } else if (*model == "gpt2") {
    v.model = TokenizerModel::Bpe;
  } else {
    throw Error("unsupported tokenizer model '" + std::string(*model) + "' (tokenizer.ggml.model)");
  }

  const std::vector<std::string_view>* tokens = f.get_strings("tokenizer.ggml.tokens");
  check(tokens != nullptr && !tokens->empty(), "missing or empty key tokenizer.ggml.tokens");
  check(tokens->size() < size_t(INT32_MAX), "tokenizer.ggml.tokens has too many entries");
  const size_t n = tokens->size();
  v.text.assign(tokens->begin(), tokens->end());

  v.score = f.get_f32s("tokenizer.ggml.scores");
  if (v.score.empty()) v.score.assign(n, 0.0f);
  check(v.score.size() == n, "tokenizer.ggml.scores has " + std::to_string(v.score.size()) +
                                 " entries for " + std::to_string(n) + " tokens");

  const std::vector<int32_t> types = f.get_i32s("tokenizer.ggml.token_type");
  check(types.empty() || types.size() == n,
        "tokenizer.ggml.token_type has " + std::to_string(types.size()) + " entries for " +
            std::to_string(n) + " tokens");
  v.type.assign(n, TokenType::Normal);
  for (size_t i = 0; i < types.size(); ++i) v.type[i] = to_token_type(types[i]);

  v.ids.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!v.text[i].empty()) v.ids[v.text[i]] = int32_t(i);  // a later duplicate wins
  }

  if (v.model == TokenizerModel::Spm) {
    v.add_bos = true;
    v.add_space_prefix = f.get_bool("tokenizer.ggml.add_space_prefix").value_or(true);
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
      const char name[] = {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
      v.byte_token[b] = v.lookup(std::string_view(name, sizeof name));
      if (!v.byte_token[b]) v.byte_token[b] = v.lookup(std::string(1, char(b)));
    }
  } else {
    const std::optional<std::string_view> pre = f.get_string("tokenizer.ggml.pre");
    check(pre.has_value(), "missing key tokenizer.ggml.pre (the BPE pre-tokenizer); "
                           "the file predates it and needs re-conversion");
    const PreTokenizerKind kind = parse_pre_tokenizer(*pre);
    v.pre.emplace(kind);
    v.traits = pre_tokenizer_traits(kind);
    v.add_bos = v.traits.add_bos;

    const std::vector<std::string_view>* merges = f.get_strings("tokenizer.ggml.merges");
    check(merges != nullptr, "missing key tokenizer.ggml.merges");
    v.merges.assign(merges->begin(), merges->end());
    v.merge_rank.reserve(v.merges.size());
    for (size_t r = 0; r < v.merges.size(); ++r) {
      const std::string& m = v.merges[r];
      // The separator is the first space after the first byte (a side may start with one).
      check(m.size() >= 3 && m.find(' ', 1) != std::string::npos && m.find(' ', 1) + 1 < m.size(),
            "tokenizer.ggml.merges[" + std::to_string(r) + "] = '" + m +
                "' is not two pieces separated by a space");
      v.merge_rank.emplace(m, int32_t(r));  // the first (lowest) rank of a duplicate wins
    }
  }
}

struct Fragment {
  std::string_view text;         // raw text, when !token
  std::optional<int32_t> token;  // a special token matched in the input
};

// Splits text into raw runs and special tokens. Like llama.cpp: longer special texts are
// placed first (ties by lower id), each at its leftmost free occurrences; shorter ones then
// fill what remains. Control and unknown tokens take part only with parse_special.
std::vector<Fragment> partition(const Tokenizer::Vocab& v, std::string_view text,
                                bool parse_special) {
  struct Hit {
    uint32_t pos;
    int32_t id;
  };
  // Every occurrence of every eligible special text, bucketed by length; each bucket is
  // in increasing position because the scan is.
  std::vector<std::vector<Hit>> by_len;
  const SpecialTrie& t = v.specials;
  if (!t.empty()) {
    for (size_t i = 0; i < text.size(); ++i) {
      if (!t.starts[uint8_t(text[i])]) continue;
      uint32_t node = 0;
      for (size_t j = i; j < text.size(); ++j) {
        auto it = t.edges.find(uint64_t(node) << 8 | uint8_t(text[j]));
        if (it == t.edges.end()) break;
        node = it->second;
        const std::optional<int32_t>& id = t.token[node];
        if (id && (parse_special || v.type[*id] == TokenType::UserDefined)) {
          const size_t len = j + 1 - i;
          if (by_len.size() <= len) by_len.resize(len + 1);
          by_len[len].push_back({uint32_t(i), *id});
        }
      }
    }
  }
  std::vector<Fragment> frags;
  if (by_len.empty()) {
    if (!text.empty()) frags.push_back({text, std::nullopt});
    return frags;
  }
  // Longest first. Every interval taken so far is at least as long as the current one,
  // so one that overlaps [pos, pos + len) must cover its first or its last byte.
  struct Placed {
    uint32_t pos;
    uint32_t len;
    int32_t id;
  };
  std::vector<Placed> placed;
  std::vector<bool> taken(text.size(), false);
  for (size_t len = by_len.size() - 1; len >= 1; --len) {
    std::vector<Hit>& hits = by_len[len];
    auto by_id = [](const Hit& a, const Hit& b) { return a.id < b.id; };
    if (!std::is_sorted(hits.begin(), hits.end(), by_id)) std::stable_sort(hits.begin(), hits.end(), by_id);
    for (const Hit& h : hits) {
      if (taken[h.pos] || taken[h.pos + len - 1]) continue;
      for (size_t k = h.pos; k < h.pos + len; ++k) taken[k] = true;
      placed.push_back({h.pos, uint32_t(len), h.id});
    }
  }
  std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) { return a.pos < b.pos; });
  size_t done = 0;
  for (const Placed& p : placed) {
    if (p.pos > done) frags.push_back({text.substr(done, p.pos - done), std::nullopt});
    frags.push_back({{}, p.id});
    done = p.pos + p.len;
  }
  if (done < text.size()) frags.push_back({text.substr(done), std::nullopt});
  return frags;
}

// The byte of a "<0xXX>" token text.
std::optional<uint8_t> parse_byte_token(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (s.size() != 6 || !s.starts_with("<0x") || s[5] != '>') return std::nullopt;
  const int hi = hex(s[3]), lo = hex(s[4]);
  if (hi < 0 || lo < 0) return std::nullopt;
  return uint8_t(hi << 4 | lo);
}

// Appends the piece of id (in range) to out.
void append_piece(const Tokenizer::Vocab& v, int32_t id, const DecodeOptions& opt,
                  std::string& out) {
  const std::string& s = v.text[id];
  switch (v.type[id]) {
    case TokenType::Control:
    case TokenType::Unknown:
      if (opt.render_special) out += s;
      return;
    case TokenType::UserDefined:
      out += s;
      return;
    case TokenType::Byte:
      if (const std::optional<uint8_t> b = parse_byte_token(s); b && v.model == TokenizerModel::Spm) {
        out += char(*b);
        return;
      }
      break;  // not spelled <0xXX>: decode it like a normal token
    case TokenType::Normal:
      break;
    case TokenType::Unused:
    case TokenType::Undefined:
      return;
  }
  if (v.model == TokenizerModel::Spm) {
    out += replace_all(s, kSpmSpace, " ");
    return;
  }
  for (size_t pos = 0; pos < s.size();) {
    const Utf8Decoded d = utf8_decode(s, pos);
    const std::optional<uint8_t> b = d.valid ? unicode_to_byte(d.cp) : std::nullopt;
    if (b) {
      out += char(*b);
    } else {
      out.append(s, pos, d.len);  // not a byte-level code point: keep it as written
    }
    pos += d.len;
  }
}

// Hugging Face's clean_up_tokenization: drop the space before punctuation and contractions.
std::string clean_up_spaces(std::string s) {
  static constexpr std::string_view kRules[][2] = {
      {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
  };
  for (const auto& rule : kRules) s = replace_all(s, rule[0], rule[1]);
  return s;
}

}  // namespace

std::string_view tokenizer_model_name(TokenizerModel m) {
  return m == TokenizerModel::Spm ? "llama" : "gpt2";
}

Tokenizer::Tokenizer(const GgufFile& file) {
  auto v = std::make_unique<Vocab>();
  load_vocab(file, *v);
  load_special_ids(file, *v);
  build_specials(*v);
  v_ = std::move(v);
}

Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

std::vector<int32_t> Tokenizer::encode(std::string_view text, const EncodeOptions& opt) const {
  const Vocab& v = *v_;
  check(text.size() < size_t(INT32_MAX), "tokenizer: input of " + std::to_string(text.size()) +
                                             " bytes is too long");
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 2);
  if (opt.add_special && v.add_bos) out.push_back(*v.bos);
  const std::vector<Fragment> frags = partition(v, text, opt.parse_special);
  if (v.model == TokenizerModel::Spm) {
    bool after_special = true;  // the start of input counts as following a special token
    std::string escaped;
    for (const Fragment& fr : frags) {
      if (fr.token) {
        out.push_back(*fr.token);
        after_special = true;
        continue;
      }
      escaped = v.add_space_prefix && after_special ? std::string(kSpmSpace) : std::string();
      escaped += replace_all(fr.text, " ", kSpmSpace);
      spm_encode(v, escaped, out);
      after_special = false;
    }
  } else {
    for (const Fragment& fr : frags) {
      if (fr.token) {
        out.push_back(*fr.token);
      } else {
        bpe_encode(v, fr.text, out);
      }
    }
  }
  if (opt.add_special && v.add_eos) out.push_back(*v.eos);
  return out;
}

std::string Tokenizer::piece(int32_t id, const DecodeOptions& opt) const {
  check(id >= 0 && id < v_->n(), "token id " + std::to_string(id) + " is outside the vocabulary");
  std::string out;
  append_piece(*v_, id, opt, out);
  return out;
}

std::string Tokenizer::decode(std::span<const int32_t> ids, const DecodeOptions& opt) const {
  const Vocab& v = *v_;
  std::string out;
  const size_t first_text = !ids.empty() && v.bos && ids[0] == *v.bos ? 1 : 0;
  const bool strip = opt.strip_space_prefix && v.model == TokenizerModel::Spm && v.add_space_prefix;
  for (size_t i = 0; i < ids.size(); ++i) {
    check(ids[i] >= 0 && ids[i] < v.n(),
          "token id " + std::to_string(ids[i]) + " is outside the vocabulary");
    const size_t before = out.size();
    append_piece(v, ids[i], opt, out);
    if (strip && i == first_text && out.size() > before && out[before] == ' ') out.erase(before, 1);
  }
  if (opt.clean_up_spaces && v.model == TokenizerModel::Bpe && v.traits.clean_spaces) {
    out = clean_up_spaces(std::move(out));
  }
  return out;
}

TokenizerModel Tokenizer::model() const { return v_->model; }
std::optional<PreTokenizerKind> Tokenizer::pre_tokenizer() const {
  if (!v_->pre) return std::nullopt;
  return v_->pre->kind();
}
int32_t Tokenizer::n_vocab() const { return v_->n(); }
std::optional<int32_t> Tokenizer::bos() const { return v_->bos; }
std::optional<int32_t> Tokenizer::eos() const { return v_->eos; }
std::optional<int32_t> Tokenizer::eot() const { return v_->eot; }
std::optional<int32_t> Tokenizer::unk() const { return v_->unk; }
std::optional<int32_t> Tokenizer::pad() const { return v_->pad; }
bool Tokenizer::add_bos() const { return v_->add_bos; }
bool Tokenizer::add_eos() const { return v_->add_eos; }
bool Tokenizer::add_space_prefix() const { return v_->add_space_prefix; }

bool Tokenizer::is_eog(int32_t id) const {
  return std::binary_search(v_->eog.begin(), v_->eog.end(), id);
}
std::vector<int32_t> Tokenizer::eog_ids() const { return v_->eog; }

TokenType Tokenizer::token_type(int32_t id) const {
  check(id >= 0 && id < v_->n(), "token id " + std::to_string(id) + " is outside the vocabulary");
  return v_->type[id];
}

std::string_view Tokenizer::token_text(int32_t id) const {
  check(id >= 0 && id < v_->n(), "token id " + std::to_string(id) + " is outside the vocabulary");
  return v_->text[id];
}

std::optional<int32_t> Tokenizer::find(std::string_view token_text) const {
  return v_->lookup(token_text);
}

}  // namespace hw
