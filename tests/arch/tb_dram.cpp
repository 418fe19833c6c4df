// Testbench of arch::dram (timelines, called directly; no kernel run needed).
// Reference DRAM: LPDDR4X-4266, 16-bit channels: 4266 MT/s · 2 B = 8532 MB/s per channel, so a
// 256 B burst occupies the data bus ceil(256e6 / 8532) = ceil(30004.69) = 30005 ps.
// Controller 20 ns, tCL = tRCD = tRP = 18 ns. 1 GHz core clock.
#include "arch/dram.h"
#include "arch/op_ledger.h"
#include "ops/chip.h"

#include <catch2/catch.hpp>

namespace {
constexpr std::uint64_t burst_ps = 30005;
constexpr std::uint64_t ctrl = 20000, t_cl = 18000, t_rcd = 18000, t_rp = 18000;
} // namespace

TEST_CASE("dram: a row hit costs tCL, a miss tRP+tRCD+tCL, a closed bank tRCD+tCL") {
    sim::clock_domain clk(1000);
    ops::dram_params p;
    p.channels = 1;
    p.map = ops::bank_map::linear; // rows round-robin over banks: row 1 of bank 0 is at 16 KiB
    arch::op_ledger ledger(1);
    arch::dram d("dram", clk, p, ledger);
    // First access to bank 0: closed, ctrl + tRCD + tCL + bus = 20+18+18 ns + 30005 ps.
    CHECK(d.access(0, 0, 256, false, 0) == ctrl + t_rcd + t_cl + burst_ps); // 86005 ps
    // Same row (bytes 256..511 of row 0), idle channel at 1 µs: ctrl + tCL + bus = 68005 ps.
    const std::uint64_t t1 = 1000000;
    CHECK(d.access(t1, 256, 256, false, 0) - t1 == ctrl + t_cl + burst_ps);
    // Row 1 of bank 0 is row_bytes·banks = 16 KiB further: ctrl + tRP + tRCD + tCL + bus.
    const std::uint64_t t2 = 2000000;
    CHECK(d.access(t2, 2048 * 8, 256, false, 0) - t2 == ctrl + t_rp + t_rcd + t_cl + burst_ps);
    // The miss penalty is tRP + tRCD = 36 ns = 36 core cycles; the boundary of a row: the last
    // byte of row 1 (offset 2047) hits, the next byte (bank 1, closed) misses.
    const std::uint64_t t3 = 3000000, t4 = 4000000;
    CHECK(d.access(t3, 2048 * 8 + 2048 - 256, 256, false, 0) - t3 == ctrl + t_cl + burst_ps);
    CHECK(d.access(t4, 2048 * 8 + 2048, 256, false, 0) - t4 == ctrl + t_rcd + t_cl + burst_ps);
    CHECK(d.channel(0).hits == 2);
    CHECK(d.channel(0).misses == 3);
    CHECK(ledger.ops[0].dram_row_hits == 2);
    CHECK(ledger.ops[0].dram_bytes_read == 5 * 256);
}

TEST_CASE("dram: xor bank map: two streams 16 KiB apart use different banks, linear thrashes") {
    // Two interleaved streams whose addresses differ by row_bytes·banks = 16 KiB: with the
    // linear map both are in bank 0 (rows 0 and 1), so every alternation is a miss
    // (tRP + tRCD); with the xor map row 1's first piece is in bank 0 ^ 1 = 1, so after one
    // activation each every access is a row hit.
    sim::clock_domain clk(1000);
    for (auto map : {ops::bank_map::linear, ops::bank_map::xor_row}) {
        ops::dram_params p;
        p.channels = 1;
        p.map = map;
        arch::op_ledger ledger(1);
        arch::dram d("dram", clk, p, ledger);
        for (int i = 0; i < 8; ++i) {
            const std::uint64_t t = std::uint64_t(i) * 1000000; // idle between accesses
            d.access(t, std::uint64_t(i / 2) * 256 + (i % 2 ? 16384 : 0), 256, false, 0);
        }
        if (map == ops::bank_map::linear) {
            CHECK(d.channel(0).misses == 8); // 1 closed + 7 conflicts
            CHECK(d.channel(0).hits == 0);
        } else {
            CHECK(d.channel(0).misses == 2); // one activation per stream
            CHECK(d.channel(0).hits == 6);
        }
    }
}

