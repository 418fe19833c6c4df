#include "arch/dram_scheduler.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace arch {

namespace {

class in_order final : public dram_scheduler {
public:
    in_order(const ops::dram_params &, const dram_timing &model) : m_model(model) {}
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
    const dram_timing &m_model;
};

class fr_fcfs final : public dram_scheduler {
public:
    fr_fcfs(const ops::dram_params &p, const dram_timing &model)
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

    const dram_timing &m_model;
    std::uint64_t m_ctrl_ps;
    std::uint32_t m_window, m_high, m_low;
};

template <class S>
std::unique_ptr<dram_scheduler> make(const ops::dram_params &p, const dram_timing &m) {
    return std::make_unique<S>(p, m);
}

} // namespace

const std::map<ops::dram_scheduler, dram_scheduler_factory> &dram_scheduler_registry() {
    static const std::map<ops::dram_scheduler, dram_scheduler_factory> r{
        {ops::dram_scheduler::in_order, &make<in_order>},
        {ops::dram_scheduler::fr_fcfs, &make<fr_fcfs>},
    };
    return r;
}

std::unique_ptr<dram_scheduler> make_dram_scheduler(const ops::dram_params &p,
                                                    const dram_timing &model) {
    const auto &r = dram_scheduler_registry();
    auto it = r.find(p.scheduler);
    if (it == r.end())
        throw std::logic_error("dram: no scheduler registered for this choice");
    return it->second(p, model);
}

} // namespace arch
