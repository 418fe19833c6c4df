// sim::fastdiv replaces `/` and `%` by a fixed divisor on the simulator's per-burst paths: it
// must give exactly the hardware division's results, for powers of two (shift and mask) and
// for any other divisor (fallback).
#include "sim/fastdiv.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

TEST_CASE("fastdiv equals / and % for power-of-two and other divisors", "[sim][fastdiv]") {
    const std::vector<std::uint64_t> divisors{1, 2, 3, 7, 64, 100, 256, 2048, 65536, 1000000007};
    const std::vector<std::uint64_t> xs{0,
                                        1,
                                        2,
                                        63,
                                        64,
                                        65,
                                        255,
                                        256,
                                        257,
                                        2047,
                                        2049,
                                        65535,
                                        65537,
                                        123456789u,
                                        ~std::uint64_t(0) >> 1,
                                        ~std::uint64_t(0)};
    for (auto d : divisors) {
        const sim::fastdiv f(d);
        CHECK(f.value() == d);
        for (auto x : xs) {
            INFO("x = " << x << ", d = " << d);
            CHECK(f.div(x) == x / d);
            CHECK(f.mod(x) == x % d);
            // ceil(x / d) without the overflow of (x + d - 1) / d
            CHECK(f.div_up(x) == x / d + (x % d != 0));
        }
    }
}

TEST_CASE("fastdiv of zero is division by one, not a crash", "[sim][fastdiv]") {
    const sim::fastdiv f(0);
    CHECK(f.value() == 1);
    CHECK(f.div(12345) == 12345);
    CHECK(f.mod(12345) == 0);
}
