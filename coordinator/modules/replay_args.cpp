#include "coordinator/modules/replay_args.hpp"

#include <cmath>

#include <fmt/format.h>

#include "coordinator/engine/module.hpp"
#include "coordinator/engine/module_args.hpp"

namespace mixnet::coord {

namespace {

Result<replay::ReplayMode> replay_mode_named(const nlohmann::json& v, const std::string& field) {
  using replay::ReplayMode;
  if (v.is_string()) {
    for (const ReplayMode m : {ReplayMode::reconfigured, ReplayMode::fixed, ReplayMode::electrical}) {
      if (v.get<std::string>() == replay::mode_name(m)) return m;
    }
  }
  return fail(Errc::invalid_argument, fmt::format("must be reconfigured, static or electrical, got {}", v.dump()), field);
}

}  // namespace

Result<ReplayArgs> parse_replay_args(const nlohmann::json& args, bool resolved) {
  if (auto ok = module_args::only_keys(args, {"trace", "layers", "modes", "line_rate_gbps", "layer_seconds", "scale", "deadline", "layer_timeout"});
      !ok) {
    return std::unexpected(ok.error());
  }
  ReplayArgs a;
  const auto skip = [&](std::string_view key) { return !resolved && module_args::templated(args, key); };
  if (!skip("trace")) {
    auto t = module_args::string_arg(args, "trace");
    if (!t) return std::unexpected(t.error());
    if (!*t || (*t)->empty()) return fail(Errc::invalid_argument, "required: the MoE trace file to replay", "trace");
    a.trace = **t;
  }
  if (!skip("modes") && args.contains("modes")) {
    const auto& list = args.at("modes");
    if (!list.is_array() || list.empty()) return fail(Errc::invalid_argument, "must be a non-empty list of modes", "modes");
    a.modes.clear();
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto m = replay_mode_named(list[i], fmt::format("modes[{}]", i));
      if (!m) return std::unexpected(m.error());
      for (const auto seen : a.modes) {
        if (seen == *m) return fail(Errc::invalid_argument, fmt::format("'{}' is listed twice", replay::mode_name(*m)), fmt::format("modes[{}]", i));
      }
      a.modes.push_back(*m);
    }
  }
  if (args.contains("scale") && args.contains("layer_seconds")) {
    return fail(Errc::invalid_argument, "give either scale or layer_seconds, not both", "scale");
  }
  struct Num {
    const char* key;
    double min, max;
  };
  for (const Num& n : {Num{"layers", 0, 100000}, Num{"line_rate_gbps", 0, 1e4}, Num{"layer_seconds", 0.001, 3600}, Num{"scale", 1e-15, 1e15},
                       Num{"deadline", 0.1, 3600}, Num{"layer_timeout", 0.1, 86400}}) {
    if (skip(n.key)) continue;
    auto v = module_args::number_arg(args, n.key, n.min, n.max);
    if (!v) return std::unexpected(v.error());
    if (!*v) continue;
    const std::string k = n.key;
    const double x = **v;
    if (k == "layers") {
      if (x != std::floor(x)) return fail(Errc::invalid_argument, "must be a whole number of layers", "layers");
      if (x > 0) a.layers = static_cast<std::size_t>(x);   // 0: every layer (a playbook var's default)
    }
    if (k == "line_rate_gbps" && x > 0) a.line_rate_gbps = x;   // 0: the inventory's
    if (k == "layer_seconds") a.layer_seconds = x;
    if (k == "scale") a.scale = x;
    if (k == "deadline") a.deadline_s = x;
    if (k == "layer_timeout") a.layer_timeout_s = x;
  }
  return a;
}

}  // namespace mixnet::coord
