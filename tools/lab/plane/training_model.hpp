#pragma once
// The link-training delay model: how long a NIC port takes, after light arrives in both
// directions, to come up (autonegotiation, link training, PCS lock). On the MixNet prototype
// this was 5.7 s on average with a p99 of 6.3 s; tests want tens of milliseconds.
//
// One draw per end per make. Each end has its own random stream, derived from the plane's seed
// and the end's position in the plane file, so an end's delays do not depend on what other ends
// did in between: the same seed and the same sequence of makes of an end give the same delays.
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mixnet::lab {

struct TrainingProfile {
  enum class Kind { fixed, uniform, normal };
  Kind kind = Kind::normal;
  double a_ms = 60.0;      // fixed: the delay; uniform: low end; normal: mean
  double b_ms = 25.0;      // uniform: high end; normal: standard deviation
  double min_ms = 20.0;    // draws are clamped to [min_ms, max_ms]
  double max_ms = 300.0;
  std::string name = "fast";   // what the plane file said ("fast", "fixed:50", ...)

  // "fast"      normal mean 60 ms, sd 25 ms, clamped to [20, 300]
  // "realistic" normal mean 5700 ms, sd 258 ms (p99 about 6.3 s), clamped to [4000, 60000]
  // "fixed:MS", "uniform:MIN_MS:MAX_MS", "normal:MEAN_MS:SD_MS" (clamped to [0, 600000])
  // Errors name the field "profile".
  static Result<TrainingProfile> parse(std::string_view text);
};

inline constexpr double kMaxTrainingMs = 600'000.0;

// One end's stream of training delays.
class TrainingDelays {
 public:
  TrainingDelays(const TrainingProfile& profile, std::uint64_t seed, std::uint64_t end_index);
  double next_ms();   // one draw, milliseconds

 private:
  TrainingProfile profile_;
  std::mt19937_64 rng_;
};

}  // namespace mixnet::lab
