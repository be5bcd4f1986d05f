// Shared by attention.cpp and its ISA variants (attention_avx2.cpp, attention_avx512.cpp).
// Everything here with a body is in an unnamed namespace: each variant file compiles its own copy
// with its own flags, and no wide-ISA copy can be chosen by the linker for a baseline caller.
#pragma once
#include <cstdint>

#include "kernels/attention.h"

namespace hw::attention_detail {

// Positions per tile: a block, or its part in the attended range, cut to at most kTile slots.
inline constexpr int64_t kTile = 16;

// Query heads [head0, head0 + n_heads) that read KV head kv_head; n_heads <= kFlashMaxGroup.
struct FlashGroup {
  int64_t kv_head = 0, head0 = 0, n_heads = 0;
};

// Group kernels of the variants: false when they do not handle the geometry (the caller then
// runs the scalar one). They write out[head0 .. head0 + n_heads) only.
bool flash_group_avx2(const KvLayerView& kv, const AttentionQuery& q, const FlashGroup& fg, float* out);
bool flash_group_avx512(const KvLayerView& kv, const AttentionQuery& q, const FlashGroup& fg, float* out);

namespace {

// Calls fn(k, v, len) for the attended positions [max(0, pos - window + 1), pos] of one KV head,
// in position order, as tiles of len <= kTile consecutive slots of one block (k and v point at
// the tile's first slot; slot j's head_dim values at k + j * head_dim).
template <class Fn>
void for_each_tile(const KvLayerView& kv, const AttentionQuery& q, int64_t kv_head, Fn&& fn) {
  const KvGeometry& g = kv.geo;
  const int64_t first = q.window > 0 && q.pos - q.window + 1 > 0 ? q.pos - q.window + 1 : 0;
  for (int64_t p = first; p <= q.pos;) {
    const int64_t slot = p % g.block_size;
    int64_t len = g.block_size - slot;
    if (len > kTile) len = kTile;
    if (len > q.pos + 1 - p) len = q.pos + 1 - p;
    // block_elems() and offset() spelled out: no inline function of another header here.
    const int64_t block = q.block_table[p / g.block_size];
    const int64_t off = ((block * g.n_kv_heads + kv_head) * g.block_size + slot) * g.head_dim;
    fn(kv.k + off, kv.v + off, len);
    p += len;
  }
}

}  // namespace
}  // namespace hw::attention_detail
