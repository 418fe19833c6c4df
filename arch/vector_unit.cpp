#include "arch/vector_unit.h"

#include "ops/mac_cost.h"

namespace arch {

vector_unit::vector_unit(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                         const ops::vector_unit_params &p, sram &local, op_ledger &ledger)
    : sim::block(name, clk), m_p(p), m_local(local), m_ledger(ledger) {}

void vector_unit::execute(const ops::command &c) {
    const std::uint64_t t0 = now_ps();
    const std::uint64_t cycles = ops::vector_tile_cycles(m_p, c.vec);
    std::uint64_t conflict = m_local.access_all(t0, c.reads, false, c.op);
    wait(ps(conflict + cycles * m_clk.period_ps()));
    if (!c.writes.empty()) {
        const std::uint64_t wc = m_local.access_all(now_ps(), c.writes, true, c.op);
        if (wc)
            wait(ps(wc));
        conflict += wc;
    }
    m_stats.busy_cycles += cycles;
    m_stats.tiles += 1;
    m_stats.ops += c.vec.elements;
    m_stats.conflict_ps += conflict;
    auto &o = m_ledger.ops[c.op];
    o.vector_busy_cycles += cycles;
    o.vector_ops += c.vec.elements;
    o.vector_work += double(c.vec.elements) * ops::vector_fn_cost(m_p.cost, c.vec.fn);
    m_ledger.ps[c.op].stall_bank_conflict += conflict;
}

} // namespace arch
