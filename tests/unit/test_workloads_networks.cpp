// Generated networks against the published layer tables (networks.md §2.2, §3). Every expected
// number comes from those tables or is derived by hand in a comment, never from the program.

#include "workloads/generators.h"
#include "workloads_test_util.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using namespace workloads;

namespace {

using wltest::count_type;
using wltest::find_op;
using wltest::macs_of;

/// MACs in units of 0.01M, rounded as the tables print them.
std::int64_t centi_m(std::int64_t macs) {
    return std::llround(static_cast<double>(macs) / 1e4);
}

const tensor &out_of(const graph &g, const std::string &op_name) {
    const op *o = find_op(g, op_name);
    REQUIRE(o);
    return g.tensors[o->outputs[0]];
}

} // namespace

TEST_CASE("mobilenext: 1.0 at 224 has 311.3M MACs and 3,535,416 parameters", "[workloads]") {
    graph g = build_workload("mobilenext");
    // networks.md §2.2 totals: 311.3M MACs; conv + FC 3,482,392 + BN 53,024 = 3,535,416.
    CHECK(std::llround(static_cast<double>(g.total_macs()) / 1e5) == 3113);
    CHECK(g.total_params() == 3535416);
    CHECK(g.name == "mobilenext:width=1,resolution=224,identity_div=1");
}

TEST_CASE("mobilenext: per-block MACs follow the layer table to 0.01M", "[workloads]") {
    graph g = build_workload("mobilenext");
    // networks.md §2.2 "MACs" column, in 0.01M.
    const std::int64_t table[20] = {3201, 3086, 3507, 1234, 1234, 1857, 644,  644,  843,  1099,
                                    1099, 1099, 1832, 593,  593,  593,  1204, 1590, 1590, 2382};
    CHECK(centi_m(macs_of(g, "stem.")) == 1084);
    for (int b = 0; b < 20; ++b) {
        INFO("block " << b);
        CHECK(centi_m(macs_of(g, "b" + std::to_string(b) + ".")) == table[b]);
    }
    CHECK(centi_m(macs_of(g, "head.")) == 128);
    // §2.3: block 9 step by step: DW 14·14·384·9 = 677,376; PW 14·14·384·64 = 4,816,896.
    CHECK(g.op_macs(*find_op(g, "b9.dw1")) == 677376);
    CHECK(g.op_macs(*find_op(g, "b9.pwr")) == 4816896);
    CHECK(g.op_macs(*find_op(g, "b9.pwe")) == 4816896);
    CHECK(g.op_macs(*find_op(g, "b9.dw2")) == 677376);
}

TEST_CASE("mobilenext: 12 of the 20 blocks carry an identity shortcut", "[workloads]") {
    graph g = build_workload("mobilenext");
    // §2.2: identity in blocks 3,4,6,7,9,10,11,13,14,15,17,18; none in keep_3x3 blocks 1, 19.
    const int with[] = {3, 4, 6, 7, 9, 10, 11, 13, 14, 15, 17, 18};
    CHECK(count_type(g, "add") == 12);
    for (int b : with)
        CHECK(find_op(g, "b" + std::to_string(b) + ".add"));
    CHECK_FALSE(find_op(g, "b1.add"));
    CHECK_FALSE(find_op(g, "b19.add"));
    // identity_div = 1: the full tensor, expressed as a plain add without channel attributes.
    const op *add = find_op(g, "b9.add");
    CHECK(add->attrs.empty());
    CHECK(g.tensors[add->inputs[1]].name == "b8.pwe"); // block 9's input is block 8's output
}

TEST_CASE("mobilenext: block variants A-D have the table's operators", "[workloads]") {
    graph g = build_workload("mobilenext");
    // A (block 0): DW1 on 32, DW2 stride 2 on 96.
    CHECK(out_of(g, "b0.dw1").shape == std::vector<std::int64_t>{32, 112, 112});
    CHECK(out_of(g, "b0.pwr").shape == std::vector<std::int64_t>{16, 112, 112});
    CHECK(out_of(g, "b0.dw2").shape == std::vector<std::int64_t>{96, 56, 56});
    // B (blocks 8, 16): no depthwise at all.
    for (const char *b : {"b8", "b16"}) {
        CHECK_FALSE(find_op(g, std::string(b) + ".dw1"));
        CHECK_FALSE(find_op(g, std::string(b) + ".dw2"));
    }
    // C (blocks 2, 5, 12): no DW1, DW2 stride 2.
    for (const char *b : {"b2", "b5", "b12"}) {
        CHECK_FALSE(find_op(g, std::string(b) + ".dw1"));
        CHECK(find_op(g, std::string(b) + ".dw2")->attr_ints("stride", {}) ==
              std::vector<std::int64_t>{2, 2});
    }
    // D keep_3x3 (block 19): 960 -> hidden 208 -> 1280, both depthwise, no shortcut.
    // hidden: 960 // 6 = 160 < 1280/6 = 213.3, so make_divisible(ceil(213.3) = 214, 16) = 208.
    CHECK(out_of(g, "b19.dw1").shape[0] == 960);
    CHECK(out_of(g, "b19.pwr").shape[0] == 208);
    CHECK(out_of(g, "b19.dw2").shape == std::vector<std::int64_t>{1280, 7, 7});
    // Peak activation 96·112·112 (§2.2): the PWE output of block 0.
    CHECK(out_of(g, "b0.pwe").elements() == 96 * 112 * 112);
    // Conventions: BN folded into every conv, no bias tensor; linear PWR and DW2.
    for (const auto &o : g.ops)
        if (o.type == "conv2d") {
            CHECK(o.attr_int("batchnorm", 0) == 1);
            CHECK(o.inputs.size() == 2);
        }
    CHECK(find_op(g, "b9.pwr")->attr_str("activation", "") == "none");
    CHECK(find_op(g, "b9.dw2")->attr_str("activation", "") == "none");
    CHECK(find_op(g, "b9.pwe")->attr_str("activation", "") == "relu6");
}

