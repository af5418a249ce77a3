#include "coordinator/playbook/playbook.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "coordinator/engine/registry.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/model/yaml_util.hpp"
#include "coordinator/playbook/template.hpp"

namespace mixnet::coord {
namespace {

using yamlx::error_at;
using yamlx::join;
using yamlx::Source;

constexpr std::string_view kStepKeys[] = {"name", "retries", "until", "delay", "timeout", "when",
                                          "register", "ignore_errors", "tags", "loop"};
// Names the engine binds itself; a register of one of these would hide it.
constexpr std::string_view kReservedNames[] = {"item", "result", "vars", "check_mode", "run_id", "playbook_dir", "true", "false",
                                               "null", "none", "and", "or", "not", "in", "is"};

bool is_step_key(std::string_view key) { return std::ranges::find(kStepKeys, key) != std::end(kStepKeys); }

bool valid_identifier(std::string_view s) {
  if (s.empty() || (std::isalpha(static_cast<unsigned char>(s[0])) == 0 && s[0] != '_')) return false;
  return std::ranges::all_of(s, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; });
}

Result<Expression> expression(const YAML::Node& node, const Source& src, const std::string& path) {
  auto text = yamlx::scalar(node, src, path);
  if (!text) return std::unexpected(text.error());
  std::string body = *text;
  // Conditions are expressions already; accept a wrapping {{ }} anyway, since Ansible users write it.
  if (body.starts_with("{{") && body.ends_with("}}")) body = body.substr(2, body.size() - 4);
  auto e = Expression::parse(body);
  if (!e) return error_at(src, node, path, e.error().message);
  return e;
}

Result<std::vector<std::string>> tag_list(const YAML::Node& node, const Source& src, const std::string& path) {
  std::vector<std::string> tags;
  if (node.IsScalar()) {
    tags.push_back(node.Scalar());
  } else {
    if (auto ok = yamlx::expect_seq(node, src, path); !ok) return std::unexpected(ok.error());
    for (std::size_t i = 0; i < node.size(); ++i) {
      auto tag = yamlx::string(node[i], src, yamlx::index(path, i));
      if (!tag) return std::unexpected(tag.error());
      tags.push_back(*tag);
    }
  }
  for (const auto& tag : tags) {
    if (!valid_identifier(tag) && tag.find_first_of(" ,") != std::string::npos)
      return error_at(src, node, path, fmt::format("tag '{}' has a space or comma", tag));
  }
  return tags;
}

Result<Step> read_step(const YAML::Node& node, const Source& src, const std::string& path, const ModuleRegistry& registry) {
  if (auto ok = yamlx::expect_map(node, src, path); !ok) return std::unexpected(ok.error());
  Step step;
  step.line = yamlx::line_of(node);
  // The one key that is not a step key names the module.
  for (auto it = node.begin(); it != node.end(); ++it) {
    const auto key = it->first.Scalar();
    if (is_step_key(key)) continue;
    if (!step.module.empty())
      return error_at(src, it->first, join(path, key), fmt::format("a step runs one module; this one already runs '{}'", step.module));
    if (registry.find(key) == nullptr) {
      std::string known;
      for (const auto& n : registry.names()) known += (known.empty() ? "" : ", ") + n;
      std::string step_keys;
      for (auto k : kStepKeys) step_keys += (step_keys.empty() ? "" : ", ") + std::string(k);
      return error_at(src, it->first, join(path, key),
                      fmt::format("unknown module or key '{}' (modules: {}; step keys: {})", key, known, step_keys));
    }
    step.module = key;
    const auto args = it->second;
    if (args.IsNull() || !args.IsDefined()) {
      step.args = nlohmann::json::object();
    } else if (args.IsMap()) {
      step.args = yamlx::to_json(args);
    } else {
      return error_at(src, args, join(path, key), "module arguments are a mapping (key: value), or nothing");
    }
    if (auto ok = check_templates(step.args); !ok) return error_at(src, args, join(path, key), ok.error().message);
  }
  if (step.module.empty()) return error_at(src, node, path, "no module in this step");
  step.name = step.module;
  if (node["name"]) {
    auto name = yamlx::string(node["name"], src, join(path, "name"));
    if (!name) return std::unexpected(name.error());
    step.name = *name;
  }
  if (node["when"]) {
    const auto when = node["when"];
    if (when.IsSequence()) {
      for (std::size_t i = 0; i < when.size(); ++i) {
        auto e = expression(when[i], src, yamlx::index(join(path, "when"), i));
        if (!e) return std::unexpected(e.error());
        step.when.push_back(std::move(*e));
      }
    } else {
      auto e = expression(when, src, join(path, "when"));
      if (!e) return std::unexpected(e.error());
      step.when.push_back(std::move(*e));
    }
  }
  if (node["until"]) {
    auto e = expression(node["until"], src, join(path, "until"));
    if (!e) return std::unexpected(e.error());
    step.until = std::move(*e);
  }
  if (node["retries"]) {
    auto retries = yamlx::integer(node["retries"], src, join(path, "retries"));
    if (!retries) return std::unexpected(retries.error());
    if (*retries < 0 || *retries > 100000) return error_at(src, node["retries"], join(path, "retries"), fmt::format("{} is outside 0..100000", *retries));
    step.retries = static_cast<int>(*retries);
  } else if (step.until) {
    step.retries = 3;   // as Ansible: `until` alone retries 3 times
  }
  if (node["delay"]) {
    auto delay = yamlx::number(node["delay"], src, join(path, "delay"));
    if (!delay) return std::unexpected(delay.error());
    if (*delay < 0 || *delay > 86400 || std::isnan(*delay)) return error_at(src, node["delay"], join(path, "delay"), fmt::format("{} s is outside 0..86400", *delay));
    step.delay_s = *delay;
  }
  if (node["timeout"]) {
    auto timeout = yamlx::number(node["timeout"], src, join(path, "timeout"));
    if (!timeout) return std::unexpected(timeout.error());
    if (!(*timeout > 0) || *timeout > 7 * 86400) return error_at(src, node["timeout"], join(path, "timeout"), fmt::format("{} s is outside (0, 604800]", *timeout));
    step.timeout_s = *timeout;
  }
  if (node["register"]) {
    auto name = yamlx::string(node["register"], src, join(path, "register"));
    if (!name) return std::unexpected(name.error());
    if (!valid_identifier(*name)) return error_at(src, node["register"], join(path, "register"), fmt::format("'{}' is not a name ([A-Za-z_][A-Za-z0-9_]*)", *name));
    if (std::ranges::find(kReservedNames, *name) != std::end(kReservedNames))
      return error_at(src, node["register"], join(path, "register"), fmt::format("'{}' is reserved", *name));
    step.register_as = *name;
  }
  if (node["ignore_errors"]) {
    auto ignore = yamlx::boolean(node["ignore_errors"], src, join(path, "ignore_errors"));
    if (!ignore) return std::unexpected(ignore.error());
    step.ignore_errors = *ignore;
  }
  if (node["tags"]) {
    auto tags = tag_list(node["tags"], src, join(path, "tags"));
    if (!tags) return std::unexpected(tags.error());
    step.tags = std::move(*tags);
  }
  if (node["loop"]) {
    const auto loop = node["loop"];
    if (loop.IsSequence()) {
      step.loop = yamlx::to_json(loop);
    } else if (loop.IsScalar() && loop.Scalar().find("{{") != std::string::npos) {
      step.loop = loop.Scalar();
    } else {
      return error_at(src, loop, join(path, "loop"), "expected a list, or a '{{ expr }}' that yields one");
    }
    if (auto ok = check_templates(*step.loop); !ok) return error_at(src, loop, join(path, "loop"), ok.error().message);
  }
  return step;
}

Result<std::vector<Step>> read_steps(const YAML::Node& list, const Source& src, const std::string& path, const ModuleRegistry& registry,
                                     std::size_t first_seq, bool in_always) {
  if (auto ok = yamlx::expect_seq(list, src, path); !ok) return std::unexpected(ok.error());
  std::vector<Step> steps;
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto step = read_step(list[i], src, yamlx::index(path, i), registry);
    if (!step) return std::unexpected(step.error());
    step->seq = first_seq + i;
    step->in_always = in_always;
    steps.push_back(std::move(*step));
  }
  return steps;
}

}  // namespace

