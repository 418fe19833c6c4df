// Pass 3 (tiling half): per-core shares, the double-buffered footprint formula, the choice of
// tile size, and the placement of tile buffers in the scratchpad.

#include "ops/plan.h"

#include "ops/mac_cost.h"
#include "sim/errors.h"

#include <algorithm>
#include <limits>
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

std::vector<core_share> core_shares(const lowered_op &op, std::uint32_t cores) {
    std::vector<core_share> s(cores);
    if (op.split_rows) {
        auto r = split_range(op.hout, cores, 1);
        for (std::uint32_t c = 0; c < cores; ++c)
            s[c] = {r[c].first, r[c].second, 0, op.cout};
    } else {
        auto q = split_range(op.cout, cores, op.oc_granule);
        for (std::uint32_t c = 0; c < cores; ++c)
            s[c] = {0, op.hout, q[c].first, q[c].second};
    }
    return s;
}

std::pair<std::int64_t, std::int64_t> input_rows(const lowered_op &op, std::size_t k,
                                                 std::int64_t y0, std::int64_t y1) {
    const operand &a = op.inputs[k];
    if (!a.spatial)
        return {0, 1};
    if (a.transposed) // operand rows follow output channels: the emitter maps them
        return {0, a.view.h};
    if (a.identity_rows) {
        if (a.row_step != 1) // a gather: the emitter addresses the rows one by one
            return {y0, y1};
        return {std::clamp<std::int64_t>(y0 - a.row_off, 0, a.view.h),
                std::clamp<std::int64_t>(y1 - a.row_off, 0, a.view.h)};
    }
    if (int(k) == op.shortcut)
        return {y0, y1};
    const std::int64_t lo = y0 * op.sh - op.pt, hi = (y1 - 1) * op.sh - op.pt + op.kh;
    return {std::max<std::int64_t>(0, lo), std::min(a.view.h, hi)};
}

namespace {

/// Channels of operand `a` one tile of `oc` output channels and `kc` reduction channels reads.
std::int64_t operand_channels(const lowered_op &op, const operand &a, std::int64_t oc,
                              std::int64_t kc) {
    switch (a.mode) {
    case chan_mode::all:
        return std::min(kc, a.view.c);
    case chan_mode::same:
        return std::min(oc, a.hi - a.lo);
    case chan_mode::group: {
        const std::int64_t g = a.groups > 0 ? a.groups : op.groups;
        const std::int64_t cout_g = op.cout / g, cin_g = a.view.c / g;
        return (oc + cout_g - 1) / cout_g * cin_g;
    }
    }
    return a.view.c;
}

/// Channel tiles: the whole per-core range, then k·base for k = 1, 2, ... below it, where base
/// is the array width rounded up to whole groups.
std::vector<std::int64_t> oc_candidates(const lowered_op &op, const tile_env &env,
                                        std::int64_t &base) {
    const std::int64_t g = std::max<std::int64_t>(op.oc_granule, 1);
    base = std::int64_t(ceil_div(env.cols, std::uint64_t(g))) * g;
    std::vector<std::int64_t> ocs{env.oc_core};
    for (std::int64_t k = (env.oc_core - 1) / base; k >= 1; --k)
        ocs.push_back(k * base);
    return ocs;
}

} // namespace

