// BatchedRecorder: items go to the sink in batches of at most max_held, a batch older than
// max_age goes with the next item, and nothing held is lost at flush() or destruction.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "coordinator/engine/batched_recorder.hpp"
#include "tests/coordinator/support/recording_sink.hpp"

using namespace mixnet::coord;
using mixnet::coord::testing::RecordingSink;

namespace {
ItemResult recorder_test_item(int i) { return ItemResult{.kind = "port", .id = "h" + std::to_string(i) + ":ocs0"}; }
}  // namespace

TEST_CASE("batched recorder: batches of max_held, in order, the rest at flush", "[unit][engine]") {
  RecordingSink sink;
  BatchedRecorder r(sink, 4, std::chrono::hours(1));
  for (int i = 0; i < 10; ++i) r.add(recorder_test_item(i));
  CHECK(sink.batches == std::vector<std::size_t>{4, 4});
  r.flush();
  CHECK(sink.batches == std::vector<std::size_t>{4, 4, 2});
  REQUIRE(sink.items.size() == 10);
  for (int i = 0; i < 10; ++i) CHECK(sink.items[static_cast<std::size_t>(i)].id == recorder_test_item(i).id);
  r.flush();   // nothing held: no empty batch
  CHECK(sink.batches.size() == 3);
}

TEST_CASE("batched recorder: an old batch goes with the next item, and destruction records what is held", "[unit][engine]") {
  RecordingSink sink;
  {
    BatchedRecorder r(sink, 100, std::chrono::milliseconds(20));
    r.add(recorder_test_item(1));
    CHECK(sink.items.empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    r.add(recorder_test_item(2));
    CHECK(sink.batches == std::vector<std::size_t>{2});
    r.add(recorder_test_item(3));
    CHECK(sink.items.size() == 2);
  }
  CHECK(sink.batches == std::vector<std::size_t>{2, 1});
  CHECK(sink.items.size() == 3);
}
