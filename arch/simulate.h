#pragma once
// Entry point of the chip model: build the chip top for `chip`, feed each core's controller
// its command stream, run the SystemC kernel to completion and return the statistics.
// SystemC elaborates once per process: call this at most once per process.

#include "arch/run_stats.h"
#include "arch/timeline_rec.h"
#include "ops/chip.h"
#include "ops/command.h"

namespace arch {

/// `tl`: when given, the run's timeline is recorded into it (and finished).
run_stats simulate(const ops::chip_desc &chip, const ops::program &prog,
                   timeline_rec *tl = nullptr);

} // namespace arch
