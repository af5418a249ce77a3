#include "coordinator/engine/registered_items.hpp"

namespace mixnet::coord {

nlohmann::json registered_item(const ItemResult& item) {
  return {{"kind", item.kind}, {"id", item.id},           {"status", item.status},
          {"message", item.message}, {"data", item.data}, {"hosts", item.hosts}};
}

void put_back_items(nlohmann::json& registered, const ItemsOfAttempts& items_of) {
  if (!registered.is_object() || registered.contains("items")) return;
  if (auto results = registered.find("results"); results != registered.end() && results->is_array()) {
    AttemptKeys all;
    for (std::size_t i = 0; i < results->size(); ++i) {
      auto& one = (*results)[i];
      if (!one.is_object() || one.contains("items")) continue;
      const AttemptKeys own{{static_cast<std::int64_t>(i), one.value("attempts", std::int64_t{0})}};
      one["items"] = items_of(own);
      all.push_back(own.front());
    }
    registered["items"] = items_of(all);
    return;
  }
  if (registered.contains("attempts")) registered["items"] = items_of({{0, registered.value("attempts", std::int64_t{0})}});
}

}  // namespace mixnet::coord
