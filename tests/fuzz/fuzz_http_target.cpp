// Fuzzes request-target parsing and route matching, the first code every HTTP request reaches.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/http/target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto target = mixnet::http::parse_target(text);
  if (target) {
    std::map<std::string, std::string> params;
    mixnet::http::match_pattern("/v1/ports/{name}/config", target->path, params);
    (void)mixnet::http::query_uint(*target, "after", 0, UINT64_MAX);
    (void)mixnet::http::query_uint(*target, "wait_ms", 0, 30000);
  }
  return 0;
}
