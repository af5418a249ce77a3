// mixnet-lab: brings the emulated MixNet prototype up and down, shows it, and injects faults.
// docs/lab.md describes every command and flag.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>

#include "common/cli_conventions.hpp"
#include "common/logging.hpp"
#include "tools/lab/lab_commands.hpp"
#include "tools/lab/lab_presets.hpp"

namespace {

using namespace mixnet::lab;

// --preset's help: every preset with what it builds.
std::string preset_help() {
  std::string out = "Sizes of a named lab (the config file's other keys and the flags given override them):";
  for (const auto& p : lab_presets()) out += "\n  " + std::string(p.name) + ": " + std::string(p.description);
  return out;
}

// Which lab a command acts on: --dir wins; --name picks the default dir of that name.
void add_lab_ref(CLI::App* cmd, LabRef& ref) {
  cmd->add_option("--name", ref.name, "The lab's name (default dir /run/mixnet-lab/NAME)")->capture_default_str();
  cmd->add_option("--dir", ref.dir, "The lab's directory (its name is read from the state file there)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mixnet-lab: the MixNet prototype emulated on one machine - hosts in network namespaces running\n"
               "mixnet-agent, an electrical switch (a bridge), and an OCS (mixnet-ocs-emu) whose circuits are\n"
               "real kernel links. See docs/lab.md."};
  mixnet::apply_cli_conventions(app, "mixnet-lab");
  app.require_subcommand(1);

  // up: flags are optionals so that only the ones given override the config file.
  auto* up = app.add_subcommand("up", "Build a lab and wait until every agent and the OCS answer");
  std::string config_file;
  std::optional<std::string> dir, name, switch_size, profile, switching_time, preset;
  std::optional<int> hosts, ocs_ports, eps_ports, gpus, hosts_per_region;
  std::optional<std::uint64_t> seed;
  std::optional<std::uint32_t> carrier_poll_us;
  std::optional<int> stamp_priority;
  std::optional<int> line_rate_mbit;
  bool replace = false;
  bool insecure_plain_http = false;
  bool no_linkwatch_pump = false;
  up->add_option("--config", config_file, "YAML file with any of the settings below (flags override it)");
  up->add_option("--preset", preset, preset_help());
  up->add_option("--dir", dir, "Directory for the lab's files (default /run/mixnet-lab/NAME)");
  up->add_option("--name", name, "Lab name, 1-9 lower-case letters/digits (default lab); prefixes its namespaces mxl-NAME-");
  up->add_option("--hosts", hosts, "Hosts (default 4)");
  up->add_option("--ocs-ports", ocs_ports, "NIC ports per host cabled to the OCS (default 3)");
  up->add_option("--eps-ports", eps_ports, "NIC ports per host cabled to the electrical switch (default 1)");
  up->add_option("--hosts-per-region", hosts_per_region,
                 "Hosts per region: each region's OCS ports are cabled to its own OCS (ocs1..ocsR); 0: one region "
                 "(default 0)");
  up->add_option("--switch-size", switch_size,
                 "Each region's OCS size, NxM or NxCC (default: smallest square NxM >= 16 that fits a region)");
  up->add_option("--gpus", gpus, "GPUs per host, recorded in the inventory (default 8)");
  up->add_option("--profile", profile,
                 "Link-training model: fast, realistic, fixed:MS, uniform:MIN:MAX, normal:MEAN:SD (default fast)");
  up->add_option("--switching-time", switching_time, "OCS switching time, as mixnet-ocs-emu --switching-time");
  up->add_option("--seed", seed, "Seed for the cabling, the training delays and the emulator (default 1)");
  up->add_option("--carrier-poll-us", carrier_poll_us,
                 "Agents read each port's carrier bit this often, for sharper carrier stamps (mixnet-agent "
                 "--carrier-poll-us; 0: off; default 100 up to 8 hosts, off above)");
  up->add_option("--stamp-priority", stamp_priority,
                 "SCHED_FIFO priority the agents' and the emulator's stamping threads take (their --stamp-priority; "
                 "0: normal priority; default theirs, 10)");
  up->add_option("--line-rate-mbit", line_rate_mbit,
                 "Once up, shape every data port to this many Mbit/s both ways, 1..10000 (as `shape --mbit`)");
  up->add_flag("--replace", replace, "Take down an existing lab of this name first");
  up->add_flag("--no-linkwatch-pump", no_linkwatch_pump,
               "The emulators do not keep the kernel's linkwatch announcing their carrier changes at once (the lab's "
               "pump, docs/ocs-emulator.md): to measure what it removes");
  up->add_flag("--insecure-plain-http", insecure_plain_http,
               "Agents serve plain HTTP instead of HTTPS with the lab's CA: the token crosses the management network "
               "in clear (warned about; `status` says so)");

  auto* down = app.add_subcommand("down", "Remove every namespace, link, process and file of a lab (also a half-built one)");
  LabRef down_ref;
  add_lab_ref(down, down_ref);

  auto* status = app.add_subcommand("status", "Hosts, agents, carrier per port and the OCS's circuits");
  LabRef status_ref;
  bool as_json = false;
  add_lab_ref(status, status_ref);
  status->add_flag("--json", as_json, "Print JSON");

  auto* fault = app.add_subcommand("fault", "Inject or clear a physical-plane fault on OCS-cabled ports (HOST:PORT)");
  LabRef fault_ref;
  add_lab_ref(fault, fault_ref);
  fault->require_subcommand(1);
  FaultOptions f;
  auto* miswire = fault->add_subcommand("miswire", "Swap the OCS ports of two NIC ports behind the inventory's back");
  miswire->add_option("A", f.a, "HOST:PORT")->required();
  miswire->add_option("B", f.b, "HOST:PORT")->required();
  auto* dark = fault->add_subcommand("dark", "The port's transceiver is dead: it never lights");
  dark->add_option("PORT", f.a, "HOST:PORT")->required();
  auto* cap = fault->add_subcommand("cap", "Cap the port's bandwidth both ways");
  cap->add_option("PORT", f.a, "HOST:PORT")->required();
  cap->add_option("--mbit", f.mbit, "Rate in Mbit/s")->required();
  auto* flap = fault->add_subcommand("flap", "Take carrier down and up COUNT times (while lit)");
  flap->add_option("PORT", f.a, "HOST:PORT")->required();
  flap->add_option("--count", f.count, "How many times")->capture_default_str();
  flap->add_option("--down-ms", f.down_ms, "Carrier down for")->capture_default_str();
  flap->add_option("--up-ms", f.up_ms, "Carrier up for between downs")->capture_default_str();
  auto* weak = fault->add_subcommand("weak", "The emulator loses LOSS dB more at the port's OCS ports (a weak port)");
  weak->add_option("PORT", f.a, "HOST:PORT")->required();
  weak->add_option("--loss-db", f.loss_db, "Extra loss in dB, more than 0 and at most 60")->required();
  auto* clear = fault->add_subcommand("clear", "Clear every fault (plane and weak ports), or one port's (a miswire is undone)");
  clear->add_option("PORT", f.a, "HOST:PORT");

  auto* shape = app.add_subcommand("shape", "Shape every data port (OCS and EPS) to one line rate both ways, or --off");
  LabRef shape_ref;
  ShapeOptions shape_options;
  add_lab_ref(shape, shape_ref);
  shape->add_option("--mbit", shape_options.mbit, "Line rate in Mbit/s, 1..10000");
  shape->add_flag("--off", shape_options.off, "Remove the shaping (and the inventory's expect.speed_mbps)");

  CLI11_PARSE(app, argc, argv);
  (void)mixnet::setup_logging("warn", "mixnet-lab");

  if (up->parsed()) {
    UpOptions o;
    // Defaults, then the preset (--preset, else the config file's), then the file's keys, then flags.
    if (!config_file.empty()) {
      if (auto r = load_config_file(config_file, o.config, preset); !r) {
        std::fprintf(stderr, "mixnet-lab up: --%s: %s\n", preset && r.error().field == "preset" ? "preset" : "config",
                     r.error().message.c_str());
        return 2;
      }
    } else if (preset) {
      if (auto r = apply_preset(*preset, o.config); !r) {
        std::fprintf(stderr, "mixnet-lab up: --preset: %s\n", r.error().message.c_str());
        return 2;
      }
    }
    if (dir) o.config.dir = *dir;
    if (name) o.config.name = *name;
    if (hosts) o.config.hosts = *hosts;
    if (ocs_ports) o.config.ocs_ports = *ocs_ports;
    if (eps_ports) o.config.eps_ports = *eps_ports;
    if (gpus) o.config.gpus = *gpus;
    if (hosts_per_region) o.config.hosts_per_region = *hosts_per_region;
    if (profile) o.config.profile = *profile;
    if (switching_time) o.config.switching_time = *switching_time;
    if (seed) o.config.seed = *seed;
    if (carrier_poll_us) o.config.carrier_poll_us = *carrier_poll_us;
    if (stamp_priority) o.config.stamp_priority = *stamp_priority;
    if (insecure_plain_http) o.config.insecure_plain_http = true;
    if (no_linkwatch_pump) o.config.linkwatch_pump = false;
    if (line_rate_mbit) o.config.line_rate_mbit = *line_rate_mbit;
    if (switch_size) {
      auto s = parse_switch_size(*switch_size);
      if (!s) {
        std::fprintf(stderr, "mixnet-lab up: --switch-size: %s\n", s.error().message.c_str());
        return 2;
      }
      o.config.switch_size = *s;
    }
    o.replace = replace;
    return cmd_up(o);
  }
  if (down->parsed()) return cmd_down(down_ref);
  if (status->parsed()) return cmd_status(status_ref, as_json);
  if (shape->parsed()) return cmd_shape(shape_ref, shape_options);
  for (auto* sub : {miswire, dark, cap, flap, weak, clear}) {
    if (sub->parsed()) f.kind = sub->get_name();
  }
  return cmd_fault(fault_ref, f);
}
