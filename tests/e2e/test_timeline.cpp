// `--timeline` end to end (docs/timeline.md): the trace parses as JSON, every slice lies inside
// the run, a track's slices never overlap, per operator and unit the slices add up to the busy
// cycles the report gives, flows bind to slices, the file is deterministic and bounded, and a
// scenario's trace has the decoders' tracks.
//
// Tolerance of the sums, derived: the ledger adds each operator's busy time in ps and rounds the
// sum to the nearest NN-core cycle once (arch/op_ledger.cpp), so |Σ ps / period − report| ≤ 0.5
// cycle. The file rounds both ends of every slice down to a whole ns (docs/timeline.md "Time
// base"), so each slice's duration is within 1 ns of the interval the ledger charged, and the
// summary level merges only intervals that touch (no idle time added): the tolerance is
// 0.5 cycle + (slices summed) · 1 ns. The DMA's share comes only as the report's busy fraction
// (6 decimals): its tolerance adds 0.5e-6 of the fraction's denominator.
#include "e2e_common.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

using e2e::qcsim;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct slice {
    std::int64_t from, to; // ps
    std::string name;
};

struct trace {
    json doc;
    std::map<std::int64_t, std::string> track; // tid -> name
    std::map<std::string, std::vector<slice>> slices;
    std::map<std::string, std::vector<std::pair<std::int64_t, double>>> counters;
};

std::int64_t ps_of(const json &us) {
    return std::llround(us.get<double>() * 1e6);
}

trace load(const fs::path &p) {
    trace t;
    t.doc = json::parse(e2e::slurp(p)); // throws (and fails the test) unless it is JSON
    for (const auto &e : t.doc["traceEvents"])
        if (e["ph"] == "M" && e["name"] == "thread_name")
            t.track[e["tid"].get<std::int64_t>()] = e["args"]["name"].get<std::string>();
    for (const auto &e : t.doc["traceEvents"]) {
        if (e["ph"] == "X") {
            const std::int64_t a = ps_of(e["ts"]);
            t.slices[t.track.at(e["tid"].get<std::int64_t>())].push_back(
                {a, a + ps_of(e["dur"]), e["name"].get<std::string>()});
        } else if (e["ph"] == "C") {
            const double v = e["args"].begin().value().get<double>();
            t.counters[e["name"].get<std::string>()].push_back({ps_of(e["ts"]), v});
        }
    }
    return t;
}

/// The unit kind of a track: "mac_array", "vector_unit", "dma" (core0.dma1), or the name.
std::string unit_of(const std::string &track) {
    const auto dot = track.find('.');
    if (dot == std::string::npos)
        return track;
    const std::string u = track.substr(dot + 1);
    return u.rfind("dma", 0) == 0 ? "dma" : u;
}

void check_inside_and_disjoint(const trace &t, std::int64_t end_ps) {
    for (const auto &[name, v] : t.slices) {
        INFO("track " << name);
        std::vector<slice> s = v;
        std::sort(s.begin(), s.end(), [](auto &a, auto &b) { return a.from < b.from; });
        std::int64_t prev = 0;
        for (const auto &x : s) {
            CHECK(x.from >= 0);
            CHECK(x.to > x.from);
            CHECK(x.to <= end_ps);
            CHECK(x.from >= prev); // no overlap on a track
            prev = x.to;
        }
    }
}

/// Runs qcsim run with a timeline; returns (trace, report).
std::pair<trace, json> run_with_timeline(const std::string &name, const std::string &args) {
    const fs::path tl = e2e::scratch_dir() / (name + ".trace.json"),
                   rep = e2e::scratch_dir() / (name + ".report.json");
    auto r = qcsim("run -q " + args + " --json \"" + rep.string() + "\" --timeline \"" +
                   tl.string() + "\"");
    INFO(r.err);
    REQUIRE(r.status == 0);
    return {load(tl), json::parse(e2e::slurp(rep))};
}

