// The emulator's power readings with a plane that knows where the transmitters' light lands
// (PhysicalPlane::watch_fibre_light): an input where an emitting transmitter sits reads the
// source power whether or not it is connected, every other port no light, and outputs follow the
// circuits. Polatis TL1, RESTCONF and Calient TL1 all read the one model.
#include <catch2/catch.hpp>

#include <mutex>
#include <set>

#include "tests/tools/ocs-emu/emu_fixture.hpp"
#include "tools/ocs-emu/physical_plane.hpp"

using namespace mixnet::ocs_emu;
using mixnet::ocs::tl1::Completion;
using mixnet::testing::Tl1Client;
using nlohmann::json;

namespace {

// A plane whose transmitters the test switches on and off.
class TransmitterPlane final : public PhysicalPlane {
 public:
  explicit TransmitterPlane(std::set<int> lit) : lit_(std::move(lit)) {}
  [[nodiscard]] std::string name() const override { return "transmitters"; }
  mixnet::Result<std::vector<PortLight>> circuit_made(const CircuitChange&) override { return std::vector<PortLight>{}; }
  mixnet::Result<std::vector<PortLight>> circuit_broken(const CircuitChange&) override { return std::vector<PortLight>{}; }
  void watch_fibre_light(FibreLightListener listener) override {
    std::lock_guard lock(mutex_);
    listener_ = std::move(listener);
    if (listener_) listener_(lit_);
  }
  void set(std::set<int> lit) {
    std::lock_guard lock(mutex_);
    lit_ = std::move(lit);
    if (listener_) listener_(lit_);
  }
  bool watched() const {
    std::lock_guard lock(mutex_);
    return static_cast<bool>(listener_);
  }

 private:
  mutable std::mutex mutex_;
  std::set<int> lit_;
  FibreLightListener listener_;
};

std::vector<std::string> power_lines(Tl1Client& c, const std::string& ports) {
  return c.command("RTRV-PORT-POWER::" + ports + ":1:;").lines;
}

}  // namespace

TEST_CASE("fibre light: an input reads its transmitter's light, connected or not, and outputs follow the circuit",
          "[ocs-emu][fibre-light]") {
  auto plane = std::make_shared<TransmitterPlane>(std::set<int>{4, 6});
  auto o = mixnet::testing::emu_options();
  o.loss_noise_db = 0.0;
  o.plane = plane;
  auto emu = mixnet::testing::start_emu(o);
  CHECK(plane->watched());
  Tl1Client c(emu->tl1_port());
  c.login();

  // Nothing connected: the inputs with a transmitter read it, the others and the outputs nothing.
  CHECK(power_lines(c, "4&5&6&20") == std::vector<std::string>{"4:0.00", "5:-60.00", "6:0.00", "20:-60.00"});
  CHECK(emu->port(5)->input_dbm == std::nullopt);
  CHECK(emu->port(4)->input_dbm == 0.0);

  REQUIRE(c.command("ENT-PATCH::4&5,20&21:2:;").completion == Completion::compld);
  CHECK(power_lines(c, "4&5&20&21") == std::vector<std::string>{"4:0.00", "5:-60.00", "20:-1.50", "21:-60.00"});

  // The transmitter on input 4 stops (its NIC went admin down): both ends of its circuit go dark.
  plane->set({6});
  CHECK(power_lines(c, "4&20") == std::vector<std::string>{"4:-60.00", "20:-60.00"});
  auto r = mixnet::testing::rest(*emu, "GET", "/api/data/optical-switch:opm-power/port=4");
  REQUIRE(r.status == 200);
  CHECK(r.json() == json::parse(R"({"optical-switch:port":[{"port-id":4,"power":-60.0}]})"));
  CHECK(emu->power_dbm(4).value() == -60.0);
  CHECK(emu->power_dbm(6).value() == 0.0);

  // It is back, and a transmitter now lands on input 5 (a fibre moved there).
  plane->set({4, 5, 6});
  CHECK(power_lines(c, "4&5&20&21") == std::vector<std::string>{"4:0.00", "5:0.00", "20:-1.50", "21:-1.50"});
  r = mixnet::testing::rest(*emu, "GET", "/api/data/optical-switch:opm-power/port=5");
  CHECK(r.json() == json::parse(R"({"optical-switch:port":[{"port-id":5,"power":0.0}]})"));
  // A closed shutter still darkens the input.
  REQUIRE(c.command("OPR-PORT-SHUTTER::5:4:;").completion == Completion::compld);
  CHECK(power_lines(c, "5&21") == std::vector<std::string>{"5:-60.00", "21:-60.00"});

  emu->stop();
  CHECK_FALSE(plane->watched());   // a plane that outlives the emulator never calls it again
}

TEST_CASE("fibre light: Calient RTRV-PORT-SUM shows the light arriving at an any-to-any port", "[ocs-emu][fibre-light]") {
  auto plane = std::make_shared<TransmitterPlane>(std::set<int>{1, 11});
  auto o = mixnet::testing::emu_options();
  o.mode = SwitchMode::any_to_any;
  o.inputs = 32;
  o.loss_noise_db = 0.0;
  o.plane = plane;
  auto emu = mixnet::testing::start_emu(o);
  Tl1Client c(emu->calient_port());
  c.login();
  auto sum = [&](const std::string& port) {
    auto reply = c.command("RTRV-PORT-SUM::" + port + ":2;");
    REQUIRE(reply.lines.size() == 1);
    return reply.lines[0];
  };
  CHECK(sum("1.1.1").find("INPWR=0.00,OUTPWR=-60.00") != std::string::npos);
  CHECK(sum("1.1.2").find("INPWR=-60.00,OUTPWR=-60.00") != std::string::npos);

  REQUIRE(c.command("ENT-CRS::1.1.1,1.2.3:3::G1,2WAY;").completion == Completion::compld);
  REQUIRE(c.command("ACT-CRS::1.1.1,1.2.3:4::1.1.1-1.2.3,G1;").completion == Completion::compld);
  REQUIRE(emu->wait_settled(std::chrono::seconds(5)));
  CHECK(sum("1.1.1").find("INPWR=0.00,OUTPWR=-1.50") != std::string::npos);
  CHECK(sum("1.2.3").find("INPWR=0.00,OUTPWR=-1.50") != std::string::npos);

  plane->set({1});   // the transmitter on port 11 stops: nothing leaves port 1 any more
  CHECK(sum("1.2.3").find("INPWR=-60.00,OUTPWR=-1.50") != std::string::npos);
  CHECK(sum("1.1.1").find("INPWR=0.00,OUTPWR=-60.00") != std::string::npos);
}
