#pragma once
// Output files that are either complete or absent: written to a temporary file beside the
// target and renamed into place, so a failed run never leaves a partial report behind.

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace sim {

/// Writes `text` to `path` atomically ("-" writes to standard output).
void write_file_atomic(const std::string &path, const std::string &text);

/// Throws input_error(path, "$", ...) unless `path` can be written: "-" (standard output), or a
/// path that is not a directory and whose directory exists and is writable. `option` ("--json")
/// names the command-line option in the message. Commands call it for every output path before
/// they change anything.
void check_writable(const std::string &path, const std::string &option);

/// check_writable() for every (option, path), and no file given for two options.
void check_outputs(const std::vector<std::pair<std::string, std::string>> &option_paths);

/// Writes several files as one: every text goes to a temporary file beside its target first,
/// and only when all of them are written are they renamed into place ("-" goes to standard
/// output after the files). A failure before the renames leaves no file behind.
void write_files_atomic(const std::vector<std::pair<std::string, std::string>> &path_texts);

/// `v` as JSON text for a message, cut to about `max` characters: the value is walked only as
/// far as the excerpt needs, so a huge or deeply nested value costs no more than a small one.
std::string brief_json(const nlohmann::json &v, std::size_t max = 80);

/// Reads a whole file; throws input_error(path, "$", ...) when it cannot be read.
std::string read_file(const std::string &path);

/// Parses JSON text; a syntax error becomes input_error(file, "$", ...) with line and column.
nlohmann::json parse_json_text(const std::string &text, const std::string &file);

} // namespace sim
