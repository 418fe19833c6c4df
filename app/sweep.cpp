#include "app/sweep.h"

#include "app/child.h"
#include "app/sweep_slurm.h"
#include "app/sweep_targets.h"
#include "ops/sweep.h"
#include "sim/errors.h"
#include "sim/output.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace app {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

/// One run of the sweep: a point on a workload.
struct item {
    std::size_t index = 0; ///< point * workloads + workload
    std::size_t point = 0, workload = 0;
    std::string id;  ///< "p<point>-w<workload>"
    std::string key; ///< the point's assignments and the workload spec: same id, same run
};

/// The workload spec with the point's `workload.<generator>.<param>` values of its generator.
std::string workload_spec(const std::string &base, const ops::sweep_point &p) {
    const auto colon = base.find(':');
    const std::string gen = base.substr(0, colon);
    std::vector<std::pair<std::string, std::string>> kv;
    if (colon != std::string::npos) {
        std::stringstream ss(base.substr(colon + 1));
        std::string part;
        while (std::getline(ss, part, ','))
            if (const auto eq = part.find('='); eq != std::string::npos)
                kv.emplace_back(part.substr(0, eq), part.substr(eq + 1));
    }
    const std::string prefix = "workload." + gen + ".";
    for (const auto &[path, v] : p) {
        if (path.rfind(prefix, 0) != 0)
            continue;
        const std::string k = path.substr(prefix.size());
        const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
        auto it = std::find_if(kv.begin(), kv.end(), [&](const auto &e) { return e.first == k; });
        if (it != kv.end())
            it->second = text;
        else
            kv.emplace_back(k, text);
    }
    std::string out = gen;
    for (std::size_t i = 0; i < kv.size(); ++i)
        out += (i ? "," : ":") + kv[i].first + "=" + kv[i].second;
    return out;
}

/// Complete lines of results.jsonl (a line cut by a kill is dropped: the file is truncated to
/// its last newline so that appending continues on a clean line).
std::vector<json> read_results(const fs::path &file) {
    std::vector<json> out;
    if (!fs::exists(file))
        return out;
    const std::string text = sim::read_file(file.string());
    const auto last = text.rfind('\n');
    const std::size_t keep = last == std::string::npos ? 0 : last + 1;
    if (keep != text.size())
        fs::resize_file(file, keep);
    std::stringstream ss(text.substr(0, keep));
    std::string line;
    std::size_t n = 0;
    while (std::getline(ss, line)) {
        ++n;
        json j = json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("id") || !j.contains("key"))
            throw sim::input_error(file.string(), "line " + std::to_string(n),
                                   "expected a result line of qcsim sweep");
        out.push_back(std::move(j));
    }
    return out;
}

} // namespace

