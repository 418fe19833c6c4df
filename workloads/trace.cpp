#include "workloads/trace.h"

#include "sim/errors.h"
#include "sim/output.h"
#include "sim/params.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>

namespace workloads {

namespace {

using json = nlohmann::json;

std::string at(const std::string &list, std::size_t i) {
    return list + "[" + std::to_string(i) + "]";
}

std::string join(const std::vector<std::string> &v) {
    std::string s;
    for (const auto &x : v)
        s += (s.empty() ? "" : ", ") + x;
    return s;
}

/// Rejects keys of object `j` (at `path`) that are not in `known`, suggesting the nearest.
void check_keys(const json &j, const std::vector<std::string> &known, const std::string &file,
                const std::string &path) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (std::find(known.begin(), known.end(), it.key()) != known.end())
            continue;
        std::string near = sim::nearest(it.key(), known);
        throw sim::input_error(file, path.empty() ? it.key() : path + "." + it.key(),
                               "unknown key" + (near.empty()
                                                    ? ", expected one of: " + join(known)
                                                    : " (did you mean \"" + near + "\"?)"));
    }
}

const json &need(const json &j, const char *key, const std::string &file, const std::string &path,
                 const char *expected) {
    auto it = j.find(key);
    std::string p = path.empty() ? key : path + "." + key;
    if (it == j.end())
        throw sim::input_error(file, p, std::string("missing; expected ") + expected);
    return *it;
}

std::string sub(const std::string &path, const char *key) {
    return path.empty() ? key : path + "." + key;
}

std::string get_string(const json &v, const std::string &file, const std::string &path) {
    if (!v.is_string())
        throw sim::input_error(file, path, "expected a string, got " + sim::brief_json(v));
    return v.get<std::string>();
}

const json &get_array(const json &v, const std::string &file, const std::string &path,
                      const char *of) {
    if (!v.is_array())
        throw sim::input_error(
            file, path, std::string("expected an array of ") + of + ", got " + sim::brief_json(v));
    return v;
}

