// Closed-form tile cycles (ops/mac_cost.h, ops/chip.cpp): expected numbers derived in comments.
#include "ops/mac_cost.h"

#include <catch2/catch.hpp>

using namespace ops;

namespace {
mac_array_params array64x32(dataflow f) {
    mac_array_params p;
    p.rows = 64;
    p.cols = 32;
    p.flow = f;
    return p;
}
} // namespace

TEST_CASE("mac_tile_cycles: WS folds ceil(K/R)·ceil(N/C) and each fold costs 2R+C+M-2", "[ops]") {
    // WS: S_R = K = 150 -> ceil(150/64) = 3, S_C = N = 40 -> ceil(40/32) = 2: 6 folds,
    // T = M = 100: 6 · (2·64 + 32 + 100 − 2) = 6 · 258 = 1548.
    auto c = mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{100, 150, 40, 1});
    CHECK(c.folds == 6);
    CHECK(c.cycles == 1548);
    CHECK(c.stream_cycles == 600);
    // One fold exactly at the array size: K = 64, N = 32, M = 10: 2·64 + 32 + 10 − 2 = 168.
    auto one = mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{10, 64, 32, 1});
    CHECK(one.folds == 1);
    CHECK(one.cycles == 168);
    // One more K row spills to a second fold: 2 · 168 = 336.
    CHECK(mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{10, 65, 32, 1}).cycles == 336);
    // repeat multiplies: a depthwise tile m=10, k=9, n=1, repeat=3: 3 folds of 2·64+32+10−2.
    CHECK(mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{10, 9, 1, 3}).cycles == 3 * 168);
}

TEST_CASE("mac_tile_cycles: OS maps M x N spatially and streams K", "[ops]") {
    // OS: S_R = M = 100 -> 2, S_C = N = 40 -> 2: 4 folds, T = K = 150:
    // 4 · (128 + 32 + 150 − 2) = 4 · 308 = 1232.
    auto c = mac_tile_cycles(array64x32(dataflow::os), gemm_tile{100, 150, 40, 1});
    CHECK(c.folds == 4);
    CHECK(c.cycles == 1232);
}

TEST_CASE("mac_tile_cycles: IS maps K x M spatially and streams N", "[ops]") {
    // IS: S_R = K = 150 -> 3, S_C = M = 100 -> ceil(100/32) = 4: 12 folds, T = N = 40:
    // 12 · (128 + 32 + 40 − 2) = 12 · 198 = 2376.
    auto c = mac_tile_cycles(array64x32(dataflow::is), gemm_tile{100, 150, 40, 1});
    CHECK(c.folds == 12);
    CHECK(c.cycles == 2376);
}

TEST_CASE("vector_tile_cycles: ceil(elements·cost/lanes) plus the pipeline latency", "[ops]") {
    vector_unit_params p; // 64 lanes, 8 pipeline cycles, add 1, sigmoid 4
    CHECK(vector_tile_cycles(p, {vec_fn::add, 64}) == 1 + 8);        // exactly one vector
    CHECK(vector_tile_cycles(p, {vec_fn::add, 65}) == 2 + 8);        // one element more: 2 cycles
    CHECK(vector_tile_cycles(p, {vec_fn::add, 1000}) == 16 + 8);     // ceil(1000/64) = 16
    CHECK(vector_tile_cycles(p, {vec_fn::sigmoid, 1000}) == 63 + 8); // ceil(4000/64) = 63
    CHECK(vector_tile_cycles(p, {vec_fn::copy, 128}) == 1 + 8);      // 128·0.5/64 = 1
    CHECK(vector_tile_cycles(p, {vec_fn::add, 0}) == 0);
}
