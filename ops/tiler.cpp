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
    } else if (op.row_groups > 1 && cores % op.row_groups == 0) {
        // Grid: core c = row group c / gc, channel group c % gc.
        const std::uint32_t gc = cores / op.row_groups;
        auto r = split_range(op.hout, op.row_groups, 1);
        auto q = split_range(op.cout, gc, op.oc_granule);
        for (std::uint32_t c = 0; c < cores; ++c)
            s[c] = {r[c / gc].first, r[c / gc].second, q[c % gc].first, q[c % gc].second};
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
    if (a.rs_out > 0) {
        const auto at = [&](std::int64_t y) {
            return std::int64_t(__int128(y) * a.rs_in / a.rs_out) - a.rs_before;
        };
        return {std::clamp<std::int64_t>(at(y0), 0, a.view.h),
                std::clamp<std::int64_t>(at(y1 - 1) + a.rs_taps, 0, a.view.h)};
    }
    if (int(k) == op.shortcut)
        return {y0, y1};
    if (op.tkh > 0) {
        // Transposed: input row i feeds output rows i·sh + t·dh - pt, t < tkh. Output rows
        // [y0,y1) read i from ceil((y0 + pt - (tkh-1)·dh) / sh) to floor((y1-1 + pt) / sh).
        const std::int64_t a0 = y0 + op.pt - (op.tkh - 1) * op.dh, b0 = y1 - 1 + op.pt;
        const std::int64_t lo = a0 >= 0 ? (a0 + op.sh - 1) / op.sh : -((-a0) / op.sh);
        const std::int64_t hi = b0 >= 0 ? b0 / op.sh + 1 : 0;
        return {std::clamp<std::int64_t>(lo, 0, a.view.h),
                std::clamp<std::int64_t>(hi, 0, a.view.h)};
    }
    const std::int64_t lo = y0 * op.sh - op.pt, hi = (y1 - 1) * op.sh - op.pt + op.window_rows();
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

bool skips_rows(const lowered_op &op, std::size_t k) {
    const operand &a = op.inputs[k];
    return op.kind == op_kind::conv && op.tkh == 0 && op.kh == 1 && op.kw == 1 && op.sh > 1 &&
           op.pt == 0 && a.spatial && !a.transposed && !a.identity_rows && !a.view.hwc &&
           int(k) != op.shortcut;
}

tile_choice tile_footprint(const lowered_op &op, const tile_env &env, std::int64_t rows,
                           std::int64_t oc, std::int64_t kc) {
    tile_choice t;
    tile_footprint_into(t, op, env, rows, oc, kc);
    return t;
}

void tile_footprint_into(tile_choice &t, const lowered_op &op, const tile_env &env,
                         std::int64_t rows, std::int64_t oc, std::int64_t kc) {
    const std::int64_t cin = std::max<std::int64_t>(op.cin, 1); // 0 for vector-unit ops
    if (kc <= 0 || kc > cin)
        kc = cin;
    // Every field is written below but these (a whole reset costs more than the formula).
    t.in_bytes.clear();
    t.in_runs.clear();
    t.w_runs = 0;
    t.scratch_bytes = 0;
    t.order = loop_order::weights_outer;
    t.max_rows = 0;
    t.traffic = 0;
    t.est = op_estimate{};
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
            t.in_runs.push_back(std::uint64_t(oc));
            in += t.in_bytes.back();
            continue;
        }
        if (env.resident(k))
            r = env.halo_rows[k];
        else if (!a.spatial)
            r = 1;
        else if (a.rs_out > 0) // resize: the rows the output rows interpolate between
            r = std::min<std::int64_t>(
                a.view.h, std::int64_t((__int128(rows - 1) * a.rs_in + a.rs_out - 1) / a.rs_out) +
                              a.rs_taps); // any alignment
        else if (int(k) == op.shortcut || a.identity_rows)
            r = std::min(rows, a.row_step == 1 ? a.view.h : rows);
        else if (skips_rows(op, k) && !env.resident(k))
            r = std::min(rows, a.view.h); // only the rows the stride uses
        else if (op.tkh > 0)              // transposed: the input rows whose taps land in the tile
            r = std::min(a.view.h, (rows - 1 + (op.tkh - 1) * op.dh) / op.sh + 1);
        else
            r = std::min(a.view.h, (rows - 1) * op.sh + op.window_rows());
        const std::int64_t ch = operand_channels(op, a, oc, read_c);
        const std::uint64_t b = std::uint64_t(r) * a.view.w * ch * a.view.elem_bytes;
        t.in_bytes.push_back(b);
        // Contiguous runs in DRAM: CHW holds a channel's rows together, so a tile of some rows
        // is one run per channel; HWC (row-major matrices) one run per row unless all channels.
        // Rows skipped by a stride: a run per row and channel.
        const bool gather = a.identity_rows && a.row_step != 1;
        const bool skipping = skips_rows(op, k) && !env.resident(k) && r > 1;
        t.in_runs.push_back(std::uint64_t(gather       ? r
                                          : skipping   ? r * ch
                                          : a.view.hwc ? (ch < a.view.c ? r : 1)
                                                       : (r < a.view.h ? ch : 1)));
        in += b;
    }
    std::int64_t per_oc = 0;
    for (const auto &w : op.weights)
        per_oc += w.reduced && t.k_split() ? w.bytes_per_oc / op.cin * kc : w.bytes_per_oc;
    t.w_bytes = std::uint64_t(oc) * per_oc;
    for (const auto &w : op.weights)
        t.w_runs += w.k_major                  ? std::uint64_t(t.k_split() ? kc : w.k)
                    : w.reduced && t.k_split() ? std::uint64_t(oc)
                                               : 1;
    // Partial sums of a split K stay in the array's accumulator when they fit it; otherwise in
    // the output buffer across K blocks, accumulator-wide (even for a kept output: only the
    // last K block writes the kept slot).
    const std::uint64_t pixels = std::uint64_t(rows) * op.wout * oc;
    t.acc_in_array =
        t.k_split() && env.chip &&
        pixels * env.accumulator_bytes <= std::uint64_t(env.chip->mac_array.accumulator_kib) * 1024;
    t.out_bytes = t.k_split() && !t.acc_in_array ? pixels * env.accumulator_bytes
                  : env.out_resident             ? 0
                                                 : pixels * op.out.elem_bytes;
    if (op.fused_attention) // rows x (heads in the tile) x keys scores
        t.scratch_bytes = std::uint64_t(rows) * std::uint64_t(oc / op.head_size) *
                          std::uint64_t(op.keys) * op.out.elem_bytes;
    t.footprint = 2 * in + 2 * t.out_bytes + 2 * t.scratch_bytes +
                  (t.weights_once() ? 1 : 2) * t.w_bytes + env.resident_extent;
}

