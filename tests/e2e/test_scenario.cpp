// `qcsim scenario` end to end: the runtime's rules against closed forms (frame counts, drops and
// GOP corruption, latency lower bounds, scheduling order, partitions, capacity), determinism, the
// quantum test, and bad scenarios.
#include "e2e_common.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using e2e::qcsim;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

/// A scenario file in the scratch directory: `streams` and `pipeline` are JSON text.
fs::path scenario_file(const std::string &name, const std::string &streams,
                       const std::string &pipeline, const std::string &runtime = "{}",
                       double duration = 0.2, double warmup = 0, const std::string &chip = "") {
    const fs::path p = e2e::scratch_dir() / (name + ".json");
    std::ofstream(p) << "{\"schema\": \"qcsim.scenario/1\", \"name\": \"" << name
                     << "\", \"chip\": \"" << chip << "\", \"duration_s\": " << duration
                     << ", \"warmup_s\": " << warmup << ", \"streams\": " << streams
                     << ", \"pipeline\": " << pipeline << ", \"runtime\": " << runtime << "}";
    return p;
}

json run_scenario(const fs::path &file, const std::string &extra = "") {
    const fs::path out = e2e::scratch_dir() / (file.stem().string() + "-report.json");
    auto r =
        qcsim("scenario \"" + file.string() + "\" -q --json \"" + out.string() + "\" " + extra);
    INFO(r.err);
    REQUIRE(r.status == 0);
    return json::parse(e2e::slurp(out));
}

const std::string one_cam =
    R"([{"name": "cam", "count": 1, "width": 1920, "height": 1080, "fps": 25, "codec": "h265",
        "gop_length": 50, "bitrate_mbps": 4}])";

double run_ms(const std::string &workload) {
    auto r = qcsim("run -q -w " + workload + " --set cores=1 --json -");
    REQUIRE(r.status == 0);
    return json::parse(r.out)["summary"]["latency_ms"].get<double>();
}

} // namespace

TEST_CASE("scenario: one stream's latency is at least its decode, pre-processing and networks "
          "alone, end to end",
          "[e2e][scenario]") {
    const auto f =
        scenario_file("one", one_cam,
                      R"([{"name": "detect", "network": "ssdlite", "every": 1, "deadline_ms": 500},
            {"name": "face", "network": "mobilefacenet", "after": "detect", "crops": 1,
             "deadline_ms": 500}])");
    const json r = run_scenario(f);
    // Decode: 510 CTUs x 2,040 cycles at 500 MHz = 2.0808 ms of compute, whatever its memory.
    const double decode_ms = 510 * 2040 / 500e3;
    const double detect_ms = run_ms("ssdlite"), face_ms = run_ms("mobilefacenet");
    const auto &s = r["summary"];
    CHECK(s["frames_analysed"].get<int>() == 5); // 0.2 s at 25 fps, every frame
    CHECK(s["e2e_latency_ms"]["min"].get<double>() >= decode_ms + detect_ms + face_ms);
    // Each stage's service (pre-processing + network on its core) is at least the network alone.
    CHECK(r["stages"][0]["service_ms"]["min"].get<double>() >= detect_ms);
    CHECK(r["stages"][1]["service_ms"]["min"].get<double>() >= face_ms);
    CHECK(s["sustained"].get<bool>());
    CHECK(r["groups"][0]["frames_decoded_by_type"]["I"].get<int>() == 1);
}

