#include "app/scenario.h"

#include "app/chip_config.h"
#include "app/report.h"
#include "ops/compiler.h"
#include "ops/power.h"
#include "sim/clock.h"
#include "sim/errors.h"
#include "sim/output.h"
#include "sim/table.h"
#include "workloads/batch.h"
#include "workloads/generators.h"
#include "workloads/scenario.h"

#include <fmt/format.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <ostream>

namespace app {

namespace {

using ojson = nlohmann::ordered_json;
namespace fs = std::filesystem;

double r6(double x) {
    return std::round(x * 1e6) / 1e6;
}
double safe_div(double a, double b) {
    return b > 0 ? a / b : 0.0;
}

} // namespace

/// Applies "path=value" to a scenario's JSON: path is keys and [index] steps
/// ("streams[0].count", "runtime.order"); the value is JSON, or a string when it is not. The
/// parent must exist; the strict re-read afterwards rejects an unknown key or a wrong type.
void apply_scenario_set(nlohmann::json &j, const std::string &assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw sim::input_error("--set", sim::brief(assignment), "expected key.path=value");
    const std::string path = assignment.substr(0, eq), text = assignment.substr(eq + 1);
    nlohmann::json value;
    if (const std::string problem = sim::json_text_problem(text); !problem.empty())
        throw sim::input_error("--set", path, "value " + sim::brief(text) + ": " + problem);
    try {
        value = sim::parse_json_text(text, "--set " + path);
    } catch (const sim::input_error &) {
        value = text;
    }
    nlohmann::json *at = &j;
    std::string done;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '[') {
            const auto close = path.find(']', i);
            const std::string num =
                path.substr(i + 1, close == std::string::npos ? 0 : close - i - 1);
            if (close == std::string::npos || num.empty() || num.size() > 6 ||
                !std::all_of(num.begin(), num.end(), ::isdigit))
                throw sim::input_error("--set", path, "expected [N] with a whole number N");
            const std::size_t n = std::stoul(num);
            if (!at->is_array() || n >= at->size())
                throw sim::input_error("--set", path, "\"" + done + "\" has no element " + num);
            at = &(*at)[n];
            done += "[" + num + "]";
            i = close + 1;
            if (i < path.size() && path[i] == '.')
                ++i;
            continue;
        }
        std::size_t e = i;
        while (e < path.size() && path[e] != '.' && path[e] != '[')
            ++e;
        const std::string key = path.substr(i, e - i);
        if (key.empty())
            throw sim::input_error("--set", path, "expected a key between the dots");
        if (!at->is_object())
            throw sim::input_error("--set", path, "\"" + done + "\" is not an object");
        done += (done.empty() ? "" : ".") + key;
        const bool last = e >= path.size();
        if (last) {
            (*at)[key] = value;
            return;
        }
        if (!at->contains(key))
            (*at)[key] = path[e] == '[' ? nlohmann::json::array() : nlohmann::json::object();
        at = &(*at)[key];
        i = path[e] == '.' ? e + 1 : e;
    }
    throw sim::input_error("--set", path, "expected key.path=value");
}

namespace {

struct pct3 {
    double min = 0, p50 = 0, p99 = 0, max = 0;
};
/// Nearest-rank percentiles of `v` (ps) in ms.
pct3 percentiles_ms(std::vector<std::uint64_t> v) {
    pct3 r;
    if (v.empty())
        return r;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) {
        std::size_t k = std::size_t(std::ceil(q * double(v.size())));
        k = std::clamp<std::size_t>(k, 1, v.size());
        return double(v[k - 1]) / 1e9;
    };
    r.p50 = at(0.50);
    r.p99 = at(0.99);
    r.max = double(v.back()) / 1e9;
    r.min = double(v.front()) / 1e9;
    return r;
}
ojson pct_json(const pct3 &p) {
    return {{"min", r6(p.min)}, {"p50", r6(p.p50)}, {"p99", r6(p.p99)}, {"max", r6(p.max)}};
}

ojson op_json(const arch::op_stats &s, double window_cycles) {
    return {{"macs", s.macs},
            {"mac_busy_cycles", s.mac_busy_cycles},
            {"vector_busy_cycles", s.vector_busy_cycles},
            {"dma_busy_cycles", s.dma_busy_cycles},
            {"dram_bytes_read", s.dram_bytes_read},
            {"dram_bytes_written", s.dram_bytes_written},
            {"dram_busy_cycles", s.dram_busy_cycles},
            {"dram_busy_share", r6(safe_div(double(s.dram_busy_cycles), window_cycles))}};
}

/// {"b": batches of b jobs} for the sizes used.
ojson batch_sizes(const std::vector<std::uint64_t> &batches) {
    ojson o = ojson::object();
    for (std::size_t b = 0; b < batches.size(); ++b)
        if (batches[b])
            o[std::to_string(b + 1)] = batches[b];
    return o;
}