/// Slices against the report: inside the run, disjoint per track, per operator and unit the
/// busy cycles (tolerance derived at the top of the file), per block its busy cycles.
void check_against_report(const trace &t, const json &rep) {
    const double mhz = rep["chip"]["clock_mhz"].get<double>();
    const std::int64_t period = std::llround(1e6 / mhz);
    const std::int64_t end_ps = rep["summary"]["cycles"].get<std::int64_t>() * period;
    check_inside_and_disjoint(t, end_ps);

    std::map<std::pair<std::string, std::string>, std::int64_t> by_op; // (op, unit) -> ps
    std::map<std::pair<std::string, std::string>, std::int64_t> n_op;  // slices summed
    std::map<std::string, std::int64_t> by_track;
    for (const auto &[track, v] : t.slices)
        for (const auto &x : v) {
            by_op[{x.name, unit_of(track)}] += x.to - x.from;
            n_op[{x.name, unit_of(track)}] += 1;
            by_track[track] += x.to - x.from;
        }
    // 0.5 cycle + 1 ns per slice, in cycles.
    auto tol = [&](std::int64_t slices) { return 0.5 + double(slices) * 1000.0 / double(period); };
    double engines = 0; // DMA engines per core: the report's blocks core0.dma0, core0.dma1 ...
    for (const auto &[k, v] : rep["blocks"].items())
        engines += k.rfind("core0.dma", 0) == 0;
    std::set<std::string> seen;
    for (const auto &o : rep["ops"]) {
        const std::string n = o["name"].get<std::string>();
        REQUIRE(seen.insert(n).second); // operator names are unique: the slices' names map back
        INFO("op " << n);
        const double mac = double(by_op[{n, "mac_array"}]) / double(period);
        const double vec = double(by_op[{n, "vector_unit"}]) / double(period);
        CHECK(std::abs(mac - o["mac_busy_cycles"].get<double>()) <= tol(n_op[{n, "mac_array"}]));
        CHECK(std::abs(vec - o["vector_busy_cycles"].get<double>()) <=
              tol(n_op[{n, "vector_unit"}]));
        const double denom = o["cores"].get<double>() * engines * o["cycles"].get<double>();
        const double dma = double(by_op[{n, "dma"}]) / double(period);
        if (o["busy"]["dma"].get<double>() < 1.0)
            CHECK(std::abs(dma - o["busy"]["dma"].get<double>() * denom) <=
                  tol(n_op[{n, "dma"}]) + 0.5e-6 * denom);
    }
    // Every busy slice belongs to a reported operator.
    for (const auto &[k, v] : by_op)
        CHECK(seen.count(k.first) == 1);
    // Per block: its slices add up to its busy cycles.
    for (const auto &[track, ps] : by_track) {
        INFO("track " << track);
        REQUIRE(rep["blocks"].contains(track));
        CHECK(std::abs(double(ps) / double(period) -
                       rep["blocks"][track]["busy_cycles"].get<double>()) <=
              tol(std::int64_t(t.slices.at(track).size())));
    }
}

/// Every flow starts inside a slice of its track and ends at the start of one.
void check_flows(const trace &t) {
    std::map<std::int64_t, json> starts;
    std::size_t n = 0;
    for (const auto &e : t.doc["traceEvents"]) {
        if (e["ph"] == "s")
            starts[e["id"].get<std::int64_t>()] = e;
        if (e["ph"] != "f")
            continue;
        ++n;
        REQUIRE(starts.count(e["id"].get<std::int64_t>()) == 1);
        const json &s = starts[e["id"].get<std::int64_t>()];
        auto inside = [&](const json &ev, bool at_start) {
            const auto &v = t.slices.at(t.track.at(ev["tid"].get<std::int64_t>()));
            const std::int64_t ts = ps_of(ev["ts"]);
            for (const auto &x : v)
                if (at_start ? x.from == ts : (x.from <= ts && ts < x.to))
                    return true;
            return false;
        };
        CHECK(inside(s, false));
        CHECK(inside(e, true));
    }
    CHECK(n == starts.size());
}

} // namespace

