#include "coordinator/playbook/expr.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace mixnet::coord {
namespace expr_detail {

enum class Tok { end, number, string, name, op, lparen, rparen, lbracket, rbracket, comma, dot, pipe };

struct Token {
  Tok kind = Tok::end;
  std::string text;
  nlohmann::json value;   // number or string literal
  std::size_t column = 0; // 1-based
};

Result<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto bad = [&](std::string what) { return fail(Errc::invalid_argument, fmt::format("{} at column {} in '{}'", what, i + 1, s)); };
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
      continue;
    }
    Token t;
    t.column = i + 1;
    if (std::isdigit(static_cast<unsigned char>(c)) != 0 || (c == '-' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])) != 0 &&
                                                           (out.empty() || (out.back().kind != Tok::number && out.back().kind != Tok::name &&
                                                                            out.back().kind != Tok::rparen && out.back().kind != Tok::rbracket && out.back().kind != Tok::string)))) {
      std::size_t j = i + 1;
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) != 0 || s[j] == '.' || s[j] == 'e' || s[j] == 'E')) ++j;
      const auto text = s.substr(i, j - i);
      std::int64_t n = 0;
      if (auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n); ec == std::errc{} && p == text.data() + text.size()) {
        t.value = n;
      } else {
        double d = 0;
        auto [p2, ec2] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (ec2 != std::errc{} || p2 != text.data() + text.size()) return bad(fmt::format("bad number '{}'", text));
        t.value = d;
      }
      t.kind = Tok::number;
      t.text = std::string(text);
      i = j;
    } else if (c == '\'' || c == '"') {
      std::string value;
      std::size_t j = i + 1;
      while (j < s.size() && s[j] != c) {
        if (s[j] == '\\' && j + 1 < s.size()) ++j;
        value.push_back(s[j]);
        ++j;
      }
      if (j >= s.size()) return bad("unterminated string");
      t.kind = Tok::string;
      t.value = value;
      i = j + 1;
    } else if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_') {
      std::size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) != 0 || s[j] == '_' || s[j] == '-')) {
        // A '-' belongs to a name only when a letter or digit follows (names like "links-ok").
        if (s[j] == '-' && !(j + 1 < s.size() && std::isalnum(static_cast<unsigned char>(s[j + 1])) != 0)) break;
        ++j;
      }
      t.kind = Tok::name;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '.' || c == '|') {
      t.kind = c == '(' ? Tok::lparen : c == ')' ? Tok::rparen : c == '[' ? Tok::lbracket : c == ']' ? Tok::rbracket : c == ',' ? Tok::comma : c == '.' ? Tok::dot : Tok::pipe;
      t.text = std::string(1, c);
      ++i;
    } else {
      static constexpr std::string_view two[] = {"==", "!=", "<=", ">="};
      bool matched = false;
      for (auto op : two) {
        if (s.substr(i, 2) == op) {
          t.kind = Tok::op;
          t.text = std::string(op);
          i += 2;
          matched = true;
          break;
        }
      }
      if (!matched) {
        if (c == '<' || c == '>') {
          t.kind = Tok::op;
          t.text = std::string(1, c);
          ++i;
        } else {
          return bad(fmt::format("unexpected '{}'", c));
        }
      }
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.column = s.size() + 1;
  out.push_back(end);
  return out;
}

enum class Kind { literal, list, path, unary_not, logic_and, logic_or, compare, filter, defined };

