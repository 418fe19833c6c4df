// Batched graphs (workloads/batch.h): B stacked images have B times the MACs of one and the
// same weights, for the networks whose operators stack; the others are refused by name.
#include "sim/errors.h"
#include "workloads/batch.h"
#include "workloads/generators.h"

#include <catch2/catch.hpp>

using namespace workloads;

namespace {
std::int64_t weight_bytes(const graph &g) {
    std::int64_t n = 0;
    for (const auto &t : g.tensors)
        if (t.constant)
            n += t.bytes();
    return n;
}
} // namespace

TEST_CASE("batch: Re-ID and MobileFaceNet stack B images: B times the MACs, the weights once",
          "[workloads][batch]") {
    for (const char *spec : {"reid", "reid:last_stride=2", "mobilefacenet", "resnet50"}) {
        const graph g = build_workload(spec);
        for (std::uint32_t b : {2u, 3u, 4u, 8u}) {
            INFO(spec << " x" << b);
            const graph gb = batch_graph(g, b, "test");
            CHECK(gb.total_macs() == std::int64_t(b) * g.total_macs());
            // Weights are read once per batch; per-channel constants of add/mul (Re-ID's BNNeck
            // scale and shift: 2 x 2048 bytes) are the only ones copied per image.
            const std::int64_t extra = weight_bytes(gb) - weight_bytes(g);
            CHECK(extra >= 0);
            CHECK(extra <= std::int64_t(b - 1) * 2 * 2048);
            const auto &in = gb.tensors[std::size_t(gb.inputs[0])].shape;
            const auto &in1 = g.tensors[std::size_t(g.inputs[0])].shape;
            CHECK(in[1] == std::int64_t(b) * in1[1]);
        }
        CHECK(batch_graph(g, 1, "test").total_macs() == g.total_macs());
    }
}

TEST_CASE("batch: a network with reshapes and concats (SSDLite's heads) is refused by operator",
          "[workloads][batch]") {
    try {
        batch_graph(build_workload("ssdlite"), 2, "f.json");
        FAIL("ssdlite batched");
    } catch (const sim::input_error &e) {
        CHECK(std::string(e.what()).find("cannot batch") != std::string::npos);
        CHECK(e.json_path().rfind("ops[", 0) == 0);
    }
}

TEST_CASE("batch: a computed one-row operand broadcast over rows is refused by operator; a "
          "per-pixel one stacks",
          "[workloads][batch][broadcast]") {
    // x [4,8,8] -> global_avgpool p [4,1,1], y = x · p (per channel, computed); or a 1x1 conv
    // q [1,8,8] of x (a per-pixel map), y = x · q. Stacked images: q becomes [1,16,8] over x
    // [4,16,8] (broadcasts), p would be [4,2,1] over [4,16,8] (does not): refused at the mul,
    // naming p.
    auto build = [](bool per_channel) {
        graph g;
        auto t = [&](const char *n, std::vector<std::int64_t> s, bool c = false) {
            return g.add_tensor({n, std::move(s), dtype::int8, c});
        };
        const int x = t("x", {4, 8, 8}), b = per_channel ? t("p", {4, 1, 1}) : t("q", {1, 8, 8}),
                  y = t("y", {4, 8, 8});
        g.inputs = {x};
        op s;
        s.name = per_channel ? "pool" : "map";
        s.type = per_channel ? "global_avgpool" : "conv2d";
        s.inputs = {x};
        if (!per_channel) {
            s.inputs.push_back(t("w", {1, 4, 1, 1}, true));
            s.attrs = {{"kernel", std::vector<std::int64_t>{1, 1}}};
        }
        s.outputs = {b};
        op m;
        m.name = "gate";
        m.type = "mul";
        m.inputs = {x, b};
        m.outputs = {y};
        g.ops = {s, m};
        g.outputs = {y};
        validate(g, "t.json");
        return g;
    };
    const graph gb = batch_graph(build(false), 2, "t.json");
    CHECK(gb.tensors[std::size_t(gb.outputs[0])].shape == std::vector<std::int64_t>{4, 16, 8});
    try {
        batch_graph(build(true), 2, "t.json");
        FAIL("batched");
    } catch (const sim::input_error &e) {
        CHECK(e.json_path() == "ops[1]");
        CHECK(std::string(e.what()).find("one-row operand \"p\"") != std::string::npos);
    }
}
