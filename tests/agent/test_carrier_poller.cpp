// The carrier poller's one read of a carrier file and of a transition counter, and how counted
// transitions turn into a state. (The detector's view of a link that its readings are fed through,
// LinkChangeDetector::known, is tested with the detector.)
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <unistd.h>

#include "agent/carrier_poller.hpp"
#include "common/unique_fd.hpp"

using mixnet::agent::CarrierPoller;

namespace {

// A file holding `content` in a private temporary directory, opened read-only like a sysfs
// attribute; closed and removed with the object.
struct CarrierFile {
  std::string dir;
  std::string path;
  mixnet::UniqueFd fd;
  explicit CarrierFile(const std::string& content) {
    char tmpl[] = "/tmp/mixnet-carrier-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    path = dir + "/carrier";
    std::ofstream(path) << content;
    fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(fd.valid());
  }
  ~CarrierFile() {
    fd.reset();
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
  }
  CarrierFile(const CarrierFile&) = delete;
  CarrierFile& operator=(const CarrierFile&) = delete;
};


}  // namespace

TEST_CASE("carrier poller: one read of a carrier file", "[agent][carrier]") {
  {
    CarrierFile f("1\n");
    CHECK(CarrierPoller::read_carrier(f.fd.get()) == std::optional<bool>(true));
    // Each read starts at offset 0 (sysfs regenerates the attribute): a second read agrees.
    CHECK(CarrierPoller::read_carrier(f.fd.get()) == std::optional<bool>(true));
  }
  {
    CarrierFile f("0\n");
    CHECK(CarrierPoller::read_carrier(f.fd.get()) == std::optional<bool>(false));
    CHECK(CarrierPoller::read_carrier(f.fd.get()) == std::optional<bool>(false));
  }
  {
    CarrierFile f("1");   // no newline
    CHECK(CarrierPoller::read_carrier(f.fd.get()) == std::optional<bool>(true));
  }
  {
    CarrierFile f("x");
    CHECK_FALSE(CarrierPoller::read_carrier(f.fd.get()).has_value());
  }
  {
    CarrierFile f("");   // what a read of a port that is not running amounts to: nothing
    CHECK_FALSE(CarrierPoller::read_carrier(f.fd.get()).has_value());
  }
  {
    CarrierFile f("1\n");
    // The content is read anew each time, as sysfs's is.
    std::ofstream(f.path, std::ios::trunc) << "0\n";
    CHECK(CarrierPoller::read_carrier(f.fd.get()) == std::optional<bool>(false));
  }
}

TEST_CASE("carrier poller: a closed or invalid fd reads as nothing", "[agent][carrier]") {
  CHECK_FALSE(CarrierPoller::read_carrier(-1).has_value());
  int fd = -1;
  {
    CarrierFile f("1\n");
    fd = ::dup(f.fd.get());
    REQUIRE(fd >= 0);
    CHECK(CarrierPoller::read_carrier(fd) == std::optional<bool>(true));
  }
  REQUIRE(::close(fd) == 0);
  CHECK_FALSE(CarrierPoller::read_carrier(fd).has_value());   // EBADF
  // A directory opens but does not read (EISDIR).
  const mixnet::UniqueFd dir_fd(::open("/tmp", O_RDONLY | O_CLOEXEC));
  REQUIRE(dir_fd.valid());
  CHECK_FALSE(CarrierPoller::read_carrier(dir_fd.get()).has_value());
}

TEST_CASE("carrier poller: a poller with no port it can open starts no thread and reports nothing",
          "[agent][carrier]") {
  int calls = 0;
  {
    CarrierPoller p({"mx-no-such-port-0"}, std::chrono::microseconds(100), 0,
                    [&calls](const std::string&, bool, std::int64_t) { ++calls; });
    CHECK_FALSE(p.last_change("mx-no-such-port-0", true).has_value());
    CHECK_FALSE(p.last_change("mx-no-such-port-0", false).has_value());
    // Arming it arms nothing: it follows no port.
    CHECK(p.ports().empty());
    const auto armed = p.arm({}, std::chrono::milliseconds(100));
    CHECK(armed.ports.empty());
    CHECK(armed.until_ns == 0);
    CHECK(p.reads() == 0);
  }
  CHECK(calls == 0);
}

TEST_CASE("carrier poller: one read of a transition counter file", "[agent][carrier]") {
  {
    CarrierFile f("17\n");
    CHECK(CarrierPoller::read_count(f.fd.get()) == std::optional<std::uint64_t>(17));
    CHECK(CarrierPoller::read_count(f.fd.get()) == std::optional<std::uint64_t>(17));   // from offset 0 again
  }
  {
    CarrierFile f("0");
    CHECK(CarrierPoller::read_count(f.fd.get()) == std::optional<std::uint64_t>(0));
  }
  for (const std::string bad : {"", "x", "-1", "12a\n", "\n"}) {
    INFO("'" << bad << "'");
    CarrierFile f(bad);
    CHECK_FALSE(CarrierPoller::read_count(f.fd.get()).has_value());
  }
  CHECK_FALSE(CarrierPoller::read_count(-1).has_value());
}

TEST_CASE("carrier poller: counted transitions alternate, so an odd number flips the carrier", "[agent][carrier]") {
  using Counts = CarrierPoller::Counts;
  // None: no change to report.
  CHECK_FALSE(CarrierPoller::carrier_after(true, Counts{3, 3}, Counts{3, 3}).has_value());
  // One: carrier lost (a down counted), or carrier back (an up counted).
  CHECK(CarrierPoller::carrier_after(true, Counts{3, 3}, Counts{3, 4}) == std::optional<bool>(false));
  CHECK(CarrierPoller::carrier_after(false, Counts{3, 4}, Counts{4, 4}) == std::optional<bool>(true));
  // Two within one period (lost and back, or a driver's netif_carrier_event): ends as it was.
  CHECK_FALSE(CarrierPoller::carrier_after(true, Counts{3, 3}, Counts{4, 4}).has_value());
  // Three: lost, back, lost again: ends flipped.
  CHECK(CarrierPoller::carrier_after(true, Counts{3, 3}, Counts{4, 5}) == std::optional<bool>(false));
  // A counter that went backwards is another device under the same name: nothing to count from.
  CHECK_FALSE(CarrierPoller::carrier_after(true, Counts{3, 3}, Counts{0, 1}).has_value());
  CHECK_FALSE(CarrierPoller::carrier_after(false, Counts{3, 3}, Counts{4, 0}).has_value());
}
