#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "arch/runtime.h"

#include "ops/mac_cost.h" // ceil_div
#include "sim/clock.h"
#include "sim/errors.h"
#include "sim/sc/kernel.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <queue>
#include <stdexcept>

namespace arch {

namespace {

constexpr std::uint64_t kib = 1024, mib = 1024 * 1024;
std::uint64_t round_up(std::uint64_t x, std::uint64_t a) {
    return (x + a - 1) / a * a;
}

/// Relative compressed size of a frame by type (I frames carry the picture, B frames the
/// least): the bitstream's average per frame is shared out in these proportions over a GOP.
double bitstream_weight(ops::frame_type t) {
    return t == ops::frame_type::i ? 6.0 : t == ops::frame_type::p ? 1.0 : 0.5;
}

ops::frame_type frame_type_of(const workloads::stream_group &g, std::uint64_t n) {
    const std::uint64_t p = n % g.gop_length;
    if (p == 0)
        return ops::frame_type::i;
    if (g.b_frames == 0 || p % (g.b_frames + 1) == 0)
        return ops::frame_type::p;
    return ops::frame_type::b;
}

struct stream_state {
    std::uint32_t group = 0, index = 0;
    std::uint64_t period_ps = 0, phase_ps = 0;
    std::uint64_t ring_base = 0, slot_bytes = 0;
    std::vector<std::uint8_t> ring_used;
    std::uint64_t bitstream_base = 0, bitstream_off = 0;
    std::uint64_t mv_base[2] = {0, 0};
    std::uint64_t display = 0;
    std::uint64_t last_ref = 0, prev_ref = 0;
    bool corrupt = false;
    double avg_frame_bytes = 0, gop_weight = 1;
    std::uint64_t arrived = 0, decoded = 0, dropped = 0; ///< the whole run (conservation)
};

struct frame_rec {
    std::uint32_t stream = 0;
    std::uint64_t n = 0;
    ops::frame_type type = ops::frame_type::p;
    std::uint64_t arrival = 0;
    bool counted = false, due = false, incomplete = false;
    int slot = -1;
    std::uint64_t addr = 0;
    std::uint32_t pending = 0;
    std::uint64_t last_result = 0;
};

struct job_rec {
    std::uint32_t stage = 0, frame = 0, crop = 0;
    std::uint64_t seq = 0, ready_ps = 0, deadline_ps = 0;
};

struct snapshot {
    run_stats chip;
    std::vector<pixel_engine::stats> dec, img;
    std::uint64_t decoded_pixels = 0, image_pixels = 0;
};

class runtime : public sim::block {
public:
    runtime(const sc_core::sc_module_name &name, const rt_input &in, chip_top &top,
            std::vector<std::uint32_t> stage_op_base, std::vector<std::uint32_t> stage_pre_op)
        : sim::block(name, top.clk()), m_in(in), m_sc(in.sc), m_top(top),
          m_op_base(std::move(stage_op_base)), m_pre_op(std::move(stage_pre_op)), m_wake("wake"),
          m_idle("idle"), m_decode_ev("decode"), m_image_ev("image") {
        const auto &chip = in.chip;
        m_warmup = std::uint64_t(std::llround(m_sc.warmup_s * 1e12));
        m_end = m_warmup + std::uint64_t(std::llround(m_sc.duration_s * 1e12));
        m_core_busy.assign(chip.cores, 0);
        for (std::uint32_t c = 0; c < chip.cores; ++c)
            top.core(c).ctl().on_idle(
                [this](std::uint32_t) { m_idle.notify(sc_core::SC_ZERO_TIME); });
        layout();
        const std::uint64_t quantum =
            std::uint64_t(chip.sim.quantum_cycles) * top.clk().period_ps();
        // The decoder's and the image unit's engines: the same block, their own clock and port.
        auto engines = [&](const char *base, const char *report_base, double mhz, std::uint32_t n,
                           std::uint32_t bpc, std::uint32_t outstanding, std::uint32_t tx,
                           std::vector<std::unique_ptr<pixel_engine>> &out) {
            const pixel_engine_params p{sim::period_ps(mhz), bpc, outstanding, tx, quantum};
            for (std::uint32_t e = 0; e < n; ++e) {
                const std::string name = base + std::to_string(e);
                out.push_back(
                    std::make_unique<pixel_engine>(name.c_str(), top.clk(), p, top.ledger()));
                out.back()->isock.bind(top.noc().tsock);
                // The track has the engine's report name ("video_decoder0").
                if (auto *tl = top.ledger().tl)
                    out.back()->set_track(tl->add_track(report_base + std::to_string(e)));
            }
        };
        const auto &vd = chip.video_decoder;
        engines("video_decoder_eng", "video_decoder", vd.clock_mhz, vd.engines, vd.bytes_per_cycle,
                vd.outstanding, vd.transaction_bytes, m_dec);
        const auto &iu = chip.image_unit;
        engines("image_unit_eng", "image_unit", iu.clock_mhz, iu.engines, iu.bytes_per_cycle,
                iu.outstanding, iu.transaction_bytes, m_img);
        SC_HAS_PROCESS(runtime);
        SC_THREAD(arrivals);
        SC_THREAD(dispatcher);
        SC_THREAD(sampler);
        for (std::uint32_t e = 0; e < m_dec.size(); ++e)
            sc_core::sc_spawn(sc_bind(&runtime::decoder_engine, this, e),
                              ("dec" + std::to_string(e)).c_str());
        for (std::uint32_t e = 0; e < m_img.size(); ++e)
            sc_core::sc_spawn(sc_bind(&runtime::image_engine, this, e),
                              ("img" + std::to_string(e)).c_str());
        m_groups.resize(m_sc.streams.size());
        for (std::size_t g = 0; g < m_sc.streams.size(); ++g) {
            m_groups[g].name = m_sc.streams[g].name;
            m_groups[g].streams = m_sc.streams[g].count;
        }
        m_stages.resize(in.stages.size());
        for (std::size_t s = 0; s < in.stages.size(); ++s) {
            m_stages[s].name = in.stages[s].name;
            m_stages[s].ops.resize(in.stages[s].prog().ops.size());
            m_stages[s].batches.assign(in.stages[s].max_batch(), 0);
        }
    }

