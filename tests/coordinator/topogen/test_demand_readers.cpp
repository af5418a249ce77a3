// Demand matrices from CSV and JSON (docs/topologies.md, "Demand"): what they read, and errors
// that name the file, the line or key, and the cell.
#include <catch2/catch.hpp>

#include "coordinator/topogen/demand_matrix.hpp"
#include "topogen_inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::topogen;

TEST_CASE("demand CSV: hosts from the header, bytes row by row, the diagonal kept off the network", "[unit][topogen]") {
  auto m = parse_demand_csv(",h1,h2,h3\nh1,0,500,1.5e3\n\nh2, 200 ,7,0\nh3,0,0,0\n", "d.csv");
  REQUIRE(m.has_value());
  CHECK(m->hosts == std::vector<std::string>{"h1", "h2", "h3"});
  CHECK(m->at("h1", "h2") == 500);
  CHECK(m->at("h1", "h3") == 1500);
  CHECK(m->at("h2", "h1") == 200);
  CHECK(m->at("h2", "h2") == 0);
  CHECK(m->intra_host_bytes == 7);
  CHECK(m->network_bytes() == 2200);
  CHECK(m->at("h9", "h1") == 0);
}

TEST_CASE("demand CSV errors name file:line, the column and the cell", "[unit][topogen]") {
  auto message = [](std::string_view text) {
    auto m = parse_demand_csv(text, "d.csv");
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().code == Errc::invalid_argument);
    return m.error().message;
  };
  CHECK_THAT(message(",h1,h2\nh1,0,x\nh2,0,0\n"), Catch::Contains("d.csv:2: column 3 (h1 -> h2): 'x' is not a number"));
  CHECK_THAT(message(",h1,h2\nh1,0,-5\nh2,0,0\n"), Catch::Contains("d.csv:2: column 3 (h1 -> h2): -5 is not a finite"));
  CHECK_THAT(message(",h1,h2\nh1,0,inf\nh2,0,0\n"), Catch::Contains("d.csv:2: column 3"));
  CHECK_THAT(message("x,h1,h2\n"), Catch::Contains("d.csv:1: the header's first cell must be empty"));
  CHECK_THAT(message(",h1,h1\n"), Catch::Contains("d.csv:1: column 3: host 'h1' named twice"));
  CHECK_THAT(message(",h1,h2\nh2,0,0\n"), Catch::Contains("d.csv:2: column 1: row 1 must be host 'h1'"));
  CHECK_THAT(message(",h1,h2\nh1,0\n"), Catch::Contains("d.csv:2: row h1 has 2 cells, the header 3"));
  CHECK_THAT(message(",h1,h2\nh1,0,1\n"), Catch::Contains("1 rows for the 2 hosts"));
  CHECK_THAT(message(",h1\nh1,0\nh2,0\n"), Catch::Contains("d.csv:3: a row more than the 1 hosts"));
  CHECK_THAT(message(""), Catch::Contains("empty file"));
}

TEST_CASE("demand JSON, host form: bytes between hosts", "[unit][topogen]") {
  auto m = parse_demand_json(R"({"hosts": ["a", "b"], "bytes": [[3, 10], [20.5, 0]]})", "d.json");
  REQUIRE(m.has_value());
  CHECK(m->at("a", "b") == 10);
  CHECK(m->at("b", "a") == 20.5);
  CHECK(m->intra_host_bytes == 3);
  CHECK(m->network_bytes() == 30.5);
}

TEST_CASE("demand JSON, expert form: tokens x bytes per token between the experts' hosts", "[unit][topogen]") {
  // Experts 0 and 1 on h1, 2 on h2: 0<->1 stays inside h1.
  auto m = parse_demand_json(R"({"experts": 3, "placement": ["h1", "h1", "h2"], "bytes_per_token": 10,
                                  "tokens": [[0, 4, 1], [5, 0, 2], [3, 0, 7]]})",
                             "e.json");
  REQUIRE(m.has_value());
  CHECK(m->hosts == std::vector<std::string>{"h1", "h2"});
  CHECK(m->at("h1", "h2") == 30);   // (1 + 2) tokens x 10
  CHECK(m->at("h2", "h1") == 30);   // (3 + 0) x 10
  CHECK(m->intra_host_bytes == 160);   // (4 + 5 + 7) x 10
}

TEST_CASE("demand JSON errors name the file and the key", "[unit][topogen]") {
  auto error = [](std::string_view text) {
    auto m = parse_demand_json(text, "d.json");
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().code == Errc::invalid_argument);
    return m.error();
  };
  CHECK_THAT(error("{").message, Catch::Contains("d.json: not JSON"));
  CHECK(error(R"({"hosts": ["a", "b"], "bytes": [[0, 1], [-1, 0]]})").field == "bytes[1][0]");
  CHECK(error(R"({"hosts": ["a", "b"], "bytes": [[0, 1], [1, "x"]]})").field == "bytes[1][1]");
  CHECK(error(R"({"hosts": ["a", "b"], "bytes": [[0, 1]]})").field == "bytes");
  CHECK(error(R"({"hosts": ["a", "b"], "bytes": [[0, 1], [1]]})").field == "bytes[1]");
  CHECK(error(R"({"hosts": ["a", "a"], "bytes": [[0, 1], [1, 0]]})").field == "hosts[1]");
  CHECK(error(R"({"hosts": ["a"], "bytes": [[0]], "extra": 1})").field == "extra");
  CHECK(error(R"({"experts": 2, "placement": ["a"], "bytes_per_token": 1, "tokens": [[0, 1], [1, 0]]})").field == "placement");
  CHECK(error(R"({"experts": 2, "placement": ["a", "b"], "tokens": [[0, 1], [1, 0]]})").field == "bytes_per_token");
  CHECK(error(R"({"experts": 0, "placement": [], "bytes_per_token": 1, "tokens": []})").field == "experts");
  (void)error(R"({"experts": 2, "placement": ["a", "b"], "bytes_per_token": 1, "tokens": [[0, 1], [1e400, 0]]})");   // too large for a double
  CHECK(error(R"([1, 2])").field == "matrix");
}

TEST_CASE("demand hosts must be inventory hosts", "[unit][topogen]") {
  const auto inv = topogen_test::uniform_inventory(2, 1);
  CHECK(check_demand_hosts(topogen_test::demand_of({"h1", "h2"}, {{0, 1}, {1, 0}}), inv).has_value());
  auto bad = check_demand_hosts(topogen_test::demand_of({"h1", "h7"}, {{0, 1}, {1, 0}}), inv);
  REQUIRE_FALSE(bad.has_value());
  CHECK_THAT(bad.error().message, Catch::Contains("host 'h7' is not in the inventory"));
}

TEST_CASE("the shipped demand examples read, and the CSV and the JSON say the same", "[unit][topogen]") {
  const std::string dir = std::string(MIXNET_SOURCE_DIR) + "/playbooks/examples/";
  auto csv = read_demand_file(dir + "demand-4hosts.csv");
  auto json = read_demand_file(dir + "demand-4hosts.json");
  auto experts = read_demand_file(dir + "demand-moe-experts.json");
  REQUIRE(csv.has_value());
  REQUIRE(json.has_value());
  REQUIRE(experts.has_value());
  CHECK(csv->hosts == json->hosts);
  CHECK(csv->bytes == json->bytes);
  CHECK(experts->hosts == std::vector<std::string>{"h1", "h2", "h3", "h4"});
  CHECK(experts->intra_host_bytes > 0);
  CHECK(experts->network_bytes() > 0);
}
