#pragma once
// Network namespaces and veth pairs for tests, created with `ip` (test code may run programs;
// product code never does) and always removed again, even when a test fails or throws.
//
// Names are "mxt-<pid>-<n>", unique per process and per fixture, so tests can run in parallel.
// Namespaces left behind by a crashed run (their pid is gone) are removed by the next fixture.
//
// Catch2 v2 assertions are not thread-safe: code passed to run_in() should return what it found
// and let the test thread assert on it.
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mixnet::testing {

// Runs a shell command; returns stdout+stderr. Throws std::runtime_error (with the output) when
// it exits non-zero.
std::string run_command(const std::string& command);

// Moves the calling thread into the named namespace (setns(CLONE_NEWNET) on /run/netns/<name>).
// Sockets the thread opens afterwards belong to that namespace. Throws on failure.
void enter_namespace(const std::string& name);

class NetnsFixture {
 public:
  NetnsFixture();
  ~NetnsFixture();
  NetnsFixture(const NetnsFixture&) = delete;
  NetnsFixture& operator=(const NetnsFixture&) = delete;

  // A fresh namespace with its loopback up; returns its name.
  std::string add_namespace();

  // A veth pair, end if_a in ns_a and end if_b in ns_b (they may be the same namespace), both
  // ends admin up. Veth carrier follows the peer's admin state.
  void add_veth(const std::string& ns_a, const std::string& if_a, const std::string& ns_b, const std::string& if_b);

  // `ip -n <ns> <args>`: the test's independent witness of what the kernel holds. Throws on failure.
  std::string ip(const std::string& ns, const std::string& args);
  nlohmann::json ip_json(const std::string& ns, const std::string& args);  // `ip -j -n <ns> <args>`

  // Runs fn on a new thread that has entered `ns`, waits for it, and returns its result (or
  // rethrows its exception). Objects holding sockets it opened keep working from any thread.
  template <class F>
  auto run_in(const std::string& ns, F&& fn) -> std::invoke_result_t<F&> {
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_void_v<R>) {
      run_in_thread(ns, [&] { fn(); });
    } else {
      std::optional<R> out;
      run_in_thread(ns, [&] { out.emplace(fn()); });
      return std::move(*out);
    }
  }

  [[nodiscard]] const std::vector<std::string>& namespaces() const { return namespaces_; }

 private:
  static void run_in_thread(const std::string& ns, const std::function<void()>& fn);
  std::vector<std::string> namespaces_;
};

}  // namespace mixnet::testing
