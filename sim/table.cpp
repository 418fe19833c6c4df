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
    std::size_t gap = 2, total = 0;
    for (auto x : w)
        total += x + gap;
    if (m_max_width && total - gap > m_max_width && !w.empty()) {
        gap = 1;
        total -= w.size();
    }
    const std::string sep(gap, ' ');
    auto line = [&](const std::vector<std::string> &cells) {
        std::string s;
        for (std::size_t i = 0; i < w.size(); ++i) {
            const std::string &c = cells[i];
            std::string pad(w[i] - c.size(), ' ');
            if (i)
                s += sep;
            s += m_align[i] == align::left ? c + (i + 1 == w.size() ? "" : pad) : pad + c;
        }
        return s + "\n";
    };
    std::string rule(total > gap ? total - gap : 0, '-');
    std::string out = line(m_headers) + rule + "\n";
    for (const auto &r : m_rows)
        out += r.empty() ? rule + "\n" : line(r);
    return out;
}

std::string wrap(const std::string &text, std::size_t width, const std::string &indent) {
    std::string out, line = indent;
    std::size_t i = 0;
    bool empty = true;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ')
            ++i;
        std::size_t j = text.find(' ', i);
        if (j == std::string::npos)
            j = text.size();
        const std::string word = text.substr(i, j - i);
        i = j;
        if (word.empty())
            break;
        if (!empty && line.size() + 1 + word.size() > width) {
            out += line + "\n";
            line = indent;
            empty = true;
        }
        line += (empty ? "" : " ") + word;
        empty = false;
    }
    if (!empty)
        out += line + "\n";
    return out;
}

} // namespace sim
