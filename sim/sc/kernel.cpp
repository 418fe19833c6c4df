#include "sim/sc/kernel.h"

#include <systemc>

#include <cstdlib>

namespace sim {

void init_kernel() {
    static bool done = false;
    if (done)
        return;
    done = true;
    // Read by the kernel when it first builds its context; "DISABLE" suppresses the banner.
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
    sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
}

} // namespace sim
