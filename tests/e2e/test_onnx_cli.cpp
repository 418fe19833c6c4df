// qcsim run / trace with --workload FILE.onnx: models built here with the ONNX C++ API and
// written to the test's scratch directory; MACs derived by hand in comments.

#include "e2e_common.h"

#include <onnx/onnx_pb.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using e2e::qcsim;
using e2e::scratch_dir;
using e2e::slurp;

void add_weight(onnx::GraphProto *g, const std::string &name, const std::vector<int> &dims) {
    auto *t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    std::size_t n = 1;
    for (int d : dims)
        t->add_dims(d), n *= std::size_t(d);
    t->set_raw_data(std::string(n * 4, '\0'));
}

onnx::NodeProto *add_node(onnx::GraphProto *g, const std::string &type,
                          const std::vector<std::string> &in, const std::string &out) {
    auto *n = g->add_node();
    n->set_op_type(type);
    n->set_name(out);
    for (const auto &i : in)
        n->add_input(i);
    n->add_output(out);
    return n;
}

/// A model whose graph has one input "x" of shape [batch, dims...] (batch symbolic).
onnx::ModelProto model_with_input(std::initializer_list<int> dims) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto *x = m.mutable_graph()->add_input();
    x->set_name("x");
    auto *tt = x->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_param("batch");
    for (int d : dims)
        tt->mutable_shape()->add_dim()->set_dim_value(d);
    return m;
}

/// x [batch,3,16,16] -> Conv 3->8 3x3 pad 1 -> Relu -> GlobalAveragePool -> Flatten -> Gemm
/// 8->10, plus `extra` unsupported nodes after the Gemm.
fs::path write_model(const std::string &file, const std::vector<std::string> &extra = {}) {
    onnx::ModelProto m = model_with_input({3, 16, 16});
    auto *g = m.mutable_graph();
    add_weight(g, "conv.w", {8, 3, 3, 3});
    add_weight(g, "fc.w", {10, 8});
    add_weight(g, "fc.b", {10});
    auto *c = add_node(g, "Conv", {"x", "conv.w"}, "conv");
    auto *a = c->add_attribute();
    a->set_name("pads");
    a->set_type(onnx::AttributeProto::INTS);
    for (int p : {1, 1, 1, 1})
        a->add_ints(p);
    add_node(g, "Relu", {"conv"}, "relu");
    add_node(g, "GlobalAveragePool", {"relu"}, "pool");
    add_node(g, "Flatten", {"pool"}, "flat");
    auto *f = add_node(g, "Gemm", {"flat", "fc.w", "fc.b"}, "fc");
    auto *tb = f->add_attribute();
    tb->set_name("transB");
    tb->set_type(onnx::AttributeProto::INT);
    tb->set_i(1);
    std::string last = "fc";
    for (const auto &type : extra) {
        const std::string name = "x_" + type + "_" + std::to_string(g->node_size());
        add_node(g, type, {last}, name);
        last = name;
    }
    g->add_output()->set_name(last);
    const fs::path p = scratch_dir() / file;
    std::ofstream(p, std::ios::binary) << m.SerializeAsString();
    return p;
}

/// A squeeze-and-excitation block: x [batch,16,8,8] -> GlobalAveragePool -> Conv 16->4 1x1 ->
/// Relu -> Conv 4->16 1x1 -> HardSigmoid -> Mul with x (a [16,1,1] gate broadcast over x).
fs::path write_se_model(const std::string &file) {
    onnx::ModelProto m = model_with_input({16, 8, 8});
    auto *g = m.mutable_graph();
    add_weight(g, "w1", {4, 16, 1, 1});
    add_weight(g, "b1", {4});
    add_weight(g, "w2", {16, 4, 1, 1});
    add_weight(g, "b2", {16});
    add_node(g, "GlobalAveragePool", {"x"}, "pool");
    add_node(g, "Conv", {"pool", "w1", "b1"}, "squeeze");
    add_node(g, "Relu", {"squeeze"}, "relu");
    add_node(g, "Conv", {"relu", "w2", "b2"}, "excite");
    add_node(g, "HardSigmoid", {"excite"}, "gate");
    add_node(g, "Mul", {"x", "gate"}, "scale");
    g->add_output()->set_name("scale");
    const fs::path p = scratch_dir() / file;
    std::ofstream(p, std::ios::binary) << m.SerializeAsString();
    return p;
}

} // namespace

