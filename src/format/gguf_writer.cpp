#include "format/gguf_writer.h"

#include <cstdio>
#include <cstring>
#include <memory>

#include "base/error.h"

namespace hw {
namespace {

template <typename T>
void put(std::vector<uint8_t>& out, T v) {
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &v, sizeof(T));
}

void put_str(std::vector<uint8_t>& out, std::string_view s) {
  put<uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

}  // namespace

void GgufWriter::put_key(const std::string& key, uint32_t type) {
  put_str(kv_, key);
  put<uint32_t>(kv_, type);
  ++n_kv_;
}

void GgufWriter::set_u32(const std::string& k, uint32_t v) { put_key(k, uint32_t(MetaType::U32)); put(kv_, v); }
void GgufWriter::set_i32(const std::string& k, int32_t v) { put_key(k, uint32_t(MetaType::I32)); put(kv_, v); }
void GgufWriter::set_u64(const std::string& k, uint64_t v) { put_key(k, uint32_t(MetaType::U64)); put(kv_, v); }
void GgufWriter::set_f32(const std::string& k, float v) { put_key(k, uint32_t(MetaType::F32)); put(kv_, v); }
void GgufWriter::set_bool(const std::string& k, bool v) { put_key(k, uint32_t(MetaType::BOOL)); put<uint8_t>(kv_, v); }
void GgufWriter::set_string(const std::string& k, const std::string& v) {
  put_key(k, uint32_t(MetaType::STRING));
  put_str(kv_, v);
}
void GgufWriter::set_strings(const std::string& k, const std::vector<std::string>& v) {
  put_key(k, uint32_t(MetaType::ARRAY));
  put<uint32_t>(kv_, uint32_t(MetaType::STRING));
  put<uint64_t>(kv_, v.size());
  for (const auto& s : v) put_str(kv_, s);
}
void GgufWriter::set_f32s(const std::string& k, const std::vector<float>& v) {
  put_key(k, uint32_t(MetaType::ARRAY));
  put<uint32_t>(kv_, uint32_t(MetaType::F32));
  put<uint64_t>(kv_, v.size());
  for (float x : v) put(kv_, x);
}
void GgufWriter::set_i32s(const std::string& k, const std::vector<int32_t>& v) {
  put_key(k, uint32_t(MetaType::ARRAY));
  put<uint32_t>(kv_, uint32_t(MetaType::I32));
  put<uint64_t>(kv_, v.size());
  for (int32_t x : v) put(kv_, x);
}

void GgufWriter::copy(const std::string& k, const MetaValue& v) {
  if (k == "general.alignment") alignment_ = uint32_t(v.u);
  put_key(k, uint32_t(v.type));
  auto scalar = [&](MetaType t, int64_t i, uint64_t u, double f, std::string_view s) {
    switch (t) {
      case MetaType::U8: put<uint8_t>(kv_, uint8_t(u)); break;
      case MetaType::I8: put<int8_t>(kv_, int8_t(i)); break;
      case MetaType::U16: put<uint16_t>(kv_, uint16_t(u)); break;
      case MetaType::I16: put<int16_t>(kv_, int16_t(i)); break;
      case MetaType::U32: put<uint32_t>(kv_, uint32_t(u)); break;
      case MetaType::I32: put<int32_t>(kv_, int32_t(i)); break;
      case MetaType::U64: put<uint64_t>(kv_, u); break;
      case MetaType::I64: put<int64_t>(kv_, i); break;
      case MetaType::F32: put<float>(kv_, float(f)); break;
      case MetaType::F64: put<double>(kv_, f); break;
      case MetaType::BOOL: put<uint8_t>(kv_, uint8_t(i)); break;
      case MetaType::STRING: put_str(kv_, s); break;
      default: throw Error("gguf writer: cannot copy nested arrays");
    }
  };
  if (v.type != MetaType::ARRAY) {
    scalar(v.type, v.i, v.u, v.f, v.str);
    return;
  }
  put<uint32_t>(kv_, uint32_t(v.elem));
  put<uint64_t>(kv_, v.count);
  if (v.elem == MetaType::STRING) {
    for (std::string_view s : v.strs) put_str(kv_, s);
  } else {
    const uint64_t es = v.elem == MetaType::U8 || v.elem == MetaType::I8 || v.elem == MetaType::BOOL ? 1
                        : v.elem == MetaType::U16 || v.elem == MetaType::I16                         ? 2
                        : v.elem == MetaType::U64 || v.elem == MetaType::I64 || v.elem == MetaType::F64 ? 8
                                                                                                         : 4;
    kv_.insert(kv_.end(), v.raw, v.raw + v.count * es);
  }
}

void GgufWriter::add_tensor(const std::string& name, DType type, const std::vector<int64_t>& dims, Fill fill) {
  check(!dims.empty() && dims.size() <= 4, "gguf writer: tensor " + name + " needs 1..4 dimensions");
  uint64_t rows = 1;
  for (size_t i = 1; i < dims.size(); ++i) rows *= uint64_t(dims[i]);
  check(dims[0] % dtype_info(type).block == 0, "gguf writer: tensor " + name + ": row not a multiple of the block");
  tensors_.push_back({name, type, dims, row_bytes(type, dims[0]) * rows, std::move(fill)});
}

void GgufWriter::add_tensor(const std::string& name, DType type, const std::vector<int64_t>& dims,
                            std::vector<uint8_t> bytes) {
  auto data = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  add_tensor(name, type, dims, [data](uint8_t* dst) { std::memcpy(dst, data->data(), data->size()); });
  check(tensors_.back().n_bytes == data->size(), "gguf writer: tensor " + name + ": wrong data size");
}

void GgufWriter::header(std::vector<uint8_t>& out) const {
  out.insert(out.end(), {'G', 'G', 'U', 'F'});
  put<uint32_t>(out, 3);
  put<uint64_t>(out, tensors_.size());
  put<uint64_t>(out, n_kv_);
  out.insert(out.end(), kv_.begin(), kv_.end());
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    put_str(out, t.name);
    put<uint32_t>(out, uint32_t(t.dims.size()));
    for (int64_t d : t.dims) put<uint64_t>(out, uint64_t(d));
    put<uint32_t>(out, uint32_t(t.type));
    put<uint64_t>(out, offset);
    offset = align_up(offset + t.n_bytes, alignment_);
  }
  out.resize(align_up(out.size(), alignment_), 0);
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
  std::vector<uint8_t> out;
  header(out);
  for (const Tensor& t : tensors_) {
    const size_t at = out.size();
    out.resize(at + t.n_bytes);
    t.fill(out.data() + at);
    out.resize(align_up(out.size(), alignment_), 0);
  }
  return out;
}

void GgufWriter::write(const std::string& path) const {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "wb"), std::fclose);
  check(f != nullptr, "cannot write " + path);
  std::vector<uint8_t> buf;
  header(buf);
  check(std::fwrite(buf.data(), 1, buf.size(), f.get()) == buf.size(), "write failed: " + path);
  for (const Tensor& t : tensors_) {
    buf.assign(align_up(t.n_bytes, alignment_), 0);
    t.fill(buf.data());
    check(std::fwrite(buf.data(), 1, buf.size(), f.get()) == buf.size(), "write failed: " + path);
  }
}

}  // namespace hw
