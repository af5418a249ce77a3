// mixnet-lab's agents over TLS: `up` makes a throw-away CA and every agent serves HTTPS with its
// own certificate (its management address as subjectAltName) and serves only clients with the
// lab's client certificate; the inventory says how to verify them and names that certificate. Plain HTTP only with --insecure-plain-http, which `up` and `status` say loudly.
#include <catch2/catch.hpp>

#include <filesystem>
#include <stdexcept>

#include "tests/support/https_client.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;
namespace fs = std::filesystem;

TEST_CASE("lab agents serve HTTPS verified by the lab's CA, and nothing else", "[lab][tls]") {
  LabUnderTest lab("--hosts 2 --ocs-ports 1 --eps-ports 1");
  const auto& inv = lab.inventory();
  REQUIRE(inv.tls.ca_file == lab.dir() + "/tls/ca.crt");
  REQUIRE(fs::exists(inv.tls.ca_file));
  // Every private key of the lab CA is the owner's alone.
  int keys = 0;
  for (const auto& entry : fs::directory_iterator(lab.dir() + "/tls")) {
    if (entry.path().extension() != ".key") continue;
    ++keys;
    INFO(entry.path());
    CHECK(entry.status().permissions() == (fs::perms::owner_read | fs::perms::owner_write));
  }
  CHECK(keys >= 4);   // the CA, two agents, the client
  for (const auto& h : inv.hosts) {
    INFO(h.name);
    CHECK(h.agent_url == "https://" + h.agent_host + ":" + std::to_string(h.agent_port));
    // With the lab's CA: served (the certificate verifies for the address dialled).
    const auto reply = lab.agent(h.name, "/v1/inventory");
    CHECK(reply.status == 200);
    CHECK(reply.json().at("host_id") == h.name);
    // Without it (the system's trust store), verification fails: no reply at all.
    HttpCall health;
    health.target = "/v1/health";
    CHECK_THROWS_WITH(https_request(h.agent_url, mixnet::TlsClientFiles{}, health), Catch::Contains("certificate"));
    // Mutual TLS: with the CA but without the lab's client certificate the agent ends the handshake.
    CHECK_THROWS(https_request(h.agent_url, mixnet::TlsClientFiles{.ca_file = inv.tls.ca_file}, health));
    // Plain HTTP to the HTTPS port gets no HTTP reply.
    CHECK_THROWS(http_request(h.agent_host, h.agent_port, health));
  }
  // The coordinator's client certificate is in the inventory, and RESTCONF is HTTPS verified
  // against the lab's CA (test_lab_circuits drives a circuit through this URI).
  CHECK(inv.tls.cert_file == lab.dir() + "/tls/client.crt");
  CHECK(inv.tls.key_file == lab.dir() + "/tls/client.key");
  CHECK(inv.rest_uri.ends_with("&ca-file=" + inv.tls.ca_file));
}

TEST_CASE("lab --insecure-plain-http serves plain HTTP and says so in up and status", "[lab][tls]") {
  const std::string name = unique_lab_name();
  const auto up = run_lab("up --name " + name + " --hosts 1 --ocs-ports 1 --eps-ports 0 --insecure-plain-http");
  INFO(up.output);
  struct Down {
    std::string name;
    ~Down() { (void)run_lab("down --name " + name); }
  } down{name};
  REQUIRE(up.exit_code == 0);
  CHECK(up.output.find("WARNING: --insecure-plain-http") != std::string::npos);
  const LabInventory inv = read_inventory("/run/mixnet-lab/" + name);
  CHECK(inv.tls.ca_file.empty());
  CHECK(inv.rest_uri.find("ca-file") == std::string::npos);
  REQUIRE(inv.hosts.size() == 1);
  CHECK(inv.hosts[0].agent_url.starts_with("http://"));
  CHECK_FALSE(fs::exists("/run/mixnet-lab/" + name + "/tls"));
  HttpCall call;
  call.target = "/v1/inventory";
  call.token = inv.token;
  CHECK(http_request(inv.hosts[0].agent_host, inv.hosts[0].agent_port, call).status == 200);
  const auto status = run_lab("status --name " + name);
  INFO(status.output);
  CHECK(status.exit_code == 0);
  CHECK(status.output.find("WARNING: this lab's agents serve plain HTTP") != std::string::npos);
  const auto as_json = run_lab("status --json --name " + name);
  CHECK(nlohmann::json::parse(as_json.output.substr(as_json.output.find('{'))).at("plain_http") == true);
}
