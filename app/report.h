#pragma once
// The report: turns the compiled program and the simulation's counters into the figures
// DESIGN.md §6 defines (utilisations, bandwidths, limiting resource, energy). Every figure is
// defined once, in README "Report fields"; this file is where those definitions are computed.

#include "arch/run_stats.h"
#include "ops/chip.h"
#include "ops/command.h"
#include "workloads/graph.h"

#include <nlohmann/json.hpp>

#include <string>

namespace app {

using report_json = nlohmann::ordered_json;

/// The schema name of the JSON report; bump the number when a field is renamed or removed.
inline constexpr const char *report_schema = "qcsim.report/1";

/// Derived figures of a chip config (printed before a run, and the report's "chip" object).
report_json chip_figures(const ops::chip_desc &chip);

/// The whole report (deterministic: no wall time, no host names).
report_json make_report(const ops::chip_desc &chip, const workloads::graph &g,
                        const ops::program &prog, const arch::run_stats &st);

/// Terminal rendering: the derived figures, one row per operator, then the summary.
std::string render_table(const report_json &r);
std::string render_chip_figures(const report_json &chip);
/// CSV: a header and one row per operator (the per-op JSON fields, stalls flattened).
std::string render_csv(const report_json &r);

} // namespace app
