#pragma once
// Energy, static power and area as formulas over the chip description (DESIGN.md §10), SystemC-
// free: the report evaluates them from the blocks' counters. Every coefficient is a key of
// chip_desc (energy.*, leakage.*, area.*) with its source in docs/energy-area.md.
//
// Model: dynamic energy is a fixed energy per action (a MAC, an SRAM or DRAM byte, a vector
// element op, an interconnect byte, a clocked PE without a useful MAC), independent of the
// clock; static power is paid for the whole run by every part, busy or not (idle blocks are
// clock-gated, so they burn only leakage). Ignored: voltage and frequency scaling (a faster
// clock costs no extra energy per action), temperature feedback, power gating of idle cores,
// the vector unit's idle lanes, wire length growing with the array, and the DRAM devices'
// own background power (pj_per_dram_byte covers their access energy).

#include "ops/chip.h"

#include <cstdint>
#include <vector>

namespace ops {

/// One figure per part of the chip, all cores included: mm² in chip_area, W of leakage (and the
/// DRAM PHYs' PLL, DLL and bias, paid for the whole run) in chip_static_power.
struct chip_parts {
    double mac = 0;      ///< MAC arrays' PEs
    double sram = 0;     ///< scratchpads and the arrays' accumulators (cells and bank periphery)
    double vector = 0;   ///< vector units' lanes
    double dma = 0;      ///< DMA engines
    double noc = 0;      ///< the interconnect's core ports
    double dram_phy = 0; ///< DRAM PHYs and controllers
    double uncore = 0;   ///< fixed: command processors, clocking, debug, configuration
    double video_decoder = 0; ///< video decoder engines
    double image_unit = 0;    ///< image-unit engines (pre-processing)
    double total() const {
        return mac + sram + vector + dma + noc + dram_phy + uncore + video_decoder + image_unit;
    }
};
using area_breakdown = chip_parts; ///< mm²
using static_power = chip_parts;   ///< W
area_breakdown chip_area(const chip_desc &c);
static_power chip_static_power(const chip_desc &c);

/// KiB of SRAM on the chip: every core's scratchpad and its array's accumulators, and the
/// interconnect's multicast buffer.
double sram_kib(const chip_desc &c);
/// SRAM banks on the chip: every core's scratchpad banks and one accumulator bank per array,
/// and one for a multicast buffer.
std::uint64_t sram_banks(const chip_desc &c);

/// pJ per scratchpad byte read or written, for the chip's bank size:
/// energy.pj_per_sram_byte · (scratchpad.bank_bytes /
/// energy.sram_ref_bank_bytes)^energy.sram_bank_exponent.
double sram_pj_per_byte(const chip_desc &c);

/// Activity counters of one operator or of a whole run (the report's per-operator statistics).
struct activity {
    std::uint64_t macs = 0;       ///< useful MACs on the MAC arrays
    double vector_work = 0;       ///< Σ elements · vector_unit.cost of their function
    std::uint64_t sram_bytes = 0; ///< scratchpad bytes read + written
    std::uint64_t noc_bytes = 0;  ///< bytes through the interconnect
    std::uint64_t dram_bytes = 0; ///< DRAM bytes read + written
    /// cycles a core's MAC array was busy, summed over cores (the report's mac_busy_cycles):
    /// each clocks all rows·cols PEs; those without a useful MAC cost pj_per_idle_pe_cycle
    std::uint64_t mac_busy_cycles = 0;
};

/// pJ of each part. Dynamic parts come from the activity; static_ is the chip's static power
/// over `seconds`.
struct energy_breakdown {
    double mac = 0;     ///< useful MACs + the clock of PEs without one in busy array cycles
    double vector = 0;  ///< vector element ops
    double sram = 0;    ///< scratchpad bytes at sram_pj_per_byte
    double noc = 0;     ///< interconnect bytes
    double dram = 0;    ///< DRAM bytes
    double static_ = 0; ///< chip_static_power · seconds
    double dynamic() const { return mac + vector + sram + noc + dram; }
    double total() const { return dynamic() + static_; }
};

/// Energy of `a` with static power paid over `seconds` (for an operator: its static_cycles
/// from partition_run, converted by seconds_of; for a run: its latency).
energy_breakdown energy_of(const chip_desc &c, const activity &a, double seconds);

/// Seconds of `cycles` of the NN-core clock (clock_mhz).
double seconds_of(const chip_desc &c, std::uint64_t cycles);

/// [start, end) in cycles of one operator (the report's start_cycle, end_cycle).
struct op_span {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
};

/// Who pays the static power of each cycle of a run.
struct run_partition {
    /// per operator: the cycles it owns; Σ static_cycles = total cycles whenever there is at
    /// least one operator, so the operators' static energies add up to the run's
    std::vector<std::uint64_t> static_cycles;
    /// the part of them during which no operator was active (start-up, gaps, tail)
    std::uint64_t idle_cycles = 0;
};

/// Partitions [0, total_cycles) among the operators. An instant where operators are active
/// belongs to the earliest of them in program order (the later ones only prefetch): with spans
/// that start in program order this is end − max(start, the latest earlier end), the report's
/// exclusive_cycles. An instant with none active belongs to the operator that starts next (the
/// chip waits for it), or, after the last start, to the operator that ended last.
run_partition partition_run(const std::vector<op_span> &ops, std::uint64_t total_cycles);

} // namespace ops
