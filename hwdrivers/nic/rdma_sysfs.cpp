// scan_rdma_sysfs: the RDMA port table from /sys/class/infiniband. sysfs is the one supported
// place that maps an RDMA port to its netdev (gid_attrs/ndevs), and it is readable without
// opening the device, so it works even where libibverbs has no provider for the hardware.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <system_error>
#include <tuple>

#include <fmt/format.h>

#include "common/text.hpp"
#include "common/unique_fd.hpp"
#include "hwdrivers/nic/rdma_inventory.hpp"
#include "hwdrivers/nic/sysfs_attribute.hpp"

namespace mixnet::nic {

namespace fs = std::filesystem;

namespace {

// The shared sysfs reader (sysfs_attribute.hpp): it keeps the errno, which an empty GID slot
// answers with EINVAL.
Result<std::string> read_attribute(const fs::path& path) { return read_sysfs_attribute(path); }

std::optional<int> parse_index(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// Entries of a directory whose names are numbers (ports/1, gids/0 ...), in numeric order.
Result<std::vector<int>> numbered_entries(const fs::path& dir) {
  std::vector<int> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (auto index = parse_index(it->path().filename().string())) out.push_back(*index);
  }
  if (ec) return fail(Errc::io, fmt::format("list {}: {}", dir.string(), ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

bool is_zero_gid(std::string_view gid) {
  return std::all_of(gid.begin(), gid.end(), [](char c) { return c == '0' || c == ':'; });
}

Result<void> read_gids(const fs::path& port_dir, RdmaPort& port) {
  const fs::path gids_dir = port_dir / "gids";
  std::error_code ec;
  if (!fs::is_directory(gids_dir, ec)) return {};  // a port without a GID table (rare; iWARP)
  auto indexes = numbered_entries(gids_dir);
  if (!indexes) return std::unexpected(indexes.error());
  for (const int index : *indexes) {
    const std::string name = std::to_string(index);
    auto gid = read_attribute(gids_dir / name);
    if (!gid) return std::unexpected(gid.error());
    if (gid->empty() || is_zero_gid(*gid)) continue;  // unused table slots
    GidEntry entry{index, std::move(*gid), {}, {}};
    // The attributes of a slot can be unreadable (EINVAL) while the table is being rewritten or
    // for slots without a netdev: keep the GID, leave the attribute empty.
    if (auto type = read_attribute(port_dir / "gid_attrs" / "types" / name)) entry.type = std::move(*type);
    if (auto ndev = read_attribute(port_dir / "gid_attrs" / "ndevs" / name)) entry.netdev = std::move(*ndev);
    if (!entry.netdev.empty() &&
        std::find(port.netdevs.begin(), port.netdevs.end(), entry.netdev) == port.netdevs.end()) {
      port.netdevs.push_back(entry.netdev);
    }
    port.gids.push_back(std::move(entry));
  }
  return {};
}

// The device's firmware version as ibv_devinfo's fw_ver shows it. Informative like rate: a soft
// device (rxe) may have an empty one, and a port is usable without it.
std::optional<std::string> read_fw_ver(const fs::path& device_dir) {
  auto text = read_attribute(device_dir / "fw_ver");
  if (!text || text->empty()) return std::nullopt;
  return std::move(*text);
}

Result<RdmaPort> read_port(const std::string& device, int number, const fs::path& port_dir,
                           const std::optional<std::string>& fw_ver) {
  RdmaPort port;
  port.device = device;
  port.port = number;
  port.fw_ver = fw_ver;
  for (const auto& [file, number_out, name_out] :
       {std::tuple{"state", &port.state, &port.state_name}, std::tuple{"phys_state", &port.phys_state, &port.phys_state_name}}) {
    const fs::path path = port_dir / file;
    auto text = read_attribute(path);
    if (!text) return std::unexpected(text.error());
    auto parsed = parse_sysfs_numbered(*text, path.string());
    if (!parsed) return std::unexpected(parsed.error());
    *number_out = parsed->first;
    *name_out = parsed->second;
  }
  // rate and link_layer are informative; an older kernel without them still has a usable port.
  if (auto rate = read_attribute(port_dir / "rate")) port.rate = std::move(*rate);
  if (auto layer = read_attribute(port_dir / "link_layer")) port.link_layer = std::move(*layer);
  if (auto ok = read_gids(port_dir, port); !ok) return std::unexpected(ok.error());
  return port;
}

}  // namespace

Result<std::pair<int, std::string>> parse_sysfs_numbered(std::string_view text, std::string_view file) {
  const std::string_view t = trim_view(text);
  const auto colon = t.find(':');
  const auto bad = [&] {
    std::string shown;
    for (const char c : t.substr(0, 64)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
    return fail(Errc::protocol, fmt::format("{}: '{}' is not '<number>: <name>'", file, shown), std::string(file));
  };
  if (colon == std::string_view::npos) return bad();
  const auto number = parse_index(t.substr(0, colon));
  const std::string_view name = trim_view(t.substr(colon + 1));
  if (!number || name.empty()) return bad();
  return std::pair{*number, std::string(name)};
}

Result<RdmaScan> scan_rdma_sysfs(const fs::path& sysfs_root) {
  RdmaScan scan;
  std::error_code ec;
  if (!fs::exists(sysfs_root, ec)) {
    scan.note = fmt::format("no RDMA devices ({} is absent)", sysfs_root.string());
    return scan;
  }
  std::vector<std::string> devices;
  for (fs::directory_iterator it(sysfs_root, ec), end; !ec && it != end; it.increment(ec)) {
    if (fs::is_directory(it->path() / "ports")) devices.push_back(it->path().filename().string());
  }
  if (ec) return fail(Errc::io, fmt::format("list {}: {}", sysfs_root.string(), ec.message()));
  std::sort(devices.begin(), devices.end());
  for (const auto& device : devices) {
    const fs::path ports_dir = sysfs_root / device / "ports";
    auto numbers = numbered_entries(ports_dir);
    if (!numbers) return std::unexpected(numbers.error());
    const auto fw_ver = read_fw_ver(sysfs_root / device);
    for (const int number : *numbers) {
      auto port = read_port(device, number, ports_dir / std::to_string(number), fw_ver);
      if (!port) return std::unexpected(port.error().context(fmt::format("RDMA device {} port {}", device, number)));
      scan.ports.push_back(std::move(*port));
    }
  }
  if (scan.ports.empty()) scan.note = fmt::format("no RDMA devices ({} has no ports)", sysfs_root.string());
  return scan;
}

std::vector<const RdmaPort*> rdma_ports_for_netdev(const RdmaScan& scan, const std::string& netdev) {
  std::vector<const RdmaPort*> out;
  for (const auto& port : scan.ports) {
    if (std::find(port.netdevs.begin(), port.netdevs.end(), netdev) != port.netdevs.end()) out.push_back(&port);
  }
  return out;
}

}  // namespace mixnet::nic
