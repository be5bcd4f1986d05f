// Paged KV cache storage: n_blocks fixed-size blocks per layer (layout in
// kernels/attention.h) and a free list of block ids. Which blocks a sequence
// owns is the caller's business (a block table per sequence).
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/attention.h"

namespace hw {

struct KvCacheOptions {
  int64_t n_layers = 0;
  KvGeometry geo;
  int64_t n_blocks = 0;
};

class KvCache {
 public:
  explicit KvCache(const KvCacheOptions& opt);

  KvLayerView layer(int64_t l) {
    return {opt_.geo, k_.data() + size_t(l) * layer_elems(), v_.data() + size_t(l) * layer_elems()};
  }
  const KvCacheOptions& options() const { return opt_; }
  int64_t block_size() const { return opt_.geo.block_size; }
  size_t bytes() const { return (k_.size() + v_.size()) * sizeof(uint16_t); }

  // Free list of blocks. alloc() returns -1 when none is left.
  int32_t alloc();
  void free(int32_t block);
  int64_t n_free() const { return int64_t(free_.size()); }

 private:
  size_t layer_elems() const { return size_t(opt_.n_blocks * opt_.geo.block_elems()); }
  KvCacheOptions opt_;
  std::vector<uint16_t> k_, v_;
  std::vector<int32_t> free_;
};

// One sequence's block table, grown on demand from a KvCache.
class KvSequence {
 public:
  explicit KvSequence(KvCache& cache) : cache_(&cache) {}
  ~KvSequence() { clear(); }
  KvSequence(const KvSequence&) = delete;
  KvSequence& operator=(const KvSequence&) = delete;

  // Makes room for positions [0, n); false if the cache ran out of blocks.
  bool reserve(int64_t n);
  void clear();
  const int32_t* table() const { return blocks_.data(); }
  int64_t capacity() const { return int64_t(blocks_.size()) * cache_->block_size(); }

 private:
  KvCache* cache_;
  std::vector<int32_t> blocks_;
};

}  // namespace hw
