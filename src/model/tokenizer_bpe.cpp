// Byte-level BPE as GPT-2 defines it: pre-tokenize with the model's regexes, spell each
// piece's bytes with GPT-2's printable code points, then repeatedly apply the
// lowest-ranked merge among adjacent symbols (leftmost on ties).
#include "base/utf8.h"
#include "model/tokenizer_merge.h"
#include "model/tokenizer_vocab.h"

namespace hw {
namespace {

struct ByteMap {
  std::array<std::string, 256> to_utf8;
  std::array<std::optional<uint8_t>, 512> from_cp;  // every mapped code point is < 512
  ByteMap() {
    // Printable Latin-1 bytes stand for themselves; the other 68 bytes take the code
    // points from U+0100 upwards, in byte order.
    auto printable = [](int b) { return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174; };
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const uint32_t cp = printable(b) ? uint32_t(b) : next++;
      utf8_append(to_utf8[b], cp);
      from_cp[cp] = uint8_t(b);
    }
  }
};

const ByteMap& byte_map() {
  static const ByteMap map;
  return map;
}

// Encodes one pre-token already spelled in GPT-2 code points.
void bpe_word(const Tokenizer::Vocab& v, std::string_view word, std::vector<int32_t>& out,
              std::string& key) {
  if (v.traits.ignore_merges) {
    if (const std::optional<int32_t> id = v.lookup(word)) {
      out.push_back(*id);
      return;
    }
  }
  std::vector<MergeSymbol> syms = split_symbols(word, utf8_char_len);
  merge_symbols(word, syms, [&](std::string_view l, std::string_view r) -> std::optional<double> {
    key.assign(l);
    key += ' ';
    key.append(r);
    auto it = v.merge_rank.find(key);
    if (it == v.merge_rank.end()) return std::nullopt;
    return -double(it->second);  // lowest rank first
  });

  for (int32_t i = 0; i != -1; i = syms[i].next) {
    const std::string_view s = word.substr(syms[i].start, syms[i].n);
    if (const std::optional<int32_t> id = v.lookup(s)) {
      out.push_back(*id);
      continue;
    }
    // A symbol no merge produced and the vocabulary lacks: one token per character,
    // <unk> for characters it lacks too (byte-level vocabularies hold all 256).
    for (size_t pos = 0; pos < s.size();) {
      const size_t n = utf8_char_len(s, pos);
      if (const std::optional<int32_t> id = v.lookup(s.substr(pos, n))) {
        out.push_back(*id);
      } else if (v.unk) {
        out.push_back(*v.unk);
      }
      pos += n;
    }
  }
}

}  // namespace

const std::string& byte_to_unicode(uint8_t b) { return byte_map().to_utf8[b]; }

std::optional<uint8_t> unicode_to_byte(uint32_t cp) {
  if (cp >= byte_map().from_cp.size()) return std::nullopt;
  return byte_map().from_cp[cp];
}

void bpe_encode(const Tokenizer::Vocab& v, std::string_view text, std::vector<int32_t>& out) {
  const ByteMap& map = byte_map();
  std::string word;
  std::string key;
  for (const std::string_view piece : v.pre->split(text)) {
    word.clear();
    for (const char c : piece) word += map.to_utf8[uint8_t(c)];
    bpe_word(v, word, out, key);
  }
}

}  // namespace hw
