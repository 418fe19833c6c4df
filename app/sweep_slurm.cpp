#include "app/sweep_slurm.h"

#include "app/child.h"
#include "app/report.h"
#include "ops/sweep.h"
#include "sim/errors.h"
#include "sim/output.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

namespace app {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

/// The complete lines of a results file (a last line without its newline is being written, or
/// was cut by a kill: not read, and the file is left as it is).
std::vector<std::string> complete_lines(const std::string &file) {
    const std::string text = sim::read_file(file);
    std::vector<std::string> out;
    std::size_t at = 0;
    for (std::size_t nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1)
        out.push_back(text.substr(at, nl - at));
    return out;
}

json parse_line(const std::string &line, const std::string &file, std::size_t n) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("id") || !j["id"].is_string() ||
        !j.contains("key") || !j.contains("index") || !j["index"].is_number_unsigned())
        throw sim::input_error(file, "line " + std::to_string(n),
                               "expected a result line of qcsim sweep");
    return j;
}

/// One shard file of DIR/shards: <i>-of-<K>.jsonl.
struct shard_file {
    fs::path path;
    unsigned index = 0, count = 0;
};

std::vector<shard_file> shard_files(const fs::path &dir) {
    std::vector<shard_file> out;
    const fs::path sd = dir / "shards";
    if (!fs::is_directory(sd))
        return out;
    static const std::regex name(R"(([0-9]{1,6})-of-([0-9]{1,6})\.jsonl)");
    for (const auto &e : fs::directory_iterator(sd)) {
        std::smatch m;
        const std::string f = e.path().filename().string();
        if (e.is_regular_file() && std::regex_match(f, m, name))
            out.push_back({e.path(), unsigned(std::stoul(m[1])), unsigned(std::stoul(m[2]))});
    }
    std::sort(out.begin(), out.end(),
              [](const shard_file &a, const shard_file &b) { return a.index < b.index; });
    for (const auto &f : out)
        if (f.count != out.front().count)
            throw sim::input_error(
                f.path.string(), "$",
                fmt::format("a shard of {} shards beside {} of {}: results of two shard counts "
                            "cannot be merged (remove the stale shard files)",
                            f.count, out.front().path.filename().string(), out.front().count));
    return out;
}

/// Every complete line of every shard file, by id.
std::map<std::string, std::pair<std::string, json>> shard_lines(const fs::path &dir) {
    std::map<std::string, std::pair<std::string, json>> by_id;
    for (const auto &f : shard_files(dir)) {
        const auto lines = complete_lines(f.path.string());
        for (std::size_t n = 0; n < lines.size(); ++n) {
            json j = parse_line(lines[n], f.path.string(), n + 1);
            const std::string id = j["id"].get<std::string>();
            if (by_id.count(id))
                throw sim::input_error(f.path.string(), "line " + std::to_string(n + 1),
                                       "run " + id + " appears twice in the shard files");
            by_id.emplace(id, std::make_pair(lines[n], std::move(j)));
        }
    }
    return by_id;
}

fs::path resolved_chip(const std::string &spec_file, const std::string &chip) {
    fs::path p(chip);
    if (p.is_relative())
        p = fs::path(spec_file).parent_path() / p;
    return p.lexically_normal();
}

/// The job name of the array: nothing of the spec reaches the script but its name, filtered to
/// [A-Za-z0-9_.-] (the script's paths are fixed names relative to DIR).
std::string job_name(const std::string &name) {
    std::string out = "qcsim-sweep";
    if (!name.empty())
        out += "-";
    for (char c : name)
        out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'
                   ? c
                   : '_';
    return out.substr(0, 64);
}

} // namespace

std::string sweep_chip_identity(const std::string &chip_file) {
    if (chip_file.empty())
        return "";
    return fnv1a64(sim::read_file(chip_file));
}

namespace {
/// A scenario file's JSON with its chip file (if any) resolved against the scenario's place.
std::pair<ojson, std::string> scenario_and_chip(const std::string &scenario_file) {
    ojson sc = ojson::parse(sim::read_file(scenario_file));
    std::string chip;
    if (sc.contains("chip") && sc["chip"].is_string() && !sc["chip"].get<std::string>().empty()) {
        fs::path c(sc["chip"].get<std::string>());
        if (c.is_relative())
            c = fs::path(scenario_file).parent_path() / c;
        chip = c.lexically_normal().string();
    }
    return {sc, chip};
}
} // namespace

std::string sweep_scenario_identity(const std::string &scenario_file) {
    if (scenario_file.empty())
        return "";
    auto [sc, chip] = scenario_and_chip(scenario_file);
    if (!chip.empty())
        sc["chip"] = sweep_chip_identity(chip);
    return fnv1a64(sc.dump());
}

std::string sweep_results_file(const sweep_options &o) {
    const fs::path dir(o.out_dir);
    if (!o.shard_count)
        return (dir / "results.jsonl").string();
    std::error_code ec;
    fs::create_directory(dir / "shards", ec);
    if (!fs::is_directory(dir / "shards"))
        throw sim::input_error((dir / "shards").string(), "$", "cannot be created");
    return (dir / "shards" / fmt::format("{}-of-{}.jsonl", o.shard_index, o.shard_count)).string();
}

