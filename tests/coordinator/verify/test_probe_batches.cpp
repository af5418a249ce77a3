// eps.verify's round sizes (coordinator/verify/probe_batches.hpp): only pending senders, at most
// size() of them, doubling after a clean round up to the most, halving after a lossy one down to 1.
#include <catch2/catch.hpp>

#include "coordinator/verify/probe_batches.hpp"

using mixnet::coord::ProbeBatches;

TEST_CASE("probe batches: the first pending senders, in order, at most size() of them", "[unit][eps]") {
  const ProbeBatches b(3, 10);
  CHECK(b.next({false, true, true, false, true, true, true}) == std::vector<std::size_t>{1, 2, 4});
  CHECK(b.next({false, false, true}) == std::vector<std::size_t>{2});
  CHECK(b.next({false, false}).empty());
  CHECK(b.next({}).empty());
}

TEST_CASE("probe batches: double after a clean round up to the most, halve after a lossy one down to one", "[unit][eps]") {
  ProbeBatches b(8, 20);
  b.after_round(true);
  CHECK(b.size() == 16);
  b.after_round(true);
  CHECK(b.size() == 20);   // capped
  b.after_round(false);
  CHECK(b.size() == 10);
  for (int i = 0; i < 10; ++i) b.after_round(false);
  CHECK(b.size() == 1);   // never zero: a round always sends something
  b.after_round(true);
  CHECK(b.size() == 2);
}

TEST_CASE("probe batches: a first size beyond the most, or zero, is brought into range", "[unit][eps]") {
  CHECK(ProbeBatches(8, 3).size() == 3);
  CHECK(ProbeBatches(0, 3).size() == 1);
  CHECK(ProbeBatches(5, 0).size() == 1);
}