std::int64_t k_granule(const lowered_op &op, const tile_env &env, bool whole_bursts) {
    if (op.unit != unit_kind::mac_array || op.groups != 1 || op.cin <= 1 || op.no_ksplit)
        return 0;
    bool any = false;
    std::uint64_t run_per_channel = 0; // bytes per input channel of a [N, K] weight's K run
    for (const auto &w : op.weights) {
        if (!w.reduced)
            continue;
        if (w.bytes_per_oc % op.cin)
            return 0; // not a whole number of bytes per input channel
        any = true;
        if (!w.k_major)
            run_per_channel = std::max(run_per_channel, std::uint64_t(w.bytes_per_oc / op.cin));
    }
    if (!any)
        return 0;
    // WS maps K on the array rows: a K block of fewer than `rows` elements would idle rows.
    // im2col puts a channel's kh·kw taps on consecutive rows; per_tap runs the taps as folds,
    // so a K block is then channels alone.
    const bool im2col = !env.chip || env.chip->mac_array.lowering == conv_lowering::im2col;
    const std::uint64_t per_channel =
        op.kind == op_kind::conv && im2col ? std::uint64_t(op.kh * op.kw) : 1;
    auto g = std::int64_t(ceil_div(env.array_rows, per_channel));
    // A K block of an [N, K] weight matrix loads one run of K-block bytes per output channel:
    // runs shorter than a DMA burst waste the DRAM (a row activation per short run), which the
    // estimate's DMA model does not see. Measured on the edge chip: DeiT-small's fc2 in 32-byte
    // runs simulated at twice its estimate. So a K block holds at least a burst per run.
    if (whole_bursts && env.chip && run_per_channel)
        g *= std::int64_t(
            ceil_div(ceil_div(env.chip->dma.burst_bytes, run_per_channel), std::uint64_t(g)));
    return g < op.cin ? g : 0;
}

