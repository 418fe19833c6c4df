// The data-movement operators pad and N-D transpose (graph.h): their shape rules and attribute
// errors, and their cost after lowering (ops/lower.cpp): a vector-unit copy whose DRAM loads are
// the input's bytes once, whose stores and vector elements are the output's elements. Every
// number is derived by hand in a comment from the shapes (int8: one byte per element).
#include "ops/compiler.h"
#include "sim/errors.h"
#include "workloads/graph.h"

#include <catch2/catch.hpp>

using namespace ops;
using shape_t = std::vector<std::int64_t>;

namespace {

/// A graph of one `type` op over the network input x, output shape `y` (int8).
workloads::graph unary(const std::string &type, const shape_t &x, const shape_t &y,
                       std::map<std::string, workloads::attr_value> attrs) {
    workloads::graph g;
    auto t = [&](const std::string &name, const shape_t &s) {
        workloads::tensor v;
        v.name = name;
        v.shape = s;
        return g.add_tensor(v);
    };
    const int tx = t("x", x), ty = t("y", y);
    g.inputs = {tx};
    workloads::op o;
    o.name = "move";
    o.type = type;
    o.inputs = {tx};
    o.outputs = {ty};
    o.attrs = std::move(attrs);
    g.ops.push_back(o);
    g.outputs = {ty};
    return g;
}

struct moved {
    std::uint64_t loads = 0, stores = 0, copies = 0;
};

moved cost(const workloads::graph &g, std::uint32_t cores = 1, std::uint32_t banks = 0) {
    chip_desc c;
    c.cores = cores;
    c.compiler.keep_on_chip = false;
    if (banks)
        c.scratchpad.banks = banks;
    const program p = compile(g, c, "t.json");
    moved m;
    for (const auto &s : p.streams)
        for (const auto &cmd : s) {
            if (cmd.kind == cmd_kind::load && cmd.far_space == mem_space::dram)
                m.loads += cmd.far.bytes();
            if (cmd.kind == cmd_kind::store)
                m.stores += cmd.far.bytes();
            if (cmd.kind == cmd_kind::compute && cmd.unit == unit_kind::vector_unit &&
                cmd.vec.fn == vec_fn::copy)
                m.copies += cmd.vec.elements;
        }
    return m;
}

std::string validate_error(const workloads::graph &g) {
    try {
        workloads::validate(g, "t.json");
    } catch (const sim::input_error &e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("pad: the output extent of every axis is begin + extent + end; MACs 0", "[ops][pad]") {
    // [16,8,8] with pads [C 0, H 1, W 2 | C 0, H 3, W 4]: [16, 1+8+3, 2+8+4] = [16,12,14].
    const auto g = unary("pad", {16, 8, 8}, {16, 12, 14}, {{"pads", shape_t{0, 1, 2, 0, 3, 4}}});
    CHECK(workloads::infer_output_shape(g, g.ops[0]) == shape_t{16, 12, 14});
    CHECK_NOTHROW(workloads::validate(g, "t.json"));
    CHECK(g.op_macs(g.ops[0]) == 0);
    // Rank 4 and rank 1 too: [2,3,4,5] + [0,1,0,2 | 0,0,0,1] = [2,4,4,8]; [7] + [2 | 3] = [12].
    const auto g4 =
        unary("pad", {2, 3, 4, 5}, {2, 4, 4, 8}, {{"pads", shape_t{0, 1, 0, 2, 0, 0, 0, 1}}});
    CHECK(workloads::infer_output_shape(g4, g4.ops[0]) == shape_t{2, 4, 4, 8});
    const auto g1 = unary("pad", {7}, {12}, {{"pads", shape_t{2, 3}}});
    CHECK(workloads::infer_output_shape(g1, g1.ops[0]) == shape_t{12});
}

TEST_CASE("pad: bad pads or mode are input errors at the attribute's path", "[ops][pad]") {
    CHECK(validate_error(unary("pad", {4, 8, 8}, {4, 8, 8}, {}))
              .find("ops[0].attrs.pads: pad \"move\": missing required attribute") !=
          std::string::npos);
    CHECK(validate_error(unary("pad", {4, 8, 8}, {4, 8, 8}, {{"pads", shape_t{0, 1, 0, 1}}}))
              .find("ops[0].attrs.pads: pad \"move\": expected 6 integers") != std::string::npos);
    CHECK(validate_error(unary("pad", {4, 8, 8}, {4, 8, 9}, {{"pads", shape_t{0, 0, -1, 0, 0, 2}}}))
              .find("ops[0].attrs.pads[2]") != std::string::npos);
    CHECK(
        validate_error(unary("pad", {4, 8, 8}, {4, 8, 10},
                             {{"pads", shape_t{0, 0, 1, 0, 0, 1}}, {"mode", std::string("wrap")}}))
            .find("ops[0].attrs.mode: pad \"move\": expected constant, edge or reflect") !=
        std::string::npos);
    // Reflection: at most extent - 1 = 7 on W; 7 is fine, 8 is not. Edge takes any width.
    auto reflect = [](std::int64_t p, const std::string &mode) {
        return unary("pad", {4, 8, 8}, {4, 8, 8 + p},
                     {{"pads", shape_t{0, 0, p, 0, 0, 0}}, {"mode", mode}});
    };
    CHECK_NOTHROW(workloads::validate(reflect(7, "reflect"), "t.json"));
    CHECK(validate_error(reflect(8, "reflect")).find("ops[0].attrs.pads[2]") != std::string::npos);
    CHECK_NOTHROW(workloads::validate(reflect(8, "edge"), "t.json"));
    // The declared output shape must agree.
    CHECK(validate_error(unary("pad", {4, 8, 8}, {4, 8, 8}, {{"pads", shape_t{0, 0, 1, 0, 0, 1}}}))
              .find("expected [4,8,10]") != std::string::npos);
}

TEST_CASE("pad: loads the input's bytes once, stores and copies the output's elements",
          "[ops][pad]") {
    // [16,8,8] -> [16,12,14]: loads 16·8·8 = 1024 B (each input row is read by the one output
    // row it lands in: a 1x1 window, rows disjoint across tiles and cores), stores and copies
    // 16·12·14 = 2688 (the border is written too). On 1 and 4 cores.
    const auto g = unary("pad", {16, 8, 8}, {16, 12, 14}, {{"pads", shape_t{0, 1, 2, 0, 3, 4}}});
    for (std::uint32_t cores : {1u, 4u}) {
        INFO(cores << " cores");
        const moved m = cost(g, cores);
        CHECK(m.loads == 1024);
        CHECK(m.stores == 2688);
        CHECK(m.copies == 2688);
    }
    // Channels: [4,8,8] + 2 channels before and 1 after = [7,8,8]: loads 256, stores 448.
    const moved c =
        cost(unary("pad", {4, 8, 8}, {7, 8, 8}, {{"pads", shape_t{2, 0, 0, 1, 0, 0}}}), 4);
    CHECK(c.loads == 256);
    CHECK(c.stores == 448);
    CHECK(c.copies == 448);
    // Tokens [T=10, D=6] + [1 row, 2 columns | 3 rows, 4 columns] = [14,12]: 60 B in, 168 out.
    const moved t = cost(unary("pad", {10, 6}, {14, 12}, {{"pads", shape_t{1, 2, 3, 4}}}));
    CHECK(t.loads == 60);
    CHECK(t.stores == 168);
    // Rank 4 [2,3,4,5] -> [2,4,4,8] (axes 1 and 3 padded: groups [2], [3·4 -> 4·4], [5 -> 8]):
    // 2·3·4·5 = 120 B in, 2·4·4·8 = 256 out.
    const moved r4 = cost(
        unary("pad", {2, 3, 4, 5}, {2, 4, 4, 8}, {{"pads", shape_t{0, 1, 0, 2, 0, 0, 0, 1}}}), 4);
    CHECK(r4.loads == 120);
    CHECK(r4.stores == 256);
    CHECK(r4.copies == 256);
    // A large map over many tiles: [64,112,112] + 1 on each side of H and W = [64,114,114];
    // loads 64·112·112 = 802,816, stores 64·114·114 = 831,744 whatever the tiling.
    const moved big = cost(
        unary("pad", {64, 112, 112}, {64, 114, 114}, {{"pads", shape_t{0, 1, 1, 0, 1, 1}}}), 1, 1);
    CHECK(big.loads == 802816);
    CHECK(big.stores == 831744);
}

TEST_CASE("pad: four separated padded axes of a rank-4 tensor cannot be lowered", "[ops][pad]") {
    const auto g =
        unary("pad", {2, 3, 4, 5}, {3, 4, 5, 6}, {{"pads", shape_t{1, 1, 1, 1, 0, 0, 0, 0}}});
    CHECK_NOTHROW(workloads::validate(g, "t.json"));
    chip_desc c;
    CHECK_THROWS_WITH(compile(g, c, "t.json"), Catch::Contains("at most 3 are mapped"));
}

TEST_CASE("transpose: output axis i is input axis perm[i]; default the axes reversed; MACs 0",
          "[ops][transpose]") {
    // A channel shuffle: [g=2, C/g=6, H·W=5] perm [1,0,2] -> [6,2,5].
    const auto g = unary("transpose", {2, 6, 5}, {6, 2, 5}, {{"perm", shape_t{1, 0, 2}}});
    CHECK(workloads::infer_output_shape(g, g.ops[0]) == shape_t{6, 2, 5});
    CHECK(g.op_macs(g.ops[0]) == 0);
    // [2,3,4,5] perm [3,1,0,2] -> [5,3,2,4]; no perm on rank 3: [4,3,2] -> [2,3,4].
    const auto g4 = unary("transpose", {2, 3, 4, 5}, {5, 3, 2, 4}, {{"perm", shape_t{3, 1, 0, 2}}});
    CHECK_NOTHROW(workloads::validate(g4, "t.json"));
    const auto gr = unary("transpose", {4, 3, 2}, {2, 3, 4}, {});
    CHECK(workloads::infer_output_shape(gr, gr.ops[0]) == shape_t{2, 3, 4});
    // Errors: not a permutation, the wrong rank, a wrong declared output.
    CHECK(validate_error(unary("transpose", {2, 6, 5}, {6, 2, 5}, {{"perm", shape_t{1, 1, 2}}}))
              .find("ops[0].attrs.perm[1]: transpose \"move\": [1,1,2] is not a permutation") !=
          std::string::npos);
    CHECK(validate_error(unary("transpose", {2, 6, 5}, {6, 2, 5}, {{"perm", shape_t{1, 0}}}))
              .find("ops[0].attrs.perm: transpose \"move\": expected 3 axes") != std::string::npos);
    CHECK(validate_error(unary("transpose", {2, 6, 5}, {2, 6, 5}, {{"perm", shape_t{1, 0, 2}}}))
              .find("expected [6,2,5]") != std::string::npos);
}

TEST_CASE("transpose: any permutation loads and stores every element once; the 2-D one is "
          "unchanged; the identity is free",
          "[ops][transpose]") {
    // [2,6,5] -> [6,2,5]: 60 B loaded, 60 stored, 60 copied, on 1 and 4 cores.
    for (std::uint32_t cores : {1u, 4u}) {
        const moved m =
            cost(unary("transpose", {2, 6, 5}, {6, 2, 5}, {{"perm", shape_t{1, 0, 2}}}), cores);
        CHECK(m.loads == 60);
        CHECK(m.stores == 60);
        CHECK(m.copies == 60);
    }
    // shufflenet_v2's stage-2 shuffle: [2,58,784] -> [58,2,784], 90,944 B each way, many tiles.
    const moved s =
        cost(unary("transpose", {2, 58, 784}, {58, 2, 784}, {{"perm", shape_t{1, 0, 2}}}), 4, 1);
    CHECK(s.loads == 90944);
    CHECK(s.stores == 90944);
    CHECK(s.copies == 90944);
    // Rank 5 [2,3,4,5,6] perm [4,2,0,1,3]: 720 elements each way.
    const moved r5 = cost(
        unary("transpose", {2, 3, 4, 5, 6}, {6, 4, 2, 3, 5}, {{"perm", shape_t{4, 2, 0, 1, 3}}}));
    CHECK(r5.loads == 720);
    CHECK(r5.stores == 720);
    // 2-D [8,16] -> [16,8], with or without perm [1,0]: the transposed-operand lowering, 128 B.
    const moved t2 = cost(unary("transpose", {8, 16}, {16, 8}, {}));
    const moved t2p = cost(unary("transpose", {8, 16}, {16, 8}, {{"perm", shape_t{1, 0}}}));
    CHECK(t2.loads == 128);
    CHECK(t2.stores == 128);
    CHECK(t2p.loads == t2.loads);
    CHECK(t2p.copies == t2.copies);
    // The identity is a view: no lowered operator.
    chip_desc c;
    const auto id = unary("transpose", {2, 6, 5}, {2, 6, 5}, {{"perm", shape_t{0, 1, 2}}});
    CHECK(compile(id, c, "t.json").ops.empty());
}
