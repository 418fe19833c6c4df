// Testbench of the whole chip: DRAM contention between cores, attribution of statistics to
// operator ids, peer (core-to-core) transfers, block naming, and temporal-decoupling stability.
// 1 GHz; DRAM peak 4 · 8532 MB/s = 34.128 B/cycle.
#include "sim/errors.h"
#include "tb_common.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <utility>

namespace {
const arch::block_stats &block(const arch::run_stats &r, const std::string &name) {
    auto it = std::find_if(r.blocks.begin(), r.blocks.end(),
                           [&](const arch::block_stats &b) { return b.name == name; });
    REQUIRE(it != r.blocks.end());
    return *it;
}
} // namespace

TEST_CASE("chip: two cores streaming from DRAM at once each get about half the bandwidth") {
    // Each core loads 512 KiB (op 0 on core0, op 1 on core1) from its own region. Alone, one
    // load would take 524288 / 34.128 ≈ 15 362 cycles; together they share the DRAM, so both
    // finish after ≈ 1 MiB / 34.128 ≈ 30 725 cycles at ≈ 17.06 B/cycle each.
    // core1's region starts 4 banks away from core0's (32 KiB = 4 rows · 2 KiB · 4 channels):
    // two lock-step streams in one bank would ping-pong its row buffer (the in-order controller
    // has no FR-FCFS reordering), which the next test case shows.
    const std::uint64_t bytes = 512 * 1024;
    auto r = arch::simulate(tb::chip(2),
                            tb::program(2, {{tb::load(0, 0, bytes, 0)},
                                            {tb::load(1, (1ull << 30) + 32768, bytes, 0)}}));
    const double peak = tb::chip().dram_peak_bytes_per_cycle();
    for (int op = 0; op < 2; ++op) {
        const auto &o = r.ops[op];
        const double per_core = double(bytes) / double(o.end_cycle - o.start_cycle);
        INFO("op " << op << " " << per_core << " B/cycle");
        CHECK(per_core == Approx(peak / 2).epsilon(0.05));
        CHECK(o.dram_bytes_read == bytes);
        CHECK(o.dram_bytes_written == 0);
        CHECK(o.start_cycle == 2);
    }
    CHECK(double(2 * bytes) / double(r.cycles) == Approx(peak).epsilon(0.01));
    CHECK(double(2 * bytes) / double(r.cycles) <= peak);
}

TEST_CASE("chip: two streams in the same DRAM banks thrash the row buffers") {
    // Same as above but both regions start in bank 0 (1 GiB apart = another row of the same
    // banks): nearly every access is a row miss (tRP + tRCD + tCL) and throughput drops well
    // below the peak.
    // In order (pinned: the default scheduler may change; fr_fcfs is the next test case).
    auto chip = tb::chip(2);
    chip.dram.scheduler = ops::dram_scheduler::in_order;
    const std::uint64_t bytes = 512 * 1024;
    auto r = arch::simulate(
        chip, tb::program(2, {{tb::load(0, 0, bytes, 0)}, {tb::load(1, 1ull << 30, bytes, 0)}}));
    const auto misses = r.ops[0].dram_row_misses + r.ops[1].dram_row_misses;
    const auto hits = r.ops[0].dram_row_hits + r.ops[1].dram_row_hits;
    INFO(hits << " hits, " << misses << " misses, " << double(2 * bytes) / double(r.cycles)
              << " B/cycle");
    CHECK(misses > 4 * hits);
    CHECK(double(2 * bytes) / double(r.cycles) < 0.75 * tb::chip().dram_peak_bytes_per_cycle());
}

