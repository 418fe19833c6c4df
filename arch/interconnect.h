#pragma once
// The path shared by all cores: a TLM target for every DMA engine and an initiator towards
// DRAM. One timeline of bytes_per_cycle (start = max(arrival, free), occupancy =
// ceil(bytes/bytes_per_cycle) cycles) plus latency_cycles, then the burst goes on to DRAM or,
// when its txn_ext says peer_sram, to that core's scratchpad timeline. Ignores topology,
// arbitration fairness and the return path (a read's data does not occupy the path again).

#include "arch/op_ledger.h"
#include "arch/sram.h"
#include "ops/chip.h"
#include "sim/fastdiv.h"
#include "sim/sc/block.h"

#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <vector>

namespace arch {

class interconnect : public sim::block {
public:
    tlm_utils::multi_passthrough_target_socket<interconnect> tsock; ///< from the DMA engines
    tlm_utils::simple_initiator_socket<interconnect> isock;         ///< to the DRAM

    struct stats {
        std::uint64_t bytes = 0;
        std::uint64_t peer_bytes = 0;
        std::uint64_t busy_cycles = 0;
        std::uint64_t transactions = 0;
    };

    interconnect(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                 const ops::interconnect_params &p, op_ledger &ledger);

    /// Scratchpads reachable as peer_sram, indexed by core.
    void set_peers(std::vector<sram *> peers) { m_peers = std::move(peers); }
    const stats &stat() const { return m_stats; }

private:
    void b_transport(int port, tlm::tlm_generic_payload &p, sc_core::sc_time &delay);

    const ops::interconnect_params &m_p;
    op_ledger &m_ledger;
    std::vector<sram *> m_peers;
    std::uint64_t m_free_ps = 0;
    sim::fastdiv m_bpc; ///< bytes_per_cycle
    stats m_stats;
};

} // namespace arch