/// The kind of a block from its instance name: what the capacity search and the summary name.
std::string block_class(const std::string &n) {
    if (n.rfind("video_decoder", 0) == 0)
        return "video_decoder";
    if (n.rfind("image_unit", 0) == 0)
        return "image_unit";
    if (n.rfind("dram.ch", 0) == 0)
        return "dram";
    if (n == "interconnect")
        return "interconnect";
    const auto dot = n.find('.');
    if (dot == std::string::npos)
        return "";
    std::string unit = n.substr(dot + 1);
    if (unit.rfind("dma", 0) == 0)
        return "dma";
    if (unit == "mac_array" || unit == "vector_unit")
        return unit;
    return ""; // controllers, scratchpads: not capacities the summary ranks
}

} // namespace

arch::rt_input prepare_scenario(const scenario_options &o) {
    nlohmann::json j = sim::parse_json_text(sim::read_file(o.file), o.file);
    for (const auto &s : o.sets)
        apply_scenario_set(j, s);
    arch::rt_input in;
    in.source = o.file;
    in.sc = workloads::scenario_from_json(j, o.sets.empty() ? o.file : o.file + " with --set");
    const auto &sc = in.sc;
    std::string chip_file;
    if (!sc.chip.empty()) {
        fs::path p(sc.chip);
        if (p.is_relative())
            p = fs::path(o.file).parent_path() / p;
        chip_file = p.lexically_normal().string();
    }
    try {
        in.chip = load_chip(chip_file, o.chip_sets).chip;
    } catch (const sim::input_error &e) {
        // A chip file the scenario names: say which scenario key led there.
        if (chip_file.empty() || e.file() == "--set")
            throw;
        throw sim::input_error(o.file, "chip", e.what());
    }
    const auto &chip = in.chip;
    if (chip.video_decoder.engines == 0)
        throw sim::input_error(o.file, "chip",
                               "expected a chip with a video decoder; its video_decoder.engines "
                               "is 0");
    for (std::size_t i = 0; i < sc.pipeline.size(); ++i) {
        const auto &ps = sc.pipeline[i];
        const std::string at = "pipeline[" + std::to_string(i) + "]";
        if (ps.cores > chip.cores)
            throw sim::input_error(o.file, at + ".cores",
                                   fmt::format("expected at most the chip's {} cores, found {}",
                                               chip.cores, ps.cores));
        if (ps.partition_cores && ps.partition_first + ps.partition_cores > chip.cores)
            throw sim::input_error(o.file, at + ".partition_cores",
                                   fmt::format("expected cores within the chip's {} (0..{}), "
                                               "found {}..{}",
                                               chip.cores, chip.cores - 1, ps.partition_first,
                                               ps.partition_first + ps.partition_cores - 1));
        arch::rt_stage st;
        st.name = ps.name;
        st.network = ps.network;
        st.every = ps.every;
        st.crops = ps.crops;
        st.deadline_ps = std::uint64_t(std::llround(ps.deadline_ms * 1e9));
        for (std::size_t k = 0; k < i; ++k)
            if (sc.pipeline[k].name == ps.after)
                st.after = int(k);
        const workloads::graph g = workloads::build_workload(ps.network);
        const auto &shape = g.tensors.at(std::size_t(g.inputs.at(0))).shape;
        if (g.inputs.size() != 1 || shape.size() != 3 || shape[0] != 3)
            throw sim::input_error(o.file, at + ".network",
                                   "expected a vision network with one 3-channel CHW input "
                                   "(the runtime feeds it RGB frames), found " +
                                       sim::brief(ps.network));
        st.in_h = std::uint32_t(shape[1]);
        st.in_w = std::uint32_t(shape[2]);
        st.box_w = ps.box_width ? ps.box_width : 2 * st.in_w;
        st.box_h = ps.box_height ? ps.box_height : 2 * st.in_h;
        ops::chip_desc part = chip;
        part.cores = ps.cores;
        const std::uint64_t period = sim::period_ps(chip.clock_mhz);
        // Batch 1, then 2 .. max_batch as long as the network batches (workloads/batch.h) with
        // the same operators: a network that does not runs its jobs one at a time.
        for (std::uint32_t b = 1; b <= sc.runtime.max_batch; ++b) {
            ops::program p;
            if (b == 1) {
                try {
                    p = ops::compile(g, part, ps.network);
                } catch (const sim::input_error &e) {
                    throw sim::input_error(o.file, at + ".network", e.what());
                }
            } else {
                try {
                    p = ops::compile(workloads::batch_graph(g, b, ps.network), part, ps.network);
                } catch (const sim::input_error &e) {
                    st.batch_note = e.what();
                    break;
                }
                if (p.ops.size() != st.progs.front().ops.size()) {
                    st.batch_note = "its batched program has other operators";
                    break;
                }
            }
            std::uint64_t est = 0;
            for (const auto &op : p.ops)
                est += op.mapping.est_cycles;
            st.est_ps.push_back(est * period);
            st.progs.push_back(std::move(p));
        }
        const std::uint32_t first = ps.partition_cores ? ps.partition_first : 0;
        const std::uint32_t count = ps.partition_cores ? ps.partition_cores : chip.cores;
        for (std::uint32_t c = first; c + ps.cores <= first + count; c += ps.cores) {
            std::vector<std::uint32_t> cores;
            for (std::uint32_t k = 0; k < ps.cores; ++k)
                cores.push_back(c + k);
            st.slots.push_back(cores);
        }
        // The pre-processing band must fit, for every group's frames (a clear error now, not in
        // the middle of the run).
        for (const auto &sg : in.sc.streams)
            (void)ops::preprocess_band_rows(
                chip,
                st.after < 0 ? ops::preprocess_job(sg.width, sg.height, st.in_w, st.in_h)
                             : ops::preprocess_job(sg.width, sg.height, st.in_w, st.in_h, st.box_w,
                                                   st.box_h),
                o.file);
        in.stages.push_back(std::move(st));
    }
    return in;
}

