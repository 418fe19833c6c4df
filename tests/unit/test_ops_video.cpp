// ops::decode_frame: a frame's work units, compute cycles and DRAM traffic against the figures
// of networks.md §6.2 (frame and work-unit sizes) and §6.3 (the traffic model and its ranges).

#include "ops/video.h"

#include <catch2/catch.hpp>

using namespace ops;

TEST_CASE("video: NV12 bytes, macroblocks and CTUs of common frame sizes (networks.md 6.2)",
          "[ops][video]") {
    CHECK(nv12_bytes(1920, 1080) == 3110400); // 2.97 MiB
    CHECK(nv12_bytes(1920, 1088) == 3133440); // the MB-aligned buffer
    CHECK(nv12_bytes(3840, 2160) == 12441600);
    CHECK(nv12_bytes(1280, 720) == 1382400);
    CHECK(nv12_bytes(1918, 1079) == 1920u * 1080 * 3 / 2); // strides: width 16, height 2
    CHECK(macroblocks(1920, 1080) == 8160);                // 1080 rows code as 68 MB rows
    CHECK(ctus(1920, 1080) == 510);                        // 30 × 17
    CHECK(macroblocks(3840, 2160) == 32400);
    CHECK(ctus(3840, 2160) == 2040);
    CHECK(macroblocks(1280, 720) == 3600);
    CHECK(ctus(1280, 720) == 240);
}

TEST_CASE("video: an H.265 1080p frame at the default 2,040 cycles per CTU decodes at 480 fps "
          "on one 500 MHz engine, 16 x 1080p30",
          "[ops][video]") {
    const video_decoder_params p;
    frame_desc f; // 1920×1080 H.265 P
    const decode_cost c = decode_frame(p, f);
    CHECK(c.units == 510);
    CHECK(c.compute_cycles == 510 * 2040); // 1,040,400
    CHECK(c.compute_ps(500) == 1040400ull * 2000);
    // 500e6 / 1,040,400 = 480.6 frames per second (networks.md 6.2: 16 streams at 500 MHz).
    CHECK(std::llround(500e6 / double(c.compute_cycles)) == 481);
    // H.264 counts macroblocks: 8,160 × 128 = 1,044,480 cycles for the same frame.
    f.codec = video_codec::h264;
    CHECK(decode_frame(p, f).compute_cycles == 8160 * 128);
}

TEST_CASE("video: a frame's traffic by kind: bitstream, references by frame type, motion vectors, "
          "the NV12 write and the display copy",
          "[ops][video]") {
    video_decoder_params p; // ref_read_factor 2, cache_hit_rate 0.5
    frame_desc f;
    f.bitstream_bytes = 16667; // 4 Mbit/s at 30 fps
    const std::uint64_t frame = 3110400;
    f.type = frame_type::i;
    decode_cost i = decode_frame(p, f);
    CHECK(i.ref_read == 0);
    CHECK(i.mv_read == 0);
    CHECK(i.mv_write == 8160 * 16); // 130,560: networks.md's 0.13 MB (HEVC)
    CHECK(i.nv12_write == frame);
    CHECK(i.display_write == 0);
    CHECK(i.bitstream_read == 16667);
    f.type = frame_type::p;
    decode_cost pf = decode_frame(p, f);
    CHECK(pf.ref_read == frame); // 1 reference · 2 frames of fetches · half missing the cache
    CHECK(pf.mv_read == 8160 * 16);
    f.type = frame_type::b;
    CHECK(decode_frame(p, f).ref_read == 2 * frame);
    // AVC motion vectors: 32 bytes per MB (0.26 MB); a separate display copy writes the frame
    // twice.
    f.codec = video_codec::h264;
    p.separate_display_copy = true;
    decode_cost avc = decode_frame(p, f);
    CHECK(avc.mv_write == 8160 * 32);
    CHECK(avc.display_write == frame);
    CHECK(avc.write_bytes() == 2 * frame + 8160 * 32);
}

TEST_CASE("video: without a reference cache a 1080p P frame moves 7-13 MB, and 50 streams at "
          "25-30 fps about 9-20 GB/s, as networks.md 6.3's model",
          "[ops][video]") {
    video_decoder_params p;
    p.cache_hit_rate = 0;
    frame_desc f; // H.265 1080p P, 3 Mbit/s at 25 fps
    f.bitstream_bytes = 15000;
    for (double factor : {1.2, 2.0, 3.0}) {
        p.ref_read_factor = factor;
        const decode_cost c = decode_frame(p, f);
        const double mb = double(c.read_bytes() + c.write_bytes()) / 1e6;
        INFO("ref_read_factor " << factor << ": " << mb << " MB");
        CHECK(mb >= 7.0);
        CHECK(mb <= 13.0);
        // ≈ 9-20 GB/s: the low end (factor 1.2 at 25 fps) is 8.9.
        for (double fps : {25.0, 30.0}) {
            const double gb_s = mb * 50 * fps / 1e3;
            CHECK(gb_s >= 8.8);
            CHECK(gb_s <= 20.0);
        }
    }
}