TEST_CASE("dram: the simple model costs controller + tCL + bus for every access") {
    sim::clock_domain clk(1000);
    ops::dram_params p;
    p.model = ops::dram_model::simple;
    p.scheduler = ops::dram_scheduler::in_order; // writes timed like reads, not posted
    p.channels = 1;
    arch::op_ledger ledger(1);
    arch::dram d("dram", clk, p, ledger);
    CHECK(d.access(0, 0, 256, true, 0) == ctrl + t_cl + burst_ps);
    CHECK(d.access(1000000, 1 << 20, 256, true, 0) - 1000000 == ctrl + t_cl + burst_ps);
    // Back to back at once: the second waits only for the data bus.
    CHECK(d.access(2000000, 0, 256, true, 0) - 2000000 == ctrl + t_cl + burst_ps);
    CHECK(d.access(2000000, 256, 256, true, 0) - 2000000 == ctrl + t_cl + 2 * burst_ps);
    CHECK(ledger.ops[0].dram_bytes_written == 4 * 256);
    CHECK(d.channel(0).hits + d.channel(0).misses == 0);
}

TEST_CASE("dram: a sequential stream is mostly hits, a scattered one mostly misses and slower") {
    sim::clock_domain clk(1000);
    ops::dram_params p;
    arch::op_ledger ledger(2);
    arch::dram d("dram", clk, p, ledger);
    const int n = 2048;
    // Sequential 256 B bursts over 4 channels: each channel-local row (2 KiB) takes 8 bursts,
    // so 1 miss (activation) per 8 accesses: 7/8 hits.
    std::uint64_t seq_end = 0;
    for (int i = 0; i < n; ++i)
        seq_end = std::max(seq_end, d.access(0, std::uint64_t(i) * 256, 256, false, 0));
    // Scattered: a pseudo-random 256 B-aligned address in 1 GiB: new row almost every time.
    std::uint64_t x = 12345, scat_end = 0;
    const std::uint64_t t0 = 1000000000; // 1 ms later, everything idle
    for (int i = 0; i < n; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        const std::uint64_t a = ((x >> 20) % (1u << 22)) * 256;
        scat_end = std::max(scat_end, d.access(t0, (1ull << 31) + a, 256, false, 1));
    }
    const auto &s = ledger.ops[0];
    const auto &r = ledger.ops[1];
    CHECK(s.dram_row_hits == std::uint64_t(n) * 7 / 8);
    CHECK(r.dram_row_misses > std::uint64_t(n) * 9 / 10);
    CHECK(scat_end - t0 > seq_end);
}

TEST_CASE("dram: a long stream achieves the configured channel bandwidth and not more") {
    sim::clock_domain clk(1000);
    for (auto model : {ops::dram_model::banked, ops::dram_model::simple}) {
        ops::dram_params p;
        p.model = model;
        arch::op_ledger ledger(1);
        arch::dram d(model == ops::dram_model::banked ? "dram_b" : "dram_s", clk, p, ledger);
        // 4 MiB sequential, all requested at t=0: time ≈ bytes / (4 · 8532 MB/s) = 122.9 µs.
        const std::uint64_t bytes = 4u << 20;
        std::uint64_t end = 0;
        for (std::uint64_t a = 0; a < bytes; a += 256)
            end = std::max(end, d.access(0, a, 256, false, 0));
        const double peak_bytes_per_ps = p.peak_bytes_per_s() / 1e12;
        const double achieved = double(bytes) / double(end);
        CHECK(achieved <= peak_bytes_per_ps);
        CHECK(achieved >= 0.99 * peak_bytes_per_ps);
        // Every channel's bus was busy bytes/channel / 8532 MB/s (rounded up per burst).
        for (std::uint32_t c = 0; c < 4; ++c)
            CHECK(d.channel(c).busy_ps == bytes / 4 / 256 * burst_ps);
    }
}

// ---- dram.scheduler = fr_fcfs (arch/dram_scheduler.h, docs/timing-model.md) ----

