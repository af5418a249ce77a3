#include "coordinator/health/optical_power.hpp"

#include <fmt/format.h>

#include "coordinator/model/inventory.hpp"
#include "coordinator/model/unmapped_cabling.hpp"

namespace mixnet::coord::health {

namespace {

void overlay(PowerLimits& limits, const OcsPowerThresholds& t) {
  if (t.min_input_dbm) limits.min_input_dbm = *t.min_input_dbm;
  if (t.warn_input_dbm) limits.warn_input_dbm = *t.warn_input_dbm;
  if (t.max_loss_db) limits.max_loss_db = *t.max_loss_db;
  if (t.warn_loss_db) limits.warn_loss_db = *t.warn_loss_db;
  if (t.dark_dbm) limits.dark_dbm = *t.dark_dbm;
}

// The switch's circuits seen from each port: who feeds it and whom it feeds.
struct CircuitIndex {
  std::map<std::string, std::string> fed_by;   // port -> the port whose light reaches it
  std::map<std::string, std::string> feeds;    // port -> the port its light goes to

  explicit CircuitIndex(const std::vector<ocs::CrossConnect>& circuits) {
    for (const auto& c : circuits) {
      feeds[c.from] = c.to;
      fed_by[c.to] = c.from;
      if (c.bidirectional) {
        feeds[c.to] = c.from;
        fed_by[c.from] = c.to;
      }
    }
  }
  [[nodiscard]] std::optional<std::string> source_of(const std::string& port) const {
    const auto it = fed_by.find(port);
    return it == fed_by.end() ? std::nullopt : std::optional(it->second);
  }
  [[nodiscard]] std::optional<std::string> target_of(const std::string& port) const {
    const auto it = feeds.find(port);
    return it == feeds.end() ? std::nullopt : std::optional(it->second);
  }
};

class SwitchJudge {
 public:
  explicit SwitchJudge(const SwitchPowerInput& in) : in_(in), circuits_(in.circuits) {
    if (in.readings) {
      for (const auto& r : *in.readings) reading_[r.port] = r.dbm;
    }
    for (const auto& c : in.cabled) cabled_[c.switch_port] = &c;
  }

  SwitchPowerJudgement run() {
    for (const auto& port : in_.cabled) judge(port);
    return std::move(out_);
  }

 private:
  [[nodiscard]] std::string part(const std::string& switch_port) const { return in_.switch_name + "/" + switch_port; }

  [[nodiscard]] std::optional<double> reading(const std::string& port) const {
    const auto it = reading_.find(port);
    return it == reading_.end() ? std::nullopt : std::optional(it->second);
  }

  [[nodiscard]] std::string why_unreadable(const std::string& port) const {
    if (!in_.readings) return "the switch's power could not be read: " + in_.read_error;
    return fmt::format("the switch gave no reading for port {}", port);
  }

  // An input carries light when a NIC's transmitter is cabled to it (or its reading shows light).
  [[nodiscard]] bool input_lit(const std::string& port, const PowerLimits& limits) const {
    if (cabled_.contains(port)) return true;
    const auto r = reading(port);
    return r && *r > limits.dark_dbm;
  }

  void observe(const OcsPortPower& p, const char* figure, std::optional<double> value, const char* unit, std::string why_missing) {
    Observation o;
    o.kind = PartKind::ocs_port;
    o.part = p.part;
    o.figure = figure;
    o.value = value;
    o.unit = unit;
    o.source = kPowerSource;
    if (!value) o.why_missing = std::move(why_missing);
    o.at_ns = in_.at_ns;
    out_.observations.push_back(std::move(o));
  }

  void find(OcsPortPower& p, Severity severity, const char* figure, const char* rule, std::string message,
            std::optional<double> value, std::optional<double> reference) {
    Finding f;
    f.severity = severity;
    f.kind = PartKind::ocs_port;
    f.part = p.part;
    f.figure = figure;
    f.rule = rule;
    f.message = message;
    f.value = value;
    f.reference = reference;
    out_.findings.push_back(std::move(f));
    // The item shows the worst finding (the first of equals).
    if (p.rule.empty() || static_cast<int>(severity) > static_cast<int>(p.severity)) {
      p.severity = worse(p.severity, severity);
      p.rule = rule;
      p.message = std::move(message);
    }
  }

