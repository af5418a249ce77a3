#include "coordinator/topogen/demand_matrix.hpp"

#include <cmath>

#include <fmt/format.h>

#include "coordinator/model/yaml_util.hpp"

namespace mixnet::coord::topogen {

std::size_t DemandMatrix::index_of(std::string_view host) const {
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (hosts[i] == host) return i;
  }
  return npos;
}

double DemandMatrix::at(std::string_view from, std::string_view to) const {
  const auto i = index_of(from);
  const auto j = index_of(to);
  return i == npos || j == npos ? 0.0 : bytes[i][j];
}

double DemandMatrix::network_bytes() const {
  double total = 0;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    for (std::size_t j = 0; j < hosts.size(); ++j) {
      if (i != j) total += bytes[i][j];
    }
  }
  return total;
}

std::vector<std::vector<double>> DemandMatrix::pair_weights(const std::vector<std::string>& order) const {
  std::vector<std::vector<double>> w(order.size(), std::vector<double>(order.size(), 0.0));
  for (std::size_t i = 0; i < order.size(); ++i) {
    for (std::size_t j = i + 1; j < order.size(); ++j) {
      w[i][j] = w[j][i] = at(order[i], order[j]) + at(order[j], order[i]);
    }
  }
  return w;
}

Result<DemandMatrix> read_demand_file(const std::string& path) {
  auto text = yamlx::read_file(path);
  if (!text) return std::unexpected(text.error());
  const bool csv = path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0;
  return csv ? parse_demand_csv(*text, path) : parse_demand_json(*text, path);
}

Result<void> check_demand_hosts(const DemandMatrix& demand, const Inventory& inventory) {
  for (const auto& host : demand.hosts) {
    if (inventory.find_host(host) == nullptr) {
      return fail(Errc::invalid_argument, fmt::format("{}: host '{}' is not in the inventory", demand.source, host), "hosts");
    }
  }
  return {};
}

}  // namespace mixnet::coord::topogen
