#pragma once
// What status and fault need from a running lab's DIR/inventory.yaml (the file `up` wrote), read
// back with the token and whether the state file says the agents serve plain HTTP.
#include <optional>
#include <string>
#include <vector>

#include "common/http/tls_client_files.hpp"
#include "common/result.hpp"

namespace mixnet::lab {

struct RunningPort {
  std::string name;
  std::string cabling;   // "ocs1 tx 3 rx 21", "ocs2 port 5", "eps 2"
  bool ocs = false;
  std::string switch_name;        // the OCS it is cabled to ("ocs1"; its region's)
  int tx = 0, rx = 0, port = 0;   // OCS fibres (port: NxCC)
  std::optional<int> speed_mbps;  // expect.speed_mbps: the line rate `shape` gave it
};
struct RunningHost {
  std::string name;
  std::string agent_url;
  std::vector<RunningPort> ports;
};
// One emulated OCS (one region's): its control API serves its ground truth, its plane and faults.
struct RunningSwitch {
  std::string name;          // "ocs1"
  std::string control_url;   // "http://127.0.0.1:PORT"
};
struct RunningLab {
  std::string name;          // the state file's (empty when it names none)
  std::string dir;
  std::string token;
  std::vector<RunningSwitch> switches;   // every OCS with a ground truth, in inventory order
  TlsClientFiles tls;        // the inventory's tls section: how to reach https:// agents
  bool plain_http = false;   // `up` ran with --insecure-plain-http (the state file says)
  std::vector<RunningHost> hosts;
};

Result<RunningLab> read_running_lab(const std::string& dir);

// The switch named `name` in `lab`, or nullptr.
const RunningSwitch* find_switch(const RunningLab& lab, const std::string& name);

}  // namespace mixnet::lab