  // Light arriving from the NIC (an input) or from the far end (a duplex port) against the
  // input limits.
  void judge_arriving(OcsPortPower& p, const PowerLimits& limits, const char* figure, const std::string& context) {
    const double dbm = *p.dbm;
    if (dbm <= limits.dark_dbm) {
      find(p, Severity::critical, figure, kDarkRule, fmt::format("reads dark ({:.2f} dBm) {}", dbm, context), dbm, limits.dark_dbm);
    } else if (dbm < limits.min_input_dbm) {
      find(p, Severity::critical, figure, kMinInputRule, fmt::format("reads {:.2f} dBm < min {:.1f} dBm {}", dbm, limits.min_input_dbm, context),
           dbm, limits.min_input_dbm);
    } else if (limits.warn_input_dbm && dbm < *limits.warn_input_dbm) {
      find(p, Severity::warning, figure, kWarnInputRule,
           fmt::format("reads {:.2f} dBm < warning level {:.1f} dBm {}", dbm, *limits.warn_input_dbm, context), dbm, *limits.warn_input_dbm);
    }
  }

  void judge_input(OcsPortPower& p, const CabledOcsPort& c) {
    // The NIC's transmitter lights the input; the switch reads it while a circuit takes the
    // light somewhere (an unconnected input may read its floor on some switches).
    p.circuit_peer = circuits_.target_of(c.switch_port);
    p.should_be_lit = p.circuit_peer.has_value();
    observe(p, kInputPowerFigure, p.dbm, "dBm", why_unreadable(c.switch_port));
    if (!p.dbm) return;
    if (p.should_be_lit) {
      judge_arriving(p, c.limits, kInputPowerFigure, fmt::format("(light from {} into the circuit to {})", c.nic_port, *p.circuit_peer));
    } else if (*p.dbm > c.limits.dark_dbm) {
      // No circuit, but the switch sees the NIC's light: weak light is weak with or without one.
      judge_arriving(p, c.limits, kInputPowerFigure, fmt::format("(light from {}, no circuit)", c.nic_port));
    }
  }

  void judge_output(OcsPortPower& p, const CabledOcsPort& c) {
    p.circuit_peer = circuits_.source_of(c.switch_port);
    p.should_be_lit = p.circuit_peer && input_lit(*p.circuit_peer, c.limits);
    observe(p, kOutputPowerFigure, p.dbm, "dBm", why_unreadable(c.switch_port));
    if (!p.should_be_lit) return;
    const auto& limits = c.limits;
    const auto input_dbm = reading(*p.circuit_peer);
    const bool input_read = input_dbm.has_value();
    const double input_value = input_dbm.value_or(limits.dark_dbm);
    const bool input_lit_now = input_read && input_value > limits.dark_dbm;
    if (p.dbm && input_lit_now) p.path_loss_db = input_value - *p.dbm;
    if (p.dbm) {
      std::string why_no_loss = "its input " + *p.circuit_peer + (input_read ? " reads dark" : " could not be read");
      observe(p, kPathLossFigure, p.path_loss_db, "dB", std::move(why_no_loss));
    }
    if (!p.dbm) return;
    if (input_read && !input_lit_now) return;   // the dark input is the fault, judged there
    const double output_value = *p.dbm;
    const std::string circuit = fmt::format("circuit {}>{}", *p.circuit_peer, c.switch_port);
    if (output_value <= limits.dark_dbm) {
      const std::string in_text = input_lit_now ? fmt::format(" ({:.2f} dBm in)", input_value) : std::string();
      find(p, Severity::critical, kOutputPowerFigure, kDarkRule,
           fmt::format("reads dark ({:.2f} dBm) though {} carries light{}", output_value, circuit, in_text), output_value, limits.dark_dbm);
      return;
    }
    if (!input_lit_now) return;   // no path loss without the input's reading
    const double loss = input_value - output_value;
    if (loss > limits.max_loss_db) {
      find(p, Severity::critical, kPathLossFigure, kMaxLossRule,
           fmt::format("{} loses {:.2f} dB > max {:.1f} dB ({:.2f} dBm in, {:.2f} dBm out)", circuit, loss, limits.max_loss_db, input_value, output_value),
           loss, limits.max_loss_db);
    } else if (limits.warn_loss_db && loss > *limits.warn_loss_db) {
      find(p, Severity::warning, kPathLossFigure, kWarnLossRule,
           fmt::format("{} loses {:.2f} dB > warning level {:.1f} dB", circuit, loss, *limits.warn_loss_db), loss, *limits.warn_loss_db);
    }
  }

