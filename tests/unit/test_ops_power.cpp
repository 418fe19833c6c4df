// Energy, static power and area formulas (ops/power.h); expected numbers derived in comments from
// the default coefficients (docs/energy-area.md).
#include "ops/power.h"

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

using namespace ops;

namespace {
/// configs/edge.json's hardware: 1 core, 32x32 array, 32 lanes, 8 x 64 KiB banks, 1 DMA engine,
/// one x16 DRAM channel, one video decoder engine, 800 MHz; accumulators and coefficients are
/// the defaults.
chip_desc edge_chip() {
    chip_desc c;
    c.name = "edge";
    c.clock_mhz = 800;
    c.cores = 1;
    c.mac_array.rows = 32;
    c.mac_array.cols = 32;
    c.vector_unit.lanes = 32;
    c.scratchpad.banks = 8;
    c.dma.engines = 1;
    c.dram.channels = 1;
    c.video_decoder.engines = 1;
    return c;
}
} // namespace

TEST_CASE("power: the reference chip's area is 16.52 mm², part by part", "[ops][power]") {
    const auto a = chip_area(chip_desc{});
    // PEs: 4 cores · 64·32 = 8192 · 5e-4 mm² = 4.096.
    CHECK(a.mac == Approx(4.096));
    // SRAM: 4 · (1024 KiB scratchpad + 128 KiB accumulators) = 4608 KiB · 7.6e-4 = 3.50208, and
    // 4 · (16 + 1) = 68 banks · 0.02 = 1.36: 4.86208.
    CHECK(sram_kib(chip_desc{}) == Approx(4608));
    CHECK(sram_banks(chip_desc{}) == 68);
    CHECK(a.sram == Approx(4.86208));
    // Vector: 4 · 64 lanes · 0.004 = 1.024. DMA: 4 · 2 · 0.03 = 0.24. Ports: 4 · 0.05 = 0.2.
    CHECK(a.vector == Approx(1.024));
    CHECK(a.dma == Approx(0.24));
    CHECK(a.noc == Approx(0.2));
    // DRAM: 4 channels · 16/16 x16 slices · 0.8 = 3.2. Uncore: 0.5.
    CHECK(a.dram_phy == Approx(3.2));
    CHECK(a.uncore == Approx(0.5));
    // Video decoders: 3 engines · 0.8 = 2.4.
    CHECK(a.video_decoder == Approx(2.4));
    // 4.096 + 4.86208 + 1.024 + 0.24 + 0.2 + 3.2 + 0.5 + 2.4 = 16.52208.
    CHECK(a.total() == Approx(16.52208));
}

TEST_CASE("power: the reference chip's static power is 0.258 W, part by part", "[ops][power]") {
    const auto p = chip_static_power(chip_desc{});
    CHECK(p.mac == Approx(0.049152));   // 8192 PEs · 6e-6 W
    CHECK(p.sram == Approx(0.041472));  // 4608 KiB · 9e-6 W
    CHECK(p.vector == Approx(0.01536)); // 256 lanes · 6e-5 W
    CHECK(p.dma == Approx(0.0008));     // 8 engines · 1e-4 W
    CHECK(p.noc == Approx(0.0006));     // 4 ports · 1.5e-4 W
    CHECK(p.dram_phy == Approx(0.08));  // 4 x16 slices · 0.02 W
    CHECK(p.uncore == Approx(0.02));
    CHECK(p.video_decoder == Approx(0.051)); // 3 engines · 0.017 W
    // 0.049152 + 0.041472 + 0.01536 + 0.0008 + 0.0006 + 0.08 + 0.02 + 0.051 = 0.258384.
    CHECK(p.total() == Approx(0.258384));
}

TEST_CASE("power: the edge chip's area is 3.49 mm² and its static power 0.071 W", "[ops][power]") {
    const chip_desc c = edge_chip();
    const auto a = chip_area(c);
    CHECK(a.mac == Approx(0.512)); // 1024 · 5e-4
    // (512 + 128) KiB · 7.6e-4 = 0.4864, (8 + 1) banks · 0.02 = 0.18.
    CHECK(a.sram == Approx(0.6664));
    CHECK(a.vector == Approx(0.128)); // 32 · 0.004
    CHECK(a.dma == Approx(0.03));
    CHECK(a.noc == Approx(0.05));
    CHECK(a.dram_phy == Approx(0.8));
    CHECK(a.uncore == Approx(0.5));
    CHECK(a.video_decoder == Approx(0.8)); // 1 engine
    CHECK(a.total() == Approx(3.4864));
    const auto p = chip_static_power(c);
    CHECK(p.mac == Approx(0.006144));   // 1024 · 6e-6
    CHECK(p.sram == Approx(0.00576));   // 640 · 9e-6
    CHECK(p.vector == Approx(0.00192)); // 32 · 6e-5
    CHECK(p.dma == Approx(0.0001));
    CHECK(p.noc == Approx(0.00015));
    CHECK(p.dram_phy == Approx(0.02));
    CHECK(p.uncore == Approx(0.02));
    CHECK(p.video_decoder == Approx(0.017));
    CHECK(p.total() == Approx(0.071074));
}

