#include "sim/sc/clock_domain.h"

#include <cmath>

namespace sim {

clock_domain::clock_domain(double mhz)
    : m_period_ps(static_cast<std::uint64_t>(std::llround(1e6 / mhz))),
      m_ps_value(sc_core::sc_time(1, sc_core::SC_PS).value()) {
    if (m_period_ps == 0) m_period_ps = 1;
}

} // namespace sim
