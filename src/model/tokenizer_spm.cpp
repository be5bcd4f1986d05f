// SentencePiece-style encoding as llama.cpp does it: start from UTF-8 characters and
// repeatedly merge the adjacent pair whose concatenation is the vocabulary piece with the
// highest score (leftmost on ties); characters left unmerged and not in the vocabulary
// fall back to <0xXX> byte tokens.
#include "base/utf8.h"
#include "model/tokenizer_merge.h"
#include "model/tokenizer_vocab.h"

namespace hw {

void spm_encode(const Tokenizer::Vocab& v, std::string_view text, std::vector<int32_t>& out) {
  if (text.empty()) return;
  // One symbol per character; each byte of a malformed sequence is its own symbol, so
  // that it falls back to its byte token without swallowing the next character.
  std::vector<MergeSymbol> syms =
      split_symbols(text, [](std::string_view t, size_t pos) { return utf8_decode(t, pos).len; });
  merge_symbols(text, syms, [&](std::string_view l, std::string_view r) -> std::optional<double> {
    const std::optional<int32_t> id = v.lookup(std::string_view(l.data(), l.size() + r.size()));
    if (!id) return std::nullopt;
    return double(v.score[size_t(*id)]);  // highest score first
  });

  for (int32_t i = 0; i != -1; i = syms[i].next) {
    const std::string_view s = text.substr(syms[i].start, syms[i].n);
    if (const std::optional<int32_t> id = v.lookup(s)) {
      out.push_back(*id);
      continue;
    }
    // Only single characters stay unmerged without being pieces: spell them in bytes.
    for (const char c : s) {
      if (const std::optional<int32_t> id = v.byte_token[uint8_t(c)]) {
        out.push_back(*id);
      } else if (v.unk) {
        out.push_back(*v.unk);
      }  // else: a vocabulary with neither byte tokens nor <unk> cannot say this byte
    }
  }
}

}  // namespace hw
