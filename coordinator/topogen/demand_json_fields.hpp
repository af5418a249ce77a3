#pragma once
// The checked reads every JSON demand-like file shares (a demand matrix, a MoE trace): numbers,
// host names, square matrices and the expert header (experts, placement, bytes_per_token). Every
// error is invalid_argument, reads "SOURCE: KEY: what is wrong" and has KEY as its field, where
// KEY is the path to the bad value ("tokens[2][5]", "layers[3].tokens[0][1]").
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "coordinator/topogen/demand_matrix.hpp"

namespace mixnet::coord::topogen {

class DemandJsonFields {
 public:
  explicit DemandJsonFields(std::string source) : source_(std::move(source)) {}

  [[nodiscard]] const std::string& source() const { return source_; }
  // The text as a JSON object; otherwise an error with `field` (the whole file's name for it:
  // "matrix", "trace") saying it is not JSON, or that `expected` was expected.
  [[nodiscard]] Result<nlohmann::json> parse_object(std::string_view text, const std::string& field, const std::string& expected) const;
  [[nodiscard]] std::unexpected<Error> error(const std::string& key, const std::string& message) const;

  // A finite number >= 0.
  [[nodiscard]] Result<double> non_negative(const nlohmann::json& value, const std::string& key) const;
  // root[key]: an array of non-empty strings.
  [[nodiscard]] Result<std::vector<std::string>> names(const nlohmann::json& root, const std::string& key) const;
  // root[key]: `n` rows of `n` non-negative numbers.
  [[nodiscard]] Result<std::vector<std::vector<double>>> square(const nlohmann::json& root, const std::string& key, std::size_t n) const;
  // The same for a value already in hand, `key` being its path for messages.
  [[nodiscard]] Result<std::vector<std::vector<double>>> square_value(const nlohmann::json& rows, const std::string& key, std::size_t n) const;
  // experts (a positive integer), placement (one host per expert) and bytes_per_token; the
  // result's tokens are left empty for the caller's matrix (or matrices).
  [[nodiscard]] Result<ExpertTokens> expert_header(const nlohmann::json& root) const;

 private:
  std::string source_;
};

}  // namespace mixnet::coord::topogen