struct Node {
  Kind kind = Kind::literal;
  nlohmann::json value;                          // literal
  std::string name;                              // path root, operator, filter name
  std::vector<std::shared_ptr<const Node>> kids; // operands; for path: index expressions
  std::vector<std::string> steps;                // path: ".key" steps ("" where kids[k] indexes)
  bool negate = false;                           // "not in", "is not defined"
};
using NodePtr = std::shared_ptr<const Node>;

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view text) : tokens_(std::move(tokens)), text_(text) {}

  Result<NodePtr> parse_all() {
    auto node = parse_or();
    if (!node) return node;
    if (peek().kind != Tok::end) return error(fmt::format("unexpected '{}'", describe(peek())));
    return node;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& take() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool is_word(std::string_view w) const { return peek().kind == Tok::name && peek().text == w; }
  static std::string describe(const Token& t) {
    if (t.kind == Tok::end) return "end";
    if (t.kind == Tok::string) return "'" + t.value.get<std::string>() + "'";
    return t.text;
  }
  std::unexpected<Error> error(const std::string& what) const {
    return fail(Errc::invalid_argument, fmt::format("{} at column {} in '{}'", what, peek().column, text_));
  }

  Result<NodePtr> parse_or() {
    auto left = parse_and();
    if (!left) return left;
    while (is_word("or")) {
      take();
      auto right = parse_and();
      if (!right) return right;
      auto n = std::make_shared<Node>();
      n->kind = Kind::logic_or;
      n->kids = {*left, *right};
      left = n;
    }
    return left;
  }

  Result<NodePtr> parse_and() {
    auto left = parse_not();
    if (!left) return left;
    while (is_word("and")) {
      take();
      auto right = parse_not();
      if (!right) return right;
      auto n = std::make_shared<Node>();
      n->kind = Kind::logic_and;
      n->kids = {*left, *right};
      left = n;
    }
    return left;
  }

  Result<NodePtr> parse_not() {
    if (is_word("not")) {
      take();
      auto operand = parse_not();
      if (!operand) return operand;
      auto n = std::make_shared<Node>();
      n->kind = Kind::unary_not;
      n->kids = {*operand};
      return NodePtr(n);
    }
    return parse_compare();
  }

  Result<NodePtr> parse_compare() {
    auto left = parse_filtered();
    if (!left) return left;
    if (is_word("is")) {
      take();
      bool negate = false;
      if (is_word("not")) {
        take();
        negate = true;
      }
      if (!is_word("defined")) return error("expected 'defined' after 'is'");
      take();
      if ((*left)->kind != Kind::path) return error("'is defined' applies to a name");
      auto n = std::make_shared<Node>();
      n->kind = Kind::defined;
      n->negate = negate;
      n->kids = {*left};
      return NodePtr(n);
    }
    std::string op;
    bool negate = false;
    if (peek().kind == Tok::op) {
      op = take().text;
    } else if (is_word("in")) {
      take();
      op = "in";
    } else if (is_word("not") && pos_ + 1 < tokens_.size() && tokens_[pos_ + 1].kind == Tok::name && tokens_[pos_ + 1].text == "in") {
      take();
      take();
      op = "in";
      negate = true;
    } else {
      return left;
    }
    auto right = parse_filtered();
    if (!right) return right;
    auto n = std::make_shared<Node>();
    n->kind = Kind::compare;
    n->name = op;
    n->negate = negate;
    n->kids = {*left, *right};
    return NodePtr(n);
  }

  Result<NodePtr> parse_filtered() {
    auto operand = parse_primary();
    if (!operand) return operand;
    while (peek().kind == Tok::pipe) {
      take();
      if (peek().kind != Tok::name) return error("expected a filter name after '|'");
      auto n = std::make_shared<Node>();
      n->kind = Kind::filter;
      n->name = take().text;
      static constexpr std::string_view known[] = {"length", "int", "float", "string", "bool", "lower", "upper"};
      if (std::ranges::find(known, n->name) == std::end(known))
        return fail(Errc::invalid_argument, fmt::format("unknown filter '{}' in '{}' (known: length, int, float, string, bool, lower, upper)", n->name, text_));
      n->kids = {*operand};
      operand = n;
    }
    return operand;
  }

  Result<NodePtr> parse_primary() {
    const Token& t = peek();
    auto n = std::make_shared<Node>();
    switch (t.kind) {
      case Tok::number:
      case Tok::string:
        n->value = take().value;
        return NodePtr(n);
      case Tok::lparen: {
        take();
        auto inner = parse_or();
        if (!inner) return inner;
        if (peek().kind != Tok::rparen) return error("expected ')'");
        take();
        return inner;
      }
      case Tok::lbracket: {
        take();
        n->kind = Kind::list;
        if (peek().kind != Tok::rbracket) {
          while (true) {
            auto element = parse_or();
            if (!element) return element;
            n->kids.push_back(*element);
            if (peek().kind == Tok::comma) {
              take();
              continue;
            }
            break;
          }
        }
        if (peek().kind != Tok::rbracket) return error("expected ']'");
        take();
        return NodePtr(n);
      }
      case Tok::name: {
        const auto word = take().text;
        if (word == "true" || word == "True") { n->value = true; return NodePtr(n); }
        if (word == "false" || word == "False") { n->value = false; return NodePtr(n); }
        if (word == "null" || word == "none" || word == "None") { n->value = nullptr; return NodePtr(n); }
        if (word == "and" || word == "or" || word == "not" || word == "in" || word == "is") {
          --pos_;
          return error(fmt::format("expected a value, got '{}'", word));
        }
        n->kind = Kind::path;
        n->name = word;
        while (peek().kind == Tok::dot || peek().kind == Tok::lbracket) {
          if (take().kind == Tok::dot) {
            if (peek().kind != Tok::name && peek().kind != Tok::number) return error("expected a key after '.'");
            n->steps.push_back(take().text);
            n->kids.push_back(nullptr);
          } else {
            auto index = parse_or();
            if (!index) return index;
            if (peek().kind != Tok::rbracket) return error("expected ']'");
            take();
            n->steps.emplace_back();
            n->kids.push_back(*index);
          }
        }
        return NodePtr(n);
      }
      default:
        return error(fmt::format("expected a value, got '{}'", describe(t)));
    }
  }

  std::vector<Token> tokens_;
  std::string_view text_;
  std::size_t pos_ = 0;
};

