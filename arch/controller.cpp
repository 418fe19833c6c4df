#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "arch/controller.h"

#include "sim/errors.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace arch {

namespace {
std::string where(std::uint32_t core, std::size_t i) {
    return "streams[" + std::to_string(core) + "][" + std::to_string(i) + "]";
}
} // namespace

controller::controller(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                       const ops::controller_params &p, std::uint32_t core,
                       const std::vector<ops::command> &stream, std::vector<dma *> dmas,
                       mac_array &mac, vector_unit &vec, barrier_hub &hub, op_ledger &ledger)
    : sim::block(name, clk), m_p(p), m_core(core), m_stream(&stream), m_launched(false),
      m_dmas(std::move(dmas)), m_mac(mac), m_vec(vec), m_hub(hub), m_ledger(ledger),
      m_queues(q_dma0 + m_dmas.size()), m_done(stream.size(), 0), m_done_ps(stream.size(), 0),
      m_tl(ledger.tl) {
    add_tracks();
    validate(stream);
    partition();
    for (const auto &c : stream)
        if (c.kind == ops::cmd_kind::barrier)
            hub.expect(c.barrier_id);
    m_gen = 1;
    m_remaining = stream.size();
    spawn(false);
}

controller::controller(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                       const ops::controller_params &p, std::uint32_t core, std::vector<dma *> dmas,
                       mac_array &mac, vector_unit &vec, barrier_hub &hub, op_ledger &ledger)
    : sim::block(name, clk), m_p(p), m_core(core), m_stream(nullptr), m_launched(true),
      m_dmas(std::move(dmas)), m_mac(mac), m_vec(vec), m_hub(hub), m_ledger(ledger),
      m_queues(q_dma0 + m_dmas.size()), m_tl(ledger.tl) {
    add_tracks();
    spawn(true);
}

void controller::add_tracks() {
    if (!m_tl)
        return;
    const auto core = std::int32_t(m_core);
    m_tr_mac = m_tl->add_track(m_mac.name(), core);
    m_tr_vec = m_tl->add_track(m_vec.name(), core);
    for (const auto *d : m_dmas)
        m_tr_dma.push_back(m_tl->add_track(d->name(), core));
}

void controller::validate(const std::vector<ops::command> &stream) const {
    const std::string prog = "<program>";
    for (std::size_t i = 0; i < stream.size(); ++i) {
        const auto &c = stream[i];
        if (c.op >= m_ledger.ops.size())
            throw sim::input_error(prog, where(m_core, i) + ".op",
                                   "expected an operator id below " +
                                       std::to_string(m_ledger.ops.size()));
        for (auto d : c.deps)
            if (d >= i)
                throw sim::input_error(prog, where(m_core, i) + ".deps",
                                       "expected indices of earlier commands, found " +
                                           std::to_string(d));
        switch (c.kind) {
        case ops::cmd_kind::load:
        case ops::cmd_kind::store:
            if (c.engine >= m_dmas.size())
                throw sim::input_error(prog, where(m_core, i) + ".engine",
                                       "expected a DMA engine below " +
                                           std::to_string(m_dmas.size()));
            break;
        case ops::cmd_kind::compute:
            if (c.unit != ops::unit_kind::mac_array && c.unit != ops::unit_kind::vector_unit)
                throw sim::input_error(prog, where(m_core, i) + ".unit",
                                       "expected mac_array or vector_unit for a compute command");
            break;
        case ops::cmd_kind::barrier:
            break;
        }
    }
}

void controller::partition() {
    for (auto &q : m_queues)
        q.clear();
    const auto &stream = *m_stream;
    for (std::size_t i = 0; i < stream.size(); ++i) {
        const auto &c = stream[i];
        std::uint32_t q = q_controller;
        if (c.kind == ops::cmd_kind::load || c.kind == ops::cmd_kind::store)
            q = q_dma0 + c.engine;
        else if (c.kind == ops::cmd_kind::compute)
            q = c.unit == ops::unit_kind::mac_array ? q_mac : q_vector;
        m_queues[q].push_back(static_cast<std::uint32_t>(i));
    }
    m_mac_inflight.clear();
    m_mac_head = 0;
    m_mac_inflight.reserve(m_queues[q_mac].size());
}

