#include "arch/dram.h"

#include "arch/dram_models.h"
#include "arch/txn_ext.h"

#include <algorithm>
#include <stdexcept>

namespace arch {

dram::dram(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
           const ops::dram_params &p, op_ledger &ledger)
    : sim::block(name, clk), tsock("tsock"), m_p(p), m_ledger(ledger), m_kit(make(p)),
      m_ch(p.channels), m_stats(p.channels), m_il(p.interleave_bytes), m_nch(p.channels),
      m_row(p.row_bytes), m_stripe(std::uint64_t(p.interleave_bytes) * p.channels) {
    tsock.register_b_transport(this, &dram::b_transport);
}

std::string dram::channel_name(std::uint32_t c) const {
    return std::string(name()) + ".ch" + std::to_string(c);
}

template <class S, class M> dram::kit dram::make_kit(const ops::dram_params &p) {
    kit k;
    auto model = std::make_unique<M>(p);
    k.sched = std::make_unique<S>(p, *model);
    k.model = std::move(model);
    k.access = &dram::access_as<S>;
    k.access_group = &dram::access_group_as<S>;
    return k;
}

const std::map<std::pair<ops::dram_scheduler, ops::dram_model>, dram::kit_factory> &
dram::registry() {
    using sch = ops::dram_scheduler;
    using mod = ops::dram_model;
    static const std::map<std::pair<sch, mod>, kit_factory> r{
        {{sch::in_order, mod::simple}, &make_kit<in_order_scheduler<simple_dram>, simple_dram>},
        {{sch::in_order, mod::banked}, &make_kit<in_order_scheduler<banked_dram>, banked_dram>},
        {{sch::fr_fcfs, mod::simple}, &make_kit<fr_fcfs_scheduler<simple_dram>, simple_dram>},
        {{sch::fr_fcfs, mod::banked}, &make_kit<fr_fcfs_scheduler<banked_dram>, banked_dram>},
    };
    return r;
}

dram::kit dram::make(const ops::dram_params &p) {
    const auto &r = registry();
    auto it = r.find({p.scheduler, p.model});
    if (it == r.end())
        throw std::logic_error("dram: no scheduler/model pair registered for this choice");
    return it->second(p);
}

std::uint64_t dram::access(std::uint64_t arrival_ps, std::uint64_t addr, std::uint64_t bytes,
                           bool write, std::uint32_t op) {
    return (this->*m_kit.access)(arrival_ps, addr, bytes, write, op);
}

template <class S>
std::uint64_t dram::access_as(std::uint64_t arrival_ps, std::uint64_t addr, std::uint64_t bytes,
                              bool write, std::uint32_t op) {
    S &sched = static_cast<S &>(*m_kit.sched);
    const std::uint64_t il = m_il.value(), row = m_row.value();
    std::uint64_t done = arrival_ps;
    // Row hits served at once (serve_open_read) are counted here and charged at the end.
    std::uint64_t fast_hits = 0, fast_bus = 0;
    for (std::uint64_t a = addr, end = addr + bytes; a < end;) {
        const auto c = static_cast<std::uint32_t>(m_nch.mod(m_il.div(a)));
        const std::uint64_t local = m_stripe.div(a) * il + m_il.mod(a);
        const std::uint64_t len = std::min({end - a, il - m_il.mod(a), row - m_row.mod(local)});
        auto &s = m_stats[c];
        s.bytes += len;
        s.transactions += 1;
        const dram_piece piece{local, len, arrival_ps, write, op};
        dram_access fast;
        if (!write && sched.serve_open_read(m_ch[c], piece, fast)) {
            done = std::max(done, fast.done_ps);
            s.busy_ps += fast.bus_ps;
            s.hits += 1;
            fast_hits += 1;
            fast_bus += fast.bus_ps;
            if (m_ledger.tl)
                m_ledger.tl->dram_bus(c, fast.done_ps - fast.bus_ps, fast.bus_ps);
            a += len;
            continue;
        }
        m_served.clear();
        done = std::max(done, sched.serve(m_ch[c], piece, m_served));
        // Bus time, hits and misses go to the op of each piece put on the bus (a drained write
        // may belong to an earlier op).
        for (const auto &x : m_served) {
            s.busy_ps += x.a.bus_ps;
            s.hits += x.a.hit;
            s.misses += x.a.miss;
            auto &xo = m_ledger.ops[x.op];
            xo.dram_row_hits += x.a.hit;
            xo.dram_row_misses += x.a.miss;
            m_ledger.ps[x.op].dram_busy += x.a.bus_ps;
            if (m_ledger.tl)
                m_ledger.tl->dram_bus(c, x.a.done_ps - x.a.bus_ps, x.a.bus_ps);
        }
        a += len;
    }
    auto &o = m_ledger.ops[op];
    o.dram_row_hits += fast_hits;
    m_ledger.ps[op].dram_busy += fast_bus;
    (write ? o.dram_bytes_written : o.dram_bytes_read) += bytes;
    return done;
}

std::uint64_t dram::access_group(txn_ext &g, bool write) {
    return (this->*m_kit.access_group)(g, write);
}

template <class S> std::uint64_t dram::access_group_as(txn_ext &g, bool write) {
    // Burst by burst, each from its own arrival: the pieces and their order are those of one
    // call per burst. Each burst's completion is written over its arrival.
    std::uint64_t last = 0;
    for (std::uint32_t i = 0; i < g.bursts; ++i) {
        g.t_ps[i] = access_as<S>(g.t_ps[i], g.addr[i], g.len[i], write, g.op);
        last = std::max(last, g.t_ps[i]);
    }
    return last;
}

void dram::b_transport(tlm::tlm_generic_payload &p, sc_core::sc_time &delay) {
    auto *ext = p.get_extension<txn_ext>();
    const std::uint64_t now = txn_ext::now_of(ext, &now_ps);
    const std::uint32_t op = ext ? ext->op : 0;
    if (ext && ext->bursts > 0) {
        const std::uint64_t done = access_group(*ext, p.is_write());
        delay = ps(done - now);
        p.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    const std::uint64_t done =
        access(now + to_ps(delay), p.get_address(), p.get_data_length(), p.is_write(), op);
    delay = ps(done - now);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
}

} // namespace arch
