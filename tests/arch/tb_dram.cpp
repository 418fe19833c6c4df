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
