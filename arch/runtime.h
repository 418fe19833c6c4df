#pragma once
// The scenario runtime: the chip's firmware scheduler as a block of the simulated chip
// (issue 12, docs/scenario.md "How the runtime works"). Camera frames arrive per stream at the
// stream's rate with deterministic phases, take a slot of the stream's decoded-frame ring, queue
// for a video decoder engine and are decoded into it; a decoded frame due for analysis queues a
// job per frame-driven stage; a finished job queues `crops` jobs of every stage that crops its
// results. A job is pre-processed (on its cores' vector units, or on an image-unit engine before
// it queues) and runs its stage's compiled program on a free set of NN cores chosen by the
// policy (FIFO or earliest deadline first; cores shared or partitioned); all of it contends for
// the interconnect and the DRAM. Frames and jobs never vanish: every frame is decoded or dropped
// (ring full, or a GOP corrupted by a dropped reference frame), every job completes or is
// dropped (late policy), and run() checks the count.
//
// Statistics count frames arriving in [warmup, warmup + duration) and everything they cause
// (their decode, jobs, latencies, even when these finish after the window: the run drains);
// busy times, traffic and energy are over the window itself.

#include "arch/chip_top.h"
#include "arch/pixel_engine.h"
#include "arch/run_stats.h"
#include "arch/timeline_rec.h"
#include "ops/chip.h"
#include "ops/command.h"
#include "ops/preprocess.h"
#include "ops/video.h"
#include "workloads/scenario.h"

#include <cstdint>
#include <string>
#include <vector>

namespace arch {

/// One stage of the pipeline as the runtime runs it (built by the app from the scenario).
struct rt_stage {
    std::string name;
    std::string network;
    int after = -1; ///< the stage whose results it crops; -1: frame-driven
    std::uint32_t every = 1, crops = 1;
    std::uint64_t deadline_ps = 0;
    std::uint32_t in_w = 0, in_h = 0;   ///< the network's input (RGB)
    std::uint32_t box_w = 0, box_h = 0; ///< crop-driven: the box cut from the frame
    /// Core sets a job may run on (each of prog().streams.size() cores).
    std::vector<std::vector<std::uint32_t>> slots;
    /// progs[b - 1]: the network compiled for one slot's cores and a batch of b images
    /// (workloads/batch.h), b = 1 .. max_batch(); every one has the same operators, in order.
    std::vector<ops::program> progs;
    std::vector<std::uint64_t> est_ps; ///< per batch size: the compiler's estimate, alone
    std::string batch_note; ///< why the network does not batch beyond max_batch() ("" if it does)
    std::uint32_t max_batch() const { return std::uint32_t(progs.size()); }
    const ops::program &prog() const { return progs.front(); }
};

struct rt_input {
    ops::chip_desc chip;
    workloads::scenario sc;
    std::vector<rt_stage> stages;
    std::string source; ///< the scenario file (error messages)
};

/// Counts of one stream group over the statistics window.
struct rt_group_stats {
    std::string name;
    std::uint32_t streams = 0;
    std::uint64_t arrived = 0, decoded = 0;
    std::uint64_t dropped_ring_full = 0;   ///< no free slot in the stream's ring
    std::uint64_t dropped_gop_corrupt = 0; ///< a dropped reference frame broke the GOP
    std::uint64_t corrupting_drops = 0;    ///< ring drops of reference frames (I or P)
    std::uint64_t due = 0;                 ///< decoded frames due for analysis
    std::uint64_t analysed = 0;            ///< of them, every job completed
    std::uint64_t analysis_incomplete = 0; ///< of them, some job was dropped
    std::uint64_t frames_i = 0, frames_p = 0, frames_b = 0; ///< decoded, by type
    std::vector<std::uint64_t> e2e_ps; ///< analysed frames: arrival -> last result
    std::uint64_t deadline_misses = 0; ///< jobs of its frames that finished late
};

struct rt_stage_stats {
    std::string name;
    std::uint64_t jobs = 0, completed = 0, dropped_late = 0, late = 0;
    std::vector<std::uint64_t> latency_ps; ///< frame arrival -> this job's result
    std::vector<std::uint64_t> service_ps; ///< the job's time on its cores
    std::vector<std::uint64_t> wait_ps;    ///< queued, ready, until it got cores
    std::vector<std::uint64_t> batches;    ///< [b - 1]: batches of b jobs (any job counted)
    std::vector<op_stats> ops;             ///< its program's operators, Σ over its jobs
    op_stats pre;                          ///< its pre-processing (vector unit or image unit)
};

/// DRAM traffic of one client over the window, and per 1 ms bin.
struct rt_client {
    std::string name;
    std::uint64_t read = 0, written = 0;
    std::vector<std::uint64_t> bins; ///< bytes (read + written) per 1 ms of the window
};

struct rt_result {
    std::uint64_t window_ps = 0;
    std::vector<rt_group_stats> groups;
    std::vector<rt_stage_stats> stages;
    std::vector<block_stats> blocks;                    ///< busy over the window, NN-core cycles
    std::vector<rt_client> clients;                     ///< decode, <stage>.pre, <stage>
    op_stats decode;                                    ///< the decoders' traffic over the window
    std::uint64_t decoded_pixels = 0, image_pixels = 0; ///< over the window
    std::uint64_t end_ps = 0;                           ///< the drained run's last event
    /// Frames waiting for a decoder, and jobs waiting for cores or an image unit, at the end of
    /// the window: a backlog that grows means the chip is not keeping up, drops or not.
    std::uint64_t decode_backlog = 0, job_backlog = 0;
    std::uint64_t kernel_events = 0;
    bool conserved = false; ///< frames in = decoded + dropped, jobs = completed + dropped
};

/// Runs the scenario (one SystemC elaboration: once per process). Throws sim::input_error for
/// programs the chip cannot hold.
/// `tl`: when given, the run's timeline is recorded into it (and finished); the operators of
/// stage S are named "S/<operator>" there.
rt_result run_scenario(const rt_input &in, timeline_rec *tl = nullptr);

} // namespace arch