TEST_CASE("timeline: the summary trace of MobileNeXt parses, its slices lie inside the run, "
          "never overlap on a track and add up to the report's busy cycles per operator and "
          "unit",
          "[e2e][timeline]") {
    const auto [t, rep] = run_with_timeline("mnx", "-w mobilenext");
    CHECK(t.doc["otherData"]["schema"] == "qcsim.timeline/1");
    CHECK(t.doc["otherData"]["detail"] == "summary");
    // One track per core unit, named as the report's blocks.
    const auto cores = rep["chip"]["cores"].get<int>();
    std::set<std::string> names;
    for (const auto &[tid, n] : t.track)
        names.insert(n);
    for (int c = 0; c < cores; ++c) {
        const std::string p = "core" + std::to_string(c);
        CHECK(names.count(p + ".mac_array") == 1);
        CHECK(names.count(p + ".vector_unit") == 1);
        CHECK(names.count(p + ".dma0") == 1);
        CHECK(t.counters.count(p + ".scratchpad") == 1);
    }
    // DRAM bandwidth per channel, never above the channel's peak.
    int channels = 0; // the report's blocks dram.ch0, dram.ch1 ...
    for (const auto &[k, v] : rep["blocks"].items())
        channels += k.rfind("dram.ch", 0) == 0;
    REQUIRE(channels > 0);
    const double ch_peak = rep["chip"]["dram_peak_gb_per_s"].get<double>() / channels;
    for (int ch = 0; ch < channels; ++ch) {
        const std::string n = "dram.ch" + std::to_string(ch);
        REQUIRE(t.counters.count(n) == 1);
        const auto &pts = t.counters.at(n);
        for (const auto &[ts, v] : pts)
            CHECK(v <= ch_peak * (1 + 1e-6) + 0.0005);
        // The counter is the channel's bus time per bin times its peak, printed to 0.001 GB/s:
        // its integral over the run is the channel's busy time times the peak, within the
        // printing error of each bin (0.0005 GB/s over one bin) and the report's cycle rounding.
        const double period_ps = 1e6 / rep["chip"]["clock_mhz"].get<double>();
        const double bin_ps = std::stod(t.doc["otherData"]["dram_bin_us"].get<std::string>()) * 1e6;
        double integral = 0; // GB/s x ps
        for (std::size_t i = 0; i + 1 < pts.size(); ++i)
            integral += pts[i].second * double(pts[i + 1].first - pts[i].first);
        CHECK(pts.back().second == 0.0);
        const double busy_ps = rep["blocks"][n]["busy_cycles"].get<double>() * period_ps;
        const double bins = double(pts.back().first) / bin_ps;
        CHECK(std::abs(integral / ch_peak - busy_ps) <=
              0.5 * period_ps + bins * 0.0005 / ch_peak * bin_ps + 1);
    }
    check_against_report(t, rep);
    check_flows(t);
}

TEST_CASE("timeline: the tiles level has a slice per command and the same sums, and the report is "
          "the same with and without a timeline",
          "[e2e][timeline]") {
    const auto [tiles, rep] =
        run_with_timeline("bert-tiles", "-w bert:layers=1 --timeline-detail tiles");
    CHECK(tiles.doc["otherData"]["detail"] == "tiles");
    check_against_report(tiles, rep);
    check_flows(tiles);
    const auto [summary, rep2] = run_with_timeline("bert-summary", "-w bert:layers=1");
    CHECK(rep == rep2);
    std::size_t n_tiles = 0, n_summary = 0;
    for (const auto &[k, v] : tiles.slices)
        n_tiles += v.size();
    for (const auto &[k, v] : summary.slices)
        n_summary += v.size();
    CHECK(n_tiles > n_summary);
    // Without --timeline: the same report.
    const fs::path plain = e2e::scratch_dir() / "plain.json";
    REQUIRE(qcsim("run -q -w bert:layers=1 --json \"" + plain.string() + "\"").status == 0);
    CHECK(json::parse(e2e::slurp(plain)) == rep);
}

