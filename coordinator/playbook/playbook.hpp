#pragma once
// A playbook (docs/playbooks.md): top-level settings, `steps:` run in order and `always:` steps
// that run even after a failure. Parsed strictly (unknown keys are errors naming file:line and the
// key path); every step's module is looked up and its arguments validated before anything runs.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "coordinator/playbook/expr.hpp"

namespace mixnet::coord {

class ModuleRegistry;
class Module;
struct Inventory;
class TopologySet;

inline constexpr double kDefaultStepTimeoutS = 600.0;
inline constexpr double kDefaultRetryDelayS = 1.0;

struct Step {
  std::size_t seq = 0;              // position in the playbook: steps 0..n-1, then always n..
  bool in_always = false;
  std::string name;                 // given, or "MODULE" when none
  std::string module;               // "ocs.apply"
  nlohmann::json args = nlohmann::json::object();   // as written; templates resolved per run
  int line = 0;
  std::vector<Expression> when;     // all must hold (a list in YAML is an implicit `and`)
  std::optional<Expression> until;
  int retries = 0;                  // extra attempts after the first
  double delay_s = kDefaultRetryDelayS;
  double timeout_s = kDefaultStepTimeoutS;
  std::string register_as;
  bool ignore_errors = false;
  std::vector<std::string> tags;
  std::optional<nlohmann::json> loop;  // a list, or a "{{ expr }}" string that yields one
};

struct Playbook {
  std::string path;                 // the file, or the display name it was parsed under
  std::string dir;                  // its folder, absolute (`playbook_dir` in expressions); empty: parsed from text
  std::string name;
  std::string description;
  std::vector<std::string> topology_files;   // resolved against the playbook's folder
  nlohmann::json vars = nlohmann::json::object();
  bool any_errors_fatal = false;    // a failed item (any host) stops the main steps at once
  int max_fail_hosts = 0;           // the run still passes with this many failed hosts
  std::vector<Step> steps;
  std::vector<Step> always;

  [[nodiscard]] std::vector<const Step*> all_steps() const;   // steps then always, in seq order
};

Result<Playbook> parse_playbook(std::string_view yaml_text, const std::string& display_name, const std::string& base_dir,
                                const ModuleRegistry& registry);
Result<Playbook> read_playbook(const std::string& path, const ModuleRegistry& registry);

// Load-time validation against the inventory and topologies: every module's validate(), and
// every template's syntax. Errors name the step ("bringup.yaml:12: step 'apply ring': topology: ...").
Result<void> validate_playbook(const Playbook& playbook, const ModuleRegistry& registry, const Inventory& inventory,
                               const TopologySet& topologies);

// Step selection by --tags / --skip-tags. A step tagged `always`, and every step of the always:
// section, is selected by any --tags; --skip-tags wins over everything.
bool step_selected(const Step& step, const std::vector<std::string>& tags, const std::vector<std::string>& skip_tags);

// "-e key=value": the value typed as a YAML scalar would be ("5" -> 5, "true" -> true), or JSON when
// it starts with [ or {. Errors name the bad pair.
Result<std::pair<std::string, nlohmann::json>> parse_extra_var(const std::string& text);

}  // namespace mixnet::coord
