#pragma once
// The compiler: graph + chip -> per-core command streams (ops/command.h). Pure C++, no SystemC.
// Passes, in order:
//   1. lower: classify each graph op (conv2d -> pointwise / depthwise / dense / grouped, fc,
//      element-wise, pooling, data movement) and check the chip can run it;
//   2. fuse: activations into their producer; a residual add into the producer's epilogue when
//      compiler.residual == fused (else it stays a vector-unit op);
//   3. place: choose the unit (depthwise by compiler.depthwise), the core split
//      (compiler.core_split), and the tiling that fits the scratchpad with double buffering
//      (splitting the reduction dim K only when no full-K tile fits);
//   4. residency: keep a tensor in the scratchpads between producer and consumers when the
//      split matches and it fits the residency budget, else spill to DRAM; a kept tensor that
//      leaves no room for a later op's smallest tile is spilled and residency re-planned;
//   5. emit: load / compute / store commands with double-buffer dependencies and barriers.

#include "ops/chip.h"
#include "ops/command.h"
#include "workloads/graph.h"

#include <string>

namespace ops {

/// Throws sim::input_error (file = `source`, path = "ops[i]" of the failing operator) for an
/// operator the chip cannot run or a tile that can never fit the scratchpad.
program compile(const workloads::graph &g, const chip_desc &chip, const std::string &source);

} // namespace ops