ojson run_scenario_report(const arch::rt_input &in, const scenario_options &o,
                          arch::timeline_rec *tl, std::uint64_t *end_ps) {
    const arch::rt_result r = arch::run_scenario(in, tl);
    if (end_ps)
        *end_ps = r.end_ps;
    const auto &chip = in.chip;
    const auto &sc = in.sc;
    const double window_s = double(r.window_ps) / 1e12;
    const double period_ps = double(sim::period_ps(chip.clock_mhz));
    const double window_cycles = double(r.window_ps) / period_ps;
    std::uint32_t streams = 0;
    for (const auto &g : sc.streams)
        streams += g.count;

    ojson rep;
    rep["schema"] = scenario_report_schema;
    rep["run"] = {{"qcsim_version", o.version},
                  {"scenario_file", o.file},
                  {"overrides", o.sets},
                  {"chip_overrides", o.chip_sets}};
    rep["scenario"] = {
        {"name", sc.name},
        {"chip", chip.name},
        {"duration_s", sc.duration_s},
        {"warmup_s", sc.warmup_s},
        {"streams", streams},
        {"order", sc.runtime.order == workloads::job_order::edf ? "edf" : "fifo"},
        {"cores", sc.runtime.cores == workloads::core_sharing::shared ? "shared" : "partitioned"},
        {"late", sc.runtime.late == workloads::late_policy::drop ? "drop" : "complete"},
        {"preprocess_on", chip.image_unit.engines ? "image_unit" : "vector_unit"}};

    // ---- groups and the summary --------------------------------------------------------------
    std::uint64_t arrived = 0, decoded = 0, dropped = 0, due = 0, analysed = 0, incomplete = 0,
                  misses = 0;
    std::vector<std::uint64_t> all_e2e;
    ojson groups = ojson::array();
    for (const auto &g : r.groups) {
        const std::uint64_t drops = g.dropped_ring_full + g.dropped_gop_corrupt;
        arrived += g.arrived;
        decoded += g.decoded;
        dropped += drops;
        due += g.due;
        analysed += g.analysed;
        incomplete += g.analysis_incomplete;
        misses += g.deadline_misses;
        all_e2e.insert(all_e2e.end(), g.e2e_ps.begin(), g.e2e_ps.end());
        groups.push_back(
            {{"name", g.name},
             {"streams", g.streams},
             {"frames_arrived", g.arrived},
             {"frames_decoded", g.decoded},
             {"frames_decoded_by_type", {{"I", g.frames_i}, {"P", g.frames_p}, {"B", g.frames_b}}},
             {"frames_dropped", drops},
             {"dropped_by_cause",
              {{"ring_full", g.dropped_ring_full}, {"gop_corrupt", g.dropped_gop_corrupt}}},
             {"reference_frames_dropped", g.corrupting_drops},
             {"frames_due", g.due},
             {"frames_analysed", g.analysed},
             {"frames_analysis_incomplete", g.analysis_incomplete},
             {"e2e_latency_ms", pct_json(percentiles_ms(g.e2e_ps))},
             {"deadline_misses", g.deadline_misses},
             {"frames_conserved", g.arrived == g.decoded + drops}});
    }

    // ---- stages ----------------------------------------------------------------------------
    ojson stages = ojson::array();
    std::uint64_t jobs_dropped = 0;
    arch::op_stats total = r.decode;
    for (std::size_t s = 0; s < r.stages.size(); ++s) {
        const auto &st = r.stages[s];
        const auto &rs = in.stages[s];
        jobs_dropped += st.dropped_late;
        ojson ops = ojson::array();
        for (std::size_t i = 0; i < st.ops.size(); ++i) {
            const auto &info = rs.prog().ops[i];
            ojson oj = {{"name", info.name}, {"type", info.type}};
            oj.update(op_json(st.ops[i], window_cycles));
            ops.push_back(std::move(oj));
            arch::add_counters(total, st.ops[i]);
        }
        arch::add_counters(total, st.pre);
        ojson pre = {{"name", rs.name + ".pre"}, {"type", "preprocess"}};
        pre.update(op_json(st.pre, window_cycles));
        stages.push_back({{"name", st.name},
                          {"network", rs.network},
                          {"input", fmt::format("3x{}x{}", rs.in_h, rs.in_w)},
                          {"driven_by", rs.after < 0 ? fmt::format("every {} frames", rs.every)
                                                     : fmt::format("{} crops of {}", rs.crops,
                                                                   in.stages[rs.after].name)},
                          {"cores_per_job", rs.slots.empty() ? 0 : rs.slots[0].size()},
                          {"core_sets", rs.slots.size()},
                          {"estimate_ms", r6(double(rs.est_ps.front()) / 1e9)},
                          {"max_batch", rs.max_batch()},
                          {"batch_note", rs.batch_note},
                          {"jobs", st.jobs},
                          {"jobs_completed", st.completed},
                          {"jobs_dropped_late", st.dropped_late},
                          {"jobs_late", st.late},
                          {"batch_sizes", batch_sizes(st.batches)},
                          {"latency_ms", pct_json(percentiles_ms(st.latency_ps))},
                          {"service_ms", pct_json(percentiles_ms(st.service_ps))},
                          {"wait_ms", pct_json(percentiles_ms(st.wait_ps))},
                          {"preprocess", pre},
                          {"ops", ops}});
    }

    // ---- blocks ----------------------------------------------------------------------------
    ojson blocks = ojson::array();
    std::map<std::string, std::pair<double, double>> by_class; // class -> (Σ busy, count)
    std::map<std::string, double> class_max;
    for (const auto &b : r.blocks) {
        const double busy = safe_div(double(b.busy_cycles), window_cycles);
        blocks.push_back({{"name", b.name},
                          {"busy_pct", r6(100 * busy)},
                          {"bytes", b.bytes},
                          {"transactions", b.transactions}});
        const std::string c = block_class(b.name);
        if (c.empty())
            continue;
        by_class[c].first += busy;
        by_class[c].second += 1;
        class_max[c] = std::max(class_max[c], busy);
    }
    ojson classes = ojson::array();
    std::string busiest;
    double busiest_v = -1;
    for (const char *c : {"video_decoder", "image_unit", "mac_array", "vector_unit", "dma",
                          "interconnect", "dram"}) {
        auto it = by_class.find(c);
        if (it == by_class.end())
            continue;
        const double avg = it->second.first / it->second.second;
        classes.push_back({{"class", c},
                           {"instances", int(it->second.second)},
                           {"busy_pct_avg", r6(100 * avg)},
                           {"busy_pct_max", r6(100 * class_max[c])}});
        if (avg > busiest_v) {
            busiest_v = avg;
            busiest = c;
        }
    }

    // ---- DRAM by client -----------------------------------------------------------------
    ojson clients = ojson::array();
    double dram_total = 0;
    for (const auto &c : r.clients) {
        ojson series = ojson::array();
        for (auto b : c.bins)
            series.push_back(r6(double(b) / 1e-3 / 1e9)); // GB/s over 1 ms
        const double bytes = double(c.read + c.written);
        dram_total += bytes;
        clients.push_back({{"name", c.name},
                           {"read_bytes", c.read},
                           {"written_bytes", c.written},
                           {"gbps", r6(safe_div(bytes, window_s) / 1e9)},
                           {"gbps_per_ms", series}});
    }

    // ---- energy --------------------------------------------------------------------------
    const ops::energy_breakdown e = ops::energy_of(chip, activity_of(total), window_s);
    const double dec_pj = double(r.decoded_pixels) * chip.energy.pj_per_decoded_pixel;
    const double img_pj = double(r.image_pixels) * chip.energy.pj_per_image_pixel;
    const double total_pj = e.total() + dec_pj + img_pj;
    const double watts = safe_div(total_pj * 1e-12, window_s);
    ojson energy = {{"window_s", r6(window_s)},
                    {"energy_mj", r6(total_pj * 1e-9)},
                    {"power_w", r6(watts)},
                    {"w_per_stream", r6(safe_div(watts, streams))},
                    {"mj_per_stream_per_s", r6(safe_div(total_pj * 1e-9, streams * window_s))},
                    {"parts_mj",
                     {{"mac", r6(e.mac * 1e-9)},
                      {"vector", r6(e.vector * 1e-9)},
                      {"sram", r6(e.sram * 1e-9)},
                      {"noc", r6(e.noc * 1e-9)},
                      {"dram", r6(e.dram * 1e-9)},
                      {"video_decoder", r6(dec_pj * 1e-9)},
                      {"image_unit", r6(img_pj * 1e-9)},
                      {"static", r6(e.static_ * 1e-9)}}}};

    // ---- the operator-frequency view ------------------------------------------------------
    struct freq {
        double mac = 0, vec = 0, dram = 0;
        std::uint64_t count = 0;
    };
    std::map<std::string, freq> by_type;
    double mac_all = 0, vec_all = 0, dram_all = 0;
    auto add = [&](const std::string &type, const arch::op_stats &s) {
        auto &f = by_type[type];
        f.mac += double(s.mac_busy_cycles);
        f.vec += double(s.vector_busy_cycles);
        f.dram += double(s.dram_busy_cycles);
        f.count += 1;
        mac_all += double(s.mac_busy_cycles);
        vec_all += double(s.vector_busy_cycles);
        dram_all += double(s.dram_busy_cycles);
    };
    add("video_decode", r.decode);
    for (std::size_t s = 0; s < r.stages.size(); ++s) {
        add("preprocess", r.stages[s].pre);
        for (std::size_t i = 0; i < r.stages[s].ops.size(); ++i)
            add(in.stages[s].prog().ops[i].type, r.stages[s].ops[i]);
    }
    std::vector<std::pair<std::string, freq>> fv(by_type.begin(), by_type.end());
    std::stable_sort(fv.begin(), fv.end(), [&](const auto &a, const auto &b) {
        const double ka = safe_div(a.second.mac, mac_all) + safe_div(a.second.vec, vec_all) +
                          safe_div(a.second.dram, dram_all);
        const double kb = safe_div(b.second.mac, mac_all) + safe_div(b.second.vec, vec_all) +
                          safe_div(b.second.dram, dram_all);
        return ka > kb;
    });
    ojson opfreq = ojson::array();
    for (const auto &[type, f] : fv)
        opfreq.push_back({{"type", type},
                          {"mac_array_share", r6(safe_div(f.mac, mac_all))},
                          {"vector_unit_share", r6(safe_div(f.vec, vec_all))},
                          {"dram_share", r6(safe_div(f.dram, dram_all))},
                          {"mac_busy_cycles", std::uint64_t(f.mac)},
                          {"vector_busy_cycles", std::uint64_t(f.vec)},
                          {"dram_busy_cycles", std::uint64_t(f.dram)}});

    std::uint64_t jobs = 0, jobs_done = 0;
    for (const auto &st : r.stages) {
        jobs += st.jobs;
        jobs_done += st.completed;
    }
    // Sustained: nothing dropped or late, and no backlog building up at the end of the window
    // (a decoder over 100 % of its capacity may not drop a frame for seconds; its queue grows).
    // Jobs may legitimately wait for a batch to fill: max_batch - 1 per stage.
    std::uint64_t filling = 0;
    for (const auto &st : in.stages)
        filling += st.max_batch() - 1;
    const bool backlog_ok = r.decode_backlog <= chip.video_decoder.engines &&
                            r.job_backlog <= std::uint64_t(chip.cores) + filling;
    const bool sustained =
        dropped == 0 && jobs_dropped == 0 && misses == 0 && incomplete == 0 && backlog_ok;
    const pct3 e2e = percentiles_ms(all_e2e);
    rep["summary"] = {{"sustained", sustained},
                      {"streams", streams},
                      {"frames_arrived", arrived},
                      {"frames_decoded", decoded},
                      {"frames_dropped", dropped},
                      {"frames_due", due},
                      {"frames_analysed", analysed},
                      {"frames_analysis_incomplete", incomplete},
                      {"jobs", jobs},
                      {"jobs_completed", jobs_done},
                      {"jobs_dropped", jobs_dropped},
                      {"deadline_misses", misses},
                      {"e2e_latency_ms", pct_json(e2e)},
                      {"decode_backlog_frames", r.decode_backlog},
                      {"job_backlog", r.job_backlog},
                      {"busiest_block_class", busiest},
                      {"busiest_busy_pct", r6(100 * std::max(0.0, busiest_v))},
                      {"dram_gbps", r6(safe_div(dram_total, window_s) / 1e9)},
                      {"power_w", r6(watts)},
                      {"w_per_stream", r6(safe_div(watts, streams))},
                      {"frames_conserved", r.conserved},
                      {"simulated_until_ms", r6(double(r.end_ps) / 1e9)}};
    rep["groups"] = groups;
    rep["stages"] = stages;
    rep["block_classes"] = classes;
    rep["blocks"] = blocks;
    rep["dram_clients"] = clients;
    rep["energy"] = energy;
    rep["operator_frequency"] = opfreq;
    return rep;
}

