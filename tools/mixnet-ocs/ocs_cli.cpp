#include "tools/mixnet-ocs/ocs_cli.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/cli_conventions.hpp"
#include "common/logging.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"
#include "hwdrivers/ocs/switch_uri.hpp"

namespace mixnet::ocs_cli {

namespace {

using ocs::PortId;

// The span is the driver's: from the first command that left to the moment the switch was known to
// hold the outcome, across any session the driver had to recover.
nlohmann::json timing_json(const ocs::Timing& t) {
  nlohmann::json j = {{"sent_ns", t.sent_ns},
                      {"acked_ns", t.acked_ns},
                      {"round_trip_ms", static_cast<double>(t.acked_ns - t.sent_ns) / 1e6},
                      {"recoveries", t.recoveries}};
  if (t.recovered()) {
    j["recovery_cause"] = t.recovery_cause;
    j["acked_by_read_back"] = t.acked_by_read_back;
  }
  return j;
}

// "12.345 ms", or "12.345 ms after 1 session recovery (io: ...)".
std::string round_trip(const ocs::Timing& t) {
  std::string s = fmt::format("{:.3f} ms", static_cast<double>(t.acked_ns - t.sent_ns) / 1e6);
  if (t.recovered()) s += " " + ocs::describe_recovery(t);
  return s;
}

std::string_view status_name(ocs::PortStatus s) {
  switch (s) {
    case ocs::PortStatus::enabled: return "enabled";
    case ocs::PortStatus::disabled: return "disabled";
    case ocs::PortStatus::failed: return "failed";
  }
  return "enabled";
}

// "5", "1.1.1", or a numeric range "1-16".
Result<std::vector<PortId>> expand_ports(const std::vector<std::string>& args) {
  std::vector<PortId> out;
  for (const auto& a : args) {
    const auto dash = a.find('-');
    if (dash == std::string::npos) {
      if (a.empty()) return fail(Errc::invalid_argument, "empty port", "ports");
      out.push_back(a);
      continue;
    }
    int lo = 0, hi = 0;
    const auto r1 = std::from_chars(a.data(), a.data() + dash, lo);
    const auto r2 = std::from_chars(a.data() + dash + 1, a.data() + a.size(), hi);
    if (r1.ec != std::errc{} || r1.ptr != a.data() + dash || r2.ec != std::errc{} || r2.ptr != a.data() + a.size() ||
        lo < 1 || hi < lo || hi - lo > 4096)
      return fail(Errc::invalid_argument, "\"" + a + "\" is not a port or a range like 1-16", "ports");
    for (int p = lo; p <= hi; ++p) out.push_back(std::to_string(p));
  }
  return out;
}

struct Table {
  std::vector<std::string> head;
  std::vector<std::vector<std::string>> rows;
  void print(std::ostream& out) const {
    std::vector<std::size_t> w(head.size());
    for (std::size_t i = 0; i < head.size(); ++i) w[i] = head[i].size();
    for (const auto& r : rows)
      for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], r[i].size());
    auto line = [&](const std::vector<std::string>& cells) {
      std::string s;
      for (std::size_t i = 0; i < cells.size(); ++i) {
        s += cells[i];
        if (i + 1 < cells.size()) s += std::string(w[i] - cells[i].size() + 2, ' ');
      }
      out << s << "\n";
    };
    line(head);
    for (const auto& r : rows) line(r);
  }
};

}  // namespace

