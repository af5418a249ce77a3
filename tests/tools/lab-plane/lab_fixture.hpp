#pragma once
// A small lab for the plane's namespace tests, built the way mixnet-lab builds it: an "ocs"
// namespace holding one veth end per NIC port (admin down, with an ingress qdisc), each host a
// namespace whose NIC port is the other end (admin up, 198.18.0.<n>/24). An in-process emulator
// (8x8, or 8xCC) runs a NetnsPlane over it; the control API is on a loopback port.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/netns.hpp"
#include "tools/lab/plane/netns_plane.hpp"
#include "tools/ocs-emu/emulator.hpp"

namespace mixnet::testing {

struct LabPort {
  std::string id;      // "h1:ocs0"
  std::string dev;     // OCS-side end, "o1"
  std::string host;    // host namespace
  std::string address; // 198.18.0.<n>
  int tx = 0;
  int rx = 0;          // == tx for any-to-any
};

class PlaneLab {
 public:
  // hosts: how many; ports[i] = {tx, rx} (NxM) or {port, port} (any-to-any).
  // With start_plane false only the namespaces and links are built (for the executable's test).
  // Without linkwatch_pump the plane file names no spare pair (mixnet-lab --no-linkwatch-pump).
  PlaneLab(std::vector<std::pair<int, int>> ports, bool any_to_any, const std::string& profile,
           bool skip_first_qdisc = false, bool start_plane = true, bool linkwatch_pump = true);
  ~PlaneLab();

  NetnsFixture net;
  std::string ocs;
  std::vector<LabPort> ports;
  std::shared_ptr<lab::NetnsPlane> plane;
  std::unique_ptr<ocs_emu::Emulator> emu;

  nlohmann::json plane_file_json() const;
  // Carrier (LOWER_UP) on the host-side NIC port of port i, as `ip` sees it.
  bool host_carrier(std::size_t i);
  bool ocs_admin_up(std::size_t i);
  // Sets host i's NIC port admin up or down, as its owner would (`ip link set dev ocs0 up|down`).
  void set_nic_admin(std::size_t i, bool up);
  // Polls (every 10 ms, at most `limit`) until carrier on port i is `want`.
  bool wait_carrier(std::size_t i, bool want, std::chrono::milliseconds limit = std::chrono::seconds(10));
  lab::EndState state(std::size_t i);
  std::vector<lab::EndEvent> events_of(std::size_t i);
  HttpReply control(const std::string& method, const std::string& target, const std::string& body = {});
};

// Polls `ok` every 10 ms until it holds, at most `limit`; returns whether it held.
bool wait_until(const std::function<bool()>& ok, std::chrono::milliseconds limit = std::chrono::seconds(10));

// Sends one raw frame (ethertype 0x88b5, the payload a marker) out of `from`'s NIC port and
// reports which of the `others` received it within `wait`.
std::vector<bool> frame_reaches(PlaneLab& lab, std::size_t from, const std::vector<std::size_t>& others,
                                std::chrono::milliseconds wait = std::chrono::milliseconds(400));

// TCP transfer of `bytes` from host `from` to host `to` (port 5201); returns Mbit/s as the
// sender saw it (connect to the receiver's acknowledgement of the last byte).
double tcp_mbit(PlaneLab& lab, std::size_t from, std::size_t to, std::size_t bytes);

}  // namespace mixnet::testing