TEST_CASE("chip: op statistics are attributed to the op ids of the commands") {
    // Two cores, three ops: 0 = loads, 1 = GEMMs depending on them, 2 = stores after them.
    auto core = [](std::uint64_t base) {
        ops::command g = tb::gemm(1, 100, 150, 40, {0});
        g.reads = {{0, 8192}};
        g.writes = {{65536, 4000}};
        return std::vector<ops::command>{tb::load(0, base, 8192, 0), g,
                                         tb::store(2, base + (1 << 20), 4000, 65536, {1})};
    };
    auto r = arch::simulate(tb::chip(2), tb::program(3, {core(0), core(1ull << 28)}));
    const auto &l = r.ops[0], &g = r.ops[1], &s = r.ops[2];
    CHECK(l.dram_bytes_read == 2 * 8192);
    CHECK(l.dram_bytes_written == 0);
    CHECK(l.sram_bytes_written == 2 * 8192);
    CHECK(l.noc_bytes == 2 * 8192);
    CHECK(l.macs == 0);
    CHECK(l.dma_busy_cycles > 0);
    CHECK(g.macs == 2 * 100 * 150 * 40);
    CHECK(g.mac_busy_cycles == 2 * 1548);
    CHECK(g.sram_bytes_read == 2 * 8192);
    CHECK(g.sram_bytes_written == 2 * 4000);
    CHECK(g.dram_bytes_read + g.dram_bytes_written == 0);
    CHECK(g.dma_busy_cycles == 0);
    // Each GEMM waits for its core's load. The op's span starts with the earlier GEMM (2 issue
    // cycles after the earlier load); the later core's GEMM is ready when the later load ends
    // (l.end_cycle): inside the span it stalled l.end_cycle − g.start_cycle cycles on DMA, and
    // the earlier core's wait preceded the span.
    CHECK(std::abs(std::int64_t(g.stall_dma) -
                   (std::int64_t(l.end_cycle) - std::int64_t(g.start_cycle))) <= 1);
    CHECK(g.stall_dma > 0);
    CHECK(g.stall_dependency + g.stall_vector == 0);
    CHECK(g.end_cycle == l.end_cycle + 2 + 1548);
    CHECK(s.dram_bytes_written == 2 * 4000);
    CHECK(s.dram_bytes_read == 0);
    CHECK(s.sram_bytes_read == 2 * 4000);
    CHECK(s.start_cycle >= g.start_cycle + 1548);
    CHECK(r.cycles == s.end_cycle);
    CHECK(l.dram_row_hits + l.dram_row_misses > 0);
    CHECK(l.dram_busy_cycles > 0);
    CHECK(l.stall_dma + l.stall_bank_conflict == 0); // stalls are charged to compute only
}

TEST_CASE("chip: a peer load moves bytes core to core without touching DRAM") {
    // core1 loads 4 KiB from core0's scratchpad (far_space = peer_sram, far_core = 0).
    ops::command c = tb::load(0, 0, 4096, 0);
    c.far_space = ops::mem_space::peer_sram;
    c.far_core = 0;
    auto r = arch::simulate(tb::chip(2), tb::program(1, {{}, {c}}));
    CHECK(r.ops[0].peer_bytes == 4096);
    CHECK(r.ops[0].noc_bytes == 4096);
    CHECK(r.ops[0].dram_bytes_read == 0);
    CHECK(r.ops[0].sram_bytes_read == 4096);    // core0's scratchpad
    CHECK(r.ops[0].sram_bytes_written == 4096); // core1's scratchpad
    CHECK(block(r, "core0.scratchpad").bytes == 4096);
    CHECK(block(r, "core1.scratchpad").bytes == 4096);
    CHECK(block(r, "dram").bytes == 0);
}

TEST_CASE("chip: block entries come in a fixed order with public names") {
    auto r = arch::simulate(tb::chip(2), tb::program(1, {{tb::load(0, 0, 4096, 0)}}));
    std::vector<std::string> names;
    for (const auto &b : r.blocks)
        names.push_back(b.name);
    const std::vector<std::string> expect{"core0.controller",  "core0.dma0",
                                          "core0.dma1",        "core0.mac_array",
                                          "core0.vector_unit", "core0.scratchpad",
                                          "core1.controller",  "core1.dma0",
                                          "core1.dma1",        "core1.mac_array",
                                          "core1.vector_unit", "core1.scratchpad",
                                          "interconnect",      "dram",
                                          "dram.ch0",          "dram.ch1",
                                          "dram.ch2",          "dram.ch3"};
    CHECK(names == expect);
    CHECK(block(r, "dram").bytes == 4096);
    CHECK(block(r, "interconnect").transactions == 16);
}

namespace {
/// Four cores, each double-buffering loads/computes/stores: DMA engines of different cores
/// run ahead of each other by up to a quantum (or a burst group) on the shared interconnect
/// and DRAM.
ops::program four_core_program() {
    std::vector<std::vector<ops::command>> streams;
    for (int c = 0; c < 4; ++c) {
        std::vector<ops::command> s;
        for (std::uint32_t i = 0; i < 6; ++i) {
            const std::uint64_t in = (i % 2) * 65536ull;
            ops::command l = tb::load(0, (std::uint64_t(c) << 28) + i * 32768ull, 32768, in);
            if (i >= 2)
                l.deps = {3 * i - 6 + 1};
            ops::command g = tb::gemm(1, 100, 150, 40, {3 * i});
            g.reads = {{in, 32768}};
            s.push_back(l);
            s.push_back(g);
            s.push_back(tb::store(2, (std::uint64_t(c) << 28) + (1 << 24) + i * 8192ull, 8192,
                                  (2 + i % 2) * 65536ull, {3 * i + 1}));
        }
        streams.push_back(s);
    }
    return tb::program(3, streams);
}

/// The cycles of four_core_program with the default quantum and with half of it.
std::pair<std::uint64_t, std::uint64_t> quantum_pair(ops::chip_desc chip) {
    const auto prog = four_core_program();
    const std::uint32_t q = ops::sim_params{}.quantum_cycles;
    chip.sim.quantum_cycles = q;
    const auto a = tb::cycles_in_child(chip, prog);
    chip.sim.quantum_cycles = q / 2;
    const auto b = tb::cycles_in_child(chip, prog);
    return {a, b};
}
} // namespace

