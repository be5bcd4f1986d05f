// Byte-level BPE pre-tokenizers: the regex splits named by GGUF `tokenizer.ggml.pre`.
// A pre-tokenizer is an ordered list of regexes; each one re-splits every piece the
// previous one produced, keeping both the matches and the text between them (the
// Hugging Face "Split, isolated" behaviour). Regexes run on PCRE2 in UTF+UCP mode.
#pragma once
#include <memory>
#include <string_view>
#include <vector>

namespace hw {

enum class PreTokenizerKind {
  Default,        // "default": llama.cpp's catch-all (punctuation, gpt-2, digits, 3-digit groups)
  Gpt2,           // "gpt-2", "phi-2", "roberta-bpe", jina variants, "gigachat"
  Llama3,         // "llama3", "llama-v3", "llama-bpe", "falcon3"
  Qwen2,          // "qwen2", "deepseek-r1-qwen", "megrez"
  Starcoder,      // "starcoder"
  Smollm,         // "smollm"
  Refact,         // "refact"
  CommandR,       // "command-r"
  Codeshell,      // "codeshell"
  Exaone,         // "exaone"
  Minerva,        // "minerva-7b"
  DeepseekLlm,    // "deepseek-llm"
  DeepseekCoder,  // "deepseek-coder"
  Deepseek3,      // "deepseek-v3"
  Falcon,         // "falcon"
  Mpt,            // "mpt"
  Olmo,           // "olmo"
  Jais,           // "jais"
  Stablelm2,      // "stablelm2"
  Dbrx,           // "dbrx"
  Smaug,          // "smaug-bpe"
  Chatglm4,       // "chatglm-bpe"
  Poro,           // "poro-chat"
  Bloom,          // "bloom"
  Gpt3Finnish,    // "gpt3-finnish"
  Viking,         // "viking"
  Tekken,         // "tekken"
  Chameleon,      // "chameleon"
};

// What a pre-tokenizer name implies besides its regexes (the flags llama.cpp's loader
// attaches to the same names).
struct PreTokenizerTraits {
  bool ignore_merges = false;  // a whole pre-token that is in the vocab is emitted as is
  bool add_bos = false;        // default for tokenizer.ggml.add_bos_token
  bool clean_spaces = true;    // decoding may apply clean_up_tokenization_spaces
};

// Maps a `tokenizer.ggml.pre` value to its kind; throws hw::Error naming an unknown one.
PreTokenizerKind parse_pre_tokenizer(std::string_view name);
// The canonical name of a kind (the first name that maps to it).
std::string_view pre_tokenizer_name(PreTokenizerKind kind);
PreTokenizerTraits pre_tokenizer_traits(PreTokenizerKind kind);

// The compiled regex list of one kind. Immutable after construction; split() may be
// called from several threads at once.
class PreTokenizer {
 public:
  explicit PreTokenizer(PreTokenizerKind kind);
  ~PreTokenizer();
  PreTokenizer(PreTokenizer&&) noexcept;
  PreTokenizer& operator=(PreTokenizer&&) noexcept;

  PreTokenizerKind kind() const { return kind_; }
  // Splits text into consecutive non-empty pieces whose concatenation is text.
  // Invalid UTF-8 is allowed: such bytes never match and end up in the gaps.
  std::vector<std::string_view> split(std::string_view text) const;

 private:
  struct Regexes;
  PreTokenizerKind kind_;
  std::unique_ptr<Regexes> regexes_;
};

}  // namespace hw