    rt_result result();

private:
    // ---- set-up -------------------------------------------------------------------------
    /// DRAM map: each (stage, slot) program's region and its input staging buffer, then per
    /// stream its bitstream buffer, motion-vector buffers, display copy and frame ring.
    void layout() {
        const auto &chip = m_in.chip;
        std::uint64_t cursor = 0;
        std::uint32_t barrier_base = 0;
        m_slot_streams.resize(m_in.stages.size());
        m_staging.resize(m_in.stages.size());
        for (std::size_t s = 0; s < m_in.stages.size(); ++s) {
            const rt_stage &st = m_in.stages[s];
            const std::uint32_t n_ops = std::uint32_t(st.prog().ops.size());
            m_slot_streams[s].resize(st.progs.size());
            std::uint64_t extent = 0;
            std::uint32_t max_barrier = 0;
            for (const auto &p : st.progs) {
                extent = std::max(extent, p.dram_bytes_needed);
                for (const auto &str : p.streams)
                    for (const auto &c : str) {
                        if ((c.kind == ops::cmd_kind::load || c.kind == ops::cmd_kind::store) &&
                            c.far_space == ops::mem_space::dram && c.far.rows)
                            extent = std::max(extent, c.far.addr + (c.far.rows - 1) * c.far.stride +
                                                          c.far.row_bytes);
                        if (c.kind == ops::cmd_kind::barrier)
                            max_barrier = std::max(max_barrier, c.barrier_id);
                    }
            }
            for (std::size_t k = 0; k < st.slots.size(); ++k) {
                const auto &cores = st.slots[k];
                const std::uint64_t base = cursor;
                // Every batch size's program of this core set shares its DRAM region (a core
                // set runs one job at a time) and its barrier ids.
                for (std::size_t b = 0; b < st.progs.size(); ++b) {
                    const auto &p = st.progs[b];
                    const std::uint32_t op_base =
                        m_op_base[s] + std::uint32_t(b * st.slots.size() + k) * n_ops;
                    std::vector<std::vector<ops::command>> out(cores.size());
                    for (std::size_t i = 0; i < cores.size() && i < p.streams.size(); ++i) {
                        out[i] = p.streams[i];
                        for (auto &c : out[i]) {
                            c.op += op_base;
                            if (c.kind == ops::cmd_kind::load || c.kind == ops::cmd_kind::store) {
                                if (c.far_space == ops::mem_space::dram)
                                    c.far.addr += base;
                                else
                                    c.far_core = cores.at(c.far_core);
                            }
                            if (c.kind == ops::cmd_kind::barrier)
                                c.barrier_id += barrier_base;
                        }
                        m_top.core(cores[i]).ctl().validate(out[i]);
                    }
                    m_slot_streams[s][b].push_back(std::move(out));
                }
                barrier_base += max_barrier + 1;
                cursor += round_up(std::max<std::uint64_t>(extent, 1), mib);
                m_staging[s].push_back(cursor);
                cursor += round_up(3ull * st.in_w * st.in_h * st.progs.size(), mib);
            }
        }
        const auto &vd = chip.video_decoder;
        for (std::size_t g = 0; g < m_sc.streams.size(); ++g) {
            const auto &sg = m_sc.streams[g];
            double gop_w = 0;
            for (std::uint32_t n = 0; n < sg.gop_length; ++n)
                gop_w += bitstream_weight(frame_type_of(sg, n));
            for (std::uint32_t i = 0; i < sg.count; ++i) {
                stream_state ss;
                ss.group = std::uint32_t(g);
                ss.index = i;
                ss.period_ps = std::uint64_t(std::llround(1e12 / sg.fps));
                ss.phase_ps = ss.period_ps * i / sg.count;
                ss.avg_frame_bytes = sg.bitrate_mbps * 1e6 / 8.0 / sg.fps;
                ss.gop_weight = gop_w / sg.gop_length;
                const std::uint64_t nv12 = ops::nv12_bytes(sg.width, sg.height);
                const std::uint64_t mv = ops::macroblocks(sg.width, sg.height) *
                                         std::max(vd.h264_mv_bytes_per_mb, vd.h265_mv_bytes_per_mb);
                ss.bitstream_base = cursor;
                cursor += 2 * mib;
                ss.mv_base[0] = cursor;
                ss.mv_base[1] = cursor + round_up(mv, 64 * kib);
                cursor += 2 * round_up(mv, 64 * kib);
                ss.display = cursor;
                if (vd.separate_display_copy)
                    cursor += round_up(nv12, 64 * kib);
                ss.slot_bytes = round_up(nv12, 64 * kib);
                ss.ring_base = cursor;
                ss.ring_used.assign(m_sc.runtime.frame_buffers, 0);
                cursor += ss.slot_bytes * m_sc.runtime.frame_buffers;
                ss.last_ref = ss.prev_ref = ss.ring_base;
                m_streams.push_back(std::move(ss));
            }
        }
    }

