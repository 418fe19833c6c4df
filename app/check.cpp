#include "app/check.h"

#include "app/child.h"
#include "app/chip_config.h"
#include "sim/dir_update.h"
#include "sim/errors.h"
#include "sim/output.h"
#include "sim/table.h"
#include "workloads/generators.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

extern char **environ;

namespace app {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using clock_type = std::chrono::steady_clock;

constexpr const char *manifest_schema = "qcsim.golden-manifest/1";
constexpr const char *golden_schema = "qcsim.golden/1";
constexpr const char *check_schema = "qcsim.check/1";
/// The folder inside --golden where --update stages the new goldens before swapping them in
/// (sim/dir_update.h). Chip folders are slugs, which never start with a '.'.
constexpr const char *staging_name = ".qcsim-update-staging";
/// Longest golden file or folder name (a slug), in characters: well under NAME_MAX.
constexpr std::size_t max_slug_chars = 200;
constexpr const char *golden_comment =
    "Recorded by 'qcsim check --update' from qcsim run's report. Regenerate only on purpose, in "
    "a reviewed commit that says why the numbers moved (README 'Regression goldens').";

// The numbers a golden pins, per operator and for the whole run, in file order. The integer
// ones are compared exactly as integers (all below 2^53, so a double holds them exactly);
// energy is the report's value rounded to 1e-6 uJ, compared as written.
struct field_def {
    const char *name;
    bool integer;
};
constexpr std::size_t n_fields = 5;
constexpr std::array<field_def, n_fields> fields{{{"cycles", true},
                                                  {"macs", true},
                                                  {"dram_bytes_read", true},
                                                  {"dram_bytes_written", true},
                                                  {"energy_uj", false}}};
constexpr std::size_t f_cycles = 0;

using numbers = std::array<double, n_fields>;

struct op_record {
    std::string name, type;
    numbers n{};
};

/// The content of one golden file (or what a fresh run would record).
struct record {
    std::string chip_file; ///< as the manifest lists it, relative to the manifest's directory
    std::string chip_name;
    std::string config_hash;   ///< the report's run.chip_config_hash ("" in older goldens)
    std::string workload_spec; ///< as the manifest lists it
    std::string workload_name; ///< the generator's canonical spec (the report's workload.name)
    numbers totals{};
    std::vector<op_record> ops;
};

// ---------------------------------------------------------------------------------------------
// Strict reading of JSON documents written by hand or by us.

std::string join_path(const std::string &base, const std::string &key) {
    return base.empty() ? key : base + "." + key;
}

std::string found(const json &v) {
    return std::string(v.type_name()) + " " + sim::brief_json(v);
}

const json &member(const json &obj, const char *key, const std::string &file,
                   const std::string &path, const char *expected) {
    auto it = obj.find(key);
    if (it == obj.end())
        throw sim::input_error(file, join_path(path, key),
                               std::string("missing: expected ") + expected);
    return *it;
}

std::string get_string(const json &obj, const char *key, const std::string &file,
                       const std::string &path) {
    const json &v = member(obj, key, file, path, "a string");
    if (!v.is_string())
        throw sim::input_error(file, join_path(path, key), "expected a string, found " + found(v));
    return v.get<std::string>();
}

double get_number(const json &obj, const field_def &f, const std::string &file,
                  const std::string &path) {
    const char *what = f.integer ? "an integer >= 0" : "a number";
    const json &v = member(obj, f.name, file, path, what);
    if (f.integer ? !v.is_number_unsigned() : !v.is_number())
        throw sim::input_error(file, join_path(path, f.name),
                               std::string("expected ") + what + ", found " + found(v));
    return f.integer ? double(v.get<std::uint64_t>()) : v.get<double>();
}

void only_keys(const json &obj, std::initializer_list<const char *> keys, const std::string &file,
               const std::string &path) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        if (it.key().rfind("//", 0) == 0)
            continue; // a comment
        bool known = false;
        std::string list;
        for (const char *k : keys) {
            known = known || it.key() == k;
            list += (list.empty() ? "" : ", ") + std::string(k);
        }
        if (!known)
            throw sim::input_error(file, join_path(path, it.key()),
                                   "unknown key: expected one of " + list + " or a \"//\" comment");
    }
}

const json &get_object(const json &obj, const char *key, const std::string &file,
                       const std::string &path) {
    const json &v = member(obj, key, file, path, "an object");
    if (!v.is_object())
        throw sim::input_error(file, join_path(path, key), "expected an object, found " + found(v));
    return v;
}

numbers get_numbers(const json &obj, const std::string &file, const std::string &path) {
    numbers n{};
    for (std::size_t f = 0; f < n_fields; ++f)
        n[f] = get_number(obj, fields[f], file, path);
    return n;
}

record parse_golden(const std::string &text, const std::string &file) {
    json j = sim::parse_json_text(text, file);
    if (!j.is_object())
        throw sim::input_error(file, "$", "expected a golden object (schema qcsim.golden/1)");
    only_keys(j, {"schema", "chip", "workload", "totals", "ops"}, file, "");
    const std::string schema = get_string(j, "schema", file, "");
    if (schema != golden_schema)
        throw sim::input_error(file, "schema",
                               std::string("expected \"") + golden_schema + "\", found \"" +
                                   sim::brief(schema) + "\"");
    record r;
    const json &chip = get_object(j, "chip", file, "");
    only_keys(chip, {"file", "name", "config_hash"}, file, "chip");
    r.chip_file = get_string(chip, "file", file, "chip");
    r.chip_name = get_string(chip, "name", file, "chip");
    if (chip.contains("config_hash"))
        r.config_hash = get_string(chip, "config_hash", file, "chip");
    const json &wl = get_object(j, "workload", file, "");
    only_keys(wl, {"spec", "name"}, file, "workload");
    r.workload_spec = get_string(wl, "spec", file, "workload");
    r.workload_name = get_string(wl, "name", file, "workload");
    const json &tot = get_object(j, "totals", file, "");
    only_keys(tot, {"cycles", "macs", "dram_bytes_read", "dram_bytes_written", "energy_uj"}, file,
              "totals");
    r.totals = get_numbers(tot, file, "totals");
    const json &ops = member(j, "ops", file, "", "a list of operators");
    if (!ops.is_array())
        throw sim::input_error(file, "ops", "expected a list of operators, found " + found(ops));
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const std::string p = "ops[" + std::to_string(i) + "]";
        if (!ops[i].is_object())
            throw sim::input_error(file, p, "expected an operator object, found " + found(ops[i]));
        only_keys(ops[i],
                  {"name", "type", "cycles", "macs", "dram_bytes_read", "dram_bytes_written",
                   "energy_uj"},
                  file, p);
        op_record o;
        o.name = get_string(ops[i], "name", file, p);
        o.type = get_string(ops[i], "type", file, p);
        o.n = get_numbers(ops[i], file, p);
        r.ops.push_back(std::move(o));
    }
    return r;
}

