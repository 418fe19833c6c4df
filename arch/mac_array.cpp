#include "arch/mac_array.h"

#include <algorithm>

namespace arch {

mac_array::mac_array(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                     const ops::mac_array_params &p, sram &local, op_ledger &ledger)
    : sim::block(name, clk), m_p(p), m_local(local), m_ledger(ledger) {}

mac_array::issued mac_array::issue(const ops::command &c) {
    const std::uint64_t t0 = now_ps();
    const ops::mac_tile_cost cost = ops::mac_tile_cycles(m_p, c.gemm);
    const std::uint64_t idle_from = std::max(t0, m_pipe.busy_until);
    // Operands: a conflict delays the moment the tile's operands are available.
    const std::uint64_t conflict = m_local.access_all(t0, c.reads, false, c.op);
    const auto r = m_pipe.issue(cost, t0 + conflict, m_clk.period_ps());
    if (r.accept > t0)
        wait(ps(r.accept - t0));
    m_stats.busy_ps += r.busy_add;
    m_stats.tiles += 1;
    m_stats.macs += c.gemm.macs();
    m_stats.conflict_ps += conflict;
    auto &o = m_ledger.ops[c.op];
    o.macs += c.gemm.macs();
    o.mac_slot_cycles += cost.slot_cycles;
    m_ledger.ps[c.op].mac_busy += r.busy_add;
    issued out;
    out.done_ps = r.done;
    out.busy_add_ps = r.busy_add;
    // Only the part of the conflict while the array had nothing else to do stalls it.
    out.conflict_from_ps = idle_from;
    out.conflict_to_ps = std::max(idle_from, t0 + conflict);
    return out;
}

std::uint64_t mac_array::finish(const ops::command &c) {
    if (c.writes.empty())
        return 0;
    // Results are written when they leave the array, in kernel-time order with the other users
    // of the banks.
    // The conflict delays the tile's completion, not the array (it streams the next tile).
    const std::uint64_t wc = m_local.access_all(now_ps(), c.writes, true, c.op);
    m_stats.conflict_ps += wc;
    return wc;
}

} // namespace arch