    // ---- frames --------------------------------------------------------------------------
    void arrivals() {
        using item = std::pair<std::uint64_t, std::uint32_t>; // (time, stream)
        std::priority_queue<item, std::vector<item>, std::greater<item>> next;
        std::vector<std::uint64_t> count(m_streams.size(), 0);
        for (std::uint32_t s = 0; s < m_streams.size(); ++s)
            next.push({m_streams[s].phase_ps, s});
        while (!next.empty()) {
            const auto [t, s] = next.top();
            next.pop();
            if (t >= m_end)
                continue; // this stream's arrivals are over
            const std::uint64_t now = now_ps();
            if (t > now)
                wait(ps(t - now));
            arrive(s, count[s]++, t);
            next.push({t + m_streams[s].period_ps, s});
        }
    }

    void arrive(std::uint32_t s, std::uint64_t n, std::uint64_t t) {
        stream_state &ss = m_streams[s];
        const auto &sg = m_sc.streams[ss.group];
        frame_rec f;
        f.stream = s;
        f.n = n;
        f.type = frame_type_of(sg, n);
        f.arrival = t;
        f.counted = t >= m_warmup && t < m_end;
        auto &gs = m_groups[ss.group];
        m_arrived += 1;
        ss.arrived += 1;
        gs.arrived += f.counted;
        const bool reference = f.type != ops::frame_type::b;
        if (f.type == ops::frame_type::i)
            ss.corrupt = false; // an I frame starts a decodable GOP again
        if (ss.corrupt) {
            // The decoder cannot use frames whose references were lost: the firmware skips to
            // the next I frame.
            m_dropped += 1;
            ss.dropped += 1;
            gs.dropped_gop_corrupt += f.counted;
            return;
        }
        int slot = -1;
        for (std::size_t k = 0; k < ss.ring_used.size(); ++k)
            if (!ss.ring_used[k]) {
                slot = int(k);
                break;
            }
        if (slot < 0) {
            m_dropped += 1;
            ss.dropped += 1;
            gs.dropped_ring_full += f.counted;
            if (reference) {
                ss.corrupt = true;
                gs.corrupting_drops += f.counted;
            }
            return;
        }
        ss.ring_used[std::size_t(slot)] = 1;
        f.slot = slot;
        f.addr = ss.ring_base + std::uint64_t(slot) * ss.slot_bytes;
        m_frames.push_back(f);
        m_decode_q.push_back(std::uint32_t(m_frames.size() - 1));
        m_decode_ev.notify(sc_core::SC_ZERO_TIME);
    }

