#include "arch/vector_unit.h"

#include "ops/mac_cost.h"

namespace arch {

vector_unit::vector_unit(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                         const ops::vector_unit_params &p, sram &local, op_ledger &ledger)
    : sim::block(name, clk), m_p(p), m_local(local), m_ledger(ledger) {}

vector_unit::executed vector_unit::execute(const ops::command &c) {
    const std::uint64_t t0 = now_ps();
    const std::uint64_t cycles = ops::vector_tile_cycles(m_p, c.vec);
    executed e;
    e.busy_ps = cycles * m_clk.period_ps();
    e.read_conflict = m_local.access_all(t0, c.reads, false, c.op);
    wait(ps(e.read_conflict + e.busy_ps));
    if (!c.writes.empty()) {
        e.write_conflict = m_local.access_all(now_ps(), c.writes, true, c.op);
        if (e.write_conflict)
            wait(ps(e.write_conflict));
    }
    const std::uint64_t conflict = e.read_conflict + e.write_conflict;
    m_stats.busy_cycles += cycles;
    m_stats.tiles += 1;
    m_stats.ops += c.vec.elements;
    m_stats.conflict_ps += conflict;
    auto &o = m_ledger.ops[c.op];
    o.vector_busy_cycles += cycles;
    o.vector_ops += c.vec.elements;
    o.vector_work += double(c.vec.elements) * ops::vector_fn_cost(m_p.cost, c.vec.fn);
    return e;
}

} // namespace arch
