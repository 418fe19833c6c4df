#include "arch/op_ledger.h"

#include <algorithm>

namespace arch {

std::vector<op_stats> op_ledger::finish(const sim::clock_domain &clk) const {
    const std::uint64_t per = clk.period_ps();
    auto nearest = [per](std::uint64_t v) { return (v + per / 2) / per; };
    std::vector<op_stats> out = ops;
    // Stalls clipped to their op's span, per op, cause and core (ps).
    std::vector<std::uint64_t> by_cause(ops.size() * 4, 0), by_core(ops.size() * cores, 0);
    for (const auto &s : stalls) {
        const auto &p = ps[s.op];
        const std::uint64_t a = std::max(s.from, p.first_start), b = std::min(s.to, p.last_end);
        if (b <= a)
            continue;
        by_cause[std::size_t(s.op) * 4 + std::size_t(s.cause)] += b - a;
        by_core[std::size_t(s.op) * cores + s.core] += b - a;
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto &p = ps[i];
        auto &o = out[i];
        if (p.first_start <= p.last_end) {
            o.start_cycle = p.first_start / per;
            o.end_cycle = (p.last_end + per - 1) / per;
        }
        o.mac_busy_cycles = nearest(p.mac_busy);
        o.dma_busy_cycles = nearest(p.dma_busy);
        o.dram_busy_cycles = nearest(p.dram_busy);
        o.stall_dma = nearest(by_cause[i * 4 + std::size_t(stall_cause::dma)]);
        o.stall_bank_conflict = nearest(by_cause[i * 4 + std::size_t(stall_cause::bank_conflict)]);
        o.stall_vector = nearest(by_cause[i * 4 + std::size_t(stall_cause::vector)]);
        o.stall_dependency = nearest(by_cause[i * 4 + std::size_t(stall_cause::dependency)]);
        const std::uint64_t span_ps = p.first_start <= p.last_end ? p.last_end - p.first_start : 0;
        // idle is the remainder, in cycles of the reported (rounded) span
        const std::uint64_t span = o.end_cycle - o.start_cycle;
        o.per_core.resize(cores);
        for (std::uint32_t c = 0; c < cores; ++c) {
            auto &pc = o.per_core[c];
            const std::uint64_t unit = unit_busy_ps[i * cores + c],
                                stalled = by_core[i * cores + c];
            const std::uint64_t busy = std::min(unit, span_ps);
            pc.busy_cycles = nearest(busy);
            pc.stall_cycles = nearest(std::min(stalled, span_ps - busy));
            const std::uint64_t accounted = pc.busy_cycles + pc.stall_cycles;
            pc.idle_cycles = span >= accounted ? span - accounted : 0;
            pc.overflow_ps = unit + stalled > span_ps ? unit + stalled - span_ps : 0;
        }
    }
    return out;
}

} // namespace arch
