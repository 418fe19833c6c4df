#pragma once
// What one simulation of a compiled program yields: per-operator statistics (attributed through
// the operator id every command and transaction carries) and per-block statistics. Plain data;
// the report (app/) turns them into ratios, energies and tables.

#include <cstdint>
#include <string>
#include <vector>

namespace arch {

/// Counters of one operator, summed over every core it ran on. Cycles are NN-core cycles.
struct op_stats {
    std::uint64_t start_cycle = 0;     ///< first command of the op started (min over cores)
    std::uint64_t end_cycle = 0;       ///< last command of the op completed (max over cores)
    std::uint64_t macs = 0;            ///< MACs executed by its compute tiles
    std::uint64_t mac_busy_cycles = 0; ///< Σ over cores: cycles its MAC-array tiles occupied
    std::uint64_t mac_slot_cycles = 0; ///< Σ R·C·stream cycles: MAC slots occupied (mapping eff.)
    std::uint64_t vector_busy_cycles = 0; ///< Σ over cores: cycles of its vector tiles
    std::uint64_t vector_ops = 0;         ///< element operations executed on the vector unit
    double vector_work = 0; ///< Σ elements · cost of their function (add-equivalent operations)
    std::uint64_t dma_busy_cycles = 0; ///< Σ over DMA engines: cycles a transfer of it was active
    std::uint64_t dram_bytes_read = 0;
    std::uint64_t dram_bytes_written = 0;
    std::uint64_t dram_busy_cycles = 0; ///< Σ over channels: data-bus cycles (core clock)
    std::uint64_t dram_row_hits = 0;
    std::uint64_t dram_row_misses = 0;
    std::uint64_t noc_bytes = 0;       ///< bytes through the interconnect (DRAM and peer)
    std::uint64_t peer_bytes = 0;      ///< bytes moved core-to-core (halo exchange)
    std::uint64_t multicast_bytes = 0; ///< DRAM reads served by the multicast buffer
    std::uint64_t sram_bytes_read = 0;
    std::uint64_t sram_bytes_written = 0;
    // Cycles a compute command of this op was ready on its unit but waited, by cause: the
    // last dependency to complete was a load/store (dma), a vector command (vector), a barrier
    // (dependency); bank_conflict is the extra delay of its scratchpad accesses.
    std::uint64_t stall_dma = 0;
    std::uint64_t stall_bank_conflict = 0;
    std::uint64_t stall_vector = 0;
    std::uint64_t stall_dependency = 0;
    /// Per core, on the op's main unit (MAC array or vector unit), within its span:
    /// busy + stall + idle = span (end_cycle − start_cycle).
    struct core_time {
        std::uint64_t busy_cycles = 0, stall_cycles = 0, idle_cycles = 0;
        std::uint64_t overflow_ps = 0; ///< busy + stalls beyond the span (0 when consistent)
    };
    std::vector<core_time> per_core;
};

/// Counters of one block instance ("core0.mac_array", "core1.dma0", "interconnect", "dram.ch2").
struct block_stats {
    std::string name;
    std::uint64_t busy_cycles = 0;  ///< cycles (core clock) the block was occupied
    std::uint64_t bytes = 0;        ///< bytes it moved or served (0 for compute units)
    std::uint64_t transactions = 0; ///< commands, bursts or accesses it served
};

/// Adds (sign > 0) or subtracts the counters of `b` to or from `a` (the span, stall and per-core
/// fields are not summable and stay as they are): a scenario's operators summed over their
/// inferences, or one counter snapshot taken from a later one.
inline void add_counters(op_stats &a, const op_stats &b, int sign = 1) {
    auto f = [sign](std::uint64_t &x, std::uint64_t y) { x = sign > 0 ? x + y : x - y; };
    f(a.macs, b.macs);
    f(a.mac_busy_cycles, b.mac_busy_cycles);
    f(a.mac_slot_cycles, b.mac_slot_cycles);
    f(a.vector_busy_cycles, b.vector_busy_cycles);
    f(a.vector_ops, b.vector_ops);
    a.vector_work += sign * b.vector_work;
    f(a.dma_busy_cycles, b.dma_busy_cycles);
    f(a.dram_bytes_read, b.dram_bytes_read);
    f(a.dram_bytes_written, b.dram_bytes_written);
    f(a.dram_busy_cycles, b.dram_busy_cycles);
    f(a.dram_row_hits, b.dram_row_hits);
    f(a.dram_row_misses, b.dram_row_misses);
    f(a.noc_bytes, b.noc_bytes);
    f(a.peer_bytes, b.peer_bytes);
    f(a.multicast_bytes, b.multicast_bytes);
    f(a.sram_bytes_read, b.sram_bytes_read);
    f(a.sram_bytes_written, b.sram_bytes_written);
}

struct run_stats {
    std::uint64_t cycles = 0;        ///< completion of the last command (core cycles)
    std::vector<op_stats> ops;       ///< indexed like program::ops
    std::vector<block_stats> blocks; ///< in a fixed order (cores, then shared blocks)
    std::uint64_t kernel_events = 0; ///< SystemC delta/timed notifications (speed diagnostics)
};

} // namespace arch
