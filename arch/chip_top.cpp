#include "arch/chip_top.h"

#include "sim/errors.h"

#include <algorithm>
#include <string>

namespace arch {

chip_top::chip_top(const ops::chip_desc &chip, const ops::program &prog, bool launched,
                   timeline_rec *tl)
    : m_chip(chip), m_prog(prog), m_clk(chip.clock_mhz), m_n_ops(prog.ops.size()),
      m_ledger(std::max<std::size_t>(prog.ops.size(), 1), chip.cores),
      m_noc("interconnect", m_clk, chip.interconnect, m_ledger),
      m_dram("dram", m_clk, chip.dram, m_ledger) {
    if (prog.streams.size() > chip.cores)
        throw sim::input_error("<program>", "streams",
                               "expected at most " + std::to_string(chip.cores) +
                                   " command streams (one per core), found " +
                                   std::to_string(prog.streams.size()));
    // An op-less program may still carry commands for op 0 in testbenches; the ledger keeps one
    // slot so they have somewhere to go, but controller validation uses the real count.
    if (prog.ops.empty())
        for (const auto &s : prog.streams)
            if (!s.empty())
                throw sim::input_error("<program>", "ops", "expected operators for the commands");
    for (std::size_t i = 0; i < prog.ops.size(); ++i)
        m_ledger.main_unit[i] = prog.ops[i].unit == ops::unit_kind::vector_unit ? 1 : 0;
    if (tl) {
        m_ledger.tl = tl;
        for (const auto &o : prog.ops) {
            tl->op_names.push_back(o.name);
            tl->op_types.push_back(o.type);
            tl->op_sram_bytes.push_back(o.sram_peak_bytes);
        }
        tl->set_dram(chip.dram.channels, double(chip.dram.mt_per_s) * chip.dram.bus_bits / 8e3);
    }
    std::vector<sram *> peers;
    for (std::uint32_t c = 0; c < chip.cores; ++c) {
        const auto &stream = c < prog.streams.size() ? prog.streams[c] : m_empty;
        const std::string n = "core" + std::to_string(c);
        m_cores.push_back(std::make_unique<nn_core>(n.c_str(), m_clk, chip, c,
                                                    launched ? nullptr : &stream, m_hub, m_ledger));
        auto &core = *m_cores.back();
        for (std::size_t e = 0; e < core.engines(); ++e)
            core.engine(e).isock.bind(m_noc.tsock);
        peers.push_back(&core.scratchpad());
    }
    m_noc.set_peers(std::move(peers));
    m_noc.isock.bind(m_dram.tsock);
}

void chip_top::check_done() const {
    for (std::size_t c = 0; c < m_cores.size(); ++c) {
        const std::size_t p = m_cores[c]->ctl().pending();
        if (p)
            throw sim::input_error("<program>", "streams[" + std::to_string(c) + "]",
                                   std::to_string(p) +
                                       " commands never completed: a barrier that some core never "
                                       "reaches, or a dependency on a command that cannot run");
    }
}

run_stats chip_top::collect() const {
    run_stats r;
    const std::uint64_t per = m_clk.period_ps();
    auto cyc = [per](std::uint64_t ps) { return (ps + per / 2) / per; };
    std::uint64_t last = 0;
    for (const auto &c : m_cores)
        last = std::max(last, c->ctl().last_done_ps());
    r.cycles = (last + per - 1) / per;
    r.ops = m_ledger.finish(m_clk);
    r.ops.resize(m_n_ops);

    for (const auto &c : m_cores) {
        const std::string base = c->name();
        const auto &ct = c->ctl().stat();
        r.blocks.push_back({base + ".controller", ct.issue_cycles, 0, ct.commands});
        for (std::size_t e = 0; e < c->engines(); ++e) {
            const auto &s = c->engine(e).stat();
            r.blocks.push_back({c->engine(e).name(), cyc(s.busy_ps), s.bytes, s.bursts});
        }
        const auto &m = c->mac().stat();
        r.blocks.push_back({c->mac().name(), c->mac().busy_cycles(), 0, m.tiles});
        const auto &v = c->vec().stat();
        r.blocks.push_back({c->vec().name(), v.busy_cycles, 0, v.tiles});
        const auto &s = c->scratchpad().stat();
        // busy = the busiest bank, so busy/cycles stays a fraction in [0, 1].
        r.blocks.push_back({c->scratchpad().name(), c->scratchpad().busiest_bank_cycles(),
                            s.bytes_read + s.bytes_written, s.accesses});
    }
    const auto &n = m_noc.stat();
    r.blocks.push_back({m_noc.name(), n.busy_cycles, n.bytes, n.transactions});
    block_stats total{m_dram.name(), 0, 0, 0};
    std::vector<block_stats> chans;
    for (std::uint32_t ch = 0; ch < m_dram.channels(); ++ch) {
        const auto &s = m_dram.channel(ch);
        chans.push_back({m_dram.channel_name(ch), cyc(s.busy_ps), s.bytes, s.transactions});
        // busy = the busiest channel (a fraction of the run), bytes and transactions summed.
        total.busy_cycles = std::max(total.busy_cycles, chans.back().busy_cycles);
        total.bytes += s.bytes;
        total.transactions += s.transactions;
    }
    r.blocks.push_back(total);
    r.blocks.insert(r.blocks.end(), chans.begin(), chans.end());
    r.kernel_events = sc_core::sc_delta_count();
    return r;
}

} // namespace arch
