#pragma once
// An agent pool from inventory text, with patient deadlines (TLS handshakes on a loaded 2-core
// machine): the TLS tests' way in, where the path the coordinator takes (the inventory's CA
// fields, make_agent_pool) is what is under test.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::testing {

inline std::unique_ptr<coord::AgentPool> pool_from_yaml(const std::string& yaml, const std::string& base_dir) {
  auto inv = coord::parse_inventory(yaml, "inventory.yaml", base_dir);
  INFO((inv ? std::string() : inv.error().describe()));
  REQUIRE(inv);
  coord::AgentPoolOptions options;
  options.request_timeout = std::chrono::seconds(10);
  options.connect_timeout = std::chrono::seconds(5);
  auto pool = coord::make_agent_pool(*inv, options);
  REQUIRE(pool);
  return std::move(*pool);
}

}  // namespace mixnet::testing
