#pragma once
// Off-chip DRAM: a TLM-2.0 target in front of `channels` independent channels, each timed by
// the model named in dram.model (dram_timing.h) in the order chosen by dram.scheduler
// (dram_scheduler.h). Address map: channel = (addr/interleave) % channels; a transaction is cut
// at interleave and row boundaries and each piece is served by its channel. Busy cycles are
// data-bus time, reported in NN-core cycles. No refresh; the response carries no extra latency.

#include "arch/dram_scheduler.h"
#include "arch/dram_timing.h"
#include "arch/op_ledger.h"
#include "arch/txn_ext.h"
#include "ops/chip.h"
#include "sim/fastdiv.h"
#include "sim/sc/block.h"

#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace arch {

class dram : public sim::block {
public:
    tlm_utils::simple_target_socket<dram> tsock;

    struct channel_stats {
        std::uint64_t bytes = 0;   ///< requested (a posted write counts when accepted)
        std::uint64_t busy_ps = 0; ///< data-bus occupancy
        std::uint64_t hits = 0;
        std::uint64_t misses = 0;
        std::uint64_t transactions = 0;
    };

    dram(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
         const ops::dram_params &p, op_ledger &ledger);

    /// Serve `bytes` at `addr` arriving at `arrival_ps`; returns the completion (ps).
    std::uint64_t access(std::uint64_t arrival_ps, std::uint64_t addr, std::uint64_t bytes,
                         bool write, std::uint32_t op);

    std::uint32_t channels() const { return m_p.channels; }
    const channel_stats &channel(std::uint32_t c) const { return m_stats[c]; }
    /// Public instance name of channel c ("dram.ch0").
    std::string channel_name(std::uint32_t c) const;

    /// What serves the pieces: the timing model (dram.model), the scheduler (dram.scheduler) and
    /// the piece loop instantiated for that pair.
    using access_fn = std::uint64_t (dram::*)(std::uint64_t, std::uint64_t, std::uint64_t, bool,
                                              std::uint32_t);
    struct kit {
        std::unique_ptr<dram_timing> model;
        std::unique_ptr<dram_scheduler> sched;
        access_fn access = nullptr;
        std::uint64_t (dram::*access_group)(txn_ext &, bool) = nullptr; ///< access_group_as<S>
    };
    using kit_factory = kit (*)(const ops::dram_params &);
    /// The registry of (scheduler, model) pairs the config may choose (built on first use).
    static const std::map<std::pair<ops::dram_scheduler, ops::dram_model>, kit_factory> &registry();

private:
    template <class S, class M> static kit make_kit(const ops::dram_params &p);
    /// access() with the scheduler's concrete type S: its calls are direct (and inlined).
    template <class S>
    std::uint64_t access_as(std::uint64_t arrival_ps, std::uint64_t addr, std::uint64_t bytes,
                            bool write, std::uint32_t op);
    /// access_group() with the scheduler's concrete type S (one dispatch per group, not per
    /// burst).
    template <class S> std::uint64_t access_group_as(txn_ext &g, bool write);
    static kit make(const ops::dram_params &p);
    /// Serves a burst group (txn_ext): each burst from its own arrival; writes each burst's
    /// completion over its arrival and returns the last.
    std::uint64_t access_group(txn_ext &g, bool write);
    void b_transport(tlm::tlm_generic_payload &p, sc_core::sc_time &delay);

    const ops::dram_params &m_p;
    op_ledger &m_ledger;
    kit m_kit;
    std::vector<dram_channel_state> m_ch;
    std::vector<channel_stats> m_stats;
    std::vector<dram_served> m_served; ///< reused per piece: what the channel put on its bus
    sim::fastdiv m_il, m_nch, m_row, m_stripe; ///< interleave, channels, row, interleave·channels
};

} // namespace arch
