#pragma once
// Closed-form timing of GEMM tiles on a systolic array, shared by the compiler (to choose
// mappings and to print its estimate) and by arch::mac_array (to time a tile), so the two can
// never disagree. Two models, chosen by `mac_array.timing` (docs/timing-model.md derives both):
//
// A GEMM maps two of its dimensions onto the R x C array (S_R <= R rows, S_C <= C columns per
// fold) and streams the third (T) through it:
//     WS: S_R = K, S_C = N, T = M      OS: S_R = M, S_C = N, T = K      IS: S_R = K, S_C = M, T = N
// (M = output rows/pixels, K = reduction, N = output channels). A tile has
// repeat · taps · ceil(S_R/R) · ceil(S_C/C) folds (taps: a per-tap convolution accumulates over
// the kernel positions; repeat: independent GEMMs, e.g. the channels of a depthwise conv).
//
// scalesim — SCALE-Sim v2's stall-free formulas (scalesim/compute/systolic_compute_*.py): every
// fold fills, streams and drains the whole array before the next may start:
//     WS, IS: 2R + C + T − 2 per fold  (R to load the stationary operand, T − 1 streaming after
//                                        the first, R + C − 1 skew and drain)
//     OS:      R + C + T − 2 per fold  (nothing to preload; the outputs drain during the skew)
// SCALE-Sim itself prints one cycle less per layer (folds · per-fold − 1): its counter starts
// at 0.
//
// pipelined — a double-buffered array (TPU, Gemmini, NVDLA CMAC): the stationary operand of the
// next fold loads into shadow registers while the current fold streams, so folds run back to
// back and the skew is paid once per run, not per fold. Per fold i, S_i is the stationary
// operand's load (WS weights, IS inputs) or drain (OS outputs): r_i cycles for a systolic shift
// of the r_i array rows the fold uses, or ceil(r_i·c_i·bytes / preload_bytes_per_cycle) with a
// preload port. Then, for n folds streaming T_i rows each:
//     WS, IS:  S_0 + Σ_{i<n-1} max(T_i, S_{i+1}) + T_{n-1} + (R + C − 2)
//     OS:            Σ_{i<n-1} max(T_i, S_i)     + T_{n-1} + (R + C − 2)
// One fold alone is exactly SCALE-Sim's (WS: R + T + R + C − 2). A fold that streams fewer rows
// than its successor needs to preload is preload-bound (a GEMV, T = 1, costs ≈ n·R, not n·skew).
// WS and IS accumulate partial sums below the array: a fold streams at most
// accumulator_depth() rows, so a longer T is cut into chunks that each run every fold. Without
// double buffering every fold pays S_i + T_i + R + C − 2 (OS: T_i + R + C − 2).
// Consecutive tiles on one core continue the pipeline when their operands are ready in time
// (mac_pipeline below): the next tile's first preload overlaps the previous tile's last fold,
// and its stream starts as soon as the previous one ends.

#include "ops/chip.h"
#include "ops/command.h"

#include <algorithm>
#include <cstdint>

namespace ops {

inline std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
    return (a + b - 1) / b;
}

/// One tile's timing, in array cycles.
struct mac_tile_cost {
    std::uint64_t cycles = 0;        ///< the tile alone on an idle array, ready to done
    std::uint64_t folds = 0;         ///< folds over all repeats, taps and chunks
    std::uint64_t stream_cycles = 0; ///< Σ T over folds: cycles in which operands stream
    std::uint64_t slot_cycles = 0;   ///< R·C·Σ T: MAC slots occupied while streaming
    // The pipeline's view (pipelined timing; for scalesim and single-buffered arrays the tile is
    // one opaque block of `cycles`: first_preload = tail = 0, stream = cycles).
    std::uint64_t first_preload = 0; ///< S_0: load of the first fold's stationary operand
    std::uint64_t stream = 0;        ///< first fold's stream start to the last fold's stream end
    std::uint64_t last_t = 0;        ///< T of the last fold
    std::uint64_t last_hold = 0;     ///< OS: cycles the last fold's drain outlasts its stream
    std::uint64_t tail = 0;          ///< skew after the last stream: R + C − 2
    bool overlaps = false;           ///< consecutive tiles may overlap (pipelined, double-buffered)
};

namespace detail {

/// Number of q in [a, b] with q mod rf == rf − 1 (the short last row fold of each tap).
inline std::uint64_t count_last_row_fold(std::uint64_t a, std::uint64_t b, std::uint64_t rf) {
    if (b < a)
        return 0;
    return (b + 1) / rf - a / rf;
}

} // namespace detail

