#pragma once
// Pre-processing of a decoded frame for a network: NV12 -> RGB with a bilinear resize to the
// network's input, of the whole frame (a frame-driven stage) or of a box of it (a crop-driven
// stage: a detected face or person). Run by the NN cores' vector units (a command stream per
// core, built here) or by a dedicated image unit (chip config image_unit, whose job's traffic
// and compute are computed here). SystemC-free; docs/video.md derives the costs.
//
// What a resize reads: bilinear output row o samples source rows floor(y) and floor(y) + 1 at
// y = (o + 0.5)·s − 0.5, s = source rows / output rows (clamped at the edges), in the Y plane
// and, at half height, the interleaved UV plane. A band of output rows reads the source rows
// between its first and last sample when s <= 2 (every row is needed), else two rows per output
// row; either way only the box's columns, as runs of its width on the frame's 16-aligned stride.
// Compute: `macs_per_pixel` vector MAC elements per output pixel (4-tap interpolation of Y, U
// and V = 12, a 3x3 colour matrix = 9, offsets and clamping = 3: 24). The RGB output is INT8,
// 3 bytes per pixel, written contiguously (the network input tensor).

#include "ops/chip.h"
#include "ops/command.h"
#include "sim/params.h"

#include <cstdint>
#include <vector>

namespace ops {

/// Vector MAC elements per output pixel (see above).
constexpr std::uint64_t preprocess_macs_per_pixel = 24;

/// One pre-processing job.
struct preprocess_desc {
    std::uint32_t src_w = 1920, src_h = 1080; ///< the decoded frame
    std::uint64_t src_addr = 0;               ///< its NV12 buffer (Y plane, then UV)
    std::uint32_t x0 = 0, y0 = 0;             ///< the box (the whole frame by default)
    std::uint32_t box_w = 1920, box_h = 1080;
    std::uint32_t out_w = 320, out_h = 320; ///< the network's input
    std::uint64_t dst_addr = 0;             ///< RGB INT8 output, 3·out_w·out_h bytes
};

/// A job of a `src_w` x `src_h` frame for a network of `out_w` x `out_h` input: the whole frame
/// (box_w = 0), or a box of box_w x box_h (clamped to the frame) at (0, 0) for the caller to
/// place. Addresses are the caller's.
preprocess_desc preprocess_job(std::uint32_t src_w, std::uint32_t src_h, std::uint32_t out_w,
                               std::uint32_t out_h, std::uint32_t box_w = 0,
                               std::uint32_t box_h = 0);

/// Source rows: `rows` runs of `row_bytes` at `addr`, `stride` apart (a DMA region).
using source_rows = region;

/// The Y and UV source rows output rows [o0, o1) read.
struct band_reads {
    source_rows y, uv;
};
band_reads preprocess_reads(const preprocess_desc &d, std::uint32_t o0, std::uint32_t o1);

/// Bytes a whole job reads from DRAM (Σ over its bands of `band` output rows; band = 0: one
/// band per output row) and writes.
std::uint64_t preprocess_read_bytes(const preprocess_desc &d, std::uint32_t band);
inline std::uint64_t preprocess_write_bytes(const preprocess_desc &d) {
    return 3ull * d.out_w * d.out_h;
}

/// Output rows per band for a core's scratchpad: the tallest band whose source rows and
/// output fit a quarter of it (two bands in flight, double-buffered, in half the scratchpad).
/// Throws sim::input_error (file `source`) when not even one row fits.
std::uint32_t preprocess_band_rows(const chip_desc &c, const preprocess_desc &d,
                                   const std::string &source);

/// The vector-unit version: one command stream per core (`cores` of them, output rows split
/// evenly), every command charged to operator `op`. Loads on DMA engine 0, stores on the last.
std::vector<std::vector<command>> preprocess_streams(const chip_desc &c, const preprocess_desc &d,
                                                     std::uint32_t cores, std::uint32_t op,
                                                     const std::string &source);

} // namespace ops