    void decoder_engine(std::uint32_t e) {
        const auto &chip = m_in.chip;
        for (;;) {
            while (m_decode_q.empty())
                wait(m_decode_ev);
            const std::uint32_t id = m_decode_q.front();
            m_decode_q.pop_front();
            frame_rec &f = m_frames[id];
            stream_state &ss = m_streams[f.stream];
            const auto &sg = m_sc.streams[ss.group];
            ops::frame_desc fd;
            fd.width = sg.width;
            fd.height = sg.height;
            fd.codec = sg.codec == workloads::video_codec_name::h264 ? ops::video_codec::h264
                                                                     : ops::video_codec::h265;
            fd.type = f.type;
            fd.bitstream_bytes = std::uint64_t(
                std::llround(ss.avg_frame_bytes * bitstream_weight(f.type) / ss.gop_weight));
            const ops::decode_cost cost = ops::decode_frame(chip.video_decoder, fd);
            const std::uint64_t nv12 = ops::nv12_bytes(sg.width, sg.height);
            pixel_job j;
            j.op = 0;
            j.compute_ps = cost.compute_ps(chip.video_decoder.clock_mhz);
            j.rows =
                std::uint32_t(fd.codec == ops::video_codec::h264 ? ops::ceil_div(sg.height, 16)
                                                                 : ops::ceil_div(sg.height, 64));
            j.reads.push_back({ss.bitstream_base + ss.bitstream_off % mib, cost.bitstream_read, 0});
            ss.bitstream_off += cost.bitstream_read;
            if (f.type == ops::frame_type::p) {
                j.reads.push_back({ss.last_ref, cost.ref_read, nv12});
            } else if (f.type == ops::frame_type::b) {
                j.reads.push_back({ss.last_ref, cost.ref_read / 2, nv12});
                j.reads.push_back({ss.prev_ref, cost.ref_read - cost.ref_read / 2, nv12});
            }
            if (cost.mv_read)
                j.reads.push_back({ss.mv_base[(f.n + 1) % 2], cost.mv_read, 0});
            j.writes.push_back({f.addr, cost.nv12_write, 0});
            if (cost.display_write)
                j.writes.push_back({ss.display, cost.display_write, 0});
            j.writes.push_back({ss.mv_base[f.n % 2], cost.mv_write, 0});
            m_dec[e]->run(j);
            if (f.type != ops::frame_type::b) {
                ss.prev_ref = ss.last_ref;
                ss.last_ref = f.addr;
            }
            m_decoded += 1;
            ss.decoded += 1;
            m_decoded_pixels += std::uint64_t(sg.width) * sg.height;
            auto &gs = m_groups[ss.group];
            if (f.counted) {
                gs.decoded += 1;
                (f.type == ops::frame_type::i   ? gs.frames_i
                 : f.type == ops::frame_type::p ? gs.frames_p
                                                : gs.frames_b) += 1;
            }
            for (std::uint32_t s = 0; s < m_in.stages.size(); ++s) {
                const rt_stage &st = m_in.stages[s];
                // Every n-th frame, staggered over the streams (stream k analyses frames
                // k, k + n, ...) so that their analyses do not all fall on the same instants.
                if (st.after < 0 && (f.n + f.stream) % st.every == 0) {
                    f.due = true;
                    enqueue(s, id, 0);
                }
            }
            if (f.due)
                gs.due += f.counted;
            else
                release(id);
        }
    }

    void release(std::uint32_t id) {
        frame_rec &f = m_frames[id];
        m_streams[f.stream].ring_used[std::size_t(f.slot)] = 0;
    }

    // ---- jobs ----------------------------------------------------------------------------
    ops::preprocess_desc pre_desc(const job_rec &j, std::uint64_t dst) const {
        const frame_rec &f = m_frames[j.frame];
        const auto &sg = m_sc.streams[m_streams[f.stream].group];
        const rt_stage &st = m_in.stages[j.stage];
        ops::preprocess_desc d =
            st.after < 0
                ? ops::preprocess_job(sg.width, sg.height, st.in_w, st.in_h)
                : ops::preprocess_job(sg.width, sg.height, st.in_w, st.in_h, st.box_w, st.box_h);
        d.src_addr = f.addr;
        d.dst_addr = dst;
        if (st.after >= 0) {
            // Deterministic box positions, spread over the frame.
            const std::uint64_t h = (f.n * 2654435761ull + j.crop * 40503ull + f.stream * 97ull);
            d.x0 = std::uint32_t(h % (sg.width - d.box_w + 1)) & ~1u;
            d.y0 = std::uint32_t((h / 7) % (sg.height - d.box_h + 1)) & ~1u;
        }
        return d;
    }