std::string render_scenario_table(const ojson &r) {
    std::string out;
    const auto &sm = r["summary"];
    const auto &sc = r["scenario"];
    out += fmt::format("scenario {} on {}: {} streams, {:g} s after {:g} s warm-up ({} runtime, "
                       "{} cores, late jobs {}, pre-processing on the {})\n\n",
                       sc["name"].get<std::string>(), sc["chip"].get<std::string>(),
                       sc["streams"].get<int>(), sc["duration_s"].get<double>(),
                       sc["warmup_s"].get<double>(), sc["order"].get<std::string>(),
                       sc["cores"].get<std::string>(), sc["late"].get<std::string>(),
                       sc["preprocess_on"].get<std::string>());
    using A = sim::text_table::align;
    {
        sim::text_table t;
        for (const char *h :
             {"group", "streams", "arrived", "decoded", "dropped", "ring full", "GOP lost", "due",
              "analysed", "incompl.", "e2e p50 ms", "e2e p99 ms", "e2e max ms", "misses"})
            t.add_column(h, std::string(h) == "group" ? A::left : A::right);
        for (const auto &g : r["groups"])
            t.add_row({g["name"].get<std::string>(), std::to_string(g["streams"].get<int>()),
                       std::to_string(g["frames_arrived"].get<std::uint64_t>()),
                       std::to_string(g["frames_decoded"].get<std::uint64_t>()),
                       std::to_string(g["frames_dropped"].get<std::uint64_t>()),
                       std::to_string(g["dropped_by_cause"]["ring_full"].get<std::uint64_t>()),
                       std::to_string(g["dropped_by_cause"]["gop_corrupt"].get<std::uint64_t>()),
                       std::to_string(g["frames_due"].get<std::uint64_t>()),
                       std::to_string(g["frames_analysed"].get<std::uint64_t>()),
                       std::to_string(g["frames_analysis_incomplete"].get<std::uint64_t>()),
                       fmt::format("{:.2f}", g["e2e_latency_ms"]["p50"].get<double>()),
                       fmt::format("{:.2f}", g["e2e_latency_ms"]["p99"].get<double>()),
                       fmt::format("{:.2f}", g["e2e_latency_ms"]["max"].get<double>()),
                       std::to_string(g["deadline_misses"].get<std::uint64_t>())});
        out += t.str() + "\n";
    }
    {
        sim::text_table t;
        for (const char *h : {"stage", "network", "cores/job", "jobs", "done", "dropped", "late",
                              "lat p50 ms", "lat p99 ms", "service p50", "wait p99"})
            t.add_column(h, std::string(h) == "stage" || std::string(h) == "network" ? A::left
                                                                                     : A::right);
        for (const auto &s : r["stages"])
            t.add_row({s["name"].get<std::string>(),
                       sim::brief(s["network"].get<std::string>(), 40),
                       std::to_string(s["cores_per_job"].get<int>()),
                       std::to_string(s["jobs"].get<std::uint64_t>()),
                       std::to_string(s["jobs_completed"].get<std::uint64_t>()),
                       std::to_string(s["jobs_dropped_late"].get<std::uint64_t>()),
                       std::to_string(s["jobs_late"].get<std::uint64_t>()),
                       fmt::format("{:.2f}", s["latency_ms"]["p50"].get<double>()),
                       fmt::format("{:.2f}", s["latency_ms"]["p99"].get<double>()),
                       fmt::format("{:.2f}", s["service_ms"]["p50"].get<double>()),
                       fmt::format("{:.2f}", s["wait_ms"]["p99"].get<double>())});
        out += t.str() + "\n";
    }
    {
        sim::text_table t;
        t.add_column("block class", A::left);
        t.add_column("instances");
        t.add_column("busy avg %");
        t.add_column("busy max %");
        for (const auto &c : r["block_classes"])
            t.add_row({c["class"].get<std::string>(), std::to_string(c["instances"].get<int>()),
                       fmt::format("{:.1f}", c["busy_pct_avg"].get<double>()),
                       fmt::format("{:.1f}", c["busy_pct_max"].get<double>())});
        out += t.str() + "\n";
    }
    {
        sim::text_table t;
        t.add_column("DRAM client", A::left);
        t.add_column("GB/s");
        t.add_column("read MB");
        t.add_column("written MB");
        for (const auto &c : r["dram_clients"])
            t.add_row({c["name"].get<std::string>(), fmt::format("{:.2f}", c["gbps"].get<double>()),
                       fmt::format("{:.1f}", c["read_bytes"].get<double>() / 1e6),
                       fmt::format("{:.1f}", c["written_bytes"].get<double>() / 1e6)});
        out += t.str() + "\n";
    }
    {
        sim::text_table t;
        t.add_column("operator type", A::left);
        t.add_column("MAC array %");
        t.add_column("vector unit %");
        t.add_column("DRAM %");
        int n = 0;
        for (const auto &f : r["operator_frequency"]) {
            if (++n > 12)
                break;
            t.add_row({f["type"].get<std::string>(),
                       fmt::format("{:.1f}", 100 * f["mac_array_share"].get<double>()),
                       fmt::format("{:.1f}", 100 * f["vector_unit_share"].get<double>()),
                       fmt::format("{:.1f}", 100 * f["dram_share"].get<double>())});
        }
        out += "operator frequency (share of each resource's busy time, the whole mix):\n" +
               t.str() + "\n";
    }
    out += fmt::format(
        "{}: {} of {} frames dropped, {} jobs dropped, {} deadline misses; busiest: {} at "
        "{:.1f} %; DRAM {:.2f} GB/s; {:.3f} W = {:.3f} W per stream\n",
        sm["sustained"].get<bool>() ? "SUSTAINED" : "NOT SUSTAINED",
        sm["frames_dropped"].get<std::uint64_t>(), sm["frames_arrived"].get<std::uint64_t>(),
        sm["jobs_dropped"].get<std::uint64_t>(), sm["deadline_misses"].get<std::uint64_t>(),
        sm["busiest_block_class"].get<std::string>(), sm["busiest_busy_pct"].get<double>(),
        sm["dram_gbps"].get<double>(), sm["power_w"].get<double>(),
        sm["w_per_stream"].get<double>());
    return out;
}

