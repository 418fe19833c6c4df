#include "ops/video.h"

#include "ops/mac_cost.h" // ceil_div
#include "sim/clock.h"

#include <cmath>

namespace ops {

std::uint64_t nv12_bytes(std::uint32_t width, std::uint32_t height) {
    const std::uint64_t w = ceil_div(width, 16) * 16, h = ceil_div(height, 2) * 2;
    return w * h * 3 / 2;
}

std::uint64_t macroblocks(std::uint32_t width, std::uint32_t height) {
    return ceil_div(width, 16) * ceil_div(height, 16);
}

std::uint64_t ctus(std::uint32_t width, std::uint32_t height) {
    return ceil_div(width, 64) * ceil_div(height, 64);
}

std::uint64_t decode_cost::compute_ps(double clock_mhz) const {
    return compute_cycles * sim::period_ps(clock_mhz);
}

decode_cost decode_frame(const video_decoder_params &p, const frame_desc &f) {
    decode_cost c;
    const bool avc = f.codec == video_codec::h264;
    c.units = avc ? macroblocks(f.width, f.height) : ctus(f.width, f.height);
    const std::uint32_t per_unit = avc ? (f.type == frame_type::i   ? p.h264_cycles_per_mb_i
                                          : f.type == frame_type::p ? p.h264_cycles_per_mb_p
                                                                    : p.h264_cycles_per_mb_b)
                                       : (f.type == frame_type::i   ? p.h265_cycles_per_ctu_i
                                          : f.type == frame_type::p ? p.h265_cycles_per_ctu_p
                                                                    : p.h265_cycles_per_ctu_b);
    c.compute_cycles = c.units * per_unit;

    const std::uint64_t frame = nv12_bytes(f.width, f.height);
    c.bitstream_read = f.bitstream_bytes;
    // Motion compensation: ref_read_factor frames of fetches per reference, the cache's hits
    // removed; I frames read no reference, B frames two.
    const int refs = f.type == frame_type::i ? 0 : f.type == frame_type::p ? 1 : 2;
    c.ref_read = static_cast<std::uint64_t>(
        std::llround(double(refs) * p.ref_read_factor * (1.0 - p.cache_hit_rate) * double(frame)));
    // The co-located motion vectors: every frame writes its own; P and B frames read one set.
    const std::uint64_t mv =
        macroblocks(f.width, f.height) * (avc ? p.h264_mv_bytes_per_mb : p.h265_mv_bytes_per_mb);
    c.mv_write = mv;
    c.mv_read = refs > 0 ? mv : 0;
    c.nv12_write = frame;
    c.display_write = p.separate_display_copy ? frame : 0;
    return c;
}

} // namespace ops
