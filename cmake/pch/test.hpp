// Precompiled for the unit and integration test binaries (cmake/PrecompiledHeaders.cmake):
// everything in base.hpp plus Catch2's single header. catch_main.cpp, which defines
// CATCH_CONFIG_MAIN before including it, is built without.
#pragma once
#include "base.hpp"

#include <catch2/catch.hpp>
