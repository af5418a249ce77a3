// Precompiled for every target (cmake/PrecompiledHeaders.cmake): the standard library parts and the
// third-party headers that nearly every translation unit pulls in through common/. Only headers
// whose meaning no macro of ours changes belong here; POSIX and kernel headers stay out (<net/if.h>
// and <linux/if.h> cannot meet in one translation unit).
#pragma once
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
