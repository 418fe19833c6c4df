#pragma once
// The one exception type for bad input. Whatever part of qcsim finds that a file, a --set, a
// workload spec or a chip cannot be used throws input_error; the CLI prints what() and exits 2.

#include <stdexcept>
#include <string>

namespace sim {

class input_error : public std::runtime_error {
public:
    /// `file` is the file (or "--set", "--workload", "<built-in>") the bad value came from,
    /// `json_path` where in it ("$" for the whole document, "dram.channels", "ops[3].inputs"),
    /// `expected` what was expected and what was found.
    input_error(const std::string &file, const std::string &json_path, const std::string &expected)
        : std::runtime_error(file + ": " + (json_path.empty() ? std::string("$") : json_path) +
                             ": " + expected),
          m_file(file), m_path(json_path) {}
    const std::string &file() const { return m_file; }
    const std::string &json_path() const { return m_path; }

private:
    std::string m_file, m_path;
};

/// Exit status for bad input or usage (DESIGN.md §6).
constexpr int exit_bad_input = 2;

} // namespace sim
