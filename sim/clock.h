#pragma once
// The period of a clock in whole picoseconds: every clock of the model (the NN cores' clock
// domain, the video decoder's and image unit's engines, the report's cycle conversions) rounds
// the same way, to the nearest ps (a 900 MHz clock is 1111 ps, 0.01 % fast; README), at least 1.
// No SystemC: sim/sc/clock_domain builds on it.

#include <cmath>
#include <cstdint>

namespace sim {

inline std::uint64_t period_ps(double mhz) {
    const auto p = static_cast<std::uint64_t>(std::llround(1e6 / mhz));
    return p == 0 ? 1 : p;
}

} // namespace sim
