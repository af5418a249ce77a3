#pragma once
// Writes a report to a path a caller names (a textfile collector's folder, a run folder), whole or
// not at all: through NAME.tmp beside it and a rename (common/atomic_file), so a reader such as
// node_exporter or a browser never sees half a file. The folder is created when missing.
#include <string>

#include "common/result.hpp"

namespace mixnet::coord {

// Errors: Errc::invalid_argument (field "path") for a path that names no file; Errc::io naming
// the file and the system call, prefixed with `what` ("prometheus textfile: rename ...").
Result<void> write_report_file(const std::string& path, const std::string& text, const std::string& what);

}  // namespace mixnet::coord
