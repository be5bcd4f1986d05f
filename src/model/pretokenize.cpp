#include "model/pretokenize.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string>

#include "base/error.h"

namespace hw {
namespace {

struct NamedKind {
  std::string_view name;
  PreTokenizerKind kind;
};

// Every accepted `tokenizer.ggml.pre` value. The first entry of a kind is its canonical name.
constexpr NamedKind kNames[] = {
    {"default", PreTokenizerKind::Default},
    {"gpt-2", PreTokenizerKind::Gpt2},
    {"phi-2", PreTokenizerKind::Gpt2},
    {"roberta-bpe", PreTokenizerKind::Gpt2},
    {"gigachat", PreTokenizerKind::Gpt2},
    {"jina-es", PreTokenizerKind::Gpt2},
    {"jina-de", PreTokenizerKind::Gpt2},
    {"jina-v1-en", PreTokenizerKind::Gpt2},
    {"jina-v2-es", PreTokenizerKind::Gpt2},
    {"jina-v2-de", PreTokenizerKind::Gpt2},
    {"jina-v2-code", PreTokenizerKind::Gpt2},
    {"llama3", PreTokenizerKind::Llama3},
    {"llama-v3", PreTokenizerKind::Llama3},
    {"llama-bpe", PreTokenizerKind::Llama3},
    {"falcon3", PreTokenizerKind::Llama3},
    {"qwen2", PreTokenizerKind::Qwen2},
    {"deepseek-r1-qwen", PreTokenizerKind::Qwen2},
    {"megrez", PreTokenizerKind::Qwen2},
    {"starcoder", PreTokenizerKind::Starcoder},
    {"smollm", PreTokenizerKind::Smollm},
    {"refact", PreTokenizerKind::Refact},
    {"command-r", PreTokenizerKind::CommandR},
    {"codeshell", PreTokenizerKind::Codeshell},
    {"exaone", PreTokenizerKind::Exaone},
    {"minerva-7b", PreTokenizerKind::Minerva},
    {"deepseek-llm", PreTokenizerKind::DeepseekLlm},
    {"deepseek-coder", PreTokenizerKind::DeepseekCoder},
    {"deepseek-v3", PreTokenizerKind::Deepseek3},
    {"falcon", PreTokenizerKind::Falcon},
    {"mpt", PreTokenizerKind::Mpt},
    {"olmo", PreTokenizerKind::Olmo},
    {"jais", PreTokenizerKind::Jais},
    {"stablelm2", PreTokenizerKind::Stablelm2},
    {"dbrx", PreTokenizerKind::Dbrx},
    {"smaug-bpe", PreTokenizerKind::Smaug},
    {"chatglm-bpe", PreTokenizerKind::Chatglm4},
    {"poro-chat", PreTokenizerKind::Poro},
    {"bloom", PreTokenizerKind::Bloom},
    {"gpt3-finnish", PreTokenizerKind::Gpt3Finnish},
    {"viking", PreTokenizerKind::Viking},
    {"tekken", PreTokenizerKind::Tekken},
    {"chameleon", PreTokenizerKind::Chameleon},
};

// The GPT-2 split: contractions, letter runs, digit runs, other-symbol runs (each with
// one optional leading space), whitespace not followed by a non-space. Whitespace the
// regex leaves unmatched becomes its own piece, which is what GPT-2's trailing `\s+`
// alternative would produce.
constexpr const char* kGpt2 =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";

// Llama 3 (tiktoken cl100k style): case-insensitive contractions spelled out as classes,
// an optional non-letter before a letter run, digits in groups of up to three, symbol
// runs that swallow following newlines, newline runs, then whitespace.
constexpr const char* kLlama3 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Qwen2: as Llama 3 but every digit is its own piece.
constexpr const char* kQwen2 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// DeepSeek LLM: the cased letters of Latin, Greek, Cyrillic, Armenian, Georgian,
// Cherokee, Glagolitic, Coptic, Deseret, Osage, Old Hungarian, Warang Citi, Adlam and
// the fullwidth Latin forms, as listed in the model's own tokenizer.json.
constexpr const char* kDeepseekLetters =
    R"(\s?[A-Za-z\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF}\x{1C4}-\x{293})"
    R"(\x{295}-\x{2AF}\x{370}-\x{373}\x{376}\x{377}\x{37B}-\x{37D}\x{37F}\x{386}\x{388}-\x{38A})"
    R"(\x{38C}\x{38E}-\x{3A1}\x{3A3}-\x{3F5}\x{3F7}-\x{481}\x{48A}-\x{52F}\x{531}-\x{556})"
    R"(\x{10A0}-\x{10C5}\x{13A0}-\x{13F5}\x{13F8}-\x{13FD}\x{1C90}-\x{1CBA}\x{1CBD}-\x{1CBF})"
    R"(\x{1D00}-\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A}\x{1E00}-\x{1F15}\x{1F18}-\x{1F1D})"
    R"(\x{1F20}-\x{1F45}\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{1F59}\x{1F5B}\x{1F5D})"
    R"(\x{1F5F}-\x{1F7D}\x{1F80}-\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4})"
    R"(\x{1FC6}-\x{1FCC}\x{1FD0}-\x{1FD3}\x{1FD6}-\x{1FDB}\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4})"
    R"(\x{1FF6}-\x{1FFC}\x{2102}\x{2107}\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124})"
    R"(\x{2126}\x{2128}\x{212A}-\x{212D}\x{212F}-\x{2134}\x{2139}\x{213C}-\x{213F})"
    R"(\x{2145}-\x{2149}\x{214E}\x{2183}\x{2184}\x{2C00}-\x{2C7B}\x{2C7E}-\x{2CE4})"
    R"(\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D}\x{A680}-\x{A69B}\x{A722}-\x{A76F})"
    R"(\x{A771}-\x{A787}\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\x{FB06}\x{FB13}-\x{FB17})"
    R"(\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{10400}-\x{1044F}\x{104B0}-\x{104D3})"
    R"(\x{104D8}-\x{104FB}\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2}\x{118A0}-\x{118DF})"
    R"(\x{1E900}-\x{1E943}]+)";
// ASCII punctuation, fullwidth punctuation, curly quotes, ideographic space/comma/stop.
constexpr const char* kDeepseekPunct =
    R"(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)";
// CJK unified ideographs, the blocks U+0800..U+4E00, Hangul syllables.
constexpr const char* kDeepseekCjk = R"([\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+)";

// Runs of anything but whitespace and a few sentence marks (BLOOM family).
constexpr const char* kBloom =
    R"( ?[^(\s|.,!?\x{2026}\x{3002}\x{FF0C}\x{3001}\x{964}\x{6D4}\x{60C})]+)";

std::vector<const char*> regexes_of(PreTokenizerKind kind) {
  using K = PreTokenizerKind;
  switch (kind) {
    case K::Default:
      return {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2, R"(\p{N}+)", R"([0-9][0-9][0-9])"};
    case K::Gpt2: case K::Mpt: case K::Olmo: case K::Jais:
      return {kGpt2};
    case K::Llama3: case K::Dbrx: case K::Smaug: case K::Chatglm4:
      return {kLlama3};
    case K::Qwen2: case K::Stablelm2:
      return {kQwen2};
    case K::Starcoder: case K::Smollm: case K::Refact: case K::CommandR: case K::Codeshell:
    case K::Exaone: case K::Minerva:
      return {R"(\p{N})", kGpt2};
    case K::DeepseekLlm:
      return {R"([\r\n])", kDeepseekLetters, kDeepseekPunct, R"(\s+$)", kDeepseekCjk, R"(\p{N}+)"};
    case K::DeepseekCoder:
      return {R"([\r\n])", R"(\s?\p{L}+)", R"(\s?\p{P}+)", kDeepseekCjk, R"(\p{N})"};
    case K::Deepseek3:
      return {R"(\p{N}{1,3})", R"([\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)",
              R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"};
    case K::Falcon:
      return {R"([\p{P}\$\+<=>\^~\|`]+)", kGpt2, R"([0-9][0-9][0-9])"};
    case K::Poro: case K::Bloom: case K::Gpt3Finnish:
      return {kBloom};
    case K::Viking:
      return {kBloom, R"(\p{N})"};
    case K::Tekken:
      return {R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+)"
              R"(|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*)"
              R"(|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)"};
    case K::Chameleon:
      return {R"(<sentinel:[0-9]+>)", R"((IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z)",
              R"(([\t\n]|    |  ))", R"(\p{N})", R"([\p{P}!-/:-@\[-`{-~])", kGpt2};
  }
  throw Error("pre-tokenizer: unhandled kind");
}

}  // namespace

PreTokenizerKind parse_pre_tokenizer(std::string_view name) {
  for (const NamedKind& nk : kNames) {
    if (nk.name == name) return nk.kind;
  }
  throw Error("unknown pre-tokenizer '" + std::string(name) + "' (tokenizer.ggml.pre)");
}

std::string_view pre_tokenizer_name(PreTokenizerKind kind) {
  for (const NamedKind& nk : kNames) {
    if (nk.kind == kind) return nk.name;
  }
  return "?";
}

PreTokenizerTraits pre_tokenizer_traits(PreTokenizerKind kind) {
  using K = PreTokenizerKind;
  PreTokenizerTraits t;
  switch (kind) {
    case K::Llama3:
      t.ignore_merges = true;
      t.add_bos = true;
      break;
    case K::Tekken:
      t.ignore_merges = true;
      t.add_bos = true;
      t.clean_spaces = false;
      break;
    case K::Chameleon:
      t.add_bos = true;
      t.clean_spaces = false;
      break;
    case K::DeepseekLlm: case K::DeepseekCoder: case K::Deepseek3: case K::CommandR:
    case K::Qwen2: case K::Poro: case K::Viking: case K::Smollm:
      t.clean_spaces = false;
      break;
    default:
      break;
  }
  return t;
}

// ---- compiled regexes ------------------------------------------------------------

struct PreTokenizer::Regexes {
  std::vector<pcre2_code*> codes;
  ~Regexes() {
    for (pcre2_code* c : codes) pcre2_code_free(c);
  }
};

PreTokenizer::PreTokenizer(PreTokenizerKind kind) : kind_(kind), regexes_(new Regexes) {
  const uint32_t flags = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY;
  for (const char* pattern : regexes_of(kind)) {
    int err = 0;
    PCRE2_SIZE err_off = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern), PCRE2_ZERO_TERMINATED,
                                     flags, &err, &err_off, nullptr);
    if (code == nullptr) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(err, msg, sizeof msg);
      throw Error("pre-tokenizer '" + std::string(pre_tokenizer_name(kind)) +
                  "': regex does not compile at offset " + std::to_string(err_off) + ": " +
                  reinterpret_cast<const char*>(msg));
    }
    regexes_->codes.push_back(code);
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // failure just means the interpreter runs
  }
}

