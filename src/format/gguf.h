// GGUF (versions 2 and 3) reader over a read-only mmap. Every count, offset, size,
// string length and type is checked before use; a defect throws hw::Error with a
// one-line message naming it. Tensor data is used in place from the mapping.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/dtype.h"

namespace hw {

// A read-only memory mapping of a whole file.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }

 private:
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

enum class MetaType : uint32_t {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
};
std::string_view meta_type_name(MetaType t);

// One metadata value. Scalars are widened into i/u/f; strings and string arrays
// point into the mapping; numeric arrays keep a pointer to their raw elements.
struct MetaValue {
  MetaType type = MetaType::U8;
  int64_t i = 0;   // signed integer types and bool
  uint64_t u = 0;  // unsigned integer types
  double f = 0;    // float types
  std::string_view str;
  // ARRAY only:
  MetaType elem = MetaType::U8;
  uint64_t count = 0;
  const uint8_t* raw = nullptr;         // numeric elements, little-endian, packed
  std::vector<std::string_view> strs;   // string elements

  bool is_integer() const;
  bool is_float() const { return type == MetaType::F32 || type == MetaType::F64; }
};

struct TensorInfo {
  std::string name;
  DType type = DType::F32;
  int n_dims = 0;
  int64_t ne[4] = {1, 1, 1, 1};  // ne[0] is the row length (innermost)
  int64_t n_elements = 0;
  uint64_t offset = 0;           // relative to the data section
  uint64_t n_bytes = 0;
  const uint8_t* data = nullptr; // into the mapping
  int64_t rows() const { return n_elements / ne[0]; }
};

class GgufFile {
 public:
  // Maps and parses path. Throws hw::Error naming the defect.
  static std::unique_ptr<GgufFile> open(const std::string& path);
  // Parses an in-memory image (used by tests and fuzzing; bytes must outlive the object).
  static std::unique_ptr<GgufFile> parse(const uint8_t* bytes, uint64_t size,
                                         std::string origin = "<memory>");

  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  const std::string& origin() const { return origin_; }
  uint64_t file_size() const { return size_; }

  // Metadata in file order, and lookup by key.
  const std::vector<std::pair<std::string, MetaValue>>& metadata() const { return kv_; }
  const MetaValue* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // Typed getters: nullopt if absent; hw::Error if present with an incompatible type.
  std::optional<int64_t> get_int(std::string_view key) const;
  std::optional<double> get_float(std::string_view key) const;  // accepts integers too
  std::optional<bool> get_bool(std::string_view key) const;
  std::optional<std::string_view> get_string(std::string_view key) const;
  // Arrays: nullptr/empty if absent; hw::Error if the element type does not fit.
  const std::vector<std::string_view>* get_strings(std::string_view key) const;
  std::vector<float> get_f32s(std::string_view key) const;
  std::vector<int32_t> get_i32s(std::string_view key) const;

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* tensor(std::string_view name) const;

 private:
  GgufFile() = default;
  void parse_all();

  std::unique_ptr<MappedFile> map_;
  const uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  std::string origin_;
  uint32_t version_ = 0;
  uint32_t alignment_ = 32;
  std::vector<std::pair<std::string, MetaValue>> kv_;
  std::map<std::string, size_t, std::less<>> kv_index_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t, std::less<>> tensor_index_;
};

}  // namespace hw
