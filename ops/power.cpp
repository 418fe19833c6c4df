#include "ops/power.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

namespace ops {

namespace {
/// 16-bit slices of all DRAM channels: a PHY is built from byte-lane macrocells, so its area and
/// idle power follow its data width.
double dram_x16_slices(const chip_desc &c) {
    return double(c.dram.channels) * double(c.dram.bus_bits) / 16.0;
}
double pes(const chip_desc &c) {
    return double(c.cores) * double(c.mac_array.rows) * double(c.mac_array.cols);
}
} // namespace

double sram_kib(const chip_desc &c) {
    return double(c.cores) *
               (double(c.scratchpad.bytes()) / 1024.0 + double(c.mac_array.accumulator_kib)) +
           double(c.interconnect.multicast_kib);
}

std::uint64_t sram_banks(const chip_desc &c) {
    return std::uint64_t(c.cores) * (std::uint64_t(c.scratchpad.banks) + 1) +
           (c.interconnect.multicast_kib ? 1 : 0);
}

namespace {
/// How much of each hardware resource the chip has: area and static power are these counts
/// times per-unit coefficients (docs/energy-area.md), so the two cannot count differently.
struct resource_counts {
    double pes, sram_kib, sram_banks, vector_lanes, dma_engines, noc_ports, dram_x16, decoders,
        image_engines;
};
resource_counts counts_of(const chip_desc &c) {
    return {pes(c),
            sram_kib(c),
            double(sram_banks(c)),
            double(c.cores) * c.vector_unit.lanes,
            double(c.cores) * c.dma.engines,
            double(c.cores),
            dram_x16_slices(c),
            double(c.video_decoder.engines),
            double(c.image_unit.engines)};
}
/// Per-unit coefficients of one quantity (mm² or W).
struct per_unit {
    double pe, sram_kib, sram_bank, vector_lane, dma_engine, noc_port, dram_x16, uncore, decoder,
        image;
};
chip_parts parts_of(const resource_counts &k, const per_unit &u) {
    chip_parts r;
    r.mac = k.pes * u.pe;
    r.sram = k.sram_kib * u.sram_kib + k.sram_banks * u.sram_bank;
    r.vector = k.vector_lanes * u.vector_lane;
    r.dma = k.dma_engines * u.dma_engine;
    r.noc = k.noc_ports * u.noc_port;
    r.dram_phy = k.dram_x16 * u.dram_x16;
    r.uncore = u.uncore;
    r.video_decoder = k.decoders * u.decoder;
    r.image_unit = k.image_engines * u.image;
    return r;
}
} // namespace

area_breakdown chip_area(const chip_desc &c) {
    const area_params &a = c.area;
    return parts_of(counts_of(c),
                    {a.mm2_per_mac, a.mm2_per_sram_kib, a.mm2_per_sram_bank, a.mm2_per_vector_lane,
                     a.mm2_per_dma_engine, a.mm2_per_noc_port, a.mm2_per_dram_phy_x16, a.mm2_uncore,
                     a.mm2_per_video_decoder, a.mm2_per_image_unit});
}

static_power chip_static_power(const chip_desc &c) {
    const leakage_params &l = c.leakage;
    // Leakage has no per-bank term (the bank periphery's leakage is in w_per_sram_kib).
    return parts_of(counts_of(c), {l.w_per_mac, l.w_per_sram_kib, 0.0, l.w_per_vector_lane,
                                   l.w_per_dma_engine, l.w_per_noc_port, l.w_per_dram_phy_x16,
                                   l.w_uncore, l.w_per_video_decoder, l.w_per_image_unit});
}

double sram_pj_per_byte(const chip_desc &c) {
    const double ratio = double(c.scratchpad.bank_bytes) / double(c.energy.sram_ref_bank_bytes);
    return c.energy.pj_per_sram_byte * std::pow(ratio, c.energy.sram_bank_exponent);
}

energy_breakdown energy_of(const chip_desc &c, const activity &a, double seconds) {
    const energy_params &e = c.energy;
    energy_breakdown r;
    // A busy array clocks all its PEs; the slots without a useful MAC (mapping losses, fill and
    // drain) pay the clock only. Counters from different sources may disagree by rounding, so
    // a negative remainder counts as none.
    const double slots = double(a.mac_busy_cycles) * c.mac_array.rows * c.mac_array.cols;
    const double idle_slots = std::max(0.0, slots - double(a.macs));
    r.mac = double(a.macs) * e.pj_per_mac + idle_slots * e.pj_per_idle_pe_cycle;
    r.vector = a.vector_work * e.pj_per_vector_op;
    r.sram = double(a.sram_bytes) * sram_pj_per_byte(c);
    r.noc = double(a.noc_bytes) * e.pj_per_noc_byte;
    r.dram = double(a.dram_bytes) * e.pj_per_dram_byte;
    r.static_ = chip_static_power(c).total() * seconds * 1e12;
    return r;
}

double seconds_of(const chip_desc &c, std::uint64_t cycles) {
    return double(cycles) / (c.clock_mhz * 1e6);
}

run_partition partition_run(const std::vector<op_span> &ops, std::uint64_t total) {
    run_partition r;
    r.static_cycles.assign(ops.size(), 0);
    if (total == 0)
        return r;
    if (ops.empty()) {
        r.idle_cycles = total;
        return r;
    }
    const std::size_t n = ops.size();
    auto end_of = [&](std::size_t k) { return std::min(ops[k].end, total); };

    // Elementary intervals between consecutive starts and ends: within one, the set of active
    // operators does not change.
    std::vector<std::uint64_t> cuts{0, total};
    for (const auto &o : ops) {
        if (o.start < total)
            cuts.push_back(o.start);
        if (o.end < total)
            cuts.push_back(o.end);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

    // Operators by (start, index), for joining and for "starts next"; by (end, index), for
    // leaving and for "ended last" (an empty span ends where it starts).
    std::vector<std::pair<std::uint64_t, std::size_t>> by_start, by_end;
    for (std::size_t k = 0; k < n; ++k) {
        by_start.push_back({ops[k].start, k});
        by_end.push_back({std::max(ops[k].start, end_of(k)), k});
    }
    std::sort(by_start.begin(), by_start.end());
    std::sort(by_end.begin(), by_end.end());

    std::set<std::size_t> active; // in program order: begin() is the earliest
    std::size_t joined = 0, left = 0, last_ended = 0;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
        const std::uint64_t a = cuts[i], b = cuts[i + 1];
        for (; left < n && by_end[left].first <= a; ++left) {
            active.erase(by_end[left].second);
            last_ended = by_end[left].second; // the largest end so far, the latest index on ties
        }
        for (; joined < n && by_start[joined].first <= a; ++joined) {
            const std::size_t k = by_start[joined].second;
            if (end_of(k) > a)
                active.insert(k);
        }
        std::size_t owner;
        if (!active.empty()) {
            owner = *active.begin();
        } else {
            // Nobody is active: the operator that starts next, at b or later; after the last
            // start, every operator has ended (none is active), so last_ended is set.
            owner = joined < n ? by_start[joined].second : last_ended;
            r.idle_cycles += b - a;
        }
        r.static_cycles[owner] += b - a;
    }
    return r;
}

} // namespace ops
