#include "model/jinja/parser.h"

#include <algorithm>

#include "base/error.h"
#include "model/jinja/builtins.h"

namespace hw::jinja {
namespace {

// Tags jinja2 knows that this interpreter does not run.
constexpr std::string_view kUnsupportedTags[] = {
    "include",    "import", "from",  "extends", "block",     "call", "with",
    "autoescape", "do",     "trans", "print",   "pluralize", "raw",
};

// Limits that keep hostile input off the C++ stack: parser recursion, and expression tree depth.
constexpr int kMaxNesting = 200;
constexpr int kMaxExprDepth = 400;

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Body parse_template() {
    std::string end;
    Body body = parse_until({}, &end);
    return body;
  }

 private:
  // ---- token stream ----
  const Token& cur() const { return t_[i_]; }
  const Token& peek(size_t k = 1) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
  void next() {
    if (i_ + 1 < t_.size()) ++i_;
  }
  bool is_op(std::string_view op) const { return cur().kind == Tok::Op && cur().text == op; }
  bool is_name(std::string_view n) const { return cur().kind == Tok::Name && cur().text == n; }
  bool skip_op(std::string_view op) {
    if (!is_op(op)) return false;
    next();
    return true;
  }
  bool skip_name(std::string_view n) {
    if (!is_name(n)) return false;
    next();
    return true;
  }

  // Counts one level of recursion for as long as it lives.
  struct Nest {
    explicit Nest(Parser& p) : p_(p) {
      if (++p_.nesting_ > kMaxNesting) p_.fail("nesting deeper than " + std::to_string(kMaxNesting) + " levels");
    }
    ~Nest() { --p_.nesting_; }
    Parser& p_;
  };

  [[noreturn]] void fail(const std::string& msg, int line = 0) const {
    throw Error("jinja: line " + std::to_string(line ? line : cur().line) + ": " + msg);
  }

  std::string describe(const Token& t) const {
    switch (t.kind) {
      case Tok::Text:
        return "text";
      case Tok::VarBegin:
        return "'{{'";
      case Tok::VarEnd:
        return "end of print statement '}}'";
      case Tok::BlockBegin:
        return "'{%'";
      case Tok::BlockEnd:
        return "end of statement block '%}'";
      case Tok::Eof:
        return "end of template";
      case Tok::String:
        return "string literal";
      default:
        return "'" + t.text + "'";
    }
  }

  void expect_op(std::string_view op) {
    if (!skip_op(op)) fail("expected '" + std::string(op) + "', got " + describe(cur()));
  }
  std::string expect_name() {
    if (cur().kind != Tok::Name) fail("expected a name, got " + describe(cur()));
    std::string n = cur().text;
    next();
    return n;
  }
  void expect_block_end() {
    if (cur().kind != Tok::BlockEnd) fail("expected end of statement block '%}', got " + describe(cur()));
    next();
  }

  // ---- statements ----

  // Parses nodes until `{% <one of ends>` and leaves the stream after that tag name.
  Body parse_until(std::initializer_list<std::string_view> ends, std::string* found) {
    Body body;
    while (true) {
      const Token& tok = cur();
      if (tok.kind == Tok::Eof) {
        if (ends.size() == 0) return body;
        std::string_view closer = *ends.begin();
        for (std::string_view e : ends)
          if (e.substr(0, 3) == "end") closer = e;
        fail("unexpected end of template, expected '" + std::string(closer) + "'");
      }
      if (tok.kind == Tok::Text) {
        if (!body.empty() && body.back().kind == NodeKind::Text) {
          body.back().text += tok.text;
        } else {
          Node n;
          n.kind = NodeKind::Text;
          n.line = tok.line;
          n.text = tok.text;
          body.push_back(std::move(n));
        }
        next();
      } else if (tok.kind == Tok::VarBegin) {
        Node n;
        n.kind = NodeKind::Output;
        n.line = tok.line;
        next();
        n.expr = parse_tuple({});
        if (cur().kind != Tok::VarEnd) fail("expected end of print statement '}}', got " + describe(cur()));
        next();
        body.push_back(std::move(n));
      } else if (tok.kind == Tok::BlockBegin) {
        next();
        if (cur().kind != Tok::Name) fail("expected a statement name, got " + describe(cur()));
        std::string tag = cur().text;
        if (std::find(ends.begin(), ends.end(), tag) != ends.end()) {
          next();
          *found = tag;
          return body;
        }
        parse_statement(body);
      } else {
        fail("unexpected " + describe(tok));
      }
    }
  }

