#pragma once
// JUnit XML for CI: one <testsuite> per run, a <testcase> per step and one per item verdict
// (host, port, circuit, pair) of the step's final attempt. Failed/partial steps and failed items
// are <failure>s; skipped ones <skipped/>; an incomplete run gets an <error> testcase.
#include <string>

#include "common/result.hpp"
#include "coordinator/store/store.hpp"

namespace mixnet::coord {

std::string junit_xml(const RunDetail& detail);
Result<std::string> write_junit(const RunDetail& detail, const std::string& dir);   // DIR/junit.xml
std::string xml_escape(std::string_view text);

}  // namespace mixnet::coord
