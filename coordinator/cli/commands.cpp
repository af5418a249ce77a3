#include "coordinator/cli/commands.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <random>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/cli_conventions.hpp"
#include "common/clock.hpp"
#include "common/logging.hpp"
#include "common/thread_priority.hpp"
#include "coordinator/cli/command_exit.hpp"
#include "coordinator/cli/health_command.hpp"
#include "coordinator/cli/health_commands.hpp"
#include "coordinator/cli/inventory_json.hpp"
#include "coordinator/cli/topology_generate_command.hpp"
#include "coordinator/cli/trace_command.hpp"
#include "coordinator/engine/engine.hpp"
#include "coordinator/report/json_report.hpp"
#include "coordinator/report/junit.hpp"
#include "coordinator/report/progress.hpp"
#include "coordinator/report/run_items.hpp"
#include "coordinator/report/run_reports.hpp"
#include "coordinator/store/process_alive.hpp"
#include "coordinator/store/store.hpp"

namespace mixnet::coord {
namespace {

std::atomic<bool> g_cancel{false};

extern "C" void on_interrupt(int sig) {
  // First Ctrl-C: stop after the current step, run the always: steps, record the run. Second:
  // the default action (the run is then shown as incomplete).
  g_cancel.store(true);
  std::signal(sig, SIG_DFL);
}

void install_interrupt_handlers() {
  struct sigaction sa{};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

std::string format_cabling(const HostPort& port) {
  if (port.ocs) {
    const auto& c = *port.ocs;
    if (c.port) return fmt::format("ocs {} port {}", c.switch_name, *c.port);
    if (!c.mapped()) return fmt::format("ocs {} unmapped", c.switch_name);   // discovery's to find
    return fmt::format("ocs {} tx {} rx {}", c.switch_name, *c.tx, *c.rx);
  }
  if (port.eps) return fmt::format("eps {}{}", port.eps->switch_name, port.eps->port ? " port " + *port.eps->port : "");
  return "not cabled";
}

nlohmann::json topology_json(const Topology& t) {
  auto circuits = nlohmann::json::array();
  for (const auto& rc : t.resolved) {
    auto xcs = nlohmann::json::array();
    for (const auto& x : rc.cross_connects) xcs.push_back({{"from", x.from}, {"to", x.to}, {"bidirectional", x.bidirectional}});
    circuits.push_back({{"circuit", rc.circuit.str()}, {"a", rc.circuit.a.str()}, {"b", rc.circuit.b.str()}, {"switch", rc.switch_name}, {"cross_connects", xcs}});
  }
  auto per_switch = nlohmann::json::object();
  for (const auto& [sw, xcs] : t.per_switch) {
    auto list = nlohmann::json::array();
    for (const auto& x : xcs) list.push_back({{"from", x.from}, {"to", x.to}, {"bidirectional", x.bidirectional}});
    per_switch[sw] = list;
  }
  nlohmann::json out = {{"name", t.name}, {"description", t.description}, {"file", t.file}, {"circuits", circuits}, {"per_switch", per_switch}};
  if (!t.region.empty()) out["region"] = t.region;
  return out;
}

void print_topology(const Topology& t) {
  fmt::print("topology {} ({}:{}): {} circuit{}{}\n", t.name, t.file, t.line, t.circuits.size(), t.circuits.size() == 1 ? "" : "s",
             t.description.empty() ? "" : " - " + t.description);
  for (const auto& rc : t.resolved) {
    std::string xcs;
    for (const auto& x : rc.cross_connects) xcs += fmt::format("{}{} {} {}", xcs.empty() ? "" : ", ", x.from, x.bidirectional ? "<->" : "->", x.to);
    fmt::print("  {:<32} on {}: {}\n", rc.circuit.str(), rc.switch_name, xcs);
  }
}

std::string short_time(std::int64_t ns) {
  if (ns <= 0) return "-";
  const auto full = format_realtime_ns(ns);   // 2026-11-29T06:40:12.123456789Z
  return full.substr(0, 19) + "Z";
}

void print_run_detail(const RunDetail& d) {
  const auto& r = d.run;
  fmt::print("run {}  {}{}\n", r.id, r.effective_status(), r.check_mode ? " (check mode)" : "");
  fmt::print("  playbook  {} ({})\n  inventory {}\n  started   {} on {} pid {}\n", r.playbook_name, r.playbook, r.inventory, short_time(r.started_ns),
             r.hostname, r.pid);
  if (r.finished_ns > 0) fmt::print("  finished  {} ({:.2f}s)\n", short_time(r.finished_ns), static_cast<double>(r.finished_ns - r.started_ns) / 1e9);
  if (!r.message.empty()) fmt::print("  message   {}\n", r.message);
  if (!r.failed_hosts.empty()) fmt::print("  failed hosts {}\n", r.failed_hosts.dump());
  if (!r.out_dir.empty()) fmt::print("  out       {}\n", r.out_dir);
  for (const auto& s : d.steps) {
    fmt::print("  {:>3} {:<8} {}{} ({}){}{}\n", s.seq + 1, s.status, s.section == "always" ? "always: " : "", s.name, s.module,
               s.items_total > 0 ? fmt::format(" {}/{} items ok", s.items_total - s.items_failed, s.items_total) : "",
               s.message.empty() ? "" : " - " + s.message);
    for (const auto& i : d.items) {
      if (i.step_seq != s.seq || !i.final_attempt) continue;
      fmt::print("        {:<10} {} {}{}\n", i.status, i.kind, i.id, i.message.empty() ? "" : " - " + i.message);
    }
  }
}

// The run: store first, then the display; reports written from the store afterwards.
int execute(const Loaded& loaded, const Playbook& playbook, const ModuleRegistry& registry, const std::string& db_flag, const std::string& out_flag,
            RunOptions options, nlohmann::json cli_args, const std::string& playbook_path, const std::string& inventory_path,
            std::string* out_dir_used = nullptr) {
  auto store = ResultsStore::open(resolve_db_path(db_flag));
  if (!store) {
    fmt::print(stderr, "mixnet-coord: {}\n", store.error().message);
    return kExitStore;
  }
  options.run_id = new_run_id();
  options.cancel = &g_cancel;
  options.pools = builtin_pool_factories();
  options.holder = fmt::format("mixnet-coord pid {} on {}, run {}", getpid(), this_hostname(), options.run_id);
  const auto out_dir = out_flag.empty() ? (std::filesystem::path(kDefaultRunsDir) / options.run_id).string() : out_flag;
  RunRow row;
  row.playbook = playbook_path;
  row.inventory = inventory_path;
  row.out_dir = std::filesystem::absolute(out_dir).lexically_normal().string();
  options.out_dir = row.out_dir;
  if (out_dir_used != nullptr) *out_dir_used = row.out_dir;
  options.db_path = (*store)->path();
  row.args = std::move(cli_args);
  StoreObserver store_observer(**store, row);
  ProgressObserver progress(stdout, isatty(STDOUT_FILENO) == 1);
  Engine engine(registry, loaded.inventory, loaded.topologies);
  engine.add_observer(&store_observer);
  engine.add_observer(&progress);
  install_interrupt_handlers();
  const auto outcome = engine.run(playbook, options);
  int code = outcome.passed ? kExitPassed : kExitFailed;
  if (store_observer.first_error()) {
    fmt::print(stderr, "mixnet-coord: results store {}: {}\n", (*store)->path(), store_observer.first_error()->message);
    code = kExitStore;
  }
  // The reports are read back from the store one item at a time (the run's items are not kept).
  auto run = (*store)->load_run_steps(options.run_id);
  if (!run) {
    fmt::print(stderr, "mixnet-coord: {}\n", run.error().message);
    return kExitStore;
  }
  auto written = write_run_reports(**store, *run, row.out_dir);
  if (!written) {
    fmt::print(stderr, "mixnet-coord: writing reports: {}\n", written.error().describe());
    if (code == kExitPassed) code = kExitFailed;
  } else {
    fmt::print("results: {} and {} (store {})\n", written->results_json, written->junit, (*store)->path());
  }
  return code;
}

}  // namespace

std::string new_run_id() {
  const auto now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
  std::random_device rd;
  return fmt::format("{}-{:04x}", stamp, rd() & 0xffffu);
}

Result<Loaded> load_playbook_run(const std::string& playbook_path, const std::string& inventory_path,
                                 const std::vector<std::string>& extra_topology_files, const ModuleRegistry& registry) {
  Loaded loaded;
  auto inventory = read_inventory(inventory_path);
  if (!inventory) return std::unexpected(inventory.error());
  loaded.inventory = std::move(*inventory);
  auto playbook = read_playbook(playbook_path, registry);
  if (!playbook) return std::unexpected(playbook.error());
  loaded.playbook = std::move(*playbook);
  auto files = loaded.playbook.topology_files;
  files.insert(files.end(), extra_topology_files.begin(), extra_topology_files.end());
  auto topologies = read_topologies(files, loaded.inventory);
  if (!topologies) return std::unexpected(topologies.error());
  loaded.topologies = std::move(*topologies);
  if (auto ok = validate_playbook(loaded.playbook, registry, loaded.inventory, loaded.topologies); !ok) return std::unexpected(ok.error());
  return loaded;
}

int run_cli(int argc, char** argv) {
  CLI::App app{"mixnet-coord: playbooks that reconfigure the optical switches and verify every link; results in SQLite"};
  apply_cli_conventions(app, "mixnet-coord");
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn (default), error, critical, off");

  // Options shared by the commands that run something.
  std::string inventory_path, db_flag, out_flag;
  std::vector<std::string> topology_files, tags, skip_tags, extra_vars;
  bool check_mode = false, list_steps = false, as_json = false;
  std::string playbook_path, topology_name, run_ref = "latest";
  std::vector<std::string> topology_args;
  int limit = 20;
  int stamp_priority = kDefaultStampPriority;

  auto add_inventory = [&](CLI::App* cmd) { cmd->add_option("-i,--inventory", inventory_path, "the inventory file (docs/inventory.md)")->required(); };
  auto add_run_flags = [&](CLI::App* cmd) {
    cmd->add_option("--out", out_flag, fmt::format("the run folder for results.json and junit.xml (default ./{}/RUN_ID)", kDefaultRunsDir));
    cmd->add_option("--db", db_flag, fmt::format("the results store (default $MIXNET_DB, else {})", kDefaultDbPath));
    cmd->add_option("-T,--topologies", topology_files, "more topology files, besides the playbook's topologies:");
    cmd->add_option("--stamp-priority", stamp_priority,
                    "SCHED_FIFO priority of the thread that runs the playbook (it stamps OCS commands and acknowledgements "
                    "and samples the agents' clocks); 0: normal priority. Needs CAP_SYS_NICE or RLIMIT_RTPRIO >= N")
        ->capture_default_str()
        ->check(CLI::Range(0, kMaxStampPriority));
  };

  auto* run = app.add_subcommand("run", "run a playbook");
  run->add_option("playbook", playbook_path, "the playbook file")->required();
  add_inventory(run);
  add_run_flags(run);
  run->add_flag("--check", check_mode, "say what would change; touch no switch, no NIC");
  run->add_option("--tags", tags, "run only the steps with one of these tags (comma-separated)")->delimiter(',');
  run->add_option("--skip-tags", skip_tags, "skip the steps with one of these tags (comma-separated)")->delimiter(',');
  run->add_flag("--list-steps", list_steps, "print the steps (and which the tags select) and exit");
  run->add_option("-e,--extra-var", extra_vars, "KEY=VALUE, over the playbook's vars (repeatable)");

  auto* check = app.add_subcommand("check", "validate a playbook, its inventory and topologies without running anything");
  check->add_option("playbook", playbook_path, "the playbook file")->required();
  add_inventory(check);
  check->add_option("-T,--topologies", topology_files, "more topology files");

  auto* inventory = app.add_subcommand("inventory", "the inventory");
  inventory->require_subcommand(1);
  auto* inventory_show = inventory->add_subcommand("show", "read, validate and print the inventory");
  add_inventory(inventory_show);
  inventory_show->add_flag("--json", as_json, "print JSON");

  auto* topology = app.add_subcommand("topology", "topology files");
  topology->require_subcommand(1);
  auto* topology_show = topology->add_subcommand("show", "print topologies resolved into OCS cross-connects");
  auto* topology_verify = topology->add_subcommand("verify", "validate topology files against the inventory (no hardware)");
  for (auto* cmd : {topology_show, topology_verify}) {
    add_inventory(cmd);
    cmd->add_option("files", topology_args, "topology files")->required();
  }
  topology_show->add_option("--name", topology_name, "only this topology");
  topology_show->add_flag("--json", as_json, "print JSON");
  TopologyGenerateFlags generate_flags;
  auto* topology_generate = add_topology_generate(*topology, generate_flags);
  TraceFlags trace_flags;
  const auto trace = add_trace_commands(app, trace_flags);

  auto* links = app.add_subcommand("links", "links");
  links->require_subcommand(1);
  auto* links_verify = links->add_subcommand("verify", "run links.verify once: every expected link is up at both ends with the right peer");
  add_inventory(links_verify);
  add_run_flags(links_verify);
  links_verify->add_option("--topology", topology_name, "the topology the links should match (from -T files)");

  // `cabling discover`: one cabling.discover step, recorded like any run (docs/cabling.md).
  std::string cabling_switch, cabling_out, cabling_run_dir;
  double cabling_link_timeout = 0, cabling_settle_ms = 0;
  auto* cabling = app.add_subcommand("cabling", "the cabling map: which OCS ports each NIC port's fibres land on");
  cabling->require_subcommand(1);
  auto* cabling_discover = cabling->add_subcommand(
      "discover",
      "learn the cabling map from the switches' power readings, NIC transmitters switched on and off, and loopback circuits; "
      "print where it differs from the inventory (this re-patches the switches and toggles NIC ports: not during training)");
  add_inventory(cabling_discover);
  cabling_discover->add_option("--switch", cabling_switch, "only the ports cabled to this OCS (default: every OCS)");
  cabling_discover->add_option("--out", cabling_out, "write the inventory with the discovered map here (the input is never changed)");
  cabling_discover->add_option("--run-dir", cabling_run_dir,
                               fmt::format("the run folder for results.json, junit.xml and the map (default ./{}/RUN_ID)", kDefaultRunsDir));
  cabling_discover->add_option("--db", db_flag, fmt::format("the results store (default $MIXNET_DB, else {})", kDefaultDbPath));
  cabling_discover->add_option("--link-timeout", cabling_link_timeout,
                               "seconds a looped-back port may take to come up before a candidate output is ruled out "
                               "(default 3; raise it to the NICs' link-training time, about 6 s on the MixNet prototype)")
      ->check(CLI::Range(0.05, 600.0));
  cabling_discover->add_option("--settle-ms", cabling_settle_ms,
                               "milliseconds between switching transmitters and reading the switch's power (default 100)")
      ->check(CLI::Range(0.0, 60000.0));

  auto* results = app.add_subcommand("results", "the results store");
  results->require_subcommand(1);
  auto* results_list = results->add_subcommand("list", "list runs, newest first");
  auto* results_show = results->add_subcommand("show", "show one run");
  for (auto* cmd : {results_list, results_show}) cmd->add_option("--db", db_flag, fmt::format("the results store (default $MIXNET_DB, else {})", kDefaultDbPath));
  results_list->add_option("-n,--limit", limit, "how many runs (default 20)")->check(CLI::Range(1, 100000));
  results_show->add_option("run", run_ref, "a run id, or latest (default)");
  results_show->add_flag("--json", as_json, "print results.json");
  results_show->add_option("--out", out_flag, "also write results.json and junit.xml for it into this folder (e.g. for an incomplete run)");

  HealthCommands health_commands(app);   // baseline generate, health trend, and the nightly `health`
  // The bare `health`: the nightly run (docs/health.md); exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
  // Its inventory is checked when it runs, not by the parser, so that `health trend` needs none.
  HealthRunFlags health_flags;
  CLI::App& health_cmd = health_commands.health_command();
  health_cmd.add_option("-i,--inventory", inventory_path, "the inventory file (docs/inventory.md); required by the bare health run");
  add_run_flags(&health_cmd);
  add_health_run_options(health_cmd, health_flags);
  health_commands.on_bare_health([&]() -> int {
    // Monitoring-plugin exit codes: anything that stops the run from being judged is UNKNOWN (3).
    constexpr int unknown = 3;
    if (inventory_path.empty()) {
      bad_input(Error{Errc::invalid_argument, "health: -i INVENTORY is required", "inventory"});
      return unknown;
    }
    raise_stamping_thread("OCS command and acknowledgement stamps, clock samples", stamp_priority);
    const auto health_registry = builtin_modules();
    auto playbook = health_flags.playbook.empty() ? find_shipped_playbook(kNightlyPlaybookName) : Result<std::string>(health_flags.playbook);
    if (!playbook) {
      bad_input(playbook.error());
      return unknown;
    }
    auto loaded = load_playbook_run(*playbook, inventory_path, topology_files, health_registry);
    if (!loaded) {
      bad_input(loaded.error());
      return unknown;
    }
    RunOptions options;
    options.extra_vars = health_extra_vars(health_flags);
    for (const auto& ev : health_flags.extra_vars) {
      auto kv = parse_extra_var(ev);
      if (!kv) {
        bad_input(kv.error());
        return unknown;
      }
      options.extra_vars[kv->first] = kv->second;
    }
    nlohmann::json cli_args = {{"argv", std::vector<std::string>(argv, argv + argc)}, {"extra_vars", options.extra_vars},
                               {"topologies", topology_files}};
    const auto pb_abs = std::filesystem::absolute(*playbook).lexically_normal().string();
    const auto inv_abs = std::filesystem::absolute(inventory_path).lexically_normal().string();
    std::string out_dir;
    const int code = execute(*loaded, loaded->playbook, health_registry, db_flag, out_flag, options, cli_args, pb_abs, inv_abs, &out_dir);
    return health_exit_code(out_dir, code);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : health_commands.parse_error_code(kExitBadInput);
  }
  if (auto ok = setup_logging(log_level, "mixnet-coord"); !ok) return bad_input(ok.error());
  if (auto code = health_commands.run_selected()) return *code;
  // A stamp taken by a thread that waited for a core is late by the wait: on a busy host, a run
  // at normal priority measures the host, not the switch.
  if (*run || *links_verify) raise_stamping_thread("OCS command and acknowledgement stamps, clock samples", stamp_priority);

  const auto registry = builtin_modules();

  if (*run || *check) {
    auto loaded = load_playbook_run(playbook_path, inventory_path, topology_files, registry);
    if (!loaded) return bad_input(loaded.error());
    if (*check) {
      fmt::print("ok: playbook {} ({} steps, {} always), inventory {} ({} hosts, {} switches), {} topologies\n", loaded->playbook.name,
                 loaded->playbook.steps.size(), loaded->playbook.always.size(), loaded->inventory.name, loaded->inventory.hosts.size(),
                 loaded->inventory.switches.size(), loaded->topologies.all().size());
      return kExitPassed;
    }
    RunOptions options;
    options.check_mode = check_mode;
    options.tags = tags;
    options.skip_tags = skip_tags;
    for (const auto& ev : extra_vars) {
      auto kv = parse_extra_var(ev);
      if (!kv) return bad_input(kv.error());
      options.extra_vars[kv->first] = kv->second;
    }
    if (list_steps) {
      fmt::print("{}", list_steps_text(loaded->playbook, tags, skip_tags));
      return kExitPassed;
    }
    nlohmann::json cli_args = {{"argv", std::vector<std::string>(argv, argv + argc)}, {"tags", tags}, {"skip_tags", skip_tags},
                               {"extra_vars", options.extra_vars}, {"topologies", topology_files}};
    const auto pb_abs = std::filesystem::absolute(playbook_path).lexically_normal().string();
    const auto inv_abs = std::filesystem::absolute(inventory_path).lexically_normal().string();
    return execute(*loaded, loaded->playbook, registry, db_flag, out_flag, options, cli_args, pb_abs, inv_abs);
  }

  if (*inventory_show) {
    auto inv = read_inventory(inventory_path);
    if (!inv) return bad_input(inv.error());
    if (as_json) {
      fmt::print("{}\n", inventory_json(*inv).dump(2));
      return kExitPassed;
    }
    fmt::print("inventory {} ({}): {} hosts, {} switches\n", inv->name, inv->path, inv->hosts.size(), inv->switches.size());
    for (const auto& s : inv->switches) fmt::print("  switch {:<10} {} {}\n", s.name, to_string(s.kind), s.uri);
    for (const auto& h : inv->hosts) {
      fmt::print("  host {:<12} agent {}{}\n", h.name, h.agent.url, h.gpus > 0 ? fmt::format(", {} GPUs", h.gpus) : "");
      for (const auto& p : h.ports) fmt::print("    {:<10} {}{}\n", p.name, format_cabling(p), p.address ? "  " + *p.address : "");
    }
    return kExitPassed;
  }

  if (*topology_generate) return run_topology_generate(generate_flags);
  if (*trace.generate) return run_trace_generate(trace_flags);
  if (*trace.show) return run_trace_show(trace_flags);

  if (*topology_show || *topology_verify) {
    auto inv = read_inventory(inventory_path);
    if (!inv) return bad_input(inv.error());
    auto set = read_topologies(topology_args, *inv);
    if (!set) return bad_input(set.error());
    if (*topology_verify) {
      for (const auto& t : set->all()) fmt::print("ok: topology {} ({}): {} circuits\n", t.name, t.file, t.circuits.size());
      return kExitPassed;
    }
    auto out = nlohmann::json::array();
    bool found = topology_name.empty();
    for (const auto& t : set->all()) {
      if (!topology_name.empty() && t.name != topology_name) continue;
      found = true;
      if (as_json) out.push_back(topology_json(t));
      else print_topology(t);
    }
    if (!found) return bad_input(Error{Errc::not_found, fmt::format("no topology '{}' in those files", topology_name), "name"});
    if (as_json) fmt::print("{}\n", out.dump(2));
    return kExitPassed;
  }

  if (*links_verify) {
    if (registry.find("links.verify") == nullptr) return bad_input(Error{Errc::unavailable, "this mixnet-coord has no links.verify module", {}});
    auto inv = read_inventory(inventory_path);
    if (!inv) return bad_input(inv.error());
    auto set = read_topologies(topology_files, *inv);
    if (!set) return bad_input(set.error());
    Loaded loaded{std::move(*inv), std::move(*set), {}};
    auto& pb = loaded.playbook;
    pb.name = "links-verify";
    Step step;
    step.name = topology_name.empty() ? "verify links" : fmt::format("verify links of {}", topology_name);
    step.module = "links.verify";
    if (!topology_name.empty()) step.args["topology"] = topology_name;
    pb.steps.push_back(step);
    if (auto ok = validate_playbook(pb, registry, loaded.inventory, loaded.topologies); !ok) return bad_input(ok.error());
    nlohmann::json cli_args = {{"argv", std::vector<std::string>(argv, argv + argc)}, {"topologies", topology_files}};
    const auto inv_abs = std::filesystem::absolute(inventory_path).lexically_normal().string();
    return execute(loaded, loaded.playbook, registry, db_flag, out_flag, RunOptions{}, cli_args, "(links verify)", inv_abs);
  }

  if (*cabling_discover) {
    auto inv = read_inventory(inventory_path);
    if (!inv) return bad_input(inv.error());
    Loaded loaded{std::move(*inv), {}, {}};
    auto& pb = loaded.playbook;
    pb.name = "cabling-discover";
    Step step;
    step.name = cabling_switch.empty() ? "discover the cabling of every OCS" : fmt::format("discover the cabling of {}", cabling_switch);
    step.module = "cabling.discover";
    step.timeout_s = 3600;   // a round per output at worst, each as long as a link takes to train
    if (!cabling_switch.empty()) step.args["switch"] = cabling_switch;
    if (!cabling_out.empty()) step.args["out"] = std::filesystem::absolute(cabling_out).lexically_normal().string();
    if (cabling_discover->count("--link-timeout") > 0) step.args["link_timeout"] = cabling_link_timeout;
    if (cabling_discover->count("--settle-ms") > 0) step.args["settle_ms"] = cabling_settle_ms;
    pb.steps.push_back(step);
    if (auto ok = validate_playbook(pb, registry, loaded.inventory, loaded.topologies); !ok) return bad_input(ok.error());
    nlohmann::json cli_args = {{"argv", std::vector<std::string>(argv, argv + argc)}};
    const auto inv_abs = std::filesystem::absolute(inventory_path).lexically_normal().string();
    return execute(loaded, loaded.playbook, registry, db_flag, cabling_run_dir, RunOptions{}, cli_args, "(cabling discover)", inv_abs);
  }

  auto store = ResultsStore::open(resolve_db_path(db_flag));
  if (!store) {
    fmt::print(stderr, "mixnet-coord: {}\n", store.error().message);
    return kExitStore;
  }
  if (*results_list) {
    auto runs = (*store)->list_runs(limit);
    if (!runs) {
      fmt::print(stderr, "mixnet-coord: {}\n", runs.error().message);
      return kExitStore;
    }
    fmt::print("{:<24} {:<11} {:<21} {:>9}  {}\n", "RUN", "STATUS", "STARTED", "SECONDS", "PLAYBOOK");
    for (const auto& r : *runs) {
      const auto status = r.effective_status();
      fmt::print("{:<24} {:<11} {:<21} {:>9}  {}{}{}\n", r.id, status, short_time(r.started_ns),
                 r.finished_ns > 0 ? fmt::format("{:.2f}", static_cast<double>(r.finished_ns - r.started_ns) / 1e9) : "-", r.playbook_name,
                 r.check_mode ? " (check)" : "", r.message.empty() ? "" : "  " + r.message);
    }
    return kExitPassed;
  }
  auto detail = (*store)->load_run(run_ref);
  if (!detail) {
    fmt::print(stderr, "mixnet-coord: {}\n", detail.error().message);
    return detail.error().code == Errc::not_found ? kExitBadInput : kExitStore;
  }
  if (as_json) fmt::print("{}\n", run_to_json(*detail).dump(2));
  else print_run_detail(*detail);
  if (!out_flag.empty()) {
    auto written = write_run_reports(**store, steps_of(*detail), out_flag);
    if (!written) {
      fmt::print(stderr, "mixnet-coord: writing reports: {}\n", written.error().describe());
      return kExitFailed;
    }
    if (!as_json) fmt::print("wrote {} and {}\n", written->results_json, written->junit);
  }
  return kExitPassed;
}

}  // namespace mixnet::coord
