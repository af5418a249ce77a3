#include "hwdrivers/nic/port_counters.hpp"

#include <charconv>
#include <cstdint>
#include <limits>
#include <system_error>

#include <fmt/format.h>

#include "hwdrivers/nic/sysfs_attribute.hpp"

namespace mixnet::nic {

namespace fs = std::filesystem;

namespace {

// IB data counters count 32-bit words; we report octets.
constexpr std::uint64_t kOctetsPerDataUnit = 4;

using wire::Absence;
using wire::CounterReading;

// A counter file: a decimal count, or absent with the reason (missing, unreadable, not a number).
CounterReading read_counter(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return CounterReading::absent(Absence::missing, fmt::format("no file {}", path.string()));
  auto text = read_sysfs_attribute(path);
  if (!text) return CounterReading::absent(Absence::unreadable, text.error().message);
  std::uint64_t value = 0;
  const char* begin = text->data();
  const char* end = begin + text->size();
  const auto [stop, err] = std::from_chars(begin, end, value);
  if (text->empty() || err != std::errc{} || stop != end) {
    // Some drivers answer "N/A (no PMA)"; keep the reason short and printable.
    std::string shown;
    for (const char c : text->substr(0, 40)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
    return CounterReading::absent(Absence::unreadable, fmt::format("{}: not a count: '{}'", path.string(), shown));
  }
  return CounterReading::of(value);
}

wire::IbPortCounters read_ib_counters(const RdmaPort& port, const fs::path& sysfs_root) {
  wire::IbPortCounters ib{port.device, static_cast<std::uint32_t>(port.port), {}};
  const fs::path dir = sysfs_root / "class" / "infiniband" / port.device / "ports" / std::to_string(port.port) / "counters";
  for (const auto& name : ib_counter_names()) {
    if (name == "port_xmit_octets" || name == "port_rcv_octets") {
      const std::string file = name == "port_xmit_octets" ? "port_xmit_data" : "port_rcv_data";
      auto words = read_counter(dir / file);
      if (words.value && *words.value > std::numeric_limits<std::uint64_t>::max() / kOctetsPerDataUnit) {
        words = CounterReading::absent(Absence::unreadable,
                                       fmt::format("{} = {} words is too large to count in octets", file, *words.value));
      } else if (words.value) {
        *words.value *= kOctetsPerDataUnit;
      }
      ib.counters.emplace(name, std::move(words));
      continue;
    }
    ib.counters.emplace(name, read_counter(dir / name));
  }
  return ib;
}

}  // namespace

const std::vector<std::string>& netdev_counter_names() {
  static const std::vector<std::string> names = {
      "carrier_changes",
      "collisions",
      "rx_bytes",
      "rx_crc_errors",
      "rx_dropped",
      "rx_errors",
      "rx_fifo_errors",
      "rx_frame_errors",
      "rx_length_errors",
      "rx_missed_errors",
      "rx_over_errors",
      "rx_packets",
      "tx_aborted_errors",
      "tx_bytes",
      "tx_carrier_errors",
      "tx_dropped",
      "tx_errors",
      "tx_fifo_errors",
      "tx_packets",
  };
  return names;
}

const std::vector<std::string>& ib_counter_names() {
  static const std::vector<std::string> names = {
      "excessive_buffer_overrun_errors",
      "link_downed",
      "link_error_recovery",
      "local_link_integrity_errors",
      "port_rcv_errors",
      "port_rcv_octets",
      "port_rcv_packets",
      "port_rcv_remote_physical_errors",
      "port_xmit_discards",
      "port_xmit_octets",
      "port_xmit_packets",
      "symbol_error",
  };
  return names;
}

Result<wire::PortCounters> read_port_counters(const std::string& netdev, const RdmaScan& rdma,
                                              const fs::path& sysfs_root) {
  const fs::path dir = sysfs_root / "class" / "net" / netdev;
  std::error_code ec;
  if (netdev.empty() || netdev.find('/') != std::string::npos || !fs::is_directory(dir, ec)) {
    return fail(Errc::not_found, fmt::format("no netdev '{}' under {}", netdev, (sysfs_root / "class" / "net").string()),
                "port");
  }
  wire::PortCounters port;
  port.name = netdev;
  if (auto ifindex = read_counter(dir / "ifindex"); ifindex.value && *ifindex.value > 0 && *ifindex.value <= UINT32_MAX) {
    port.ifindex = static_cast<std::uint32_t>(*ifindex.value);
  }
  for (const auto& name : netdev_counter_names()) {
    // carrier_changes sits beside statistics/, not in it.
    const fs::path file = name == "carrier_changes" ? dir / name : dir / "statistics" / name;
    port.netdev.emplace(name, read_counter(file));
  }
  const auto rdma_ports = rdma_ports_for_netdev(rdma, netdev);
  if (!rdma_ports.empty()) port.ib = read_ib_counters(*rdma_ports.front(), sysfs_root);
  return port;
}

Result<std::string> read_boot_id(const fs::path& path) {
  auto text = read_sysfs_attribute(path);
  if (!text) return std::unexpected(text.error().context("boot id"));
  if (text->empty()) return fail(Errc::protocol, fmt::format("boot id: {} is empty", path.string()), "boot_id");
  return std::move(*text);
}

}  // namespace mixnet::nic
