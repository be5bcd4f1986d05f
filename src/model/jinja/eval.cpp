#include "model/jinja/eval.h"

#include <algorithm>
#include <unordered_map>

#include "base/error.h"
#include "model/jinja/builtins.h"
#include "model/jinja/parser.h"

namespace hw::jinja {
namespace {

constexpr int kMaxMacroDepth = 64;

class Renderer {
 public:
  explicit Renderer(const Vars& vars) : frames_(1) {
    for (const auto& [k, v] : vars) frames_[0][k] = v;
  }

  std::string run(const Body& body) {
    std::string out;
    out_ = &out;
    exec(body);
    return out;
  }

  int line() const { return line_; }

 private:
  enum class Flow { Normal, Break, Continue };
  using Frame = std::unordered_map<std::string, Value>;

  // ---- scopes ----

  Value lookup(const std::string& name) const {
    for (size_t i = frames_.size(); i-- > base_;) {
      auto it = frames_[i].find(name);
      if (it != frames_[i].end()) return it->second;
    }
    if (base_ > 0) {
      auto it = frames_[0].find(name);
      if (it != frames_[0].end()) return it->second;
    }
    return find_global(name);
  }

  void assign(const Target& t, const Value& v) {
    if (!t.ns_attr.empty()) {
      Value ns = lookup(t.names[0]);
      if (!ns.is_dict() || !ns.dict_data().is_namespace) throw Error("cannot assign attribute on non-namespace object");
      ns.dict_data().set(t.ns_attr, v);
      return;
    }
    if (!t.is_tuple) {
      frames_.back()[t.names[0]] = v;
      return;
    }
    std::vector<Value> items = iterate(v);
    size_t n = t.names.size();
    if (items.size() > n) throw Error("too many values to unpack (expected " + std::to_string(n) + ")");
    if (items.size() < n)
      throw Error("not enough values to unpack (expected " + std::to_string(n) + ", got " +
                  std::to_string(items.size()) + ")");
    for (size_t i = 0; i < n; ++i) frames_.back()[t.names[i]] = items[i];
  }

  // ---- statements ----

  Flow exec(const Body& body) {
    for (const Node& n : body) {
      Flow f = exec(n);
      if (f != Flow::Normal) return f;
    }
    return Flow::Normal;
  }

  std::string capture(const Body& body) {
    std::string buf;
    std::string* saved = out_;
    out_ = &buf;
    exec(body);
    out_ = saved;
    return buf;
  }

  Flow exec(const Node& n) {
    line_ = n.line;
    switch (n.kind) {
      case NodeKind::Text:
        *out_ += n.text;
        break;
      case NodeKind::Output:
        *out_ += to_str(eval(*n.expr));
        break;
      case NodeKind::If:
        for (const Branch& b : n.branches)
          if (!b.cond || truthy(eval(*b.cond))) return exec(b.body);
        break;
      case NodeKind::For:
        return exec_for(n);
      case NodeKind::Set:
        assign(n.target, eval(*n.expr));
        break;
      case NodeKind::SetBlock: {
        Value v(capture(n.body));
        assign(n.target, n.filter ? eval_filter(*n.filter, &v) : v);
        break;
      }
      case NodeKind::Macro: {
        // The macro closes over the enclosing scopes as they are now (loop variables, …); the
        // template's top-level scope stays live.
        const Node* node = &n;
        auto closure =
            std::make_shared<std::vector<Frame>>(frames_.begin() + long(std::max<size_t>(base_, 1)), frames_.end());
        frames_.back()[n.target.names[0]] = Value::function(
            n.target.names[0], [this, node, closure](CallArgs& a) { return call_macro(*node, *closure, a); });
        break;
      }
      case NodeKind::Break:
        return Flow::Break;
      case NodeKind::Continue:
        return Flow::Continue;
      case NodeKind::FilterBlock: {
        Value v(capture(n.body));
        *out_ += to_str(eval_filter(*n.filter, &v));
        break;
      }
    }
    return Flow::Normal;
  }

  static Value make_loop(size_t i, const std::vector<Value>& items) {
    int64_t n = int64_t(items.size()), k = int64_t(i);
    std::vector<std::pair<std::string, Value>> f = {
        {"index", Value(k + 1)},    {"index0", Value(k)},
        {"revindex", Value(n - k)}, {"revindex0", Value(n - k - 1)},
        {"first", Value(k == 0)},   {"last", Value(k == n - 1)},
        {"length", Value(n)},       {"depth", Value(1)},
        {"depth0", Value(0)},
    };
    if (i > 0) f.emplace_back("previtem", items[i - 1]);
    if (i + 1 < items.size()) f.emplace_back("nextitem", items[i + 1]);
    f.emplace_back("cycle", Value::function("loop.cycle", [k](CallArgs& a) {
                     if (a.positional.empty() || !a.keyword.empty())
                       throw Error("loop.cycle() needs at least one positional argument");
                     return a.positional[size_t(k) % a.positional.size()];
                   }));
    return Value::dict(std::move(f));
  }