namespace {
/// Operand k is read whole by every channel block (all channels, not transposed, not the
/// shortcut): a tile order can keep it in the scratchpad across them.
bool reusable_input(const lowered_op &op, std::size_t k) {
    return op.inputs[k].mode == chan_mode::all && !op.inputs[k].transposed && int(k) != op.shortcut;
}
} // namespace

bool input_reused(const lowered_op &op, std::size_t k, const tile_choice &t,
                  std::uint64_t row_blocks) {
    return reusable_input(op, k) && !t.k_split() &&
           (row_blocks == 1 || t.order == loop_order::inputs_outer);
}

tile_gemm_set tile_gemms(const lowered_op &op, const mac_array_params &p, std::uint64_t rows,
                         std::uint64_t oc, std::uint64_t kcur) {
    tile_gemm_set s;
    const std::uint64_t pix = rows * std::uint64_t(op.wout);
    const std::uint64_t taps = std::uint64_t(op.kh * op.kw);
    const bool per_tap =
        op.kind == op_kind::conv && taps > 1 && p.lowering == conv_lowering::per_tap;
    if (op.fused_attention) {
        const std::uint64_t hs = std::uint64_t(op.head_size), keys = std::uint64_t(op.keys);
        const std::uint64_t heads = (oc + hs - 1) / hs;
        s.g[0] = {rows, hs, keys, heads, 1};
        s.g[1] = {rows, keys, hs, heads, 1};
        s.n = 2;
        return s;
    }
    s.n = 1;
    if (op.kind == op_kind::gemm) {
        s.g[0] = {pix, kcur, oc, 1, 1};
    } else if (op.groups == 1) {
        s.g[0] =
            per_tap ? gemm_tile{pix, kcur, oc, 1, taps} : gemm_tile{pix, kcur * taps, oc, 1, 1};
    } else {
        // Grouped and depthwise: one GEMM per group (depthwise: k = kh·kw, n = 1).
        const std::uint64_t cog = std::uint64_t(op.cout / op.groups);
        const std::uint64_t cig = std::uint64_t(op.cin);
        s.g[0] = per_tap ? gemm_tile{pix, cig, cog, oc / cog, taps}
                         : gemm_tile{pix, cig * taps, cog, oc / cog, 1};
    }
    return s;
}

