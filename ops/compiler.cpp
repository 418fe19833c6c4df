// ops::compile: runs the passes of ops/compiler.h in order. See docs/compiler.md.

#include "ops/compiler.h"

#include "ops/emit.h"
#include "ops/lower.h"
#include "ops/plan.h"
#include "ops/residency.h"

#include <algorithm>

namespace ops {

program compile(const workloads::graph& g, const chip_desc& chip, const std::string& source) {
    program prog;
    const lowering low = lower_graph(g, chip, source);             // passes 1-2, unit + split
    const residency_plan res = plan_residency(g, low, chip);       // pass 4 (needs the split)
    prog.dram_bytes_needed = res.dram_end;
    emitter em(g, low, res, chip, prog);
    for (std::size_t j = 0; j < low.ops.size(); ++j) {
        const lowered_op& op = low.ops[j];
        const auto shares = core_shares(op, chip.cores);
        // Pass 3 (tiling): sized for the busiest core, the same tile on every core.
        tile_env env;
        env.scratchpad = chip.scratchpad.bytes();
        env.cols = chip.mac_array.cols;
        std::uint32_t used = 0;
        for (const auto& s : shares) {
            env.rows_core = std::max(env.rows_core, s.r1 - s.r0);
            env.oc_core = std::max(env.oc_core, s.q1 - s.q0);
            used += s.empty() ? 0 : 1;
        }
        for (std::size_t k = 0; k < op.inputs.size(); ++k)
            env.in_resident.push_back(res.resident[op.inputs[k].view.tensor]);
        env.halo_rows = res.halo_rows[j];
        env.out_resident = res.resident[op.out.tensor];
        env.resident_extent = res.resident_extent[j];
        const tile_choice t =
            choose_tiling(op, env, source, "ops[" + std::to_string(op.graph_op) + "]");
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
        info.tiling = (op.kind == op_kind::gemm && !op.split_rows ? "m=" : "rows=") +
                      std::to_string(t.rows) + " oc=" + std::to_string(t.oc) + " x" +
                      std::to_string(used) + " cores (" +
                      (op.split_rows ? "row split" : "channel split") + ")";
        if (!op.weights.empty() && t.weights_once()) info.tiling += ", weights resident";
        if (env.out_resident) info.tiling += ", output kept on chip";
        bool in_res = false;
        for (bool r : env.in_resident) in_res = in_res || r;
        if (in_res) info.tiling += ", input on chip";
        em.emit_op(j, t, buf, info);
        prog.ops.push_back(std::move(info));
    }
    return prog;
}

} // namespace ops
