#pragma once
// Base of every timed block: an sc_module with the clock domain its cycles are counted in.
// The instance path (sc_object::name(), e.g. "core0.dma1") is public: it becomes the report key.

#include "sim/fastdiv.h"
#include "sim/sc/clock_domain.h"

#include <systemc>

namespace sim {

class block : public sc_core::sc_module {
public:
    block(const sc_core::sc_module_name &name, const clock_domain &clk)
        : sc_core::sc_module(name), m_clk(clk) {}
    const clock_domain &clk() const { return m_clk; }
    /// Current kernel time in ps.
    static std::uint64_t now_ps() { return to_ps(sc_core::sc_time_stamp()); }
    static std::uint64_t to_ps(const sc_core::sc_time &t) {
        static const fastdiv per_ps(sc_core::sc_time(1, sc_core::SC_PS).value());
        return per_ps.div(t.value());
    }
    static sc_core::sc_time ps(std::uint64_t v) {
        static const std::uint64_t per_ps = sc_core::sc_time(1, sc_core::SC_PS).value();
        return sc_core::sc_time::from_value(v * per_ps);
    }

protected:
    const clock_domain &m_clk;
};

} // namespace sim
