// Catch2 main for the SystemC testbenches. Each test case runs in its own process (ctest), so
// each elaborates its own small SystemC model once. Catch2 owns main(); SystemC's sc_main is
// never used (sc_start is called directly from the test body).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

// libsystemc.so refers to sc_main; the testbenches call sc_start from their test bodies
// instead, so this entry is never used.
extern "C" int sc_main(int, char *[]) {
    return 3;
}