TEST_CASE("scenario: frames are conserved, counted over the window, and the report is "
          "byte-identical on two runs",
          "[e2e][scenario]") {
    const auto f = scenario_file(
        "five", R"([{"name": "cams", "count": 5, "fps": 25, "gop_length": 10, "b_frames": 1}])",
        R"([{"name": "detect", "network": "ssdlite", "every": 2, "deadline_ms": 200},
            {"name": "reid", "network": "reid", "after": "detect", "crops": 1}])",
        "{}", 0.2, 0.1);
    const fs::path a = e2e::scratch_dir() / "five-a.json", b = e2e::scratch_dir() / "five-b.json";
    REQUIRE(qcsim("scenario \"" + f.string() + "\" -q --json \"" + a.string() + "\"").status == 0);
    REQUIRE(qcsim("scenario \"" + f.string() + "\" -q --json \"" + b.string() + "\"").status == 0);
    CHECK(e2e::slurp(a) == e2e::slurp(b));
    const json r = json::parse(e2e::slurp(a));
    const auto &g = r["groups"][0];
    // Stream k's frames arrive at 8k + 40i ms: 5 of them in [100, 300) ms, 25 in all.
    CHECK(g["frames_arrived"].get<int>() == 25);
    CHECK(g["frames_arrived"].get<int>() ==
          g["frames_decoded"].get<int>() + g["frames_dropped"].get<int>());
    CHECK(g["frames_conserved"].get<bool>());
    CHECK(r["summary"]["frames_conserved"].get<bool>());
    // GOP of 10 with 1 B frame between references: I B P B P B P B P B.
    const auto &t = g["frames_decoded_by_type"];
    CHECK(t["I"].get<int>() + t["P"].get<int>() + t["B"].get<int>() == 25);
    CHECK(t["B"].get<int>() > 0);
}

TEST_CASE("scenario: a full ring drops a reference frame and the GOP is lost until the next I "
          "frame",
          "[e2e][scenario]") {
    // One stream, 25 fps, an I frame every 10; one frame buffer; the decoder takes 60 ms a frame
    // (510 CTUs x 58,824 cycles at 500 MHz = 60.0 ms), longer than the 40 ms between frames.
    // Frame 0 (I) decodes 0-60 ms holding the buffer; frame 1 (P) arrives at 40 ms to a full
    // ring: dropped, and it was a reference, so frames 2-9 are dropped as GOP-corrupt; frame 10
    // (I, 400 ms) decodes, frame 11 is dropped again, and so on. Over 1 s (frames 0-24):
    // decoded 0, 10, 20; ring-full 1, 11, 21; GOP-corrupt the other 19.
    const auto f =
        scenario_file("ring", R"([{"name": "cam", "count": 1, "fps": 25, "gop_length": 10}])",
                      R"([{"name": "detect", "network": "mobilefacenet", "every": 100000}])",
                      R"({"frame_buffers": 1})", 1.0, 0);
    const json r = run_scenario(f, "--chip-set video_decoder.h265_cycles_per_ctu_i=58824 "
                                   "--chip-set video_decoder.h265_cycles_per_ctu_p=58824");
    const auto &g = r["groups"][0];
    CHECK(g["frames_arrived"].get<int>() == 25);
    CHECK(g["frames_decoded"].get<int>() == 3);
    CHECK(g["dropped_by_cause"]["ring_full"].get<int>() == 3);
    CHECK(g["dropped_by_cause"]["gop_corrupt"].get<int>() == 19);
    CHECK(g["reference_frames_dropped"].get<int>() == 3);
    CHECK(g["frames_decoded_by_type"]["I"].get<int>() == 3);
    CHECK_FALSE(r["summary"]["sustained"].get<bool>());
}

TEST_CASE("scenario: earliest deadline first runs the urgent job first; FIFO makes it wait",
          "[e2e][scenario]") {
    // One core; both stages run on every frame and become ready together when it is decoded.
    // The detector is listed (so queued) first; the face stage's deadline is earlier.
    const auto f =
        scenario_file("order", one_cam,
                      R"([{"name": "slow", "network": "ssdlite", "every": 1, "deadline_ms": 1000},
            {"name": "urgent", "network": "mobilefacenet", "every": 1, "deadline_ms": 20}])",
                      R"({"late": "complete"})", 0.2, 0);
    for (const char *order : {"edf", "fifo"}) {
        INFO(order);
        const json r =
            run_scenario(f, std::string("--set runtime.order=") + order + " --chip-set cores=1");
        const double slow = r["stages"][0]["latency_ms"]["p50"].get<double>();
        const double urgent = r["stages"][1]["latency_ms"]["p50"].get<double>();
        const double slow_service = r["stages"][0]["service_ms"]["p50"].get<double>();
        if (std::string(order) == "edf") {
            CHECK(urgent < slow);
            CHECK(r["stages"][1]["wait_ms"]["max"].get<double>() == 0);
        } else {
            CHECK(urgent > slow);
            CHECK(r["stages"][1]["wait_ms"]["min"].get<double>() >= slow_service);
        }
    }
}

