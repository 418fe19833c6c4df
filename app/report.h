#pragma once
// The report: turns the compiled program and the simulation's counters into the figures
// DESIGN.md §6 defines (utilisations, bandwidths, limiting resource, energy). Every figure is
// defined once, in README "Report fields"; this file is where those definitions are computed.

#include "arch/run_stats.h"
#include "ops/chip.h"
#include "ops/command.h"
#include "ops/power.h"
#include "workloads/graph.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace app {

using report_json = nlohmann::ordered_json;

/// The schema name of the JSON report; bump the number when a field is renamed or removed.
inline constexpr const char *report_schema = "qcsim.report/1";

/// Derived figures of a chip config (printed before a run, and the report's "chip" object).
report_json chip_figures(const ops::chip_desc &chip);

/// What identifies a run, written in the report's "run" object.
struct run_info {
    std::string version;                ///< qcsim --version
    std::string chip_file;              ///< as given (--chip), or "<built-in questcore-ref>"
    std::vector<std::string> overrides; ///< --set key=value, in order
    std::string workload_spec;          ///< --workload as given
    std::string config_hash;            ///< config_hash() of the effective config
};

/// A stable hash of an effective chip config ("fnv1a64:" + 16 hex digits of its canonical
/// JSON text: keys sorted, no whitespace), so two reports or a golden can say whether they ran
/// the same chip.
std::string config_hash(const nlohmann::ordered_json &effective);
/// "fnv1a64:" + 16 hex digits of the FNV-1a 64-bit hash of `text`.
std::string fnv1a64(const std::string &text);

/// A busiest resource below this fraction of its capacity over an operator's span does not
/// limit it: the operator is then `limited_by: latency` (dependencies, pipeline fill, DMA and
/// DRAM round trips).
inline constexpr double saturation_threshold = 0.5;

/// The energy model's activity of one operator's (or a sum of operators') counters: the
/// multicast buffer's reads cost the scratchpad's energy per byte.
ops::activity activity_of(const arch::op_stats &s);

/// The whole report (deterministic: no wall time, no host names).
report_json make_report(const ops::chip_desc &chip, const workloads::graph &g,
                        const ops::program &prog, const arch::run_stats &st,
                        const run_info &run = {});

/// How the table and CSV group operators: one row per operator (with a subtotal row after
/// each layer of two or more operators), or one row per layer or per operator type (the sums
/// of the report's "by_layer" / "by_type" arrays).
enum class grouping : std::uint8_t { op, layer, type };
/// "op" | "layer" | "type"; throws std::invalid_argument otherwise.
grouping parse_grouping(const std::string &s);

/// The layer of an operator: its name up to the first '.' ("layer3.attn.query" -> "layer3",
/// "b4.pwr" -> "b4"); a name without '.' is its own layer.
std::string layer_of(const std::string &op_name);

/// Terminal rendering: the derived figures, one row per operator or group, then the summary.
/// The default table fits 120 columns; `wide` adds every per-operator column.
std::string render_table(const report_json &r, grouping by = grouping::op, bool wide = false);
std::string render_chip_figures(const report_json &chip);
/// CSV: a header and one row per operator (the per-op JSON fields, stalls flattened), or one
/// row per group (the fields of "by_layer" / "by_type").
std::string render_csv(const report_json &r, grouping by = grouping::op);

} // namespace app
