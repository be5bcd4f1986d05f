#!/usr/bin/env python3
"""Golden renders for hardwire's Jinja chat-template interpreter, made with Python jinja2 the way
HF transformers' apply_chat_template renders (ImmutableSandboxedEnvironment with trim_blocks and
lstrip_blocks, the loopcontrols extension, a raise_exception global, and a tojson filter that keeps
non-ASCII, does not escape HTML and accepts indent/separators/sort_keys).

Templates (tests/golden/templates/*.jinja): smollm2-135m and qwen2.5-coder-0.5b are extracted from the
target GGUFs (--extract); the gemma3-270m GGUF carries none, so gemma3-it is Gemma 3's published
instruct template, written out like the other published families (llama3, llama3.1, mistral v0.1 and
v0.3, qwen3, zephyr/TinyLlama, phi3-mini, chatml); kitchen-sink is a synthetic one.

Writes, under tests/golden/templates/:
  chat_cases.json   every <name>.jinja template in that folder x a set of conversations
  jinja_cases.json  small templates probing the interpreter's semantics, with a fixed context

Each case holds the expected text, or "raises" (the message of the template's raise_exception), or
"error" (jinja2 failed in some other way; the C++ side must fail too, message not compared).
A snippet starting with {#unsupported#} uses something hardwire refuses on purpose: "unsupported"
is set and the C++ side must fail with an error, whatever jinja2 does.

  tools/gen_template_golden.py                  # regenerate both JSON files
  tools/gen_template_golden.py --extract GGUF NAME   # (re)write NAME.jinja from a GGUF's tokenizer.chat_template
"""
import argparse
import json
import os
import sys

import jinja2
from jinja2 import nodes
from jinja2.exceptions import TemplateError
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "golden", "templates")


class Raised(TemplateError):
    """What the template's raise_exception() throws (kept apart from jinja2's own errors)."""


