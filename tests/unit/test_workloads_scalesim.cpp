// `--workload scalesim:FILE.csv`: SCALE-Sim v2 topology CSVs (scalesim/topology_utils.py
// conventions). Every expected number is derived in a comment from SCALE-Sim's rules:
//   ofmap = ceil((ifmap - filter + stride) / stride), no padding;
//   MACs  = ofmap_h·ofmap_w·filter_h·filter_w·channels·num_filter (per channel for "DP" rows);
//   GEMM  = M·N·K, as SCALE-Sim's conv entry [M, K, 1, K, 1, N, 1, 1].
#include "workloads_test_util.h"

#include "ops/compiler.h"
#include "sim/errors.h"
#include "workloads/generators.h"
#include "workloads/scalesim_topology.h"
#include "workloads/trace.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

using namespace workloads;
using shape_t = std::vector<std::int64_t>;

namespace {

/// tests/unit/<this file> -> tests/data/scalesim/<name>
std::string data_file(const char *name) {
    return (std::filesystem::path(__FILE__).parent_path().parent_path() / "data" / "scalesim" /
            name)
        .string();
}

std::filesystem::path temp_dir() {
    auto d = std::filesystem::temp_directory_path() / "qcsim_test_scalesim";
    std::filesystem::create_directories(d);
    return d;
}

graph parse(const std::string &text) {
    return parse_scalesim_topology(text, "t.csv");
}

const std::string conv_header =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,\n";

/// parse(text) must throw sim::input_error("t.csv", path, ...) containing fragment.
void expect_error(const std::string &text, const std::string &path, const std::string &fragment) {
    try {
        parse(text);
        FAIL("accepted:\n" << text);
    } catch (const sim::input_error &e) {
        INFO(text << "\n-> " << e.what());
        CHECK(e.file() == "t.csv");
        CHECK(e.json_path() == path);
        CHECK(std::string(e.what()).find("t.csv: " + path + ": ") == 0);
        CHECK(std::string(e.what()).find(fragment) != std::string::npos);
    }
}

/// What the MAC array is asked to do for one compiled operator: the GEMM k of its tiles, and
/// the sums over its tiles of m·n·repeat and m·k·n·repeat.
struct gemm_use {
    std::vector<std::uint64_t> ks;
    std::uint64_t mn = 0, macs = 0, vector_macs = 0;
};

std::map<std::string, gemm_use> gemm_uses(const graph &g, const ops::chip_desc &chip) {
    const ops::program p = ops::compile(g, chip, "t.csv");
    std::map<std::string, gemm_use> uses;
    for (const auto &stream : p.streams)
        for (const auto &c : stream) {
            if (c.kind != ops::cmd_kind::compute)
                continue;
            gemm_use &u = uses[p.ops[c.op].name];
            if (c.unit == ops::unit_kind::mac_array) {
                u.ks.push_back(c.gemm.k);
                u.mn += c.gemm.m * c.gemm.n * c.gemm.repeat;
                u.macs += c.gemm.macs();
            } else if (c.vec.fn == ops::vec_fn::mac) {
                u.vector_macs += c.vec.elements;
            }
        }
    return uses;
}

void check_gemm(const gemm_use &u, std::uint64_t m, std::uint64_t k, std::uint64_t n,
                std::uint64_t repeat = 1) {
    REQUIRE_FALSE(u.ks.empty());
    for (auto tile_k : u.ks)
        CHECK(tile_k == k); // the whole reduction in every tile: no K split
    CHECK(u.mn == m * n * repeat);
    CHECK(u.macs == m * k * n * repeat);
}

} // namespace