std::string number_text(std::size_t f, double v) {
    return fields[f].integer ? std::to_string(std::uint64_t(v)) : json(v).dump();
}

std::string numbers_text(const numbers &n) {
    std::string s;
    for (std::size_t f = 0; f < n_fields; ++f)
        s += fmt::format("{}\"{}\": {}", f ? ", " : "", fields[f].name, number_text(f, n[f]));
    return s;
}

/// One operator per line: small diffs in review, readable without tools.
std::string golden_text(const record &r) {
    auto q = [](const std::string &s) { return json(s).dump(); };
    std::string s = "{\n";
    s += fmt::format("  \"schema\": {},\n", q(golden_schema));
    s += fmt::format("  \"//\": {},\n", q(golden_comment));
    s += fmt::format("  \"chip\": {{\"file\": {}, \"name\": {}, \"config_hash\": {}}},\n",
                     q(r.chip_file), q(r.chip_name), q(r.config_hash));
    s += fmt::format("  \"workload\": {{\"spec\": {}, \"name\": {}}},\n", q(r.workload_spec),
                     q(r.workload_name));
    s += fmt::format("  \"totals\": {{{}}},\n", numbers_text(r.totals));
    s += "  \"ops\": [\n";
    for (std::size_t i = 0; i < r.ops.size(); ++i)
        s += fmt::format("    {{\"name\": {}, \"type\": {}, {}}}{}\n", q(r.ops[i].name),
                         q(r.ops[i].type), numbers_text(r.ops[i].n),
                         i + 1 < r.ops.size() ? "," : "");
    s += "  ]\n}\n";
    return s;
}

// ---------------------------------------------------------------------------------------------
// The manifest and the pairs it defines.

struct manifest {
    fs::path dir;
    std::string file;
    std::vector<std::string> chips, workloads, exclude;
};

std::vector<std::string> string_list(const json &m, const char *key, const std::string &file,
                                     bool required) {
    if (!m.contains(key)) {
        if (required)
            throw sim::input_error(file, key, "missing: expected a list of strings");
        return {};
    }
    const json &a = m[key];
    if (!a.is_array() || (required && a.empty()))
        throw sim::input_error(file, key,
                               "expected a non-empty list of strings, found " + found(a));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_string() || a[i].get<std::string>().empty())
            throw sim::input_error(file, std::string(key) + "[" + std::to_string(i) + "]",
                                   "expected a non-empty string, found " + found(a[i]));
        out.push_back(a[i].get<std::string>());
    }
    return out;
}

manifest read_manifest(const fs::path &dir) {
    manifest m;
    m.dir = dir;
    m.file = (dir / "manifest.json").string();
    json j = sim::parse_json_text(sim::read_file(m.file), m.file);
    if (!j.is_object())
        throw sim::input_error(
            m.file, "$", "expected an object with schema, chips and workloads, found " + found(j));
    only_keys(j, {"schema", "chips", "workloads", "exclude"}, m.file, "");
    const std::string schema = get_string(j, "schema", m.file, "");
    if (schema != manifest_schema)
        throw sim::input_error(m.file, "schema",
                               std::string("expected \"") + manifest_schema + "\", found \"" +
                                   sim::brief(schema) + "\"");
    m.chips = string_list(j, "chips", m.file, true);
    m.workloads = string_list(j, "workloads", m.file, true);
    m.exclude = string_list(j, "exclude", m.file, false);
    return m;
}

struct pair_def {
    std::string chip_name;
    std::string chip_slug; ///< folder of the chip's goldens: safe_slug(chip_name)
    std::string chip_file; ///< as listed in the manifest
    std::string chip_path; ///< resolved against the manifest's directory
    std::string spec;      ///< as listed in the manifest
    std::string run_spec;  ///< what the child gets (a trace path resolved like chip_path)
    std::string slug;      ///< file name of the golden, without ".json"
    std::string workload_name;
    std::string name() const { return chip_name + "/" + spec; }
    std::string golden_rel() const { return chip_slug + "/" + slug + ".json"; }
};

// The rule of workloads::build_workload: a trace file ends in ".json" or contains a '/'.
bool is_trace(const std::string &spec) {
    return (spec.size() >= 5 && spec.compare(spec.size() - 5, 5, ".json") == 0) ||
           spec.find('/') != std::string::npos;
}

/// A file or folder name made of `text` that cannot leave the golden directory: every character
/// but ASCII letters, digits, '.', '-', '=' and '_' becomes '_' (so no '/'), and so does a
/// leading '.' (so no "..", no hidden file, never the staging folder). "" for "".
std::string safe_slug(const std::string &text) {
    std::string s = text;
    for (auto &c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '=' ||
              c == '_'))
            c = '_';
    if (!s.empty() && s[0] == '.')
        s[0] = '_';
    return s;
}

/// "mobilenext:identity_div=2" -> "mobilenext_identity_div=2"; a trace -> its file's stem.
std::string slug_of(const std::string &spec) {
    return safe_slug(is_trace(spec) ? fs::path(spec).stem().string() : spec);
}

/// A golden file or folder name must be usable: not empty and not too long.
void check_slug(const std::string &slug, const std::string &of, const std::string &file,
                const std::string &path) {
    if (slug.empty())
        throw sim::input_error(file, path,
                               "expected a non-empty " + of +
                                   ": goldens are stored in a file or folder named after it");
    if (slug.size() > max_slug_chars)
        throw sim::input_error(file, path,
                               fmt::format("the {} \"{}\" is too long to name a golden file or "
                                           "folder: expected at most {} characters",
                                           of, sim::brief(slug), max_slug_chars));
}

