// SentencePiece-style encoding as llama.cpp does it: start from UTF-8 characters and
// repeatedly merge the adjacent pair whose concatenation is the vocabulary piece with the
// highest score (leftmost on ties); characters left unmerged and not in the vocabulary
// fall back to <0xXX> byte tokens.
#include <queue>

#include "base/utf8.h"
#include "model/tokenizer_vocab.h"

namespace hw {
namespace {

struct Symbol {
  int32_t prev;   // index of the previous live symbol, -1 at the start
  int32_t next;   // index of the next live symbol, -1 at the end
  uint32_t start; // byte offset into the text
  uint32_t n;     // bytes; 0 once merged into its left neighbour
};

struct Bigram {
  float score;
  int32_t left;
  int32_t right;
  uint32_t size;  // bytes of left + right when queued; a mismatch later means stale
};

// Highest score first, then leftmost.
struct BigramOrder {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

}  // namespace

void spm_encode(const Tokenizer::Vocab& v, std::string_view text, std::vector<int32_t>& out) {
  if (text.empty()) return;
  std::vector<Symbol> syms;
  syms.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    // One symbol per character; each byte of a malformed sequence is its own symbol, so
    // that it falls back to its byte token without swallowing the next character.
    const size_t n = utf8_decode(text, pos).len;
    const int32_t idx = int32_t(syms.size());
    syms.push_back({idx - 1, pos + n == text.size() ? -1 : idx + 1, uint32_t(pos), uint32_t(n)});
    pos += n;
  }

  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const std::string_view pair = text.substr(syms[left].start, syms[left].n + syms[right].n);
    const std::optional<int32_t> id = v.lookup(pair);
    if (!id) return;
    queue.push({v.score[*id], left, right, uint32_t(pair.size())});
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
