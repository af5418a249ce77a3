// The agent pool over HTTPS (docs/tls.md): an agent double serving TLS with a throw-away CA's
// certificate is reached when the inventory names that CA, and refused with an error that says
// the certificate did not verify, and against what, when it names another; a CA file that cannot
// be read breaks its host alone, naming the field. With a client certificate in the inventory the
// pool presents it (mutual TLS); an open client key is refused.
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

TEST_CASE("the agent pool presents the inventory's client certificate to an agent that demands one", "[unit][agents][tls]") {
  TestCa ca;
  auto ctx = http::make_tls_server_context(
      {.cert_file = ca.server_cert(), .key_file = ca.server_key(), .client_ca_file = ca.ca_cert()});
  REQUIRE(ctx.has_value());
  FakeAgent agent("agent-m", "secret-m", *ctx);
  const std::string token = ca.dir() + "/token";
  std::ofstream(token) << "secret-m\n";
  std::filesystem::permissions(token, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto inventory = [&](const std::string& client) {
    return "version: 1\nname: t\ntls: {agent_ca_file: ca.crt" + client + "}\nhosts:\n"
           "  - name: h1\n    agent: {url: " + agent.url() + ", token_file: token}\n    ports: []\nswitches: []\n";
  };
  const std::string with_client = ", client_cert_file: client.crt, client_key_file: client.key";

  auto served = mixnet::testing::pool_from_yaml(inventory(with_client), ca.dir())->health({"h1"});
  INFO((served[0].ok() ? std::string() : served[0].value.error().message));
  REQUIRE(served[0].ok());
  CHECK(served[0].value->host_id == "agent-m");

  // Without a client certificate the agent ends the handshake: no reply.
  auto refused = mixnet::testing::pool_from_yaml(inventory(""), ca.dir())->health({"h1"});
  REQUIRE_FALSE(refused[0].ok());
  CHECK(refused[0].value.error().code != Errc::insecure_file);

  // A client key that group or others may read is not used: the host is broken, naming the field.
  std::filesystem::permissions(ca.client_key(), std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  auto open_key = mixnet::testing::pool_from_yaml(inventory(with_client), ca.dir())->health({"h1"});
  REQUIRE_FALSE(open_key[0].ok());
  CHECK(open_key[0].value.error().code == Errc::insecure_file);
  CHECK(open_key[0].value.error().field == "tls.client_key_file");
  CHECK(open_key[0].value.error().message.find(ca.client_key() + ": mode 0640") != std::string::npos);
}
