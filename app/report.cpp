#include "app/report.h"

#include "ops/power.h"
#include "sim/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace app {
namespace {

// Ratios are printed with 6 decimals so the JSON stays readable and byte-stable.
double r6(double x) {
    return std::round(x * 1e6) / 1e6;
}
double safe_div(double a, double b) {
    return b > 0 ? a / b : 0.0;
}

const char *unit_name(ops::unit_kind u) {
    switch (u) {
    case ops::unit_kind::mac_array:
        return "mac_array";
    case ops::unit_kind::vector_unit:
        return "vector_unit";
    case ops::unit_kind::dma:
        return "dma";
    case ops::unit_kind::controller:
        return "controller";
    }
    return "?";
}

/// Bytes in SI units (kB = 1000 B, MB = 10^6 B), as every byte figure qcsim prints.
std::string human_bytes(double b) {
    if (b >= 1e9)
        return fmt::format("{:.2f} GB", b / 1e9);
    if (b >= 1e6)
        return fmt::format("{:.2f} MB", b / 1e6);
    if (b >= 1e3)
        return fmt::format("{:.1f} kB", b / 1e3);
    return fmt::format("{:.0f} B", b);
}
std::string pct(double x) {
    return fmt::format("{:.1f}", 100.0 * x);
}

report_json parts_json(const ops::chip_parts &p) {
    return {{"mac", r6(p.mac)},
            {"sram", r6(p.sram)},
            {"vector", r6(p.vector)},
            {"dma", r6(p.dma)},
            {"noc", r6(p.noc)},
            {"dram_phy", r6(p.dram_phy)},
            {"uncore", r6(p.uncore)},
            {"video_decoder", r6(p.video_decoder)},
            {"image_unit", r6(p.image_unit)}};
}

report_json energy_parts_uj(const ops::energy_breakdown &e) {
    return {{"mac", r6(e.mac * 1e-6)},   {"vector", r6(e.vector * 1e-6)},
            {"sram", r6(e.sram * 1e-6)}, {"noc", r6(e.noc * 1e-6)},
            {"dram", r6(e.dram * 1e-6)}, {"static", r6(e.static_ * 1e-6)}};
}

} // namespace

ops::activity activity_of(const arch::op_stats &s) {
    ops::activity a;
    a.macs = s.macs;
    a.vector_work = s.vector_work;
    // The multicast buffer is an SRAM: its reads cost the scratchpad's energy per byte.
    a.sram_bytes = s.sram_bytes_read + s.sram_bytes_written + s.multicast_bytes;
    a.noc_bytes = s.noc_bytes;
    a.dram_bytes = s.dram_bytes_read + s.dram_bytes_written;
    a.mac_busy_cycles = s.mac_busy_cycles;
    return a;
}

report_json chip_figures(const ops::chip_desc &c) {
    report_json j;
    j["name"] = c.name;
    j["clock_mhz"] = c.clock_mhz;
    j["cores"] = c.cores;
    j["mac_array"] = fmt::format("{}x{} {}", c.mac_array.rows, c.mac_array.cols,
                                 ops::dataflow_names().name_of(c.mac_array.flow));
    j["peak_macs_per_cycle"] = c.peak_macs_per_cycle();
    j["peak_tops"] = r6(c.peak_tops());
    j["vector_lanes_per_core"] = c.vector_unit.lanes;
    j["sram_bytes_per_core"] = c.scratchpad.bytes();
    j["sram_bytes_per_cycle_per_core"] = r6(c.sram_bytes_per_cycle_per_core());
    j["dram_peak_bytes_per_cycle"] = r6(c.dram_peak_bytes_per_cycle());
    j["dram_peak_gb_per_s"] = r6(c.dram.peak_bytes_per_s() / 1e9);
    j["interconnect_bytes_per_cycle"] = c.interconnect.bytes_per_cycle;
    j["dram_bytes_per_mac_at_peak"] =
        r6(c.dram_peak_bytes_per_cycle() / double(c.peak_macs_per_cycle()));
    j["area_mm2"] = r6(ops::chip_area(c).total());
    j["area_mm2_parts"] = parts_json(ops::chip_area(c));
    j["static_power_w"] = r6(ops::chip_static_power(c).total());
    j["static_power_w_parts"] = parts_json(ops::chip_static_power(c));
    j["sram_pj_per_byte"] = r6(ops::sram_pj_per_byte(c));
    return j;
}

