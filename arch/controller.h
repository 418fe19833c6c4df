#pragma once
// The command processor of one core. It holds the core's stream and runs one thread per queue
// (the controller's own queue for barriers, the MAC array, the vector unit, each DMA engine);
// a queue executes its commands in stream order, each starting when its deps completed and the
// queue is free, plus issue_cycles. One completion event per core wakes waiting queues.
// It also attributes compute stalls to the last dependency to complete (docs/timing-model.md).

#include "arch/barrier_hub.h"
#include "arch/dma.h"
#include "arch/mac_array.h"
#include "arch/op_ledger.h"
#include "arch/vector_unit.h"
#include "ops/chip.h"
#include "ops/command.h"
#include "sim/sc/block.h"

#include <cstdint>
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

    const stats &stat() const { return m_stats; }
    /// Commands that never completed (0 after a good run).
    std::size_t pending() const;
    /// Completion of the last command (ps), 0 if none.
    std::uint64_t last_done_ps() const { return m_last_done_ps; }

private:
    enum queue_id : std::uint32_t { q_controller = 0, q_mac = 1, q_vector = 2, q_dma0 = 3 };
    void run_queue(std::uint32_t q);
    /// Waits until every dep of command `idx` completed, then the issue latency; charges stalls.
    void wait_ready(std::uint32_t idx, bool compute);
    void complete(std::uint32_t idx, std::uint64_t start_ps);

    const ops::controller_params &m_p;
    const std::uint32_t m_core;
    const std::vector<ops::command> &m_stream;
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
    sc_core::sc_event m_done_ev; ///< any command of this core completed
};

} // namespace arch
