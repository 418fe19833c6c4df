#pragma once
// Output files that are either complete or absent: written to a temporary file beside the
// target and renamed into place, so a failed run never leaves a partial report behind.

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace sim {

/// Writes `text` to `path` atomically ("-" writes to standard output; a device or a pipe is
/// written in place).
void write_file_atomic(const std::string &path, const std::string &text);

/// Throws input_error(path, "$", ...) unless `path` can be written: "-" (standard output), or a
/// path that is not a directory and whose directory exists and is writable. `option` ("--json")
/// names the command-line option in the message. Commands call it for every output path before
/// they change anything.
void check_writable(const std::string &path, const std::string &option);

/// check_writable() for every (option, path), and no file given for two options.
void check_outputs(const std::vector<std::pair<std::string, std::string>> &option_paths);

/// Writes several files as one: every text goes to a temporary file beside its target first,
/// and only when all of them are written are they renamed into place. "-" (standard output) and
/// an existing device or pipe (/dev/null, /dev/stdout) are written after the files, in place: a
/// rename would replace the device node. A failure before the renames leaves no file behind.
void write_files_atomic(const std::vector<std::pair<std::string, std::string>> &path_texts);

/// `v` as JSON text for a message, cut to about `max` characters: the value is walked only as
/// far as the excerpt needs, so a huge or deeply nested value costs no more than a small one.
std::string brief_json(const nlohmann::json &v, std::size_t max = 80);

/// Largest file read_file() reads, in bytes (64 MiB; a BERT-base trace is about 0.3 MB).
constexpr std::size_t max_input_bytes = std::size_t(64) << 20;
/// Deepest nesting of arrays and objects parse_json_text() accepts (qcsim's formats need 5).
constexpr std::size_t max_json_depth = 64;

/// Reads a whole regular file of at most max_input_bytes; throws input_error(path, "$", ...)
/// when it cannot be read, is a directory or another kind of file, or is larger.
std::string read_file(const std::string &path);

/// Parses JSON text strictly; every problem is input_error(file, path, ...):
///   - a syntax error, with line, column and byte;
///   - nesting deeper than max_json_depth, and a number beyond the range of a double (1e400),
///     with line, column and byte (found before the parser sees the text);
///   - a key that appears twice in one object (JSON keeps only one of them), naming the key, the
///     object's JSON path and which keys of the object they are; comment keys (starting with
///     "//") may repeat.
nlohmann::json parse_json_text(const std::string &text, const std::string &file);

/// What parse_json_text() refuses before parsing (excessive nesting, an out-of-range number),
/// as "... at line L, column C (byte B)", or "" when the text has neither.
std::string json_text_problem(const std::string &text);

} // namespace sim