TEST_CASE("scalesim: MobileNet-v1 conv form: output sizes (ceil rule) and MACs per layer",
          "[workloads][scalesim]") {
    graph g = build_workload("scalesim:" + data_file("mobilenet.csv"));
    CHECK(g.name == "scalesim:mobilenet.csv"); // no directory in the name
    REQUIRE(g.ops.size() == 28);
    CHECK(g.inputs.size() == 28); // every layer has its own input and output
    CHECK(g.outputs.size() == 28);

    struct expect {
        const char *name;
        shape_t out;
        std::int64_t pad_b, macs;
    };
    // ofmap = ceil((H - F + s) / s); pad_b = s - (H - F) % s when that remainder is not 0.
    const std::vector<expect> want = {
        // 224, F 3, s 2: ceil(223 / 2) = 112 (the floor rule (224 - 3) / 2 + 1 would give 111;
        // (224 - 3) % 2 = 1, so pad_b = 1: (224 + 1 - 3) / 2 + 1 = 112). 112²·3·3·3·32.
        {"Conv1", {32, 112, 112}, 1, 10838016},
        // 112, F 3, s 1: 110 (no padding). 110²·3·3·1·1 = 108,900.
        {"Conv2_dw", {1, 110, 110}, 0, 108900},
        {"Conv3", {64, 112, 112}, 0, 25690112}, // 112²·32·64
        // 112, F 3, s 2: ceil(111 / 2) = 56 (floor rule: 55). 56²·9 = 28,224.
        {"Conv4_dw", {1, 56, 56}, 1, 28224},
        {"Conv5", {128, 56, 56}, 0, 25690112}, // 56²·64·128
        {"Conv6_dw", {1, 54, 54}, 0, 26244},   // 54²·9
        {"Conv7", {128, 56, 56}, 0, 51380224}, // 56²·128·128
        // 56, F 3, s 2: ceil(55 / 2) = 28 (floor rule: 27). 28²·9 = 7,056.
        {"Conv8_dw", {1, 28, 28}, 1, 7056},
        {"Conv9", {256, 28, 28}, 0, 25690112},  // 28²·128·256
        {"Conv10_dw", {1, 26, 26}, 0, 6084},    // 26²·9
        {"Conv11", {256, 28, 28}, 0, 51380224}, // 28²·256·256
        // 28, F 3, s 2: ceil(27 / 2) = 14 (floor rule: 13). 14²·9 = 1,764.
        {"Conv12_dw", {1, 14, 14}, 1, 1764},
        {"Conv13", {512, 14, 14}, 0, 25690112},   // 14²·256·512
        {"Conv14_dw_0", {1, 12, 12}, 0, 1296},    // 12²·9
        {"Conv15_0", {512, 14, 14}, 0, 51380224}, // 14²·512·512
        {"Conv14_dw_1", {1, 12, 12}, 0, 1296},
        {"Conv15_1", {512, 14, 14}, 0, 51380224},
        {"Conv14_dw_2", {1, 12, 12}, 0, 1296},
        {"Conv15_2", {512, 14, 14}, 0, 51380224},
        {"Conv14_dw_3", {1, 12, 12}, 0, 1296},
        {"Conv15_3", {512, 14, 14}, 0, 51380224},
        {"Conv14_dw_4", {1, 12, 12}, 0, 1296},
        {"Conv15_4", {512, 14, 14}, 0, 51380224},
        // 14, F 3, s 2: ceil(13 / 2) = 7 (floor rule: 6). 7²·9 = 441.
        {"Conv16_dw", {1, 7, 7}, 1, 441},
        {"Conv17", {1024, 7, 7}, 0, 25690112}, // 7²·512·1024
        // 7, F 3, s 2: (7 - 3) % 2 = 0, so ceil(6 / 2) = 3 = the floor rule, no padding. 3²·9.
        {"Conv18_dw", {1, 3, 3}, 0, 81},
        {"Conv19", {1024, 7, 7}, 0, 51380224}, // 7²·1024·1024
        {"FC", {1000, 1, 1}, 0, 1024000},      // 1·1·1024·1000
    };
    std::int64_t total = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto &w = want[i];
        const op &o = g.ops[i];
        INFO(w.name);
        CHECK(o.name == w.name);
        CHECK(o.type == "conv2d");
        CHECK(o.attr_int("groups", 0) == 1); // "_dw" rows are dense 1-channel, 1-filter convs
        CHECK(g.tensors[o.outputs[0]].shape == w.out);
        CHECK(o.attr_ints("pad", {}) == shape_t{0, 0, w.pad_b, w.pad_b});
        CHECK(g.op_macs(o) == w.macs);
        CHECK(g.tensors[o.inputs[0]].name == std::string(w.name) + ".ifmap");
        CHECK(g.tensors[o.inputs[1]].name == std::string(w.name) + ".w");
        CHECK(g.tensors[o.inputs[1]].constant);
        total += w.macs;
    }
    // Dense 1x1 layers: Conv3, 5, 9, 13, 17 at 25,690,112 (5: 128,450,560) and Conv7, 11,
    // 15_0..15_4, 19 at 51,380,224 (8: 411,041,792); Conv1 10,838,016; FC 1,024,000: together
    // 551,354,368. The 1-channel "_dw" layers: 108,900 + 28,224 + 26,244 + 7,056 + 6,084 + 1,764
    // + 5·1,296 + 441 + 81 = 185,274. Total 551,539,642.
    CHECK(total == 551539642);
    CHECK(g.total_macs() == 551539642);
    // Input Conv1: [3,224,224]; weights Conv1: [32,3,3,3].
    CHECK(g.tensors[g.ops[0].inputs[0]].shape == shape_t{3, 224, 224});
    CHECK(g.tensors[g.ops[0].inputs[1]].shape == shape_t{32, 3, 3, 3});
}