TEST_CASE("scenario: a partitioned stage runs only on its cores", "[e2e][scenario]") {
    const auto f =
        scenario_file("part", one_cam,
                      R"([{"name": "detect", "network": "ssdlite", "every": 1, "partition_first": 2,
             "partition_cores": 1}])",
                      R"({"cores": "partitioned"})", 0.1, 0);
    const json r = run_scenario(f);
    for (const auto &b : r["blocks"]) {
        const std::string n = b["name"].get<std::string>();
        if (n.find(".mac_array") == std::string::npos)
            continue;
        INFO(n);
        if (n == "core2.mac_array")
            CHECK(b["busy_pct"].get<double>() > 0);
        else
            CHECK(b["busy_pct"].get<double>() == 0);
    }
}

namespace {
/// Eight cameras, a detector on every 2nd frame and two face crops each, run with `a_opts` and
/// with `b_opts`: the same frames analysed, and end-to-end latency (p50, max) and DRAM bandwidth
/// within 1 %.
void scenario_moves_under_1pct(const std::string &name, const std::string &a_opts,
                               const std::string &b_opts) {
    const auto f = scenario_file(name, R"([{"name": "cams", "count": 8, "fps": 25}])",
                                 R"([{"name": "detect", "network": "ssdlite", "every": 2},
            {"name": "face", "network": "mobilefacenet", "after": "detect", "crops": 2}])",
                                 "{}", 0.1, 0.05);
    const json a = run_scenario(f, a_opts);
    const json b = run_scenario(f, b_opts);
    CHECK(a["summary"]["frames_analysed"] == b["summary"]["frames_analysed"]);
    for (const char *k : {"p50", "max"}) {
        const double x = a["summary"]["e2e_latency_ms"][k].get<double>();
        const double y = b["summary"]["e2e_latency_ms"][k].get<double>();
        INFO(k << ": " << x << " vs " << y);
        CHECK(std::abs(x - y) <= 0.01 * x);
    }
    const double x = a["summary"]["dram_gbps"].get<double>(),
                 y = b["summary"]["dram_gbps"].get<double>();
    CHECK(std::abs(x - y) <= 0.01 * x);
}
} // namespace

TEST_CASE("scenario: halving the temporal-decoupling quantum moves the results by under 1 %",
          "[e2e][scenario]") {
    scenario_moves_under_1pct("quantum", "", "--chip-set sim.quantum_cycles=8"); // half of 16
}

TEST_CASE("scenario: burst groups move the results by under 1 % against one burst per call",
          "[e2e][scenario]") {
    scenario_moves_under_1pct("groups", "--chip-set sim.burst_group=1", ""); // default: 16
}

