#pragma once
// A parameter sweep, `qcsim.sweep/1` (issue 13): the base chip, the workloads (weighted) or a
// scenario, the parameters (chip config keys, workload generator parameters and scenario keys,
// each a list of values, a linear or logarithmic range, or a tied group moved together), the
// sampling (full grid, random or Latin hypercube, seeded), the constraints and the objectives.
// Read strictly: an unknown key, a wrong type, an unknown config path or generator parameter, a
// range of zero steps, a constraint over an unknown name is an input_error naming the file and
// the JSON path. SystemC-free; docs/sweep.md defines every key.
//
// `qcsim sweep` (app/sweep.h) runs the points, on shards and a Slurm job array too
// (app/sweep_slurm.h); scripts/plot_sweep.py plots them (docs/sweep.md).

#include "ops/chip.h"

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
    /// per path: its name in constraints (`name`/`names`, else the path's last component);
    /// "" when the default name of two paths is the same (ambiguous)
    std::vector<std::string> names;
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
    /// a qcsim.scenario/1 file relative to the spec, run instead of workloads ("": workloads);
    /// then `workloads` holds the one entry "scenario:<file>"
    std::string scenario;
    std::vector<std::string> constraints; ///< expressions (ops/sweep_expr.h) every point meets
};

/// One point: every swept path with its value, in parameter order.
using sweep_point = std::vector<std::pair<std::string, nlohmann::json>>;

/// Reads and checks a sweep spec (JSON text of `file`). A constraint naming no parameter,
/// chip figure (sweep_chip_figures) or numeric chip config key is an input_error at
/// `constraints[i]` naming the unknown name.
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

/// The chip figures a constraint may name, derived from the chip without simulating (the
/// numbers of qcsim run's "chip" report section): area_mm2, static_power_w, peak_tops, ...
std::vector<std::pair<std::string, double>> sweep_chip_figures(const chip_desc &c);

/// Whether a constraint of `s` names a chip figure or a chip key that is not swept: the point's
/// chip is then needed to evaluate it.
bool sweep_needs_chip(const sweep_spec &s);

/// The first constraint of `s` that point `p` violates: its index and a description
/// ("constraints[1] area_mm2 <= 40: area_mm2 = 43.2"), or index -1 when it meets them all.
/// `chip` is the point's chip (base chip with the point's chip keys), required when
/// sweep_needs_chip(s).
std::pair<long, std::string> sweep_violation(const sweep_spec &s, const sweep_point &p,
                                             const chip_desc *chip);

} // namespace ops