int run_sweep(const sweep_options &o) {
    using clock = std::chrono::steady_clock;
    const ops::sweep_spec spec = ops::parse_sweep(sim::read_file(o.spec_file), o.spec_file);
    const auto points = ops::sweep_points(spec);
    const sweep_target target = resolve_sweep_target(spec, o.spec_file);
    std::string chip;
    if (!spec.chip.empty()) {
        fs::path p(spec.chip);
        if (p.is_relative())
            p = fs::path(o.spec_file).parent_path() / p;
        chip = p.lexically_normal().string();
    }
    const fs::path dir(o.out_dir);
    std::error_code ec;
    fs::create_directory(dir, ec);
    if (!fs::is_directory(dir))
        throw sim::input_error(o.out_dir, "$",
                               "expected a directory for the results (its parent must exist)");
    if (o.shard_count)
        prepare_sweep_dir(o.spec_file, o.out_dir);
    const fs::path results = sweep_results_file(o);

    std::vector<item> items;
    for (std::size_t p = 0; p < points.size(); ++p)
        for (std::size_t w = 0; w < spec.workloads.size(); ++w) {
            if (o.shard_count && p % o.shard_count != o.shard_index)
                continue;
            item it;
            it.point = p;
            it.workload = w;
            it.index = p * spec.workloads.size() + w;
            it.id = fmt::format("p{}-w{}", p, w);
            json k = json::array();
            for (const auto &[path, v] : points[p])
                k.push_back({path, v});
            it.key = k.dump() + " " + spec.workloads[w].spec + " " + sweep_chip_identity(chip);
            if (!target.scenario.empty())
                it.key += " " + sweep_scenario_identity(target.scenario);
            items.push_back(std::move(it));
        }
    // Resume: what results.jsonl already holds is done (and must be this spec's).
    std::set<std::string> done;
    {
        std::map<std::string, const item *> by_id;
        for (const auto &it : items)
            by_id[it.id] = &it;
        for (const auto &j : o.merge ? sweep_shard_rows(o.out_dir) : read_results(results)) {
            const std::string id = j["id"].get<std::string>();
            auto f = by_id.find(id);
            if (f == by_id.end() || f->second->key != j["key"].get<std::string>())
                throw sim::input_error(results.string(), id,
                                       "holds results of another sweep (its points, workloads "
                                       "or chip differ): use another --out directory");
            done.insert(id);
        }
    }
    // Constraints: a point that violates one is recorded as skipped and not run; on resume,
    // a line the current constraints disagree with is dropped and redone.
    const std::vector<std::string> skip = sweep_skips(spec, target, points);
    for (const auto &id : reconcile_skips(results, skip, spec.workloads.size()))
        done.erase(id);
    std::vector<const item *> todo, skipped_now;
    for (const auto &it : items)
        if (!done.count(it.id))
            (skip[it.point].empty() ? todo : skipped_now).push_back(&it);
    if (o.merge) {
        std::vector<std::pair<std::string, std::size_t>> missing;
        for (const item *it : todo)
            missing.emplace_back(it->id, it->point);
        if (!sweep_merge_ready(o.out_dir, missing, items.size()))
            return 1;
        todo.clear();
    }

    const unsigned jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
    const std::string exe = self_exe();
    // Temporary files live in DIR, so a restart after a kill removes what the killed sweep left.
    remove_stale_sweep_temps(dir);
    temp_dir tmp(dir, sweep_temp_name());
    std::FILE *out = std::fopen(results.string().c_str(), "ab");
    if (!out)
        throw sim::input_error(results.string(), "$", "cannot be written");
    for (const item *it : skipped_now) {
        ojson line;
        line["id"] = it->id;
        line["key"] = it->key;
        line["index"] = it->index;
        ojson pj = ojson::object();
        for (const auto &[path, v] : points[it->point])
            pj[path] = v;
        line["point"] = pj;
        line["workload"] = spec.workloads[it->workload].spec;
        line["status"] = "skipped";
        line["skipped_by"] = skip[it->point];
        const std::string text = line.dump() + "\n";
        if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out))
            throw std::runtime_error("cannot write " + results.string());
    }
    struct running {
        const item *it;
        fs::path json_file, err_file;
    };
    std::map<pid_t, running> run;
    std::size_t next = 0, finished = 0, failed = 0;
    const auto t0 = clock::now();
    auto last_print = t0;
    const bool tty = ::isatty(2);
    std::cerr << fmt::format("sweep: {} runs ({} points x {} workloads), {} done already, {} "
                             "to run, {} at a time\n",
                             items.size(), items.size() / spec.workloads.size(),
                             spec.workloads.size(), done.size(), todo.size(), jobs);
    if (!skipped_now.empty())
        std::cerr << fmt::format("sweep: {} runs skipped by the constraints\n", skipped_now.size());
    while (next < todo.size() || !run.empty()) {
        while (next < todo.size() && run.size() < jobs) {
            const item &it = *todo[next++];
            running r{&it, tmp.path / (it.id + ".json"), tmp.path / (it.id + ".err")};
            std::vector<std::string> args = {"qcsim", "run", "--quiet", "--json",
                                             r.json_file.string()};
            if (!chip.empty()) {
                args.push_back("--chip");
                args.push_back(chip);
            }
            args.push_back("--workload");
            args.push_back(workload_spec(spec.workloads[it.workload].spec, points[it.point]));
            for (const auto &[path, v] : points[it.point])
                if (path.rfind("workload.", 0) != 0) {
                    args.push_back("--set");
                    args.push_back(path + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
                }
            if (!target.scenario.empty()) // a scenario point runs qcsim scenario instead
                args = scenario_child_args(spec, target, points[it.point], r.json_file.string());
            run[spawn(exe, args, r.err_file)] = r;
        }
        int st = 0;
        const pid_t pid = ::waitpid(-1, &st, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
        }
        auto f = run.find(pid);
        if (f == run.end())
            continue;
        const running r = f->second;
        run.erase(f);
        const item &it = *r.it;
        ojson line;
        line["id"] = it.id;
        line["key"] = it.key;
        line["index"] = it.index;
        ojson pj = ojson::object();
        for (const auto &[path, v] : points[it.point])
            pj[path] = v;
        line["point"] = pj;
        line["workload"] = spec.workloads[it.workload].spec;
        const bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        json rep;
        if (ok)
            rep = json::parse(sim::read_file(r.json_file.string()), nullptr, false);
        if (ok && !rep.is_discarded()) {
            line["status"] = "ok";
            ojson obj = ojson::object();
            std::vector<std::pair<std::string, double>> figures; // a scenario report has none
            if (!target.scenario.empty()) {
                try {
                    figures = ops::sweep_chip_figures(sweep_point_chip(target, points[it.point]));
                } catch (const sim::input_error &) {
                    // the run succeeded on a chip this cannot rebuild: no chip figures
                }
            }
            for (const auto &name : spec.objectives)
                obj[name] = sweep_objective(rep, name, figures);
            line["objectives"] = obj;
            line["config_hash"] = rep.contains("run") && rep["run"].contains("chip_config_hash")
                                      ? rep["run"]["chip_config_hash"]
                                      : json(nullptr);
            line["type_cycles"] = sweep_type_cycles(rep);
        } else {
            ++failed;
            std::string err = fs::exists(r.err_file) ? sim::read_file(r.err_file.string()) : "";
            while (!err.empty() && (err.back() == '\n' || err.back() == ' '))
                err.pop_back();
            line["status"] = "failed";
            line["error"] = sim::brief(err.empty() ? exit_text(st) : err, 1000);
        }
        const std::string text = line.dump() + "\n";
        if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out))
            throw std::runtime_error("cannot write " + results.string());
        ++finished;
        const auto now = clock::now();
        if (now - last_print > std::chrono::seconds(1) || finished == todo.size()) {
            last_print = now;
            const double s = std::chrono::duration<double>(now - t0).count();
            const double rate = finished / std::max(s, 1e-9);
            std::cerr << fmt::format(
                "{}sweep: {}/{} done, {} failed, {:.1f} runs/s, ETA {:.0f} s{}", tty ? "\r" : "",
                done.size() + skipped_now.size() + finished, items.size(), failed, rate,
                (todo.size() - finished) / std::max(rate, 1e-9), tty ? "" : "\n");
        }
    }
    std::fclose(out);
    if (tty && !todo.empty())
        std::cerr << "\n";

    if (o.shard_count) {
        std::cout << fmt::format("sweep {} shard {}/{}: {} runs in {}; qcsim sweep merge {} "
                                 "joins the shards once all have run\n",
                                 spec.name, o.shard_index, o.shard_count, items.size(),
                                 results.string(), o.out_dir);
        return 0;
    }
    sort_sweep_results(results.string());
    // The whole result, in point order: results.csv, pareto.csv and the best points.
    std::vector<json> rows = read_results(results);
    std::sort(rows.begin(), rows.end(), [](const json &a, const json &b) {
        return a["index"].get<std::size_t>() < b["index"].get<std::size_t>();
    });
    std::vector<std::string> paths;
    for (const auto &p : spec.params)
        paths.insert(paths.end(), p.paths.begin(), p.paths.end());
    std::string csv = "id,workload,status";
    for (const auto &p : paths)
        csv += "," + sweep_csv_cell(p);
    for (const auto &n : spec.objectives)
        csv += "," + sweep_csv_cell(n);
    csv += ",config_hash,error\n";
    for (const auto &r : rows) {
        csv += sweep_csv_cell(r["id"]) + "," + sweep_csv_cell(r["workload"]) + "," +
               sweep_csv_cell(r["status"]);
        for (const auto &p : paths)
            csv += "," + sweep_csv_cell(r["point"].value(p, json(nullptr)));
        for (const auto &n : spec.objectives)
            csv += "," + sweep_csv_cell(r.contains("objectives")
                                            ? r["objectives"].value(n, json(nullptr))
                                            : json(nullptr));
        csv += "," + sweep_csv_cell(r.value("config_hash", json(nullptr))) + "," +
               sweep_csv_cell(r.value("error", r.value("skipped_by", json(nullptr)))) + "\n";
    }
    // Pareto fronts: per workload, every pair of objectives, minimised (max: ones negated).
    std::string pareto = "workload,objective_a,objective_b,id,value_a,value_b\n";
    std::string best;
    for (const auto &w : spec.workloads) {
        std::vector<const json *> ok;
        for (const auto &r : rows)
            if (r["workload"] == w.spec && r["status"] == "ok")
                ok.push_back(&r);
        for (std::size_t a = 0; a < spec.objectives.size(); ++a) {
            const std::string &na = spec.objectives[a];
            const json *b_row = nullptr;
            for (const json *r : ok) {
                const json &v = (*r)["objectives"][na];
                if (v.is_number() &&
                    (!b_row || objective_sign(na) * v.get<double>() <
                                   objective_sign(na) * (*b_row)["objectives"][na].get<double>()))
                    b_row = r;
            }
            if (b_row)
                best += fmt::format("  {:<28} {:<14} best {} at {} {}\n", w.spec, na,
                                    (*b_row)["objectives"][na].dump(),
                                    (*b_row)["id"].get<std::string>(), (*b_row)["point"].dump());
            for (std::size_t b = a + 1; b < spec.objectives.size(); ++b) {
                const std::string &nb = spec.objectives[b];
                std::vector<const json *> have;
                std::vector<std::vector<double>> pts;
                for (const json *r : ok) {
                    const json &va = (*r)["objectives"][na], &vb = (*r)["objectives"][nb];
                    if (va.is_number() && vb.is_number()) {
                        have.push_back(r);
                        pts.push_back({objective_sign(na) * va.get<double>(),
                                       objective_sign(nb) * vb.get<double>()});
                    }
                }
                for (std::size_t i : ops::pareto_front(pts))
                    pareto += fmt::format(
                        "{},{},{},{},{},{}\n", sweep_csv_cell(w.spec), sweep_csv_cell(na),
                        sweep_csv_cell(nb), (*have[i])["id"].get<std::string>(),
                        (*have[i])["objectives"][na].dump(), (*have[i])["objectives"][nb].dump());
            }
        }
    }
    // Two or more workloads: their weighted combination per point (weighted.csv).
    const weighted_results wr = sweep_weighted(spec, points.size(), rows);
    pareto += wr.pareto;
    best += wr.best;
    std::vector<std::pair<std::string, std::string>> files = {
        {(dir / "results.csv").string(), csv}, {(dir / "pareto.csv").string(), pareto}};
    if (!wr.csv.empty())
        files.emplace_back((dir / "weighted.csv").string(), wr.csv);
    sim::write_files_atomic(files);
    std::size_t n_failed = 0, n_skipped = 0;
    for (const auto &r : rows) {
        n_failed += r["status"] == "failed";
        n_skipped += r["status"] == "skipped";
    }
    for (const auto &n : spec.objectives) {
        bool any = false;
        for (const auto &r : rows)
            any = any || (r.contains("objectives") && r["objectives"].value(n, json()).is_number());
        if (!any && rows.size() > n_failed + n_skipped)
            std::cerr << fmt::format("sweep: objective \"{}\" is not a number in any report "
                                     "(docs/sweep.md \"Objectives\")\n",
                                     n);
    }
    std::cout << fmt::format("sweep {}: {} runs, {} failed, {} skipped; results in {}\n", spec.name,
                             rows.size(), n_failed, n_skipped, dir.string())
              << best;
    return 0;
}

} // namespace app
