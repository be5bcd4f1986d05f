#include "format/gguf.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace hw {

// ---------------------------------------------------------------- MappedFile

MappedFile::MappedFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  check(fd >= 0, path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(path + ": not a regular file");
  }
  size_ = uint64_t(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      throw Error(path + ": mmap failed: " + std::strerror(errno));
    }
    data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

// ---------------------------------------------------------------- metadata types

std::string_view meta_type_name(MetaType t) {
  static constexpr std::string_view kNames[] = {"u8",  "i8",   "u16",    "i16",   "u32", "i32", "f32",
                                                "bool", "string", "array", "u64", "i64", "f64"};
  const auto i = uint32_t(t);
  return i < std::size(kNames) ? kNames[i] : "?";
}

namespace {

// Size of one element of a fixed-size metadata type; 0 for string/array/unknown.
uint64_t fixed_size(MetaType t) {
  switch (t) {
    case MetaType::U8: case MetaType::I8: case MetaType::BOOL: return 1;
    case MetaType::U16: case MetaType::I16: return 2;
    case MetaType::U32: case MetaType::I32: case MetaType::F32: return 4;
    case MetaType::U64: case MetaType::I64: case MetaType::F64: return 8;
    default: return 0;
  }
}

bool known_type(uint32_t raw) { return raw <= uint32_t(MetaType::F64); }

// Bounds-checked little-endian cursor over the file image.
class Cursor {
 public:
  Cursor(const uint8_t* base, uint64_t size, const std::string& origin)
      : base_(base), size_(size), origin_(origin) {}

  uint64_t pos() const { return pos_; }
  uint64_t left() const { return size_ - pos_; }

  void need(uint64_t n, const std::string& what) const {
    if (n > left())
      throw Error(origin_ + ": truncated file: " + what + " at offset " + std::to_string(pos_) +
                  " needs " + std::to_string(n) + " bytes, " + std::to_string(left()) + " left");
  }
  template <typename T>
  T read(const std::string& what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, base_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  const uint8_t* take(uint64_t n, const std::string& what) {
    need(n, what);
    const uint8_t* p = base_ + pos_;
    pos_ += n;
    return p;
  }
  std::string_view string(const std::string& what) {
    const uint64_t len = read<uint64_t>(what + " length");
    need(len, what + " (length " + std::to_string(len) + ")");
    std::string_view s(reinterpret_cast<const char*>(base_ + pos_), len);
    pos_ += len;
    return s;
  }

 private:
  const uint8_t* base_;
  uint64_t size_;
  const std::string& origin_;
  uint64_t pos_ = 0;
};

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return s.size() > 80 ? out + "..." : out;
}

void read_scalar(Cursor& cur, MetaType t, MetaValue& v, const std::string& what) {
  switch (t) {
    case MetaType::U8: v.u = cur.read<uint8_t>(what); break;
    case MetaType::I8: v.i = cur.read<int8_t>(what); break;
    case MetaType::U16: v.u = cur.read<uint16_t>(what); break;
    case MetaType::I16: v.i = cur.read<int16_t>(what); break;
    case MetaType::U32: v.u = cur.read<uint32_t>(what); break;
    case MetaType::I32: v.i = cur.read<int32_t>(what); break;
    case MetaType::U64: v.u = cur.read<uint64_t>(what); break;
    case MetaType::I64: v.i = cur.read<int64_t>(what); break;
    case MetaType::F32: v.f = cur.read<float>(what); break;
    case MetaType::F64: v.f = cur.read<double>(what); break;
    case MetaType::BOOL: {
      const uint8_t b = cur.read<uint8_t>(what);
      check(b <= 1, what + ": bool value " + std::to_string(b) + " is not 0 or 1");
      v.i = b;
      break;
    }
    case MetaType::STRING: v.str = cur.string(what); break;
    default: throw Error(what + ": unexpected type");
  }
}

}  // namespace

bool MetaValue::is_integer() const {
  switch (type) {
    case MetaType::U8: case MetaType::I8: case MetaType::U16: case MetaType::I16:
    case MetaType::U32: case MetaType::I32: case MetaType::U64: case MetaType::I64: return true;
    default: return false;
  }
}

// ---------------------------------------------------------------- GgufFile

std::unique_ptr<GgufFile> GgufFile::open(const std::string& path) {
  auto map = std::make_unique<MappedFile>(path);
  std::unique_ptr<GgufFile> f(new GgufFile());
  f->base_ = map->data();
  f->size_ = map->size();
  f->map_ = std::move(map);
  f->origin_ = path;
  f->parse_all();
  return f;
}

