#pragma once
// Pass 4: residency (which activations stay in the scratchpads) and DRAM address allocation.

#include "ops/chip.h"
#include "ops/lower.h"
#include "ops/plan.h"
#include "workloads/graph.h"

namespace ops {

residency_plan plan_residency(const workloads::graph& g, const lowering& low,
                              const chip_desc& chip);

} // namespace ops