inline mac_tile_cost mac_tile_cycles(const mac_array_params &p, const gemm_tile &g) {
    std::uint64_t sr = 0, sc = 0, t = 0;
    switch (p.flow) {
    case dataflow::ws:
        sr = g.k, sc = g.n, t = g.m;
        break;
    case dataflow::os:
        sr = g.m, sc = g.n, t = g.k;
        break;
    case dataflow::is:
        sr = g.k, sc = g.m, t = g.n;
        break;
    }
    mac_tile_cost c;
    const std::uint64_t taps = std::max<std::uint64_t>(g.taps, 1);
    if (sr == 0 || sc == 0 || t == 0 || g.repeat == 0)
        return c;
    // OS keeps the reduction (taps included) in the PEs: the taps lengthen the stream.
    const bool os = p.flow == dataflow::os;
    const std::uint64_t taps_fold = os ? 1 : taps;
    if (os)
        t *= taps;
    const std::uint64_t r = p.rows, cc = p.cols;
    const std::uint64_t rf = ceil_div(sr, r), cf = ceil_div(sc, cc);
    const std::uint64_t skew = r + cc - 2;

    if (p.timing == mac_timing::scalesim) {
        c.folds = g.repeat * taps_fold * rf * cf;
        c.cycles = c.folds * ((os ? r : 2 * r) + cc + t - 2);
        c.stream_cycles = c.folds * t;
        c.slot_cycles = c.stream_cycles * r * cc;
        c.stream = c.cycles;
        c.last_t = t;
        return c;
    }

    // Pipelined. T chunks (WS/IS: the accumulator holds `depth` rows of partial sums).
    const std::uint64_t depth = os ? t : std::min<std::uint64_t>(t, p.accumulator_depth());
    const std::uint64_t chunks = ceil_div(t, depth);
    const std::uint64_t t_full = depth, t_last = t - (chunks - 1) * depth;
    const std::uint64_t kr = sr - (rf - 1) * r;  // rows of the last row fold
    const std::uint64_t nc = sc - (cf - 1) * cc; // columns of the last column fold
    const std::uint64_t pf = rf * taps_fold;     // folds per column fold (inner loop)
    const std::uint64_t blocks = g.repeat * chunks;
    auto s_of = [&](std::uint64_t ru, std::uint64_t cu) -> std::uint64_t {
        if (p.preload_bytes_per_cycle == 0)
            return ru;
        const std::uint64_t bytes = os ? p.accumulator_bytes : 1;
        return ceil_div(ru * cu * bytes, p.preload_bytes_per_cycle);
    };
    const std::uint64_t ru0 = rf == 1 ? kr : r;
    const std::uint64_t cu0 = cf == 1 ? nc : cc;
    c.folds = blocks * cf * pf;
    c.stream_cycles = g.repeat * taps_fold * rf * cf * t;
    c.slot_cycles = c.stream_cycles * r * cc;
    c.last_t = t_last;
    c.tail = skew;

    if (!p.double_buffer) {
        // Every fold loads (or drains), streams and empties the array: Σ (S_i + T_i + skew).
        // Σ S over one column fold's pf folds: pf − taps of R rows, taps of kr rows.
        auto s_sum_col = [&](std::uint64_t cu) {
            const std::uint64_t nk = detail::count_last_row_fold(0, pf - 1, rf);
            return (pf - nk) * s_of(r, cu) + nk * s_of(kr, cu);
        };
        const std::uint64_t s_block = os ? 0 : (cf - 1) * s_sum_col(cc) + s_sum_col(nc);
        c.cycles = blocks * s_block + c.folds * skew + g.repeat * taps_fold * rf * cf * t;
        c.stream = c.cycles;
        c.tail = 0;
        return c;
    }
    c.overlaps = true;

    // sumP(T, cu, a): Σ over inner positions q in [a, pf−1] of max(T, S(ru_q, cu)).
    auto sum_p = [&](std::uint64_t tb, std::uint64_t cu, std::uint64_t a) {
        if (a > pf - 1)
            return std::uint64_t(0);
        const std::uint64_t nk = detail::count_last_row_fold(a, pf - 1, rf);
        const std::uint64_t nr = (pf - a) - nk;
        return nr * std::max(tb, s_of(r, cu)) + nk * std::max(tb, s_of(kr, cu));
    };
    // Blocks: `repeat` times, chunks − 1 of t_full rows then one of t_last.
    const std::uint64_t n_full = g.repeat * (chunks - 1), n_last = g.repeat;
    if (!os) {
        // Σ_{j>=1} max(T_{j−1}, S_j) + T_{n−1}. Inside a block every fold but the first pairs
        // with the block's T; a block's first fold pairs with the previous block's T.
        auto within = [&](std::uint64_t tb) {
            std::uint64_t w = sum_p(tb, cu0, 1);
            if (cf >= 2)
                w += (cf - 2) * sum_p(tb, cc, 0) + sum_p(tb, nc, 0);
            return w;
        };
        const std::uint64_t s0 = s_of(ru0, cu0);
        std::uint64_t s = n_full * within(t_full) + n_last * within(t_last);
        s += n_full * std::max(t_full, s0) + (n_last - 1) * std::max(t_last, s0);
        c.first_preload = s0;
        c.stream = s + t_last;
        c.cycles = c.first_preload + c.stream + c.tail;
    } else {
        // Σ_i max(T_i, S_i) − max(T_{n−1}, S_{n−1}) + T_{n−1}: a fold's drain overlaps the next
        // fold's stream. OS has no chunks: every block streams t.
        const std::uint64_t per_block = (cf - 1) * sum_p(t, cc, 0) + sum_p(t, nc, 0);
        const std::uint64_t s_last = s_of(kr, nc);
        c.stream = blocks * per_block - std::max(t, s_last) + t;
        c.last_hold = s_last > t ? s_last - t : 0;
        c.cycles = c.stream + c.tail + (s_last > skew ? s_last - skew : 0);
    }
    return c;
}