TEST_CASE("power: area and static power strictly grow with every hardware resource",
          "[ops][power]") {
    // Each change adds one unit of one resource; the part it belongs to and the totals grow.
    using part = double area_breakdown::*;
    using wpart = double static_power::*;
    struct knob {
        std::string name;
        std::function<void(chip_desc &)> grow;
        part a;
        wpart w;
    };
    const std::vector<knob> knobs = {
        {"mac_array.rows", [](chip_desc &c) { c.mac_array.rows += 1; }, &area_breakdown::mac,
         &static_power::mac},
        {"mac_array.cols", [](chip_desc &c) { c.mac_array.cols += 1; }, &area_breakdown::mac,
         &static_power::mac},
        {"scratchpad.banks", [](chip_desc &c) { c.scratchpad.banks += 1; }, &area_breakdown::sram,
         &static_power::sram},
        {"scratchpad.bank_bytes", [](chip_desc &c) { c.scratchpad.bank_bytes += 1024; },
         &area_breakdown::sram, &static_power::sram},
        {"mac_array.accumulator_kib", [](chip_desc &c) { c.mac_array.accumulator_kib += 1; },
         &area_breakdown::sram, &static_power::sram},
        {"vector_unit.lanes", [](chip_desc &c) { c.vector_unit.lanes += 1; },
         &area_breakdown::vector, &static_power::vector},
        {"cores", [](chip_desc &c) { c.cores += 1; }, &area_breakdown::mac, &static_power::mac},
        {"dma.engines", [](chip_desc &c) { c.dma.engines += 1; }, &area_breakdown::dma,
         &static_power::dma},
        {"dram.channels", [](chip_desc &c) { c.dram.channels += 1; }, &area_breakdown::dram_phy,
         &static_power::dram_phy},
        {"dram.bus_bits", [](chip_desc &c) { c.dram.bus_bits += 16; }, &area_breakdown::dram_phy,
         &static_power::dram_phy},
        {"video_decoder.engines", [](chip_desc &c) { c.video_decoder.engines += 1; },
         &area_breakdown::video_decoder, &static_power::video_decoder},
        {"image_unit.engines", [](chip_desc &c) { c.image_unit.engines += 1; },
         &area_breakdown::image_unit, &static_power::image_unit},
        // The multicast buffer is SRAM (its KiB and its bank): from none to 1 KiB, and more.
        {"interconnect.multicast_kib", [](chip_desc &c) { c.interconnect.multicast_kib += 1; },
         &area_breakdown::sram, &static_power::sram},
        {"interconnect.multicast_kib (64 more)",
         [](chip_desc &c) { c.interconnect.multicast_kib += 65; }, &area_breakdown::sram,
         &static_power::sram},
    };
    for (const chip_desc &base : {chip_desc{}, edge_chip()}) {
        const auto a0 = chip_area(base);
        const auto p0 = chip_static_power(base);
        for (const auto &k : knobs) {
            INFO(base.name << ": " << k.name);
            chip_desc c = base;
            k.grow(c);
            const auto a1 = chip_area(c);
            const auto p1 = chip_static_power(c);
            CHECK(a1.*k.a > a0.*k.a);
            CHECK(p1.*k.w > p0.*k.w);
            CHECK(a1.total() > a0.total());
            CHECK(p1.total() > p0.total());
        }
    }
}

TEST_CASE("power: issue 9, 256x256 arrays cost 32x the PEs' area and leakage of 64x32",
          "[ops][power]") {
    chip_desc big;
    big.mac_array.rows = 256;
    big.mac_array.cols = 256;
    // 4 · 65536 PEs: 262144 · 5e-4 = 131.072 mm², · 6e-6 W = 1.572864 W; 32x the 64x32 chip's.
    CHECK(chip_area(big).mac == Approx(131.072));
    CHECK(chip_static_power(big).mac == Approx(1.572864));
    CHECK(chip_area(big).mac == Approx(32 * chip_area(chip_desc{}).mac));
    // The same work keeping the arrays busy as long costs 32x the clock of unused PEs: one busy
    // cycle with 1000 useful MACs: (65536 − 1000) · 0.02 = 1290.72 pJ vs (2048 − 1000) · 0.02.
    activity a;
    a.macs = 1000;
    a.mac_busy_cycles = 1;
    CHECK(energy_of(big, a, 0).mac == Approx(1000 * 0.1 + 64536 * 0.02));
    CHECK(energy_of(chip_desc{}, a, 0).mac == Approx(1000 * 0.1 + 1048 * 0.02));
}

