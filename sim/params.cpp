#include "sim/params.h"

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
    std::string best;
    std::size_t best_d = std::string::npos;
    for (const auto &c : candidates) {
        std::size_t d = edit_distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    // Close enough to be a misspelling: at most a third of the word's letters differ.
    if (best_d == std::string::npos || best_d > std::max<std::size_t>(2, word.size() / 3))
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

void apply_override(nlohmann::json &config, const nlohmann::json &schema,
                    const std::string &assignment) {
    auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw input_error("--set", assignment, "expected key.path=value");
    std::string path = assignment.substr(0, eq);
    std::string text = assignment.substr(eq + 1);
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error &) {
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
            std::vector<std::string> keys;
            if (s->is_object())
                for (auto it = s->begin(); it != s->end(); ++it)
                    keys.push_back(it.key());
            std::string near = nearest(key, keys);
            throw input_error("--set", here,
                              "unknown key" +
                                  (near.empty()
                                       ? std::string()
                                       : " (did you mean \"" +
                                             (done.empty() ? near : done + "." + near) + "\"?)"));
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
