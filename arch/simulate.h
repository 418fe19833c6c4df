#pragma once
// Entry point of the chip model: build the chip top for `chip`, feed each core's controller
// its command stream, run the SystemC kernel to completion and return the statistics.
// SystemC elaborates once per process: call this at most once per process.

#include "arch/run_stats.h"
#include "ops/chip.h"
#include "ops/command.h"

namespace arch {

run_stats simulate(const ops::chip_desc &chip, const ops::program &prog);

} // namespace arch
