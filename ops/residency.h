#pragma once
// Pass 4: residency (which activations stay in the scratchpads) and DRAM address allocation.

#include "ops/chip.h"
#include "ops/lower.h"
#include "ops/plan.h"
#include "workloads/graph.h"

namespace ops {

/// `spilled[t]` (per root tensor, may be empty): never keep t on chip, even if it would fit.
residency_plan plan_residency(const workloads::graph &g, const lowering &low, const chip_desc &chip,
                              const std::vector<bool> &spilled = {});

} // namespace ops
