// A loaded model: the mapped GGUF file, its config, tokenizer and bound weights.
#pragma once
#include <memory>
#include <string>

#include "format/gguf.h"
#include "model/config.h"
#include "model/tokenizer.h"
#include "model/weights.h"

namespace hw {

class Model {
 public:
  // Opens and validates path; throws hw::Error naming the first defect.
  static std::unique_ptr<Model> load(const std::string& path);

  const GgufFile& file() const { return *file_; }
  const ModelConfig& config() const { return config_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  const Weights& weights() const { return weights_; }
  const std::string& path() const { return path_; }

 private:
  Model() = default;
  std::string path_;
  std::unique_ptr<GgufFile> file_;
  ModelConfig config_;
  std::unique_ptr<Tokenizer> tokenizer_;
  Weights weights_;
};

}  // namespace hw