namespace {

/// Two streams in bank 0 of one channel (linear map): A = row 0 (bytes 0..2047), B = row 1
/// (16 KiB = row_bytes · banks further), 8 bursts each, requested A0 B0 A1 B1 ... A7 B7 at
/// once. Returns the last completion.
std::uint64_t ping_pong(arch::dram &d, std::uint64_t at = 0) {
    std::uint64_t end = 0;
    for (int i = 0; i < 8; ++i) {
        end = std::max(end, d.access(at, std::uint64_t(i) * 256, 256, false, 0));
        end = std::max(end, d.access(at, 16384 + std::uint64_t(i) * 256, 256, false, 0));
    }
    return end;
}

/// One channel, linear bank map, no read/write turnarounds (the tests that need them set them).
ops::dram_params one_channel(ops::dram_scheduler s) {
    ops::dram_params p;
    p.channels = 1;
    p.map = ops::bank_map::linear;
    p.scheduler = s;
    p.t_wtr_ns = p.t_rtw_ns = 0;
    return p;
}

} // namespace

TEST_CASE("dram: in order, two streams in one bank miss on every access") {
    // A0 finds the bank closed: ctrl + tRCD + tCL + bus = 86 005 ps. Every later access finds
    // the other row open: its precharge may start when the previous access's data is tCL from
    // its end (bank ready = data + bus − tCL), and its data follows tRP + tRCD + tCL later,
    // i.e. bus + 36 ns after the previous data: 66 005 ps per access.
    // End = 86 005 + 15 · 66 005 = 1 076 080 ps; 16 misses.
    sim::clock_domain clk(1000);
    const auto p = one_channel(ops::dram_scheduler::in_order);
    arch::op_ledger ledger(1);
    arch::dram d("dram", clk, p, ledger);
    CHECK(ping_pong(d) == ctrl + t_rcd + t_cl + burst_ps + 15 * (burst_ps + t_rp + t_rcd));
    CHECK(d.channel(0).misses == 16);
    CHECK(d.channel(0).hits == 0);
}

TEST_CASE("dram: fr_fcfs batches two streams in one bank by row: 2 activations, not 16") {
    // The 16 requests are queued at once, so the controller serves A's row, then B's: A0
    // (closed bank: tRCD) and B0 (other row: tRP + tRCD) are the only activations, the other
    // 14 requests hit a row that is open or waiting in the window. Charged in arrival order:
    // A0 done 86 005; B0's precharge waits for A0's data (bank ready 68 005), its data 36 ns
    // after A0's: done 152 010; the 14 hits follow back to back at one bus time each:
    // 152 010 + 14 · 30 005 = 572 080 ps -- exactly what serving A0..A7 then B0..B7 takes
    // (86 005 + 7 · 30 005, then B0 36 ns after A7's data, then 7 more bus times).
    // B0 (request 1) is bypassed by requests 2..15: at most 14 younger ones, so any
    // read_queue_depth >= 14 gives this; at 13 request 14 (A7) finds A's row closed (the
    // controller had to serve B0's row by then): a third activation, A7's data 36 ns later.
    sim::clock_domain clk(1000);
    for (std::uint32_t depth : {32u, 14u, 13u}) {
        auto p = one_channel(ops::dram_scheduler::fr_fcfs);
        p.read_queue_depth = depth;
        arch::op_ledger ledger(1);
        arch::dram d("dram", clk, p, ledger);
        INFO("read_queue_depth " << depth);
        const std::uint64_t batched =
            ctrl + t_rcd + t_cl + burst_ps + (burst_ps + t_rp + t_rcd) + 14 * burst_ps; // 572 080
        if (depth >= 14) {
            CHECK(ping_pong(d) == batched);
            CHECK(d.channel(0).misses == 2);
            CHECK(d.channel(0).hits == 14);
        } else {
            CHECK(ping_pong(d) == batched + t_rp + t_rcd); // 608 080
            CHECK(d.channel(0).misses == 3);
            CHECK(d.channel(0).hits == 13);
        }
    }
}