TEST_CASE("mobilenext: identity_div=2 adds only the first C/2 channels", "[workloads]") {
    graph g = build_workload("mobilenext:identity_div=2");
    CHECK(g.name == "mobilenext:width=1,resolution=224,identity_div=2");
    // C per identity block (§2.2) and C/2 by hand.
    const std::pair<int, std::int64_t> blocks[] = {{3, 192},  {4, 192},  {6, 288},  {7, 288},
                                                   {9, 384},  {10, 384}, {11, 384}, {13, 576},
                                                   {14, 576}, {15, 576}, {17, 960}, {18, 960}};
    CHECK(count_type(g, "add") == 12);
    for (auto [b, c] : blocks) {
        INFO("block " << b);
        const op *add = find_op(g, "b" + std::to_string(b) + ".add");
        REQUIRE(add);
        CHECK(add->attr_int("channel_begin", -1) == 0);
        CHECK(add->attr_int("channel_end", -1) == c / 2);
        CHECK(g.tensors[add->inputs[0]].shape[0] == c);
        CHECK(g.tensors[add->inputs[1]].shape[0] == c / 2);
        CHECK(g.tensors[add->outputs[0]].shape[0] == c);
        const op *skip = find_op(g, "b" + std::to_string(b) + ".skip");
        REQUIRE(skip);
        CHECK(skip->type == "slice");
        CHECK(skip->attr_int("end", -1) == c / 2);
    }
    // The partial shortcut changes no MAC and no parameter.
    CHECK(g.total_params() == 3535416);
    CHECK(g.total_macs() == build_workload("mobilenext").total_macs());
    // identity_div = 3: 192 / 3 = 64; identity_div = 1024: 192 // 1024 = 0, kept at 1 channel.
    CHECK(find_op(build_workload("mobilenext:identity_div=3"), "b3.add")
              ->attr_int("channel_end", -1) == 64);
    CHECK(find_op(build_workload("mobilenext:identity_div=1024"), "b3.add")
              ->attr_int("channel_end", -1) == 1);
}

TEST_CASE("mobilenetv2: 1.0 at 224 has 300.8M MACs and 3,504,872 parameters", "[workloads]") {
    graph g = build_workload("mobilenetv2");
    // networks.md §3 totals (torchvision count).
    CHECK(std::llround(static_cast<double>(g.total_macs()) / 1e5) == 3008);
    CHECK(g.total_params() == 3504872);
    CHECK(g.name == "mobilenetv2:width=1,resolution=224");
}

TEST_CASE("mobilenetv2: per-block MACs follow the layer table and 10 adds", "[workloads]") {
    graph g = build_workload("mobilenetv2");
    // networks.md §3 "MACs" column, in 0.01M.
    const std::int64_t table[17] = {1004, 2920, 2574, 1547, 1099, 1099, 756,  1031, 1031,
                                    1031, 1272, 2269, 2269, 1561, 1548, 1548, 2300};
    CHECK(centi_m(macs_of(g, "stem.")) == 1084);
    for (int b = 0; b < 17; ++b) {
        INFO("block " << b);
        CHECK(centi_m(macs_of(g, "b" + std::to_string(b) + ".")) == table[b]);
    }
    CHECK(centi_m(macs_of(g, "head.conv")) == 2007);
    CHECK(centi_m(macs_of(g, "head.fc")) == 128);
    CHECK(count_type(g, "add") == 10);
    for (int b : {2, 4, 5, 7, 8, 9, 11, 12, 14, 15})
        CHECK(find_op(g, "b" + std::to_string(b) + ".add"));
    CHECK_FALSE(find_op(g, "b0.exp")); // t = 1: no expansion conv
    for (const auto &o : g.ops)
        if (o.type == "add")
            CHECK(g.tensors[o.outputs[0]].shape[0] <= 160);
}

