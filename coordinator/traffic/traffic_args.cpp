#include "coordinator/traffic/traffic_args.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/text.hpp"
#include "common/wire/traffic_api.hpp"
#include "coordinator/engine/module_args.hpp"

namespace mixnet::coord {

namespace {

Result<PortRef> inventory_port(const std::string& text, const Inventory& inventory, const std::string& field) {
  auto ref = PortRef::parse(text);
  if (!ref) return fail(Errc::invalid_argument, ref.error().message, field);
  if (auto p = inventory.find_port(*ref); !p) return fail(Errc::invalid_argument, p.error().message, field);
  return *ref;
}

}  // namespace

std::string_view to_string(TrafficPattern p) {
  switch (p) {
    case TrafficPattern::circuits: return "circuits";
    case TrafficPattern::pairs: return "pairs";
    case TrafficPattern::eps: return "eps";
  }
  return "?";
}

std::string_view to_string(TrafficDirection d) {
  switch (d) {
    case TrafficDirection::a_to_b: return "a-to-b";
    case TrafficDirection::b_to_a: return "b-to-a";
    case TrafficDirection::both: return "both";
  }
  return "?";
}

Result<std::pair<PortRef, PortRef>> parse_port_pair(const nlohmann::json& value, const Inventory& inventory,
                                                    const std::string& field) {
  std::string a_text, b_text;
  if (value.is_string()) {
    const std::string s = value.get<std::string>();
    const auto sep = s.find(" - ");
    if (sep == std::string::npos || s.find(" - ", sep + 3) != std::string::npos) {
      return fail(Errc::invalid_argument, "must be 'HOST:PORT - HOST:PORT' (a hyphen with spaces around it), got '" + s + "'",
                  field);
    }
    a_text = mixnet::trim(std::string_view(s).substr(0, sep));
    b_text = mixnet::trim(std::string_view(s).substr(sep + 3));
  } else if (value.is_array() && value.size() == 2 && value[0].is_string() && value[1].is_string()) {
    a_text = value[0].get<std::string>();
    b_text = value[1].get<std::string>();
  } else {
    return fail(Errc::invalid_argument, "must be 'HOST:PORT - HOST:PORT' or a list of two HOST:PORT", field);
  }
  auto a = inventory_port(a_text, inventory, field);
  if (!a) return std::unexpected(a.error());
  auto b = inventory_port(b_text, inventory, field);
  if (!b) return std::unexpected(b.error());
  if (*a == *b) return fail(Errc::invalid_argument, "a pair needs two different ports, got " + a->str() + " twice", field);
  return std::pair{*a, *b};
}

Result<void> check_traffic_run_keys(const nlohmann::json& args) {
  return module_args::only_keys(args, {"pattern", "topology", "pairs", "switches", "direction", "duration", "bytes", "streams",
                                   "transport", "sink", "threshold", "line_rate_gbps", "timeout", "parallel"});
}

Result<TrafficRunArgs> parse_traffic_run_args(const nlohmann::json& args, const Inventory& inventory,
                                              const TopologySet& topologies, bool partial) {
  if (auto ok = check_traffic_run_keys(args); !ok) return std::unexpected(ok.error());
  TrafficRunArgs out;

  auto pattern = module_args::string_arg(args, "pattern");
  if (!pattern) return std::unexpected(pattern.error());
  if (*pattern) {
    if (**pattern == "circuits") out.pattern = TrafficPattern::circuits;
    else if (**pattern == "pairs") out.pattern = TrafficPattern::pairs;
    else if (**pattern == "eps") out.pattern = TrafficPattern::eps;
    else return fail(Errc::invalid_argument, "must be circuits, pairs or eps, got '" + **pattern + "'", "pattern");
  }

  auto topology = module_args::string_arg(args, "topology");
  if (!topology) return std::unexpected(topology.error());
  if (*topology) {
    if (out.pattern != TrafficPattern::circuits) {
      return fail(Errc::invalid_argument, "only with pattern circuits", "topology");
    }
    if (topologies.find(**topology) == nullptr) {
      const auto names = topologies.names();
      const std::string known = names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "));
      return fail(Errc::invalid_argument, "unknown topology '" + **topology + "' (known: " + known + ")", "topology");
    }
    out.topology = *topology;
  }

  const bool has_pairs = args.is_object() && args.contains("pairs") && !args["pairs"].is_null();
  if (out.pattern == TrafficPattern::pairs) {
    if (!has_pairs) {
      if (!partial) return fail(Errc::invalid_argument, "required with pattern pairs: a list of 'HOST:PORT - HOST:PORT'", "pairs");
    } else {
      const auto& list = args["pairs"];
      if (!list.is_array() || list.empty()) {
        return fail(Errc::invalid_argument, "must be a non-empty list of 'HOST:PORT - HOST:PORT'", "pairs");
      }
      for (std::size_t i = 0; i < list.size(); ++i) {
        auto p = parse_port_pair(list[i], inventory, "pairs[" + std::to_string(i) + "]");
        if (!p) return std::unexpected(p.error());
        out.pairs.push_back(*p);
      }
    }
  } else if (has_pairs) {
    return fail(Errc::invalid_argument, "only with pattern pairs", "pairs");
  }

  if (args.is_object() && args.contains("switches") && !args["switches"].is_null()) {
    if (out.pattern != TrafficPattern::eps) return fail(Errc::invalid_argument, "only with pattern eps", "switches");
    const auto& list = args["switches"];
    if (!list.is_array()) return fail(Errc::invalid_argument, "must be a list of electrical switch names", "switches");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string field = "switches[" + std::to_string(i) + "]";
      if (!list[i].is_string()) return fail(Errc::invalid_argument, "must be a switch name", field);
      const std::string name = list[i].get<std::string>();
      const Switch* sw = inventory.find_switch(name);
      if (sw == nullptr) return fail(Errc::invalid_argument, "unknown switch '" + name + "'", field);
      if (sw->kind != SwitchKind::eps) return fail(Errc::invalid_argument, "switch '" + name + "' is not an electrical switch", field);
      if (std::find(out.eps_switches.begin(), out.eps_switches.end(), name) == out.eps_switches.end()) {
        out.eps_switches.push_back(name);
      }
    }
  }

