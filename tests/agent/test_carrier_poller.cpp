// The carrier poller's one read of a carrier file. (The detector's view of a link that its
// readings are fed through, LinkChangeDetector::known, is tested with the detector.)
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <unistd.h>

#include "agent/carrier_poller.hpp"

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
