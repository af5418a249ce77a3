// mixnet-ocs-emu: an optical circuit switch that speaks Polatis TL1, Polatis RESTCONF and Calient
// TL1, for tests, benchmarks and the emulated lab. docs/ocs-emulator.md describes it.
#include <CLI/CLI.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <spdlog/spdlog.h>

#include "common/cli_conventions.hpp"
#include "common/http/tls_server_context.hpp"
#include "common/logging.hpp"
#include "common/thread_priority.hpp"
// The composition root: the one place that puts the lab's plane (--lab-plane) into an emulator.
// The plane depends on the emulator's vocabulary only (emulator_types.hpp), never the reverse.
#include "common/token_file.hpp"
#include "tools/lab/plane/netns_plane.hpp"
#include "tools/ocs-emu/emulator.hpp"

namespace {

using mixnet::ocs_emu::EmulatorOptions;

// "16x16" or "24xCC".
bool parse_size(const std::string& text, EmulatorOptions& o, std::string& why) {
  const auto x = text.find_first_of("xX");
  if (x == std::string::npos) {
    why = "expected NxM or NxCC, got '" + text + "'";
    return false;
  }
  auto number = [](std::string_view s, int& out) {
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc{} && ptr == s.data() + s.size();
  };
  const std::string_view n = std::string_view(text).substr(0, x);
  const std::string_view m = std::string_view(text).substr(x + 1);
  if (!number(n, o.inputs)) {
    why = "'" + std::string(n) + "' is not a number";
    return false;
  }
  if (m == "CC" || m == "cc") {
    o.mode = mixnet::ocs_emu::SwitchMode::any_to_any;
    o.outputs = 0;
    return true;
  }
  o.mode = mixnet::ocs_emu::SwitchMode::nxm;
  if (!number(m, o.outputs)) {
    why = "'" + std::string(m) + "' is not a number or CC";
    return false;
  }
  return true;
}

std::optional<std::string> read_secret(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mixnet-ocs-emu: an emulated optical circuit switch. Serves one shared switch state over Polatis TL1,\n"
      "Polatis RESTCONF and (with --calient-port) Calient TL1, with switching times, a power model, fault\n"
      "injection and an emulator-only control API that reports the ground truth. See docs/ocs-emulator.md."};
  mixnet::apply_cli_conventions(app, "mixnet-ocs-emu");
  EmulatorOptions o;
  o.tl1_port = 3082;
  o.rest_port = 8008;
  o.control_port = 8099;

  std::string size = "16x16";
  std::string switching = "uniform:10:25";
  std::string password_file;
  std::string control_token_file;
  std::string drop_session;
  std::vector<int> failed_ports;
  std::vector<std::string> weak_ports;
  std::optional<unsigned short> calient_port;
  int reply_delay_ms = 0;
  std::string log_level = "info";
  std::string lab_plane_file;
  bool no_tl1 = false;
  bool no_rest = false;
  bool no_control = false;
  int stamp_priority = mixnet::kDefaultStampPriority;

