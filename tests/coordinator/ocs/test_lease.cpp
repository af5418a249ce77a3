// The OCS lease and the switch pool: a second holder (another pool, another process) is refused
// with the holder named; the kernel releases a dead holder's lease; check mode takes no lease and
// cannot change a switch.
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/scratch_dir.hpp"
#include "coordinator/ocs/ocs_lease.hpp"
#include "coordinator/ocs/switch_pool.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

// A switch that records what it is asked; never touches a network.
class RecordingSwitch final : public ocs::OpticalSwitch {
 public:
  explicit RecordingSwitch(int* applies) : applies_(applies) {}
  Result<ocs::Timed<ocs::SwitchInfo>> info() override { return ocs::Timed<ocs::SwitchInfo>{}; }
  Result<ocs::Timed<std::vector<ocs::CrossConnect>>> list() override {
    return ocs::Timed<std::vector<ocs::CrossConnect>>{{{"1", "17", false}}, {}};
  }
  Result<ocs::Timed<ocs::Done>> apply(const ocs::ChangeSet&) override {
    ++*applies_;
    return ocs::Timed<ocs::Done>{};
  }
  Result<ocs::Timed<std::vector<ocs::PortState>>> port_status(const std::vector<ocs::PortId>&) override {
    return ocs::Timed<std::vector<ocs::PortState>>{};
  }
  Result<ocs::Timed<std::vector<ocs::PortPower>>> power(const std::vector<ocs::PortId>&) override {
    return ocs::Timed<std::vector<ocs::PortPower>>{};
  }
  Result<ocs::Timed<ocs::Done>> set_port_enabled(const ocs::PortId&, bool) override {
    ++*applies_;
    return ocs::Timed<ocs::Done>{};
  }

 private:
  int* applies_;
};

struct Opener {
  int opened = 0;
  int applies = 0;
  std::vector<std::string> uris;
  SwitchOpener fn() {
    return [this](const std::string& uri) -> Result<std::unique_ptr<ocs::OpticalSwitch>> {
      ++opened;
      uris.push_back(uri);
      return std::make_unique<RecordingSwitch>(&applies);
    };
  }
};

std::vector<SwitchEndpoint> one_switch() {
  return {SwitchEndpoint{.name = "ocs1",
                         .uri = "polatis-tl1://admin:root@127.0.0.1:13082",
                         .alt_uris = {"polatis-rest://admin:root@127.0.0.1:18008", "polatis-tl1://admin@127.0.0.1:13082"}}};
}

}  // namespace

TEST_CASE("lease: a second holder is refused with the holder named, and may take it once released", "[unit][lease]") {
  mixnet::testing::ScratchDir dir("mixnet-lease-test");
  auto first = OcsLease::acquire(dir.path, this_process_holder("run-A", "mixnet-coord run a.yaml", "ocs1", "127.0.0.1:13082"));
  REQUIRE(first);
  CHECK(first->path() == dir.path + "/ocs-127.0.0.1_13082.lock");
  const auto recorded = read_lease_file(first->path());
  REQUIRE(recorded);
  CHECK(recorded->pid == static_cast<long>(::getpid()));
  CHECK(recorded->run_id == "run-A");
  CHECK(recorded->switch_name == "ocs1");
  CHECK(recorded->since_ns > 0);

  auto second = OcsLease::acquire(dir.path, this_process_holder("run-B", "", "ocs1", "127.0.0.1:13082"));
  REQUIRE_FALSE(second);
  CHECK(second.error().code == Errc::conflict);
  const std::string& msg = second.error().message;
  INFO(msg);
  CHECK(msg.find("switch ocs1 (127.0.0.1:13082) is leased by another coordinator") != std::string::npos);
  CHECK(msg.find("pid " + std::to_string(::getpid())) != std::string::npos);
  CHECK(msg.find("run run-A") != std::string::npos);
  CHECK(msg.find("since 20") != std::string::npos);
  CHECK(msg.find(recorded->host) != std::string::npos);
  CHECK(msg.find(first->path()) != std::string::npos);

  // Another endpoint is another lease.
  CHECK(OcsLease::acquire(dir.path, this_process_holder("run-B", "", "ocs2", "127.0.0.1:13083")));

  // Released (moved out and destroyed): the next holder gets it.
  { OcsLease gone = std::move(*first); }
  auto third = OcsLease::acquire(dir.path, this_process_holder("run-C", "", "ocs1", "127.0.0.1:13082"));
  REQUIRE(third);
  CHECK(read_lease_file(third->path())->run_id == "run-C");
}

TEST_CASE("lease: a holder in another process is named, and its death releases the lease", "[unit][lease]") {
  mixnet::testing::ScratchDir dir("mixnet-lease-test");
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(ready[0]);
    auto lease = OcsLease::acquire(dir.path, this_process_holder("run-child", "child", "ocs1", "10.0.0.5:3082"));
    const char c = lease ? 'y' : 'n';
    if (::write(ready[1], &c, 1) != 1) ::_exit(2);
    ::pause();   // hold the lease until killed
    ::_exit(0);
  }
  ::close(ready[1]);
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  REQUIRE(c == 'y');

  auto refused = OcsLease::acquire(dir.path, this_process_holder("run-parent", "", "ocs1", "10.0.0.5:3082"));
  REQUIRE_FALSE(refused);
  INFO(refused.error().message);
  CHECK(refused.error().code == Errc::conflict);
  CHECK(refused.error().message.find("pid " + std::to_string(child)) != std::string::npos);
  CHECK(refused.error().message.find("run run-child") != std::string::npos);

  // SIGKILL: no destructor runs; the kernel drops the flock with the process.
  ::kill(child, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  auto taken = OcsLease::acquire(dir.path, this_process_holder("run-parent", "", "ocs1", "10.0.0.5:3082"));
  REQUIRE(taken);
  CHECK(read_lease_file(taken->path())->run_id == "run-parent");
}

