#pragma once
// A fresh folder under /tmp for one test, removed with everything in it when the test ends
// (passed, failed or thrown). The one copy tests share instead of a mkdtemp struct each.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include <stdlib.h>

namespace mixnet::testing {

class ScratchDir {
 public:
  // `prefix` names the folder after the test ("mixnet-lease-test" -> /tmp/mixnet-lease-test-XXXXXX).
  explicit ScratchDir(const std::string& prefix) {
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp " + tmpl + " failed");
    path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);  // best effort: a leftover folder must not fail a test
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string path;
};

}  // namespace mixnet::testing