std::string render_scenario_csv(const ojson &r) {
    std::string out = "stage,operator,type,macs,mac_busy_cycles,vector_busy_cycles,"
                      "dma_busy_cycles,dram_bytes_read,dram_bytes_written,dram_busy_cycles\n";
    auto row = [&](const std::string &stage, const ojson &o) {
        out += fmt::format(
            "{},{},{},{},{},{},{},{},{},{}\n", stage, o["name"].get<std::string>(),
            o["type"].get<std::string>(), o["macs"].get<std::uint64_t>(),
            o["mac_busy_cycles"].get<std::uint64_t>(), o["vector_busy_cycles"].get<std::uint64_t>(),
            o["dma_busy_cycles"].get<std::uint64_t>(), o["dram_bytes_read"].get<std::uint64_t>(),
            o["dram_bytes_written"].get<std::uint64_t>(),
            o["dram_busy_cycles"].get<std::uint64_t>());
    };
    for (const auto &s : r["stages"]) {
        const std::string name = s["name"].get<std::string>();
        row(name, s["preprocess"]);
        for (const auto &o : s["ops"])
            row(name, o);
    }
    return out;
}

// ---- --find-capacity ----------------------------------------------------------------------

namespace {

struct probe {
    std::uint32_t count = 0;
    bool ok = false;
    ojson summary;
    ojson classes;
    std::string error;
};

/// Runs the scenario with `count` streams in the first group in child processes (SystemC
/// elaborates once per process), `counts.size()` at once; returns their results in order.
std::vector<probe> run_probes(const scenario_options &o, const std::vector<std::uint32_t> &counts) {
    struct child {
        pid_t pid;
        int fd;
    };
    std::vector<child> kids;
    std::cout.flush();
    std::cerr.flush();
    for (auto n : counts) {
        int p[2];
        if (pipe(p) != 0)
            throw std::runtime_error("find-capacity: pipe() failed");
        const pid_t pid = fork();
        if (pid < 0)
            throw std::runtime_error("find-capacity: fork() failed");
        if (pid == 0) {
            close(p[0]);
            std::string text;
            int status = 0;
            try {
                scenario_options c = o;
                c.sets.push_back("streams[0].count=" + std::to_string(n));
                const auto rep = run_scenario_report(prepare_scenario(c), c);
                text = ojson{{"summary", rep["summary"]}, {"classes", rep["block_classes"]}}.dump();
            } catch (const std::exception &e) {
                text = ojson{{"error", e.what()}}.dump();
                status = 2;
            }
            std::size_t off = 0;
            while (off < text.size()) {
                const ssize_t w = write(p[1], text.data() + off, text.size() - off);
                if (w <= 0)
                    break;
                off += std::size_t(w);
            }
            close(p[1]);
            _exit(status);
        }
        close(p[1]);
        kids.push_back({pid, p[0]});
    }
    std::vector<probe> out;
    for (std::size_t i = 0; i < kids.size(); ++i) {
        std::string text;
        char buf[65536];
        for (;;) {
            const ssize_t r = read(kids[i].fd, buf, sizeof buf);
            if (r <= 0)
                break;
            text.append(buf, std::size_t(r));
        }
        close(kids[i].fd);
        int st = 0;
        waitpid(kids[i].pid, &st, 0);
        probe p;
        p.count = counts[i];
        const auto j = ojson::parse(text, nullptr, false);
        if (j.is_discarded() || j.contains("error")) {
            p.error = j.is_discarded() ? "the probe crashed" : j["error"].get<std::string>();
        } else {
            p.summary = j["summary"];
            p.classes = j["classes"];
            p.ok = p.summary["sustained"].get<bool>();
        }
        out.push_back(std::move(p));
    }
    return out;
}

} // namespace

