#pragma once
// Per-operator counters shared by every block of one chip: blocks add what a command or
// transaction of operator `op` cost (ids come from the command / the TLM extension). Times that
// come from the kernel are kept in ps and rounded to NN-core cycles once, at the end, so that
// per-burst rounding never accumulates.

#include "arch/run_stats.h"
#include "sim/sc/clock_domain.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace arch {

struct op_ledger {
    /// The ps-valued part of one operator's counters.
    struct ps_counters {
        std::uint64_t first_start = std::numeric_limits<std::uint64_t>::max();
        std::uint64_t last_end = 0;
        std::uint64_t mac_busy = 0; ///< union of its MAC tiles' busy intervals, Σ over cores
        std::uint64_t dma_busy = 0;
        std::uint64_t dram_busy = 0;
        std::uint64_t stall_dma = 0;
        std::uint64_t stall_bank_conflict = 0;
        std::uint64_t stall_vector = 0;
        std::uint64_t stall_dependency = 0;
    };

    std::vector<op_stats> ops;   ///< integer counters, indexed by op id
    std::vector<ps_counters> ps; ///< ps counters, indexed by op id

    explicit op_ledger(std::size_t n_ops) : ops(n_ops), ps(n_ops) {}

    void span(std::uint32_t op, std::uint64_t start_ps, std::uint64_t end_ps) {
        auto &p = ps[op];
        if (start_ps < p.first_start)
            p.first_start = start_ps;
        if (end_ps > p.last_end)
            p.last_end = end_ps;
    }

    /// Final per-op statistics in cycles of `clk` (starts rounded down, ends up, sums to nearest).
    std::vector<op_stats> finish(const sim::clock_domain &clk) const;
};

} // namespace arch