void prepare_sweep_dir(const std::string &spec_file, const std::string &dir) {
    const ops::sweep_spec spec = ops::parse_sweep(sim::read_file(spec_file), spec_file);
    ojson copy = ojson::parse(sim::read_file(spec_file));
    std::vector<std::pair<std::string, std::string>> files;
    if (!spec.chip.empty()) {
        const std::string chip = resolved_chip(spec_file, spec.chip).string();
        files.emplace_back((fs::path(dir) / "chip.json").string(), sim::read_file(chip));
        copy["chip"] = "chip.json";
    }
    if (!spec.scenario.empty()) {
        // The scenario and its chip go into DIR/scenarios/ (a run's label names the scenario by
        // its file name and its key by its content, so they do not change).
        fs::path sp(spec.scenario);
        if (sp.is_relative())
            sp = fs::path(spec_file).parent_path() / sp;
        auto [sc, chip] = scenario_and_chip(sp.lexically_normal().string());
        std::error_code ec;
        fs::create_directory(fs::path(dir) / "scenarios", ec);
        if (!chip.empty()) {
            files.emplace_back((fs::path(dir) / "scenarios" / "chip.json").string(),
                               sim::read_file(chip));
            sc["chip"] = "chip.json";
        }
        const std::string name = sp.filename().string() == "chip.json"
                                     ? std::string("scenario.json")
                                     : sp.filename().string();
        files.emplace_back((fs::path(dir) / "scenarios" / name).string(), sc.dump(2) + "\n");
        copy["scenario"] = "scenarios/" + name;
    }
    files.emplace_back((fs::path(dir) / "sweep.json").string(), copy.dump(2) + "\n");
    std::vector<std::pair<std::string, std::string>> to_write;
    for (const auto &[path, text] : files) {
        if (!fs::exists(path)) {
            to_write.emplace_back(path, text);
            continue;
        }
        if (sim::read_file(path) != text)
            throw sim::input_error(path, "$",
                                   "holds another sweep's spec or chip (this spec's copy "
                                   "differs): use another --out directory");
    }
    sim::write_files_atomic(to_write);
}

std::vector<json> sweep_shard_rows(const std::string &dir) {
    std::vector<json> rows;
    for (auto &[id, line] : shard_lines(dir))
        rows.push_back(std::move(line.second));
    return rows;
}

bool sweep_merge_ready(const std::string &dir,
                       const std::vector<std::pair<std::string, std::size_t>> &missing,
                       std::size_t total) {
    const auto files = shard_files(dir);
    if (!missing.empty()) {
        std::cerr << fmt::format("sweep merge: {} of {} runs missing in {}; nothing written\n",
                                 missing.size(), total, (fs::path(dir) / "shards").string());
        if (files.empty()) {
            std::cerr << "  no shard results at all: run the shards first (qcsim sweep SPEC "
                         "--out DIR --shard i/K, or the job array of --emit slurm)\n";
            return false;
        }
        const unsigned k = files.front().count;
        std::map<unsigned, std::vector<std::string>> by_shard;
        for (const auto &[id, point] : missing)
            by_shard[unsigned(point % k)].push_back(id);
        for (const auto &[s, ids] : by_shard) {
            std::string list;
            for (std::size_t i = 0; i < ids.size() && i < 8; ++i)
                list += (i ? " " : "") + ids[i];
            std::cerr << fmt::format(
                "  shard {}/{}: {} runs missing ({}{}); rerun it (it resumes): qcsim sweep "
                "sweep.json --out . --shard {}/{} in {}\n",
                s, k, ids.size(), list, ids.size() > 8 ? " ..." : "", s, k, dir);
        }
        return false;
    }
    std::vector<std::pair<std::size_t, std::string>> lines;
    for (const auto &[id, line] : shard_lines(dir))
        lines.emplace_back(line.second["index"].get<std::size_t>(), line.first);
    std::sort(lines.begin(), lines.end());
    std::string text;
    for (const auto &l : lines)
        text += l.second + "\n";
    sim::write_file_atomic((fs::path(dir) / "results.jsonl").string(), text);
    std::cerr << fmt::format("sweep merge: {} runs from {} shard files of {}\n", lines.size(),
                             files.size(), files.empty() ? 0 : files.front().count);
    return true;
}

void sort_sweep_results(const std::string &file) {
    if (!fs::exists(file))
        return;
    const auto lines = complete_lines(file);
    std::vector<std::pair<std::size_t, std::size_t>> order; // (index, line)
    for (std::size_t n = 0; n < lines.size(); ++n)
        order.emplace_back(parse_line(lines[n], file, n + 1)["index"].get<std::size_t>(), n);
    if (std::is_sorted(order.begin(), order.end()))
        return;
    std::sort(order.begin(), order.end());
    std::string text;
    for (const auto &o : order)
        text += lines[o.second] + "\n";
    sim::write_file_atomic(file, text);
}

