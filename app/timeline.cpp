#include "app/timeline.h"

#include "sim/errors.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <vector>

namespace app {

namespace {

constexpr std::uint64_t min_event_bytes = 40;

/// A time in ps rounded down to a whole ns. Every time in the file goes through it: Perfetto
/// keeps whole ns (it rounds ts and dur separately), so a value with a fraction of a ns could end
/// one slice 1 ns after the next one starts; one monotone rounding of both ends keeps a track's
/// slices disjoint in every viewer, each duration within 1 ns of the simulation's.
std::uint64_t ns_floor(std::uint64_t ps) {
    return ps / 1000 * 1000;
}

/// ps (a whole number of ns) as µs with three decimals.
std::string us(std::uint64_t ps) {
    const std::uint64_t ns = ps / 1000;
    return fmt::format("{}.{:03}", ns / 1000, ns % 1000);
}

std::string quoted(const std::string &s) {
    return nlohmann::json(s).dump();
}

std::string too_large(std::uint64_t bytes, std::uint64_t events, std::uint64_t max_mb,
                      const char *level) {
    return fmt::format("expected a timeline of at most {} MB (--timeline-max-mb), but this run's "
                       "would be about {:.0f} MB ({} events at the {} level); use "
                       "--timeline-detail summary, a shorter run, or a larger cap",
                       max_mb, double(bytes) / 1e6, events, level);
}

} // namespace

arch::timeline_rec::detail parse_timeline_detail(const std::string &s) {
    if (s == "summary")
        return arch::timeline_rec::detail::summary;
    if (s == "tiles")
        return arch::timeline_rec::detail::tiles;
    throw sim::input_error("--timeline-detail", "$",
                           "expected summary or tiles, found \"" + sim::brief(s) + "\"");
}

std::uint64_t parse_timeline_max_mb(const std::string &s) {
    const bool digits = !s.empty() && s.size() <= 4 && std::all_of(s.begin(), s.end(), [](char c) {
        return c >= '0' && c <= '9';
    });
    const std::uint64_t v = digits ? std::stoull(s) : 0;
    if (!digits || v < 1 || v > 4096)
        throw sim::input_error("--timeline-max-mb", "$",
                               "expected a whole number of MB from 1 to 4096, found \"" +
                                   sim::brief(s) + "\"");
    return v;
}

std::uint64_t timeline_max_events(std::uint64_t max_mb) {
    return max_mb * 1000000 / min_event_bytes;
}

std::string render_timeline(const arch::timeline_rec &tl, const timeline_meta &meta,
                            std::uint64_t max_mb) {
    const std::uint64_t cap = max_mb * 1000000;
    const char *level = tl.level() == arch::timeline_rec::detail::tiles ? "tiles" : "summary";
    if (tl.overflowed())
        throw sim::input_error(
            "--timeline", "$",
            too_large(tl.events() * min_event_bytes, tl.events(), max_mb, level));

    // Slices per track in time order (each track's were recorded in time order; the sort only
    // groups them by track).
    std::vector<arch::timeline_rec::slice> slices = tl.slices();
    std::stable_sort(slices.begin(), slices.end(), [](const auto &a, const auto &b) {
        return a.track != b.track ? a.track < b.track : a.from < b.from;
    });
    std::vector<std::string> names(tl.op_names.size()), types(tl.op_names.size());
    for (std::size_t i = 0; i < tl.op_names.size(); ++i) {
        names[i] = quoted(tl.op_names[i]);
        types[i] = quoted(i < tl.op_types.size() ? tl.op_types[i] : std::string());
    }
    auto name_of = [&](std::uint32_t op) -> const std::string & {
        static const std::string none = "\"?\"";
        return op < names.size() ? names[op] : none;
    };
    auto type_of = [&](std::uint32_t op) -> const std::string & {
        static const std::string none = "\"\"";
        return op < types.size() ? types[op] : none;
    };

    std::string out;
    std::uint64_t written = 0;
    std::uint64_t total_events = slices.size() + 2 * tl.flows().size() + tl.actives().size() * 2 +
                                 2 * tl.tracks().size() + 1;
    for (std::uint32_t ch = 0; ch < tl.dram_channels(); ++ch)
        total_events += tl.bins(ch).size() + 1;
    auto event = [&](const std::string &e) {
        out += written ? ",\n" : "\n";
        out += e;
        ++written;
        if (out.size() > cap) {
            const double per = double(out.size()) / double(written);
            throw sim::input_error(
                "--timeline", "$",
                too_large(std::uint64_t(per * double(std::max(total_events, written))),
                          std::max(total_events, written), max_mb, level));
        }
    };

    nlohmann::ordered_json other = {{"schema", timeline_schema},
                                    {"command", meta.command},
                                    {"chip", meta.chip},
                                    {"workload", meta.workload},
                                    {"detail", level},
                                    {"clock_mhz", meta.clock_mhz},
                                    {"end_us", us(ns_floor(meta.end_ps))},
                                    {"dram_bin_us", us(tl.bin_ps())}};
    out = "{\"displayTimeUnit\": \"ns\",\n\"otherData\": " + other.dump() + ",\n\"traceEvents\": [";

    event(fmt::format(R"({{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{{"name":{}}}}})",
                      quoted(meta.title)));
    for (std::size_t t = 0; t < tl.tracks().size(); ++t) {
        event(fmt::format(
            R"({{"name":"thread_name","ph":"M","pid":1,"tid":{},"args":{{"name":{}}}}})", t + 1,
            quoted(tl.tracks()[t].name)));
        event(fmt::format(
            R"({{"name":"thread_sort_index","ph":"M","pid":1,"tid":{},"args":{{"sort_index":{}}}}})",
            t + 1, t + 1));
    }
    for (const auto &s : slices) {
        const std::uint64_t a = ns_floor(s.from), b = ns_floor(s.to);
        if (b == a)
            continue; // under 1 ns
        event(fmt::format(
            R"({{"name":{},"cat":{},"ph":"X","pid":1,"tid":{},"ts":{},"dur":{},"args":{{"commands":{}}}}})",
            name_of(s.op), type_of(s.op), s.track + 1, us(a), us(b - a), s.commands));
    }

    // DRAM bandwidth per channel: the data-bus time of each bin times the channel's peak.
    for (std::uint32_t ch = 0; ch < tl.dram_channels(); ++ch) {
        const auto &b = tl.bins(ch);
        const std::string name = quoted("dram.ch" + std::to_string(ch));
        std::string last;
        for (std::size_t i = 0; i <= b.size(); ++i) {
            const double gbs =
                i < b.size() ? double(b[i]) / double(tl.bin_ps()) * tl.dram_channel_peak_gb_per_s()
                             : 0.0;
            const std::string v = fmt::format("{:.3f}", gbs);
            if (v == last)
                continue;
            last = v;
            event(fmt::format(R"({{"name":{},"ph":"C","pid":1,"ts":{},"args":{{"GB/s":{}}}}})",
                              name, us(std::uint64_t(i) * tl.bin_ps()), v));
        }
    }

    // Scratchpad occupancy per core: the planned peak of every operator active on the core.
    std::map<std::uint32_t, std::vector<std::pair<std::uint64_t, std::int64_t>>> steps;
    for (const auto &a : tl.actives()) {
        const std::int64_t bytes =
            a.op < tl.op_sram_bytes.size() ? std::int64_t(tl.op_sram_bytes[a.op]) : 0;
        steps[a.core].push_back({a.from, bytes});
        steps[a.core].push_back({a.to, -bytes});
    }
    for (auto &[core, v] : steps) {
        std::stable_sort(v.begin(), v.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; });
        const std::string name = quoted("core" + std::to_string(core) + ".scratchpad");
        std::int64_t level_bytes = 0, last = -1;
        for (std::size_t i = 0; i < v.size();) {
            const std::uint64_t t = v[i].first;
            for (; i < v.size() && v[i].first == t; ++i)
                level_bytes += v[i].second;
            if (level_bytes == last)
                continue;
            last = level_bytes;
            event(fmt::format(R"({{"name":{},"ph":"C","pid":1,"ts":{},"args":{{"bytes":{}}}}})",
                              name, us(ns_floor(t)), level_bytes));
        }
    }

