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
    auto *ext = p.get_extension<txn_ext>();
    const std::uint64_t now = txn_ext::now_of(ext, &now_ps);
    const std::uint64_t per = m_clk.period_ps();
    const std::uint64_t bytes = p.get_data_length();
    const std::uint32_t op = ext ? ext->op : 0;

    const std::uint64_t arrival = now + to_ps(delay);
    const bool dram_read =
        m_p.multicast_kib && !p.is_write() && !(ext && ext->space == ops::mem_space::peer_sram);
    if (dram_read) {
        const auto it = m_held.find(p.get_address());
        if (it != m_held.end() && it->second.len >= bytes) {
            // Served by the multicast buffer on this core's port.
            const std::uint64_t done =
                std::max(arrival, it->second.ready_ps) +
                (std::uint64_t(m_p.latency_cycles) + m_bpc.div_up(bytes)) * per;
            m_stats.multicast_bytes += bytes;
            m_ledger.ops[op].multicast_bytes += bytes;
            delay = ps(done - now);
            p.set_response_status(tlm::TLM_OK_RESPONSE);
            return;
        }
    }
    if (ext && ext->bursts > 0) {
        // A burst group (txn_ext): each burst takes the path at its own arrival, in order.
        const std::uint64_t lat = std::uint64_t(m_p.latency_cycles) * per;
        auto *t = ext->t_ps;
        std::uint64_t occ_sum = 0;
        for (std::uint32_t i = 0; i < ext->bursts; ++i) {
            const std::uint64_t occ = m_bpc.div_up(ext->len[i]);
            m_free_ps = std::max(t[i], m_free_ps) + occ * per;
            t[i] = m_free_ps + lat;
            occ_sum += occ;
        }
        m_stats.bytes += bytes;
        m_stats.busy_cycles += occ_sum;
        m_stats.transactions += ext->bursts;
        m_ledger.ops[op].noc_bytes += bytes;
        delay = ps(t[0] - now);
        isock->b_transport(p, delay);
        return;
    }
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
    if (dram_read)
        hold(p.get_address(), bytes, now + to_ps(delay));
    else if (m_p.multicast_kib && p.is_write())
        drop(p.get_address(), bytes);
}

void interconnect::hold(std::uint64_t addr, std::uint64_t len, std::uint64_t ready_ps) {
    const std::uint64_t cap = std::uint64_t(m_p.multicast_kib) * 1024;
    if (len > cap)
        return;
    m_held_max = std::max(m_held_max, len);
    auto [it, added] = m_held.try_emplace(addr, held{len, ready_ps});
    if (!added) { // a longer read of a held address (a miss): keep the longer, later copy
        m_held_bytes -= it->second.len;
        it->second = held{std::max(len, it->second.len), ready_ps};
        m_held_bytes += it->second.len;
        return;
    }
    m_held_order.push_back(addr);
    m_held_bytes += len;
    while (m_held_bytes > cap && !m_held_order.empty()) {
        const auto old = m_held.find(m_held_order.front());
        m_held_order.pop_front();
        if (old == m_held.end())
            continue; // dropped by a write already
        m_held_bytes -= old->second.len;
        m_held.erase(old);
    }
}

void interconnect::drop(std::uint64_t addr, std::uint64_t len) {
    // No held burst is longer than m_held_max: any overlapping one starts within that of addr.
    auto it = m_held.lower_bound(addr > m_held_max ? addr - m_held_max : 0);
    while (it != m_held.end() && it->first < addr + len) {
        if (it->first + it->second.len > addr) {
            m_held_bytes -= it->second.len;
            it = m_held.erase(it);
        } else {
            ++it;
        }
    }
}

} // namespace arch
