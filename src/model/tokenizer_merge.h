// The merge loop shared by SentencePiece and byte-level BPE: a word starts as one
// symbol per character, and the adjacent pair with the best priority is merged
// (leftmost on ties) until no pair has one. Internal to the tokenizer.
#pragma once
#include <cstdint>
#include <optional>
#include <queue>
#include <string_view>
#include <vector>

namespace hw {

struct MergeSymbol {
  int32_t prev;    // index of the previous live symbol, -1 at the start
  int32_t next;    // index of the next live symbol, -1 at the end
  uint32_t start;  // byte offset into the word
  uint32_t n;      // bytes; 0 once merged into its left neighbour
};

// One symbol per character of word, char_len(word, pos) bytes each.
template <typename CharLen>
std::vector<MergeSymbol> split_symbols(std::string_view word, CharLen char_len) {
  std::vector<MergeSymbol> syms;
  syms.reserve(word.size());
  for (size_t pos = 0; pos < word.size();) {
    const size_t n = char_len(word, pos);
    const int32_t idx = int32_t(syms.size());
    syms.push_back({idx - 1, pos + n == word.size() ? -1 : idx + 1, uint32_t(pos), uint32_t(n)});
    pos += n;
  }
  return syms;
}

// priority(left, right) -> std::optional<double>: the merge's priority (higher first),
// or nullopt if the pair does not merge. Uses a priority queue with lazy deletion.
template <typename Priority>
void merge_symbols(std::string_view word, std::vector<MergeSymbol>& syms, Priority priority) {
  struct Bigram {
    double priority;
    int32_t left, right;
    uint32_t size;  // bytes of left + right when queued; a mismatch later means stale
  };
  auto order = [](const Bigram& a, const Bigram& b) {
    return a.priority < b.priority || (a.priority == b.priority && a.left > b.left);
  };
  std::priority_queue<Bigram, std::vector<Bigram>, decltype(order)> queue(order);
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const MergeSymbol &l = syms[size_t(left)], &r = syms[size_t(right)];
    const std::optional<double> p = priority(word.substr(l.start, l.n), word.substr(r.start, r.n));
    if (p) queue.push({*p, left, right, l.n + r.n});
  };
  for (int32_t i = 1; i < int32_t(syms.size()); ++i) try_add(i - 1, i);
  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    MergeSymbol& left = syms[size_t(b.left)];
    MergeSymbol& right = syms[size_t(b.right)];
    if (left.n == 0 || right.n == 0 || left.n + right.n != b.size) continue;  // stale
    left.n += right.n;
    right.n = 0;
    left.next = right.next;
    if (right.next >= 0) syms[size_t(right.next)].prev = b.left;
    try_add(left.prev, b.left);
    try_add(b.left, left.next);
  }
}

}  // namespace hw