  app.add_option("--size", size,
                 "Switch size: NxM (inputs 1..N, outputs N+1..N+M; each side up to 576) or NxCC "
                 "(any port to any port, N up to 576)")
      ->capture_default_str();
  app.add_option("--bind", o.bind_address, "Address every listener binds to (0.0.0.0 for all)")->capture_default_str();
  app.add_option("--tl1-port", o.tl1_port, "Polatis TL1 port (raw TCP; 0 picks a free port)")->capture_default_str();
  app.add_flag("--no-tl1", no_tl1, "Do not serve Polatis TL1");
  app.add_option("--rest-port", o.rest_port, "Polatis RESTCONF port (HTTP, base path /api)")->capture_default_str();
  app.add_flag("--no-rest", no_rest, "Do not serve RESTCONF");
  std::string tls_cert_file, tls_key_file;
  app.add_option("--tls-cert", tls_cert_file,
                 "PEM certificate (chain): RESTCONF is served over HTTPS with it (as real Polatis switches do); "
                 "needs --tls-key");
  app.add_option("--tls-key", tls_key_file, "PEM private key of --tls-cert; must be mode 600 or stricter");
  app.add_option("--calient-port", calient_port,
                 "Also serve Calient TL1 (dotted ports 1.1.1 = port 1) on this port (real switches: 3083)");
  app.add_option("--control-port", o.control_port, "Emulator-only control / ground-truth API (HTTP, /v1)")
      ->capture_default_str();
  app.add_flag("--no-control", no_control, "Do not serve the control API");
  app.add_option("--control-token-file", control_token_file,
                 "File holding a bearer token the control API then requires");
  app.add_option("--user", o.user, "User name for TL1 ACT-USER and RESTCONF Basic auth")->capture_default_str();
  app.add_option("--password", o.password, "Password for TL1 and RESTCONF (prefer --password-file)")
      ->capture_default_str();
  app.add_option("--password-file", password_file, "File whose first line is the password");
  app.add_option("--tid", o.tid, "TL1 target identifier shown in reply headers")->capture_default_str();
  app.add_option("--vendor", o.vendor, "Vendor reported by RTRV-NETYPE and product-information")->capture_default_str();
  app.add_option("--model", o.model, "Model name (default N-VST-<size>-EMU, which carries the size)");
  app.add_option("--serial", o.serial, "Serial number")->capture_default_str();
  app.add_option("--switching-time", switching,
                 "Per-connection switching time in ms: MS, fixed:MS, uniform:MIN:MAX or normal:MEAN:STDDEV "
                 "(0 for benchmarks)")
      ->capture_default_str();
  app.add_option("--input-power-dbm", o.input_power_dbm, "Light source power at every port, dBm")->capture_default_str();
  app.add_option("--insertion-loss-db", o.insertion_loss_db, "Insertion loss of a connection, dB")->capture_default_str();
  app.add_option("--loss-noise-db", o.loss_noise_db, "Standard deviation of the power reading noise, dB")
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed for switching times and power noise")->capture_default_str();
  app.add_option("--fail-port", failed_ports, "Fault: this port has failed (FAILED status, commands on it DENY); repeatable");
  app.add_option("--weak-port", weak_ports, "Fault: PORT:DB extra loss on a port (a weak port); repeatable");
  app.add_option("--reply-delay-ms", reply_delay_ms, "Fault: every reply leaves this much later")->capture_default_str();
  app.add_option("--drop-session", drop_session,
                 "Fault: WHEN[:VERB[:COUNT]] - close a TL1 session on its next matching command, before-apply "
                 "(nothing changes) or after-apply (the change is made, the reply never sent); e.g. "
                 "after-apply:ENT-PATCH:1");
  app.add_option("--lab-plane", lab_plane_file,
                 "Plane file (JSON, written by mixnet-lab up): realize every circuit in the kernel between veth "
                 "ends in a namespace, with link training, faults and /v1/plane on the control API");
  app.add_option("--max-sessions", o.max_sessions,
                 "TL1 sessions per listener; at the cap the oldest session not logged in (then the oldest idle "
                 "one) is closed for a newcomer")
      ->capture_default_str();
  app.add_option("--max-sessions-per-source", o.max_sessions_per_source, "TL1 sessions per listener from one address")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")->capture_default_str();
  app.add_option("--stamp-priority", stamp_priority,
                 "SCHED_FIFO priority of every emulator thread (they stamp the ground truth: command receipt and "
                 "reply, light lost, link trained); 0: normal priority. Needs CAP_SYS_NICE or RLIMIT_RTPRIO >= N, "
                 "else logged and run at normal priority")
      ->capture_default_str()
      ->check(CLI::Range(0, mixnet::kMaxStampPriority));
  CLI11_PARSE(app, argc, argv);

