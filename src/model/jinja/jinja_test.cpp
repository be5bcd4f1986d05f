// The interpreter against Python jinja2 (tests/golden/templates/jinja_cases.json, made by
// tools/gen_template_golden.py), plus unit tests of its parts and of its refusals.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/error.h"
#include "model/jinja/eval.h"
#include "model/jinja/lexer.h"
#include "model/jinja/unicode.h"
#include "model/jinja/value.h"

namespace hw::jinja {
namespace {

nlohmann::ordered_json load_json(const std::string& rel) {
  std::ifstream f(std::string(HW_SOURCE_DIR) + "/" + rel, std::ios::binary);
  EXPECT_TRUE(f.good()) << rel;
  std::stringstream ss;
  ss << f.rdbuf();
  return nlohmann::ordered_json::parse(ss.str());
}

Vars vars_from_json(const nlohmann::ordered_json& obj) {
  Vars vars;
  for (const auto& [k, v] : obj.items()) vars.emplace_back(k, Value::from_json(v));
  return vars;
}

std::string render(std::string_view src, const Vars& vars = {}) { return Template::parse(src).render(vars); }

// The error message of rendering src, or "" if it rendered.
std::string error_of(std::string_view src, const Vars& vars = {}) {
  try {
    render(src, vars);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(JinjaGolden, MatchesPythonJinja2) {
  nlohmann::ordered_json doc = load_json("tests/golden/templates/jinja_cases.json");
  Vars vars = vars_from_json(doc["context"]);
  int checked = 0;
  for (const auto& c : doc["cases"]) {
    std::string name = c["name"], src = c["template"];
    SCOPED_TRACE(name + ": " + src);
    if (c.value("unsupported", false) || c.contains("error")) {
      EXPECT_NE(error_of(src, vars), "") << "expected an error";
    } else if (c.contains("raises")) {
      EXPECT_EQ(error_of(src, vars), c["raises"].get<std::string>());
    } else {
      std::string got;
      EXPECT_NO_THROW(got = render(src, vars));
      EXPECT_EQ(got, c["expected"].get<std::string>());
    }
    ++checked;
  }
  EXPECT_GT(checked, 90);
}

// ---- lexer and whitespace control ----

TEST(JinjaLexer, TrimAndLstripBlocksAsTransformers) {
  EXPECT_EQ(render("  {% if true %}\nx\n  {% endif %}\ny"), "x\ny");
  EXPECT_EQ(render("a\n{{ 'v' }}\nb"), "a\nv\nb");  // variables are not trimmed
  EXPECT_EQ(render("a {# c #}\nb"), "a b");         // trim_blocks applies after comments
  EXPECT_EQ(render("a\n  {#- c #}  b"), "a  b");
  EXPECT_EQ(render("x\n"), "x");  // one trailing newline dropped
  EXPECT_EQ(render("x\n\n"), "x\n");
  EXPECT_EQ(render("a\r\nb\rc"), "a\nb\nc");
}

TEST(JinjaLexer, DefaultJinja2Settings) {
  LexOptions plain{.trim_blocks = false, .lstrip_blocks = false};
  EXPECT_EQ(Template::parse("  {% if true %}\nx{% endif %}", plain).render({}), "  \nx");
  EXPECT_EQ(Template::parse("  {%- if true -%}\n x {%- endif %}", plain).render({}), "x");
}

TEST(JinjaLexer, StringEscapes) {
  EXPECT_EQ(render(R"({{ '\x41\u00e9\U0001F999\n\'\\' }})"), "A\xC3\xA9\xF0\x9F\xA6\x99\n'\\");
  EXPECT_EQ(render(R"({{ "a" 'b' }})"), "ab");
  EXPECT_NE(error_of(R"({{ '\x4' }})").find("truncated"), std::string::npos);
}

TEST(JinjaLexer, BracesInsideExpressions) {
  EXPECT_EQ(render("{{ {'a': {'b': 1}}['a']['b'] }}"), "1");
  EXPECT_EQ(render("{{ '}}' ~ '%}' }}"), "}}%}");
}

// ---- values ----

TEST(JinjaValue, PythonFloatRepr) {
  EXPECT_EQ(format_float(1.0), "1.0");
  EXPECT_EQ(format_float(0.1), "0.1");
  EXPECT_EQ(format_float(1e16), "1e+16");
  EXPECT_EQ(format_float(123456789012345.0), "123456789012345.0");
  EXPECT_EQ(format_float(1e-4), "0.0001");
  EXPECT_EQ(format_float(1e-5), "1e-05");
  EXPECT_EQ(format_float(-2.5e-300), "-2.5e-300");
  EXPECT_EQ(format_float(-0.0), "-0.0");
}

TEST(JinjaValue, JsonMatchesPythonDumps) {
  Value v = Value::from_json(nlohmann::ordered_json::parse(R"({"b": [1, 2.0, "x\u00e9\n"], "a": {}, "c": null})"));
  EXPECT_EQ(to_json(v, {}), "{\"b\": [1, 2.0, \"x\xC3\xA9\\n\"], \"a\": {}, \"c\": null}");
  JsonOptions opt;
  opt.has_indent = true;
  opt.indent = "  ";
  opt.item_sep = ",";
  opt.sort_keys = true;
  EXPECT_EQ(to_json(v, opt),
            "{\n  \"a\": {},\n  \"b\": [\n    1,\n    2.0,\n    \"x\xC3\xA9\\n\"\n  ],\n  \"c\": null\n}");
}

TEST(JinjaValue, Truthiness) {
  EXPECT_FALSE(truthy(Value()));
  EXPECT_FALSE(truthy(Value::none()));
  EXPECT_FALSE(truthy(Value("")));
  EXPECT_FALSE(truthy(Value::list({})));
  EXPECT_TRUE(truthy(Value::generator({})));  // a Python generator is always true
  EXPECT_TRUE(truthy(Value(0.5)));
}

// ---- unicode ----

TEST(JinjaUnicode, CaseMappingAndWhitespace) {
  EXPECT_EQ(uni::upper("stra\xC3\x9F"
                       "e \xD0\xB6"),
            "STRASSE \xD0\x96");                                                          // ß -> SS, ж -> Ж
  EXPECT_EQ(uni::lower("\xC3\x89T\xC3\x89"), "\xC3\xA9t\xC3\xA9");                        // ÉTÉ -> été
  EXPECT_EQ(uni::upper("\xE6\x97\xA5\xF0\x9F\xA6\x99"), "\xE6\x97\xA5\xF0\x9F\xA6\x99");  // caseless
  EXPECT_EQ(uni::title("they're 3rd"), "They'Re 3Rd");
  EXPECT_EQ(uni::strip("\xC2\xA0 x\xE3\x80\x80", true, true), "x");  // NBSP, ideographic space
  EXPECT_THROW(uni::lower("\xCE\xA3"), Error);                       // Σ: context-dependent in Python
  EXPECT_THROW(uni::upper("\xD5\xA1"), Error);                       // Armenian: not in the table
  EXPECT_EQ(uni::encode(uni::decode("a\xFF"
                                    "b")),
            "a\xFF"
            "b");  // invalid bytes survive
}

TEST(JinjaGlobals, StrftimeNow) {
  std::string year = render("{{ strftime_now('%Y') }}");
  ASSERT_EQ(year.size(), 4u);
  EXPECT_GE(std::stoi(year), 2024);
}

// ---- refusals: clear errors, naming the construct and the line ----

TEST(JinjaErrors, UnsupportedConstructsAreNamed) {
  EXPECT_EQ(error_of("line1\n{% include 'x' %}"), "jinja: line 2: unsupported tag '{% include %}'");
  EXPECT_EQ(error_of("{% extends 'x' %}"), "jinja: line 1: unsupported tag '{% extends %}'");
  EXPECT_EQ(error_of("a\nb\n{{ x | frobnicate }}"), "jinja: line 3: unsupported filter 'frobnicate'");
  EXPECT_EQ(error_of("{{ x is frob }}"), "jinja: line 1: unsupported test 'frob'");
  EXPECT_EQ(error_of("{% for x in y recursive %}{% endfor %}"), "jinja: line 1: unsupported: recursive for loops");
  EXPECT_EQ(error_of("{% macro m() %}{{ caller() }}{% endmacro %}"), "jinja: line 1: unsupported: 'caller' in a macro");
  EXPECT_EQ(error_of("{% frob %}"), "jinja: line 1: unknown tag 'frob'");
  EXPECT_EQ(error_of("{{ 'x'.zfill(3) }}"), "jinja: line 1: unsupported method str.zfill()");
  EXPECT_EQ(error_of("{{ f(*a) }}"), "jinja: line 1: unsupported: *args / **kwargs in calls");
}

TEST(JinjaErrors, SyntaxErrorsCarryLines) {
  EXPECT_EQ(error_of("{% if x %}\nopen"), "jinja: line 2: unexpected end of template, expected 'endif'");
  EXPECT_EQ(error_of("\n\n{% endif %}"), "jinja: line 3: unexpected 'endif'");
  EXPECT_EQ(error_of("{{ 1 + }}"), "jinja: line 1: unexpected end of print statement '}}'");
  EXPECT_EQ(error_of("{# open"), "jinja: line 1: missing end of comment tag");
  EXPECT_EQ(error_of("x\n{{ 'open }}"), "jinja: line 2: unterminated string literal");
  EXPECT_EQ(error_of("{% break %}"), "jinja: line 1: 'break' outside of a loop");
}

TEST(JinjaErrors, RuntimeErrorsCarryLines) {
  EXPECT_EQ(error_of("\n{{ nope.attr }}"), "jinja: line 2: 'nope' is undefined");
  EXPECT_EQ(error_of("{{ 'a' + 1 }}"), "jinja: line 1: can only concatenate str (not \"int\") to str");
  EXPECT_EQ(error_of("{% for m in l %}\n{{ m.x.y }}{% endfor %}", {{"l", Value::list({Value::dict()})}}),
            "jinja: line 2: 'dict object' has no attribute 'x'");
  EXPECT_EQ(error_of("{{ [1] | selectattr('x') | length }}"),
            "jinja: line 1: filter 'length': object of type 'generator' has no len()");
}

TEST(JinjaErrors, RaiseExceptionMessageIsExact) {
  EXPECT_EQ(error_of("{% if true %}\n{{ raise_exception('Roles must alternate') }}{% endif %}"),
            "Roles must alternate");
}

TEST(JinjaErrors, UndefinedIsLenientWhereJinja2IsLenient) {
  Vars vars = {{"d", Value::dict({{"a", Value(1)}})}, {"n", Value::none()}};
  EXPECT_EQ(render("[{{ u }}|{{ d.b }}|{{ n.x }}|{{ u is defined }}|{{ u | default('z') }}|{{ d.b | length }}]", vars),
            "[|||False|z|0]");
  EXPECT_EQ(render("{% if u %}x{% else %}y{% endif %}{% for i in u %}z{% endfor %}"), "y");
}

TEST(JinjaErrors, HostileNestingIsRefused) {
  std::string parens = std::string(5000, '(') + "1" + std::string(5000, ')');
  EXPECT_NE(error_of("{{ " + parens + " }}").find("nesting deeper"), std::string::npos);
  std::string chain = "{{ 1";
  for (int i = 0; i < 100000; ++i) chain += "+1";
  EXPECT_NE(error_of(chain + " }}").find("nested deeper"), std::string::npos);
  std::string filters = "{{ 'x'";
  for (int i = 0; i < 100000; ++i) filters += "|trim";
  EXPECT_NE(error_of(filters + " }}").find("nested deeper"), std::string::npos);
  std::string blocks;
  for (int i = 0; i < 5000; ++i) blocks += "{% if true %}";
  EXPECT_NE(error_of(blocks).find("nesting deeper"), std::string::npos);
}

// Mutated templates (the golden ones, bytes flipped, dropped and inserted) must parse and render or
// fail with hw::Error; under the sanitizers this also checks memory safety.
TEST(JinjaFuzz, MutatedTemplatesFailCleanly) {
  nlohmann::ordered_json doc = load_json("tests/golden/templates/jinja_cases.json");
  Vars vars = vars_from_json(doc["context"]);
  std::vector<std::string> seeds;
  for (const auto& c : doc["cases"]) seeds.push_back(c["template"]);
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto rnd = [&](uint64_t n) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return state % n;
  };
  const std::string alphabet = "{}%#-+()[]'\".|,=:~*/ \n\tabxif0123";
  int rendered = 0, failed = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string t = seeds[rnd(seeds.size())];
    for (int k = 0, n = 1 + int(rnd(4)); k < n && !t.empty(); ++k) {
      size_t pos = rnd(t.size());
      switch (rnd(3)) {
        case 0:
          t.erase(pos, 1 + rnd(3));
          break;
        case 1:
          t.insert(pos, 1, alphabet[rnd(alphabet.size())]);
          break;
        default:
          t[pos] = char(rnd(2) ? alphabet[rnd(alphabet.size())] : char(rnd(256)));
      }
    }
    try {
      render(t, vars);
      ++rendered;
    } catch (const Error&) {
      ++failed;
    }
  }
  EXPECT_GT(rendered, 100);
  EXPECT_GT(failed, 100);
}

TEST(JinjaErrors, MacroRecursionIsBounded) {
  EXPECT_NE(error_of("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}").find("recursion"), std::string::npos);
}

}  // namespace
}  // namespace hw::jinja