  Flow exec_for(const Node& n) {
    std::vector<Value> items = iterate(eval(*n.expr));
    if (n.filter) {
      std::vector<Value> kept;
      for (Value& x : items) {
        frames_.emplace_back();
        assign(n.target, x);
        bool keep = truthy(eval(*n.filter));
        frames_.pop_back();
        if (keep) kept.push_back(std::move(x));
      }
      items = std::move(kept);
    }
    // As compiled by jinja2, the else block runs unless some iteration reached the end of the body:
    // an iteration left by break or continue does not count.
    bool completed = false;
    for (size_t i = 0; i < items.size(); ++i) {
      frames_.emplace_back();
      assign(n.target, items[i]);
      frames_.back()["loop"] = make_loop(i, items);
      Flow f = exec(n.body);
      frames_.pop_back();
      if (f == Flow::Break) break;
      completed |= f == Flow::Normal;
    }
    if (!completed && !n.else_body.empty()) {
      frames_.emplace_back();
      Flow f = exec(n.else_body);
      frames_.pop_back();
      return f;
    }
    return Flow::Normal;
  }

  Value call_macro(const Node& m, const std::vector<Frame>& closure, CallArgs& a) {
    const std::string& name = m.target.names[0];
    if (a.positional.size() > m.params.size())
      throw Error("macro '" + name + "' takes not more than " + std::to_string(m.params.size()) + " argument(s)");
    if (depth_ >= kMaxMacroDepth) throw Error("macro recursion deeper than " + std::to_string(kMaxMacroDepth));
    Frame f;
    for (size_t i = 0; i < a.positional.size(); ++i) f[m.params[i].name] = a.positional[i];
    for (const auto& [k, v] : a.keyword) {
      bool known = false;
      for (const Kwarg& p : m.params) known |= p.name == k;
      if (!known) throw Error("macro '" + name + "' takes no keyword argument '" + k + "'");
      f[k] = v;
    }
    size_t saved_base = base_, saved_size = frames_.size();
    int saved_line = line_;
    frames_.insert(frames_.end(), closure.begin(), closure.end());
    base_ = saved_size;
    frames_.push_back(std::move(f));
    ++depth_;
    for (const Kwarg& p : m.params) {
      if (frames_.back().count(p.name)) continue;
      Value v = p.value ? eval(*p.value) : Value::undefined("parameter '" + p.name + "' was not provided");
      frames_.back()[p.name] = v;
    }
    std::string out = capture(m.body);
    --depth_;
    frames_.resize(saved_size);
    base_ = saved_base;
    line_ = saved_line;
    return Value(out);
  }

  // ---- expressions ----

  CallArgs eval_args(const Expr& e, size_t first) {
    CallArgs a;
    for (size_t i = first; i < e.args.size(); ++i) a.positional.push_back(eval(*e.args[i]));
    for (const Kwarg& k : e.kwargs) a.keyword.emplace_back(k.name, eval(*k.value));
    return a;
  }

  // A filter node; `input` stands for the missing subject of a {% filter %} / block-set chain.
  Value eval_filter(const Expr& e, const Value* input) {
    Value subject;
    if (!e.args[0]) {
      if (!input) throw Error("internal: filter without a subject");
      subject = *input;
    } else {
      subject = e.args[0]->kind == ExprKind::Filter ? eval_filter(*e.args[0], input) : eval(*e.args[0]);
    }
    CallArgs a = eval_args(e, 1);
    line_ = e.line;
    try {
      return e.filter(subject, a);
    } catch (const RaisedError&) {
      throw;
    } catch (const Error& err) {
      throw Error("filter '" + e.name + "': " + err.what());
    }
  }

  Value eval_compare(const Expr& e) {
    Value left = eval(*e.args[0]);
    for (size_t i = 0; i < e.ops.size(); ++i) {
      Value right = eval(*e.args[i + 1]);
      line_ = e.line;
      const std::string& op = e.ops[i];
      bool ok;
      if (op == "==")
        ok = equals(left, right);
      else if (op == "!=")
        ok = !equals(left, right);
      else if (op == "in")
        ok = contains(right, left);
      else if (op == "notin")
        ok = !contains(right, left);
      else {
        int c = compare(left, right);
        ok = op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
      }
      if (!ok) return Value(false);
      left = std::move(right);
    }
    return Value(true);
  }

