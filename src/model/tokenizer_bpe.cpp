// Byte-level BPE as GPT-2 defines it: pre-tokenize with the model's regexes, spell each
// piece's bytes with GPT-2's printable code points, then repeatedly apply the
// lowest-ranked merge among adjacent symbols (leftmost on ties).
#include <queue>

#include "base/utf8.h"
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

struct Symbol {
  int32_t prev;
  int32_t next;
  uint32_t start;
  uint32_t n;  // 0 once merged into its left neighbour
};

struct Bigram {
  int32_t rank;
  int32_t left;
  int32_t right;
  uint32_t size;
};

// Lowest rank first, then leftmost.
struct BigramOrder {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

// Encodes one pre-token already spelled in GPT-2 code points.
void bpe_word(const Tokenizer::Vocab& v, std::string_view word, std::vector<int32_t>& out,
              std::string& key) {
  if (v.traits.ignore_merges) {
    if (const std::optional<int32_t> id = v.lookup(word)) {
      out.push_back(*id);
      return;
    }
  }
  std::vector<Symbol> syms;
  syms.reserve(word.size());
  for (size_t pos = 0; pos < word.size();) {
    const size_t n = utf8_char_len(word, pos);
    const int32_t idx = int32_t(syms.size());
    syms.push_back({idx - 1, pos + n == word.size() ? -1 : idx + 1, uint32_t(pos), uint32_t(n)});
    pos += n;
  }

  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    key.assign(word.substr(syms[left].start, syms[left].n));
    key += ' ';
    key.append(word.substr(syms[right].start, syms[right].n));
    auto it = v.merge_rank.find(key);
    if (it == v.merge_rank.end()) return;
    queue.push({it->second, left, right, syms[left].n + syms[right].n});
  };
  for (int32_t i = 1; i < int32_t(syms.size()); ++i) try_add(i - 1, i);

  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    Symbol& left = syms[b.left];
    Symbol& right = syms[b.right];
    if (left.n == 0 || right.n == 0 || left.n + right.n != b.size) continue;  // stale
    left.n += right.n;
    right.n = 0;
    left.next = right.next;
    if (right.next >= 0) syms[right.next].prev = b.left;
    try_add(left.prev, b.left);
    try_add(b.left, left.next);
  }

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