TEST_CASE("dram: fr_fcfs bypasses a waiting row only with requests that were queued") {
    // A0 and B0 (rows 0 and 1 of bank 0) at t = 0; A0's column command issues at ctrl + tRCD
    // = 38 000 ps. A1 arriving at x reaches the controller at x + ctrl: at x = 18 000 it was
    // queued when A0's column command issued, so the row stays open for it (a hit); at
    // x = 18 001 the controller had already turned to B0's row: A1 misses.
    // Far apart (1 µs), as in the xor test above, nothing is queued: every access misses.
    sim::clock_domain clk(1000);
    for (std::uint64_t x : {18000ull, 18001ull}) {
        const auto p = one_channel(ops::dram_scheduler::fr_fcfs);
        arch::op_ledger ledger(1);
        arch::dram d("dram", clk, p, ledger); // keeps a reference to p
        d.access(0, 0, 256, false, 0);
        d.access(0, 16384, 256, false, 0);
        d.access(x, 256, 256, false, 0);
        INFO("A1 at " << x);
        CHECK(d.channel(0).hits == (x == 18000 ? 1u : 0u));
        CHECK(d.channel(0).misses == (x == 18000 ? 2u : 3u));
    }
    const auto p = one_channel(ops::dram_scheduler::fr_fcfs);
    arch::op_ledger ledger(1);
    arch::dram d("dram", clk, p, ledger);
    for (int i = 0; i < 8; ++i)
        d.access(std::uint64_t(i) * 1000000, std::uint64_t(i / 2) * 256 + (i % 2 ? 16384 : 0), 256,
                 false, 0);
    CHECK(d.channel(0).misses == 8);
}

TEST_CASE("dram: fr_fcfs: one sequential stream reaches >= 95 % of the peak, as in order") {
    // 4 MiB over 4 channels, 256 B bursts requested at once: each channel-local row is 8
    // bursts, 1 activation per row, overlapped with the previous row's transfers in another
    // bank: ≈ the peak (the in-order test above gets >= 99 %).
    sim::clock_domain clk(1000);
    ops::dram_params p;
    p.scheduler = ops::dram_scheduler::fr_fcfs;
    arch::op_ledger ledger(1);
    arch::dram d("dram", clk, p, ledger);
    const std::uint64_t bytes = 4u << 20;
    std::uint64_t end = 0;
    for (std::uint64_t a = 0; a < bytes; a += 256)
        end = std::max(end, d.access(0, a, 256, false, 0));
    const double peak_bytes_per_ps = p.peak_bytes_per_s() / 1e12;
    const double achieved = double(bytes) / double(end);
    CHECK(achieved <= peak_bytes_per_ps);
    CHECK(achieved >= 0.99 * peak_bytes_per_ps);
    CHECK(ledger.ops[0].dram_row_hits == bytes / 256 * 7 / 8);
}

namespace {

/// Reads of bank 0 row 0 and writes of bank 1 row 0 (linear map, one channel), interleaved
/// R0 W0 R1 W1 ... R7 W7, all requested at t = 0. Returns the reads' last completion.
std::uint64_t read_write(arch::dram &d) {
    std::uint64_t reads = 0;
    for (int i = 0; i < 8; ++i) {
        reads = std::max(reads, d.access(0, std::uint64_t(i) * 256, 256, false, 0));
        d.access(0, 2048 + std::uint64_t(i) * 256, 256, true, 0);
    }
    return reads;
}

constexpr std::uint64_t t_wtr = 10000, t_rtw = 4000;

ops::dram_params turnaround(ops::dram_scheduler s) {
    auto p = one_channel(s);
    p.t_wtr_ns = 10;
    p.t_rtw_ns = 4;
    return p;
}

} // namespace

