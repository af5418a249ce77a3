// The demand's scaling and the whole trace's demand (replay_plan.hpp). A replay on shaped lab
// ports must be bounded by those ports: the trace's bytes are scaled so the heaviest layer takes
// a chosen time on the electrical switch alone, the slowest of the three modes.
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "coordinator/replay/replay_plan.hpp"
#include "coordinator/topogen/quality.hpp"

namespace mixnet::coord::replay {

namespace {

// The first host of the layer that sends or receives bytes over the network yet has no
// electrical port, or nullptr. Electrical only, its bytes could never leave or arrive.
const std::string* scaling_host_without_eps(const topogen::DemandMatrix& layer, const Inventory& inventory) {
  const std::size_t n = layer.hosts.size();
  for (std::size_t h = 0; h < n; ++h) {
    bool busy = false;
    for (std::size_t o = 0; o < n && !busy; ++o) busy = o != h && (layer.bytes[h][o] > 0 || layer.bytes[o][h] > 0);
    if (busy && electrical_ports(*inventory.find_host(layer.hosts[h])).empty()) return &layer.hosts[h];
  }
  return nullptr;
}

}  // namespace

Result<ReplayScaling> choose_scaling(const std::vector<topogen::DemandMatrix>& layers, const Inventory& inventory,
                                     double line_rate_gbps, double target_layer_s) {
  if (!std::isfinite(target_layer_s) || target_layer_s <= 0) {
    return fail(Errc::invalid_argument, fmt::format("the target time of a layer must be > 0 s, got {}", target_layer_s), "target_layer_s");
  }
  if (!std::isfinite(line_rate_gbps) || line_rate_gbps <= 0) {
    return fail(Errc::invalid_argument, fmt::format("the line rate must be > 0 Gb/s, got {}", line_rate_gbps), "line_rate_gbps");
  }
  const Topology electrical_only{.name = "electrical"};
  ReplayScaling scaling;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto& layer = layers[l];
    if (auto known = topogen::check_demand_hosts(layer, inventory); !known) {
      Error e = known.error();
      e.field = fmt::format("layers[{}].hosts", l);
      return std::unexpected(e);
    }
    if (const auto* host = scaling_host_without_eps(layer, inventory)) {
      return fail(Errc::invalid_argument,
                  fmt::format("layer {} ({}): host {} sends or receives bytes over the network but has no electrical port: on the "
                              "electrical switch alone the layer would never complete",
                              l, layer.source, *host),
                  fmt::format("layers[{}]", l));
    }
    const auto q = topogen::evaluate_quality(electrical_only, layer, inventory, line_rate_gbps);
    if (q.network_bytes > 0 && q.completion_seconds > scaling.heaviest_unscaled_s) {
      scaling.heaviest_unscaled_s = q.completion_seconds;
      scaling.heaviest_layer = l;
    }
  }
  if (scaling.heaviest_unscaled_s <= 0) {
    return fail(Errc::invalid_argument,
                fmt::format("nothing to replay: the trace's {} {} no byte between hosts", layers.size(), layers.size() == 1 ? "layer carries" : "layers carry"),
                "layers");
  }
  scaling.factor = target_layer_s / scaling.heaviest_unscaled_s;
  scaling.reason = fmt::format(
      "so its heaviest layer (layer {}) takes {:.3f} s on the electrical switch alone at {:g} Gb/s per port ({:.3f} s unscaled), and "
      "the links, not the hosts' CPUs, are the bottleneck",
      scaling.heaviest_layer, target_layer_s, line_rate_gbps, scaling.heaviest_unscaled_s);
  return scaling;
}

topogen::DemandMatrix scale_demand(const topogen::DemandMatrix& matrix, double factor) {
  topogen::DemandMatrix scaled = matrix;
  for (auto& row : scaled.bytes) {
    for (auto& bytes : row) bytes *= factor;
  }
  scaled.intra_host_bytes *= factor;
  return scaled;
}

topogen::DemandMatrix sum_layers(const std::vector<topogen::DemandMatrix>& layers) {
  topogen::DemandMatrix sum;
  std::map<std::string, std::size_t> index;
  for (const auto& layer : layers) {
    for (const auto& host : layer.hosts) {
      if (index.emplace(host, sum.hosts.size()).second) sum.hosts.push_back(host);
    }
  }
  sum.bytes.assign(sum.hosts.size(), std::vector<double>(sum.hosts.size(), 0.0));
  for (const auto& layer : layers) {
    for (std::size_t i = 0; i < layer.hosts.size(); ++i) {
      for (std::size_t j = 0; j < layer.hosts.size(); ++j) sum.bytes[index[layer.hosts[i]]][index[layer.hosts[j]]] += layer.bytes[i][j];
    }
    sum.intra_host_bytes += layer.intra_host_bytes;
  }
  sum.source = fmt::format("the sum of {} layer{}", layers.size(), layers.size() == 1 ? "" : "s");
  return sum;
}

}  // namespace mixnet::coord::replay
