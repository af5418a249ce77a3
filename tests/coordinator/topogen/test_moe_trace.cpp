// MoE traces (docs/topologies.md, "MoE traces"): the seeded generator's knobs do what they say,
// a trace survives a write and a read, the reader's errors name the file, layer and cell, and a
// layer becomes host demand exactly as the expert form of a demand file does.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "coordinator/topogen/moe_trace.hpp"

using namespace mixnet;
using namespace mixnet::coord::topogen;

namespace {

// Tokens each expert receives in a layer (the column sums).
std::vector<double> moe_received(const std::vector<std::vector<double>>& tokens) {
  std::vector<double> out(tokens.size(), 0.0);
  for (const auto& row : tokens) {
    for (std::size_t j = 0; j < row.size(); ++j) out[j] += row[j];
  }
  return out;
}

// The `n` experts that receive the most tokens in a layer.
std::set<std::size_t> moe_popular(const std::vector<std::vector<double>>& tokens, std::size_t n) {
  const auto got = moe_received(tokens);
  std::vector<std::size_t> order(got.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return got[a] > got[b]; });
  return {order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n)};
}

// The share of all tokens the most popular `n` experts receive, over every layer.
double moe_top_share(const MoeTrace& trace, std::size_t n) {
  double top = 0, all = 0;
  for (const auto& layer : trace.layers) {
    auto got = moe_received(layer);
    std::sort(got.rbegin(), got.rend());
    top += std::accumulate(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(n), 0.0);
    all += std::accumulate(got.begin(), got.end(), 0.0);
  }
  return top / all;
}

// Mean overlap of consecutive layers' `n` most popular experts, over every pair of layers.
double moe_consecutive_overlap(const MoeTrace& trace, std::size_t n) {
  double sum = 0;
  for (std::size_t l = 1; l < trace.layers.size(); ++l) {
    const auto a = moe_popular(trace.layers[l - 1], n);
    const auto b = moe_popular(trace.layers[l], n);
    sum += static_cast<double>(std::count_if(a.begin(), a.end(), [&](auto e) { return b.count(e) > 0; }));
  }
  return sum / static_cast<double>(trace.layers.size() - 1);
}

MoeTrace moe_generated(const MoeTraceKnobs& knobs) {
  auto t = generate_moe_trace(knobs);
  INFO((t ? std::string() : t.error().message));
  REQUIRE(t.has_value());
  return *t;
}

}  // namespace

TEST_CASE("moe trace: the same knobs and seed give the same trace, another seed another", "[unit][topogen]") {
  MoeTraceKnobs k;
  const auto a = moe_generated(k);
  const auto b = moe_generated(k);
  CHECK(a.layers == b.layers);
  CHECK(a.placement == b.placement);
  k.seed = 2;
  CHECK(moe_generated(k).layers != a.layers);
}

TEST_CASE("moe trace: every token goes to top_k experts, and tokens sit evenly on the experts' GPUs", "[unit][topogen]") {
  MoeTraceKnobs k;
  k.experts = 8;
  k.tokens_per_layer = 1003;   // not a multiple of the experts: the first three hold one more
  k.layers = 3;
  for (std::size_t top_k : {1U, 2U, 8U}) {
    k.top_k = top_k;
    const auto t = moe_generated(k);
    REQUIRE(t.layers.size() == 3);
    for (const auto& layer : t.layers) {
      REQUIRE(layer.size() == 8);
      double total = 0;
      for (std::size_t i = 0; i < 8; ++i) {
        const double row = std::accumulate(layer[i].begin(), layer[i].end(), 0.0);
        CHECK(row == static_cast<double>((1003 / 8 + (i < 1003 % 8 ? 1 : 0)) * top_k));
        // Distinct experts: no expert gets more of a GPU's tokens than the GPU holds.
        for (double cell : layer[i]) CHECK(cell <= static_cast<double>(1003 / 8 + 1));
        total += row;
      }
      CHECK(total == static_cast<double>(1003 * top_k));
    }
  }
}

TEST_CASE("moe trace: more skew sends more tokens to the popular experts", "[unit][topogen]") {
  MoeTraceKnobs k;
  k.experts = 16;
  k.layers = 6;
  double previous = 0;
  for (double skew : {0.0, 0.5, 1.0, 2.0}) {
    k.skew = skew;
    const double share = moe_top_share(moe_generated(k), 2);
    INFO("skew " << skew << " top-2 share " << share);
    CHECK(share > previous);
    previous = share;
  }
  k.skew = 0;
  // Uniform popularity: the top two get about 2/16 of the tokens (sampling noise only).
  CHECK(moe_top_share(moe_generated(k), 2) < 0.16);
  k.skew = 2;
  CHECK(moe_top_share(moe_generated(k), 2) > 0.5);
}

