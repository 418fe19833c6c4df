#pragma once
// Per-operator counters shared by every block of one chip: blocks add what a command or
// transaction of operator `op` cost (ids come from the command / the TLM extension). Times that
// come from the kernel are kept in ps and rounded to NN-core cycles once, at the end, so that
// per-burst rounding never accumulates.
//
// Stalls are intervals on one core's main compute unit for the operator (the MAC array for a
// MAC operator, the vector unit for a vector one), recorded only while that unit is not busy,
// and clipped at the end to the operator's span: per core, busy + stalls + idle = span.

#include "arch/run_stats.h"
#include "arch/timeline_rec.h"
#include "sim/sc/clock_domain.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace arch {

enum class stall_cause : std::uint8_t { dma, bank_conflict, vector, dependency };

struct op_ledger {
    /// The ps-valued part of one operator's counters.
    struct ps_counters {
        std::uint64_t first_start = std::numeric_limits<std::uint64_t>::max();
        std::uint64_t last_end = 0;
        std::uint64_t mac_busy = 0; ///< union of its MAC tiles' busy intervals, Σ over cores
        std::uint64_t dma_busy = 0;
        std::uint64_t dram_busy = 0;
    };
    struct stall_rec {
        std::uint32_t op, core;
        stall_cause cause;
        std::uint64_t from, to; ///< ps
    };

    std::vector<op_stats> ops;   ///< integer counters, indexed by op id
    std::vector<ps_counters> ps; ///< ps counters, indexed by op id
    /// Per op: the unit whose busy time and stalls make up the per-core identity (0 = MAC
    /// array, 1 = vector unit, -1 = either: testbench programs without operator rows).
    std::vector<int> main_unit;
    std::uint32_t cores = 1;
    std::vector<std::uint64_t> unit_busy_ps; ///< [op * cores + core]: main unit busy time
    std::vector<stall_rec> stalls;
    /// Off in scenario runs: the per-core busy/stall/idle identity needs one span per operator,
    /// and a scenario runs each operator many times (the records would grow with the run).
    bool record_stalls = true;
    /// The run's timeline recorder, or null (no --timeline: nothing is recorded).
    timeline_rec *tl = nullptr;

    explicit op_ledger(std::size_t n_ops, std::uint32_t n_cores = 1)
        : ops(n_ops), ps(n_ops), main_unit(n_ops, -1), cores(n_cores),
          unit_busy_ps(n_ops * n_cores, 0) {}

    void span(std::uint32_t op, std::uint64_t start_ps, std::uint64_t end_ps) {
        auto &p = ps[op];
        if (start_ps < p.first_start)
            p.first_start = start_ps;
        if (end_ps > p.last_end)
            p.last_end = end_ps;
    }
    /// Is unit `u` (0 MAC array, 1 vector unit) the main unit of `op`?
    bool is_main(std::uint32_t op, int u) const { return main_unit[op] < 0 || main_unit[op] == u; }
    void stall(std::uint32_t op, std::uint32_t core, stall_cause cause, std::uint64_t from,
               std::uint64_t to) {
        if (record_stalls && to > from)
            stalls.push_back({op, core, cause, from, to});
    }
    void unit_busy(std::uint32_t op, std::uint32_t core, int u, std::uint64_t t) {
        if (is_main(op, u))
            unit_busy_ps[std::size_t(op) * cores + core] += t;
    }

    /// Final per-op statistics in cycles of `clk` (starts rounded down, ends up, sums to nearest).
    std::vector<op_stats> finish(const sim::clock_domain &clk) const;
};

} // namespace arch