  if (auto ok = mixnet::setup_logging(log_level, "mixnet-ocs-emu"); !ok) {
    std::fprintf(stderr, "mixnet-ocs-emu: --log-level: %s\n", ok.error().message.c_str());
    return 2;
  }
  auto usage = [](const std::string& flag, const std::string& why) {
    std::fprintf(stderr, "mixnet-ocs-emu: %s: %s\n", flag.c_str(), why.c_str());
    return 2;
  };
  std::string why;
  if (!parse_size(size, o, why)) return usage("--size", why);
  auto st = mixnet::ocs_emu::SwitchingTime::parse(switching);
  if (!st) return usage("--switching-time", st.error().message);
  o.switching = *st;
  if (!password_file.empty()) {
    auto p = read_secret(password_file);
    if (!p) return usage("--password-file", "cannot read " + password_file);
    o.password = *p;
  }
  if (!control_token_file.empty()) {
    auto t = mixnet::read_token_file(control_token_file, "control-token-file");
    if (!t) return usage("--control-token-file", t.error().message);
    o.control_token = std::move(t->token);
  }
  if (tls_cert_file.empty() != tls_key_file.empty()) {
    return usage(tls_cert_file.empty() ? "--tls-cert" : "--tls-key", "--tls-cert and --tls-key go together");
  }
  if (!tls_cert_file.empty()) {
    auto tls = mixnet::http::make_tls_server_context({.cert_file = tls_cert_file, .key_file = tls_key_file});
    if (!tls) return usage("--" + tls.error().field, tls.error().message);
    o.rest_tls = std::move(*tls);
  }
  o.serve_tl1 = !no_tl1;
  o.serve_rest = !no_rest;
  o.serve_control = !no_control;
  if (calient_port) {
    o.serve_calient = true;
    o.calient_port = *calient_port;
  }
  o.failed_ports = failed_ports;
  for (const auto& w : weak_ports) {
    const auto colon = w.find(':');
    int port = 0;
    double db = 0;
    if (colon == std::string::npos) return usage("--weak-port", "expected PORT:DB, got '" + w + "'");
    const std::string_view ps = std::string_view(w).substr(0, colon);
    const std::string_view ds = std::string_view(w).substr(colon + 1);
    const auto [p1, e1] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
    const auto [p2, e2] = std::from_chars(ds.data(), ds.data() + ds.size(), db);
    if (e1 != std::errc{} || p1 != ps.data() + ps.size() || e2 != std::errc{} || p2 != ds.data() + ds.size()) {
      return usage("--weak-port", "expected PORT:DB, got '" + w + "'");
    }
    o.weak_ports[port] = db;
  }
  if (reply_delay_ms < 0) return usage("--reply-delay-ms", "must not be negative");
  o.reply_delay = std::chrono::milliseconds(reply_delay_ms);
  if (!drop_session.empty()) {
    auto d = mixnet::ocs_emu::DropSessionFault::parse(drop_session);
    if (!d) return usage("--drop-session", d.error().message);
    o.drop_session = *d;
  }
  if (auto ok = o.validate(); !ok) return usage("--" + ok.error().field, ok.error().message);
  // Before any thread starts: the io thread (command receipt and reply stamps), the plane's worker
  // (light lost) and its timer thread (link trained: the ground truth's clock) inherit the policy.
  mixnet::raise_stamping_thread("every emulator thread: the ground truth's stamps", stamp_priority);
  if (!lab_plane_file.empty()) {
    const mixnet::lab::SwitchShape shape{o.mode, o.inputs, o.outputs};
    auto file = mixnet::lab::load_plane_file(lab_plane_file, shape);
    if (!file) return usage("--lab-plane", file.error().message);
    auto plane = mixnet::lab::NetnsPlane::open(std::move(*file));
    if (!plane) return usage("--lab-plane", plane.error().message);
    o.plane = std::move(*plane);
  }

  // Block the stop signals before any thread starts, so only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  mixnet::ocs_emu::Emulator emulator(o);
  if (auto ok = emulator.start(); !ok) {
    spdlog::critical("mixnet-ocs-emu: {}", ok.error().describe());
    return 1;
  }
  // One line on stdout that scripts can wait for and parse (ports may have been picked).
  std::printf("mixnet-ocs-emu ready tl1=%u rest=%u calient=%u control=%u\n", emulator.tl1_port(), emulator.rest_port(),
              emulator.calient_port(), emulator.control_port());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("mixnet-ocs-emu: signal {}, stopping", signal);
  emulator.stop();
  return 0;
}