TEST_CASE("scalesim: the compiler gives the MAC array SCALE-Sim's GEMM of every conv layer",
          "[workloads][scalesim]") {
    // SCALE-Sim's GEMM view of a conv layer: M = ofmap pixels, K = filter_h·filter_w·channels,
    // N = num_filter.
    graph g = build_workload("scalesim:" + data_file("mobilenet.csv"));
    auto uses = gemm_uses(g, ops::chip_desc{});
    check_gemm(uses["Conv1"], 112 * 112, 3 * 3 * 3, 32);
    check_gemm(uses["Conv2_dw"], 110 * 110, 3 * 3 * 1, 1);
    check_gemm(uses["Conv4_dw"], 56 * 56, 3 * 3 * 1, 1);
    check_gemm(uses["Conv3"], 112 * 112, 32, 64);
    check_gemm(uses["Conv19"], 7 * 7, 1024, 1024);
    check_gemm(uses["FC"], 1, 1024, 1000);
    std::uint64_t all = 0;
    for (const auto &[name, u] : uses)
        all += u.macs;
    CHECK(all == 551539642); // every MAC of the file runs on the MAC array
}

TEST_CASE("scalesim: a DP row is one depthwise conv2d with the MACs of SCALE-Sim's expansion",
          "[workloads][scalesim]") {
    // SCALE-Sim expands "Conv2_DP" into 32 layers "Conv2_DPChannel_i", each with channels = 1 and
    // the row's num_filter (1): 32 · 110²·3·3·1·1 = 32 · 108,900 = 3,484,800 MACs.
    graph g = parse(conv_header + "Conv2_DP, 112, 112, 3, 3, 32, 1, 1,\n"
                                  // num_filter 2: each of the 16 channel layers has 2 filters:
                                  // 16 · 54²·3·3·1·2 = 16 · 52,488 = 839,808.
                                  "Conv6_DP, 56, 56, 3, 3, 16, 2, 1,\n"
                                  // channels 1: one layer, an ordinary 1-channel conv.
                                  "One_DP, 8, 8, 3, 3, 1, 1, 1,\n");
    REQUIRE(g.ops.size() == 3);
    const op &dw = g.ops[0];
    CHECK(dw.type == "conv2d");
    CHECK(dw.attr_int("groups", 0) == 32);
    CHECK(g.tensors[dw.inputs[0]].shape == shape_t{32, 112, 112});
    CHECK(g.tensors[dw.inputs[1]].shape == shape_t{32, 1, 3, 3});
    CHECK(g.tensors[dw.outputs[0]].shape == shape_t{32, 110, 110});
    CHECK(g.op_macs(dw) == 3484800);

    const op &dm = g.ops[1]; // depth multiplier 2: Cout = 16·2 = 32, groups 16
    CHECK(dm.attr_int("groups", 0) == 16);
    CHECK(g.tensors[dm.inputs[1]].shape == shape_t{32, 1, 3, 3});
    CHECK(g.tensors[dm.outputs[0]].shape == shape_t{32, 54, 54});
    CHECK(g.op_macs(dm) == 839808);

    CHECK(g.ops[2].attr_int("groups", 0) == 1);
    CHECK(g.op_macs(g.ops[2]) == 6 * 6 * 9); // 36·9 = 324

    // The compiler: by default (compiler.depthwise = vector_unit) the depthwise layer runs on the
    // vector unit with all its MACs; on the MAC array it is SCALE-Sim's per-channel GEMMs
    // (m = 110² pixels, k = 3·3·1, n = 1, repeated for the 32 channels), and the multiplier-2
    // layer 16 GEMMs of n = 2.
    auto vec = gemm_uses(g, ops::chip_desc{});
    CHECK(vec["Conv2_DP"].vector_macs == 3484800);
    ops::chip_desc on_array;
    on_array.compiler.depthwise = ops::depthwise_policy::mac_array;
    auto arr = gemm_uses(g, on_array);
    check_gemm(arr["Conv2_DP"], 110 * 110, 9, 1, 32);
    check_gemm(arr["Conv6_DP"], 54 * 54, 9, 2, 16);
}

