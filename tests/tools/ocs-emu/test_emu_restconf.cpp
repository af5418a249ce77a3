// Polatis RESTCONF against a running emulator over loopback HTTP.
#include <nlohmann/json.hpp>

#include "tests/tools/ocs-emu/emu_fixture.hpp"

using namespace mixnet::ocs_emu;
using mixnet::testing::kCross;
using mixnet::testing::rest;
using nlohmann::json;

namespace {

// Checks a RESTCONF error body and returns its error-tag.
std::string error_tag(const mixnet::testing::HttpReply& r) {
  const auto j = r.json();
  const auto& e = j.at("ietf-restconf:errors").at("error").at(0);
  CHECK(e.at("error-type") == "application");
  CHECK_FALSE(e.at("error-message").get<std::string>().empty());
  return e.at("error-tag").get<std::string>();
}

}  // namespace

TEST_CASE("restconf: Basic auth is required", "[ocs-emu][rest]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options());
  auto r = rest(*emu, "GET", kCross, {}, "");
  CHECK(r.status == 401);
  CHECK(r.headers["www-authenticate"].find("Basic") == 0);
  CHECK(error_tag(r) == "access-denied");
  CHECK(rest(*emu, "GET", kCross, {}, mixnet::testing::basic_auth("admin", "nope")).status == 401);
  CHECK(rest(*emu, "GET", kCross, {}, "Basic !!!").status == 401);
  CHECK(rest(*emu, "GET", kCross).status == 200);
}

TEST_CASE("restconf: cross-connect create, read, replace, delete", "[ocs-emu][rest]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options());
  auto r = rest(*emu, "POST", kCross, R"({"optical-switch:pair":[{"ingress":1,"egress":17},{"ingress":2,"egress":18}]})");
  REQUIRE(r.status == 201);
  CHECK(r.headers["location"] == std::string(kCross) + "/pair=1");

  r = rest(*emu, "GET", kCross);
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"] == "application/yang-data+json");
  CHECK(r.json() == json::parse(R"({"optical-switch:cross-connects":{"pair":[{"ingress":1,"egress":17},{"ingress":2,"egress":18}]}})"));

  r = rest(*emu, "GET", std::string(kCross) + "/pair=2");
  REQUIRE(r.status == 200);
  CHECK(r.json() == json::parse(R"({"optical-switch:pair":[{"ingress":2,"egress":18}]})"));

  // PUT one pair: create (201), move (204), unchanged (204).
  CHECK(rest(*emu, "PUT", std::string(kCross) + "/pair=3", R"({"optical-switch:pair":[{"ingress":3,"egress":19}]})").status == 201);
  CHECK(rest(*emu, "PUT", std::string(kCross) + "/pair=3", R"({"optical-switch:pair":[{"ingress":3,"egress":20}]})").status == 204);
  CHECK(rest(*emu, "PUT", std::string(kCross) + "/pair=3", R"({"optical-switch:pair":{"ingress":3,"egress":20}})").status == 204);
  CHECK(emu->connections() == std::vector<Connection>{{1, 17, false}, {2, 18, false}, {3, 20, false}});

  // The older "pairs" naming and plain application/json are accepted.
  CHECK(rest(*emu, "POST", kCross, R"({"pairs":[{"ingress":4,"egress":21}]})", mixnet::testing::basic_auth(),
             "application/json").status == 201);

  // PUT the container: replace everything (1->17 stays, the rest goes, 5->22 comes).
  r = rest(*emu, "PUT", kCross,
           R"({"optical-switch:cross-connects":{"pair":[{"ingress":1,"egress":17},{"ingress":5,"egress":22}]}})");
  CHECK(r.status == 204);
  CHECK(emu->connections() == std::vector<Connection>{{1, 17, false}, {5, 22, false}});

  CHECK(rest(*emu, "DELETE", std::string(kCross) + "/pair=5").status == 204);
  CHECK(emu->connections() == std::vector<Connection>{{1, 17, false}});
  CHECK(rest(*emu, "DELETE", kCross).status == 204);
  CHECK(emu->connections().empty());
}

