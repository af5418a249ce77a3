// mixnet-lab up: namespaces, links and qdiscs in a few batches, then the emulator and the agents,
// then wait until everything answers. Every resource is named in the intent log before it is made.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <future>
#include <sstream>
#include <sys/random.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "tools/lab/http_call.hpp"
#include "tools/lab/intent_log.hpp"
#include "tools/lab/lab_ca.hpp"
#include "tools/lab/kernel.hpp"
#include "tools/lab/lab_commands.hpp"
#include "tools/lab/lab_files.hpp"
#include "tools/lab/lab_plan.hpp"
#include "tools/lab/processes.hpp"

namespace mixnet::lab {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kEmulatorReadyDeadline = 15s;
constexpr auto kAgentHealthDeadline = 45s;

// The directory holding our own executable: the agent and the emulator are built beside it.
std::string own_bin_dir() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<std::size_t>(n));
  return p.substr(0, p.rfind('/'));
}

Result<std::string> random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (::getrandom(raw.data(), raw.size(), 0) != static_cast<ssize_t>(raw.size())) return fail_errno("getrandom", errno);
  std::string out;
  for (unsigned char ch : raw) out += fmt::format("{:02x}", ch);
  return out;
}

// A /24 of 198.19.0.0/16 no address of the root namespace sits in, starting from one derived from
// the lab's name so that labs with different names rarely even try the same one.
Result<int> pick_mgmt_octet(const std::string& name) {
  const auto used = used_mgmt_octets();
  const int start = static_cast<int>(std::hash<std::string>{}(name) % 191);
  for (int k = 0; k < 191; ++k) {
    const int octet = 64 + (start + k) % 191;
    if (std::find(used.begin(), used.end(), octet) == used.end()) return octet;
  }
  return fail(Errc::unavailable, "no free management /24 left in 198.19.64.0/18", "name");
}

// True when this call created the directory (errno tells why not).
bool make_dir(const std::string& path) { return ::mkdir(path.c_str(), 0700) == 0; }

std::string read_tail(const std::string& path, std::size_t max) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string all = s.str();
  return all.size() > max ? all.substr(all.size() - max) : all;
}

// Sysctls every host namespace needs because all its OCS ports share one subnet (as do its EPS
// ports): the kernel would otherwise answer ARP for any of its addresses on any port (so the far
// end learns the wrong port's MAC: arp_ignore=1 answers only for addresses of the receiving port),
// pick an ARP source address from another port (arp_announce=2 uses the outgoing port's own), and
// drop replies arriving on a port other than the one its main route names (rp_filter=0; 'all' and
// 'default' because the kernel uses the larger of the two with each device's own value).
// No IPv6 on the hosts either: nothing of ours uses it (every data and management address is IPv4),
// and every lab host shares one kernel, whose one linkwatch worker runs IPv6's address and
// neighbour-discovery work for each NIC port whose carrier changes (over a quarter of its time in
// a profile of the 1024-GPU lab's re-patches, 1536 ends each). With it off, the last NIC heard of
// its circuit sooner: control overhead against the ground truth 151-160 ms instead of 205-213 ms,
// median, side by side (docs/scaling.md). On a testbed each host's kernel does its own 8 ports.
const std::vector<std::pair<std::string, std::string>> kHostSysctls = {
    {"net/ipv4/conf/all/arp_ignore", "1"},   {"net/ipv4/conf/default/arp_ignore", "1"},
    {"net/ipv4/conf/all/arp_announce", "2"}, {"net/ipv4/conf/default/arp_announce", "2"},
    {"net/ipv4/conf/all/rp_filter", "0"},    {"net/ipv4/conf/default/rp_filter", "0"},
    {"net/ipv6/conf/all/disable_ipv6", "1"}, {"net/ipv6/conf/default/disable_ipv6", "1"},
};

// The switch namespaces (OCS, EPS, management) are not hosts: an OCS-side end or a bridge port
// that comes up must not send router solicitations or MLD reports down the cable to a NIC, where
// they would show up in the port's counters and traffic tests. No IPv6 there.
const std::vector<std::pair<std::string, std::string>> kSwitchSysctls = {
    {"net/ipv6/conf/all/disable_ipv6", "1"},
    {"net/ipv6/conf/default/disable_ipv6", "1"},
};