/// Cycles of `n` identical tiles issued back to back on one array with their operands ready.
inline std::uint64_t mac_run_cycles(const mac_tile_cost &c, std::uint64_t n) {
    if (n == 0)
        return 0;
    if (!c.overlaps)
        return n * c.cycles;
    const std::uint64_t gap = c.first_preload > c.last_t ? c.first_preload - c.last_t : c.last_hold;
    return c.first_preload + n * c.stream + (n - 1) * gap + (c.cycles - c.first_preload - c.stream);
}

/// The array's pipeline state on one core, in any time unit (`period` units per cycle): ps in
/// arch::mac_array, cycles (period 1) in the compiler's estimate.
struct mac_pipeline {
    std::uint64_t stream_free = 0; ///< the array can start streaming another tile
    std::uint64_t shadow_free = 0; ///< the shadow registers are free for the next first preload
    std::uint64_t busy_until = 0;  ///< end of the array's busy time so far

    struct issue_result {
        std::uint64_t begin = 0;        ///< the array starts working on the tile
        std::uint64_t stream_start = 0; ///< the first fold starts streaming
        std::uint64_t free = 0;         ///< the array can stream the next tile
        std::uint64_t accept = 0;       ///< the array takes the next command (starts its preload)
        std::uint64_t done = 0;         ///< the last result leaves the array
        std::uint64_t busy_add = 0;     ///< busy time this tile adds (union of busy intervals)
    };

    /// Issues a tile whose operands are in the scratchpad from `ready` on.
    issue_result issue(const mac_tile_cost &c, std::uint64_t ready, std::uint64_t period) {
        issue_result r;
        if (!c.overlaps) {
            r.begin = r.stream_start = std::max(ready, stream_free);
            r.done = r.free = r.accept = r.begin + c.cycles * period;
            shadow_free = r.free;
        } else {
            const std::uint64_t preload_start = std::max(ready, shadow_free);
            r.stream_start = std::max(stream_free, preload_start + c.first_preload * period);
            const std::uint64_t stream_end = r.stream_start + c.stream * period;
            r.done = r.stream_start + (c.cycles - c.first_preload) * period;
            r.free = stream_end + c.last_hold * period;
            r.begin = std::max(stream_free, r.stream_start - c.first_preload * period);
            shadow_free = stream_end - c.last_t * period;
            // WS/IS: the next tile's preload may start once this tile's last fold streams;
            // OS has nothing to preload: the next tile waits for the array to stream.
            r.accept = c.first_preload ? shadow_free : r.free;
        }
        stream_free = r.free;
        const std::uint64_t from = std::max(r.begin, busy_until);
        r.busy_add = r.done > from ? r.done - from : 0;
        busy_until = std::max(busy_until, r.done);
        return r;
    }
};

/// Cycles of a vector tile: ceil(elements · cost / lanes) + pipeline latency.
std::uint64_t vector_tile_cycles(const vector_unit_params &p, const vector_tile &t);
/// Cycles per element per lane of function class `fn` (vector_unit.cost.*).
double vector_fn_cost(const vector_costs &c, vec_fn fn);

} // namespace ops
