// GGUF reader tests: a valid file round-trips through the writer, and a corpus of
// corrupted files (truncations, bad magic and counts, bad offsets, unknown types)
// each gets a clear hw::Error, never a crash (the suite also runs under ASan/UBSan).
#include "format/gguf.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "base/error.h"
#include "format/gguf_writer.h"

namespace hw {
namespace {

std::vector<uint8_t> valid_file() {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_u32("llama.block_count", 2);
  w.set_f32("llama.rope.freq_base", 10000.0f);
  w.set_bool("tokenizer.ggml.add_bos_token", true);
  w.set_strings("tokenizer.ggml.tokens", {"<s>", "a", "b"});
  w.set_f32s("tokenizer.ggml.scores", {0.0f, -1.0f, -2.0f});
  std::vector<uint8_t> f32(4 * 8 * 4);
  for (size_t i = 0; i < f32.size() / 4; ++i) {
    const float v = float(i);
    std::memcpy(&f32[i * 4], &v, 4);
  }
  w.add_tensor("a.weight", DType::F32, {8, 4}, f32);
  w.add_tensor("b.weight", DType::Q8_0, {32, 2}, std::vector<uint8_t>(68, 1));
  return w.to_bytes();
}

// End of the last tensor's data (the file may be padded beyond it).
size_t data_end(const std::vector<uint8_t>& bytes) {
  auto f = GgufFile::parse(bytes.data(), bytes.size());
  const TensorInfo* t = f->tensor("b.weight");
  return size_t(t->data - bytes.data()) + t->n_bytes;
}

// Parses bytes and returns the error message ("" if it parsed).
std::string parse_error(const std::vector<uint8_t>& bytes) {
  try {
    GgufFile::parse(bytes.data(), bytes.size(), "t.gguf");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Offset of the first occurrence of needle in bytes.
size_t find(const std::vector<uint8_t>& bytes, std::string_view needle) {
  auto it = std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end());
  return size_t(it - bytes.begin());
}

template <typename T>
void poke(std::vector<uint8_t>& b, size_t at, T v) {
  std::memcpy(&b[at], &v, sizeof v);
}

TEST(Gguf, ValidFileRoundTrips) {
  const auto bytes = valid_file();
  auto f = GgufFile::parse(bytes.data(), bytes.size());
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(*f->get_string("general.architecture"), "llama");
  EXPECT_EQ(*f->get_int("llama.block_count"), 2);
  EXPECT_FLOAT_EQ(float(*f->get_float("llama.rope.freq_base")), 10000.0f);
  EXPECT_TRUE(*f->get_bool("tokenizer.ggml.add_bos_token"));
  ASSERT_NE(f->get_strings("tokenizer.ggml.tokens"), nullptr);
  EXPECT_EQ((*f->get_strings("tokenizer.ggml.tokens"))[2], "b");
  EXPECT_EQ(f->get_f32s("tokenizer.ggml.scores")[1], -1.0f);
  ASSERT_EQ(f->tensors().size(), 2u);
  const TensorInfo* a = f->tensor("a.weight");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->ne[0], 8);
  EXPECT_EQ(a->ne[1], 4);
  EXPECT_EQ(a->n_bytes, 128u);
  float v;
  std::memcpy(&v, a->data + 4 * 5, 4);
  EXPECT_EQ(v, 5.0f);
  EXPECT_EQ(uintptr_t(a->data - bytes.data()) % 32, 0u);
  EXPECT_EQ(f->tensor("b.weight")->n_bytes, 68u);
  EXPECT_FALSE(f->get_int("missing").has_value());
  EXPECT_THROW(f->get_int("general.architecture"), Error);  // wrong type is loud
}

TEST(Gguf, EveryTruncationIsAClearError) {
  const auto bytes = valid_file();
  for (size_t n = 0; n < data_end(bytes); ++n) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + n);
    const std::string err = parse_error(cut);
    ASSERT_FALSE(err.empty()) << "truncated to " << n << " bytes parsed without error";
    EXPECT_NE(err.find("t.gguf"), std::string::npos) << err;
  }
}

struct Corruption {
  const char* name;
  std::function<void(std::vector<uint8_t>&)> apply;
  const char* expect;  // substring of the error
};