// Every other electrical-switch port's address is written into this port's neighbour table
// (permanent: never resolved by ARP). Why: every lab host shares one kernel, so when the nightly
// check's electrical round starts 64 connections at once, their 64 ARP broadcasts reach all 63
// other bridge ports together, and that burst overflows the one host-wide receive backlog
// (net.core.netdev_max_backlog; /proc/net/softnet_stat counts the drops). Lost ARP packets cost
// a connect its SYN retransmits (1, then 3 s) and made tests late or fail. On a real testbed each
// host has its own kernel and a broadcast reaches each host once: ARP costs nothing there, so
// the lab takes it out rather than measuring its own artefact. OCS ports keep ARP: a circuit has
// one peer, and a miswire must change who answers.
void seed_eps_neighbours(const LabPlan& plan, std::size_t index, const PlanPort& port, std::vector<std::string>& c) {
  for (std::size_t j = 0; j < plan.hosts.size(); ++j) {
    int k = 0;
    for (const PlanPort& other : plan.hosts[j].ports) {
      if (other.ocs) continue;
      const int other_k = k++;
      if (j == index) continue;   // its own ports are local addresses
      const std::string ip = other.address.substr(0, other.address.find('/'));
      c.push_back(fmt::format("neigh replace {} lladdr {} dev {} nud permanent", ip,
                              port_mac(static_cast<int>(j) + 1, other, other_k), port.dev));
    }
  }
}

std::vector<std::string> host_batch(const LabPlan& plan, std::size_t index) {
  const PlanHost& h = plan.hosts[index];
  std::vector<std::string> c;
  c.push_back("link set dev lo up");
  c.push_back(fmt::format("link add name mgmt type veth peer name {} netns {}", h.mgmt_peer, plan.mgmt_netns));
  c.push_back(fmt::format("addr add {}/24 dev mgmt", h.mgmt_address));
  c.push_back("link set dev mgmt up");
  int ocs_k = 0, eps_k = 0;
  for (const PlanPort& p : h.ports) {
    const int k = p.ocs ? ocs_k++ : eps_k++;
    // The host end gets an ifindex (100000 + ...) that no peer in the ocs / eps namespace can
    // have. The kernel announces a carrier change at once only on a device whose ifindex differs
    // from its peer's (linkwatch_urgent_event); with equal numbers, which sequential numbering in
    // two namespaces makes common, a flap shorter than a second may never be announced.
    c.push_back(fmt::format("link add name {} index {} address {} type veth peer name {} netns {}", p.dev,
                            100000 + (p.ocs ? 0 : 100) + k, port_mac(static_cast<int>(index) + 1, p, k), p.peer_dev,
                            p.ocs ? plan.region_of(h).netns : plan.eps_netns));
    c.push_back(fmt::format("addr add {} dev {}", p.address, p.dev));
    c.push_back(fmt::format("link set dev {} up", p.dev));
    // Traffic sourced from a port's address leaves by that port, whichever port the main table's
    // route for the shared subnet happens to name.
    const std::string ip = p.address.substr(0, p.address.find('/'));
    c.push_back(fmt::format("route add {} dev {} table {}", p.subnet, p.dev, p.table));
    c.push_back(fmt::format("rule add from {} lookup {} priority {}", ip, p.table, p.table));
    if (!p.ocs) seed_eps_neighbours(plan, index, p, c);
  }
  return c;
}

// Runs fn(i) for i in [0, n) on up to `width` threads; returns the first error.
Result<void> parallel(std::size_t n, std::size_t width, const std::function<Result<void>(std::size_t)>& fn) {
  std::atomic<std::size_t> next{0};
  std::vector<Result<void>> results(n);
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < std::min(width, n); ++w) {
    workers.emplace_back([&] {
      for (std::size_t i = next++; i < n; i = next++) results[i] = fn(i);
    });
  }
  for (auto& t : workers) t.join();
  for (auto& r : results) {
    if (!r) return r;
  }
  return {};
}

