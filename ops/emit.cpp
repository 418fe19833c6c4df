#include "ops/emit.h"

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <utility>

namespace ops {

// ---- hazard_tracker ----

namespace {
bool overlaps(std::uint64_t a0, std::uint64_t a1, std::uint64_t b0, std::uint64_t b1) {
    return a0 < b1 && b0 < a1;
}

/// A far region as a range for the overlap test (its rows as runs).
sram_range dram_range(const region &r) {
    sram_range s;
    s.addr = r.addr;
    s.bytes = r.rows ? (std::uint64_t(r.rows) - 1) * r.stride + r.row_bytes : 0;
    if (r.rows > 1) {
        s.rows = r.rows;
        s.row_bytes = r.row_bytes;
        s.stride = r.stride;
    }
    return s;
}

/// Do two ranges share a byte? Exact for two strided ranges of one stride (columns of one kept
/// tensor); otherwise by their spans.
bool overlaps(const sram_range &a, const sram_range &b) {
    if (!overlaps(a.addr, a.addr + a.bytes, b.addr, b.addr + b.bytes))
        return false;
    auto runs = [](const sram_range &r) {
        return r.rows > 1
                   ? std::make_tuple(std::int64_t(r.rows), std::int64_t(r.row_bytes),
                                     std::int64_t(r.stride))
                   : std::make_tuple(std::int64_t(1), std::int64_t(r.bytes), std::int64_t(0));
    };
    const auto [ra, wa, sa] = runs(a);
    const auto [rb, wb, sb] = runs(b);
    const std::int64_t s = sa ? sa : sb;
    if ((sa && sb && sa != sb) || s == 0)
        return true; // different strides: the spans overlap, assume the runs do
    if ((ra > 1 && wa > s) || (rb > 1 && wb > s))
        return true;
    // Runs a_i = [a + i·s, + wa), b_j = [b + j·s, + wb) meet iff some k = j − i in
    // [−(ra − 1), rb − 1] has −wb < d + k·s < wa, with d = b − a. A contiguous range is one run
    // (its width may exceed s: it may meet several of the other's runs).
    const std::int64_t d = std::int64_t(b.addr) - std::int64_t(a.addr);
    auto floor_div = [](std::int64_t x, std::int64_t y) {
        return x >= 0 ? x / y : -((-x + y - 1) / y);
    };
    const std::int64_t k_lo = std::max<std::int64_t>(-(ra - 1), floor_div(-wb - d, s) + 1);
    const std::int64_t k_hi = std::min<std::int64_t>(rb - 1, -floor_div(-(wa - d), s) - 1);
    return k_lo <= k_hi;
}
} // namespace

void hazard_tracker::add_deps(const std::vector<sram_range> &reads,
                              const std::vector<sram_range> &writes,
                              std::vector<std::uint32_t> &deps, bool mac) const {
    // The span of everything this command touches: a record outside it cannot overlap (most
    // records are other buffers; the exact test below is the costly part).
    std::uint64_t lo = ~std::uint64_t(0), hi = 0;
    for (const auto *v : {&reads, &writes})
        for (const auto &x : *v)
            if (x.bytes)
                lo = std::min(lo, x.addr), hi = std::max(hi, x.addr + x.bytes);
    if (hi <= lo)
        return;
    for (const auto &r : m_recs) {
        if (r.range.addr >= hi || r.range.addr + r.range.bytes <= lo)
            continue;
        bool dep = false;
        for (const auto &x : reads)
            if (r.write && x.bytes && overlaps(r.range, x))
                dep = true;
        if (!(mac && r.mac)) // in-order array: WAR and WAW hold by construction
            for (const auto &x : writes)
                if (x.bytes && overlaps(r.range, x))
                    dep = true;
        if (dep)
            deps.push_back(r.cmd);
    }
}

void hazard_tracker::record(std::uint32_t cmd, const std::vector<sram_range> &reads,
                            const std::vector<sram_range> &writes, bool mac) {
    for (const auto &x : writes) {
        // Records wholly covered by a newer write are now ordered before it: drop them.
        // (only a contiguous write covers whole records)
        if (x.rows > 1)
            continue;
        m_recs.erase(std::remove_if(m_recs.begin(), m_recs.end(),
                                    [&](const rec &r) {
                                        return r.range.addr >= x.addr &&
                                               r.range.addr + r.range.bytes <= x.addr + x.bytes;
                                    }),
                     m_recs.end());
    }
    for (const auto &x : reads)
        if (x.bytes)
            m_recs.push_back({x, cmd, false, mac});
    for (const auto &x : writes)
        if (x.bytes)
            m_recs.push_back({x, cmd, true, mac});
}

void hazard_tracker::forget_before(std::uint32_t cmd) {
    m_recs.erase(
        std::remove_if(m_recs.begin(), m_recs.end(), [&](const rec &r) { return r.cmd < cmd; }),
        m_recs.end());
}

// ---- DMA engines ----

dma_engine_groups dma_groups(std::uint32_t engines) {
    dma_engine_groups g;
    if (engines <= 1)
        return g;
    // Loads first: with an odd count the load group gets the extra engine (loads carry inputs
    // and weights, stores only outputs).
    g.loads = (engines + 1) / 2;
    g.store_first = g.loads;
    g.stores = engines - g.loads;
    return g;
}

namespace {
/// stripe_transfer's pieces before the rotation, piece p on engine first_engine + p.
std::vector<dma_stripe> stripe_pieces(const region &far, const sram_range &local,
                                      std::uint32_t first_engine, std::uint64_t n,
                                      std::uint32_t burst_bytes) {
    std::vector<dma_stripe> out;
    // Pieces are packed one after the other in the scratchpad range (disjoint ranges, so the
    // hazard tracker orders them only against other commands, never against each other).
    std::uint64_t packed = local.addr;
    auto emit = [&](const region &r, std::uint64_t p) {
        dma_stripe s;
        s.far = r;
        s.local = {packed, r.bytes()};
        s.engine = first_engine + std::uint32_t(p);
        packed += r.bytes();
        out.push_back(s);
    };
    if (far.rows > 1) {
        // Row k goes to engine k mod n: whole rows (the DMA never lets a burst cross a row).
        const std::uint64_t pieces = std::min<std::uint64_t>(n, far.rows);
        for (std::uint64_t p = 0; p < pieces; ++p) {
            const std::uint64_t rows = (far.rows - p + pieces - 1) / pieces;
            emit({far.addr + p * far.stride, std::uint32_t(rows), far.row_bytes,
                  pieces * far.stride},
                 p);
        }
        return out;
    }
    // One row: segment k = the k-th burst-aligned piece the DMA would send. Both ends aligned:
    // segment k goes to engine k mod n, an engine's segments one 2-D region (a burst per region
    // row, n bursts apart), so the engines walk the DRAM rows together. Otherwise a partial
    // burst would need a command of its own (another setup on its engine): the row is cut
    // into n contiguous runs of whole segments instead.
    const std::uint64_t b = std::max<std::uint32_t>(burst_bytes, 1);
    const std::uint64_t a0 = far.addr, a1 = far.addr + far.row_bytes;
    const std::uint64_t segs = a1 > a0 ? (a1 - 1) / b - a0 / b + 1 : 1;
    const std::uint64_t pieces = std::min(n, segs);
    if (pieces == 1) {
        emit(far, 0);
        return out;
    }
    if (a0 % b == 0 && a1 % b == 0) {
        for (std::uint64_t p = 0; p < pieces; ++p)
            emit({a0 + p * b, std::uint32_t((segs - p + pieces - 1) / pieces), std::uint32_t(b),
                  pieces * b},
                 p);
        return out;
    }
    auto seg_start = [&](std::uint64_t k) {
        return k == 0 ? a0 : k >= segs ? a1 : (a0 / b + k) * b;
    };
    for (std::uint64_t p = 0; p < pieces; ++p) {
        const std::uint64_t s0 = seg_start(segs * p / pieces),
                            s1 = seg_start(segs * (p + 1) / pieces);
        emit({s0, 1, std::uint32_t(s1 - s0), s1 - s0}, p);
    }
    return out;
}
} // namespace

std::vector<dma_stripe> stripe_transfer(const region &far, const sram_range &local,
                                        std::uint32_t first_engine, std::uint32_t engines,
                                        std::uint32_t burst_bytes, std::uint32_t *rotation) {
    const std::uint64_t n = std::max<std::uint32_t>(engines, 1);
    std::vector<dma_stripe> out = stripe_pieces(far, local, first_engine, n, burst_bytes);
    // A transfer with fewer pieces than engines starts at *rotation and advances it.
    if (rotation && out.size() < n) {
        for (auto &s : out)
            s.engine = first_engine + std::uint32_t((s.engine - first_engine + *rotation) % n);
        *rotation = std::uint32_t((*rotation + out.size()) % n);
    }
    return out;
}

// ---- emitter ----

namespace {

/// Region of rows [a, b) (relative to the first row stored at `base`) and channels [c0, c1) of
/// a tensor stored with `h` rows at `base`, in the view's layout.
region make_region(const tensor_view &v, std::uint64_t base, std::int64_t h, std::int64_t a,
                   std::int64_t b, std::int64_t c0, std::int64_t c1) {
    region r;
    const std::uint64_t eb = v.elem_bytes;
    if (!v.hwc) {
        if (a == 0 && b == h) {
            r.addr = base + std::uint64_t(c0 * h * v.w) * eb;
            r.rows = 1;
            r.row_bytes = std::uint32_t((c1 - c0) * h * v.w * eb);
        } else {
            r.addr = base + std::uint64_t((c0 * h + a) * v.w) * eb;
            r.rows = std::uint32_t(c1 - c0);
            r.row_bytes = std::uint32_t((b - a) * v.w * eb);
        }
        r.stride = r.rows > 1 ? std::uint64_t(h * v.w) * eb : r.row_bytes;
    } else {
        if (c0 == 0 && c1 == v.c) {
            r.addr = base + std::uint64_t(a * v.c) * eb;
            r.rows = 1;
            r.row_bytes = std::uint32_t((b - a) * v.c * eb);
            r.stride = r.row_bytes;
        } else {
            r.addr = base + std::uint64_t(a * v.c + c0) * eb;
            r.rows = std::uint32_t(b - a);
            r.row_bytes = std::uint32_t((c1 - c0) * eb);
            r.stride = std::uint64_t(v.c) * eb;
        }
    }
    return r;
}

sram_range span(const region &r) {
    sram_range s{r.addr, (r.rows - 1) * r.stride + r.row_bytes};
    if (r.rows > 1 && r.row_bytes < r.stride)
        s.rows = r.rows, s.row_bytes = r.row_bytes, s.stride = r.stride;
    return s;
}

std::int64_t overlap(std::int64_t a0, std::int64_t a1, std::int64_t b0, std::int64_t b1) {
    return std::max<std::int64_t>(0, std::min(a1, b1) - std::max(a0, b0));
}

} // namespace

emitter::emitter(const workloads::graph &g, const lowering &low, const residency_plan &res,
                 const chip_desc &chip, program &prog)
    : m_g(g), m_low(low), m_res(res), m_chip(chip), m_prog(prog), m_cores(chip.cores),
      m_writers(g.tensors.size()) {
    m_prog.streams.assign(chip.cores, {});
}

bool emitter::reads_across_cores(std::size_t j) const {
    const lowered_op &op = m_low.ops[j];
    const auto shares = core_shares(op, m_chip.cores);
    auto meet = [](std::int64_t a0, std::int64_t a1, std::int64_t b0, std::int64_t b1) {
        return a0 < b1 && b0 < a1;
    };
    for (std::size_t k = 0; k < op.inputs.size(); ++k) {
        const operand &a = op.inputs[k];
        const int t = a.view.tensor;
        if (t < 0 || std::size_t(t) >= m_writers.size())
            continue;
        for (std::size_t w : m_writers[t]) {
            if (w < m_sync_op)
                continue; // completed at a barrier since
            const lowered_op &wop = m_low.ops[w];
            // A view of other geometry (a reshape): rows and channels do not compare.
            if (wop.out.h != a.view.h || wop.out.w != a.view.w || wop.out.c != a.view.c)
                return true;
            const auto wsh = core_shares(wop, m_chip.cores);
            for (std::uint32_t c = 0; c < m_chip.cores; ++c) {
                const core_share &s = shares[c];
                if (s.empty())
                    continue;
                // Rows and channels of the tensor core c reads.
                std::int64_t r0 = 0, r1 = a.view.h;
                if (a.spatial && !a.transposed)
                    std::tie(r0, r1) = input_rows(op, k, s.r0, s.r1);
                std::int64_t c0 = 0, c1 = a.view.c;
                if (a.mode == chan_mode::same && !a.transposed) {
                    const std::int64_t lo = std::max(s.q0, a.lo), hi = std::min(s.q1, a.hi);
                    if (hi <= lo)
                        continue;
                    c0 = lo - a.lo + a.off, c1 = hi - a.lo + a.off;
                }
                if (r1 <= r0)
                    continue;
                for (std::uint32_t p = 0; p < m_chip.cores; ++p) {
                    const core_share &ws = wsh[p];
                    if (p == c || ws.empty())
                        continue;
                    if (meet(r0, r1, ws.r0, ws.r1) &&
                        meet(c0, c1, ws.q0 + wop.out_c_off, ws.q1 + wop.out_c_off))
                        return true;
                }
            }
        }
    }
    return false;
}

std::uint32_t emitter::push(std::uint32_t core, command c, const std::vector<sram_range> &reads,
                            const std::vector<sram_range> &writes, int barrier) {
    auto &s = m_prog.streams[core];
    auto &st = m_cores[core];
    const bool mac = c.kind == cmd_kind::compute && c.unit == unit_kind::mac_array;
    st.hz.add_deps(reads, writes, c.deps, mac);
    if (barrier >= 0)
        c.deps.push_back(std::uint32_t(barrier));
    std::sort(c.deps.begin(), c.deps.end());
    c.deps.erase(std::unique(c.deps.begin(), c.deps.end()), c.deps.end());
    const auto idx = std::uint32_t(s.size());
    st.hz.record(idx, reads, writes, mac);
    s.push_back(std::move(c));
    return idx;
}

std::uint32_t emitter::push_transfer(std::uint32_t core, const command &c, int barrier) {
    const bool load = c.kind == cmd_kind::load;
    const dma_engine_groups g = dma_groups(m_chip.dma.engines);
    const auto pieces = stripe_transfer(c.far, c.local, load ? g.load_first : g.store_first,
                                        load ? g.loads : g.stores, m_chip.dma.burst_bytes,
                                        &m_cores[core].next_engine[load ? 0 : 1]);
    for (const auto &p : pieces) {
        command x = c;
        x.far = p.far;
        x.local = p.local;
        x.engine = p.engine;
        if (load)
            push(core, std::move(x), {}, {p.local}, barrier);
        else
            push(core, std::move(x), {p.local}, {}, barrier);
    }
    return std::uint32_t(pieces.size());
}

void emitter::emit_op(std::size_t j, const tile_choice &t, const buffer_layout &buf,
                      op_info &info) {
    const lowered_op &op = m_low.ops[j];
    const auto shares = core_shares(op, m_chip.cores);
    const bool out_res = m_res.resident[op.out.tensor];
    bool weights_const = !op.weights.empty();
    for (const auto &w : op.weights)
        weights_const = weights_const && m_g.tensors[w.tensor].constant;
    // Every command of this op starts from the same header: kind, unit, op id. Loads and
    // stores get their DMA engines in push_transfer.
    auto new_cmd = [&](cmd_kind kind, unit_kind unit) {
        command cmd;
        cmd.kind = kind;
        cmd.unit = unit;
        cmd.op = std::uint32_t(j);
        return cmd;
    };

    // Barrier before this op on every core (docs/compiler.md §5): always under every_op;
    // under when_needed only if a core reads what another core wrote since the last barrier,
    // or the previous op did (its remote reads must end before any core reuses those bytes).
    const bool cross = j > 0 && reads_across_cores(j);
    const bool sync =
        j > 0 && (m_chip.compiler.barriers == barrier_policy::every_op || cross || m_prev_cross);
    m_prev_cross = cross;
    if (sync)
        m_sync_op = j;
    info.barrier = sync;

    for (std::uint32_t c = 0; c < m_chip.cores; ++c) {
        auto &st = m_cores[c];
        auto &stream = m_prog.streams[c];
        const core_share sh = shares[c];
        // A tile: output rows [y0,y1) x channels [o0,o1), reduction channels [k0,k1). With a
        // split K the K blocks are innermost, so partial sums of one output tile stay in one
        // output buffer; weights then change every tile (block index wb).
        struct tile {
            std::int64_t y0, y1, o0, o1, k0, k1, wb;
            bool first_k() const { return k0 == 0; }
        };
        const bool ksplit = t.k_split();
        const std::int64_t cin = std::max<std::int64_t>(op.cin, 1); // 0 for vector-unit ops
        const std::int64_t kc = ksplit ? t.kc : cin;
        std::vector<tile> tiles;
        if (!sh.empty() && t.order == loop_order::inputs_outer) {
            // Row blocks outer: an input row block stays while the channel blocks cycle.
            for (std::int64_t y0 = sh.r0; y0 < sh.r1; y0 += t.rows) {
                std::int64_t b = 0;
                for (std::int64_t o0 = sh.q0; o0 < sh.q1; o0 += t.oc, ++b)
                    tiles.push_back({y0, std::min(sh.r1, y0 + t.rows), o0,
                                     std::min(sh.q1, o0 + t.oc), 0, cin, b});
            }
        } else if (!sh.empty()) {
            std::int64_t b = 0, wb = 0;
            for (std::int64_t o0 = sh.q0; o0 < sh.q1; o0 += t.oc, ++b)
                for (std::int64_t y0 = sh.r0; y0 < sh.r1; y0 += t.rows)
                    for (std::int64_t k0 = 0; k0 < cin; k0 += kc)
                        tiles.push_back({y0, std::min(sh.r1, y0 + t.rows), o0,
                                         std::min(sh.q1, o0 + t.oc), k0, std::min(cin, k0 + kc),
                                         ksplit ? wb++ : b});
        }
        auto last_k = [&](const tile &tl) { return tl.k1 == cin; };

        // Returns the weight buffer range loaded and the number of load commands.
        // Ping/pong buffers alternate per load (not per tile), so a buffer is refilled only
        // after the other one was loaded, whatever the loop order.
        std::uint64_t w_loads = 0;
        std::vector<std::uint64_t> in_loads(op.inputs.size(), 0);
        auto weight_load = [&](const tile &tl, int barrier) {
            const std::uint64_t dst = buf.w[w_loads++ % 2];
            std::uint64_t at = dst;
            std::uint32_t n = 0;
            for (const auto &w : op.weights) {
                const auto &wt = m_g.tensors[w.tensor];
                const std::uint64_t base = m_res.dram_addr[w.tensor];
                command cmd = new_cmd(cmd_kind::load, unit_kind::dma);
                if (ksplit && !w.reduced && !tl.first_k())
                    continue; // bias: once per tile
                if (w.k_major) {
                    // [K, N]: rows k0..k1 of the columns output channels o0..o1 read.
                    const std::uint64_t eb = workloads::dtype_bytes(wt.type);
                    const std::int64_t k0 = ksplit ? tl.k0 : 0, k1 = ksplit ? tl.k1 : w.k;
                    const std::int64_t col0 = tl.o0 / w.oc_per_group * w.cols_per_group;
                    const std::int64_t col1 =
                        (tl.o1 + w.oc_per_group - 1) / w.oc_per_group * w.cols_per_group;
                    cmd.far = {base + std::uint64_t(k0 * w.n + col0) * eb, std::uint32_t(k1 - k0),
                               std::uint32_t((col1 - col0) * eb), std::uint64_t(w.n) * eb};
                } else if (ksplit && w.reduced) {
                    // [N, K]: per output channel, the bytes of input channels k0..k1.
                    const std::uint64_t per_c = std::uint64_t(w.bytes_per_oc / op.cin);
                    cmd.far = {base + std::uint64_t(tl.o0 * w.bytes_per_oc) + tl.k0 * per_c,
                               std::uint32_t(tl.o1 - tl.o0), std::uint32_t((tl.k1 - tl.k0) * per_c),
                               std::uint64_t(w.bytes_per_oc)};
                } else {
                    const std::uint64_t lo = std::uint64_t(tl.o0 * w.bytes_per_oc);
                    const std::uint64_t hi =
                        std::min<std::uint64_t>(wt.bytes(), std::uint64_t(tl.o1 * w.bytes_per_oc));
                    if (hi <= lo)
                        continue;
                    cmd.far = {base + lo, 1, std::uint32_t(hi - lo), hi - lo};
                }
                cmd.local = {at, cmd.far.bytes()};
                at += cmd.far.bytes();
                n += push_transfer(c, cmd, barrier);
            }
            return std::make_pair(sram_range{dst, at - dst}, n);
        };

        // Prefetch: the first weight block may load before the barrier (weights are constants,
        // so no other core's progress matters, only this core's previous use of the buffer).
        bool prefetched = false;
        sram_range prefetch_range{};
        std::uint32_t prefetch_cmds = 0;
        if (j > 0 && weights_const && !tiles.empty()) {
            std::tie(prefetch_range, prefetch_cmds) = weight_load(tiles[0], -1);
            prefetched = true;
        }
        const std::uint32_t prefetch_start = std::uint32_t(stream.size()) - prefetch_cmds;
        int barrier = -1;
        if (sync) {
            // The barrier waits for every command since the last barrier on this core (their
            // sinks).
            command b;
            b.kind = cmd_kind::barrier;
            b.unit = unit_kind::controller;
            b.op = std::uint32_t(j);
            b.barrier_id = std::uint32_t(j);
            std::vector<bool> has_succ(prefetch_start - st.op_start, false);
            for (std::uint32_t i = st.op_start; i < prefetch_start; ++i)
                for (auto d : stream[i].deps)
                    if (d >= st.op_start)
                        has_succ[d - st.op_start] = true;
            for (std::uint32_t i = st.op_start; i < prefetch_start; ++i)
                if (!has_succ[i - st.op_start])
                    b.deps.push_back(i);
            if (b.deps.empty() && st.last_barrier >= 0)
                b.deps.push_back(st.last_barrier);
            barrier = int(stream.size());
            stream.push_back(std::move(b));
            st.last_barrier = barrier;
            st.hz.forget_before(prefetch_start);
            st.stores.clear();
            st.op_start = prefetch_start;
        }

        // Per-tile operand reads (for the compute) and the shortcut read (for the epilogue).
        struct tile_io {
            std::vector<sram_range> reads;
            sram_range w, sc;
        };
        std::vector<tile_io> io(tiles.size());
        sram_range wrange{};
        // Scratchpad ranges of each operand's last load: an all-channel operand whose rows and
        // K range equal the previous tile's is read again from there (plan.h input_reused).
        std::vector<std::vector<sram_range>> last_in(op.inputs.size());

        auto loads = [&](std::size_t i) {
            const tile &tl = tiles[i];
            if (i == 0 || tl.wb != tiles[i - 1].wb)
                wrange = i == 0 && prefetched ? prefetch_range : weight_load(tl, barrier).first;
            io[i].w = wrange;
            for (std::size_t k = 0; k < op.inputs.size(); ++k) {
                const operand &a = op.inputs[k];
                std::int64_t c0 = 0, c1 = a.view.c;
                // The fused shortcut is read by the epilogue, after the last K block only.
                if (int(k) == op.shortcut && !last_k(tl))
                    continue;
                if (i > 0 && a.mode == chan_mode::all && !a.transposed && !ksplit &&
                    int(k) != op.shortcut && tiles[i - 1].y0 == tl.y0 && tiles[i - 1].y1 == tl.y1 &&
                    !last_in[k].empty()) {
                    io[i].reads.insert(io[i].reads.end(), last_in[k].begin(), last_in[k].end());
                    continue;
                }
                if (a.mode == chan_mode::all && ksplit) {
                    c0 = tl.k0, c1 = tl.k1;
                } else if (a.mode == chan_mode::same) {
                    std::int64_t lo = std::max(tl.o0, a.lo), hi = std::min(tl.o1, a.hi);
                    if (int(k) == op.shortcut)
                        lo = std::max(lo, op.res_lo), hi = std::min(hi, op.res_hi);
                    if (hi <= lo)
                        continue;
                    c0 = lo - a.lo + a.off, c1 = hi - a.lo + a.off;
                } else if (a.mode == chan_mode::group) {
                    const std::int64_t g = a.groups > 0 ? a.groups : op.groups;
                    const std::int64_t cog = op.cout / g, cig = a.view.c / g;
                    c0 = tl.o0 / cog * cig, c1 = (tl.o1 + cog - 1) / cog * cig;
                }
                auto [ra, rb] = input_rows(op, k, tl.y0, tl.y1);
                if (a.transposed) // operand rows = output channels, channels = output rows
                    ra = tl.o0, rb = tl.o1, c0 = tl.y0, c1 = tl.y1;
                if (rb <= ra)
                    continue; // a concat input outside this tile's rows
                std::vector<sram_range> &rd = io[i].reads;
                const int tt = a.view.tensor;
                std::uint64_t at = buf.in[in_loads[k]++ % 2][k];
                std::vector<sram_range> got;
                auto load = [&](mem_space sp, std::uint32_t far_core, region far) {
                    command cmd = new_cmd(cmd_kind::load, unit_kind::dma);
                    cmd.far_space = sp;
                    cmd.far_core = far_core;
                    cmd.far = far;
                    if (sp == mem_space::dram)
                        if (auto it = st.stores.find(tt); it != st.stores.end())
                            for (const auto &[idx, range] : it->second)
                                if (overlaps(range, dram_range(far)))
                                    cmd.deps.push_back(idx);
                    cmd.local = {at, far.bytes()};
                    at += far.bytes();
                    push_transfer(c, cmd, barrier);
                    got.push_back(cmd.local);
                };
                if (m_res.resident[tt]) {
                    const auto &own = m_res.own_rows[tt];
                    for (std::uint32_t p = 0; p < m_chip.cores; ++p) {
                        const std::int64_t a0 = std::max(ra, own[p].first),
                                           b0 = std::min(rb, own[p].second);
                        if (b0 <= a0)
                            continue;
                        const auto r =
                            make_region(a.view, m_res.sram_addr[tt], own[p].second - own[p].first,
                                        a0 - own[p].first, b0 - own[p].first, c0, c1);
                        if (p == c)
                            got.push_back(span(r)); // read in place
                        else
                            load(mem_space::peer_sram, p, r);
                    }
                } else if (a.identity_rows && a.row_step != 1) {
                    // Gather: output row y reads operand row y·row_step (embedding lookup with
                    // the token ids spread evenly over the table; row_step 0: all read row 0).
                    region r = make_region(a.view, m_res.dram_addr[tt], a.view.h, ra * a.row_step,
                                           ra * a.row_step + 1, c0, c1);
                    r.rows = std::uint32_t(rb - ra);
                    r.stride = std::uint64_t(a.row_step) * a.view.row_bytes();
                    load(mem_space::dram, 0, r);
                } else if (skips_rows(op, k) && tl.y1 - tl.y0 > 1) {
                    // A strided 1×1 conv uses input rows ra, ra + sh, ...: one load per used
                    // row (its run in every channel), none for the rows between.
                    for (std::int64_t y = tl.y0; y < tl.y1; ++y) {
                        const std::int64_t r = y * op.sh;
                        load(mem_space::dram, 0,
                             make_region(a.view, m_res.dram_addr[tt], a.view.h, r, r + 1, c0, c1));
                    }
                } else {
                    load(mem_space::dram, 0,
                         make_region(a.view, m_res.dram_addr[tt], a.view.h, ra, rb, c0, c1));
                }
                if (int(k) == op.shortcut) {
                    std::uint64_t lo = ~0ull, hi = 0;
                    for (auto &g : got)
                        lo = std::min(lo, g.addr), hi = std::max(hi, g.addr + g.bytes);
                    io[i].sc = got.empty() ? sram_range{} : sram_range{lo, hi - lo};
                } else {
                    rd.insert(rd.end(), got.begin(), got.end());
                }
                last_in[k] = got;
            }
        };

        std::uint64_t ntiles = 0, vec_ops = 0;
        auto vec_cmd = [&](vec_fn fn, std::uint64_t elems, std::vector<sram_range> reads,
                           std::vector<sram_range> writes) {
            command cmd = new_cmd(cmd_kind::compute, unit_kind::vector_unit);
            cmd.vec = {fn, elems};
            cmd.reads = reads;
            cmd.writes = writes;
            vec_ops += elems;
            push(c, cmd, reads, writes, barrier);
        };

        if (!tiles.empty())
            loads(0);
        std::size_t oi = 0; // output tiles completed (selects the ping/pong output buffer)
        for (std::size_t i = 0; i < tiles.size(); ++i) {
            if (i + 1 < tiles.size())
                loads(i + 1); // one tile of look-ahead keeps DMA busy
            const tile &tl = tiles[i];
            const std::uint64_t rows = tl.y1 - tl.y0, oc = tl.o1 - tl.o0;
            const std::uint64_t pix = rows * op.wout;
            const std::uint64_t kcur = std::uint64_t(tl.k1 - tl.k0);
            // Output: the resident slot of this core's rows, or the ping/pong buffer.
            sram_range out;
            region out_far{};
            if (out_res) {
                const auto &own = m_res.own_rows[op.out.tensor][c];
                out = span(make_region(op.out, m_res.sram_addr[op.out.tensor],
                                       own.second - own.first, tl.y0 - own.first, tl.y1 - own.first,
                                       tl.o0 + op.out_c_off, tl.o1 + op.out_c_off));
            } else {
                out_far = make_region(op.out, m_res.dram_addr[op.out.tensor], op.out.h, tl.y0,
                                      tl.y1, tl.o0 + op.out_c_off, tl.o1 + op.out_c_off);
                out = {buf.out[oi % 2], out_far.bytes()};
            }
            std::vector<sram_range> reads = io[i].reads;
            if (io[i].w.bytes)
                reads.push_back(io[i].w);
            ++ntiles;
            if (ksplit) {
                // Partial sums accumulate in the array's accumulator when they fit it (the K
                // blocks chain in the array; only the last writes the result), else in the
                // output buffer: the next K block reads them back, and the last writes the
                // result (to the kept slot, or the buffer's low bytes).
                const sram_range acc{buf.out[oi % 2],
                                     pix * oc * m_chip.mac_array.accumulator_bytes};
                if (!tl.first_k() && !t.acc_in_array)
                    reads.push_back(acc);
                command cmd = new_cmd(cmd_kind::compute, unit_kind::mac_array);
                cmd.gemm = tile_gemms(op, m_chip.mac_array, rows, oc, kcur).g[0];
                cmd.reads = reads;
                if (last_k(tl))
                    cmd.writes = {out};
                else if (!t.acc_in_array)
                    cmd.writes = {acc};
                push(c, cmd, reads, cmd.writes, barrier);
                if (!last_k(tl))
                    continue;
            }
            ++oi;
            const std::uint64_t nres =
                pix * std::uint64_t(overlap(tl.o0, tl.o1, op.res_lo, op.res_hi));
            if (ksplit) {
                // The MAC array ran above, once per K block.
            } else if (op.fused_attention) {
                // S = Q·Kᵀ for the tile's heads into the scores buffer, softmax over each
                // head's keys in place, then context = S·V: the scores never leave the core.
                const std::uint64_t heads = (oc + op.head_size - 1) / op.head_size;
                const std::uint64_t keys = std::uint64_t(op.keys);
                const sram_range scores{buf.scratch[oi % 2],
                                        rows * heads * keys * std::uint64_t(op.out.elem_bytes)};
                const tile_gemm_set gs = tile_gemms(op, m_chip.mac_array, rows, oc, kcur);
                command qk = new_cmd(cmd_kind::compute, unit_kind::mac_array);
                qk.gemm = gs.g[0];
                qk.reads = reads;
                qk.writes = {scores};
                push(c, qk, qk.reads, qk.writes, barrier);
                vec_cmd(vec_fn::softmax, rows * heads * keys, {scores}, {scores});
                command pv = new_cmd(cmd_kind::compute, unit_kind::mac_array);
                pv.gemm = gs.g[1];
                pv.reads = {scores};
                if (io[i].w.bytes)
                    pv.reads.push_back(io[i].w);
                pv.writes = {out};
                push(c, pv, pv.reads, pv.writes, barrier);
            } else if (op.unit == unit_kind::mac_array) {
                command cmd = new_cmd(cmd_kind::compute, unit_kind::mac_array);
                cmd.gemm = tile_gemms(op, m_chip.mac_array, rows, oc, std::uint64_t(op.cin)).g[0];
                cmd.reads = reads;
                cmd.writes = {out};
                push(c, cmd, reads, {out}, barrier);
            } else if (op.kind == op_kind::conv) {
                vec_cmd(vec_fn::mac, pix * oc * op.kh * op.kw, reads, {out});
            } else if (op.fn == vec_fn::add || op.fn == vec_fn::mul) {
                if (nres)
                    vec_cmd(op.fn, nres, reads, {out});
                if (pix * oc > nres)
                    vec_cmd(vec_fn::copy, pix * oc - nres, reads, {out});
            } else if (op.fn == vec_fn::pool) {
                vec_cmd(vec_fn::pool, pix * oc * op.kh * op.kw, reads, {out});
            } else {
                vec_cmd(op.fn, pix * oc, reads, {out});
            }
            // Epilogue on the vector unit: fused sigmoid/PReLU, then the fused residual add
            // over the shortcut's channels only.
            if (op.epi_act)
                vec_cmd(op.epi_fn, pix * oc, {out}, {out});
            if (op.shortcut >= 0 && nres)
                vec_cmd(op.res_fn, nres, {out, io[i].sc}, {out});
            if (!out_res) {
                command cmd = new_cmd(cmd_kind::store, unit_kind::dma);
                cmd.far = out_far;
                cmd.local = out;
                const std::uint32_t n = push_transfer(c, cmd, barrier);
                auto &rec = st.stores[op.out.tensor];
                for (std::uint32_t i = std::uint32_t(stream.size()) - n; i < stream.size(); ++i)
                    rec.push_back({i, dram_range(stream[i].far)});
            }
        }
        info.tiles += ntiles;
        info.vector_ops += vec_ops;
    }
    m_writers[op.out.tensor].push_back(j);
}

} // namespace ops
