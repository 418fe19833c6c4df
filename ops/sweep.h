#pragma once
// A parameter sweep, `qcsim.sweep/1` (issue 13, first step): the base chip, the workloads, the
// parameters (chip config keys and workload generator parameters, each a list of values, a
// linear or logarithmic range, or a tied group moved together), the sampling (full grid,
// random or Latin hypercube, seeded) and the objectives. Read strictly: an unknown key, a
// wrong type, an unknown config path or generator parameter, a range of zero steps is an
// input_error naming the file and the JSON path. SystemC-free; docs/sweep.md defines every key.
//
// `qcsim sweep` (app/sweep.h) runs the points, on shards and a Slurm job array too
// (app/sweep_slurm.h); scripts/plot_sweep.py plots them; constraints and scenarios as targets
// are not built yet (docs/sweep.md).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ops {

/// One parameter of the sweep: the config or workload paths it sets (one, or several tied
/// together) and the values it takes (each a value per path).
struct sweep_param {
    std::vector<std::string> paths;
    std::vector<std::vector<nlohmann::json>> values; ///< values[i][p]: value i of path p
};

enum class sweep_sampling : std::uint8_t { grid, random, lhs };

struct sweep_workload {
    std::string spec; ///< a --workload spec
    double weight = 1;
};

struct sweep_spec {
    std::string name;
    std::string chip; ///< chip file relative to the spec; "" = the reference chip
    std::vector<sweep_workload> workloads;
    std::vector<sweep_param> params;
    sweep_sampling sampling = sweep_sampling::grid;
    std::uint64_t seed = 1;
    std::uint64_t max_points = 0; ///< grid: a cap (0: none); random / lhs: the point count
    std::vector<std::string> objectives;
};

/// One point: every swept path with its value, in parameter order.
using sweep_point = std::vector<std::pair<std::string, nlohmann::json>>;

/// Reads and checks a sweep spec (JSON text of `file`).
sweep_spec parse_sweep(const std::string &text, const std::string &file);

/// The points of a spec, deterministic for its seed on every machine:
/// - grid: the cartesian product in parameter order, the last parameter varying fastest;
/// - random: max_points points, each parameter's value drawn uniformly (xorshift64*, seeded);
/// - lhs: max_points points; each parameter's values are cut into max_points equal strata
///   (value index ⌊s · m / n⌋ for stratum s of n, m values) visited once each in a seeded
///   random order per parameter.
std::vector<sweep_point> sweep_points(const sweep_spec &s);

/// The Pareto front of points with objectives to minimise (each row one point, the same number
/// of objectives each): the indices of the points no other point dominates (no worse in every
/// objective and better in one), in increasing order. Equal points are all kept.
std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>> &points);

} // namespace ops
