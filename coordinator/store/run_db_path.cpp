#include "coordinator/store/run_db_path.hpp"

#include <mutex>

namespace mixnet::coord {

namespace {
std::mutex g_mutex;
std::string g_path;
}  // namespace

void set_run_db_path(std::string path) {
  std::lock_guard lock(g_mutex);
  g_path = std::move(path);
}

std::string run_db_path() {
  std::lock_guard lock(g_mutex);
  return g_path;
}

}  // namespace mixnet::coord