PreTokenizer::~PreTokenizer() = default;
PreTokenizer::PreTokenizer(PreTokenizer&&) noexcept = default;
PreTokenizer& PreTokenizer::operator=(PreTokenizer&&) noexcept = default;

namespace {

// Owns the per-call PCRE2 state: match data, and a large JIT stack made only when the
// default one runs out.
struct MatchState {
  pcre2_match_data* md = nullptr;
  pcre2_match_context* mctx = nullptr;
  pcre2_jit_stack* stack = nullptr;
  ~MatchState() {
    if (md) pcre2_match_data_free(md);
    if (mctx) pcre2_match_context_free(mctx);
    if (stack) pcre2_jit_stack_free(stack);
  }
  int match(const pcre2_code* code, std::string_view s, size_t start) {
    auto run = [&] {
      return pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), start, 0, md, mctx);
    };
    int rc = run();
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT && stack == nullptr) {
      stack = pcre2_jit_stack_create(64 * 1024, 16 * 1024 * 1024, nullptr);
      mctx = pcre2_match_context_create(nullptr);
      check(stack != nullptr && mctx != nullptr, "pre-tokenizer: out of memory for the regex stack");
      pcre2_jit_stack_assign(mctx, nullptr, stack);
      rc = run();
    }
    return rc;
  }
};