// Waits for "mixnet-ocs-emu ready tl1=.. rest=.. calient=.. control=.." in the emulator's stdout log.
Result<EmulatorPorts> wait_emulator_ready(pid_t pid, const std::string& out_log) {
  const auto deadline = Clock::now() + kEmulatorReadyDeadline;
  while (Clock::now() < deadline) {
    std::ifstream in(out_log);
    std::string line;
    for (int i = 0; i < 1000 && std::getline(in, line); ++i) {
      if (!line.starts_with("mixnet-ocs-emu ready ")) continue;
      EmulatorPorts p;
      std::istringstream words(line.substr(21));
      std::string w;
      while (words >> w) {
        const auto eq = w.find('=');
        if (eq == std::string::npos) continue;
        const int v = std::atoi(w.c_str() + eq + 1);
        const std::string k = w.substr(0, eq);
        if (k == "tl1") p.tl1 = static_cast<unsigned short>(v);
        if (k == "rest") p.rest = static_cast<unsigned short>(v);
        if (k == "calient") p.calient = static_cast<unsigned short>(v);
        if (k == "control") p.control = static_cast<unsigned short>(v);
      }
      if (p.tl1 == 0 || p.rest == 0 || p.control == 0) return fail(Errc::protocol, "emulator ready line lacks a port: " + line);
      return p;
    }
    if (!process_alive(pid)) {
      return fail(Errc::unavailable, "mixnet-ocs-emu exited before it was ready: " + read_tail(out_log, 2000));
    }
    std::this_thread::sleep_for(20ms);
  }
  return fail(Errc::timeout, "mixnet-ocs-emu not ready within 15 s (see " + out_log + ")");
}

Result<void> wait_agent_healthy(const LabPlan& plan, const PlanHost& h, pid_t pid, const std::string& log) {
  const std::string url = agent_url(plan, h) + "/v1/health";
  const auto deadline = Clock::now() + kAgentHealthDeadline;
  std::string last;   // why the last try failed: a TLS refusal shows here, not only "no answer"
  while (Clock::now() < deadline) {
    auto r = http_call("GET", url, std::nullopt, "", 1s, lab_client_tls(plan.dir));
    if (r && r->status == 200) return {};
    last = r ? "HTTP " + std::to_string(r->status) : r.error().message;
    if (!process_alive(pid)) {
      return fail(Errc::unavailable, "agent of " + h.name + " exited: " + read_tail(log, 2000));
    }
    std::this_thread::sleep_for(50ms);
  }
  return fail(Errc::timeout,
              "agent of " + h.name + " did not answer " + url + " within 45 s (last: " + last + "; see " + log + ")");
}

// Every certificate the lab issues: one per agent (its host's name), the emulator's RESTCONF and
// the coordinator's client certificate.
std::vector<std::string> lab_certificate_names(const LabPlan& plan) {
  std::vector<std::string> names;
  for (const auto& h : plan.hosts) names.push_back(h.name);
  names.emplace_back(kOcsCertName);
  names.emplace_back(kClientCertName);
  return names;
}

// The CA, then every certificate four at a time (one openssl process each, about 10 ms).
Result<void> make_lab_certificates(const LabPlan& plan) {
  if (auto r = make_lab_ca(plan.dir); !r) return r;
  const std::size_t hosts = plan.hosts.size();
  return parallel(hosts + 2, 4, [&](std::size_t i) -> Result<void> {
    if (i < hosts) return issue_server_certificate(plan.dir, plan.hosts[i].name, plan.hosts[i].mgmt_address);
    if (i == hosts) return issue_server_certificate(plan.dir, kOcsCertName, "127.0.0.1");
    return issue_client_certificate(plan.dir, kClientCertName);
  });
}

bool emulator_has_lab_plane(const std::string& emulator) {
  auto r = run_program({emulator, "--help"}, "", 10s);
  return r && r->out.find("--lab-plane") != std::string::npos;
}