  void parse_statement(Body& body) {
    Nest nest(*this);
    std::string tag = cur().text;
    int line = cur().line;
    next();
    Node n;
    n.line = line;
    if (tag == "if") {
      parse_if(n);
    } else if (tag == "for") {
      parse_for(n);
    } else if (tag == "set") {
      parse_set(n);
    } else if (tag == "macro") {
      parse_macro(n);
    } else if (tag == "break" || tag == "continue") {
      if (loop_depth_ == 0) fail("'" + tag + "' outside of a loop", line);
      n.kind = tag == "break" ? NodeKind::Break : NodeKind::Continue;
      expect_block_end();
    } else if (tag == "filter") {
      n.kind = NodeKind::FilterBlock;
      n.filter = parse_filters(nullptr, true);
      expect_block_end();
      std::string end;
      n.body = parse_until({"endfilter"}, &end);
      expect_block_end();
    } else if (tag == "generation") {
      // transformers' AssistantTracker tag: renders its body unchanged.
      expect_block_end();
      std::string end;
      Body inner = parse_until({"endgeneration"}, &end);
      expect_block_end();
      for (Node& x : inner) body.push_back(std::move(x));
      return;
    } else if (std::find(std::begin(kUnsupportedTags), std::end(kUnsupportedTags), tag) != std::end(kUnsupportedTags)) {
      fail("unsupported tag '{% " + tag + " %}'", line);
    } else if (tag.rfind("end", 0) == 0 || tag == "else" || tag == "elif") {
      fail("unexpected '" + tag + "'", line);
    } else {
      fail("unknown tag '" + tag + "'", line);
    }
    body.push_back(std::move(n));
  }

  void parse_if(Node& n) {
    n.kind = NodeKind::If;
    ExprPtr cond = parse_tuple({}, /*with_condexpr=*/false);
    while (true) {
      expect_block_end();
      std::string end;
      Body body = parse_until({"elif", "else", "endif"}, &end);
      n.branches.push_back(Branch{std::move(cond), std::move(body)});
      if (end == "elif") {
        cond = parse_tuple({}, false);
      } else if (end == "else") {
        expect_block_end();
        Body els = parse_until({"endif"}, &end);
        n.branches.push_back(Branch{nullptr, std::move(els)});
        expect_block_end();
        return;
      } else {
        expect_block_end();
        return;
      }
    }
  }

  Target parse_target(bool allow_namespace) {
    Target t;
    bool paren = skip_op("(");
    while (true) {
      t.names.push_back(expect_name());
      if (allow_namespace && t.names.size() == 1 && !paren && is_op(".")) {
        next();
        t.ns_attr = expect_name();
        return t;
      }
      if (!skip_op(",")) break;
      t.is_tuple = true;
      if (cur().kind != Tok::Name) break;  // trailing comma
    }
    if (paren) expect_op(")");
    return t;
  }

  void parse_for(Node& n) {
    n.kind = NodeKind::For;
    n.target = parse_target(false);
    if (!skip_name("in")) fail("expected 'in', got " + describe(cur()));
    n.expr = parse_tuple({"recursive"}, /*with_condexpr=*/false);
    if (skip_name("if")) n.filter = parse_expression();
    if (is_name("recursive")) fail("unsupported: recursive for loops");
    expect_block_end();
    std::string end;
    ++loop_depth_;
    n.body = parse_until({"endfor", "else"}, &end);
    --loop_depth_;
    if (end == "else") {
      expect_block_end();
      n.else_body = parse_until({"endfor"}, &end);
    }
    expect_block_end();
  }

  void parse_set(Node& n) {
    n.target = parse_target(true);
    if (skip_op("=")) {
      n.kind = NodeKind::Set;
      n.expr = parse_tuple({});
      expect_block_end();
      return;
    }
    n.kind = NodeKind::SetBlock;
    if (!n.target.ns_attr.empty() || n.target.is_tuple) fail("block set needs a single name");
    if (is_op("|")) n.filter = parse_filters(nullptr, false);
    expect_block_end();
    std::string end;
    n.body = parse_until({"endset"}, &end);
    expect_block_end();
  }

