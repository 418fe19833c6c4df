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

// ---- scalesim: SCALE-Sim v2's stall-free formulas (every fold paid whole) ----

mac_array_params scalesim(dataflow f) {
    mac_array_params p = array64x32(f);
    p.timing = mac_timing::scalesim;
    return p;
}

TEST_CASE("mac_tile_cycles scalesim: WS folds ceil(K/R)·ceil(N/C), each 2R+C+M-2", "[ops]") {
    // WS: S_R = K = 150 -> ceil(150/64) = 3, S_C = N = 40 -> ceil(40/32) = 2: 6 folds,
    // T = M = 100: 6 · (2·64 + 32 + 100 − 2) = 6 · 258 = 1548.
    auto c = mac_tile_cycles(scalesim(dataflow::ws), gemm_tile{100, 150, 40, 1});
    CHECK(c.folds == 6);
    CHECK(c.cycles == 1548);
    CHECK(c.stream_cycles == 600);
    // One fold exactly at the array size: K = 64, N = 32, M = 10: 2·64 + 32 + 10 − 2 = 168.
    auto one = mac_tile_cycles(scalesim(dataflow::ws), gemm_tile{10, 64, 32, 1});
    CHECK(one.folds == 1);
    CHECK(one.cycles == 168);
    // One more K row spills to a second fold: 2 · 168 = 336.
    CHECK(mac_tile_cycles(scalesim(dataflow::ws), gemm_tile{10, 65, 32, 1}).cycles == 336);
    // repeat multiplies: a depthwise tile m=10, k=9, n=1, repeat=3: 3 folds of 2·64+32+10−2.
    CHECK(mac_tile_cycles(scalesim(dataflow::ws), gemm_tile{10, 9, 1, 3}).cycles == 3 * 168);
    // taps: a per-tap 3x3 conv of C = 3 channels is 9 folds of k = 3 (im2col: 1 fold of 27).
    CHECK(mac_tile_cycles(scalesim(dataflow::ws), gemm_tile{10, 3, 32, 1, 9}).cycles == 9 * 168);
    CHECK(mac_tile_cycles(scalesim(dataflow::ws), gemm_tile{10, 27, 32, 1, 1}).cycles == 168);
}

TEST_CASE("mac_tile_cycles scalesim: OS maps M x N, streams K, R+C+K-2 per fold", "[ops]") {
    // OS has nothing to preload (SCALE-Sim systolic_compute_os: T + C − 1 demand rows skewed
    // over R columns): S_R = M = 100 -> 2, S_C = N = 40 -> 2: 4 folds, T = K = 150:
    // 4 · (64 + 32 + 150 − 2) = 4 · 244 = 976.
    auto c = mac_tile_cycles(scalesim(dataflow::os), gemm_tile{100, 150, 40, 1});
    CHECK(c.folds == 4);
    CHECK(c.cycles == 976);
    // One fold: M = 64, N = 32, K = 10: 64 + 32 + 10 − 2 = 104; M = 65 needs two.
    CHECK(mac_tile_cycles(scalesim(dataflow::os), gemm_tile{64, 10, 32, 1}).cycles == 104);
    CHECK(mac_tile_cycles(scalesim(dataflow::os), gemm_tile{65, 10, 32, 1}).cycles == 208);
}

TEST_CASE("mac_tile_cycles scalesim: IS maps K x M, streams N, 2R+C+N-2 per fold", "[ops]") {
    // IS: S_R = K = 150 -> 3, S_C = M = 100 -> ceil(100/32) = 4: 12 folds, T = N = 40:
    // 12 · (128 + 32 + 40 − 2) = 12 · 198 = 2376.
    auto c = mac_tile_cycles(scalesim(dataflow::is), gemm_tile{100, 150, 40, 1});
    CHECK(c.folds == 12);
    CHECK(c.cycles == 2376);
}

// ---- pipelined (default): double-buffered stationary operand, skew once per run ----
// Reference array 64 x 32, systolic-shift preload (a fold using r rows loads in r cycles),
// accumulator 128 KiB = 1024 rows of 32 INT32 partial sums. Skew tail R + C − 2 = 94.