// The command line of region r's emulator: its switch size, plane file, seed and serial (the
// serial names the lab: how `down` proves the process is ours).
std::vector<std::string> emulator_argv(const LabPlan& plan, const PlanRegion& region, const std::string& emulator,
                                       bool plane_attached) {
  const std::string& dir = plan.dir;
  std::vector<std::string> args = {emulator,
                                   "--size", region.size.text(),
                                   "--bind", "127.0.0.1",
                                   "--tl1-port", "0",
                                   "--rest-port", "0",
                                   "--control-port", "0",
                                   "--password-file", dir + "/ocs-password",
                                   "--control-token-file", dir + "/token",
                                   "--seed", std::to_string(region.seed),
                                   "--serial", region.serial};
  if (region.size.any_to_any) args.insert(args.end(), {"--calient-port", "0"});
  if (!plan.config.switching_time.empty()) args.insert(args.end(), {"--switching-time", plan.config.switching_time});
  if (plane_attached) args.insert(args.end(), {"--lab-plane", dir + "/" + region.plane_file});
  if (!plan.config.insecure_plain_http) {
    // RESTCONF over HTTPS, as real Polatis switches serve it; the inventory's URI names the CA.
    const CertificateFiles ocs = lab_certificate(dir, kOcsCertName);
    args.insert(args.end(), {"--tls-cert", ocs.cert, "--tls-key", ocs.key});
  }
  if (plan.config.stamp_priority) args.insert(args.end(), {"--stamp-priority", std::to_string(*plan.config.stamp_priority)});
  return args;
}