  void parse_macro(Node& n) {
    n.kind = NodeKind::Macro;
    n.target.names.push_back(expect_name());
    expect_op("(");
    while (!is_op(")")) {
      if (!n.params.empty()) expect_op(",");
      if (is_op(")")) break;
      Kwarg p;
      p.name = expect_name();
      if (skip_op("=")) p.value = parse_expression();
      n.params.push_back(std::move(p));
    }
    expect_op(")");
    expect_block_end();
    int saved_depth = loop_depth_;
    loop_depth_ = 0;
    ++macro_depth_;
    std::string end;
    n.body = parse_until({"endmacro"}, &end);
    --macro_depth_;
    loop_depth_ = saved_depth;
    expect_block_end();
  }

  // ---- expressions ----

  // Adds a child (null allowed) and keeps the tree's depth bounded, so that neither evaluation
  // nor destruction can recurse past the stack on a hostile chain like `a+a+a+…`.
  void attach(Expr& parent, ExprPtr child) {
    if (child) {
      parent.depth = std::max(parent.depth, child->depth + 1);
      if (parent.depth > kMaxExprDepth)
        fail("expression nested deeper than " + std::to_string(kMaxExprDepth) + " levels");
    }
    parent.args.push_back(std::move(child));
  }

  ExprPtr make(ExprKind kind, int line) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
  }

  bool is_tuple_end(std::initializer_list<std::string_view> extra) const {
    if (cur().kind == Tok::VarEnd || cur().kind == Tok::BlockEnd || is_op(")")) return true;
    for (std::string_view e : extra)
      if (is_name(e)) return true;
    return false;
  }

  ExprPtr parse_tuple(std::initializer_list<std::string_view> extra_end, bool with_condexpr = true,
                      bool explicit_parens = false) {
    int line = cur().line;
    std::vector<ExprPtr> items;
    bool is_tuple = false;
    while (true) {
      if (!items.empty()) expect_op(",");
      if (is_tuple_end(extra_end)) break;
      items.push_back(with_condexpr ? parse_expression() : parse_or());
      if (is_op(","))
        is_tuple = true;
      else
        break;
    }
    if (!is_tuple) {
      if (!items.empty()) return std::move(items[0]);
      if (!explicit_parens) fail("expected an expression, got " + describe(cur()));
    }
    ExprPtr t = make(ExprKind::Tuple, line);
    for (ExprPtr& x : items) attach(*t, std::move(x));
    return t;
  }

  ExprPtr parse_expression() {
    int line = cur().line;
    ExprPtr e = parse_or();
    while (skip_name("if")) {
      ExprPtr c = make(ExprKind::Cond, line);
      ExprPtr cond = parse_or();
      ExprPtr other = skip_name("else") ? parse_expression() : nullptr;
      attach(*c, std::move(cond));
      attach(*c, std::move(e));
      attach(*c, std::move(other));
      e = std::move(c);
      line = cur().line;
    }
    return e;
  }

  ExprPtr binary(ExprKind kind, int line, ExprPtr a, ExprPtr b, std::string name = "") {
    ExprPtr e = make(kind, line);
    e->name = std::move(name);
    attach(*e, std::move(a));
    attach(*e, std::move(b));
    return e;
  }

  ExprPtr parse_or() {
    ExprPtr e = parse_and();
    while (is_name("or")) {
      int line = cur().line;
      next();
      e = binary(ExprKind::Or, line, std::move(e), parse_and());
    }
    return e;
  }

  ExprPtr parse_and() {
    ExprPtr e = parse_not();
    while (is_name("and")) {
      int line = cur().line;
      next();
      e = binary(ExprKind::And, line, std::move(e), parse_not());
    }
    return e;
  }

  ExprPtr parse_not() {
    Nest nest(*this);
    if (is_name("not")) {
      ExprPtr e = make(ExprKind::Not, cur().line);
      next();
      attach(*e, parse_not());
      return e;
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    int line = cur().line;
    ExprPtr first = parse_math1();
    ExprPtr cmp;
    while (true) {
      std::string op;
      if (cur().kind == Tok::Op && (cur().text == "==" || cur().text == "!=" || cur().text == "<" ||
                                    cur().text == "<=" || cur().text == ">" || cur().text == ">=")) {
        op = cur().text;
        next();
      } else if (is_name("in")) {
        op = "in";
        next();
      } else if (is_name("not") && peek().kind == Tok::Name && peek().text == "in") {
        op = "notin";
        next();
        next();
      } else {
        break;
      }
      if (!cmp) {
        cmp = make(ExprKind::Compare, line);
        attach(*cmp, std::move(first));
      }
      cmp->ops.push_back(op);
      attach(*cmp, parse_math1());
    }
    return cmp ? std::move(cmp) : std::move(first);
  }

  ExprPtr parse_math1() {
    ExprPtr e = parse_concat();
    while (is_op("+") || is_op("-")) {
      std::string op = cur().text;
      int line = cur().line;
      next();
      e = binary(ExprKind::Binary, line, std::move(e), parse_concat(), op);
    }
    return e;
  }

  ExprPtr parse_concat() {
    int line = cur().line;
    ExprPtr e = parse_math2();
    if (!is_op("~")) return e;
    ExprPtr c = make(ExprKind::Concat, line);
    attach(*c, std::move(e));
    while (skip_op("~")) attach(*c, parse_math2());
    return c;
  }

  ExprPtr parse_math2() {
    ExprPtr e = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      std::string op = cur().text;
      int line = cur().line;
      next();
      e = binary(ExprKind::Binary, line, std::move(e), parse_pow(), op);
    }
    return e;
  }

