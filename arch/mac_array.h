#pragma once
// The systolic MAC array of one core. A gemm_tile command is timed by ops::mac_tile_cycles and
// the array's ops::mac_pipeline (the same closed forms the compiler estimates with): with the
// `pipelined` model the next tile's first preload overlaps this tile's last fold and its stream
// starts as soon as this one's ends, so the array accepts the next command (`accept`) before
// this one's results have left it (`done`, R + C − 2 skew after its stream). Operands are read from
// the scratchpad when the tile is issued and results written at `done`; only waiting for a busy
// bank (a conflict) adds time. Ignores data values and accumulator spills.

#include "arch/op_ledger.h"
#include "arch/sram.h"
#include "ops/chip.h"
#include "ops/command.h"
#include "ops/mac_cost.h"
#include "sim/sc/block.h"

#include <cstdint>

namespace arch {

class mac_array : public sim::block {
public:
    struct stats {
        std::uint64_t busy_ps = 0; ///< union of the tiles' busy intervals (preload to done)
        std::uint64_t tiles = 0;
        std::uint64_t macs = 0;
        std::uint64_t conflict_ps = 0;
    };

    mac_array(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
              const ops::mac_array_params &p, sram &local, op_ledger &ledger);

    struct issued {
        std::uint64_t done_ps = 0;          ///< the tile's results leave the array
        std::uint64_t busy_add_ps = 0;      ///< busy time it added to the array (union)
        std::uint64_t conflict_from_ps = 0; ///< operand read conflict while the array was idle
        std::uint64_t conflict_to_ps = 0;
    };
    /// Issues one compute tile now (from a thread): reads its operands, then waits until the
    /// array accepts the next command (WS/IS pipelined: when this tile's last fold starts
    /// streaming, so the next tile's first preload overlaps it).
    issued issue(const ops::command &c);
    /// Writes the tile's results (call at the time issue() returned); returns the write
    /// conflict in ps, which delays the command's completion.
    std::uint64_t finish(const ops::command &c);
    const stats &stat() const { return m_stats; }
    /// End of the array's busy time so far (ps).
    std::uint64_t busy_until_ps() const { return m_pipe.busy_until; }
    std::uint64_t busy_cycles() const {
        return (m_stats.busy_ps + m_clk.period_ps() / 2) / m_clk.period_ps();
    }

private:
    const ops::mac_array_params &m_p;
    sram &m_local;
    op_ledger &m_ledger;
    ops::mac_pipeline m_pipe;
    stats m_stats;
};

} // namespace arch
