// hardwire: chat prompts from a model's `tokenizer.chat_template` (Jinja2), rendered the way HF
// transformers' apply_chat_template does (trim_blocks, lstrip_blocks, raise_exception, tojson without
// HTML escaping, loop controls, {% generation %}), so the prompt equals Python's byte for byte.
//
// Variables the template sees: messages (list of {role, content}), add_generation_prompt, bos_token,
// eos_token, tools = None, documents = None (as transformers passes them), then extra_vars.
//
// A template using something the interpreter does not support (see model/jinja/parser.h) fails in
// parse() with an hw::Error naming the construct and its line; a template's raise_exception(msg) fails
// render() with an hw::Error whose what() is exactly msg.
//
// A model without a chat template gets chatml(): transformers' former default ChatML template,
//   <|im_start|>{role}\n{content}<|im_end|>\n … and "<|im_start|>assistant\n" for the generation prompt.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/jinja/eval.h"
#include "model/jinja/value.h"

namespace hw {

struct ChatMessage {
  std::string role;
  std::string content;
};

struct ChatRenderOptions {
  bool add_generation_prompt = true;
  std::string bos_token, eos_token;
  // More template variables (e.g. tools, date_string); a name here overrides the ones above.
  std::vector<std::pair<std::string, jinja::Value>> extra_vars;
};

class ChatTemplate {
 public:
  static ChatTemplate parse(std::string_view source);  // hw::Error on syntax errors / unsupported constructs
  static ChatTemplate chatml();                        // the fallback for models without a template
  static std::string_view chatml_source();

  std::string render(const std::vector<ChatMessage>& messages, const ChatRenderOptions& opt) const;
  // As render(), with messages given as template values (for tool calls, content parts, …).
  std::string render_values(const jinja::Value& messages, const ChatRenderOptions& opt) const;

 private:
  explicit ChatTemplate(jinja::Template tpl) : tpl_(std::move(tpl)) {}
  jinja::Template tpl_;
};

}  // namespace hw
