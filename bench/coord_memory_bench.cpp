// mixnet-coord's memory per item, without a lab: a playbook of synthetic steps runs through the
// real engine, the results store, the progress display and the run's report writers (what
// `mixnet-coord run` does), each step recording items shaped like links.verify's verdicts (in
// batches, through the BatchedRecorder) or measure.reconfig's port rows (one by one). Prints the
// resident memory before the run, the peak during it and the peak after the reports, and the
// bytes per item. One process per N (the peak is the process's high-water mark); bench/coord-memory.sh
// runs it for several N. Asserts nothing.
//   coord_memory_bench N [ITEMS_PER_STEP] [WORK_DIR]    (ITEMS_PER_STEP defaults to 768: one
//   links.verify of the 1024-GPU lab; WORK_DIR defaults to a new folder under /tmp, removed after)
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "coordinator/engine/batched_recorder.hpp"
#include "coordinator/engine/engine.hpp"
#include "coordinator/engine/registry.hpp"
#include "coordinator/measure/breakdown.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/playbook/playbook.hpp"
#include "coordinator/report/progress.hpp"
#include "coordinator/report/run_reports.hpp"
#include "coordinator/store/store.hpp"

namespace {

using namespace mixnet::coord;

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM").
long status_kib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}

// links.verify's item for one port (modules/links_verify.cpp, port_item): the state at the
// verdict and both probe directions.
ItemResult link_verdict_item(std::size_t k) {
  const auto host = fmt::format("h{}", k / 6 % 128 + 1);
  ItemResult it;
  it.kind = "port";
  it.id = fmt::format("{}:ocs{}", host, k % 6);
  it.status = "ok";
  it.message = fmt::format("cabled to h{}:ocs{} as expected (by hello)", (k / 6 + 5) % 128 + 1, (k + 3) % 6);
  const std::int64_t t = 1'796'000'000'000'000'000 + static_cast<std::int64_t>(k) * 1'000'000;
  auto direction = [&](std::int64_t shift) {
    return nlohmann::json{{"heard", true}, {"rounds", 0}, {"nonce", 0}, {"by", "hello"}, {"confirmed_ns", t + shift}};
  };
  it.data = {{"carrier", true},          {"admin", "up"},           {"oper_state", "up"},
             {"link_up_ns", t - 400000}, {"link_up_coord_ns", t - 380000}, {"clock_offset_ns", -20000},
             {"expected_peer", fmt::format("h{}:ocs{}", (k / 6 + 5) % 128 + 1, (k + 3) % 6)},
             {"probe_out", direction(1000)}, {"probe_in", direction(2000)}};
  it.started_ns = t - 5'000'000;
  it.finished_ns = t;
  it.hosts = {host};
  return it;
}

// measure.reconfig's item for one port and repetition (reconfig/reconfig_row.cpp, row_data):
// every moment and every segment of the breakdown.
ItemResult port_row_item(std::size_t k) {
  namespace m = mixnet::coord::measure;
  const auto host = fmt::format("h{}", k / 6 % 128 + 1);
  const std::int64_t t = 1'796'000'000'000'000'000 + static_cast<std::int64_t>(k) * 1'000'000;
  nlohmann::json moments = nlohmann::json::object(), segments = nlohmann::json::object();
  for (std::size_t i = 0; i < m::kMomentCount; ++i) {
    moments[std::string(m::kMomentNames[i])] = {{"ns", t + static_cast<std::int64_t>(i) * 1'500'000}, {"uncertainty_ns", 12000}};
  }
  for (const auto& s : m::kSegments) segments[std::string(s.name)] = {{"status", "ok"}, {"ms", 1.5}, {"uncertainty_ms", 0.024}};
  ItemResult it;
  it.kind = "port";
  it.id = fmt::format("{}:ocs{} #{}", host, k % 6, k / 768 + 1);
  it.status = "ok";
  it.message = "link up 4.500 ms after the command, identity 6.000 ms";
  it.data = {{"repetition", k / 768 + 1}, {"from_topology", "cover-1"}, {"to_topology", "cover-2"}, {"moments", moments},
             {"segments", segments},      {"flaps", 0},                 {"switch_recoveries", 0}};
  it.started_ns = t;
  it.finished_ns = t + 60'000'000;
  it.hosts = {host};
  return it;
}

