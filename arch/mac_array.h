#pragma once
// The systolic MAC array of one core: a gemm_tile command takes ops::mac_tile_cycles (SCALE-Sim
// closed form, shared with the compiler). Its scratchpad operands are read when it starts and
// its results written when the array finishes; only waiting for a busy bank (a conflict) adds
// time — bank occupancy and SRAM latency are otherwise hidden under the tile's stream.
// Ignores data values, accumulator spills and per-fold operand reloads.

#include "arch/op_ledger.h"
#include "arch/sram.h"
#include "ops/chip.h"
#include "ops/command.h"
#include "sim/sc/block.h"

#include <cstdint>

namespace arch {

class mac_array : public sim::block {
public:
    struct stats {
        std::uint64_t busy_cycles = 0; ///< Σ tile cycles (formula)
        std::uint64_t tiles = 0;
        std::uint64_t macs = 0;
        std::uint64_t conflict_ps = 0;
    };

    mac_array(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
              const ops::mac_array_params &p, sram &local, op_ledger &ledger);

    /// Runs one compute tile from now to its completion; must be called from a thread.
    void execute(const ops::command &c);
    const stats &stat() const { return m_stats; }

private:
    const ops::mac_array_params &m_p;
    sram &m_local;
    op_ledger &m_ledger;
    stats m_stats;
};

} // namespace arch
