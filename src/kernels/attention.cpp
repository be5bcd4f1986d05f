#include "kernels/attention.h"

#include <algorithm>
#include <cmath>

#include "base/f16.h"
#include "kernels/attention_internal.h"
#include "kernels/ops.h"

namespace hw {

void kv_store(const KvLayerView& kv, const int32_t* block_table, int64_t pos, const float* k, const float* v) {
  const KvGeometry& g = kv.geo;
  const int64_t block = block_table[pos / g.block_size], slot = pos % g.block_size;
  for (int64_t h = 0; h < g.n_kv_heads; ++h) {
    uint16_t* kd = kv.k + block * g.block_elems() + g.offset(h, slot);
    uint16_t* vd = kv.v + block * g.block_elems() + g.offset(h, slot);
    for (int64_t i = 0; i < g.head_dim; ++i) {
      kd[i] = f32_to_f16(k[h * g.head_dim + i]);
      vd[i] = f32_to_f16(v[h * g.head_dim + i]);
    }
  }
}

void attention_ref(const KvLayerView& kv, const AttentionQuery& q, int64_t n_heads, float* out, float* scores) {
  const KvGeometry& g = kv.geo;
  const int64_t group = n_heads / g.n_kv_heads;
  const int64_t first = q.window > 0 ? std::max<int64_t>(0, q.pos - q.window + 1) : 0;
  const int64_t n = q.pos + 1 - first;
  for (int64_t h = 0; h < n_heads; ++h) {
    const int64_t kvh = h / group;
    const float* qh = q.q + h * g.head_dim;
    for (int64_t j = 0; j < n; ++j) {
      const int64_t p = first + j;
      const uint16_t* kp = kv.k + q.block_table[p / g.block_size] * g.block_elems() + g.offset(kvh, p % g.block_size);
      float dot = 0;
      for (int64_t i = 0; i < g.head_dim; ++i) dot += qh[i] * f16_to_f32(kp[i]);
      scores[j] = dot * q.scale;
    }
    softmax(scores, n);
    float* oh = out + h * g.head_dim;
    std::fill(oh, oh + g.head_dim, 0.0f);
    for (int64_t j = 0; j < n; ++j) {
      const int64_t p = first + j;
      const uint16_t* vp = kv.v + q.block_table[p / g.block_size] * g.block_elems() + g.offset(kvh, p % g.block_size);
      for (int64_t i = 0; i < g.head_dim; ++i) oh[i] += scores[j] * f16_to_f32(vp[i]);
    }
  }
}

namespace {

// The scalar flash variant: the reference for the SIMD ones (same tiles, same online softmax).
void flash_group_scalar(const KvLayerView& kv, const AttentionQuery& q, const attention_detail::FlashGroup& fg,
                        float* out) {
  const KvGeometry& g = kv.geo;
  const int64_t hd = g.head_dim, n = fg.n_heads;
  const float* qg = q.q + fg.head0 * hd;
  float* og = out + fg.head0 * hd;
  float m[kFlashMaxGroup], l[kFlashMaxGroup], s[kFlashMaxGroup][attention_detail::kTile];
  for (int64_t h = 0; h < n; ++h) {
    m[h] = -INFINITY;
    l[h] = 0;
    std::fill(og + h * hd, og + (h + 1) * hd, 0.0f);
  }
  attention_detail::for_each_tile(kv, q, fg.kv_head, [&](const uint16_t* kt, const uint16_t* vt, int64_t len) {
    for (int64_t h = 0; h < n; ++h) {
      for (int64_t j = 0; j < len; ++j) {
        float dot = 0;
        for (int64_t i = 0; i < hd; ++i) dot += qg[h * hd + i] * f16_to_f32(kt[j * hd + i]);
        s[h][j] = dot * q.scale;
      }
      float mt = m[h];
      for (int64_t j = 0; j < len; ++j) mt = std::max(mt, s[h][j]);
      const float alpha = std::exp(m[h] - mt);  // 0 on the first tile (m = -inf)
      m[h] = mt;
      float sum = 0;
      for (int64_t j = 0; j < len; ++j) {
        s[h][j] = std::exp(s[h][j] - mt);
        sum += s[h][j];
      }
      l[h] = l[h] * alpha + sum;
      float* oh = og + h * hd;
      for (int64_t i = 0; i < hd; ++i) {
        float acc = oh[i] * alpha;
        for (int64_t j = 0; j < len; ++j) acc += s[h][j] * f16_to_f32(vt[j * hd + i]);
        oh[i] = acc;
      }
    }
  });
  for (int64_t h = 0; h < n; ++h) {
    const float inv = 1.0f / l[h];
    for (int64_t i = 0; i < hd; ++i) og[h * hd + i] *= inv;
  }
}

template <class GroupFn>
void flash(const KvLayerView& kv, const AttentionQuery& q, int64_t n_heads, float* out, GroupFn&& fn) {
  const int64_t group = n_heads / kv.geo.n_kv_heads;
  for (int64_t kvh = 0; kvh < kv.geo.n_kv_heads; ++kvh)
    for (int64_t h0 = 0; h0 < group; h0 += kFlashMaxGroup)
      fn(attention_detail::FlashGroup{kvh, kvh * group + h0, std::min(kFlashMaxGroup, group - h0)});
}

void attention_flash_scalar(const KvLayerView& kv, const AttentionQuery& q, int64_t n_heads, float* out) {
  flash(kv, q, n_heads, out, [&](const attention_detail::FlashGroup& fg) { flash_group_scalar(kv, q, fg, out); });
}

// A SIMD group kernel, with the scalar one for the groups it declines (head_dim not a multiple
// of its width).
template <bool (*Simd)(const KvLayerView&, const AttentionQuery&, const attention_detail::FlashGroup&, float*)>
void attention_flash_simd(const KvLayerView& kv, const AttentionQuery& q, int64_t n_heads, float* out) {
  flash(kv, q, n_heads, out, [&](const attention_detail::FlashGroup& fg) {
    if (!Simd(kv, q, fg, out)) flash_group_scalar(kv, q, fg, out);
  });
}

}  // namespace

AttentionFn attention_flash_variant(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return attention_flash_scalar;
#if defined(__x86_64__)
    case Isa::Avx2: return attention_flash_simd<attention_detail::flash_group_avx2>;
    case Isa::Avx512: return attention_flash_simd<attention_detail::flash_group_avx512>;
#endif
    default: return nullptr;
  }
}

void attention_flash(const KvLayerView& kv, const AttentionQuery& q, int64_t n_heads, float* out) {
  const AttentionFn fn = attention_flash_variant(active_isa());
  (fn ? fn : attention_flash_scalar)(kv, q, n_heads, out);
}

}  // namespace hw