std::unique_ptr<GgufFile> GgufFile::parse(const uint8_t* bytes, uint64_t size, std::string origin) {
  std::unique_ptr<GgufFile> f(new GgufFile());
  f->base_ = bytes;
  f->size_ = size;
  f->origin_ = std::move(origin);
  f->parse_all();
  return f;
}

void GgufFile::parse_all() {
  Cursor cur(base_, size_, origin_);
  const uint8_t* magic = cur.take(4, "magic");
  check(std::memcmp(magic, "GGUF", 4) == 0, origin_ + ": bad magic (not a GGUF file)");
  version_ = cur.read<uint32_t>("version");
  check(version_ == 2 || version_ == 3,
        origin_ + ": unsupported GGUF version " + std::to_string(version_) + " (supported: 2, 3)");
  const uint64_t n_tensors = cur.read<uint64_t>("tensor count");
  const uint64_t n_kv = cur.read<uint64_t>("metadata count");
  // Each key-value pair takes at least 12 bytes and each tensor record at least 24,
  // so counts beyond what the file could hold are rejected before any allocation.
  check(n_kv <= cur.left() / 12, origin_ + ": metadata count " + std::to_string(n_kv) +
                                     " is larger than the file can hold");
  check(n_tensors <= cur.left() / 24, origin_ + ": tensor count " + std::to_string(n_tensors) +
                                          " is larger than the file can hold");

  kv_.reserve(n_kv);
  for (uint64_t k = 0; k < n_kv; ++k) {
    const std::string where = "metadata entry " + std::to_string(k);
    const std::string key(cur.string(where + " key"));
    check(!key.empty(), origin_ + ": " + where + " has an empty key");
    const std::string what = origin_ + ": metadata " + printable(key);
    const uint32_t raw_type = cur.read<uint32_t>(what + " type");
    check(known_type(raw_type), what + ": unknown value type " + std::to_string(raw_type));
    MetaValue v;
    v.type = MetaType(raw_type);
    if (v.type == MetaType::ARRAY) {
      const uint32_t raw_elem = cur.read<uint32_t>(what + " array type");
      check(known_type(raw_elem), what + ": unknown array element type " + std::to_string(raw_elem));
      v.elem = MetaType(raw_elem);
      check(v.elem != MetaType::ARRAY, what + ": nested arrays are not supported");
      v.count = cur.read<uint64_t>(what + " array count");
      if (v.elem == MetaType::STRING) {
        check(v.count <= cur.left() / 8, what + ": array count " + std::to_string(v.count) +
                                             " is larger than the file can hold");
        v.strs.reserve(v.count);
        for (uint64_t j = 0; j < v.count; ++j) v.strs.push_back(cur.string(what + "[" + std::to_string(j) + "]"));
      } else {
        const uint64_t es = fixed_size(v.elem);
        check(v.count <= cur.left() / es, what + ": array of " + std::to_string(v.count) +
                                              " elements runs past end of file");
        v.raw = cur.take(v.count * es, what + " array data");
      }
    } else {
      read_scalar(cur, v.type, v, what);
    }
    check(kv_index_.emplace(key, kv_.size()).second, what + ": duplicate key");
    kv_.emplace_back(key, std::move(v));
  }

  if (const MetaValue* a = find("general.alignment")) {
    check(a->type == MetaType::U32, origin_ + ": general.alignment must be u32, is " +
                                        std::string(meta_type_name(a->type)));
    check(a->u != 0 && (a->u & (a->u - 1)) == 0 && a->u <= (1u << 20),
          origin_ + ": general.alignment " + std::to_string(a->u) + " is not a power of two");
    alignment_ = uint32_t(a->u);
  }

  tensors_.reserve(n_tensors);
  for (uint64_t t = 0; t < n_tensors; ++t) {
    TensorInfo ti;
    ti.name = std::string(cur.string("tensor record " + std::to_string(t) + " name"));
    const std::string what = origin_ + ": tensor " + printable(ti.name);
    check(!ti.name.empty(), origin_ + ": tensor record " + std::to_string(t) + " has an empty name");
    const uint32_t n_dims = cur.read<uint32_t>(what + " dimension count");
    check(n_dims >= 1 && n_dims <= 4, what + ": " + std::to_string(n_dims) + " dimensions (1..4 supported)");
    ti.n_dims = int(n_dims);
    uint64_t n_el = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t ne = cur.read<uint64_t>(what + " dimension");
      check(ne >= 1 && ne <= (uint64_t(1) << 40), what + ": dimension " + std::to_string(d) + " is " +
                                                      std::to_string(ne));
      check(n_el <= (uint64_t(1) << 50) / ne, what + ": element count overflows");
      n_el *= ne;
      ti.ne[d] = int64_t(ne);
    }
    ti.n_elements = int64_t(n_el);
    const uint32_t raw_type = cur.read<uint32_t>(what + " type");
    const DTypeInfo* info = dtype_info(raw_type);
    check(info != nullptr, what + ": unknown tensor type " + std::to_string(raw_type));
    ti.type = DType(raw_type);
    check(ti.ne[0] % info->block == 0, what + ": row length " + std::to_string(ti.ne[0]) +
                                           " is not a multiple of the " + std::string(info->name) +
                                           " block size " + std::to_string(info->block));
    ti.n_bytes = uint64_t(row_bytes(ti.type, ti.ne[0])) * uint64_t(ti.rows());
    ti.offset = cur.read<uint64_t>(what + " offset");
    check(ti.offset % alignment_ == 0, what + ": data offset " + std::to_string(ti.offset) +
                                           " is not aligned to " + std::to_string(alignment_));
    check(tensor_index_.emplace(ti.name, tensors_.size()).second, what + ": duplicate tensor name");
    tensors_.push_back(std::move(ti));
  }

  // The data section starts at the next multiple of the alignment.
  uint64_t data_start = cur.pos();
  data_start += (alignment_ - data_start % alignment_) % alignment_;
  if (!tensors_.empty())
    check(data_start <= size_, origin_ + ": tensor data section starts past end of file");
  const uint64_t data_size = data_start <= size_ ? size_ - data_start : 0;
  for (TensorInfo& ti : tensors_) {
    const std::string what = origin_ + ": tensor " + printable(ti.name);
    check(ti.offset <= data_size && ti.n_bytes <= data_size - ti.offset,
          what + ": data ends past end of file");
    ti.data = base_ + data_start + ti.offset;
  }
}

