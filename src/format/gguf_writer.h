// GGUF (v3) writer: metadata and tensors, tensor data produced on demand so that
// multi-gigabyte files stream to disk. Used by the random-model writer and tests.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "format/gguf.h"

namespace hw {

class GgufWriter {
 public:
  void set_u32(const std::string& key, uint32_t v);
  void set_i32(const std::string& key, int32_t v);
  void set_u64(const std::string& key, uint64_t v);
  void set_f32(const std::string& key, float v);
  void set_bool(const std::string& key, bool v);
  void set_string(const std::string& key, const std::string& v);
  void set_strings(const std::string& key, const std::vector<std::string>& v);
  void set_f32s(const std::string& key, const std::vector<float>& v);
  void set_i32s(const std::string& key, const std::vector<int32_t>& v);
  // Copies a value (any type, arrays included) read from another file.
  void copy(const std::string& key, const MetaValue& v);

  // fill(dst) writes the tensor's n_bytes into dst when the file is written.
  using Fill = std::function<void(uint8_t* dst)>;
  void add_tensor(const std::string& name, DType type, const std::vector<int64_t>& dims, Fill fill);
  void add_tensor(const std::string& name, DType type, const std::vector<int64_t>& dims,
                  std::vector<uint8_t> bytes);

  std::vector<uint8_t> to_bytes() const;
  void write(const std::string& path) const;

 private:
  struct Tensor {
    std::string name;
    DType type;
    std::vector<int64_t> dims;
    uint64_t n_bytes = 0;
    Fill fill;
  };
  void header(std::vector<uint8_t>& out) const;
  void put_key(const std::string& key, uint32_t type);
  std::vector<uint8_t> kv_;  // serialized key-value pairs
  uint64_t n_kv_ = 0;
  std::vector<Tensor> tensors_;
  uint32_t alignment_ = 32;
};

}  // namespace hw
