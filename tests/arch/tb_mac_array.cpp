// Testbench of arch::mac_array: one compute command on a one-core chip. The tile time is
// ops::mac_tile_cycles (SCALE-Sim): folds · (2R + C + T − 2). Reference array: 64 × 32, WS
// (S_R = K, S_C = N, T = M). The controller adds 2 issue cycles before the tile starts.
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
    // same array: 2 + 258 + 2 + 516 = 778.
    auto r = arch::simulate(tb::chip(),
                            tb::program(2, {{tb::gemm(0, 100, 64, 32), tb::gemm(1, 100, 65, 32)}}));
    CHECK(r.ops[0].mac_busy_cycles == 258);
    CHECK(r.ops[1].mac_busy_cycles == 516);
    CHECK(r.ops[0].end_cycle == 260);
    CHECK(r.ops[1].start_cycle == 262);
    CHECK(r.cycles == 778);
}

TEST_CASE("mac_array: an OS tile maps M x N spatially and streams K") {
    auto chip = tb::chip();
    chip.mac_array.flow = ops::dataflow::os;
    // OS: S_R = M = 100 -> 2 folds of 64 rows, S_C = N = 40 -> 2 folds, T = K = 150:
    // 4 · (128 + 32 + 150 − 2) = 4 · 308 = 1232.
    auto r = arch::simulate(chip, tb::program(1, {{tb::gemm(0, 100, 150, 40)}}));
    CHECK(r.ops[0].mac_busy_cycles == 1232);
    CHECK(r.cycles == 1234);
}

TEST_CASE("mac_array: a bank conflict on an operand delays the start by the conflict") {
    // vec (op 0) starts at 2: relu of 6400 elements on 64 lanes = 100 + 8 pipeline = 108
    // cycles, done at 110, when it writes 64 KiB to bank 0: bank 0 busy 1024 cycles, to 1134.
    // gemm (op 1) depends on it: ready at 110 (its queue was free from 0: stall_vector = 110),
    // starts at 112 and reads 256 B of bank 0, which waits until 1134: conflict 1022 cycles,
    // then 1548 cycles of compute: ends at 112 + 1022 + 1548 = 2682.
    // Boundary: the same read in bank 1 (address 65536) does not wait.
    ops::command v = tb::vec(0, ops::vec_fn::relu, 6400);
    v.writes = {{0, 65536}};
    ops::command g = tb::gemm(1, 100, 150, 40, {0});
    g.reads = {{0, 256}};
    ops::command g2 = tb::gemm(2, 100, 150, 40, {1});
    g2.reads = {{65536, 256}}; // bank 1: free, no conflict (other side of the boundary)
    auto r = arch::simulate(tb::chip(), tb::program(3, {{v, g, g2}}));
    CHECK(r.ops[0].end_cycle == 110);
    CHECK(r.ops[1].stall_vector == 110);
    CHECK(r.ops[1].stall_bank_conflict == 1022);
    CHECK(r.ops[1].end_cycle == 112 + 1022 + 1548);
    CHECK(r.ops[2].stall_bank_conflict == 0);
    CHECK(r.ops[2].stall_dependency == 0); // its queue became free exactly when g completed
    CHECK(r.ops[2].end_cycle == 2682 + 2 + 1548);
}
