#include "arch/dma.h"

#include <algorithm>

namespace arch {

dma::dma(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
         const ops::dma_params &p, const ops::sim_params &sp, sram &local, op_ledger &ledger,
         std::uint32_t burst_group)
    : sim::block(name, clk), isock("isock"), m_p(p),
      m_quantum_ps(std::uint64_t(sp.quantum_cycles) * clk.period_ps()), m_local(local),
      m_ledger(ledger), m_ext(new txn_ext), m_inflight(p.outstanding, 0), m_burst(p.burst_bytes),
      m_bpc(p.bytes_per_cycle), m_outstanding(p.outstanding),
      m_group(std::min<std::uint32_t>({burst_group, p.outstanding, txn_ext::max_bursts})) {
    m_pl.set_extension(m_ext); // owned by the payload from here on
    m_pl.set_data_ptr(&m_dummy);
    m_pl.set_streaming_width(0);
    m_pl.set_byte_enable_ptr(nullptr);
}

dma::~dma() = default;

void dma::execute(const ops::command &c) {
    const bool load = c.kind == ops::cmd_kind::load;
    const std::uint64_t per = m_clk.period_ps();
    const std::uint64_t t0 = now_ps();
    const std::uint64_t burst = m_burst.value();
    const std::uint32_t op = c.op;

    m_ext->op = op;
    m_ext->space = c.far_space;
    m_ext->peer_core = c.far_core;
    m_pl.set_command(load ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    std::fill(m_inflight.begin(), m_inflight.end(), t0);

    std::uint64_t issue = t0 + std::uint64_t(m_p.setup_cycles) * per;
    std::uint64_t end = issue;
    std::uint64_t local = c.local.addr;
    std::uint64_t n = 0;
    // Kernel time moves only when this thread waits (the transports below are blocking and
    // never wait), so it is tracked here instead of asked for per burst; the engine's own time
    // may run ahead of it (sim::decoupled_time).
    sim::decoupled_time tm;
    tm.reset(t0);
    // Bursts go out in groups of up to m_group consecutive bursts of the command (across the
    // rows of its region), one transport per group (txn_ext burst group): each burst keeps its
    // own issue time, window slot and completion; only the point where the engine synchronises
    // with the kernel is per group (docs/timing-model.md, "Burst groups").
    // Peer-scratchpad transfers go one burst per call (the interconnect serves them itself),
    // as every transfer does with groups of 1.
    const bool grouped = m_group > 1 && c.far_space == ops::mem_space::dram;
    const std::uint32_t group = grouped ? m_group : 1;
    std::uint64_t locs[txn_ext::max_bursts];
    std::uint64_t *const t = m_ext->t_ps;
    // Sends bursts n .. n+k-1 (their issue times in t, addresses and lengths in the extension).
    auto send = [&](std::uint32_t k) {
        const std::uint64_t first = t[0];
        // Requests enter the shared interconnect/DRAM timelines nearly in kernel-time
        // order: the engine may send a group up to one quantum ahead of the kernel, and
        // waits until the group's first issue when it is further ahead. A long quantum
        // lets one engine reserve a saturated DRAM for the whole quantum before its peers
        // are asked (measured: 5.8 % shift when a 1000-cycle quantum halves, 84/16 unfair
        // split), hence the default of a few cycles (ops/chip.h sim_params).
        // Completions are decoupled: they come back in the annotated delay and are only
        // waited for through the outstanding window and at the end of the command.
        tm.catch_up(first, m_quantum_ps);
        const std::uint64_t now = tm.now;
        std::uint64_t glen = 0;
        for (std::uint32_t i = 0; i < k; ++i) {
            if (!load)
                t[i] = m_local.access(t[i], locs[i], m_ext->len[i], false, op).done_ps;
            glen += m_ext->len[i];
        }
        sc_core::sc_time delay = ps(t[0] - now);
        m_ext->now_ps = now;
        m_ext->bursts = grouped ? k : 0;
        m_pl.set_address(m_ext->addr[0]);
        m_pl.set_data_length(static_cast<unsigned>(glen));
        m_pl.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        isock->b_transport(m_pl, delay);
        if (!grouped)
            t[0] = now + to_ps(delay);
        for (std::uint32_t i = 0; i < k; ++i) {
            std::uint64_t done = t[i];
            if (load)
                done = m_local.access(done, locs[i], m_ext->len[i], true, op).done_ps;
            m_inflight[m_outstanding.mod(n + i)] = done;
            end = std::max(end, done);
        }
        n += k;
    };
    std::uint32_t k = 0;
    for (std::uint32_t r = 0; r < c.far.rows; ++r) {
        std::uint64_t a = c.far.addr + std::uint64_t(r) * c.far.stride;
        const std::uint64_t row_end = a + c.far.row_bytes;
        while (a < row_end) {
            const std::uint64_t len = std::min(row_end - a, burst - m_burst.mod(a));
            // Burst n+k may not issue before burst n+k - outstanding completed (an earlier
            // group's: a group holds at most `outstanding` bursts).
            issue = std::max(issue, m_inflight[m_outstanding.mod(n + k)]);
            t[k] = issue;
            m_ext->addr[k] = a;
            m_ext->len[k] = static_cast<std::uint32_t>(len);
            locs[k] = local;
            issue += m_bpc.div_up(len) * per;
            local += len;
            a += len;
            if (++k == group) {
                send(k);
                k = 0;
            }
        }
    }
    if (k)
        send(k);
    tm.wait_until(end);

    const std::uint64_t bytes = c.far.bytes();
    m_stats.bytes += bytes;
    m_stats.bursts += n;
    m_stats.commands += 1;
    m_stats.busy_ps += end - t0;
    m_ledger.ps[op].dma_busy += end - t0;
}

} // namespace arch
