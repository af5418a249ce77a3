#include "coordinator/model/rdma_expect.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "coordinator/model/yaml_util.hpp"

namespace mixnet::coord {

namespace {

using yamlx::error_at;
using yamlx::join;

// RDMA device names as the kernel allows them (ib_device_rename): no '/', no white space; the
// ones drivers pick ("mlx5_0", "rxe0", "irdma1") are [A-Za-z0-9_.-].
bool valid_device_name(std::string_view name) {
  return !name.empty() && name.size() <= 63 && std::ranges::all_of(name, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
  });
}

}  // namespace

std::optional<std::string> normalize_gid(std::string_view text) {
  // inet_pton wants a NUL-terminated string and refuses anything that is not an address.
  const std::string copy(text);
  std::array<unsigned char, 16> bytes{};
  if (copy.empty() || copy.size() > 45 || ::inet_pton(AF_INET6, copy.c_str(), bytes.data()) != 1) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 2) {
    if (i > 0) out += ':';
    out += fmt::format("{:02x}{:02x}", bytes[i], bytes[i + 1]);
  }
  return out;
}

Result<RdmaExpect> read_rdma_expect(const YAML::Node& node, const yamlx::Source& src, const std::string& path) {
  if (auto ok = yamlx::expect_map(node, src, path); !ok) return std::unexpected(ok.error());
  if (auto ok = yamlx::only_keys(node, src, path, {"device", "port", "fw_ver", "link_layer", "gids", "gid_count"}); !ok)
    return std::unexpected(ok.error());
  RdmaExpect want;
  want.line = yamlx::line_of(node);
  if (node["device"]) {
    auto device = yamlx::string(node["device"], src, join(path, "device"));
    if (!device) return std::unexpected(device.error());
    if (!valid_device_name(*device))
      return error_at(src, node["device"], join(path, "device"), fmt::format("'{}' is not an RDMA device name ([A-Za-z0-9_.-], 1..63)", *device));
    want.device = *device;
  }
  if (node["port"]) {
    auto port = yamlx::integer(node["port"], src, join(path, "port"));
    if (!port) return std::unexpected(port.error());
    if (*port < 1 || *port > kMaxRdmaPort)
      return error_at(src, node["port"], join(path, "port"), fmt::format("{} is outside 1..{} (RDMA ports count from 1)", *port, kMaxRdmaPort));
    want.port = static_cast<int>(*port);
  }
  if (node["fw_ver"]) {
    // A plain scalar keeps its text (28.39.1002 is not a number to YAML), so no quoting is needed.
    auto fw = yamlx::string(node["fw_ver"], src, join(path, "fw_ver"));
    if (!fw) return std::unexpected(fw.error());
    if (fw->size() > 64 || std::ranges::any_of(*fw, [](char c) { return std::isprint(static_cast<unsigned char>(c)) == 0; }))
      return error_at(src, node["fw_ver"], join(path, "fw_ver"), "a firmware version is printable text, at most 64 characters");
    want.fw_ver = *fw;
  }
  if (node["link_layer"]) {
    auto layer = yamlx::string(node["link_layer"], src, join(path, "link_layer"));
    if (!layer) return std::unexpected(layer.error());
    if (std::ranges::find(kLinkLayers, std::string_view(*layer)) == std::end(kLinkLayers))
      return error_at(src, node["link_layer"], join(path, "link_layer"),
                      fmt::format("'{}' is not a link layer ({})", *layer, fmt::join(kLinkLayers, " or ")));
    want.link_layer = *layer;
  }
  if (node["gids"]) {
    const auto list = node["gids"];
    const auto list_path = join(path, "gids");
    if (auto ok = yamlx::expect_seq(list, src, list_path); !ok) return std::unexpected(ok.error());
    if (list.size() == 0) return error_at(src, list, list_path, "an empty list checks nothing (gid_count: 0 says the table is empty)");
    if (list.size() > static_cast<std::size_t>(kMaxGidTable))
      return error_at(src, list, list_path, fmt::format("{} GIDs, more than a table holds ({})", list.size(), kMaxGidTable));
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto item_path = yamlx::index(list_path, i);
      auto text = yamlx::string(list[i], src, item_path);
      if (!text) return std::unexpected(text.error());
      auto gid = normalize_gid(*text);
      if (!gid) return error_at(src, list[i], item_path, fmt::format("'{}' is not a GID (an IPv6 address)", *text));
      if (std::ranges::find(want.gids, *gid) != want.gids.end())
        return error_at(src, list[i], item_path, fmt::format("GID {} is listed twice", *gid));
      if (*gid == *normalize_gid("::"))
        return error_at(src, list[i], item_path, "the zero GID marks an unused slot; list the GIDs in use");
      want.gids.push_back(std::move(*gid));
    }
  }
  if (node["gid_count"]) {
    auto count = yamlx::integer(node["gid_count"], src, join(path, "gid_count"));
    if (!count) return std::unexpected(count.error());
    if (*count < 0 || *count > kMaxGidTable)
      return error_at(src, node["gid_count"], join(path, "gid_count"), fmt::format("{} is outside 0..{}", *count, kMaxGidTable));
    want.gid_count = static_cast<int>(*count);
    // Each listed GID holds at least one slot (RoCE gives it one per type).
    if (*want.gid_count < static_cast<int>(want.gids.size()))
      return error_at(src, node["gid_count"], join(path, "gid_count"),
                      fmt::format("{} is fewer than the {} GIDs listed under gids", *want.gid_count, want.gids.size()));
  }
  return want;
}

}  // namespace mixnet::coord