namespace {

/// Vector-unit cycles of one tile of `rows` x `oc` (main function of a vector op, or the
/// epilogues of a MAC op), as the emitter issues them.
std::uint64_t tile_vector_cycles(const lowered_op &op, const vector_unit_params &vp,
                                 std::uint64_t rows, std::int64_t o0, std::int64_t o1) {
    const std::uint64_t oc = std::uint64_t(o1 - o0);
    const std::uint64_t pix = rows * std::uint64_t(op.wout);
    const std::uint64_t nres =
        pix *
        std::uint64_t(std::max<std::int64_t>(0, std::min(o1, op.res_hi) - std::max(o0, op.res_lo)));
    std::uint64_t v = 0;
    auto add = [&](vec_fn fn, std::uint64_t e) {
        if (e)
            v += vector_tile_cycles(vp, {fn, e});
    };
    if (op.fused_attention) {
        const std::uint64_t heads = (oc + op.head_size - 1) / op.head_size;
        add(vec_fn::softmax, rows * heads * std::uint64_t(op.keys));
    } else if (op.unit == unit_kind::vector_unit) {
        if (op.kind == op_kind::conv)
            add(vec_fn::mac, pix * oc * op.kh * op.kw);
        else if (op.fn == vec_fn::add || op.fn == vec_fn::mul)
            add(op.fn, nres), add(vec_fn::copy, pix * oc - nres);
        else if (op.fn == vec_fn::pool)
            add(vec_fn::pool, pix * oc * op.kh * op.kw);
        else
            add(op.fn, pix * oc);
    }
    if (op.epi_act)
        add(op.epi_fn, pix * oc);
    if (op.shortcut >= 0)
        add(op.res_fn, nres);
    return v;
}

/// The compiler's model of one core's DMA: a transfer of `bytes` in `runs` contiguous runs
/// takes the longer of its bytes over the core's share of the bandwidth and its bursts (each
/// run cut into `burst_bytes` pieces) over the engine's outstanding window of DRAM round trips:
/// short strided runs are latency-bound, not bandwidth-bound.
struct dma_model {
    double bw = 1;        ///< bytes/cycle of one core
    double per_burst = 0; ///< cycles per burst when latency-bound (round trip / outstanding)
    std::uint64_t burst = 256;
    double cycles(std::uint64_t bytes, std::uint64_t runs) const {
        if (bytes == 0)
            return 0;
        runs = std::max<std::uint64_t>(runs, 1);
        const double bursts = double(runs * ceil_div(ceil_div(bytes, runs), burst));
        return std::max(double(bytes) / bw, bursts * per_burst);
    }
};

dma_model make_dma_model(const chip_desc &chip, std::uint32_t used) {
    dma_model m;
    used = std::max<std::uint32_t>(used, 1);
    m.bw = std::max(1e-9, std::min({chip.dram_peak_bytes_per_cycle() / used,
                                    double(chip.interconnect.bytes_per_cycle) / used,
                                    double(chip.dma.bytes_per_cycle)}));
    const double trip =
        chip.clock_mhz * 1e-3 * (chip.dram.controller_ns + chip.dram.t_cl_ns + chip.dram.t_rcd_ns) +
        2.0 * chip.interconnect.latency_cycles;
    m.per_burst = trip / chip.dma.outstanding;
    m.burst = chip.dma.burst_bytes;
    return m;
}

/// What the busiest core loads for tiling `t`: DRAM bytes (inputs not kept on chip, and
/// weights), their DMA cycles under `m`, and the first tile's load cycles. Every tile class
/// (full or last block of rows, channels and K) is counted with its own sizes.
struct load_cost {
    std::uint64_t bytes = 0;
    double cycles = 0, first = 0;
};

load_cost loads_of(const lowered_op &op, const tile_env &env, const tile_choice &t,
                   const dma_model *m) {
    load_cost lc;
    const std::int64_t cin = std::max<std::int64_t>(op.cin, 1);
    const std::int64_t kc = t.k_split() ? t.kc : cin;
    const std::int64_t rb = (env.rows_core + t.rows - 1) / t.rows;
    const std::int64_t r_last = env.rows_core - (rb - 1) * t.rows;
    const std::int64_t q_last = env.oc_core - (t.oc_blocks - 1) * t.oc;
    const std::int64_t k_last = cin - (t.k_blocks - 1) * kc;
    const bool in_outer = t.order == loop_order::inputs_outer;
    auto add = [&](std::uint64_t times, std::uint64_t bytes, std::uint64_t runs) {
        lc.bytes += times * bytes;
        if (m)
            lc.cycles += double(times) * m->cycles(bytes, runs);
    };
    static thread_local tile_choice c; // one tile class at a time (its buffers reused)
    for (int ir = 0; ir < 2; ++ir)
        for (int iq = 0; iq < 2; ++iq)
            for (int ik = 0; ik < 2; ++ik) {
                const std::int64_t nr = ir ? 1 : rb - 1, nq = iq ? 1 : t.oc_blocks - 1,
                                   nk = ik ? 1 : t.k_blocks - 1;
                if (nr <= 0 || nq <= 0 || nk <= 0)
                    continue;
                const std::int64_t r = ir ? r_last : t.rows;
                const std::int64_t q = iq ? q_last : t.oc;
                const std::int64_t k = ik ? k_last : kc;
                tile_footprint_into(c, op, env, r, q, t.k_split() ? k : 0);
                const bool first =
                    ir == (rb == 1) && iq == (t.oc_blocks == 1) && ik == (t.k_blocks == 1);
                for (std::size_t j = 0; j < op.inputs.size(); ++j) {
                    if (env.resident(j))
                        continue;
                    std::int64_t times = nr * nq * nk;
                    if (input_reused(op, j, t, std::uint64_t(rb)))
                        // Loaded once per row block (by its first channel block).
                        times = iq == (t.oc_blocks == 1) ? nr : 0;
                    add(std::uint64_t(times), c.in_bytes[j], c.in_runs[j]);
                    if (first && m)
                        lc.first += m->cycles(c.in_bytes[j], c.in_runs[j]);
                }
                // Weights: per channel block once (weights_outer: the row-block loop is inside
                // and reuses them), per tile with a split K or with inputs outer.
                std::int64_t wt = nr * nq * nk;
                if (!t.k_split() && !in_outer)
                    wt = ir == (rb == 1) ? nq : 0;
                if (!t.k_split() && in_outer && t.oc_blocks == 1)
                    wt = ir == (rb == 1) ? nq : 0;
                add(std::uint64_t(wt), c.w_bytes, c.w_runs);
                if (first && m)
                    lc.first += m->cycles(c.w_bytes, c.w_runs);
            }
    return lc;
}

/// DMA cycles of storing one output tile of r rows x q channels: CHW holds a channel's rows
/// together (one run per channel unless all rows), HWC one run per row unless all channels.
double out_tile_store(const lowered_op &op, const dma_model &m, std::int64_t r, std::int64_t q) {
    const std::uint64_t bytes = std::uint64_t(r * op.wout * q * op.out.elem_bytes);
    const std::uint64_t runs =
        op.out.hwc ? (q < op.out.c ? std::uint64_t(r) : 1) : (r < op.out.h ? std::uint64_t(q) : 1);
    return m.cycles(bytes, runs);
}

/// DMA cycles of the output stores (none for a kept output), per tile class.
double store_cycles(const lowered_op &op, const tile_env &env, const tile_choice &t,
                    const dma_model &m) {
    if (env.out_resident)
        return 0;
    const std::int64_t rb = (env.rows_core + t.rows - 1) / t.rows;
    const std::int64_t dims[2][2] = {{t.rows, env.rows_core - (rb - 1) * t.rows},
                                     {t.oc, env.oc_core - (t.oc_blocks - 1) * t.oc}};
    const std::int64_t counts[2][2] = {{rb - 1, 1}, {t.oc_blocks - 1, 1}};
    double c = 0;
    for (int ir = 0; ir < 2; ++ir)
        for (int iq = 0; iq < 2; ++iq) {
            const std::int64_t n = counts[0][ir] * counts[1][iq];
            const std::int64_t r = dims[0][ir], q = dims[1][iq];
            if (n <= 0 || r <= 0 || q <= 0)
                continue;
            c += double(n) * out_tile_store(op, m, r, q);
        }
    return c;
}

/// Rows one fold of a (rows, oc, kc) tile streams: M (WS), K·taps (OS) or N (IS), capped by
/// the accumulator depth (WS, IS).
std::uint64_t streamed_rows(const lowered_op &op, const mac_array_params &p, std::int64_t rows,
                            std::int64_t oc, std::int64_t kc) {
    const gemm_tile g =
        tile_gemms(op, p, std::uint64_t(rows), std::uint64_t(oc), std::uint64_t(kc)).g[0];
    if (p.flow == dataflow::os)
        return g.k * g.taps;
    return std::min<std::uint64_t>(p.flow == dataflow::ws ? g.m : g.n, p.accumulator_depth());
}

/// estimate() in two stages: the compute time (array, vector) first, then the DMA. Returns
/// false, leaving the DMA parts unset, when the compute time alone already exceeds `bound`:
/// e.cycles >= max(array, vector) whatever the loads, so such a tiling cannot rank within the
/// mapper's tolerance of a candidate already found (try_tiling). stream_rows is always set.
bool estimate_into(op_estimate &e, const lowered_op &op, const tile_env &env, const tile_choice &t,
                   std::uint64_t bound) {
    const chip_desc &chip = *env.chip;
    const dma_model dm = make_dma_model(chip, env.cores_used);
    // Tile classes: full and last blocks of rows, channels and K.
    const std::int64_t rb = (env.rows_core + t.rows - 1) / t.rows;
    const std::int64_t cin = std::max<std::int64_t>(op.cin, 1);
    const std::int64_t kc = t.k_split() ? t.kc : cin;
    struct dim {
        std::int64_t full, last, n_full;
    };
    const dim dr{t.rows, env.rows_core - (rb - 1) * t.rows, rb - 1};
    const dim dq{t.oc, env.oc_core - (t.oc_blocks - 1) * t.oc, t.oc_blocks - 1};
    const dim dk{kc, cin - (t.k_blocks - 1) * kc, t.k_blocks - 1};
    const bool mac = op.unit == unit_kind::mac_array;
    std::uint64_t run = 0, once = 0, gap_max = 0, last_tile = 0;
    bool overlapping = false;
    for (int ir = 0; ir < 2; ++ir)
        for (int iq = 0; iq < 2; ++iq)
            for (int ik = 0; ik < 2; ++ik) {
                const std::int64_t nr = ir ? 1 : dr.n_full, nq = iq ? 1 : dq.n_full,
                                   nk = ik ? 1 : dk.n_full;
                const std::int64_t r = ir ? dr.last : dr.full, q = iq ? dq.last : dq.full,
                                   k = ik ? dk.last : dk.full;
                const std::uint64_t n = std::uint64_t(nr * nq * nk);
                if (n == 0 || r <= 0 || q <= 0 || k <= 0)
                    continue;
                // Epilogues and vector work run once per output tile (after the last K block).
                if (ik == 1)
                    e.vector += std::uint64_t(nr * nq) *
                                tile_vector_cycles(op, chip.vector_unit, std::uint64_t(r), 0, q);
                if (!mac)
                    continue;
                const tile_gemm_set gs = tile_gemms(op, chip.mac_array, std::uint64_t(r),
                                                    std::uint64_t(q), std::uint64_t(k));
                for (int i = 0; i < gs.n; ++i) {
                    const mac_tile_cost c = mac_tile_cycles(chip.mac_array, gs.g[i]);
                    if (ir == 1 && iq == 1 && ik == 1)
                        last_tile += c.cycles; // runs after the last load has arrived
                    if (c.overlaps) {
                        const std::uint64_t gap =
                            c.first_preload > c.last_t ? c.first_preload - c.last_t : c.last_hold;
                        run += n * (c.stream + gap);
                        gap_max = std::max(gap_max, gap);
                        once = std::max(once, c.first_preload + c.tail);
                        overlapping = true;
                    } else {
                        run += n * c.cycles;
                    }
                }
            }
    if (mac)
        e.stream_rows = streamed_rows(op, chip.mac_array, dr.full, dq.full, dk.full);
    e.array = run + (overlapping ? once - std::min(once, gap_max) : 0);
    // K blocks written back to the scratchpad: each waits for the previous one's results (the
    // skew and the issue latency) before it can read them.
    if (mac && t.k_split() && !t.acc_in_array)
        e.array += std::uint64_t(rb * t.oc_blocks * (t.k_blocks - 1)) *
                   (chip.mac_array.rows + chip.mac_array.cols - 2 + chip.controller.issue_cycles);
    if (std::max(e.array, e.vector) > bound)
        return false;
    // DRAM: loads of this tiling plus the output stores (a kept output is written in place).
    const load_cost lc = loads_of(op, env, t, &dm);
    e.load_bytes = lc.bytes;
    e.dma = std::uint64_t(lc.cycles + store_cycles(op, env, t, dm) + 0.5);
    e.startup = std::uint64_t(lc.first + 0.5);
    // The last tile's store follows its compute: nothing overlaps it.
    const double last_store = env.out_resident ? 0 : out_tile_store(op, dm, dr.last, dq.last);
    e.cycles = std::max(e.startup + std::max(e.array, e.vector) + std::uint64_t(last_store + 0.5),
                        e.dma + last_tile);
    return true;
}

} // namespace

