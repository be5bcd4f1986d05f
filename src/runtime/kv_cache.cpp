#include "runtime/kv_cache.h"

#include "base/error.h"

namespace hw {

KvCache::KvCache(const KvCacheOptions& opt) : opt_(opt) {
  check(opt.n_blocks > 0 && opt.n_layers > 0 && opt.geo.block_size > 0, "KV cache: empty geometry");
  const size_t n = size_t(opt.n_layers) * layer_elems();
  k_.assign(n, 0);
  v_.assign(n, 0);
  free_.reserve(size_t(opt.n_blocks));
  for (int64_t b = opt.n_blocks - 1; b >= 0; --b) free_.push_back(int32_t(b));
}

int32_t KvCache::alloc() {
  if (free_.empty()) return -1;
  const int32_t b = free_.back();
  free_.pop_back();
  return b;
}

void KvCache::free(int32_t block) { free_.push_back(block); }

bool KvSequence::reserve(int64_t n) {
  while (capacity() < n) {
    const int32_t b = cache_->alloc();
    if (b < 0) return false;
    blocks_.push_back(b);
  }
  return true;
}

void KvSequence::clear() {
  for (int32_t b : blocks_) cache_->free(b);
  blocks_.clear();
}

}  // namespace hw
