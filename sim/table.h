#pragma once
// A plain-text table for terminals: columns with a header, left- or right-aligned, widths from
// the content. No accelerator nouns: report code decides the columns.

#include <string>
#include <vector>

namespace sim {

class text_table {
public:
    enum class align { left, right };
    void add_column(std::string header, align a = align::right);
    void add_row(std::vector<std::string> cells);
    void add_rule(); ///< a horizontal rule between rows
    std::string str() const;

private:
    std::vector<std::string> m_headers;
    std::vector<align> m_align;
    std::vector<std::vector<std::string>> m_rows; ///< an empty row is a rule
};

} // namespace sim
