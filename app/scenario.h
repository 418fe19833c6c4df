#pragma once
// `qcsim scenario`: loads a qcsim.scenario/1 file and its chip, compiles each stage's network
// for the cores one of its jobs runs on, runs the scenario runtime (arch/runtime.h) and turns
// its counters into the scenario report (docs/scenario.md "The report" defines every field),
// and searches the largest stream count that meets every deadline (--find-capacity).

#include "arch/runtime.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace app {

inline constexpr const char *scenario_report_schema = "qcsim.scenario_report/1";

struct scenario_options {
    std::string file;
    std::vector<std::string> sets;      ///< scenario keys: streams[0].count=60, runtime.order=fifo
    std::vector<std::string> chip_sets; ///< chip keys, as qcsim run --set
    std::string version;
};

/// Applies "path=value" (a --set of qcsim scenario: "streams[0].count=60") to a scenario's JSON;
/// the strict read of the result checks keys and types. Throws sim::input_error.
void apply_scenario_set(nlohmann::json &j, const std::string &assignment);

/// Reads the scenario and its chip and compiles the stages (throws sim::input_error).
arch::rt_input prepare_scenario(const scenario_options &o);

/// Runs a prepared scenario and builds its JSON report (once per process: SystemC). `tl`: the
/// run's timeline is recorded into it; `end_ps`: set to the drained run's last event.
nlohmann::ordered_json run_scenario_report(const arch::rt_input &in, const scenario_options &o,
                                           arch::timeline_rec *tl = nullptr,
                                           std::uint64_t *end_ps = nullptr);

std::string render_scenario_table(const nlohmann::ordered_json &r);
/// One row per (stage, operator): the per-operator table aggregated over the stage's jobs.
std::string render_scenario_csv(const nlohmann::ordered_json &r);

/// --find-capacity: the largest count of the first stream group that the scenario sustains
/// (report "summary.sustained"), by bisection with one child process per probe, `jobs` probes
/// at a time. Returns the JSON of the search (probes, capacity, what saturates first) and
/// prints its progress to `log`.
nlohmann::ordered_json find_capacity(const scenario_options &o, unsigned jobs, std::ostream &log);
std::string render_capacity(const nlohmann::ordered_json &c);

} // namespace app