TEST(Gguf, CorruptCorpus) {
  const std::vector<Corruption> corpus = {
      {"bad magic", [](auto& b) { b[0] = 'X'; }, "bad magic"},
      {"version 1", [](auto& b) { poke<uint32_t>(b, 4, 1); }, "unsupported GGUF version 1"},
      {"version 4", [](auto& b) { poke<uint32_t>(b, 4, 4); }, "unsupported GGUF version 4"},
      {"huge tensor count", [](auto& b) { poke<uint64_t>(b, 8, ~0ull); }, "tensor count"},
      {"huge kv count", [](auto& b) { poke<uint64_t>(b, 16, 1ull << 60); }, "metadata count"},
      {"key length past end", [](auto& b) { poke<uint64_t>(b, 24, 1ull << 62); }, "truncated"},
      {"unknown value type",
       [](auto& b) { poke<uint32_t>(b, find(b, "general.architecture") + 20, 99); }, "unknown value type 99"},
      {"string length past end",
       [](auto& b) { poke<uint64_t>(b, find(b, "general.architecture") + 24, 1ull << 40); }, "truncated"},
      {"bad bool",
       [](auto& b) { b[find(b, "tokenizer.ggml.add_bos_token") + 32] = 7; }, "bool value 7"},
      {"array count past end",
       [](auto& b) { poke<uint64_t>(b, find(b, "tokenizer.ggml.scores") + 29, 1ull << 61); }, "runs past end"},
      {"string array count past end",
       [](auto& b) { poke<uint64_t>(b, find(b, "tokenizer.ggml.tokens") + 29, 1ull << 59); }, "larger than the file"},
      {"nested array",
       [](auto& b) { poke<uint32_t>(b, find(b, "tokenizer.ggml.scores") + 25, 9); }, "nested arrays"},
      {"unknown array type",
       [](auto& b) { poke<uint32_t>(b, find(b, "tokenizer.ggml.scores") + 25, 77); }, "unknown array element type 77"},
      {"zero dimensions", [](auto& b) { poke<uint32_t>(b, find(b, "a.weight") + 8, 0); }, "0 dimensions"},
      {"five dimensions", [](auto& b) { poke<uint32_t>(b, find(b, "a.weight") + 8, 5); }, "5 dimensions"},
      {"zero-size dimension", [](auto& b) { poke<uint64_t>(b, find(b, "a.weight") + 12, 0); }, "dimension 0 is 0"},
      {"overflowing element count",
       [](auto& b) {
         poke<uint64_t>(b, find(b, "a.weight") + 12, 1ull << 40);
         poke<uint64_t>(b, find(b, "a.weight") + 20, 1ull << 40);
       },
       "overflows"},
      {"unknown tensor type", [](auto& b) { poke<uint32_t>(b, find(b, "a.weight") + 28, 123); }, "unknown tensor type 123"},
      {"row not a block multiple", [](auto& b) { poke<uint32_t>(b, find(b, "a.weight") + 28, 8); }, "not a multiple"},
      {"unaligned offset", [](auto& b) { poke<uint64_t>(b, find(b, "b.weight") + 32, 8); }, "not aligned"},
      {"offset past end",
       [](auto& b) { poke<uint64_t>(b, find(b, "b.weight") + 32, 1ull << 20); }, "tensor b.weight: data ends past end of file"},
      {"data ends past end", [](auto& b) { b.resize(data_end(b) - 1); }, "tensor b.weight: data ends past end of file"},
      {"duplicate tensor", [](auto& b) { b[find(b, "b.weight")] = 'a'; }, "duplicate tensor name"},
  };
  for (const Corruption& c : corpus) {
    auto bytes = valid_file();
    c.apply(bytes);
    const std::string err = parse_error(bytes);
    EXPECT_NE(err.find(c.expect), std::string::npos) << c.name << ": got '" << err << "'";
    EXPECT_EQ(err.find('\n'), std::string::npos) << c.name << ": error is not one line";
  }
}

TEST(Gguf, RandomByteFlipsNeverCrash) {
  const auto good = valid_file();
  std::mt19937 rng(1234);
  int errors = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    auto bytes = good;
    const int flips = 1 + int(rng() % 4);
    for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] ^= uint8_t(1u << (rng() % 8));
    errors += !parse_error(bytes).empty();
  }
  EXPECT_GT(errors, 0);
}

TEST(Gguf, MissingFileIsAnError) {
  EXPECT_THROW(GgufFile::open("/nonexistent/model.gguf"), Error);
  EXPECT_THROW(GgufFile::open("/"), Error);
}

}  // namespace
}  // namespace hw