ojson sweep_type_cycles(const json &report) {
    ojson out = ojson::object();
    if (report.contains("by_type") && report["by_type"].is_array())
        for (const auto &g : report["by_type"])
            if (g.contains("type") && g["type"].is_string() && g.contains("cycles"))
                out[g["type"].get<std::string>()] = g["cycles"];
    return out;
}

int emit_slurm(const sweep_options &o, unsigned shards) {
    const ops::sweep_spec spec = ops::parse_sweep(sim::read_file(o.spec_file), o.spec_file);
    const std::size_t points = ops::sweep_points(spec).size();
    if (shards == 0)
        shards = unsigned(std::min<std::size_t>(points, 16));
    if (shards > points)
        throw sim::input_error("--shards", "$",
                               fmt::format("expected at most {} (the spec's points: every "
                                           "shard runs at least one), found {}",
                                           points, shards));
    const fs::path dir(o.out_dir);
    std::error_code ec;
    fs::create_directory(dir, ec);
    if (!fs::is_directory(dir))
        throw sim::input_error(o.out_dir, "$",
                               "expected a directory for the sweep (its parent must exist)");
    prepare_sweep_dir(o.spec_file, o.out_dir);
    for (const char *sub : {"shards", "logs"}) {
        fs::create_directory(dir / sub, ec);
        if (!fs::is_directory(dir / sub))
            throw sim::input_error((dir / sub).string(), "$", "cannot be created");
    }
    // The binary beside the spec: tasks queued for hours run the qcsim that emitted them, even
    // if the build tree is rebuilt meanwhile. Copied to a temporary name and renamed into place.
    const fs::path exe = dir / "qcsim", tmp = dir / ".qcsim.tmp";
    fs::copy_file(self_exe(), tmp, fs::copy_options::overwrite_existing);
    fs::permissions(tmp, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
    fs::rename(tmp, exe);
    const unsigned cpus = o.jobs ? o.jobs : 1;
    const std::string script = fmt::format(
        R"SH(#!/bin/bash
# A Slurm job array written by `qcsim sweep --emit slurm` (docs/sweep.md "Scale-out on Slurm"):
# task i of {K} runs shard i/{K} of sweep.json (the points p with p mod {K} = i) into
# shards/<i>-of-{K}.jsonl, resumably. Submit from this directory:
#   cd DIR && sbatch sweep.sbatch      (or: sbatch -D DIR DIR/sweep.sbatch)
# then, when every task has ended: qcsim sweep merge DIR
#SBATCH --job-name={name}
#SBATCH --array=0-{last}
#SBATCH --ntasks=1
#SBATCH --cpus-per-task={cpus}
#SBATCH --output=logs/%a.out
set -euo pipefail
if [ ! -x ./qcsim ] || [ ! -f ./sweep.json ]; then
  echo "qcsim sweep: run this array from the sweep's directory (cd DIR && sbatch sweep.sbatch)" >&2
  exit 2
fi
exec ./qcsim sweep sweep.json --out . --shard "${{SLURM_ARRAY_TASK_ID}}/{K}" \
  --jobs "${{SLURM_CPUS_PER_TASK:-{cpus}}}"
)SH",
        fmt::arg("K", shards), fmt::arg("last", shards - 1), fmt::arg("cpus", cpus),
        fmt::arg("name", job_name(spec.name)));
    sim::write_file_atomic((dir / "sweep.sbatch").string(), script);
    std::cout << fmt::format("sweep {}: {} points in {} shards ({} to {} points each, {} CPU "
                             "per task) in {}\n"
                             "submit: cd {} && sbatch sweep.sbatch\n"
                             "then:   qcsim sweep merge {}\n",
                             spec.name, points, shards, points / shards,
                             (points + shards - 1) / shards, cpus, o.out_dir, o.out_dir, o.out_dir);
    return 0;
}

int merge_sweep(const std::string &dir) {
    const fs::path spec = fs::path(dir) / "sweep.json";
    if (!fs::is_regular_file(spec))
        throw sim::input_error(dir, "$",
                               "expected a sweep directory holding sweep.json (written by qcsim "
                               "sweep --emit slurm or --shard)");
    sweep_options o;
    o.spec_file = spec.string();
    o.out_dir = dir;
    o.merge = true;
    try {
        return run_sweep(o);
    } catch (const sim::input_error &e) {
        // run_sweep names results.jsonl, where a local run's lines are; a merge's come from a
        // shard file: name it and the line.
        if (e.file() != (fs::path(dir) / "results.jsonl").string())
            throw;
        for (const auto &f : shard_files(dir)) {
            const auto lines = complete_lines(f.path.string());
            for (std::size_t n = 0; n < lines.size(); ++n)
                if (parse_line(lines[n], f.path.string(), n + 1)["id"] == e.json_path())
                    throw sim::input_error(
                        f.path.string(), "line " + std::to_string(n + 1),
                        "run " + e.json_path() + " is not a run of " + spec.string() +
                            " (its points, workloads or chip differ): a shard of another sweep");
        }
        throw;
    }
}

} // namespace app