bool glob_match(const std::string &pattern, const std::string &text) {
    return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

bool pair_matches(const std::string &pattern, const pair_def &p) {
    return glob_match(pattern, p.name()) ||
           glob_match(pattern, p.chip_slug + "/" + p.slug); // the golden's own name
}

std::vector<pair_def> make_pairs(const manifest &m) {
    struct chip_entry {
        std::string file, path, name, slug;
    };
    std::vector<chip_entry> chips;
    for (std::size_t i = 0; i < m.chips.size(); ++i) {
        chip_entry c{m.chips[i], (m.dir / m.chips[i]).lexically_normal().string(), "", ""};
        if (!fs::exists(c.path))
            throw sim::input_error(m.file, "chips[" + std::to_string(i) + "]",
                                   "chip config \"" + sim::brief(c.path) +
                                       "\" not found (paths are relative to the manifest)");
        c.name = load_chip(c.path, {}).chip.name; // errors name the chip file
        c.slug = safe_slug(c.name);
        check_slug(c.slug, "chip name", c.path, "name");
        for (const auto &o : chips)
            if (o.slug == c.slug)
                throw sim::input_error(
                    m.file, "chips[" + std::to_string(i) + "]",
                    "chip name \"" + sim::brief(c.name) + "\" of " + c.path +
                        (o.name == c.name ? " is also the name of " + o.path
                                          : " and \"" + sim::brief(o.name) + "\" of " + o.path +
                                                " have the same folder name \"" + c.slug + "\"") +
                        ": goldens are stored by chip name, give each chip config its own");
        chips.push_back(c);
    }
    struct workload_entry {
        std::string spec, run_spec, slug, name;
    };
    std::vector<workload_entry> wls;
    for (std::size_t i = 0; i < m.workloads.size(); ++i) {
        const std::string path = "workloads[" + std::to_string(i) + "]";
        workload_entry w{m.workloads[i], m.workloads[i], slug_of(m.workloads[i]), ""};
        check_slug(w.slug, "workload file name", m.file, path);
        if (is_trace(w.spec))
            w.run_spec = (m.dir / w.spec).lexically_normal().string();
        try {
            w.name = workloads::build_workload(w.run_spec).name;
        } catch (const sim::input_error &e) {
            throw sim::input_error(m.file, path, e.what());
        }
        for (const auto &o : wls)
            if (o.slug == w.slug)
                throw sim::input_error(
                    m.file, path,
                    "workload \"" + sim::brief(w.spec) + "\" and \"" + sim::brief(o.spec) +
                        "\" would share the golden file name \"" + w.slug + ".json\"");
        wls.push_back(w);
    }
    std::vector<pair_def> pairs;
    std::vector<bool> exclude_used(m.exclude.size(), false);
    for (const auto &c : chips)
        for (const auto &w : wls) {
            pair_def p{c.name, c.slug, c.file, c.path, w.spec, w.run_spec, w.slug, w.name};
            bool excluded = false;
            for (std::size_t e = 0; e < m.exclude.size(); ++e)
                if (pair_matches(m.exclude[e], p)) {
                    excluded = true;
                    exclude_used[e] = true;
                }
            if (!excluded)
                pairs.push_back(p);
        }
    // A golden must never be stored over a file the manifest lists (a trace in a chip's folder
    // has the name of its own golden there).
    std::map<fs::path, std::string> inputs; // canonical path -> where the manifest lists it
    auto canonical = [](const fs::path &p) { return fs::weakly_canonical(fs::absolute(p)); };
    inputs[canonical(m.file)] = "the manifest itself";
    for (std::size_t i = 0; i < m.chips.size(); ++i)
        inputs[canonical(m.dir / m.chips[i])] = "chips[" + std::to_string(i) + "]";
    for (std::size_t i = 0; i < wls.size(); ++i)
        if (is_trace(wls[i].spec))
            inputs[canonical(wls[i].run_spec)] = "workloads[" + std::to_string(i) + "]";
    for (const auto &p : pairs) {
        auto it = inputs.find(canonical(m.dir / p.golden_rel()));
        if (it != inputs.end())
            throw sim::input_error(m.file, it->second,
                                   "the golden of pair " + sim::brief(p.name()) +
                                       " would be stored at " + p.golden_rel() +
                                       ", which is this file: keep traces in a folder that is "
                                       "not named after a chip, or rename them");
    }
    for (std::size_t e = 0; e < m.exclude.size(); ++e)
        if (!exclude_used[e])
            throw sim::input_error(m.file, "exclude[" + std::to_string(e) + "]",
                                   "pattern \"" + sim::brief(m.exclude[e]) +
                                       "\" matches no <chip>/<workload> pair: remove it");
    return pairs;
}

/// A golden file below the golden directory that belongs to no pair of the manifest.
struct stray_golden {
    std::string rel; ///< "<chip slug>/<file>"
    /// --update wrote it: its schema is qcsim.golden/1 and it holds the golden of the pair it is
    /// named after. Only such a file is ever deleted.
    bool ours = false;
    std::string why_not_ours; ///< when !ours: what it holds instead
};

/// Files in the chip folders of `dir` (`<folder>/<name>.json`) that are goldens (their schema
/// is qcsim.golden/1) of no pair in `known`. Every other file there - a trace the manifest
/// lists, notes, anything without the golden schema - is not a golden and never touched.
std::vector<stray_golden> stray_goldens(const fs::path &dir, const std::set<std::string> &known) {
    std::vector<stray_golden> out;
    for (const auto &d : fs::directory_iterator(dir)) {
        const std::string folder = d.path().filename().string();
        if (!d.is_directory() || folder.empty() || folder[0] == '.') // e.g. the staging folder
            continue;
        for (const auto &f : fs::directory_iterator(d.path())) {
            if (!f.is_regular_file() || f.is_symlink() || f.path().extension() != ".json")
                continue;
            const std::string rel = folder + "/" + f.path().filename().string();
            if (known.count(rel))
                continue;
            const std::string file = f.path().string();
            json j;
            try {
                j = sim::parse_json_text(sim::read_file(file), file);
            } catch (const sim::input_error &) {
                continue; // not JSON, so not a golden we wrote
            }
            if (!j.is_object() || j.value("schema", json()) != golden_schema)
                continue;
            stray_golden s{rel, false, ""};
            try {
                const record g = parse_golden(sim::read_file(file), file);
                const std::string own =
                    safe_slug(g.chip_name) + "/" + slug_of(g.workload_spec) + ".json";
                s.ours = own == rel;
                if (!s.ours)
                    s.why_not_ours = "it holds the golden of " + sim::brief(g.chip_name) + "/" +
                                     sim::brief(g.workload_spec) + ", whose file is " +
                                     sim::brief(own);
            } catch (const sim::input_error &e) {
                s.why_not_ours = std::string("it is not a valid golden: ") + e.what();
            }
            out.push_back(s);
        }
    }
    std::sort(out.begin(), out.end(),
              [](const stray_golden &a, const stray_golden &b) { return a.rel < b.rel; });
    return out;
}

// ---------------------------------------------------------------------------------------------
// Child processes: `qcsim run` per pair, at most `parallel` at once.

struct job {
    std::size_t pair = 0;
    bool repeat = false; ///< the determinism guard's second run of its pair
    fs::path json_file, err_file;
    pid_t pid = -1;
    clock_type::time_point start;
    double wall_ms = 0;
    int status = -1; ///< as waitpid reports it
    bool ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

std::vector<std::string> child_args(const pair_def &p, const fs::path &json_file) {
    return {"qcsim",      "run",      "--quiet", "--chip",          p.chip_path,
            "--workload", p.run_spec, "--json",  json_file.string()};
}

/// Runs every job; stops starting new ones after the first failure (and waits for the rest).
void run_jobs(std::vector<job> &jobs, const std::vector<pair_def> &pairs, unsigned parallel,
              const std::string &exe) {
    std::map<pid_t, std::size_t> running;
    std::size_t next = 0;
    bool failed = false;
    while (true) {
        while (!failed && next < jobs.size() && running.size() < parallel) {
            job &j = jobs[next];
            j.start = clock_type::now();
            j.pid = spawn(exe, child_args(pairs[j.pair], j.json_file), j.err_file);
            running[j.pid] = next++;
        }
        if (running.empty())
            break;
        int st = 0;
        pid_t pid = ::waitpid(-1, &st, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
        }
        auto it = running.find(pid);
        if (it == running.end())
            continue;
        job &j = jobs[it->second];
        j.status = st;
        j.wall_ms = std::chrono::duration<double, std::milli>(clock_type::now() - j.start).count();
        running.erase(it);
        failed = failed || !j.ok();
    }
}

record from_report(const json &rep, const pair_def &p) {
    record r;
    r.chip_file = p.chip_file;
    r.chip_name = rep.at("chip").at("name").get<std::string>();
    if (rep.contains("run"))
        r.config_hash = rep.at("run").at("chip_config_hash").get<std::string>();
    r.workload_spec = p.spec;
    r.workload_name = rep.at("workload").at("name").get<std::string>();
    const json &s = rep.at("summary");
    for (std::size_t f = 0; f < n_fields; ++f)
        r.totals[f] = s.at(fields[f].name).get<double>();
    for (const auto &o : rep.at("ops")) {
        op_record op{o.at("name").get<std::string>(), o.at("type").get<std::string>(), {}};
        for (std::size_t f = 0; f < n_fields; ++f)
            op.n[f] = o.at(fields[f].name).get<double>();
        r.ops.push_back(std::move(op));
    }
    return r;
}

// ---------------------------------------------------------------------------------------------
// Comparison.

struct delta {
    std::size_t field = 0;
    double before = 0, after = 0;
    double pct = 0; ///< signed; +-infinity when `before` is 0 and `after` is not
    bool moved = false;
};

delta make_delta(std::size_t f, double before, double after, double tol_pct) {
    delta d{f, before, after, 0.0, false};
    if (after != before)
        d.pct = before != 0 ? 100.0 * (after - before) / std::abs(before)
                            : std::copysign(std::numeric_limits<double>::infinity(), after);
    // The tolerance rule: |after - before| <= PCT/100 * |before| passes; with PCT = 0 it is
    // exact equality (and a number that leaves 0 always moves).
    d.moved = std::abs(after - before) > tol_pct / 100.0 * std::abs(before);
    return d;
}

struct op_delta {
    std::string name, type;
    std::size_t index = 0;    ///< position in the new run
    std::vector<delta> moved; ///< the fields beyond tolerance
    double rank = 0;          ///< |delta %| of the headline field: the order of the listing
    const delta &headline() const {
        for (const auto &d : moved)
            if (d.field == f_cycles)
                return d;
        return *std::max_element(moved.begin(), moved.end(), [](const delta &a, const delta &b) {
            return std::abs(a.pct) < std::abs(b.pct);
        });
    }
};

struct comparison {
    std::array<delta, n_fields> totals{};
    std::vector<op_delta> moved_ops; ///< most moved first
    std::vector<std::string> added, removed, notes;
    /// The effective chip config differs from the golden's (its hash): said next to what
    /// moved, but not a difference by itself (a new key with a default changes the hash).
    std::string config_change;
    std::size_t ops_compared = 0;
    double max_abs_pct = 0; ///< over every compared number, moved or not
    bool moved = false;
};

std::vector<std::string> op_keys(const std::vector<op_record> &ops) {
    // Operators are matched by name; a repeated name is told apart by its occurrence.
    std::map<std::string, int> seen;
    std::vector<std::string> keys;
    for (const auto &o : ops) {
        int k = seen[o.name]++;
        keys.push_back(k ? o.name + "#" + std::to_string(k) : o.name);
    }
    return keys;
}

comparison compare(const record &before, const record &after, double tol_pct) {
    comparison c;
    auto seen = [&](const delta &d) {
        c.max_abs_pct = std::max(c.max_abs_pct, std::abs(d.pct));
        c.moved = c.moved || d.moved;
    };
    for (std::size_t f = 0; f < n_fields; ++f) {
        c.totals[f] = make_delta(f, before.totals[f], after.totals[f], tol_pct);
        seen(c.totals[f]);
    }
    if (before.workload_name != after.workload_name)
        c.notes.push_back("workload name " + before.workload_name + " -> " + after.workload_name);
    if (!before.config_hash.empty() && before.config_hash != after.config_hash)
        c.config_change = "the chip config changed since the golden was recorded (" +
                          before.config_hash + " -> " + after.config_hash +
                          "): a key, a default or the chip file differs";
    const auto kb = op_keys(before.ops), ka = op_keys(after.ops);
    std::map<std::string, std::size_t> index_before;
    for (std::size_t i = 0; i < kb.size(); ++i)
        index_before[kb[i]] = i;
    const std::set<std::string> keys_after(ka.begin(), ka.end());
    std::vector<std::string> order_after, order_before;
    for (std::size_t j = 0; j < ka.size(); ++j) {
        auto it = index_before.find(ka[j]);
        if (it == index_before.end()) {
            c.added.push_back(ka[j]);
            continue;
        }
        order_after.push_back(ka[j]);
        const op_record &ob = before.ops[it->second], &oa = after.ops[j];
        ++c.ops_compared;
        if (ob.type != oa.type)
            c.notes.push_back("operator " + ka[j] + " changed type " + ob.type + " -> " + oa.type);
        op_delta od{oa.name, oa.type, j, {}, 0.0};
        for (std::size_t f = 0; f < n_fields; ++f) {
            delta d = make_delta(f, ob.n[f], oa.n[f], tol_pct);
            seen(d);
            if (d.moved)
                od.moved.push_back(d);
        }
        if (!od.moved.empty()) {
            od.rank = std::abs(od.headline().pct);
            c.moved_ops.push_back(std::move(od));
        }
    }
    for (std::size_t i = 0; i < kb.size(); ++i) {
        if (keys_after.count(kb[i]))
            order_before.push_back(kb[i]);
        else
            c.removed.push_back(kb[i]);
    }
    if (order_before != order_after)
        c.notes.push_back("operators run in a different order");
    c.moved = c.moved || !c.added.empty() || !c.removed.empty() || !c.notes.empty();
    std::stable_sort(c.moved_ops.begin(), c.moved_ops.end(),
                     [](const op_delta &a, const op_delta &b) { return a.rank > b.rank; });
    return c;
}

// ---------------------------------------------------------------------------------------------
// Results and their three renderings (terminal, JSON, Markdown).

enum class pair_status { match, moved, added, updated, unchanged };

const char *status_name(pair_status s) {
    switch (s) {
    case pair_status::match:
        return "ok";
    case pair_status::moved:
        return "MOVED";
    case pair_status::added:
        return "new";
    case pair_status::updated:
        return "updated";
    case pair_status::unchanged:
        return "unchanged";
    }
    return "?";
}

struct pair_result {
    const pair_def *pair = nullptr;
    pair_status status = pair_status::match;
    double wall_ms = 0;
    record after;
    std::optional<comparison> cmp; ///< absent for a new golden
    std::string note;              ///< e.g. "the old golden was unreadable: ..."
};

struct check_result {
    const check_options *opt = nullptr;
    std::string mode;
    unsigned jobs = 1;
    std::vector<pair_result> pairs;
    std::string determinism_pair;
    bool deterministic = true;
    std::vector<std::string> removed_goldens;
    /// Goldens of no manifest pair that were not deleted: "<file>: <why>".
    std::vector<std::string> kept_goldens;
    std::string recovery; ///< what was done about an interrupted --update; "" = none found
    double wall_ms = 0;
    std::size_t count(pair_status s) const {
        return std::size_t(std::count_if(pairs.begin(), pairs.end(),
                                         [&](const pair_result &p) { return p.status == s; }));
    }
};

std::string value_text(std::size_t f, double v) {
    return fields[f].integer ? std::to_string(std::uint64_t(v)) : fmt::format("{}", v);
}

std::string pct_text(double p) {
    if (std::isinf(p))
        return p > 0 ? "+inf" : "-inf";
    if (p == 0)
        return "0.00";
    if (std::abs(p) < 0.01)
        return fmt::format("{:+.4f}", p);
    return fmt::format("{:+.2f}", p);
}

std::string pairs_text(std::size_t n) {
    return fmt::format("{} pair{}", n, n == 1 ? "" : "s");
}

std::string tolerance_text(double t) {
    return t == 0 ? std::string("exact") : fmt::format("{} %", t);
}

std::string also_text(const op_delta &o) {
    std::string s;
    const delta &h = o.headline();
    for (const auto &d : o.moved)
        if (&d != &h)
            s += fmt::format("{}{} {}", s.empty() ? "" : ", ", fields[d.field].name,
                             pct_text(d.pct));
    return s;
}

std::string ops_moved_text(const pair_result &p) {
    if (!p.cmp)
        return "-";
    return fmt::format("{} of {}", p.cmp->moved_ops.size(), p.cmp->ops_compared);
}

/// The lines under a moved or updated pair: what moved in total, then the top operators.
std::string detail_text(const pair_result &p, unsigned top) {
    const comparison &c = *p.cmp;
    std::string s = p.pair->name() + ":";
    bool any_total = false;
    for (const auto &d : c.totals)
        if (d.moved || d.field == f_cycles) {
            s += fmt::format("{} {} {} -> {} ({} %)", any_total ? ";" : "", fields[d.field].name,
                             value_text(d.field, d.before), value_text(d.field, d.after),
                             pct_text(d.pct));
            any_total = true;
        }
    s += "\n";
    if (!c.config_change.empty())
        s += "  " + c.config_change + "\n";
    for (const auto &n : c.notes)
        s += "  " + n + "\n";
    if (!c.added.empty())
        s += fmt::format("  new operators: {}\n", fmt::join(c.added, ", "));
    if (!c.removed.empty())
        s += fmt::format("  operators gone: {}\n", fmt::join(c.removed, ", "));
    if (c.moved_ops.empty())
        return s;
    const std::size_t n = std::min<std::size_t>(top, c.moved_ops.size());
    s += fmt::format("  {} of {} operators moved{}:\n", c.moved_ops.size(), c.ops_compared,
                     n < c.moved_ops.size() ? fmt::format(", the {} that moved most", n) : "");
    if (n == 0)
        return s;
    sim::text_table t;
    using A = sim::text_table::align;
    t.add_column("operator", A::left);
    t.add_column("type", A::left);
    t.add_column("field", A::left);
    t.add_column("before");
    t.add_column("after");
    t.add_column("delta%");
    t.add_column("also moved", A::left);
    for (std::size_t i = 0; i < n; ++i) {
        const op_delta &o = c.moved_ops[i];
        const delta &h = o.headline();
        t.add_row({o.name, o.type, fields[h.field].name, value_text(h.field, h.before),
                   value_text(h.field, h.after), pct_text(h.pct), also_text(o)});
    }
    std::string table = t.str(), line;
    for (std::size_t a = 0; a < table.size();) {
        std::size_t b = table.find('\n', a);
        s += "    " + table.substr(a, b - a) + "\n";
        a = b + 1;
    }
    return s;
}

std::string render_text(const check_result &r) {
    const check_options &o = *r.opt;
    std::string s = fmt::format("qcsim check{}: {} of {}, tolerance {}, {} jobs\n",
                                o.update ? " --update" : "", pairs_text(r.pairs.size()),
                                o.golden_dir, tolerance_text(o.tolerance_pct), r.jobs);
    sim::text_table t;
    using A = sim::text_table::align;
    t.add_column("status", A::left);
    t.add_column("pair", A::left);
    t.add_column("golden cycles");
    t.add_column("cycles");
    t.add_column("delta%");
    t.add_column("ops moved");
    t.add_column("wall ms");
    for (const auto &p : r.pairs)
        t.add_row({status_name(p.status), p.pair->name(),
                   p.cmp ? value_text(f_cycles, p.cmp->totals[f_cycles].before) : "-",
                   value_text(f_cycles, p.after.totals[f_cycles]),
                   p.cmp ? pct_text(p.cmp->totals[f_cycles].pct) : "-", ops_moved_text(p),
                   fmt::format("{:.0f}", p.wall_ms)});
    for (const auto &g : r.removed_goldens)
        t.add_row({"removed", g + " (not in the manifest)", "", "", "", "", ""});
    s += t.str();
    for (const auto &k : r.kept_goldens)
        s += "kept " + k + "\n";
    for (const auto &p : r.pairs) {
        if (!p.note.empty())
            s += p.pair->name() + ": " + p.note + "\n";
        if (p.cmp && (p.status == pair_status::moved || p.status == pair_status::updated))
            s += "\n" + detail_text(p, o.top);
    }
    s += "\n";
    if (r.deterministic)
        s += fmt::format("determinism: {} ran twice, reports byte-identical\n", r.determinism_pair);
    else
        s += fmt::format("determinism: FAIL: {} ran twice and the two JSON reports differ: the "
                         "simulator is not deterministic, so no golden can be trusted\n",
                         r.determinism_pair);
    const std::size_t moved = r.count(pair_status::moved);
    if (o.update) {
        s += fmt::format("{}: {} new, {} updated, {} unchanged, {} removed ({:.2f} s)\n",
                         r.deterministic ? "goldens written" : "nothing written",
                         r.count(pair_status::added), r.count(pair_status::updated),
                         r.count(pair_status::unchanged), r.removed_goldens.size(),
                         r.wall_ms / 1000.0);
        if (r.deterministic)
            s += "review the change and commit the goldens with the reason the numbers moved\n";
    } else if (moved || !r.deterministic) {
        s += fmt::format("FAIL: {} of {} moved beyond tolerance {} ({:.2f} s). If the change "
                         "is intended, run 'qcsim check --update' and commit the goldens with the "
                         "reason (README 'Regression goldens').\n",
                         moved, pairs_text(r.pairs.size()), tolerance_text(o.tolerance_pct),
                         r.wall_ms / 1000.0);
    } else {
        s += fmt::format("PASS: {} match ({:.2f} s)\n", pairs_text(r.pairs.size()),
                         r.wall_ms / 1000.0);
    }
    return s;
}

ojson json_number(double v) {
    if (std::isinf(v))
        return nullptr; // JSON has no infinity: a number that left 0
    return v;
}

ojson delta_json(const delta &d) {
    ojson j;
    j["before"] = fields[d.field].integer ? ojson(std::uint64_t(d.before)) : ojson(d.before);
    j["after"] = fields[d.field].integer ? ojson(std::uint64_t(d.after)) : ojson(d.after);
    j["delta_pct"] = json_number(d.pct);
    j["moved"] = d.moved;
    return j;
}

std::string render_json(const check_result &r) {
    const check_options &o = *r.opt;
    ojson j;
    j["schema"] = check_schema;
    j["mode"] = r.mode;
    j["golden_dir"] = o.golden_dir;
    j["tolerance_pct"] = o.tolerance_pct;
    j["only"] = o.only.empty() ? ojson(nullptr) : ojson(o.only);
    j["jobs"] = r.jobs;
    const std::size_t moved = r.count(pair_status::moved);
    j["status"] = !r.deterministic ? "nondeterministic"
                  : o.update       ? "updated"
                  : moved          ? "moved"
                                   : "pass";
    j["pairs_checked"] = r.pairs.size();
    j["pairs_moved"] = moved;
    j["wall_ms"] = std::llround(r.wall_ms);
    j["determinism"] = {{"pair", r.determinism_pair}, {"identical", r.deterministic}};
    ojson pairs = ojson::array();
    for (const auto &p : r.pairs) {
        ojson pj;
        pj["pair"] = p.pair->name();
        pj["chip"] = p.pair->chip_name;
        pj["chip_file"] = p.pair->chip_file;
        pj["workload"] = p.pair->spec;
        pj["workload_name"] = p.after.workload_name;
        pj["golden"] = p.pair->golden_rel();
        pj["status"] = status_name(p.status);
        pj["config_hash"] = p.after.config_hash;
        pj["config_changed"] = p.cmp && !p.cmp->config_change.empty();
        // Recorded, never compared: wall time depends on the machine and its load.
        pj["wall_ms"] = std::llround(p.wall_ms);
        if (!p.note.empty())
            pj["note"] = p.note;
        ojson tot;
        if (p.cmp) {
            const comparison &c = *p.cmp;
            for (const auto &d : c.totals)
                tot[fields[d.field].name] = delta_json(d);
            pj["totals"] = tot;
            pj["max_abs_delta_pct"] = json_number(c.max_abs_pct);
            pj["ops_compared"] = c.ops_compared;
            ojson mo = ojson::array();
            for (const auto &od : c.moved_ops) {
                ojson fj;
                for (const auto &d : od.moved)
                    fj[fields[d.field].name] = delta_json(d);
                mo.push_back({{"name", od.name}, {"type", od.type}, {"fields", fj}});
            }
            pj["moved_ops"] = mo;
            pj["added_ops"] = c.added;
            pj["removed_ops"] = c.removed;
            pj["notes"] = c.notes;
        } else {
            for (std::size_t f = 0; f < n_fields; ++f)
                tot[fields[f].name] = {{"after", fields[f].integer
                                                     ? ojson(std::uint64_t(p.after.totals[f]))
                                                     : ojson(p.after.totals[f])}};
            pj["totals"] = tot;
        }
        pairs.push_back(pj);
    }
    j["pairs"] = pairs;
    if (o.update) {
        j["removed_goldens"] = r.removed_goldens;
        j["kept_goldens"] = r.kept_goldens;
    }
    if (!r.recovery.empty())
        j["recovery"] = r.recovery;
    return j.dump(2) + "\n";
}

std::string md_escape(const std::string &s) {
    std::string o;
    for (char c : s)
        o += c == '|' ? std::string("\\|") : std::string(1, c);
    return o;
}

std::string render_markdown(const check_result &r) {
    const check_options &o = *r.opt;
    const std::size_t moved = r.count(pair_status::moved);
    std::string s;
    if (o.update)
        s += fmt::format(
            "### qcsim check --update: {} new, {} updated, {} unchanged, {} removed\n\n",
            r.count(pair_status::added), r.count(pair_status::updated),
            r.count(pair_status::unchanged), r.removed_goldens.size());
    else
        s += fmt::format(
            "### qcsim check: {}\n\n",
            !r.deterministic ? "FAIL, the simulator is not deterministic"
            : moved          ? fmt::format("{} of {} moved (tolerance {})", moved,
                                           pairs_text(r.pairs.size()), tolerance_text(o.tolerance_pct))
                             : fmt::format("{} match (tolerance {})", pairs_text(r.pairs.size()),
                                           tolerance_text(o.tolerance_pct)));
    s += "| pair | status | golden cycles | cycles | Δ% | ops moved | wall ms |\n"
         "|---|---|---:|---:|---:|---:|---:|\n";
    for (const auto &p : r.pairs)
        s += fmt::format("| `{}` | {} | {} | {} | {} | {} | {:.0f} |\n", md_escape(p.pair->name()),
                         status_name(p.status),
                         p.cmp ? value_text(f_cycles, p.cmp->totals[f_cycles].before) : "-",
                         value_text(f_cycles, p.after.totals[f_cycles]),
                         p.cmp ? pct_text(p.cmp->totals[f_cycles].pct) : "-", ops_moved_text(p),
                         p.wall_ms);
    for (const auto &p : r.pairs) {
        if (!p.cmp || !(p.status == pair_status::moved || p.status == pair_status::updated))
            continue;
        const comparison &c = *p.cmp;
        s += fmt::format("\n#### `{}`\n\n", md_escape(p.pair->name()));
        s += "| total | before | after | Δ% |\n|---|---:|---:|---:|\n";
        for (const auto &d : c.totals)
            s += fmt::format("| {} | {} | {} | {} |\n", fields[d.field].name,
                             value_text(d.field, d.before), value_text(d.field, d.after),
                             pct_text(d.pct));
        for (const auto &n : c.notes)
            s += "\n- " + md_escape(n);
        if (!c.added.empty())
            s += fmt::format("\n- new operators: {}",
                             md_escape(fmt::format("{}", fmt::join(c.added, ", "))));
        if (!c.removed.empty())
            s += fmt::format("\n- operators gone: {}",
                             md_escape(fmt::format("{}", fmt::join(c.removed, ", "))));
        if (!c.notes.empty() || !c.added.empty() || !c.removed.empty())
            s += "\n";
        const std::size_t n = std::min<std::size_t>(o.top, c.moved_ops.size());
        if (n == 0)
            continue;
        s += fmt::format("\n{} of {} operators moved{}:\n\n", c.moved_ops.size(), c.ops_compared,
                         n < c.moved_ops.size() ? fmt::format("; the {} that moved most", n) : "");
        s += "| operator | type | field | before | after | Δ% | also moved |\n"
             "|---|---|---|---:|---:|---:|---|\n";
        for (std::size_t i = 0; i < n; ++i) {
            const op_delta &od = c.moved_ops[i];
            const delta &h = od.headline();
            s += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} |\n", md_escape(od.name),
                             od.type, fields[h.field].name, value_text(h.field, h.before),
                             value_text(h.field, h.after), pct_text(h.pct), also_text(od));
        }
    }
    s += fmt::format("\nDeterminism: `{}` ran twice, {}.\n", md_escape(r.determinism_pair),
                     r.deterministic ? "byte-identical reports" : "**the reports differ**");
    return s;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

} // namespace

