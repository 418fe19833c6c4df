#include "arch/mac_array.h"

#include "ops/mac_cost.h"

namespace arch {

mac_array::mac_array(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                     const ops::mac_array_params &p, sram &local, op_ledger &ledger)
    : sim::block(name, clk), m_p(p), m_local(local), m_ledger(ledger) {}

void mac_array::execute(const ops::command &c) {
    const std::uint64_t t0 = now_ps();
    const ops::mac_tile_cost cost = ops::mac_tile_cycles(m_p, c.gemm);
    // Operands: a conflict delays the start of the tile.
    std::uint64_t conflict = m_local.access_all(t0, c.reads, false, c.op);
    wait(ps(conflict + cost.cycles * m_clk.period_ps()));
    // Results are written at the end, in kernel-time order with the other users of the banks.
    if (!c.writes.empty()) {
        const std::uint64_t wc = m_local.access_all(now_ps(), c.writes, true, c.op);
        if (wc)
            wait(ps(wc));
        conflict += wc;
    }
    m_stats.busy_cycles += cost.cycles;
    m_stats.tiles += 1;
    m_stats.macs += c.gemm.macs();
    m_stats.conflict_ps += conflict;
    auto &o = m_ledger.ops[c.op];
    o.macs += c.gemm.macs();
    o.mac_busy_cycles += cost.cycles;
    o.mac_slot_cycles += cost.slot_cycles;
    m_ledger.ps[c.op].stall_bank_conflict += conflict;
}

} // namespace arch