op_estimate estimate(const lowered_op &op, const tile_env &env, const tile_choice &t) {
    op_estimate e;
    estimate_into(e, op, env, t, std::numeric_limits<std::uint64_t>::max());
    return e;
}

std::optional<tile_choice> try_tiling(const lowered_op &op, const tile_env &env) {
    std::int64_t base = 1;
    const std::vector<std::int64_t> ocs = oc_candidates(op, env, base);
    // K blocks: the full K first (no partial sums) whenever it fits; only if no tile with the
    // full K fits, every multiple of the granule below K, by the same key. Below the smallest
    // of those, the multiples of the array's granule alone (runs shorter than a burst, see
    // k_granule), tried only when nothing else fits or to end a preload-bound stream (where
    // streaming 5x the rows outweighs the short runs).
    std::vector<std::int64_t> kcs{std::max<std::int64_t>(op.cin, 1)};
    std::int64_t g = k_granule(op, env);
    if (g)
        for (std::int64_t k = (op.cin - 1) / g; k >= 1; --k)
            kcs.push_back(k * g);
    const std::size_t last_resort = kcs.size(); // kcs[i >= last_resort]: short runs
    if (const std::int64_t g1 = k_granule(op, env, false); g1 && g1 != g)
        for (std::int64_t k = (std::min(kcs.back(), op.cin) - 1) / g1; k >= 1; --k)
            kcs.push_back(k * g1);
    const bool mac = op.unit == unit_kind::mac_array;
    bool any_reusable = false;
    for (std::size_t k = 0; k < op.inputs.size(); ++k)
        any_reusable = any_reusable || (reusable_input(op, k) && !env.resident(k));

    // Least estimated time — candidates within 0.5 % (+16 cycles) of the best estimate count as
    // equal, the model is not finer than that — then least traffic, fewer tiles (each costs
    // commands, descriptors and DRAM latency the estimate does not see), the smallest first
    // tile, wider, deeper. Without a chip (unit tests of the footprint): least traffic.
    using key_t =
        std::tuple<std::uint64_t, std::uint64_t, std::uint64_t, std::int64_t, std::int64_t, int>;
    std::vector<std::pair<key_t, tile_choice>> cands;
    bool found = false;
    std::uint64_t stream_max = 0; // most rows any candidate so far streams per fold
    std::uint64_t bound = std::numeric_limits<std::uint64_t>::max(); // see the selection below
    cands.reserve(32);
    auto consider = [&](tile_choice &t) { // fills t's estimate and traffic
        found = true;
        const std::uint64_t row_blocks = ceil_div(env.rows_core, t.rows);
        const std::uint64_t tiles = row_blocks * t.oc_blocks * t.k_blocks;
        if (env.chip) {
            const bool within = estimate_into(t.est, op, env, t, bound);
            stream_max = std::max(stream_max, t.est.stream_rows);
            if (!within)
                return; // slower than the tolerance of the best so far, whatever its loads
            bound = std::min(bound, t.est.cycles + t.est.cycles / 200 + 16);
            t.traffic = t.est.load_bytes;
        } else {
            t.traffic = loads_of(op, env, t, nullptr).bytes;
        }
        std::uint64_t in = 0;
        for (std::size_t k = 0; k < op.inputs.size(); ++k)
            if (!env.resident(k))
                in += t.in_bytes[k];
        const std::uint64_t startup = mac ? in + t.w_bytes : 0;
        cands.emplace_back(key_t{t.traffic, tiles, startup, -t.oc, -t.kc, int(t.order)}, t);
    };
    // K blocks: without a chip (unit tests of the footprint) or off the MAC array, K is split
    // only when no full-K tile fits. On the MAC array a K-blocked tile whose partial sums fit
    // the array's accumulator competes by time with the full-K ones (a deep K with room for
    // only a few rows would otherwise stream fewer rows than the array preloads).
    // kcs[i] (descending) is the largest multiple of the granule at most K/2, K/4, ...
    auto coarse_k = [&](std::size_t i) {
        const std::int64_t K = kcs[0];
        for (std::int64_t frac = 2; K / frac >= kcs.back(); frac *= 2)
            if (kcs[i] <= K / frac && (i == 1 || kcs[i - 1] > K / frac))
                return true;
        return false;
    };
    bool full_found = false;
    bool preload_split = false;    // K blocks tried to stream more rows: short runs allowed too
    bool traffic_split = false;    // K blocks tried to cut traffic (see below), not to stream
    tile_choice probe;             // footprint probes of the row search
    std::uint64_t full_stream = 0; // most rows a full-K candidate streams per fold
    for (std::size_t i = 0; i < kcs.size(); ++i) {
        if (i == 1) {
            full_found = found;
            full_stream = stream_max;
            // A full-K tile fits: split K only on the MAC array, and only
            // - to stream more rows when every full-K tile is preload-bound (where full-K tiles
            //   stream enough rows, K blocks re-read the weights per row block for nothing), or
            // - to cut DRAM traffic when the fastest full-K tile is bound by its DMA and cannot
            //   hold all of the core's rows: its input is then read again for every channel
            //   block (or its weights for every row block), where a K-blocked tile holds more
            //   rows and channels at once. Measured on the edge chip: ViT-B/16's fc2 (K = 3072)
            //   with twice the scratchpad kept a shortcut on chip, fitted only 32-row full-K
            //   tiles and read its input 12 times: +16 % for the whole network, against a
            //   K-blocked tile of all 197 rows. For speed, these K blocks are K/2, K/4, ...
            //   only (the granule's multiples nearest those), not every multiple.
            const bool preload_bound =
                mac && env.chip && full_stream < env.chip->mac_array.rows &&
                full_stream < streamed_rows(op, env.chip->mac_array, env.rows_core, env.oc_core,
                                            std::max<std::int64_t>(op.cin, 1));
            preload_split = full_found && preload_bound;
            if (full_found && !preload_bound && mac && env.chip) {
                const tile_choice *fast = nullptr;
                for (const auto &c : cands)
                    if (c.second.k_blocks == 1 && (!fast || c.second.est.cycles < fast->est.cycles))
                        fast = &c.second;
                traffic_split =
                    fast && fast->est.dma > fast->est.array && fast->rows < env.rows_core;
            }
            if (full_found && !preload_bound && !traffic_split)
                break;
        }
        if (i >= last_resort && found && !preload_split)
            break;
        if (traffic_split && !coarse_k(i))
            continue;
        const std::int64_t kc = kcs[i];
        for (std::int64_t oc : ocs) {
            tile_footprint_into(probe, op, env, 1, oc, kc);
            if (probe.footprint > env.scratchpad)
                continue;
            // The footprint grows with rows: binary-search the most rows that fit.
            std::int64_t lo = 1, hi = env.rows_core;
            while (lo < hi) {
                const std::int64_t mid = (lo + hi + 1) / 2;
                tile_footprint_into(probe, op, env, mid, oc, kc);
                if (probe.footprint <= env.scratchpad)
                    lo = mid;
                else
                    hi = mid - 1;
            }
            // Row tiles: the tallest that fits, and (MAC ops) the tallest of each smaller
            // number of row blocks, b = 2..16: a shorter first tile can start sooner.
            // A shorter tile must still stream at least the array's rows per fold: below that
            // every fold waits for its weights (preload-bound), whatever the first tile saves.
            std::vector<std::int64_t> rows{lo};
            if (env.chip)
                for (std::int64_t b = 2; b <= 16; ++b) {
                    const std::int64_t r = (env.rows_core + b - 1) / b;
                    if (r < lo && r != rows.back() &&
                        (!mac || streamed_rows(op, env.chip->mac_array, r, oc, kc) >=
                                     env.chip->mac_array.rows))
                        rows.push_back(r);
                }
            const loop_order_policy pol =
                env.chip ? env.chip->compiler.loop_order : loop_order_policy::weights_outer;
            for (std::int64_t r : rows) {
                tile_choice t = tile_footprint(op, env, r, oc, kc);
                t.max_rows = lo;
                if (full_found && !traffic_split &&
                    (!t.acc_in_array ||
                     streamed_rows(op, env.chip->mac_array, r, oc, kc) <= full_stream))
                    continue; // write-back K blocks only when nothing else fits
                // The other loop order: the input row block stays while the channel blocks
                // (and their weights) cycle through it. It differs only with several row and
                // channel blocks and an input that every channel block reads.
                const bool alt = mac && env.chip && any_reusable && !t.k_split() &&
                                 t.oc_blocks > 1 && ceil_div(env.rows_core, r) > 1;
                if (!(alt && pol == loop_order_policy::inputs_outer))
                    consider(t);
                if (alt && pol != loop_order_policy::weights_outer) {
                    t.order = loop_order::inputs_outer;
                    consider(t);
                }
            }
        }
    }
    if (cands.empty())
        return std::nullopt;
    // The same tolerance as `bound`: a candidate consider() skipped is above it for good.
    std::uint64_t limit = std::numeric_limits<std::uint64_t>::max();
    if (env.chip) {
        std::uint64_t best_est = limit;
        for (const auto &c : cands)
            best_est = std::min(best_est, c.second.est.cycles);
        limit = best_est + best_est / 200 + 16;
    }
    const std::pair<key_t, tile_choice> *best = nullptr;
    for (const auto &c : cands)
        if (c.second.est.cycles <= limit && (!best || c.first < best->first))
            best = &c;
    return best->second;
}

tile_choice choose_tiling(const lowered_op &op, const tile_env &env, const std::string &source,
                          const std::string &path) {
    if (auto t = try_tiling(op, env))
        return *t;
    std::int64_t base = 1;
    oc_candidates(op, env, base);
    const std::int64_t g = k_granule(op, env, false);
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
        b.bank_aligned = align && sp.layout == sram_layout::blocked;
        std::uint64_t at = 0;
        // Blocked banks: each buffer starts on a bank boundary when the layout fits, so a
        // load into one buffer and the compute reading another use different banks.
        // Interleaved: every buffer spreads over all banks; no alignment helps.
        const bool bank_align = align && sp.layout == sram_layout::blocked;
        auto place = [&](std::uint64_t bytes) {
            if (bank_align && bytes)
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
