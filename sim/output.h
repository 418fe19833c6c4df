#pragma once
// Output files that are either complete or absent: written to a temporary file beside the
// target and renamed into place, so a failed run never leaves a partial report behind.

#include <nlohmann/json.hpp>

#include <string>

namespace sim {

/// Writes `text` to `path` atomically ("-" writes to standard output).
void write_file_atomic(const std::string &path, const std::string &text);

/// Reads a whole file; throws input_error(path, "$", ...) when it cannot be read.
std::string read_file(const std::string &path);

/// Parses JSON text; a syntax error becomes input_error(file, "$", ...) with line and column.
nlohmann::json parse_json_text(const std::string &text, const std::string &file);

} // namespace sim
