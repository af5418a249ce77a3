#pragma once
// Strict key sets for JSON objects, one rule for every part: the agent API's request parsers
// (common/wire) and the coordinator's module arguments both refuse an unknown key the same way,
// naming it as a field path ("rdma.peer.qps[1].psn") and listing the keys that are accepted.
#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace mixnet::json_keys {

// "prefix.key", or "key" at the top level.
std::string joined(std::string_view prefix, std::string_view key);

// A key as an error's field: the key itself, or `""` for an empty key (a field must name something).
std::string shown_key(std::string_view key);

// Every key of `object` must be one of `known`; the error (invalid_argument) names the first
// stranger under `prefix` and says "unknown <noun> (accepted: a, b)". `noun` is what a key is
// where it comes from: a "field" of a request body, an "argument" of a playbook step.
Result<void> only_keys(const nlohmann::json& object, std::initializer_list<std::string_view> known,
                       std::string_view prefix = {}, std::string_view noun = "field");

}  // namespace mixnet::json_keys
