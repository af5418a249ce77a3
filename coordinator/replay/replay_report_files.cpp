// The replay's reports written into a run folder, each whole or not at all (common/atomic_file).
#include "common/atomic_file.hpp"
#include "coordinator/replay/replay_report.hpp"

namespace mixnet::coord::replay {

Result<void> write_replay_reports(const ReplayResult& result, const std::string& run_dir) {
  for (const auto& [name, text] : {std::pair<std::string, std::string>{"replay.csv", replay_csv(result)},
                                   {"replay.json", replay_json(result).dump(2) + "\n"},
                                   {"replay.html", replay_html(result)}}) {
    auto written = write_file_atomically(run_dir, name, text);
    if (!written) return std::unexpected(written.error());
  }
  return {};
}

}  // namespace mixnet::coord::replay
