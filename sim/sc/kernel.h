#pragma once
// Process-wide SystemC kernel set-up that must happen before the first sc_time or module is
// built: 1 ps time resolution and no copyright banner. Idempotent, so the CLI, simulate() and
// the testbenches can all call it.

namespace sim {

void init_kernel();

} // namespace sim
