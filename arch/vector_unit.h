#pragma once
// The vector unit of one core: a vector_tile command takes ops::vector_tile_cycles
// (ceil(elements·cost/lanes) + pipeline latency, shared with the compiler). Scratchpad operands
// are read at the start and results written at the end; only bank conflicts add time.
// Ignores data-dependent costs and lane predication.

#include "arch/op_ledger.h"
#include "arch/sram.h"
#include "ops/chip.h"
#include "ops/command.h"
#include "sim/sc/block.h"

#include <cstdint>

namespace arch {

class vector_unit : public sim::block {
public:
    struct stats {
        std::uint64_t busy_cycles = 0; ///< Σ tile cycles (formula)
        std::uint64_t tiles = 0;
        std::uint64_t ops = 0; ///< element operations
        std::uint64_t conflict_ps = 0;
    };

    vector_unit(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                const ops::vector_unit_params &p, sram &local, op_ledger &ledger);

    struct executed {
        std::uint64_t busy_ps = 0;        ///< the tile's formula cycles, in ps
        std::uint64_t read_conflict = 0;  ///< ps waited for operand banks at the start
        std::uint64_t write_conflict = 0; ///< ps waited for result banks at the end
    };
    /// Runs one vector tile from now to its completion; must be called from a thread.
    executed execute(const ops::command &c);
    const stats &stat() const { return m_stats; }

private:
    const ops::vector_unit_params &m_p;
    sram &m_local;
    op_ledger &m_ledger;
    stats m_stats;
};

} // namespace arch
