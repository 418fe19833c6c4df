#include "ops/sweep.h"

#include "ops/chip.h"
#include "ops/power.h"
#include "ops/sweep_expr.h"
#include "sim/errors.h"
#include "sim/output.h"
#include "workloads/generators.h"
#include "workloads/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>

namespace ops {

namespace {

using json = nlohmann::json;

/// The chip config keys and their types ("integer", "number", "bool", "choice", "string").
const std::map<std::string, std::string> &chip_keys() {
    static const std::map<std::string, std::string> keys = [] {
        std::map<std::string, std::string> k;
        for (const auto &r : sim::describe_params<chip_desc>())
            if (r.type != "object")
                k[r.path] = r.type;
        return k;
    }();
    return keys;
}

/// Deterministic on every machine (the standard distributions are not): xorshift64*.
struct rng {
    std::uint64_t s;
    explicit rng(std::uint64_t seed) : s(seed ? seed : 0x9E3779B97F4A7C15ull) {}
    std::uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1Dull;
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
};

class reader {
public:
    reader(const json &j, std::string file) : m_j(j), m_file(std::move(file)) {}

    sweep_spec read() {
        if (!m_j.is_object())
            fail("$", "expected a JSON object");
        static const std::set<std::string> known = {"schema",     "name",        "chip",
                                                    "workloads",  "parameters",  "sampling",
                                                    "objectives", "constraints", "scenario"};
        for (auto it = m_j.begin(); it != m_j.end(); ++it)
            if (!known.count(it.key()) && it.key().rfind("//", 0) != 0)
                fail(it.key(), "unknown key, expected one of: schema, name, chip, workloads, "
                               "scenario, parameters, constraints, sampling, objectives");
        sweep_spec s;
        if (str(m_j, "schema", "schema", "") != "qcsim.sweep/1")
            fail("schema", "expected \"qcsim.sweep/1\"");
        s.name = str(m_j, "name", "name", "");
        s.chip = str(m_j, "chip", "chip", "");
        read_scenario(s);
        if (s.scenario.empty())
            read_workloads(s);
        read_params(s);
        read_constraints(s);
        read_sampling(s);
        if (m_j.contains("objectives")) {
            const json &o = m_j["objectives"];
            if (!o.is_array() || o.empty())
                fail("objectives", "expected a non-empty array of report field names");
            for (std::size_t i = 0; i < o.size(); ++i) {
                const std::string n = o[i].is_string() ? o[i].get<std::string>() : "";
                if (n.empty() || n == "max:" || n == "min:")
                    fail("objectives[" + std::to_string(i) + "]",
                         "expected a field name, optionally after max: or min:");
                s.objectives.push_back(o[i].get<std::string>());
            }
        } else if (s.scenario.empty()) {
            s.objectives = {"cycles", "energy_uj", "area_mm2"};
        } else {
            s.objectives = {"power_w", "frames_dropped", "area_mm2"};
        }
        return s;
    }

private:
    [[noreturn]] void fail(const std::string &path, const std::string &what) const {
        throw sim::input_error(m_file, path, what);
    }
    std::string str(const json &o, const char *key, const std::string &path,
                    const std::string &dflt) const {
        if (!o.contains(key))
            return dflt;
        if (!o[key].is_string())
            fail(path, "expected a string");
        return o[key].get<std::string>();
    }
    void only(const json &o, const std::string &path, const std::set<std::string> &keys) const {
        if (!o.is_object())
            fail(path, "expected an object");
        for (auto it = o.begin(); it != o.end(); ++it)
            if (!keys.count(it.key()) && it.key().rfind("//", 0) != 0) {
                std::string list;
                for (const auto &k : keys)
                    list += (list.empty() ? "" : ", ") + k;
                fail(path + "." + it.key(), "unknown key, expected one of: " + list);
            }
    }