TEST_CASE("power: more, smaller banks cost more area per byte and less energy per byte",
          "[ops][power]") {
    chip_desc narrow; // 32 banks of 32 KiB: the same 1 MiB per core as 16 of 64 KiB
    narrow.scratchpad.banks = 32;
    narrow.scratchpad.bank_bytes = 32 * 1024;
    // 4 cores · 16 more banks · 0.02 mm² = 1.28 mm² more; the same KiB leak the same.
    CHECK(chip_area(narrow).sram - chip_area(chip_desc{}).sram == Approx(1.28));
    CHECK(chip_static_power(narrow).sram == Approx(chip_static_power(chip_desc{}).sram));
    // Half the bank: 0.4 · 0.5^0.5 = 0.28284 pJ/B.
    CHECK(sram_pj_per_byte(narrow) == Approx(0.4 * 0.70710678));
}

TEST_CASE("power: SRAM energy per byte grows as the bank size to sram_bank_exponent",
          "[ops][power]") {
    chip_desc c;
    // At the reference bank size (64 KiB): exactly energy.pj_per_sram_byte.
    CHECK(sram_pj_per_byte(c) == Approx(0.4));
    // 4x the bank: 0.4 · 4^0.5 = 0.8; a quarter: 0.4 · 0.25^0.5 = 0.2.
    c.scratchpad.bank_bytes = 256 * 1024;
    CHECK(sram_pj_per_byte(c) == Approx(0.8));
    c.scratchpad.bank_bytes = 16 * 1024;
    CHECK(sram_pj_per_byte(c) == Approx(0.2));
    // Strictly increasing on both sides of the reference.
    double prev = 0;
    for (std::uint32_t kib : {1u, 8u, 63u, 64u, 65u, 1024u}) {
        c.scratchpad.bank_bytes = kib * 1024;
        INFO(kib << " KiB");
        CHECK(sram_pj_per_byte(c) > prev);
        prev = sram_pj_per_byte(c);
    }
    // Exponent 0: no dependence on the bank.
    c.energy.sram_bank_exponent = 0;
    CHECK(sram_pj_per_byte(c) == Approx(0.4));
}

TEST_CASE("power: energy_of charges each action its coefficient and static power over the time",
          "[ops][power]") {
    activity a;
    a.macs = 1000;
    a.vector_work = 50;
    a.sram_bytes = 2000;
    a.noc_bytes = 300;
    a.dram_bytes = 400;
    a.mac_busy_cycles = 1;
    const auto e = energy_of(chip_desc{}, a, 1e-6);
    // One busy cycle of a 64x32 array: 2048 PE slots, 1000 useful: 1000 · 0.1 + 1048 · 0.02.
    CHECK(e.mac == Approx(120.96));
    CHECK(e.vector == Approx(20));  // 50 · 0.4
    CHECK(e.sram == Approx(800));   // 2000 · 0.4 (64 KiB banks)
    CHECK(e.noc == Approx(150));    // 300 · 0.5
    CHECK(e.dram == Approx(12800)); // 400 · 32
    // 0.258384 W · 1 µs = 258384 pJ.
    CHECK(e.static_ == Approx(258384));
    CHECK(e.dynamic() == Approx(13890.96));
    CHECK(e.total() == Approx(13890.96 + 258384));
}

TEST_CASE("power: an idle chip is clock-gated and burns only leakage", "[ops][power]") {
    // No activity for 1 ms: no dynamic energy, 0.258384 W · 1e-3 s = 2.58384e8 pJ.
    const auto idle = energy_of(chip_desc{}, activity{}, 1e-3);
    CHECK(idle.dynamic() == 0);
    CHECK(idle.static_ == Approx(2.58384e8));
    // A busy array without useful MACs pays the clock of all its PEs: 10 cycles · 2048 · 0.02.
    activity busy;
    busy.mac_busy_cycles = 10;
    CHECK(energy_of(chip_desc{}, busy, 0).mac == Approx(409.6));
    // A fully used array pays nothing beyond its MACs: 10 · 2048 MACs · 0.1.
    busy.macs = 10 * 2048;
    CHECK(energy_of(chip_desc{}, busy, 0).mac == Approx(2048));
    // Counters that claim more MACs than slots do not earn energy back.
    busy.macs = 10 * 2048 + 5;
    CHECK(energy_of(chip_desc{}, busy, 0).mac == Approx((10 * 2048 + 5) * 0.1));
}

