#pragma once
// What a point of `qcsim sweep` runs and what is read back from it (issue 13): the child's
// argument vector for a workload run or a scenario (`qcsim scenario`, with --find-capacity when
// `streams_sustained` is an objective), the point's chip for constraints and chip figures, the
// objectives read from a child's report (aliases, report fields by name or dotted path), the
// points a constraint skips, the combined objective over weighted workloads, and the sweep's
// temporary directory inside DIR. docs/sweep.md defines each.

#include "ops/sweep.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace app {

/// The files a spec names, resolved against the spec's directory.
struct sweep_target {
    std::string chip;     ///< the base chip file ("" reference); a scenario sweep: its chip
    std::string scenario; ///< the scenario file; "" for a workload sweep
    nlohmann::json base;  ///< the scenario's JSON
};

/// Resolves the target and, for a scenario, checks every value of every `scenario.*`
/// parameter against it (an element that does not exist, a value out of range: input_error at
/// the spec's `parameters[i]...`).
sweep_target resolve_sweep_target(const ops::sweep_spec &s, const std::string &spec_file);

/// The argument vector of a scenario point's child, writing its report to `json_file`.
std::vector<std::string> scenario_child_args(const ops::sweep_spec &s, const sweep_target &t,
                                             const ops::sweep_point &p,
                                             const std::string &json_file);

/// The chip of a point: the target's chip with the point's chip keys. Throws sim::input_error.
ops::chip_desc sweep_point_chip(const sweep_target &t, const ops::sweep_point &p);

/// Per point, the constraint it violates ("" when it runs). Constraints are evaluated once
/// per point before anything runs; a point whose chip is invalid is not skipped (its run
/// fails and says why).
std::vector<std::string> sweep_skips(const ops::sweep_spec &s, const sweep_target &t,
                                     const std::vector<ops::sweep_point> &points);

/// An objective's value in a child's report (qcsim.report/1, qcsim.scenario_report/1 or
/// qcsim.capacity/1), null when it has none. `figures` are the point's chip figures (a scenario
/// report has none of its own), or empty.
nlohmann::json sweep_objective(const nlohmann::json &rep, const std::string &name,
                               const std::vector<std::pair<std::string, double>> &figures);

/// -1 for an objective to maximise ("max:streams_sustained"), +1 for one to minimise (a name,
/// or "min:name"): fronts and bests compare sign · value.
double objective_sign(const std::string &objective);

/// Whether objective `name` is a figure of the chip (the same on every workload of a point).
bool chip_objective(const std::string &name);

/// The combined objective over a point's workloads (two or more): for each objective, the
/// weighted sum Σ weight_w · value_w over the point's workloads, or the value itself for a chip
/// figure; the point's status is `ok` only when all its runs are. `rows` are result lines.
struct weighted_results {
    std::string csv;    ///< weighted.csv
    std::string pareto; ///< pareto.csv rows for workload "weighted"
    std::string best;   ///< best point per objective, lines as run_sweep prints them
};
weighted_results sweep_weighted(const ops::sweep_spec &s, std::size_t n_points,
                                const std::vector<nlohmann::json> &rows);

/// The sweep's temporary directory in DIR: DIR/.tmp-<host>-<pid>.
std::string sweep_temp_name();
/// Removes DIR/.tmp-<host>-<pid> directories of this host whose process is gone (a sweep that
/// was killed); those of live processes (another shard in the same DIR) are kept.
void remove_stale_sweep_temps(const std::filesystem::path &dir);

/// On resume: drops the lines of results.jsonl whose status no longer matches the spec's
/// constraints (a skipped point that now runs, a run point that is now skipped) so they are
/// redone; rewrites the file atomically when it drops any, and returns the dropped ids. `skip`
/// is per point, `workloads` the runs per point.
std::vector<std::string> reconcile_skips(const std::filesystem::path &results,
                                         const std::vector<std::string> &skip,
                                         std::size_t workloads);

/// One CSV field of a sweep's tables: null empty, strings as they are unless they hold ',', '"'
/// or a newline (then quoted, quotes doubled), numbers as JSON writes them.
std::string sweep_csv_cell(const nlohmann::json &v);

} // namespace app
