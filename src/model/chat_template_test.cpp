// Chat templates of the target models and well-known families, rendered over a set of
// conversations and compared byte for byte with transformers-style Python jinja2 renders
// (tests/golden/templates/chat_cases.json, made by tools/gen_template_golden.py).
#include "model/chat_template.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/error.h"

namespace hw {
namespace {

const std::string kDir = std::string(HW_SOURCE_DIR) + "/tests/golden/templates/";

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << path;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Messages that are plain {role, content} strings go through render(); others (tool calls, …)
// through render_values().
bool plain_messages(const nlohmann::ordered_json& messages, std::vector<ChatMessage>* out) {
  for (const auto& m : messages) {
    if (m.size() != 2 || !m.contains("role") || !m.contains("content") || !m["content"].is_string()) return false;
    out->push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
  }
  return true;
}

TEST(ChatTemplateGolden, MatchesTransformersRendering) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(read_file(kDir + "chat_cases.json"));
  std::map<std::string, ChatTemplate> templates;
  int plain = 0, values = 0;
  for (const auto& c : doc["cases"]) {
    std::string name = c["template"].get<std::string>() + "/" + c["name"].get<std::string>();
    SCOPED_TRACE(name);
    std::string tname = c["template"];
    if (!templates.count(tname)) templates.emplace(tname, ChatTemplate::parse(read_file(kDir + tname + ".jinja")));
    const ChatTemplate& tpl = templates.at(tname);

    ChatRenderOptions opt;
    opt.add_generation_prompt = c["add_generation_prompt"];
    opt.bos_token = c["bos_token"];
    opt.eos_token = c["eos_token"];
    for (const auto& [k, v] : c["extra"].items()) opt.extra_vars.emplace_back(k, jinja::Value::from_json(v));

    std::vector<ChatMessage> messages;
    bool is_plain = plain_messages(c["messages"], &messages);
    (is_plain ? plain : values)++;
    std::string got, error;
    try {
      got = is_plain ? tpl.render(messages, opt) : tpl.render_values(jinja::Value::from_json(c["messages"]), opt);
    } catch (const Error& e) {
      error = e.what();
    }
    if (c.contains("expected")) {
      EXPECT_EQ(error, "");
      EXPECT_EQ(got, c["expected"].get<std::string>());
    } else if (c.contains("raises")) {
      EXPECT_EQ(error, c["raises"].get<std::string>());
    } else {
      EXPECT_NE(error, "") << "jinja2 failed with " << c["error"];
    }
  }
  EXPECT_EQ(templates.size(), 12u);
  EXPECT_GT(plain, 100);
  EXPECT_GT(values, 10);
}

TEST(ChatTemplate, ChatMLFallback) {
  EXPECT_EQ(ChatTemplate::chatml_source(), read_file(kDir + "chatml.jinja"));
  ChatRenderOptions opt;
  std::string out = ChatTemplate::chatml().render({{"system", "S"}, {"user", "Hi"}}, opt);
  EXPECT_EQ(out, "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  opt.add_generation_prompt = false;
  EXPECT_EQ(ChatTemplate::chatml().render({{"user", "Hi"}}, opt), "<|im_start|>user\nHi<|im_end|>\n");
}

TEST(ChatTemplate, TargetModelsSeeToolsAsNone) {
  // transformers passes tools=None and documents=None: defined, but none.
  ChatTemplate t = ChatTemplate::parse("{{ tools is defined }} {{ tools is none }} {{ documents is none }}");
  EXPECT_EQ(t.render({}, {}), "True True True");
}

TEST(ChatTemplate, ExtraVarsOverride) {
  ChatTemplate t = ChatTemplate::parse("{{ bos_token }}{{ date_string }}");
  ChatRenderOptions opt;
  opt.bos_token = "<s>";
  opt.extra_vars = {{"date_string", jinja::Value("26 Jul 2024")}, {"bos_token", jinja::Value("<b>")}};
  EXPECT_EQ(t.render({}, opt), "<b>26 Jul 2024");
}

TEST(ChatTemplate, RaiseExceptionSurfacesTheTemplatesMessage) {
  ChatTemplate t = ChatTemplate::parse(read_file(kDir + "mistral-instruct-v0.1.jinja"));
  try {
    t.render({{"system", "S"}, {"user", "U"}}, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "Conversation roles must alternate user/assistant/user/assistant/...");
  }
}

TEST(ChatTemplate, UnsupportedTemplateFailsAtParse) {
  try {
    ChatTemplate::parse("{% for m in messages %}\n{% include 'turn.jinja' %}\n{% endfor %}");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "jinja: line 2: unsupported tag '{% include %}'");
  }
}

}  // namespace
}  // namespace hw
