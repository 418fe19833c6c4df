// ResNet-50 (ImageNet, torchvision) and the Re-ID strong baseline against the layer tables of
// networks.md §5.1. Every expected number is derived here from the table (a bottleneck is
// 1×1 Cin->w, 3×3 w->w stride s, 1×1 w->4w, plus a 1×1 stride-s downsample in a stage's first
// block), never taken from the program's output.

#include "workloads/generators.h"
#include "workloads_test_util.h"

#include <catch2/catch.hpp>

#include <string>

using namespace workloads;
using wltest::expect_spec_error;
using wltest::find_op;
using wltest::macs_of;

namespace {

/// MACs and parameters (conv weights + 2·Cout of every folded BN) of ResNet-50's stem and four
/// stages at input h×w, layer4 stride `last_stride`, by the table; `stage[i]` the MACs of
/// layer i+1, `oh`/`ow` the last map.
struct resnet_counts {
    std::int64_t macs = 0, params = 0, stage[4] = {0, 0, 0, 0}, oh = 0, ow = 0;
};
resnet_counts count_resnet50(std::int64_t h, std::int64_t w, std::int64_t last_stride) {
    resnet_counts r;
    auto conv = [&](std::int64_t cin, std::int64_t cout, std::int64_t k, std::int64_t s,
                    std::int64_t pad, std::int64_t &ih, std::int64_t &iw) {
        ih = (ih + 2 * pad - k) / s + 1;
        iw = (iw + 2 * pad - k) / s + 1;
        r.macs += ih * iw * cout * cin * k * k;
        r.params += cout * cin * k * k + 2 * cout;
    };
    conv(3, 64, 7, 2, 3, h, w);                       // conv1: 7×7 stride 2 pad 3
    h = (h + 2 - 3) / 2 + 1, w = (w + 2 - 3) / 2 + 1; // max-pool 3×3 stride 2 pad 1
    const std::int64_t widths[4] = {64, 128, 256, 512}, blocks[4] = {3, 4, 6, 3},
                       strides[4] = {1, 2, 2, last_stride};
    std::int64_t cin = 64;
    for (int i = 0; i < 4; ++i) {
        const std::int64_t before = r.macs;
        for (std::int64_t j = 0; j < blocks[i]; ++j) {
            const std::int64_t s = j == 0 ? strides[i] : 1, wd = widths[i];
            std::int64_t h1 = h, w1 = w, hd = h, wdn = w;
            conv(cin, wd, 1, 1, 0, h1, w1);
            conv(wd, wd, 3, s, 1, h1, w1);
            conv(wd, 4 * wd, 1, 1, 0, h1, w1);
            if (j == 0)
                conv(cin, 4 * wd, 1, s, 0, hd, wdn);
            cin = 4 * wd, h = h1, w = w1;
        }
        r.stage[i] = r.macs - before;
    }
    r.oh = h, r.ow = w;
    return r;
}

} // namespace

TEST_CASE("resnet50: 4,089,184,256 MACs and 25,557,032 parameters at 224, stage by stage",
          "[workloads]") {
    const graph g = build_workload("resnet50");
    const resnet_counts c = count_resnet50(224, 224, 2);
    // The classifier: 2048·1000 MACs, 2048·1000 + 1000 parameters (torchvision's fc).
    CHECK(g.total_macs() == c.macs + 2048 * 1000);
    CHECK(g.total_params() == c.params + 2048 * 1000 + 1000);
    // The published totals (torchvision: 25,557,032 parameters; 4.09 GMACs).
    CHECK(g.total_params() == 25557032);
    CHECK(g.total_macs() == 4089184256);
    for (int i = 0; i < 4; ++i) {
        INFO("layer" << i + 1);
        CHECK(macs_of(g, "layer" + std::to_string(i + 1) + ".") == c.stage[i]);
    }
    // The stem: ReLU after conv1 (torchvision), the max-pool pads by one.
    CHECK(find_op(g, "conv1")->attr_str("activation", "") == "relu");
    CHECK(find_op(g, "maxpool")->attr_ints("pad", {}) == std::vector<std::int64_t>{1, 1, 1, 1});
    CHECK(g.tensors[find_op(g, "maxpool")->outputs[0]].shape ==
          std::vector<std::int64_t>{64, 56, 56});
    CHECK(c.oh == 7);
    CHECK(g.name == "resnet50:resolution=224");
}

TEST_CASE("reid: the strong baseline at 256x128, last stride 1 and 2", "[workloads]") {
    for (std::int64_t ls : {1, 2}) {
        INFO("last_stride " << ls);
        const graph g = build_workload("reid:last_stride=" + std::to_string(ls));
        const resnet_counts c = count_resnet50(256, 128, ls);
        // No classifier: the BNNeck (BatchNorm1d(2048): weight and bias, 4,096 parameters, no
        // MACs) gives the embedding.
        CHECK(g.total_macs() == c.macs);
        CHECK(g.total_params() == c.params + 2 * 2048);
        for (int i = 0; i < 4; ++i)
            CHECK(macs_of(g, "layer" + std::to_string(i + 1) + ".") == c.stage[i]);
        // Table: layer4 stays 16×8 at last stride 1 (2048×16×8), 8×4 at 2.
        const op *last = find_op(g, "layer4.2.relu");
        REQUIRE(last);
        CHECK(g.tensors[last->outputs[0]].shape ==
              std::vector<std::int64_t>{2048, ls == 1 ? 16 : 8, ls == 1 ? 8 : 4});
        CHECK(c.oh == (ls == 1 ? 16 : 8));
        // The baseline's stem has no ReLU; the embedding is the output.
        CHECK(find_op(g, "conv1")->attr_str("activation", "") == "none");
        REQUIRE(g.outputs.size() == 1);
        CHECK(g.tensors[g.outputs[0]].name == "embedding");
        CHECK(g.tensors[g.outputs[0]].shape == std::vector<std::int64_t>{2048, 1, 1});
        // layer2's first block: the downsample is a 1×1 stride-2 conv.
        CHECK(find_op(g, "layer2.0.downsample")->attr_ints("stride", {}) ==
              std::vector<std::int64_t>{2, 2});
    }
    // Hand-checked figures of the default (last stride 1): 4,053,270,528 MACs (layer4 at 16×8
    // costs 4× its 8×4 form's three 3×3 and 1×1 convs); 23,508,032 + 4,096 parameters.
    const graph g = build_workload("reid");
    CHECK(g.total_macs() == 4053270528);
    CHECK(g.total_params() == 23512128);
}

TEST_CASE("resnet50 and reid: sizes off the total stride and unknown values exit naming the "
          "parameter",
          "[workloads]") {
    expect_spec_error("resnet50:resolution=100", "resnet50.resolution", "stride 32");
    expect_spec_error("reid:height=250", "reid.height", "stride 16");
    expect_spec_error("reid:width=136,last_stride=2", "reid.width", "stride 32");
    expect_spec_error("reid:last_stride=3", "reid.last_stride", "[1, 2]");
    CHECK_NOTHROW(build_workload("reid:height=384,width=128"));
    CHECK_NOTHROW(build_workload("reid:width=144")); // a multiple of 16 at last stride 1
}
