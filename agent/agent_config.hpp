#pragma once
// The agent's command line (CLI11). Parsing is a pure function of argv (plus the token file it
// names), so tests cover every flag without starting an agent.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/thread_priority.hpp"

namespace mixnet::agent {

struct AgentConfig {
  std::string listen = "127.0.0.1:7470";
  std::string token_file;
  std::optional<std::string> token;          // absent only with --insecure-no-auth
  bool insecure_no_auth = false;
  // HTTPS: both or neither (plain HTTP). The files are read when the agent starts
  // (common/http/tls_server_context.hpp), so a bad one stops the start, naming its flag.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;            // set: mutual TLS, clients need a certificate from this CA
  std::vector<std::string> port_patterns;
  std::string host_id;
  std::string log_level = "info";
  std::size_t journal_capacity = 4096;
  bool refuse_wildcard_listen = false;       // the packaged unit: one management address, never all
  std::uint32_t carrier_poll_us = 0;         // 0: carrier changes from netlink only (CarrierPoller)
  int stamp_priority = kDefaultStampPriority;   // SCHED_FIFO of the event-stamping threads; 0: normal
  std::vector<std::string> warnings;         // logged once logging is set up
};

// What main() should do: run with config, or print message and exit with exit_code.
struct CommandLine {
  std::optional<AgentConfig> config;
  int exit_code = 0;
  std::string message;
};

CommandLine parse_command_line(int argc, const char* const* argv);

// For --refuse-wildcard-listen (the packaged systemd unit): the listen address must name one
// address of this host. Refused: empty (the unit's MIXNET_AGENT_LISTEN unset), ":PORT", 0.0.0.0
// and :: in any spelling. Only the address part is judged; parsing the rest is the server's.
Result<void> require_one_listen_address(std::string_view listen);

// A host id travels in probe frames: 1..64 bytes, printable, no whitespace.
Result<std::string> validate_host_id(std::string_view id);

}  // namespace mixnet::agent
