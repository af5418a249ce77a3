// The one bearer-token reader (common/token_file.hpp) that the agent, the coordinator and the tools share.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <ios>
#include <string>

#include "common/token_file.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace mixnet;
using mixnet::testing::ScratchDir;

namespace {

std::string write_token(const ScratchDir& dir, const std::string& name, const std::string& content, mode_t mode = 0600) {
  const std::string path = dir.path + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  REQUIRE(::chmod(path.c_str(), mode) == 0);
  return path;
}

}  // namespace

TEST_CASE("read_token_file: the token is the file without surrounding whitespace", "[token_file]") {
  ScratchDir dir("mixnet-token-test");
  auto t = read_token_file(write_token(dir, "a", "  secret-a \r\n\n"), "token_file");
  REQUIRE(t);
  CHECK(t->token == "secret-a");
}

TEST_CASE("read_token_file: strict about what a token is", "[token_file]") {
  ScratchDir dir("mixnet-token-test");
  const auto refused = [&](const std::string& content) {
    auto t = read_token_file(write_token(dir, "t", content), "token-file");
    INFO("content '" << content << "'");
    REQUIRE_FALSE(t);
    CHECK(t.error().code == Errc::invalid_argument);
    CHECK(t.error().field == "token-file");
    CHECK_THAT(t.error().message, Catch::Contains(dir.path + "/t"));
    return t.error().message;
  };
  CHECK_THAT(refused(""), Catch::Contains("empty"));
  CHECK_THAT(refused(" \n\t\n"), Catch::Contains("empty"));
  refused("two words");
  refused("first-line\nsecond-line\n");  // a second line is refused, not silently dropped
  refused(std::string("nul\0byte", 8));
  refused("caf\xc3\xa9");
  refused(std::string(kMaxTokenFileBytes + 1, 'x'));
  CHECK(read_token_file(write_token(dir, "max", std::string(kMaxTokenFileBytes, 'x')), "f").has_value());
}

TEST_CASE("read_token_file: a missing file or a folder is an error naming the field", "[token_file]") {
  ScratchDir dir("mixnet-token-test");
  auto missing = read_token_file(dir.path + "/missing", "ground_truth.token_file");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::not_found);
  CHECK(missing.error().field == "ground_truth.token_file");
  CHECK(missing.error().message == "token file " + dir.path + "/missing: No such file or directory");

  auto folder = read_token_file(dir.path, "token_file");
  REQUIRE_FALSE(folder);
  CHECK(folder.error().code == Errc::invalid_argument);
  CHECK_THAT(folder.error().message, Catch::Contains("not a regular file"));
}

TEST_CASE("read_token_file: a file group or others may open is refused, naming the file and the mode", "[token_file]") {
  ScratchDir dir("mixnet-token-test");
  const std::string path = write_token(dir, "open", "tok", 0644);
  auto t = read_token_file(path, "token-file");
  REQUIRE_FALSE(t);
  CHECK(t.error().code == Errc::insecure_file);
  CHECK(t.error().field == "token-file");
  CHECK(t.error().message == path + ": mode 0644 lets group/others read it; chmod 600");

  for (const mode_t mode : {0640, 0604, 0620, 0602, 0610, 0601, 0660}) {
    INFO(std::oct << mode);
    auto open = read_token_file(write_token(dir, "m", "tok", mode), "token_file");
    REQUIRE_FALSE(open);
    CHECK(open.error().code == Errc::insecure_file);
  }
  auto writable = read_token_file(write_token(dir, "w", "tok", 0620), "token_file");
  REQUIRE_FALSE(writable);
  CHECK_THAT(writable.error().message, Catch::Contains("mode 0620 lets group/others change or run it"));

  // Owner-only modes pass, read-only included.
  for (const mode_t mode : {0600, 0400}) {
    INFO(std::oct << mode);
    auto ok = read_token_file(write_token(dir, "ok", "tok", mode), "token_file");
    REQUIRE(ok);
    CHECK(ok->token == "tok");
  }
}

TEST_CASE("require_private_mode: the rule for any secret's file", "[token_file]") {
  CHECK(require_private_mode("/k", 0100600, "tls-key").has_value());
  auto r = require_private_mode("/k", 0100604, "tls-key");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::insecure_file);
  CHECK(r.error().field == "tls-key");
  CHECK(r.error().message == "/k: mode 0604 lets group/others read it; chmod 600");
}
