#pragma once
// Compiler passes 1-2 and the unit/core-split half of pass 3: classify each graph operator,
// fuse activations and residual adds into their producers, and choose the unit and the core
// split of every resulting operator. Throws sim::input_error naming "ops[i]" for an operator
// the chip cannot run.

#include "ops/chip.h"
#include "ops/lowered_op.h"
#include "workloads/graph.h"

#include <string>
#include <vector>

namespace ops {

struct lowering {
    std::vector<lowered_op> ops;
    /// root[t]: the tensor whose storage t uses (t itself, or the tensor it aliases through
    /// reshape/flatten or an in-place partial add).
    std::vector<int> root;
    /// aliased[t]: some other tensor shares t's storage under a different shape.
    std::vector<bool> reshaped;
};

lowering lower_graph(const workloads::graph &g, const chip_desc &chip, const std::string &source);

} // namespace ops
