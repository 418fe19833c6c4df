#pragma once
// Pass 5: per core, per op, per tile: load / compute / (epilogue) / store commands, barriers
// between ops, and dependencies derived from the scratchpad ranges each command touches.

#include "ops/chip.h"
#include "ops/command.h"
#include "ops/lower.h"
#include "ops/plan.h"
#include "workloads/graph.h"

#include <cstdint>
#include <vector>

namespace ops {

/// Dependencies from scratchpad hazards: a command reading a range waits for its last writer
/// (RAW); a command writing a range waits for every earlier reader and writer (WAR, WAW). With
/// ping/pong buffers this yields exactly the double-buffering pattern: load i+2 waits for
/// compute i, compute i waits for its loads and for store i-2, store i waits for compute i.
/// The MAC array is in order: it reads a tile's operands when it issues it and writes its
/// results when they leave the array, in issue order, so a MAC tile needs no WAR or WAW
/// dependency on an earlier MAC tile (only RAW: a K block reading the previous partial sums).
/// Without that rule, a kept output tracked as one strided span would make every tile wait for
/// the previous tile's skew and the array could never stream tiles back to back.
class hazard_tracker {
public:
    void add_deps(const std::vector<sram_range> &reads, const std::vector<sram_range> &writes,
                  std::vector<std::uint32_t> &deps, bool mac = false) const;
    void record(std::uint32_t cmd, const std::vector<sram_range> &reads,
                const std::vector<sram_range> &writes, bool mac = false);
    /// Forget commands before `cmd` (all ordered before a barrier every later command waits on).
    void forget_before(std::uint32_t cmd);

private:
    struct rec {
        std::uint64_t lo, hi;
        std::uint32_t cmd;
        bool write;
        bool mac; ///< recorded by a MAC-array compute
    };
    std::vector<rec> m_recs;
};

class emitter {
public:
    emitter(const workloads::graph &g, const lowering &low, const residency_plan &res,
            const chip_desc &chip, program &prog);
    /// Emits op j on every core and returns its row of the report (without tiling text).
    void emit_op(std::size_t j, const tile_choice &t, const buffer_layout &b, op_info &info);

private:
    struct core_state {
        hazard_tracker hz;
        std::uint32_t op_start = 0; ///< first command of the previous op (incl. its prefetch)
        int last_barrier = -1;
    };
    const workloads::graph &m_g;
    const lowering &m_low;
    const residency_plan &m_res;
    const chip_desc &m_chip;
    program &m_prog;
    std::vector<core_state> m_cores;

    std::uint32_t push(std::uint32_t core, command c, const std::vector<sram_range> &reads,
                       const std::vector<sram_range> &writes, int barrier);
};

} // namespace ops
