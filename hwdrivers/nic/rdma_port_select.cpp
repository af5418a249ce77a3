#include "hwdrivers/nic/rdma_port_select.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <tuple>

#include <fmt/format.h>

namespace mixnet::nic {

namespace {

std::string gid_text(const std::array<std::uint8_t, 16>& b) {
  return fmt::format("{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}",
                     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                     b[15]);
}

std::optional<std::array<std::uint8_t, 16>> gid_bytes(const std::string& gid) {
  in6_addr a{};
  if (inet_pton(AF_INET6, gid.c_str(), &a) != 1) return std::nullopt;
  std::array<std::uint8_t, 16> out{};
  std::copy(std::begin(a.s6_addr), std::end(a.s6_addr), out.begin());
  return out;
}

bool v4_mapped(const std::array<std::uint8_t, 16>& b) {
  for (int i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

bool link_local(const std::array<std::uint8_t, 16>& b) { return b[0] == 0xfe && (b[1] & 0xc0) == 0x80; }

bool roce_v2(const std::string& type) { return type.find("v2") != std::string::npos; }

std::string list_ports(const RdmaScan& scan) {
  std::string out;
  for (const auto& p : scan.ports) {
    out += (out.empty() ? "" : ", ") + p.device + "/" + std::to_string(p.port);
    if (!p.netdevs.empty()) {
      out += " (";
      for (std::size_t i = 0; i < p.netdevs.size(); ++i) out += (i ? " " : "") + p.netdevs[i];
      out += ")";
    }
  }
  return out;
}

}  // namespace

Result<const RdmaPort*> rdma_port_of_netdev(const RdmaScan& scan, const std::string& netdev) {
  const std::string head = "port " + netdev + " has no RDMA device: ";
  if (scan.ports.empty()) {
    return fail(Errc::unavailable, head + (scan.note.empty() ? std::string("no RDMA devices") : scan.note), "port");
  }
  const auto ports = rdma_ports_for_netdev(scan, netdev);
  if (ports.empty()) {
    return fail(Errc::unavailable,
                head + "no GID of the host's RDMA ports (" + list_ports(scan) + ") names it in gid_attrs/ndevs",
                "port");
  }
  // A netdev belongs to one RDMA port; two would be a bonded or odd setup: take the first, as the
  // inventory lists them, which is deterministic (devices and ports are scanned in order).
  return ports.front();
}

Result<std::string> gid_of_address(const std::string& address) {
  std::array<std::uint8_t, 16> b{};
  in_addr a4{};
  in6_addr a6{};
  if (inet_pton(AF_INET, address.c_str(), &a4) == 1) {
    b[10] = 0xff;
    b[11] = 0xff;
    const auto* p = reinterpret_cast<const std::uint8_t*>(&a4.s_addr);
    std::copy(p, p + 4, b.begin() + 12);
  } else if (inet_pton(AF_INET6, address.c_str(), &a6) == 1) {
    std::copy(std::begin(a6.s6_addr), std::end(a6.s6_addr), b.begin());
  } else {
    return fail(Errc::invalid_argument, "not an IP address: '" + address + "'", "address");
  }
  return gid_text(b);
}

Result<GidEntry> select_gid(const RdmaPort& port, const std::string& netdev, const std::string& address,
                            std::optional<std::uint32_t> explicit_index) {
  const std::string where = port.device + "/" + std::to_string(port.port);
  if (explicit_index) {
    for (const auto& g : port.gids) {
      if (g.index != static_cast<int>(*explicit_index)) continue;
      if (g.netdev != netdev) {
        return fail(Errc::invalid_argument,
                    fmt::format("GID {} of {} belongs to {}, not {}", *explicit_index, where,
                                g.netdev.empty() ? "no netdev" : g.netdev, netdev),
                    "rdma.gid_index");
      }
      return g;
    }
    return fail(Errc::invalid_argument, fmt::format("{} has no valid GID at index {}", where, *explicit_index),
                "rdma.gid_index");
  }

  std::optional<std::array<std::uint8_t, 16>> own;
  bool want_v4 = true;  // perftest without --ipv6
  if (!address.empty()) {
    auto gid = gid_of_address(address);
    if (!gid) return std::unexpected(gid.error());
    own = gid_bytes(*gid);
    want_v4 = own && v4_mapped(*own);
  }
  const GidEntry* best = nullptr;
  std::tuple<bool, bool, bool, bool> best_rank{};
  for (const auto& g : port.gids) {
    if (g.netdev != netdev) continue;
    const auto bytes = gid_bytes(g.gid);
    if (!bytes) continue;  // sysfs never prints such a GID; skip rather than guess
    const std::tuple<bool, bool, bool, bool> rank{own && *own == *bytes, v4_mapped(*bytes) == want_v4,
                                                  !link_local(*bytes), roce_v2(g.type)};
    if (best == nullptr || rank > best_rank) {  // ties keep the lower index (the scan is in order)
      best = &g;
      best_rank = rank;
    }
  }
  if (best == nullptr) {
    return fail(Errc::unavailable, fmt::format("port {} has no usable GID on {}: no GID names it", netdev, where),
                "port");
  }
  return *best;
}

Result<RdmaTarget> resolve_rdma_target(const RdmaScan& scan, const std::string& netdev, const std::string& address,
                                       std::optional<std::uint32_t> explicit_index) {
  auto port = rdma_port_of_netdev(scan, netdev);
  if (!port) return std::unexpected(port.error());
  auto gid = select_gid(**port, netdev, address, explicit_index);
  if (!gid) return std::unexpected(gid.error());
  return RdmaTarget{.device = (*port)->device, .port = (*port)->port, .gid = std::move(*gid)};
}

}  // namespace mixnet::nic
