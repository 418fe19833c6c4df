#include "arch/interconnect.h"

#include "arch/txn_ext.h"

#include <algorithm>
#include <stdexcept>

namespace arch {

interconnect::interconnect(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                           const ops::interconnect_params &p, op_ledger &ledger)
    : sim::block(name, clk), tsock("tsock"), isock("isock"), m_p(p), m_ledger(ledger),
      m_bpc(p.bytes_per_cycle) {
    tsock.register_b_transport(this, &interconnect::b_transport);
}

void interconnect::b_transport(int, tlm::tlm_generic_payload &p, sc_core::sc_time &delay) {
    const std::uint64_t now = now_ps();
    const std::uint64_t per = m_clk.period_ps();
    const std::uint64_t bytes = p.get_data_length();
    const auto *ext = p.get_extension<txn_ext>();
    const std::uint32_t op = ext ? ext->op : 0;

    const std::uint64_t arrival = now + to_ps(delay);
    const std::uint64_t start = std::max(arrival, m_free_ps);
    const std::uint64_t occ = m_bpc.div_up(bytes);
    m_free_ps = start + occ * per;
    const std::uint64_t out = m_free_ps + std::uint64_t(m_p.latency_cycles) * per;
    m_stats.bytes += bytes;
    m_stats.busy_cycles += occ;
    m_stats.transactions += 1;
    auto &o = m_ledger.ops[op];
    o.noc_bytes += bytes;

    if (ext && ext->space == ops::mem_space::peer_sram) {
        if (ext->peer_core >= m_peers.size() || !m_peers[ext->peer_core])
            throw std::logic_error(
                "interconnect: peer_sram transfer to a core that does not exist");
        m_stats.peer_bytes += bytes;
        o.peer_bytes += bytes;
        const auto r =
            m_peers[ext->peer_core]->access(out, p.get_address(), bytes, p.is_write(), op);
        delay = ps(r.done_ps - now);
        p.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    delay = ps(out - now);
    isock->b_transport(p, delay);
}

} // namespace arch
