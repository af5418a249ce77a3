#pragma once
// The items lists of a step's registered result: `result.items` (a loop's under each of
// `results`, and all of them together under `items`), one entry per item of the final attempt.
// The engine builds them only for a step that reads them (`register`, `until`): what it reports
// (StepOutcome::registered) leaves them out, because every item is in the results store already
// and a run of thousands of items must not hold them twice; a reader of the store puts them back
// from its items (put_back_items), so results.json is the same either way.
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

// One entry of result.items: kind, id, status, message, data, hosts (as recorded).
nlohmann::json registered_item(const ItemResult& item);

// Whose items a list holds: (loop item, attempt) pairs, in the list's order.
using AttemptKeys = std::vector<std::pair<std::int64_t, std::int64_t>>;
// The list for those attempts: their items' entries (registered_item), attempt after attempt, each
// attempt's in the order recorded; or whatever stands for them (the report writers put a
// placeholder they fill while writing, never holding the list).
using ItemsOfAttempts = std::function<nlohmann::json(const AttemptKeys&)>;

// Adds the items lists a registered result left out (an object without "items"): a loop's
// (it has "results") from each result's loop item and "attempts", a plain step's from loop item 0
// and its "attempts". A result that has its lists (older runs) or is not an object is left alone.
void put_back_items(nlohmann::json& registered, const ItemsOfAttempts& items_of);

}  // namespace mixnet::coord