ojson find_capacity(const scenario_options &o, unsigned jobs, std::ostream &log) {
    jobs = std::max(1u, jobs);
    ojson probes = ojson::array();
    std::map<std::uint32_t, probe> seen;
    auto run = [&](std::vector<std::uint32_t> counts) {
        std::vector<std::uint32_t> todo;
        for (auto c : counts)
            if (!seen.count(c) && std::find(todo.begin(), todo.end(), c) == todo.end())
                todo.push_back(c);
        for (const auto &p : run_probes(o, todo)) {
            if (!p.error.empty())
                throw sim::input_error(
                    o.file, "streams[0].count",
                    fmt::format("the probe at {} streams failed: {}", p.count, p.error));
            log << fmt::format("  {:5} streams: {} (busiest {} {:.1f} %)\n", p.count,
                               p.ok ? "sustained" : "NOT sustained",
                               p.summary["busiest_block_class"].get<std::string>(),
                               p.summary["busiest_busy_pct"].get<double>());
            probes.push_back({{"streams", p.count},
                              {"sustained", p.ok},
                              {"summary", p.summary},
                              {"block_classes", p.classes}});
            seen[p.count] = p;
        }
    };
    const std::uint32_t max_count = 4096;
    // Bracket: lo sustained (0 trivially), hi not; start from the scenario's own count.
    const arch::rt_input base = prepare_scenario(o);
    std::uint32_t lo = 0, hi = 0;
    std::uint32_t guess = base.sc.streams[0].count;
    while (hi == 0) {
        std::vector<std::uint32_t> counts;
        for (unsigned k = 0; k < jobs; ++k)
            counts.push_back(std::min<std::uint32_t>(max_count, guess << k));
        run(counts);
        for (auto c : counts) {
            if (seen[c].ok)
                lo = std::max(lo, c);
            else if (hi == 0 || c < hi)
                hi = c;
        }
        if (hi == 0) {
            if (counts.back() >= max_count) {
                hi = max_count + 1;
                break;
            }
            guess = counts.back() * 2;
        }
    }
    // Not monotone in general (phases, GOP alignment): lo is the largest sustained count below
    // hi that was probed; bisection keeps [lo, hi) with lo sustained and hi not.
    if (lo >= hi) {
        lo = 0;
        for (auto &[c, p] : seen)
            if (p.ok && c < hi)
                lo = std::max(lo, c);
    }
    while (hi > lo + 1 && hi <= max_count) {
        std::vector<std::uint32_t> counts;
        for (unsigned k = 1; k <= jobs; ++k) {
            const std::uint32_t c = lo + std::uint32_t(std::uint64_t(hi - lo) * k / (jobs + 1));
            if (c > lo && c < hi)
                counts.push_back(c);
        }
        if (counts.empty())
            break;
        run(counts);
        for (auto c : counts) {
            if (seen[c].ok)
                lo = std::max(lo, c);
        }
        for (auto c : counts)
            if (!seen[c].ok && c > lo && c < hi)
                hi = c;
    }
    ojson out;
    out["schema"] = "qcsim.capacity/1";
    out["scenario_file"] = o.file;
    out["group"] = base.sc.streams[0].name;
    out["capacity_streams"] = lo;
    out["first_failing_streams"] = hi <= max_count ? ojson(hi) : ojson(nullptr);
    if (lo && seen.count(lo))
        out["at_capacity"] = {{"summary", seen[lo].summary}, {"block_classes", seen[lo].classes}};
    if (hi <= max_count && seen.count(hi)) {
        // What saturates first is the busiest block class at capacity: one more stream fails.
        // (At the failing count itself the busy shares can collapse: a dropped reference frame
        // stops its stream's decoding until the next I frame.)
        const auto &s = seen[hi].summary;
        std::string cause = "a growing backlog";
        if (s["frames_dropped"].get<std::uint64_t>())
            cause = "frames dropped";
        else if (s["jobs_dropped"].get<std::uint64_t>())
            cause = "jobs dropped late";
        else if (s["deadline_misses"].get<std::uint64_t>())
            cause = "deadline misses";
        else if (s["frames_analysis_incomplete"].get<std::uint64_t>())
            cause = "analysis incomplete";
        ojson sat = {{"failure_at_next_count", cause},
                     {"failing_summary", s},
                     {"failing_block_classes", seen[hi].classes}};
        if (lo && seen.count(lo)) {
            sat["block_class"] = seen[lo].summary["busiest_block_class"];
            sat["busy_pct"] = seen[lo].summary["busiest_busy_pct"];
        }
        out["saturates_first"] = sat;
    }
    out["probes"] = probes;
    return out;
}

std::string render_capacity(const ojson &c) {
    std::string out = fmt::format(
        "capacity of {} (group \"{}\"): {} streams\n", c["scenario_file"].get<std::string>(),
        c["group"].get<std::string>(), c["capacity_streams"].get<std::uint32_t>());
    if (c.contains("saturates_first")) {
        const auto &s = c["saturates_first"];
        out += fmt::format("at {} streams: {}\n", c["first_failing_streams"].get<std::uint32_t>(),
                           s["failure_at_next_count"].get<std::string>());
        if (s.contains("block_class"))
            out += fmt::format("saturates first: {} at {:.1f} % busy at capacity; block classes "
                               "at capacity:\n",
                               s["block_class"].get<std::string>(), s["busy_pct"].get<double>());
        if (c.contains("at_capacity"))
            for (const auto &b : c["at_capacity"]["block_classes"])
                out += fmt::format("  {:<14} busy avg {:5.1f} %  max {:5.1f} %\n",
                                   b["class"].get<std::string>(), b["busy_pct_avg"].get<double>(),
                                   b["busy_pct_max"].get<double>());
    } else {
        out += "no failing count found up to 4096 streams\n";
    }
    return out;
}

} // namespace app
