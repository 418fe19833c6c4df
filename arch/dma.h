#pragma once
// One DMA engine of a core: executes load (far -> scratchpad) and store (scratchpad -> far)
// commands as bursts of <= burst_bytes, burst-aligned and never crossing a row of the 2-D
// region, issued through the interconnect with b_transport (timing only, no data). Issue is
// paced at bytes_per_cycle, with at most `outstanding` bursts in flight, after setup_cycles per
// command. Bursts are sent in kernel-time order, up to a burst group per call (sim.burst_group:
// each burst carries its own issue time and gets its own completion back, txn_ext); their
// completions are temporally decoupled (waited for only via the outstanding window and at the
// end).
// Ignores descriptor queues and the response path's bandwidth.

#include "arch/op_ledger.h"
#include "arch/sram.h"
#include "arch/txn_ext.h"
#include "ops/chip.h"
#include "ops/command.h"
#include "sim/fastdiv.h"
#include "sim/sc/block.h"

#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <vector>

namespace arch {

class dma : public sim::block {
public:
    tlm_utils::simple_initiator_socket<dma> isock;

    struct stats {
        std::uint64_t bytes = 0;
        std::uint64_t bursts = 0;
        std::uint64_t commands = 0;
        std::uint64_t busy_ps = 0; ///< Σ command durations (setup to last burst done)
    };

    dma(const sc_core::sc_module_name &name, const sim::clock_domain &clk, const ops::dma_params &p,
        const ops::sim_params &sp, sram &local, op_ledger &ledger, std::uint32_t burst_group = 1);
    ~dma() override;

    /// Runs one load/store from now to its completion; must be called from a thread.
    void execute(const ops::command &c);
    const stats &stat() const { return m_stats; }

private:
    const ops::dma_params &m_p;
    const std::uint64_t m_quantum_ps;
    sram &m_local;
    op_ledger &m_ledger;
    stats m_stats;
    // One payload reused by every burst (b_transport is blocking): no per-burst allocation.
    tlm::tlm_generic_payload m_pl;
    txn_ext *m_ext;
    unsigned char m_dummy = 0;
    std::vector<std::uint64_t> m_inflight; ///< completion of the last `outstanding` bursts
    sim::fastdiv m_burst, m_bpc, m_outstanding;
    std::uint32_t m_group; ///< bursts per transport (sim.burst_group, capped)
};

} // namespace arch