TEST_CASE("onnx: a squeeze-and-excitation block (broadcast Mul) runs, deterministically",
          "[e2e][onnx][broadcast]") {
    const fs::path p = write_se_model("se.onnx");
    const fs::path j = scratch_dir() / "se-report.json", j2 = scratch_dir() / "se-report2.json";
    auto r = qcsim("run --quiet --workload \"" + p.string() + "\" --json \"" + j.string() + "\"");
    INFO(r.err);
    REQUIRE(r.status == 0);
    json rep = json::parse(slurp(j));
    // MACs: squeeze 16·4 + excite 4·16 = 128 (1x1 convs over one pixel); the mul has none.
    CHECK(rep["workload"]["macs"].get<std::int64_t>() == 128);
    int muls = 0;
    for (const auto &o : rep["ops"])
        if (o["type"] == "mul") {
            ++muls;
            CHECK(o["shapes"] == "16x8x8, 16x1x1 -> 16x8x8");
            CHECK(o["macs"].get<std::int64_t>() == 0);
            CHECK(o["vector_busy_cycles"].get<std::int64_t>() > 0);
        }
    CHECK(muls == 1);
    REQUIRE(qcsim("run --quiet --workload \"" + p.string() + "\" --json \"" + j2.string() + "\"")
                .status == 0);
    CHECK(slurp(j) == slurp(j2));
}

TEST_CASE("onnx: a linear Resize runs as one vector-unit resize, deterministically",
          "[e2e][onnx][resize]") {
    // x [batch,8,4,4] -> Resize (linear, scales 1,1,2,2) -> [8,8,8].
    onnx::ModelProto m = model_with_input({8, 4, 4});
    auto *g = m.mutable_graph();
    auto *sc = g->add_initializer();
    sc->set_name("scales");
    sc->set_data_type(onnx::TensorProto::FLOAT);
    sc->add_dims(4);
    for (float v : {1.f, 1.f, 2.f, 2.f})
        sc->add_float_data(v);
    auto *n = add_node(g, "Resize", {"x", "", "scales"}, "up");
    auto *a = n->add_attribute();
    a->set_name("mode");
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s("linear");
    g->add_output()->set_name("up");
    const fs::path p = scratch_dir() / "resize.onnx";
    std::ofstream(p, std::ios::binary) << m.SerializeAsString();
    const fs::path j = scratch_dir() / "resize-report.json",
                   j2 = scratch_dir() / "resize-report2.json";
    auto r = qcsim("run --quiet --workload \"" + p.string() + "\" --json \"" + j.string() + "\"");
    INFO(r.err);
    REQUIRE(r.status == 0);
    json rep = json::parse(slurp(j));
    CHECK(rep["workload"]["macs"].get<std::int64_t>() == 0);
    REQUIRE(rep["ops"].size() == 1);
    const auto &o = rep["ops"][0];
    CHECK(o["type"] == "resize");
    CHECK(o["shapes"] == "8x4x4 -> 8x8x8");
    CHECK(o["vector_busy_cycles"].get<std::int64_t>() > 0);
    CHECK(o["mac_busy_cycles"].get<std::int64_t>() == 0);
    // Every input byte (8·4·4 = 128) is read and every output byte (8·8·8 = 512) written at
    // least once (cores that split the rows share a boundary row: lower bounds).
    CHECK(o["dram_bytes_read"].get<std::int64_t>() >= 128);
    CHECK(o["dram_bytes_written"].get<std::int64_t>() >= 512);
    REQUIRE(qcsim("run --quiet --workload \"" + p.string() + "\" --json \"" + j2.string() + "\"")
                .status == 0);
    CHECK(slurp(j) == slurp(j2));
}

namespace {

void ints_attr(onnx::NodeProto *n, const std::string &name, std::initializer_list<int> v) {
    auto *a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int x : v)
        a->add_ints(x);
}

/// x [batch,8,8,8] -> Conv 8->8 3x3 dilation 2 pads 2 -> ConvTranspose 8->4 3x3 stride 2 pads 1
/// output_padding `op` -> [4, 16, 16] (with op = 1: (8-1)·2 + 3 - 2 + 1 = 16).
fs::path write_decoder(const std::string &file, int op) {
    onnx::ModelProto m = model_with_input({8, 8, 8});
    auto *g = m.mutable_graph();
    add_weight(g, "wd", {8, 8, 3, 3});
    add_weight(g, "wt", {8, 4, 3, 3});
    auto *c = add_node(g, "Conv", {"x", "wd"}, "atrous");
    ints_attr(c, "dilations", {2, 2});
    ints_attr(c, "pads", {2, 2, 2, 2});
    auto *t = add_node(g, "ConvTranspose", {"atrous", "wt"}, "up");
    ints_attr(t, "strides", {2, 2});
    ints_attr(t, "pads", {1, 1, 1, 1});
    ints_attr(t, "output_padding", {op, op});
    g->add_output()->set_name("up");
    const fs::path p = scratch_dir() / file;
    std::ofstream(p, std::ios::binary) << m.SerializeAsString();
    return p;
}

} // namespace

