#pragma once
// Validation helpers every request parser of the agent API shares (agent_api, traffic_api,
// rdma_api): strict key sets, bounded integers, and field paths ("rdma.peer.qps[1].psn") so each
// refusal names exactly the field at fault. Internal to mixnet_wire.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace mixnet::wire::fields {

// "prefix.key", or "key" at the top level.
std::string joined(std::string_view prefix, std::string_view key);
// A key as an error's field: the key itself, or `""` for an empty key (a field must name something).
std::string shown_key(std::string_view key);
// "field[i]".
std::string indexed(std::string_view field, std::size_t i);

// Every key of an object must be one we know; the error names the first stranger (under prefix).
Result<void> only_keys(const nlohmann::json& body, std::initializer_list<std::string_view> known, std::string_view prefix = {});

// An unsigned integer within [min, max]; errors name `field` and the range.
Result<std::uint64_t> as_uint(const nlohmann::json& v, std::string_view field, std::uint64_t min, std::uint64_t max);

// body[key] (a bounded unsigned integer) into out when present; absent: an error when required.
template <class T>
Result<void> read_uint(const nlohmann::json& body, std::string_view prefix, const char* key, std::uint64_t min,
                       std::uint64_t max, T& out, bool required = false) {
  const auto it = body.find(key);
  if (it == body.end()) {
    if (required) return fail(Errc::invalid_argument, "required", joined(prefix, key));
    return {};
  }
  auto v = as_uint(*it, joined(prefix, key), min, max);
  if (!v) return std::unexpected(v.error());
  out = static_cast<T>(*v);
  return {};
}

// A request body that must be one JSON object; errors name "body".
Result<nlohmann::json> parse_object(std::string_view body);

}  // namespace mixnet::wire::fields
