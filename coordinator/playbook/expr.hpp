#pragma once
// The expression language of `when`, `until`, `assert.that` and `{{ }}` templates (documented in
// docs/playbooks.md, "Expressions"):
//   literals   1  2.5  'text'  "text"  true  false  null  [1, 'a']
//   names      result.ok   links.items[0].status   item   vars  (dotted paths, [index] or ['key'])
//   compare    ==  !=  <  <=  >  >=   in   not in   is defined   is not defined
//   logic      and  or  not  ( )
//   filters    x | length   x | int   x | float   x | string   x | bool   x | lower   x | upper
// Referring to a name that does not exist is an error (naming it), except under `is defined`.
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace mixnet::coord {

namespace expr_detail {
struct Node;
}

class Expression {
 public:
  // Syntax errors name the column: "expected ')' at column 12 in 'a == (1'".
  static Result<Expression> parse(std::string_view text);
  // `vars` is an object: its keys are the top-level names.
  [[nodiscard]] Result<nlohmann::json> evaluate(const nlohmann::json& vars) const;
  [[nodiscard]] Result<bool> test(const nlohmann::json& vars) const;   // evaluate, then truthiness
  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::shared_ptr<const expr_detail::Node> root_;
};

// null, false, 0, "", [] and {} are false; everything else is true.
bool truthy(const nlohmann::json& value);

}  // namespace mixnet::coord
