// Broadcasting add/mul (graph.h): the shape rule (b equal to a, all ones, [C,1,1] over [C,H,W],
// [1,D] over [T,D]; anything else an input error at inputs[1]) and the cost of a broadcast mul
// after lowering: vector elements = the output's element count, the broadcast operand's DRAM
// bytes its own small size once per tile (docs/compiler.md). Every number is derived in a comment.
#include "ops/compiler.h"
#include "sim/errors.h"
#include "workloads/graph.h"

#include <catch2/catch.hpp>

using namespace ops;
using shape_t = std::vector<std::int64_t>;

namespace {

/// A graph of one `type` op over two network inputs a and b (int8).
workloads::graph binary(const std::string &type, const shape_t &a, const shape_t &b) {
    workloads::graph g;
    auto t = [&](const std::string &name, const shape_t &s) {
        workloads::tensor x;
        x.name = name;
        x.shape = s;
        return g.add_tensor(x);
    };
    const int ta = t("a", a), tb = t("b", b), ty = t("y", a);
    g.inputs = {ta, tb};
    workloads::op o;
    o.name = "se.scale";
    o.type = type;
    o.inputs = {ta, tb};
    o.outputs = {ty};
    g.ops.push_back(o);
    g.outputs = {ty};
    return g;
}

std::uint64_t dram_bytes(const program &p, cmd_kind k) {
    std::uint64_t n = 0;
    for (const auto &s : p.streams)
        for (const auto &c : s)
            if (c.kind == k && c.far_space == mem_space::dram)
                n += c.far.bytes();
    return n;
}

} // namespace

TEST_CASE("broadcast: add and mul take b equal to a, all ones, [C,1,1] of [C,H,W], [1,D] of "
          "[T,D]; output = a's shape; no MACs",
          "[graph][broadcast]") {
    for (const char *type : {"add", "mul"}) {
        for (const auto &[a, b] : std::vector<std::pair<shape_t, shape_t>>{{{16, 8, 8}, {16, 8, 8}},
                                                                           {{16, 8, 8}, {16, 1, 1}},
                                                                           {{16, 8, 8}, {1, 1, 1}},
                                                                           {{6, 32}, {1, 32}},
                                                                           {{6, 32}, {1, 1}},
                                                                           {{10}, {1}}}) {
            INFO(type << " " << workloads::shape_str(a) << " " << workloads::shape_str(b));
            const auto g = binary(type, a, b);
            CHECK(workloads::infer_output_shape(g, g.ops[0]) == a);
            CHECK_NOTHROW(workloads::validate(g, "t.json"));
            CHECK(g.op_macs(g.ops[0]) == 0);
        }
    }
}

TEST_CASE("broadcast: other shapes of b are an input error at ops[0].inputs[1]",
          "[graph][broadcast]") {
    for (const auto &[a, b] : std::vector<std::pair<shape_t, shape_t>>{
             {{16, 8, 8}, {1, 8, 8}},  // per pixel: not a form the graph takes
             {{16, 8, 8}, {16, 8, 1}}, // per row
             {{16, 8, 8}, {16}},       // another rank
             {{16, 8, 8}, {8, 1, 1}},  // not a's channel count
             {{6, 32}, {6, 1}}}) {     // per row of a token tensor
        INFO(workloads::shape_str(a) << " " << workloads::shape_str(b));
        const auto g = binary("mul", a, b);
        try {
            workloads::validate(g, "t.json");
            FAIL("accepted");
        } catch (const sim::input_error &e) {
            INFO(e.what());
            CHECK(e.json_path() == "ops[0].inputs[1]");
            CHECK(std::string(e.what()).find("broadcast") != std::string::npos);
        }
    }
}

TEST_CASE("broadcast: a mul of [16,8,8] by [16,1,1] or by a scalar costs 1024 vector elements "
          "and loads b's own bytes",
          "[ops][broadcast]") {
    // One core, every tensor through DRAM. a = 16·8·8 = 1024 int8 bytes, one tile (1 KiB
    // operands fit any scratchpad). Vector elements = output elements = 1024. Loads: a 1024 B
    // + b once for the tile: 16 B per channel, 1 B scalar. Stores: the output, 1024 B. An
    // equal-shape b would load 2048 B.
    chip_desc c;
    c.cores = 1;
    c.compiler.keep_on_chip = false;
    for (const auto &[b, bbytes] :
         std::vector<std::pair<shape_t, std::uint64_t>>{{{16, 1, 1}, 16}, {{1, 1, 1}, 1}}) {
        INFO(workloads::shape_str(b));
        const auto p = compile(binary("mul", {16, 8, 8}, b), c, "t.json");
        REQUIRE(p.ops.size() == 1);
        CHECK(p.ops[0].vector_ops == 1024);
        CHECK(dram_bytes(p, cmd_kind::load) == 1024 + bbytes);
        CHECK(dram_bytes(p, cmd_kind::store) == 1024);
    }
    const auto q = compile(binary("mul", {16, 8, 8}, {16, 8, 8}), c, "t.json");
    CHECK(dram_bytes(q, cmd_kind::load) == 2048);
}

TEST_CASE("broadcast: over many tiles b is read once per tile, at most once per output row",
          "[ops][broadcast]") {
    // a = 64·112·112 int8 = 802,816 B, more than a 64 KiB scratchpad holds: several row tiles
    // (and maybe channel blocks). The tiles partition rows x channels, and each reads only its
    // channels of b, once: b's bytes = 64 · row blocks, between 64 (one block) and 64·112 (one
    // row per tile) = 7168, a hundred times less than a's 802,816.
    chip_desc c;
    c.cores = 1;
    c.compiler.keep_on_chip = false;
    c.scratchpad.banks = 1; // 1 bank of 64 KiB
    const auto p = compile(binary("mul", {64, 112, 112}, {64, 1, 1}), c, "t.json");
    REQUIRE(p.ops.size() == 1);
    CHECK(p.ops[0].vector_ops == 64u * 112 * 112);
    const std::uint64_t b = dram_bytes(p, cmd_kind::load) - 64u * 112 * 112;
    CHECK(b >= 64);
    CHECK(b <= 64u * 112);
    CHECK(b % 64 == 0);
    CHECK(dram_bytes(p, cmd_kind::store) == 64u * 112 * 112);
}