    void enqueue(std::uint32_t stage, std::uint32_t frame, std::uint32_t crop) {
        frame_rec &f = m_frames[frame];
        f.pending += 1;
        job_rec j;
        j.stage = stage;
        j.frame = frame;
        j.crop = crop;
        j.seq = m_seq++;
        j.ready_ps = now_ps();
        j.deadline_ps = f.arrival + m_in.stages[stage].deadline_ps;
        m_jobs_created += 1;
        if (f.counted)
            m_stages[stage].jobs += 1;
        if (!m_img.empty()) {
            m_image_q.push_back(j);
            m_image_ev.notify(sc_core::SC_ZERO_TIME);
        } else {
            m_ready.push_back(j);
            m_wake.notify(sc_core::SC_ZERO_TIME);
        }
    }

    void image_engine(std::uint32_t e) {
        const auto &iu = m_in.chip.image_unit;
        for (;;) {
            while (m_image_q.empty())
                wait(m_image_ev);
            job_rec j = m_image_q.front();
            m_image_q.pop_front();
            const auto d = pre_desc(j, m_staging[j.stage][0]);
            const auto b = ops::preprocess_reads(d, 0, d.out_h);
            pixel_job pj;
            pj.op = m_pre_op[j.stage];
            pj.rows = d.out_h;
            const std::uint64_t pixels = std::uint64_t(d.out_w) * d.out_h;
            pj.compute_ps =
                ops::ceil_div(pixels, iu.pixels_per_cycle) * sim::period_ps(iu.clock_mhz);
            pj.reads.push_back({b.y.addr, b.y.bytes(), 0});
            pj.reads.push_back({b.uv.addr, b.uv.bytes(), 0});
            pj.writes.push_back({d.dst_addr, ops::preprocess_write_bytes(d), 0});
            m_img[e]->run(pj);
            m_image_pixels += pixels;
            j.ready_ps = now_ps();
            m_ready.push_back(j);
            m_wake.notify(sc_core::SC_ZERO_TIME);
        }
    }

    bool slot_free(const std::vector<std::uint32_t> &cores) const {
        for (auto c : cores)
            if (m_core_busy[c])
                return false;
        return true;
    }

    /// Jobs of `stage` in `m_ready`, best first by the policy's order.
    std::vector<std::size_t> ready_of(std::uint32_t stage, bool edf) const {
        std::vector<std::size_t> v;
        for (std::size_t i = 0; i < m_ready.size(); ++i)
            if (m_ready[i].stage == stage)
                v.push_back(i);
        std::sort(v.begin(), v.end(), [&](std::size_t a, std::size_t b) {
            const job_rec &x = m_ready[a], &y = m_ready[b];
            return edf ? std::tie(x.deadline_ps, x.seq) < std::tie(y.deadline_ps, y.seq)
                       : x.seq < y.seq;
        });
        return v;
    }

    void dispatcher() {
        const bool edf = m_sc.runtime.order == workloads::job_order::edf;
        const bool drop_late = m_sc.runtime.late == workloads::late_policy::drop;
        const std::uint64_t timeout =
            std::uint64_t(std::llround(m_sc.runtime.batch_timeout_ms * 1e9));
        for (;;) {
            wait(m_wake);
            // Stages whose batch is still filling (until its oldest job's timeout).
            std::vector<std::uint8_t> filling(m_in.stages.size(), 0);
            for (;;) {
                // The best ready job that has a free core set, by the policy's order.
                std::size_t best = m_ready.size();
                int best_slot = -1;
                for (std::size_t i = 0; i < m_ready.size(); ++i) {
                    const job_rec &j = m_ready[i];
                    if (filling[j.stage])
                        continue;
                    if (best < m_ready.size()) {
                        const job_rec &b = m_ready[best];
                        const bool better =
                            edf ? std::tie(j.deadline_ps, j.seq) < std::tie(b.deadline_ps, b.seq)
                                : j.seq < b.seq;
                        if (!better)
                            continue;
                    }
                    const auto &slots = m_in.stages[j.stage].slots;
                    for (std::size_t k = 0; k < slots.size(); ++k)
                        if (slot_free(slots[k])) {
                            best = i;
                            best_slot = int(k);
                            break;
                        }
                }
                if (best == m_ready.size())
                    break;
                const std::uint32_t stage = m_ready[best].stage;
                const rt_stage &st = m_in.stages[stage];
                // Up to max_batch ready jobs of the stage, best first; a batch that is not full
                // waits for more until its oldest job has waited batch_timeout_ms.
                std::vector<std::size_t> picks = ready_of(stage, edf);
                if (picks.size() > st.max_batch())
                    picks.resize(st.max_batch());
                if (picks.size() < st.max_batch()) {
                    std::uint64_t oldest = ~std::uint64_t(0);
                    for (auto i : picks)
                        oldest = std::min(oldest, m_ready[i].ready_ps);
                    const std::uint64_t due = oldest + timeout;
                    if (due > now_ps()) {
                        filling[stage] = 1;
                        m_wake.notify(ps(due - now_ps()));
                        continue;
                    }
                }
                std::vector<job_rec> batch;
                for (auto i : picks)
                    batch.push_back(m_ready[i]);
                std::sort(picks.rbegin(), picks.rend());
                for (auto i : picks)
                    m_ready.erase(m_ready.begin() + std::ptrdiff_t(i));
                // Late jobs (by the estimate of the batch they would run in) are dropped.
                if (drop_late) {
                    std::vector<job_rec> keep;
                    const std::uint64_t est = st.est_ps[batch.size() - 1];
                    for (const auto &j : batch) {
                        if (now_ps() + est > j.deadline_ps)
                            drop_job(j);
                        else
                            keep.push_back(j);
                    }
                    batch.swap(keep);
                    if (batch.empty())
                        continue;
                }
                for (auto c : st.slots[std::size_t(best_slot)])
                    m_core_busy[c] = 1;
                sc_core::sc_spawn(
                    sc_bind(&runtime::run_batch, this, batch, std::uint32_t(best_slot)),
                    ("job" + std::to_string(batch.front().seq)).c_str());
            }
        }
    }

