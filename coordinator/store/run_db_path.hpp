#pragma once
// Which results store the run in progress writes to, for the modules that keep history across
// runs (health.counters saves its counter snapshots there). The CLI sets it when it opens the
// store, before the engine runs; empty: this run has no store (unit tests, a bare Engine), and
// such a module says so instead of guessing a path.
//
// A process-wide setting rather than a RunState field so that the engine's headers stay as they
// are; one coordinator process runs one playbook at a time.
#include <string>

namespace mixnet::coord {

void set_run_db_path(std::string path);
[[nodiscard]] std::string run_db_path();

}  // namespace mixnet::coord
