#pragma once
// `qcsim sweep SPEC --out DIR [--jobs N]` (issue 13): runs every point of a qcsim.sweep/1 spec
// (ops/sweep.h) on every workload of it, one `qcsim run` child process per (point, workload),
// `--jobs` at a time; streams one JSON line per finished run to DIR/results.jsonl (a failed run
// is recorded with its error and does not stop the sweep); resumes a killed sweep from that
// file (runs only what is missing; a line cut by the kill is dropped and rerun); and at the end
// writes DIR/results.csv, DIR/pareto.csv (per workload, the front of every pair of objectives)
// and prints the best point per objective. docs/sweep.md defines the files.

#include <string>

namespace app {

struct sweep_options {
    std::string spec_file;
    std::string out_dir;
    unsigned jobs = 0; ///< 0: the hardware threads
    /// `--shard i/K` (shard_count K > 0): run only the points p with p mod K = i, into
    /// DIR/shards/<i>-of-<K>.jsonl (resumable like results.jsonl); DIR also gets the spec's copy
    /// that `qcsim sweep merge DIR` reads (prepare_sweep_dir).
    unsigned shard_index = 0, shard_count = 0;
    bool merge = false; ///< `qcsim sweep merge DIR`: the runs come from the shard files
};

/// Returns the exit status (0: the sweep ran; failed points are in the results). Bad input
/// (the spec, DIR holding another spec's results) throws sim::input_error.
int run_sweep(const sweep_options &o);

} // namespace app
