#include "arch/simulate.h"

#include "arch/chip_top.h"
#include "sim/sc/kernel.h"

#include <systemc>

namespace arch {

run_stats simulate(const ops::chip_desc &chip, const ops::program &prog, timeline_rec *tl) {
    sim::init_kernel();
    chip_top top(chip, prog, false, tl);
    sc_core::sc_start();
    top.check_done();
    if (tl)
        tl->finish();
    return top.collect();
}

} // namespace arch
