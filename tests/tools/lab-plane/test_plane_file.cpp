// The plane file: a good file parses; every kind of bad input is refused naming its field.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tools/lab/plane/plane_file.hpp"

using mixnet::lab::parse_plane_file;
using mixnet::lab::SwitchShape;
using nlohmann::json;

namespace {

const SwitchShape kNxM{mixnet::ocs_emu::SwitchMode::nxm, 8, 8};
const SwitchShape kCC{mixnet::ocs_emu::SwitchMode::any_to_any, 8, 0};

json good_nxm() {
  return json::parse(R"({"netns":"mxl-lab-ocs","profile":"fixed:50","seed":7,"ends":[
    {"id":"h1:ocs0","dev":"o1p0","host_netns":"mxl-lab-h1","host_dev":"ocs0","tx":3,"rx":12},
    {"id":"h2:ocs0","dev":"o2p0","host_netns":"mxl-lab-h2","host_dev":"ocs0","tx":1,"rx":9}]})");
}

std::string field_of(const json& j, const SwitchShape& shape = kNxM) {
  auto r = parse_plane_file(j.dump(), shape);
  if (r) return "(accepted)";
  return r.error().field;
}

}  // namespace

TEST_CASE("plane file: a good NxM file parses", "[lab-plane][file]") {
  auto r = parse_plane_file(good_nxm().dump(), kNxM);
  REQUIRE(r);
  CHECK(r->netns == "mxl-lab-ocs");
  CHECK(r->seed == 7);
  CHECK(r->profile.name == "fixed:50");
  REQUIRE(r->ends.size() == 2);
  CHECK(r->ends[0].id == "h1:ocs0");
  CHECK(r->ends[0].tx == 3);
  CHECK(r->ends[0].rx == 12);
  CHECK_FALSE(r->ends[0].single_port);
  CHECK(r->ends[1].host_netns == "mxl-lab-h2");
}

TEST_CASE("plane file: a good any-to-any file parses, profile defaults to fast", "[lab-plane][file]") {
  const json j = json::parse(R"({"netns":"ocs","ends":[
    {"id":"a","dev":"oa","host_netns":"ha","host_dev":"p0","port":2},
    {"id":"b","dev":"ob","host_netns":"hb","host_dev":"p0","port":8}]})");
  auto r = parse_plane_file(j.dump(), kCC);
  REQUIRE(r);
  CHECK(r->profile.name == "fast");
  CHECK(r->ends[0].single_port);
  CHECK(r->ends[0].tx == 2);
  CHECK(r->ends[0].rx == 2);
}

TEST_CASE("plane file: errors name the bad field", "[lab-plane][file]") {
  CHECK_FALSE(parse_plane_file("{not json", kNxM));
  CHECK(field_of(json::array()) == "file");
  {
    json j = good_nxm();
    j["extra"] = 1;
    CHECK(field_of(j) == "extra");
  }
  {
    json j = good_nxm();
    j["ends"][1]["speed"] = 100;
    CHECK(field_of(j) == "ends[1].speed");
  }
  {
    json j = good_nxm();
    j.erase("netns");
    CHECK(field_of(j) == "netns");
  }
  {
    json j = good_nxm();
    j["netns"] = "../etc";
    CHECK(field_of(j) == "netns");
  }
  {
    json j = good_nxm();
    j["profile"] = "sometimes";
    CHECK(field_of(j) == "profile");
  }
  {
    json j = good_nxm();
    j["seed"] = -1;
    CHECK(field_of(j) == "seed");
  }
  {
    json j = good_nxm();
    j["ends"] = json::object();
    CHECK(field_of(j) == "ends");
  }
  {
    json j = good_nxm();
    j["ends"][1]["id"] = "h1:ocs0";
    CHECK(field_of(j) == "ends[1].id");
  }
  {
    json j = good_nxm();
    j["ends"][1]["dev"] = "o1p0";
    CHECK(field_of(j) == "ends[1].dev");
  }
  {
    json j = good_nxm();
    j["ends"][1]["dev"] = "a-name-longer-than-15";
    CHECK(field_of(j) == "ends[1].dev");
  }
  {
    json j = good_nxm();
    j["ends"][1]["host_netns"] = "mxl-lab-h1";
    CHECK(field_of(j) == "ends[1].host_dev");
  }
  {
    json j = good_nxm();
    j["ends"][1]["tx"] = 3;   // taken by end 0
    CHECK(field_of(j) == "ends[1].tx");
  }
  {
    json j = good_nxm();
    j["ends"][1]["rx"] = 12;
    CHECK(field_of(j) == "ends[1].rx");
  }
  {
    json j = good_nxm();
    j["ends"][0]["tx"] = 9;   // an output given as an input
    CHECK(field_of(j) == "ends[0].tx");
  }
  {
    json j = good_nxm();
    j["ends"][0]["rx"] = 17;   // outside 9..16
    CHECK(field_of(j) == "ends[0].rx");
  }
  {
    json j = good_nxm();
    j["ends"][0]["tx"] = "3";
    CHECK(field_of(j) == "ends[0].tx");
  }
  {
    json j = good_nxm();
    j["ends"][0].erase("rx");
    CHECK(field_of(j) == "ends[0].rx");
  }
  {
    json j = good_nxm();
    j["ends"][0]["port"] = 4;   // NxM takes tx/rx
    CHECK(field_of(j) == "ends[0].port");
  }
  {
    const json j = json::parse(R"({"netns":"ocs","ends":[
      {"id":"a","dev":"oa","host_netns":"ha","host_dev":"p0","port":2},
      {"id":"b","dev":"ob","host_netns":"hb","host_dev":"p0","port":2}]})");
    CHECK(field_of(j, kCC) == "ends[1].port");
  }
  {
    const json j = json::parse(R"({"netns":"ocs","ends":[
      {"id":"a","dev":"oa","host_netns":"ha","host_dev":"p0","port":9}]})");
    CHECK(field_of(j, kCC) == "ends[0].port");
  }
  {
    const json j = json::parse(R"({"netns":"ocs","ends":[
      {"id":"a","dev":"oa","host_netns":"ha","host_dev":"p0","tx":1,"rx":2}]})");
    CHECK(field_of(j, kCC) == "ends[0].tx");
  }
}

TEST_CASE("plane file: a missing file is an error naming the flag", "[lab-plane][file]") {
  auto r = mixnet::lab::load_plane_file("/nonexistent/plane.json", kNxM);
  REQUIRE_FALSE(r);
  CHECK(r.error().field == "lab-plane");
}

TEST_CASE("plane file: linkwatch_kick is an optional dev name that no end may use", "[lab-plane][file]") {
  CHECK(parse_plane_file(good_nxm().dump(), kNxM)->linkwatch_kick.empty());
  json j = good_nxm();
  j["linkwatch_kick"] = "lwkick";
  auto r = parse_plane_file(j.dump(), kNxM);
  REQUIRE(r);
  CHECK(r->linkwatch_kick == "lwkick");
  j["linkwatch_kick"] = "o1p0";   // an end's dev
  CHECK(field_of(j) == "ends[0].dev");
  j["linkwatch_kick"] = "a-name-too-long-for-a-dev";
  CHECK(field_of(j) == "linkwatch_kick");
  j["linkwatch_kick"] = 3;
  CHECK(field_of(j) == "linkwatch_kick");
  j["linkwatch_kick"] = "bad/name";
  CHECK(field_of(j) == "linkwatch_kick");
}
