#pragma once
// The cost of decoding one video frame (H.264 or H.265 to NV12) on a hardware decoder engine:
// its compute cycles from the frame's work units (16×16 macroblocks or 64×64 CTUs) and its DRAM
// traffic by kind (bitstream, reference reads, co-located motion vectors, the NV12 output and an
// optional display copy). Closed forms, no SystemC: the video-decoder block and the scenario
// runtime (issue 12) take a frame's time as the longer of these compute cycles and the time its
// traffic takes through the interconnect and DRAM. docs/video.md derives every term and the
// defaults from networks.md §6.

#include "sim/params.h"

#include <cstdint>

namespace ops {

enum class video_codec : std::uint8_t { h264, h265 };
enum class frame_type : std::uint8_t { i, p, b };

/// The port of a pixel block's engine (decoder or image unit) to the interconnect: bytes per
/// engine cycle, transactions in flight, bytes per transaction (arch/pixel_engine.h).
template <class V>
void visit_engine_port(V &v, std::uint32_t &bytes_per_cycle, std::uint32_t &outstanding,
                       std::uint32_t &transaction_bytes, const char *bandwidth_desc) {
    v.field("bytes_per_cycle", bytes_per_cycle, "bytes/cycle", bandwidth_desc,
            sim::between(1, 4096));
    v.field("outstanding", outstanding, "count", "transactions in flight per engine",
            sim::between(1, 1024));
    v.field("transaction_bytes", transaction_bytes, "bytes",
            "size of one engine transaction to the interconnect", sim::between(64, 1 << 24));
}

/// The chip's video decoder: `engines` identical engines on their own clock, and their memory
/// behaviour. Every default is an assumption of the model (docs/video.md, Defaults): published
/// decoders state capacities (N × 1080p30), not per-unit cycles or traffic factors.
struct video_decoder_params {
    /// Engines, each decoding one frame at a time. 3 on the reference chip: the fewest
    /// Ascend-310-class engines (480 fps of 1080p each at the defaults below) that cover the
    /// seed's 50 × 1080p25 = 1,250 fps, with 15 % to spare (QuestCore's decoder is not
    /// published).
    std::uint32_t engines = 3;
    double clock_mhz = 500;
    /// Cycles per work unit by frame type: H.264 per 16×16 macroblock, H.265 per 64×64 CTU.
    std::uint32_t h264_cycles_per_mb_i = 128, h264_cycles_per_mb_p = 128,
                  h264_cycles_per_mb_b = 128;
    std::uint32_t h265_cycles_per_ctu_i = 2040, h265_cycles_per_ctu_p = 2040,
                  h265_cycles_per_ctu_b = 2040;
    /// Motion-compensation fetch per reference, in frames of NV12 bytes, before the reference
    /// cache (networks.md §6.3: 1.2–3×); a B frame reads two references.
    double ref_read_factor = 2.0;
    /// Share of those fetches served by the engine's reference cache (60–84 % reported).
    double cache_hit_rate = 0.5;
    /// A separate linear NV12 display copy besides the reference frame (a second write).
    bool separate_display_copy = false;
    /// Co-located motion-vector buffer per 16×16 macroblock: written every frame, read by P and
    /// B frames (Xilinx PG252: 32 bytes AVC, 16 bytes HEVC).
    std::uint32_t h264_mv_bytes_per_mb = 32, h265_mv_bytes_per_mb = 16;
    /// The engine's port to the interconnect: bytes per decoder cycle, transactions in flight,
    /// and the size of one transaction (a slice of a work-unit row's traffic).
    std::uint32_t bytes_per_cycle = 32;
    std::uint32_t outstanding = 8;
    std::uint32_t transaction_bytes = 4096;