TEST_CASE("moe trace: more locality keeps more of a layer's popular experts in the next", "[unit][topogen]") {
  MoeTraceKnobs k;
  k.experts = 32;
  k.layers = 40;
  k.skew = 1.5;
  k.tokens_per_layer = 8192;
  k.locality = 1.0;
  CHECK(moe_consecutive_overlap(moe_generated(k), 4) == 4.0);   // the ranking never moves
  double previous = 5;
  for (double locality : {0.9, 0.5, 0.0}) {
    k.locality = locality;
    const double overlap = moe_consecutive_overlap(moe_generated(k), 4);
    INFO("locality " << locality << " overlap " << overlap);
    CHECK(overlap < previous);
    previous = overlap;
  }
  CHECK(previous < 1.5);   // reshuffled: about 4 x 4/32 by chance
}

TEST_CASE("moe trace: placement in blocks or round-robin, and bytes per token from hidden size and dtype", "[unit][topogen]") {
  CHECK(place_experts(8, {"h1", "h2", "h3", "h4"}, ExpertPlacement::blocks) ==
        std::vector<std::string>{"h1", "h1", "h2", "h2", "h3", "h3", "h4", "h4"});
  CHECK(place_experts(8, {"h1", "h2", "h3", "h4"}, ExpertPlacement::round_robin) ==
        std::vector<std::string>{"h1", "h2", "h3", "h4", "h1", "h2", "h3", "h4"});
  CHECK(place_experts(5, {"a", "b"}, ExpertPlacement::blocks) == std::vector<std::string>{"a", "a", "a", "b", "b"});
  MoeTraceKnobs k;
  k.hidden_size = 7168;
  k.dtype_bytes = 1;
  CHECK(moe_generated(k).bytes_per_token == 7168);
}

