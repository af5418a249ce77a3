#include "coordinator/engine/module_args.hpp"

#include <cmath>
#include <cstdlib>

#include "common/json_keys.hpp"

namespace mixnet::coord::module_args {

namespace {

const nlohmann::json* find(const nlohmann::json& args, std::string_view key) {
  if (!args.is_object()) return nullptr;
  auto it = args.find(std::string(key));
  if (it == args.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

Result<void> only_keys(const nlohmann::json& args, std::initializer_list<std::string_view> known) {
  if (args.is_null()) return {};
  if (!args.is_object()) return fail(Errc::invalid_argument, "the arguments must be a mapping", "args");
  return json_keys::only_keys(args, known, {}, "argument");
}

bool templated(const nlohmann::json& args, std::string_view key) {
  const nlohmann::json* v = find(args, key);
  return v != nullptr && is_templated(*v);
}

Result<std::optional<std::string>> string_arg(const nlohmann::json& args, std::string_view key) {
  const nlohmann::json* v = find(args, key);
  if (v == nullptr) return std::optional<std::string>{};
  if (!v->is_string()) return fail(Errc::invalid_argument, "must be a string", std::string(key));
  return std::optional<std::string>{v->get<std::string>()};
}

Result<std::optional<double>> number_arg(const nlohmann::json& args, std::string_view key, double min, double max) {
  const nlohmann::json* v = find(args, key);
  if (v == nullptr) return std::optional<double>{};
  double x = 0;
  if (v->is_number()) {
    x = v->get<double>();
  } else if (v->is_string()) {
    // Templates render to text: "5" is a number here.
    const std::string s = v->get<std::string>();
    char* end = nullptr;
    x = std::strtod(s.c_str(), &end);
    if (s.empty() || end == nullptr || *end != '\0') return fail(Errc::invalid_argument, "must be a number, got '" + s + "'", std::string(key));
  } else {
    return fail(Errc::invalid_argument, "must be a number", std::string(key));
  }
  if (!std::isfinite(x) || x < min || x > max) {
    return fail(Errc::invalid_argument, "must be " + nlohmann::json(min).dump() + ".." + nlohmann::json(max).dump() + ", got " +
                                            nlohmann::json(x).dump(),
                std::string(key));
  }
  return std::optional<double>{x};
}

Result<std::optional<bool>> bool_arg(const nlohmann::json& args, std::string_view key) {
  const nlohmann::json* v = find(args, key);
  if (v == nullptr) return std::optional<bool>{};
  if (v->is_boolean()) return std::optional<bool>{v->get<bool>()};
  if (v->is_string()) {
    const std::string s = v->get<std::string>();
    if (s == "true" || s == "yes") return std::optional<bool>{true};
    if (s == "false" || s == "no") return std::optional<bool>{false};
  }
  return fail(Errc::invalid_argument, "must be true or false", std::string(key));
}

StepResult step_error(const Error& e) { return StepResult::failure(e.describe()); }

}  // namespace mixnet::coord::module_args
