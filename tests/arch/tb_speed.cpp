// Speed of the chip model, as kernel activity: a synthetic 20 000-command program (4 cores ×
// 1 666 double-buffered load/compute/store tiles) must wake the kernel a bounded number of
// times per command, never per cycle. Prints wall time and delta cycles; wall time itself is
// measured by scripts/bench.sh, not asserted here (README "Speed").
#include "tb_common.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>

TEST_CASE("speed: a 20k-command program wakes the kernel a few times per command, not per "
          "cycle") {
    auto chip = tb::chip(4);
    std::vector<std::vector<ops::command>> streams(4);
    const std::uint32_t tiles = 1666;
    for (std::uint32_t c = 0; c < 4; ++c) {
        auto &s = streams[c];
        for (std::uint32_t i = 0; i < tiles; ++i) {
            const std::uint32_t op = i / 100; // 17 operators
            const std::uint32_t base = static_cast<std::uint32_t>(s.size());
            const std::uint64_t in = (i % 2) * 65536ull;
            ops::command l = tb::load(op, (std::uint64_t(c) << 28) + i * 8192ull, 8192, in);
            if (i >= 2)
                l.deps = {base - 6 + 1};
            ops::command g = tb::gemm(op, 64, 128, 64, {base});
            g.reads = {{in, 8192}};
            g.writes = {{(2 + i % 2) * 65536ull, 2048}};
            s.push_back(l);
            s.push_back(g);
            s.push_back(tb::store(op, (std::uint64_t(c) << 28) + (1 << 26) + i * 2048ull, 2048,
                                  (2 + i % 2) * 65536ull, {base + 1}));
        }
    }
    auto prog = tb::program(17, streams);
    std::size_t n = 0;
    for (auto &s : prog.streams)
        n += s.size();
    const auto t0 = std::chrono::steady_clock::now();
    auto r = arch::simulate(chip, prog);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "speed: " << n << " commands, " << r.cycles << " cycles, " << r.kernel_events
              << " delta cycles, " << wall << " s wall, " << r.cycles / wall / 1e6
              << " M simulated cycles/s\n";
    CHECK(n >= 19992);
    // Upper bound per tile of three commands: the load waits for its dependency, its issue
    // latency, its 32 bursts in 4 groups of 8 and its end (7); the GEMM for its dependency, its
    // issue, the array's acceptance and its completion (4); the store for its dependency, its
    // issue, its 8 bursts in one group and its end (4): 15 wake-ups, 5 per command. Delta
    // cycles count evaluation phases, at most one per wake-up (fewer: wake-ups coincide).
    CHECK(r.kernel_events <= 5 * n);
    // Not per cycle: a kernel stepping the clock would have at least one per cycle.
    CHECK(r.kernel_events * 10 < r.cycles);
}
