#include "model/tokenizer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "format/gguf.h"
#include "format/gguf_writer.h"

namespace hw {
namespace {

namespace fs = std::filesystem;

// ---- golden files from llama.cpp's test-tokenizer-0 ----------------------------------

// $HW_TESTDATA (the testdata root, or the vocab folder itself), else the shared checkout
// beside the source tree.
fs::path vocab_dir() {
  if (const char* env = std::getenv("HW_TESTDATA")) {
    const fs::path root(env);
    return fs::is_directory(root / "vocab") ? root / "vocab" : root;
  }
  return fs::path(HW_SOURCE_DIR) / ".." / "shared" / "testdata" / "vocab";
}

std::vector<std::string> vocab_files() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(vocab_dir(), ec)) {
    if (e.path().extension() == ".gguf") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Inputs are separated by "\n__ggml_vocab_test__\n"; the file ends with one.
std::vector<std::string> read_inputs(const fs::path& p) {
  static constexpr std::string_view kSep = "\n__ggml_vocab_test__\n";
  std::string all = read_file(p);
  if (all.size() >= kSep.size() && all.ends_with(kSep)) all.resize(all.size() - kSep.size());
  std::vector<std::string> out;
  size_t pos = 0;
  for (size_t hit; (hit = all.find(kSep, pos)) != std::string::npos; pos = hit + kSep.size()) {
    out.push_back(all.substr(pos, hit - pos));
  }
  out.push_back(all.substr(pos));
  return out;
}

std::vector<std::vector<int32_t>> read_expected(const fs::path& p) {
  std::istringstream in(read_file(p));
  std::vector<std::vector<int32_t>> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::vector<int32_t> ids;
    for (int32_t id; ls >> id;) ids.push_back(id);
    out.push_back(std::move(ids));
  }
  return out;
}

std::string ids_str(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += " " + std::to_string(id);
  return s;
}

class GoldenVocab : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenVocab, MatchesLlamaCppGoldens) {
  const fs::path base = vocab_dir() / GetParam();
  auto file = GgufFile::open(base.string());
  EXPECT_TRUE(file->tensors().empty());
  const Tokenizer tok(*file);
  const std::vector<std::string> inputs = read_inputs(base.string() + ".inp");
  const std::vector<std::vector<int32_t>> expected = read_expected(base.string() + ".out");
  ASSERT_EQ(inputs.size(), expected.size());

  // The goldens carry no BOS/EOS and treat special-token text as plain text.
  const EncodeOptions enc{.add_special = false, .parse_special = false};
  size_t pass = 0, round_trip = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::vector<int32_t> got = tok.encode(inputs[i], enc);
    if (got == expected[i]) {
      ++pass;
    } else {
      ADD_FAILURE() << GetParam() << " input " << i << " '" << inputs[i] << "'\n  want"
                    << ids_str(expected[i]) << "\n  got " << ids_str(got);
    }
    // Every vocabulary here is lossless: SPM falls back to bytes, BPE is byte-level.
    const std::string back = tok.decode(got);
    if (back == inputs[i]) {
      ++round_trip;
    } else {
      ADD_FAILURE() << GetParam() << " input " << i << " decodes to '" << back << "'";
    }
  }
  std::printf("[ golden   ] %s: %zu/%zu encode, %zu/%zu round-trip\n", GetParam().c_str(), pass,
              inputs.size(), round_trip, inputs.size());
}

INSTANTIATE_TEST_SUITE_P(Vocab, GoldenVocab, ::testing::ValuesIn(vocab_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(uint8_t(c))) c = '_';
                           }
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoldenVocab);

std::unique_ptr<GgufFile> open_vocab(const std::string& name) {
  const fs::path p = vocab_dir() / name;
  if (!fs::exists(p)) return nullptr;
  return GgufFile::open(p.string());
}

#define OPEN_OR_SKIP(var, name)                         \
  auto var = open_vocab(name);                          \
  if (!var) GTEST_SKIP() << name << " not found under " << vocab_dir()

