// Pass 4: which activations stay in the scratchpads between operators, where they sit there,
// and the DRAM addresses of everything else (weights region, then activations, 4 KiB aligned).

#include "ops/residency.h"

#include <algorithm>

namespace ops {

namespace {
constexpr std::uint64_t dram_align = 4096;
std::uint64_t align_up(std::uint64_t a, std::uint64_t b) {
    return (a + b - 1) / b * b;
}
} // namespace

std::vector<int> residency_plan::live_at(int j) const {
    std::vector<int> r;
    for (std::size_t t = 0; t < resident.size(); ++t)
        if (resident[t] && !uses[t].empty() && uses[t].front() <= j && j <= uses[t].back())
            r.push_back(int(t));
    return r;
}

residency_plan plan_residency(const workloads::graph &g, const lowering &low, const chip_desc &chip,
                              const std::vector<bool> &spilled) {
    const std::size_t nt = g.tensors.size(), nops = low.ops.size();
    const std::uint32_t cores = chip.cores;
    residency_plan r;
    r.resident.assign(nt, false);
    r.spill_reason.assign(nt, std::string());
    r.sram_addr.assign(nt, 0);
    r.own_rows.assign(nt, {});
    r.dram_addr.assign(nt, 0);
    r.resident_extent.assign(nops, 0);
    r.slot_bytes.assign(nt, 0);
    r.uses.assign(nt, {});
    r.halo_rows.resize(nops);
    for (std::size_t j = 0; j < nops; ++j)
        r.halo_rows[j].assign(low.ops[j].inputs.size(), 0);

    std::vector<bool> is_output(nt, false), weight_use(nt, false);
    for (int t : g.outputs)
        is_output[low.root[t]] = true;
    std::vector<int> producer(nt, -1);
    std::vector<std::vector<std::pair<int, int>>> readers(nt); // (op, operand)
    std::vector<std::vector<core_share>> shares(nops);
    for (std::size_t j = 0; j < nops; ++j) {
        const auto &op = low.ops[j];
        shares[j] = core_shares(op, cores);
        if (producer[op.out.tensor] < 0)
            producer[op.out.tensor] = int(j);
        for (std::size_t k = 0; k < op.inputs.size(); ++k)
            readers[op.inputs[k].view.tensor].emplace_back(int(j), int(k));
        for (const auto &w : op.weights)
            weight_use[w.tensor] = true;
    }

    struct slot {
        std::uint64_t off, size;
        int first, last;
    };
    std::vector<slot> slots;
    const auto budget =
        std::uint64_t(double(chip.scratchpad.bytes()) * chip.scratchpad.residency_fraction);

    for (std::size_t j = 0; chip.compiler.keep_on_chip && j < nops; ++j) {
        const auto &op = low.ops[j];
        const int t = op.out.tensor;
        if (producer[t] != int(j) || is_output[t] || weight_use[t] || low.reshaped[t])
            continue;
        if (std::size_t(t) < spilled.size() && spilled[t]) {
            r.spill_reason[t] = "spilled to DRAM: a later operator's tile needed its room";
            continue;
        }
        if (!op.split_rows || op.out_c_off != 0 || op.cout != op.out.c || readers[t].empty())
            continue;
        // Same row split: every reader splits rows too; the rows a core needs and does not own
        // come from its neighbours (peer transfers), and may be at most a kernel's halo.
        bool ok = true;
        int last = int(j);
        std::vector<std::pair<int, int>> halos;
        for (auto [c, k] : readers[t]) {
            const auto &rop = low.ops[c];
            if (!rop.split_rows || !rop.inputs[k].plain_rows() ||
                rop.inputs[k].view.h != op.out.h) {
                ok = false;
                break;
            }
            std::int64_t halo = 0;
            for (std::uint32_t p = 0; p < cores; ++p) {
                const auto &s = shares[c][p];
                if (s.empty())
                    continue;
                auto [a, b] = input_rows(rop, k, s.r0, s.r1);
                const auto &own = shares[j][p];
                const std::int64_t local =
                    std::max<std::int64_t>(0, std::min(b, own.r1) - std::max(a, own.r0));
                halo = std::max(halo, (b - a) - local);
            }
            if (halo > rop.window_rows() + rop.sh)
                ok = false;
            halos.emplace_back(c, int(halo));
            last = std::max(last, c);
        }
        if (!ok)
            continue;
        std::int64_t max_rows = 0;
        for (const auto &s : shares[j])
            max_rows = std::max(max_rows, s.r1 - s.r0);
        const std::uint64_t size = std::uint64_t(max_rows) * op.out.row_bytes();
        // First fit from the top among slots whose live ranges overlap [j, last].
        std::vector<std::pair<std::uint64_t, std::uint64_t>> busy;
        for (const auto &s : slots)
            if (!(s.last < int(j) || s.first > last))
                busy.emplace_back(s.off, s.off + s.size);
        std::sort(busy.begin(), busy.end());
        std::uint64_t off = 0;
        for (auto [a, b] : busy) {
            if (off + size <= a)
                break;
            off = std::max(off, b);
        }
        if (off + size > budget) {
            r.spill_reason[t] = "spilled to DRAM: " + std::to_string(size) +
                                " B per core exceed the residency budget (" +
                                std::to_string(budget) + " B, " + std::to_string(off) +
                                " B already kept)";
            continue;
        }
        slots.push_back({off, size, int(j), last});
        r.resident[t] = true;
        r.sram_addr[t] = chip.scratchpad.bytes() - off - size;
        r.slot_bytes[t] = size;
        r.uses[t].push_back(int(j));
        for (auto [c, k] : readers[t])
            r.uses[t].push_back(c);
        std::sort(r.uses[t].begin(), r.uses[t].end());
        for (const auto &s : shares[j])
            r.own_rows[t].emplace_back(s.r0, s.r1);
        std::size_t h = 0;
        for (auto [c, k] : readers[t])
            r.halo_rows[c][k] = halos[h++].second;
    }
    for (const auto &s : slots)
        for (int j = s.first; j <= s.last; ++j)
            r.resident_extent[j] = std::max(r.resident_extent[j], s.off + s.size);

    // DRAM: weights region first, then activations, each tensor 4 KiB aligned.
    std::vector<bool> needs(nt, false);
    for (const auto &op : low.ops) {
        for (const auto &a : op.inputs)
            needs[a.view.tensor] = true;
        for (const auto &w : op.weights)
            needs[w.tensor] = true;
        needs[op.out.tensor] = true;
    }
    for (int t : g.inputs)
        needs[low.root[t]] = true;
    for (int t : g.outputs)
        needs[low.root[t]] = true;
    std::uint64_t at = 0;
    for (int pass = 0; pass < 2; ++pass)
        for (std::size_t t = 0; t < nt; ++t) {
            if (!needs[t] || r.resident[t] || low.root[t] != int(t))
                continue;
            if (g.tensors[t].constant != (pass == 0))
                continue;
            r.dram_addr[t] = at;
            at = align_up(at + std::uint64_t(g.tensors[t].bytes()), dram_align);
        }
    r.dram_end = at;
    return r;
}

} // namespace ops
