#include "arch/sram.h"

#include <algorithm>

namespace arch {

sram::sram(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
           const ops::scratchpad_params &p, op_ledger &ledger)
    : sim::block(name, clk), m_p(p), m_ledger(ledger), m_free_ps(p.banks * p.ports, 0),
      m_scratch(p.banks, 0),
      m_piece(p.layout == ops::sram_layout::interleaved ? p.interleave_bytes : p.bank_bytes),
      m_banks(p.banks), m_width(p.bank_width_bytes) {
    m_stats.bank_busy_cycles.assign(p.banks * p.ports, 0);
    m_touched.reserve(p.banks);
}

sram::result sram::access(std::uint64_t arrival_ps, std::uint64_t addr, std::uint64_t bytes,
                          bool write, std::uint32_t op) {
    if (bytes == 0)
        return {arrival_ps, 0};
    const std::uint64_t per = m_clk.period_ps();
    const std::uint64_t base = std::uint64_t(port_of(write)) * m_p.banks;
    const std::uint64_t end = addr + bytes;
    std::uint64_t start = arrival_ps, max_occ = 0;
    // Most accesses (a DMA burst, a small tile) lie in one piece of one bank: no walk.
    if (m_piece.div(addr) == m_piece.div(end - 1)) {
        const std::uint64_t b = base + m_banks.mod(m_piece.div(addr));
        start = std::max(start, m_free_ps[b]);
        max_occ = m_width.div_up(bytes); // cycles
        m_free_ps[b] = start + max_occ * per;
        m_stats.bank_busy_cycles[b] += max_occ;
        return finish(arrival_ps, start, max_occ, bytes, write, op);
    }

    m_touched.clear();
    add_bytes(addr, bytes);
    return commit(arrival_ps, bytes, write, op);
}

sram::result sram::access(std::uint64_t arrival_ps, const ops::sram_range &r, bool write,
                          std::uint32_t op) {
    if (r.rows <= 1)
        return access(arrival_ps, r.addr, r.bytes, write, op);
    // A strided range (a tile's columns of a kept tensor): its runs only, all arriving together.
    m_touched.clear();
    for (std::uint32_t i = 0; i < r.rows; ++i)
        add_bytes(r.addr + std::uint64_t(i) * r.stride, r.row_bytes);
    return commit(arrival_ps, std::uint64_t(r.rows) * r.row_bytes, write, op);
}

void sram::add_bytes(std::uint64_t addr, std::uint64_t bytes) {
    // Bytes per touched bank (a range longer than banks·bank_bytes touches a bank twice).
    const std::uint64_t bb = m_p.bank_bytes, nb = m_p.banks;
    const std::uint64_t end = addr + bytes;
    auto add = [&](std::uint32_t b, std::uint64_t n) {
        if (m_scratch[b] == 0)
            m_touched.push_back(b);
        m_scratch[b] += n;
    };
    if (m_p.layout == ops::sram_layout::interleaved) {
        // Pieces of g bytes round-robin: whole rounds of nb pieces give every bank the same
        // share; only the head piece (up to g-alignment) and the tail are walked, at most
        // nb + 1 pieces.
        const std::uint64_t g = m_p.interleave_bytes, round = g * nb;
        auto piece = [&](std::uint64_t &a) {
            const std::uint64_t piece_end = std::min(end, (a / g + 1) * g);
            add(static_cast<std::uint32_t>((a / g) % nb), piece_end - a);
            a = piece_end;
        };
        std::uint64_t a = addr;
        if (a < end)
            piece(a);
        if (end - a >= round) {
            const std::uint64_t rounds = (end - a) / round;
            for (std::uint32_t b = 0; b < nb; ++b)
                add(b, rounds * g);
            a += rounds * round;
        }
        while (a < end)
            piece(a);
    } else {
        for (std::uint64_t a = addr; a < end;) {
            const std::uint64_t chunk_end = std::min(end, (a / bb + 1) * bb);
            add(static_cast<std::uint32_t>((a / bb) % nb), chunk_end - a);
            a = chunk_end;
        }
    }
}

sram::result sram::commit(std::uint64_t arrival_ps, std::uint64_t bytes, bool write,
                          std::uint32_t op) {
    const std::uint64_t nb = m_p.banks, w = m_p.bank_width_bytes;
    const std::uint64_t per = m_clk.period_ps();
    const std::uint64_t base = std::uint64_t(port_of(write)) * nb;
    std::uint64_t start = arrival_ps, max_occ = 0;
    for (auto b : m_touched)
        start = std::max(start, m_free_ps[base + b]);
    for (auto b : m_touched) {
        const std::uint64_t occ = (m_scratch[b] + w - 1) / w; // cycles
        m_free_ps[base + b] = start + occ * per;
        m_stats.bank_busy_cycles[base + b] += occ;
        max_occ = std::max(max_occ, occ);
        m_scratch[b] = 0;
    }
    return finish(arrival_ps, start, max_occ, bytes, write, op);
}

sram::result sram::finish(std::uint64_t arrival_ps, std::uint64_t start, std::uint64_t max_occ,
                          std::uint64_t bytes, bool write, std::uint32_t op) {
    const std::uint64_t conflict = start - arrival_ps;
    m_stats.accesses += 1;
    m_stats.conflict_ps += conflict;
    if (write) {
        m_stats.bytes_written += bytes;
        m_ledger.ops[op].sram_bytes_written += bytes;
    } else {
        m_stats.bytes_read += bytes;
        m_ledger.ops[op].sram_bytes_read += bytes;
    }
    return {start + (max_occ + m_p.latency_cycles) * m_clk.period_ps(), conflict};
}

std::uint64_t sram::access_all(std::uint64_t arrival_ps, const std::vector<ops::sram_range> &ranges,
                               bool write, std::uint32_t op) {
    std::uint64_t worst = 0;
    for (const auto &r : ranges)
        worst = std::max(worst, access(arrival_ps, r, write, op).conflict_ps);
    return worst;
}

std::uint64_t sram::busiest_bank_cycles() const {
    return m_stats.bank_busy_cycles.empty() ? 0
                                            : *std::max_element(m_stats.bank_busy_cycles.begin(),
                                                                m_stats.bank_busy_cycles.end());
}

} // namespace arch
