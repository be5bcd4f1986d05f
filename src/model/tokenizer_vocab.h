// Internal to the tokenizer: the loaded vocabulary and the two encoders that use it.
// Not included outside src/model/tokenizer*.cpp.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/pretokenize.h"
#include "model/tokenizer.h"

namespace hw {

// A byte trie over the texts of control, user-defined and unknown tokens.
struct SpecialTrie {
  std::vector<std::optional<int32_t>> token;       // per node: the token ending here
  std::unordered_map<uint64_t, uint32_t> edges;    // (node << 8 | byte) -> child node
  std::array<bool, 256> starts{};                  // bytes some special text begins with
  bool empty() const { return token.size() <= 1; }
};

struct Tokenizer::Vocab {
  TokenizerModel model = TokenizerModel::Spm;
  std::optional<PreTokenizer> pre;  // BPE only
  PreTokenizerTraits traits;        // BPE only (defaults for SPM)

  std::vector<std::string> text;    // per id, as stored in the file
  std::vector<float> score;         // per id (SPM merge priority; 0 when absent)
  std::vector<TokenType> type;      // per id
  std::unordered_map<std::string_view, int32_t> ids;  // text -> id; views into `text`

  // BPE: merges[r] is "left right" with rank r; merge_rank views into `merges`.
  std::vector<std::string> merges;
  std::unordered_map<std::string_view, int32_t> merge_rank;

  // SPM byte fallback: the <0xXX> token (or the one-byte token) for each byte.
  std::array<std::optional<int32_t>, 256> byte_token;

  std::optional<int32_t> bos, eos, eot, eom, unk, pad;
  bool add_bos = false;
  bool add_eos = false;
  bool add_space_prefix = false;
  std::vector<int32_t> eog;  // sorted

  SpecialTrie specials;

  std::optional<int32_t> lookup(std::string_view s) const {
    auto it = ids.find(s);
    if (it == ids.end()) return std::nullopt;
    return it->second;
  }
  int32_t n() const { return int32_t(text.size()); }
};

// SPM: appends the ids for text, whose spaces are already U+2581.
void spm_encode(const Tokenizer::Vocab& v, std::string_view text, std::vector<int32_t>& out);
// BPE: pre-tokenizes raw text, maps bytes to GPT-2 code points, merges, appends the ids.
void bpe_encode(const Tokenizer::Vocab& v, std::string_view text, std::vector<int32_t>& out);

// GPT-2's byte-to-unicode map: the UTF-8 of the code point that stands for byte b.
const std::string& byte_to_unicode(uint8_t b);
// The inverse, for a code point; nullopt if cp stands for no byte.
std::optional<uint8_t> unicode_to_byte(uint32_t cp);

}  // namespace hw
