// The tokenizer described by a GGUF file's `tokenizer.ggml.*` keys: SentencePiece-style
// score merges with byte fallback ("llama") or byte-level BPE with ranked merges and a
// regex pre-tokenizer ("gpt2"). Works on vocab-only files. Behaviour follows llama.cpp,
// whose tests (golden ids from the reference Hugging Face tokenizers) it passes.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/pretokenize.h"

namespace hw {

class GgufFile;

enum class TokenizerModel {
  Spm,  // "llama": SentencePiece pieces with scores, spaces as U+2581, <0xXX> byte tokens
  Bpe,  // "gpt2": byte-level BPE, merges ranked by order, GPT-2 byte-to-unicode map
};
std::string_view tokenizer_model_name(TokenizerModel m);

// tokenizer.ggml.token_type values; anything else reads as Undefined.
enum class TokenType : int32_t {
  Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6,
};

struct EncodeOptions {
  bool add_special = true;     // add BOS/EOS where the model's add_bos/add_eos flags say so
  bool parse_special = false;  // match control (and unknown) token texts in the input.
                               // User-defined tokens are matched either way.
};

struct DecodeOptions {
  bool render_special = false;     // control and unknown tokens show their text (else nothing)
  bool strip_space_prefix = true;  // SPM with add_space_prefix: drop the one leading space
                                   // encode added (from the first token after a leading BOS)
  bool clean_up_spaces = false;    // Hugging Face clean_up_tokenization_spaces (" ," -> ",", ...),
                                   // applied only if the model's pre-tokenizer asks for it; lossy
};

class Tokenizer {
 public:
  // Reads the tokenizer keys of file (which may hold no tensors). Throws hw::Error naming
  // a missing or malformed key, an unknown model or pre-tokenizer, or a bad token id.
  explicit Tokenizer(const GgufFile& file);
  ~Tokenizer();
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;

  // Token ids for text (any bytes; invalid UTF-8 goes through byte fallback / byte-level).
  std::vector<int32_t> encode(std::string_view text, const EncodeOptions& opt = {}) const;
  // The bytes token id stands for (may be an incomplete UTF-8 sequence). Throws hw::Error
  // for an id outside the vocabulary.
  std::string piece(int32_t id, const DecodeOptions& opt = {}) const;
  // The concatenated pieces of ids.
  std::string decode(std::span<const int32_t> ids, const DecodeOptions& opt = {}) const;

  TokenizerModel model() const;
  // The BPE pre-tokenizer; nullopt for SPM.
  std::optional<PreTokenizerKind> pre_tokenizer() const;
  int32_t n_vocab() const;
  std::optional<int32_t> bos() const;
  std::optional<int32_t> eos() const;
  std::optional<int32_t> eot() const;  // end of turn (key, or found by text like <|im_end|>)
  std::optional<int32_t> unk() const;
  std::optional<int32_t> pad() const;
  bool add_bos() const;
  bool add_eos() const;
  bool add_space_prefix() const;  // SPM only
  // End of generation: eos, eot, eom and chat end markers present in the vocabulary
  // (<|eot_id|>, <|im_end|>, <|end|>, <end_of_turn>, <|endoftext|>, <|eom_id|>, <EOT>, ...).
  bool is_eog(int32_t id) const;
  std::vector<int32_t> eog_ids() const;

  TokenType token_type(int32_t id) const;   // throws for an id outside the vocabulary
  std::string_view token_text(int32_t id) const;  // the vocabulary string, unconverted
  std::optional<int32_t> find(std::string_view token_text) const;

  struct Vocab;  // implementation, shared by the SPM and BPE encoders

 private:
  std::unique_ptr<const Vocab> v_;
};

}  // namespace hw
