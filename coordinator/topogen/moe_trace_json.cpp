// The MoE trace file (docs/topologies.md, "MoE traces"): the expert header a demand file's expert
// form has, and a list of layers, each an experts x experts token matrix.
#include <cmath>
#include <cstdint>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/json_keys.hpp"
#include "coordinator/model/yaml_util.hpp"
#include "coordinator/topogen/demand_json_fields.hpp"
#include "coordinator/topogen/moe_trace.hpp"

namespace mixnet::coord::topogen {

using nlohmann::json;

Result<DemandMatrix> trace_layer_demand(const MoeTrace& trace, std::size_t layer, const std::string& source) {
  if (layer >= trace.layers.size()) {
    return fail(Errc::invalid_argument, fmt::format("{}: layer {} asked for, the trace has {} (0..{})", source, layer, trace.layers.size(),
                                                    trace.layers.size() - 1),
                "layer");
  }
  return demand_from_expert_tokens(ExpertTokens{trace.placement, trace.bytes_per_token, trace.layers[layer]},
                                   fmt::format("{} layer {}", source, layer));
}

Result<MoeTrace> parse_moe_trace(std::string_view text, const std::string& display_name) {
  const DemandJsonFields fields(display_name);
  auto parsed = fields.parse_object(text, "trace", "format, version, experts, placement, bytes_per_token and layers (a MoE trace)");
  if (!parsed) return std::unexpected(parsed.error());
  const json& root = *parsed;
  if (!root.contains("format") || root["format"] != std::string(kMoeTraceFormat)) return fields.error("format", fmt::format("expected \"{}\"", kMoeTraceFormat));
  if (!root.contains("version") || root["version"] != kMoeTraceVersion) {
    return fields.error("version", fmt::format("expected {} (the version this reader knows)", kMoeTraceVersion));
  }
  if (auto keys = json_keys::only_keys(root, {"format", "version", "description", "experts", "placement", "bytes_per_token", "layers"}, {}, "key");
      !keys) {
    return fields.error(keys.error().field, keys.error().message);
  }
  MoeTrace trace;
  if (root.contains("description")) {
    if (!root["description"].is_string()) return fields.error("description", "expected a string");
    trace.description = root["description"].get<std::string>();
  }
  auto header = fields.expert_header(root);
  if (!header) return std::unexpected(header.error());
  trace.placement = std::move(header->placement);
  trace.bytes_per_token = header->bytes_per_token;
  if (!root.contains("layers") || !root["layers"].is_array() || root["layers"].empty()) return fields.error("layers", "expected an array of one layer or more");
  for (std::size_t l = 0; l < root["layers"].size(); ++l) {
    const auto& layer = root["layers"][l];
    const auto key = fmt::format("layers[{}]", l);
    if (!layer.is_object() || !layer.contains("tokens")) return fields.error(key, "expected an object with tokens");
    if (auto keys = json_keys::only_keys(layer, {"tokens"}, key, "key"); !keys) return fields.error(keys.error().field, keys.error().message);
    auto tokens = fields.square_value(layer["tokens"], key + ".tokens", trace.experts());
    if (!tokens) return std::unexpected(tokens.error());
    trace.layers.push_back(std::move(*tokens));
  }
  return trace;
}

Result<MoeTrace> read_moe_trace(const std::string& path) {
  auto text = yamlx::read_file(path);
  if (!text) return std::unexpected(text.error());
  return parse_moe_trace(*text, path);
}

namespace {

// Whole counts as integers ("12", not "12.0"): traces are mostly whole tokens.
json moe_trace_number(double v) {
  if (v == std::floor(v) && v < 9.0e15) return json(static_cast<std::int64_t>(v));
  return json(v);
}

json moe_trace_row(const std::vector<double>& row) {
  json out = json::array();
  for (double v : row) out.push_back(moe_trace_number(v));
  return out;
}

}  // namespace

std::string moe_trace_json(const MoeTrace& trace) {
  // One layer row per line: a trace is read by people too, and diffs stay small.
  std::string out = fmt::format("{{\n  \"format\": {},\n  \"version\": {},\n  \"description\": {},\n  \"experts\": {},\n  \"placement\": {},\n"
                                "  \"bytes_per_token\": {},\n  \"layers\": [",
                                json(std::string(kMoeTraceFormat)).dump(), kMoeTraceVersion, json(trace.description).dump(), trace.experts(),
                                json(trace.placement).dump(), moe_trace_number(trace.bytes_per_token).dump());
  for (std::size_t l = 0; l < trace.layers.size(); ++l) {
    out += l == 0 ? "\n    {\"tokens\": [" : ",\n    {\"tokens\": [";
    for (std::size_t i = 0; i < trace.layers[l].size(); ++i) {
      out += fmt::format("{}\n      {}", i == 0 ? "" : ",", moe_trace_row(trace.layers[l][i]).dump());
    }
    out += "\n    ]}";
  }
  out += "\n  ]\n}\n";
  return out;
}

}  // namespace mixnet::coord::topogen