std::vector<const Step*> Playbook::all_steps() const {
  std::vector<const Step*> out;
  for (const auto& s : steps) out.push_back(&s);
  for (const auto& s : always) out.push_back(&s);
  return out;
}

Result<Playbook> parse_playbook(std::string_view yaml_text, const std::string& display_name, const std::string& base_dir,
                                const ModuleRegistry& registry) {
  const Source src{display_name};
  auto root_result = yamlx::load(yaml_text, src);
  if (!root_result) return std::unexpected(root_result.error());
  const YAML::Node& root = *root_result;
  if (!root.IsDefined() || root.IsNull()) return error_at(src, root, "", "the file is empty");
  if (auto ok = yamlx::only_keys(root, src, "", {"name", "description", "topologies", "vars", "any_errors_fatal", "max_fail_hosts", "steps", "always"}); !ok)
    return std::unexpected(ok.error());
  Playbook pb;
  pb.path = display_name;
  if (!base_dir.empty()) pb.dir = std::filesystem::absolute(base_dir).lexically_normal().string();
  pb.name = std::filesystem::path(display_name).stem().string();
  if (root["name"]) {
    auto name = yamlx::string(root["name"], src, "name");
    if (!name) return std::unexpected(name.error());
    pb.name = *name;
  }
  if (root["description"]) {
    auto text = yamlx::scalar(root["description"], src, "description");
    if (!text) return std::unexpected(text.error());
    pb.description = *text;
  }
  if (root["topologies"]) {
    const auto list = root["topologies"];
    if (auto ok = yamlx::expect_seq(list, src, "topologies"); !ok) return std::unexpected(ok.error());
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto file = yamlx::string(list[i], src, yamlx::index("topologies", i));
      if (!file) return std::unexpected(file.error());
      std::filesystem::path p(*file);
      if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
      pb.topology_files.push_back(p.lexically_normal().string());
    }
  }
  if (root["vars"]) {
    if (auto ok = yamlx::expect_map(root["vars"], src, "vars"); !ok) return std::unexpected(ok.error());
    pb.vars = yamlx::to_json(root["vars"]);
    for (const auto& [key, value] : pb.vars.items()) {
      if (!valid_identifier(key)) return error_at(src, root["vars"], join("vars", key), "not a name ([A-Za-z_][A-Za-z0-9_]*)");
      if (std::ranges::find(kReservedNames, key) != std::end(kReservedNames)) return error_at(src, root["vars"], join("vars", key), "reserved name");
    }
  }
  if (root["any_errors_fatal"]) {
    auto fatal = yamlx::boolean(root["any_errors_fatal"], src, "any_errors_fatal");
    if (!fatal) return std::unexpected(fatal.error());
    pb.any_errors_fatal = *fatal;
  }
  if (root["max_fail_hosts"]) {
    auto n = yamlx::integer(root["max_fail_hosts"], src, "max_fail_hosts");
    if (!n) return std::unexpected(n.error());
    if (*n < 0 || *n > 100000) return error_at(src, root["max_fail_hosts"], "max_fail_hosts", fmt::format("{} is outside 0..100000", *n));
    pb.max_fail_hosts = static_cast<int>(*n);
  }
  if (!root["steps"]) return error_at(src, root, "steps", "required: the list of steps");
  auto steps = read_steps(root["steps"], src, "steps", registry, 0, false);
  if (!steps) return std::unexpected(steps.error());
  pb.steps = std::move(*steps);
  if (root["always"]) {
    auto always = read_steps(root["always"], src, "always", registry, pb.steps.size(), true);
    if (!always) return std::unexpected(always.error());
    pb.always = std::move(*always);
  }
  return pb;
}

