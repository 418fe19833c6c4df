#pragma once
// What a run's timeline (qcsim run/scenario --timeline, docs/timeline.md) is made of, recorded
// while the chip runs: busy intervals per track (one track per block instance that executes
// work: coreN.mac_array, coreN.vector_unit, coreN.dmaE, video_decoderN, image_unitN), the
// DRAM channels' data-bus time per time bin, each operator's active interval per core (for the
// scratchpad occupancy counter) and flow arrows from a load to the compute that waited for it.
// The blocks reach it through op_ledger::tl, which is null when no timeline was asked for: a
// run without one pays a pointer test per command and per DRAM piece, and nothing else.
//
// Two levels of detail. tiles: one slice per command (MAC or vector tile, DMA command, pixel
// job) and one flow per DMA stall. summary: consecutive intervals of the same operator on a
// track that touch (the next starts where the previous ended) are merged into one slice, and
// one flow per operator run on a core (its longest DMA wait) is kept. Merging only touching
// intervals keeps the identity the tests check: per operator and track, Σ slice durations =
// the busy time the ledger charged (no idle time is ever drawn as busy).
//
// Memory is bounded: past `max_events` events the recorder stops storing (it keeps counting),
// and the writer refuses the timeline with the count.

#include <cstdint>
#include <string>
#include <vector>

namespace arch {

class timeline_rec {
public:
    enum class detail : std::uint8_t { summary, tiles };

    struct slice {
        std::uint64_t from = 0, to = 0; ///< ps
        std::uint32_t op = 0, track = 0;
        std::uint32_t commands = 1; ///< commands merged into it
    };
    struct flow {
        std::uint64_t src_ps = 0, dst_ps = 0; ///< inside the load's slice / the compute's start
        std::uint32_t src_track = 0, dst_track = 0, op = 0;
        std::uint64_t wait_ps = 0; ///< the stall the compute took waiting for the load
    };
    struct active {
        std::uint64_t from = 0, to = 0; ///< ps
        std::uint32_t op = 0, core = 0;
    };
    struct track {
        std::string name; ///< the block's public instance name
        std::int32_t core = -1;
    };

    timeline_rec(detail d, std::uint64_t max_events) : m_detail(d), m_max(max_events) {}

    detail level() const { return m_detail; }

    // ---- set-up (before the run) -------------------------------------------------------
    /// Names and types of the ledger's operators, and each one's planned scratchpad peak.
    std::vector<std::string> op_names, op_types;
    std::vector<std::uint64_t> op_sram_bytes;
    /// Registers a track; returns its id (ids are the display order).
    std::uint32_t add_track(const std::string &name, std::int32_t core = -1);
    /// DRAM channels, for the bandwidth counters.
    void set_dram(std::uint32_t channels, double channel_peak_gb_per_s);

    // ---- recording (hot path; only called when a timeline was asked for) ----------------
    /// Track `t` was busy with operator `op` over [from, to) ps. Intervals of one track must
    /// come in time order (they do: each track is one in-order queue).
    void busy(std::uint32_t t, std::uint32_t op, std::uint64_t from, std::uint64_t to);
    /// Channel `ch`'s data bus carried data over [from, from + dur) ps.
    void dram_bus(std::uint32_t ch, std::uint64_t from, std::uint64_t dur);
    /// A compute of `op` on `core` waited `wait_ps` for a load.
    void load_wait(std::uint32_t core, const flow &f);
    /// A command of `op` on `core` ran over [from, to): the op is active on the core.
    void command(std::uint32_t core, std::uint32_t op, std::uint64_t from, std::uint64_t to);
    /// The core finished a launched stream (or the static one): its active intervals close.
    void end_stream(std::uint32_t core);
    /// Closes every open slice, flow and active interval (after the run).
    void finish();

    // ---- results ------------------------------------------------------------------------
    const std::vector<track> &tracks() const { return m_tracks; }
    const std::vector<slice> &slices() const { return m_slices; }
    const std::vector<flow> &flows() const { return m_flows; }
    const std::vector<active> &actives() const { return m_active; }
    std::uint32_t dram_channels() const { return std::uint32_t(m_bins.size()); }
    double dram_channel_peak_gb_per_s() const { return m_ch_peak; }
    /// Bin width of the DRAM counters (ps): starts at 1 µs and doubles whenever a channel
    /// would need more than max_bins bins, so their size is bounded for any run length.
    std::uint64_t bin_ps() const { return m_bin_ps; }
    /// Data-bus ps per bin of channel `ch`.
    const std::vector<std::uint64_t> &bins(std::uint32_t ch) const { return m_bins[ch]; }
    /// Events recorded (slices, flows, actives), counted even past the cap.
    std::uint64_t events() const { return m_events; }
    bool overflowed() const { return m_events > m_max; }
    std::uint64_t max_events() const { return m_max; }

    static constexpr std::size_t max_bins = 4096;
    static constexpr std::uint64_t first_bin_ps = 1000000; ///< 1 µs

private:
    bool room() { return ++m_events <= m_max; }
    void push_slice(const slice &s);
    void push_flow(const flow &f);

    detail m_detail;
    std::uint64_t m_max;
    std::uint64_t m_events = 0;
    std::vector<track> m_tracks;
    std::vector<slice> m_open; ///< per track: the slice being merged (summary), commands = 0: none
    std::vector<slice> m_slices;
    std::vector<flow> m_flows;
    std::vector<flow> m_open_flow;        ///< per core (summary): the longest wait of the op run
    std::vector<std::uint8_t> m_has_flow; ///< per core
    std::vector<active> m_active;
    /// Per core: this stream's active interval of each op (indexed by op), and the ops touched.
    std::vector<std::vector<active>> m_cur;
    std::vector<std::vector<std::uint32_t>> m_touched;
    double m_ch_peak = 0;
    std::uint64_t m_bin_ps = first_bin_ps;
    std::vector<std::vector<std::uint64_t>> m_bins;
};

} // namespace arch