void controller::spawn(bool all) {
    m_wait_on.assign(m_queues.size(), no_wait);
    for (std::uint32_t q = 0; q < m_queues.size(); ++q)
        m_dep_ev.push_back(
            std::make_unique<sc_core::sc_event>(("dep" + std::to_string(q)).c_str()));
    // One thread per queue that has work (static mode: an idle queue costs nothing), or per
    // queue (launched mode: later streams may use any).
    for (std::uint32_t q = 0; q < m_queues.size(); ++q) {
        if (!all && m_queues[q].empty())
            continue;
        sc_core::sc_spawn_options opt;
        sc_core::sc_spawn(sc_bind(&controller::run_queue, this, q),
                          ("q" + std::to_string(q)).c_str(), &opt);
    }
    if (all || !m_queues[q_mac].empty()) {
        sc_core::sc_spawn_options opt;
        sc_core::sc_spawn(sc_bind(&controller::run_mac_completions, this), "mac_done", &opt);
    }
}

void controller::launch(const std::vector<ops::command> &stream) {
    if (!m_launched || m_remaining)
        throw std::logic_error("controller: launch on a static or busy controller");
    m_stream = &stream;
    partition();
    m_done.assign(stream.size(), 0);
    m_done_ps.assign(stream.size(), 0);
    for (const auto &c : stream)
        if (c.kind == ops::cmd_kind::barrier)
            m_hub.expect(c.barrier_id);
    m_remaining = stream.size();
    m_gen += 1;
    if (stream.empty()) {
        if (m_on_idle)
            m_on_idle(m_core);
        return;
    }
    m_launch_ev.notify(sc_core::SC_ZERO_TIME);
}

std::size_t controller::pending() const {
    std::size_t n = 0;
    for (auto d : m_done)
        n += d == 0;
    return n;
}

void controller::wait_ready(std::uint32_t q, std::uint32_t idx, bool compute,
                            timeline_rec::flow *fl) {
    const auto &c = (*m_stream)[idx];
    const std::uint64_t free_ps = now_ps(); // the queue is free for this command from now
    for (;;) {
        std::uint32_t missing = no_wait;
        for (auto d : c.deps)
            if (!m_done[d]) {
                missing = d;
                break;
            }
        if (missing == no_wait)
            break;
        // Woken by that command's completion only (not by every completion of the core).
        m_wait_on[q] = missing;
        sc_core::wait(*m_dep_ev[q]);
    }
    m_wait_on[q] = no_wait;
    // The last dependency to complete (ties: the later command) completed at deps_ps (0: none).
    // The controller issues a command issue_cycles after its deps completed, overlapping its
    // predecessor in the queue.
    std::uint64_t deps_ps = 0;
    std::uint32_t last = 0;
    for (auto d : c.deps)
        if (m_done_ps[d] >= deps_ps) {
            deps_ps = m_done_ps[d];
            last = d;
        }
    const std::uint64_t ready_ps = now_ps();
    const bool mac = c.unit == ops::unit_kind::mac_array;
    // A stall is time the op's main unit had nothing to do while this command waited: from
    // when the queue was free and the unit idle (the MAC array may still be finishing the
    // previous tile) until the deps completed. Clipped to the op's span at the end of the run.
    const std::uint64_t from = mac ? std::max(free_ps, m_mac.busy_until_ps()) : free_ps;
    if (compute && ready_ps > from && m_ledger.is_main(c.op, mac ? 0 : 1)) {
        // Charge the wait to the last dependency to complete.
        const auto &l = (*m_stream)[last];
        stall_cause cause = stall_cause::dependency;
        if (l.kind == ops::cmd_kind::load || l.kind == ops::cmd_kind::store)
            cause = stall_cause::dma;
        else if (l.kind == ops::cmd_kind::compute && l.unit == ops::unit_kind::vector_unit && mac)
            cause = stall_cause::vector;
        m_ledger.stall(c.op, m_core, cause, from, ready_ps);
        if (fl && cause == stall_cause::dma && m_done_ps[last] > 0) {
            // The arrow leaves the load's slice just before its end.
            fl->src_ps = m_done_ps[last] - 1;
            fl->src_track = m_tr_dma[l.engine];
            fl->op = c.op;
            fl->wait_ps = ready_ps - from;
        }
    }
    const std::uint64_t start_ps = deps_ps + std::uint64_t(m_p.issue_cycles) * m_clk.period_ps();
    if (start_ps > ready_ps)
        wait(ps(start_ps - ready_ps));
    m_stats.issue_cycles += m_p.issue_cycles;
}

