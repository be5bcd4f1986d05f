#include "model/chat_template.h"

namespace hw {

namespace {

constexpr std::string_view kChatML =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + "
    "'\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

}  // namespace

ChatTemplate ChatTemplate::parse(std::string_view source) { return ChatTemplate(jinja::Template::parse(source)); }

std::string_view ChatTemplate::chatml_source() { return kChatML; }

ChatTemplate ChatTemplate::chatml() { return parse(kChatML); }

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, const ChatRenderOptions& opt) const {
  std::vector<jinja::Value> list;
  list.reserve(messages.size());
  for (const ChatMessage& m : messages)
    list.push_back(jinja::Value::dict({{"role", jinja::Value(m.role)}, {"content", jinja::Value(m.content)}}));
  return render_values(jinja::Value::list(std::move(list)), opt);
}

std::string ChatTemplate::render_values(const jinja::Value& messages, const ChatRenderOptions& opt) const {
  jinja::Vars vars = {
      {"messages", messages},
      {"tools", jinja::Value::none()},
      {"documents", jinja::Value::none()},
      {"add_generation_prompt", jinja::Value(opt.add_generation_prompt)},
      {"bos_token", jinja::Value(opt.bos_token)},
      {"eos_token", jinja::Value(opt.eos_token)},
  };
  for (const auto& [k, v] : opt.extra_vars) vars.emplace_back(k, v);  // later entries win
  return tpl_.render(vars);
}

}  // namespace hw
