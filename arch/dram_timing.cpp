#include "arch/dram_timing.h"

#include "sim/fastdiv.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace arch {

namespace {

std::uint64_t ns_to_ps(double ns) {
    return static_cast<std::uint64_t>(std::llround(ns * 1000.0));
}

/// Common part: the channel data bus, bytes / (MT/s · bus_bits / 8), rounded up to whole ps so
/// the modelled bandwidth never exceeds the configured one, and its read/write turnarounds.
class bus_model : public dram_timing {
protected:
    explicit bus_model(const ops::dram_params &p)
        : m_ctrl_ps(ns_to_ps(p.controller_ns)), m_cl_ps(ns_to_ps(p.t_cl_ns)),
          m_rcd_ps(ns_to_ps(p.t_rcd_ns)), m_rp_ps(ns_to_ps(p.t_rp_ns)),
          m_wtr_ps(ns_to_ps(p.t_wtr_ns)), m_rtw_ps(ns_to_ps(p.t_rtw_ns)),
          m_bytes_per_us(double(p.mt_per_s) * p.bus_bits / 8.0), m_row_bytes(p.row_bytes),
          m_banks(p.banks), m_row_div(p.row_bytes), m_bank_div(p.banks),
          m_rowset_div(std::uint64_t(p.row_bytes) * p.banks),
          m_bus_table(std::min<std::uint64_t>(p.interleave_bytes, 1u << 16) + 1, 0) {}
    std::uint64_t bus_ps(std::uint64_t bytes) const {
        // A piece never exceeds the interleave (dram.h cuts there): its bus time comes from a
        // table filled on first use (a division and a ceil less per piece).
        if (bytes < m_bus_table.size()) {
            std::uint64_t &v = m_bus_table[bytes];
            if (v == 0)
                v = bus_ps_exact(bytes) + 1;
            return v - 1;
        }
        return bus_ps_exact(bytes);
    }
    std::uint64_t bus_ps_exact(std::uint64_t bytes) const {
        return static_cast<std::uint64_t>(std::ceil(double(bytes) * 1e6 / m_bytes_per_us - 1e-9));
    }
    /// Earliest column command of a read after the channel's last data: t_wtr after a write.
    std::uint64_t column_floor(const dram_channel_state &ch, bool write, std::uint64_t seq) const {
        return m_wtr_ps && !write && ch.bus_write && seq > 0 ? ch.bus_free_ps + m_wtr_ps : 0;
    }
    /// Earliest data of a transfer: the bus is free, t_rtw later for a write after a read.
    std::uint64_t data_floor(const dram_channel_state &ch, bool write, std::uint64_t seq) const {
        return ch.bus_free_ps + (m_rtw_ps && write && !ch.bus_write && seq > 0 ? m_rtw_ps : 0);
    }
    std::uint64_t m_ctrl_ps, m_cl_ps, m_rcd_ps, m_rp_ps, m_wtr_ps, m_rtw_ps;
    double m_bytes_per_us; ///< bytes per µs of one channel (= MB/s)
    std::uint64_t m_row_bytes, m_banks;
    sim::fastdiv m_row_div, m_bank_div, m_rowset_div; ///< row_bytes, banks, row_bytes·banks
    /// bus_ps + 1 by piece size up to the interleave (0 = not computed yet)
    mutable std::vector<std::uint64_t> m_bus_table;
};

class simple_model final : public bus_model {
public:
    explicit simple_model(const ops::dram_params &p) : bus_model(p) {}
    void serve(dram_channel_state &ch, std::uint64_t, std::uint64_t bytes, std::uint64_t arrival_ps,
               bool write, std::uint32_t, dram_access &r) const override {
        const std::uint64_t seq = ch.seq++;
        r = dram_access{};
        r.bus_ps = bus_ps(bytes);
        // The latency overlaps earlier transfers; only the data bus serialises.
        const std::uint64_t col = std::max(arrival_ps + m_ctrl_ps, column_floor(ch, write, seq));
        const std::uint64_t data = std::max(col + m_cl_ps, data_floor(ch, write, seq));
        ch.bus_free_ps = data + r.bus_ps;
        ch.bus_write = write;
        r.done_ps = ch.bus_free_ps;
    }
    std::uint64_t row_key(std::uint64_t) const override { return 0; }
};

class banked_model final : public bus_model {
public:
    explicit banked_model(const ops::dram_params &p)
        : bus_model(p), m_xor(p.map == ops::bank_map::xor_row) {}

    std::uint64_t row_key(std::uint64_t local_addr) const override {
        return row_of(local_addr) * m_banks + bank_of(local_addr);
    }

