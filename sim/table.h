#pragma once
// A plain-text table for terminals: columns with a header, left- or right-aligned, widths from
// the content. No accelerator nouns: report code decides the columns.

#include <cstddef>
#include <string>
#include <vector>

namespace sim {

class text_table {
public:
    enum class align { left, right };
    void add_column(std::string header, align a = align::right);
    void add_row(std::vector<std::string> cells);
    void add_rule(); ///< a horizontal rule between rows
    /// Columns are separated by two spaces, or by one when two would make a line wider than
    /// `max_width` (0: no limit).
    void set_max_width(std::size_t w) { m_max_width = w; }
    std::string str() const;

private:
    std::vector<std::string> m_headers;
    std::vector<align> m_align;
    std::vector<std::vector<std::string>> m_rows; ///< an empty row is a rule
    std::size_t m_max_width = 0;
};

/// `text` word-wrapped to lines of at most `width` characters (a longer word stays whole), each
/// line starting with `indent`, each ending with a newline.
std::string wrap(const std::string &text, std::size_t width, const std::string &indent);

} // namespace sim