tile_choice tile_footprint(const lowered_op &op, const tile_env &env, std::int64_t rows,
                           std::int64_t oc, std::int64_t kc) {
    const std::int64_t cin = std::max<std::int64_t>(op.cin, 1); // 0 for vector-unit ops
    if (kc <= 0 || kc > cin)
        kc = cin;
    tile_choice t;
    t.rows = rows;
    t.oc = oc;
    t.oc_blocks = (env.oc_core + oc - 1) / oc;
    t.kc = kc;
    t.k_blocks = (cin + kc - 1) / kc;
    // Unsplit K reads every channel of an all-channel operand, whatever op.cin counts.
    const std::int64_t read_c = t.k_split() ? kc : std::numeric_limits<std::int64_t>::max();
    std::uint64_t in = 0;
    for (std::size_t k = 0; k < op.inputs.size(); ++k) {
        const operand &a = op.inputs[k];
        std::int64_t r;
        if (a.transposed) {
            // Operand rows = output channels, operand channels = output rows.
            t.in_bytes.push_back(std::uint64_t(oc) * rows * a.view.elem_bytes);
            in += t.in_bytes.back();
            continue;
        }
        if (k < env.in_resident.size() && env.in_resident[k])
            r = env.halo_rows[k];
        else if (!a.spatial)
            r = 1;
        else if (int(k) == op.shortcut || a.identity_rows)
            r = std::min(rows, a.row_step == 1 ? a.view.h : rows);
        else
            r = std::min(a.view.h, (rows - 1) * op.sh + op.kh);
        const std::uint64_t b =
            std::uint64_t(r) * a.view.w * operand_channels(op, a, oc, read_c) * a.view.elem_bytes;
        t.in_bytes.push_back(b);
        in += b;
    }
    std::int64_t per_oc = 0;
    for (const auto &w : op.weights)
        per_oc += w.reduced && t.k_split() ? w.bytes_per_oc / op.cin * kc : w.bytes_per_oc;
    t.w_bytes = std::uint64_t(oc) * per_oc;
    // Partial sums of a split K stay in the output buffer across K blocks, accumulator-wide
    // (even for a kept output: only the last K block writes the kept slot).
    const std::uint64_t pixels = std::uint64_t(rows) * op.wout * oc;
    t.out_bytes = t.k_split()        ? pixels * env.accumulator_bytes
                  : env.out_resident ? 0
                                     : pixels * op.out.elem_bytes;
    if (op.fused_attention) // rows x (heads in the tile) x keys scores
        t.scratch_bytes = std::uint64_t(rows) * std::uint64_t(oc / op.head_size) *
                          std::uint64_t(op.keys) * op.out.elem_bytes;
    t.footprint = 2 * in + 2 * t.out_bytes + 2 * t.scratch_bytes +
                  (t.weights_once() ? 1 : 2) * t.w_bytes + env.resident_extent;
    return t;
}

std::int64_t k_granule(const lowered_op &op, const tile_env &env) {
    if (op.unit != unit_kind::mac_array || op.groups != 1 || op.cin <= 1 || op.no_ksplit)
        return 0;
    bool any = false;
    for (const auto &w : op.weights) {
        if (!w.reduced)
            continue;
        if (w.bytes_per_oc % op.cin)
            return 0; // not a whole number of bytes per input channel
        any = true;
    }
    if (!any)
        return 0;
    // WS maps K on the array rows: a K block of fewer than `rows` elements would idle rows.
    const std::uint64_t per_channel = op.kind == op_kind::conv ? std::uint64_t(op.kh * op.kw) : 1;
    const auto g = std::int64_t(ceil_div(env.array_rows, per_channel));
    return g < op.cin ? g : 0;
}

bool input_reused(const lowered_op &op, std::size_t k, const tile_choice &t,
                  std::uint64_t row_blocks) {
    return op.inputs[k].mode == chan_mode::all && !op.inputs[k].transposed && !t.k_split() &&
           row_blocks == 1 && int(k) != op.shortcut;
}