TEST_CASE("scenario: --find-capacity finds the decoder-bound stream count", "[e2e][scenario]") {
    // One decoder engine decodes a 1080p H.265 frame in 2.0808 ms of compute (480 fps) plus at
    // most a seventeenth for its first and last rows' memory: 453-480 fps, so 22.7-24.0
    // streams of 20 fps: 24 streams (480 fps) overload it unless its memory is free, and their
    // backlog grows. The networks run once (every 100000 frames).
    const auto f =
        scenario_file("cap", R"([{"name": "cams", "count": 16, "fps": 20}])",
                      R"([{"name": "detect", "network": "mobilefacenet", "every": 100000}])",
                      R"({"frame_buffers": 1})", 2.0, 0.2);
    const fs::path out = e2e::scratch_dir() / "cap-search.json";
    auto r = qcsim("scenario \"" + f.string() +
                   "\" --find-capacity --jobs 2 --chip-set video_decoder.engines=1 --json \"" +
                   out.string() + "\"");
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    const json c = json::parse(e2e::slurp(out));
    const int cap = c["capacity_streams"].get<int>();
    CHECK(cap >= 22);
    CHECK(cap <= 23);
    CHECK(c["first_failing_streams"].get<int>() == cap + 1);
    CHECK(c["saturates_first"]["block_class"] == "video_decoder");
    CHECK(c["saturates_first"]["busy_pct"].get<double>() > 90);
}

TEST_CASE("scenario: bad scenarios are errors naming the file and the JSON path, exit 2, no "
          "output",
          "[e2e][scenario]") {
    const fs::path out = e2e::scratch_dir() / "bad-out.json";
    struct bad {
        std::string text, extra, expect;
    };
    const std::string ok_pipe = R"([{"name": "d", "network": "ssdlite"}])";
    const std::vector<bad> cases = {
        {"{\"schema\": \"qcsim.scenario/1\", ", "", "line"},
        {R"({"schema": "qcsim.scenario/1", "streamz": [], "streams": [{}], "pipeline": )" +
             ok_pipe + "}",
         "", "streamz"},
        {R"({"schema": "qcsim.scenario/1", "streams": [{"count": "many"}], "pipeline": )" +
             ok_pipe + "}",
         "", "streams[0].count"},
        {R"({"schema": "qcsim.scenario/1", "streams": [{}], "pipeline": )" + ok_pipe +
             R"(, "runtime": {"max_batch": 0}})",
         "", "runtime.max_batch"},
        {R"({"schema": "qcsim.scenario/1", "streams": [{}], "pipeline": )" + ok_pipe +
             R"(, "runtime": {"cores": "partitioned"}})",
         "", "pipeline[0].partition_cores"},
        {R"({"schema": "qcsim.scenario/1", "streams": [{}], "pipeline": [{"name": "b", "network": "bert"}]})",
         "", "pipeline[0].network"},
        {R"({"schema": "qcsim.scenario/1", "streams": [{}], "pipeline": [{"name": "d", "network": "ssdlite", "cores": 8}]})",
         "", "pipeline[0].cores"},
        {R"({"schema": "qcsim.scenario/1", "streams": [{}], "pipeline": )" + ok_pipe + "}",
         "--chip-set video_decoder.engines=0", "chip"},
        {R"({"schema": "qcsim.scenario/1", "streams": [{}], "pipeline": )" + ok_pipe + "}",
         "--set streams[3].count=2", "streams[3]"},
    };
    int i = 0;
    for (const auto &c : cases) {
        const fs::path f = e2e::scratch_dir() / ("bad" + std::to_string(i++) + ".json");
        std::ofstream(f) << c.text;
        auto r =
            qcsim("scenario \"" + f.string() + "\" --json \"" + out.string() + "\" " + c.extra);
        INFO(c.text << " " << c.extra << "\n" << r.err);
        CHECK(r.status == 2);
        CHECK(r.err.find(c.expect) != std::string::npos);
        CHECK(r.err.find("internal error") == std::string::npos);
        CHECK_FALSE(fs::exists(out));
        fs::remove(out);
    }
}