    // Flow arrows: from inside the load's slice to the start of the compute that waited.
    std::uint64_t id = 0;
    for (const auto &f : tl.flows()) {
        // The load's slice ends at src_ps + 1: the arrow leaves 1 ns before its rounded end.
        const std::uint64_t src = ns_floor(f.src_ps + 1), dst = ns_floor(f.dst_ps);
        if (src < 1000)
            continue;
        ++id;
        event(fmt::format(
            R"({{"name":"load -> compute","cat":"dma_wait","ph":"s","id":{},"pid":1,"tid":{},"ts":{},"args":{{"op":{},"wait_us":{}}}}})",
            id, f.src_track + 1, us(src - 1000), name_of(f.op), us(ns_floor(f.wait_ps))));
        event(fmt::format(
            R"({{"name":"load -> compute","cat":"dma_wait","ph":"f","bp":"e","id":{},"pid":1,"tid":{},"ts":{}}})",
            id, f.dst_track + 1, us(dst)));
    }
    out += "\n]}\n";
    if (out.size() > cap)
        throw sim::input_error("--timeline", "$", too_large(out.size(), written, max_mb, level));
    return out;
}

std::string timeline_summary(const arch::timeline_rec &tl, const std::string &text) {
    return fmt::format("timeline: {} slices, {} flows, {} tracks, {:.1f} MB ({} level)\n",
                       tl.slices().size(), tl.flows().size(), tl.tracks().size(),
                       double(text.size()) / 1e6,
                       tl.level() == arch::timeline_rec::detail::tiles ? "tiles" : "summary");
}

} // namespace app
