#pragma once
// Writing a report file so that a reader never sees half of it: the text goes to NAME.tmp in the
// folder (created if missing), then is renamed over NAME. Used for every run's results.json,
// junit.xml and measurement reports.
#include <functional>
#include <ostream>
#include <string>

#include "common/result.hpp"

namespace mixnet {

// Returns the path written. Errors are Errc::io naming the file and the system call.
Result<std::string> write_file_atomically(const std::string& dir, const std::string& name, const std::string& text);
// The same, the text written piece by piece by `write` (a report too large to hold whole). An
// error `write` returns is returned, and the temporary file removed.
Result<std::string> write_file_atomically(const std::string& dir, const std::string& name,
                                          const std::function<Result<void>(std::ostream&)>& write);

}  // namespace mixnet
