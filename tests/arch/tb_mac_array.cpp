// Testbench of arch::mac_array on a one-core chip, under both timing models. Reference array:
// 64 × 32, WS (S_R = K, S_C = N, T = M). The controller issues a command 2 cycles after its
// last dependency completed (a command without deps: at cycle 2), overlapping its queue's
// previous command.
// scalesim (tb::chip()): a tile takes folds · (2R + C + T − 2) and the array is busy until done.
// pipelined (tb::chip(1, true)): ops/mac_cost.h — a fold preloads r rows (hidden under the
// previous fold's stream when double-buffered), streams T, and the skew R + C − 2 = 94 follows
// the last stream; the array takes the next command when the last fold starts streaming.
#include "tb_common.h"

#include <catch2/catch.hpp>

TEST_CASE("mac_array: a multi-fold WS tile takes folds·(2R+C+M−2) cycles") {
    // M=100, K=150, N=40: folds = ceil(150/64)·ceil(40/32) = 3·2 = 6,
    // cycles = 6·(2·64 + 32 + 100 − 2) = 6·258 = 1548.
    auto r = arch::simulate(tb::chip(), tb::program(1, {{tb::gemm(0, 100, 150, 40)}}));
    CHECK(r.ops[0].mac_busy_cycles == 1548);
    CHECK(r.ops[0].start_cycle == 2);
    CHECK(r.ops[0].end_cycle == 2 + 1548);
    CHECK(r.cycles == 1550);
    CHECK(r.ops[0].macs == 100 * 150 * 40);
    CHECK(r.ops[0].mac_slot_cycles == 6ull * 100 * 64 * 32); // folds · T · R · C
}

TEST_CASE("mac_array: a 1-fold WS tile takes 2R+C+M−2 cycles, one more K row adds a fold") {
    // K=64, N=32 fills the array exactly: 1 fold, 2·64 + 32 + 100 − 2 = 258 cycles;
    // then K=65 (boundary) needs ceil(65/64) = 2 folds = 516 cycles, run back to back on the
    // same array (issued while the first ran: no second issue latency): 2 + 258 + 516 = 776.
    auto r = arch::simulate(tb::chip(),
                            tb::program(2, {{tb::gemm(0, 100, 64, 32), tb::gemm(1, 100, 65, 32)}}));
    CHECK(r.ops[0].mac_busy_cycles == 258);
    CHECK(r.ops[1].mac_busy_cycles == 516);
    CHECK(r.ops[0].end_cycle == 260);
    CHECK(r.ops[1].start_cycle == 260);
    CHECK(r.cycles == 776);
}

TEST_CASE("mac_array: an OS tile maps M x N spatially and streams K") {
    auto chip = tb::chip();
    chip.mac_array.flow = ops::dataflow::os;
    // OS (SCALE-Sim: no preload): S_R = M = 100 -> 2 folds of 64 rows, S_C = N = 40 -> 2 folds,
    // T = K = 150: 4 · (64 + 32 + 150 − 2) = 4 · 244 = 976.
    auto r = arch::simulate(chip, tb::program(1, {{tb::gemm(0, 100, 150, 40)}}));
    CHECK(r.ops[0].mac_busy_cycles == 976);
    CHECK(r.cycles == 978);
}

TEST_CASE("mac_array pipelined: one fold costs 2R+C+T−2, as SCALE-Sim") {
    // Issued at 2: preload 2..66, stream 66..166, skew to 260.
    auto r = arch::simulate(tb::chip(1, true), tb::program(1, {{tb::gemm(0, 100, 64, 32)}}));
    CHECK(r.ops[0].mac_busy_cycles == 258);
    CHECK(r.ops[0].end_cycle == 260);
    CHECK(r.cycles == 260);
}

TEST_CASE("mac_array pipelined: back-to-back tiles overlap preload, stream and skew") {
    // A (op 0) as above. The array takes B (op 1, no deps) at 66, when A's only fold starts
    // streaming: B preloads 66..130 under A's stream, streams 166..266, done 360 = 2 + 358, the
    // cost of one two-fold tile (SCALE-Sim: 2 + 258 + 258 = 518). Busy: A 258, B only the 100
    // cycles after A's results left (the union of the intervals).
    // The same two folds as one tile (K = 128): 2 + 64 + 100 + 100 + 94 = 360 (another
    // simulation: in a child process, before this one elaborates).
    const auto one =
        tb::cycles_in_child(tb::chip(1, true), tb::program(1, {{tb::gemm(0, 100, 128, 32)}}));
    CHECK(one == 360);
    auto r = arch::simulate(tb::chip(1, true),
                            tb::program(2, {{tb::gemm(0, 100, 64, 32), tb::gemm(1, 100, 64, 32)}}));
    CHECK(r.ops[0].end_cycle == 260);
    CHECK(r.ops[1].start_cycle == 66);
    CHECK(r.ops[1].end_cycle == 360);
    CHECK(r.ops[0].mac_busy_cycles + r.ops[1].mac_busy_cycles == 358);
    CHECK(r.cycles == 360);
}

