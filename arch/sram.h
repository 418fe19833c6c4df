#pragma once
// Banked scratchpad of one core, as a timeline per bank (a function-call target used by the
// core's DMA engines, compute units and, through the interconnect, peer cores). Blocked layout:
// bank = (addr / bank_bytes) % banks. Models bank occupancy, conflicts and a fixed latency, with
// one port per bank shared by reads and writes or (scratchpad.ports = 2) a read and a write port
// with a timeline each; ignores read/write asymmetry and the capacity itself (addresses wrap).
// Requests are served in call order: one that arrives earlier than a reservation already made
// on its bank waits behind it (busy-until timeline, no gap filling).

#include "arch/op_ledger.h"
#include "ops/chip.h"
#include "ops/command.h"
#include "sim/fastdiv.h"
#include "sim/sc/block.h"

#include <cstdint>
#include <vector>

namespace arch {

class sram : public sim::block {
public:
    struct stats {
        std::uint64_t bytes_read = 0;
        std::uint64_t bytes_written = 0;
        std::uint64_t accesses = 0;
        std::uint64_t conflict_ps = 0;               ///< Σ (start − arrival), ps
        std::vector<std::uint64_t> bank_busy_cycles; ///< per bank and port, cycles
    };
    struct result {
        std::uint64_t done_ps = 0;     ///< start + max occupancy + latency
        std::uint64_t conflict_ps = 0; ///< start − arrival
    };

    sram(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
         const ops::scratchpad_params &p, op_ledger &ledger);

    /// One access of `bytes` contiguous bytes at `addr` arriving at `arrival_ps`.
    result access(std::uint64_t arrival_ps, std::uint64_t addr, std::uint64_t bytes, bool write,
                  std::uint32_t op);
    /// One range: a contiguous one as above, a strided one (rows > 1) by its runs only, all
    /// arriving together (the bytes per bank they touch decide the occupancy).
    result access(std::uint64_t arrival_ps, const ops::sram_range &r, bool write, std::uint32_t op);
    /// All `ranges` arriving together; returns the largest conflict delay (ps).
    std::uint64_t access_all(std::uint64_t arrival_ps, const std::vector<ops::sram_range> &ranges,
                             bool write, std::uint32_t op);

    const stats &stat() const { return m_stats; }
    std::uint64_t busiest_bank_cycles() const;
    /// Busy-until of a bank's port serving writes (`write`) or reads.
    std::uint64_t bank_free_ps(std::uint32_t bank, bool write = false) const {
        return m_free_ps[port_of(write) * m_p.banks + bank];
    }

private:
    const ops::scratchpad_params &m_p;
    op_ledger &m_ledger;
    stats m_stats;
    std::uint32_t port_of(bool write) const { return m_p.ports > 1 && write ? 1 : 0; }
    /// Adds the bytes of [addr, addr + bytes) to the banks they touch (m_scratch, m_touched).
    void add_bytes(std::uint64_t addr, std::uint64_t bytes);
    /// Occupies the touched banks from the latest of their free times, and the statistics.
    result commit(std::uint64_t arrival_ps, std::uint64_t bytes, bool write, std::uint32_t op);
    /// Statistics of an access that started at `start` and held its busiest bank `max_occ`
    /// cycles, and its result.
    result finish(std::uint64_t arrival_ps, std::uint64_t start, std::uint64_t max_occ,
                  std::uint64_t bytes, bool write, std::uint32_t op);
    std::vector<std::uint64_t> m_free_ps; ///< busy-until per port and bank
    std::vector<std::uint64_t> m_scratch; ///< bytes per bank of the current access
    std::vector<std::uint32_t> m_touched; ///< banks of the current access
    sim::fastdiv m_piece, m_banks,
        m_width; ///< bank piece (bank or interleave granule), banks, port
};

} // namespace arch