TEST_CASE("workloads: make_divisible rounds to the nearest multiple, never below 90%",
          "[workloads]") {
    // int(v + d/2) // d * d, at least d, plus d when below 0.9·v:
    CHECK(make_divisible(108, 8) == 112);   // 112 // 8 * 8 = 112
    CHECK(make_divisible(24, 8) == 24);     // 28 // 8 * 8 = 24
    CHECK(make_divisible(214, 16) == 208);  // 222 // 16 * 16 = 208 >= 192.6
    CHECK(make_divisible(19, 16) == 32);    // 27 // 16 * 16 = 16 < 17.1 -> 32
    CHECK(make_divisible(17.7, 16) == 16);  // 16 >= 15.93 (just above the 90% boundary)
    CHECK(make_divisible(20, 16) == 32);    // 16 < 18 (just below it)
    CHECK(make_divisible(11.2, 8) == 16);   // 15 // 8 * 8 = 8 < 10.08 -> 16
    CHECK(make_divisible(4, 8) == 8);       // at least the divisor
    CHECK(make_divisible(1792, 8) == 1792); // 1280 · 1.4
}

TEST_CASE("mobilenext: width multiplier follows make_divisible, 1280 kept below 1", "[workloads]") {
    graph g = build_workload("mobilenext:width=0.75");
    CHECK(g.name == "mobilenext:width=0.75,resolution=224,identity_div=1");
    CHECK(out_of(g, "stem.conv").shape[0] == 24); // make_divisible(24, 8)
    CHECK(out_of(g, "b0.pwr").shape[0] == 12);    // 24 // 2 = 12, not < 72/6 = 12
    CHECK(out_of(g, "b0.dw2").shape[0] == 72);    // make_divisible(72, 8)
    CHECK(out_of(g, "b1.dw2").shape[0] == 112);   // make_divisible(108, 8)
    CHECK(out_of(g, "b1.pwr").shape[0] == 32);    // 72 // 6 = 12 < 18.7: make_divisible(19, 16)
    CHECK(out_of(g, "b19.dw1").shape[0] == 720);  // make_divisible(720, 8)
    CHECK(out_of(g, "b19.pwr").shape[0] == 208);  // 120 < 213.3: make_divisible(214, 16)
    CHECK(out_of(g, "b19.dw2").shape[0] == 1280); // kept when width < 1
    CHECK(g.tensors[find_op(g, "head.fc")->inputs[1]].shape ==
          std::vector<std::int64_t>{1000, 1280});

    graph w14 = build_workload("mobilenext:width=1.4");
    CHECK(out_of(w14, "stem.conv").shape[0] == 48); // 44.8: 48.8 // 8 * 8 = 48
    CHECK(out_of(w14, "b19.dw2").shape[0] == 1792); // make_divisible(1280 · 1.4, 8)
}

TEST_CASE("mobilenetv2: width multiplier, head 1280 kept below 1", "[workloads]") {
    graph half = build_workload("mobilenetv2:width=0.5");
    CHECK(out_of(half, "stem.conv").shape[0] == 16); // make_divisible(16, 8)
    CHECK(out_of(half, "b0.proj").shape[0] == 8);    // make_divisible(8, 8)
    CHECK(out_of(half, "b1.exp").shape[0] == 48);    // 8 · 6
    CHECK(out_of(half, "head.conv").shape[0] == 1280);
    graph w14 = build_workload("mobilenetv2:width=1.4");
    CHECK(out_of(w14, "head.conv").shape[0] == 1792);
    CHECK(out_of(w14, "b16.proj").shape[0] == 448); // make_divisible(320 · 1.4 = 448, 8)
}

TEST_CASE("mobilenext: resolution scales activations, not parameters", "[workloads]") {
    graph g = build_workload("mobilenext:resolution=160");
    // (160 + 1 + 1 - 3) / 2 + 1 = 80; stem MACs 80·80·32·(3·3·3) = 5,529,600.
    CHECK(out_of(g, "stem.conv").shape == std::vector<std::int64_t>{32, 80, 80});
    CHECK(g.op_macs(*find_op(g, "stem.conv")) == 5529600);
    CHECK(out_of(g, "b19.dw2").shape == std::vector<std::int64_t>{1280, 5, 5}); // 160 / 32
    CHECK(g.total_params() == 3535416);
    // Odd size: (225 + 2 - 3) / 2 + 1 = 113.
    CHECK(out_of(build_workload("mobilenext:resolution=225"), "stem.conv").shape[1] == 113);
    // MobileNetV2 at 32: 32 / 32 = 1x1 before the head.
    CHECK(out_of(build_workload("mobilenetv2:resolution=32"), "head.conv").shape ==
          std::vector<std::int64_t>{1280, 1, 1});
}
