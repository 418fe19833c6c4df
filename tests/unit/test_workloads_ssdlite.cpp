// SSDLite-320 (networks.md §5.3) with the MobileNeXt-1.0 backbone of §2.2: MACs, parameters and
// anchor counts derived here from those tables (block channels, variants, extras, heads), never
// from the program's output.

#include "workloads/generators.h"
#include "workloads_test_util.h"

#include <catch2/catch.hpp>

#include <string>

using namespace workloads;
using wltest::find_op;

namespace {

struct tally {
    std::int64_t macs = 0, params = 0;
    /// k×k conv on a side×side map (pad k/2), stride s, groups g; BN folded (2·Cout parameters)
    /// or a bias (Cout). Returns the output side.
    std::int64_t conv(std::int64_t side, std::int64_t cin, std::int64_t cout, std::int64_t k,
                      std::int64_t s, bool depthwise, bool bias = false) {
        const std::int64_t out = (side + 2 * (k / 2) - k) / s + 1;
        const std::int64_t per = depthwise ? 1 : cin;
        macs += out * out * cout * per * k * k;
        params += cout * per * k * k + (bias ? cout : 2 * cout);
        return out;
    }
};

/// §2.2's 20 blocks: Cin -> hidden -> Cout, stride, DW1?, DW2?.
struct block {
    std::int64_t cin, hidden, cout, s;
    bool dw1, dw2;
};
const block table[20] = {{32, 16, 96, 2, true, true},      {96, 32, 144, 1, true, true},
                         {144, 32, 192, 2, false, true},   {192, 32, 192, 1, true, true},
                         {192, 32, 192, 1, true, true},    {192, 48, 288, 2, false, true},
                         {288, 48, 288, 1, true, true},    {288, 48, 288, 1, true, true},
                         {288, 64, 384, 1, false, false},  {384, 64, 384, 1, true, true},
                         {384, 64, 384, 1, true, true},    {384, 64, 384, 1, true, true},
                         {384, 96, 576, 2, false, true},   {576, 96, 576, 1, true, true},
                         {576, 96, 576, 1, true, true},    {576, 96, 576, 1, true, true},
                         {576, 160, 960, 1, false, false}, {960, 160, 960, 1, true, true},
                         {960, 160, 960, 1, true, true},   {960, 208, 1280, 1, true, true}};

/// The whole detector at 320: backbone to block 19's PWE (its DW2 is not used), the four extras,
/// and the class and box heads (anchors on each map; `classes` scores per anchor).
tally count_ssdlite(std::int64_t classes, bool coco, std::int64_t *anchors_out) {
    tally t;
    std::int64_t side = t.conv(320, 3, 32, 3, 2, false);     // stem
    std::vector<std::pair<std::int64_t, std::int64_t>> maps; // (channels, side)
    for (int i = 0; i < 20; ++i) {
        const block &b = table[i];
        if (b.dw1)
            t.conv(side, b.cin, b.cin, 3, 1, true);
        t.conv(side, b.cin, b.hidden, 1, 1, false);
        t.conv(side, b.hidden, b.cout, 1, 1, false);
        if (i == 12 || i == 19)
            maps.emplace_back(b.cout, side); // taps: 576×20×20, 1280×10×10
        if (i == 19)
            break;
        if (b.dw2)
            side = t.conv(side, b.cout, b.cout, 3, b.s, true);
    }
    // Extras (§5.3): DW 3×3/2, PW Cin -> h, PW h -> Cout.
    const std::int64_t extras[4][3] = {
        {1280, 256, 512}, {512, 128, 256}, {256, 128, 256}, {256, 128, 128}};
    for (const auto &e : extras) {
        side = t.conv(side, e[0], e[0], 3, 2, true);
        t.conv(side, e[0], e[1], 1, 1, false);
        t.conv(side, e[1], e[2], 1, 1, false);
        maps.emplace_back(e[2], side);
    }
    std::int64_t anchors = 0;
    for (std::size_t m = 0; m < maps.size(); ++m) {
        const auto [c, s] = maps[m];
        const bool last = m + 1 == maps.size();
        const std::int64_t a = coco && last ? 4 : 6;
        anchors += s * s * a;
        for (std::int64_t per : {classes, std::int64_t{4}}) {
            if (!last)
                t.conv(s, c, c, 3, 1, true); // the SeparableConv's depthwise
            t.conv(s, c, a * per, 1, 1, false, true);
        }
    }
    *anchors_out = anchors;
    return t;
}

} // namespace

