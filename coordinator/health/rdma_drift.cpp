#include "coordinator/health/rdma_drift.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mixnet::coord::health {

namespace {

constexpr const char* kDevice = "rdma_device";
constexpr const char* kLinkLayer = "rdma_link_layer";
constexpr const char* kFwVer = "rdma_fw_ver";
constexpr const char* kGids = "rdma_gids";

// "mlx5_0 port 1", "mlx5_0", "port 1 of an RDMA device", "an RDMA device".
std::string wanted_port(const RdmaExpect& want) {
  if (want.device && want.port) return fmt::format("{} port {}", *want.device, *want.port);
  if (want.device) return *want.device;
  if (want.port) return fmt::format("port {} of an RDMA device", *want.port);
  return "an RDMA device";
}

std::string reported_ports(const std::vector<wire::RdmaPortInfo>& ports) {
  std::vector<std::string> names;
  for (const auto& r : ports) names.push_back(fmt::format("{} port {}", r.device, r.port));
  return fmt::format("{}", fmt::join(names, ", "));
}

struct Findings {
  const std::string& part;
  std::vector<Finding> out;

  void add(Severity severity, const char* figure, std::string message, std::optional<double> value = {},
           std::optional<double> reference = {}) {
    out.push_back(Finding{.severity = severity, .kind = PartKind::port, .part = part, .figure = figure, .rule = kDriftRule,
                          .message = std::move(message), .value = value, .reference = reference});
  }
  // Every expectation beyond the device itself, unjudged for the same reason.
  void unknown_rest(const RdmaExpect& want, const std::string& why) {
    if (want.link_layer) add(Severity::unknown, kLinkLayer, fmt::format("link layer (expected {}) {}", *want.link_layer, why));
    if (want.fw_ver) add(Severity::unknown, kFwVer, fmt::format("firmware (expected {}) {}", *want.fw_ver, why));
    if (!want.gids.empty() || want.gid_count) add(Severity::unknown, kGids, fmt::format("GID table {}", why));
  }
};

// The table's distinct GIDs, in the inventory's form (sysfs's, whatever case the agent sent).
std::set<std::string> gid_values(const wire::RdmaPortInfo& port) {
  std::set<std::string> out;
  for (const auto& g : port.gids) out.insert(normalize_gid(g.gid).value_or(g.gid));
  return out;
}

void compare_gids(Findings& f, const RdmaExpect& want, const wire::RdmaPortInfo& got) {
  const std::string where = fmt::format("{} port {}", got.device, got.port);
  if (!want.gids.empty()) {
    const auto have = gid_values(got);
    std::vector<std::string> missing;
    std::vector<std::string> extra;
    for (const auto& g : want.gids) {
      if (!have.contains(g)) missing.push_back(g);
    }
    for (const auto& g : have) {
      if (std::ranges::find(want.gids, g) == want.gids.end()) extra.push_back(g);
    }
    if (!missing.empty() || !extra.empty()) {
      std::vector<std::string> parts;
      if (!missing.empty()) parts.push_back(fmt::format("missing {}", fmt::join(missing, ", ")));
      if (!extra.empty()) parts.push_back(fmt::format("not in the inventory {}", fmt::join(extra, ", ")));
      f.add(Severity::critical, kGids, fmt::format("GID table of {} differs: {}", where, fmt::join(parts, "; ")));
    }
  }
  if (want.gid_count && static_cast<int>(got.gids.size()) != *want.gid_count) {
    f.add(Severity::critical, kGids, fmt::format("GID table of {} has {} entries, expected {}", where, got.gids.size(), *want.gid_count),
          static_cast<double>(got.gids.size()), static_cast<double>(*want.gid_count));
  }
}

}  // namespace

std::vector<Finding> rdma_drift(const std::string& part, const RdmaExpect& want, const wire::PortInfo& got,
                                const wire::RdmaSummary& host_rdma) {
  Findings f{.part = part, .out = {}};
  const auto matches = [&](const wire::RdmaPortInfo& r) {
    return (!want.device || r.device == *want.device) && (!want.port || r.port == *want.port);
  };
  const auto found = std::ranges::find_if(got.rdma, matches);
  if (found == got.rdma.end()) {
    if (got.rdma.empty() && !host_rdma.available) {
      // Nothing to read on this host: unknown, not a pass and not a mismatch either.
      const std::string why = fmt::format("cannot be read: the host reports no RDMA device ({})", host_rdma.note);
      f.add(Severity::unknown, kDevice, fmt::format("expected {}: {}", wanted_port(want), why));
      f.unknown_rest(want, why);
      return std::move(f.out);
    }
    f.add(Severity::critical, kDevice,
          got.rdma.empty() ? fmt::format("the netdev belongs to no RDMA device (no GID names it), expected {}", wanted_port(want))
                           : fmt::format("RDMA port is {}, expected {}", reported_ports(got.rdma), wanted_port(want)));
    f.unknown_rest(want, fmt::format("not compared: {} is not there", wanted_port(want)));
    return std::move(f.out);
  }
  const wire::RdmaPortInfo& port = *found;
  const std::string where = fmt::format("{} port {}", port.device, port.port);
  if (want.link_layer) {
    if (port.link_layer.empty()) {
      f.add(Severity::unknown, kLinkLayer, fmt::format("link layer of {} cannot be read (expected {})", where, *want.link_layer));
    } else if (port.link_layer != *want.link_layer) {
      f.add(Severity::critical, kLinkLayer, fmt::format("link layer of {} is {}, expected {}", where, port.link_layer, *want.link_layer));
    }
  }
  if (want.fw_ver) {
    if (!port.fw_ver || port.fw_ver->empty()) {
      f.add(Severity::unknown, kFwVer,
            fmt::format("firmware of {} cannot be read (the agent does not report fw_ver), expected {}", port.device, *want.fw_ver));
    } else if (*port.fw_ver != *want.fw_ver) {
      f.add(Severity::warning, kFwVer, fmt::format("firmware of {} is {}, expected {}", port.device, *port.fw_ver, *want.fw_ver));
    }
  }
  compare_gids(f, want, port);
  return std::move(f.out);
}

}  // namespace mixnet::coord::health
