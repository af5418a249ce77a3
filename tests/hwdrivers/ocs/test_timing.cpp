// Timing's pure helpers: joining the timing of change sets applied one after another, and the
// words people read about a recovery.
#include <catch2/catch.hpp>

#include "hwdrivers/ocs/optical_switch.hpp"

using namespace mixnet::ocs;

TEST_CASE("append joins change sets: first send to last acknowledgement, recoveries added", "[timing]") {
  Timing span;
  append(span, Timing{.sent_ns = 100, .acked_ns = 200});
  CHECK(span.sent_ns == 100);
  CHECK(span.acked_ns == 200);
  CHECK_FALSE(span.recovered());
  append(span, Timing{.sent_ns = 250, .acked_ns = 400, .recoveries = 2, .recovery_cause = "io: lost", .acked_by_read_back = true});
  CHECK(span.sent_ns == 100);
  CHECK(span.acked_ns == 400);
  CHECK(span.recoveries == 2);
  CHECK(span.recovery_cause == "io: lost");
  CHECK(span.acked_by_read_back);
  // A later change set that ended on its completion reply: the end is no longer a read-back, and
  // the first cause is kept.
  append(span, Timing{.sent_ns = 450, .acked_ns = 500, .recoveries = 1, .recovery_cause = "timeout: later"});
  CHECK(span.acked_ns == 500);
  CHECK(span.recoveries == 3);
  CHECK(span.recovery_cause == "io: lost");
  CHECK_FALSE(span.acked_by_read_back);
}

TEST_CASE("describe_recovery says how many, why, and how the change was confirmed", "[timing]") {
  CHECK(describe_recovery(Timing{.sent_ns = 1, .acked_ns = 2}).empty());
  CHECK(describe_recovery(Timing{.recoveries = 1, .recovery_cause = "io: closed"}) == "after 1 session recovery (io: closed)");
  CHECK(describe_recovery(Timing{.recoveries = 2, .recovery_cause = "io: closed", .acked_by_read_back = true}) ==
        "after 2 session recoveries (io: closed); confirmed by a read-back, not by the switch's completion reply");
}
