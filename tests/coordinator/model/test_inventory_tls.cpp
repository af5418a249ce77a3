// The inventory's TLS fields (docs/tls.md): `tls.agent_ca_file` for every https:// agent,
// `agent.ca_file` for one, paths relative to the inventory's folder, errors naming the key.
#include <catch2/catch.hpp>
#include <string>

#include "coordinator/model/inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

std::string tls_inventory(const std::string& tls_section, const std::string& h1_agent, const std::string& h2_agent) {
  return "version: 1\nname: t\n" + tls_section +
         "hosts:\n"
         "  - name: h1\n    agent: " + h1_agent + "\n    ports: []\n"
         "  - name: h2\n    agent: " + h2_agent + "\n    ports: []\n"
         "switches: []\n";
}

std::string tls_inventory_error(const std::string& yaml) {
  auto inv = parse_inventory(yaml, "inv.yaml", "/etc/lab");
  REQUIRE_FALSE(inv.has_value());
  return inv.error().message;
}

}  // namespace

TEST_CASE("inventory tls: the global CA applies to https agents, an agent's own CA wins", "[inventory][tls]") {
  auto inv = parse_inventory(tls_inventory("tls: {agent_ca_file: ca.crt}\n",
                                       "{url: https://10.0.0.1:7470}",
                                       "{url: https://10.0.0.2:7470, ca_file: /srv/other-ca.pem}"),
                             "inv.yaml", "/etc/lab");
  INFO((inv ? std::string() : inv.error().message));
  REQUIRE(inv.has_value());
  REQUIRE(inv->tls.has_value());
  CHECK(inv->tls->agent_ca_file == "/etc/lab/ca.crt");
  CHECK(inv->hosts[0].agent.ca_file == "/etc/lab/ca.crt");
  CHECK(inv->hosts[1].agent.ca_file == "/srv/other-ca.pem");

  // A plain-HTTP agent takes nothing from the global CA; without one, https uses the system's store.
  auto mixed = parse_inventory(tls_inventory("tls: {agent_ca_file: ca.crt}\n", "{url: http://10.0.0.1:7470}",
                                         "{url: https://10.0.0.2:7470}"),
                               "inv.yaml", "/etc/lab");
  REQUIRE(mixed.has_value());
  CHECK(mixed->hosts[0].agent.ca_file.empty());
  CHECK(mixed->hosts[1].agent.ca_file == "/etc/lab/ca.crt");
  auto none = parse_inventory(tls_inventory("", "{url: https://10.0.0.1:7470}", "{url: https://10.0.0.2:7470, ca_file: ca.pem}"),
                              "inv.yaml", "/etc/lab");
  REQUIRE(none.has_value());
  CHECK_FALSE(none->tls.has_value());
  CHECK(none->hosts[0].agent.ca_file.empty());
  CHECK(none->hosts[1].agent.ca_file == "/etc/lab/ca.pem");
}

TEST_CASE("inventory tls: bad fields are refused, naming the key", "[inventory][tls]") {
  const std::string https = "{url: https://10.0.0.1:7470}";
  CHECK(tls_inventory_error(tls_inventory("", "{url: http://10.0.0.1:7470, ca_file: ca.crt}", https))
            .find("inv.yaml:5: hosts[0].agent.ca_file: only for an https:// url") == 0);
  CHECK(tls_inventory_error(tls_inventory("", https, "{url: https://10.0.0.2:7470, ca_file: ''}")).find("hosts[1].agent.ca_file") !=
        std::string::npos);
  CHECK(tls_inventory_error(tls_inventory("tls: {}\n", https, https)).find("tls.agent_ca_file: required") != std::string::npos);
  CHECK(tls_inventory_error(tls_inventory("tls: {ca_file: ca.crt}\n", https, https)).find("tls.ca_file: unknown key") != std::string::npos);
  CHECK(tls_inventory_error(tls_inventory("tls: ca.crt\n", https, https)).find("inv.yaml:3: tls") == 0);
}

TEST_CASE("inventory tls: a client certificate and key for mutual TLS, both or neither", "[inventory][tls]") {
  const std::string https = "{url: https://10.0.0.1:7470}";
  auto inv = parse_inventory(tls_inventory("tls: {agent_ca_file: ca.crt, client_cert_file: coord.crt, client_key_file: /k/coord.key}\n",
                                           https, https),
                             "inv.yaml", "/etc/lab");
  INFO((inv ? std::string() : inv.error().message));
  REQUIRE(inv.has_value());
  CHECK(inv->tls->client_cert_file == "/etc/lab/coord.crt");
  CHECK(inv->tls->client_key_file == "/k/coord.key");
  CHECK(tls_inventory_error(tls_inventory("tls: {agent_ca_file: ca.crt, client_cert_file: coord.crt}\n", https, https))
            .find("tls.client_key_file: required with tls.client_cert_file") != std::string::npos);
  CHECK(tls_inventory_error(tls_inventory("tls: {agent_ca_file: ca.crt, client_key_file: coord.key}\n", https, https))
            .find("tls.client_cert_file: required with tls.client_key_file") != std::string::npos);
}