TEST_CASE("onnx: a dilated Conv and an overlapping ConvTranspose run; a bad output_padding exits "
          "2 naming the node",
          "[e2e][onnx][bad-input]") {
    const fs::path p = write_decoder("decoder.onnx", 1);
    const fs::path j = scratch_dir() / "decoder-report.json";
    auto r = qcsim("run --quiet --workload \"" + p.string() + "\" --json \"" + j.string() + "\"");
    INFO(r.err);
    REQUIRE(r.status == 0);
    json rep = json::parse(slurp(j));
    // Dilated conv: 8·8 outputs · 8 · 8·9 = 36,864; ConvTranspose: 8·8 inputs · 8 · 4·9 = 18,432.
    CHECK(rep["workload"]["macs"].get<std::int64_t>() == 36864 + 18432);
    REQUIRE(rep["ops"].size() == 2);
    CHECK(rep["ops"][0]["type"] == "conv2d");
    CHECK(rep["ops"][1]["type"] == "conv_transpose2d");
    CHECK(rep["ops"][1]["shapes"] == "8x8x8 -> 4x16x16");
    // output_padding 2 = stride: refused, nothing written.
    const fs::path bad = write_decoder("decoder-bad.onnx", 2);
    const fs::path jb = scratch_dir() / "decoder-bad-report.json";
    auto b =
        qcsim("run --quiet --workload \"" + bad.string() + "\" --json \"" + jb.string() + "\"");
    CHECK(b.status == 2);
    CHECK(b.err.find("ConvTranspose (node \"up\")") != std::string::npos);
    CHECK(b.err.find("output_padding") != std::string::npos);
    CHECK(!fs::exists(jb));
}

namespace {

/// x [batch,8,8,8] -> Resize (mode, scales 1,1,0.5,0.75) "down" -> [8,4,6]; a [batch,8,1,1]
/// input "g" and the [batch,1,4,6] input "m" give Mul(Add(down, m), g)... as two-sided:
/// "outer" = Add(g, m) -> [8,4,6] (both broadcast), "y" = Mul(down, outer).
fs::path write_resize_bcast(const std::string &file, const std::string &mode) {
    onnx::ModelProto m = model_with_input({8, 8, 8});
    auto *g = m.mutable_graph();
    for (auto [name, c, h, w] : {std::tuple{"g", 8, 1, 1}, std::tuple{"m", 1, 4, 6}}) {
        auto *x = g->add_input();
        x->set_name(name);
        auto *tt = x->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(onnx::TensorProto::FLOAT);
        for (int d : {1, c, h, w})
            tt->mutable_shape()->add_dim()->set_dim_value(d);
    }
    auto *sc = g->add_initializer();
    sc->set_name("scales");
    sc->set_data_type(onnx::TensorProto::FLOAT);
    sc->add_dims(4);
    for (float v : {1.f, 1.f, 0.5f, 0.75f})
        sc->add_float_data(v);
    auto *n = add_node(g, "Resize", {"x", "", "scales"}, "down");
    auto *a = n->add_attribute();
    a->set_name("mode");
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(mode);
    add_node(g, "Add", {"g", "m"}, "outer");
    add_node(g, "Mul", {"down", "outer"}, "y");
    g->add_output()->set_name("y");
    const fs::path p = scratch_dir() / file;
    std::ofstream(p, std::ios::binary) << m.SerializeAsString();
    return p;
}

} // namespace

