#include "common/wire/json_fields.hpp"

#include <charconv>

namespace mixnet::wire::fields {

using nlohmann::json;

std::string indexed(std::string_view field, std::size_t i) { return std::string(field) + "[" + std::to_string(i) + "]"; }

Result<std::uint64_t> as_uint(const json& v, std::string_view field, std::uint64_t min, std::uint64_t max) {
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (!v.is_number_integer()) return fail(Errc::invalid_argument, "must be an integer " + range, std::string(field));
  if (!v.is_number_unsigned() && v.get<std::int64_t>() < 0) {
    return fail(Errc::invalid_argument, "must be " + range + ", got " + std::to_string(v.get<std::int64_t>()),
                std::string(field));
  }
  const auto n = v.get<std::uint64_t>();
  if (n < min || n > max) {
    return fail(Errc::invalid_argument, "must be " + range + ", got " + std::to_string(n), std::string(field));
  }
  return n;
}

Result<json> parse_object(std::string_view body) {
  if (body.empty()) return fail(Errc::invalid_argument, "request body is empty; expected a JSON object", "body");
  auto j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail(Errc::invalid_argument, "request body is not valid JSON", "body");
  if (!j.is_object()) return fail(Errc::invalid_argument, "request body must be a JSON object", "body");
  return j;
}

Result<std::uint64_t> query_number(const std::string& key, const std::string& text, std::uint64_t max) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) {
    return fail(Errc::invalid_argument, "must be a non-negative integer", key);
  }
  if (v > max) return fail(Errc::invalid_argument, "must be at most " + std::to_string(max), key);
  return v;
}

}  // namespace mixnet::wire::fields
