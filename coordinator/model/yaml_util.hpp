#pragma once
// Strict YAML reading for the coordinator's files (inventory, topologies, playbooks): every error
// is "FILE:LINE: KEY.PATH: what is wrong", unknown keys are errors, scalars are checked for type.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "common/result.hpp"

namespace mixnet::coord::yamlx {

// The file a node came from, carried through the readers so errors can name it.
struct Source {
  std::string file;   // as shown in messages
};

[[nodiscard]] int line_of(const YAML::Node& node);   // 1-based; 0 when unknown
[[nodiscard]] std::string join(std::string_view path, std::string_view key);
[[nodiscard]] std::string index(std::string_view path, std::size_t i);

// "FILE:LINE: PATH: MESSAGE" (Errc::invalid_argument, field = PATH).
[[nodiscard]] std::unexpected<Error> error_at(const Source& src, const YAML::Node& node, const std::string& path,
                                              std::string message);
[[nodiscard]] std::unexpected<Error> error_at_line(const Source& src, int line, const std::string& path,
                                                   std::string message);

// Parses a document; syntax errors carry the line.
Result<YAML::Node> load(std::string_view text, const Source& src);
Result<std::string> read_file(const std::string& path);

Result<void> expect_map(const YAML::Node& node, const Source& src, const std::string& path);
Result<void> expect_seq(const YAML::Node& node, const Source& src, const std::string& path);
// Every key of the mapping is one of `allowed`; the error names the unknown key and the allowed ones.
Result<void> only_keys(const YAML::Node& node, const Source& src, const std::string& path,
                       std::initializer_list<std::string_view> allowed);

Result<std::string> scalar(const YAML::Node& node, const Source& src, const std::string& path);  // any scalar as text
Result<std::string> string(const YAML::Node& node, const Source& src, const std::string& path);  // non-empty
Result<std::int64_t> integer(const YAML::Node& node, const Source& src, const std::string& path);
Result<double> number(const YAML::Node& node, const Source& src, const std::string& path);
Result<bool> boolean(const YAML::Node& node, const Source& src, const std::string& path);

// YAML to JSON with typed scalars: quoted scalars stay strings; plain ones become null, bool,
// integer or float when they read as such.
nlohmann::json to_json(const YAML::Node& node);
// One plain scalar typed as to_json would ("5" -> 5, "true" -> true, "x" -> "x").
nlohmann::json typed_scalar(const std::string& text);

// A document as YAML text that reads back the same through these readers: quoted scalars stay
// quoted (string() and integer() tell "5" from 5), flow and block style as loaded, explicit tags
// kept. yaml-cpp does not keep comments, so they are lost.
std::string emit(const YAML::Node& root);

}  // namespace mixnet::coord::yamlx