const MetaValue* GgufFile::find(std::string_view key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kv_[it->second].second;
}

namespace {
std::string type_error(std::string_view key, const MetaValue& v, const char* want) {
  return std::string("metadata ") + std::string(key) + ": expected " + want + ", found " +
         std::string(meta_type_name(v.type));
}
}  // namespace

std::optional<int64_t> GgufFile::get_int(std::string_view key) const {
  const MetaValue* v = find(key);
  if (!v) return std::nullopt;
  check(v->is_integer(), origin_ + ": " + type_error(key, *v, "an integer"));
  if (v->type == MetaType::U64) {
    check(v->u <= uint64_t(INT64_MAX), origin_ + ": metadata " + std::string(key) + " is out of range");
    return int64_t(v->u);
  }
  return v->type == MetaType::U8 || v->type == MetaType::U16 || v->type == MetaType::U32 ? int64_t(v->u) : v->i;
}

std::optional<double> GgufFile::get_float(std::string_view key) const {
  const MetaValue* v = find(key);
  if (!v) return std::nullopt;
  if (v->is_float()) return v->f;
  return double(*get_int(key));
}

std::optional<bool> GgufFile::get_bool(std::string_view key) const {
  const MetaValue* v = find(key);
  if (!v) return std::nullopt;
  check(v->type == MetaType::BOOL, origin_ + ": " + type_error(key, *v, "a bool"));
  return v->i != 0;
}

std::optional<std::string_view> GgufFile::get_string(std::string_view key) const {
  const MetaValue* v = find(key);
  if (!v) return std::nullopt;
  check(v->type == MetaType::STRING, origin_ + ": " + type_error(key, *v, "a string"));
  return v->str;
}

const std::vector<std::string_view>* GgufFile::get_strings(std::string_view key) const {
  const MetaValue* v = find(key);
  if (!v) return nullptr;
  check(v->type == MetaType::ARRAY && v->elem == MetaType::STRING,
        origin_ + ": " + type_error(key, *v, "an array of strings"));
  return &v->strs;
}

std::vector<float> GgufFile::get_f32s(std::string_view key) const {
  const MetaValue* v = find(key);
  if (!v) return {};
  check(v->type == MetaType::ARRAY && v->elem == MetaType::F32,
        origin_ + ": " + type_error(key, *v, "an array of f32"));
  std::vector<float> out(v->count);
  std::memcpy(out.data(), v->raw, v->count * 4);
  return out;
}

std::vector<int32_t> GgufFile::get_i32s(std::string_view key) const {
  const MetaValue* v = find(key);
  if (!v) return {};
  check(v->type == MetaType::ARRAY && (v->elem == MetaType::I32 || v->elem == MetaType::U32),
        origin_ + ": " + type_error(key, *v, "an array of i32"));
  std::vector<int32_t> out(v->count);
  std::memcpy(out.data(), v->raw, v->count * 4);
  return out;
}

const TensorInfo* GgufFile::tensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace hw
