#pragma once
// Declared parameters, Ramulator-2 style: a params struct lists each of its fields once, with
// name, unit and description, in a visit() member. Visitors then read it strictly from JSON
// (unknown key, wrong type, out-of-range value -> sim::input_error naming the JSON path), write
// it back (the effective-config dump), and describe it (`qcsim describe`). The default of a key
// is the value of a default-constructed struct, so there is exactly one place for it.
//
//   struct foo_params {
//       std::uint32_t rows = 32; ///< PE rows
//       template <class V> void visit(V& v) {
//           v.field("rows", rows, "count", "PE rows of the array", sim::at_least(1));
//       }
//   };

#include "sim/errors.h"
#include "sim/output.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace sim {

/// Inclusive numeric range a field must lie in.
struct range {
    double lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
};
inline range at_least(double lo) {
    return {lo, std::numeric_limits<double>::infinity()};
}
inline range between(double lo, double hi) {
    return {lo, hi};
}
inline range any_value() {
    return {};
}

/// Names of an enum's values, for enum fields ("choices"): the registry a model-selection key
/// resolves through.
template <class E> struct choice_table {
    std::vector<std::pair<E, const char *>> entries;
    const char *name_of(E e) const {
        for (auto &[v, n] : entries)
            if (v == e)
                return n;
        return "?";
    }
};

/// Longest word nearest() suggests for, and most candidates it compares (README "Limits").
constexpr std::size_t max_suggest_chars = 64;
constexpr std::size_t max_suggest_candidates = 10000;

/// Levenshtein distance; used to suggest the nearest valid key or choice.
std::size_t edit_distance(const std::string &a, const std::string &b);
/// The candidate nearest to `word`, or "" when none is reasonably close (at most a third of its
/// characters differ), `word` is longer than max_suggest_chars, or it is beyond the first
/// max_suggest_candidates candidates of a plausible length.
std::string nearest(const std::string &word, const std::vector<std::string> &candidates);

/// Reads a params struct from a JSON object, strictly. Keys missing from the JSON keep their
/// defaults; keys present in the JSON but not declared are errors, except comment keys, whose
/// name starts with "//" (JSON has no comments; configs use them to cite their sources).
class json_reader {
public:
    json_reader(const nlohmann::json &j, std::string file, std::string path)
        : m_j(j), m_file(std::move(file)), m_path(std::move(path)) {}

    template <class T>
    void field(const char *key, T &value, const char *unit, const char *desc,
               range r = any_value());
    template <class E>
    void choice(const char *key, E &value, const choice_table<E> &table, const char *desc);
    template <class P> void group(const char *key, P &sub, const char *desc);
    /// A JSON array of objects, each read as a P; `min_items` at least.
    template <class P>
    void list(const char *key, std::vector<P> &items, const char *desc, std::size_t min_items = 0);

    /// Call after visiting: throws on keys the struct did not declare.
    void finish() const;

private:
    const nlohmann::json *get(const char *key);
    [[noreturn]] void fail(const std::string &key, const std::string &what) const;
    const nlohmann::json &m_j;
    std::string m_file;
    std::string m_path;
    std::vector<std::string> m_known;
};

/// Writes a params struct to JSON (every key, with its current value, in declaration order).
class json_writer {
public:
    explicit json_writer(nlohmann::ordered_json &out) : m_out(out) {}
    template <class T>
    void field(const char *key, T &value, const char *, const char *, range = {}) {
        m_out[key] = value;
    }
    template <class E>
    void choice(const char *key, E &value, const choice_table<E> &t, const char *) {
        m_out[key] = t.name_of(value);
    }
    template <class P> void group(const char *key, P &sub, const char *) {
        nlohmann::ordered_json j = nlohmann::ordered_json::object();
        json_writer w(j);
        sub.visit(w);
        m_out[key] = std::move(j);
    }
    template <class P>
    void list(const char *key, std::vector<P> &items, const char *, std::size_t = 0) {
        nlohmann::ordered_json a = nlohmann::ordered_json::array();
        for (auto &item : items) {
            nlohmann::ordered_json j = nlohmann::ordered_json::object();
            json_writer w(j);
            item.visit(w);
            a.push_back(std::move(j));
        }
        m_out[key] = std::move(a);
    }

private:
    nlohmann::ordered_json &m_out;
};

/// One row of `qcsim describe`.
struct param_row {
    std::string path, type, unit, default_value, description;
};

/// Lists every key with its type, unit, default and meaning.
class describer {
public:
    describer(std::vector<param_row> &rows, std::string prefix)
        : m_rows(rows), m_prefix(std::move(prefix)) {}
    template <class T>
    void field(const char *key, T &value, const char *unit, const char *desc, range = {}) {
        nlohmann::json j = value;
        m_rows.push_back({m_prefix + key, type_name<T>(), unit, j.dump(), desc});
    }
    template <class E>
    void choice(const char *key, E &value, const choice_table<E> &t, const char *desc) {
        std::string names;
        for (auto &[v, n] : t.entries)
            names += (names.empty() ? "" : "|") + std::string(n);
        m_rows.push_back(
            {m_prefix + key, "choice", names, std::string("\"") + t.name_of(value) + "\"", desc});
    }
    template <class P> void group(const char *key, P &sub, const char *desc) {
        m_rows.push_back({m_prefix + key, "object", "", "", desc});
        describer d(m_rows, m_prefix + key + ".");
        sub.visit(d);
    }
    template <class P>
    void list(const char *key, std::vector<P> &, const char *desc, std::size_t = 0) {
        m_rows.push_back({m_prefix + key, "array", "", "[]", desc});
        P item{};
        describer d(m_rows, m_prefix + key + "[].");
        item.visit(d);
    }

private:
    template <class T> static const char *type_name() {
        if constexpr (std::is_same_v<T, bool>)
            return "bool";
        else if constexpr (std::is_integral_v<T>)
            return "integer";
        else if constexpr (std::is_floating_point_v<T>)
            return "number";
        else
            return "string";
    }
    std::vector<param_row> &m_rows;
    std::string m_prefix;
};

