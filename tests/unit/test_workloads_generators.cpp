// --workload specs: the generator registry, parameters and their errors.

#include "workloads/generators.h"

#include "sim/errors.h"
#include "workloads_test_util.h"

#include <catch2/catch.hpp>

using namespace workloads;

namespace {

using wltest::expect_spec_error;

} // namespace

TEST_CASE("generators: every generator declares described parameters whose defaults build",
          "[workloads]") {
    REQUIRE(generators().size() >= 2);
    for (const auto &gen : generators()) {
        INFO(gen.name);
        CHECK_FALSE(gen.description.empty());
        for (const auto &p : gen.params) {
            CHECK_FALSE(p.description.empty());
            CHECK(p.min <= p.default_value);
            CHECK(p.default_value <= p.max);
        }
        CHECK_NOTHROW(build_workload(gen.name));
    }
}

TEST_CASE("generators: the graph name is the canonical spec with every parameter", "[workloads]") {
    CHECK(build_workload("mobilenext:identity_div=2,width=0.75").name ==
          "mobilenext:width=0.75,resolution=224,identity_div=2");
    CHECK(build_workload("mobilenetv2:resolution=192").name ==
          "mobilenetv2:width=1,resolution=192");
    // The canonical name builds the same graph.
    graph g = build_workload("mobilenext:width=0.5");
    CHECK(build_workload(g.name).total_macs() == g.total_macs());
}

TEST_CASE("generators: unknown names and parameters suggest the nearest", "[workloads]") {
    expect_spec_error("mobilenxt", "mobilenxt", "did you mean \"mobilenext\"");
    expect_spec_error("resnet", "resnet", "mobilenetv2"); // lists the available
    expect_spec_error("mobilenext:widht=1", "mobilenext.widht", "did you mean \"width\"");
    expect_spec_error("mobilenetv2:identity_div=2", "mobilenetv2.identity_div",
                      "unknown parameter");
    expect_spec_error("mobilenext:width", "mobilenext", "key=value");
    expect_spec_error("mobilenext:width=1,width=2", "mobilenext.width", "twice");
}

TEST_CASE("generators: values must be numeric, integral where declared, and in range",
          "[workloads]") {
    expect_spec_error("mobilenext:width=abc", "mobilenext.width", "expected a number");
    expect_spec_error("mobilenext:width=", "mobilenext.width", "expected a number");
    expect_spec_error("mobilenext:identity_div=1.5", "mobilenext.identity_div", "integer");
    // identity_div in [1, 1024]: 0 and 1025 rejected, 1 and 1024 accepted.
    expect_spec_error("mobilenext:identity_div=0", "mobilenext.identity_div", "[1, 1024]");
    expect_spec_error("mobilenext:identity_div=1025", "mobilenext.identity_div", "[1, 1024]");
    CHECK_NOTHROW(build_workload("mobilenext:identity_div=1024"));
    // resolution in [32, 2048]: 31 rejected, 32 accepted.
    expect_spec_error("mobilenetv2:resolution=31", "mobilenetv2.resolution", "[32, 2048]");
    CHECK_NOTHROW(build_workload("mobilenetv2:resolution=32"));
    expect_spec_error("mobilenetv2:width=0.05", "mobilenetv2.width", "[0.1, 4]");
    // Direct calls check the same ranges.
    CHECK_THROWS_AS(build_mobilenext(1.0, 224, 0), sim::input_error);
}

TEST_CASE("generators: a spec with '/' or ending in .json is a trace path", "[workloads]") {
    try {
        build_workload("no/such/trace.json");
        FAIL("accepted a missing trace");
    } catch (const sim::input_error &e) {
        CHECK(e.file() == "no/such/trace.json");
    }
    CHECK_THROWS_AS(build_workload("missing.json"), sim::input_error);
}