// bench.items: records args.count items of args.shape ("links" or "reconfig"), numbered from args.first.
class SyntheticItemsModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "bench.items"; }
  [[nodiscard]] mixnet::Result<void> validate(const nlohmann::json&, const ValidationContext&) const override { return {}; }
  StepResult run(const nlohmann::json& args, StepContext& ctx) override {
    const auto count = args.at("count").get<std::size_t>();
    const auto first = args.at("first").get<std::size_t>();
    StepResult r;
    if (args.at("shape") == "links") {
      BatchedRecorder recorder(ctx.sink);
      for (std::size_t k = first; k < first + count; ++k) recorder.add(link_verdict_item(k));
      recorder.flush();
    } else {
      for (std::size_t k = first; k < first + count; ++k) ctx.sink.record(port_row_item(k));
    }
    r.message = fmt::format("{} items", count);
    r.data = {{"items", count}};
    return r;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: coord_memory_bench N [ITEMS_PER_STEP] [WORK_DIR]\n");
    return 2;
  }
  const std::size_t n = std::strtoull(argv[1], nullptr, 10);
  const std::size_t per_step = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 768;
  const bool own_dir = argc <= 3;
  const std::string dir = own_dir ? fmt::format("/tmp/coord-memory-bench.{}", getpid()) : argv[3];
  if (n == 0 || per_step == 0) {
    fmt::print(stderr, "coord_memory_bench: N and ITEMS_PER_STEP must be positive\n");
    return 2;
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  ModuleRegistry registry;
  registry.add(std::make_unique<SyntheticItemsModule>());
  auto inventory = parse_inventory("version: 1\nhosts:\n  - {name: h1, agent: {url: \"http://127.0.0.1:1\"}, ports: [{name: ocs0}]}\n", "bench.yaml", "");
  if (!inventory) {
    fmt::print(stderr, "coord_memory_bench: inventory: {}\n", inventory.error().message);
    return 1;
  }
  const TopologySet topologies;
  // Steps of per_step items, alternating the two shapes (as a playbook alternates ocs.apply and
  // links.verify, or one measure.reconfig records its rows).
  std::string yaml = "name: memory\nsteps:\n";
  for (std::size_t first = 0, step = 0; first < n; first += per_step, ++step) {
    yaml += fmt::format("  - {{name: step {}, bench.items: {{shape: {}, first: {}, count: {}}}}}\n", step, step % 2 == 0 ? "links" : "reconfig", first,
                        std::min(per_step, n - first));
  }
  auto playbook = parse_playbook(yaml, "memory.yaml", "", registry);
  if (!playbook) {
    fmt::print(stderr, "coord_memory_bench: playbook: {}\n", playbook.error().message);
    return 1;
  }
  if (auto valid = validate_playbook(*playbook, registry, *inventory, topologies); !valid) {
    fmt::print(stderr, "coord_memory_bench: playbook: {}\n", valid.error().message);
    return 1;
  }
  auto store = ResultsStore::open(dir + "/results.db");
  if (!store) {
    fmt::print(stderr, "coord_memory_bench: {}\n", store.error().message);
    return 1;
  }
  std::FILE* devnull = std::fopen("/dev/null", "w");
  const long before_kib = status_kib("VmRSS");
  RunOptions options;
  options.run_id = "memory-bench";
  options.out_dir = dir + "/out";
  options.db_path = (*store)->path();
  RunRow row;
  row.playbook = "memory.yaml";
  row.out_dir = options.out_dir;
  StoreObserver store_observer(**store, row);
  ProgressObserver progress(devnull, false);
  Engine engine(registry, *inventory, topologies);
  engine.add_observer(&store_observer);
  engine.add_observer(&progress);
  const auto outcome = engine.run(*playbook, options);
  const long run_peak_kib = status_kib("VmHWM");
  const long after_run_kib = status_kib("VmRSS");
  auto run = (*store)->load_run_steps(options.run_id);
  auto written = run ? write_run_reports(**store, *run, options.out_dir) : std::unexpected(run.error());
  const long peak_kib = status_kib("VmHWM");
  std::fclose(devnull);
  if (!outcome.passed || store_observer.first_error() || !written) {
    fmt::print(stderr, "coord_memory_bench: the run {}{}\n", outcome.status, written ? "" : ", reports: " + written.error().message);
    return 1;
  }
  const auto json_bytes = std::filesystem::file_size(written->results_json);
  const double per_item = static_cast<double>(peak_kib - before_kib) * 1024.0 / static_cast<double>(n);
  fmt::print("items {:>6} ({} per step): RSS before {} MiB, peak during the run {} MiB (held after it {} MiB), peak with the reports {} MiB; "
             "{:.0f} bytes per item; results.json {:.1f} MiB\n",
             n, per_step, before_kib / 1024, run_peak_kib / 1024, after_run_kib / 1024, peak_kib / 1024, per_item,
             static_cast<double>(json_bytes) / (1 << 20));
  if (own_dir) std::filesystem::remove_all(dir);
  return 0;
}
