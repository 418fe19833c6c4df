#include "app/sweep_targets.h"

#include "app/chip_config.h"
#include "app/scenario.h"
#include "sim/errors.h"
#include "sim/output.h"
#include "workloads/scenario.h"

#include <fmt/format.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sstream>

namespace app {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string text_of(const json &v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

bool starts(const std::string &s, const char *prefix) {
    return s.rfind(prefix, 0) == 0;
}

/// The number at a dotted path under `root` ("summary.e2e_latency_ms.p99"), or null.
json at_path(const json &root, const std::string &path) {
    const json *at = &root;
    std::size_t i = 0;
    while (i <= path.size()) {
        const auto dot = std::min(path.find('.', i), path.size());
        const std::string part = path.substr(i, dot - i);
        if (!at->is_object() || !at->contains(part))
            return nullptr;
        at = &(*at)[part];
        i = dot + 1;
    }
    return at->is_number() ? *at : json(nullptr);
}

/// The report field of an objective: without its "max:"/"min:".
std::string field_of(const std::string &objective) {
    return starts(objective, "max:") || starts(objective, "min:") ? objective.substr(4) : objective;
}

} // namespace

std::string sweep_csv_cell(const json &v) {
    if (v.is_null())
        return "";
    std::string s = v.is_string() ? v.get<std::string>() : v.dump();
    if (s.find_first_of(",\"\n") != std::string::npos) {
        std::string q = "\"";
        for (char c : s)
            q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
    }
    return s;
}

double objective_sign(const std::string &objective) {
    return starts(objective, "max:") ? -1.0 : 1.0;
}

sweep_target resolve_sweep_target(const ops::sweep_spec &s, const std::string &spec_file) {
    sweep_target t;
    const fs::path here = fs::path(spec_file).parent_path();
    if (!s.chip.empty()) {
        fs::path p(s.chip);
        t.chip = (p.is_relative() ? here / p : p).lexically_normal().string();
    }
    if (s.scenario.empty())
        return t;
    fs::path p(s.scenario);
    t.scenario = (p.is_relative() ? here / p : p).lexically_normal().string();
    try {
        t.base = sim::parse_json_text(sim::read_file(t.scenario), t.scenario);
        const auto sc = workloads::scenario_from_json(t.base, t.scenario);
        if (!sc.chip.empty()) {
            fs::path c(sc.chip);
            t.chip = (c.is_relative() ? fs::path(t.scenario).parent_path() / c : c)
                         .lexically_normal()
                         .string();
        }
    } catch (const sim::input_error &e) {
        throw sim::input_error(spec_file, "scenario", e.what());
    }
    // Every value of every scenario key, alone on the base scenario: its element exists and the
    // strict reader takes it.
    for (std::size_t i = 0; i < s.params.size(); ++i)
        for (std::size_t k = 0; k < s.params[i].paths.size(); ++k) {
            const std::string &path = s.params[i].paths[k];
            if (!starts(path, "scenario."))
                continue;
            for (std::size_t v = 0; v < s.params[i].values.size(); ++v) {
                json j = t.base;
                try {
                    apply_scenario_set(j, path.substr(9) + "=" + text_of(s.params[i].values[v][k]));
                    workloads::scenario_from_json(j, t.scenario);
                } catch (const sim::input_error &e) {
                    std::string at = fmt::format("parameters[{}].values[{}]", i, v);
                    if (s.params[i].paths.size() > 1)
                        at += fmt::format("[{}]", k);
                    throw sim::input_error(spec_file, at,
                                           "\"" + path + "\" on " + t.scenario + ": " + e.what() +
                                               (e.json_path().empty() || e.json_path() == "$"
                                                    ? ""
                                                    : " (at " + e.json_path() + ")"));
                }
            }
        }
    return t;
}

std::vector<std::string> scenario_child_args(const ops::sweep_spec &s, const sweep_target &t,
                                             const ops::sweep_point &p,
                                             const std::string &json_file) {
    std::vector<std::string> args = {"qcsim",   "scenario", t.scenario,
                                     "--quiet", "--json",   json_file};
    if (std::any_of(s.objectives.begin(), s.objectives.end(),
                    [](const std::string &o) { return field_of(o) == "streams_sustained"; })) {
        args.push_back("--find-capacity");
        args.push_back("--jobs");
        args.push_back("1");
    }
    for (const auto &[path, v] : p) {
        if (starts(path, "scenario.")) {
            args.push_back("--set");
            args.push_back(path.substr(9) + "=" + text_of(v));
        } else {
            args.push_back("--chip-set");
            args.push_back(path + "=" + text_of(v));
        }
    }
    return args;
}

ops::chip_desc sweep_point_chip(const sweep_target &t, const ops::sweep_point &p) {
    std::vector<std::string> sets;
    for (const auto &[path, v] : p)
        if (!starts(path, "workload.") && !starts(path, "scenario."))
            sets.push_back(path + "=" + text_of(v));
    return load_chip(t.chip, sets).chip;
}

std::vector<std::string> sweep_skips(const ops::sweep_spec &s, const sweep_target &t,
                                     const std::vector<ops::sweep_point> &points) {
    std::vector<std::string> skip(points.size());
    if (s.constraints.empty())
        return skip;
    const bool chip = ops::sweep_needs_chip(s);
    for (std::size_t i = 0; i < points.size(); ++i) {
        ops::chip_desc c;
        if (chip) {
            try {
                c = sweep_point_chip(t, points[i]);
            } catch (const sim::input_error &) {
                continue; // its run fails and says why
            }
        }
        const auto v = ops::sweep_violation(s, points[i], chip ? &c : nullptr);
        if (v.first >= 0)
            skip[i] = v.second;
    }
    return skip;
}

json sweep_objective(const json &rep, const std::string &objective,
                     const std::vector<std::pair<std::string, double>> &figures) {
    const std::string name = field_of(objective);
    const std::string schema = rep.value("schema", "");
    auto look = [&](const json &root, std::initializer_list<const char *> sections) -> json {
        for (const char *sec : sections)
            if (root.contains(sec) && root[sec].contains(name) && root[sec][name].is_number())
                return root[sec][name];
        return at_path(root, name);
    };
    json v;
    if (schema == "qcsim.capacity/1") {
        // --find-capacity: the capacity, and the other fields at capacity.
        if (name == "streams_sustained")
            return rep.contains("capacity_streams") ? rep["capacity_streams"] : json(nullptr);
        const json at = rep.value("at_capacity", json::object());
        v = name == "power"     ? at_path(at, "summary.power_w")
            : name == "latency" ? at_path(at, "summary.e2e_latency_ms.p99")
                                : look(at, {"summary"});
    } else if (schema == "qcsim.scenario_report/1") {
        if (name == "power")
            v = at_path(rep, "summary.power_w");
        else if (name == "energy")
            v = at_path(rep, "energy.energy_mj");
        else if (name == "latency")
            v = at_path(rep, "summary.e2e_latency_ms.p99");
        else
            v = look(rep, {"summary", "energy"});
    } else {
        if (name == "cycles" || name == "latency" || name == "energy" || name == "power")
            v = at_path(rep, name == "cycles"    ? "summary.cycles"
                             : name == "latency" ? "summary.latency_ms"
                             : name == "energy"  ? "summary.energy_uj"
                                                 : "summary.avg_power_w");
        else if (name == "area")
            v = at_path(rep, "chip.area_mm2");
        else if (name == "edp") {
            // Energy-delay product: µJ × ms of the run.
            const json e = at_path(rep, "summary.energy_uj"),
                       d = at_path(rep, "summary.latency_ms");
            if (e.is_number() && d.is_number())
                v = e.get<double>() * d.get<double>();
        } else
            v = look(rep, {"summary", "chip"});
    }
    if (v.is_null()) {
        const std::string fig = name == "area" ? "area_mm2" : name;
        for (const auto &f : figures)
            if (f.first == fig)
                return f.second;
    }
    return v;
}

bool chip_objective(const std::string &objective) {
    const std::string name = field_of(objective);
    if (name == "area" || starts(name, "chip."))
        return true;
    for (const auto &f : ops::sweep_chip_figures(ops::chip_desc{}))
        if (f.first == name)
            return true;
    return false;
}

weighted_results sweep_weighted(const ops::sweep_spec &s, std::size_t n_points,
                                const std::vector<json> &rows) {
    weighted_results out;
    const std::size_t nw = s.workloads.size();
    if (nw < 2)
        return out;
    std::vector<std::vector<const json *>> by_point(n_points, std::vector<const json *>(nw));
    for (const auto &r : rows) {
        const std::size_t i = r["index"].get<std::size_t>();
        if (i / nw < n_points)
            by_point[i / nw][i % nw] = &r;
    }
    std::vector<std::string> paths;
    for (const auto &p : s.params)
        paths.insert(paths.end(), p.paths.begin(), p.paths.end());
    out.csv = "point,status";
    for (const auto &p : paths)
        out.csv += "," + sweep_csv_cell(p);
    for (const auto &n : s.objectives)
        out.csv += "," + sweep_csv_cell(n);
    out.csv += "\n";
    struct combined {
        std::string id;
        json point;
        std::vector<json> values;
    };
    std::vector<combined> ok;
    for (std::size_t p = 0; p < n_points; ++p) {
        const auto &runs = by_point[p];
        if (std::any_of(runs.begin(), runs.end(), [](const json *r) { return !r; }))
            continue; // not finished (cannot happen after a complete sweep)
        std::string status = "ok";
        for (const json *r : runs) {
            const std::string st = (*r)["status"].get<std::string>();
            if (st == "failed" || (st == "skipped" && status == "ok"))
                status = st;
        }
        combined c{fmt::format("p{}", p), (*runs[0])["point"], {}};
        for (const auto &n : s.objectives) {
            json v = nullptr;
            if (status == "ok") {
                double sum = 0;
                bool all = true;
                for (std::size_t w = 0; w < nw; ++w) {
                    const json &x = (*runs[w])["objectives"].value(n, json(nullptr));
                    all = all && x.is_number();
                    if (all)
                        sum += s.workloads[w].weight * x.get<double>();
                }
                if (all)
                    v = chip_objective(n) ? (*runs[0])["objectives"][n] : json(sum);
            }
            c.values.push_back(v);
        }
        out.csv += c.id + "," + status;
        for (const auto &path : paths)
            out.csv += "," + sweep_csv_cell(c.point.value(path, json(nullptr)));
        for (const auto &v : c.values)
            out.csv += "," + sweep_csv_cell(v);
        out.csv += "\n";
        if (status == "ok")
            ok.push_back(std::move(c));
    }
    for (std::size_t a = 0; a < s.objectives.size(); ++a) {
        const combined *best = nullptr;
        for (const auto &c : ok)
            if (c.values[a].is_number() &&
                (!best || objective_sign(s.objectives[a]) * c.values[a].get<double>() <
                              objective_sign(s.objectives[a]) * best->values[a].get<double>()))
                best = &c;
        if (best)
            out.best +=
                fmt::format("  {:<28} {:<14} best {} at {} {}\n", "weighted", s.objectives[a],
                            best->values[a].dump(), best->id, best->point.dump());
        for (std::size_t b = a + 1; b < s.objectives.size(); ++b) {
            std::vector<const combined *> have;
            std::vector<std::vector<double>> pts;
            for (const auto &c : ok)
                if (c.values[a].is_number() && c.values[b].is_number()) {
                    have.push_back(&c);
                    pts.push_back({objective_sign(s.objectives[a]) * c.values[a].get<double>(),
                                   objective_sign(s.objectives[b]) * c.values[b].get<double>()});
                }
            for (std::size_t i : ops::pareto_front(pts))
                out.pareto +=
                    fmt::format("weighted,{},{},{},{},{}\n", sweep_csv_cell(s.objectives[a]),
                                sweep_csv_cell(s.objectives[b]), have[i]->id,
                                have[i]->values[a].dump(), have[i]->values[b].dump());
        }
    }
    return out;
}

std::string sweep_temp_name() {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return fmt::format(".tmp-{}-{}", host, ::getpid());
}

void remove_stale_sweep_temps(const fs::path &dir) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    const std::string prefix = fmt::format(".tmp-{}-", host);
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (!starts(name, prefix.c_str()) || !e.is_directory())
            continue;
        const std::string pid = name.substr(prefix.size());
        if (pid.empty() || pid.size() > 9 || !std::all_of(pid.begin(), pid.end(), ::isdigit))
            continue;
        if (::kill(pid_t(std::stol(pid)), 0) == 0 || errno == EPERM)
            continue; // alive: another sweep of this host in the same DIR
        fs::remove_all(e.path(), ec);
    }
}

std::vector<std::string> reconcile_skips(const fs::path &results,
                                         const std::vector<std::string> &skip,
                                         std::size_t workloads) {
    std::vector<std::string> ids;
    if (!fs::exists(results))
        return ids;
    const std::string text = sim::read_file(results.string());
    std::stringstream ss(text);
    std::string keep, line;
    bool dropped = false;
    while (std::getline(ss, line)) {
        if (ss.eof() && text.back() != '\n')
            break; // a line cut by a kill: the runner drops it too
        const json j = json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.is_object() && j.contains("index") &&
            j["index"].is_number_unsigned() && j.contains("status")) {
            const std::size_t point = j["index"].get<std::size_t>() / workloads;
            const bool was_skipped = j["status"] == "skipped";
            if (point < skip.size() && was_skipped != !skip[point].empty()) {
                dropped = true;
                ids.push_back(j.value("id", ""));
                continue;
            }
        }
        keep += line + "\n";
    }
    if (dropped)
        sim::write_files_atomic({{results.string(), keep}});
    return ids;
}

} // namespace app
