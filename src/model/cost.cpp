#include "model/cost.h"

#include <algorithm>

namespace hw {
namespace {

double matrix_bytes(const WeightMatrix& m) { return double(m.rows) * double(m.row_bytes); }
double matrix_macs(const WeightMatrix& m) { return double(m.rows) * double(m.cols); }

}  // namespace

StepCost step_cost(const ModelConfig& c, const Weights& w, int64_t n_tokens, int64_t ctx) {
  StepCost s;
  const double n = double(n_tokens);
  // K and V of one position of one layer, f16 (runtime/kv_cache.h).
  const double kv_pos_bytes = double(c.n_kv_heads) * double(c.head_dim + c.head_dim_v) * 2;
  for (int64_t l = 0; l < int64_t(w.layers.size()); ++l) {
    const LayerWeights& lw = w.layers[size_t(l)];
    for (const WeightMatrix* m : {&lw.wq, &lw.wk, &lw.wv, &lw.wo, &lw.w_gate, &lw.w_up, &lw.w_down}) {
      s.weight_bytes += matrix_bytes(*m);
      s.matmul_ops += 2 * n * matrix_macs(*m);
    }
    const double seen = double(c.layer_is_sliding(l) ? std::min(ctx, c.sliding_window) : ctx);
    s.kv_bytes += n * seen * kv_pos_bytes;
    s.attn_ops += 2 * n * double(c.n_heads) * seen * double(c.head_dim + c.head_dim_v);
  }
  s.weight_bytes += matrix_bytes(w.output) + n * double(w.tok_embd.row_bytes);
  s.logits_ops = 2 * n * matrix_macs(w.output);
  return s;
}

}  // namespace hw
