#pragma once
// Request order of one DRAM channel, chosen by `dram.scheduler` through dram::registry()
// (arch/dram.h; the classes are in arch/dram_models.h): "in_order" serves every request in arrival
// order; "fr_fcfs" lets row hits bypass older requests that wait for another row of their bank
// within a look-ahead window (read_queue_depth requests), and posts writes into a buffer that is
// drained, grouped by row, between two watermarks or while the channel idles. Requests still arrive
// one at a time (blocking b_transport) and each gets its completion at once, so the reordering is
// an approximation: docs/timing-model.md says what it does and ignores.

#include "arch/dram_timing.h"
#include "ops/chip.h"

#include <cstdint>
#include <vector>

namespace arch {

/// One request piece (inside one channel and one row).
struct dram_piece {
    std::uint64_t local = 0; ///< channel-local address
    std::uint64_t bytes = 0;
    std::uint64_t arrival_ps = 0;
    bool write = false;
    std::uint32_t op = 0;
};

/// A piece the channel put on its data bus, for the statistics of its operator.
struct dram_served {
    std::uint32_t op = 0;
    dram_access a;
};

class dram_scheduler {
public:
    virtual ~dram_scheduler() = default;
    /// Serves `r` on channel `ch`; returns its completion as the initiator sees it (for a
    /// posted write: its acceptance into the write buffer) and appends every piece the channel
    /// put on its bus meanwhile (this one, or buffered writes it drained) to `served`.
    virtual std::uint64_t serve(dram_channel_state &ch, const dram_piece &r,
                                std::vector<dram_served> &served) const = 0;
    /// Serves a read piece at once when no request could be reordered around it (the timing
    /// model's serve_open_read, and for fr_fcfs no buffered write that would drain first):
    /// the outcome serve() would give. Returns false, changing nothing, otherwise.
    virtual bool serve_open_read(dram_channel_state &ch, const dram_piece &r,
                                 dram_access &out) const = 0;
};

} // namespace arch
