#pragma once
// Base of every timed block: an sc_module with the clock domain its cycles are counted in.
// The instance path (sc_object::name(), e.g. "core0.dma1") is public: it becomes the report key.

#include "sim/fastdiv.h"
#include "sim/sc/clock_domain.h"

#include <systemc>

#include <algorithm>
#include <cstdint>

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
        // sc_time's inline scaling instead of the library's from_value (a call per burst
        // on the DMA, interconnect and DRAM paths); exact while v < 2^53 ps (104 days).
        static const sc_core::sc_time unit(1, sc_core::SC_PS);
        if (v >= (std::uint64_t(1) << 53))
            return sc_core::sc_time::from_value(v * unit.value());
        sc_core::sc_time t = unit;
        t *= double(v);
        return t;
    }

    /// True when no other process can run before `t_ps`: nothing is runnable now and the
    /// kernel's next timed notification lies after t_ps. A thread that would wait until t_ps
    /// may then go on without the round trip through the kernel (the kernel's time stays
    /// behind its own): no process runs in between, only the kernel's heap of timed events
    /// differs, so processes that later wake at the same time may run in another order.
    static bool nothing_before(std::uint64_t t_ps) {
        // IEEE 1666-2011 sc_time_to_pending_activity(): zero when something is runnable or
        // notified at the current time, else the time to the next timed notification (to
        // sc_max_time() when there is none).
        return now_ps() + to_ps(sc_core::sc_time_to_pending_activity()) > t_ps;
    }

protected:
    const clock_domain &m_clk;
};

/// The time of a temporally decoupled initiator (a DMA or pixel engine), called from its
/// thread: `now` may run ahead of the kernel's time `kern` (the last time the thread waited
/// for), by up to a quantum, or further when nothing else could run in between.
struct decoupled_time {
    std::uint64_t now = 0;  ///< the initiator's time (ps)
    std::uint64_t kern = 0; ///< the kernel's time as this thread knows it (ps)

    void reset(std::uint64_t t_ps) { now = kern = t_ps; }
    /// Before sending a transaction due at t_ps: when it is a quantum or more ahead, brings the
    /// initiator's time to it, waiting for the kernel unless nothing could run before then
    /// (block::nothing_before).
    void catch_up(std::uint64_t t_ps, std::uint64_t quantum_ps) {
        if (t_ps <= now || t_ps - now < quantum_ps)
            return;
        if (!block::nothing_before(t_ps)) {
            sc_core::wait(block::ps(t_ps - kern));
            kern = t_ps;
        }
        now = t_ps;
    }
    /// Waits for the kernel to reach t_ps (the end of a command or job).
    void wait_until(std::uint64_t t_ps) {
        if (t_ps > kern)
            sc_core::wait(block::ps(t_ps - kern));
        now = kern = std::max(kern, t_ps);
    }
};

} // namespace sim
