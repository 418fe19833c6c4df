#pragma once
// The path shared by all cores: a TLM target for every DMA engine and an initiator towards
// DRAM. One timeline of bytes_per_cycle (start = max(arrival, free), occupancy =
// ceil(bytes/bytes_per_cycle) cycles) plus latency_cycles, then the burst goes on to DRAM or,
// when its txn_ext says peer_sram, to that core's scratchpad timeline. Ignores topology,
// arbitration fairness and the return path (a read's data does not occupy the path again).
// With interconnect.multicast_kib, DRAM read bursts are kept in a buffer of that size (first in,
// first out; a write to DRAM drops the bursts it overlaps): a read of a burst still held is served
// from it, when the burst's data has arrived, after latency_cycles and its bytes over
// bytes_per_cycle on the requesting core's port; no DRAM access and no time on the shared path.

#include "arch/op_ledger.h"
#include "arch/sram.h"
#include "ops/chip.h"
#include "sim/fastdiv.h"
#include "sim/sc/block.h"

#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <deque>
#include <map>
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
        std::uint64_t multicast_bytes = 0; ///< reads served by the multicast buffer
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
    /// The multicast buffer: held bursts by DRAM address (length, data arrival), their order
    /// of arrival for eviction, and the bytes held.
    struct held {
        std::uint64_t len = 0, ready_ps = 0;
    };
    std::map<std::uint64_t, held> m_held;
    std::deque<std::uint64_t> m_held_order;
    std::uint64_t m_held_bytes = 0;
    std::uint64_t m_held_max = 0; ///< longest burst ever held
    void hold(std::uint64_t addr, std::uint64_t len, std::uint64_t ready_ps);
    void drop(std::uint64_t addr, std::uint64_t len);
};

} // namespace arch