TEST_CASE("moe trace knobs: each bad one is refused by name", "[unit][topogen]") {
  auto refused = [](auto change) {
    MoeTraceKnobs k;
    change(k);
    auto t = generate_moe_trace(k);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().code == Errc::invalid_argument);
    CHECK_THAT(t.error().message, Catch::Contains(t.error().field + ":"));
    return t.error().field;
  };
  CHECK(refused([](MoeTraceKnobs& k) { k.experts = 0; }) == "experts");
  CHECK(refused([](MoeTraceKnobs& k) { k.hosts = {}; }) == "hosts");
  CHECK(refused([](MoeTraceKnobs& k) { k.hosts = {"h1", "h1"}; }) == "hosts");
  CHECK(refused([](MoeTraceKnobs& k) { k.hosts = {"h1", ""}; }) == "hosts");
  CHECK(refused([](MoeTraceKnobs& k) { k.experts = 2; k.top_k = 1; }) == "hosts");   // 4 hosts, 2 experts
  CHECK(refused([](MoeTraceKnobs& k) { k.layers = 0; }) == "layers");
  CHECK(refused([](MoeTraceKnobs& k) { k.tokens_per_layer = 0; }) == "tokens");
  CHECK(refused([](MoeTraceKnobs& k) { k.tokens_per_layer = 1'000'000'000; }) == "tokens");
  CHECK(refused([](MoeTraceKnobs& k) { k.top_k = 0; }) == "top_k");
  CHECK(refused([](MoeTraceKnobs& k) { k.top_k = 17; }) == "top_k");
  CHECK(refused([](MoeTraceKnobs& k) { k.skew = -1; }) == "skew");
  CHECK(refused([](MoeTraceKnobs& k) { k.skew = std::nan(""); }) == "skew");
  CHECK(refused([](MoeTraceKnobs& k) { k.locality = 1.5; }) == "locality");
  CHECK(refused([](MoeTraceKnobs& k) { k.hidden_size = 0; }) == "hidden_size");
  CHECK(refused([](MoeTraceKnobs& k) { k.dtype_bytes = 3; }) == "dtype_bytes");
}

TEST_CASE("moe trace: written then read gives the same trace", "[unit][topogen]") {
  MoeTraceKnobs k;
  k.placement = ExpertPlacement::round_robin;
  auto t = moe_generated(k);
  t.layers[0][1][2] = 2.5;   // a real trace may hold scaled, fractional counts
  auto back = parse_moe_trace(moe_trace_json(t), "t.json");
  INFO((back ? std::string() : back.error().message));
  REQUIRE(back.has_value());
  CHECK(back->placement == t.placement);
  CHECK(back->bytes_per_token == t.bytes_per_token);
  CHECK(back->layers == t.layers);
  CHECK(back->description == t.description);
}

TEST_CASE("moe trace reader: errors name the file, the layer and the cell", "[unit][topogen]") {
  const std::string head = R"({"format": "mixnet-moe-trace", "version": 1, "experts": 2, "placement": ["h1", "h2"], "bytes_per_token": 4, )";
  auto message = [](const std::string& text) {
    auto t = parse_moe_trace(text, "t.json");
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().code == Errc::invalid_argument);
    return t.error().message;
  };
  CHECK_THAT(message(head + R"("layers": [{"tokens": [[0, 1], [2, 3]]}, {"tokens": [[0, 1], [2, -3]]}]})"),
             Catch::Contains("t.json: layers[1].tokens[1][1]: -3 is not a finite, non-negative number"));
  CHECK_THAT(message(head + R"("layers": [{"tokens": [[0, 1], [2]]}]})"), Catch::Contains("t.json: layers[0].tokens[1]: expected an array of 2 numbers"));
  CHECK_THAT(message(head + R"("layers": [{"tokens": [[0, 1]]}]})"), Catch::Contains("t.json: layers[0].tokens: 1 rows, expected 2"));
  CHECK_THAT(message(head + R"("layers": [{"tokens": [[0, 1], [2, 3]], "x": 1}]})"), Catch::Contains("t.json: layers[0].x: unknown key"));
  CHECK_THAT(message(head + R"("layers": [7]})"), Catch::Contains("t.json: layers[0]: expected an object with tokens"));
  CHECK_THAT(message(head + R"("layers": []})"), Catch::Contains("t.json: layers: expected an array of one layer or more"));
  CHECK_THAT(message(R"({"format": "mixnet-moe-trace", "version": 2})"), Catch::Contains("t.json: version: expected 1"));
  CHECK_THAT(message(R"({"format": "other", "version": 1})"), Catch::Contains("t.json: format: expected \"mixnet-moe-trace\""));
  CHECK_THAT(message(R"({"format": "mixnet-moe-trace", "version": 1, "experts": 2, "placement": ["h1"], "bytes_per_token": 4, "layers": []})"),
             Catch::Contains("t.json: placement: 1 hosts for 2 experts"));
  CHECK_THAT(message(head + R"("layers": [], "extra": 1})"), Catch::Contains("t.json: extra: unknown key"));
  CHECK_THAT(message("{"), Catch::Contains("t.json: not JSON"));
  auto missing = read_moe_trace("/nonexistent/t.json");
  REQUIRE_FALSE(missing.has_value());
  CHECK_THAT(missing.error().message, Catch::Contains("/nonexistent/t.json"));
}

TEST_CASE("moe trace: a layer becomes the demand the expert form of a demand file gives", "[unit][topogen]") {
  MoeTraceKnobs k;
  k.experts = 8;
  k.layers = 2;
  const auto t = moe_generated(k);
  for (std::size_t l = 0; l < 2; ++l) {
    const nlohmann::json expert_form{{"experts", 8}, {"placement", t.placement}, {"bytes_per_token", t.bytes_per_token}, {"tokens", t.layers[l]}};
    auto direct = parse_demand_json(expert_form.dump(), "e.json");
    REQUIRE(direct.has_value());
    auto layer = trace_layer_demand(t, l, "t.json");
    REQUIRE(layer.has_value());
    CHECK(layer->hosts == direct->hosts);
    CHECK(layer->bytes == direct->bytes);
    CHECK(layer->intra_host_bytes == direct->intra_host_bytes);
    CHECK(layer->source == fmt::format("t.json layer {}", l));
  }
  auto past = trace_layer_demand(t, 2, "t.json");
  REQUIRE_FALSE(past.has_value());
  CHECK(past.error().field == "layer");
  // A whole trace given where one demand is expected says to pick a layer.
  auto whole = parse_demand_json(moe_trace_json(t), "t.json");
  REQUIRE_FALSE(whole.has_value());
  CHECK(whole.error().field == "layers");
}

TEST_CASE("moe trace: the shipped example reads, and its layers are demand for h1..h4", "[unit][topogen]") {
  auto t = read_moe_trace(std::string(MIXNET_SOURCE_DIR) + "/playbooks/examples/moe-trace-4hosts.json");
  INFO((t ? std::string() : t.error().message));
  REQUIRE(t.has_value());
  CHECK(t->layers.size() >= 2);
  for (std::size_t l = 0; l < t->layers.size(); ++l) {
    auto d = trace_layer_demand(*t, l, "example");
    REQUIRE(d.has_value());
    CHECK(d->hosts == std::vector<std::string>{"h1", "h2", "h3", "h4"});
    CHECK(d->network_bytes() > 0);
  }
}