grouping parse_grouping(const std::string &s) {
    if (s == "op")
        return grouping::op;
    if (s == "layer")
        return grouping::layer;
    if (s == "type")
        return grouping::type;
    throw std::invalid_argument("expected op, layer or type, got \"" + s + "\"");
}

std::string layer_of(const std::string &op_name) {
    return op_name.substr(0, op_name.find('.'));
}

namespace {

/// Sums of the per-op rows by `key` ("layer" or "type"): operators, exclusive cycles (so the
/// groups partition the run), share of the run,
/// MACs, MAC utilisation over the group's cycles on the whole chip, DRAM bytes and energy.
/// In first-appearance order, or by cycles (descending, then key) when `by_cycles`.
report_json group_ops(const report_json &ops, const char *key, std::uint64_t total,
                      const ops::chip_desc &chip, bool by_cycles) {
    struct acc {
        std::string key;
        std::uint64_t ops = 0, cycles = 0, macs = 0, rd = 0, wr = 0;
        double uj = 0;
    };
    std::vector<acc> groups;
    std::map<std::string, std::size_t> index;
    for (const auto &o : ops) {
        const std::string k = o[key].get<std::string>();
        auto it = index.find(k);
        if (it == index.end()) {
            it = index.emplace(k, groups.size()).first;
            groups.push_back({k});
        }
        acc &a = groups[it->second];
        ++a.ops;
        a.cycles += o["exclusive_cycles"].get<std::uint64_t>();
        a.macs += o["macs"].get<std::uint64_t>();
        a.rd += o["dram_bytes_read"].get<std::uint64_t>();
        a.wr += o["dram_bytes_written"].get<std::uint64_t>();
        a.uj += o["energy_uj"].get<double>();
    }
    if (by_cycles)
        std::stable_sort(groups.begin(), groups.end(), [](const acc &a, const acc &b) {
            return a.cycles != b.cycles ? a.cycles > b.cycles : a.key < b.key;
        });
    report_json out = report_json::array();
    for (const auto &a : groups)
        out.push_back(
            {{key, a.key},
             {"ops", a.ops},
             {"cycles", a.cycles},
             {"share", r6(safe_div(double(a.cycles), double(total)))},
             {"macs", a.macs},
             {"mac_utilisation",
              r6(safe_div(double(a.macs), double(chip.peak_macs_per_cycle()) * double(a.cycles)))},
             {"dram_bytes_read", a.rd},
             {"dram_bytes_written", a.wr},
             {"energy_uj", r6(a.uj)}});
    return out;
}

} // namespace

std::string config_hash(const nlohmann::ordered_json &effective) {
    // Canonical text: a plain json object keeps its keys sorted.
    return fnv1a64(nlohmann::json(effective).dump());
}

std::string fnv1a64(const std::string &text) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char ch : text) {
        h ^= ch;
        h *= 1099511628211ull;
    }
    return fmt::format("fnv1a64:{:016x}", h);
}

