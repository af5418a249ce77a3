#include "tools/lab/plane/training_model.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace mixnet::lab {

namespace {

std::optional<double> parse_ms(std::string_view s) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

// SplitMix64: spreads (seed, end) into well-separated mt19937_64 seeds.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

Result<TrainingProfile> TrainingProfile::parse(std::string_view text) {
  TrainingProfile p;
  p.name = std::string(text);
  if (text == "fast") {
    p.kind = Kind::normal;
    p.a_ms = 60;
    p.b_ms = 25;
    p.min_ms = 20;
    p.max_ms = 300;
    return p;
  }
  if (text == "realistic") {
    p.kind = Kind::normal;
    p.a_ms = 5700;
    p.b_ms = 258;
    p.min_ms = 4000;
    p.max_ms = 60'000;
    return p;
  }
  const auto parts = split(text, ':');
  const auto bad = [&](const std::string& why) {
    return fail(Errc::invalid_argument,
                fmt::format("profile: '{}': {} (use fast, realistic, fixed:MS, uniform:MIN_MS:MAX_MS or "
                            "normal:MEAN_MS:SD_MS)",
                            text, why),
                "profile");
  };
  std::vector<double> numbers;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto v = parse_ms(parts[i]);
    if (!v) return bad(fmt::format("'{}' is not a number of milliseconds", parts[i]));
    if (*v < 0 || *v > kMaxTrainingMs) return bad(fmt::format("{} is outside 0..{} ms", *v, kMaxTrainingMs));
    numbers.push_back(*v);
  }
  p.min_ms = 0;
  p.max_ms = kMaxTrainingMs;
  if (parts[0] == "fixed") {
    if (numbers.size() != 1) return bad("fixed takes one number");
    p.kind = Kind::fixed;
    p.a_ms = p.b_ms = numbers[0];
    return p;
  }
  if (parts[0] == "uniform") {
    if (numbers.size() != 2) return bad("uniform takes two numbers");
    if (numbers[0] > numbers[1]) return bad("the low end is above the high end");
    p.kind = Kind::uniform;
    p.a_ms = numbers[0];
    p.b_ms = numbers[1];
    return p;
  }
  if (parts[0] == "normal") {
    if (numbers.size() != 2) return bad("normal takes a mean and a standard deviation");
    p.kind = Kind::normal;
    p.a_ms = numbers[0];
    p.b_ms = numbers[1];
    return p;
  }
  return bad("unknown profile");
}

TrainingDelays::TrainingDelays(const TrainingProfile& profile, std::uint64_t seed, std::uint64_t end_index)
    : profile_(profile), rng_(mix(seed ^ mix(end_index + 1))) {}

double TrainingDelays::next_ms() {
  double v = profile_.a_ms;
  switch (profile_.kind) {
    case TrainingProfile::Kind::fixed: break;
    case TrainingProfile::Kind::uniform:
      v = std::uniform_real_distribution<double>(profile_.a_ms, profile_.b_ms)(rng_);
      break;
    case TrainingProfile::Kind::normal:
      if (profile_.b_ms > 0) v = std::normal_distribution<double>(profile_.a_ms, profile_.b_ms)(rng_);
      break;
  }
  return std::clamp(v, profile_.min_ms, profile_.max_ms);
}

}  // namespace mixnet::lab
