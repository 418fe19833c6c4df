#pragma once
// Helpers shared by the workloads tests: find an operator of a graph by name, sum the MACs of a
// block's operators, count operators of a type, and expect a --workload spec to be rejected with
// a given JSON path and message fragment.
#include "sim/errors.h"
#include "workloads/generators.h"

#include <catch2/catch.hpp>

#include <string>

namespace wltest {

inline const workloads::op *find_op(const workloads::graph &g, const std::string &name) {
    for (const auto &o : g.ops)
        if (o.name == name)
            return &o;
    return nullptr;
}

inline const workloads::op &need_op(const workloads::graph &g, const std::string &name) {
    const workloads::op *o = find_op(g, name);
    INFO(name);
    REQUIRE(o);
    return *o;
}

/// MACs of the operators named "<prefix>..." (a block's ops are "b3.dw1", "b3.pwr", ...).
inline std::int64_t macs_of(const workloads::graph &g, const std::string &prefix) {
    std::int64_t n = 0;
    for (const auto &o : g.ops)
        if (o.name.compare(0, prefix.size(), prefix) == 0)
            n += g.op_macs(o);
    return n;
}

/// Operators of `type`.
inline int count_type(const workloads::graph &g, const std::string &type) {
    int n = 0;
    for (const auto &o : g.ops)
        n += o.type == type;
    return n;
}

/// build_workload(spec) must throw sim::input_error("--workload", path, ...) containing fragment.
inline void expect_spec_error(const std::string &spec, const std::string &path,
                              const std::string &fragment) {
    try {
        workloads::build_workload(spec);
        FAIL("accepted " << spec);
    } catch (const sim::input_error &e) {
        INFO(e.what());
        CHECK(e.file() == "--workload");
        CHECK(e.json_path() == path);
        CHECK(std::string(e.what()).find(fragment) != std::string::npos);
    }
}

} // namespace wltest
