#pragma once
// MoE layer traffic, layer after layer (docs/topologies.md, "MoE traces"): the token counts of
// each layer's all-to-all dispatch between experts, where each expert lives, and the bytes of a
// token. Real traces are read from a file; synthetic ones come from a seeded generator whose
// knobs (experts, top-k, skew, locality between consecutive layers) are the ones that shape
// what circuits are worth.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "coordinator/topogen/demand_matrix.hpp"

namespace mixnet::coord::topogen {

inline constexpr std::string_view kMoeTraceFormat = "mixnet-moe-trace";
inline constexpr int kMoeTraceVersion = 1;

struct MoeTrace {
  std::vector<std::string> placement;   // placement[e]: the host of expert e (experts = its size)
  double bytes_per_token = 0;
  // layers[l][i][j]: in layer l's dispatch, the tokens held by the GPU of expert i that the gate
  // routes to expert j (one token with top-k sends k of them). Every layer is experts x experts.
  std::vector<std::vector<std::vector<double>>> layers;
  std::string description;              // free text: where the trace came from

  [[nodiscard]] std::size_t experts() const { return placement.size(); }
};

// Layer `layer` (0-based) as host bytes: the very conversion the expert form of a demand file
// goes through (demand_from_expert_tokens). The source reads "SOURCE layer N".
Result<DemandMatrix> trace_layer_demand(const MoeTrace& trace, std::size_t layer, const std::string& source);

// The file (JSON):
//   {"format": "mixnet-moe-trace", "version": 1, "description": "...", "experts": E,
//    "placement": [E host names], "bytes_per_token": B, "layers": [{"tokens": [[E x E]]}, ...]}
// Errors (invalid_argument) name the file and the key: "t.json: layers[2].tokens[0][3]: ...".
Result<MoeTrace> parse_moe_trace(std::string_view text, const std::string& display_name);
Result<MoeTrace> read_moe_trace(const std::string& path);
std::string moe_trace_json(const MoeTrace& trace);

enum class ExpertPlacement { round_robin, blocks };

// The generator's knobs (docs/topologies.md, "MoE traces"); the defaults make a small trace for
// the default lab (h1..h4).
struct MoeTraceKnobs {
  std::size_t experts = 16;
  std::vector<std::string> hosts{"h1", "h2", "h3", "h4"};
  ExpertPlacement placement = ExpertPlacement::blocks;   // blocks: experts 0..E/H-1 on hosts[0], ..
  std::size_t layers = 4;
  std::uint64_t tokens_per_layer = 4096;   // tokens in the batch, spread evenly over the experts' GPUs
  std::size_t top_k = 2;                   // experts each token goes to (distinct)
  double skew = 1.0;                       // Zipf exponent of expert popularity; 0: uniform
  double locality = 0.8;                   // 0..1: how much of a layer's popularity ranking the next keeps
  std::size_t hidden_size = 4096;          // bytes per token = hidden_size x dtype_bytes
  std::size_t dtype_bytes = 2;             // 2: bf16/fp16, 1: fp8, 4: fp32
  std::uint64_t seed = 1;
};

// Every knob in range; the error (invalid_argument) names the knob as its field.
Result<void> check_moe_trace_knobs(const MoeTraceKnobs& knobs);
// A trace, the same for the same knobs (seed included) on every machine.
Result<MoeTrace> generate_moe_trace(const MoeTraceKnobs& knobs);

// Hosts[e % H] (round-robin) or hosts[e * H / E] (blocks).
std::vector<std::string> place_experts(std::size_t experts, const std::vector<std::string>& hosts, ExpertPlacement placement);

}  // namespace mixnet::coord::topogen
