// The carrier poller's one read of a carrier file, and the detector's view of a link that the
// poller's readings are fed through (LinkChangeDetector::known).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <unistd.h>

#include "agent/carrier_poller.hpp"
#include "hwdrivers/nic/link_monitor.hpp"

using mixnet::agent::CarrierPoller;

namespace {

// A file holding `content` in a private temporary directory, opened read-only like a sysfs
// attribute; closed and removed with the object.
struct CarrierFile {
  std::string dir;
  std::string path;
  int fd = -1;
  explicit CarrierFile(const std::string& content) {
    char tmpl[] = "/tmp/mixnet-carrier-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    path = dir + "/carrier";
    std::ofstream(path) << content;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
  }
  ~CarrierFile() {
    if (fd >= 0) ::close(fd);
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
  }
  CarrierFile(const CarrierFile&) = delete;
  CarrierFile& operator=(const CarrierFile&) = delete;
};

mixnet::nic::LinkState state(int ifindex, bool admin, bool carrier, std::string oper, std::int64_t t) {
  mixnet::nic::LinkState s;
  s.ifindex = ifindex;
  s.name = "eth" + std::to_string(ifindex);
  s.admin_up = admin;
  s.carrier = carrier;
  s.oper_state = std::move(oper);
  s.read_time_ns = t;
  return s;
}

}  // namespace

TEST_CASE("carrier poller: one read of a carrier file", "[agent][carrier]") {
  {
    CarrierFile f("1\n");
    CHECK(CarrierPoller::read_carrier(f.fd) == std::optional<bool>(true));
    // Each read starts at offset 0 (sysfs regenerates the attribute): a second read agrees.
    CHECK(CarrierPoller::read_carrier(f.fd) == std::optional<bool>(true));
  }
  {
    CarrierFile f("0\n");
    CHECK(CarrierPoller::read_carrier(f.fd) == std::optional<bool>(false));
    CHECK(CarrierPoller::read_carrier(f.fd) == std::optional<bool>(false));
  }
  {
    CarrierFile f("1");   // no newline
    CHECK(CarrierPoller::read_carrier(f.fd) == std::optional<bool>(true));
  }
  {
    CarrierFile f("x");
    CHECK_FALSE(CarrierPoller::read_carrier(f.fd).has_value());
  }
  {
    CarrierFile f("");   // what a read of a port that is not running amounts to: nothing
    CHECK_FALSE(CarrierPoller::read_carrier(f.fd).has_value());
  }
  {
    CarrierFile f("1\n");
    // The content is read anew each time, as sysfs's is.
    std::ofstream(f.path, std::ios::trunc) << "0\n";
    CHECK(CarrierPoller::read_carrier(f.fd) == std::optional<bool>(false));
  }
}

TEST_CASE("carrier poller: a closed or invalid fd reads as nothing", "[agent][carrier]") {
  CHECK_FALSE(CarrierPoller::read_carrier(-1).has_value());
  int fd = -1;
  {
    CarrierFile f("1\n");
    fd = ::dup(f.fd);
    REQUIRE(fd >= 0);
    CHECK(CarrierPoller::read_carrier(fd) == std::optional<bool>(true));
  }
  REQUIRE(::close(fd) == 0);
  CHECK_FALSE(CarrierPoller::read_carrier(fd).has_value());   // EBADF
  // A directory opens but does not read (EISDIR).
  const int dir_fd = ::open("/tmp", O_RDONLY | O_CLOEXEC);
  REQUIRE(dir_fd >= 0);
  CHECK_FALSE(CarrierPoller::read_carrier(dir_fd).has_value());
  ::close(dir_fd);
}

TEST_CASE("carrier poller: a poller with no port it can open starts no thread and reports nothing",
          "[agent][carrier]") {
  int calls = 0;
  {
    CarrierPoller p({"mx-no-such-port-0"}, std::chrono::microseconds(100),
                    [&calls](const std::string&, bool, std::int64_t) { ++calls; });
    CHECK_FALSE(p.last_change("mx-no-such-port-0", true).has_value());
    CHECK_FALSE(p.last_change("mx-no-such-port-0", false).has_value());
    p.wake();
  }
  CHECK(calls == 0);
}

TEST_CASE("detector: known() is what the detector knows of a link now", "[agent][detector]") {
  mixnet::nic::LinkChangeDetector d;
  CHECK_FALSE(d.known(2).has_value());

  d.seed(state(2, true, true, "up", 111));
  auto k = d.known(2);
  REQUIRE(k.has_value());
  CHECK(k->ifindex == 2);
  CHECK(k->name == "eth2");
  CHECK(k->admin_up);
  CHECK(k->carrier);
  CHECK(k->oper_state == "up");
  CHECK_FALSE(k->removed);
  CHECK(k->read_time_ns == 0);   // not the time of any reading
  CHECK_FALSE(d.known(3).has_value());

  REQUIRE(d.update(state(2, true, false, "lowerlayerdown", 222)).size() == 2);   // link_down, oper_state
  k = d.known(2);
  REQUIRE(k.has_value());
  CHECK(k->admin_up);
  CHECK_FALSE(k->carrier);
  CHECK(k->oper_state == "lowerlayerdown");
  CHECK(k->read_time_ns == 0);

  // A link first heard of through update() is known as well.
  auto rename = state(5, false, false, "down", 333);
  REQUIRE(d.update(rename).size() == 1);   // added
  rename.name = "renamed5";
  CHECK(d.update(rename).empty());         // a rename is kept, not an event
  k = d.known(5);
  REQUIRE(k.has_value());
  CHECK(k->name == "renamed5");
  CHECK_FALSE(k->admin_up);
  CHECK(k->oper_state == "down");
  CHECK(k->read_time_ns == 0);

  // Once removed, it is not known any more.
  auto gone = state(2, false, false, "", 444);
  gone.removed = true;
  REQUIRE(d.update(gone).size() == 1);
  CHECK_FALSE(d.known(2).has_value());
  CHECK(d.known(5).has_value());
  // A seeded removal forgets it too.
  auto gone5 = state(5, false, false, "", 555);
  gone5.removed = true;
  d.seed(gone5);
  CHECK_FALSE(d.known(5).has_value());
}