report_json make_report(const ops::chip_desc &chip, const workloads::graph &g,
                        const ops::program &prog, const arch::run_stats &st, const run_info &run) {
    report_json r;
    r["schema"] = report_schema;
    r["run"] = {{"qcsim_version", run.version},
                {"chip_file", run.chip_file},
                {"chip_config_hash", run.config_hash},
                {"overrides", run.overrides},
                {"workload_spec", run.workload_spec}};
    r["chip"] = chip_figures(chip);
    r["workload"] = {{"name", g.name},
                     {"macs", g.total_macs()},
                     {"params", g.total_params()},
                     {"graph_ops", g.ops.size()},
                     {"compiled_ops", prog.ops.size()}};

    const double clock_hz = chip.clock_mhz * 1e6;
    const std::uint64_t total = st.cycles;
    // Static power is paid by the whole chip for the whole run; each cycle's share goes to
    // the operator that owns it (ops::partition_run: the earliest active one, else the next to
    // start), so the operators' energies add up to the run's.
    std::vector<ops::op_span> spans;
    for (std::size_t i = 0; i < prog.ops.size(); ++i)
        spans.push_back({st.ops[i].start_cycle, st.ops[i].end_cycle});
    const ops::run_partition part = ops::partition_run(spans, total);
    ops::energy_breakdown run_e;

    report_json ops = report_json::array();
    std::uint64_t sum_macs = 0, sum_rd = 0, sum_wr = 0, prev_end = 0;
    double sum_dyn_pj = 0;
    for (std::size_t i = 0; i < prog.ops.size(); ++i) {
        const auto &info = prog.ops[i];
        const auto &s = st.ops[i];
        const std::uint64_t cyc = s.end_cycle > s.start_cycle ? s.end_cycle - s.start_cycle : 0;
        const double cores = info.cores;
        const double array_peak = double(chip.macs_per_cycle_per_core()) * cores;
        report_json o;
        o["name"] = info.name;
        o["layer"] = layer_of(info.name);
        o["type"] = info.type;
        o["shapes"] = info.shapes;
        o["fused"] = info.fused;
        o["unit"] = unit_name(info.unit);
        o["cores"] = info.cores;
        o["tiles"] = info.tiles;
        o["tiling"] = info.tiling;
        o["barrier_before"] = info.barrier;
        const auto &m = info.mapping;
        o["mapping"] = {{"rows", m.rows},
                        {"oc", m.oc},
                        {"kc", m.kc},
                        {"rows_per_core", m.rows_per_core},
                        {"max_fit_rows", m.max_fit_rows},
                        {"loop_order", m.order},
                        {"stream_rows", m.stream_rows},
                        {"estimated_cycles", m.est_cycles},
                        {"estimated_array_cycles", m.est_array_cycles},
                        {"estimated_vector_cycles", m.est_vector_cycles},
                        {"estimated_dma_cycles", m.est_dma_cycles}};
        o["output_placement"] = info.output_placement;
        o["start_cycle"] = s.start_cycle;
        o["end_cycle"] = s.end_cycle;
        o["cycles"] = cyc;
        o["share"] = r6(safe_div(double(cyc), double(total)));
        // Spans overlap (the next op's weights prefetch early; without a barrier the next op
        // starts on a core that finished); the time past the latest end so far partitions
        // the run, so these add up to the total.
        const std::uint64_t excl_from = std::max(s.start_cycle, prev_end);
        const std::uint64_t excl = s.end_cycle > excl_from ? s.end_cycle - excl_from : 0;
        o["exclusive_cycles"] = excl;
        o["exclusive_share"] = r6(safe_div(double(excl), double(total)));
        prev_end = std::max(prev_end, s.end_cycle);
        o["macs"] = info.macs;
        o["mac_busy_cycles"] = s.mac_busy_cycles;
        o["vector_busy_cycles"] = s.vector_busy_cycles;
        o["mac_utilisation"] = info.unit == ops::unit_kind::mac_array
                                   ? r6(safe_div(double(info.macs), array_peak * cyc))
                                   : 0.0;
        if (info.unit == ops::unit_kind::mac_array && s.mac_slot_cycles > 0)
            o["mapping_efficiency"] = r6(safe_div(double(s.macs), double(s.mac_slot_cycles)));
        else
            o["mapping_efficiency"] = nullptr;
        o["vector_utilisation"] = r6(safe_div(double(s.vector_busy_cycles), cores * cyc));
        o["dram_bytes_read"] = s.dram_bytes_read;
        o["dram_bytes_written"] = s.dram_bytes_written;
        o["dram_gb_per_s"] =
            r6(safe_div(double(s.dram_bytes_read + s.dram_bytes_written), double(cyc) / clock_hz) /
               1e9);
        o["dram_row_hit_rate"] =
            r6(safe_div(double(s.dram_row_hits), double(s.dram_row_hits + s.dram_row_misses)));
        o["peer_bytes"] = s.peer_bytes;
        o["multicast_bytes"] = s.multicast_bytes;
        o["sram_bytes_read"] = s.sram_bytes_read;
        o["sram_bytes_written"] = s.sram_bytes_written;
        o["sram_peak_bytes"] = info.sram_peak_bytes;
        o["stall_cycles"] = {{"dma", s.stall_dma},
                             {"bank_conflict", s.stall_bank_conflict},
                             {"vector", s.stall_vector},
                             {"dependency", s.stall_dependency}};
        // Per core, on the op's main unit, within its span: busy + stall + idle = cycles.
        report_json pcs = report_json::array();
        std::uint64_t idle = 0;
        for (std::size_t c = 0; c < s.per_core.size(); ++c) {
            const auto &pc = s.per_core[c];
            if (pc.busy_cycles + pc.stall_cycles == 0)
                continue; // a core without work in this op (channel split over fewer cores)
            pcs.push_back({{"core", c},
                           {"busy_cycles", pc.busy_cycles},
                           {"stall_cycles", pc.stall_cycles},
                           {"idle_cycles", pc.idle_cycles}});
            idle += pc.idle_cycles;
        }
        o["idle_cycles"] = idle;
        o["per_core"] = pcs;
        // Busy fraction of each resource over the op's span; the highest one limited it.
        const double span = double(cyc);
        std::vector<std::pair<const char *, double>> busy = {
            {"mac_array", safe_div(double(s.mac_busy_cycles), cores * span)},
            {"vector_unit", safe_div(double(s.vector_busy_cycles), cores * span)},
            {"dma", safe_div(double(s.dma_busy_cycles), cores * chip.dma.engines * span)},
            {"dram", safe_div(double(s.dram_busy_cycles), double(chip.dram.channels) * span)},
            {"interconnect",
             safe_div(double(s.noc_bytes) / chip.interconnect.bytes_per_cycle, span)},
        };
        std::size_t best = 0;
        for (std::size_t k = 1; k < busy.size(); ++k)
            if (busy[k].second > busy[best].second)
                best = k;
        report_json bj;
        for (auto &[n, f] : busy)
            bj[n] = r6(std::min(f, 1.0));
        o["busy"] = bj;
        // The busiest resource limits the op only when it is near saturation; otherwise the
        // op waited on latency: dependencies, pipeline fill, DMA and DRAM round trips.
        const double top = std::min(busy[best].second, 1.0);
        o["limited_by"] = cyc == 0                     ? "none"
                          : top < saturation_threshold ? "latency"
                                                       : busy[best].first;
        o["limited_by_busy"] = r6(top);
        o["busiest_resource"] = cyc == 0 ? "none" : busy[best].first;
        const ops::energy_breakdown e = ops::energy_of(
            chip, activity_of(s),
            ops::seconds_of(chip, i < part.static_cycles.size() ? part.static_cycles[i] : 0));
        const double dyn = e.dynamic();
        o["energy_uj"] = r6(e.total() * 1e-6);
        o["energy_dynamic_uj"] = r6(dyn * 1e-6);
        o["energy_uj_parts"] = energy_parts_uj(e);
        run_e.mac += e.mac, run_e.vector += e.vector, run_e.sram += e.sram, run_e.noc += e.noc,
            run_e.dram += e.dram;
        ops.push_back(std::move(o));
        sum_macs += info.macs;
        sum_rd += s.dram_bytes_read;
        sum_wr += s.dram_bytes_written;
        sum_dyn_pj += dyn;
    }

    const double latency_s = double(total) / clock_hz;
    const double static_w = ops::chip_static_power(chip).total();
    run_e.static_ = static_w * ops::seconds_of(chip, total) * 1e12;
    const double static_total_pj = run_e.static_;
    const double idle_pj = static_w * ops::seconds_of(chip, part.idle_cycles) * 1e12;
    const double energy_pj = sum_dyn_pj + static_total_pj;
    report_json sum;
    sum["cycles"] = total;
    sum["latency_ms"] = r6(latency_s * 1e3);
    sum["inferences_per_s"] = r6(safe_div(1.0, latency_s));
    sum["macs"] = sum_macs;
    sum["effective_tops"] = r6(safe_div(2.0 * double(sum_macs), latency_s) / 1e12);
    sum["mac_utilisation"] =
        r6(safe_div(double(sum_macs), double(chip.peak_macs_per_cycle()) * double(total)));
    sum["dram_bytes_read"] = sum_rd;
    sum["dram_bytes_written"] = sum_wr;
    sum["dram_gb_per_s"] = r6(safe_div(double(sum_rd + sum_wr), latency_s) / 1e9);
    sum["energy_uj"] = r6(energy_pj * 1e-6);
    sum["energy_dynamic_uj"] = r6(sum_dyn_pj * 1e-6);
    sum["energy_static_uj"] = r6(static_total_pj * 1e-6);
    sum["energy_static_idle_uj"] = r6(idle_pj * 1e-6);
    sum["energy_uj_parts"] = energy_parts_uj(run_e);
    sum["avg_power_w"] = r6(safe_div(energy_pj * 1e-12, latency_s));
    sum["tops_per_w"] = r6(safe_div(2.0 * double(sum_macs) / 1e12, energy_pj * 1e-12));
    r["summary"] = sum;
    r["by_layer"] = group_ops(ops, "layer", total, chip, false);
    r["by_type"] = group_ops(ops, "type", total, chip, true);
    r["ops"] = std::move(ops);

    report_json blocks;
    for (const auto &b : st.blocks)
        blocks[b.name] = {{"busy_cycles", b.busy_cycles},
                          {"busy_fraction", r6(safe_div(double(b.busy_cycles), double(total)))},
                          {"bytes", b.bytes},
                          {"transactions", b.transactions}};
    r["blocks"] = blocks.is_null() ? report_json::object() : blocks;
    return r;
}

