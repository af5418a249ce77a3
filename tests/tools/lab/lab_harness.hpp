#pragma once
// Runs the real mixnet-lab executable for tests and reads back what it made: the inventory, the
// kernel objects and processes of a lab (for before/after comparisons), agent and emulator calls,
// and UDP between two NIC ports (the traffic check: no ping binary needed).
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/http/tls_client_files.hpp"
#include "tests/support/http_client.hpp"

namespace mixnet::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// `mixnet-lab ARGS` (the binary this build made), stdout+stderr captured.
CommandResult run_lab(const std::string& args);

// `mixnet-lab ARGS` started with its output discarded, killed with SIGKILL after `delay` and
// reaped (an `up` killed part-way). False when it could not be started.
bool run_lab_killed_after(const std::vector<std::string>& args, std::chrono::milliseconds delay);

// A lab name unique to this process and call: "t<pid%100000><letter>".
std::string unique_lab_name();

// Everything of lab `name` the machine holds, and what the test compares before/after: every
// namespace, root-namespace link and root qdisc (names of other labs and test fixtures that may
// run in parallel, "mxl-*"/"mxt-*" not ours, are left out), the live processes whose command line
// names the lab, and the files under its default directory.
struct Snapshot {
  std::set<std::string> entries;
  bool operator==(const Snapshot&) const = default;
};
Snapshot snapshot(const std::string& name);
std::string describe_difference(const Snapshot& before, const Snapshot& after);

// `mixnet-lab down --name NAME`, and what the machine holds of the lab afterwards that it did not
// hold `before` (or no longer holds): `difference` is empty when down left exactly `before`.
struct DownOutcome {
  CommandResult down;
  std::string difference;
};
DownOutcome down_and_compare(const std::string& name, const Snapshot& before);

// For each delay: `mixnet-lab up --name NEW UP_ARGS` killed with SIGKILL after it, then `down`.
// `failures` says, per kill, what went wrong (not started, down failed, something left behind or
// gone); empty when every `down` left exactly what was there before. `something_made` counts the
// kills that landed while something of the lab existed (else the sweep proves nothing).
struct KillSweep {
  std::string failures;
  int something_made = 0;
};
KillSweep kill_up_then_down(const std::vector<std::string>& up_args, const std::vector<int>& delays_ms);

struct LabPort {
  std::string name;
  std::string address;   // without prefix length
  std::string mac;
  bool ocs = false;
  std::string switch_name;   // the OCS it is cabled to ("ocs1"; its region's)
  int tx = 0, rx = 0, port = 0;
};
// An OCS of the lab (one per region): its TL1 and RESTCONF URIs and its emulator's control API.
struct LabSwitch {
  std::string name;
  std::string tl1_uri, rest_uri;
  std::string control_host;
  unsigned short control_port = 0;
};
struct LabHost {
  std::string name;
  std::string netns;
  std::string agent_url;     // "https://ADDR:7470" (http:// in a lab up with --insecure-plain-http)
  std::string agent_host;
  unsigned short agent_port = 0;
  std::vector<LabPort> ports;
  [[nodiscard]] const LabPort& port(const std::string& n) const;
};
struct LabInventory {
  std::string dir;
  std::string token;
  TlsClientFiles tls;        // the inventory's tls section: the lab CA (and client certificate)
  std::string tl1_uri, rest_uri;        // the first switch's (the only one of a one-region lab)
  std::string control_host;
  unsigned short control_port = 0;
  std::vector<LabSwitch> switches;      // every OCS, in inventory order
  std::vector<LabHost> hosts;
  [[nodiscard]] const LabHost& host(const std::string& n) const;
  [[nodiscard]] const LabSwitch& ocs(const std::string& n) const;
};
LabInventory read_inventory(const std::string& dir);

// A lab brought up for one test and taken down (quietly) when the object goes.
class LabUnderTest {
 public:
  explicit LabUnderTest(const std::string& extra_args);
  ~LabUnderTest();
  LabUnderTest(const LabUnderTest&) = delete;
  LabUnderTest& operator=(const LabUnderTest&) = delete;
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] std::string dir() const { return "/run/mixnet-lab/" + name_; }
  [[nodiscard]] const LabInventory& inventory() const { return inventory_; }

  // A call to HOST's agent with the token, over HTTPS verified with the lab's CA (https_client.hpp).
  HttpReply agent(const std::string& host, const std::string& target, const std::string& method = "GET",
                  const std::string& body = "") const;
  // Any call to HOST's agent, as the lab's clients make it (the token is the caller's to set).
  HttpReply agent_call(const std::string& host, const HttpCall& call) const;
  HttpReply control(const std::string& target, const std::string& method = "GET", const std::string& body = "") const;
  // The same on the emulator of switch `switch_name` (a region's OCS).
  HttpReply control_of(const std::string& switch_name, const std::string& target, const std::string& method = "GET",
                       const std::string& body = "") const;
  // Carrier of HOST:PORT as the agent reports it.
  bool carrier(const std::string& host, const std::string& port) const;
  // Polls until carrier equals `want` (true) or the deadline passes (false).
  bool wait_carrier(const std::string& host, const std::string& port, bool want,
                    std::chrono::milliseconds deadline = std::chrono::seconds(10)) const;
  CommandResult fault(const std::string& args) const;
  // SIGKILLs every process in HOST's namespace (its agent): a dead agent. Returns how many.
  int kill_agent(const std::string& host) const;

 private:
  std::string name_;
  LabInventory inventory_;
};

// Makes (connect) or removes the two-way circuit between A:PORT and B:PORT on the lab's first OCS
// over TL1. Empty when done, else what the switch said.
std::string patch_two_way(const LabUnderTest& lab, const std::string& a, const std::string& b, bool connect,
                          const std::string& port = "ocs0");

// Whether a UDP datagram sent from (src host, src port) to dst_address arrives at (dst host,
// dst port) bound to dst_address. Sockets are bound to their devices (SO_BINDTODEVICE), so the
// datagram can only leave and arrive through the named ports. Bounded: about two seconds.
bool udp_reaches(const LabInventory& lab, const std::string& src_host, const std::string& src_port,
                 const std::string& dst_host, const std::string& dst_port);

}  // namespace mixnet::testing
