#pragma once
// How well a topology serves a demand matrix, before any switch is touched (docs/topologies.md,
// "Quality figures"). The model: a pair of hosts with k circuits sends its bytes, each direction,
// split evenly over its k circuits at the line rate; a pair without a circuit sends through the
// electrical switch, where each host's egress (and ingress) bytes share its electrical ports:
// bytes / (EPS ports x line rate). The matrix completes when the slowest circuit or host does.
#include <optional>
#include <string>

#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/topogen/demand_matrix.hpp"

namespace mixnet::coord::topogen {

inline constexpr double kDefaultLineRateGbps = 100.0;

struct QualityFigures {
  double network_bytes = 0;       // every off-diagonal byte of the matrix
  double intra_host_bytes = 0;    // never on the network (expert form: experts on one host)
  double circuit_bytes = 0;       // carried by circuits
  double eps_bytes = 0;           // left to the electrical switch
  int circuits = 0;
  double max_circuit_bytes = 0;   // the most loaded circuit, one direction
  std::string max_circuit_pair;   // "h1 - h2" (empty when no circuit carries anything)
  double line_rate_gbps = kDefaultLineRateGbps;
  double circuit_seconds = 0;     // the most loaded circuit's time
  double eps_seconds = 0;         // the most loaded host's electrical egress or ingress time
  std::string eps_bottleneck;     // "h3 egress" (empty when nothing goes electrical)
  double completion_seconds = 0;  // max of the two; infinite when a host with EPS demand has no EPS port

  [[nodiscard]] double served_fraction() const { return network_bytes > 0 ? circuit_bytes / network_bytes : 1.0; }
};

// The lowest `expect.speed_mbps` among the inventory's OCS and EPS ports that state one, in Gb/s;
// nullopt when none does.
std::optional<double> stated_line_rate_gbps(const Inventory& inventory);
// The line rate when none is given: stated_line_rate_gbps, else kDefaultLineRateGbps.
double default_line_rate_gbps(const Inventory& inventory);

QualityFigures evaluate_quality(const Topology& topology, const DemandMatrix& demand, const Inventory& inventory, double line_rate_gbps);

// Bytes for people: "1.234 GB", "56.000 kB", "12 B" (decimal units).
std::string quality_bytes_text(double bytes);

// A few lines of text: served vs electrical, the most loaded circuit, the completion estimate.
std::string format_quality(const QualityFigures& q);

}  // namespace mixnet::coord::topogen
