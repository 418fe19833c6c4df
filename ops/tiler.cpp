// Pass 3 (tiling half): per-core shares, the double-buffered footprint formula, the choice of
// tile size, and the placement of tile buffers in the scratchpad.

#include "ops/plan.h"

#include "ops/mac_cost.h"
#include "sim/errors.h"

#include <algorithm>
#include <tuple>

namespace ops {

std::vector<std::pair<std::int64_t, std::int64_t>> split_range(std::int64_t n, std::uint32_t parts,
                                                                 std::int64_t granule) {
    granule = std::max<std::int64_t>(granule, 1);
    const std::int64_t units = (n + granule - 1) / granule;
    const std::int64_t base = units / parts, extra = units % parts;
    std::vector<std::pair<std::int64_t, std::int64_t>> r;
    std::int64_t u = 0;
    for (std::uint32_t p = 0; p < parts; ++p) {
        const std::int64_t cnt = base + (std::int64_t(p) < extra ? 1 : 0);
        r.emplace_back(std::min(n, u * granule), std::min(n, (u + cnt) * granule));
        u += cnt;
    }
    return r;
}

std::vector<core_share> core_shares(const lowered_op& op, std::uint32_t cores) {
    std::vector<core_share> s(cores);
    if (op.split_rows) {
        auto r = split_range(op.hout, cores, 1);
        for (std::uint32_t c = 0; c < cores; ++c) s[c] = {r[c].first, r[c].second, 0, op.cout};
    } else {
        auto q = split_range(op.cout, cores, op.oc_granule);
        for (std::uint32_t c = 0; c < cores; ++c) s[c] = {0, op.hout, q[c].first, q[c].second};
    }
    return s;
}

std::pair<std::int64_t, std::int64_t> input_rows(const lowered_op& op, std::size_t k,
                                                 std::int64_t y0, std::int64_t y1) {
    const operand& a = op.inputs[k];
    if (!a.spatial) return {0, 1};
    if (int(k) == op.shortcut) return {y0, y1};
    const std::int64_t lo = y0 * op.sh - op.pt, hi = (y1 - 1) * op.sh - op.pt + op.kh;
    return {std::max<std::int64_t>(0, lo), std::min(a.view.h, hi)};
}

namespace {

/// Channels of operand `a` one tile of `oc` output channels reads.
std::int64_t operand_channels(const lowered_op& op, const operand& a, std::int64_t oc) {
    switch (a.mode) {
    case chan_mode::all: return a.view.c;
    case chan_mode::same: return std::min(oc, a.hi - a.lo);
    case chan_mode::group: {
        const std::int64_t cout_g = op.cout / op.groups, cin_g = a.view.c / op.groups;
        return (oc + cout_g - 1) / cout_g * cin_g;
    }
    }
    return a.view.c;
}

} // namespace

tile_choice tile_footprint(const lowered_op& op, const tile_env& env, std::int64_t rows,
                           std::int64_t oc) {
    tile_choice t;
    t.rows = rows;
    t.oc = oc;
    t.oc_blocks = (env.oc_core + oc - 1) / oc;
    std::uint64_t in = 0;
    for (std::size_t k = 0; k < op.inputs.size(); ++k) {
        const operand& a = op.inputs[k];
        std::int64_t r;
        if (k < env.in_resident.size() && env.in_resident[k]) r = env.halo_rows[k];
        else if (!a.spatial) r = 1;
        else if (int(k) == op.shortcut) r = rows;
        else r = std::min(a.view.h, (rows - 1) * op.sh + op.kh);
        const std::uint64_t b =
            std::uint64_t(r) * a.view.w * operand_channels(op, a, oc) * a.view.elem_bytes;
        t.in_bytes.push_back(b);
        in += b;
    }
    std::int64_t per_oc = 0;
    for (const auto& w : op.weights) per_oc += w.bytes_per_oc;
    t.w_bytes = std::uint64_t(oc) * per_oc;
    t.out_bytes = env.out_resident ? 0 : std::uint64_t(rows) * op.wout * oc * op.out.elem_bytes;
    t.footprint = 2 * in + 2 * t.out_bytes + (t.weights_once() ? 1 : 2) * t.w_bytes +
                  env.resident_extent;
    return t;
}

tile_choice choose_tiling(const lowered_op& op, const tile_env& env, const std::string& source,
                          const std::string& path) {
    // Channel tiles are multiples of the array width (rounded to whole groups).
    const std::int64_t g = std::max<std::int64_t>(op.oc_granule, 1);
    const std::int64_t base = std::int64_t(ceil_div(env.cols, std::uint64_t(g))) * g;
    std::vector<std::int64_t> ocs{env.oc_core};
    for (std::int64_t k = (env.oc_core - 1) / base; k >= 1; --k) ocs.push_back(k * base);

    bool found = false;
    tile_choice best;
    std::tuple<std::uint64_t, std::uint64_t, std::int64_t> best_key{};
    for (std::int64_t oc : ocs) {
        if (tile_footprint(op, env, 1, oc).footprint > env.scratchpad) continue;
        // The footprint grows with rows: binary-search the most rows that fit.
        std::int64_t lo = 1, hi = env.rows_core;
        while (lo < hi) {
            const std::int64_t mid = (lo + hi + 1) / 2;
            if (tile_footprint(op, env, mid, oc).footprint <= env.scratchpad) lo = mid;
            else hi = mid - 1;
        }
        tile_choice t = tile_footprint(op, env, lo, oc);
        // DRAM traffic of the inputs (re-read per channel block for all-channel operands,
        // halo rows re-read per row block); weights are read once per core whatever the tile.
        const std::uint64_t row_blocks = ceil_div(env.rows_core, lo);
        std::uint64_t in = 0;
        for (std::size_t k = 0; k < op.inputs.size(); ++k)
            if (!(k < env.in_resident.size() && env.in_resident[k])) in += t.in_bytes[k];
        const std::uint64_t tiles = row_blocks * t.oc_blocks;
        auto key = std::make_tuple(tiles * in, tiles, -oc);
        if (!found || key < best_key) best = t, best_key = key, found = true;
    }
    if (!found) {
        const auto t = tile_footprint(op, env, 1, std::min(env.oc_core, base));
        std::string msg = "no tile of \"" + op.name + "\" (" + op.type +
                          ") fits the scratchpad: smallest tile needs " +
                          std::to_string(t.footprint) + " bytes, scratchpad has " +
                          std::to_string(env.scratchpad);
        if (env.resident_extent)
            msg += " (of which " + std::to_string(env.resident_extent) +
                   " hold activations kept on chip)";
        throw sim::input_error(source, path, msg);
    }
    return best;
}

buffer_layout layout_buffers(const tile_choice& t, const scratchpad_params& sp,
                             std::uint64_t resident_extent) {
    const std::uint64_t limit = sp.bytes() - std::min(sp.bytes(), resident_extent);
    for (bool align : {true, false}) {
        buffer_layout b;
        b.bank_aligned = align;
        std::uint64_t at = 0;
        auto place = [&](std::uint64_t bytes) {
            if (align && bytes) at = ceil_div(at, sp.bank_bytes) * sp.bank_bytes;
            const std::uint64_t a = at;
            at += bytes;
            return a;
        };
        for (int p = 0; p < 2; ++p)
            for (auto bytes : t.in_bytes) b.in[p].push_back(place(bytes));
        b.out[0] = place(t.out_bytes);
        b.out[1] = place(t.out_bytes);
        b.w[0] = place(t.w_bytes);
        b.w[1] = t.weights_once() ? b.w[0] : place(t.w_bytes);
        b.end = at;
        if (at <= limit || !align) return b;
    }
    return {};
}

} // namespace ops