class GenerationTag(Extension):
    """transformers' {% generation %} … {% endgeneration %}: renders its body unchanged."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_body"), [], [], body).set_lineno(lineno)

    def _body(self, caller):
        return caller()


def make_env():
    def raise_exception(message):
        raise Raised(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, "jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


def outcome(env, source, context):
    """{"expected": text} | {"raises": msg} | {"error": description}."""
    try:
        text = env.from_string(source).render(**context)
    except Raised as e:
        return {"raises": str(e)}
    except Exception as e:  # noqa: BLE001 - any jinja2/Python failure is an expected failure
        return {"error": f"{type(e).__name__}: {e}"}
    if " at 0x" in text:  # a generator/function printed with its address: not reproducible
        return {"error": "output contains an object address"}
    return {"expected": text}


# ---------------------------------------------------------------- chat cases

SPECIAL_TOKENS = {  # bos, eos as the models' tokenizers define them
    "chatml": ("", "<|im_end|>"),
    "gemma3-it": ("<bos>", "<eos>"),
    "kitchen-sink": ("<s>", "</s>"),
    "llama3-instruct": ("<|begin_of_text|>", "<|eot_id|>"),
    "llama3.1-instruct": ("<|begin_of_text|>", "<|eot_id|>"),
    "mistral-instruct-v0.1": ("<s>", "</s>"),
    "mistral-instruct-v0.3": ("<s>", "</s>"),
    "phi3-mini": ("<s>", "<|endoftext|>"),
    "qwen2.5-coder-0.5b": ("", "<|im_end|>"),
    "qwen3": ("", "<|im_end|>"),
    "smollm2-135m": ("<|im_start|>", "<|im_end|>"),
    "zephyr": ("<s>", "</s>"),
}


def msg(role, content):
    return {"role": role, "content": content}


TRICKY = ("Unicode: héllo wörld — ünïcödé, 日本語, emoji 🦙🚀👍🏽, Ω≈ç√\n"
          "Braces {{ not a var }} {% not a tag %} {# not a comment #}\n"
          "Quotes ' \" and backslash \\ and tab\there\r\nCRLF line\n\n  indented line  ")
TOOLS = [{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather in a city, with ümlauts & <html>",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                       "required": ["city"]},
    },
}]
TOOL_CALL_MESSAGES = [
    msg("system", "You are a weather bot."),
    msg("user", "Weather in Zürich?"),
    {"role": "assistant", "content": "",
     "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Zürich", "days": 2}}}]},
    {"role": "tool", "content": "{\"temp\": 21.5, \"sky\": \"clear\"}"},
    msg("user", "Thanks!"),
]

CONVERSATIONS = [
    # name, messages, add_generation_prompt, extra variables
    ("system_user", [msg("system", "You are a helpful assistant."), msg("user", "Hello!")], True, {}),
    ("user_only", [msg("user", "What is 2+2?")], True, {}),
    ("user_only_no_prompt", [msg("user", "What is 2+2?")], False, {}),
    ("multi_turn", [msg("user", "Hi"), msg("assistant", "Hello! How can I help?"), msg("user", "Tell me a joke.")], True, {}),
    ("multi_turn_system_no_prompt",
     [msg("system", "Be terse."), msg("user", "Hi"), msg("assistant", "Hi."), msg("user", "Bye"), msg("assistant", "Bye.")],
     False, {}),
    ("tricky_content", [msg("system", "  Sys with spaces  \n"), msg("user", TRICKY)], True, {}),
    ("tricky_content_multi", [msg("user", TRICKY), msg("assistant", "<think>hmm</think>\n  Answer {{x}}  "), msg("user", "ok")],
     True, {}),
    ("empty_content", [msg("user", ""), msg("assistant", ""), msg("user", " ")], True, {}),
    ("roles_not_alternating", [msg("user", "one"), msg("user", "two")], True, {}),
    ("assistant_first", [msg("assistant", "I start."), msg("user", "ok")], True, {}),
    ("unknown_role", [msg("user", "hi"), msg("narrator", "Meanwhile…")], True, {}),
    ("no_messages", [], True, {}),
    ("tools", [msg("system", "Use tools."), msg("user", "Weather in Paris?")], True, {"tools": TOOLS}),
    ("tool_call_round_trip", TOOL_CALL_MESSAGES, True, {"tools": TOOLS}),
    ("date_string", [msg("user", "What day is it?")], True, {"date_string": "01 Jan 2025"}),
    ("thinking_disabled", [msg("user", "Quick answer?"), msg("assistant", "<think>\nreasoning\n</think>\n\nSure."),
                           msg("user", "Again?")], True, {"enable_thinking": False}),
    ("content_parts", [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": " Describe it. "}]}], True,
     {}),
]


def chat_cases(env):
    cases = []
    names = sorted(f[:-len(".jinja")] for f in os.listdir(OUT_DIR) if f.endswith(".jinja"))
    for name in names:
        with open(os.path.join(OUT_DIR, name + ".jinja"), encoding="utf-8", newline="") as f:
            source = f.read()
        bos, eos = SPECIAL_TOKENS.get(name, ("", ""))
        for conv, messages, gen, extra in CONVERSATIONS:
            for tokens in ((bos, eos), ("", "")) if conv in ("system_user", "multi_turn") else ((bos, eos),):
                context = {"messages": messages, "tools": None, "documents": None, "add_generation_prompt": gen,
                           "bos_token": tokens[0], "eos_token": tokens[1]}
                context.update(extra)
                case = {"template": name, "name": conv + ("" if tokens == (bos, eos) else "_no_special_tokens"),
                        "messages": messages, "add_generation_prompt": gen, "bos_token": tokens[0],
                        "eos_token": tokens[1], "extra": extra}
                case.update(outcome(env, source, context))
                cases.append(case)
    return cases


# ---------------------------------------------------------------- interpreter cases

CONTEXT = {
    "d": {"a": 1, "items": 5, "nested": {"k": [1, 2, {"deep": "x"}]}},
    "l": [1, 2, 3],
    "n": None,
    "s": "héllo wörld",
    "t": True,
    "f": 1.5,
    "e": "",
    "msgs": [{"role": "system", "content": "S"}, {"role": "user", "content": " U1 "},
             {"role": "assistant", "content": "A1"}, {"role": "user", "content": "U2"}],
    "people": [{"name": "bob", "age": 30}, {"name": "Alice", "age": 25}, {"name": "carol"}],
}

# Templates probing one behaviour each; separated by a line holding only "====".
SNIPPETS = r"""
{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 10 - 2 - 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }}
====
{{ 1 / 2 }} {{ 4 / 2 }} {{ 1e20 }} {{ 1.5e16 }} {{ 0.1 + 0.2 }} {{ 3.0 }} {{ 1e-5 }} {{ 123456789.125 }} {{ -0.0 }} {{ 2 ** -1 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }}
====
{{ 'a' ~ 1 ~ none ~ true ~ 1.0 ~ undefined_var ~ [1, 'x'] }}
====
{{ 'a' 'b' "c" }}|{{ "it's" }}|{{ 'say "hi"' }}|{{ '\t|\n|\\|\x41|\u00e9|\101|\q' }}
====
{{ [1, 'a', none, true, {'k': 'v'}, 1.5, (1,), ()] }} {{ ("it's", 'a"b', 'x\ny', 'both \' "') }}
====
{{ d }} {{ l }} {{ n }} {{ t }} {{ f }} {{ e }}|{{ undefined_var }}|
====
{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' < 'b' }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ [1, 2] == [1, 2] }} {{ [1] == (1,) }} {{ none == none }} {{ d == {'a': 1} }}
====
{{ 'a' < 1 }}
====
{{ 'ab' in 'xabx' }} {{ 2 in l }} {{ 'a' in d }} {{ 'z' not in d }} {{ 'x' in undefined_var }} {{ not 1 in l }}
====
{{ 1 in 'abc' }}
====
{{ 1 in none }}
====
{{ t and 'yes' }} {{ e and 'yes' }} {{ e or 'fallback' }} {{ 0 or none }} {{ not e }} {{ 'x' if t else 'y' }} {{ 'x' if e else 'y' }}|{{ 'x' if e }}|
====
{{ d.a }} {{ d['a'] }} {{ d['items'] }} {{ d.nested.k[2].deep }} {{ d.nested['k'][-1]['deep'] }} {{ l[0] }} {{ l[-1] }} {{ l.1 }}|{{ l[10] }}|{{ d.missing }}|{{ n.x }}|
====
{{ d.missing.deeper }}
====
{{ undefined_var.attr }}
====
{{ undefined_var[0] }}
====
{{ l[1:] }} {{ l[:-1] }} {{ l[::-1] }} {{ l[::2] }} {{ l[5:] }} {{ l[-2:] }} {{ s[1:4] }} {{ s[::-1] }} {{ s[-1] }} {{ (1, 2, 3)[1:] }} {{ msgs[1:][0].role }}
====
{{ l[::0] }}
====
{{ s.upper() }} {{ s.title() }} {{ s.capitalize() }} {{ '  x y  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ '  a'.lstrip() }}|{{ 'a  '.rstrip() }}|{{ 'ab-cd'.rstrip('dc') }}
====
{{ 'a,b,,c'.split(',') }} {{ ' a  b\tc\n'.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a b c'.rsplit(' ', 1) }} {{ 'x</think>y</think>z'.split('</think>')[-1] }} {{ 'l1\nl2\r\nl3'.splitlines() }}
====
{{ 'abc'.startswith('a') }} {{ 'abc'.startswith(('x', 'b')) }} {{ 'abc'.endswith('bc') }} {{ 'aXa'.replace('a', 'b') }} {{ 'aaa'.replace('a', 'b', 2) }} {{ 'héllo'.find('l') }} {{ 'abc'.find('z') }} {{ 'banana'.count('an') }} {{ '-'.join(['a', 'b']) }} {{ 'pre_x'.removeprefix('pre_') }}
====
{#unsupported#}{{ 'abc'.zfill(5) }}
====
{{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 'def') }} {{ d.keys() | list }} {{ d.values() | list | length }} {{ d.items() | list | first }}
====
{% for k, v in d.items() %}{{ k }}={{ v is mapping }};{% endfor %}|{% for k in d %}{{ k }},{% endfor %}|{% for k, v in d | items %}{{ k }}{% endfor %}|{% for c in 'hé' %}[{{ c }}]{% endfor %}
====
{% for x in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{{ loop.previtem }}|{{ loop.nextitem }}|{{ loop.cycle('a', 'b') }};{% endfor %}
====
{% for x in l if x > 1 %}{{ loop.index }}/{{ loop.length }}:{{ x }},{% else %}none{% endfor %}|{% for x in [] %}a{% else %}empty{% endfor %}|{% for x in undefined_var %}a{% else %}undef{% endfor %}
====
{% for x in none %}{% endfor %}
====
{% for a, b in [(1, 2), (3, 4)] %}{{ a }}{{ b }}{% endfor %}
====
{% for a, b in [(1, 2, 3)] %}{% endfor %}
====
{% for i in range(6) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}|{{ range(3) | list }}{{ range(1, 7, 2) | list }}{{ range(3, 0, -1) | list }}
====
{% for row in [[1, 2], [3]] %}{% for x in row %}{{ loop.index }}{{ x }}{% endfor %};{{ loop.index }}{% endfor %}
====
{% set x = 1 %}{% for i in l %}{% set x = i %}{% endfor %}{{ x }}|{% for i in l %}{% if i > 1 %}[{{ y }}]{% endif %}{% set y = i %}{% endfor %}|{{ y }}
====
{% for x in [] %}{% else %}{% set y = 1 %}{% endfor %}[{{ y }}]{% for x in l %}{% endfor %}[{{ x }}][{{ loop }}]{% if t %}{% set z = 2 %}{% endif %}[{{ z }}]
====
{% for i in l %}{% macro m() %}{{ i }}{% endmacro %}{{ m() }}{% endfor %}|{% set ns = namespace(a=1) %}{% macro inc() %}{% set ns.a = ns.a + 1 %}{% endmacro %}{{ inc() }}{{ inc() }}{{ ns.a }}
====
{% for a in l %}{% for b in l %}{% if b == 2 %}{% break %}{% endif %}{{ a }}{{ b }} {% endfor %}{% endfor %}
====
{% for x in l %}{% continue %}{% else %}else runs: no iteration reached the end{% endfor %}|{% for x in l %}{% if x == 2 %}{% break %}{% endif %}{% else %}not this{% endfor %}
====
{% set ns = namespace(total=0, names=[]) %}{% for i in l %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }} {{ ns.names }} {{ ns }}
====
{% set x = 1 %}{% set x.y = 2 %}
====
{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c = 1, 2 %}{{ c }}
====
{% set x %}block {{ 1 + 1 }}{% endset %}[{{ x }}]{% set y | upper %}shout{% endset %}[{{ y }}]{% filter upper %}hi {{ 'there' }}{% endfilter %}
====
{% macro m(a, b='dflt', c=none) %}[{{ a }}|{{ b }}|{{ c }}|{{ top }}]{% endmacro %}{% set top = 'T' %}{{ m(1) }}{{ m(1, 2, 3) }}{{ m(b='kw', a=0) }}{% set top = 'T2' %}{{ m('x') }}{{ m() }}
====
{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}
====
{% macro outer(x) %}<{{ inner(x) }}>{% endmacro %}{% macro inner(y) %}{{ y * 2 }}{% endmacro %}{{ outer(21) }}
====
{{ s | upper }} {{ s | lower }} {{ s | title }} {{ 'hello-world foo(bar) [baz] <q' | title }} {{ "they're 3rd" | title }} {{ "they're 3rd".title() }} {{ s | capitalize }} {{ 'ß' | upper }}
====
{{ '  x  ' | trim }}|{{ 'xxaxx' | trim('x') }}|{{ s | length }} {{ l | length }} {{ d | length }} {{ l | count }} {{ undefined_var | length }}
====
{{ l | join }} {{ l | join(', ') }} {{ people | join('|', attribute='name') }} {{ 'abc' | join('.') }} {{ l | first }} {{ l | last }} {{ 'abc' | first }} {{ d | first }} {{ [] | first }}|
====
{{ 'Hello World' | replace('o', '0') }} {{ 'aaaa' | replace('a', 'b', 2) }} {{ 42 | string ~ '!' }} {{ none | string }} {{ l | string }}
====
{{ '42' | int + 1 }} {{ '4.7' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ 3.9 | int }} {{ -3.9 | int }} {{ true | int }} {{ none | int }} {{ ' 12 ' | int }} {{ '1_000' | int }} {{ '1.5' | float }} {{ 2 | float }} {{ 'x' | float }}
====
{{ undefined_var | default('dv') }} {{ none | default('dv') }} {{ '' | default('dv') }} {{ '' | default('dv', true) }} {{ undefined_var | d('short') }} {{ 0 | default('z', boolean=true) }}
====
{{ "a\nb\n\nc" | indent }}|{{ "a\nb" | indent(2, true) }}|{{ "a\n\nb\n" | indent(2, blank=true) }}|{{ "x\ny" | indent('>>', first=true) }}|{{ "" | indent }}|
====
{{ people | map(attribute='name') | list }} {{ people | map(attribute='age') | list }} {{ people | map(attribute='age', default=0) | list }} {{ l | map('string') | list }} {{ ['a', 'B'] | map('upper') | join }}
====
{{ people | selectattr('age') | map(attribute='name') | list }} {{ people | rejectattr('age') | list }} {{ people | selectattr('age', 'equalto', 25) | list }} {{ people | selectattr('name', 'in', ['bob', 'carol']) | map(attribute='name') | join(',') }}
====
{{ msgs | selectattr('role', 'eq', 'user') | list | length }} {{ msgs | rejectattr('role', '==', 'system') | map(attribute='content') | join('+') }} {{ l | select('odd') | list }} {{ l | reject('even') | list }} {{ l | select | list }} {{ [0, 1, '', 'x'] | select | list }}
====
{% if msgs | selectattr('role', 'equalto', 'nobody') %}generators are truthy{% endif %}
====
{{ msgs | selectattr('role', 'equalto', 'user') | length }}
====
{{ msgs | selectattr('role', 'equalto', 'user') }}
====
{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }} {{ [3, 1, 2] | sort(reverse=true) }} {{ people | sort(attribute='name') | map(attribute='name') | join(',') }} {{ [1, 2, 1, 3] | unique | list }} {{ ['a', 'A', 'b'] | unique | list }}
====
{{ l | reverse | list }} {{ 'abc' | reverse }} {{ l | sum }} {{ [{'v': 1}, {'v': 2}] | sum(attribute='v', start=5) }} {{ l | min }} {{ l | max }} {{ ['b', 'A'] | min }} {{ -3 | abs }} {{ 2.5 | abs }} {{ 42.55 | round }} {{ 42.55 | round(1) }} {{ 42.55 | round(1, 'floor') }} {{ 2.5 | round }} {{ 3 | round }}
====
{{ l | list }} {{ 'abc' | list }} {{ d | list }} {{ d | items | list }} {{ undefined_var | items | list }} {{ l | safe }} {{ '<b>' | safe }}
====
{{ d | tojson }} {{ l | tojson }} {{ s | tojson }} {{ "q\"\\\n\t\u0001\u2028</script>" | tojson }} {{ [1.5, true, none, 1e20] | tojson }} {{ {} | tojson }} {{ [] | tojson(indent=2) }}
====
{{ d | tojson(indent=2) }}|{{ people | tojson(indent=4) }}|{{ d | tojson(indent='\t') }}|{{ d | tojson(sort_keys=true) }}|{{ d | tojson(separators=(',', ':')) }}|{{ s | tojson(ensure_ascii=true) }}|{{ '🦙' | tojson(ensure_ascii=true) }}
====
{{ undefined_var | tojson }}
====
{{ undefined_var is defined }} {{ undefined_var is undefined }} {{ n is defined }} {{ n is none }} {{ d.missing is defined }} {{ s is string }} {{ l is string }} {{ d is mapping }} {{ l is mapping }} {{ l is iterable }} {{ s is iterable }} {{ 3 is iterable }} {{ undefined_var is iterable }}
====
{{ s is sequence }} {{ d is sequence }} {{ l is sequence }} {{ 3 is sequence }} {{ 3 is number }} {{ f is number }} {{ t is number }} {{ s is number }} {{ 3 is integer }} {{ t is integer }} {{ f is float }} {{ t is boolean }} {{ t is true }} {{ 1 is true }} {{ false is false }}
====
{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(2) }} {{ 2 is in l }} {{ 'x' is in 'xyz' }} {{ 1 is eq 1 }} {{ 1 is equalto 2 }} {{ 1 is ne 2 }} {{ 1 is lt 2 }} {{ 2 is ge 2 }} {{ 3 is gt 4 }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ l is sameas l }} {{ 1 is not none }} {{ range is callable }}
====
{{ t is string and e is string }} {{ not t is string }} {{ undefined_var is not defined or 'x' }} {{ 'a' if n is none else 'b' }}
====
{{ -1 | abs }} {{ -l | length }}
====
{{ 'a' + 1 }}
====
{{ l + [4] }} {{ (1,) + (2,) }} {{ 'ab' * 3 }} {{ 2 * 'ab' }} {{ [0] * 3 }} {{ true + true }} {{ 'x' * -1 }}|
====
{{ l + (4,) }}
====
{{ 1 / 0 }}
====
{{ 5 % 0 }}
====
{{ undefined_var + 1 }}
====
{{ undefined_var() }}
====
{{ s() }}
====
{{ raise_exception('custom failure: ' ~ 42) }}
====
{{ namespace(a=1).a }} {{ dict(x=1, y='z') }} {{ dict({'a': 1}, b=2) }} {{ namespace({'k': 'v'}).k }}
====
{{ l.append(4) }}
====
{{ d.update({'x': 1}) }}
====
{{ d.pop('a') }}
====
{{ msgs[0].content }} {{ msgs[-1]['content'] }} {{ (msgs | last).role }} {{ msgs | length }} {{ msgs[1].content | trim }}
====
  {% if t %}
    indented
  {% endif %}
  {{ 'var keeps' }} {# comment #}
  {# own-line comment #}
end
====
a  {%- if t -%}  b  {%- endif -%}  c
{{- ' d ' -}}
  e {{ 'f' }}  {{- 'g' }}
====
{% if t +%}
plus keeps newline
  {%+ if t %}plus keeps indent{% endif %}
{% endif %}
====
{% raw %}{{ not rendered }} {% if %}{% endraw %}|{%- raw -%}  x  {%- endraw -%}|
====
line1
{% for i in l %}
  item {{ i }}
{% endfor %}
line2
{%- for i in l %}
- {{ i }}
{%- endfor %}

====
{{ "trailing newline kept once" }}
====
{% if true %}x{% elif false %}y{% else %}z{% endif %}{% if false %}x{% elif t %}y{% else %}z{% endif %}{% if e %}x{% elif n %}y{% else %}z{% endif %}
====
{% generation %}tracked {{ 'text' }}{% endgeneration %}
====
{{ {'a': 1, 'b': [1, 2]}['b'][1] }} {{ {'x': 'y'}.x }} {{ [1, [2, 3]][1][0] }} {{ ({'k': 1}).get('k') }}
====
{{ 'x' ~ 1 + 2 }}
====
{{ 1 ~ 2 * 3 }} {{ 'a' ~ 'b' | upper }} {{ (-1) | abs }} {{ not true == false }}
====
{{ true }}{{ True }}{{ false }}{{ False }}{{ none }}{{ None }}
====
{% include 'other.html' %}
====
{% extends 'base.html' %}
====
{{ x | nosuchfilter }}
====
{{ x is nosuchtest }}
====
{#unsupported#}{% for x in l recursive %}{% endfor %}
====
{% if t %}unclosed
====
{{ 'unterminated }}
====
{% endfor %}
====
{{ 1 + }}
====
{% break %}
"""


def jinja_cases(env):
    cases = []
    for i, source in enumerate(SNIPPETS.strip("\n").split("\n====\n")):
        case = {"name": f"snippet_{i:03d}", "template": source}
        case.update(outcome(env, source, CONTEXT))
        if source.startswith("{#unsupported#}"):
            case["unsupported"] = True
        cases.append(case)
    return cases


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--extract", nargs=2, metavar=("GGUF", "NAME"), help="write NAME.jinja from GGUF's chat template")
    args = ap.parse_args()
    if args.extract:
        import gguf  # only needed here

        path, name = args.extract
        field = gguf.GGUFReader(path).fields.get("tokenizer.chat_template")
        if field is None:
            sys.exit(f"{path} has no tokenizer.chat_template")
        with open(os.path.join(OUT_DIR, name + ".jinja"), "w", encoding="utf-8", newline="") as f:
            f.write(field.contents())
        return
    env = make_env()
    meta = {"generator": "tools/gen_template_golden.py", "jinja2": jinja2.__version__}
    chat = chat_cases(env)
    write_json(os.path.join(OUT_DIR, "chat_cases.json"), {**meta, "cases": chat})
    snippets = jinja_cases(env)
    write_json(os.path.join(OUT_DIR, "jinja_cases.json"), {**meta, "context": CONTEXT, "cases": snippets})
    for label, cases in (("chat", chat), ("jinja", snippets)):
        kinds = {k: sum(1 for c in cases if k in c) for k in ("expected", "raises", "error")}
        print(f"{label}: {len(cases)} cases {kinds}")


if __name__ == "__main__":
    main()
