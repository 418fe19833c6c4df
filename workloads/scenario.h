#pragma once
// A video-analytics scenario, `qcsim.scenario/1` (issue 12): the chip, how long to simulate,
// groups of camera streams, the pipeline of networks run on their frames, and the runtime's
// policies. Strict JSON read through the declared-parameter visitors (sim/params.h): an unknown
// key, a wrong type or an out-of-range value is an input_error naming the file and JSON path,
// and so are the cross-field rules checked after reading (a stage that feeds on a stage not
// before it, a network spec that does not build, ...). docs/scenario.md defines every key.
//
// The runtime that runs it is arch/runtime.h; `qcsim scenario` (app/) prints its report.

#include "sim/params.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace workloads {

enum class video_codec_name : std::uint8_t { h264, h265 };
inline const sim::choice_table<video_codec_name> &video_codec_names() {
    static const sim::choice_table<video_codec_name> t{
        {{video_codec_name::h264, "h264"}, {video_codec_name::h265, "h265"}}};
    return t;
}

/// One group of identical camera streams.
struct stream_group {
    std::string name = "cameras";
    std::uint32_t count = 1;
    std::uint32_t width = 1920, height = 1080;
    double fps = 25;
    video_codec_name codec = video_codec_name::h265;
    std::uint32_t gop_length = 50; ///< frames from one I frame to the next
    std::uint32_t b_frames = 0;    ///< B frames between reference frames (0: I P P P ...)
    double bitrate_mbps = 4;
    template <class V> void visit(V &v) {
        v.field("name", name, "", "name of the group in the report");
        v.field("count", count, "streams", "identical streams in the group", sim::between(1, 4096));
        v.field("width", width, "pixels", "frame width", sim::between(16, 8192));
        v.field("height", height, "pixels", "frame height", sim::between(16, 8192));
        v.field("fps", fps, "frames/s", "frame rate of each stream", sim::between(0.01, 240));
        v.choice("codec", codec, video_codec_names(), "compressed format");
        v.field("gop_length", gop_length, "frames", "I-frame period", sim::between(1, 10000));
        v.field("b_frames", b_frames, "frames",
                "B frames between two reference frames (0: I P P P ...)", sim::between(0, 15));
        v.field("bitrate_mbps", bitrate_mbps, "Mbit/s", "compressed bitrate of each stream",
                sim::between(0.001, 1000));
    }
};

/// One network of the pipeline and what feeds it.
struct pipeline_stage {
    std::string name;    ///< stage name (unique), e.g. "detect", "face", "reid"
    std::string network; ///< a --workload spec: "ssdlite", "mobilefacenet", "reid:last_stride=1"
    /// Frame-driven stages run on every `every`-th decoded frame of each stream; crop-driven
    /// ones (`after` set) run `crops` times per finished job of the stage named `after`.
    std::uint32_t every = 1;
    std::string after;
    std::uint32_t crops = 1;
    double deadline_ms = 200; ///< from the frame's arrival to this stage's result
    std::uint32_t cores = 1;  ///< NN cores one job runs on (its program is compiled for them)
    /// Partitioned runtimes: the stage's cores are [partition_first, partition_first +
    /// partition_cores).
    std::uint32_t partition_first = 0, partition_cores = 0;
    /// Crop-driven stages: the box cut from the frame, in pixels (0: twice the network's input).
    std::uint32_t box_width = 0, box_height = 0;
    template <class V> void visit(V &v) {
        v.field("name", name, "", "stage name, unique (required)");
        v.field("network", network, "", "network: a --workload spec (required)");
        v.field("every", every, "frames",
                "frame-driven stage: run on every n-th decoded frame of each stream",
                sim::between(1, 100000));
        v.field("after", after, "",
                "crop-driven stage: the earlier stage whose results it crops (empty: "
                "frame-driven)");
        v.field("crops", crops, "crops", "crop-driven stage: jobs per finished job of `after`",
                sim::between(1, 1000));
        v.field("deadline_ms", deadline_ms, "ms",
                "deadline from the frame's arrival to this stage's result",
                sim::between(0.001, 1e6));
        v.field("cores", cores, "cores",
                "NN cores one job of the stage runs on (its network is compiled for them)",
                sim::between(1, 256));
        v.field("partition_first", partition_first, "core",
                "partitioned runtime: the first of the stage's cores", sim::between(0, 255));
        v.field("partition_cores", partition_cores, "cores",
                "partitioned runtime: how many cores the stage owns (required there; 0 in a "
                "shared runtime)",
                sim::between(0, 256));
        v.field("box_width", box_width, "pixels",
                "crop-driven stage: width of the box cut from the frame (0: twice the network "
                "input's)",
                sim::between(0, 8192));
        v.field("box_height", box_height, "pixels",
                "crop-driven stage: height of the box (0: twice the network input's)",
                sim::between(0, 8192));
    }
};

