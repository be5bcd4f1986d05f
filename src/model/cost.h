// What one forward step costs in bytes moved and arithmetic, counted from the model's shape and
// its bound weights. `hardwire bench` divides measured time by it (achieved GB/s, GOP/s), and the
// hardware simulator (sim/) predicts time from it, so both speak the same units.
#pragma once
#include <cstdint>

#include "model/config.h"
#include "model/weights.h"

namespace hw {

struct StepCost {
  double weight_bytes = 0;  // every layer matrix and the output matrix once per step, plus one
                            // embedding row per token (matrices are read once whatever the batch)
  double kv_bytes = 0;      // K and V read by attention: every token reads its own ctx positions
  double matmul_ops = 0;    // 2 x multiply-adds of the layer matrices, all tokens
  double attn_ops = 0;      // 2 x multiply-adds of q.k and p.v, all tokens
  double logits_ops = 0;    // 2 x multiply-adds of the output matrix, if every token asks for logits
  double bytes() const { return weight_bytes + kv_bytes; }
  double ops() const { return matmul_ops + attn_ops + logits_ops; }
};

// One step of n_tokens tokens, each attending ctx positions (its own included; sliding-window
// layers attend at most the window). Norms, rope and activations are not counted.
StepCost step_cost(const ModelConfig& c, const Weights& w, int64_t n_tokens, int64_t ctx);

}  // namespace hw