TEST_CASE("timeline: two runs write byte-identical timelines", "[e2e][timeline]") {
    const fs::path a = e2e::scratch_dir() / "a.trace.json", b = e2e::scratch_dir() / "b.trace.json";
    for (const auto &p : {a, b})
        REQUIRE(qcsim("run -q -w mobilenetv2 --timeline \"" + p.string() + "\"").status == 0);
    CHECK(e2e::slurp(a) == e2e::slurp(b));
    CHECK(!e2e::slurp(a).empty());
}

TEST_CASE("timeline: a trace above --timeline-max-mb is refused with its size, exit 2, and no "
          "file is written",
          "[e2e][timeline]") {
    const fs::path tl = e2e::scratch_dir() / "big.trace.json",
                   rep = e2e::scratch_dir() / "big.report.json";
    auto r = qcsim("run -q -w bert --timeline-detail tiles --timeline-max-mb 1 --timeline \"" +
                   tl.string() + "\" --json \"" + rep.string() + "\"");
    CHECK(r.status == 2);
    CHECK(r.err.find("--timeline-max-mb") != std::string::npos);
    CHECK(r.err.find("would be about 3 MB") != std::string::npos); // 2.7 MB measured
    CHECK(!fs::exists(tl));
    CHECK(!fs::exists(rep)); // all outputs or none
    auto bad = qcsim("run -q --timeline-detail bursts --timeline x.json");
    CHECK(bad.status == 2);
    CHECK(bad.err.find("--timeline-detail") != std::string::npos);
    auto bad_mb = qcsim("run -q --timeline-max-mb 0 --timeline x.json");
    CHECK(bad_mb.status == 2);
    CHECK(!fs::exists("x.json"));
}

TEST_CASE("timeline: a scenario's trace has the video decoders' tracks, inside the run and "
          "disjoint, is deterministic and leaves the report unchanged",
          "[e2e][timeline]") {
    const fs::path sc = fs::path(QCSIM_SOURCE_DIR) / "configs/scenarios/edge-box-4x1080p.json";
    const fs::path a = e2e::scratch_dir() / "sc-a.trace.json",
                   b = e2e::scratch_dir() / "sc-b.trace.json",
                   rep = e2e::scratch_dir() / "sc.report.json";
    const std::string args =
        "scenario \"" + sc.string() + "\" -q --set duration_s=0.12 --set warmup_s=0 --timeline ";
    auto r = qcsim(args + "\"" + a.string() + "\" --json \"" + rep.string() + "\"");
    INFO(r.err);
    REQUIRE(r.status == 0);
    const fs::path plain = e2e::scratch_dir() / "sc-plain.report.json";
    REQUIRE(qcsim(args + "\"" + b.string() + "\" --json \"" + plain.string() + "\"").status == 0);
    CHECK(e2e::slurp(a) == e2e::slurp(b));
    // The report is the same without a timeline.
    REQUIRE(qcsim("scenario \"" + sc.string() +
                  "\" -q --set duration_s=0.12 --set warmup_s=0 --json \"" + plain.string() + "\"")
                .status == 0);
    CHECK(e2e::slurp(plain) == e2e::slurp(rep));
    const trace t = load(a);
    const json report = json::parse(e2e::slurp(rep));
    std::size_t decode_slices = 0;
    bool first = false;
    for (const auto &[tid, name] : t.track) {
        first = first || name == "video_decoder0";
        if (name.rfind("video_decoder", 0) == 0 && t.slices.count(name))
            for (const auto &x : t.slices.at(name)) {
                CHECK(x.name == "decode");
                ++decode_slices;
            }
    }
    CHECK(first);
    CHECK(decode_slices > 0);
    const std::int64_t end_ps =
        std::llround(report["summary"]["simulated_until_ms"].get<double>() * 1e9);
    check_inside_and_disjoint(t, end_ps + 1000000); // simulated_until_ms has 6 decimals (1 ns)
    // The networks' operators are on the cores' tracks, named "<stage>/<operator>".
    bool staged = false;
    for (const auto &[track, v] : t.slices)
        for (const auto &x : v)
            staged = staged || x.name.rfind("detect/", 0) == 0;
    CHECK(staged);
    check_flows(t);
}
