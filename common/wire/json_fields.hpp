#pragma once
// Validation helpers every request parser of the agent API shares (agent_api, traffic_api,
// rdma_api): strict key sets, bounded integers, and field paths ("rdma.peer.qps[1].psn") so each
// refusal names exactly the field at fault. Internal to mixnet_wire.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/json_keys.hpp"
#include "common/result.hpp"

namespace mixnet::wire::fields {

// Field paths and strict key sets are common/json_keys.hpp's (the coordinator's module arguments
// use the same rule): "prefix.key", a visible empty key, the first unknown key named.
using json_keys::joined;
using json_keys::only_keys;
using json_keys::shown_key;

// "field[i]".
std::string indexed(std::string_view field, std::size_t i);

// An unsigned integer within [min, max]; errors name `field` and the range.
Result<std::uint64_t> as_uint(const nlohmann::json& v, std::string_view field, std::uint64_t min, std::uint64_t max);

// A query parameter's value: a decimal unsigned integer up to max; errors name `key`.
Result<std::uint64_t> query_number(const std::string& key, const std::string& text, std::uint64_t max);

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