// The body of `up`; any error leaves cleanup to the caller (tear_down).
Result<LabPlan> bring_up(const LabConfig& config, bool& plane_attached) {
  const std::string dir = config.dir.empty() ? default_dir(config.name) : config.dir;
  const std::string parent = dir.substr(0, dir.rfind('/'));
  bool created_parent = false;
  if (config.dir.empty()) created_parent = make_dir(parent);
  const bool created_dir = make_dir(dir);
  if (!created_dir && errno != EEXIST) return fail_errno("create " + dir, errno);
  auto log = IntentLog::open(dir);
  if (!log) return std::unexpected(log.error());
  auto rec = [&](const nlohmann::json& j) { return log->record(j); };
  if (auto r = rec({{"lab", config.name}, {"dir", dir}, {"created_dir", created_dir}, {"created_parent", created_parent}});
      !r) {
    return std::unexpected(r.error());
  }
  if (auto r = rec({{"file", nlohmann::json::array({kStateFile})}}); !r) return std::unexpected(r.error());

  auto octet = pick_mgmt_octet(config.name);
  if (!octet) return std::unexpected(octet.error());
  LabPlan plan = make_plan(config, *octet);
  if (auto r = rec({{"mgmt_octet", *octet}}); !r) return std::unexpected(r.error());

  // Files: named first, then written.
  std::vector<std::string> files = {"token", "ocs-password", "inventory.yaml", "token.tmp", "ocs-password.tmp",
                                    "inventory.yaml.tmp"};
  for (const auto& r : plan.regions) {
    for (const auto& f : {r.plane_file, r.plane_file + ".tmp", r.log_file}) files.push_back(f);
  }
  for (const auto& h : plan.hosts) files.push_back("logs/" + h.name + ".log");
  const bool tls = !plan.config.insecure_plain_http;
  if (tls) {
    for (const auto& f : lab_tls_files(lab_certificate_names(plan))) files.push_back(f);
  }
  nlohmann::json subdirs = nlohmann::json::array({"logs"});
  if (tls) subdirs.push_back(kTlsDir);
  if (auto r = rec({{"file", files}, {"subdir", subdirs}}); !r) return std::unexpected(r.error());
  if (!tls) {
    if (auto r = rec({{"plain_http", true}}); !r) return std::unexpected(r.error());
  }
  if (::mkdir((dir + "/logs").c_str(), 0700) != 0 && errno != EEXIST) return fail_errno("create " + dir + "/logs", errno);
  auto token = random_hex(32);
  auto password = random_hex(12);
  if (!token || !password) return std::unexpected(token ? password.error() : token.error());
  if (auto r = write_file(dir + "/token", *token + "\n", 0600); !r) return std::unexpected(r.error());
  if (auto r = write_file(dir + "/ocs-password", *password + "\n", 0600); !r) return std::unexpected(r.error());
  // The certificates are made while the kernel builds the namespaces and links (openssl is CPU,
  // the `ip` batches mostly wait on the kernel's rtnl lock): 34 certificates for 32 agents cost
  // 0.35 s on a loaded 2-core machine when made alone. Joined before the first process starts.
  std::future<Result<void>> certificates;
  if (tls) certificates = std::async(std::launch::async, [&plan] { return make_lab_certificates(plan); });
  // Whatever happens below, the thread is joined before `plan` goes (a future from std::async
  // waits in its destructor).

  // Namespaces, then the one root link.
  const auto namespaces = plan.namespaces();
  if (auto r = rec({{"netns", namespaces}}); !r) return std::unexpected(r.error());
  std::vector<std::string> adds;
  for (const auto& ns : namespaces) adds.push_back("netns add " + ns);
  if (auto r = ip_batch("", adds); !r) return std::unexpected(r.error());
  for (const auto& h : plan.hosts) {
    if (auto r = set_sysctls(h.netns, kHostSysctls); !r) return std::unexpected(r.error());
  }
  for (const auto& region : plan.regions) {
    if (auto r = set_sysctls(region.netns, kSwitchSysctls); !r) return std::unexpected(r.error());
    if (auto r = ip_batch(region.netns, {fmt::format("link add name {} type veth peer name {}", kLinkwatchKickDev, kLinkwatchKickPeer),
                                         fmt::format("link set dev {} up", kLinkwatchKickPeer)});
        !r) {
      return std::unexpected(r.error());
    }
  }
  for (const auto* ns : {&plan.mgmt_netns, &plan.eps_netns}) {
    if (auto r = set_sysctls(*ns, kSwitchSysctls); !r) return std::unexpected(r.error());
  }
  for (const auto* ns : {&plan.mgmt_netns, &plan.eps_netns}) {
    if (auto r = ip_batch(*ns, {"link set dev lo up", "link add name br0 type bridge", "link set dev br0 up"}); !r) {
      return std::unexpected(r.error());
    }
  }
  if (auto r = rec({{"root_links", nlohmann::json::array({plan.root_link})}}); !r) return std::unexpected(r.error());
  if (auto r = ip_batch("", {fmt::format("link add name {} type veth peer name uplink netns {}", plan.root_link, plan.mgmt_netns),
                             fmt::format("addr add {} dev {}", plan.root_address, plan.root_link),
                             fmt::format("link set dev {} up", plan.root_link)});
      !r) {
    return std::unexpected(r.error());
  }
  // Hosts: each batch also creates its ports' peers in the ocs / eps / mgmt namespaces. Two at a
  // time: the kernel serialises on the rtnl lock anyway; this overlaps the process start-ups.
  if (auto r = parallel(plan.hosts.size(), 2, [&](std::size_t i) { return ip_batch(plan.hosts[i].netns, host_batch(plan, i)); });
      !r) {
    return std::unexpected(r.error());
  }
  // OCS ports re-resolve their neighbour every 10 ms instead of every second: after a
  // reconfiguration the two ends of a new circuit come up at different moments, and an ARP
  // request sent before the far end is up is lost; with the kernel's default the next one leaves a
  // second later, which would show as a second of lost traffic that no real NIC pair has.
  for (const auto& h : plan.hosts) {
    std::vector<std::pair<std::string, std::string>> neigh;
    for (const auto& p : h.ports) {
      if (p.ocs) neigh.emplace_back("net/ipv4/neigh/" + p.dev + "/retrans_time_ms", "10");
    }
    if (auto r = set_sysctls(h.netns, neigh); !r) return std::unexpected(r.error());
  }
  std::vector<std::string> mgmt{"link set dev uplink master br0", "link set dev uplink up"};
  std::vector<std::string> eps;
  std::vector<std::vector<std::string>> ocs_qdiscs(plan.regions.size());   // per region's namespace
  for (const auto& h : plan.hosts) {
    mgmt.push_back(fmt::format("link set dev {} master br0", h.mgmt_peer));
    mgmt.push_back(fmt::format("link set dev {} up", h.mgmt_peer));
    for (const auto& p : h.ports) {
      if (p.ocs) {
        // The OCS-side end stays admin down (no light) until the plane lights it.
        ocs_qdiscs[h.region].push_back(fmt::format("qdisc add dev {} ingress", p.peer_dev));
      } else {
        eps.push_back(fmt::format("link set dev {} master br0", p.peer_dev));
        eps.push_back(fmt::format("link set dev {} up", p.peer_dev));
      }
    }
  }
  if (auto r = ip_batch(plan.mgmt_netns, mgmt); !r) return std::unexpected(r.error());
  if (auto r = ip_batch(plan.eps_netns, eps); !r) return std::unexpected(r.error());
  if (auto r = parallel(plan.regions.size(), 2, [&](std::size_t i) { return tc_batch(plan.regions[i].netns, ocs_qdiscs[i]); });
      !r) {
    return std::unexpected(r.error());
  }

  if (tls) {
    if (auto r = certificates.get(); !r) return std::unexpected(r.error());
  }

  // The emulators, one per region, all started before any is waited for.
  const std::string bin = own_bin_dir();
  const std::string emulator = bin + "/mixnet-ocs-emu";
  if (::access(emulator.c_str(), X_OK) != 0) return fail(Errc::not_found, "no emulator at " + emulator);
  plane_attached = emulator_has_lab_plane(emulator);
  std::vector<pid_t> emu_pids;
  for (std::size_t r = 0; r < plan.regions.size(); ++r) {
    const PlanRegion& region = plan.regions[r];
    if (auto w = write_file(dir + "/" + region.plane_file, render_plane_file(plan, r), 0600); !w) {
      return std::unexpected(w.error());
    }
    // stdout (the ready line) and stderr (its log) go to a file, never to a pipe: a pipe closed by
    // our exit would kill the emulator with SIGPIPE on its next write.
    auto pid = spawn_daemon(emulator_argv(plan, region, emulator, plane_attached), dir + "/" + region.log_file);
    if (!pid) return std::unexpected(pid.error());
    emu_pids.push_back(*pid);
    if (auto w = rec({{"pid", *pid}, {"what", "ocs-emu " + region.switch_name}}); !w) {
      return std::unexpected(w.error());
    }
  }
  std::vector<EmulatorPorts> emu_ports(plan.regions.size());
  if (auto r = parallel(plan.regions.size(), plan.regions.size(),
                        [&](std::size_t i) -> Result<void> {
                          auto ports = wait_emulator_ready(emu_pids[i], dir + "/" + plan.regions[i].log_file);
                          if (!ports) return std::unexpected(ports.error());
                          emu_ports[i] = *ports;
                          return {};
                        });
      !r) {
    return std::unexpected(r.error());
  }
  if (auto r = write_file(dir + "/inventory.yaml", render_inventory(plan, emu_ports), 0644); !r) return std::unexpected(r.error());

  // The agents, all started before any is waited for.
  const std::string agent = bin + "/mixnet-agent";
  if (::access(agent.c_str(), X_OK) != 0) return fail(Errc::not_found, "no agent at " + agent);
  std::vector<pid_t> pids;
  for (const auto& h : plan.hosts) {
    std::string port_list;
    for (const auto& p : h.ports) port_list += (port_list.empty() ? "" : ",") + p.dev;
    // `ip netns exec` (not a bare setns) also remounts /sys for the namespace, which the agent's
    // sysfs reads need; it execs the agent in place, so the pid is the agent's.
    std::vector<std::string> argv{"ip", "netns", "exec", h.netns, agent, "--listen",
                                  fmt::format("{}:{}", h.mgmt_address, kAgentPort), "--token-file", dir + "/token",
                                  "--ports", port_list, "--host-id", h.name};
    if (const auto poll = effective_carrier_poll_us(plan.config); poll > 0) {
      argv.insert(argv.end(), {"--carrier-poll-us", std::to_string(poll)});
    }
    if (plan.config.stamp_priority) argv.insert(argv.end(), {"--stamp-priority", std::to_string(*plan.config.stamp_priority)});
    if (tls) {
      const CertificateFiles own = lab_certificate(dir, h.name);
      // Mutual TLS: only a client with a certificate from the lab CA (the inventory's) is served.
      argv.insert(argv.end(), {"--tls-cert", own.cert, "--tls-key", own.key, "--tls-client-ca", lab_ca_cert(dir)});
    }
    auto pid = spawn_daemon(argv, dir + "/logs/" + h.name + ".log");
    if (!pid) return std::unexpected(pid.error());
    pids.push_back(*pid);
    if (auto r = rec({{"pid", *pid}, {"what", "agent " + h.name}}); !r) return std::unexpected(r.error());
  }
  if (auto r = parallel(plan.hosts.size(), plan.hosts.size(),
                        [&](std::size_t i) {
                          return wait_agent_healthy(plan, plan.hosts[i], pids[i], dir + "/logs/" + plan.hosts[i].name + ".log");
                        });
      !r) {
    return std::unexpected(r.error());
  }
  if (plan.config.line_rate_mbit) {
    if (auto r = shape_lab(dir, plan.config.line_rate_mbit); !r) return std::unexpected(r.error().context("--line-rate-mbit"));
  }
  if (auto r = rec({{"up", "done"}}); !r) return std::unexpected(r.error());
  return plan;
}

}  // namespace

