// raise_open_files_limit: raises the soft limit as far as the hard limit allows, never lowers it.
#include <catch2/catch.hpp>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/open_files_limit.hpp"

using namespace mixnet;

namespace {

// Puts the limits back however the test ends.
struct RestoreNofile {
  rlimit saved{};
  RestoreNofile() { REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0); }
  ~RestoreNofile() { ::setrlimit(RLIMIT_NOFILE, &saved); }
};

rlimit nofile_now() {
  rlimit lim{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &lim) == 0);
  return lim;
}

}  // namespace

TEST_CASE("open files limit: a low soft limit is raised to what is wanted, a higher one is kept", "[unit][rlimit]") {
  RestoreNofile restore;
  rlimit low = restore.saved;
  low.rlim_cur = 256;
  REQUIRE(low.rlim_max >= 2048);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);

  auto now = raise_open_files_limit(2048);
  REQUIRE(now);
  CHECK(*now == 2048);
  CHECK(nofile_now().rlim_cur == 2048);

  // Never lowered.
  auto again = raise_open_files_limit(300);
  REQUIRE(again);
  CHECK(*again == 2048);
  CHECK(nofile_now().rlim_cur == 2048);
}

TEST_CASE("open files limit: past a hard limit that cannot be raised, as far as it goes", "[unit][rlimit]") {
  // In a child: it lowers its hard limit and gives up root, as an ordinary user cannot raise a
  // hard limit; the test process keeps its own.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    rlimit capped{512, 1024};
    if (::setrlimit(RLIMIT_NOFILE, &capped) != 0) ::_exit(10);
    if (::geteuid() == 0 && ::setresuid(65534, 65534, 65534) != 0) ::_exit(11);
    auto now = raise_open_files_limit(100'000);
    if (!now) ::_exit(12);
    rlimit after{};
    ::getrlimit(RLIMIT_NOFILE, &after);
    ::_exit(*now == 1024 && after.rlim_cur == 1024 && after.rlim_max == 1024 ? 0 : 13);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
