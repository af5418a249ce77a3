#pragma once
// A small hand-built lab for coord-io's integration tests: a coordinator namespace joined to
// every host namespace by a management veth (198.19.240+i.0/24), real mixnet-agents listening on
// the management address, data links as veth pairs between host namespaces (the "cables"), and an
// inventory written for it. The coordinator's code runs on a thread inside the coordinator
// namespace (run_in), so it reaches the agents over real sockets, as on a testbed.
#include <memory>
#include <string>
#include <vector>

#include "tests/support/agent_process.hpp"
#include "tests/support/netns.hpp"

namespace mixnet::testing {

struct LabPort {
  std::string name;                 // netdev name on the host
  std::string cabling = "port: 1";  // the inventory's ocs: {switch: ocs1, <cabling>}
  std::string extra;                // more keys of the port entry, e.g. "address: 198.18.1.1/24"
};

struct LabHost {
  std::string name;
  std::string ns;
  std::string mgmt_address;         // the agent's address, as the coordinator reaches it
  std::vector<LabPort> ports;
  std::unique_ptr<AgentProcess> agent;
};

class CoordLab {
 public:
  CoordLab();
  ~CoordLab();
  CoordLab(const CoordLab&) = delete;
  CoordLab& operator=(const CoordLab&) = delete;

  // A host namespace with its management link; its agent starts in start_agents().
  LabHost& add_host(const std::string& name, std::vector<LabPort> ports);
  // A data cable: a veth pair between two host ports.
  void cable(const std::string& host_a, const std::string& port_a, const std::string& host_b, const std::string& port_b);
  // Starts every host's agent (managing exactly its listed ports).
  void start_agents();

  LabHost& host(const std::string& name);
  // `ip -n <host ns> <args>`
  std::string ip(const std::string& host_name, const std::string& args);

  // The inventory (token files beside it); `switch_uri` for the one OCS switch.
  [[nodiscard]] std::string inventory_yaml(const std::string& switch_uri = "polatis-tl1://admin:root@127.0.0.1:3082") const;
  [[nodiscard]] const std::string& dir() const { return dir_.path(); }

  NetnsFixture net;
  std::string coord_ns;

 private:
  TempDir dir_;
  std::vector<std::unique_ptr<LabHost>> hosts_;
};

}  // namespace mixnet::testing
