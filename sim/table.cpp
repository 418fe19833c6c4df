#include "sim/table.h"

#include <algorithm>

namespace sim {

void text_table::add_column(std::string header, align a) {
    m_headers.push_back(std::move(header));
    m_align.push_back(a);
}

void text_table::add_row(std::vector<std::string> cells) {
    cells.resize(m_headers.size());
    m_rows.push_back(std::move(cells));
}

void text_table::add_rule() {
    m_rows.emplace_back();
}

std::string text_table::str() const {
    std::vector<std::size_t> w(m_headers.size());
    for (std::size_t i = 0; i < w.size(); ++i)
        w[i] = m_headers[i].size();
    for (const auto &r : m_rows)
        for (std::size_t i = 0; i < r.size(); ++i)
            w[i] = std::max(w[i], r[i].size());
    auto line = [&](const std::vector<std::string> &cells) {
        std::string s;
        for (std::size_t i = 0; i < w.size(); ++i) {
            const std::string &c = cells[i];
            std::string pad(w[i] - c.size(), ' ');
            if (i)
                s += "  ";
            s += m_align[i] == align::left ? c + (i + 1 == w.size() ? "" : pad) : pad + c;
        }
        return s + "\n";
    };
    std::size_t total = 0;
    for (auto x : w)
        total += x + 2;
    std::string rule(total > 2 ? total - 2 : 0, '-');
    std::string out = line(m_headers) + rule + "\n";
    for (const auto &r : m_rows)
        out += r.empty() ? rule + "\n" : line(r);
    return out;
}

} // namespace sim
