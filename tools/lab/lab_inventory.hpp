#pragma once
// What status and fault need from a running lab's DIR/inventory.yaml (the file `up` wrote), read
// back with the token and whether the state file says the agents serve plain HTTP.
#include <string>
#include <vector>

#include "common/http/tls_client_files.hpp"
#include "common/result.hpp"

namespace mixnet::lab {

struct RunningPort {
  std::string name;
  std::string cabling;   // "ocs tx 3 rx 21", "ocs port 5", "eps 2"
  bool ocs = false;
  int tx = 0, rx = 0, port = 0;   // OCS fibres (port: NxCC)
};
struct RunningHost {
  std::string name;
  std::string agent_url;
  std::vector<RunningPort> ports;
};
struct RunningLab {
  std::string dir;
  std::string token;
  std::string control_url;   // the emulator's ground truth / control API
  TlsClientFiles tls;        // the inventory's tls section: how to reach https:// agents
  bool plain_http = false;   // `up` ran with --insecure-plain-http (the state file says)
  std::vector<RunningHost> hosts;
};

Result<RunningLab> read_running_lab(const std::string& dir);

}  // namespace mixnet::lab