  // A duplex port's one reading is the light arriving through the switch from the far end: the
  // switch cannot separate the far end's input from the path, so it is held to the input limits.
  void judge_duplex(OcsPortPower& p, const CabledOcsPort& c) {
    p.circuit_peer = circuits_.source_of(c.switch_port);
    p.should_be_lit = p.circuit_peer && input_lit(*p.circuit_peer, c.limits);
    observe(p, kOutputPowerFigure, p.dbm, "dBm", why_unreadable(c.switch_port));
    if (!p.dbm || !p.should_be_lit) return;
    judge_arriving(p, c.limits, kOutputPowerFigure, fmt::format("(light from port {} through the circuit)", *p.circuit_peer));
  }

  void judge(const CabledOcsPort& c) {
    OcsPortPower p;
    p.part = part(c.switch_port);
    p.nic_port = c.nic_port;
    p.role = c.role;
    p.dbm = reading(c.switch_port);
    p.message = "ok";
    switch (c.role) {
      case OcsPortRole::input: judge_input(p, c); break;
      case OcsPortRole::output: judge_output(p, c); break;
      case OcsPortRole::duplex: judge_duplex(p, c); break;
    }
    if (!p.dbm) {
      // Unreadable is never a pass and never dropped: unknown, whether or not light was expected.
      find(p, Severity::unknown, c.role == OcsPortRole::input ? kInputPowerFigure : kOutputPowerFigure, kUnreadableRule,
           why_unreadable(c.switch_port), std::nullopt, std::nullopt);
    } else if (!p.should_be_lit && p.severity == Severity::ok) {
      p.message = "no circuit carries light through it";
    }
    out_.ports.push_back(std::move(p));
  }

  const SwitchPowerInput& in_;
  CircuitIndex circuits_;
  std::map<std::string, double> reading_;
  std::map<std::string, const CabledOcsPort*> cabled_;
  SwitchPowerJudgement out_;
};

}  // namespace

PowerLimits power_limits_for(const Switch& sw, const std::string& switch_port) {
  PowerLimits limits;
  if (sw.power) overlay(limits, *sw.power);
  if (const auto it = sw.power_ports.find(switch_port); it != sw.power_ports.end()) overlay(limits, it->second);
  return limits;
}

Result<std::vector<CabledOcsPort>> cabled_ocs_ports(const Inventory& inventory, const Switch& sw) {
  if (const auto unmapped = inventory.unmapped_ocs_ports(sw.name); !unmapped.empty())
    return std::unexpected(unmapped_cabling_error("switch " + sw.name, inventory, unmapped));
  std::vector<CabledOcsPort> out;
  auto add = [&](const std::string& switch_port, const std::string& nic_port, OcsPortRole role) {
    out.push_back(CabledOcsPort{switch_port, nic_port, role, power_limits_for(sw, switch_port)});
  };
  for (const auto& host : inventory.hosts) {
    for (const auto& port : host.ports) {
      if (!port.ocs || port.ocs->switch_name != sw.name) continue;
      const std::string nic = host.name + ":" + port.name;
      if (port.ocs->port) add(*port.ocs->port, nic, OcsPortRole::duplex);
      if (port.ocs->tx) add(*port.ocs->tx, nic, OcsPortRole::input);
      if (port.ocs->rx) add(*port.ocs->rx, nic, OcsPortRole::output);
    }
  }
  return out;
}

const char* to_string(OcsPortRole role) {
  switch (role) {
    case OcsPortRole::input: return "input";
    case OcsPortRole::output: return "output";
    case OcsPortRole::duplex: return "duplex";
  }
  return "?";
}

SwitchPowerJudgement judge_switch_power(const SwitchPowerInput& input) { return SwitchJudge(input).run(); }

}  // namespace mixnet::coord::health
