// Testbench of the video decoder's engine (arch::pixel_engine) on the reference chip's
// interconnect and DRAM: one 1920x1080 H.265 P frame, its cycles and bytes derived from the
// decoder parameters (ops/video.h, docs/video.md), in a compute-bound and a memory-bound case.
//
// The frame at the defaults: 510 CTUs x 2,040 cycles = 1,040,400 cycles of 2,000 ps
// (500 MHz) = 2,080,800,000 ps. Its traffic: bitstream 16,000 B (given), reference
// 1 x 2.0 x (1 - 0.5) x 3,110,400 = 3,110,400 B, motion vectors 8,160 MBs x 16 B = 130,560 B
// read and written, the NV12 frame 3,110,400 B written: 3,256,960 B read + 3,240,960 B written
// = 6,497,920 B. Through the engine's port at 32 B per 2,000 ps cycle (16 GB/s) that takes at
// least 6,497,920 / 32 = 203,060 cycles = 406,120,000 ps.
#include "arch/chip_top.h"
#include "arch/pixel_engine.h"
#include "ops/video.h"
#include "sim/sc/kernel.h"

#include <catch2/catch.hpp>

#include <memory>

namespace {

struct driver : sc_core::sc_module {
    arch::pixel_engine &engine;
    arch::pixel_job job;
    std::uint64_t duration = 0;
    SC_HAS_PROCESS(driver);
    driver(const sc_core::sc_module_name &n, arch::pixel_engine &e, arch::pixel_job j)
        : sc_core::sc_module(n), engine(e), job(std::move(j)) {
        SC_THREAD(run);
    }
    void run() { duration = engine.run(job); }
};

struct result {
    std::uint64_t duration = 0;
    arch::pixel_engine::stats st;
    std::uint64_t ledger_read = 0, ledger_written = 0;
    ops::decode_cost cost;
};

/// Decodes one 1080p H.265 P frame on one engine of the reference chip (idle NN cores).
result decode_one(const ops::video_decoder_params &vd) {
    sim::init_kernel();
    ops::chip_desc chip;
    chip.video_decoder = vd;
    ops::program prog;
    prog.ops.resize(1);
    arch::chip_top top(chip, prog, true);
    ops::frame_desc f;
    f.type = ops::frame_type::p;
    f.bitstream_bytes = 16000;
    result r;
    r.cost = ops::decode_frame(vd, f);
    const std::uint64_t nv12 = ops::nv12_bytes(1920, 1080);
    arch::pixel_job j;
    j.compute_ps = r.cost.compute_ps(vd.clock_mhz);
    j.rows = 17; // CTU rows of 1080 lines
    j.reads = {{64ull << 20, r.cost.bitstream_read, 0},
               {128ull << 20, r.cost.ref_read, nv12},
               {192ull << 20, r.cost.mv_read, 0}};
    j.writes = {{256ull << 20, r.cost.nv12_write, 0}, {320ull << 20, r.cost.mv_write, 0}};
    arch::pixel_engine_params p{2000, vd.bytes_per_cycle, vd.outstanding, vd.transaction_bytes,
                                4000};
    arch::pixel_engine e("eng", top.clk(), p, top.ledger());
    e.isock.bind(top.noc().tsock);
    driver d("driver", e, j);
    sc_core::sc_start();
    r.duration = d.duration;
    r.st = e.stat();
    r.ledger_read = top.ledger().ops[0].dram_bytes_read;
    r.ledger_written = top.ledger().ops[0].dram_bytes_written;
    return r;
}

} // namespace

TEST_CASE("decoder: a 1080p H.265 P frame at the defaults is compute-bound: 2.08 ms, its bytes "
          "exact") {
    const ops::video_decoder_params vd;
    const result r = decode_one(vd);
    CHECK(r.cost.compute_cycles == 1040400);
    const std::uint64_t compute = 1040400ull * 2000;
    CHECK(r.cost.read_bytes() == 3256960);
    CHECK(r.cost.write_bytes() == 3240960);
    // Every byte of the cost model goes through the port and reaches the DRAM, once.
    CHECK(r.st.bytes_read == 3256960);
    CHECK(r.st.bytes_written == 3240960);
    CHECK(r.ledger_read == 3256960);
    CHECK(r.ledger_written == 3240960);
    // At most 4 KiB per transaction, never crossing a 4 KiB boundary: at least bytes / 4096.
    CHECK(r.st.transactions >= (3256960 + 3240960) / 4096);
    // The frame takes its compute time, plus at most one row of compute the memory of the
    // first and last rows do not overlap (a seventeenth), as the prefetch promises.
    CHECK(r.duration >= compute);
    CHECK(r.duration <= compute + compute / 17);
    CHECK(r.st.memory_bound_jobs == 1); // a little longer than its compute: the edges
}

TEST_CASE("decoder: with 1 cycle per CTU the frame is memory-bound: its time is its bytes "
          "through the engine's port") {
    ops::video_decoder_params vd;
    vd.h265_cycles_per_ctu_p = 1;
    const result r = decode_one(vd);
    CHECK(r.cost.compute_cycles == 510);
    // Lower bound: 6,497,920 B at 32 B per 2 ns cycle = 406.12 µs (the DRAM's 34.1 GB/s and
    // the interconnect's 64 GB/s are faster than the port's 16 GB/s), less the last 4 KiB
    // transaction's own 256 ns: the port paces issue, and the last one's data is timed by the
    // interconnect and DRAM it goes to (as the DMA engines' bursts are).
    const std::uint64_t bound = (6497920ull - 4096) / 32 * 2000;
    CHECK(r.duration >= bound);
    // With 8 x 4 KiB in flight (Little: 32 KiB / 16 GB/s = 2 µs of cover against a ~0.1 µs
    // DRAM latency) the port stays busy: within 5 % of the bound.
    CHECK(double(r.duration) <= 1.05 * double(bound));
    CHECK(r.st.memory_bound_jobs == 1);
}

TEST_CASE("decoder: a wider port makes the memory-bound frame DRAM-bound instead") {
    ops::video_decoder_params vd;
    vd.h265_cycles_per_ctu_p = 1;
    vd.bytes_per_cycle = 256; // 128 GB/s: now the DRAM (4 x 8.532 GB/s) is the bottleneck
    vd.outstanding = 64;
    const result r = decode_one(vd);
    const double dram_bound_ps = 6497920.0 / (4 * 8.532e9) * 1e12; // 190.4 µs
    CHECK(double(r.duration) >= dram_bound_ps);
    CHECK(double(r.duration) <= 1.5 * dram_bound_ps);
}
