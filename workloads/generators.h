#pragma once
// Built-in networks: a registry of generators, each with declared parameters, and the one entry
// point that turns a --workload spec ("mobilenext:width=0.75,identity_div=2" or a trace path)
// into a validated graph. Layer structure follows the authors' code (docs/workloads.md).

#include "workloads/graph.h"

#include <map>
#include <string>
#include <vector>

namespace workloads {

/// A declared generator parameter. Integer parameters reject fractional values.
struct gen_param {
    enum class kind : std::uint8_t { integer, real };
    std::string name;
    kind type;
    double default_value;
    double min, max; ///< inclusive
    std::string description;
};

/// Parameter values by name, every declared parameter present (defaults filled in).
using gen_values = std::map<std::string, double>;

struct generator {
    std::string name;
    std::string description; ///< one line
    std::vector<gen_param> params;
    graph (*build)(const gen_values &values);
};

/// Every built-in generator (built on first call, no static registration).
const std::vector<generator> &generators();

/// `name`, `name:k=v,k=v`, or a trace path (ends in ".json" or contains '/'). Errors are
/// sim::input_error("--workload", "<generator>.<param>", ...). A generated graph's name is the
/// canonical spec with every parameter in declaration order, e.g.
/// "mobilenext:width=1,resolution=224,identity_div=1".
graph build_workload(const std::string &spec);

/// The TF/PyTorch channel rounding: the multiple of `divisor` nearest to v (at least `divisor`),
/// plus one `divisor` when that falls below 90% of v.
std::int64_t make_divisible(double v, std::int64_t divisor);

/// MobileNeXt (sandglass blocks), official mnext.py structure; identity_div >= 1 keeps the
/// shortcut on the first max(1, C / identity_div) channels of every identity block.
graph build_mobilenext(double width, std::int64_t resolution, std::int64_t identity_div);
/// MobileNetV2 (inverted residual blocks), torchvision structure.
graph build_mobilenetv2(double width, std::int64_t resolution);

} // namespace workloads
