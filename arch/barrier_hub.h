#pragma once
// Chip-wide barriers: barrier id B completes when every barrier command with id B (one per
// core that has one) has had its deps completed. One event for all barriers; barriers are rare
// (per operator), so waking every waiting barrier thread on each completion is cheap.

#include <systemc>

#include <cstdint>
#include <map>

namespace arch {

class barrier_hub {
public:
    /// Declares one more barrier command with id `id` (called while loading the program).
    void expect(std::uint32_t id) { m_b[id].expected += 1; }
    /// A barrier command with id `id` has its deps done; completes the barrier if it is the last.
    void arrive(std::uint32_t id);
    bool done(std::uint32_t id) const;
    const sc_core::sc_event &event() const { return m_ev; }

private:
    struct entry {
        std::uint32_t expected = 0;
        std::uint32_t arrived = 0;
    };
    std::map<std::uint32_t, entry> m_b;
    sc_core::sc_event m_ev{"barrier_done"};
};

} // namespace arch