TEST_CASE("mac_tile_cycles pipelined: one fold equals SCALE-Sim's 2R+C+T-2", "[ops]") {
    // S_0 = 64 (preload), stream T = 100, tail 94: 64 + 100 + 94 = 258 = 2·64 + 32 + 100 − 2.
    auto c = mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{100, 64, 32, 1});
    CHECK(c.folds == 1);
    CHECK(c.cycles == 258);
    CHECK(c.cycles == mac_tile_cycles(scalesim(dataflow::ws), gemm_tile{100, 64, 32, 1}).cycles);
}

TEST_CASE("mac_tile_cycles pipelined: two back-to-back folds pay the skew once", "[ops]") {
    // K = 128: 2 folds. Fold 1's preload (64) hides under fold 0's stream (100):
    // 64 + max(100, 64) + 100 + 94 = 358 (SCALE-Sim: 2 · 258 = 516).
    auto c = mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{100, 128, 32, 1});
    CHECK(c.folds == 2);
    CHECK(c.cycles == 358);
    // T = 16 < R: fold 1 waits for its preload: 64 + max(16, 64) + 16 + 94 = 238.
    CHECK(mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{16, 128, 32, 1}).cycles == 238);
    // At T = R the step is exactly R either way: 64 + 64 + 64 + 94 = 286; T = R + 1: 288.
    CHECK(mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{64, 128, 32, 1}).cycles == 286);
    CHECK(mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{65, 128, 32, 1}).cycles == 288);
}

TEST_CASE("mac_tile_cycles pipelined: a GEMV is bound by preloading weights", "[ops]") {
    // M = 1, K = N = 768: 12 · 24 = 288 folds, each preloads 64 rows and streams 1:
    // 64 + 287 · max(1, 64) + 1 + 94 = 18,527 ≈ 288 · 64 (SCALE-Sim: 288 · 159 = 45,792).
    auto c = mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{1, 768, 768, 1});
    CHECK(c.folds == 288);
    CHECK(c.cycles == 18527);
    CHECK(c.cycles >= 288 * 64);
}

TEST_CASE("mac_tile_cycles pipelined: partial folds preload only the rows they use", "[ops]") {
    // K = 150 -> row folds of 64, 64, 22 rows; N = 40 -> column folds of 32, 8. Order: for each
    // column fold, the three row folds. T = 100 >= every preload: stream = 6 · 100;
    // 64 + 600 + 94 = 758.
    CHECK(mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{100, 150, 40, 1}).cycles == 758);
    // T = 30: steps max(30, S_next) with S_next = 64, 22, 64, 64, 22, then the last T 30:
    // 64 + 30 + 64 + 64 + 30 + 30 = 282; 64 + 282 + 94 = 440.
    CHECK(mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{30, 150, 40, 1}).cycles == 440);
}

TEST_CASE("mac_tile_cycles pipelined: the accumulator bounds the rows a fold streams", "[ops]") {
    auto p = array64x32(dataflow::ws);
    // Default 128 KiB: 1024 rows. M = 2048, K = 128: 2 chunks x 2 folds, every T = 1024:
    // 64 + 4 · 1024 + 94 = 4254, 4 folds (2 without the accumulator bound).
    auto c = mac_tile_cycles(p, gemm_tile{2048, 128, 32, 1});
    CHECK(c.folds == 4);
    CHECK(c.cycles == 4254);
    // 1 KiB: 1024 / (32 · 4) = 8 rows. M = 100: 12 chunks of 8 and one of 4, 2 folds each:
    // every step is preload-bound at 64 except the last stream (4): 64 + 25 · 64 + 4 + 94 = 1762.
    p.accumulator_kib = 1;
    auto d = mac_tile_cycles(p, gemm_tile{100, 128, 32, 1});
    CHECK(d.folds == 26);
    CHECK(d.cycles == 1762);
}

TEST_CASE("mac_tile_cycles pipelined: OS drains outputs under the next stream", "[ops]") {
    // S_R = M = 100 -> 64 + 36, S_C = N = 40 -> 32 + 8: 4 folds, T = K = 150 > any drain:
    // 4 · 150 + 94 = 694 (SCALE-Sim: 976). One fold: 150 + 94 = 244 = SCALE-Sim's.
    CHECK(mac_tile_cycles(array64x32(dataflow::os), gemm_tile{100, 150, 40, 1}).cycles == 694);
    CHECK(mac_tile_cycles(array64x32(dataflow::os), gemm_tile{64, 150, 32, 1}).cycles == 244);
    // T = K = 16 < drains: folds drain 64, 36, 64, 36 rows; steps max(16, S_i) = 64, 36, 64
    // for folds 0..2, then the last stream 16: 180 + 94 = 274. The last fold's drain (36 rows)
    // outlasts its stream by 20 cycles before the array can take another stream.
    auto c = mac_tile_cycles(array64x32(dataflow::os), gemm_tile{100, 16, 40, 1});
    CHECK(c.cycles == 274);
    CHECK(c.last_hold == 20);
}