TEST_CASE("dram: in order, a read-write interleaved stream pays a turnaround at every switch") {
    // Turnarounds counted: t_wtr = 10 ns (write data -> read command), t_rtw = 4 ns (read data
    // -> write data). Two banks, so after R0 and W0 (closed banks: tRCD) everything hits; the
    // bus alternates: R0 done 86 005; W0 data 4 ns after R0's: 120 010; R1's column command
    // 10 ns after W0's data, its data tCL later: done 120 010 + 10 000 + 18 000 + 30 005 =
    // 178 015; W1 done 178 015 + 4 000 + 30 005 = 212 020; each later pair + 92 010.
    // W7 = 120 010 + 7 · 92 010 = 764 080 ps = the bus's last data.
    sim::clock_domain clk(1000);
    const auto p = turnaround(ops::dram_scheduler::in_order);
    arch::op_ledger ledger(1);
    arch::dram d("dram", clk, p, ledger);
    const std::uint64_t pair = t_wtr + t_cl + burst_ps + t_rtw + burst_ps; // 92 010
    CHECK(read_write(d) == 178015 + 6 * pair);                             // R7
    // The bus's last data (W7) ends at 764 080: a read (of bank 1's open row) issues t_wtr later.
    CHECK(d.access(0, 8 * 256, 256, false, 0) == 764080 + t_wtr + t_cl + burst_ps);
    CHECK(d.channel(0).busy_ps == 17 * burst_ps);
    CHECK(d.channel(0).misses == 2);
    // Without turnarounds the same stream is back to back: 86 005 + 15 · 30 005.
    const auto p2 = one_channel(ops::dram_scheduler::in_order);
    arch::op_ledger l2(1);
    arch::dram d2("dram2", clk, p2, l2);
    read_write(d2);
    CHECK(d2.access(0, 4096, 256, false, 0) == 86005 + 16 * burst_ps);
}

TEST_CASE("dram: fr_fcfs posts writes and drains them in batches: one turnaround per batch") {
    sim::clock_domain clk(1000);
    SECTION("high watermark 4, low 0: two batches of 4 writes") {
        // Writes are acknowledged at ctrl = 20 ns while the buffer has room. The 4th write
        // (W3) fills it: the bus turns to writes after R3 (R0 86 005, R1..R3 hits: 176 020),
        // 4 ns later: W0..W3 done 210 025 .. 300 040. R4 waits t_wtr: column command at
        // 310 040, done 358 045; R5..R7 hits: 448 060. W4..W7 find the buffer full until W0..W3
        // are on the bus: acknowledged at 210 025, 240 030, 270 035, 300 040; W7 drains them
        // after R7: 452 060 + 30 005 · (1..4) -> 572 080. 3 turnarounds instead of 15.
        auto p = turnaround(ops::dram_scheduler::fr_fcfs);
        p.write_high_watermark = 4;
        p.write_low_watermark = 0;
        arch::op_ledger ledger(1);
        arch::dram d("dram", clk, p, ledger);
        std::vector<std::uint64_t> acks;
        std::uint64_t reads = 0;
        for (int i = 0; i < 8; ++i) {
            reads = std::max(reads, d.access(0, std::uint64_t(i) * 256, 256, false, 0));
            acks.push_back(d.access(0, 2048 + std::uint64_t(i) * 256, 256, true, 0));
        }
        CHECK(reads == 448060);
        CHECK(acks ==
              std::vector<std::uint64_t>{ctrl, ctrl, ctrl, ctrl, 210025, 240030, 270035, 300040});
        CHECK(d.channel(0).busy_ps == 16 * burst_ps);
        CHECK(d.channel(0).misses == 2);
        CHECK(d.channel(0).hits == 14);
        // The bus's last data ends at 572 080: a read (of bank 1's open row) issues t_wtr later.
        CHECK(d.access(0, 8 * 256, 256, false, 0) == 572080 + t_wtr + t_cl + burst_ps);
    }
    SECTION("below the high watermark: reads first, the writes drain when the channel idles") {
        // 8 writes < 32: all buffered, acknowledged at 20 ns; the reads go back to back:
        // R0 86 005, R7 86 005 + 7 · 30 005 = 296 040. A read at 1 ms finds the bus idle since
        // 296 040: the writes drained then, one turnaround (4 ns) first: W0 (bank 1 closed,
        // its activation long done) 300 040 + 30 005, W7 at 540 080.
        const auto p = turnaround(ops::dram_scheduler::fr_fcfs);
        arch::op_ledger ledger(1);
        arch::dram d("dram", clk, p, ledger);
        CHECK(read_write(d) == 86005 + 7 * burst_ps);
        CHECK(d.channel(0).busy_ps == 8 * burst_ps); // writes not on the bus yet
        CHECK(d.access(0, 2048, 256, true, 0) == ctrl);
        const std::uint64_t t = 1000000000;
        CHECK(d.access(t, 256, 256, false, 0) - t == ctrl + t_cl + burst_ps); // a row hit
        CHECK(d.channel(0).busy_ps == (8 + 9 + 1) * burst_ps);
        CHECK(ledger.ops[0].dram_bytes_written == 9 * 256);
    }
}
