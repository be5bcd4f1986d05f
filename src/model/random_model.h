// Writes GGUF models of named shapes with random weights, a chosen weight type and
// the tokenizer of a given vocab GGUF: test and benchmark inputs of real sizes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "model/config.h"

namespace hw {

struct ModelShape {
  std::string name;
  Arch arch = Arch::Llama;
  int64_t dim, n_layers, n_heads, n_kv_heads, ffn_dim, ctx;
  double rope_theta;
  bool tied_output;
};

const std::vector<ModelShape>& model_shapes();  // tinyllama-1.1b, smollm2-135m, llama3-8b, tiny-*
const ModelShape* find_model_shape(const std::string& name);

struct RandomModelOptions {
  std::string shape = "tinyllama-1.1b";
  DType type = DType::Q8_0;   // type of the 2-D weight matrices
  std::string vocab_path;     // GGUF whose tokenizer.* keys are copied
  uint64_t seed = 1;
  std::string out_path;
};

// Writes the file; throws hw::Error on an unknown shape or an unsuitable type.
void write_random_model(const RandomModelOptions& opt);

}  // namespace hw