int cmd_up(const UpOptions& options) {
  const LabConfig& config = options.config;
  if (auto v = validate(config); !v) {
    std::fprintf(stderr, "mixnet-lab up: --%s: %s\n", v.error().field.c_str(), v.error().message.c_str());
    return 2;
  }
  const LabRef ref{config.name, config.dir};
  const std::string dir = ref.resolved_dir();
  if (lab_exists(config.name, dir)) {
    if (!options.replace) {
      std::fprintf(stderr,
                   "mixnet-lab up: lab '%s' exists (%s); take it down with `mixnet-lab down --name %s` "
                   "or pass --replace\n",
                   config.name.c_str(), dir.c_str(), config.name.c_str());
      return 1;
    }
    if (auto r = tear_down(ref, true); !r) {
      std::fprintf(stderr, "mixnet-lab up: --replace: removing the old lab: %s\n", r.error().message.c_str());
      return 1;
    }
  }
  if (config.insecure_plain_http) {
    std::fprintf(stderr,
                 "mixnet-lab up: WARNING: --insecure-plain-http: the agents serve plain HTTP; their bearer token "
                 "and every reply cross the management network in clear. `mixnet-lab status` will say so.\n");
  }
  const auto start = Clock::now();
  bool plane = false;
  auto plan = bring_up(config, plane);
  if (!plan) {
    std::fprintf(stderr, "mixnet-lab up: %s\nmixnet-lab up: removing what was made\n", plan.error().message.c_str());
    (void)tear_down(ref, true);
    return 1;
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  int ports = 0;
  for (const auto& h : plan->hosts) ports += static_cast<int>(h.ports.size());
  const std::string switches =
      plan->regions.size() == 1 ? "OCS " + plan->regions.front().size.text()
                                : fmt::format("{} regional OCS, {} hosts and a {} each", plan->regions.size(),
                                              effective_hosts_per_region(config), plan->regions.front().size.text());
  std::printf("lab %s up in %.1f s: %zu hosts, %d data ports (%d to %s, %d to EPS), %d GPUs\n", config.name.c_str(),
              secs, plan->hosts.size(), ports, config.hosts * config.ocs_ports, switches.c_str(),
              config.hosts * config.eps_ports, config.hosts * config.gpus);
  std::printf("  inventory  %s/inventory.yaml\n", plan->dir.c_str());
  std::printf("  agents     %s .. (token %s/token%s)\n", agent_url(*plan, plan->hosts.front()).c_str(), plan->dir.c_str(),
              config.insecure_plain_http ? "" : fmt::format(", CA {}", lab_ca_cert(plan->dir)).c_str());
  std::printf("  OCS        profile %s%s\n", config.profile.c_str(),
              plane ? "" : " (this mixnet-ocs-emu has no --lab-plane: circuits carry no traffic)");
  if (config.line_rate_mbit) {
    std::printf("  line rate  %d Mbit/s on every data port, both ways (mixnet-lab shape)\n", *config.line_rate_mbit);
  }
  std::printf("  down       mixnet-lab down --dir %s\n", plan->dir.c_str());
  return 0;
}

}  // namespace mixnet::lab
