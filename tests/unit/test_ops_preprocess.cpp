// Pre-processing (ops/preprocess.h): the source rows a bilinear NV12 -> RGB resize reads, and the
// command streams of its vector-unit version, against closed forms.
#include "ops/preprocess.h"
#include "sim/errors.h"

#include <catch2/catch.hpp>

using namespace ops;

namespace {
preprocess_desc frame_to(std::uint32_t w, std::uint32_t h) {
    preprocess_desc d;
    d.out_w = w;
    d.out_h = h;
    return d;
}
} // namespace

TEST_CASE("preprocess: 1080p to 320x320 reads two Y rows per output row and every UV row",
          "[ops][preprocess]") {
    const preprocess_desc d = frame_to(320, 320);
    // Y: 1080 / 320 = 3.375 > 2: two rows per output row, 640 rows of the 1920-byte stride.
    // UV: 540 / 320 = 1.6875 <= 2: rows 0 (first sample floor(0.5·1.6875 − 0.5) = 0) to 539
    // (last sample floor(319.5·1.6875 − 0.5) + 1 = 539), every one: 540 rows of 1920 bytes.
    const auto b = preprocess_reads(d, 0, 320);
    CHECK(b.y.rows == 640);
    CHECK(b.y.row_bytes == 1920);
    CHECK(b.uv.rows == 540);
    CHECK(b.uv.addr == 1920ull * 1080); // the UV plane follows the Y plane
    CHECK(preprocess_read_bytes(d, 320) == 640 * 1920 + 540 * 1920); // 2,265,600
    CHECK(preprocess_write_bytes(d) == 3 * 320 * 320);
}

TEST_CASE("preprocess: a 2x downscale reads every source row; a crop reads its box's columns",
          "[ops][preprocess]") {
    preprocess_desc d = frame_to(320, 180);
    d.src_w = d.box_w = 640;
    d.src_h = d.box_h = 360;
    // Y scale 2: every row (360 x 640), UV scale 1: every row (180 x 640).
    CHECK(preprocess_read_bytes(d, 180) == 360 * 640 + 180 * 640);
    // A 224x224 box at (100, 200) of a 1080p frame to 112x112: scale 2, every row of the box,
    // 224 bytes each at the frame's 1920-byte stride; UV 112 rows from row 100.
    preprocess_desc c = frame_to(112, 112);
    c.x0 = 100;
    c.y0 = 200;
    c.box_w = c.box_h = 224;
    const auto b = preprocess_reads(c, 0, 112);
    CHECK(b.y.rows == 224);
    CHECK(b.y.row_bytes == 224);
    CHECK(b.y.stride == 1920);
    CHECK(b.y.addr == 200ull * 1920 + 100);
    CHECK(b.uv.rows == 112);
    CHECK(b.uv.addr == 1920ull * 1080 + 100ull * 1920 + 100);
}

TEST_CASE("preprocess: the vector-unit streams load, compute and store exactly the job, on any "
          "number of cores",
          "[ops][preprocess]") {
    const chip_desc chip;
    const preprocess_desc d = frame_to(320, 320);
    const std::uint32_t band = preprocess_band_rows(chip, d, "test");
    CHECK(band >= 1);
    for (std::uint32_t cores : {1u, 2u, 4u}) {
        const auto streams = preprocess_streams(chip, d, cores, 7, "test");
        REQUIRE(streams.size() == cores);
        std::uint64_t loaded = 0, stored = 0, macs = 0;
        for (const auto &s : streams)
            for (const auto &c : s) {
                CHECK(c.op == 7);
                if (c.kind == cmd_kind::load)
                    loaded += c.far.bytes();
                else if (c.kind == cmd_kind::store)
                    stored += c.far.bytes();
                else
                    macs += c.vec.elements;
                for (auto dep : c.deps)
                    CHECK(dep < &c - s.data()); // earlier commands only
            }
        INFO(cores << " cores");
        CHECK(stored == 3 * 320 * 320);
        CHECK(macs == preprocess_macs_per_pixel * 320 * 320);
        // Each core reads its bands' rows: at least the one-band figure (bands overlap at their
        // edges), at most one band's extra rows per band.
        CHECK(loaded >= preprocess_read_bytes(d, 320));
        CHECK(loaded <= preprocess_read_bytes(d, 1));
    }
}

TEST_CASE("preprocess: a band that cannot fit the scratchpad is an input error",
          "[ops][preprocess]") {
    chip_desc chip;
    chip.scratchpad.banks = 1;
    chip.scratchpad.bank_bytes = 4096; // a quarter is 1 KiB; one output row needs 2 source rows
    CHECK_THROWS_AS(preprocess_band_rows(chip, frame_to(320, 320), "test"), sim::input_error);
}