Result<nlohmann::json> eval(const Node& node, const nlohmann::json& vars);

// Looks a path up; a missing key yields nullptr pointer (with `missing` naming it) unless `strict`.
Result<const nlohmann::json*> lookup(const Node& node, const nlohmann::json& vars, std::string* missing) {
  std::string shown = node.name;
  if (!vars.is_object() || !vars.contains(node.name)) {
    *missing = shown;
    return static_cast<const nlohmann::json*>(nullptr);
  }
  const nlohmann::json* at = &vars.at(node.name);
  for (std::size_t k = 0; k < node.steps.size(); ++k) {
    nlohmann::json key;
    if (node.kids[k]) {
      auto index = eval(*node.kids[k], vars);
      if (!index) return std::unexpected(index.error());
      key = *index;
      shown += fmt::format("[{}]", key.dump());
    } else {
      key = node.steps[k];
      shown += "." + node.steps[k];
    }
    if (at->is_object()) {
      const auto name = key.is_string() ? key.get<std::string>() : key.dump();
      if (!at->contains(name)) {
        *missing = shown;
        return static_cast<const nlohmann::json*>(nullptr);
      }
      at = &at->at(name);
    } else if (at->is_array()) {
      std::int64_t i = -1;
      if (key.is_number_integer()) i = key.get<std::int64_t>();
      else if (key.is_string()) {
        const auto& text = key.get_ref<const std::string&>();
        std::from_chars(text.data(), text.data() + text.size(), i);
        if (text == "length") return fail(Errc::invalid_argument, fmt::format("{}: use '| length' for a list's length", shown));
      }
      if (i < 0) i += static_cast<std::int64_t>(at->size());
      if (i < 0 || i >= static_cast<std::int64_t>(at->size())) {
        *missing = shown;
        return static_cast<const nlohmann::json*>(nullptr);
      }
      at = &(*at)[static_cast<std::size_t>(i)];
    } else {
      *missing = shown;
      return static_cast<const nlohmann::json*>(nullptr);
    }
  }
  return at;
}

std::string type_name(const nlohmann::json& v) { return v.type_name(); }

Result<nlohmann::json> compare(const std::string& op, bool negate, const nlohmann::json& a, const nlohmann::json& b) {
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  if (op == "in") {
    bool found = false;
    if (b.is_array()) found = std::ranges::find(b, a) != b.end();
    else if (b.is_string() && a.is_string()) found = b.get_ref<const std::string&>().find(a.get_ref<const std::string&>()) != std::string::npos;
    else if (b.is_object() && a.is_string()) found = b.contains(a.get<std::string>());
    else return fail(Errc::invalid_argument, fmt::format("'in' needs a list, a string or a mapping on its right, got {}", type_name(b)));
    return negate ? !found : found;
  }
  const bool numbers = a.is_number() && b.is_number();
  const bool strings = a.is_string() && b.is_string();
  if (!numbers && !strings)
    return fail(Errc::invalid_argument, fmt::format("cannot order {} {} {} ({} and {})", a.dump(), op, b.dump(), type_name(a), type_name(b)));
  int order = 0;
  if (numbers) {
    const double x = a.get<double>();
    const double y = b.get<double>();
    order = x < y ? -1 : (x > y ? 1 : 0);
  } else {
    const auto c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    order = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (op == "<") return order < 0;
  if (op == "<=") return order <= 0;
  if (op == ">") return order > 0;
  return order >= 0;
}

Result<nlohmann::json> apply_filter(const std::string& name, const nlohmann::json& v) {
  if (name == "length") {
    if (v.is_string()) return static_cast<std::int64_t>(v.get_ref<const std::string&>().size());
    if (v.is_array() || v.is_object()) return static_cast<std::int64_t>(v.size());
    return fail(Errc::invalid_argument, fmt::format("length of a {}", type_name(v)));
  }
  if (name == "bool") return truthy(v);
  if (name == "string") return v.is_string() ? v : nlohmann::json(v.dump());
  if (name == "lower" || name == "upper") {
    if (!v.is_string()) return fail(Errc::invalid_argument, fmt::format("{} of a {}", name, type_name(v)));
    auto s = v.get<std::string>();
    for (auto& c : s) c = static_cast<char>(name == "lower" ? std::tolower(static_cast<unsigned char>(c)) : std::toupper(static_cast<unsigned char>(c)));
    return s;
  }
  // int, float
  double d = 0;
  if (v.is_number()) d = v.get<double>();
  else if (v.is_boolean()) d = v.get<bool>() ? 1 : 0;
  else if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc{} || p != s.data() + s.size()) return fail(Errc::invalid_argument, fmt::format("'{}' is not a number", s));
  } else {
    return fail(Errc::invalid_argument, fmt::format("{} of a {}", name, type_name(v)));
  }
  if (name == "int") return static_cast<std::int64_t>(d);
  return d;
}