TEST(Tokenizer, SpmFlagsAndSpecialIds) {
  OPEN_OR_SKIP(file, "ggml-vocab-llama-spm.gguf");
  const Tokenizer tok(*file);
  EXPECT_EQ(tok.model(), TokenizerModel::Spm);
  EXPECT_FALSE(tok.pre_tokenizer().has_value());
  EXPECT_EQ(tok.n_vocab(), 32000);
  EXPECT_EQ(tok.bos(), 1);
  EXPECT_EQ(tok.eos(), 2);
  EXPECT_EQ(tok.unk(), 0);
  EXPECT_TRUE(tok.add_bos());
  EXPECT_FALSE(tok.add_eos());
  EXPECT_TRUE(tok.add_space_prefix());
  EXPECT_TRUE(tok.is_eog(2));
  EXPECT_FALSE(tok.is_eog(1));
  EXPECT_EQ(tok.find("<s>"), 1);
  EXPECT_FALSE(tok.find("no such token").has_value());
  EXPECT_EQ(tok.token_type(1), TokenType::Control);

  // With add_special, BOS leads; decode drops the space the prefix added.
  const std::vector<int32_t> ids = tok.encode("Hello world");
  EXPECT_EQ(ids, (std::vector<int32_t>{1, 15043, 3186}));
  EXPECT_EQ(tok.decode(ids), "Hello world");
  EXPECT_EQ(tok.decode(ids, {.strip_space_prefix = false}), " Hello world");
  EXPECT_EQ(tok.decode(ids, {.render_special = true}), "<s>Hello world");
  EXPECT_EQ(tok.piece(15043), " Hello");
  EXPECT_EQ(tok.piece(1), "");
  EXPECT_EQ(tok.piece(1, {.render_special = true}), "<s>");
  EXPECT_THROW(tok.piece(32000), Error);
  EXPECT_THROW(tok.piece(-1), Error);
}

TEST(Tokenizer, SpmByteFallback) {
  OPEN_OR_SKIP(file, "ggml-vocab-llama-spm.gguf");
  const Tokenizer tok(*file);
  // U+1F999 is not a piece: it is spelled as its four UTF-8 bytes <0xF0><0x9F><0xA6><0x99>.
  const EncodeOptions plain{.add_special = false};
  const std::vector<int32_t> ids = tok.encode("\xF0\x9F\xA6\x99", plain);
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(ids[0], 29871);  // the lone prefix space
  EXPECT_EQ(tok.token_text(ids[1]), "<0xF0>");
  EXPECT_EQ(tok.token_text(ids[4]), "<0x99>");
  EXPECT_EQ(tok.token_type(ids[1]), TokenType::Byte);
  EXPECT_EQ(tok.piece(ids[1]), "\xF0");
  EXPECT_EQ(tok.decode(ids), "\xF0\x9F\xA6\x99");
  // Invalid UTF-8 survives the round trip too.
  const std::string junk = "a\xFF\xC3 b\x80";
  EXPECT_EQ(tok.decode(tok.encode(junk, plain)), junk);
}

TEST(Tokenizer, SpmSpecialParsing) {
  OPEN_OR_SKIP(file, "ggml-vocab-llama-spm.gguf");
  const Tokenizer tok(*file);
  const EncodeOptions parse{.add_special = false, .parse_special = true};
  const EncodeOptions plain{.add_special = false, .parse_special = false};
  // After a special token the text gets the space prefix again, as llama.cpp does.
  EXPECT_EQ(tok.encode("<s>Hello</s>", parse), (std::vector<int32_t>{1, 15043, 2}));
  const std::vector<int32_t> as_text = tok.encode("<s>Hello", plain);
  EXPECT_EQ(std::count(as_text.begin(), as_text.end(), 1), 0);
  EXPECT_EQ(tok.decode(as_text), "<s>Hello");
}

TEST(Tokenizer, Phi3UserDefinedTokensAlwaysMatch) {
  OPEN_OR_SKIP(file, "ggml-vocab-phi-3.gguf");
  const Tokenizer tok(*file);
  // "</s>" is user-defined in this vocabulary: matched even without parse_special.
  ASSERT_EQ(tok.token_type(2), TokenType::UserDefined);
  const std::vector<int32_t> ids = tok.encode("a</s>", {.add_special = false});
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.back(), 2);
  // Control tokens are not, unless asked.
  const std::vector<int32_t> plain = tok.encode("<|user|>", {.add_special = false});
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 32010), 0);
  EXPECT_EQ(tok.encode("<|user|>", {.add_special = false, .parse_special = true}),
            (std::vector<int32_t>{32010}));
  EXPECT_TRUE(tok.is_eog(32000));  // <|endoftext|>
  EXPECT_TRUE(tok.is_eog(32007));  // <|end|>
  EXPECT_EQ(tok.eot(), 32007);
}