enum class job_order : std::uint8_t { fifo, edf };
inline const sim::choice_table<job_order> &job_order_names() {
    static const sim::choice_table<job_order> t{
        {{job_order::fifo, "fifo"}, {job_order::edf, "edf"}}};
    return t;
}
enum class core_sharing : std::uint8_t { shared, partitioned };
inline const sim::choice_table<core_sharing> &core_sharing_names() {
    static const sim::choice_table<core_sharing> t{
        {{core_sharing::shared, "shared"}, {core_sharing::partitioned, "partitioned"}}};
    return t;
}
enum class late_policy : std::uint8_t { drop, complete };
inline const sim::choice_table<late_policy> &late_policy_names() {
    static const sim::choice_table<late_policy> t{
        {{late_policy::drop, "drop"}, {late_policy::complete, "complete"}}};
    return t;
}

/// The chip's firmware scheduler.
struct runtime_policy {
    job_order order = job_order::edf;
    core_sharing cores = core_sharing::shared;
    std::uint32_t max_batch = 1; ///< same-network jobs batched from different streams
    double batch_timeout_ms = 5; ///< longest a job waits for its batch to fill
    late_policy late = late_policy::drop;
    std::uint32_t frame_buffers = 4; ///< decoded-frame ring per stream
    template <class V> void visit(V &v) {
        v.choice("order", order, job_order_names(),
                 "job order: first in first out, or earliest deadline first");
        v.choice("cores", cores, core_sharing_names(),
                 "NN cores shared by all networks, or partitioned per network");
        v.field("max_batch", max_batch, "jobs", "largest batch of same-network jobs",
                sim::between(1, 64));
        v.field("batch_timeout_ms", batch_timeout_ms, "ms",
                "longest a job waits for its batch to fill", sim::between(0, 1e6));
        v.choice("late", late, late_policy_names(),
                 "a job that cannot meet its deadline: dropped, or completed late");
        v.field("frame_buffers", frame_buffers, "frames",
                "decoded-frame ring per stream; a frame arriving to a full ring is dropped",
                sim::between(1, 64));
    }
};

struct scenario {
    std::string schema = "qcsim.scenario/1";
    std::string name;
    std::string chip; ///< a chip config file, relative to the scenario; "" = the reference chip
    double duration_s = 1;
    double warmup_s = 0.2;
    std::vector<stream_group> streams;
    std::vector<pipeline_stage> pipeline;
    runtime_policy runtime;
    template <class V> void visit(V &v) {
        v.field("schema", schema, "", "must be \"qcsim.scenario/1\"");
        v.field("name", name, "", "scenario name");
        v.field("chip", chip, "",
                "chip config file, relative to the scenario file; empty: the reference chip");
        v.field("duration_s", duration_s, "s", "simulated time after the warm-up",
                sim::between(0.001, 3600));
        v.field("warmup_s", warmup_s, "s", "simulated time before statistics start",
                sim::between(0, 3600));
        v.list("streams", streams, "groups of camera streams (at least one)", 1);
        v.list("pipeline", pipeline, "the networks run on the streams' frames (at least one)", 1);
        v.group("runtime", runtime, "the runtime's scheduling policies");
    }
};

/// Reads and checks a scenario from parsed JSON (errors name `file`).
scenario scenario_from_json(const nlohmann::json &j, const std::string &file);
/// Reads and checks a scenario (JSON text of `file`).
scenario parse_scenario(const std::string &text, const std::string &file);
/// Reads and checks the scenario file at `path`.
scenario read_scenario(const std::string &path);

} // namespace workloads
