#pragma once
// Scale-out of `qcsim sweep` (issue 13): shards, a Slurm job array and the merge of the shards'
// results into what a local run writes. docs/sweep.md "Scale-out on Slurm" defines the files.

#include "app/sweep.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace app {

/// `qcsim sweep SPEC --out DIR --emit slurm [--shards K] [--jobs N]`: prepares DIR
/// (prepare_sweep_dir, a copy of the qcsim binary as DIR/qcsim, DIR/shards/, DIR/logs/) and
/// writes DIR/sweep.sbatch, a Slurm job array of K tasks (default min(points, 16)), task i
/// running `./qcsim sweep sweep.json --out . --shard i/K --jobs $SLURM_CPUS_PER_TASK` in DIR
/// with N CPUs (default 1). Bad input (K of 0 or above the point count) is sim::input_error.
int emit_slurm(const sweep_options &o, unsigned shards);

/// `qcsim sweep merge DIR`: joins DIR/shards/<i>-of-<K>.jsonl into DIR/results.jsonl,
/// results.csv and pareto.csv, byte-identical to a local run of DIR/sweep.json. Returns 1 (and
/// writes nothing) when runs are missing, naming them and their shards.
int merge_sweep(const std::string &dir);

/// Copies the spec into DIR as DIR/sweep.json (its chip as DIR/chip.json, the copy's "chip"
/// naming it), so that shards and merge read one spec wherever DIR is; an existing copy must
/// be identical (else input_error: DIR holds another sweep).
void prepare_sweep_dir(const std::string &spec_file, const std::string &dir);

/// The results file of a run: DIR/results.jsonl, or a shard's DIR/shards/<i>-of-<K>.jsonl.
std::string sweep_results_file(const sweep_options &o);

/// The identity of the spec's chip in a run's key: "" for the reference chip, else
/// "fnv1a64:<hex>" of the chip file's bytes (so a key does not depend on where the spec or
/// the command was started from).
std::string sweep_chip_identity(const std::string &chip_file);
/// The same for a scenario file: its JSON with its chip (if it names one) replaced by the chip's
/// identity, hashed, so a copy in DIR/scenarios/ is the same scenario ("" for none).
std::string sweep_scenario_identity(const std::string &scenario_file);

/// What run_sweep needs of the shard files when merging: their complete lines (one shard count
/// K for all; a line cut by a running or killed shard is not read; an id twice is an
/// input_error).
std::vector<nlohmann::json> sweep_shard_rows(const std::string &dir);

/// Merge, once run_sweep knows which runs of the spec are not in the shard files (`missing`,
/// their ids and points): none missing, writes DIR/results.jsonl (the shard lines in run order)
/// and returns true; else prints them with their shards to standard error and returns false.
bool sweep_merge_ready(const std::string &dir,
                       const std::vector<std::pair<std::string, std::size_t>> &missing,
                       std::size_t total);

/// Rewrites a complete results file with its lines in run order (`index`), so that the file is
/// the same bytes whatever order the runs finished in.
void sort_sweep_results(const std::string &file);

/// The sums of the run report's `by_type[]` as {type: cycles} (most cycles first), for a
/// result line.
nlohmann::ordered_json sweep_type_cycles(const nlohmann::json &report);

} // namespace app
