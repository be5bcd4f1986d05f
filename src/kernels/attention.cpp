#include "kernels/attention.h"

#include <algorithm>
#include <cmath>

#include "base/f16.h"
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

}  // namespace hw
