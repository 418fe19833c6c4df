#include "arch/timeline_rec.h"

#include <algorithm>
#include <limits>

namespace arch {

namespace {
constexpr std::uint64_t unset = std::numeric_limits<std::uint64_t>::max();
} // namespace

std::uint32_t timeline_rec::add_track(const std::string &name, std::int32_t core) {
    m_tracks.push_back({name, core});
    m_open.push_back({0, 0, 0, 0, 0});
    return std::uint32_t(m_tracks.size() - 1);
}

void timeline_rec::set_dram(std::uint32_t channels, double channel_peak_gb_per_s) {
    m_bins.assign(channels, {});
    m_ch_peak = channel_peak_gb_per_s;
}

void timeline_rec::push_slice(const slice &s) {
    if (room())
        m_slices.push_back(s);
}

void timeline_rec::push_flow(const flow &f) {
    if (room())
        m_flows.push_back(f);
}

void timeline_rec::busy(std::uint32_t t, std::uint32_t op, std::uint64_t from, std::uint64_t to) {
    if (to <= from)
        return;
    if (m_detail == detail::tiles) {
        push_slice({from, to, op, t, 1});
        return;
    }
    slice &o = m_open[t];
    if (o.commands && o.op == op && from == o.to) {
        o.to = to;
        o.commands += 1;
        return;
    }
    if (o.commands)
        push_slice(o);
    o = {from, to, op, t, 1};
}

void timeline_rec::dram_bus(std::uint32_t ch, std::uint64_t from, std::uint64_t dur) {
    // Split the bus interval over the bins it covers, so that Σ bins = the channel's bus time.
    const std::uint64_t to = from + dur;
    while (to > 0 && (to - 1) / m_bin_ps >= max_bins) {
        // Twice as wide: merge neighbours in every channel.
        for (auto &b : m_bins) {
            for (std::size_t i = 0; 2 * i < b.size(); ++i)
                b[i] = b[2 * i] + (2 * i + 1 < b.size() ? b[2 * i + 1] : 0);
            b.resize((b.size() + 1) / 2);
        }
        m_bin_ps *= 2;
    }
    auto &b = m_bins[ch];
    for (std::uint64_t a = from; a < to;) {
        const std::uint64_t i = a / m_bin_ps;
        const std::uint64_t e = std::min(to, (i + 1) * m_bin_ps);
        if (b.size() <= i)
            b.resize(i + 1, 0);
        b[i] += e - a;
        a = e;
    }
}

void timeline_rec::load_wait(std::uint32_t core, const flow &f) {
    if (m_detail == detail::tiles) {
        push_flow(f);
        return;
    }
    if (m_open_flow.size() <= core) {
        m_open_flow.resize(core + 1);
        m_has_flow.resize(core + 1, 0);
    }
    flow &o = m_open_flow[core];
    if (m_has_flow[core] && o.op == f.op) {
        if (f.wait_ps > o.wait_ps)
            o = f;
        return;
    }
    if (m_has_flow[core])
        push_flow(o);
    o = f;
    m_has_flow[core] = 1;
}

void timeline_rec::command(std::uint32_t core, std::uint32_t op, std::uint64_t from,
                           std::uint64_t to) {
    if (m_cur.size() <= core) {
        m_cur.resize(core + 1);
        m_touched.resize(core + 1);
    }
    auto &cur = m_cur[core];
    if (cur.size() <= op)
        cur.resize(std::max<std::size_t>(op + 1, op_names.size()), {unset, 0, 0, 0});
    active &a = cur[op];
    if (a.from == unset) {
        a = {from, to, op, core};
        m_touched[core].push_back(op);
        return;
    }
    a.from = std::min(a.from, from);
    a.to = std::max(a.to, to);
}

void timeline_rec::end_stream(std::uint32_t core) {
    if (core >= m_cur.size())
        return;
    for (std::uint32_t op : m_touched[core]) {
        active &a = m_cur[core][op];
        if (room())
            m_active.push_back(a);
        a.from = unset;
    }
    m_touched[core].clear();
}

void timeline_rec::finish() {
    for (auto &o : m_open)
        if (o.commands) {
            push_slice(o);
            o.commands = 0;
        }
    for (std::size_t c = 0; c < m_open_flow.size(); ++c)
        if (m_has_flow[c]) {
            push_flow(m_open_flow[c]);
            m_has_flow[c] = 0;
        }
    for (std::uint32_t c = 0; c < m_cur.size(); ++c)
        end_stream(c);
}

} // namespace arch
