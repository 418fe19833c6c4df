#pragma once
// qcsim check: CI regression on cycle counts. A manifest (tests/golden/manifest.json) lists chip
// configs and workload specs; every (chip, workload) pair is simulated in a child process of this
// binary (SystemC elaborates once per process), its report reduced to per-operator cycles, MACs,
// DRAM bytes and energy, and compared with the recorded golden file of that pair. README
// "Regression goldens" describes the files and when to regenerate them.

#include <string>

namespace app {

/// Most child processes `qcsim check --jobs` runs at once.
constexpr unsigned max_check_jobs = 256;

struct check_options {
    std::string golden_dir = "tests/golden"; ///< holds manifest.json and <chip>/<slug>.json
    double tolerance_pct = 0.0;              ///< |after - before| <= pct/100 * |before| passes
    std::string only;         ///< fnmatch glob on "<chip>/<workload>" pair names; "" = all
    bool update = false;      ///< rewrite the goldens instead of comparing
    unsigned jobs = 0;        ///< child processes at once, 1..max_check_jobs; 0 = hardware threads
    unsigned top = 10;        ///< moved operators listed per pair (text and Markdown)
    std::string json_out;     ///< write the result as JSON (qcsim.check/1); "" = no
    std::string markdown_out; ///< write the result as a Markdown table; "" = no
    std::string determinism_pair; ///< glob choosing the pair run twice; "" = the first selected
};

/// Runs the check and prints its result. Returns the exit status: 0 every pair matches (or the
/// goldens were updated), 1 something moved or a report was not reproducible. Bad input (the
/// manifest, a golden, an option, a chip or workload a child rejected) throws
/// sim::input_error, or returns 2 after printing the child's message.
int run_check(const check_options &opt);

} // namespace app
