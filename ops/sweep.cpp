#include "ops/sweep.h"

#include "ops/chip.h"
#include "sim/errors.h"
#include "sim/output.h"
#include "workloads/generators.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

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
        static const std::set<std::string> known = {
            "schema", "name", "chip", "workloads", "parameters", "sampling", "objectives"};
        for (auto it = m_j.begin(); it != m_j.end(); ++it)
            if (!known.count(it.key()) && it.key().rfind("//", 0) != 0)
                fail(it.key(), "unknown key, expected one of: schema, name, chip, workloads, "
                               "parameters, sampling, objectives");
        sweep_spec s;
        if (str(m_j, "schema", "schema", "") != "qcsim.sweep/1")
            fail("schema", "expected \"qcsim.sweep/1\"");
        s.name = str(m_j, "name", "name", "");
        s.chip = str(m_j, "chip", "chip", "");
        read_workloads(s);
        read_params(s);
        read_sampling(s);
        if (m_j.contains("objectives")) {
            const json &o = m_j["objectives"];
            if (!o.is_array() || o.empty())
                fail("objectives", "expected a non-empty array of report field names");
            for (std::size_t i = 0; i < o.size(); ++i) {
                if (!o[i].is_string() || o[i].get<std::string>().empty())
                    fail("objectives[" + std::to_string(i) + "]", "expected a field name");
                s.objectives.push_back(o[i].get<std::string>());
            }
        } else {
            s.objectives = {"cycles", "energy_uj", "area_mm2"};
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
        if (path.rfind("workload.", 0) == 0) {
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
            only(ps[i], p, {"path", "paths", "values", "range"});
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
            if (ps[i].contains("values") == ps[i].contains("range"))
                fail(p, "expected either \"values\" or \"range\"");
            if (ps[i].contains("values"))
                read_values(ps[i]["values"], p + ".values", sp, types);
            else
                read_range(ps[i]["range"], p + ".range", sp, types);
            s.params.push_back(std::move(sp));
        }
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

    const json &m_j;
    std::string m_file;
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

} // namespace ops
