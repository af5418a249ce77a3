#pragma once
// A maximum matching of a bipartite graph that also covers every vertex of maximum degree, on
// both sides. Stage 2 of cabling discovery picks each round's circuits with it: a maximum
// matching tests as many (NIC, output) candidates as a round can, and covering the busiest
// vertices makes the largest degree fall by one every round, so a graph of largest degree D is
// used up in at most D rounds (König's edge-colouring bound; a plain maximum matching can need
// more, leaving the same busy NIC out round after round).
//
// How: augmenting paths (Kuhn) taking the left vertices busiest first give a maximum matching M1
// that covers every busiest left vertex (the sets of left vertices a matching can cover form a
// matroid, and the busiest ones together are such a set); the same from the right gives M2. In
// M1 + M2 every right vertex M2 covers and M1 does not starts a path of alternating edges; moving
// that path to its M2 edges keeps every left vertex covered and covers it (Mendelsohn-Dulmage),
// so the result covers what M1 covers on the left and what M2 covers on the right.
// Sizes are a switch's ports (a few hundred): O(V E) is plenty.
#include <vector>

namespace mixnet::coord::cabling {

inline constexpr int kUnmatched = -1;

// adjacency[l]: the right vertices (0 .. right_count-1, no repeats) left vertex l may take, in the
// order l prefers them. Returns each left vertex's right vertex, or kUnmatched.
[[nodiscard]] std::vector<int> busiest_first_matching(const std::vector<std::vector<int>>& adjacency, int right_count);

}  // namespace mixnet::coord::cabling