    void launch_all(const std::vector<std::uint32_t> &cores,
                    const std::vector<std::vector<ops::command>> &streams) {
        for (std::size_t i = 0; i < cores.size(); ++i)
            m_top.core(cores[i]).ctl().launch(i < streams.size() ? streams[i] : m_empty);
        for (;;) {
            bool idle = true;
            for (auto c : cores)
                idle = idle && m_top.core(c).ctl().idle();
            if (idle)
                break;
            wait(m_idle);
        }
    }

    void run_batch(std::vector<job_rec> batch, std::uint32_t slot) {
        const std::uint32_t stage = batch.front().stage;
        const rt_stage &st = m_in.stages[stage];
        const auto &cores = st.slots[slot];
        const std::uint64_t t0 = now_ps();
        if (m_img.empty()) {
            // Each job's pre-processing into its image's slice of the batch's input.
            for (std::size_t k = 0; k < batch.size(); ++k) {
                const auto d =
                    pre_desc(batch[k], m_staging[stage][slot] + k * 3ull * st.in_w * st.in_h);
                const auto streams = ops::preprocess_streams(
                    m_in.chip, d, std::uint32_t(cores.size()), m_pre_op[stage], m_in.source);
                launch_all(cores, streams);
            }
        }
        launch_all(cores, m_slot_streams[stage][batch.size() - 1][slot]);
        const std::uint64_t t1 = now_ps();
        for (auto c : cores)
            m_core_busy[c] = 0;
        m_wake.notify(sc_core::SC_ZERO_TIME);
        bool counted = false;
        for (const auto &j : batch)
            counted = counted || m_frames[j.frame].counted;
        if (counted)
            m_stages[stage].batches[batch.size() - 1] += 1;
        for (const auto &j : batch) {
            frame_rec &f = m_frames[j.frame];
            m_jobs_completed += 1;
            if (f.counted) {
                auto &ss = m_stages[stage];
                ss.completed += 1;
                ss.latency_ps.push_back(t1 - f.arrival);
                ss.service_ps.push_back(t1 - t0);
                ss.wait_ps.push_back(t0 - j.ready_ps);
                if (t1 > j.deadline_ps) {
                    ss.late += 1;
                    m_groups[m_streams[f.stream].group].deadline_misses += 1;
                }
            }
            f.last_result = std::max(f.last_result, t1);
            for (std::uint32_t c = 0; c < m_in.stages.size(); ++c)
                if (m_in.stages[c].after == int(stage))
                    for (std::uint32_t k = 0; k < m_in.stages[c].crops; ++k)
                        enqueue(c, j.frame, k);
            finish(j.frame);
        }
    }

    void drop_job(const job_rec &j) {
        frame_rec &f = m_frames[j.frame];
        m_jobs_dropped += 1;
        if (f.counted)
            m_stages[j.stage].dropped_late += 1;
        f.incomplete = true;
        finish(j.frame);
    }

    void finish(std::uint32_t id) {
        frame_rec &f = m_frames[id];
        if (--f.pending)
            return;
        auto &gs = m_groups[m_streams[f.stream].group];
        if (f.counted) {
            if (f.incomplete) {
                gs.analysis_incomplete += 1;
            } else {
                gs.analysed += 1;
                gs.e2e_ps.push_back(f.last_result - f.arrival);
            }
        }
        release(id);
    }

    // ---- statistics ----------------------------------------------------------------------
    snapshot take() const {
        snapshot s;
        s.chip = m_top.collect();
        for (const auto &d : m_dec)
            s.dec.push_back(d->stat());
        for (const auto &d : m_img)
            s.img.push_back(d->stat());
        s.decoded_pixels = m_decoded_pixels;
        s.image_pixels = m_image_pixels;
        return s;
    }