std::string render_chip_figures(const report_json &c) {
    return fmt::format(
        "chip {}: {} cores x {} array @ {} MHz, peak {:.2f} TOPS ({} MACs/cycle)\n"
        "  scratchpad {} KiB/core at {} B/cycle; DRAM peak {:.1f} GB/s ({:.1f} B/cycle), "
        "{:.4f} B/MAC at peak\n"
        "  area {:.2f} mm2 (MACs {:.2f}, SRAM {:.2f}, DRAM PHY {:.2f}), static power {:.3f} W\n",
        c["name"].get<std::string>(), c["cores"].get<std::uint64_t>(),
        c["mac_array"].get<std::string>(), c["clock_mhz"].get<double>(),
        c["peak_tops"].get<double>(), c["peak_macs_per_cycle"].get<std::uint64_t>(),
        c["sram_bytes_per_core"].get<std::uint64_t>() / 1024,
        c["sram_bytes_per_cycle_per_core"].get<double>(), c["dram_peak_gb_per_s"].get<double>(),
        c["dram_peak_bytes_per_cycle"].get<double>(), c["dram_bytes_per_mac_at_peak"].get<double>(),
        c["area_mm2"].get<double>(), c["area_mm2_parts"]["mac"].get<double>(),
        c["area_mm2_parts"]["sram"].get<double>(), c["area_mm2_parts"]["dram_phy"].get<double>(),
        c["static_power_w"].get<double>());
}