TEST_CASE("restconf: 400, 404, 405, 409 and 415 carry RESTCONF error bodies", "[ocs-emu][rest]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options());
  REQUIRE(rest(*emu, "POST", kCross, R"({"optical-switch:pair":[{"ingress":1,"egress":17}]})").status == 201);

  auto r = rest(*emu, "POST", kCross, R"({"optical-switch:pair":[{"ingress":2,"egress":99}]})");
  CHECK(r.status == 400);
  CHECK(error_tag(r) == "invalid-value");
  r = rest(*emu, "POST", kCross, R"({"optical-switch:pair":[{"ingress":17,"egress":2}]})");
  CHECK(r.status == 400);
  r = rest(*emu, "POST", kCross, "{not json");
  CHECK(r.status == 400);
  CHECK(error_tag(r) == "malformed-message");
  r = rest(*emu, "POST", kCross, R"({"something":[]})");
  CHECK(r.status == 400);
  r = rest(*emu, "POST", kCross, R"({"optical-switch:pair":[{"ingress":"x","egress":18}]})");
  CHECK(r.status == 400);
  r = rest(*emu, "PUT", std::string(kCross) + "/pair=2", R"({"optical-switch:pair":[{"ingress":3,"egress":18}]})");
  CHECK(r.status == 400);   // key mismatch

  r = rest(*emu, "GET", std::string(kCross) + "/pair=2");
  CHECK(r.status == 404);
  CHECK(error_tag(r) == "invalid-value");
  CHECK(rest(*emu, "DELETE", std::string(kCross) + "/pair=2").status == 404);
  CHECK(rest(*emu, "GET", "/api/data/optical-switch:nothing-here").status == 404);
  CHECK(rest(*emu, "GET", std::string(kCross) + "/pair=abc").status == 400);

  r = rest(*emu, "POST", kCross, R"({"optical-switch:pair":[{"ingress":2,"egress":17}]})");
  CHECK(r.status == 409);
  CHECK(error_tag(r) == "in-use");
  r = rest(*emu, "POST", kCross, R"({"optical-switch:pair":[{"ingress":1,"egress":17}]})");
  CHECK(r.status == 409);
  CHECK(error_tag(r) == "data-exists");
  REQUIRE(emu->set_port_failed(5, true));
  r = rest(*emu, "POST", kCross, R"({"optical-switch:pair":[{"ingress":5,"egress":20}]})");
  CHECK(r.status == 409);
  CHECK(error_tag(r) == "resource-denied");

  // (The test HTTP client labels every body application/json, so the wrong type goes without one.)
  mixnet::testing::HttpCall plain;
  plain.method = "POST";
  plain.target = kCross;
  plain.headers = {{"Authorization", mixnet::testing::basic_auth()}, {"Content-Type", "text/plain"}};
  r = mixnet::testing::http_request("127.0.0.1", emu->rest_port(), plain);
  CHECK(r.status == 415);
  r = rest(*emu, "PATCH", kCross, R"({"optical-switch:pair":[]})");
  CHECK(r.status == 405);
  CHECK(error_tag(r) == "operation-not-supported");

  CHECK(emu->connections() == std::vector<Connection>{{1, 17, false}});
}

// Power follows patch and shutter, port config reads back what was written, product information is served.
TEST_CASE("restconf: power, port config and product information", "[ocs-emu][rest]") {
  auto o = mixnet::testing::emu_options();
  o.loss_noise_db = 0.0;
  o.input_power_dbm = -1.0;
  auto emu = mixnet::testing::start_emu(o);
  REQUIRE(rest(*emu, "POST", kCross, R"({"optical-switch:pair":[{"ingress":2,"egress":30}]})").status == 201);

  auto r = rest(*emu, "GET", "/api/data/optical-switch:opm-power");
  REQUIRE(r.status == 200);
  const auto ports = r.json().at("optical-switch:opm-power").at("port");
  REQUIRE(ports.size() == 32);
  CHECK(ports[1] == json::parse(R"({"port-id":2,"power":-1.0})"));   // an ingress reads the light arriving
  CHECK(ports[2] == json::parse(R"({"port-id":3,"power":-60.0})"));
  CHECK(ports[29] == json::parse(R"({"port-id":30,"power":-2.5})"));
  r = rest(*emu, "GET", "/api/data/optical-switch:opm-power/port=30");
  CHECK(r.json() == json::parse(R"({"optical-switch:port":[{"port-id":30,"power":-2.5}]})"));

  r = rest(*emu, "PATCH", "/api/data/optical-switch:port-config/port=2",
           R"({"optical-switch:port":[{"port-id":2,"status":"DISABLED","label":"host-a eth1"}]})");
  CHECK(r.status == 204);
  r = rest(*emu, "GET", "/api/data/optical-switch:port-config/port=2");
  CHECK(r.json() == json::parse(R"({"optical-switch:port":[{"port-id":2,"status":"DISABLED","label":"host-a eth1"}]})"));
  CHECK(rest(*emu, "GET", "/api/data/optical-switch:opm-power/port=30").json()["optical-switch:port"][0]["power"] == -60.0);
  REQUIRE(emu->set_port_failed(7, true));
  r = rest(*emu, "GET", "/api/data/optical-switch:port-config");
  CHECK(r.json()["optical-switch:port-config"]["port"][6]["status"] == "FAILED");
  CHECK(rest(*emu, "PUT", "/api/data/optical-switch:port-config",
             R"({"optical-switch:port-config":{"port":[{"port-id":2,"status":"ENABLED"}]}})").status == 204);
  CHECK(emu->port(2)->status == PortStatus::enabled);
  CHECK(rest(*emu, "PATCH", "/api/data/optical-switch:port-config/port=2",
             R"({"optical-switch:port":[{"port-id":2,"status":"FAILED"}]})").status == 400);

  r = rest(*emu, "GET", "/api/data/optical-switch:product-information");
  REQUIRE(r.status == 200);
  const auto info = r.json().at("optical-switch:product-information");
  CHECK(info.at("manufacturer") == "POLATIS");
  CHECK(info.at("model-name") == "N-VST-16x16-EMU");
  CHECK(info.at("serial-number") == "EMU-0001");
  CHECK(info.contains("software-version"));
}