    std::uint64_t client_bytes(std::size_t c) const {
        const auto &ops = m_top.ledger().ops;
        auto sum = [&](std::uint32_t a, std::uint32_t b) {
            std::uint64_t t = 0;
            for (std::uint32_t i = a; i < b; ++i)
                t += ops[i].dram_bytes_read + ops[i].dram_bytes_written;
            return t;
        };
        if (c == 0)
            return sum(0, 1);
        const std::size_t s = (c - 1) / 2;
        if ((c - 1) % 2 == 0)
            return sum(m_pre_op[s], m_pre_op[s] + 1);
        const auto &st = m_in.stages[s];
        const std::uint32_t n =
            std::uint32_t(st.prog().ops.size() * st.slots.size() * st.progs.size());
        return sum(m_op_base[s], m_op_base[s] + n);
    }

    void sampler() {
        const std::size_t n_clients = 1 + 2 * m_in.stages.size();
        if (m_warmup > now_ps())
            wait(ps(m_warmup - now_ps()));
        m_a = take();
        std::vector<std::uint64_t> last(n_clients);
        for (std::size_t c = 0; c < n_clients; ++c)
            last[c] = client_bytes(c);
        m_bins.assign(n_clients, {});
        const std::uint64_t bin = 1000000000ull; // 1 ms
        for (std::uint64_t t = m_warmup; t < m_end;) {
            const std::uint64_t next = std::min(m_end, t + bin);
            wait(ps(next - now_ps()));
            for (std::size_t c = 0; c < n_clients; ++c) {
                const std::uint64_t v = client_bytes(c);
                m_bins[c].push_back(v - last[c]);
                last[c] = v;
            }
            t = next;
        }
        m_b = take();
        m_decode_backlog = m_decode_q.size();
        m_job_backlog = m_ready.size() + m_image_q.size();
    }

