// step_cost against counts made by hand for the tiny-llama shape (model/random_model.cpp):
// dim 128, 2 layers, 4 heads of 32, 2 KV heads, ffn 256, untied output, Q8_0 (34 bytes per 32).
#include "model/cost.h"

#include <gtest/gtest.h>

#include "model/model.h"
#include "model/random_model.h"
#include "model/test_models.h"

namespace hw {
namespace {

TEST(StepCost, TinyLlamaMatchesHandCounts) {
  testing::TempDir dir("cost");
  auto model = Model::load(testing::write_test_model(dir, "tiny-llama", DType::Q8_0));
  const double vocab = double(model->config().n_vocab);

  // Per layer: wq 128x128, wk 64x128, wv 64x128, wo 128x128, gate/up 256x128, down 128x256.
  const double layer_macs = 128 * 128 + 64 * 128 + 64 * 128 + 128 * 128 + 2 * 256 * 128 + 128 * 256;
  EXPECT_EQ(layer_macs, 147456);
  // Q8_0 rows of 128 columns are 4 blocks = 136 bytes; rows of 256 columns 272 bytes.
  const double layer_bytes = (128 + 64 + 64 + 128 + 256 + 256) * 136.0 + 128 * 272.0;
  const double row = 136;  // one embedding / output row

  for (int64_t n : {1, 7}) {
    for (int64_t ctx : {1, 100}) {
      const StepCost s = step_cost(model->config(), model->weights(), n, ctx);
      EXPECT_DOUBLE_EQ(s.weight_bytes, 2 * layer_bytes + vocab * row + double(n) * row);
      // 2 layers x 2 KV heads x (32 + 32) values x 2 bytes per position.
      EXPECT_DOUBLE_EQ(s.kv_bytes, double(n * ctx) * 2 * 2 * 64 * 2);
      EXPECT_DOUBLE_EQ(s.matmul_ops, 2.0 * double(n) * 2 * layer_macs);
      // q.k and p.v: 4 heads x ctx x (32 + 32) multiply-adds per token per layer.
      EXPECT_DOUBLE_EQ(s.attn_ops, 2.0 * double(n) * 2 * 4 * double(ctx) * 64);
      EXPECT_DOUBLE_EQ(s.logits_ops, 2.0 * double(n) * vocab * 128);
      EXPECT_DOUBLE_EQ(s.bytes(), s.weight_bytes + s.kv_bytes);
      EXPECT_DOUBLE_EQ(s.ops(), s.matmul_ops + s.attn_ops + s.logits_ops);
    }
  }
}

// tiny-gemma3: 6 layers, every 6th global, the rest a 64-position window; 4 heads and 1 KV head
// of 64 (gemma3.attention.key_length).
TEST(StepCost, SlidingLayersReadAtMostTheWindow) {
  testing::TempDir dir("cost");
  auto model = Model::load(testing::write_test_model(dir, "tiny-gemma3", DType::Q8_0));
  const double pos_bytes = 1 * (64 + 64) * 2;  // K and V of one position of one layer
  EXPECT_DOUBLE_EQ(step_cost(model->config(), model->weights(), 1, 100).kv_bytes, (5 * 64 + 100) * pos_bytes);
  EXPECT_DOUBLE_EQ(step_cost(model->config(), model->weights(), 3, 40).kv_bytes, 3 * 6 * 40 * pos_bytes);
  EXPECT_DOUBLE_EQ(step_cost(model->config(), model->weights(), 1, 100).attn_ops,
                   2.0 * 4 * (5 * 64 + 100) * 128);
}

}  // namespace
}  // namespace hw