TEST(Tokenizer, BpeSpecialParsingAndEog) {
  OPEN_OR_SKIP(file, "ggml-vocab-gpt-2.gguf");
  const Tokenizer tok(*file);
  EXPECT_EQ(tok.model(), TokenizerModel::Bpe);
  EXPECT_EQ(tok.pre_tokenizer(), PreTokenizerKind::Gpt2);
  EXPECT_FALSE(tok.add_bos());
  EXPECT_EQ(tok.eos(), 50256);
  EXPECT_TRUE(tok.is_eog(50256));
  EXPECT_EQ(tok.eot(), 50256);

  const EncodeOptions parse{.add_special = false, .parse_special = true};
  const EncodeOptions plain{.add_special = false, .parse_special = false};
  std::vector<int32_t> want = tok.encode("Hello", plain);
  want.push_back(50256);
  for (int32_t id : tok.encode(" world", plain)) want.push_back(id);
  EXPECT_EQ(tok.encode("Hello<|endoftext|> world", parse), want);

  const std::vector<int32_t> as_text = tok.encode("Hello<|endoftext|> world", plain);
  EXPECT_EQ(std::count(as_text.begin(), as_text.end(), 50256), 0);
  EXPECT_EQ(tok.decode(as_text), "Hello<|endoftext|> world");
  EXPECT_EQ(tok.decode(want), "Hello world");
  EXPECT_EQ(tok.decode(want, {.render_special = true}), "Hello<|endoftext|> world");

  // Byte-level: arbitrary bytes round-trip.
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes += char(b);
  EXPECT_EQ(tok.decode(tok.encode(all_bytes, plain)), all_bytes);
}

