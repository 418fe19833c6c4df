// Broadcasting add/mul (graph.h): the shape rule (NumPy broadcasting of a and b of one rank: per
// axis equal extents or one of them 1; anything else an input error at inputs[1]) and the cost of
// a broadcast after lowering: vector elements = the output's element count, each operand's DRAM
// bytes its own size once per tile (docs/compiler.md). Every number is derived in a comment.
#include "ops/compiler.h"
#include "sim/errors.h"
#include "workloads/graph.h"

#include <catch2/catch.hpp>

#include <tuple>

using namespace ops;
using shape_t = std::vector<std::int64_t>;

namespace {

/// A graph of one `type` op over two network inputs a and b (int8), output y of shape `y`
/// (default a's).
workloads::graph binary(const std::string &type, const shape_t &a, const shape_t &b,
                        shape_t y = {}) {
    if (y.empty())
        y = a;
    workloads::graph g;
    auto t = [&](const std::string &name, const shape_t &s) {
        workloads::tensor x;
        x.name = name;
        x.shape = s;
        return g.add_tensor(x);
    };
    const int ta = t("a", a), tb = t("b", b), ty = t("y", y);
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

TEST_CASE("broadcast: per pixel, per row and two-sided broadcasts give the broadcast shape",
          "[graph][broadcast]") {
    // Output extent per axis = the larger of the two (the other is equal or 1).
    for (const auto &[a, b, y] : std::vector<std::tuple<shape_t, shape_t, shape_t>>{
             {{16, 8, 8}, {1, 8, 8}, {16, 8, 8}},  // per pixel
             {{16, 8, 8}, {16, 8, 1}, {16, 8, 8}}, // per channel and row
             {{16, 8, 8}, {1, 1, 8}, {16, 8, 8}},  // per column
             {{6, 32}, {6, 1}, {6, 32}},           // per row of a token tensor
             {{16, 1, 1}, {1, 8, 8}, {16, 8, 8}},  // both broadcast
             {{6, 1}, {1, 32}, {6, 32}},
             {{1, 8, 8}, {16, 8, 8}, {16, 8, 8}}}) { // a broadcasts over b
        for (const char *type : {"add", "mul"}) {
            INFO(type << " " << workloads::shape_str(a) << " " << workloads::shape_str(b));
            const auto g = binary(type, a, b, y);
            CHECK(workloads::infer_output_shape(g, g.ops[0]) == y);
            CHECK_NOTHROW(workloads::validate(g, "t.json"));
            CHECK(g.op_macs(g.ops[0]) == 0);
        }
    }
}

TEST_CASE("broadcast: shapes that do not broadcast are an input error at ops[0].inputs[1]",
          "[graph][broadcast]") {
    for (const auto &[a, b] : std::vector<std::pair<shape_t, shape_t>>{
             {{16, 8, 8}, {16}},      // another rank
             {{16, 8, 8}, {8, 1, 1}}, // not a's channel count, not 1
             {{16, 8, 8}, {16, 4, 8}},
             {{6, 32}, {3, 1}}}) {
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

TEST_CASE("broadcast: per pixel, per row and two-sided forms cost the output's elements and "
          "load each operand's own bytes once",
          "[ops][broadcast]") {
    // One core, every tensor through DRAM, one tile (every tensor is at most 1 KiB). Vector
    // elements = output elements; loads = a's bytes + b's bytes (each at its own size, once);
    // stores = the output's bytes.
    //   [16,8,8] * [1,8,8]:  1024 elements, loads 1024 + 64, stores 1024
    //   [16,8,8] * [16,8,1]: 1024, 1024 + 128
    //   [6,32] * [6,1]:       192, 192 + 6
    //   [16,1,1] + [1,8,8] -> [16,8,8]: 1024, 16 + 64
    //   [6,1] + [1,32] -> [6,32]: 192, 6 + 32
    chip_desc c;
    c.cores = 1;
    c.compiler.keep_on_chip = false;
    struct form {
        shape_t a, b, y;
        std::uint64_t elems, loads;
    };
    for (const auto &f : std::vector<form>{{{16, 8, 8}, {1, 8, 8}, {16, 8, 8}, 1024, 1088},
                                           {{16, 8, 8}, {16, 8, 1}, {16, 8, 8}, 1024, 1152},
                                           {{6, 32}, {6, 1}, {6, 32}, 192, 198},
                                           {{16, 1, 1}, {1, 8, 8}, {16, 8, 8}, 1024, 80},
                                           {{6, 1}, {1, 32}, {6, 32}, 192, 38}}) {
        for (const char *type : {"add", "mul"}) {
            INFO(type << " " << workloads::shape_str(f.a) << " " << workloads::shape_str(f.b));
            const auto p = compile(binary(type, f.a, f.b, f.y), c, "t.json");
            REQUIRE(p.ops.size() == 1);
            CHECK(p.ops[0].vector_ops == f.elems);
            CHECK(dram_bytes(p, cmd_kind::load) == f.loads);
            CHECK(dram_bytes(p, cmd_kind::store) == f.elems);
        }
    }
}

TEST_CASE("broadcast: a per-pixel b over many tiles is read once per row block",
          "[ops][broadcast]") {
    // a = 64·112·112 int8 = 802,816 B, b = [1,112,112] = 12,544 B, on a 64 KiB scratchpad:
    // several row tiles. Every output row needs its b row, so b's bytes are at least 12,544;
    // a tile reads only its own rows of b (112 B each), so b's bytes are a multiple of 112, and
    // tiles of the same rows (channel blocks) reuse the load: at most once per tile.
    chip_desc c;
    c.cores = 1;
    c.compiler.keep_on_chip = false;
    c.scratchpad.banks = 1;
    const auto p = compile(binary("mul", {64, 112, 112}, {1, 112, 112}), c, "t.json");
    REQUIRE(p.ops.size() == 1);
    CHECK(p.ops[0].vector_ops == 64u * 112 * 112);
    const std::uint64_t b = dram_bytes(p, cmd_kind::load) - 64u * 112 * 112;
    CHECK(b >= 112u * 112);
    CHECK(b % 112 == 0);
    CHECK(b <= 112u * 112 * p.ops[0].tiles);
    CHECK(dram_bytes(p, cmd_kind::store) == 64u * 112 * 112);
}