namespace {

/// One row per layer or per operator type.
sim::text_table group_table(const report_json &groups, const char *key) {
    using A = sim::text_table::align;
    sim::text_table t;
    t.add_column(key, A::left);
    t.add_column("ops");
    t.add_column("cycles");
    t.add_column("share%");
    t.add_column("MMACs");
    t.add_column("mac%");
    t.add_column("DRAM rd");
    t.add_column("DRAM wr");
    t.add_column("uJ");
    for (const auto &g : groups)
        t.add_row({g[key].get<std::string>(), std::to_string(g["ops"].get<std::uint64_t>()),
                   std::to_string(g["cycles"].get<std::uint64_t>()), pct(g["share"].get<double>()),
                   fmt::format("{:.2f}", g["macs"].get<double>() / 1e6),
                   pct(g["mac_utilisation"].get<double>()),
                   human_bytes(g["dram_bytes_read"].get<double>()),
                   human_bytes(g["dram_bytes_written"].get<double>()),
                   fmt::format("{:.2f}", g["energy_uj"].get<double>())});
    return t;
}

} // namespace

namespace {

/// Short operator types for the default table (the JSON and --wide keep the full names).
std::string short_type(const std::string &t) {
    static const std::map<std::string, std::string> m = {
        {"pointwise_conv2d", "pw_conv"},   {"depthwise_conv2d", "dw_conv"},
        {"grouped_conv2d", "grp_conv"},    {"conv2d", "conv"},
        {"conv_transpose2d", "conv_t"},    {"batch_matmul", "bmm"},
        {"fused_attention", "fused_attn"}, {"depthwise_conv1d", "dw_conv1d"},
        {"dynamic_conv1d", "dyn_conv1d"},  {"grouped_linear", "grp_linear"},
        {"global_avgpool", "gavgpool"}};
    auto it = m.find(t);
    return it == m.end() ? t : it->second;
}

/// "dram 84%", "latency 31%": the limiting resource and the busiest resource's busy fraction.
std::string limited_cell(const report_json &o) {
    static const std::map<std::string, std::string> brief = {
        {"mac_array", "array"}, {"vector_unit", "vector"}, {"interconnect", "noc"}};
    std::string n = o["limited_by"].get<std::string>();
    if (auto it = brief.find(n); it != brief.end())
        n = it->second;
    return fmt::format("{} {:.0f}%", n, 100.0 * o["limited_by_busy"].get<double>());
}

/// Σ stalls over Σ per-core spans of the op's cores.
std::string stall_pct(const report_json &o) {
    const auto &s = o["stall_cycles"];
    const double st = s["dma"].get<double>() + s["bank_conflict"].get<double>() +
                      s["vector"].get<double>() + s["dependency"].get<double>();
    const double denom = double(o["cycles"].get<std::uint64_t>()) * o["per_core"].size();
    return fmt::format("{:.1f}", denom > 0 ? 100.0 * st / denom : 0.0);
}

} // namespace