TEST_CASE("mac_tile_cycles pipelined: IS preloads inputs and streams N", "[ops]") {
    // S_R = K = 150 -> 64, 64, 22; S_C = M = 100 -> 32, 32, 32, 4; T = N = 40. 12 folds; steps
    // max(40, S_next): per column fold the next preloads are 64, 22 (then 64 for the next
    // column fold): (64 + 40 + 64) · 3 + 64 + 40 = 608; + last 40 = 648; 64 + 648 + 94 = 806.
    CHECK(mac_tile_cycles(array64x32(dataflow::is), gemm_tile{100, 150, 40, 1}).cycles == 806);
    // One fold (K = 64, M = 32, T = N = 40): 64 + 40 + 94 = 198 = SCALE-Sim's 2R + C + T − 2.
    CHECK(mac_tile_cycles(array64x32(dataflow::is), gemm_tile{32, 64, 40, 1}).cycles == 198);
    // Two folds back to back (K = 128): 64 + max(40, 64) + 40 + 94 = 262 (SCALE-Sim: 396).
    CHECK(mac_tile_cycles(array64x32(dataflow::is), gemm_tile{32, 128, 40, 1}).cycles == 262);
}

TEST_CASE("mac_tile_cycles: without double buffering every fold loads, streams, drains", "[ops]") {
    auto p = array64x32(dataflow::ws);
    p.double_buffer = false;
    // Σ (S_i + T + 94): S = 64, 64, 22 per column fold, 2 column folds: 300 + 6 · 194 = 1464.
    CHECK(mac_tile_cycles(p, gemm_tile{100, 150, 40, 1}).cycles == 1464);
    // A full fold: 64 + 100 + 94 = 258 per fold, as SCALE-Sim.
    CHECK(mac_tile_cycles(p, gemm_tile{100, 128, 32, 1}).cycles == 2 * 258);
}

TEST_CASE("mac_tile_cycles: a preload port loads a fold in bytes / port cycles", "[ops]") {
    auto p = array64x32(dataflow::ws);
    p.preload_bytes_per_cycle = 256;
    // A full fold is 64 · 32 = 2048 INT8 weights: 8 cycles. M = 16, K = 128:
    // 8 + max(16, 8) + 16 + 94 = 134 (shift preload: 238).
    CHECK(mac_tile_cycles(p, gemm_tile{16, 128, 32, 1}).cycles == 134);
}

TEST_CASE("mac_pipeline: back-to-back tiles continue the pipeline, a bubble restarts it", "[ops]") {
    const auto c = mac_tile_cycles(array64x32(dataflow::ws), gemm_tile{100, 64, 32, 1}); // 258
    mac_pipeline p;
    // Tile A ready at 0: preload 0..64, stream 64..164, done 258; the array takes the next
    // stream at 164 and its shadow registers are free at 64 (A's fold started streaming).
    auto a = p.issue(c, 0, 1);
    CHECK(a.stream_start == 64);
    CHECK(a.accept == 64); // B's preload may start once A's last fold streams
    CHECK(a.free == 164);
    CHECK(a.done == 258);
    // Tile B ready at 0: preload 64..128 under A's stream, streams 164..264, done 358 — the
    // same as one tile of two folds (358), and mac_run_cycles says so.
    auto b = p.issue(c, 0, 1);
    CHECK(b.stream_start == 164);
    CHECK(b.done == 358);
    CHECK(mac_run_cycles(c, 2) == 358);
    CHECK(a.busy_add + b.busy_add == 358);
    // Tile C ready at 500 (a bubble: the array drained at 358): it pays its preload and skew
    // again, 500 + 258 = 758, and the busy time is the union of the intervals.
    auto d = p.issue(c, 500, 1);
    CHECK(d.done == 758);
    CHECK(d.busy_add == 258);
    // Period 1000 (ps per cycle): the same schedule in ps.
    mac_pipeline q;
    CHECK(q.issue(c, 0, 1000).done == 258000);
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
