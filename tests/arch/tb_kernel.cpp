// sim::block::nothing_before: a DMA or pixel engine may skip its wait for the kernel only when
// no other process could run before the time it would wait for.
#include "sim/sc/block.h"
#include "sim/sc/kernel.h"

#include <catch2/catch.hpp>

namespace {

struct probe : sim::block {
    sc_core::sc_event ev;
    bool before_50 = false, before_100 = true, before_200 = true, with_delta = true;
    bool b_ran = false;
    SC_HAS_PROCESS(probe);
    probe(const sc_core::sc_module_name &n, const sim::clock_domain &clk) : sim::block(n, clk) {
        SC_THREAD(a);
        SC_THREAD(b);
    }
    void a() {
        wait(ps(10));
        // b waits until 100 ps: nothing can run before it, something runs at and after it.
        before_50 = nothing_before(50);
        before_100 = nothing_before(100);
        before_200 = nothing_before(200);
        // A delta notification is activity at the current time.
        ev.notify(sc_core::SC_ZERO_TIME);
        with_delta = nothing_before(50);
    }
    void b() {
        wait(ps(100));
        b_ran = true;
    }
};

} // namespace

TEST_CASE("nothing_before sees a pending timed wake-up and a delta notification") {
    sim::init_kernel();
    sim::clock_domain clk(1000.0);
    probe p("probe", clk);
    sc_core::sc_start();
    CHECK(p.before_50);
    CHECK_FALSE(p.before_100);
    CHECK_FALSE(p.before_200);
    CHECK_FALSE(p.with_delta);
    CHECK(p.b_ran);
}
