#include "arch/dram_timing.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace arch {

namespace {

std::uint64_t ns_to_ps(double ns) {
    return static_cast<std::uint64_t>(std::llround(ns * 1000.0));
}

/// Common part: the channel data bus, bytes / (MT/s · bus_bits / 8), rounded up to whole ps so
/// the modelled bandwidth never exceeds the configured one.
class bus_model : public dram_timing {
protected:
    explicit bus_model(const ops::dram_params &p)
        : m_ctrl_ps(ns_to_ps(p.controller_ns)), m_cl_ps(ns_to_ps(p.t_cl_ns)),
          m_rcd_ps(ns_to_ps(p.t_rcd_ns)), m_rp_ps(ns_to_ps(p.t_rp_ns)),
          m_bytes_per_us(double(p.mt_per_s) * p.bus_bits / 8.0), m_row_bytes(p.row_bytes),
          m_banks(p.banks) {}
    std::uint64_t bus_ps(std::uint64_t bytes) const {
        return static_cast<std::uint64_t>(std::ceil(double(bytes) * 1e6 / m_bytes_per_us - 1e-9));
    }
    std::uint64_t m_ctrl_ps, m_cl_ps, m_rcd_ps, m_rp_ps;
    double m_bytes_per_us; ///< bytes per µs of one channel (= MB/s)
    std::uint64_t m_row_bytes, m_banks;
};

class simple_model final : public bus_model {
public:
    explicit simple_model(const ops::dram_params &p) : bus_model(p) {}
    dram_access serve(dram_channel_state &ch, std::uint64_t, std::uint64_t bytes,
                      std::uint64_t arrival_ps) const override {
        dram_access r;
        r.bus_ps = bus_ps(bytes);
        // The latency overlaps earlier transfers; only the data bus serialises.
        const std::uint64_t data = std::max(arrival_ps + m_ctrl_ps + m_cl_ps, ch.bus_free_ps);
        ch.bus_free_ps = data + r.bus_ps;
        r.done_ps = ch.bus_free_ps;
        return r;
    }
};

class banked_model final : public bus_model {
public:
    explicit banked_model(const ops::dram_params &p)
        : bus_model(p), m_xor(p.map == ops::bank_map::xor_row) {}
    dram_access serve(dram_channel_state &ch, std::uint64_t local_addr, std::uint64_t bytes,
                      std::uint64_t arrival_ps) const override {
        if (ch.banks.size() != m_banks)
            ch.banks.assign(m_banks, {});
        // Channel-local address: row_bytes consecutive bytes form one row of one bank, the next
        // row_bytes go to the next bank, so a sequential stream stays in a row and then moves on
        // to another bank whose activation overlaps the current transfers.
        const std::uint64_t row = local_addr / (m_row_bytes * m_banks);
        std::uint64_t bank_idx = (local_addr / m_row_bytes) % m_banks;
        if (m_xor)
            bank_idx = (bank_idx ^ row) % m_banks;
        auto &b = ch.banks[bank_idx];
        dram_access r;
        r.bus_ps = bus_ps(bytes);
        const std::uint64_t cmd = std::max(arrival_ps + m_ctrl_ps, b.ready_ps);
        std::uint64_t open = 0; // time to get the row open
        if (b.open_row == row) {
            r.hit = true;
        } else {
            r.miss = true;
            open = (b.open_row == dram_channel_state::no_row ? 0 : m_rp_ps) + m_rcd_ps;
            b.open_row = row;
        }
        const std::uint64_t data = std::max(cmd + open + m_cl_ps, ch.bus_free_ps);
        ch.bus_free_ps = data + r.bus_ps;
        // The next column command to this bank may issue so that its data follows this one's
        // (column commands pipeline under tCL); a new activation waits for this access to issue.
        b.ready_ps =
            std::max(cmd + open, data + r.bus_ps > m_cl_ps ? data + r.bus_ps - m_cl_ps : 0);
        r.done_ps = ch.bus_free_ps;
        return r;
    }

private:
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
