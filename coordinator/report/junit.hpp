#pragma once
// JUnit XML for CI: one <testsuite> per run, a <testcase> per step and one per item verdict
// (host, port, circuit, pair) of the step's final attempt. Failed/partial steps and failed items
// are <failure>s; skipped ones <skipped/>; an incomplete run gets an <error> testcase.
#include <ostream>
#include <string>

#include "common/result.hpp"
#include "coordinator/report/run_items.hpp"
#include "coordinator/store/store.hpp"

namespace mixnet::coord {

std::string junit_xml(const RunDetail& detail);
// The same text, written one item at a time (the header's counts from a first pass over the
// items): no step's items are held whole.
Result<void> write_junit(std::ostream& out, const RunSteps& run, RunItems& items);
Result<std::string> write_junit(const RunSteps& run, RunItems& items, const std::string& dir);   // DIR/junit.xml
Result<std::string> write_junit(const RunDetail& detail, const std::string& dir);   // DIR/junit.xml
std::string xml_escape(std::string_view text);

}  // namespace mixnet::coord