    void serve(dram_channel_state &ch, std::uint64_t local_addr, std::uint64_t bytes,
               std::uint64_t arrival_ps, bool write, std::uint32_t window,
               dram_access &r) const override {
        if (ch.banks.size() != m_banks)
            ch.banks.assign(m_banks, {});
        const std::uint64_t seq = ch.seq++;
        const std::uint64_t row = row_of(local_addr);
        auto &b = ch.banks[bank_of(local_addr)];
        auto &live = b.live;
        const std::uint64_t t = arrival_ps + m_ctrl_ps; // earliest command of this request
        // Row batching (docs/timing-model.md, DRAM scheduler). The controller leaves the open
        // row live[0] for the oldest waiting row live[1] when that one has been bypassed by
        // `window` younger requests, or when the open row had no request queued at its last
        // column command (this one arrived after it). With window = 1 the open row is left at
        // the next request: the in-order controller.
        while (live.size() >= 2 && (seq - live[1].first_seq >= window || t > live[0].last_cmd_ps))
            live.erase(live.begin());
        r = dram_access{};
        r.bus_ps = bus_ps(bytes);
        auto it = std::find_if(live.begin(), live.end(),
                               [&](const dram_channel_state::live_row &l) { return l.row == row; });
        std::uint64_t open = 0; // time to get the row open
        if (it != live.end()) {
            // The open row, or a row already waiting (its activation was charged to its first
            // request): served in that row's batch.
            r.hit = true;
        } else {
            r.miss = true;
            open = (live.empty() ? 0 : m_rp_ps) + m_rcd_ps;
            live.push_back({row, seq, 0});
            it = live.end() - 1;
        }
        const std::uint64_t cmd = std::max(t, b.ready_ps);
        const std::uint64_t col = std::max(cmd + open, column_floor(ch, write, seq));
        const std::uint64_t data = std::max(col + m_cl_ps, data_floor(ch, write, seq));
        ch.bus_free_ps = data + r.bus_ps;
        ch.bus_write = write;
        it->last_cmd_ps = col;
        // The next column command to this bank may issue so that its data follows this one's
        // (column commands pipeline under tCL); a new activation waits for this access to issue.
        b.ready_ps =
            std::max(cmd + open, data + r.bus_ps > m_cl_ps ? data + r.bus_ps - m_cl_ps : 0);
        r.done_ps = ch.bus_free_ps;
    }

    bool serve_open_read(dram_channel_state &ch, std::uint64_t local_addr, std::uint64_t bytes,
                         std::uint64_t arrival_ps, std::uint32_t window,
                         dram_access &r) const override {
        if (ch.banks.size() != m_banks)
            return false;
        auto &b = ch.banks[bank_of(local_addr)];
        auto &live = b.live;
        const std::uint64_t t = arrival_ps + m_ctrl_ps;
        // serve() when the open row is this one and stays open: a hit, no activation.
        if (live.empty() || live[0].row != row_of(local_addr) ||
            (live.size() >= 2 && (ch.seq - live[1].first_seq >= window || t > live[0].last_cmd_ps)))
            return false;
        const std::uint64_t seq = ch.seq++;
        r = dram_access{};
        r.hit = true;
        r.bus_ps = bus_ps(bytes);
        const std::uint64_t cmd = std::max(t, b.ready_ps);
        const std::uint64_t col = std::max(cmd, column_floor(ch, false, seq));
        const std::uint64_t data = std::max(col + m_cl_ps, data_floor(ch, false, seq));
        ch.bus_free_ps = data + r.bus_ps;
        ch.bus_write = false;
        live[0].last_cmd_ps = col;
        b.ready_ps = std::max(cmd, data + r.bus_ps > m_cl_ps ? data + r.bus_ps - m_cl_ps : 0);
        r.done_ps = ch.bus_free_ps;
        return true;
    }

private:
    // Channel-local address: row_bytes consecutive bytes form one row of one bank, the next
    // row_bytes go to the next bank, so a sequential stream stays in a row and then moves on to
    // another bank whose activation overlaps the current transfers.
    std::uint64_t row_of(std::uint64_t local) const { return m_rowset_div.div(local); }
    std::uint64_t bank_of(std::uint64_t local) const {
        const std::uint64_t b = m_bank_div.mod(m_row_div.div(local));
        return m_xor ? m_bank_div.mod(b ^ row_of(local)) : b;
    }
    bool m_xor;
};

template <class M> std::unique_ptr<dram_timing> make(const ops::dram_params &p) {
    return std::make_unique<M>(p);
}

} // namespace

const std::map<ops::dram_model, dram_timing_factory> &dram_timing_registry() {
    static const std::map<ops::dram_model, dram_timing_factory> r{
        {ops::dram_model::simple, &make<simple_model>},
        {ops::dram_model::banked, &make<banked_model>},
    };
    return r;
}

std::unique_ptr<dram_timing> make_dram_timing(const ops::dram_params &p) {
    const auto &r = dram_timing_registry();
    auto it = r.find(p.model);
    if (it == r.end())
        throw std::logic_error("dram: no timing model registered for this choice");
    return it->second(p);
}

} // namespace arch
