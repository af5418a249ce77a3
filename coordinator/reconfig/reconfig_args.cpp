#include "coordinator/reconfig/reconfig_args.hpp"

#include <fmt/format.h>

#include "coordinator/engine/module.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/engine/module_args.hpp"

namespace mixnet::coord {

std::string ReconfigArgs::title() const {
  std::string title = "reconfig-latency: ";
  for (std::size_t i = 0; i < topologies.size(); ++i) title += (i ? " <-> " : "") + topologies[i]->name;
  return title;
}

Result<ReconfigArgs> parse_reconfig_args(const nlohmann::json& args, const TopologySet& set, bool check_topologies) {
  if (auto ok = module_args::only_keys(args, {"topologies", "repetitions", "deadline", "settle", "clock_samples", "ground_truth",
                                          "truth_bound_ms", "traffic", "identity_probe"});
      !ok) {
    return std::unexpected(ok.error());
  }
  ReconfigArgs a;
  if (!args.is_object() || !args.contains("topologies")) return fail(Errc::invalid_argument, "required: a list of topologies to alternate", "topologies");
  if (check_topologies || !is_templated(args.at("topologies"))) {
    const auto& list = args.at("topologies");
    if (!list.is_array() || list.size() < 2) return fail(Errc::invalid_argument, "must be a list of at least two topology names", "topologies");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string field = fmt::format("topologies[{}]", i);
      if (!list[i].is_string()) return fail(Errc::invalid_argument, "must be a topology name", field);
      const Topology* t = set.find(list[i].get<std::string>());
      if (t == nullptr) return fail(Errc::invalid_argument, "unknown topology '" + list[i].get<std::string>() + "'", field);
      a.topologies.push_back(t);
    }
  }
  struct Num {
    const char* key;
    double min, max;
  };
  for (const Num& n : {Num{"repetitions", 1, 10000}, Num{"deadline", 0.1, 3600}, Num{"settle", 0, 60}, Num{"clock_samples", 1, 100},
                       Num{"truth_bound_ms", 0.001, 60000}}) {
    if (!check_topologies && module_args::templated(args, n.key)) continue;
    auto v = module_args::number_arg(args, n.key, n.min, n.max);
    if (!v) return std::unexpected(v.error());
    if (!*v) continue;
    const std::string k = n.key;
    if (k == "repetitions") a.repetitions = static_cast<int>(**v);
    if (k == "deadline") a.deadline_s = **v;
    if (k == "settle") a.settle_s = **v;
    if (k == "clock_samples") a.clock_samples = static_cast<int>(**v);
    if (k == "truth_bound_ms") a.truth_bound_ms = **v;
  }
  if (check_topologies || !module_args::templated(args, "ground_truth")) {
    auto g = module_args::bool_arg(args, "ground_truth");
    if (!g) return std::unexpected(g.error());
    if (*g) a.ground_truth = **g;
  }
  if (check_topologies || !module_args::templated(args, "identity_probe")) {
    auto p = module_args::string_arg(args, "identity_probe");
    if (!p) return std::unexpected(p.error());
    if (*p && **p != "at_link_up" && **p != "after_all_up") {
      return fail(Errc::invalid_argument, "must be at_link_up or after_all_up, got '" + **p + "'", "identity_probe");
    }
    a.probe_after_all_up = *p && **p == "after_all_up";
  }
  if (args.contains("traffic") && (check_topologies || !is_templated(args.at("traffic")))) {
    auto t = parse_reconfig_traffic(args.at("traffic"));
    if (!t) return std::unexpected(t.error());
    a.traffic = *t;
  }
  return a;
}

}  // namespace mixnet::coord