TEST_CASE("onnx: a cubic downscaling Resize and a two-sided broadcast run; a bad Resize mode "
          "exits 2 naming the node",
          "[e2e][onnx][resize][broadcast][bad-input]") {
    const fs::path p = write_resize_bcast("resize-down.onnx", "cubic");
    const fs::path j = scratch_dir() / "resize-down-report.json";
    auto r = qcsim("run --quiet --workload \"" + p.string() + "\" --json \"" + j.string() + "\"");
    INFO(r.err);
    REQUIRE(r.status == 0);
    json rep = json::parse(slurp(j));
    REQUIRE(rep["ops"].size() == 3);
    const auto &rs = rep["ops"][0];
    CHECK(rs["type"] == "resize");
    CHECK(rs["shapes"] == "8x8x8 -> 8x4x6");
    CHECK(rs["vector_busy_cycles"].get<std::int64_t>() > 0);
    CHECK(rs["mac_busy_cycles"].get<std::int64_t>() == 0);
    // outer: [8,1,1] + [1,4,6] -> [8,4,6] (both broadcast), then y = down · outer.
    CHECK(rep["ops"][1]["type"] == "add");
    CHECK(rep["ops"][1]["shapes"] == "8x1x1, 1x4x6 -> 8x4x6");
    CHECK(rep["ops"][2]["type"] == "mul");
    CHECK(rep["ops"][2]["shapes"] == "8x4x6, 8x4x6 -> 8x4x6");
    const fs::path bad = write_resize_bcast("resize-bad.onnx", "area");
    const fs::path jb = scratch_dir() / "resize-bad-report.json";
    auto b =
        qcsim("run --quiet --workload \"" + bad.string() + "\" --json \"" + jb.string() + "\"");
    CHECK(b.status == 2);
    CHECK(b.err.find("Resize (node \"down\")") != std::string::npos);
    CHECK(b.err.find("mode \"area\"") != std::string::npos);
    CHECK(!fs::exists(jb));
}

TEST_CASE("onnx: a channel shuffle (5-D Transpose) and a reflect Pad run as transpose and pad, "
          "moving every byte once, deterministically",
          "[e2e][onnx][transpose][pad]") {
    // x [batch,8,4,4] -> Reshape [1,2,4,4,4] -> Transpose (0,2,1,3,4) -> Reshape [1,8,4,4] ->
    // Pad reflect 1 on each side of H and W -> [1,8,6,6] (the output). The shuffle is the
    // graph's transpose [2,4,16] -> [4,2,16]: 8·4·4 = 128 bytes read and 128 written (its
    // output is read through a reshape, so it goes through DRAM); the pad reads the 128 and
    // writes 8·6·6 = 288, the network output. No MACs.
    onnx::ModelProto m = model_with_input({8, 4, 4});
    auto *g = m.mutable_graph();
    auto ints = [&](const std::string &name, const std::vector<std::int64_t> &v) {
        auto *t = g->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::INT64);
        t->add_dims(std::int64_t(v.size()));
        for (auto x : v)
            t->add_int64_data(x);
    };
    ints("s5", {1, 2, 4, 4, 4});
    ints("s4", {1, 8, 4, 4});
    ints("pads", {0, 0, 1, 1, 0, 0, 1, 1});
    add_node(g, "Reshape", {"x", "s5"}, "r5");
    auto *t = add_node(g, "Transpose", {"r5"}, "shuffle");
    auto *perm = t->add_attribute();
    perm->set_name("perm");
    perm->set_type(onnx::AttributeProto::INTS);
    for (int a : {0, 2, 1, 3, 4})
        perm->add_ints(a);
    add_node(g, "Reshape", {"shuffle", "s4"}, "r4");
    auto *pd = add_node(g, "Pad", {"r4", "pads"}, "pad");
    auto *mode = pd->add_attribute();
    mode->set_name("mode");
    mode->set_type(onnx::AttributeProto::STRING);
    mode->set_s("reflect");
    g->add_output()->set_name("pad");
    const fs::path p = scratch_dir() / "shuffle.onnx";
    std::ofstream(p, std::ios::binary) << m.SerializeAsString();
    const fs::path j = scratch_dir() / "shuffle-report.json",
                   j2 = scratch_dir() / "shuffle-report2.json";
    auto r = qcsim("run --quiet --workload \"" + p.string() + "\" --json \"" + j.string() + "\"");
    INFO(r.err);
    REQUIRE(r.status == 0);
    json rep = json::parse(slurp(j));
    CHECK(rep["workload"]["macs"].get<std::int64_t>() == 0);
    REQUIRE(rep["ops"].size() == 2);
    const auto &tr = rep["ops"][0], &pa = rep["ops"][1];
    CHECK(tr["type"] == "transpose");
    CHECK(tr["shapes"] == "2x4x16 -> 4x2x16");
    CHECK(tr["dram_bytes_read"].get<std::int64_t>() == 128);
    CHECK(tr["dram_bytes_written"].get<std::int64_t>() == 128);
    CHECK(pa["type"] == "pad");
    CHECK(pa["shapes"] == "8x4x4 -> 8x6x6");
    CHECK(pa["dram_bytes_read"].get<std::int64_t>() == 128);
    CHECK(pa["dram_bytes_written"].get<std::int64_t>() == 288);
    CHECK(pa["vector_busy_cycles"].get<std::int64_t>() > 0);
    REQUIRE(qcsim("run --quiet --workload \"" + p.string() + "\" --json \"" + j2.string() + "\"")
                .status == 0);
    CHECK(slurp(j) == slurp(j2));
}