TEST_CASE("scalesim: GEMM form: linear layers with the MAC array's m = M, k = K, n = N",
          "[workloads][scalesim]") {
    graph g = build_workload("scalesim:" + data_file("gemm.csv"));
    CHECK(g.name == "scalesim:gemm.csv");
    REQUIRE(g.ops.size() == 4);
    struct expect {
        const char *name;
        std::int64_t m, n, k;
    };
    // SCALE-Sim: the conv entry [ifmap M x K, filter 1 x K, 1 channel, N filters, stride 1]:
    // ofmap M x ceil((K - K + 1) / 1) = M x 1, MACs M·1·1·K·1·N = M·N·K.
    const std::vector<expect> want = {{"Test_1", 256, 128, 256},    // 8,388,608
                                      {"QKV_proj", 128, 2304, 768}, // 226,492,416
                                      {"FFN_down", 128, 768, 3072}, // 301,989,888
                                      {"GEMV", 1, 1000, 1024}};     // 1,024,000
    auto uses = gemm_uses(g, ops::chip_desc{});
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto &w = want[i];
        const op &o = g.ops[i];
        INFO(w.name);
        CHECK(o.name == w.name); // "Test 1" -> "Test_1": whitespace becomes '_'
        CHECK(o.type == "linear");
        CHECK(g.tensors[o.inputs[0]].shape == shape_t{w.m, w.k});
        CHECK(g.tensors[o.inputs[1]].shape == shape_t{w.n, w.k});
        CHECK(g.tensors[o.outputs[0]].shape == shape_t{w.m, w.n});
        CHECK(g.op_macs(o) == w.m * w.n * w.k);
        check_gemm(uses[w.name], w.m, w.k, w.n);
    }
    CHECK(g.total_macs() == 8388608 + 226492416 + 301989888 + 1024000);

    // Rows of three values make the GEMM form whatever the header says.
    graph h = parse("anything\nG, 4, 5, 6,\n");
    REQUIRE(h.ops.size() == 1);
    CHECK(h.ops[0].type == "linear");
    CHECK(h.op_macs(h.ops[0]) == 4 * 5 * 6);
    // A header "m, n, k" in any case names the GEMM form.
    CHECK(parse("Layer, m, N, k\nG, 4, 5, 6\n").ops[0].type == "linear");
}

