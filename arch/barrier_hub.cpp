#include "arch/barrier_hub.h"

namespace arch {

void barrier_hub::arrive(std::uint32_t id) {
    auto &e = m_b[id];
    e.arrived += 1;
    if (e.arrived >= e.expected)
        m_ev.notify(sc_core::SC_ZERO_TIME);
}

bool barrier_hub::done(std::uint32_t id) const {
    auto it = m_b.find(id);
    return it != m_b.end() && it->second.arrived >= it->second.expected;
}

} // namespace arch