TEST_CASE("power: doubling clock_mhz halves a fixed-cycle run's static energy, keeps dynamic",
          "[ops][power]") {
    activity a;
    a.macs = 1000000;
    a.sram_bytes = 1000000;
    a.dram_bytes = 10000;
    a.mac_busy_cycles = 1000;
    const std::uint64_t cycles = 1000000;
    chip_desc slow, fast;
    fast.clock_mhz = 2 * slow.clock_mhz;
    // 1e6 cycles: 1 ms at 1000 MHz, 0.5 ms at 2000 MHz.
    CHECK(seconds_of(slow, cycles) == Approx(1e-3));
    CHECK(seconds_of(fast, cycles) == Approx(0.5e-3));
    const auto es = energy_of(slow, a, seconds_of(slow, cycles));
    const auto ef = energy_of(fast, a, seconds_of(fast, cycles));
    CHECK(es.static_ == Approx(2.58384e8));
    CHECK(ef.static_ == Approx(es.static_ / 2));
    CHECK(ef.dynamic() == Approx(es.dynamic()));
    // Dynamic power = energy / time doubles.
    CHECK(ef.dynamic() / seconds_of(fast, cycles) ==
          Approx(2 * es.dynamic() / seconds_of(slow, cycles)));
}

TEST_CASE("power: overlapping operators' static cycles add up to the run, the earlier owns",
          "[ops][power]") {
    // op1 prefetches from 80 while op0 runs to 100: [80, 100) is op0's. op0 = 100, op1 = 50 (=
    // the report's exclusive_cycles 150 − max(80, 100)), op2 = 50; no idle time.
    auto r = partition_run({{0, 100}, {80, 150}, {150, 200}}, 200);
    CHECK(r.static_cycles == std::vector<std::uint64_t>{100, 50, 50});
    CHECK(r.idle_cycles == 0);
    // An operator starting before an earlier one: each instant goes to the earliest in program
    // order that is active. op1 alone on [0, 50); both on [50, 60): op0; op0 alone on [60, 100).
    r = partition_run({{50, 100}, {0, 60}}, 100);
    CHECK(r.static_cycles == std::vector<std::uint64_t>{50, 50});
    // Spans past the run are clipped to it.
    r = partition_run({{0, 500}}, 100);
    CHECK(r.static_cycles == std::vector<std::uint64_t>{100});
}

TEST_CASE("power: idle gaps go to the operator that starts next, the tail to the last to end",
          "[ops][power]") {
    // [0, 10) -> op0 (starts next), [10, 50) op0, [50, 70) -> op1, [70, 100) op1,
    // [100, 250) op2, [250, 300) -> op2 (ended last): 50, 50, 200; idle 10 + 20 + 50 = 80.
    auto r = partition_run({{10, 50}, {70, 100}, {100, 250}}, 300);
    CHECK(r.static_cycles == std::vector<std::uint64_t>{50, 50, 200});
    CHECK(r.idle_cycles == 80);
    // A gap right before two operators that start together goes to the earlier of them.
    r = partition_run({{20, 30}, {20, 40}}, 40);
    CHECK(r.static_cycles == std::vector<std::uint64_t>{30, 10});
    CHECK(r.idle_cycles == 20);
    // An empty span owns nothing while another operator runs; without operators all is idle.
    r = partition_run({{0, 0}, {10, 20}}, 20);
    CHECK(r.static_cycles == std::vector<std::uint64_t>{0, 20});
    r = partition_run({}, 20);
    CHECK(r.static_cycles.empty());
    CHECK(r.idle_cycles == 20);
}

TEST_CASE("power: per-operator static energies add up to the run's", "[ops][power]") {
    const chip_desc c;
    const std::vector<op_span> spans = {{5, 40}, {30, 90}, {95, 96}, {96, 180}};
    const std::uint64_t total = 200;
    const auto r = partition_run(spans, total);
    double sum = 0;
    for (auto cyc : r.static_cycles)
        sum += energy_of(c, activity{}, seconds_of(c, cyc)).static_;
    CHECK(sum == Approx(energy_of(c, activity{}, seconds_of(c, total)).static_));
}