TEST_CASE("scalesim: conv rows: strides, trailing comma, comments, tabs, CRLF and blank lines",
          "[workloads][scalesim]") {
    graph g = parse(conv_header +          // line 1
                    "\n" +                 // line 2: blank
                    "# a comment line\n" + // line 3
                    "\tA, 9, 9, 3, 3, 2, 4, 2,   # text after '#' is a comment\r\n" + // line 4
                    "B, 9, 10, 3, 2, 2, 4, 2, 3,\r\n" +                               // line 5
                    "C, 9, 9, 3, 3, 2, 4, 2\n" +    // line 6: no trailing comma, kept
                    "D, 9, 9, 3, 3, 2, 4, 2, 1\n" + // line 7: 9 fields, no trailing comma
                    "   \n");
    REQUIRE(g.ops.size() == 4);
    // A: one stride, both axes: ceil((9 - 3 + 2) / 2) = 4 (floor rule: 4 too, (9-3)%2 = 0).
    CHECK(g.ops[0].attr_ints("stride", {}) == shape_t{2, 2});
    CHECK(g.tensors[g.ops[0].outputs[0]].shape == shape_t{4, 4, 4});
    CHECK(g.op_macs(g.ops[0]) == 4 * 4 * 3 * 3 * 2 * 4); // 1,152
    // B: strides 2 (h) and 3 (w): h ceil(8 / 2) = 4; w (10 - 2) % 3 = 2, ceil((10 - 2 + 3) / 3)
    // = ceil(11 / 3) = 4 (floor rule 3), pad_r = 3 - 2 = 1.
    CHECK(g.ops[1].attr_ints("stride", {}) == shape_t{2, 3});
    CHECK(g.ops[1].attr_ints("pad", {}) == shape_t{0, 0, 0, 1});
    CHECK(g.tensors[g.ops[1].outputs[0]].shape == shape_t{4, 4, 4});
    CHECK(g.op_macs(g.ops[1]) == 4 * 4 * 3 * 2 * 2 * 4); // 768
    CHECK(g.ops[2].attr_ints("stride", {}) == shape_t{2, 2});
    CHECK(g.ops[3].attr_ints("stride", {}) == shape_t{2, 1});
    // D: stride_w 1: 9 - 3 + 1 = 7.
    CHECK(g.tensors[g.ops[3].outputs[0]].shape == shape_t{4, 4, 7});

    // A stride larger than the filter: 10, F 1, s 4: ceil((10 - 1 + 4) / 4) = ceil(13 / 4) = 4
    // outputs; pad_b = 4 - 9 % 4 = 3, so the last window lies in the padding (SCALE-Sim counts
    // it). MACs 4·4·1·1·1·1 = 16. The compiler accepts it.
    graph s = parse(conv_header + "S, 10, 10, 1, 1, 1, 1, 4,\n");
    CHECK(s.tensors[s.ops[0].outputs[0]].shape == shape_t{1, 4, 4});
    CHECK(s.ops[0].attr_ints("pad", {}) == shape_t{0, 0, 3, 3});
    CHECK(s.total_macs() == 16);
    auto uses = gemm_uses(s, ops::chip_desc{});
    check_gemm(uses["S"], 16, 1, 1);
}

TEST_CASE("scalesim: layer names are sanitised and made unique", "[workloads][scalesim]") {
    graph g = parse(conv_header + "A, 4, 4, 1, 1, 1, 1, 1,\n"       // A
                                  "A, 4, 4, 1, 1, 1, 1, 1,\n"       // A_2
                                  "A, 4, 4, 1, 1, 1, 1, 1,\n"       // A_3
                                  ", 4, 4, 1, 1, 1, 1, 1,\n"        // layer3 (the fourth layer)
                                  "A.w, 4, 4, 1, 1, 1, 1, 1,\n"     // A's weight is "A.w": A.w_2
                                  "my conv, 4, 4, 1, 1, 1, 1, 1,\n" // my_conv
                                  "A_2, 4, 4, 1, 1, 1, 1, 1,\n");   // taken by the second A: A_2_2
    std::vector<std::string> names;
    for (const auto &o : g.ops)
        names.push_back(o.name);
    CHECK(names ==
          std::vector<std::string>{"A", "A_2", "A_3", "layer3", "A.w_2", "my_conv", "A_2_2"});
    CHECK(g.tensors[g.ops[4].inputs[1]].name == "A.w_2.w");

    // Names reach the JSON report and trace, which are UTF-8: a byte that is not part of a
    // well-formed UTF-8 sequence becomes '_' (a Latin-1 "ü" = 0xfc, a UTF-16 surrogate encoded
    // as 0xed 0xa0 0x80), well-formed UTF-8 is kept; the same for the file name in the graph name.
    graph u = parse_scalesim_topology(conv_header + "K\xfcrbis, 4, 4, 1, 1, 1, 1, 1,\n"
                                                    "Gr\xc3\xb6\xc3\x9f"
                                                    "e, 4, 4, 1, 1, 1, 1, 1,\n"
                                                    "S\xed\xa0\x80, 4, 4, 1, 1, 1, 1, 1,\n",
                                      "dir/n\xff.csv");
    CHECK(u.name == "scalesim:n_.csv");
    CHECK(u.ops[0].name == "K_rbis");
    CHECK(u.ops[1].name == "Gr\xc3\xb6\xc3\x9f"
                           "e");
    CHECK(u.ops[2].name == "S___");
    CHECK_NOTHROW(trace_text(u));
}

