#include "model/model.h"

#include "base/error.h"

namespace hw {

std::unique_ptr<Model> Model::load(const std::string& path) {
  std::unique_ptr<Model> m(new Model());
  m->path_ = path;
  m->file_ = GgufFile::open(path);
  m->config_ = read_config(*m->file_);
  m->tokenizer_ = std::make_unique<Tokenizer>(*m->file_);
  ModelConfig& c = m->config_;
  const TensorInfo* embd = m->file_->tensor("token_embd.weight");
  check(embd != nullptr, path + ": missing tensor token_embd.weight");
  if (c.n_vocab == 0) c.n_vocab = embd->ne[1];
  check(c.n_vocab >= m->tokenizer_->n_vocab(),
        path + ": vocabulary of " + std::to_string(m->tokenizer_->n_vocab()) + " tokens exceeds the model's " +
            std::to_string(c.n_vocab) + " embedding rows");
  m->weights_ = bind_weights(*m->file_, c);
  return m;
}

}  // namespace hw