    const rt_input &m_in;
    const workloads::scenario &m_sc;
    chip_top &m_top;
    std::vector<std::uint32_t> m_op_base, m_pre_op;
    std::uint64_t m_warmup = 0, m_end = 0;
    std::vector<std::unique_ptr<pixel_engine>> m_dec, m_img;
    std::vector<stream_state> m_streams;
    std::deque<frame_rec> m_frames;
    std::deque<std::uint32_t> m_decode_q;
    std::deque<job_rec> m_image_q;
    std::vector<job_rec> m_ready;
    std::vector<std::uint8_t> m_core_busy;
    /// [stage][batch size - 1][core set][core]: the relocated command streams.
    std::vector<std::vector<std::vector<std::vector<std::vector<ops::command>>>>> m_slot_streams;
    std::vector<std::vector<std::uint64_t>> m_staging;
    std::vector<ops::command> m_empty;
    sc_core::sc_event m_wake, m_idle, m_decode_ev, m_image_ev;
    std::uint64_t m_seq = 0;
    std::uint64_t m_arrived = 0, m_decoded = 0, m_dropped = 0;
    std::uint64_t m_jobs_created = 0, m_jobs_completed = 0, m_jobs_dropped = 0;
    std::uint64_t m_decoded_pixels = 0, m_image_pixels = 0;
    std::vector<rt_group_stats> m_groups;
    std::vector<rt_stage_stats> m_stages;
    snapshot m_a, m_b;
    std::uint64_t m_decode_backlog = 0, m_job_backlog = 0;
    std::vector<std::vector<std::uint64_t>> m_bins;
};

rt_result runtime::result() {
    rt_result r;
    r.window_ps = m_end - m_warmup;
    r.end_ps = now_ps();
    r.decode_backlog = m_decode_backlog;
    r.job_backlog = m_job_backlog;
    r.groups = m_groups;
    r.stages = m_stages;
    // Nothing vanished: every frame that arrived was decoded or dropped, every job completed or
    // was dropped (the run drained).
    bool per_stream = true;
    for (const auto &ss : m_streams)
        per_stream = per_stream && ss.arrived == ss.decoded + ss.dropped;
    r.conserved = per_stream && m_arrived == m_decoded + m_dropped &&
                  m_jobs_created == m_jobs_completed + m_jobs_dropped && m_decode_q.empty() &&
                  m_ready.empty() && m_image_q.empty();
    if (!r.conserved)
        throw std::logic_error("runtime: frames or jobs unaccounted for at the end of the run");
    const auto &oa = m_a.chip.ops, &ob = m_b.chip.ops;
    auto delta = [&](std::uint32_t i) {
        op_stats d = ob[i];
        add_counters(d, oa[i], -1);
        return d;
    };
    r.decode = delta(0);
    for (std::size_t s = 0; s < m_in.stages.size(); ++s) {
        auto &st = r.stages[s];
        st.pre = delta(m_pre_op[s]);
        const std::size_t n = m_in.stages[s].prog().ops.size();
        const std::size_t copies = m_in.stages[s].slots.size() * m_in.stages[s].progs.size();
        for (std::size_t k = 0; k < copies; ++k)
            for (std::size_t i = 0; i < n; ++i)
                add_counters(st.ops[i], delta(std::uint32_t(m_op_base[s] + k * n + i)), +1);
    }
    for (std::size_t i = 0; i < m_b.chip.blocks.size(); ++i) {
        block_stats b = m_b.chip.blocks[i];
        const block_stats &a = m_a.chip.blocks[i];
        b.busy_cycles -= a.busy_cycles;
        b.bytes -= a.bytes;
        b.transactions -= a.transactions;
        r.blocks.push_back(b);
    }
    const std::uint64_t per = m_top.clk().period_ps();
    // Top-level report names ("video_decoder0"), like "core0.dma0".
    auto engines = [&](const char *base, const std::vector<std::unique_ptr<pixel_engine>> &v,
                       const std::vector<pixel_engine::stats> &a,
                       const std::vector<pixel_engine::stats> &b) {
        for (std::size_t e = 0; e < v.size(); ++e) {
            block_stats x;
            x.name = base + std::to_string(e);
            x.busy_cycles = (b[e].busy_ps - a[e].busy_ps + per / 2) / per;
            x.bytes = b[e].bytes_read + b[e].bytes_written - a[e].bytes_read - a[e].bytes_written;
            x.transactions = b[e].jobs - a[e].jobs;
            r.blocks.push_back(x);
        }
    };
    engines("video_decoder", m_dec, m_a.dec, m_b.dec);
    engines("image_unit", m_img, m_a.img, m_b.img);
    r.decoded_pixels = m_b.decoded_pixels - m_a.decoded_pixels;
    r.image_pixels = m_b.image_pixels - m_a.image_pixels;
    // Clients: decode, then per stage its pre-processing and its network.
    rt_client dec{"decode", r.decode.dram_bytes_read, r.decode.dram_bytes_written, m_bins[0]};
    r.clients.push_back(dec);
    for (std::size_t s = 0; s < m_in.stages.size(); ++s) {
        const auto &st = r.stages[s];
        r.clients.push_back({m_in.stages[s].name + ".pre", st.pre.dram_bytes_read,
                             st.pre.dram_bytes_written, m_bins[1 + 2 * s]});
        rt_client net{m_in.stages[s].name, 0, 0, m_bins[2 + 2 * s]};
        for (const auto &o : st.ops) {
            net.read += o.dram_bytes_read;
            net.written += o.dram_bytes_written;
        }
        r.clients.push_back(net);
    }
    r.kernel_events = sc_core::sc_delta_count();
    return r;
}

} // namespace

rt_result run_scenario(const rt_input &in, timeline_rec *tl) {
    sim::init_kernel();
    // Every operator the chip will run, in ledger order: the decoders' traffic (0), each stage's
    // pre-processing, then each (stage, slot) copy of each stage's program.
    ops::program all;
    ops::op_info dec;
    dec.name = "decode";
    dec.type = "video_decode";
    dec.unit = ops::unit_kind::dma;
    all.ops.push_back(dec);
    std::vector<std::uint32_t> pre_op, op_base;
    for (const auto &st : in.stages) {
        ops::op_info p;
        p.name = st.name + ".pre";
        p.type = "preprocess";
        p.unit = ops::unit_kind::vector_unit;
        pre_op.push_back(std::uint32_t(all.ops.size()));
        all.ops.push_back(p);
    }
    for (const auto &st : in.stages) {
        op_base.push_back(std::uint32_t(all.ops.size()));
        for (const auto &p : st.progs)
            for (std::size_t k = 0; k < st.slots.size(); ++k)
                all.ops.insert(all.ops.end(), p.ops.begin(), p.ops.end());
    }
    chip_top top(in.chip, all, true, tl);
    top.ledger().record_stalls = false;
    if (tl)
        for (std::size_t s = 0; s < in.stages.size(); ++s)
            for (std::uint32_t i = op_base[s], e = s + 1 < in.stages.size()
                                                       ? op_base[s + 1]
                                                       : std::uint32_t(all.ops.size());
                 i < e; ++i)
                tl->op_names[i] = in.stages[s].name + "/" + tl->op_names[i];
    runtime rt("runtime", in, top, op_base, pre_op);
    sc_core::sc_start();
    if (tl)
        tl->finish();
    return rt.result();
}

} // namespace arch