// Splits one piece by one regex, appending matches and the gaps between them to out.
void split_piece(const pcre2_code* code, MatchState& st, std::string_view piece,
                 std::vector<std::string_view>& out) {
  size_t pos = 0;   // search start
  size_t done = 0;  // end of what has been emitted
  while (pos < piece.size()) {
    const int rc = st.match(code, piece, pos);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(rc, msg, sizeof msg);
      throw Error(std::string("pre-tokenizer: regex match failed: ") +
                  reinterpret_cast<const char*>(msg));
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(st.md);
    const size_t b = ov[0], e = ov[1];
    if (e == b) {  // an empty match splits nothing; step over one byte and retry
      pos = b + 1;
      continue;
    }
    if (b > done) out.push_back(piece.substr(done, b - done));
    out.push_back(piece.substr(b, e - b));
    done = pos = e;
  }
  if (done < piece.size()) out.push_back(piece.substr(done));
}

}  // namespace

std::vector<std::string_view> PreTokenizer::split(std::string_view text) const {
  std::vector<std::string_view> pieces;
  if (text.empty()) return pieces;
  pieces.push_back(text);
  MatchState st;
  std::vector<std::string_view> next;
  for (const pcre2_code* code : regexes_->codes) {
    if (st.md) pcre2_match_data_free(st.md);
    st.md = pcre2_match_data_create_from_pattern(code, nullptr);
    check(st.md != nullptr, "pre-tokenizer: out of memory for match data");
    next.clear();
    next.reserve(pieces.size() * 2);
    for (std::string_view piece : pieces) split_piece(code, st, piece, next);
    pieces.swap(next);
  }
  return pieces;
}

}  // namespace hw
