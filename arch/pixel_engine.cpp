#include "arch/pixel_engine.h"

#include <algorithm>

namespace arch {

pixel_engine::pixel_engine(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                           const pixel_engine_params &p, op_ledger &ledger)
    : sim::block(name, clk), isock("isock"), m_p(p), m_ledger(ledger), m_ext(new txn_ext),
      m_inflight(std::max<std::uint32_t>(p.outstanding, 1), 0) {
    m_pl.set_extension(m_ext); // owned by the payload from here on
    m_pl.set_data_ptr(&m_dummy);
    m_pl.set_streaming_width(0);
    m_pl.set_byte_enable_ptr(nullptr);
}

pixel_engine::~pixel_engine() = default;

std::uint64_t pixel_engine::send(std::uint64_t at, std::uint64_t addr, std::uint64_t len,
                                 bool write) {
    auto &slot = m_inflight[m_n % m_inflight.size()];
    std::uint64_t issue = std::max({at, m_issue, slot});
    // Sent within one quantum of kernel time, so transactions of all initiators meet the
    // shared timelines nearly in time order (as the DMA engines' bursts do).
    m_time.catch_up(issue, m_p.quantum_ps);
    const std::uint64_t now = m_time.now;
    sc_core::sc_time delay = ps(issue - now);
    m_ext->now_ps = now;
    m_pl.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    m_pl.set_address(addr);
    m_pl.set_data_length(static_cast<unsigned>(len));
    m_pl.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    isock->b_transport(m_pl, delay);
    const std::uint64_t done = now + to_ps(delay);
    slot = done;
    m_issue = issue + (len + m_p.bytes_per_cycle - 1) / m_p.bytes_per_cycle * m_p.period_ps;
    ++m_n;
    m_stats.transactions += 1;
    (write ? m_stats.bytes_written : m_stats.bytes_read) += len;
    return done;
}

std::uint64_t pixel_engine::issue_step(const std::vector<pixel_span> &spans, std::uint32_t r,
                                       std::uint32_t rows, std::uint64_t at, bool write) {
    std::uint64_t last = at;
    const std::uint64_t tx = m_p.transaction_bytes;
    for (const auto &s : spans) {
        const std::uint64_t from = s.bytes * r / rows, to = s.bytes * (r + 1) / rows;
        const std::uint64_t wrap = s.wrap ? s.wrap : s.bytes;
        for (std::uint64_t o = from; o < to;) {
            const std::uint64_t off = o % wrap;
            const std::uint64_t len = std::min({to - o, wrap - off, tx - (s.addr + off) % tx});
            last = std::max(last, send(at, s.addr + off, len, write));
            o += len;
        }
    }
    return last;
}

std::uint64_t pixel_engine::run(const pixel_job &j) {
    const std::uint64_t t0 = now_ps();
    m_time.reset(t0);
    m_issue = std::max(m_issue, t0);
    m_ext->op = j.op;
    m_ext->space = ops::mem_space::dram;
    const std::uint32_t rows = std::max<std::uint32_t>(j.rows, 1);
    std::uint64_t reads_in = issue_step(j.reads, 0, rows, t0, false);
    std::uint64_t step_end = t0, writes_done = t0;
    for (std::uint32_t r = 0; r < rows; ++r) {
        const std::uint64_t start = std::max(step_end, reads_in);
        if (r + 1 < rows)
            reads_in = issue_step(j.reads, r + 1, rows, start, false);
        step_end = start + j.compute_ps * (r + 1) / rows - j.compute_ps * r / rows;
        writes_done = std::max(writes_done, issue_step(j.writes, r, rows, step_end, true));
    }
    const std::uint64_t end = std::max(step_end, writes_done);
    m_time.wait_until(end);
    m_stats.jobs += 1;
    m_stats.busy_ps += end - t0;
    m_stats.compute_ps += j.compute_ps;
    m_stats.memory_bound_jobs += end - t0 > j.compute_ps;
    m_ledger.ps[j.op].dma_busy += end - t0;
    m_ledger.span(j.op, t0, end);
    if (m_ledger.tl)
        m_ledger.tl->busy(m_track, j.op, t0, end);
    return end - t0;
}

} // namespace arch
