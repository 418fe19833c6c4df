#pragma once
// The one exception type for bad input. Whatever part of qcsim finds that a file, a --set, a
// workload spec or a chip cannot be used throws input_error; the CLI prints what() and exits 2.
// Messages echo input only in short excerpts (brief()): a 4 MB name or a deeply nested value
// must not become a 4 MB message. As a backstop, input_error itself cuts its JSON path and its
// message (README "Limits").

#include <cstddef>
#include <stdexcept>
#include <string>

namespace sim {

/// Longest excerpt of input that a message quotes (brief()), and the backstop limits of
/// input_error's JSON path and whole message, in characters.
constexpr std::size_t brief_chars = 80;
constexpr std::size_t max_path_chars = 200;
constexpr std::size_t max_message_chars = 1000;

/// `text` when it has at most `max` characters, else its first `max` characters followed by
/// "...(N characters)". Never splits a UTF-8 sequence.
inline std::string brief(const std::string &text, std::size_t max = brief_chars) {
    if (text.size() <= max)
        return text;
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
        --n; // text[n] continues a UTF-8 sequence: cut before the sequence starts
    return text.substr(0, n) + "...(" + std::to_string(text.size()) + " characters)";
}

class input_error : public std::runtime_error {
public:
    /// `file` is the file (or "--set", "--workload", "<built-in>") the bad value came from,
    /// `json_path` where in it ("$" for the whole document, "dram.channels", "ops[3].inputs"),
    /// `expected` what was expected and what was found.
    input_error(const std::string &file, const std::string &json_path, const std::string &expected)
        : std::runtime_error(
              brief(file, max_path_chars) + ": " +
              (json_path.empty() ? std::string("$") : brief(json_path, max_path_chars)) + ": " +
              brief(expected, max_message_chars)),
          m_file(file), m_path(json_path) {}
    const std::string &file() const { return m_file; }
    const std::string &json_path() const { return m_path; }

private:
    std::string m_file, m_path;
};

/// Exit status for bad input or usage (DESIGN.md §6).
constexpr int exit_bad_input = 2;

} // namespace sim
