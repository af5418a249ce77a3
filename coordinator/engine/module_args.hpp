#pragma once
// Argument checks every module shares (ocs.apply, ocs.clear, links.verify, nic.configure,
// hosts.verify, eps.verify, measure.*, traffic.run). Every error names the argument
// (Error::field). A templated value ("{{ ... }}") passes the load-time shape check and is checked
// again, resolved, at run time.
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "coordinator/engine/module.hpp"

namespace mixnet::coord::module_args {

// args must be an object (or null: no arguments) holding only `known` keys
// (common/json_keys.hpp's rule: "unknown argument (accepted: ...)", naming the key).
Result<void> only_keys(const nlohmann::json& args, std::initializer_list<std::string_view> known);

// The value of `key`, or nullopt when absent or null. Wrong types are errors naming the key.
Result<std::optional<std::string>> string_arg(const nlohmann::json& args, std::string_view key);
Result<std::optional<double>> number_arg(const nlohmann::json& args, std::string_view key, double min, double max);
Result<std::optional<bool>> bool_arg(const nlohmann::json& args, std::string_view key);

// True when args[key] exists and holds a template.
bool templated(const nlohmann::json& args, std::string_view key);

// A step result that failed as a whole, with the error's text.
StepResult step_error(const Error& e);

}  // namespace mixnet::coord::module_args
