// Attention of query tokens over a paged KV cache (scalar reference).
//
// KV layout, per layer: n_blocks blocks; block b holds block_size positions as
//   K[b][kv_head][slot][head_dim] and V[b][kv_head][slot][head_dim], F16.
// A sequence's position p lives in block block_table[p / block_size], slot p % block_size.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/isa.h"

namespace hw {

struct KvGeometry {
  int64_t n_kv_heads = 0;
  int64_t head_dim = 0;
  int64_t block_size = 16;
  // Elements of one block of K (or V) of one layer.
  int64_t block_elems() const { return n_kv_heads * block_size * head_dim; }
  // Offset of (kv_head, slot) inside a block.
  int64_t offset(int64_t kv_head, int64_t slot) const { return (kv_head * block_size + slot) * head_dim; }
};

// One layer's K and V storage and geometry.
struct KvLayerView {
  KvGeometry geo;
  uint16_t* k = nullptr;  // [n_blocks][block_elems]
  uint16_t* v = nullptr;
};

struct AttentionQuery {
  const float* q = nullptr;          // [n_heads][head_dim], rope applied
  int64_t pos = 0;                   // attends to positions [max(0, pos-window+1), pos]
  const int32_t* block_table = nullptr;
  int64_t window = 0;                // 0: unlimited (causal only)
  float scale = 1;
};

// Writes one token's K and V heads ([n_kv_heads][head_dim] floats) at position pos.
void kv_store(const KvLayerView& kv, const int32_t* block_table, int64_t pos, const float* k, const float* v);

// out[n_heads][head_dim]. scratch holds at least pos+1 floats. Two passes per head: the
// definition the other variants are tested against.
void attention_ref(const KvLayerView& kv, const AttentionQuery& q, int64_t n_heads, float* out, float* scratch);

// Same result as attention_ref, in one streaming pass and no scratch: for each KV head the query
// heads of its GQA group (up to kFlashMaxGroup at a time) go over the sequence's blocks together,
// so each K/V block is read once per group, with an online softmax (running max and sum, the
// accumulator rescaled when the max grows). Block order and every reduction order are fixed: the
// output depends only on q, the KV contents and the positions. Uses the active_isa() variant.
inline constexpr int64_t kFlashMaxGroup = 8;
void attention_flash(const KvLayerView& kv, const AttentionQuery& q, int64_t n_heads, float* out);

// One variant of attention_flash; nullptr where this build lacks it (Isa::Scalar always exists).
// The caller checks isa_supported().
using AttentionFn = void (*)(const KvLayerView& kv, const AttentionQuery& q, int64_t n_heads, float* out);
AttentionFn attention_flash_variant(Isa isa);

}  // namespace hw
