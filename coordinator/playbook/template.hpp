#pragma once
// "{{ expr }}" templates in string arguments. A string that is one template and nothing else
// ("{{ topologies }}") becomes the expression's value with its type (a list stays a list); a
// template inside text ("to {{ item }} now") is replaced by the value's text.
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace mixnet::coord {

Result<nlohmann::json> render(const nlohmann::json& value, const nlohmann::json& vars);
Result<nlohmann::json> render_string(const std::string& text, const nlohmann::json& vars);
// Parses every template in `value` (load time: syntax errors before anything runs).
Result<void> check_templates(const nlohmann::json& value);

}  // namespace mixnet::coord
