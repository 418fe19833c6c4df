// Catch2's main for every test executable (unit_tests, e2e_tests and each SystemC testbench),
// compiled once as the object library qcsim_catch_main: its header-only implementation takes
// about 17 s of CPU to compile, which each executable used to pay again. Each testbench test case
// runs in its own process (ctest), so each elaborates its own small SystemC model once; Catch2
// owns main(), and SystemC's sc_main is never used (sc_start is called from the test bodies).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

// libsystemc.so refers to sc_main; the testbenches call sc_start from their test bodies
// instead, so this entry is never used (and unused by the executables without SystemC).
extern "C" int sc_main(int, char *[]) {
    return 3;
}
