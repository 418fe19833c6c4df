#include "sim/params.h"

#include "sim/output.h"

#include <algorithm>

namespace sim {

std::size_t edit_distance(const std::string &a, const std::string &b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string nearest(const std::string &word, const std::vector<std::string> &candidates) {
    // Suggestions are for typos. The edit distance costs |word| x |candidate|, so a long word
    // gets none and only so many candidates are compared; a candidate whose length differs by
    // more than the allowed distance cannot be close enough and costs nothing.
    if (word.empty() || word.size() > max_suggest_chars)
        return "";
    // Close enough to be a misspelling: at most a third of the word's letters differ.
    const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
    std::string best;
    std::size_t best_d = std::string::npos, compared = 0;
    for (const auto &c : candidates) {
        if (c.size() > word.size() + limit || c.size() + limit < word.size())
            continue;
        if (++compared > max_suggest_candidates)
            break;
        std::size_t d = edit_distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    if (best_d == std::string::npos || best_d > limit)
        return "";
    return best;
}

const nlohmann::json *json_reader::get(const char *key) {
    m_known.emplace_back(key);
    auto it = m_j.find(key);
    return it == m_j.end() ? nullptr : &*it;
}

void json_reader::fail(const std::string &key, const std::string &what) const {
    throw input_error(m_file, m_path.empty() ? key : m_path + "." + key, what);
}

void json_reader::finish() const {
    for (auto it = m_j.begin(); it != m_j.end(); ++it) {
        if (std::find(m_known.begin(), m_known.end(), it.key()) != m_known.end())
            continue;
        if (it.key().rfind("//", 0) == 0)
            continue; // a comment key: "//": "source of these values"

        std::string near = nearest(it.key(), m_known);
        std::string all;
        for (auto &k : m_known)
            all += (all.empty() ? "" : ", ") + k;
        fail(it.key(), "unknown key" + (near.empty() ? std::string(", expected one of: ") + all
                                                     : " (did you mean \"" + near + "\"?)"));
    }
}

namespace {

/// Every key path of `schema` that holds a value ("dram.channels"), in order.
void leaf_paths(const nlohmann::json &schema, const std::string &prefix,
                std::vector<std::string> &out) {
    for (auto it = schema.begin(); it != schema.end(); ++it) {
        const std::string p = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (it->is_object())
            leaf_paths(*it, p, out);
        else
            out.push_back(p);
    }
}

} // namespace

void apply_override(nlohmann::json &config, const nlohmann::json &schema,
                    const std::string &assignment) {
    auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw input_error("--set", brief(assignment), "expected key.path=value");
    std::string path = assignment.substr(0, eq);
    std::string text = assignment.substr(eq + 1);
    // A value that is not JSON is a string ("--set dram.model=simple"); one that is JSON but
    // nested too deeply or out of range is an error, not a string.
    if (const std::string problem = json_text_problem(text); !problem.empty())
        throw input_error("--set", path, "value " + brief(text) + ": " + problem);
    nlohmann::json value;
    try {
        value = parse_json_text(text, "--set " + path);
    } catch (const input_error &) {
        value = text;
    }
    const nlohmann::json *s = &schema;
    nlohmann::json *c = &config;
    std::string done;
    std::size_t start = 0;
    while (true) {
        auto dot = path.find('.', start);
        std::string key =
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        std::string here = done.empty() ? key : done + "." + key;
        if (!s->is_object() || !s->contains(key)) {
            // Name the whole key path, and suggest the nearest whole key: "no.such.key" is
            // wrong as a whole, not just at "no".
            std::vector<std::string> keys;
            leaf_paths(schema, "", keys);
            std::vector<std::string> near;
            if (std::string n = nearest(path, keys); !n.empty()) {
                near.push_back(n);
            } else {
                // A key given without its group ("channels"), or misspelt in its last part:
                // every key whose last part is nearest to it.
                auto last = [](const std::string &k) { return k.substr(k.rfind('.') + 1); };
                std::vector<std::string> leaves;
                for (const auto &k : keys)
                    leaves.push_back(last(k));
                const std::string leaf = nearest(last(path), leaves);
                for (const auto &k : keys)
                    if (!leaf.empty() && last(k) == leaf)
                        near.push_back(k);
            }
            std::string hint;
            for (std::size_t i = 0; i < near.size(); ++i)
                hint += (i == 0 ? "" : i + 1 == near.size() ? "\" or \"" : "\", \"") + near[i];
            throw input_error("--set", path,
                              "unknown key" +
                                  (near.empty() ? std::string(" ('qcsim describe' lists every key)")
                                                : " (did you mean \"" + hint + "\"?)"));
        }
        s = &(*s)[key];
        if (!c->is_object())
            *c = nlohmann::json::object();
        if (dot == std::string::npos) {
            if (s->is_object())
                throw input_error("--set", here, "is a group; set one of its keys");
            (*c)[key] = value;
            return;
        }
        c = &(*c)[key];
        done = here;
        start = dot + 1;
    }
}

} // namespace sim
