// The seeded MoE trace generator (docs/topologies.md, "MoE traces"). Each layer ranks the experts
// by popularity (a permutation; rank r has Zipf weight 1/(r+1)^skew); every token on every
// expert's GPU picks top_k distinct experts with probability proportional to those weights. The
// next layer's ranking starts from this one and moves each rank with probability 1 - locality,
// so with locality 1 the same experts stay popular and with 0 the ranking is reshuffled.
//
// Only std::mt19937_64's raw output is used (its sequence is fixed by the standard); the
// distributions are written here, because the standard library's are not the same everywhere
// and a seed must give the same trace on every machine.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>

#include "coordinator/topogen/moe_trace.hpp"

namespace mixnet::coord::topogen {

namespace {

// The work is tokens x layers x experts: 2.56e8 (64 experts, 1e6 tokens, 4 layers) took 15 s on
// a loaded core of the 2-core dev machine, so this bounds a generate to about that. Bytes scale
// with hidden_size, not tokens.
constexpr double kMaxMoeTraceWork = 3e8;

class MoeTraceRandom {
 public:
  explicit MoeTraceRandom(std::uint64_t seed) : engine_(seed) {}
  // Uniform in (0, 1]: never 0, so log() is finite.
  double unit() { return (static_cast<double>(engine_() >> 11) + 1.0) * 0x1.0p-53; }
  // Uniform in [0, n), n > 0 (the modulo bias is below 2^-40 for any n here).
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine_() % n); }

 private:
  std::mt19937_64 engine_;
};

Result<void> knob_error(const std::string& knob, const std::string& message) {
  return fail(Errc::invalid_argument, fmt::format("moe trace: {}: {}", knob, message), knob);
}

// The next layer's popularity ranking: each rank, with probability 1 - locality, trades places
// with a rank drawn uniformly.
void drift_ranking(std::vector<std::size_t>& ranking, double locality, MoeTraceRandom& random) {
  for (std::size_t r = 0; r < ranking.size(); ++r) {
    if (random.unit() > locality) std::swap(ranking[r], ranking[random.below(ranking.size())]);
  }
}

// Weighted sampling of k distinct experts (Efraimidis and Spirakis: the k largest log(u)/w),
// the same law as drawing one by one without replacement.
void route_token(const std::vector<double>& weight, std::size_t k, MoeTraceRandom& random, std::vector<std::pair<double, std::size_t>>& keys,
                 std::vector<double>& row) {
  keys.clear();
  for (std::size_t e = 0; e < weight.size(); ++e) keys.emplace_back(std::log(random.unit()) / weight[e], e);
  std::partial_sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(k), keys.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  for (std::size_t i = 0; i < k; ++i) row[keys[i].second] += 1;
}

}  // namespace

std::vector<std::string> place_experts(std::size_t experts, const std::vector<std::string>& hosts, ExpertPlacement placement) {
  std::vector<std::string> out;
  for (std::size_t e = 0; e < experts; ++e) {
    out.push_back(placement == ExpertPlacement::round_robin ? hosts[e % hosts.size()] : hosts[e * hosts.size() / experts]);
  }
  return out;
}

