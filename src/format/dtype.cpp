#include "format/dtype.h"

#include <cctype>
#include <string>

#include "base/error.h"

namespace hw {
namespace {

struct Entry {
  DType type;
  DTypeInfo info;
};

constexpr Entry kTypes[] = {
    {DType::F32, {"F32", 1, 4, true}},        {DType::F16, {"F16", 1, 2, true}},
    {DType::BF16, {"BF16", 1, 2, true}},      {DType::Q4_0, {"Q4_0", 32, 18, true}},
    {DType::Q4_1, {"Q4_1", 32, 20, true}},    {DType::Q5_0, {"Q5_0", 32, 22, true}},
    {DType::Q5_1, {"Q5_1", 32, 24, true}},    {DType::Q8_0, {"Q8_0", 32, 34, true}},
    {DType::Q8_1, {"Q8_1", 32, 36, false}},   {DType::Q2_K, {"Q2_K", 256, 84, false}},
    {DType::Q3_K, {"Q3_K", 256, 110, false}}, {DType::Q4_K, {"Q4_K", 256, 144, true}},
    {DType::Q5_K, {"Q5_K", 256, 176, true}},  {DType::Q6_K, {"Q6_K", 256, 210, true}},
    {DType::Q8_K, {"Q8_K", 256, 292, false}},
};

}  // namespace

const DTypeInfo* dtype_info(uint32_t raw) {
  for (const Entry& e : kTypes)
    if (uint32_t(e.type) == raw) return &e.info;
  return nullptr;
}

const DTypeInfo& dtype_info(DType t) {
  const DTypeInfo* info = dtype_info(uint32_t(t));
  check(info != nullptr, "unknown tensor type " + std::to_string(uint32_t(t)));
  return *info;
}

bool parse_dtype(std::string_view name, DType* out) {
  for (const Entry& e : kTypes) {
    if (e.info.name.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size(); ++i)
      same &= std::toupper(static_cast<unsigned char>(name[i])) == e.info.name[i];
    if (same) {
      *out = e.type;
      return true;
    }
  }
  return false;
}

size_t row_bytes(DType t, int64_t n) {
  const DTypeInfo& info = dtype_info(t);
  return size_t(n / info.block) * size_t(info.block_bytes);
}

}  // namespace hw
