#include "ops/preprocess.h"

#include "ops/mac_cost.h" // ceil_div
#include "sim/errors.h"

#include <algorithm>
#include <cmath>

namespace ops {

namespace {

/// Source rows [first, last] (of `src` rows) output rows [o0, o1) of `out` sample, and whether
/// every row between is needed (scale <= 2).
struct row_range {
    std::uint32_t first = 0, last = 0;
    bool dense = true;
};
row_range sampled(std::uint32_t src, std::uint32_t out, std::uint32_t o0, std::uint32_t o1) {
    const double s = double(src) / double(out);
    auto lo = [&](std::uint32_t o) {
        const double y = (double(o) + 0.5) * s - 0.5;
        return std::uint32_t(std::clamp(std::floor(y), 0.0, double(src - 1)));
    };
    row_range r;
    r.first = lo(o0);
    r.last = std::min(lo(o1 - 1) + 1, src - 1);
    r.dense = s <= 2.0;
    return r;
}

source_rows plane_rows(std::uint64_t plane, std::uint64_t stride, std::uint32_t x0,
                       std::uint32_t width_bytes, std::uint32_t src_rows, std::uint32_t y0,
                       std::uint32_t out_rows, std::uint32_t o0, std::uint32_t o1) {
    const row_range r = sampled(src_rows, out_rows, o0, o1);
    source_rows s;
    s.row_bytes = width_bytes;
    s.addr = plane + (std::uint64_t(y0) + r.first) * stride + x0;
    const std::uint32_t span = r.last - r.first + 1;
    if (r.dense) {
        s.rows = span;
        s.stride = stride;
    } else {
        // Two rows per output row, spread evenly over the band's span (positions approximate,
        // bytes exact).
        s.rows = std::min(span, 2 * (o1 - o0));
        s.stride = stride * std::max<std::uint64_t>(1, span / s.rows);
    }
    return s;
}

} // namespace

preprocess_desc preprocess_job(std::uint32_t src_w, std::uint32_t src_h, std::uint32_t out_w,
                               std::uint32_t out_h, std::uint32_t box_w, std::uint32_t box_h) {
    preprocess_desc d;
    d.src_w = src_w;
    d.src_h = src_h;
    d.out_w = out_w;
    d.out_h = out_h;
    d.box_w = box_w ? std::min(box_w, src_w) : src_w;
    d.box_h = box_w ? std::min(box_h, src_h) : src_h;
    return d;
}

band_reads preprocess_reads(const preprocess_desc &d, std::uint32_t o0, std::uint32_t o1) {
    const std::uint64_t stride = ceil_div(d.src_w, 16) * 16;
    const std::uint64_t y_plane = d.src_addr;
    const std::uint64_t uv_plane = d.src_addr + stride * (ceil_div(d.src_h, 2) * 2);
    band_reads b;
    b.y = plane_rows(y_plane, stride, d.x0, d.box_w, d.box_h, d.y0, d.out_h, o0, o1);
    // UV: half the rows, interleaved U and V at half horizontal resolution = box_w bytes.
    const std::uint32_t uv_rows = std::max<std::uint32_t>(1, d.box_h / 2);
    b.uv = plane_rows(uv_plane, stride, d.x0 & ~1u, d.box_w, uv_rows, d.y0 / 2, d.out_h, o0, o1);
    return b;
}

std::uint64_t preprocess_read_bytes(const preprocess_desc &d, std::uint32_t band) {
    if (band == 0)
        band = 1;
    std::uint64_t total = 0;
    for (std::uint32_t o = 0; o < d.out_h; o += band) {
        const auto b = preprocess_reads(d, o, std::min(d.out_h, o + band));
        total += b.y.bytes() + b.uv.bytes();
    }
    return total;
}

std::uint32_t preprocess_band_rows(const chip_desc &c, const preprocess_desc &d,
                                   const std::string &source) {
    const std::uint64_t quarter = c.scratchpad.bytes() / 4;
    auto need = [&](std::uint32_t rows) {
        const auto b = preprocess_reads(d, 0, rows);
        return b.y.bytes() + b.uv.bytes() + 3ull * d.out_w * rows;
    };
    if (need(1) > quarter)
        throw sim::input_error(source, "pipeline",
                               "expected a pre-processing band of one output row to fit a "
                               "quarter of the scratchpad (" +
                                   std::to_string(quarter) + " bytes), found " +
                                   std::to_string(need(1)) + " bytes");
    std::uint32_t lo = 1, hi = d.out_h;
    while (lo < hi) { // the tallest band that fits
        const std::uint32_t mid = lo + (hi - lo + 1) / 2;
        if (need(mid) <= quarter)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

std::vector<std::vector<command>> preprocess_streams(const chip_desc &c, const preprocess_desc &d,
                                                     std::uint32_t cores, std::uint32_t op,
                                                     const std::string &source) {
    const std::uint32_t band = preprocess_band_rows(c, d, source);
    const std::uint64_t quarter = c.scratchpad.bytes() / 4;
    const std::uint32_t store_engine = c.dma.engines - 1;
    std::vector<std::vector<command>> streams(cores);
    for (std::uint32_t k = 0; k < cores; ++k) {
        auto &s = streams[k];
        const std::uint32_t r0 = std::uint32_t(std::uint64_t(d.out_h) * k / cores),
                            r1 = std::uint32_t(std::uint64_t(d.out_h) * (k + 1) / cores);
        std::vector<std::uint32_t> computes;
        for (std::uint32_t o = r0, t = 0; o < r1; o += band, ++t) {
            const std::uint32_t o1 = std::min(r1, o + band);
            const auto b = preprocess_reads(d, o, o1);
            const std::uint64_t base = (t % 2) * 2 * quarter; // double-buffered sets
            std::vector<std::uint32_t> free_deps;
            if (t >= 2)
                free_deps.push_back(computes[t - 2]);
            auto load = [&](const source_rows &r, std::uint64_t local) {
                command l;
                l.kind = cmd_kind::load;
                l.unit = unit_kind::dma;
                l.op = op;
                l.engine = 0;
                l.far = {r.addr, r.rows, r.row_bytes, r.stride};
                l.local = {local, r.bytes()};
                l.deps = free_deps;
                s.push_back(l);
                return std::uint32_t(s.size() - 1);
            };
            const std::uint32_t ly = load(b.y, base);
            const std::uint32_t luv = load(b.uv, base + b.y.bytes());
            const std::uint64_t out_bytes = 3ull * d.out_w * (o1 - o);
            const std::uint64_t out_local = base + b.y.bytes() + b.uv.bytes();
            command v;
            v.kind = cmd_kind::compute;
            v.unit = unit_kind::vector_unit;
            v.op = op;
            v.vec = {vec_fn::mac, preprocess_macs_per_pixel * d.out_w * (o1 - o)};
            v.reads = {{base, b.y.bytes() + b.uv.bytes()}};
            v.writes = {{out_local, out_bytes}};
            v.deps = {ly, luv};
            s.push_back(v);
            computes.push_back(std::uint32_t(s.size() - 1));
            command st;
            st.kind = cmd_kind::store;
            st.unit = unit_kind::dma;
            st.op = op;
            st.engine = store_engine;
            const std::uint64_t dst = d.dst_addr + 3ull * d.out_w * o;
            st.far = {dst, 1, std::uint32_t(out_bytes), out_bytes};
            st.local = {out_local, out_bytes};
            st.deps = {computes.back()};
            s.push_back(st);
        }
    }
    return streams;
}

} // namespace ops