  ExprPtr parse_pow() {
    ExprPtr e = parse_unary(true);
    while (is_op("**")) {
      int line = cur().line;
      next();
      e = binary(ExprKind::Binary, line, std::move(e), parse_unary(true), "**");
    }
    return e;
  }

  ExprPtr parse_unary(bool with_filter) {
    Nest nest(*this);
    ExprPtr e;
    if (is_op("-") || is_op("+")) {
      e = make(is_op("-") ? ExprKind::Neg : ExprKind::Pos, cur().line);
      next();
      attach(*e, parse_unary(false));
    } else {
      e = parse_primary();
    }
    e = parse_postfix(std::move(e));
    if (with_filter) e = parse_filter_expr(std::move(e));
    return e;
  }

  ExprPtr parse_primary() {
    const Token& tok = cur();
    int line = tok.line;
    if (tok.kind == Tok::Name) {
      std::string n = tok.text;
      next();
      if (n == "true" || n == "True" || n == "false" || n == "False")
        return constant(Value(n[0] == 't' || n[0] == 'T'), line);
      if (n == "none" || n == "None") return constant(Value::none(), line);
      if (macro_depth_ > 0 && (n == "varargs" || n == "kwargs" || n == "caller"))
        fail("unsupported: '" + n + "' in a macro", line);
      ExprPtr e = make(ExprKind::Name, line);
      e->name = n;
      return e;
    }
    if (tok.kind == Tok::String) {
      std::string s;
      while (cur().kind == Tok::String) {
        s += cur().text;
        next();
      }
      return constant(Value(std::move(s)), line);
    }
    if (tok.kind == Tok::Int || tok.kind == Tok::Float) {
      Value v = tok.kind == Tok::Int ? Value(tok.int_value) : Value(tok.float_value);
      next();
      return constant(std::move(v), line);
    }
    if (skip_op("(")) {
      ExprPtr e = parse_tuple({}, true, true);
      expect_op(")");
      return e;
    }
    if (skip_op("[")) {
      ExprPtr e = make(ExprKind::List, line);
      while (!is_op("]")) {
        if (!e->args.empty()) expect_op(",");
        if (is_op("]")) break;
        attach(*e, parse_expression());
      }
      expect_op("]");
      return e;
    }
    if (skip_op("{")) {
      ExprPtr e = make(ExprKind::Dict, line);
      while (!is_op("}")) {
        if (!e->args.empty()) expect_op(",");
        if (is_op("}")) break;
        attach(*e, parse_expression());
        expect_op(":");
        attach(*e, parse_expression());
      }
      expect_op("}");
      return e;
    }
    fail("unexpected " + describe(tok));
  }

  ExprPtr constant(Value v, int line) {
    ExprPtr e = make(ExprKind::Const, line);
    e->value = std::move(v);
    return e;
  }

  ExprPtr parse_postfix(ExprPtr e) {
    while (true) {
      if (is_op(".") || is_op("[")) {
        e = parse_subscript(std::move(e));
      } else if (is_op("(")) {
        e = parse_call(std::move(e));
      } else {
        return e;
      }
    }
  }

