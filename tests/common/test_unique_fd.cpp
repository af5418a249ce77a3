// UniqueFd (common/unique_fd.hpp): the one owner of a file descriptor.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include "common/unique_fd.hpp"

using mixnet::UniqueFd;

namespace {

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

int open_null() {
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  return fd;
}

}  // namespace

TEST_CASE("UniqueFd closes what it owns, once", "[unique_fd]") {
  int raw = -1;
  {
    UniqueFd fd(open_null());
    raw = fd.get();
    CHECK(fd.valid());
    CHECK(is_open(raw));
  }
  CHECK_FALSE(is_open(raw));
  CHECK_FALSE(UniqueFd().valid());
  CHECK(UniqueFd().get() == -1);
}

TEST_CASE("UniqueFd moves ownership and never closes twice", "[unique_fd]") {
  UniqueFd a(open_null());
  const int raw = a.get();
  UniqueFd b(std::move(a));
  CHECK_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): a moved-from UniqueFd is empty
  CHECK(b.get() == raw);

  UniqueFd c(open_null());
  const int other = c.get();
  c = std::move(b);        // c's old descriptor is closed, raw now belongs to c
  CHECK_FALSE(is_open(other));
  CHECK(c.get() == raw);
  CHECK(is_open(raw));

  auto& same = c;
  c = std::move(same);     // self-move keeps the descriptor open
  CHECK(c.get() == raw);
  CHECK(is_open(raw));
}

TEST_CASE("UniqueFd release hands the descriptor over, reset replaces it", "[unique_fd]") {
  UniqueFd fd(open_null());
  const int raw = fd.release();
  CHECK_FALSE(fd.valid());
  CHECK(is_open(raw));
  fd.reset(raw);           // owned again
  CHECK(fd.get() == raw);
  fd.reset();
  CHECK_FALSE(fd.valid());
  CHECK_FALSE(is_open(raw));
}
