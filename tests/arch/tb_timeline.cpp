// The timeline recorder (arch/timeline_rec.h) on hand-made intervals: what the summary level
// merges, the DRAM bins' doubling, the longest wait kept per operator run, and the event cap.
// (Plain C++: no kernel runs.)
#include "arch/timeline_rec.h"

#include <catch2/catch.hpp>

#include <numeric>

using arch::timeline_rec;

TEST_CASE("timeline: the summary level merges only touching intervals of one operator on one "
          "track, so the busy time per operator is kept exactly") {
    timeline_rec tl(timeline_rec::detail::summary, 1000);
    const auto t = tl.add_track("core0.mac_array", 0);
    tl.busy(t, 0, 0, 10);  // op 0
    tl.busy(t, 0, 10, 25); // touches: merged -> [0, 25), 2 commands
    tl.busy(t, 0, 26, 30); // 1 ps gap: a new slice (no idle time drawn as busy)
    tl.busy(t, 1, 30, 40); // touches but another operator: a new slice
    tl.busy(t, 1, 40, 40); // empty: ignored
    tl.finish();
    const auto &s = tl.slices();
    REQUIRE(s.size() == 3);
    CHECK((s[0].from == 0 && s[0].to == 25 && s[0].op == 0 && s[0].commands == 2));
    CHECK((s[1].from == 26 && s[1].to == 30 && s[1].op == 0 && s[1].commands == 1));
    CHECK((s[2].from == 30 && s[2].to == 40 && s[2].op == 1));
    // op 0: 10 + 15 + 4 = 29 ps busy, in its slices.
    CHECK((s[0].to - s[0].from) + (s[1].to - s[1].from) == 29);
}

TEST_CASE("timeline: the tiles level keeps one slice per command") {
    timeline_rec tl(timeline_rec::detail::tiles, 1000);
    const auto t = tl.add_track("core0.vector_unit", 0);
    tl.busy(t, 0, 0, 10);
    tl.busy(t, 0, 10, 20);
    tl.finish();
    CHECK(tl.slices().size() == 2);
}

TEST_CASE("timeline: the DRAM bins split a bus interval at bin edges and double in width past "
          "max_bins, keeping the channel's total bus time") {
    timeline_rec tl(timeline_rec::detail::summary, 1000);
    tl.set_dram(2, 8.5);
    const std::uint64_t w = timeline_rec::first_bin_ps;
    // 0.5 bin before the edge of bin 0 and 0.25 after: 0.5 w in bin 0, 0.25 w in bin 1.
    tl.dram_bus(0, w / 2, 3 * w / 4);
    REQUIRE(tl.bins(0).size() == 2);
    CHECK(tl.bins(0)[0] == w / 2);
    CHECK(tl.bins(0)[1] == w / 4);
    CHECK(tl.bin_ps() == w);
    // An interval ending in bin max_bins (one past the last) doubles the width once: bins 2k
    // and 2k+1 merge, for every channel.
    const std::uint64_t at = timeline_rec::max_bins * w;
    tl.dram_bus(1, at, 10);
    CHECK(tl.bin_ps() == 2 * w);
    REQUIRE(!tl.bins(0).empty());
    CHECK(tl.bins(0)[0] == w / 2 + w / 4); // old bins 0 and 1
    CHECK(tl.bins(1).size() == timeline_rec::max_bins / 2 + 1);
    CHECK(tl.bins(1).back() == 10);
    // At N - 1 no doubling: an interval ending inside the last bin of the new width.
    const std::uint64_t last = timeline_rec::max_bins * 2 * w - 1;
    tl.dram_bus(1, last - 5, 5);
    CHECK(tl.bin_ps() == 2 * w);
    const auto &b1 = tl.bins(1);
    CHECK(std::accumulate(b1.begin(), b1.end(), std::uint64_t(0)) == 15);
    CHECK(b1.size() == timeline_rec::max_bins);
}

TEST_CASE("timeline: the summary level keeps the longest DMA wait of each operator run on a "
          "core, the tiles level every wait") {
    for (auto d : {timeline_rec::detail::summary, timeline_rec::detail::tiles}) {
        timeline_rec tl(d, 1000);
        auto f = [](std::uint32_t op, std::uint64_t wait) {
            timeline_rec::flow x;
            x.op = op;
            x.wait_ps = wait;
            return x;
        };
        tl.load_wait(0, f(0, 5));
        tl.load_wait(0, f(0, 9)); // longer: replaces
        tl.load_wait(0, f(0, 7));
        tl.load_wait(1, f(0, 3)); // another core: its own
        tl.load_wait(0, f(1, 2)); // next operator on core 0: the first run closes
        tl.finish();
        const auto &v = tl.flows();
        if (d == timeline_rec::detail::tiles) {
            CHECK(v.size() == 5);
            continue;
        }
        REQUIRE(v.size() == 3);
        CHECK((v[0].op == 0 && v[0].wait_ps == 9));
        std::uint64_t waits = 0;
        for (const auto &x : v)
            waits += x.wait_ps;
        CHECK(waits == 9 + 3 + 2);
    }
}

TEST_CASE("timeline: past max_events the recorder stops storing and keeps counting") {
    timeline_rec tl(timeline_rec::detail::tiles, 3);
    const auto t = tl.add_track("core0.dma0", 0);
    for (std::uint64_t i = 0; i < 3; ++i)
        tl.busy(t, 0, 10 * i, 10 * i + 5);
    CHECK(!tl.overflowed()); // at the cap: 3 events stored
    tl.busy(t, 0, 100, 105);
    tl.finish();
    CHECK(tl.overflowed());
    CHECK(tl.events() == 4);
    CHECK(tl.slices().size() == 3);
}

TEST_CASE("timeline: an operator is active on a core from its first to its last command of a "
          "stream, once per stream") {
    timeline_rec tl(timeline_rec::detail::summary, 1000);
    tl.op_names = {"a", "b"};
    tl.command(0, 0, 10, 20);
    tl.command(0, 0, 5, 15); // earlier start on another queue
    tl.command(0, 1, 20, 40);
    tl.end_stream(0);
    tl.command(0, 0, 100, 110); // the next stream (a scenario job): a new interval
    tl.finish();
    const auto &a = tl.actives();
    REQUIRE(a.size() == 3);
    CHECK((a[0].op == 0 && a[0].from == 5 && a[0].to == 20));
    CHECK((a[1].op == 1 && a[1].from == 20 && a[1].to == 40));
    CHECK((a[2].op == 0 && a[2].from == 100 && a[2].to == 110));
}