Result<Playbook> read_playbook(const std::string& path, const ModuleRegistry& registry) {
  auto text = yamlx::read_file(path);
  if (!text) return std::unexpected(text.error().context("playbook"));
  auto pb = parse_playbook(*text, path, std::filesystem::path(path).parent_path().string(), registry);
  if (pb) pb->path = path;
  return pb;
}

Result<void> validate_playbook(const Playbook& playbook, const ModuleRegistry& registry, const Inventory& inventory,
                               const TopologySet& topologies) {
  const std::string file = playbook.path.empty() ? std::string("playbook") : playbook.path;
  for (const auto* step : playbook.all_steps()) {
    const auto* module = registry.find(step->module);
    if (module == nullptr) return fail(Errc::invalid_argument, fmt::format("{}:{}: step '{}': unknown module '{}'", file, step->line, step->name, step->module));
    ValidationContext vc{inventory, topologies, step->name};
    // A looped step's args usually mention `item`; its values are known only per item.
    if (auto ok = module->validate(step->args, vc); !ok) {
      const auto& e = ok.error();
      return fail(Errc::invalid_argument,
                  fmt::format("{}:{}: step '{}': {}{}", file, step->line, step->name, e.field.empty() ? "" : e.field + ": ", e.message), e.field);
    }
  }
  return {};
}

bool step_selected(const Step& step, const std::vector<std::string>& tags, const std::vector<std::string>& skip_tags) {
  auto has = [&](std::string_view tag) { return std::ranges::find(step.tags, tag) != step.tags.end(); };
  for (const auto& tag : skip_tags) {
    if (has(tag)) return false;
  }
  // always: steps are clean-up: --tags does not drop them (only --skip-tags does).
  if (tags.empty() || step.in_always) return true;
  if (has("always")) return true;
  for (const auto& tag : tags) {
    if (tag == "all" || has(tag)) return true;
  }
  return false;
}

Result<std::pair<std::string, nlohmann::json>> parse_extra_var(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return fail(Errc::invalid_argument, fmt::format("-e '{}': expected KEY=VALUE", text), "-e");
  const auto key = text.substr(0, eq);
  if (!valid_identifier(key)) return fail(Errc::invalid_argument, fmt::format("-e '{}': '{}' is not a name", text, key), "-e");
  if (std::ranges::find(kReservedNames, key) != std::end(kReservedNames))
    return fail(Errc::invalid_argument, fmt::format("-e '{}': '{}' is reserved", text, key), "-e");
  const auto value = text.substr(eq + 1);
  if (value.starts_with('[') || value.starts_with('{')) {
    auto parsed = nlohmann::json::parse(value, nullptr, false);
    if (parsed.is_discarded()) return fail(Errc::invalid_argument, fmt::format("-e '{}': the value is not valid JSON", text), "-e");
    return std::pair{key, parsed};
  }
  return std::pair{key, yamlx::typed_scalar(value)};
}

}  // namespace mixnet::coord