std::string render_table(const report_json &r, grouping by, bool wide) {
    using A = sim::text_table::align;
    sim::text_table t;
    if (by == grouping::layer)
        t = group_table(r["by_layer"], "layer");
    else if (by == grouping::type)
        t = group_table(r["by_type"], "type");
    else {
        // Default (120 columns): the exclusive cycles first — the time an operator added to the
        // run, which partitions it — then its span; --wide adds every per-operator column.
        t.add_column("#");
        t.add_column("operator", A::left);
        t.add_column("type", A::left);
        if (wide) {
            t.add_column("unit", A::left);
            t.add_column("cores");
        }
        t.add_column("cycles");
        t.add_column("share%");
        t.add_column("span");
        t.add_column("MMACs");
        t.add_column("mac%");
        if (wide)
            t.add_column("map%");
        t.add_column("vec%");
        if (wide) {
            t.add_column("DRAM rd");
            t.add_column("DRAM wr");
            t.add_column("GB/s");
            t.add_column("stall dma/bank/vec/dep");
        } else {
            t.add_column("DRAM");
            t.add_column("stall%");
        }
        t.add_column("limited by", A::left);
        if (wide)
            t.add_column("out", A::left);
        t.add_column("uJ");
        // A subtotal row closes every layer of two or more operators (when there are layers):
        // the sums of its rows (exclusive cycles, MACs, bytes, energy).
        const auto &layers = r["by_layer"];
        std::map<std::string, const report_json *> layer_row;
        for (const auto &l : layers)
            layer_row[l["layer"].get<std::string>()] = &l;
        const bool subtotals = layers.size() > 1 && layers.size() < r["ops"].size();
        auto subtotal = [&](const std::string &layer) {
            const report_json &g = *layer_row.at(layer);
            if (g["ops"].get<std::uint64_t>() < 2)
                return;
            std::vector<std::string> row = {"", layer + " total", ""};
            if (wide)
                row.insert(row.end(), {"", ""});
            row.insert(row.end(), {std::to_string(g["cycles"].get<std::uint64_t>()),
                                   pct(g["share"].get<double>()), "",
                                   fmt::format("{:.2f}", g["macs"].get<double>() / 1e6),
                                   pct(g["mac_utilisation"].get<double>())});
            if (wide)
                row.push_back("");
            row.push_back("");
            const double rd = g["dram_bytes_read"].get<double>(),
                         wr = g["dram_bytes_written"].get<double>();
            if (wide)
                row.insert(row.end(), {human_bytes(rd), human_bytes(wr), "", ""});
            else
                row.insert(row.end(), {human_bytes(rd + wr), ""});
            row.push_back("");
            if (wide)
                row.push_back("");
            row.push_back(fmt::format("{:.2f}", g["energy_uj"].get<double>()));
            t.add_row(row);
        };
        int i = 0;
        std::string cur_layer;
        for (const auto &o : r["ops"]) {
            const std::string layer = o["layer"].get<std::string>();
            if (subtotals && i > 0 && layer != cur_layer)
                subtotal(cur_layer);
            cur_layer = layer;
            const auto &s = o["stall_cycles"];
            std::string name = o["name"].get<std::string>();
            if (!o["fused"].empty())
                name += "+" + std::to_string(o["fused"].size());
            const std::string type = o["type"].get<std::string>();
            // The default table keeps names to 20 characters: the head and the tail, which
            // tell the layer and the role (--wide and the JSON have them whole).
            if (!wide && name.size() > 20)
                name = name.substr(0, 8) + "~" + name.substr(name.size() - 11);
            std::vector<std::string> row = {std::to_string(i++), name,
                                            wide ? type : short_type(type)};
            if (wide)
                row.insert(row.end(), {o["unit"].get<std::string>() == "mac_array" ? "mac" : "vec",
                                       std::to_string(o["cores"].get<int>())});
            row.insert(row.end(), {std::to_string(o["exclusive_cycles"].get<std::uint64_t>()),
                                   pct(o["exclusive_share"].get<double>()),
                                   std::to_string(o["cycles"].get<std::uint64_t>()),
                                   fmt::format("{:.2f}", o["macs"].get<double>() / 1e6),
                                   pct(o["mac_utilisation"].get<double>())});
            if (wide)
                row.push_back(o["mapping_efficiency"].is_null()
                                  ? "-"
                                  : pct(o["mapping_efficiency"].get<double>()));
            row.push_back(pct(o["vector_utilisation"].get<double>()));
            const double rd = o["dram_bytes_read"].get<double>(),
                         wr = o["dram_bytes_written"].get<double>();
            if (wide)
                row.insert(row.end(), {human_bytes(rd), human_bytes(wr),
                                       fmt::format("{:.1f}", o["dram_gb_per_s"].get<double>()),
                                       fmt::format("{}/{}/{}/{}", s["dma"].get<std::uint64_t>(),
                                                   s["bank_conflict"].get<std::uint64_t>(),
                                                   s["vector"].get<std::uint64_t>(),
                                                   s["dependency"].get<std::uint64_t>())});
            else
                row.insert(row.end(), {human_bytes(rd + wr), stall_pct(o)});
            row.push_back(limited_cell(o));
            if (wide)
                row.push_back(o["output_placement"].get<std::string>());
            row.push_back(fmt::format("{:.2f}", o["energy_uj"].get<double>()));
            t.add_row(row);
        }
        if (subtotals && i > 0)
            subtotal(cur_layer);
    }
    if (!wide)
        t.set_max_width(120);
    const auto &s = r["summary"];
    std::string out = render_chip_figures(r["chip"]);
    const std::string wname = r["workload"]["name"].get<std::string>();
    out += fmt::format(wname.size() > 50 ? "workload {}:\n  {:.1f}M MACs, {} parameters, {} "
                                           "operators compiled to {}\n\n"
                                         : "workload {}: {:.1f}M MACs, {} parameters, {} "
                                           "operators compiled to {}\n\n",
                       wname, r["workload"]["macs"].get<double>() / 1e6,
                       r["workload"]["params"].get<std::uint64_t>(),
                       r["workload"]["graph_ops"].get<std::uint64_t>(),
                       r["workload"]["compiled_ops"].get<std::uint64_t>());
    out += t.str();
    out += fmt::format(
        "\ntotal {} cycles = {:.3f} ms at {} MHz, {:.1f} inferences/s, {:.2f} effective TOPS "
        "({} % MAC utilisation)\n"
        "DRAM {} read, {} written ({:.2f} GB/s average)\n"
        "energy {:.1f} uJ/inference ({:.1f} dynamic + {:.1f} static), {:.2f} W average, "
        "{:.2f} TOPS/W\n",
        s["cycles"].get<std::uint64_t>(), s["latency_ms"].get<double>(),
        r["chip"]["clock_mhz"].get<double>(), s["inferences_per_s"].get<double>(),
        s["effective_tops"].get<double>(), pct(s["mac_utilisation"].get<double>()),
        human_bytes(s["dram_bytes_read"].get<double>()),
        human_bytes(s["dram_bytes_written"].get<double>()), s["dram_gb_per_s"].get<double>(),
        s["energy_uj"].get<double>(), s["energy_dynamic_uj"].get<double>(),
        s["energy_static_uj"].get<double>(), s["avg_power_w"].get<double>(),
        s["tops_per_w"].get<double>());
    const auto &ep = s["energy_uj_parts"];
    out +=
        fmt::format("  by part: MAC {:.1f}, vector {:.1f}, SRAM {:.1f}, NoC {:.1f}, DRAM {:.1f}, "
                    "static {:.1f} uJ\n",
                    ep["mac"].get<double>(), ep["vector"].get<double>(), ep["sram"].get<double>(),
                    ep["noc"].get<double>(), ep["dram"].get<double>(), ep["static"].get<double>());
    // One entry per block class is enough on a terminal (JSON has every instance), wrapped at
    // 120 columns.
    std::string line = "busy:";
    bool any = false;
    for (auto it = r["blocks"].begin(); it != r["blocks"].end(); ++it) {
        const std::string &n = it.key();
        if (!(n.rfind("core0.", 0) == 0 || n.find("core") == std::string::npos))
            continue;
        const std::string item =
            fmt::format(" {} {}%", n, pct(it.value()["busy_fraction"].get<double>()));
        if (line.size() + item.size() > 120) {
            out += line + "\n";
            line = "     ";
        }
        line += item;
        any = true;
    }
    if (any)
        out += line + "\n";
    return out;
}

