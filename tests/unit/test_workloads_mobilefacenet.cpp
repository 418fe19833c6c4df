// MobileFaceNet (networks.md §5.2, the paper's Table 1) and InsightFace's MBF (scale 2): MACs and
// parameters derived here from the table, layer by layer; never from the program's output.
// Parameters follow the repository's convention: conv/fc weights + 2·C per folded BN + C per
// PReLU (its per-channel slopes).

#include "workloads/generators.h"
#include "workloads_test_util.h"

#include <catch2/catch.hpp>

#include <string>

using namespace workloads;
using wltest::count_type;
using wltest::expect_spec_error;
using wltest::find_op;

namespace {

struct counts {
    std::int64_t macs = 0, params = 0, side = 112;
};

/// The table at `scale`: stem 3×3/2 -> 64s, conv2_dw 3×3 in 64 groups, bottlenecks
/// (expansion g fixed at 128, 256, 512, 256; widths 64s, 128s), conv_sep 1×1 -> 512, GDConv 7×7
/// depthwise (linear), then Linear(512, emb) + BatchNorm1d.
counts count_mfn(std::int64_t s, std::int64_t emb) {
    counts c;
    auto conv = [&](std::int64_t cin, std::int64_t cout, std::int64_t k, std::int64_t stride,
                    std::int64_t groups, std::int64_t pad, bool prelu) {
        c.side = (c.side + 2 * pad - k) / stride + 1;
        c.macs += c.side * c.side * cout * (cin / groups) * k * k;
        c.params += cout * (cin / groups) * k * k + 2 * cout + (prelu ? cout : 0);
    };
    auto block = [&](std::int64_t cin, std::int64_t cout, std::int64_t g, std::int64_t stride) {
        conv(cin, g, 1, 1, 1, 0, true);
        conv(g, g, 3, stride, g, 1, true);
        conv(g, cout, 1, 1, 1, 0, false);
    };
    conv(3, 64 * s, 3, 2, 1, 1, true);
    conv(64 * s, 64 * s, 3, 1, 64, 1, true);
    block(64 * s, 64 * s, 128, 2);
    for (int i = 0; i < 4; ++i)
        block(64 * s, 64 * s, 128, 1);
    block(64 * s, 128 * s, 256, 2);
    for (int i = 0; i < 6; ++i)
        block(128 * s, 128 * s, 256, 1);
    block(128 * s, 128 * s, 512, 2);
    for (int i = 0; i < 2; ++i)
        block(128 * s, 128 * s, 256, 1);
    conv(128 * s, 512, 1, 1, 1, 0, true);
    conv(512, 512, 7, 1, 512, 0, false);
    c.macs += 512 * emb;
    c.params += 512 * emb + 2 * emb;
    return c;
}

} // namespace

TEST_CASE("mobilefacenet: the paper's net has 221.0M MACs, 1,003,136 parameters, a 128-d "
          "embedding",
          "[workloads]") {
    const graph g = build_workload("mobilefacenet");
    const counts c = count_mfn(1, 128);
    CHECK(g.total_macs() == c.macs);
    CHECK(g.total_params() == c.params);
    // Paper Table 1 / §5.2: 221M MAdds; 0.99M parameters without BN and PReLU (here 1.00M with).
    CHECK(g.total_macs() == 220965376);
    CHECK(g.total_params() == 1003136);
    CHECK(c.side == 1); // the 7×7 GDConv leaves 1×1
    // 15 bottlenecks (5 + 1 + 6 + 1 + 2), 12 of them residual; a PReLU after every ConvBlock:
    // conv1, conv2_dw, two per bottleneck, conv_sep.
    CHECK(count_type(g, "add") == 12);
    CHECK(count_type(g, "prelu") == 2 + 2 * 15 + 1);
    const op *gdc = find_op(g, "gdc.dw");
    REQUIRE(gdc);
    CHECK(gdc->attr_ints("kernel", {}) == std::vector<std::int64_t>{7, 7});
    CHECK(gdc->attr_ints("pad", {}) == std::vector<std::int64_t>{0, 0, 0, 0});
    CHECK(gdc->attr_int("groups", 0) == 512);
    REQUIRE(g.outputs.size() == 1);
    CHECK(g.tensors[g.outputs[0]].shape == std::vector<std::int64_t>{128});
    // At scale 1 conv2_dw is depthwise (64 groups of one channel).
    CHECK(find_op(g, "conv2_dw")->attr_int("groups", 0) == 64);
    CHECK(g.tensors[find_op(g, "conv2_dw")->inputs[0]].shape[0] == 64);
}

TEST_CASE("mobilefacenet: scale 2 (MBF) doubles the stem and block widths, not the expansions",
          "[workloads]") {
    const graph g = build_workload("mobilefacenet:scale=2");
    const counts c = count_mfn(2, 512);
    CHECK(g.total_macs() == c.macs);     // 437,520,896
    CHECK(g.total_params() == c.params); // 2,059,520
    CHECK(g.total_macs() == 437520896);
    // conv2_dw: 128 channels in 64 groups (two per group): grouped, not depthwise.
    const op *dw = find_op(g, "conv2_dw");
    CHECK(dw->attr_int("groups", 0) == 64);
    CHECK(g.tensors[dw->inputs[1]].shape == std::vector<std::int64_t>{128, 2, 3, 3});
    // The expansions stay 128 / 256 / 512: b2.0 expands 128 -> 128, b3 128 -> 256.
    CHECK(g.tensors[find_op(g, "b2.0.expand")->outputs[0]].shape[0] == 128);
    CHECK(g.tensors[find_op(g, "b3.expand")->outputs[0]].shape[0] == 256);
    CHECK(g.tensors[find_op(g, "b3.project")->outputs[0]].shape[0] == 256);
    CHECK(g.tensors[g.outputs[0]].shape == std::vector<std::int64_t>{512});
    // embedding= overrides the variant's size.
    CHECK(build_workload("mobilefacenet:embedding=256").total_macs() == count_mfn(1, 256).macs);
}

TEST_CASE("mobilefacenet: an unknown scale exits naming the parameter", "[workloads]") {
    expect_spec_error("mobilefacenet:scale=3", "mobilefacenet.scale", "[1, 2]");
}
