#pragma once
// The JSON trace format "qcsim.trace/1" (docs/workloads.md): a graph written as named tensors and
// operators in topological order. The reader is strict: every problem is a sim::input_error naming
// the file and the JSON path ("ops[3].attrs.stride"), and the graph is validated against the
// operator rules of graph.h before it is returned. write → read → write is byte-identical.

#include "workloads/graph.h"

#include <nlohmann/json.hpp>

#include <string>

namespace workloads {

/// The value of the trace's "schema" key.
inline constexpr const char *trace_schema = "qcsim.trace/1";

/// Reads and validates a trace file.
graph read_trace(const std::string &path);
/// Reads and validates a trace already parsed; `file` is only used in error messages.
graph parse_trace(const nlohmann::json &j, const std::string &file);
/// Parses trace text (malformed JSON is an input_error with line, column and byte).
graph parse_trace_text(const std::string &text, const std::string &file);

/// The trace of `g`: every tensor key written explicitly, attributes as stored.
nlohmann::json to_json(const graph &g);
/// Writes the trace of `g`: top-level keys in a fixed order, one tensor or operator per line.
void write_trace(const graph &g, const std::string &path);
/// The text write_trace writes.
std::string trace_text(const graph &g);

} // namespace workloads