int run_ocs_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"mixnet-ocs: drive an optical circuit switch by hand (Polatis TL1, Polatis RESTCONF, Calient TL1)"};
  apply_cli_conventions(app, "mixnet-ocs");
  app.require_subcommand(1);
  std::string uri;
  bool json = false;
  std::string log_level = "warn";
  app.add_option("-s,--switch", uri,
                 "the switch: polatis-tl1://user[:pass]@host[:3082], polatis-rest://user@host[:8008], "
                 "calient-tl1://user@host[:3083]; ?password-file=PATH reads the password from a file. "
                 "Default: $MIXNET_OCS_SWITCH");
  app.add_flag("--json", json, "print JSON instead of tables");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical, off")->capture_default_str();

  auto* info = app.add_subcommand("info", "vendor, model, serial, software and size");
  auto* list = app.add_subcommand("list", "the cross-connects");
  std::vector<std::string> pair_args;
  bool move = false;
  auto* connect = app.add_subcommand("connect", "connect pairs: connect IN OUT [IN OUT ...]");
  connect->add_option("pairs", pair_args, "ports, two by two")->required();
  connect->add_flag("--move", move, "disconnect the named ports first (in the same operation), so ports that are "
                                    "connected elsewhere move");
  std::vector<std::string> disc_args;
  auto* disconnect = app.add_subcommand("disconnect", "disconnect ports (either end of a connection)");
  disconnect->add_option("ports", disc_args, "ports or numeric ranges (1-16)")->required();
  std::vector<std::string> power_args;
  auto* power = app.add_subcommand("power", "optical power per port (all ports when none are named)");
  power->add_option("ports", power_args, "ports or numeric ranges (1-16)");
  std::vector<std::string> status_args;
  auto* status = app.add_subcommand("status", "port status and what each port is connected to");
  status->add_option("ports", status_args, "ports or numeric ranges (1-16)");
  std::string en_port;
  auto* enable = app.add_subcommand("enable", "enable a port (open its shutter)");
  enable->add_option("port", en_port, "the port")->required();
  std::string dis_port;
  auto* disable = app.add_subcommand("disable", "disable a port (close its shutter)");
  disable->add_option("port", dis_port, "the port")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "mixnet-ocs: " << e.what() << "\n";
    return 2;
  }
  if (auto l = setup_logging(log_level, "mixnet-ocs"); !l) {
    err << "mixnet-ocs: " << l.error().describe() << "\n";
    return 2;
  }
  if (uri.empty())
    if (const char* env = std::getenv("MIXNET_OCS_SWITCH")) uri = env;
  if (uri.empty()) {
    err << "mixnet-ocs: name the switch with --switch URI (or $MIXNET_OCS_SWITCH)\n";
    return 2;
  }
  auto parsed = ocs::parse_switch_uri(uri);
  if (!parsed) {
    err << "mixnet-ocs: bad switch URI: " << parsed.error().describe() << "\n";
    return 2;
  }
  auto sw = ocs::open_switch(uri);
  if (!sw) {
    err << "mixnet-ocs: " << sw.error().describe() << "\n";
    return 2;
  }
  auto failed = [&](const Error& e) {
    if (json) out << nlohmann::json{{"ok", false}, {"error", {{"code", to_string(e.code)}, {"message", e.message}}}}.dump(2) << "\n";
    err << "mixnet-ocs: " << parsed->describe() << ": " << e.describe() << "\n";
    return e.code == Errc::invalid_argument ? 2 : 1;
  };

  if (info->parsed()) {
    auto r = (*sw)->info();
    if (!r) return failed(r.error());
    const auto& i = r->value;
    const std::string size = i.any_to_any ? fmt::format("{}xCC", i.inputs) : fmt::format("{}x{}", i.inputs, i.outputs);
    if (json) {
      out << nlohmann::json{{"ok", true}, {"vendor", i.vendor}, {"model", i.model}, {"serial", i.serial},
                            {"software_version", i.software_version}, {"inputs", i.inputs}, {"outputs", i.outputs},
                            {"any_to_any", i.any_to_any}, {"timing", timing_json(r->timing)}}.dump(2)
          << "\n";
    } else {
      Table t{{"field", "value"},
              {{"switch", parsed->describe()}, {"vendor", i.vendor}, {"model", i.model}, {"serial", i.serial.empty() ? "-" : i.serial},
               {"software", i.software_version}, {"size", size}, {"round trip", round_trip(r->timing)}}};
      t.print(out);
    }
    return 0;
  }
  if (list->parsed()) {
    auto r = (*sw)->list();
    if (!r) return failed(r.error());
    if (json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& c : r->value) arr.push_back({{"from", c.from}, {"to", c.to}, {"bidirectional", c.bidirectional}});
      out << nlohmann::json{{"ok", true}, {"cross_connects", arr}, {"timing", timing_json(r->timing)}}.dump(2) << "\n";
    } else {
      Table t{{"from", "to", "direction"}, {}};
      for (const auto& c : r->value) t.rows.push_back({c.from, c.to, c.bidirectional ? "both" : "one-way"});
      t.print(out);
      out << r->value.size() << " cross-connect(s), " << round_trip(r->timing) << "\n";
    }
    return 0;
  }
  if (connect->parsed() || disconnect->parsed()) {
    ocs::ChangeSet changes;
    if (connect->parsed()) {
      if (pair_args.size() % 2 != 0) {
        err << "mixnet-ocs: connect takes ports two by two (IN OUT [IN OUT ...]); got " << pair_args.size() << "\n";
        return 2;
      }
      for (std::size_t i = 0; i < pair_args.size(); i += 2) {
        changes.connect.push_back(ocs::CrossConnect{pair_args[i], pair_args[i + 1], false});
        if (move) {
          changes.disconnect.push_back(pair_args[i]);
          changes.disconnect.push_back(pair_args[i + 1]);
        }
      }
    } else {
      auto ports = expand_ports(disc_args);
      if (!ports) return failed(ports.error());
      changes.disconnect = *ports;
    }
    auto r = (*sw)->apply(changes);
    if (!r) return failed(r.error());
    if (json) {
      out << nlohmann::json{{"ok", true}, {"connected", changes.connect.size()}, {"disconnected", changes.disconnect.size()},
                            {"timing", timing_json(r->timing)}}.dump(2)
          << "\n";
    } else {
      for (const auto& c : changes.connect) out << "connected " << c.from << " -> " << c.to << "\n";
      if (!connect->parsed())
        for (const auto& p : changes.disconnect) out << "disconnected " << p << "\n";
      out << "done in " << round_trip(r->timing) << "\n";
    }
    return 0;
  }
  if (power->parsed()) {
    auto ports = expand_ports(power_args);
    if (!ports) return failed(ports.error());
    auto r = (*sw)->power(*ports);
    if (!r) return failed(r.error());
    if (json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& p : r->value) arr.push_back({{"port", p.port}, {"dbm", p.dbm}});
      out << nlohmann::json{{"ok", true}, {"power", arr}, {"timing", timing_json(r->timing)}}.dump(2) << "\n";
    } else {
      Table t{{"port", "dBm"}, {}};
      for (const auto& p : r->value) t.rows.push_back({p.port, fmt::format("{:.2f}", p.dbm)});
      t.print(out);
    }
    return 0;
  }
  if (status->parsed()) {
    auto ports = expand_ports(status_args);
    if (!ports) return failed(ports.error());
    auto r = (*sw)->port_status(*ports);
    if (!r) return failed(r.error());
    if (json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& p : r->value)
        arr.push_back({{"port", p.port}, {"status", status_name(p.status)},
                       {"connected_to", p.connected_to ? nlohmann::json(*p.connected_to) : nlohmann::json()}, {"label", p.label}});
      out << nlohmann::json{{"ok", true}, {"ports", arr}, {"timing", timing_json(r->timing)}}.dump(2) << "\n";
    } else {
      Table t{{"port", "status", "connected to", "label"}, {}};
      for (const auto& p : r->value)
        t.rows.push_back({p.port, std::string(status_name(p.status)), p.connected_to.value_or("-"), p.label});
      t.print(out);
    }
    return 0;
  }
  if (enable->parsed() || disable->parsed()) {
    const bool on = enable->parsed();
    const std::string& port = on ? en_port : dis_port;
    auto r = (*sw)->set_port_enabled(port, on);
    if (!r) return failed(r.error());
    if (json) out << nlohmann::json{{"ok", true}, {"port", port}, {"enabled", on}, {"timing", timing_json(r->timing)}}.dump(2) << "\n";
    else out << (on ? "enabled port " : "disabled port ") << port << " in " << round_trip(r->timing) << "\n";
    return 0;
  }
  err << "mixnet-ocs: no command\n";
  return 2;
}

}  // namespace mixnet::ocs_cli