TEST_CASE("ssdlite: MobileNeXt-1.0 at 320, VOC: 3,234 anchors, MACs and parameters by the table",
          "[workloads]") {
    const graph g = build_workload("ssdlite");
    std::int64_t anchors = 0;
    const tally t = count_ssdlite(21, false, &anchors);
    CHECK(anchors == 3234); // 6 · (400 + 100 + 25 + 9 + 4 + 1)
    CHECK(g.total_macs() == t.macs);
    CHECK(g.total_params() == t.params);
    // The taps and the extra maps: 576×20×20 and 1280×10×10, then 5, 3, 2, 1.
    CHECK(g.tensors[find_op(g, "b12.pwe")->outputs[0]].shape ==
          std::vector<std::int64_t>{576, 20, 20});
    CHECK(g.tensors[find_op(g, "b19.pwe")->outputs[0]].shape ==
          std::vector<std::int64_t>{1280, 10, 10});
    CHECK_FALSE(find_op(g, "b19.dw2"));
    CHECK(g.tensors[find_op(g, "extras.3.pw2")->outputs[0]].shape ==
          std::vector<std::int64_t>{128, 1, 1});
    // Outputs: every anchor's scores and box offsets, the heads concatenated in map order.
    REQUIRE(g.outputs.size() == 2);
    CHECK(g.tensors[g.outputs[0]].shape == std::vector<std::int64_t>{3234, 21});
    CHECK(g.tensors[g.outputs[1]].shape == std::vector<std::int64_t>{3234, 4});
    // The last (1×1) map's heads are plain 1×1 convs.
    CHECK_FALSE(find_op(g, "head5.cls.dw"));
    CHECK(find_op(g, "head4.cls.dw"));
}

TEST_CASE("ssdlite: the COCO config has 3,232 anchors (4 on the 1x1 map) and 81 scores each",
          "[workloads]") {
    const graph g = build_workload("ssdlite:config=coco");
    std::int64_t anchors = 0;
    const tally t = count_ssdlite(81, true, &anchors);
    CHECK(anchors == 3232);
    CHECK(g.total_macs() == t.macs);
    CHECK(g.total_params() == t.params);
    CHECK(g.tensors[g.outputs[0]].shape == std::vector<std::int64_t>{3232, 81});
}

TEST_CASE("ssdlite: the MobileNetV2 backbone taps block 13's expansion and the 1280 head conv",
          "[workloads]") {
    const graph g = build_workload("ssdlite:backbone=mobilenetv2");
    CHECK(g.tensors[find_op(g, "b13.exp")->outputs[0]].shape ==
          std::vector<std::int64_t>{576, 20, 20});
    CHECK(g.tensors[find_op(g, "head.conv")->outputs[0]].shape ==
          std::vector<std::int64_t>{1280, 10, 10});
    CHECK(g.tensors[g.outputs[0]].shape == std::vector<std::int64_t>{3234, 21});
    // Its extras are inverted residuals ending in 512, 256, 256, 64 channels.
    CHECK(g.tensors[find_op(g, "extras.3.proj")->outputs[0]].shape ==
          std::vector<std::int64_t>{64, 1, 1});
}

TEST_CASE("ssdlite: bad parameters exit naming them", "[workloads]") {
    wltest::expect_spec_error("ssdlite:classes=1", "ssdlite.classes", "at least 2");
    wltest::expect_spec_error("ssdlite:resolution=300", "ssdlite.resolution", "stride 32");
    wltest::expect_spec_error("ssdlite:backbone=resnet", "ssdlite.backbone", "mobilenetv2");
    wltest::expect_spec_error("ssdlite:backbone=mobilenetv2,identity_div=2", "ssdlite.identity_div",
                              "mobilenext backbone only");
    // The MobileNeXt backbone's partial shortcut: 12 adds on the first C / 2 channels.
    const graph half = build_workload("ssdlite:identity_div=2");
    CHECK(find_op(half, "b9.add")->attr_int("channel_end", 0) == 192);
    CHECK_NOTHROW(build_workload("ssdlite:classes=2"));
}