void controller::complete(std::uint32_t idx, std::uint64_t start_ps) {
    const std::uint64_t t = now_ps();
    m_done[idx] = 1;
    m_done_ps[idx] = t;
    if (t > m_last_done_ps)
        m_last_done_ps = t;
    m_stats.commands += 1;
    m_ledger.span((*m_stream)[idx].op, start_ps, t);
    for (std::size_t q = 0; q < m_wait_on.size(); ++q)
        if (m_wait_on[q] == idx)
            m_dep_ev[q]->notify(sc_core::SC_ZERO_TIME);
    if (m_tl)
        m_tl->command(m_core, (*m_stream)[idx].op, start_ps, t);
    if (--m_remaining == 0) {
        if (m_tl)
            m_tl->end_stream(m_core);
        if (m_on_idle)
            m_on_idle(m_core);
    }
}

bool controller::next_launch(std::uint64_t &ran) {
    // `ran`: the launch this thread ran last; a launch during that run is run next.
    while (m_gen == ran) {
        if (!m_launched)
            return false;
        sc_core::wait(m_launch_ev);
    }
    ran = m_gen;
    return true;
}

void controller::run_queue(std::uint32_t q) {
    for (std::uint64_t ran = 0; next_launch(ran);)
        run_queue_once(q);
}

void controller::run_queue_once(std::uint32_t q) {
    for (std::uint32_t idx : m_queues[q]) {
        const auto &c = (*m_stream)[idx];
        timeline_rec::flow fl;
        wait_ready(q, idx, c.kind == ops::cmd_kind::compute, m_tl ? &fl : nullptr);
        const std::uint64_t start = now_ps();
        switch (c.kind) {
        case ops::cmd_kind::load:
        case ops::cmd_kind::store:
            m_dmas[c.engine]->execute(c);
            if (m_tl)
                m_tl->busy(m_tr_dma[c.engine], c.op, start, now_ps());
            break;
        case ops::cmd_kind::compute:
            if (q == q_mac) {
                // The array takes the next tile before this one's results are out.
                const auto r = m_mac.issue(c);
                m_ledger.unit_busy(c.op, m_core, 0, r.busy_add_ps);
                if (m_ledger.is_main(c.op, 0))
                    m_ledger.stall(c.op, m_core, stall_cause::bank_conflict, r.conflict_from_ps,
                                   r.conflict_to_ps);
                if (m_tl && r.busy_add_ps) {
                    const std::uint64_t from = r.done_ps - r.busy_add_ps;
                    m_tl->busy(m_tr_mac, c.op, from, r.done_ps);
                    if (fl.wait_ps) {
                        fl.dst_ps = from;
                        fl.dst_track = m_tr_mac;
                        m_tl->load_wait(m_core, fl);
                    }
                }
                m_mac_inflight.push_back({idx, start, r.done_ps});
                m_mac_ev.notify(sc_core::SC_ZERO_TIME);
                continue;
            } else {
                const auto r = m_vec.execute(c);
                m_ledger.unit_busy(c.op, m_core, 1, r.busy_ps);
                if (m_tl) {
                    const std::uint64_t from = start + r.read_conflict;
                    m_tl->busy(m_tr_vec, c.op, from, from + r.busy_ps);
                    if (fl.wait_ps) {
                        fl.dst_ps = from;
                        fl.dst_track = m_tr_vec;
                        m_tl->load_wait(m_core, fl);
                    }
                }
                if (m_ledger.is_main(c.op, 1)) {
                    m_ledger.stall(c.op, m_core, stall_cause::bank_conflict, start,
                                   start + r.read_conflict);
                    const std::uint64_t end = now_ps();
                    m_ledger.stall(c.op, m_core, stall_cause::bank_conflict, end - r.write_conflict,
                                   end);
                }
            }
            break;
        case ops::cmd_kind::barrier:
            m_hub.arrive(c.barrier_id);
            while (!m_hub.done(c.barrier_id))
                sc_core::wait(m_hub.event());
            break;
        }
        complete(idx, start);
    }
}

void controller::run_mac_completions() {
    for (std::uint64_t ran = 0; next_launch(ran);)
        run_mac_completions_once();
}

void controller::run_mac_completions_once() {
    for (std::size_t n = 0; n < m_queues[q_mac].size(); ++n) {
        while (m_mac_head == m_mac_inflight.size())
            sc_core::wait(m_mac_ev);
        const mac_inflight f = m_mac_inflight[m_mac_head++];
        const std::uint64_t t = now_ps();
        if (f.done_ps > t)
            wait(ps(f.done_ps - t));
        if (const std::uint64_t wc = m_mac.finish((*m_stream)[f.idx]))
            wait(ps(wc));
        complete(f.idx, f.start_ps);
    }
}

} // namespace arch