std::optional<tile_choice> try_tiling(const lowered_op &op, const tile_env &env) {
    std::int64_t base = 1;
    const std::vector<std::int64_t> ocs = oc_candidates(op, env, base);
    // K blocks: the full K first (today's choice whenever it fits, and no partial sums); only if
    // no tile with the full K fits, every multiple of the granule below K, by the same key.
    std::vector<std::int64_t> kcs{std::max<std::int64_t>(op.cin, 1)};
    if (const std::int64_t g = k_granule(op, env))
        for (std::int64_t k = (op.cin - 1) / g; k >= 1; --k)
            kcs.push_back(k * g);

    bool found = false;
    tile_choice best;
    std::tuple<std::uint64_t, std::uint64_t, std::uint64_t, std::int64_t, std::int64_t> best_key{};
    for (std::size_t i = 0; i < kcs.size(); ++i) {
        if (i == 1 && found)
            break; // the full K fits: never split it
        const std::int64_t kc = kcs[i];
        for (std::int64_t oc : ocs) {
            if (tile_footprint(op, env, 1, oc, kc).footprint > env.scratchpad)
                continue;
            // The footprint grows with rows: binary-search the most rows that fit.
            std::int64_t lo = 1, hi = env.rows_core;
            while (lo < hi) {
                const std::int64_t mid = (lo + hi + 1) / 2;
                if (tile_footprint(op, env, mid, oc, kc).footprint <= env.scratchpad)
                    lo = mid;
                else
                    hi = mid - 1;
            }
            tile_choice t = tile_footprint(op, env, lo, oc, kc);
            // DRAM traffic of the inputs (re-read per channel block for all-channel operands,
            // halo rows re-read per row block). Weights are read once per core with the full K;
            // with a split K they are re-read per row block (K is the innermost loop).
            // An all-channel input with one row block and an unsplit K is the same tile for
            // every channel block: the emitter loads it once (input_reused).
            const std::uint64_t row_blocks = ceil_div(env.rows_core, lo);
            const std::uint64_t tiles = row_blocks * t.oc_blocks * t.k_blocks;
            std::uint64_t traffic = 0, in = 0;
            for (std::size_t k = 0; k < op.inputs.size(); ++k)
                if (!(k < env.in_resident.size() && env.in_resident[k])) {
                    in += t.in_bytes[k];
                    traffic += t.in_bytes[k] * (input_reused(op, k, t, row_blocks) ? 1 : tiles);
                }
            if (t.k_split())
                traffic += row_blocks * t.oc_blocks * t.k_blocks * t.w_bytes;
            // Among equal traffic, a MAC-array op prefers the tiling whose first tile needs the
            // fewest bytes before it can start (channel blocks of the weights pipeline behind
            // the compute); channel blocks are multiples of the array width, so they cost no
            // extra folds. Then fewer tiles, wider, deeper.
            const std::uint64_t startup = op.unit == unit_kind::mac_array ? in + t.w_bytes : 0;
            auto key = std::make_tuple(traffic, startup, tiles, -oc, -kc);
            if (!found || key < best_key)
                best = t, best_key = key, found = true;
        }
    }
    if (!found)
        return std::nullopt;
    return best;
}

tile_choice choose_tiling(const lowered_op &op, const tile_env &env, const std::string &source,
                          const std::string &path) {
    if (auto t = try_tiling(op, env))
        return *t;
    std::int64_t base = 1;
    oc_candidates(op, env, base);
    const std::int64_t g = k_granule(op, env);
    const auto t = tile_footprint(op, env, 1, std::min(env.oc_core, base), g ? g : op.cin);
    std::string msg = "no tile of \"" + op.name + "\" (" + op.type +
                      ") fits the scratchpad: smallest tile needs " + std::to_string(t.footprint) +
                      " bytes, scratchpad has " + std::to_string(env.scratchpad);
    if (env.resident_extent) // the compiler spills kept tensors first; only direct callers see this
        msg +=
            " (of which " + std::to_string(env.resident_extent) + " hold activations kept on chip)";
    throw sim::input_error(source, path, msg);
}

buffer_layout layout_buffers(const tile_choice &t, const scratchpad_params &sp,
                             std::uint64_t resident_extent) {
    const std::uint64_t limit = sp.bytes() - std::min(sp.bytes(), resident_extent);
    for (bool align : {true, false}) {
        buffer_layout b;
        b.bank_aligned = align;
        std::uint64_t at = 0;
        auto place = [&](std::uint64_t bytes) {
            if (align && bytes)
                at = ceil_div(at, sp.bank_bytes) * sp.bank_bytes;
            const std::uint64_t a = at;
            at += bytes;
            return a;
        };
        for (int p = 0; p < 2; ++p)
            for (auto bytes : t.in_bytes)
                b.in[p].push_back(place(bytes));
        b.out[0] = place(t.out_bytes);
        b.out[1] = place(t.out_bytes);
        b.w[0] = place(t.w_bytes);
        b.w[1] = t.weights_once() ? b.w[0] : place(t.w_bytes);
        b.scratch[0] = place(t.scratch_bytes);
        b.scratch[1] = place(t.scratch_bytes);
        b.end = at;
        if (at <= limit || !align)
            return b;
    }
    return {};
}

} // namespace ops