TEST(Tokenizer, LongInputsStayFast) {
  OPEN_OR_SKIP(spm_file, "ggml-vocab-llama-spm.gguf");
  OPEN_OR_SKIP(bpe_file, "ggml-vocab-gpt-2.gguf");
  const Tokenizer spm(*spm_file);
  const Tokenizer bpe(*bpe_file);
  std::string prose;
  while (prose.size() < (1u << 20)) prose += "The quick brown fox, 12345 jumps over the lazy dog.\n";
  const std::string one_word(200000, 'a');      // one pre-token for BPE, one run for SPM
  const std::string spaces(200000, ' ');
  const auto t0 = std::chrono::steady_clock::now();
  for (const Tokenizer* tok : {&spm, &bpe}) {
    for (const std::string* s : {static_cast<const std::string*>(&prose), &one_word, &spaces}) {
      EXPECT_EQ(tok->decode(tok->encode(*s, {.add_special = false})), *s);
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ perf     ] 2 x 1.4 MB encode+decode: %.2f s\n", secs);
  EXPECT_LT(secs, 60.0);  // catches quadratic blowups, not slow machines
}

// ---- synthetic vocabularies ----------------------------------------------------------

struct Parsed {
  std::vector<uint8_t> image;  // must outlive file
  std::unique_ptr<GgufFile> file;
};

Parsed parse(const GgufWriter& w) {
  Parsed p{w.to_bytes(), nullptr};
  p.file = GgufFile::parse(p.image.data(), p.image.size());
  return p;
}

GgufWriter tiny_bpe(const std::string& pre) {
  GgufWriter b;
  b.set_string("tokenizer.ggml.model", "gpt2");
  b.set_string("tokenizer.ggml.pre", pre);
  b.set_strings("tokenizer.ggml.tokens", {"a", "b", "c", "ab", "bc", "abc", "<|im_end|>"});
  b.set_i32s("tokenizer.ggml.token_type", {1, 1, 1, 1, 1, 1, 3});
  b.set_strings("tokenizer.ggml.merges", {"b c", "a b", "a bc"});
  return b;
}

TEST(Tokenizer, UnknownPreTokenizerIsAnError) {
  const Parsed p = parse(tiny_bpe("no-such-pre"));
  try {
    Tokenizer tok(*p.file);
    FAIL() << "expected hw::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-pre"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_pre_tokenizer("llama4-maybe"), Error);
  EXPECT_EQ(parse_pre_tokenizer("llama-bpe"), PreTokenizerKind::Llama3);
  EXPECT_EQ(parse_pre_tokenizer("smollm"), PreTokenizerKind::Smollm);
}

TEST(Tokenizer, BadFilesAreErrors) {
  {  // no model key
    GgufWriter b;
    b.set_strings("tokenizer.ggml.tokens", {"a"});
    const Parsed p = parse(b);
    EXPECT_THROW(Tokenizer{*p.file}, Error);
  }
  {  // unsupported model
    GgufWriter b;
    b.set_string("tokenizer.ggml.model", "rwkv");
    b.set_strings("tokenizer.ggml.tokens", {"a"});
    const Parsed p = parse(b);
    EXPECT_THROW(Tokenizer{*p.file}, Error);
  }
  {  // BOS outside the vocabulary
    GgufWriter b = tiny_bpe("gpt-2");
    b.set_u32("tokenizer.ggml.bos_token_id", 99);
    const Parsed p = parse(b);
    EXPECT_THROW(Tokenizer{*p.file}, Error);
  }
  {  // BPE without merges
    GgufWriter b;
    b.set_string("tokenizer.ggml.model", "gpt2");
    b.set_string("tokenizer.ggml.pre", "gpt-2");
    b.set_strings("tokenizer.ggml.tokens", {"a"});
    const Parsed p = parse(b);
    EXPECT_THROW(Tokenizer{*p.file}, Error);
  }
  {  // token types that do not match the token count
    GgufWriter b;
    b.set_string("tokenizer.ggml.model", "llama");
    b.set_strings("tokenizer.ggml.tokens", {"a", "b", "c"});
    b.set_i32s("tokenizer.ggml.token_type", {1, 1});
    const Parsed p = parse(b);
    EXPECT_THROW(Tokenizer{*p.file}, Error);
  }
}

TEST(Tokenizer, BpeAppliesMergesByRankNotPosition) {
  const Parsed p = parse(tiny_bpe("gpt-2"));
  const Tokenizer tok(*p.file);
  // "b c" (rank 0) beats the leftmost "a b" (rank 1); then "a bc" (rank 2) finishes.
  EXPECT_EQ(tok.encode("abc", {.add_special = false}), (std::vector<int32_t>{5}));
  EXPECT_EQ(tok.encode("abab", {.add_special = false}), (std::vector<int32_t>{3, 3}));
  EXPECT_EQ(tok.encode("cab", {.add_special = false}), (std::vector<int32_t>{2, 3}));
  EXPECT_TRUE(tok.is_eog(6));  // found by text
  EXPECT_EQ(tok.eot(), 6);
  EXPECT_EQ(tok.encode("ab<|im_end|>", {.add_special = false, .parse_special = true}),
            (std::vector<int32_t>{3, 6}));
}

TEST(Tokenizer, SpmMergesByScore) {
  GgufWriter b;
  // "▁" "a" "b" "c", then "ab" (score -2) and "bc" (score -1.5); "xyz" takes the place of "abc".
  b.set_string("tokenizer.ggml.model", "llama");
  b.set_strings("tokenizer.ggml.tokens",
                {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "a", "b", "c", "ab", "bc", "xyz", "<0x7A>"});
  b.set_f32s("tokenizer.ggml.scores", {0, 0, 0, -1, -1, -1, -1, -2, -1.5f, -3, 0});
  b.set_i32s("tokenizer.ggml.token_type", {2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 6});
  b.set_bool("tokenizer.ggml.add_space_prefix", false);
  const Parsed p = parse(b);
  const Tokenizer tok(*p.file);
  EXPECT_FALSE(tok.add_space_prefix());
  // "bc" outscores "ab", and "a"+"bc" is not a piece: a, bc.
  EXPECT_EQ(tok.encode("abc", {.add_special = false}), (std::vector<int32_t>{4, 8}));
  EXPECT_EQ(tok.encode("bcab", {.add_special = false}), (std::vector<int32_t>{8, 7}));
  // 'z' is only a byte token; 'y' has none and becomes <unk>.
  EXPECT_EQ(tok.encode("zy", {.add_special = false}), (std::vector<int32_t>{10, 0}));
  EXPECT_EQ(tok.encode("a b", {}), (std::vector<int32_t>{1, 4, 3, 5}));
  EXPECT_EQ(tok.decode(std::vector<int32_t>{1, 4, 3, 5}), "a b");
}

TEST(Tokenizer, SpecialTextsPlacedLongestFirst) {
  GgufWriter b;
  b.set_string("tokenizer.ggml.model", "llama");
  b.set_strings("tokenizer.ggml.tokens",
                {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "x", "!", "xyz", "yz!!", "<c>"});
  b.set_i32s("tokenizer.ggml.token_type", {2, 3, 3, 1, 1, 1, 4, 4, 3});
  b.set_bool("tokenizer.ggml.add_space_prefix", false);
  const Parsed p = parse(b);
  const Tokenizer tok(*p.file);
  const EncodeOptions plain{.add_special = false};
  // As in llama.cpp, the longer "yz!!" is placed before "xyz", though "xyz" starts first.
  EXPECT_EQ(tok.encode("xyz!!", plain), (std::vector<int32_t>{4, 7}));
  EXPECT_EQ(tok.encode("xyz!xyz", plain), (std::vector<int32_t>{6, 5, 6}));
  // Control texts only with parse_special; user-defined ones always.
  EXPECT_EQ(tok.encode("<c>xyz", {.add_special = false, .parse_special = true}),
            (std::vector<int32_t>{8, 6}));
  const std::vector<int32_t> plain_ids = tok.encode("<c>xyz", plain);
  EXPECT_EQ(std::count(plain_ids.begin(), plain_ids.end(), 8), 0);
  EXPECT_EQ(plain_ids.back(), 6);
}

}  // namespace
}  // namespace hw