TEST_CASE("scalesim: every bad input is an input_error naming the file and the line",
          "[workloads][scalesim][bad-input]") {
    const std::string ok = "A, 8, 8, 3, 3, 2, 4, 1,\n";
    expect_error("", "line 1", "empty file");
    expect_error(" \n\n", "line 1", "empty file");
    expect_error(conv_header, "line 2", "no layer rows");
    expect_error(conv_header + "\n# only a comment\n", "line 2", "no layer rows");
    // Field counts (the name is a field).
    expect_error(conv_header + ok + "B, 8, 8, 3, 3, 2,\n", "line 3",
                 "expected 8 or 9 fields: name, ifmap_h, ifmap_w, filter_h, filter_w, channels, "
                 "num_filter, stride_h[, stride_w] (conv form), got 6");
    expect_error(conv_header + "B, 8, 8, 3, 3, 2, 4, 1, 1, 1,\n", "line 2", "got 10");
    expect_error(conv_header + "B,\n", "line 2", "got 1");
    expect_error("Layer Name, M, N, K,\nG, 8, 8, 3, 3, 2, 4, 1,\n", "line 2",
                 "expected 4 fields: name, M, N, K (GEMM form: the header on line 1 names M, N, "
                 "K), got 8");
    expect_error("x\n\nG, 4, 5, 6,\n" + ok, "line 4",
                 "(GEMM form: line 3, the first row, has 3 values), got 8");
    // Values, each named by its column.
    expect_error(conv_header + "B, 8, 8, 3.5, 3, 2, 4, 1,\n", "line 2, filter_h",
                 "expected a positive integer, got \"3.5\"");
    expect_error(conv_header + "B, 8, , 3, 3, 2, 4, 1,\n", "line 2, ifmap_w",
                 "expected a positive integer, got \"\"");
    expect_error(conv_header + "B, 8, 8, 3, 3, two, 4, 1,\n", "line 2, channels",
                 "expected a positive integer, got \"two\"");
    expect_error(conv_header + "B, 8, 8, 3, 3, 2, 0, 1,\n", "line 2, num_filter",
                 "expected a positive integer, got 0");
    expect_error(conv_header + "B, 8, 8, 3, 3, 2, 4, -1,\n", "line 2, stride_h",
                 "expected a positive integer, got -1");
    expect_error(conv_header + "B, 8, 8, 3, 3, 2, 4, 1, 0,\n", "line 2, stride_w",
                 "expected a positive integer, got 0");
    expect_error("Layer Name, M, N, K,\nG, 4, x, 6,\n", "line 2, N", "expected a positive integer");
    expect_error(conv_header + "B, 1048577, 8, 3, 3, 2, 4, 1,\n", "line 2, ifmap_h",
                 "expected at most 1048576 (2^20), got \"1048577\"");
    expect_error(conv_header + "B, 99999999999999999999999999, 8, 3, 3, 2, 4, 1,\n",
                 "line 2, ifmap_h", "expected at most 1048576");
    expect_error("Layer Name, M, N, K,\nG, 4, 5, 2000000,\n", "line 2, K", "at most 1048576");
    // SCALE-Sim's assertions: no padding, so the filter must fit the ifmap.
    expect_error(conv_header + ok + "B, 2, 8, 3, 3, 2, 4, 1,\n", "line 3, filter_h",
                 "filter height 3 is larger than ifmap_h 2");
    expect_error(conv_header + "B, 8, 2, 3, 3, 2, 4, 1,\n", "line 2, filter_w",
                 "filter width 3 is larger than ifmap_w 2");
    // Sizes: every tensor at most 2^32 elements, the file at most 2^53 MACs.
    expect_error(conv_header + "B, 1048576, 1048576, 1, 1, 1, 1, 1,\n", "line 2",
                 "the ifmap tensor [1,1048576,1048576] has more than 2^32");
    expect_error(conv_header + "B, 1, 1, 1, 1, 1048576, 1048576, 1,\n", "line 2",
                 "the weight tensor [1048576,1048576,1,1] has more than 2^32");
    expect_error(conv_header + "B_DP, 1, 1, 1, 1, 1048576, 1048576, 1,\n", "line 2",
                 "the weight tensor");
    expect_error("Layer Name, M, N, K,\nG, 1048576, 1048576, 1,\n", "line 2",
                 "the output tensor [1048576,1048576] has more than 2^32");
    // 65536², F 32768, 1 channel, 1 filter: 32769² outputs · 32768² = about 2^60 MACs.
    expect_error(conv_header + ok + "Big, 65536, 65536, 32768, 32768, 1, 1, 1,\n", "line 3",
                 "more than 2^53");
}

