// Tensor element types as numbered in GGUF (ggml_type), with their block geometry.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hw {

enum class DType : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15, BF16 = 30,
};

struct DTypeInfo {
  std::string_view name;
  int block;        // elements per block
  int block_bytes;  // bytes per block
  bool weights;     // supported as a model weight type
};

// nullptr for numbers that are not a type hardwire knows.
const DTypeInfo* dtype_info(uint32_t raw);
const DTypeInfo& dtype_info(DType t);
inline std::string_view dtype_name(DType t) { return dtype_info(t).name; }
// Parses a name like "q4_k" or "F16" (case-insensitive); false if unknown.
bool parse_dtype(std::string_view name, DType* out);
// Bytes of a row of n elements (n must be a multiple of the block size).
size_t row_bytes(DType t, int64_t n);

}  // namespace hw
