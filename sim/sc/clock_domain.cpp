#include "sim/sc/clock_domain.h"

#include "sim/clock.h"
#include "sim/sc/kernel.h"

#include <cmath>

namespace sim {

namespace {
// The kernel's resolution must be fixed before the first sc_time is built, and a clock domain
// is the first thing every model builds.
std::uint64_t period_of(double mhz) {
    init_kernel();
    return period_ps(mhz);
}
} // namespace

clock_domain::clock_domain(double mhz)
    : m_period_ps(period_of(mhz)), m_ps_value(sc_core::sc_time(1, sc_core::SC_PS).value()) {}

} // namespace sim