TEST_CASE("chip: halving the temporal-decoupling quantum moves the result by < 0.5 %") {
    const auto [a, b] = quantum_pair(tb::chip(4));
    INFO("default quantum: " << a << " cycles, half of it: " << b);
    CHECK(double(b) == Approx(double(a)).epsilon(0.005));
}

TEST_CASE("chip: fr_fcfs: halving the temporal-decoupling quantum moves the result by < 0.5 %") {
    // The scheduler looks at the order in which requests reach a channel, which the quantum
    // perturbs: the same bound must hold.
    auto chip = tb::chip(4);
    chip.dram.scheduler = ops::dram_scheduler::fr_fcfs;
    const auto [a, b] = quantum_pair(chip);
    INFO("default quantum: " << a << " cycles, half of it: " << b);
    CHECK(double(b) == Approx(double(a)).epsilon(0.005));
}

TEST_CASE("chip: fr_fcfs: burst groups move the result by < 1 % against one burst per call") {
    // sim.burst_group lets an engine send its next bursts in one call and synchronise once per
    // group: like a longer quantum, its bursts meet the other cores' at the interconnect and
    // DRAM up to a group ahead (16 bursts = 64 cycles of issue, four default quanta).
    // Measured: 32,656 cycles grouped, 32,830 one burst per call (-0.53 %); the bound is the
    // issue's for whole networks (1 %), twice the one for halving the quantum.
    auto chip = tb::chip(4);
    chip.dram.scheduler = ops::dram_scheduler::fr_fcfs;
    const auto prog = four_core_program();
    const auto grouped = tb::cycles_in_child(chip, prog);
    chip.sim.burst_group = 1;
    const auto single = tb::cycles_in_child(chip, prog);
    INFO("default group: " << grouped << " cycles, one burst per call: " << single);
    CHECK(double(grouped) == Approx(double(single)).epsilon(0.01));
}

TEST_CASE("chip: a barrier some core never reaches is reported, not hung") {
    // The controller queue runs barriers in stream order: core0 waits at barrier 3 for core1,
    // core1 waits at barrier 4 for core0. Nothing can progress; the kernel starves and the
    // run reports the stuck commands instead of returning partial statistics.
    auto r0 = std::vector<ops::command>{tb::barrier(0, 3), tb::barrier(0, 4, {0})};
    auto r1 = std::vector<ops::command>{tb::barrier(0, 4), tb::barrier(0, 3, {0})};
    CHECK_THROWS_AS(arch::simulate(tb::chip(2), tb::program(1, {r0, r1})), sim::input_error);
}

TEST_CASE("chip: fr_fcfs batches two streams in the same DRAM banks by row") {
    // The thrashing case above (in order: 0 hits of 4096, 16.0 B/cycle) with dram.scheduler =
    // fr_fcfs. Each stream visits a bank for 8 bursts per channel (one 2 KiB row), both
    // streams together. A visit costs 3 activations, not 16: the first burst of each stream,
    // and the second burst of the stream whose row opened first -- the DMA's bursts reach a
    // channel one by one (one every 4 cycles over 4 channels), so when its first column
    // command issues, only the other stream's burst is queued and the controller turns to that
    // row. The remaining 13 of 16 are hits: 4096 · 13/16 = 3328 (3332 measured: the first
    // visits differ). Each visit pays one exposed activation (tRP + tRCD) on the bus: about
    // 87 % of the peak.
    auto chip = tb::chip(2);
    chip.dram.scheduler = ops::dram_scheduler::fr_fcfs;
    const std::uint64_t bytes = 512 * 1024;
    auto r = arch::simulate(
        chip, tb::program(2, {{tb::load(0, 0, bytes, 0)}, {tb::load(1, 1ull << 30, bytes, 0)}}));
    const auto misses = r.ops[0].dram_row_misses + r.ops[1].dram_row_misses;
    const auto hits = r.ops[0].dram_row_hits + r.ops[1].dram_row_hits;
    const double bw = double(2 * bytes) / double(r.cycles);
    INFO(hits << " hits, " << misses << " misses, " << bw << " B/cycle");
    CHECK(hits + misses == 4096);
    CHECK(hits >= 4096 * 13 / 16);
    CHECK(hits <= 4096 * 7 / 8); // never better than one stream alone
    CHECK(bw > 0.85 * chip.dram_peak_bytes_per_cycle());
    CHECK(bw <= chip.dram_peak_bytes_per_cycle());
}
