#pragma once
// The cost of decoding one video frame (H.264 or H.265 to NV12) on a hardware decoder engine:
// its compute cycles from the frame's work units (16×16 macroblocks or 64×64 CTUs) and its DRAM
// traffic by kind (bitstream, reference reads, co-located motion vectors, the NV12 output and an
// optional display copy). Closed forms, no SystemC: the video-decoder block and the scenario
// runtime (issue 12) take a frame's time as the longer of these compute cycles and the time its
// traffic takes through the interconnect and DRAM. docs/video.md derives every term and the
// defaults from networks.md §6.

#include <cstdint>

namespace ops {

enum class video_codec : std::uint8_t { h264, h265 };
enum class frame_type : std::uint8_t { i, p, b };

/// One decoder engine and its memory behaviour. Every default is an assumption of the model
/// (docs/video.md, Defaults): published decoders state capacities (N × 1080p30), not per-unit
/// cycles or traffic factors.
struct video_decoder_params {
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
    /// ps of the compute cycles at the decoder's clock (whole ps per cycle, rounded up).
    std::uint64_t compute_ps(double clock_mhz) const;
};

/// The decode cost of one frame under `p` (docs/video.md).
decode_cost decode_frame(const video_decoder_params &p, const frame_desc &f);

} // namespace ops