TEST_CASE("mac_array pipelined: a bubble restarts the pipeline and pays preload and skew") {
    // v (op 0): relu of 64000 elements on 64 lanes = 1000 + 8 cycles, issued at 2, done 1010.
    // A (op 1) runs 2..260 meanwhile. B (op 2) depends on v: issued at 1012, long after A's
    // stream ended (166): preload 1012..1076, stream ..1176, skew ..1270 = 1012 + 258. B waited
    // from 260 (the array idle) to 1010, before its own span: not a stall of op 2.
    ops::command v = tb::vec(0, ops::vec_fn::relu, 64000);
    ops::command a = tb::gemm(1, 100, 64, 32);
    ops::command b = tb::gemm(2, 100, 64, 32, {0});
    auto r = arch::simulate(tb::chip(1, true), tb::program(3, {{v, a, b}}));
    CHECK(r.ops[0].end_cycle == 1010);
    CHECK(r.ops[1].end_cycle == 260);
    CHECK(r.ops[2].start_cycle == 1012);
    CHECK(r.ops[2].end_cycle == 1270);
    CHECK(r.ops[2].mac_busy_cycles == 258);
    CHECK(r.ops[2].stall_vector == 0);
}

TEST_CASE("mac_array pipelined: a tile that reads the previous tile's results waits for them") {
    // B reads what A writes (a K block accumulating onto the previous one's partial sums): B's
    // dependency on A completes at 260, B is issued at 262 and pays its whole 258: done 520.
    // (64 bytes: one bank cycle, so the scratchpad adds no conflict.)
    ops::command a = tb::gemm(0, 100, 64, 32);
    a.writes = {{0, 64}};
    ops::command b = tb::gemm(1, 100, 64, 32, {0});
    b.reads = {{0, 64}};
    auto r = arch::simulate(tb::chip(1, true), tb::program(2, {{a, b}}));
    CHECK(r.ops[0].end_cycle == 260);
    CHECK(r.ops[1].start_cycle == 262);
    CHECK(r.ops[1].end_cycle == 520);
}

TEST_CASE("mac_array pipelined: OS streams K and drains outputs under the next fold") {
    auto chip = tb::chip(1, true);
    chip.mac_array.flow = ops::dataflow::os;
    // 4 folds of T = K = 150 (drains of 64 or 36 rows hide under the streams): 600 + 94 = 694
    // (SCALE-Sim 976), issued at 2.
    auto r = arch::simulate(chip, tb::program(1, {{tb::gemm(0, 100, 150, 40)}}));
    CHECK(r.ops[0].mac_busy_cycles == 694);
    CHECK(r.cycles == 696);
}

TEST_CASE("mac_array: a bank conflict on an operand delays the start by the conflict") {
    // vec (op 0) starts at 2: relu of 6400 elements on 64 lanes = 100 + 8 pipeline = 108
    // cycles, done at 110, when it writes 64 KiB to bank 0: bank 0 busy 1024 cycles, to 1134.
    // gemm (op 1) depends on it: ready at 110 (a wait before op 1's span: not its stall),
    // starts at 112 and reads 256 B of bank 0, which waits until 1134: conflict 1022 cycles
    // inside its span, then 1548 cycles of compute: ends at 112 + 1022 + 1548 = 2682.
    // Boundary: the same read in bank 1 (address 65536) does not wait.
    ops::command v = tb::vec(0, ops::vec_fn::relu, 6400);
    v.writes = {{0, 65536}};
    ops::command g = tb::gemm(1, 100, 150, 40, {0});
    g.reads = {{0, 256}};
    ops::command g2 = tb::gemm(2, 100, 150, 40, {1});
    g2.reads = {{65536, 256}}; // bank 1: free, no conflict (other side of the boundary)
    auto r = arch::simulate(tb::chip(), tb::program(3, {{v, g, g2}}));
    CHECK(r.ops[0].end_cycle == 110);
    CHECK(r.ops[1].stall_vector == 0);
    CHECK(r.ops[1].stall_bank_conflict == 1022);
    CHECK(r.ops[1].end_cycle == 112 + 1022 + 1548);
    CHECK(r.ops[2].stall_bank_conflict == 0);
    CHECK(r.ops[2].stall_dependency == 0); // its queue became free exactly when g completed
    CHECK(r.ops[2].end_cycle == 2682 + 2 + 1548);
}
