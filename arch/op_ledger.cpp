#include "arch/op_ledger.h"

namespace arch {

std::vector<op_stats> op_ledger::finish(const sim::clock_domain &clk) const {
    const std::uint64_t per = clk.period_ps();
    auto nearest = [per](std::uint64_t v) { return (v + per / 2) / per; };
    std::vector<op_stats> out = ops;
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
        o.stall_dma = nearest(p.stall_dma);
        o.stall_bank_conflict = nearest(p.stall_bank_conflict);
        o.stall_vector = nearest(p.stall_vector);
        o.stall_dependency = nearest(p.stall_dependency);
    }
    return out;
}

} // namespace arch
