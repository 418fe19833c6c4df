// Testbench of arch::sram: bank mapping, occupancy and conflicts of the per-bank timeline.
// Reference scratchpad: 16 banks of 64 KiB, 64 B/cycle per bank, latency 2; 1 GHz (1000 ps).
#include "arch/op_ledger.h"
#include "arch/sram.h"
#include "ops/chip.h"

#include <catch2/catch.hpp>

namespace {
constexpr std::uint64_t cyc = 1000; // ps per cycle at 1 GHz
}

TEST_CASE("sram: two accesses to one bank serialise by exactly one bank occupancy") {
    sim::clock_domain clk(1000);
    ops::scratchpad_params p;
    arch::op_ledger ledger(1);
    arch::sram s("scratchpad", clk, p, ledger);
    // A: 256 B in bank 0 at t=0: occupancy ceil(256/64) = 4 cycles, done = 0 + 4 + 2 = 6.
    auto a = s.access(0, 0, 256, false, 0);
    CHECK(a.done_ps == 6 * cyc);
    CHECK(a.conflict_ps == 0);
    // B: 256 B at 1024 (still bank 0) at t=0 waits for A's 4 cycles: start 4, done 4+4+2 = 10.
    auto b = s.access(0, 1024, 256, true, 0);
    CHECK(b.conflict_ps == 4 * cyc);
    CHECK(b.done_ps == 10 * cyc);
    // Boundary: bank 0 is busy until 8 now. Arriving at 7 waits 1 cycle; at 8 waits none.
    CHECK(s.access(7 * cyc, 0, 64, false, 0).conflict_ps == 1 * cyc); // busy until 7+1+1 = 9
    CHECK(s.access(9 * cyc, 0, 64, false, 0).conflict_ps == 0);
    CHECK(s.stat().bank_busy_cycles[0] == 4 + 4 + 1 + 1);
    CHECK(s.stat().conflict_ps == 5 * cyc);
    CHECK(ledger.ops[0].sram_bytes_read == 256 + 64 + 64);
    CHECK(ledger.ops[0].sram_bytes_written == 256);
}

TEST_CASE("sram: accesses to different banks do not serialise") {
    sim::clock_domain clk(1000);
    ops::scratchpad_params p;
    arch::op_ledger ledger(1);
    arch::sram s("scratchpad", clk, p, ledger);
    CHECK(s.access(0, 0, 256, false, 0).done_ps == 6 * cyc);
    // 65536 is bank 1 (blocked layout: bank = addr / 64 KiB % 16): no wait, done at 6 too.
    auto b = s.access(0, 65536, 256, false, 0);
    CHECK(b.conflict_ps == 0);
    CHECK(b.done_ps == 6 * cyc);
    // The layout wraps: 16·64 KiB is bank 0 again, which is busy until 4.
    CHECK(s.access(0, 16 * 65536, 64, false, 0).conflict_ps == 4 * cyc);
    // One byte below the bank boundary is bank 0 (conflict), at the boundary bank 1 (busy to 4).
    CHECK(s.access(10 * cyc, 65535, 1, false, 0).conflict_ps == 0);
    CHECK(s.bank_free_ps(0) == 11 * cyc);
    CHECK(s.bank_free_ps(1) == 4 * cyc);
}

TEST_CASE("sram: an access spanning k banks occupies each for its share") {
    sim::clock_domain clk(1000);
    ops::scratchpad_params p;
    arch::op_ledger ledger(1);
    arch::sram s("scratchpad", clk, p, ledger);
    // 64 B in bank 0 (1 cycle), 65536 B = all of bank 1 (1024 cycles), 128 B in bank 2 (2).
    // Done = start 0 + max occupancy 1024 + latency 2.
    auto r = s.access(0, 65536 - 64, 64 + 65536 + 128, true, 0);
    CHECK(r.done_ps == (1024 + 2) * cyc);
    CHECK(s.bank_free_ps(0) == 1 * cyc);
    CHECK(s.bank_free_ps(1) == 1024 * cyc);
    CHECK(s.bank_free_ps(2) == 2 * cyc);
    CHECK(s.bank_free_ps(3) == 0);
    CHECK(s.stat().bank_busy_cycles[0] == 1);
    CHECK(s.stat().bank_busy_cycles[1] == 1024);
    CHECK(s.stat().bank_busy_cycles[2] == 2);
    // A partial bank-width beat costs a whole cycle: 65 B is 2 cycles, 64 B is 1.
    CHECK(s.access(100 * cyc, 3 * 65536, 64, false, 0).done_ps == (100 + 1 + 2) * cyc);
    CHECK(s.access(200 * cyc, 3 * 65536, 65, false, 0).done_ps == (200 + 2 + 2) * cyc);
    // Starting together, the multi-bank access waits for its busiest touched bank.
    auto w = s.access(0, 65536 - 64, 128, false, 0); // banks 0 (busy to 1) and 1 (busy to 1024)
    CHECK(w.conflict_ps == 1024 * cyc);
}