  Value eval(const Expr& e) {
    line_ = e.line;
    switch (e.kind) {
      case ExprKind::Const:
        return e.value;
      case ExprKind::Name:
        return lookup(e.name);
      case ExprKind::List:
      case ExprKind::Tuple: {
        std::vector<Value> items;
        for (const ExprPtr& x : e.args) items.push_back(eval(*x));
        return Value::list(std::move(items), e.kind == ExprKind::Tuple);
      }
      case ExprKind::Dict: {
        std::vector<std::pair<std::string, Value>> items;
        for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
          Value k = eval(*e.args[i]);
          if (!k.is_string()) throw Error("unsupported: dict literal with a " + type_name(k) + " key");
          items.emplace_back(k.str(), eval(*e.args[i + 1]));
        }
        return Value::dict(std::move(items));
      }
      case ExprKind::GetAttr: {
        Value obj = eval(*e.args[0]);
        line_ = e.line;
        return get_attr(obj, e.name);
      }
      case ExprKind::GetItem: {
        Value obj = eval(*e.args[0]);
        Value key = eval(*e.args[1]);
        line_ = e.line;
        return get_item(obj, key);
      }
      case ExprKind::Slice: {
        Value obj = eval(*e.args[0]);
        Value b[3];
        for (int i = 0; i < 3; ++i) b[i] = e.args[1 + i] ? eval(*e.args[1 + i]) : Value::none();
        line_ = e.line;
        return slice(obj, b[0], b[1], b[2]);
      }
      case ExprKind::Call: {
        Value callee = eval(*e.args[0]);
        CallArgs a = eval_args(e, 1);
        line_ = e.line;
        if (callee.kind() == Value::Kind::Function) return callee.function_data().fn(a);
        if (callee.is_undefined()) fail_undefined(callee);
        throw Error("'" + type_name(callee) + "' object is not callable");
      }
      case ExprKind::Filter:
        return eval_filter(e, nullptr);
      case ExprKind::Test: {
        Value subject = eval(*e.args[0]);
        CallArgs a = eval_args(e, 1);
        line_ = e.line;
        return Value(e.test(subject, a));
      }
      case ExprKind::Not:
        return Value(!truthy(eval(*e.args[0])));
      case ExprKind::Neg:
        return negate(eval(*e.args[0]));
      case ExprKind::Pos: {
        Value v = eval(*e.args[0]);
        if (v.is_undefined()) fail_undefined(v);
        if (!v.is_number()) throw Error("bad operand type for unary +: '" + type_name(v) + "'");
        return v.is_int() ? Value(v.integer()) : v;
      }
      case ExprKind::Binary: {
        Value a = eval(*e.args[0]);
        Value b = eval(*e.args[1]);
        line_ = e.line;
        return binary_op(e.name, a, b);
      }
      case ExprKind::Concat: {
        std::string s;
        for (const ExprPtr& x : e.args) s += to_str(eval(*x));
        return Value(std::move(s));
      }
      case ExprKind::Compare:
        return eval_compare(e);
      case ExprKind::And: {
        Value l = eval(*e.args[0]);
        return truthy(l) ? eval(*e.args[1]) : l;
      }
      case ExprKind::Or: {
        Value l = eval(*e.args[0]);
        return truthy(l) ? l : eval(*e.args[1]);
      }
      case ExprKind::Cond:
        if (truthy(eval(*e.args[0]))) return eval(*e.args[1]);
        if (e.args[2]) return eval(*e.args[2]);
        return Value::undefined("the inline if-expression on line " + std::to_string(e.line) +
                                " evaluated to false and no else section was defined");
    }
    return Value();
  }

  std::vector<Frame> frames_;
  size_t base_ = 0;  // innermost frames_[base_..] plus frames_[0] are visible (a macro call moves base_)
  int depth_ = 0;
  std::string* out_ = nullptr;
  int line_ = 0;
};

}  // namespace

Template Template::parse(std::string_view source, const LexOptions& opt) {
  try {
    return Template(std::make_shared<const Body>(jinja::parse(source, opt)));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(std::string("jinja: internal error while parsing: ") + e.what());
  }
}

std::string Template::render(const Vars& vars) const {
  Renderer r(vars);
  try {
    return r.run(*body_);
  } catch (const RaisedError&) {
    throw;
  } catch (const Error& e) {
    throw Error("jinja: line " + std::to_string(r.line()) + ": " + e.what());
  } catch (const std::exception& e) {  // a library failure (e.g. allocation) still surfaces as hw::Error
    throw Error("jinja: line " + std::to_string(r.line()) + ": internal error: " + e.what());
  }
}

}  // namespace hw::jinja
