// ops::compile: runs the passes of ops/compiler.h in order. See docs/compiler.md.

#include "ops/compiler.h"

#include "ops/emit.h"
#include "ops/lower.h"
#include "ops/plan.h"
#include "ops/residency.h"

#include <algorithm>

namespace ops {

namespace {

/// Inputs of the footprint formula for op j under residency plan `res`.
tile_env make_env(const lowered_op &op, std::size_t j, const residency_plan &res,
                  const chip_desc &chip, std::uint32_t &used) {
    tile_env env;
    env.scratchpad = chip.scratchpad.bytes();
    env.cols = chip.mac_array.cols;
    env.array_rows = chip.mac_array.rows;
    env.accumulator_bytes = chip.mac_array.accumulator_bytes;
    env.chip = &chip;
    used = 0;
    for (const auto &s : core_shares(op, chip.cores)) {
        env.rows_core = std::max(env.rows_core, s.r1 - s.r0);
        env.oc_core = std::max(env.oc_core, s.q1 - s.q0);
        used += s.empty() ? 0 : 1;
    }
    env.cores_used = std::max<std::uint32_t>(used, 1);
    for (std::size_t k = 0; k < op.inputs.size(); ++k)
        env.in_resident.push_back(res.resident[op.inputs[k].view.tensor]);
    env.halo_rows = res.halo_rows[j];
    env.out_resident = res.resident[op.out.tensor];
    env.resident_extent = res.resident_extent[j];
    return env;
}

/// The kept tensor live at op j to spill first: the one whose next use is farthest (Belady),
/// then the largest slot; -1 if none is kept at j.
int spill_victim(const residency_plan &res, int j) {
    int best = -1;
    std::pair<int, std::uint64_t> best_key{};
    for (int t : res.live_at(j)) {
        const auto &u = res.uses[t];
        const int next = *std::lower_bound(u.begin(), u.end(), j);
        const std::pair<int, std::uint64_t> key{next, res.slot_bytes[t]};
        if (best < 0 || key > best_key)
            best = t, best_key = key;
    }
    return best;
}

/// A grid of `groups` row groups would cut a channel-major (CHW) input into runs of its rows
/// shorter than a DMA burst per channel: a 7x7 map split 4 + 3 reads 28-byte runs, which the
/// mapper's DMA estimate does not price (MobileNeXt's last pointwise layers on 8 cores: 13 %
/// faster by the estimate, 13 % slower simulated). Such grids are not tried.
bool short_runs(const lowered_op &op, std::uint32_t groups, const chip_desc &chip) {
    const std::int64_t rows = (op.hout + groups - 1) / groups;
    for (const auto &a : op.inputs)
        if (a.spatial && !a.view.hwc && !a.transposed &&
            std::uint64_t(rows * a.view.w * a.view.elem_bytes) < chip.dma.burst_bytes)
            return true;
    return false;
}

} // namespace

program compile(const workloads::graph &g, const chip_desc &chip, const std::string &source) {
    program prog;
    lowering low = lower_graph(g, chip, source); // passes 1-2, unit + split
    // Passes 4 and 3: residency, then a tiling per op that fits next to the tensors kept live
    // at it. When an op's smallest tile does not fit, spill kept tensors live at it (farthest
    // next use first) and re-plan; ops before the spilled tensor's producer are unaffected
    // (residency is greedy in producer order), so tiling resumes there.
    std::vector<bool> spilled(g.tensors.size(), false);
    residency_plan res = plan_residency(g, low, chip, spilled);
    std::vector<tile_choice> tiling;
    for (std::size_t j = 0; j < low.ops.size();) {
        std::uint32_t used = 0;
        lowered_op &op = low.ops[j];
        op.row_groups = 1;
        const tile_env env = make_env(op, j, res, chip, used);
        if (auto t = try_tiling(op, env)) {
            // A channel split on the MAC array reads the whole input on every core (and a row
            // split the whole weights): a grid of row groups x channel groups reads each input
            // row block on cores / groups cores only. Every grid the cores divide into is
            // tried, kept when the mapper's estimate is faster (ties: channels alone).
            // Residency is unaffected: neither a channel split nor a grid keeps tensors.
            std::uint32_t best_groups = 1;
            tile_choice best = *t;
            if (!op.split_rows && op.unit == unit_kind::mac_array && env.chip)
                for (std::uint32_t gr = 2; gr < chip.cores; ++gr) {
                    if (chip.cores % gr || op.hout < std::int64_t(gr) || short_runs(op, gr, chip))
                        continue;
                    op.row_groups = gr;
                    std::uint32_t u = 0;
                    const tile_env e2 = make_env(op, j, res, chip, u);
                    if (auto t2 = try_tiling(op, e2); t2 && t2->est.cycles < best.est.cycles)
                        best = *t2, best_groups = gr;
                }
            op.row_groups = best_groups;
            tiling.push_back(best);
            ++j;
            continue;
        }
        const int victim = spill_victim(res, int(j));
        if (victim < 0) // nothing kept at j: the op cannot fit at all
            choose_tiling(low.ops[j], env, source,
                          "ops[" + std::to_string(low.ops[j].graph_op) + "]");
        spilled[victim] = true;
        j = std::size_t(std::min<int>(int(j), res.uses[victim].front()));
        tiling.resize(j);
        res = plan_residency(g, low, chip, spilled);
    }
    prog.dram_bytes_needed = res.dram_end;
    emitter em(g, low, res, chip, prog);
    for (std::size_t j = 0; j < low.ops.size(); ++j) {
        const lowered_op &op = low.ops[j];
        std::uint32_t used = 0;
        const tile_env env = make_env(op, j, res, chip, used);
        const tile_choice &t = tiling[j];
        const buffer_layout buf = layout_buffers(t, chip.scratchpad, env.resident_extent);

        op_info info;
        info.name = op.name;
        info.type = op.type;
        info.shapes = op.shapes;
        info.fused = op.fused;
        info.unit = op.unit;
        info.cores = used;
        info.macs = op.macs;
        info.sram_peak_bytes = buf.end + env.resident_extent;
        info.tiling =
            (op.kind == op_kind::gemm && !op.split_rows ? "m=" : "rows=") + std::to_string(t.rows) +
            " oc=" + std::to_string(t.oc) + " x" + std::to_string(used) + " cores (" +
            (op.split_rows ? std::string("row split")
             : op.row_groups > 1
                 ? std::to_string(op.row_groups) + "x" +
                       std::to_string(chip.cores / op.row_groups) + " grid: rows x channels"
                 : std::string("channel split")) +
            ")";
        if (t.k_split())
            info.tiling += ", K split: " + std::to_string(t.k_blocks) + " blocks of " +
                           std::to_string(t.kc) + " input channels";
        if (!op.weights.empty() && t.weights_once())
            info.tiling += ", weights resident";
        if (t.order == loop_order::inputs_outer)
            info.tiling += ", inputs outer (weights re-read per row block)";
        info.mapping.rows = t.rows;
        info.mapping.oc = t.oc;
        info.mapping.kc = t.kc;
        info.mapping.rows_per_core = env.rows_core;
        info.mapping.max_fit_rows = t.max_rows;
        info.mapping.order = t.order == loop_order::inputs_outer ? "inputs_outer" : "weights_outer";
        info.mapping.stream_rows = t.est.stream_rows;
        info.mapping.est_cycles = t.est.cycles;
        info.mapping.est_array_cycles = t.est.array;
        info.mapping.est_vector_cycles = t.est.vector;
        info.mapping.est_dma_cycles = t.est.dma;
        if (env.out_resident) {
            info.tiling += ", output kept on chip";
            info.output_placement = "chip";
        } else if (!res.spill_reason[op.out.tensor].empty()) {
            info.tiling += ", output " + res.spill_reason[op.out.tensor];
            info.output_placement = "spilled";
        }
        bool in_res = false;
        for (bool r : env.in_resident)
            in_res = in_res || r;
        if (in_res)
            info.tiling += ", input on chip";
        em.emit_op(j, t, buf, info);
        prog.ops.push_back(std::move(info));
    }
    return prog;
}

} // namespace ops
