#pragma once
// Timing model of one DRAM channel, chosen by `dram.model` through dram::registry() (arch/dram.h;
// the classes are in arch/dram_models.h):
// "simple" = controller latency + tCL + data-bus occupancy; "banked" adds per-bank row buffers
// (hit tCL, miss tRP+tRCD+tCL, closed bank tRCD+tCL). Both keep timelines only (no stepping)
// and pay the read/write turnarounds t_wtr/t_rtw when the data bus changes direction. The
// banked model batches rows over a look-ahead window for the fr_fcfs scheduler
// (dram_scheduler.h); a window of 1 is the in-order controller.
// Ignored: refresh, tRAS/tWR/tCCD/tFAW, command-bus conflicts.

#include "ops/chip.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace arch {

/// State of one channel: the data bus timeline, each bank's rows, and the write buffer of the
/// fr_fcfs scheduler.
struct dram_channel_state {
    /// A row the controller has activated or will activate within its look-ahead window.
    struct live_row {
        std::uint64_t row = 0;
        std::uint64_t first_seq = 0;   ///< channel sequence number of its first request
        std::uint64_t last_cmd_ps = 0; ///< column command of its latest request
    };
    struct bank {
        /// [0] = the open row; the others wait for it, oldest first (only fr_fcfs has more than
        /// one at a time). Empty = never activated.
        std::vector<live_row> live;
        std::uint64_t ready_ps = 0; ///< earliest time the bank accepts its next command
    };
    /// A write posted in the fr_fcfs write buffer, not yet on the bus.
    struct buffered_write {
        std::uint64_t local = 0, bytes = 0, arrival_ps = 0;
        std::uint32_t op = 0;
        std::uint64_t row = 0; ///< dram_timing::row_key(local), computed once when buffered
    };
    std::uint64_t bus_free_ps = 0;
    bool bus_write = false; ///< direction of the last data on the bus
    std::uint64_t seq = 0;  ///< pieces served so far: the look-ahead window counts these
    std::vector<bank> banks;
    /// The write buffer, oldest first. Taking a write out only marks it (bytes 0); the dead are
    /// dropped 16 at a time, so the rest is not shifted per drained write (it was the DRAM
    /// path's largest copy).
    class write_buffer {
    public:
        bool empty() const { return m_n == 0; }
        std::size_t size() const { return m_n; }
        void push_back(const buffered_write &w) {
            m_v.push_back(w);
            ++m_n;
        }
        /// Index of the oldest write of `row`, else of the oldest write (not empty).
        std::size_t pick(std::uint64_t row) const {
            // The oldest write of the row taken last lies after it (every older one of that row
            // was taken before it; new ones are appended).
            const std::size_t from = row == m_hint_row ? std::max(m_hint, m_head) : m_head;
            for (std::size_t i = from; i < m_v.size(); ++i)
                if (m_v[i].bytes && m_v[i].row == row)
                    return i;
            return m_head;
        }
        buffered_write take(std::size_t i) {
            const buffered_write w = m_v[i];
            m_v[i].bytes = 0;
            m_hint = i;
            m_hint_row = w.row;
            --m_n;
            while (m_head < m_v.size() && m_v[m_head].bytes == 0)
                ++m_head;
            if (m_n == 0) {
                m_v.clear();
                m_head = 0;
                m_hint = 0;
            } else if (m_v.size() - m_n >= 16) {
                // Enough dead entries: drop them all at once (amortised, order kept).
                m_v.erase(std::remove_if(m_v.begin(), m_v.end(),
                                         [](const buffered_write &x) { return x.bytes == 0; }),
                          m_v.end());
                m_head = 0;
                m_hint = 0;
            }
            return w;
        }

    private:
        std::vector<buffered_write> m_v;
        std::size_t m_head = 0, m_n = 0;              ///< first live entry, live entries
        std::size_t m_hint = 0;                       ///< index of the write taken last
        std::uint64_t m_hint_row = ~std::uint64_t(0); ///< its row
    };
    write_buffer writes;
    std::deque<std::uint64_t> draining_done; ///< data end of drained writes holding a slot
    std::uint64_t last_drained_row = ~std::uint64_t(0);
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
    /// Serves `bytes` at channel-local address `local_addr` (interleave removed) arriving at
    /// `arrival_ps`, into `out`. `window` = requests of this channel the controller may look
    /// ahead over when it batches rows (1 = strictly in order). (The outcome is written in place,
    /// not returned: a 32-byte return value copied on into the scheduler's list cost a
    /// store-forwarding stall per piece, measured as the hottest spot of the DRAM path.)
    virtual void serve(dram_channel_state &ch, std::uint64_t local_addr, std::uint64_t bytes,
                       std::uint64_t arrival_ps, bool write, std::uint32_t window,
                       dram_access &out) const = 0;
    /// Serves a read exactly as serve() would (same window) when it is a hit on the bank's
    /// open row that stays open (no waiting row due to take over): no search, no activation.
    /// Returns false, changing nothing, otherwise (and always for a model without rows). The
    /// caller checks the scheduler's side (no buffered write that would drain first).
    virtual bool serve_open_read(dram_channel_state &, std::uint64_t, std::uint64_t, std::uint64_t,
                                 std::uint32_t, dram_access &) const {
        return false;
    }
    /// A key equal for two local addresses exactly when they fall in the same row of the same
    /// bank (always equal for a model without rows).
    virtual std::uint64_t row_key(std::uint64_t local_addr) const = 0;
};

} // namespace arch