  auto direction = module_args::string_arg(args, "direction");
  if (!direction) return std::unexpected(direction.error());
  if (*direction) {
    if (**direction == "a-to-b") out.direction = TrafficDirection::a_to_b;
    else if (**direction == "b-to-a") out.direction = TrafficDirection::b_to_a;
    else if (**direction == "both") out.direction = TrafficDirection::both;
    else return fail(Errc::invalid_argument, "must be a-to-b, b-to-a or both, got '" + **direction + "'", "direction");
  }

  auto duration = module_args::number_arg(args, "duration", 0.01, static_cast<double>(wire::kMaxTrafficDurationMs) / 1000.0);
  if (!duration) return std::unexpected(duration.error());
  auto bytes = module_args::number_arg(args, "bytes", 1, static_cast<double>(wire::kMaxTrafficBytes));
  if (!bytes) return std::unexpected(bytes.error());
  if (*duration && *bytes) return fail(Errc::invalid_argument, "give duration or bytes, not both", "bytes");
  if (*bytes) {
    if (std::floor(**bytes) != **bytes) return fail(Errc::invalid_argument, "must be a whole number of bytes", "bytes");
    out.bytes = static_cast<std::uint64_t>(**bytes);
  } else {
    out.duration_s = duration->value_or(kDefaultTrafficDurationS);
  }

  auto streams = module_args::number_arg(args, "streams", 1, wire::kMaxTrafficStreams);
  if (!streams) return std::unexpected(streams.error());
  if (*streams) {
    if (std::floor(**streams) != **streams) return fail(Errc::invalid_argument, "must be a whole number", "streams");
    out.streams = static_cast<std::uint32_t>(**streams);
  }

  auto transport = module_args::string_arg(args, "transport");
  if (!transport) return std::unexpected(transport.error());
  if (*transport) {
    // Whether the agents have an engine for it is theirs to say; here only its shape.
    auto t = wire::validate_transport(**transport, "transport");
    if (!t) return std::unexpected(t.error());
    out.transport = *t;
  }
  if (out.transport == "rdma" && out.bytes) {
    return fail(Errc::invalid_argument, "transport rdma runs for a duration: give duration, not bytes", "bytes");
  }
  if (args.is_object() && args.contains("sink") && !args["sink"].is_null()) {
    // The agents' own check (one reader of the field); here only so a playbook fails at load time.
    if (out.transport != "tcp") return fail(Errc::invalid_argument, "only with transport tcp", "sink");
    auto sink = wire::parse_tcp_sink(args["sink"], "sink");
    if (!sink) return std::unexpected(sink.error());
    out.sink = *sink;
  }

  auto threshold = module_args::number_arg(args, "threshold", 0, 1);
  if (!threshold) return std::unexpected(threshold.error());
  out.threshold = *threshold;
  auto line_rate = module_args::number_arg(args, "line_rate_gbps", 0.001, 100000);
  if (!line_rate) return std::unexpected(line_rate.error());
  out.line_rate_gbps = *line_rate;

  const double default_timeout = out.duration_s ? *out.duration_s + kTrafficTimeoutSlackS : kDefaultBytesTimeoutS;
  auto timeout = module_args::number_arg(args, "timeout", 0.1, 86400);
  if (!timeout) return std::unexpected(timeout.error());
  out.timeout_s = timeout->value_or(default_timeout);
  if (out.duration_s && out.timeout_s <= *out.duration_s) {
    return fail(Errc::invalid_argument, "must be longer than duration (" + nlohmann::json(*out.duration_s).dump() + " s)",
                "timeout");
  }

  auto parallel = module_args::number_arg(args, "parallel", 0, 100000);
  if (!parallel) return std::unexpected(parallel.error());
  if (*parallel) {
    if (std::floor(**parallel) != **parallel) return fail(Errc::invalid_argument, "must be a whole number", "parallel");
    out.parallel = static_cast<std::size_t>(**parallel);
  }
  return out;
}

}  // namespace mixnet::coord