Result<void> check_moe_trace_knobs(const MoeTraceKnobs& k) {
  if (k.experts < 1 || k.experts > 4096) return knob_error("experts", fmt::format("{} is not in 1..4096", k.experts));
  if (k.hosts.empty()) return knob_error("hosts", "names no host");
  for (std::size_t i = 0; i < k.hosts.size(); ++i) {
    if (k.hosts[i].empty()) return knob_error("hosts", fmt::format("host {} has no name", i + 1));
    for (std::size_t j = 0; j < i; ++j) {
      if (k.hosts[i] == k.hosts[j]) return knob_error("hosts", fmt::format("host '{}' named twice", k.hosts[i]));
    }
  }
  if (k.hosts.size() > k.experts) return knob_error("hosts", fmt::format("{} hosts for {} experts: a host would hold none", k.hosts.size(), k.experts));
  if (k.layers < 1 || k.layers > 10000) return knob_error("layers", fmt::format("{} is not in 1..10000", k.layers));
  if (k.tokens_per_layer < 1) return knob_error("tokens", "must be at least 1");
  if (k.top_k < 1 || k.top_k > k.experts) return knob_error("top_k", fmt::format("{} is not in 1..{} (the experts)", k.top_k, k.experts));
  if (!std::isfinite(k.skew) || k.skew < 0 || k.skew > 10) return knob_error("skew", fmt::format("{} is not in 0..10", k.skew));
  if (!std::isfinite(k.locality) || k.locality < 0 || k.locality > 1) return knob_error("locality", fmt::format("{} is not in 0..1", k.locality));
  if (k.hidden_size < 1 || k.hidden_size > (1U << 20)) return knob_error("hidden_size", fmt::format("{} is not in 1..{}", k.hidden_size, 1U << 20));
  if (k.dtype_bytes != 1 && k.dtype_bytes != 2 && k.dtype_bytes != 4) return knob_error("dtype_bytes", fmt::format("{} is not 1, 2 or 4", k.dtype_bytes));
  const double work = static_cast<double>(k.tokens_per_layer) * static_cast<double>(k.layers) * static_cast<double>(k.experts);
  if (work > kMaxMoeTraceWork) {
    return knob_error("tokens", fmt::format("tokens x layers x experts = {:.3g}, more than {:.3g}: fewer tokens (scale bytes with hidden_size)", work,
                                            kMaxMoeTraceWork));
  }
  return {};
}

Result<MoeTrace> generate_moe_trace(const MoeTraceKnobs& k) {
  if (auto ok = check_moe_trace_knobs(k); !ok) return std::unexpected(ok.error());
  MoeTraceRandom random(k.seed);
  MoeTrace trace;
  trace.placement = place_experts(k.experts, k.hosts, k.placement);
  trace.bytes_per_token = static_cast<double>(k.hidden_size * k.dtype_bytes);
  trace.description = fmt::format(
      "generated: experts {} hosts {} placement {} layers {} tokens {} top_k {} skew {} locality {} hidden_size {} dtype_bytes {} seed {}", k.experts,
      k.hosts.size(), k.placement == ExpertPlacement::blocks ? "blocks" : "round-robin", k.layers, k.tokens_per_layer, k.top_k, k.skew, k.locality,
      k.hidden_size, k.dtype_bytes, k.seed);

  // The first layer's ranking: a uniform shuffle (Fisher-Yates).
  std::vector<std::size_t> ranking(k.experts);
  for (std::size_t e = 0; e < k.experts; ++e) ranking[e] = e;
  for (std::size_t i = k.experts; i > 1; --i) std::swap(ranking[i - 1], ranking[random.below(i)]);

  std::vector<double> weight(k.experts);
  std::vector<std::pair<double, std::size_t>> keys;
  keys.reserve(k.experts);
  for (std::size_t l = 0; l < k.layers; ++l) {
    if (l > 0) drift_ranking(ranking, k.locality, random);
    for (std::size_t r = 0; r < k.experts; ++r) weight[ranking[r]] = 1.0 / std::pow(static_cast<double>(r + 1), k.skew);
    std::vector<std::vector<double>> tokens(k.experts, std::vector<double>(k.experts, 0.0));
    // The batch's tokens sit evenly on the experts' GPUs (the first ones take the remainder).
    for (std::size_t src = 0; src < k.experts; ++src) {
      const std::uint64_t held = k.tokens_per_layer / k.experts + (src < k.tokens_per_layer % k.experts ? 1 : 0);
      for (std::uint64_t t = 0; t < held; ++t) route_token(weight, k.top_k, random, keys, tokens[src]);
    }
    trace.layers.push_back(std::move(tokens));
  }
  return trace;
}

}  // namespace mixnet::coord::topogen
