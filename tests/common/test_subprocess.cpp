// The one process runner (common/subprocess.hpp): argv without a shell, stdin fed, stdout and
// stderr captured apart or merged, extra environment, a deadline that kills, and the shell
// quoting a dry run prints.
#include <catch2/catch.hpp>

#include <chrono>

#include "common/clock.hpp"
#include "common/subprocess.hpp"

using namespace mixnet;
using namespace std::chrono_literals;

TEST_CASE("run_program runs argv without a shell and keeps stdout and stderr apart") {
  auto r = run_program(ProgramRun{.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"}, .input = {}, .timeout = 5s, .env = {}, .merge_stderr = false});
  REQUIRE(r.has_value());
  CHECK(r->exit_code == 3);
  CHECK(r->out == "out\n");
  CHECK(r->err == "err\n");

  // A word with shell characters reaches the program as one argument, unexpanded.
  auto echo = run_program(ProgramRun{.argv = {"printf", "%s|", "a b", "$HOME", "*;x"}, .input = {}, .timeout = 5s, .env = {}, .merge_stderr = false});
  REQUIRE(echo.has_value());
  CHECK(echo->out == "a b|$HOME|*;x|");
}

TEST_CASE("run_program feeds stdin, merges stderr on request and sets extra environment") {
  auto cat = run_program({"cat"}, "line one\nline two\n", 5s);
  REQUIRE(cat.has_value());
  CHECK(cat->exit_code == 0);
  CHECK(cat->out == "line one\nline two\n");

  auto merged = run_program({"sh", "-c", "echo a; echo b >&2"}, "", 5s);
  REQUIRE(merged.has_value());
  CHECK(merged->out == "a\nb\n");
  CHECK(merged->err.empty());

  auto env = run_program(ProgramRun{.argv = {"sh", "-c", "echo \"$MIXNET_TEST_VAR\""}, .input = {}, .timeout = 5s,
                                    .env = {{"MIXNET_TEST_VAR", "value with spaces"}}, .merge_stderr = false});
  REQUIRE(env.has_value());
  CHECK(env->out == "value with spaces\n");
}

TEST_CASE("run_program kills a program at its deadline and says which") {
  const auto start = monotonic_ns();
  auto r = run_program(ProgramRun{.argv = {"sleep", "30"}, .input = {}, .timeout = 300ms, .env = {}, .merge_stderr = false});
  const auto took_ms = (monotonic_ns() - start) / 1'000'000;
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::timeout);
  CHECK(r.error().message.find("sleep") != std::string::npos);
  CHECK(took_ms < 5000);
}

TEST_CASE("run_program: a program that does not exist exits 127, no argv is refused") {
  auto r = run_program(ProgramRun{.argv = {"/nonexistent/mixnet-no-such-program"}, .input = {}, .timeout = 5s, .env = {}, .merge_stderr = false});
  REQUIRE(r.has_value());
  CHECK(r->exit_code == 127);
  auto none = run_program(ProgramRun{});
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().code == Errc::invalid_argument);
  CHECK(none.error().field == "argv");
}

TEST_CASE("shell_quote writes a line a shell reads back to the same words") {
  CHECK(shell_quote({"scontrol", "update", "NodeName=n1", "State=RESUME"}) == "scontrol update NodeName=n1 State=RESUME");
  CHECK(shell_quote({"scontrol", "Reason=mixnet: h3:ocs1 (3.1 Gb/s < 9.0)"}) == "scontrol 'Reason=mixnet: h3:ocs1 (3.1 Gb/s < 9.0)'");
  CHECK(shell_quote({"it's", ""}) == "'it'\\''s' ''");
  // The proof: sh splits the quoted line back into the original words.
  const std::vector<std::string> words = {"a b", "it's", "$HOME", "x<y>z", "tab\there"};
  auto r = run_program({"sh", "-c", "printf '%s|' " + shell_quote(words)}, "", 5s);
  REQUIRE(r.has_value());
  CHECK(r->out == "a b|it's|$HOME|x<y>z|tab\there|");
}