/// Reads `P` from JSON object `j` (strict), naming `file` in errors.
template <class P> P read_params(const nlohmann::json &j, const std::string &file) {
    P p{};
    if (!j.is_object())
        throw input_error(file, "$", "expected a JSON object");
    json_reader r(j, file, "");
    p.visit(r);
    r.finish();
    return p;
}
template <class P> nlohmann::ordered_json write_params(P p) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    json_writer w(j);
    p.visit(w);
    return j;
}
template <class P> std::vector<param_row> describe_params(P p = P{}) {
    std::vector<param_row> rows;
    describer d(rows, "");
    p.visit(d);
    return rows;
}

/// Applies `--set a.b.c=value` to a JSON config: `value` is parsed as JSON when it parses
/// (numbers, true/false, quoted strings, objects), else taken as a string. The key path must
/// exist in `schema` (the defaults, as written by write_params and parsed back into a plain
/// nlohmann::json); otherwise input_error names
/// "--set" and suggests the nearest key.
void apply_override(nlohmann::json &config, const nlohmann::json &schema,
                    const std::string &assignment);

// ---- json_reader templates -------------------------------------------------------------------

template <class T>
void json_reader::field(const char *key, T &value, const char *unit, const char *, range r) {
    const nlohmann::json *v = get(key);
    if (!v)
        return;
    if constexpr (std::is_same_v<T, bool>) {
        if (!v->is_boolean())
            fail(key, "expected true or false");
        value = v->get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
        if (!v->is_number_integer() &&
            !(v->is_number_float() &&
              v->get<double>() == static_cast<double>(static_cast<std::int64_t>(v->get<double>()))))
            fail(key, std::string("expected an integer (") + unit + ")");
        double d = v->get<double>();
        if (d < r.lo || d > r.hi || (std::is_unsigned_v<T> && d < 0) ||
            d > static_cast<double>(std::numeric_limits<T>::max()))
            fail(key, "expected an integer in [" + nlohmann::json(r.lo).dump() + ", " +
                          nlohmann::json(r.hi).dump() + "] (" + unit + "), got " + brief_json(*v));
        value = static_cast<T>(v->get<std::int64_t>());
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!v->is_number())
            fail(key, std::string("expected a number (") + unit + ")");
        double d = v->get<double>();
        if (d < r.lo || d > r.hi)
            fail(key, "expected a number in [" + nlohmann::json(r.lo).dump() + ", " +
                          nlohmann::json(r.hi).dump() + "] (" + unit + "), got " + brief_json(*v));
        value = static_cast<T>(d);
    } else {
        if (!v->is_string())
            fail(key, "expected a string");
        value = v->get<std::string>();
    }
}

template <class E>
void json_reader::choice(const char *key, E &value, const choice_table<E> &table, const char *) {
    const nlohmann::json *v = get(key);
    if (!v)
        return;
    std::vector<std::string> names;
    for (auto &[e, n] : table.entries)
        names.push_back(n);
    std::string all;
    for (auto &n : names)
        all += (all.empty() ? "" : ", ") + ("\"" + n + "\"");
    if (!v->is_string())
        fail(key, "expected one of " + all);
    std::string s = v->get<std::string>();
    for (auto &[e, n] : table.entries)
        if (s == n) {
            value = e;
            return;
        }
    std::string near = nearest(s, names);
    fail(key, "unknown value \"" + s + "\", expected one of " + all +
                  (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
}

template <class P>
void json_reader::list(const char *key, std::vector<P> &items, const char *,
                       std::size_t min_items) {
    const nlohmann::json *v = get(key);
    if (!v)
        return;
    const std::string sub_path = m_path.empty() ? key : m_path + "." + key;
    if (!v->is_array())
        throw input_error(m_file, sub_path, "expected a JSON array of objects");
    if (v->size() < min_items)
        throw input_error(m_file, sub_path,
                          "expected at least " + std::to_string(min_items) + " entries");
    items.clear();
    for (std::size_t i = 0; i < v->size(); ++i) {
        const std::string item_path = sub_path + "[" + std::to_string(i) + "]";
        if (!(*v)[i].is_object())
            throw input_error(m_file, item_path, "expected a JSON object");
        P item{};
        json_reader r((*v)[i], m_file, item_path);
        item.visit(r);
        r.finish();
        items.push_back(std::move(item));
    }
}

template <class P> void json_reader::group(const char *key, P &sub, const char *) {
    const nlohmann::json *v = get(key);
    if (!v)
        return;
    std::string sub_path = m_path.empty() ? key : m_path + "." + key;
    if (!v->is_object())
        throw input_error(m_file, sub_path, "expected a JSON object");
    json_reader r(*v, m_file, sub_path);
    sub.visit(r);
    r.finish();
}

} // namespace sim