int run_check(const check_options &opt) {
    const auto t0 = clock_type::now();
    if (!std::isfinite(opt.tolerance_pct) || opt.tolerance_pct < 0)
        throw sim::input_error(
            "--tolerance", "$",
            fmt::format("expected a percentage >= 0, found {}", opt.tolerance_pct));
    const fs::path dir = opt.golden_dir;
    if (!fs::is_directory(dir))
        throw sim::input_error(opt.golden_dir, "$",
                               "not a directory: expected the golden directory holding "
                               "manifest.json (the default tests/golden is relative to the "
                               "current directory: run from the repository root or pass "
                               "--golden DIR)");
    // Every output path is checked before anything is read, run or written.
    std::vector<std::pair<std::string, std::string>> outputs;
    if (!opt.json_out.empty())
        outputs.emplace_back("--json", opt.json_out);
    if (!opt.markdown_out.empty())
        outputs.emplace_back("--markdown", opt.markdown_out);
    sim::check_outputs(outputs);
    if (opt.jobs > max_check_jobs)
        throw sim::input_error(
            "--jobs", "$",
            fmt::format("expected 1 to {} child processes, found {}", max_check_jobs, opt.jobs));

    // An --update that was killed half-way left its staging folder: roll the goldens back to
    // the set before it, so that nothing is compared with (or built on) a mix of old and new.
    check_result r;
    if (const sim::dir_recovery rec = sim::recover_dir_update(dir, staging_name); rec.found) {
        r.recovery = rec.text();
        std::cerr << "qcsim check: " << (dir / staging_name).string() << ": " << r.recovery << "\n";
    }

    // Everything that can be wrong with the input is found before any child runs.
    const manifest m = read_manifest(dir);
    const std::vector<pair_def> all = make_pairs(m);
    std::vector<std::size_t> selected;
    for (std::size_t i = 0; i < all.size(); ++i)
        if (opt.only.empty() || pair_matches(opt.only, all[i]))
            selected.push_back(i);
    if (selected.empty()) {
        std::vector<std::string> names;
        for (const auto &p : all)
            names.push_back(p.name());
        throw sim::input_error(
            "--only", "$",
            fmt::format("pattern \"{}\" matches none of the pairs: {}", sim::brief(opt.only),
                        sim::brief(fmt::format("{}", fmt::join(names, ", ")), 400)));
    }
    std::size_t det = selected.front();
    if (!opt.determinism_pair.empty()) {
        auto it = std::find_if(selected.begin(), selected.end(), [&](std::size_t i) {
            return pair_matches(opt.determinism_pair, all[i]);
        });
        if (it == selected.end())
            throw sim::input_error("--determinism-pair", "$",
                                   "pattern \"" + sim::brief(opt.determinism_pair) +
                                       "\" matches none of the selected pairs");
        det = *it;
    }

    std::set<std::string> known;
    for (const auto &p : all)
        known.insert(p.golden_rel());
    const std::vector<stray_golden> stale = stray_goldens(dir, known);
    if (!opt.update && !stale.empty()) {
        std::vector<std::string> names;
        for (const auto &st : stale)
            names.push_back(st.rel);
        const stray_golden &first = stale.front();
        throw sim::input_error(
            (dir / first.rel).string(), "$",
            fmt::format("golden for a pair that is not in {} ({} such file{}: {}): add the pair "
                        "to the manifest, or delete the file ({})",
                        m.file, stale.size(), stale.size() == 1 ? "" : "s",
                        sim::brief(fmt::format("{}", fmt::join(names, ", ")), 300),
                        first.ours ? "'qcsim check --update' deletes it"
                                   : first.why_not_ours +
                                         ", so 'qcsim check --update' leaves it: move or delete "
                                         "it by hand"));
    }

    std::vector<std::optional<record>> golden(all.size());
    std::vector<std::string> old_text(all.size()), unreadable(all.size());
    for (std::size_t i : selected) {
        const pair_def &p = all[i];
        const std::string file = (dir / p.golden_rel()).string();
        if (!fs::exists(file)) {
            if (opt.update)
                continue;
            throw sim::input_error(file, "$",
                                   "missing golden of pair " + p.name() +
                                       ": expected the recorded result of chip " + p.chip_file +
                                       " and workload " + p.spec +
                                       "; record it with 'qcsim check --update' and commit it");
        }
        try {
            old_text[i] = sim::read_file(file);
            record g = parse_golden(old_text[i], file);
            // The file must hold the pair it is named after.
            auto must_be = [&](const char *path, const std::string &want, const std::string &got) {
                if (got != want)
                    throw sim::input_error(file, path,
                                           "expected \"" + want +
                                               "\" (the pair this file is named after), found \"" +
                                               got + "\"");
            };
            must_be("workload.spec", p.spec, g.workload_spec);
            must_be("chip.name", p.chip_name, g.chip_name);
            golden[i] = std::move(g);
        } catch (const sim::input_error &e) {
            if (!opt.update)
                throw;
            // --update replaces a damaged golden (a bad merge, a truncated file), but never a
            // file that is not one: it can only tell a golden by its schema.
            if (old_text[i].find(golden_schema) == std::string::npos)
                throw sim::input_error(
                    file, "$",
                    fmt::format("the golden of pair {} belongs here, but this file is not a "
                                "golden (it does not mention \"{}\"), and --update overwrites "
                                "only goldens: move or delete it by hand ({})",
                                sim::brief(p.name()), golden_schema, e.what()));
            unreadable[i] = e.what(); // --update replaces it
        }
    }

    // One child per pair, plus the determinism guard's second run of one pair.
    const unsigned parallel =
        opt.jobs ? opt.jobs : std::max(1u, std::thread::hardware_concurrency());
    temp_dir tmp("qcsim-check");
    std::vector<job> jobs;
    auto add_job = [&](std::size_t pair, bool repeat) {
        const std::string stem = std::to_string(jobs.size());
        job j;
        j.pair = pair;
        j.repeat = repeat;
        j.json_file = tmp.path / (stem + ".json");
        j.err_file = tmp.path / (stem + ".err");
        jobs.push_back(j);
    };
    for (std::size_t i : selected) {
        add_job(i, false);
        if (i == det)
            add_job(i, true); // early, so that it runs beside the others
    }
    run_jobs(jobs, all, parallel, self_exe());
    for (const auto &j : jobs) {
        if (j.status == -1 || j.ok())
            continue;
        const pair_def &p = all[j.pair];
        const std::string err = trim(sim::read_file(j.err_file.string()));
        if (WIFEXITED(j.status) && WEXITSTATUS(j.status) == sim::exit_bad_input) {
            std::cerr << "qcsim check: pair " << p.name() << ": 'qcsim run --chip " << p.chip_path
                      << " --workload " << p.run_spec << "' rejected its input:\n"
                      << err << "\n";
            return sim::exit_bad_input;
        }
        throw std::runtime_error("pair " + p.name() + ": qcsim run --chip " + p.chip_path +
                                 " --workload " + p.run_spec + " ended with " +
                                 exit_text(j.status) + ": " + err);
    }

    r.opt = &opt;
    r.mode = opt.update ? "update" : "check";
    r.jobs = parallel;
    r.determinism_pair = all[det].name();
    std::string det_text[2];
    std::map<std::size_t, const job *> primary;
    for (const auto &j : jobs) {
        if (j.pair == det)
            det_text[j.repeat ? 1 : 0] = sim::read_file(j.json_file.string());
        if (!j.repeat)
            primary[j.pair] = &j;
    }
    r.deterministic = det_text[0] == det_text[1];

    for (std::size_t i : selected) {
        const job &j = *primary.at(i);
        pair_result pr;
        pr.pair = &all[i];
        pr.wall_ms = j.wall_ms;
        pr.after = from_report(json::parse(sim::read_file(j.json_file.string())), all[i]);
        if (opt.update) {
            const std::string text = golden_text(pr.after);
            if (golden[i])
                pr.cmp = compare(*golden[i], pr.after, 0.0);
            if (!unreadable[i].empty())
                pr.note = "replaced an unreadable golden (" + unreadable[i] + ")";
            pr.status = old_text[i].empty()   ? pair_status::added
                        : text == old_text[i] ? pair_status::unchanged
                                              : pair_status::updated;
        } else {
            pr.cmp = compare(*golden[i], pr.after, opt.tolerance_pct);
            pr.status = pr.cmp->moved ? pair_status::moved : pair_status::match;
        }
        r.pairs.push_back(std::move(pr));
    }

    // What --update deletes: only goldens it provably wrote, and none with --only (which touches
    // the selected pairs and nothing else).
    std::vector<std::string> to_delete;
    if (opt.update)
        for (const auto &st : stale) {
            if (!opt.only.empty())
                r.kept_goldens.push_back(st.rel +
                                         ": not in the manifest; left alone because of --only");
            else if (!st.ours)
                r.kept_goldens.push_back(st.rel + ": not in the manifest, but " + st.why_not_ours +
                                         ", so it was not written by --update: delete it by hand "
                                         "if it is not needed");
            else
                to_delete.push_back(st.rel);
        }
    const bool write = opt.update && r.deterministic;
    if (write)
        r.removed_goldens = to_delete;
    r.wall_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
    const std::string text = render_text(r);
    std::vector<std::pair<std::string, std::string>> reports;
    if (!opt.json_out.empty())
        reports.emplace_back(opt.json_out, render_json(r));
    if (!opt.markdown_out.empty())
        reports.emplace_back(opt.markdown_out, render_markdown(r));

    if (write) {
        // All or nothing (sim/dir_update.h): every new golden is written into a staging folder
        // inside --golden, then the files are swapped in with renames; a process killed half-way
        // is rolled back by the next run.
        bool changes = !to_delete.empty();
        for (const auto &p : r.pairs)
            changes = changes || p.status != pair_status::unchanged;
        if (changes) {
            sim::dir_update up(dir, staging_name);
            if (const char *at = std::getenv("QCSIM_TEST_KILL_UPDATE_AT")) {
                // Test hook: die at step N of the update, as a SIGKILL would (README).
                const int n = std::atoi(at);
                up.on_step = [n](int step) {
                    if (step == n)
                        ::raise(SIGKILL);
                };
            }
            for (const auto &p : r.pairs)
                if (p.status != pair_status::unchanged) {
                    sim::require_inside(dir, dir / p.pair->golden_rel(), opt.golden_dir);
                    up.write(p.pair->golden_rel(), golden_text(p.after));
                }
            for (const auto &rel : to_delete) {
                sim::require_inside(dir, dir / rel, opt.golden_dir);
                up.remove(rel);
            }
            up.commit();
        }
    }

    sim::write_files_atomic(reports);
    if (opt.json_out != "-" && opt.markdown_out != "-")
        std::cout << text;
    else
        std::cerr << text;
    const bool failed = !r.deterministic || (!opt.update && r.count(pair_status::moved) > 0);
    return failed ? 1 : 0;
}

} // namespace app
