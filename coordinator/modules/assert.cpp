#include "coordinator/modules/assert.hpp"

#include <fmt/format.h>

#include "common/json_keys.hpp"
#include "coordinator/playbook/expr.hpp"

namespace mixnet::coord {
namespace {

// `that` as a list of expression texts (a single string is a list of one).
Result<std::vector<std::string>> that_list(const nlohmann::json& args) {
  if (!args.is_object()) return fail(Errc::invalid_argument, "arguments are a mapping");
  if (auto ok = json_keys::only_keys(args, {"that", "fail_msg", "success_msg"}, {}, "argument"); !ok) {
    return std::unexpected(ok.error());
  }
  if (!args.contains("that")) return fail(Errc::invalid_argument, "required: the expressions that must hold", "that");
  const auto& that = args["that"];
  std::vector<std::string> out;
  if (that.is_string()) {
    out.push_back(that.get<std::string>());
  } else if (that.is_array() && !that.empty()) {
    for (std::size_t i = 0; i < that.size(); ++i) {
      if (!that[i].is_string()) return fail(Errc::invalid_argument, "expected an expression", fmt::format("that[{}]", i));
      out.push_back(that[i].get<std::string>());
    }
  } else {
    return fail(Errc::invalid_argument, "expected an expression or a non-empty list of them", "that");
  }
  for (const char* key : {"fail_msg", "success_msg"}) {
    if (args.contains(key) && !args[key].is_string()) return fail(Errc::invalid_argument, "expected text", key);
  }
  return out;
}

std::string strip_braces(std::string text) {
  if (text.starts_with("{{") && text.ends_with("}}")) text = text.substr(2, text.size() - 4);
  return text;
}

}  // namespace

Result<void> AssertModule::validate(const nlohmann::json& args, const ValidationContext&) const {
  auto that = that_list(args);
  if (!that) return std::unexpected(that.error());
  for (std::size_t i = 0; i < that->size(); ++i) {
    if (auto e = Expression::parse(strip_braces((*that)[i])); !e) return fail(Errc::invalid_argument, e.error().message, fmt::format("that[{}]", i));
  }
  return {};
}

StepResult AssertModule::run(const nlohmann::json& args, StepContext& ctx) {
  auto that = that_list(args);
  if (!that) return StepResult::failure(that.error().field + ": " + that.error().message);
  StepResult result;
  auto evaluated = nlohmann::json::array();
  for (std::size_t i = 0; i < that->size(); ++i) {
    auto e = Expression::parse(strip_braces((*that)[i]));
    if (!e) return StepResult::failure(fmt::format("that[{}]: {}", i, e.error().message));
    auto holds = e->test(ctx.vars());
    if (!holds) {
      // In check mode the values registered by earlier steps are only predictions.
      if (ctx.check_mode) {
        result.message = fmt::format("would check {} expression(s); cannot evaluate '{}' now: {}", that->size(), e->text(), holds.error().message);
        return result;
      }
      return StepResult::failure(fmt::format("that[{}]: {}", i, holds.error().message));
    }
    evaluated.push_back({{"that", e->text()}, {"held", *holds}});
    if (!*holds) {
      result.data = {{"checks", evaluated}};
      const auto msg = args.contains("fail_msg") ? args["fail_msg"].get<std::string>() : std::string("assertion failed");
      if (ctx.check_mode) {
        result.message = fmt::format("would fail: {} ('{}' is false)", msg, e->text());
        return result;
      }
      result.ok = false;
      result.message = fmt::format("{}: '{}' is false", msg, e->text());
      return result;
    }
  }
  result.data = {{"checks", evaluated}};
  result.message = args.contains("success_msg") ? args["success_msg"].get<std::string>()
                                                : fmt::format("all {} assertion{} held", that->size(), that->size() == 1 ? "" : "s");
  return result;
}

}  // namespace mixnet::coord