  ExprPtr parse_filter_expr(ExprPtr e) {
    while (true) {
      if (is_op("|")) {
        e = parse_filters(std::move(e), false);
      } else if (is_name("is")) {
        e = parse_test(std::move(e));
      } else if (is_op("(")) {
        e = parse_call(std::move(e));
      } else {
        return e;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr obj) {
    int line = cur().line;
    if (skip_op(".")) {
      if (cur().kind == Tok::Name) {
        ExprPtr e = make(ExprKind::GetAttr, line);
        e->name = cur().text;
        next();
        attach(*e, std::move(obj));
        return e;
      }
      if (cur().kind != Tok::Int) fail("expected name or number after '.'");
      ExprPtr e = make(ExprKind::GetItem, line);
      attach(*e, std::move(obj));
      attach(*e, constant(Value(cur().int_value), line));
      next();
      return e;
    }
    expect_op("[");
    ExprPtr e;
    std::vector<ExprPtr> parts;  // start, stop, step of a slice
    bool is_slice = false;
    parts.push_back(is_op(":") ? nullptr : parse_expression());
    if (skip_op(":")) {
      is_slice = true;
      parts.push_back(is_op(":") || is_op("]") ? nullptr : parse_expression());
      if (skip_op(":"))
        parts.push_back(is_op("]") ? nullptr : parse_expression());
      else
        parts.push_back(nullptr);
    }
    if (is_op(",")) fail("unsupported: tuple subscripts");
    expect_op("]");
    e = make(is_slice ? ExprKind::Slice : ExprKind::GetItem, line);
    attach(*e, std::move(obj));
    for (ExprPtr& p : parts) attach(*e, std::move(p));
    return e;
  }

  // `(args, name=value, …)` into e->args (appended) and e->kwargs.
  void parse_call_args(Expr& e) {
    expect_op("(");
    bool first = true;
    while (!is_op(")")) {
      if (!first) {
        expect_op(",");
        if (is_op(")")) break;
      }
      first = false;
      if (is_op("*") || is_op("**")) fail("unsupported: *args / **kwargs in calls");
      if (cur().kind == Tok::Name && peek().kind == Tok::Op && peek().text == "=") {
        Kwarg k;
        k.name = cur().text;
        next();
        next();
        k.value = parse_expression();
        e.depth = std::max(e.depth, k.value->depth + 1);
        if (e.depth > kMaxExprDepth) fail("expression nested deeper than " + std::to_string(kMaxExprDepth) + " levels");
        e.kwargs.push_back(std::move(k));
      } else {
        if (!e.kwargs.empty()) fail("positional argument after keyword argument");
        attach(e, parse_expression());
      }
    }
    expect_op(")");
  }

  ExprPtr parse_call(ExprPtr callee) {
    ExprPtr e = make(ExprKind::Call, cur().line);
    attach(*e, std::move(callee));
    parse_call_args(*e);
    return e;
  }

  std::string dotted_name() {
    std::string n = expect_name();
    while (skip_op(".")) n += "." + expect_name();
    return n;
  }

  // `| f(…) | g …`; with start_inline the first filter has no leading pipe ({% filter f %}).
  ExprPtr parse_filters(ExprPtr subject, bool start_inline) {
    while (is_op("|") || start_inline) {
      if (!start_inline) next();
      start_inline = false;
      ExprPtr e = make(ExprKind::Filter, cur().line);
      e->name = dotted_name();
      e->filter = find_filter(e->name);
      if (!e->filter) fail("unsupported filter '" + e->name + "'", e->line);
      attach(*e, std::move(subject));
      if (is_op("(")) parse_call_args(*e);
      subject = std::move(e);
    }
    return subject;
  }

  ExprPtr parse_test(ExprPtr subject) {
    int line = cur().line;
    next();  // `is`
    bool negated = skip_name("not");
    ExprPtr e = make(ExprKind::Test, line);
    e->name = dotted_name();
    e->test = find_test(e->name);
    if (!e->test) fail("unsupported test '" + e->name + "'", line);
    attach(*e, std::move(subject));
    if (is_op("(")) {
      parse_call_args(*e);
    } else if ((cur().kind == Tok::Name || cur().kind == Tok::String || cur().kind == Tok::Int ||
                cur().kind == Tok::Float || is_op("[") || is_op("{")) &&
               !is_name("else") && !is_name("or") && !is_name("and")) {
      if (is_name("is")) fail("you cannot chain multiple tests with 'is'");
      attach(*e, parse_postfix(parse_primary()));
    }
    if (!negated) return e;
    ExprPtr n = make(ExprKind::Not, line);
    attach(*n, std::move(e));
    return n;
  }

  std::vector<Token> t_;
  size_t i_ = 0;
  int loop_depth_ = 0;
  int macro_depth_ = 0;
  int nesting_ = 0;
};

}  // namespace

Body parse(std::string_view source, const LexOptions& opt) { return Parser(tokenize(source, opt)).parse_template(); }

}  // namespace hw::jinja
