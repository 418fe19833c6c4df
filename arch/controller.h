#pragma once
// The command processor of one core. It holds the core's stream and runs one thread per queue
// (the controller's own queue for barriers, the MAC array, the vector unit, each DMA engine);
// a queue executes its commands in stream order, each starting when its queue is free and
// issue_cycles after its last dependency completed (a command whose deps completed earlier was
// issued while its predecessor ran). One completion event per core wakes waiting queues. The
// MAC array's queue moves on when the array accepts the next tile; its tiles complete later, in
// order, when their results leave the array (a completion thread).
// It also attributes compute stalls to the last dependency to complete (docs/timing-model.md).
//
// Two modes. Static (qcsim run): the stream given at construction runs once from time 0.
// Launched (the scenario runtime): the controller starts idle and runs each stream passed to
// launch() to completion, one at a time; the queue threads wait for the next launch between
// them, and the on_idle callback is called when a launched stream's last command completed.

#include "arch/barrier_hub.h"
#include "arch/dma.h"
#include "arch/mac_array.h"
#include "arch/op_ledger.h"
#include "arch/vector_unit.h"
#include "ops/chip.h"
#include "ops/command.h"
#include "sim/sc/block.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace arch {

class controller : public sim::block {
public:
    struct stats {
        std::uint64_t commands = 0;
        std::uint64_t issue_cycles = 0;
    };

    /// Validates `stream` (throws sim::input_error) and spawns the queue threads.
    controller(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
               const ops::controller_params &p, std::uint32_t core,
               const std::vector<ops::command> &stream, std::vector<dma *> dmas, mac_array &mac,
               vector_unit &vec, barrier_hub &hub, op_ledger &ledger);

    /// A controller in launched mode: no stream until launch().
    controller(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
               const ops::controller_params &p, std::uint32_t core, std::vector<dma *> dmas,
               mac_array &mac, vector_unit &vec, barrier_hub &hub, op_ledger &ledger);

    /// Checks a stream for this core against the ledger's operators and the DMA engines
    /// (throws sim::input_error with paths "streams[core][i]...").
    void validate(const std::vector<ops::command> &stream) const;
    /// Launched mode: runs `stream` (validated, kept alive by the caller) from now; the
    /// controller must be idle. Barrier ids are expected at the hub here, so every core of a
    /// multi-core program must be launched in the same process activation.
    void launch(const std::vector<ops::command> &stream);
    bool idle() const { return m_remaining == 0; }
    /// Called (from the completing thread) when a launched stream's last command completed. It
    /// must not launch from inside the call (the completing thread still walks its queue): it
    /// notifies, and the launcher launches from its own thread.
    void on_idle(std::function<void(std::uint32_t core)> f) { m_on_idle = std::move(f); }

    const stats &stat() const { return m_stats; }
    /// Commands that never completed (0 after a good run).
    std::size_t pending() const;
    /// Completion of the last command (ps), 0 if none.
    std::uint64_t last_done_ps() const { return m_last_done_ps; }

private:
    enum queue_id : std::uint32_t { q_controller = 0, q_mac = 1, q_vector = 2, q_dma0 = 3 };
    /// Waits for a stream this thread has not run (static mode: false after the first).
    bool next_launch(std::uint64_t &ran);
    void run_queue(std::uint32_t q);
    void run_queue_once(std::uint32_t q);
    /// Waits until every dep of command `idx` completed, then the issue latency; charges stalls.
    /// `fl` (timeline only): set to the load a compute waited for (fl->wait_ps > 0), if any.
    /// `q`: the queue whose thread waits.
    void wait_ready(std::uint32_t q, std::uint32_t idx, bool compute,
                    timeline_rec::flow *fl = nullptr);
    void complete(std::uint32_t idx, std::uint64_t start_ps);
    /// Completes issued MAC tiles in order when their results leave the array.
    void run_mac_completions();
    void run_mac_completions_once();
    /// Splits the current stream's commands into their queues.
    void partition();
    void spawn(bool all);
    /// Registers this core's timeline tracks (when the ledger has a recorder).
    void add_tracks();

    const ops::controller_params &m_p;
    const std::uint32_t m_core;
    const std::vector<ops::command> *m_stream;
    const bool m_launched;
    std::uint64_t m_gen = 0;       ///< launches so far (static mode: 1)
    std::size_t m_remaining = 0;   ///< commands of the current stream not completed
    sc_core::sc_event m_launch_ev; ///< a stream was launched
    std::function<void(std::uint32_t)> m_on_idle;
    std::vector<dma *> m_dmas;
    mac_array &m_mac;
    vector_unit &m_vec;
    barrier_hub &m_hub;
    op_ledger &m_ledger;
    stats m_stats;
    std::vector<std::vector<std::uint32_t>> m_queues; ///< command indices per queue
    std::vector<std::uint8_t> m_done;
    std::vector<std::uint64_t> m_done_ps;
    std::uint64_t m_last_done_ps = 0;
    /// Per queue: the command its thread waits for (no_wait: none), and the event that wakes it
    /// when that command completes (a thread wakes only for its own dependency).
    static constexpr std::uint32_t no_wait = ~std::uint32_t(0);
    std::vector<std::uint32_t> m_wait_on;
    std::vector<std::unique_ptr<sc_core::sc_event>> m_dep_ev;
    struct mac_inflight {
        std::uint32_t idx;
        std::uint64_t start_ps, done_ps;
    };
    std::vector<mac_inflight> m_mac_inflight; ///< issued, not completed (FIFO from m_mac_head)
    std::size_t m_mac_head = 0;
    sc_core::sc_event m_mac_ev; ///< a MAC tile was issued
    timeline_rec *m_tl;         ///< the ledger's recorder (null: no timeline)
    std::uint32_t m_tr_mac = 0, m_tr_vec = 0;
    std::vector<std::uint32_t> m_tr_dma; ///< timeline track per DMA engine
};

} // namespace arch
