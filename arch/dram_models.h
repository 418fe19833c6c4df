#pragma once
// The DRAM timing models (dram_timing.h) and request schedulers (dram_scheduler.h) as concrete
// classes, each scheduler a template on its model: arch/dram.cpp instantiates its piece loop
// per (scheduler, model) pair, so the per-piece calls are direct and inlined (they were two to
// four virtual calls per piece). docs/timing-model.md, DRAM, states the rules they implement.

#include "arch/dram_scheduler.h"
#include "arch/dram_timing.h"
#include "ops/chip.h"
#include "sim/fastdiv.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace arch {

inline std::uint64_t dram_ns_to_ps(double ns) {
    return static_cast<std::uint64_t>(std::llround(ns * 1000.0));
}

/// Common part: the channel data bus, bytes / (MT/s · bus_bits / 8), rounded up to whole ps so
/// the modelled bandwidth never exceeds the configured one, and its read/write turnarounds.
class dram_bus_model : public dram_timing {
public:
    explicit dram_bus_model(const ops::dram_params &p)
        : m_ctrl_ps(dram_ns_to_ps(p.controller_ns)), m_cl_ps(dram_ns_to_ps(p.t_cl_ns)),
          m_rcd_ps(dram_ns_to_ps(p.t_rcd_ns)), m_rp_ps(dram_ns_to_ps(p.t_rp_ns)),
          m_wtr_ps(dram_ns_to_ps(p.t_wtr_ns)), m_rtw_ps(dram_ns_to_ps(p.t_rtw_ns)),
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

class simple_dram final : public dram_bus_model {
public:
    explicit simple_dram(const ops::dram_params &p) : dram_bus_model(p) {}
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

class banked_dram final : public dram_bus_model {
public:
    explicit banked_dram(const ops::dram_params &p)
        : dram_bus_model(p), m_xor(p.map == ops::bank_map::xor_row) {}

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

template <class M> class in_order_scheduler final : public dram_scheduler {
public:
    in_order_scheduler(const ops::dram_params &, const M &model) : m_model(model) {}
    std::uint64_t serve(dram_channel_state &ch, const dram_piece &r,
                        std::vector<dram_served> &served) const override {
        dram_served &s = served.emplace_back();
        s.op = r.op;
        m_model.serve(ch, r.local, r.bytes, r.arrival_ps, r.write, 1, s.a);
        return s.a.done_ps;
    }
    bool serve_open_read(dram_channel_state &ch, const dram_piece &r,
                         dram_access &out) const override {
        return m_model.serve_open_read(ch, r.local, r.bytes, r.arrival_ps, 1, out);
    }

private:
    const M &m_model;
};

template <class M> class fr_fcfs_scheduler final : public dram_scheduler {
public:
    fr_fcfs_scheduler(const ops::dram_params &p, const M &model)
        : m_model(model), m_ctrl_ps(std::uint64_t(std::llround(p.controller_ns * 1000.0))),
          m_window(p.read_queue_depth), m_high(p.write_high_watermark),
          m_low(p.write_low_watermark) {}

    std::uint64_t serve(dram_channel_state &ch, const dram_piece &r,
                        std::vector<dram_served> &served) const override {
        drain_while_idle(ch, r.arrival_ps, served);
        if (!r.write) {
            dram_served &s = served.emplace_back();
            s.op = r.op;
            m_model.serve(ch, r.local, r.bytes, r.arrival_ps, false, m_window, s.a);
            return s.a.done_ps;
        }
        // A posted write is accepted when the buffer has a slot: a drained write holds its slot
        // until its data is on the bus (draining_done is ascending: the bus is in order).
        const std::uint64_t t = r.arrival_ps + m_ctrl_ps;
        while (!ch.draining_done.empty() && ch.draining_done.front() <= t)
            ch.draining_done.pop_front();
        std::uint64_t ack = t;
        const std::size_t held = ch.writes.size() + ch.draining_done.size();
        if (held >= m_high)
            ack = std::max(t, ch.draining_done[held - m_high]);
        ch.writes.push_back({r.local, r.bytes, r.arrival_ps, r.op, m_model.row_key(r.local)});
        if (ch.writes.size() >= m_high) {
            // High watermark: the controller turns the bus to writes now and drains down to the
            // low watermark; reads arriving meanwhile wait behind the batch.
            const std::size_t n = ch.writes.size() - m_low;
            for (std::size_t i = 0; i < n; ++i)
                drain_one(ch, r.arrival_ps, served);
        }
        return ack;
    }

    bool serve_open_read(dram_channel_state &ch, const dram_piece &r,
                         dram_access &out) const override {
        // serve() would first drain buffered writes if the bus idled before the read arrived.
        if (!ch.writes.empty() && ch.bus_free_ps < r.arrival_ps)
            return false;
        return m_model.serve_open_read(ch, r.local, r.bytes, r.arrival_ps, m_window, out);
    }

private:
    /// The channel's bus idled before `now` with writes buffered: a controller with no read to
    /// serve drains them then. Drains while the bus is free before `now` (the last may run past
    /// it, as a write in progress when a read arrives).
    void drain_while_idle(dram_channel_state &ch, std::uint64_t now,
                          std::vector<dram_served> &served) const {
        while (!ch.writes.empty() && ch.bus_free_ps < now)
            drain_one(ch, 0, served);
    }

    /// Puts one buffered write on the bus, no earlier than `from_ps`: the next one of the row
    /// drained last if any is buffered (row hits first), else the oldest.
    void drain_one(dram_channel_state &ch, std::uint64_t from_ps,
                   std::vector<dram_served> &served) const {
        const dram_channel_state::buffered_write w =
            ch.writes.take(ch.writes.pick(ch.last_drained_row));
        ch.last_drained_row = w.row;
        dram_served &s = served.emplace_back();
        s.op = w.op;
        m_model.serve(ch, w.local, w.bytes, std::max(w.arrival_ps, from_ps), true, m_window, s.a);
        ch.draining_done.push_back(s.a.done_ps);
    }

    const M &m_model;
    std::uint64_t m_ctrl_ps;
    std::uint32_t m_window, m_high, m_low;
};

} // namespace arch