Result<nlohmann::json> eval(const Node& node, const nlohmann::json& vars) {
  switch (node.kind) {
    case Kind::literal:
      return node.value;
    case Kind::list: {
      auto out = nlohmann::json::array();
      for (const auto& kid : node.kids) {
        auto v = eval(*kid, vars);
        if (!v) return v;
        out.push_back(std::move(*v));
      }
      return out;
    }
    case Kind::path: {
      std::string missing;
      auto at = lookup(node, vars, &missing);
      if (!at) return std::unexpected(at.error());
      if (*at == nullptr) return fail(Errc::not_found, fmt::format("'{}' is not defined", missing), missing);
      return **at;
    }
    case Kind::defined: {
      std::string missing;
      auto at = lookup(*node.kids[0], vars, &missing);
      if (!at) return std::unexpected(at.error());
      const bool defined = *at != nullptr;
      return node.negate ? !defined : defined;
    }
    case Kind::unary_not: {
      auto v = eval(*node.kids[0], vars);
      if (!v) return v;
      return !truthy(*v);
    }
    case Kind::logic_and:
    case Kind::logic_or: {
      auto left = eval(*node.kids[0], vars);
      if (!left) return left;
      const bool l = truthy(*left);
      if (node.kind == Kind::logic_and && !l) return false;   // short-circuit: the right side may be undefined
      if (node.kind == Kind::logic_or && l) return true;
      auto right = eval(*node.kids[1], vars);
      if (!right) return right;
      return truthy(*right);
    }
    case Kind::compare: {
      auto left = eval(*node.kids[0], vars);
      if (!left) return left;
      auto right = eval(*node.kids[1], vars);
      if (!right) return right;
      return compare(node.name, node.negate, *left, *right);
    }
    case Kind::filter: {
      auto v = eval(*node.kids[0], vars);
      if (!v) return v;
      return apply_filter(node.name, *v);
    }
  }
  return fail(Errc::internal, "bad expression node");
}

}  // namespace expr_detail

bool truthy(const nlohmann::json& value) {
  if (value.is_null()) return false;
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0.0;
  if (value.is_string()) return !value.get_ref<const std::string&>().empty();   // json::empty() is false for any string
  if (value.is_array() || value.is_object()) return !value.empty();
  return true;
}

Result<Expression> Expression::parse(std::string_view text) {
  auto tokens = expr_detail::tokenize(text);
  if (!tokens) return std::unexpected(tokens.error());
  if (tokens->size() == 1) return fail(Errc::invalid_argument, "empty expression");
  expr_detail::Parser parser(std::move(*tokens), text);
  auto root = parser.parse_all();
  if (!root) return std::unexpected(root.error());
  Expression e;
  e.text_ = std::string(text);
  e.root_ = *root;
  return e;
}

Result<nlohmann::json> Expression::evaluate(const nlohmann::json& vars) const {
  auto v = expr_detail::eval(*root_, vars);
  if (!v) return std::unexpected(v.error().context(fmt::format("'{}'", text_)));
  return v;
}

Result<bool> Expression::test(const nlohmann::json& vars) const {
  auto v = evaluate(vars);
  if (!v) return std::unexpected(v.error());
  return truthy(*v);
}

}  // namespace mixnet::coord