namespace {

/// One CSV field: strings quoted (quotes doubled) when they hold ',' or '"', null empty,
/// numbers as JSON writes them.
std::string csv_cell(const report_json &v) {
    if (v.is_string()) {
        std::string s = v.get<std::string>();
        if (s.find_first_of(",\"") == std::string::npos)
            return s;
        std::string q = "\"";
        for (char ch : s)
            q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        return q + "\"";
    }
    if (v.is_null())
        return "";
    return v.dump();
}

} // namespace

std::string render_csv(const report_json &r, grouping by) {
    if (by != grouping::op) {
        const char *key = by == grouping::layer ? "layer" : "type";
        std::string out = std::string(key) +
                          ",ops,cycles,share,macs,mac_utilisation,dram_bytes_read,"
                          "dram_bytes_written,energy_uj\n";
        for (const auto &g : r[by == grouping::layer ? "by_layer" : "by_type"]) {
            out += csv_cell(g[key]);
            for (const char *f : {"ops", "cycles", "share", "macs", "mac_utilisation",
                                  "dram_bytes_read", "dram_bytes_written", "energy_uj"})
                out += "," + csv_cell(g[f]);
            out += "\n";
        }
        return out;
    }
    static const char *cols[] = {"name",
                                 "layer",
                                 "type",
                                 "shapes",
                                 "unit",
                                 "cores",
                                 "tiles",
                                 "output_placement",
                                 "start_cycle",
                                 "end_cycle",
                                 "cycles",
                                 "exclusive_cycles",
                                 "share",
                                 "macs",
                                 "mac_utilisation",
                                 "mapping_efficiency",
                                 "vector_utilisation",
                                 "dram_bytes_read",
                                 "dram_bytes_written",
                                 "dram_gb_per_s",
                                 "dram_row_hit_rate",
                                 "peer_bytes",
                                 "sram_bytes_read",
                                 "sram_bytes_written",
                                 "sram_peak_bytes",
                                 "limited_by",
                                 "energy_uj"};
    std::string out;
    for (auto c : cols)
        out += std::string(c) + ",";
    out += "stall_dma,stall_bank_conflict,stall_vector,stall_dependency,energy_mac_uj,"
           "energy_vector_uj,energy_sram_uj,energy_noc_uj,energy_dram_uj,energy_static_uj\n";
    for (const auto &o : r["ops"]) {
        for (auto c : cols)
            out += csv_cell(o[c]) + ",";
        const auto &s = o["stall_cycles"];
        out += csv_cell(s["dma"]) + "," + csv_cell(s["bank_conflict"]) + "," +
               csv_cell(s["vector"]) + "," + csv_cell(s["dependency"]);
        for (const char *part : {"mac", "vector", "sram", "noc", "dram", "static"})
            out += "," + csv_cell(o["energy_uj_parts"][part]);
        out += "\n";
    }
    return out;
}

} // namespace app
