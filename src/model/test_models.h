// Test-only helpers (header-only, used by the model layer's *_test.cpp): where the
// vocab test data lives, a scratch directory, and rewriting a GGUF file tensor by
// tensor to make model variants (edited weights, wrong shapes or types).
#pragma once
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

#include "format/gguf.h"
#include "format/gguf_writer.h"
#include "model/random_model.h"

namespace hw::testing {

namespace fs = std::filesystem;

// $HW_TESTDATA (the testdata root, or the vocab folder itself), else the shared
// checkout beside the source tree.
inline fs::path vocab_dir() {
  if (const char* env = std::getenv("HW_TESTDATA")) {
    const fs::path root(env);
    return fs::is_directory(root / "vocab") ? root / "vocab" : root;
  }
  return fs::path(HW_SOURCE_DIR) / ".." / "shared" / "testdata" / "vocab";
}

inline std::string llama_vocab() { return (vocab_dir() / "ggml-vocab-llama-spm.gguf").string(); }

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("hw_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// Writes dir/name: a random-weight model of a named shape (model/random_model.h)
// with the llama SentencePiece test vocabulary. Returns its path.
inline std::string write_test_model(const TempDir& dir, const std::string& shape, DType type,
                                    const std::string& name = "model.gguf") {
  RandomModelOptions o;
  o.shape = shape;
  o.type = type;
  o.vocab_path = llama_vocab();
  o.out_path = dir.file(name);
  write_random_model(o);
  return o.out_path;
}

// One tensor as it will be written: an edit may change any field (bytes must then
// match the new type and dims).
struct TensorEdit {
  std::string name;
  DType type;
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;
};

// Copies src to dst, metadata unchanged, passing every tensor through edit.
inline void rewrite_gguf(const std::string& src, const std::string& dst,
                         const std::function<void(TensorEdit&)>& edit) {
  auto in = GgufFile::open(src);
  GgufWriter w;
  for (const auto& [key, value] : in->metadata()) w.copy(key, value);
  for (const TensorInfo& t : in->tensors()) {
    TensorEdit e{t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims),
                 std::vector<uint8_t>(t.data, t.data + t.n_bytes)};
    edit(e);
    w.add_tensor(e.name, e.type, e.dims, std::move(e.bytes));
  }
  w.write(dst);
}

}  // namespace hw::testing
