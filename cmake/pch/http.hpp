// Precompiled for the targets that serve or speak HTTP on Asio (cmake/PrecompiledHeaders.cmake):
// everything in base.hpp plus the Asio and Beast headers, the heaviest in the tree.
#pragma once
#include "base.hpp"

// <utility> is in base.hpp, ahead of Asio's awaitable headers, as Boost 1.74 on g++ 12 needs.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
