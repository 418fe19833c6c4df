#pragma once
// Closed-form cycles of a GEMM tile on a systolic array, shared by the compiler (to choose
// tilings) and by arch::mac_array (to time a tile), so the two can never disagree.
//
// The formula is SCALE-Sim's (Samajdar et al., "SCALE-Sim: Systolic CNN Accelerator
// Simulator", 2018; "A Systematic Methodology for Characterizing Scalability of DNN
// Accelerators using SCALE-Sim", ISPASS 2020): a GEMM maps two of its dimensions onto the
// R x C array (spatial S_R <= R, S_C <= C per fold) and streams the third (T) through it. One
// fold takes
//     2·R + C + T − 2 cycles
// = R cycles to fill the stationary operand + (R + C − 1) cycles of pipeline skew/drain
//   + T − 1 cycles of streaming after the first, and the folds run back to back:
//     cycles = ceil(S_R / R) · ceil(S_C / C) · (2R + C + T − 2).
// Mapping per dataflow (M = output rows/pixels, K = reduction, N = output channels):
//     WS: S_R = K, S_C = N, T = M      OS: S_R = M, S_C = N, T = K      IS: S_R = K, S_C = M, T = N
// Every fold is charged the whole array, as SCALE-Sim does.

#include "ops/chip.h"
#include "ops/command.h"

#include <cstdint>

namespace ops {

struct mac_tile_cost {
    std::uint64_t cycles = 0;        ///< total cycles of the tile (all folds, all repeats)
    std::uint64_t folds = 0;         ///< folds over all repeats
    std::uint64_t stream_cycles = 0; ///< Σ T over folds: cycles in which operands stream
    std::uint64_t slot_cycles = 0;   ///< R·C·Σ T: MAC slots occupied while streaming
};

inline std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
    return (a + b - 1) / b;
}

inline mac_tile_cost mac_tile_cycles(const mac_array_params &p, const gemm_tile &g) {
    std::uint64_t sr = 0, sc = 0, t = 0;
    switch (p.flow) {
    case dataflow::ws:
        sr = g.k;
        sc = g.n;
        t = g.m;
        break;
    case dataflow::os:
        sr = g.m;
        sc = g.n;
        t = g.k;
        break;
    case dataflow::is:
        sr = g.k;
        sc = g.m;
        t = g.n;
        break;
    }
    mac_tile_cost c;
    if (sr == 0 || sc == 0 || t == 0 || g.repeat == 0)
        return c;
    const std::uint64_t r = p.rows, cc = p.cols;
    const std::uint64_t folds = ceil_div(sr, r) * ceil_div(sc, cc);
    c.folds = folds * g.repeat;
    c.cycles = c.folds * (2 * r + cc + t - 2);
    c.stream_cycles = c.folds * t;
    c.slot_cycles = c.stream_cycles * r * cc;
    return c;
}

/// Cycles of a vector tile: ceil(elements · cost / lanes) + pipeline latency.
std::uint64_t vector_tile_cycles(const vector_unit_params &p, const vector_tile &t);
/// Cycles per element per lane of function class `fn` (vector_unit.cost.*).
double vector_fn_cost(const vector_costs &c, vec_fn fn);

} // namespace ops