TEST_CASE("switch pool: opens once, leases every endpoint of the switch, refuses a second pool", "[unit][lease]") {
  mixnet::testing::ScratchDir dir("mixnet-lease-test");
  Opener opener;
  SwitchPool pool(one_switch(), {.lease_dir = dir.path, .run_id = "run-1", .holder = "first", .opener = opener.fn()});
  CHECK(opener.opened == 0);   // lazy
  auto sw = pool.get("ocs1");
  REQUIRE(sw);
  REQUIRE(pool.get("ocs1"));
  CHECK(*pool.get("ocs1") == *sw);
  CHECK(opener.opened == 1);
  CHECK(opener.uris == std::vector<std::string>{"polatis-tl1://admin:root@127.0.0.1:13082"});
  // The TL1 and REST endpoints (the repeated TL1 alt URI once).
  const auto leases = pool.leases();
  REQUIRE(leases.size() == 2);
  CHECK(leases[0].endpoint == "127.0.0.1:13082");
  CHECK(leases[1].endpoint == "127.0.0.1:18008");
  CHECK((*sw)->apply({}).has_value());
  CHECK(opener.applies == 1);

  Opener other_opener;
  SwitchPool second(one_switch(), {.lease_dir = dir.path, .run_id = "run-2", .opener = other_opener.fn()});
  auto refused = second.get("ocs1");
  REQUIRE_FALSE(refused);
  INFO(refused.error().message);
  CHECK(refused.error().code == Errc::conflict);
  CHECK(refused.error().message.find("run run-1") != std::string::npos);
  CHECK(refused.error().message.find("(first)") != std::string::npos);
  CHECK(other_opener.opened == 0);   // refused before the switch was contacted
  CHECK(second.leases().empty());    // all or nothing

  auto unknown = pool.get("ocs9");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == Errc::not_found);
}

TEST_CASE("switch pool in check mode: no lease, reads pass, changes are refused", "[unit][lease]") {
  mixnet::testing::ScratchDir dir("mixnet-lease-test");
  Opener holder_opener;
  SwitchPool holder(one_switch(), {.lease_dir = dir.path, .run_id = "run-1", .opener = holder_opener.fn()});
  REQUIRE(holder.get("ocs1"));

  // A check run works beside a leased run: it takes no lease.
  Opener opener;
  SwitchPool check(one_switch(), {.lease_dir = dir.path, .run_id = "check", .check_mode = true, .opener = opener.fn()});
  auto sw = check.get("ocs1");
  REQUIRE(sw);
  CHECK(check.leases().empty());
  auto listed = (*sw)->list();
  REQUIRE(listed);
  CHECK(listed->value.size() == 1);
  auto applied = (*sw)->apply({.connect = {{"2", "18", false}}});
  REQUIRE_FALSE(applied);
  CHECK(applied.error().code == Errc::denied);
  CHECK(applied.error().message.find("check mode") != std::string::npos);
  CHECK_FALSE((*sw)->set_port_enabled("2", false));
  CHECK(opener.applies == 0);
}

TEST_CASE("switch pool: a bad URI names its part, relative password files follow the inventory", "[unit][lease]") {
  mixnet::testing::ScratchDir dir("mixnet-lease-test");
  Opener opener;
  SwitchPool pool({SwitchEndpoint{.name = "ocs1", .uri = "polatis-tl1://admin@127.0.0.1:99999"}},
                  {.lease_dir = dir.path, .opener = opener.fn()});
  auto bad = pool.get("ocs1");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::invalid_argument);
  CHECK(bad.error().field == "port");
  CHECK(bad.error().message.find("switch ocs1 uri") != std::string::npos);

  CHECK(resolve_uri_files("polatis-tl1://admin@h:1?password-file=pw", "/etc/lab") ==
        "polatis-tl1://admin@h:1?password-file=/etc/lab/pw");
  CHECK(resolve_uri_files("polatis-tl1://admin@h:1?timeout-ms=5&password-file=sub/pw", "/etc/lab/") ==
        "polatis-tl1://admin@h:1?timeout-ms=5&password-file=/etc/lab/sub/pw");
  CHECK(resolve_uri_files("polatis-tl1://admin@h:1?password-file=/abs/pw", "/etc/lab") ==
        "polatis-tl1://admin@h:1?password-file=/abs/pw");
  CHECK(resolve_uri_files("polatis-tl1://admin@h:1", "/etc/lab") == "polatis-tl1://admin@h:1");
  CHECK(resolve_uri_files("polatis-rest://admin@h:1?password-file=pw&ca-file=tls/ca.crt&timeout-ms=5", "/etc/lab") ==
        "polatis-rest://admin@h:1?password-file=/etc/lab/pw&ca-file=/etc/lab/tls/ca.crt&timeout-ms=5");
  CHECK(resolve_uri_files("polatis-rest://admin@h:1?ca-file=/abs/ca.crt", "/etc/lab") ==
        "polatis-rest://admin@h:1?ca-file=/abs/ca.crt");
  CHECK(lease_file_name("[2001:db8::5]:3082") == "ocs-_2001_db8__5__3082.lock");
}
