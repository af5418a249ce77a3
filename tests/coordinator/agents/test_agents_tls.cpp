// The agent pool over HTTPS (docs/tls.md): an agent double serving TLS with a throw-away CA's
// certificate is reached when the inventory names that CA, and refused with an error that says
// the certificate did not verify, and against what, when it names another; a CA file that cannot
// be read breaks its host alone, naming the field.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/http/tls_server_context.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/model/inventory.hpp"
#include "tests/coordinator/support/fake_agent.hpp"
#include "tests/coordinator/support/pool_from_yaml.hpp"
#include "tests/support/test_ca.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using mixnet::testing::FakeAgent;
using mixnet::testing::TestCa;
using namespace std::chrono_literals;

TEST_CASE("the agent pool verifies https agents against the inventory's CA", "[unit][agents][tls]") {
  TestCa ca;
  TestCa stranger;  // another CA: its certificate does not vouch for the agent
  auto ctx = http::make_tls_server_context({.cert_file = ca.server_cert(), .key_file = ca.server_key()});
  REQUIRE(ctx.has_value());
  FakeAgent agent("agent-a", "secret-a", *ctx);
  REQUIRE(agent.url().rfind("https://127.0.0.1:", 0) == 0);
  const std::string token = ca.dir() + "/token";
  std::ofstream(token) << "secret-a\n";
  std::filesystem::permissions(token, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  const std::string yaml = "version: 1\nname: t\ntls: {agent_ca_file: ca.crt}\nhosts:\n"
                           "  - name: trusted\n    agent: {url: " + agent.url() + ", token_file: token}\n    ports: []\n"
                           "  - name: wrong-ca\n    agent: {url: " + agent.url() + ", token_file: token, ca_file: " +
                           stranger.ca_cert() + "}\n    ports: []\n"
                           "  - name: no-ca-file\n    agent: {url: " + agent.url() + ", token_file: token, ca_file: missing.crt}\n"
                           "    ports: []\n"
                           "switches: []\n";
  auto pool = mixnet::testing::pool_from_yaml(yaml, ca.dir());
  auto r = pool->health({"trusted", "wrong-ca", "no-ca-file"});
  REQUIRE(r.size() == 3);
  INFO((r[0].ok() ? std::string() : r[0].value.error().message));
  REQUIRE(r[0].ok());
  CHECK(r[0].value->host_id == "agent-a");
  CHECK(agent.last_authorization() == "Bearer secret-a");

  REQUIRE_FALSE(r[1].ok());
  const auto& refused = r[1].value.error().message;
  INFO(refused);
  CHECK(refused.find("certificate") != std::string::npos);
  CHECK(refused.find(stranger.ca_cert()) != std::string::npos);
  CHECK(refused.find("attempts") == std::string::npos);  // not retried: it would fail alike

  REQUIRE_FALSE(r[2].ok());
  CHECK(r[2].value.error().code == Errc::not_found);
  CHECK(r[2].value.error().field == "ca_file");
  CHECK(r[2].value.error().message.find(ca.dir() + "/missing.crt") != std::string::npos);
}
