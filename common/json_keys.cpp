#include "common/json_keys.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mixnet::json_keys {

std::string joined(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
}

std::string shown_key(std::string_view key) { return key.empty() ? std::string("\"\"") : std::string(key); }

Result<void> only_keys(const nlohmann::json& object, std::initializer_list<std::string_view> known,
                       std::string_view prefix, std::string_view noun) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return fail(Errc::invalid_argument, fmt::format("unknown {} (accepted: {})", noun, fmt::join(known, ", ")),
                  joined(prefix, shown_key(key)));
    }
  }
  return {};
}

}  // namespace mixnet::json_keys
