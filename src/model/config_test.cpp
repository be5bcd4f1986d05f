// Model config from GGUF metadata (required keys, defaults, validation, family
// traits, the printed field list) and Model::load's checks of tensor names, shapes
// and types, on files made with GgufWriter.
#include "model/config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>

#include "base/error.h"
#include "format/gguf_writer.h"
#include "kernels/quant.h"
#include "model/model.h"
#include "model/random_model.h"
#include "model/test_models.h"

namespace hw {
namespace {

// Metadata of a small valid model; values are strings, u32 or f32 by key.
struct Meta {
  std::string arch = "llama";
  std::map<std::string, uint32_t> ints = {
      {"context_length", 512}, {"embedding_length", 128}, {"block_count", 2},
      {"feed_forward_length", 256}, {"attention.head_count", 4}};
  std::map<std::string, float> floats = {{"attention.layer_norm_rms_epsilon", 1e-5f}};
  std::map<std::string, std::string> strings;
  bool with_arch = true;
};

std::vector<uint8_t> bytes_of(const Meta& m) {
  GgufWriter w;
  if (m.with_arch) w.set_string("general.architecture", m.arch);
  for (const auto& [k, v] : m.ints) w.set_u32(m.arch + "." + k, v);
  for (const auto& [k, v] : m.floats) w.set_f32(m.arch + "." + k, v);
  for (const auto& [k, v] : m.strings) w.set_string(m.arch + "." + k, v);
  return w.to_bytes();
}

ModelConfig config_of(const Meta& m) {
  const std::vector<uint8_t> b = bytes_of(m);
  auto f = GgufFile::parse(b.data(), b.size(), "test.gguf");
  return read_config(*f);
}

// The hw::Error message of reading m's config, "" if it reads.
std::string config_error(const Meta& m) {
  try {
    config_of(m);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_HAS(haystack, needle) EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

TEST(Config, ReadsAValidFileAndFillsDefaults) {
  const ModelConfig c = config_of(Meta{});
  EXPECT_EQ(c.arch, Arch::Llama);
  EXPECT_EQ(c.dim, 128);
  EXPECT_EQ(c.n_layers, 2);
  EXPECT_EQ(c.n_ctx_train, 512);
  EXPECT_EQ(c.n_kv_heads, 4);  // defaults to head_count
  EXPECT_EQ(c.head_dim, 32);   // dim / heads
  EXPECT_EQ(c.head_dim_v, 32);
  EXPECT_EQ(c.rope_dim, 32);
  EXPECT_EQ(c.rope_theta, 10000);
  EXPECT_EQ(c.rope_scaling, RopeScaling::None);
  EXPECT_EQ(c.sliding_window, 0);
  EXPECT_FLOAT_EQ(float(c.norm_eps), 1e-5f);
  EXPECT_DOUBLE_EQ(c.attn_scale(), 1 / std::sqrt(32.0));
}

TEST(Config, EveryMissingRequiredKeyIsNamed) {
  for (const char* key : {"context_length", "embedding_length", "block_count", "feed_forward_length",
                          "attention.head_count", "attention.layer_norm_rms_epsilon"}) {
    Meta m;
    m.ints.erase(key);
    m.floats.erase(key);
    EXPECT_HAS(config_error(m), std::string("test.gguf: missing required key llama.") + key);
  }
  Meta m;
  m.with_arch = false;
  EXPECT_HAS(config_error(m), "missing required key general.architecture");
}

TEST(Config, KeysOfAnotherArchitectureDoNotCount) {
  Meta m;
  m.arch = "qwen2";
  // Same keys under llama.*, but the file says qwen2: the reader looks under qwen2.* only.
  GgufWriter w;
  w.set_string("general.architecture", "qwen2");
  for (const auto& [k, v] : Meta{}.ints) w.set_u32("llama." + k, v);
  const std::vector<uint8_t> wrong = w.to_bytes();
  EXPECT_NO_THROW(config_of(m));
  auto f = GgufFile::parse(wrong.data(), wrong.size(), "x");
  EXPECT_THROW(read_config(*f), Error);
}

TEST(Config, UnsupportedArchitectureIsNamed) {
  Meta m;
  m.arch = "mamba";
  const std::string e = config_error(m);
  EXPECT_HAS(e, "unsupported architecture 'mamba'");
  EXPECT_HAS(e, "llama, qwen2, gemma3");
}

TEST(Config, InvalidValuesAreErrors) {
  auto with = [](const std::string& key, uint32_t v) {
    Meta m;
    m.ints[key] = v;
    return config_error(m);
  };
  EXPECT_HAS(with("attention.head_count_kv", 3), "head_count 4 is not a multiple of head_count_kv 3");
  EXPECT_EQ(with("attention.head_count_kv", 0), "");  // 0 means "as head_count"
  EXPECT_HAS(with("embedding_length", 130), "embedding_length is not a multiple of head_count");
  EXPECT_HAS(with("block_count", 0), "must be positive");
  EXPECT_HAS(with("context_length", 0), "context_length must be positive");
  EXPECT_HAS(with("rope.dimension_count", 33), "rope.dimension_count");
  EXPECT_HAS(with("rope.dimension_count", 64), "rope.dimension_count");
  EXPECT_HAS(with("attention.value_length", 16), "key_length != value_length");

  Meta eps;
  eps.floats["attention.layer_norm_rms_epsilon"] = 0;
  EXPECT_HAS(config_error(eps), "layer_norm_rms_epsilon");
  Meta base;
  base.floats["rope.freq_base"] = -1;
  EXPECT_HAS(config_error(base), "freq_base");

  // A key of the wrong type is an error, not a silent default.
  Meta typed;
  typed.ints.erase("block_count");
  typed.strings["block_count"] = "two";
  EXPECT_THROW(config_of(typed), Error);
}

TEST(Config, RopeScalingType) {
  Meta m;
  m.strings["rope.scaling.type"] = "linear";
  m.floats["rope.scaling.factor"] = 4;
  ModelConfig c = config_of(m);
  EXPECT_EQ(c.rope_scaling, RopeScaling::Linear);
  EXPECT_EQ(c.rope_scale, 4);

  m.strings["rope.scaling.type"] = "none";
  EXPECT_EQ(config_of(m).rope_scaling, RopeScaling::None);
  m.strings["rope.scaling.type"] = "llama3";
  EXPECT_EQ(config_of(m).rope_scaling, RopeScaling::Llama3);
  m.strings["rope.scaling.type"] = "yarn";
  EXPECT_HAS(config_error(m), "unsupported rope.scaling.type 'yarn'");

  Meta factor_only;  // a factor without a type means linear
  factor_only.floats["rope.scaling.factor"] = 2;
  EXPECT_EQ(config_of(factor_only).rope_scaling, RopeScaling::Linear);
}

TEST(Config, FamilyTraitsFollowTheArchitecture) {
  Meta m;
  const ModelConfig llama = config_of(m);
  EXPECT_EQ(llama.rope_style, RopeStyle::Interleaved);
  EXPECT_EQ(llama.act, Activation::SiLU);
  EXPECT_FALSE(llama.qkv_bias || llama.qk_norm || llama.post_norms || llama.embed_scale);
  EXPECT_EQ(llama.sliding_pattern, 0);

  m.arch = "qwen2";
  const ModelConfig qwen = config_of(m);
  EXPECT_EQ(qwen.arch, Arch::Qwen2);
  EXPECT_EQ(qwen.rope_style, RopeStyle::Neox);
  EXPECT_EQ(qwen.act, Activation::SiLU);
  EXPECT_TRUE(qwen.qkv_bias);
  EXPECT_FALSE(qwen.qk_norm || qwen.post_norms || qwen.embed_scale);

  m.arch = "gemma3";
  m.ints["attention.key_length"] = 64;
  m.ints["attention.value_length"] = 64;
  m.ints["attention.sliding_window"] = 64;
  m.floats["rope.freq_base"] = 1e6f;
  const ModelConfig gemma = config_of(m);
  EXPECT_EQ(gemma.arch, Arch::Gemma3);
  EXPECT_EQ(gemma.rope_style, RopeStyle::Neox);
  EXPECT_EQ(gemma.act, Activation::GeluTanh);
  EXPECT_FALSE(gemma.qkv_bias);
  EXPECT_TRUE(gemma.qk_norm && gemma.post_norms && gemma.embed_scale);
  EXPECT_EQ(gemma.sliding_pattern, 6);
  EXPECT_EQ(gemma.sliding_window, 64);
  EXPECT_EQ(gemma.rope_theta, 1e6);
  EXPECT_EQ(gemma.rope_theta_local, 10000);
  EXPECT_EQ(gemma.head_dim, 64);  // key_length, not dim / heads
  EXPECT_DOUBLE_EQ(gemma.attn_scale(), 0.125);
  for (int64_t l = 0; l < 12; ++l) EXPECT_EQ(gemma.layer_is_sliding(l), l != 5 && l != 11) << "layer " << l;

  ModelConfig no_window = gemma;
  no_window.sliding_window = 0;
  for (int64_t l = 0; l < 12; ++l) EXPECT_FALSE(no_window.layer_is_sliding(l));
  for (int64_t l = 0; l < 12; ++l) EXPECT_FALSE(llama.layer_is_sliding(l));
}

TEST(Config, DescribeListsEveryField) {
  Meta m;
  m.arch = "gemma3";
  m.ints["attention.sliding_window"] = 64;
  m.ints["attention.head_count_kv"] = 1;
  const std::vector<std::string> lines = describe_config(config_of(m));
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  for (const char* key :
       {"context_length = 512", "embedding_length = 128", "block_count = 2", "feed_forward_length = 256",
        "attention.head_count = 4", "attention.head_count_kv = 1", "attention.key_length = 32",
        "attention.value_length = 32", "rope.dimension_count = 32", "attention.layer_norm_rms_epsilon",
        "rope.freq_base", "rope.scaling.factor", "rope.scaling.low_freq_factor", "rope.scaling.high_freq_factor",
        "rope.scaling.original_context_length", "attention.sliding_window = 64", "vocab_size"})
    EXPECT_HAS(all, std::string("gemma3.") + key);
  EXPECT_HAS(all, "architecture = gemma3");
  EXPECT_HAS(all, "rope style = neox");
  EXPECT_HAS(all, "activation = gelu-tanh");
  EXPECT_HAS(all, "qkv bias = no, qk norm = yes, post norms = yes");
  EXPECT_HAS(all, "sliding window = 64 on 5 of every 6 layers");
  EXPECT_EQ(lines.size(), 17u + 5u);  // the field list, plus architecture and four trait lines
}

// ---- Model::load on edited random models ---------------------------------------------

class ConfigModelLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_test_model(dir_, "tiny-llama", DType::Q8_0, "good.gguf");
  }
  // Model::load's error on the good model passed through edit; "" if it loads.
  std::string load_error(const std::function<void(testing::TensorEdit&)>& edit) {
    const std::string path = dir_.file("edited.gguf");
    testing::rewrite_gguf(dir_.file("good.gguf"), path, edit);
    try {
      Model::load(path);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  testing::TempDir dir_{"config_load"};
};

TEST_F(ConfigModelLoad, TheUneditedModelLoads) {
  auto m = Model::load(dir_.file("good.gguf"));
  EXPECT_EQ(m->config().dim, 128);
  EXPECT_EQ(m->config().n_kv_heads, 2);
  EXPECT_EQ(m->config().n_vocab, 32000);  // from token_embd rows
  EXPECT_EQ(m->weights().layers.size(), 2u);
  EXPECT_FALSE(m->weights().tied_output);
  EXPECT_EQ(load_error([](testing::TensorEdit&) {}), "");
}

TEST_F(ConfigModelLoad, WrongShapeNamesTheTensor) {
  const std::string e = load_error([](testing::TensorEdit& t) {
    if (t.name == "blk.1.ffn_up.weight") std::swap(t.dims[0], t.dims[1]);  // same bytes, [256, 128]
  });
  EXPECT_HAS(e, "tensor blk.1.ffn_up.weight: shape [256, 128], expected [128, 256]");

  const std::string v = load_error([](testing::TensorEdit& t) {
    if (t.name == "blk.0.ffn_norm.weight") t.dims = {64, 2};
  });
  EXPECT_HAS(v, "tensor blk.0.ffn_norm.weight: shape [64, 2], expected [128]");
}

TEST_F(ConfigModelLoad, UnsupportedTypeNamesTheTensor) {
  const std::string e = load_error([](testing::TensorEdit& t) {
    if (t.name != "blk.0.attn_k.weight") return;
    t.type = DType::Q8_1;  // an activation format, not a weight type
    t.bytes.assign(row_bytes(DType::Q8_1, t.dims[0]) * size_t(t.dims[1]), 0);
  });
  EXPECT_HAS(e, "tensor blk.0.attn_k.weight: type Q8_1 is not supported");
}

TEST_F(ConfigModelLoad, MissingTensorIsNamed) {
  const std::string e = load_error([](testing::TensorEdit& t) {
    if (t.name == "blk.1.attn_v.weight") t.name = "blk.1.attn_v.weight.renamed";
  });
  EXPECT_HAS(e, "missing tensor blk.1.attn_v.weight");
  // output.weight is optional (tied embeddings) but token_embd.weight is not.
  EXPECT_EQ(load_error([](testing::TensorEdit& t) {
              if (t.name == "output.weight") t.name = "unused.weight";
            }),
            "");
  EXPECT_HAS(load_error([](testing::TensorEdit& t) {
               if (t.name == "token_embd.weight") t.name = "unused.weight";
             }),
             "missing tensor token_embd.weight");
}

}  // namespace
}  // namespace hw