    void read_workloads(sweep_spec &s) const {
        if (!m_j.contains("workloads")) {
            s.workloads = {{"mobilenext", 1}};
            return;
        }
        const json &w = m_j["workloads"];
        if (!w.is_array() || w.empty())
            fail("workloads", "expected a non-empty array of {\"spec\", \"weight\"}");
        for (std::size_t i = 0; i < w.size(); ++i) {
            const std::string p = "workloads[" + std::to_string(i) + "]";
            only(w[i], p, {"spec", "weight"});
            sweep_workload x;
            x.spec = str(w[i], "spec", p + ".spec", "");
            if (x.spec.empty())
                fail(p + ".spec", "missing; expected a --workload spec");
            if (w[i].contains("weight")) {
                if (!w[i]["weight"].is_number() || w[i]["weight"].get<double>() <= 0)
                    fail(p + ".weight", "expected a number > 0");
                x.weight = w[i]["weight"].get<double>();
            }
            s.workloads.push_back(x);
        }
    }

    /// "integer", "number", ... for a chip key; for "workload.<generator>.<param>" the
    /// generator parameter's kind; fails naming `at` for anything else.
    std::string type_of(const std::string &path, const std::string &at) const {
        const auto &keys = chip_keys();
        if (auto it = keys.find(path); it != keys.end())
            return it->second;
        if (path.rfind("scenario.", 0) == 0)
            return scenario_type_of(path, at);
        if (path.rfind("workload.", 0) == 0) {
            if (m_scenario)
                fail(at, "\"" + sim::brief(path) +
                             "\": a scenario sweep sets its networks through scenario keys "
                             "(scenario.pipeline[0].network)");
            const std::string rest = path.substr(9);
            const auto dot = rest.find('.');
            const std::string gen = rest.substr(0, dot);
            const std::string param = dot == std::string::npos ? "" : rest.substr(dot + 1);
            for (const auto &g : workloads::generators())
                if (g.name == gen) {
                    for (const auto &p : g.params)
                        if (p.name == param)
                            return p.type == workloads::gen_param::kind::integer ? "integer"
                                   : p.type == workloads::gen_param::kind::real  ? "number"
                                                                                 : "choice";
                    fail(at, "\"" + sim::brief(path) + "\": " + gen + " has no parameter \"" +
                                 sim::brief(param) + "\"");
                }
            fail(at,
                 "\"" + sim::brief(path) + "\": no workload generator \"" + sim::brief(gen) + "\"");
        }
        std::vector<std::string> names;
        for (const auto &k : keys)
            names.push_back(k.first);
        const std::string near = sim::nearest(path, names);
        fail(at, "\"" + sim::brief(path) +
                     "\" is not a chip config key (qcsim describe) or "
                     "workload.<generator>.<parameter>" +
                     (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
    }

    void read_params(sweep_spec &s) const {
        if (!m_j.contains("parameters"))
            fail("parameters", "missing; expected an array of swept parameters");
        const json &ps = m_j["parameters"];
        if (!ps.is_array() || ps.empty())
            fail("parameters", "expected a non-empty array");
        std::set<std::string> seen;
        for (std::size_t i = 0; i < ps.size(); ++i) {
            const std::string p = "parameters[" + std::to_string(i) + "]";
            only(ps[i], p, {"path", "paths", "values", "range", "name", "names"});
            sweep_param sp;
            if (ps[i].contains("path") == ps[i].contains("paths"))
                fail(p, "expected either \"path\" (one key) or \"paths\" (keys moved together)");
            if (ps[i].contains("path")) {
                sp.paths = {str(ps[i], "path", p + ".path", "")};
            } else {
                const json &a = ps[i]["paths"];
                if (!a.is_array() || a.size() < 2)
                    fail(p + ".paths", "expected an array of at least two keys");
                for (std::size_t k = 0; k < a.size(); ++k) {
                    if (!a[k].is_string())
                        fail(p + ".paths[" + std::to_string(k) + "]", "expected a string");
                    sp.paths.push_back(a[k].get<std::string>());
                }
            }
            std::vector<std::string> types;
            for (std::size_t k = 0; k < sp.paths.size(); ++k) {
                const std::string at =
                    ps[i].contains("path") ? p + ".path" : p + ".paths[" + std::to_string(k) + "]";
                types.push_back(type_of(sp.paths[k], at));
                if (!seen.insert(sp.paths[k]).second)
                    fail(at, "\"" + sim::brief(sp.paths[k]) + "\" is swept twice");
            }
            read_names(ps[i], p, sp);
            if (ps[i].contains("values") == ps[i].contains("range"))
                fail(p, "expected either \"values\" or \"range\"");
            if (ps[i].contains("values"))
                read_values(ps[i]["values"], p + ".values", sp, types);
            else
                read_range(ps[i]["range"], p + ".range", sp, types);
            s.params.push_back(std::move(sp));
        }
        resolve_names(s);
    }

    void check_value(const json &v, const std::string &type, const std::string &at) const {
        const bool ok = type == "integer"  ? v.is_number_integer()
                        : type == "number" ? v.is_number()
                        : type == "bool"   ? v.is_boolean()
                                           : v.is_string();
        if (!ok)
            fail(at, "expected " +
                         std::string(type == "integer"  ? "an integer"
                                     : type == "number" ? "a number"
                                     : type == "bool"   ? "true or false"
                                                        : "a string") +
                         ", got " + sim::brief_json(v));
    }

    void read_values(const json &v, const std::string &p, sweep_param &sp,
                     const std::vector<std::string> &types) const {
        if (!v.is_array() || v.empty())
            fail(p, "expected a non-empty array");
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string at = p + "[" + std::to_string(i) + "]";
            std::vector<json> one;
            if (sp.paths.size() == 1) {
                check_value(v[i], types[0], at);
                one.push_back(v[i]);
            } else {
                if (!v[i].is_array() || v[i].size() != sp.paths.size())
                    fail(at, "expected an array of " + std::to_string(sp.paths.size()) +
                                 " values, one per path");
                for (std::size_t k = 0; k < sp.paths.size(); ++k) {
                    check_value(v[i][k], types[k], at + "[" + std::to_string(k) + "]");
                    one.push_back(v[i][k]);
                }
            }
            sp.values.push_back(std::move(one));
        }
    }

    void read_range(const json &r, const std::string &p, sweep_param &sp,
                    const std::vector<std::string> &types) const {
        only(r, p, {"from", "to", "steps", "scale"});
        auto num = [&](const char *k) {
            if (!r.contains(k) || !r[k].is_number())
                fail(p + "." + k, "expected a number");
            return r[k].get<double>();
        };
        const double from = num("from"), to = num("to");
        if (!r.contains("steps") || !r["steps"].is_number_integer() ||
            r["steps"].get<std::int64_t>() < 1 || r["steps"].get<std::int64_t>() > 100000)
            fail(p + ".steps", "expected an integer from 1 to 100000 (values in the range)");
        const std::int64_t steps = r["steps"].get<std::int64_t>();
        const std::string scale = str(r, "scale", p + ".scale", "linear");
        if (scale != "linear" && scale != "log")
            fail(p + ".scale", "expected \"linear\" or \"log\"");
        if (scale == "log" && (from <= 0 || to <= 0))
            fail(p + ".from", "a log range needs from > 0 and to > 0");
        for (const auto &t : types)
            if (t != "integer" && t != "number")
                fail(p, "a range needs numeric keys");
        std::vector<json> prev;
        for (std::int64_t i = 0; i < steps; ++i) {
            const double f = steps == 1 ? 0.0 : double(i) / double(steps - 1);
            const double v =
                scale == "log" ? from * std::pow(to / from, f) : from + (to - from) * f;
            std::vector<json> one;
            for (const auto &t : types)
                one.push_back(t == "integer" ? json(std::llround(v)) : json(v));
            if (one == prev)
                fail(p + ".steps", "integer keys repeat a value at step " + std::to_string(i) +
                                       " (" + sim::brief_json(one[0]) +
                                       "): use fewer steps or \"values\"");
            prev = one;
            sp.values.push_back(std::move(one));
        }
    }

    void read_sampling(sweep_spec &s) const {
        if (!m_j.contains("sampling"))
            return;
        const json &o = m_j["sampling"];
        only(o, "sampling", {"method", "seed", "max_points"});
        const std::string m = str(o, "method", "sampling.method", "grid");
        if (m == "grid")
            s.sampling = sweep_sampling::grid;
        else if (m == "random")
            s.sampling = sweep_sampling::random;
        else if (m == "lhs")
            s.sampling = sweep_sampling::lhs;
        else
            fail("sampling.method", "expected \"grid\", \"random\" or \"lhs\"");
        if (o.contains("seed")) {
            if (!o["seed"].is_number_unsigned())
                fail("sampling.seed", "expected a whole number");
            s.seed = o["seed"].get<std::uint64_t>();
        }
        if (o.contains("max_points")) {
            if (!o["max_points"].is_number_unsigned() ||
                o["max_points"].get<std::uint64_t>() > 10000000)
                fail("sampling.max_points", "expected a whole number up to 10,000,000");
            s.max_points = o["max_points"].get<std::uint64_t>();
        }
        if (s.sampling != sweep_sampling::grid && s.max_points == 0)
            fail("sampling.max_points", "random and lhs sampling need the number of points");
    }

    void read_scenario(sweep_spec &s) {
        if (!m_j.contains("scenario"))
            return;
        s.scenario = str(m_j, "scenario", "scenario", "");
        if (s.scenario.empty())
            fail("scenario", "expected a qcsim.scenario/1 file, relative to the spec");
        if (m_j.contains("workloads"))
            fail("workloads", "a sweep runs either workloads or a scenario, not both");
        if (m_j.contains("chip") && !m_j["chip"].is_null() && m_j["chip"] != "")
            fail("chip", "a scenario sweep runs the scenario's chip; sweep its keys as "
                         "parameters");
        // Named by the file's name, not its path: a run's label and key stay the same when the
        // spec is copied into a sweep directory for shards (app/sweep_slurm.h).
        s.workloads = {{"scenario:" + std::filesystem::path(s.scenario).filename().string(), 1}};
        m_scenario = true;
    }

    /// A scenario key's type: `scenario.<key path>` with [N] indices, as qcsim scenario --set
    /// takes it; its element must exist in the scenario (checked when the sweep runs).
    std::string scenario_type_of(const std::string &path, const std::string &at) const {
        if (!m_scenario)
            fail(at, "\"" + sim::brief(path) +
                         "\": scenario keys need a \"scenario\" to sweep (a qcsim.scenario/1 "
                         "file)");
        static const std::map<std::string, std::string> keys = [] {
            std::map<std::string, std::string> k;
            for (const auto &r : sim::describe_params<workloads::scenario>())
                if (r.type != "object" && r.type != "array")
                    k[r.path] = r.type;
            return k;
        }();
        const std::string key =
            std::regex_replace(path.substr(9), std::regex("\\[[0-9]{1,6}\\]"), "[]");
        if (auto it = keys.find(key); it != keys.end() && key != "schema")
            return it->second;
        std::vector<std::string> names;
        for (const auto &k : keys)
            names.push_back("scenario." + k.first);
        const std::string near = sim::nearest(path, names);
        fail(at, "\"" + sim::brief(path) + "\" is not a scenario key (docs/scenario.md; array " +
                     "elements as streams[0].count)" +
                     (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
    }

    static bool identifier(const std::string &n) {
        static const std::regex id("[A-Za-z_][A-Za-z0-9_]*");
        return n.size() <= 64 && std::regex_match(n, id);
    }

    void read_names(const json &o, const std::string &p, sweep_param &sp) const {
        if (o.contains("name") && o.contains("names"))
            fail(p, "expected \"name\" (with \"path\") or \"names\" (with \"paths\")");
        if (o.contains("name")) {
            if (sp.paths.size() != 1)
                fail(p + ".name", "tied \"paths\" take \"names\", one per path");
            sp.names = {str(o, "name", p + ".name", "")};
        } else if (o.contains("names")) {
            const json &a = o["names"];
            if (sp.paths.size() == 1)
                fail(p + ".names", "one \"path\" takes \"name\"");
            if (!a.is_array() || a.size() != sp.paths.size())
                fail(p + ".names",
                     "expected an array of " + std::to_string(sp.paths.size()) + " names");
            for (std::size_t k = 0; k < a.size(); ++k) {
                if (!a[k].is_string())
                    fail(p + ".names[" + std::to_string(k) + "]", "expected a string");
                sp.names.push_back(a[k].get<std::string>());
            }
        }
        for (std::size_t k = 0; k < sp.names.size(); ++k)
            if (!identifier(sp.names[k]))
                fail(sp.paths.size() == 1 ? p + ".name" : p + ".names[" + std::to_string(k) + "]",
                     "expected a name of letters, digits and _ (not starting with a digit), got " +
                         sim::brief_json(sp.names[k]));
        m_explicit.push_back(!sp.names.empty());
        if (sp.names.empty())
            for (const auto &path : sp.paths) {
                // The last component: "dram.channels" -> "channels",
                // "scenario.streams[0].count" -> "count".
                const auto dot = path.rfind('.');
                const std::string last = dot == std::string::npos ? path : path.substr(dot + 1);
                sp.names.push_back(identifier(last) ? last : "");
            }
    }

    /// Two explicit names alike are an error; two default names alike make the name ambiguous
    /// ("", and a constraint that uses it an error).
    void resolve_names(sweep_spec &s) const {
        std::map<std::string, std::pair<std::size_t, bool>> first; // name -> (param, explicit)
        for (std::size_t i = 0; i < s.params.size(); ++i)
            for (auto &n : s.params[i].names) {
                if (n.empty())
                    continue;
                auto [it, fresh] = first.emplace(n, std::make_pair(i, bool(m_explicit[i])));
                if (fresh)
                    continue;
                if (m_explicit[i] || it->second.second)
                    fail("parameters[" + std::to_string(i) + "]",
                         "the name \"" + n + "\" is also parameters[" +
                             std::to_string(it->second.first) + "]'s: give one a distinct name");
                m_ambiguous[n] = {it->second.first, i};
            }
        for (auto &p : s.params)
            for (auto &n : p.names)
                if (m_ambiguous.count(n))
                    n.clear();
    }

    void read_constraints(sweep_spec &s) const {
        if (!m_j.contains("constraints"))
            return;
        const json &c = m_j["constraints"];
        if (!c.is_array())
            fail("constraints", "expected an array of expressions");
        for (std::size_t i = 0; i < c.size(); ++i) {
            const std::string at = "constraints[" + std::to_string(i) + "]";
            if (!c[i].is_string())
                fail(at, "expected an expression (a string), e.g. \"area_mm2 <= 40\"");
            const std::string text = c[i].get<std::string>();
            if (text.size() > 1000)
                fail(at, "expected an expression of at most 1,000 characters");
            std::vector<std::string> names;
            try {
                names = sweep_expr(text).names();
            } catch (const std::invalid_argument &e) {
                fail(at, sim::brief(text) + ": " + e.what());
            }
            for (const auto &n : names)
                check_name(s, n, at);
            s.constraints.push_back(text);
        }
    }

    /// A constraint's name must be a numeric parameter, a chip figure or a numeric chip key.
    void check_name(const sweep_spec &s, const std::string &n, const std::string &at) const {
        if (auto a = m_ambiguous.find(n); a != m_ambiguous.end())
            fail(at, "\"" + n + "\" is the default name of parameters[" +
                         std::to_string(a->second.first) + "] and parameters[" +
                         std::to_string(a->second.second) + "]: give them a \"name\"");
        for (const auto &p : s.params)
            for (std::size_t k = 0; k < p.names.size(); ++k)
                if (p.names[k] == n) {
                    for (const auto &v : p.values)
                        if (!v[k].is_number() && !v[k].is_boolean())
                            fail(at, "\"" + n + "\" (" + p.paths[k] +
                                         ") takes strings; expressions compare numbers");
                    return;
                }
        for (const auto &f : sweep_chip_figures(chip_desc{}))
            if (f.first == n)
                return;
        if (auto it = chip_keys().find(n); it != chip_keys().end()) {
            if (it->second == "integer" || it->second == "number" || it->second == "bool")
                return;
            fail(at, "\"" + n + "\" is a " + it->second + " chip key; expressions compare numbers");
        }
        std::vector<std::string> known;
        for (const auto &p : s.params)
            for (const auto &x : p.names)
                if (!x.empty())
                    known.push_back(x);
        for (const auto &f : sweep_chip_figures(chip_desc{}))
            known.push_back(f.first);
        std::vector<std::string> all = known;
        for (const auto &k : chip_keys())
            all.push_back(k.first);
        const std::string near = sim::nearest(n, all);
        std::string list;
        for (const auto &k : known)
            list += (list.empty() ? "" : ", ") + k;
        fail(at, "unknown name \"" + sim::brief(n) + "\"" +
                     (near.empty() ? "" : " (did you mean \"" + near + "\"?)") +
                     "; expected a parameter name, a chip figure or a chip config key: " + list +
                     ", or a key as qcsim describe lists it");
    }

    const json &m_j;
    std::string m_file;
    bool m_scenario = false;
    mutable std::vector<bool> m_explicit; // per parameter: its names were given
    mutable std::map<std::string, std::pair<std::size_t, std::size_t>> m_ambiguous;
};

} // namespace

sweep_spec parse_sweep(const std::string &text, const std::string &file) {
    const json j = sim::parse_json_text(text, file);
    sweep_spec s = reader(j, file).read();
    if (s.sampling == sweep_sampling::grid && s.max_points) {
        double n = 1;
        for (const auto &p : s.params)
            n *= double(p.values.size());
        if (n > double(s.max_points))
            throw sim::input_error(file, "sampling.max_points",
                                   "the grid has " + std::to_string(std::llround(n)) +
                                       " points, more than max_points " +
                                       std::to_string(s.max_points));
    }
    return s;
}

std::vector<sweep_point> sweep_points(const sweep_spec &s) {
    const std::size_t np = s.params.size();
    std::vector<std::vector<std::size_t>> idx; // per point, the value index of each parameter
    if (s.sampling == sweep_sampling::grid) {
        std::vector<std::size_t> cur(np, 0);
        for (;;) {
            idx.push_back(cur);
            std::size_t k = np;
            while (k > 0) {
                --k;
                if (++cur[k] < s.params[k].values.size())
                    break;
                cur[k] = 0;
                if (k == 0) {
                    k = np + 1; // wrapped: done
                    break;
                }
            }
            if (k == np + 1 || np == 0)
                break;
        }
    } else {
        rng r(s.seed);
        const std::size_t n = s.max_points;
        idx.assign(n, std::vector<std::size_t>(np, 0));
        for (std::size_t k = 0; k < np; ++k) {
            const std::size_t m = s.params[k].values.size();
            if (s.sampling == sweep_sampling::random) {
                for (std::size_t i = 0; i < n; ++i)
                    idx[i][k] = std::size_t(r.below(m));
            } else {
                // Latin hypercube: stratum s of n maps to value floor(s·m/n); each stratum once,
                // in an order shuffled per parameter (Fisher-Yates on the seeded generator).
                std::vector<std::size_t> order(n);
                for (std::size_t i = 0; i < n; ++i)
                    order[i] = i;
                for (std::size_t i = n; i > 1; --i)
                    std::swap(order[i - 1], order[std::size_t(r.below(i))]);
                for (std::size_t i = 0; i < n; ++i)
                    idx[i][k] = order[i] * m / n;
            }
        }
    }
    std::vector<sweep_point> out;
    out.reserve(idx.size());
    for (const auto &v : idx) {
        sweep_point p;
        for (std::size_t k = 0; k < np; ++k)
            for (std::size_t q = 0; q < s.params[k].paths.size(); ++q)
                p.emplace_back(s.params[k].paths[q], s.params[k].values[v[k]][q]);
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>> &points) {
    auto dominates = [](const std::vector<double> &a, const std::vector<double> &b) {
        bool better = false;
        for (std::size_t k = 0; k < a.size(); ++k) {
            if (a[k] > b[k])
                return false;
            better = better || a[k] < b[k];
        }
        return better;
    };
    std::vector<std::size_t> front;
    for (std::size_t i = 0; i < points.size(); ++i) {
        bool dominated = false;
        for (std::size_t j = 0; j < points.size() && !dominated; ++j)
            dominated = j != i && dominates(points[j], points[i]);
        if (!dominated)
            front.push_back(i);
    }
    return front;
}

std::vector<std::pair<std::string, double>> sweep_chip_figures(const chip_desc &c) {
    return {
        {"clock_mhz", c.clock_mhz},
        {"cores", double(c.cores)},
        {"peak_macs_per_cycle", double(c.peak_macs_per_cycle())},
        {"peak_tops", c.peak_tops()},
        {"vector_lanes_per_core", double(c.vector_unit.lanes)},
        {"sram_bytes_per_core", double(c.scratchpad.bytes())},
        {"sram_kib", sram_kib(c)},
        {"sram_bytes_per_cycle_per_core", c.sram_bytes_per_cycle_per_core()},
        {"dram_peak_bytes_per_cycle", c.dram_peak_bytes_per_cycle()},
        {"dram_peak_gb_per_s", c.dram.peak_bytes_per_s() / 1e9},
        {"interconnect_bytes_per_cycle", double(c.interconnect.bytes_per_cycle)},
        {"dram_bytes_per_mac_at_peak",
         c.dram_peak_bytes_per_cycle() / double(c.peak_macs_per_cycle())},
        {"area_mm2", chip_area(c).total()},
        {"static_power_w", chip_static_power(c).total()},
        {"sram_pj_per_byte", sram_pj_per_byte(c)},
    };
}

namespace {

/// The swept path a constraint name stands for, or "".
std::string param_path(const sweep_spec &s, const std::string &name) {
    for (const auto &p : s.params)
        for (std::size_t k = 0; k < p.names.size(); ++k)
            if (p.names[k] == name)
                return p.paths[k];
    return "";
}

double number_of(const json &v) {
    return v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
}

} // namespace

bool sweep_needs_chip(const sweep_spec &s) {
    for (const auto &text : s.constraints)
        for (const auto &n : sweep_expr(text).names()) {
            if (!param_path(s, n).empty())
                continue;
            bool swept = false; // a chip key swept under its full path
            for (const auto &p : s.params)
                swept = swept || std::find(p.paths.begin(), p.paths.end(), n) != p.paths.end();
            if (!swept)
                return true;
        }
    return false;
}

std::pair<long, std::string> sweep_violation(const sweep_spec &s, const sweep_point &p,
                                             const chip_desc *chip) {
    std::vector<std::pair<std::string, double>> figures;
    json keys;
    auto value_of = [&](const std::string &n) -> double {
        std::string path = param_path(s, n);
        if (path.empty())
            path = n;
        for (const auto &[k, v] : p)
            if (k == path)
                return number_of(v);
        if (!chip)
            throw std::logic_error("sweep constraint: \"" + n + "\" needs the point's chip");
        if (figures.empty())
            figures = sweep_chip_figures(*chip);
        for (const auto &f : figures)
            if (f.first == n)
                return f.second;
        if (keys.is_null())
            keys = json(sim::write_params(*chip));
        const json *at = &keys;
        std::size_t i = 0;
        while (at && i <= n.size()) {
            const auto dot = std::min(n.find('.', i), n.size());
            const std::string part = n.substr(i, dot - i);
            at = at->is_object() && at->contains(part) ? &(*at)[part] : nullptr;
            i = dot + 1;
        }
        if (!at || !(at->is_number() || at->is_boolean()))
            throw std::logic_error("sweep constraint: no number for \"" + n + "\"");
        return number_of(*at);
    };
    for (std::size_t i = 0; i < s.constraints.size(); ++i) {
        const sweep_expr e(s.constraints[i]);
        if (e.eval(value_of) != 0)
            continue;
        std::string detail;
        for (const auto &n : e.names())
            detail += fmt::format("{}{} = {}", detail.empty() ? "" : ", ", n, value_of(n));
        return {long(i), fmt::format("constraints[{}] \"{}\": {}", i, s.constraints[i], detail)};
    }
    return {-1, ""};
}

} // namespace ops
