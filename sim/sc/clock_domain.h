#pragma once
// One clock domain: integer cycles of this domain <-> SystemC time. Every conversion between
// cycles and time in qcsim goes through this type, so rounding happens in one place.
// The kernel's time resolution is 1 ps; a period is a whole number of ps (a 900 MHz clock
// becomes 1111 ps, 0.01 % fast: documented in README).

#include <systemc>

#include <cstdint>

namespace sim {

class clock_domain {
public:
    explicit clock_domain(double mhz);
    std::uint64_t period_ps() const { return m_period_ps; }
    sc_core::sc_time period() const {
        return sc_core::sc_time(double(m_period_ps), sc_core::SC_PS);
    }
    /// Time of `cycles` whole cycles.
    sc_core::sc_time to_time(std::uint64_t cycles) const {
        return sc_core::sc_time::from_value(cycles * m_period_ps * m_ps_value);
    }
    /// Whole cycles in `t`, rounded up (a started cycle counts).
    std::uint64_t to_cycles_ceil(const sc_core::sc_time &t) const {
        std::uint64_t ps = t.value() / m_ps_value;
        return (ps + m_period_ps - 1) / m_period_ps;
    }
    /// Whole cycles in `t`, rounded down.
    std::uint64_t to_cycles_floor(const sc_core::sc_time &t) const {
        return t.value() / m_ps_value / m_period_ps;
    }

private:
    std::uint64_t m_period_ps;
    std::uint64_t m_ps_value; ///< kernel time units per ps
};

} // namespace sim