TEST_CASE("onnx: qcsim run --workload FILE.onnx simulates the model's MACs", "[e2e][onnx]") {
    const fs::path p = write_model("small.onnx");
    const fs::path j = scratch_dir() / "small-report.json";
    auto r = qcsim("run --quiet --workload \"" + p.string() + "\" --json \"" + j.string() + "\"");
    INFO(r.err);
    REQUIRE(r.status == 0);
    json rep = json::parse(slurp(j));
    // conv: 16·16·8·3·9 = 55,296; fc: 8·10 = 80. Relu fused into the conv, Flatten a view.
    CHECK(rep["workload"]["name"] == "onnx:small.onnx");
    CHECK(rep["workload"]["macs"].get<std::int64_t>() == 55376);
    CHECK(rep["ops"].size() == 3); // conv, global_avgpool, fc

    // batch=2: two images stacked, twice the MACs.
    auto b = qcsim("run --quiet --workload \"" + p.string() + ":batch=2\" --json \"" + j.string() +
                   "\"");
    INFO(b.err);
    REQUIRE(b.status == 0);
    CHECK(json::parse(slurp(j))["workload"]["macs"].get<std::int64_t>() == 2 * 55376);
}

TEST_CASE("onnx: qcsim trace converts FILE.onnx to a trace that runs to the same report",
          "[e2e][onnx]") {
    const fs::path p = write_model("convert.onnx");
    const fs::path t = scratch_dir() / "convert.json";
    auto w = qcsim("trace --workload \"" + p.string() + "\" -o \"" + t.string() + "\"");
    INFO(w.err);
    REQUIRE(w.status == 0);
    const fs::path ja = scratch_dir() / "a.json", jb = scratch_dir() / "b.json";
    REQUIRE(qcsim("run --quiet --workload \"" + p.string() + "\" --json \"" + ja.string() + "\"")
                .status == 0);
    REQUIRE(qcsim("run --quiet --workload \"" + t.string() + "\" --json \"" + jb.string() + "\"")
                .status == 0);
    // Deterministic: a second conversion is byte-identical.
    const fs::path t2 = scratch_dir() / "convert2.json";
    REQUIRE(qcsim("trace --workload \"" + p.string() + "\" -o \"" + t2.string() + "\"").status ==
            0);
    CHECK(slurp(t) == slurp(t2));
    json a = json::parse(slurp(ja)), b = json::parse(slurp(jb));
    CHECK(a["summary"] == b["summary"]);
    CHECK(a["ops"] == b["ops"]);
}

TEST_CASE("bad input: unsupported ONNX operators exit 2, all listed with a node name, and no "
          "report is written",
          "[e2e][bad-input][onnx]") {
    const fs::path p = write_model("unsupported.onnx", {"Tanh", "Softplus", "Tanh"});
    const fs::path j = scratch_dir() / "unsupported-report.json";
    auto r = qcsim("run --quiet --workload \"" + p.string() + "\" --json \"" + j.string() + "\"");
    CHECK(r.status == 2);
    CHECK(r.err.find("unsupported.onnx: graph.node: 2 unsupported operator type(s)") !=
          std::string::npos);
    CHECK(r.err.find("Tanh (node \"x_Tanh_5\" and 1 more)") != std::string::npos);
    CHECK(r.err.find("Softplus (node \"x_Softplus_6\")") != std::string::npos);
    CHECK(!fs::exists(j));
}

TEST_CASE("bad input: a file that is not an ONNX model exits 2 naming it",
          "[e2e][bad-input][onnx]") {
    const fs::path p = scratch_dir() / "text.onnx";
    std::ofstream(p, std::ios::binary) << "\x0f\xff this is not a protobuf";
    auto r = qcsim("trace --workload \"" + p.string() + "\" -o -");
    CHECK(r.status == 2);
    CHECK(r.err.find("text.onnx: $: not an ONNX model") != std::string::npos);
    CHECK(r.out.empty());
    auto missing = qcsim("run --workload \"" + (scratch_dir() / "none.onnx").string() + "\"");
    CHECK(missing.status == 2);
    CHECK(missing.err.find("no such file") != std::string::npos);
}
