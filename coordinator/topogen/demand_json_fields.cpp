#include "coordinator/topogen/demand_json_fields.hpp"

#include <cmath>

#include <fmt/format.h>

namespace mixnet::coord::topogen {

using nlohmann::json;

std::unexpected<Error> DemandJsonFields::error(const std::string& key, const std::string& message) const {
  return fail(Errc::invalid_argument, fmt::format("{}: {}: {}", source_, key, message), key);
}

Result<json> DemandJsonFields::parse_object(std::string_view text, const std::string& field, const std::string& expected) const {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {   // a syntax error, or a number too large for a double
    return fail(Errc::invalid_argument, fmt::format("{}: not JSON: {}", source_, e.what()), field);
  }
  if (!root.is_object()) return error(field, fmt::format("expected an object with {}", expected));
  return root;
}

Result<double> DemandJsonFields::non_negative(const json& value, const std::string& key) const {
  if (!value.is_number()) return error(key, fmt::format("expected a number, got {}", value.dump()));
  const double v = value.get<double>();
  if (!std::isfinite(v) || v < 0) return error(key, fmt::format("{} is not a finite, non-negative number", value.dump()));
  return v;
}

Result<std::vector<std::vector<double>>> DemandJsonFields::square(const json& root, const std::string& key, std::size_t n) const {
  if (!root.contains(key)) return error(key, fmt::format("expected an array of {} rows", n));
  return square_value(root[key], key, n);
}

Result<std::vector<std::vector<double>>> DemandJsonFields::square_value(const json& rows, const std::string& key, std::size_t n) const {
  if (!rows.is_array()) return error(key, fmt::format("expected an array of {} rows", n));
  if (rows.size() != n) return error(key, fmt::format("{} rows, expected {}", rows.size(), n));
  std::vector<std::vector<double>> out(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) {
    const auto row_key = fmt::format("{}[{}]", key, i);
    if (!rows[i].is_array() || rows[i].size() != n) return error(row_key, fmt::format("expected an array of {} numbers", n));
    for (std::size_t j = 0; j < n; ++j) {
      auto v = non_negative(rows[i][j], fmt::format("{}[{}]", row_key, j));
      if (!v) return std::unexpected(v.error());
      out[i][j] = *v;
    }
  }
  return out;
}

Result<std::vector<std::string>> DemandJsonFields::names(const json& root, const std::string& key) const {
  if (!root.contains(key) || !root[key].is_array()) return error(key, "expected an array of host names");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < root[key].size(); ++i) {
    const auto& v = root[key][i];
    if (!v.is_string() || v.get<std::string>().empty()) return error(fmt::format("{}[{}]", key, i), "expected a host name");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<ExpertTokens> DemandJsonFields::expert_header(const json& root) const {
  if (!root.contains("experts") || !root["experts"].is_number_integer() || root["experts"].get<long long>() < 1) {
    return error("experts", "expected a positive integer");
  }
  const auto experts = static_cast<std::size_t>(root["experts"].get<long long>());
  auto placement = names(root, "placement");
  if (!placement) return std::unexpected(placement.error());
  if (placement->size() != experts) return error("placement", fmt::format("{} hosts for {} experts: one host per expert", placement->size(), experts));
  if (!root.contains("bytes_per_token")) return error("bytes_per_token", "missing");
  auto per_token = non_negative(root["bytes_per_token"], "bytes_per_token");
  if (!per_token) return std::unexpected(per_token.error());
  return ExpertTokens{std::move(*placement), *per_token, {}};
}

}  // namespace mixnet::coord::topogen