std::int64_t get_int(const json &v, const std::string &file, const std::string &path) {
    if (!v.is_number_integer())
        throw sim::input_error(file, path, "expected an integer, got " + sim::brief_json(v));
    if (v.is_number_unsigned() &&
        v.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
        throw sim::input_error(file, path,
                               "expected an integer below 2^63, got " + sim::brief_json(v));
    return v.get<std::int64_t>();
}

/// Tensor references: each entry a string naming a declared tensor.
std::vector<int> get_refs(const json &v, const std::unordered_map<std::string, int> &names,
                          const std::string &file, const std::string &path) {
    get_array(v, file, path, "tensor names");
    std::vector<int> refs;
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::string p = at(path, i);
        std::string name = get_string(v[i], file, p);
        auto it = names.find(name);
        if (it == names.end()) {
            std::vector<std::string> all;
            for (const auto &[n, idx] : names)
                all.push_back(n);
            std::sort(all.begin(), all.end());
            std::string near = sim::nearest(name, all);
            throw sim::input_error(file, p,
                                   "unknown tensor \"" + sim::brief(name) + "\"" +
                                       (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
        }
        refs.push_back(it->second);
    }
    return refs;
}

attr_value get_attr(const json &v, const attr_rule &rule, const std::string &file,
                    const std::string &path) {
    switch (rule.kind) {
    case attr_kind::integer:
        return get_int(v, file, path);
    case attr_kind::string:
        return get_string(v, file, path);
    case attr_kind::integers: {
        get_array(v, file, path, "integers");
        std::vector<std::int64_t> xs;
        for (std::size_t i = 0; i < v.size(); ++i)
            xs.push_back(get_int(v[i], file, at(path, i)));
        return xs;
    }
    }
    return std::int64_t{0};
}

json attr_json(const attr_value &v) {
    return std::visit([](const auto &x) { return json(x); }, v);
}

} // namespace

graph parse_trace(const json &j, const std::string &file) {
    if (!j.is_object())
        throw sim::input_error(file, "$", "expected a JSON object");
    check_keys(j, {"schema", "name", "tensors", "ops", "inputs", "outputs"}, file, "");

    const json &schema = need(j, "schema", file, "", "\"qcsim.trace/1\"");
    if (!schema.is_string() || schema.get<std::string>() != trace_schema)
        throw sim::input_error(file, "schema",
                               std::string("expected \"") + trace_schema + "\", got " +
                                   sim::brief_json(schema));

    graph g;
    g.name = get_string(need(j, "name", file, "", "a string"), file, "name");

    const json &tensors = get_array(need(j, "tensors", file, "", "an array of tensors"), file,
                                    "tensors", "tensor objects");
    std::unordered_map<std::string, int> names;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const std::string p = at("tensors", i);
        const json &tj = tensors[i];
        if (!tj.is_object())
            throw sim::input_error(file, p, "expected a tensor object");
        check_keys(tj, {"name", "shape", "dtype", "constant"}, file, p);
        tensor t;
        t.name = get_string(need(tj, "name", file, p, "a string"), file, sub(p, "name"));
        const json &shape = get_array(need(tj, "shape", file, p, "an array of dimensions"), file,
                                      sub(p, "shape"), "dimensions");
        if (shape.empty())
            throw sim::input_error(file, sub(p, "shape"), "expected at least one dimension");
        for (std::size_t d = 0; d < shape.size(); ++d) {
            std::string dp = at(sub(p, "shape"), d);
            std::int64_t n = get_int(shape[d], file, dp);
            if (n < 1)
                throw sim::input_error(file, dp,
                                       "expected a positive dimension, got " + std::to_string(n));
            t.shape.push_back(n);
        }
        if (auto it = tj.find("dtype"); it != tj.end()) {
            std::string s = get_string(*it, file, sub(p, "dtype"));
            try {
                t.type = parse_dtype(s);
            } catch (const std::invalid_argument &e) {
                std::string near = sim::nearest(s, {"int8", "int16", "fp16", "int32", "fp32"});
                throw sim::input_error(
                    file, sub(p, "dtype"),
                    std::string(e.what()) +
                        (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
            }
        }
        if (auto it = tj.find("constant"); it != tj.end()) {
            if (!it->is_boolean())
                throw sim::input_error(file, sub(p, "constant"),
                                       "expected true or false, got " + sim::brief_json(*it));
            t.constant = it->get<bool>();
        }
        auto [it, fresh] = names.emplace(t.name, static_cast<int>(i));
        if (!fresh)
            throw sim::input_error(file, sub(p, "name"),
                                   "duplicate tensor name \"" + sim::brief(t.name) +
                                       "\" (first at " + at("tensors", it->second) + ")");
        g.tensors.push_back(std::move(t));
    }

    const json &ops = get_array(need(j, "ops", file, "", "an array of operators"), file, "ops",
                                "operator objects");
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const std::string p = at("ops", i);
        const json &oj = ops[i];
        if (!oj.is_object())
            throw sim::input_error(file, p, "expected an operator object");
        check_keys(oj, {"name", "type", "inputs", "outputs", "attrs"}, file, p);
        op o;
        o.name = get_string(need(oj, "name", file, p, "a string"), file, sub(p, "name"));
        o.type = get_string(need(oj, "type", file, p, "an operator type"), file, sub(p, "type"));
        const op_rule *rule = find_op_rule(o.type);
        if (!rule) {
            std::string near = sim::nearest(o.type, op_type_names());
            throw sim::input_error(file, sub(p, "type"),
                                   "unknown operator type \"" + sim::brief(o.type) + "\"" +
                                       (near.empty() ? ", expected one of: " + join(op_type_names())
                                                     : " (did you mean \"" + near + "\"?)"));
        }
        o.inputs = get_refs(need(oj, "inputs", file, p, "an array of tensor names"), names, file,
                            sub(p, "inputs"));
        o.outputs = get_refs(need(oj, "outputs", file, p, "an array of tensor names"), names, file,
                             sub(p, "outputs"));
        if (auto it = oj.find("attrs"); it != oj.end()) {
            const std::string ap = sub(p, "attrs");
            if (!it->is_object())
                throw sim::input_error(file, ap, "expected a JSON object");
            std::vector<std::string> known;
            for (const auto &a : rule->attrs)
                known.emplace_back(a.name);
            for (auto a = it->begin(); a != it->end(); ++a) {
                const attr_rule *ar = nullptr;
                for (const auto &r : rule->attrs)
                    if (a.key() == r.name)
                        ar = &r;
                if (!ar) {
                    std::string near = sim::nearest(a.key(), known);
                    throw sim::input_error(
                        file, ap + "." + a.key(),
                        "unknown attribute for " + sim::brief(o.type) +
                            (near.empty() ? (known.empty() ? " (it takes none)"
                                                           : ", expected one of: " + join(known))
                                          : " (did you mean \"" + near + "\"?)"));
                }
                o.attrs[a.key()] = get_attr(a.value(), *ar, file, ap + "." + a.key());
            }
        }
        g.ops.push_back(std::move(o));
    }

    g.inputs =
        get_refs(need(j, "inputs", file, "", "an array of tensor names"), names, file, "inputs");
    g.outputs =
        get_refs(need(j, "outputs", file, "", "an array of tensor names"), names, file, "outputs");
    validate(g, file);
    return g;
}

graph parse_trace_text(const std::string &text, const std::string &file) {
    return parse_trace(sim::parse_json_text(text, file), file);
}

graph read_trace(const std::string &path) {
    return parse_trace_text(sim::read_file(path), path);
}

json to_json(const graph &g) {
    json j = json::object();
    j["schema"] = trace_schema;
    j["name"] = g.name;
    json tensors = json::array();
    for (const auto &t : g.tensors)
        tensors.push_back({{"name", t.name},
                           {"shape", t.shape},
                           {"dtype", dtype_name(t.type)},
                           {"constant", t.constant}});
    j["tensors"] = std::move(tensors);
    auto refs = [&](const std::vector<int> &v) {
        json a = json::array();
        for (int t : v)
            a.push_back(g.tensors.at(t).name);
        return a;
    };
    json ops = json::array();
    for (const auto &o : g.ops) {
        json attrs = json::object();
        for (const auto &[k, v] : o.attrs)
            attrs[k] = attr_json(v);
        ops.push_back({{"name", o.name},
                       {"type", o.type},
                       {"inputs", refs(o.inputs)},
                       {"outputs", refs(o.outputs)},
                       {"attrs", std::move(attrs)}});
    }
    j["ops"] = std::move(ops);
    j["inputs"] = refs(g.inputs);
    j["outputs"] = refs(g.outputs);
    return j;
}

std::string trace_text(const graph &g) {
    const json j = to_json(g);
    std::string s = "{\n";
    const char *order[] = {"schema", "name", "inputs", "outputs", "tensors", "ops"};
    for (std::size_t k = 0; k < 6; ++k) {
        const json &v = j.at(order[k]);
        s += "  " + json(order[k]).dump() + ": ";
        if (order[k] == std::string("tensors") || order[k] == std::string("ops")) {
            // One element per line: diff-friendly and still readable for ~200 operators.
            if (v.empty()) {
                s += "[]";
            } else {
                s += "[\n";
                // Keys in reading order (name first) rather than json's sorted order.
                static const std::vector<std::string> tensor_keys = {"name", "shape", "dtype",
                                                                     "constant"};
                static const std::vector<std::string> op_keys = {"name", "type", "inputs",
                                                                 "outputs", "attrs"};
                const auto &keys = k == 4 ? tensor_keys : op_keys;
                for (std::size_t i = 0; i < v.size(); ++i) {
                    std::string line;
                    for (const auto &key : keys)
                        line += (line.empty() ? "{" : ",") + json(key).dump() + ":" +
                                v[i].at(key).dump();
                    s += "    " + line + (i + 1 < v.size() ? "},\n" : "}\n");
                }
                s += "  ]";
            }
        } else {
            s += v.dump();
        }
        s += k + 1 < 6 ? ",\n" : "\n";
    }
    return s + "}\n";
}

void write_trace(const graph &g, const std::string &path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        throw sim::input_error(path, "$", "cannot open the file for writing");
    out << trace_text(g);
    if (!out)
        throw sim::input_error(path, "$", "write failed");
}

} // namespace workloads