    template <class V> void visit(V &v) {
        v.field("engines", engines, "count",
                "decoder engines, each decoding one frame at a time (0: no decoder)",
                sim::between(0, 64));
        v.field("clock_mhz", clock_mhz, "MHz", "clock of the decoder engines",
                sim::between(1, 10000));
        auto cyc = sim::between(1, 1e7);
        v.field("h264_cycles_per_mb_i", h264_cycles_per_mb_i, "cycles",
                "H.264: decoder cycles per 16x16 macroblock of an I frame", cyc);
        v.field("h264_cycles_per_mb_p", h264_cycles_per_mb_p, "cycles",
                "H.264: decoder cycles per macroblock of a P frame", cyc);
        v.field("h264_cycles_per_mb_b", h264_cycles_per_mb_b, "cycles",
                "H.264: decoder cycles per macroblock of a B frame", cyc);
        v.field("h265_cycles_per_ctu_i", h265_cycles_per_ctu_i, "cycles",
                "H.265: decoder cycles per 64x64 CTU of an I frame", cyc);
        v.field("h265_cycles_per_ctu_p", h265_cycles_per_ctu_p, "cycles",
                "H.265: decoder cycles per CTU of a P frame", cyc);
        v.field("h265_cycles_per_ctu_b", h265_cycles_per_ctu_b, "cycles",
                "H.265: decoder cycles per CTU of a B frame", cyc);
        v.field("ref_read_factor", ref_read_factor, "frames",
                "motion-compensation fetch per reference before the cache, in NV12 frames",
                sim::between(0, 100));
        v.field("cache_hit_rate", cache_hit_rate, "fraction",
                "share of reference fetches served by the reference cache", sim::between(0, 1));
        v.field("separate_display_copy", separate_display_copy, "",
                "write a separate NV12 display copy besides the reference frame");
        v.field("h264_mv_bytes_per_mb", h264_mv_bytes_per_mb, "bytes",
                "H.264 co-located motion vectors per macroblock", sim::between(0, 4096));
        v.field("h265_mv_bytes_per_mb", h265_mv_bytes_per_mb, "bytes",
                "H.265 co-located motion vectors per 16x16 block", sim::between(0, 4096));
        visit_engine_port(v, bytes_per_cycle, outstanding, transaction_bytes,
                          "engine port bandwidth per decoder cycle");
    }
};

/// A dedicated image unit: engines that resize and convert `pixels_per_cycle` output pixels per
/// cycle, reading and writing DRAM through their own port like the video decoder's engines.
/// engines = 0 (the bundled chips): pre-processing runs on the NN cores' vector units.
struct image_unit_params {
    std::uint32_t engines = 0;
    double clock_mhz = 500;
    std::uint32_t pixels_per_cycle = 4;
    std::uint32_t bytes_per_cycle = 32;
    std::uint32_t outstanding = 8;
    std::uint32_t transaction_bytes = 4096;
    template <class V> void visit(V &v) {
        v.field("engines", engines, "count",
                "image-unit engines for pre-processing (0: the NN cores' vector units do it)",
                sim::between(0, 64));
        v.field("clock_mhz", clock_mhz, "MHz", "clock of the image unit", sim::between(1, 10000));
        v.field("pixels_per_cycle", pixels_per_cycle, "pixels/cycle",
                "output pixels resized and converted per cycle", sim::between(1, 1024));
        visit_engine_port(v, bytes_per_cycle, outstanding, transaction_bytes,
                          "engine port bandwidth per image-unit cycle");
    }
};

/// A frame to decode: its size, codec, type and compressed size.
struct frame_desc {
    std::uint32_t width = 1920, height = 1080;
    video_codec codec = video_codec::h265;
    frame_type type = frame_type::p;
    std::uint64_t bitstream_bytes = 0; ///< bitrate / 8 / fps on average; per frame here
};

/// NV12 bytes of a w×h frame as decoders lay it out: width aligned to 16, height to 2 (Ascend
/// DVPP's strides), a Y plane and a half-height interleaved UV plane: W16·H2·3/2.
std::uint64_t nv12_bytes(std::uint32_t width, std::uint32_t height);
/// 16×16 macroblocks covering the frame (1080 rows code as 68 MB rows: 8,160 at 1080p).
std::uint64_t macroblocks(std::uint32_t width, std::uint32_t height);
/// 64×64 CTUs covering the frame (510 at 1080p).
std::uint64_t ctus(std::uint32_t width, std::uint32_t height);

struct decode_cost {
    std::uint64_t units = 0;          ///< macroblocks (H.264) or CTUs (H.265)
    std::uint64_t compute_cycles = 0; ///< decoder clock cycles of the units alone
    std::uint64_t bitstream_read = 0;
    std::uint64_t ref_read = 0; ///< reference fetches that miss the cache
    std::uint64_t mv_read = 0, mv_write = 0;
    std::uint64_t nv12_write = 0;    ///< the decoded (reference) frame
    std::uint64_t display_write = 0; ///< the separate display copy, if any
    std::uint64_t read_bytes() const { return bitstream_read + ref_read + mv_read; }
    std::uint64_t write_bytes() const { return nv12_write + display_write + mv_write; }
    /// ps of the compute cycles at the decoder's clock (sim::period_ps: whole ps per cycle).
    std::uint64_t compute_ps(double clock_mhz) const;
};

/// The decode cost of one frame under `p` (docs/video.md).
decode_cost decode_frame(const video_decoder_params &p, const frame_desc &f);

} // namespace ops
