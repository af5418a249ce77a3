#include "agent/traffic/tcp_engine.hpp"

#include "agent/traffic/tcp_client_run.hpp"
#include "agent/traffic/tcp_server_run.hpp"

namespace mixnet::agent::traffic {

Result<std::unique_ptr<TrafficRun>> TcpEngine::start(std::string id, const TrafficSpec& spec) {
  if (spec.role == Role::server) return TcpServerRun::start(std::move(id), spec);
  return TcpClientRun::start(std::move(id), spec);
}

}  // namespace mixnet::agent::traffic
