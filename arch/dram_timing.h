#pragma once
// Timing model of one DRAM channel, chosen by `dram.model` through dram_timing_registry():
// "simple" = controller latency + tCL + data-bus occupancy; "banked" adds per-bank row buffers
// (hit tCL, miss tRP+tRCD+tCL, closed bank tRCD+tCL). Both keep timelines only (no stepping).
// Ignored: refresh, tRAS/tWR/tCCD/tFAW, write-to-read turnaround, command-bus conflicts.

#include "ops/chip.h"

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace arch {

/// State of one channel: the data bus timeline and, for the banked model, each bank's row.
struct dram_channel_state {
    static constexpr std::uint64_t no_row = ~std::uint64_t(0);
    struct bank {
        std::uint64_t open_row = no_row;
        std::uint64_t ready_ps = 0; ///< earliest time the bank accepts its next command
    };
    std::uint64_t bus_free_ps = 0;
    std::vector<bank> banks;
};

/// Outcome of one access (a piece of a burst inside one channel and one row).
struct dram_access {
    std::uint64_t done_ps = 0; ///< last data beat on the bus
    std::uint64_t bus_ps = 0;  ///< data-bus occupancy
    bool hit = false;
    bool miss = false; ///< row activation needed (closed bank or another row open)
};

class dram_timing {
public:
    virtual ~dram_timing() = default;
    /// `local_addr` is the address inside the channel (interleave removed).
    virtual dram_access serve(dram_channel_state &ch, std::uint64_t local_addr, std::uint64_t bytes,
                              std::uint64_t arrival_ps) const = 0;
};

using dram_timing_factory = std::unique_ptr<dram_timing> (*)(const ops::dram_params &);

/// The registry of models, keyed by the config's choice (built on first use, no static init).
const std::map<ops::dram_model, dram_timing_factory> &dram_timing_registry();
std::unique_ptr<dram_timing> make_dram_timing(const ops::dram_params &p);

} // namespace arch