TEST_CASE("sram: with two ports a write does not wait for a read of the same bank, a write does") {
    sim::clock_domain clk(1000);
    ops::scratchpad_params p;
    p.ports = 2; // 1R1W
    arch::op_ledger ledger(1);
    arch::sram s("scratchpad", clk, p, ledger);
    // A read of 640 B in bank 0 at 0 holds the read port for 10 cycles.
    CHECK(s.access(0, 0, 640, false, 0).conflict_ps == 0);
    // A write of 256 B to bank 0 at 0 uses the write port: no wait (1 port: 10 cycles).
    CHECK(s.access(0, 1024, 256, true, 0).conflict_ps == 0);
    CHECK(s.bank_free_ps(0, true) == 4 * cyc);
    CHECK(s.bank_free_ps(0, false) == 10 * cyc);
    // A second write waits for the first (4 cycles); a second read for the first read (10).
    CHECK(s.access(0, 2048, 64, true, 0).conflict_ps == 4 * cyc);
    CHECK(s.access(0, 2048, 64, false, 0).conflict_ps == 10 * cyc);
    // Busy per port: read port 10 + 1, write port 4 + 1.
    CHECK(s.stat().bank_busy_cycles[0] == 11);
    CHECK(s.stat().bank_busy_cycles[p.banks + 0] == 5);
    CHECK(s.busiest_bank_cycles() == 11);
}

TEST_CASE("sram: interleaved layout spreads an access over every bank, granule by granule") {
    sim::clock_domain clk(1000);
    ops::scratchpad_params p; // 16 banks, 64 B/cycle per bank, latency 2
    p.layout = ops::sram_layout::interleaved;
    p.interleave_bytes = 64;
    arch::op_ledger ledger(1);
    arch::sram s("scratchpad", clk, p, ledger);
    // 3 rounds of 16 x 64 B = 3072 B: 192 B per bank, 3 cycles each, done 3 + 2 = 5.
    auto a = s.access(0, 0, 3072, false, 0);
    CHECK(a.done_ps == 5 * cyc);
    for (std::uint32_t b = 0; b < 16; ++b)
        CHECK(s.bank_free_ps(b) == 3 * cyc);
    // One byte more reaches bank 0 again: 193 B there, 4 cycles (the boundary on both sides).
    arch::sram t("scratchpad2", clk, p, ledger);
    t.access(0, 0, 3073, false, 0);
    CHECK(t.bank_free_ps(0) == 4 * cyc);
    CHECK(t.bank_free_ps(1) == 3 * cyc);
    // An access starting mid-granule: 32 B at 32 (bank 0), then 64 B at 64 (bank 1).
    arch::sram u("scratchpad3", clk, p, ledger);
    u.access(0, 32, 96, false, 0);
    CHECK(u.bank_free_ps(0) == 1 * cyc);
    CHECK(u.bank_free_ps(1) == 1 * cyc);
    CHECK(u.bank_free_ps(2) == 0);
    // Blocked (the default) puts the same 3072 B in bank 0 alone: 48 cycles.
    ops::scratchpad_params q;
    arch::sram v("scratchpad4", clk, q, ledger);
    v.access(0, 0, 3072, false, 0);
    CHECK(v.bank_free_ps(0) == 48 * cyc);
    CHECK(v.bank_free_ps(1) == 0);
}
