#pragma once
// SCALE-Sim v2 topology CSVs as a graph: `--workload scalesim:FILE.csv` (docs/workloads.md,
// "SCALE-Sim topology CSV"). Both of SCALE-Sim's forms are read with the conventions of its
// scalesim/topology_utils.py:
//   conv form  header line, then rows "name, ifmap_h, ifmap_w, filter_h, filter_w, channels,
//              num_filter, stride_h[, stride_w],"; no padding, ofmap = ceil((in - f + s) / s);
//              a name containing "DP" is a depthwise layer (SCALE-Sim expands it per channel);
//   GEMM form  header "Layer Name, M, N, K," then rows "name, M, N, K," (M output rows,
//              reduction K, N outputs).
// Layers are independent: each one has its own network input, weight and network output.
// Pure C++17, no SystemC.

#include "workloads/graph.h"

#include <cstdint>
#include <string>

namespace workloads {

/// Upper bound of every value of a row (dimensions, channels, filters, strides, M, N, K).
inline constexpr std::int64_t scalesim_max_value = std::int64_t{1} << 20;
/// Upper bound of the element count of every tensor of an imported layer.
inline constexpr std::int64_t scalesim_max_elements = std::int64_t{1} << 32;
/// Upper bound of the MACs of the whole file (so every count stays exact in a double).
inline constexpr std::int64_t scalesim_max_macs = std::int64_t{1} << 53;
/// Upper bound of the file size, bytes (a topology is a few KiB; this refuses /dev/zero).
inline constexpr std::int64_t scalesim_max_file_bytes = std::int64_t{16} << 20;

/// Reads a SCALE-Sim topology CSV and returns the validated graph, named
/// "scalesim:<file name without its directory>". Every problem is a
/// sim::input_error(path, "line N" or "line N, <column>", what was expected).
graph read_scalesim_topology(const std::string &path);

/// The same from the file's text; `file` names it in errors and in the graph's name.
graph parse_scalesim_topology(const std::string &text, const std::string &file);

} // namespace workloads