TEST_CASE("scalesim: files and specs that cannot be read", "[workloads][scalesim][bad-input]") {
    const std::string missing = (temp_dir() / "no-such.csv").string();
    try {
        build_workload("scalesim:" + missing);
        FAIL("accepted a missing file");
    } catch (const sim::input_error &e) {
        CHECK(e.file() == missing);
        CHECK(std::string(e.what()).find("cannot read file") != std::string::npos);
    }
    try {
        build_workload("scalesim:" + temp_dir().string());
        FAIL("accepted a directory");
    } catch (const sim::input_error &e) {
        CHECK(e.file() == temp_dir().string());
        CHECK(std::string(e.what()).find("is a directory") != std::string::npos);
    }
    // A file with a bad row names the path as given.
    const auto bad = temp_dir() / "bad.csv";
    std::ofstream(bad, std::ios::binary) << conv_header << "A, 8, 8, 9, 3, 2, 4, 1,\n";
    try {
        build_workload("scalesim:" + bad.string());
        FAIL("accepted a filter larger than the ifmap");
    } catch (const sim::input_error &e) {
        CHECK(e.file() == bad.string());
        CHECK(e.json_path() == "line 2, filter_h");
    }
    wltest::expect_spec_error("scalesim:", "scalesim", "got no path");
    wltest::expect_spec_error("scalesim", "scalesim", "expected scalesim:FILE");
    wltest::expect_spec_error("net.csv", "net.csv", "given as scalesim:net.csv");
    wltest::expect_spec_error("topologies/net.csv", "topologies/net.csv",
                              "given as scalesim:topologies/net.csv");
}

TEST_CASE("scalesim: trace round trip keeps every operator and MAC", "[workloads][scalesim]") {
    for (const char *file : {"mobilenet.csv", "gemm.csv"}) {
        INFO(file);
        graph g = build_workload(std::string("scalesim:") + data_file(file));
        const std::string text = trace_text(g);
        graph back = parse_trace_text(text, "t.json");
        CHECK(back.name == g.name);
        REQUIRE(back.ops.size() == g.ops.size());
        for (std::size_t i = 0; i < g.ops.size(); ++i) {
            CHECK(back.ops[i].name == g.ops[i].name);
            CHECK(back.ops[i].type == g.ops[i].type);
            CHECK(back.ops[i].attrs == g.ops[i].attrs);
            CHECK(back.op_macs(back.ops[i]) == g.op_macs(g.ops[i]));
        }
        CHECK(back.total_macs() == g.total_macs());
        CHECK(back.total_params() == g.total_params());
        CHECK(trace_text(back) == text);
    }
}