TEST_CASE("scenario: batching runs up to max_batch crops of a frame as one program that reads "
          "the weights once",
          "[e2e][scenario]") {
    // One stream at 25 fps for 0.2 s: 5 frames, each detected, then 4 Re-ID crops per frame.
    const auto f = scenario_file("batch", one_cam,
                                 R"([{"name": "detect", "network": "ssdlite", "every": 1},
            {"name": "reid", "network": "reid", "after": "detect", "crops": 4}])",
                                 R"({"max_batch": 4, "batch_timeout_ms": 2})", 0.2, 0);
    const json b4 = run_scenario(f);
    const json b1 = run_scenario(f, "--set runtime.max_batch=1");
    const auto &r4 = b4["stages"][1], &r1 = b1["stages"][1];
    CHECK(r4["max_batch"].get<int>() == 4);
    CHECK(r4["batch_sizes"] == json({{"4", 5}})); // the 4 crops of each frame together
    CHECK(r1["batch_sizes"] == json({{"1", 20}}));
    CHECK(r4["jobs_completed"].get<int>() == 20);
    // The weights (23.5 M) cross the DRAM once per batch instead of once per crop: the stage
    // reads less in all (though 4 stacked images' early activations no longer stay on chip),
    // and a batch of 4 takes less than 4 single jobs.
    auto reads = [](const json &r) {
        for (const auto &c : r["dram_clients"])
            if (c["name"] == "reid")
                return c["read_bytes"].get<double>();
        return 0.0;
    };
    CHECK(reads(b4) < reads(b1));
    CHECK(r4["service_ms"]["p50"].get<double>() < 4 * r1["service_ms"]["p50"].get<double>());
    // SSDLite's heads (reshape, concat) do not stack: its stage runs one job at a time, saying so.
    CHECK(b4["stages"][0]["max_batch"].get<int>() == 1);
    CHECK(b4["stages"][0]["batch_note"].get<std::string>().find("cannot batch") !=
          std::string::npos);
}

TEST_CASE("scenario: a batch that does not fill is dispatched at the batching timeout",
          "[e2e][scenario]") {
    // 3 crops per frame, batches of up to 4: each frame's 3 jobs wait the 2 ms timeout, then
    // run as a batch of 3.
    const auto f = scenario_file("timeout", one_cam,
                                 R"([{"name": "detect", "network": "ssdlite", "every": 1},
            {"name": "face", "network": "mobilefacenet", "after": "detect", "crops": 3}])",
                                 R"({"max_batch": 4, "batch_timeout_ms": 2})", 0.2, 0);
    const json r = run_scenario(f);
    const auto &s = r["stages"][1];
    CHECK(s["batch_sizes"] == json({{"3", 5}}));
    CHECK(s["wait_ms"]["min"].get<double>() >= 2.0);
    CHECK(s["wait_ms"]["max"].get<double>() < 2.1);
}

TEST_CASE("scenario: docs/scenario.md defines every field of the report", "[e2e][scenario][docs]") {
    const std::string doc = e2e::slurp(fs::path(QCSIM_SOURCE_DIR) / "docs/scenario.md");
    const auto f = scenario_file("fields", one_cam,
                                 R"([{"name": "detect", "network": "mobilefacenet"}])", "{}", 0.05);
    const json r = run_scenario(f);
    auto check_keys = [&](const json &o, const std::string &where) {
        for (auto it = o.begin(); it != o.end(); ++it) {
            INFO(where << "." << it.key());
            // Named alone (`frames_decoded`), as the end of a path (`summary.sustained`) or as
            // the head of one (`summary.x`, `groups[]`, `stages[].ops[]`).
            const std::string k = it.key();
            bool found = false;
            for (const std::string &form :
                 {"`" + k + "`", "." + k + "`", "`" + k + "[]", "`" + k + ".", "." + k + "[]"})
                found = found || doc.find(form) != std::string::npos;
            CHECK(found);
        }
    };
    check_keys(r, "$");
    for (const char *k : {"summary", "energy", "scenario", "run"})
        check_keys(r[k], k);
    for (const char *k :
         {"groups", "stages", "block_classes", "blocks", "dram_clients", "operator_frequency"})
        check_keys(r[k][0], std::string(k) + "[0]");
    check_keys(r["stages"][0]["ops"][0], "stages[0].ops[0]");
    check_keys(r["energy"]["parts_mj"], "energy.parts_mj");
}
