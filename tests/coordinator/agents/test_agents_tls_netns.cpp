// A real mixnet-agent over TLS in a network namespace, with a throw-away CA made for the test
// (docs/tls.md): the coordinator's agent pool, given the CA in the inventory, is served; curl
// without the CA fails verification; with --tls-client-ca a client without a certificate is
// refused and one with a certificate from that CA is served, the pool included (the inventory's
// tls.client_cert_file).
#include <catch2/catch.hpp>

#include "common/subprocess.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/model/inventory.hpp"
#include "tests/support/agent_process.hpp"
#include "tests/coordinator/support/pool_from_yaml.hpp"
#include "tests/support/test_ca.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using namespace std::chrono_literals;

namespace {

const std::string kAgentUrl = "https://127.0.0.1:" + std::to_string(kAgentPort);

// curl inside `ns` on the agent's /v1/health with `extra` arguments: exit code and output.
ProgramResult curl_in(const std::string& ns, std::vector<std::string> extra) {
  std::vector<std::string> argv{"ip", "netns", "exec", ns, "curl", "-sS", "--max-time", "20"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(kAgentUrl + "/v1/health");
  auto r = run_program(argv, "", std::chrono::seconds(30));
  REQUIRE(r.has_value());
  return *r;
}

constexpr int kCurlPeerFailedVerification = 60;

}  // namespace

TEST_CASE("a real agent over TLS: the pool with the CA is served, a client without it is not", "[integration][agents][tls]") {
  NetnsFixture net;
  const std::string ns = net.add_namespace();
  TestCa ca;
  AgentProcess agent(net, ns, "h1", "lo", {"--tls-cert", ca.server_cert(), "--tls-key", ca.server_key()});

  const std::string yaml = "version: 1\nname: t\ntls: {agent_ca_file: " + ca.ca_cert() + "}\nhosts:\n"
                           "  - name: h1\n    agent: {url: " + kAgentUrl + ", token_file: " + agent.token_path() +
                           "}\n    ports: []\nswitches: []\n";
  auto pool = pool_from_yaml(yaml, ca.dir());
  const auto [health, inventory] = net.run_in(ns, [&] {
    return std::make_pair(pool->health({"h1"}), pool->inventory({"h1"}));
  });
  INFO((health[0].ok() ? std::string() : health[0].value.error().message));
  REQUIRE(health[0].ok());
  CHECK(health[0].value->host_id == "h1");
  REQUIRE(inventory[0].ok());  // an authenticated route: the token went over TLS

  const auto untrusted = curl_in(ns, {});
  CHECK(untrusted.exit_code == kCurlPeerFailedVerification);
  CHECK(untrusted.out.find("\"host_id\"") == std::string::npos);
  CHECK(curl_in(ns, {"--cacert", ca.ca_cert()}).out.find("\"host_id\":\"h1\"") != std::string::npos);
}

TEST_CASE("a real agent with --tls-client-ca refuses a client without a certificate from that CA", "[integration][agents][tls]") {
  NetnsFixture net;
  const std::string ns = net.add_namespace();
  TestCa ca;
  AgentProcess agent(net, ns, "h1", "lo",
                     {"--tls-cert", ca.server_cert(), "--tls-key", ca.server_key(), "--tls-client-ca", ca.ca_cert()});
  const auto anonymous = curl_in(ns, {"--cacert", ca.ca_cert()});
  CHECK(anonymous.exit_code != 0);
  CHECK(anonymous.out.find("\"host_id\"") == std::string::npos);
  const auto with_cert = curl_in(ns, {"--cacert", ca.ca_cert(), "--cert", ca.client_cert(), "--key", ca.client_key()});
  CHECK(with_cert.exit_code == 0);
  CHECK(with_cert.out.find("\"host_id\":\"h1\"") != std::string::npos);

  // The coordinator's pool: served with the inventory's client certificate, refused without it.
  const auto inventory = [&](const std::string& client) {
    return "version: 1\nname: t\ntls: {agent_ca_file: " + ca.ca_cert() + client + "}\nhosts:\n"
           "  - name: h1\n    agent: {url: " + kAgentUrl + ", token_file: " + agent.token_path() +
           "}\n    ports: []\nswitches: []\n";
  };
  auto mutual = pool_from_yaml(inventory(", client_cert_file: " + ca.client_cert() + ", client_key_file: " + ca.client_key()), ca.dir());
  auto anonymous_pool = pool_from_yaml(inventory(""), ca.dir());
  const auto [served, refused] = net.run_in(ns, [&] {
    return std::make_pair(mutual->inventory({"h1"}), anonymous_pool->health({"h1"}));
  });
  INFO((served[0].ok() ? std::string() : served[0].value.error().message));
  CHECK(served[0].ok());
  CHECK_FALSE(refused[0].ok());
}
