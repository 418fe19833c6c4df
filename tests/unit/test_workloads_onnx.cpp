// ONNX import (workloads/onnx_import.h) on small models built here with the ONNX C++ API
// (onnx::ModelProto), one operator or pattern each. Every expected shape and MAC count is derived
// by hand in a comment from the ONNX operator definition; parameters are weight elements (plus
// 2·C per folded BatchNorm, graph.h). Also: the unsupported-operator and malformed-file errors,
// and every node test model of Debian's libonnx-testdata.

#include "sim/errors.h"
#include "workloads/onnx_import.h"
#include "workloads_test_util.h"

#include <onnx/onnx_pb.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

using namespace workloads;
using shape_t = std::vector<std::int64_t>;

namespace {

/// A model under construction: inputs, constant initializers (zeros), nodes, outputs.
struct model {
    onnx::ModelProto m;
    explicit model(int opset = 13) {
        m.set_ir_version(8);
        auto *o = m.add_opset_import();
        o->set_domain("");
        o->set_version(opset);
        m.mutable_graph()->set_name("t");
    }
    static void set_type(onnx::ValueInfoProto *v, const shape_t &s, int elem) {
        auto *tt = v->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(elem);
        auto *sh = tt->mutable_shape();
        for (auto d : s) {
            auto *dim = sh->add_dim();
            if (d < 0)
                dim->set_dim_param("batch");
            else
                dim->set_dim_value(d);
        }
    }
    model &input(const std::string &name, const shape_t &s, int elem = onnx::TensorProto::FLOAT) {
        auto *v = m.mutable_graph()->add_input();
        v->set_name(name);
        set_type(v, s, elem);
        return *this;
    }
    model &output(const std::string &name) {
        auto *v = m.mutable_graph()->add_output();
        v->set_name(name);
        v->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
        return *this;
    }
    /// A float initializer of shape `s` (zeros: only the shape matters).
    model &weight(const std::string &name, const shape_t &s) {
        auto *t = m.mutable_graph()->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        std::int64_t n = 1;
        for (auto d : s)
            t->add_dims(d), n *= d;
        t->set_raw_data(std::string(std::size_t(n) * 4, '\0'));
        return *this;
    }
    model &ints(const std::string &name, const shape_t &values, bool scalar = false) {
        auto *t = m.mutable_graph()->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::INT64);
        if (!scalar)
            t->add_dims(std::int64_t(values.size()));
        for (auto v : values)
            t->add_int64_data(v);
        return *this;
    }
    /// A 1-D float initializer holding `values` (Resize/Upsample scales).
    model &floats(const std::string &name, const std::vector<float> &values) {
        auto *t = m.mutable_graph()->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        t->add_dims(std::int64_t(values.size()));
        for (float v : values)
            t->add_float_data(v);
        return *this;
    }
    model &scalar(const std::string &name, float v) {
        auto *t = m.mutable_graph()->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        t->add_float_data(v);
        return *this;
    }
    onnx::NodeProto &node(const std::string &type, const std::vector<std::string> &in,
                          const std::vector<std::string> &out, const std::string &name = "") {
        auto *n = m.mutable_graph()->add_node();
        n->set_op_type(type);
        n->set_name(name.empty() ? out[0] : name);
        for (const auto &i : in)
            n->add_input(i);
        for (const auto &o : out)
            n->add_output(o);
        return *n;
    }
    graph import(const onnx_dims &dims = {}) const {
        return import_onnx_bytes(m.SerializeAsString(), "t.onnx", dims);
    }
};

void attr(onnx::NodeProto &n, const std::string &name, const shape_t &v) {
    auto *a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v)
        a->add_ints(x);
}
void attr(onnx::NodeProto &n, const std::string &name, std::int64_t v) {
    auto *a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
}
void attr_f(onnx::NodeProto &n, const std::string &name, float v) {
    auto *a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
}
void attr_s(onnx::NodeProto &n, const std::string &name, const std::string &v) {
    auto *a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
}

const op &only(const graph &g, const std::string &type) {
    const op *found = nullptr;
    int n = 0;
    for (const auto &o : g.ops)
        if (o.type == type)
            found = &o, ++n;
    INFO("operators of type " << type);
    REQUIRE(n == 1);
    return *found;
}

const shape_t &out_shape(const graph &g, const op &o) {
    return g.tensors[o.outputs[0]].shape;
}

std::string import_error(const model &m) {
    try {
        m.import();
    } catch (const sim::input_error &e) {
        return e.what();
    }
    return "(no error)";
}

/// Ops of the graph that are not free reshapes (the importer's views).
int compute_ops(const graph &g) {
    int n = 0;
    for (const auto &o : g.ops)
        n += o.type != "reshape" && o.type != "flatten";
    return n;
}

} // namespace

TEST_CASE("onnx: dense conv with pads and stride 2 maps to conv2d of Ho·Wo·Cout·Cin·kh·kw MACs",
          "[onnx]") {
    model m;
    m.input("x", {-1, 3, 32, 32}).weight("w", {16, 3, 3, 3}).output("y");
    auto &n = m.node("Conv", {"x", "w"}, {"y"});
    attr(n, "pads", shape_t{1, 1, 1, 1});
    attr(n, "strides", shape_t{2, 2});
    graph g = m.import();
    const op &c = only(g, "conv2d");
    // (32 + 2 - 3) / 2 + 1 = 16; 16·16·16·3·9 = 110,592 MACs; 16·3·3·3 = 432 weights.
    CHECK(out_shape(g, c) == shape_t{16, 16, 16});
    CHECK(g.op_macs(c) == 110592);
    CHECK(g.total_params() == 432);
    CHECK(g.tensors[g.inputs[0]].shape == shape_t{3, 32, 32}); // symbolic batch -> 1, dropped
    CHECK(g.name == "onnx:t.onnx");
}

TEST_CASE("onnx: grouped and depthwise convs keep their groups", "[onnx]") {
    model m;
    m.input("x", {1, 8, 10, 10}).weight("wg", {8, 2, 3, 3}).weight("wd", {8, 1, 3, 3});
    m.output("d");
    attr(m.node("Conv", {"x", "wg"}, {"g"}), "group", 4);
    auto &d = m.node("Conv", {"g", "wd"}, {"d"});
    attr(d, "group", 8);
    attr(d, "pads", shape_t{1, 1, 1, 1});
    graph g = m.import();
    // grouped: 8x8 out, 8·8·8·(8/4)·9 = 9,216; depthwise: 8·8·8·1·9 = 4,608.
    REQUIRE(g.ops.size() == 2);
    CHECK(g.ops[0].attr_int("groups", 0) == 4);
    CHECK(g.op_macs(g.ops[0]) == 9216);
    CHECK(g.ops[1].attr_int("groups", 0) == 8);
    CHECK(out_shape(g, g.ops[1]) == shape_t{8, 8, 8});
    CHECK(g.op_macs(g.ops[1]) == 4608);
}

TEST_CASE("onnx: a dilated conv is conv2d with its dilation, pads and MACs as ONNX has them",
          "[onnx]") {
    model m;
    m.input("x", {1, 4, 16, 16}).weight("w", {4, 4, 3, 3}).output("y");
    auto &n = m.node("Conv", {"x", "w"}, {"y"});
    attr(n, "pads", shape_t{2, 2, 2, 2});
    attr(n, "dilations", shape_t{2, 2});
    graph g = m.import();
    const op &c = only(g, "conv2d");
    // ONNX: extent (3-1)·2+1 = 5, (16 + 4 - 5) / 1 + 1 = 16. MACs 16·16·4·4·9 = 36,864 (the
    // taps are spaced, not more).
    CHECK(out_shape(g, c) == shape_t{4, 16, 16});
    CHECK(c.attr_ints("pad", {}) == shape_t{2, 2, 2, 2});
    CHECK(c.attr_ints("dilation", {}) == shape_t{2, 2});
    CHECK(g.op_macs(c) == 36864);
}

TEST_CASE("onnx: a dilated conv with less padding than (d-1)(k-1) imports (DeepLab's atrous "
          "convs with stride)",
          "[onnx]") {
    // x [1,2,17,17], 3x3, dilation 3, pads 1, stride 2: extent 7, (17 + 2 - 7)/2 + 1 = 7;
    // no pad: (17 - 7)/2 + 1 = 6. MACs 7·7·2·2·9 = 1,764 and 6·6·2·2·9 = 1,296.
    for (std::int64_t pad : {1, 0}) {
        model m;
        m.input("x", {1, 2, 17, 17}).weight("w", {2, 2, 3, 3}).output("y");
        auto &n = m.node("Conv", {"x", "w"}, {"y"});
        attr(n, "pads", shape_t{pad, pad, pad, pad});
        attr(n, "dilations", shape_t{3, 3});
        attr(n, "strides", shape_t{2, 2});
        graph g = m.import();
        const op &c = only(g, "conv2d");
        const std::int64_t o = pad ? 7 : 6;
        CHECK(out_shape(g, c) == shape_t{2, o, o});
        CHECK(g.op_macs(c) == o * o * 2 * 2 * 9);
    }
    // MaxPool with dilations 2, kernel 2, stride 1 over 5: extent 3, (5-3)+1 = 3.
    model p;
    p.input("x", {1, 2, 5, 5}).output("y");
    auto &mp = p.node("MaxPool", {"x"}, {"y"});
    attr(mp, "kernel_shape", shape_t{2, 2});
    attr(mp, "dilations", shape_t{2, 2});
    graph g = p.import();
    CHECK(out_shape(g, only(g, "maxpool")) == shape_t{2, 3, 3});
}

TEST_CASE("onnx: ConvTranspose is conv_transpose2d of Hin·Win·Cin·(Cout/g)·kh·kw MACs in every "
          "form",
          "[onnx]") {
    // Kernel = stride (no overlap): x [1,8,5,5], w [8,4,2,2], stride 2: (5-1)·2 + 2 = 10;
    // MACs 5·5·8·4·2·2 = 3,200; weights 8·4·2·2 = 128.
    {
        model m;
        m.input("x", {1, 8, 5, 5}).weight("w", {8, 4, 2, 2}).output("y");
        attr(m.node("ConvTranspose", {"x", "w"}, {"y"}), "strides", shape_t{2, 2});
        graph g = m.import();
        CHECK(g.total_macs() == 3200);
        CHECK(g.total_params() == 128);
        CHECK(out_shape(g, only(g, "conv_transpose2d")) == shape_t{4, 10, 10});
    }
    // Overlapping windows, pads, output_padding and a bias: x [1,4,5,5], w [4,3,3,3],
    // stride 2, pads 1, output_padding 1: (5-1)·2 + (3-1) + 1 - 2 + 1 = 10 -> [3,10,10];
    // MACs 5·5·4·3·9 = 2,700; params 108 + 3 (bias) = 111.
    {
        model m;
        m.input("x", {1, 4, 5, 5}).weight("w", {4, 3, 3, 3}).weight("b", {3}).output("y");
        auto &n = m.node("ConvTranspose", {"x", "w", "b"}, {"y"}, "up");
        attr(n, "strides", shape_t{2, 2});
        attr(n, "pads", shape_t{1, 1, 1, 1});
        attr(n, "output_padding", shape_t{1, 1});
        graph g = m.import();
        const op &c = only(g, "conv_transpose2d");
        CHECK(out_shape(g, c) == shape_t{3, 10, 10});
        CHECK(c.attr_ints("pad", {}) == shape_t{1, 1, 1, 1});
        CHECK(c.attr_ints("output_padding", {}) == shape_t{1, 1});
        CHECK(g.op_macs(c) == 2700);
        CHECK(g.total_params() == 111);
    }
    // Stride 1 (PyTorch's default), group 2 with dilation 2: x [1,4,6,6], w [4,1,3,3] (Cout/g
    // = 1, Cout 2): (6-1) + (3-1)·2 + 1 = 10; MACs 6·6·4·1·9 = 1,296.
    {
        model m;
        m.input("x", {1, 4, 6, 6}).weight("w", {4, 1, 3, 3}).output("y");
        auto &n = m.node("ConvTranspose", {"x", "w"}, {"y"});
        attr(n, "group", 2);
        attr(n, "dilations", shape_t{2, 2});
        graph g = m.import();
        const op &c = only(g, "conv_transpose2d");
        CHECK(out_shape(g, c) == shape_t{2, 10, 10});
        CHECK(g.op_macs(c) == 1296);
    }
    // output_shape [10, 11] with stride 2, kernel 3 over 5: full (5-1)·2 + 3 = 11;
    // total_padding = 11 - 10 = 1 on H (NOTSET: 1 at the start, 0 at the end), 0 on W.
    {
        model m;
        m.input("x", {1, 4, 5, 5}).weight("w", {4, 3, 3, 3}).output("y");
        auto &n = m.node("ConvTranspose", {"x", "w"}, {"y"});
        attr(n, "strides", shape_t{2, 2});
        attr(n, "output_shape", shape_t{10, 11});
        graph g = m.import();
        const op &c = only(g, "conv_transpose2d");
        CHECK(out_shape(g, c) == shape_t{3, 10, 11});
        CHECK(c.attr_ints("pad", {}) == shape_t{1, 0, 0, 0});
        CHECK(g.op_macs(c) == 2700);
    }
    // Refused with the node's name: output_padding >= stride.
    model bad;
    bad.input("x", {1, 4, 5, 5}).weight("w", {4, 3, 3, 3}).output("y");
    auto &n = bad.node("ConvTranspose", {"x", "w"}, {"y"}, "up");
    attr(n, "strides", shape_t{2, 2});
    attr(n, "output_padding", shape_t{2, 0});
    const std::string e = import_error(bad);
    INFO(e);
    CHECK(e.find("ConvTranspose (node \"up\")") != std::string::npos);
    CHECK(e.find("output_padding") != std::string::npos);
}

TEST_CASE("onnx: auto_pad SAME_UPPER with stride 2 gives ceil(H/2) outputs", "[onnx]") {
    model m;
    m.input("x", {1, 2, 7, 7}).weight("w", {2, 2, 3, 3}).output("y");
    auto &n = m.node("Conv", {"x", "w"}, {"y"});
    attr_s(n, "auto_pad", "SAME_UPPER");
    attr(n, "strides", shape_t{2, 2});
    graph g = m.import();
    const op &c = only(g, "conv2d");
    // out = ceil(7/2) = 4; total pad (4-1)·2 + 3 - 7 = 2: 1 before, 1 after. 16·2·2·9 = 576.
    CHECK(c.attr_ints("pad", {}) == shape_t{1, 1, 1, 1});
    CHECK(out_shape(g, c) == shape_t{2, 4, 4});
    CHECK(g.op_macs(c) == 576);
}

TEST_CASE("onnx: Gemm is fc with in·out MACs; its C is the bias", "[onnx]") {
    model m;
    m.input("x", {1, 64}).weight("b", {10, 64}).weight("c", {10}).output("y");
    attr(m.node("Gemm", {"x", "b", "c"}, {"y"}), "transB", 1);
    graph g = m.import();
    const op &f = only(g, "fc");
    CHECK(g.op_macs(f) == 640);     // 64·10
    CHECK(g.total_params() == 650); // 640 + 10
    CHECK(out_shape(g, f) == shape_t{10});
}

TEST_CASE("onnx: MatMul by a constant is a linear; the following bias Add folds into it",
          "[onnx]") {
    model m;
    m.input("x", {1, 8, 64}).weight("w", {64, 32}).weight("b", {32}).output("y");
    m.node("MatMul", {"x", "w"}, {"h"});
    m.node("Add", {"h", "b"}, {"y"});
    graph g = m.import();
    const op &l = only(g, "linear");
    // T·K·N = 8·64·32 = 16,384 MACs; 64·32 + 32 = 2,080 parameters; no add left.
    CHECK(g.op_macs(l) == 16384);
    CHECK(l.inputs.size() == 3);
    CHECK(g.total_params() == 2080);
    CHECK(compute_ops(g) == 1);
    CHECK(out_shape(g, l) == shape_t{8, 32});
}

TEST_CASE("onnx: batched MatMul of two activations is matmul of batch·M·K·N", "[onnx]") {
    model m;
    m.input("a", {1, 4, 8, 16}).input("b", {1, 4, 16, 8}).output("y");
    m.node("MatMul", {"a", "b"}, {"y"});
    graph g = m.import();
    const op &mm = only(g, "matmul");
    CHECK(g.op_macs(mm) == 4 * 8 * 16 * 8); // 4,096
    CHECK(out_shape(g, mm) == shape_t{4, 8, 8});
}

TEST_CASE("onnx: Add/Sub/Mul/Div of equal shapes map to add and mul; a scalar constant folds",
          "[onnx]") {
    model m;
    m.input("a", {1, 4, 5, 5}).input("b", {1, 4, 5, 5}).scalar("two", 2.f).output("y");
    m.node("Add", {"a", "b"}, {"s"});
    m.node("Sub", {"s", "b"}, {"d"});
    m.node("Mul", {"d", "a"}, {"p"});
    m.node("Div", {"p", "b"}, {"q"});
    m.node("Div", {"q", "two"}, {"y"}); // a scale: folded into the int8 requantisation
    graph g = m.import();
    CHECK(wltest::count_type(g, "add") == 2);
    CHECK(wltest::count_type(g, "mul") == 2);
    CHECK(g.ops.size() == 4);
    CHECK(g.total_macs() == 0);
    CHECK(g.total_params() == 0);
}

TEST_CASE("onnx: a squeeze-and-excitation block imports: its Mul of [C,H,W] by [C,1,1] is a "
          "broadcast mul",
          "[onnx][broadcast]") {
    // x [1,16,8,8] -> GlobalAveragePool [1,16,1,1] -> Conv 16->4 1x1 (+bias) -> Relu (fused)
    // -> Conv 4->16 1x1 (+bias) -> HardSigmoid (relu6) -> Mul with x: [1,16,8,8].
    // Ops: global_avgpool, conv2d (relu), conv2d, relu6, mul = 5.
    // MACs: 1·1·4·16 + 1·1·16·4 = 128. Params: 4·16 + 4 + 16·4 + 16 = 148.
    // The mul's b is the [16,1,1] gate (ONNX [1,16,1,1] without the batch axis).
    for (bool swapped : {false, true}) {
        model m;
        m.input("x", {1, 16, 8, 8}).output("y");
        m.weight("w1", {4, 16, 1, 1}).weight("b1", {4}).weight("w2", {16, 4, 1, 1});
        m.weight("b2", {16});
        m.node("GlobalAveragePool", {"x"}, {"p"});
        m.node("Conv", {"p", "w1", "b1"}, {"c1"});
        m.node("Relu", {"c1"}, {"r"});
        m.node("Conv", {"r", "w2", "b2"}, {"c2"});
        m.node("HardSigmoid", {"c2"}, {"s"});
        if (swapped)
            m.node("Mul", {"s", "x"}, {"y"}, "se.scale");
        else
            m.node("Mul", {"x", "s"}, {"y"}, "se.scale");
        graph g = m.import();
        REQUIRE(g.ops.size() == 5);
        CHECK(g.ops[0].type == "global_avgpool");
        CHECK(g.ops[1].type == "conv2d");
        CHECK(g.ops[1].attr_str("activation", "") == "relu");
        CHECK(g.ops[2].type == "conv2d");
        CHECK(g.ops[3].type == "relu6");
        const op &mul = only(g, "mul");
        CHECK(out_shape(g, mul) == shape_t{16, 8, 8});
        CHECK(g.tensors[mul.inputs[0]].shape == shape_t{16, 8, 8});
        CHECK(g.tensors[mul.inputs[1]].shape == shape_t{16, 1, 1});
        CHECK(mul.inputs[0] == g.inputs[0]);
        CHECK(g.total_macs() == 128);
        CHECK(g.total_params() == 148);
    }
}

TEST_CASE("onnx: broadcast Add/Sub/Mul/Div of non-constant operands: scalar, per-column, "
          "per-pixel, per-row and two-sided forms",
          "[onnx][broadcast]") {
    {
        // [1,4,5,5] - [1,1,1,1]: an add with b [1,1,1]; [1,6,8] / [1,1,8]: a mul with b [1,8].
        model m;
        m.input("a", {1, 4, 5, 5}).input("s", {1, 1, 1, 1}).input("t", {1, 6, 8});
        m.input("d", {1, 1, 8}).output("y").output("z");
        m.node("Sub", {"a", "s"}, {"y"});
        m.node("Div", {"t", "d"}, {"z"});
        graph g = m.import();
        REQUIRE(g.ops.size() == 2);
        const op &add = only(g, "add"), &mul = only(g, "mul");
        CHECK(g.tensors[add.inputs[1]].shape == shape_t{1, 1, 1});
        CHECK(out_shape(g, add) == shape_t{4, 5, 5});
        CHECK(g.tensors[mul.inputs[1]].shape == shape_t{1, 8});
        CHECK(out_shape(g, mul) == shape_t{6, 8});
    }
    {
        // Per pixel: [1,4,5,5] · [1,1,5,5] is a mul of a [4,5,5] by b [1,5,5] (25 elements read
        // for the 100 computed); per row: [1,6,8] + [1,6,1] an add of b [6,1] over [6,8].
        model m;
        m.input("a", {1, 4, 5, 5}).input("s", {1, 1, 5, 5}).input("t", {1, 6, 8});
        m.input("r", {1, 6, 1}).output("y").output("z");
        m.node("Mul", {"a", "s"}, {"y"}, "spatial.gate");
        m.node("Add", {"r", "t"}, {"z"}, "row.bias"); // a broadcast first operand is swapped
        graph g = m.import();
        const op &mul = only(g, "mul"), &add = only(g, "add");
        CHECK(g.tensors[mul.inputs[0]].shape == shape_t{4, 5, 5});
        CHECK(g.tensors[mul.inputs[1]].shape == shape_t{1, 5, 5});
        CHECK(out_shape(g, mul) == shape_t{4, 5, 5});
        CHECK(g.tensors[add.inputs[0]].shape == shape_t{6, 8});
        CHECK(g.tensors[add.inputs[1]].shape == shape_t{6, 1});
        CHECK(out_shape(g, add) == shape_t{6, 8});
    }
    {
        // Both broadcast: [1,4,1,1] + [1,1,5,5] -> [1,4,5,5]: a [4,1,1], b [1,5,5], output
        // [4,5,5] (100 elements from 4 + 25 read).
        model m;
        m.input("a", {1, 4, 1, 1}).input("s", {1, 1, 5, 5}).output("y");
        m.node("Sub", {"a", "s"}, {"y"}, "outer");
        graph g = m.import();
        const op &add = only(g, "add");
        CHECK(g.tensors[add.inputs[0]].shape == shape_t{4, 1, 1});
        CHECK(g.tensors[add.inputs[1]].shape == shape_t{1, 5, 5});
        CHECK(out_shape(g, add) == shape_t{4, 5, 5});
        CHECK(g.tensors[g.outputs[0]].elements() == 100);
    }
    {
        // A rank-4 graph tensor ([2,3,4,5] after the batch) has no broadcasting add.
        model m;
        m.input("a", {1, 2, 3, 4, 5}).input("s", {1, 1, 3, 4, 5}).output("y");
        m.node("Mul", {"a", "s"}, {"y"}, "deep");
        const std::string e = import_error(m);
        CHECK(e.find("Mul (node \"deep\")") != std::string::npos);
        CHECK(e.find("rank 1 to 3") != std::string::npos);
    }
}

TEST_CASE("onnx: a broadcast constant minuend or dividend is a broadcast add or mul with a "
          "constant b; a constant over a broadcast operand is two-sided",
          "[onnx][broadcast]") {
    // c [1,1,5,5] - x [1,4,5,5]: add of x [4,5,5] and the constant [1,5,5] (Sub costs an add);
    // c [16,1,1] / conv: not folded into the conv (c/x is no scale): a mul by [16,1,1].
    // Params: 25 + 16·4·1·1 (conv) + 16 = 105. MACs: 1x1 conv 16·4 over 5·5 = 1600.
    model m;
    m.input("x", {1, 4, 5, 5}).weight("c", {1, 1, 5, 5}).weight("w", {16, 4, 1, 1});
    m.weight("k", {16, 1, 1}).weight("p", {1, 5, 5}).input("v", {1, 3, 1, 1});
    m.output("y").output("z").output("u");
    m.node("Sub", {"c", "x"}, {"y"}, "one_minus");
    m.node("Conv", {"x", "w"}, {"cv"});
    m.node("Div", {"k", "cv"}, {"z"}, "recip");
    m.node("Add", {"v", "p"}, {"u"}, "outer_const"); // [3,1,1] + constant [1,5,5]
    graph g = m.import();
    REQUIRE(wltest::count_type(g, "add") == 2);
    const op &mul = only(g, "mul");
    CHECK(g.tensors[mul.inputs[1]].constant);
    CHECK(g.tensors[mul.inputs[1]].shape == shape_t{16, 1, 1});
    CHECK(out_shape(g, mul) == shape_t{16, 5, 5});
    for (const auto &o : g.ops)
        if (o.type == "add" && o.name == "one_minus") {
            CHECK(g.tensors[o.inputs[0]].shape == shape_t{4, 5, 5});
            CHECK(g.tensors[o.inputs[1]].constant);
            CHECK(g.tensors[o.inputs[1]].shape == shape_t{1, 5, 5});
        } else if (o.type == "add") {
            CHECK(g.tensors[o.inputs[0]].shape == shape_t{3, 1, 1});
            CHECK(g.tensors[o.inputs[1]].shape == shape_t{1, 5, 5});
            CHECK(out_shape(g, o) == shape_t{3, 5, 5});
        }
    CHECK(g.total_params() == 25 + 64 + 16 + 25);
    CHECK(g.total_macs() == 1600);
}

TEST_CASE("onnx: a per-channel constant that cannot be folded is a broadcast mul or add with a "
          "constant b (ConvNeXt's layer scale)",
          "[onnx][broadcast]") {
    // Relu then Mul by a constant [16,1,1] (no conv just before: not foldable), then Add of a
    // per-channel constant after a conv that already has a bias. Ops: relu, mul, conv2d, add.
    // Params: 16 (scale) + 16·16 + 16 (conv) + 16 (second bias) = 304.
    model m;
    m.input("x", {1, 16, 4, 4}).output("y");
    m.weight("gamma", {16, 1, 1}).weight("w", {16, 16, 1, 1}).weight("b", {16});
    m.weight("b2", {1, 16, 1, 1});
    m.node("Relu", {"x"}, {"r"});
    m.node("Mul", {"r", "gamma"}, {"s"}, "layer_scale");
    m.node("Conv", {"s", "w", "b"}, {"c"});
    m.node("Add", {"c", "b2"}, {"y"}, "second_bias");
    graph g = m.import();
    REQUIRE(g.ops.size() == 4);
    const op &mul = only(g, "mul"), &add = only(g, "add");
    CHECK(g.tensors[mul.inputs[1]].constant);
    CHECK(g.tensors[mul.inputs[1]].shape == shape_t{16, 1, 1});
    CHECK(g.tensors[add.inputs[1]].shape == shape_t{16, 1, 1});
    CHECK(g.total_params() == 304);
    // 1·1 conv over 4·4: 16·16·16 = 4096 MACs.
    CHECK(g.total_macs() == 4096);
}

TEST_CASE("onnx: ConvNeXt's layer scale after the channels-last MLP is a broadcast mul over "
          "[C,H,W]",
          "[onnx][broadcast]") {
    // x [1,16,4,4] -> Transpose to [1,4,4,16] -> MatMul by W [16,16] (a linear over 16 tokens:
    // 16·16·16 = 4096 MACs) -> Transpose back to [1,16,4,4] -> Mul by the constant gamma
    // [16,1,1] -> Add x. The mul reads a as [16,4,4] and b as the constant [16,1,1].
    // Params: 256 (W) + 16 (gamma) = 272.
    model m;
    m.input("x", {1, 16, 4, 4}).weight("w", {16, 16}).weight("gamma", {16, 1, 1}).output("y");
    attr(m.node("Transpose", {"x"}, {"t"}), "perm", shape_t{0, 2, 3, 1});
    m.node("MatMul", {"t", "w"}, {"l"});
    attr(m.node("Transpose", {"l"}, {"u"}), "perm", shape_t{0, 3, 1, 2});
    m.node("Mul", {"u", "gamma"}, {"s"}, "layer_scale");
    m.node("Add", {"s", "x"}, {"y"});
    graph g = m.import();
    const op &mul = only(g, "mul");
    CHECK(out_shape(g, mul) == shape_t{16, 4, 4});
    CHECK(g.tensors[mul.inputs[0]].shape == shape_t{16, 4, 4});
    CHECK(g.tensors[mul.inputs[1]].constant);
    CHECK(g.tensors[mul.inputs[1]].shape == shape_t{16, 1, 1});
    CHECK(out_shape(g, only(g, "add")) == shape_t{16, 4, 4});
    CHECK(g.total_macs() == 4096);
    CHECK(g.total_params() == 272);
}

TEST_CASE("onnx: Conv + BatchNormalization + Relu is one conv2d with batchnorm and relu",
          "[onnx]") {
    model m;
    m.input("x", {1, 3, 8, 8}).weight("w", {6, 3, 3, 3}).output("y");
    for (const char *p : {"g", "bb", "mu", "var"})
        m.weight(p, {6});
    m.node("Conv", {"x", "w"}, {"c"});
    m.node("BatchNormalization", {"c", "g", "bb", "mu", "var"}, {"n"});
    m.node("Relu", {"n"}, {"y"});
    graph g = m.import();
    REQUIRE(g.ops.size() == 1);
    CHECK(g.ops[0].attr_int("batchnorm", 0) == 1);
    CHECK(g.ops[0].attr_str("activation", "") == "relu");
    // 6·3·3·3 = 162 weights + 2·6 (gamma, beta) = 174; running statistics are not parameters.
    CHECK(g.total_params() == 174);
}

TEST_CASE("onnx: Clip(0,6) is relu6 (fused into a conv); HardSigmoid, HardSwish, Sigmoid map "
          "to vector activations",
          "[onnx]") {
    model m(14); // HardSwish is opset 14
    m.input("x", {1, 4, 6, 6}).weight("w", {4, 4, 1, 1}).scalar("lo", 0.f).scalar("hi", 6.f);
    m.output("y");
    m.node("Conv", {"x", "w"}, {"c"});
    m.node("Clip", {"c", "lo", "hi"}, {"r"});
    m.node("Sigmoid", {"r"}, {"s"});
    m.node("HardSigmoid", {"s"}, {"h"});
    m.node("HardSwish", {"h"}, {"y"});
    graph g = m.import();
    CHECK(only(g, "conv2d").attr_str("activation", "") == "relu6");
    CHECK(wltest::count_type(g, "sigmoid") == 1);
    CHECK(wltest::count_type(g, "relu6") == 2); // HardSigmoid, and HardSwish's hardsigmoid
    CHECK(wltest::count_type(g, "mul") == 1);   // HardSwish: x · hardsigmoid(x)
    CHECK(g.total_macs() == 36 * 4 * 4);
}

TEST_CASE("onnx: PRelu per channel and LeakyRelu map to prelu with C slopes", "[onnx]") {
    model m;
    m.input("x", {1, 5, 4, 4}).weight("slope", {5, 1, 1}).output("y");
    m.node("PRelu", {"x", "slope"}, {"p"});
    attr_f(m.node("LeakyRelu", {"p"}, {"y"}), "alpha", 0.1f);
    graph g = m.import();
    CHECK(wltest::count_type(g, "prelu") == 2);
    // 5 slopes of PRelu + 5 repeated alphas of LeakyRelu (documented).
    CHECK(g.total_params() == 10);
}

TEST_CASE("onnx: GELU's Erf form is one gelu operator", "[onnx]") {
    model m;
    m.input("x", {1, 8, 16}).scalar("sqrt2", float(std::sqrt(2.0))).scalar("one", 1.f);
    m.scalar("half", 0.5f).output("y");
    m.node("Div", {"x", "sqrt2"}, {"d"});
    m.node("Erf", {"d"}, {"e"});
    m.node("Add", {"e", "one"}, {"a"});
    m.node("Mul", {"x", "a"}, {"p"});
    m.node("Mul", {"p", "half"}, {"y"});
    graph g = m.import();
    REQUIRE(g.ops.size() == 1);
    CHECK(g.ops[0].type == "gelu");
    CHECK(out_shape(g, g.ops[0]) == shape_t{8, 16});
}

TEST_CASE("onnx: LayerNormalization and its decomposed pattern are layernorm over [rows, D]",
          "[onnx]") {
    model a(17);
    a.input("x", {1, 8, 16}).weight("gamma", {16}).weight("beta", {16}).output("y");
    a.node("LayerNormalization", {"x", "gamma", "beta"}, {"y"});
    graph g = a.import();
    CHECK(out_shape(g, only(g, "layernorm")) == shape_t{8, 16});
    CHECK(g.total_params() == 32);

    model d;
    d.input("x", {1, 8, 16}).weight("gamma", {16}).weight("beta", {16}).scalar("two", 2.f);
    d.scalar("eps", 1e-5f).output("y");
    attr(d.node("ReduceMean", {"x"}, {"m"}), "axes", shape_t{-1});
    d.node("Sub", {"x", "m"}, {"c"});
    d.node("Pow", {"c", "two"}, {"sq"});
    attr(d.node("ReduceMean", {"sq"}, {"v"}), "axes", shape_t{-1});
    d.node("Add", {"v", "eps"}, {"ve"});
    d.node("Sqrt", {"ve"}, {"sd"});
    d.node("Div", {"c", "sd"}, {"n"});
    d.node("Mul", {"n", "gamma"}, {"s"});
    d.node("Add", {"s", "beta"}, {"y"});
    graph h = d.import();
    REQUIRE(h.ops.size() == 1);
    CHECK(h.ops[0].type == "layernorm");
    CHECK(h.total_params() == 32);
}

TEST_CASE("onnx: Softmax over the last axis is softmax over rows of that extent", "[onnx]") {
    model m;
    m.input("x", {1, 4, 8, 8}).output("y");
    attr(m.node("Softmax", {"x"}, {"y"}), "axis", -1);
    graph g = m.import();
    const op &s = only(g, "softmax");
    CHECK(out_shape(g, s) == shape_t{32, 8}); // 4·8 rows of 8
    CHECK(s.attr_int("group", 0) == 8);
}

TEST_CASE("onnx: MaxPool (with ceil_mode), AveragePool and GlobalAveragePool", "[onnx]") {
    model m;
    m.input("x", {1, 8, 16, 16}).output("y");
    auto &p = m.node("MaxPool", {"x"}, {"p"});
    attr(p, "kernel_shape", shape_t{3, 3});
    attr(p, "strides", shape_t{2, 2});
    attr(p, "pads", shape_t{1, 1, 1, 1});
    auto &q = m.node("AveragePool", {"p"}, {"q"});
    attr(q, "kernel_shape", shape_t{3, 3});
    attr(q, "strides", shape_t{2, 2});
    attr(q, "ceil_mode", 1);
    m.node("GlobalAveragePool", {"q"}, {"y"});
    graph g = m.import();
    // MaxPool: (16 + 2 - 3) / 2 + 1 = 8. AveragePool ceil: ceil((8 - 3) / 2) + 1 = 4 (floor
    // would give 3): bottom/right padding 1 added. Global: [8,1,1].
    CHECK(out_shape(g, only(g, "maxpool")) == shape_t{8, 8, 8});
    CHECK(out_shape(g, only(g, "avgpool")) == shape_t{8, 4, 4});
    CHECK(only(g, "avgpool").attr_ints("pad", {}) == shape_t{0, 0, 1, 1});
    CHECK(out_shape(g, only(g, "global_avgpool")) == shape_t{8, 1, 1});
}

TEST_CASE("onnx: nearest Upsample by 2 is copies (concat) of every row and column", "[onnx]") {
    model m(9);
    m.input("x", {1, 3, 4, 5}).output("y").floats("scales", {1.f, 1.f, 2.f, 2.f});
    m.node("Upsample", {"x", "scales"}, {"y"});
    graph g = m.import();
    // [3,4,5] -> [3,8,10]: 240 elements out, no MACs.
    CHECK(g.tensors[g.outputs[0]].elements() == 3 * 8 * 10);
    CHECK(wltest::count_type(g, "concat") == 2);
    CHECK(g.total_macs() == 0);
}

TEST_CASE("onnx: linear and cubic Resize by 2 are one resize operator", "[onnx][resize]") {
    for (const std::string mode : {"linear", "cubic"}) {
        model m;
        m.input("x", {1, 8, 4, 4}).output("y").floats("scales", {1.f, 1.f, 2.f, 2.f});
        auto &n = m.node("Resize", {"x", "", "scales"}, {"y"});
        attr_s(n, "mode", mode);
        attr_s(n, "coordinate_transformation_mode", "align_corners"); // ignored
        graph g = m.import();
        // [8,4,4] -> [8,8,8]: 8·8·8 = 512 output elements, one operator, no copies, no MACs.
        const op &r = only(g, "resize");
        CHECK(out_shape(g, r) == shape_t{8, 8, 8});
        CHECK(g.tensors[g.outputs[0]].elements() == 512);
        CHECK(r.attr_ints("size", {}) == shape_t{8, 8});
        CHECK(r.attr_str("mode", "") == mode);
        CHECK(wltest::count_type(g, "concat") == 0);
        CHECK(g.total_macs() == 0);
    }
}

TEST_CASE("onnx: Resize down, by fractional factors and to given sizes is the resize operator in "
          "its mode; a nearest whole-factor upsampling stays copies",
          "[onnx][resize]") {
    {
        // F.interpolate(scale_factor=0.5), nearest: [1,3,8,6] -> [3,4,3].
        model m;
        m.input("x", {1, 3, 8, 6}).output("y").floats("scales", {1.f, 1.f, 0.5f, 0.5f});
        m.node("Resize", {"x", "", "scales"}, {"y"}, "down");
        graph g = m.import();
        const op &r = only(g, "resize");
        CHECK(out_shape(g, r) == shape_t{3, 4, 3});
        CHECK(r.attr_str("mode", "") == "nearest");
    }
    {
        // sizes [1,3,9,4] from [1,3,6,6] (x1.5 and x2/3), cubic.
        model m;
        m.input("x", {1, 3, 6, 6}).output("y").ints("sizes", {1, 3, 9, 4});
        attr_s(m.node("Resize", {"x", "", "", "sizes"}, {"y"}, "frac"), "mode", "cubic");
        graph g = m.import();
        const op &r = only(g, "resize");
        CHECK(out_shape(g, r) == shape_t{3, 9, 4});
        CHECK(r.attr_ints("size", {}) == shape_t{9, 4});
        CHECK(r.attr_str("mode", "") == "cubic");
    }
    {
        // Nearest x3 on W, x1 on H: copies as before (one concat, on W), no resize.
        model m;
        m.input("x", {1, 2, 4, 5}).output("y").floats("scales", {1.f, 1.f, 1.f, 3.f});
        m.node("Resize", {"x", "", "scales"}, {"y"});
        graph g = m.import();
        CHECK(wltest::count_type(g, "concat") == 1);
        CHECK(wltest::count_type(g, "resize") == 0);
        CHECK(g.tensors[g.outputs[0]].elements() == 2 * 4 * 15);
    }
    {
        // An unknown mode, a scale of the channel axis and a factor above 64 are refused with
        // the first node's name (the error lists each operator type once).
        model m;
        m.input("x", {1, 2, 4, 4}).output("y").output("z").output("w");
        m.floats("s1", {1.f, 1.f, 2.f, 2.f}).floats("s2", {1.f, 2.f, 1.f, 1.f});
        m.floats("s3", {1.f, 1.f, 65.f, 1.f});
        attr_s(m.node("Resize", {"x", "", "s1"}, {"y"}, "area_rs"), "mode", "area");
        m.node("Resize", {"x", "", "s2"}, {"z"}, "chan_rs");
        m.node("Resize", {"x", "", "s3"}, {"w"}, "big_rs");
        const std::string e = import_error(m);
        INFO(e);
        CHECK(e.find("Resize (node \"area_rs\" and 2 more)") != std::string::npos);
        CHECK(e.find("mode \"area\"") != std::string::npos);
    }
}

TEST_CASE("onnx: 1-D Conv and pools are the 2-D operators with H = 1 and PyTorch's MACs",
          "[onnx][conv1d]") {
    // Conv1d(4, 8, 3, stride 2, padding 1) over [1,4,32]: L = (32 + 2 - 3) / 2 + 1 = 16;
    // MACs 16·8·4·3 = 1536 (PyTorch: L_out·C_out·C_in/groups·k); weights 8·4·3 = 96 + bias 8.
    // Depthwise Conv1d(8, 8, 5, groups 8, dilation 2, padding 4): L = 16 + 8 - 9 + 1 = 16,
    // MACs 16·8·1·5 = 640, weights 40. MaxPool1d(2): 8; AvgPool1d(3, 1, 1): 8; global: [8,1,1].
    model m;
    m.input("x", {1, 4, 32}).weight("w", {8, 4, 3}).weight("b", {8}).weight("wd", {8, 1, 5});
    m.output("y");
    auto &c = m.node("Conv", {"x", "w", "b"}, {"c"}, "conv1d");
    attr(c, "pads", shape_t{1, 1});
    attr(c, "strides", shape_t{2});
    auto &d = m.node("Conv", {"c", "wd"}, {"d"}, "dw1d");
    attr(d, "pads", shape_t{4, 4});
    attr(d, "dilations", shape_t{2});
    attr(d, "group", 8);
    auto &mp = m.node("MaxPool", {"d"}, {"p"});
    attr(mp, "kernel_shape", shape_t{2});
    attr(mp, "strides", shape_t{2}); // ONNX defaults to 1 (PyTorch exports stride = kernel)
    auto &a = m.node("AveragePool", {"p"}, {"q"});
    attr(a, "kernel_shape", shape_t{3});
    attr(a, "pads", shape_t{1, 1});
    m.node("GlobalAveragePool", {"q"}, {"y"});
    graph g = m.import();
    REQUIRE(wltest::count_type(g, "conv2d") == 2);
    const op &conv = g.ops[std::size_t(
        std::find_if(g.ops.begin(), g.ops.end(), [](const op &o) { return o.name == "conv1d"; }) -
        g.ops.begin())];
    CHECK(out_shape(g, conv) == shape_t{8, 1, 16});
    CHECK(conv.attr_ints("kernel", {}) == shape_t{1, 3});
    CHECK(conv.attr_ints("stride", {}) == shape_t{1, 2});
    CHECK(conv.attr_ints("pad", {}) == shape_t{0, 1, 0, 1});
    CHECK(g.op_macs(conv) == 1536);
    CHECK(g.total_macs() == 1536 + 640);
    CHECK(g.total_params() == 96 + 8 + 40);
    CHECK(out_shape(g, only(g, "maxpool")) == shape_t{8, 1, 8});
    CHECK(only(g, "maxpool").attr_ints("kernel", {}) == shape_t{1, 2});
    CHECK(out_shape(g, only(g, "avgpool")) == shape_t{8, 1, 8});
    CHECK(out_shape(g, only(g, "global_avgpool")) == shape_t{8, 1, 1});
    CHECK_NOTHROW(validate(g, "t.onnx"));
}

TEST_CASE("onnx: a 1-D ConvTranspose is conv_transpose2d with H = 1 and PyTorch's MACs",
          "[onnx][conv1d]") {
    // ConvTranspose1d(4, 8, 4, stride 2, padding 1, output_padding 1) over [1,4,16]:
    // L = (16 - 1)·2 + (4 - 1) + 1 - 2 + 1 = 33; MACs L_in·C_in·(C_out/g)·k = 16·4·8·4 = 2048
    // (PyTorch's hook: input elements · C_out/g · k); weights 4·8·4 = 128.
    model m;
    m.input("x", {1, 4, 16}).weight("w", {4, 8, 4}).output("y");
    auto &n = m.node("ConvTranspose", {"x", "w"}, {"y"}, "up1d");
    attr(n, "strides", shape_t{2});
    attr(n, "pads", shape_t{1, 1});
    attr(n, "output_padding", shape_t{1});
    graph g = m.import();
    const op &t = only(g, "conv_transpose2d");
    CHECK(out_shape(g, t) == shape_t{8, 1, 33});
    CHECK(t.attr_ints("kernel", {}) == shape_t{1, 4});
    CHECK(t.attr_ints("stride", {}) == shape_t{1, 2});
    CHECK(t.attr_ints("pad", {}) == shape_t{0, 1, 0, 1});
    CHECK(t.attr_ints("output_padding", {}) == shape_t{0, 1});
    CHECK(g.total_macs() == 2048);
    CHECK(g.total_params() == 128);
}

TEST_CASE("onnx: a zero Pad of L before a 1-D AveragePool folds into its pads (AvgPool1d)",
          "[onnx][conv1d]") {
    // Pad [0,0,1, 0,0,1] of [1,8,16] then AveragePool k 3 s 2: (16 + 2 - 3) / 2 + 1 = 8, the
    // pool's pad [0,1,0,1], no pad operator.
    model m;
    m.input("x", {1, 8, 16}).ints("pads", {0, 0, 1, 0, 0, 1}).output("y");
    m.node("Pad", {"x", "pads"}, {"p"});
    auto &a = m.node("AveragePool", {"p"}, {"y"});
    attr(a, "kernel_shape", shape_t{3});
    attr(a, "strides", shape_t{2});
    graph g = m.import();
    CHECK(wltest::count_type(g, "pad") == 0);
    const op &pool = only(g, "avgpool");
    CHECK(out_shape(g, pool) == shape_t{8, 1, 8});
    CHECK(pool.attr_ints("pad", {}) == shape_t{0, 1, 0, 1});
}

TEST_CASE("onnx: a 1-D Conv with 2-D pads is refused with its node name", "[onnx][conv1d]") {
    model m;
    m.input("x", {1, 4, 32}).weight("w", {8, 4, 3}).output("y");
    attr(m.node("Conv", {"x", "w"}, {"y"}, "bad1d"), "pads", shape_t{1, 1, 1, 1});
    const std::string e = import_error(m);
    INFO(e);
    CHECK(e.find("bad1d") != std::string::npos);
}

TEST_CASE("onnx: Concat, Split and Slice map to concat and slice on the channel axis", "[onnx]") {
    model m;
    m.input("a", {1, 4, 5, 5}).input("b", {1, 4, 5, 5}).output("s0").output("t");
    m.ints("starts", {2}).ints("ends", {6}).ints("axes", {2});
    attr(m.node("Concat", {"a", "b"}, {"c"}), "axis", 1);
    attr(m.node("Split", {"c"}, {"s0", "s1"}), "axis", 1);
    m.node("Slice", {"s1", "starts", "ends", "axes"}, {"t"});
    graph g = m.import();
    const op &c = only(g, "concat");
    CHECK(out_shape(g, c) == shape_t{8, 5, 5});
    CHECK(c.attr_int("axis", -1) == 0);
    CHECK(wltest::count_type(g, "slice") == 3); // two halves, then rows 2..5 (clamped to 5)
    CHECK(g.tensors[g.outputs[1]].shape == shape_t{4, 3, 5});
}

TEST_CASE("onnx: a shape subgraph (Shape, Gather, Unsqueeze, Concat) folds into the Reshape",
          "[onnx]") {
    model m;
    m.input("x", {-1, 16, 4, 4}).weight("w", {10, 256}).ints("zero", {0}, true);
    m.ints("minus1", {-1}).output("y");
    m.node("Shape", {"x"}, {"shp"});
    attr(m.node("Gather", {"shp", "zero"}, {"n"}), "axis", 0);
    attr(m.node("Unsqueeze", {"n"}, {"n1"}), "axes", shape_t{0});
    auto &c = m.node("Concat", {"n1", "minus1"}, {"target"});
    attr(c, "axis", 0);
    m.m.mutable_opset_import(0)->set_version(11); // Unsqueeze with an axes attribute
    m.node("Reshape", {"x", "target"}, {"flat"});
    attr(m.node("Gemm", {"flat", "w"}, {"y"}), "transB", 1);
    graph g = m.import();
    // [1,16,4,4] -> [1,256] -> fc 256 -> 10: 2,560 MACs; nothing of the shape subgraph left.
    CHECK(compute_ops(g) == 1);
    CHECK(g.total_macs() == 2560);
}

TEST_CASE("onnx: Transpose of two axes is transpose; a 4-D permutation is the N-D transpose",
          "[onnx]") {
    model m;
    m.input("x", {1, 8, 16}).output("y");
    attr(m.node("Transpose", {"x"}, {"y"}), "perm", shape_t{0, 2, 1});
    graph g = m.import();
    CHECK(out_shape(g, only(g, "transpose")) == shape_t{16, 8});

    // [1,4,8,16] perm [0,2,1,3] -> [1,8,4,16]: the batch axis dropped, axes 1 and 2 swapped,
    // axis 3 stays last: transpose [4,8,16] -> [8,4,16] with perm [1,0,2], named after the node.
    model m4;
    m4.input("x", {1, 4, 8, 16}).output("y");
    attr(m4.node("Transpose", {"x"}, {"y"}, "heads"), "perm", shape_t{0, 2, 1, 3});
    graph g4 = m4.import();
    const op &t = only(g4, "transpose");
    CHECK(t.name == "heads");
    CHECK(g4.tensors[t.inputs[0]].shape == shape_t{4, 8, 16});
    CHECK(out_shape(g4, t) == shape_t{8, 4, 16});
    CHECK(t.attr_ints("perm", {}) == shape_t{1, 0, 2});
    CHECK(g4.total_macs() == 0);
}

TEST_CASE("onnx: ShuffleNet's 5-D channel shuffle is one transpose of [g, C/g, H·W]", "[onnx]") {
    // x [1,8,4,4] -> Reshape [1,2,4,4,4] -> Transpose (0,2,1,3,4) -> [1,4,2,4,4] -> Reshape
    // [1,8,4,4] -> 1x1 Conv 8 -> 8. Axes 3 and 4 stay together and last: the shuffle is
    // [2,4,16] -> [4,2,16], perm [1,0,2]. MACs: the conv's 4·4·8·8 = 1024 only; parameters
    // its 64 weights.
    model m;
    m.input("x", {1, 8, 4, 4}).weight("w", {8, 8, 1, 1}).output("y");
    m.ints("s5", {1, 2, 4, 4, 4}).ints("s4", {1, 8, 4, 4});
    m.node("Reshape", {"x", "s5"}, {"r5"});
    attr(m.node("Transpose", {"r5"}, {"t"}, "shuffle"), "perm", shape_t{0, 2, 1, 3, 4});
    m.node("Reshape", {"t", "s4"}, {"r4"});
    m.node("Conv", {"r4", "w"}, {"y"});
    graph g = m.import();
    const op &t = only(g, "transpose");
    CHECK(t.name == "shuffle");
    CHECK(g.tensors[t.inputs[0]].shape == shape_t{2, 4, 16});
    CHECK(out_shape(g, t) == shape_t{4, 2, 16});
    CHECK(t.attr_ints("perm", {}) == shape_t{1, 0, 2});
    CHECK(g.total_macs() == 1024);
    CHECK(g.total_params() == 64);
}

TEST_CASE("onnx: Gather from a constant table by input ids is an embedding", "[onnx]") {
    model m;
    m.input("ids", {1, 8}, onnx::TensorProto::INT64).weight("table", {100, 16}).output("y");
    m.node("Gather", {"table", "ids"}, {"y"});
    graph g = m.import();
    const op &e = only(g, "embedding");
    CHECK(out_shape(g, e) == shape_t{8, 16});
    CHECK(g.total_params() == 1600);
    CHECK(g.tensors[g.inputs[0]].type == dtype::int32);
}

TEST_CASE("onnx: a zero Pad before a Conv folds into its pads; Squeeze/Unsqueeze are views",
          "[onnx]") {
    model m;
    m.input("x", {1, 2, 6, 6}).weight("w", {2, 2, 3, 3}).ints("pads", {0, 0, 1, 1, 0, 0, 1, 1});
    m.ints("ax", {0}).output("y");
    m.node("Pad", {"x", "pads"}, {"p"});
    m.node("Conv", {"p", "w"}, {"c"});
    m.node("Squeeze", {"c", "ax"}, {"s"});
    m.node("Unsqueeze", {"s", "ax"}, {"y"});
    graph g = m.import();
    const op &c = only(g, "conv2d");
    CHECK(c.attr_ints("pad", {}) == shape_t{1, 1, 1, 1});
    CHECK(out_shape(g, c) == shape_t{2, 6, 6});
}

TEST_CASE("onnx: a Pad that cannot fold is the graph's pad (constant, edge, reflect); a crop "
          "or wrap is refused with the node's name",
          "[onnx]") {
    // A zero Pad of the channel axis read by a Relu: [1,4,6,6] + [0,1,0,0 | 0,2,0,0] =
    // [1,7,6,6]; the graph's pad drops the batch axis: pads [1,0,0, 2,0,0], [7,6,6].
    model m;
    m.input("x", {1, 4, 6, 6}).ints("pads", {0, 1, 0, 0, 0, 2, 0, 0}).output("y");
    m.node("Pad", {"x", "pads"}, {"p"}, "padc");
    m.node("Relu", {"p"}, {"y"});
    graph g = m.import();
    const op &p = only(g, "pad");
    CHECK(p.name == "padc");
    CHECK(p.attr_ints("pads", {}) == shape_t{1, 0, 0, 2, 0, 0});
    CHECK(out_shape(g, p) == shape_t{7, 6, 6});
    CHECK(g.total_macs() == 0);

    // Reflect padding of H and W before a MaxPool (not folded: only zero pads fold, into Conv
    // and AveragePool): [2,6,6] + 1 on each side = [2,8,8], mode kept; the 2x2 pool -> [2,4,4].
    for (const std::string mode : {"reflect", "edge"}) {
        model r;
        r.input("x", {1, 2, 6, 6}).ints("pads", {0, 0, 1, 1, 0, 0, 1, 1}).output("y");
        attr_s(r.node("Pad", {"x", "pads"}, {"p"}), "mode", mode);
        auto &mp = r.node("MaxPool", {"p"}, {"y"});
        attr(mp, "kernel_shape", shape_t{2, 2});
        attr(mp, "strides", shape_t{2, 2});
        graph gr = r.import();
        const op &q = only(gr, "pad");
        CHECK(q.attr_str("mode", "") == mode);
        CHECK(out_shape(gr, q) == shape_t{2, 8, 8});
        CHECK(out_shape(gr, only(gr, "maxpool")) == shape_t{2, 4, 4});
    }

    model crop;
    crop.input("x", {1, 2, 6, 6}).ints("pads", {0, 0, -1, 0, 0, 0, 0, 0}).output("y");
    crop.node("Pad", {"x", "pads"}, {"y"}, "crop");
    const std::string e = import_error(crop);
    CHECK(e.find("Pad (node \"crop\"): a negative Pad (a crop)") != std::string::npos);

    model wrap;
    wrap.input("x", {1, 2, 6, 6}).ints("pads", {0, 0, 1, 0, 0, 0, 1, 0}).output("y");
    attr_s(wrap.node("Pad", {"x", "pads"}, {"y"}, "wrapped"), "mode", "wrap");
    CHECK(import_error(wrap).find("Pad (node \"wrapped\")") != std::string::npos);

    model batch;
    batch.input("x", {1, 2, 6, 6}).ints("pads", {1, 0, 0, 0, 0, 0, 0, 0}).output("y");
    batch.node("Pad", {"x", "pads"}, {"y"}, "nb");
    CHECK(import_error(batch).find("Pad (node \"nb\"): a Pad of the batch axis") !=
          std::string::npos);
}

TEST_CASE("onnx: PyTorch's F.pad pads, reversed through a Transpose of a constant, fold",
          "[onnx]") {
    // F.pad(x, (2, 4, 1, 3), mode="reflect") exports its pads through a constant [4,2] that a
    // Transpose makes [2,4]: [[0,0],[0,0],[1,3],[2,4]] -> [[0,0,1,2],[0,0,3,4]], flattened to
    // ONNX pads [0,0,1,2, 0,0,3,4] (H 1 and 3, W 2 and 4). [1,2,5,5] -> [2, 1+5+3, 2+5+4] =
    // [2,9,11], reflect (each pad <= 4 = extent - 1).
    model m;
    m.input("x", {1, 2, 5, 5}).ints("q", {0, 0, 0, 0, 1, 3, 2, 4}).ints("s42", {4, 2});
    m.ints("flat", {-1}).output("y");
    m.node("Reshape", {"q", "s42"}, {"q42"});
    attr(m.node("Transpose", {"q42"}, {"q24"}), "perm", shape_t{1, 0});
    m.node("Reshape", {"q24", "flat"}, {"pads"});
    attr_s(m.node("Pad", {"x", "pads"}, {"p"}, "pad"), "mode", "reflect");
    m.node("Relu", {"p"}, {"y"});
    graph g = m.import();
    const op &p = only(g, "pad");
    CHECK(p.attr_ints("pads", {}) == shape_t{0, 1, 2, 0, 3, 4});
    CHECK(out_shape(g, p) == shape_t{2, 9, 11});
    CHECK(compute_ops(g) == 2);
}

TEST_CASE("onnx: a BatchNormalization after a Concat is a per-channel mul and add of 2·C "
          "parameters",
          "[onnx]") {
    // DenseNet: x1, x2 [1,3,5,5] concatenated to [1,6,5,5], then BN (scale, B, mean, var of 6).
    // It becomes mul by [6,1,1] (the scale) and add of [6,1,1] (the bias): 6 + 6 = 12
    // parameters, the running statistics none; no MACs.
    model m;
    m.input("x1", {1, 3, 5, 5}).input("x2", {1, 3, 5, 5}).output("y");
    m.weight("g", {6}).weight("b", {6}).weight("mean", {6}).weight("var", {6});
    attr(m.node("Concat", {"x1", "x2"}, {"c"}), "axis", 1);
    m.node("BatchNormalization", {"c", "g", "b", "mean", "var"}, {"y"}, "norm");
    graph g = m.import();
    const op &mul = only(g, "mul");
    const op &add = only(g, "add");
    CHECK(g.tensors[mul.inputs[1]].shape == shape_t{6, 1, 1});
    CHECK(g.tensors[mul.inputs[1]].constant);
    CHECK(g.tensors[add.inputs[1]].shape == shape_t{6, 1, 1});
    CHECK(add.inputs[0] == mul.outputs[0]);
    CHECK(add.name == "norm");
    CHECK(out_shape(g, add) == shape_t{6, 5, 5});
    CHECK(g.total_params() == 12);
    CHECK(g.total_macs() == 0);

    // After a Relu on a vector [1,6] (BatchNorm1d): mul and add by [6], also 12 parameters.
    model v;
    v.input("x", {1, 6}).output("y");
    v.weight("g", {6}).weight("b", {6}).weight("mean", {6}).weight("var", {6});
    v.node("Relu", {"x"}, {"r"});
    v.node("BatchNormalization", {"r", "g", "b", "mean", "var"}, {"y"});
    graph gv = v.import();
    CHECK(gv.tensors[only(gv, "mul").inputs[1]].shape == shape_t{6});
    CHECK(gv.total_params() == 12);

    // Right after a conv it still folds (batchnorm = 1, no mul or add).
    model f;
    f.input("x", {1, 3, 5, 5}).weight("w", {6, 3, 1, 1}).output("y");
    f.weight("g", {6}).weight("b", {6}).weight("mean", {6}).weight("var", {6});
    f.node("Conv", {"x", "w"}, {"c"});
    f.node("BatchNormalization", {"c", "g", "b", "mean", "var"}, {"y"});
    graph gf = f.import();
    CHECK(compute_ops(gf) == 1);
    CHECK(only(gf, "conv2d").attr_int("batchnorm", 0) == 1);
}

TEST_CASE("onnx: batch=N stacks N images (batch_graph): N times the MACs", "[onnx]") {
    model m;
    m.input("x", {-1, 3, 16, 16}).weight("w", {4, 3, 3, 3}).output("y");
    attr(m.node("Conv", {"x", "w"}, {"y"}), "pads", shape_t{1, 1, 1, 1});
    const auto dir = std::filesystem::temp_directory_path() / "qcsim_onnx_batch";
    std::filesystem::create_directories(dir);
    const auto file = (dir / "conv.onnx").string();
    {
        std::ofstream f(file, std::ios::binary);
        f << m.m.SerializeAsString();
    }
    // 16·16·4·3·9 = 27,648 MACs per image.
    CHECK(build_workload(file).total_macs() == 27648);
    CHECK(build_workload(file + ":batch=3").total_macs() == 3 * 27648);
    CHECK_THROWS_AS(build_workload(file + ":batch=0"), sim::input_error);
    CHECK_THROWS_AS(build_workload(file + ":seq=4"), sim::input_error); // no such dimension
    std::filesystem::remove_all(dir);
}

TEST_CASE("onnx: unsupported operators are all listed with a node name; nothing is imported",
          "[onnx]") {
    model m;
    m.input("x", {1, 4}).output("y");
    m.node("Tanh", {"x"}, {"a"}, "act.tanh");
    m.node("Exp", {"a"}, {"b"}, "act.exp1");
    m.node("Exp", {"b"}, {"y"}, "act.exp2");
    const std::string e = import_error(m);
    CHECK(e.find("t.onnx: graph.node: 2 unsupported operator type(s)") != std::string::npos);
    CHECK(e.find("Tanh (node \"act.tanh\")") != std::string::npos);
    CHECK(e.find("Exp (node \"act.exp1\" and 1 more)") != std::string::npos);
}

TEST_CASE("onnx: a file that is not a ModelProto is an input error naming the file", "[onnx]") {
    CHECK_THROWS_WITH(import_onnx_bytes("\x0f\xff garbage", "bad.onnx"),
                      Catch::Contains("bad.onnx: $: not an ONNX model"));
    model m;
    m.input("x", {1, 4, 5, 5}).output("y");
    m.node("Relu", {"x"}, {"y"});
    const std::string bytes = m.m.SerializeAsString();
    CHECK_THROWS_AS(import_onnx_bytes(bytes.substr(0, bytes.size() / 2), "cut.onnx"),
                    sim::input_error);
    CHECK_THROWS_WITH(import_onnx("no/such/file.onnx"), Catch::Contains("no such file"));
}

#ifdef QCSIM_ONNX_NODE_TESTS
TEST_CASE("onnx: every libonnx-testdata node model made only of mapped operators imports",
          "[onnx][testdata]") {
    namespace fs = std::filesystem;
    std::set<std::string> mapped(onnx_supported_ops().begin(), onnx_supported_ops().end());
    int supported = 0, unsupported = 0, failed_other = 0;
    std::vector<std::string> failures;
    std::vector<fs::path> dirs;
    for (const auto &d : fs::directory_iterator(QCSIM_ONNX_NODE_TESTS))
        if (fs::exists(d.path() / "model.onnx"))
            dirs.push_back(d.path());
    std::sort(dirs.begin(), dirs.end());
    REQUIRE(dirs.size() > 100);
    for (const auto &d : dirs) {
        const std::string file = (d / "model.onnx").string();
        std::ifstream f(file, std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        onnx::ModelProto mp;
        REQUIRE(mp.ParseFromString(ss.str()));
        bool all_mapped = true;
        for (const auto &n : mp.graph().node())
            all_mapped = all_mapped && n.domain().empty() && mapped.count(n.op_type());
        for (const auto &v : mp.graph().input())
            all_mapped = all_mapped && v.type().has_tensor_type();
        for (const auto &v : mp.graph().output())
            all_mapped = all_mapped && (!v.has_type() || v.type().has_tensor_type());
        std::string err;
        try {
            import_onnx(file);
        } catch (const sim::input_error &e) {
            err = e.what();
        }
        if (!all_mapped) {
            ++unsupported;
            continue;
        }
        // Mapped types whose use here the graph cannot represent (a rank the graph lacks, a
        // broadcast, a mode) are refused by the same unsupported-operator error, never a crash
        // or another error.
        if (err.empty())
            ++supported;
        else if (err.find("unsupported operator type") != std::string::npos)
            ++failed_other, failures.push_back(d.filename().string() + ": " + err);
        else
            FAIL(d.filename().string() << ": " << err);
    }
    WARN("libonnx-testdata node models: " << dirs.size() << " in all; " << supported
                                          << " of only mapped operators imported, " << failed_other
                                          << " of only mapped types refused as unsupported uses, "
                                          << unsupported << " with other operators");
    if (std::getenv("QCSIM_ONNX_LIST"))
        for (const auto &f : failures)
            std::cout << f << "\n";
    CHECK(supported > 100);
    // Every 2-D ConvTranspose form and the dilated pool import, with the output shape of the
    // model's reference output (test_data_set_0/output_0.pb, computed by ONNX's reference
    // implementation), batch dropped.
    for (const char *name :
         {"test_convtranspose", "test_convtranspose_autopad_same", "test_convtranspose_dilations",
          "test_convtranspose_kernel_shape", "test_convtranspose_output_shape",
          "test_convtranspose_pad", "test_convtranspose_pads", "test_convtranspose_with_kernel",
          "test_maxpool_2d_dilations"}) {
        INFO(name);
        const fs::path d = fs::path(QCSIM_ONNX_NODE_TESTS) / name;
        std::ifstream f(d / "test_data_set_0" / "output_0.pb", std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        onnx::TensorProto ref;
        REQUIRE(ref.ParseFromString(ss.str()));
        REQUIRE(ref.dims_size() == 4);
        graph g = import_onnx((d / "model.onnx").string());
        CHECK(g.tensors[g.outputs[0]].shape == shape_t{ref.dims(1), ref.dims(2), ref.dims(3)});
    }
}
#endif

TEST_CASE("onnx: ConvBERT's Pad + Slice stack (official TF unfold) is one unfold", "[onnx]") {
    // x [1,T=6,C=4]; Pad 1 token at each end -> [1,8,4]; Slice j..j+6 for j = 0,1,2, each
    // Unsqueezed on axis 3, Concat on axis 3: [1,6,4,3] = unfold k 3, pad 1: [6, 4·3].
    model m;
    m.input("x", {1, 6, 4}).ints("pads", {0, 1, 0, 0, 1, 0}).ints("ax1", {1}).ints("ax3", {3});
    m.output("u");
    m.node("Pad", {"x", "pads"}, {"p"});
    std::vector<std::string> parts;
    for (int j = 0; j < 3; ++j) {
        const std::string s = "s" + std::to_string(j), u = "u" + std::to_string(j);
        m.ints("b" + std::to_string(j), {j}).ints("e" + std::to_string(j), {j + 6});
        m.node("Slice", {"p", "b" + std::to_string(j), "e" + std::to_string(j), "ax1"}, {s});
        m.node("Unsqueeze", {s, "ax3"}, {u});
        parts.push_back(u);
    }
    attr(m.node("Concat", parts, {"u"}), "axis", 3);
    graph g = m.import();
    REQUIRE(g.ops.size() == 1);
    const op &u = only(g, "unfold");
    CHECK(u.attr_int("kernel", 0) == 3);
    CHECK(u.attr_int("pad", -1) == 1);
    CHECK(out_shape(g, u) == shape_t{6, 12});
    CHECK(g.total_macs() == 0);
}

TEST_CASE("onnx: an activation is not fused into a conv whose output something else reads, "
          "even through a view",
          "[onnx]") {
    model m;
    m.input("x", {1, 4, 6, 6}).weight("w", {4, 4, 1, 1}).ints("ax", {0}).output("y");
    m.node("Conv", {"x", "w"}, {"c"});
    m.node("Squeeze", {"c", "ax"}, {"v"}); // a view of c: [4,6,6]
    m.node("Relu", {"c"}, {"r"});
    m.node("Unsqueeze", {"v", "ax"}, {"c2"});
    m.node("Add", {"r", "c2"}, {"y"}); // reads c (through the views) besides the Relu
    graph g = m.import();
    CHECK(only(g, "conv2d").attr_str("activation", "") == "none");
    CHECK(wltest::count_type(g, "relu") == 1);
    CHECK(wltest::count_type(g, "add") == 1);
}

TEST_CASE("onnx: ReduceMean over H and W is global_avgpool; a transposed weight stays a weight",
          "[onnx]") {
    model m;
    m.input("x", {1, 8, 5, 5}).weight("w", {10, 8}).output("y");
    auto &r = m.node("ReduceMean", {"x"}, {"mean"});
    attr(r, "axes", shape_t{2, 3});
    attr(r, "keepdims", 0);
    m.node("Transpose", {"w"}, {"wt"}); // [10,8] -> [8,10]: a Linear's W^T, exported unfolded
    m.node("MatMul", {"mean", "wt"}, {"y"});
    graph g = m.import();
    CHECK(out_shape(g, only(g, "global_avgpool")) == shape_t{8, 1, 1});
    // fc 8 -> 10: 80 MACs and 80 weights.
    CHECK(g.op_macs(only(g, "fc")) == 80);
    CHECK(g.total_params() == 80);
}

TEST_CASE("onnx: docs/workloads.md and README name every ONNX operator type the importer reads",
          "[onnx]") {
    const auto root = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
    auto slurp = [](const std::filesystem::path &p) {
        std::ifstream f(p, std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    };
    const std::string doc = slurp(root / "docs" / "workloads.md");
    const std::string readme = slurp(root / "README.md");
    REQUIRE_FALSE(doc.empty());
    for (const auto *list : {&onnx_supported_ops(), &onnx_pattern_ops(), &onnx_folded_ops()})
        for (const auto &t : *list) {
            INFO(t);
            CHECK(doc.find("`" + t + "`") != std::string::npos);
        }
    for (const auto &t : onnx_supported_ops()) {
        INFO(t);
        CHECK(readme.find(t) != std::string::npos);
    }
}

TEST_CASE("onnx: multi-head attention written with 4-D transposes is the graph's "
          "heads-interleaved matmuls",
          "[onnx]") {
    // T = 4 tokens, D = 8, H = 2 heads of 4: q, k, v [1,T,D] -> [1,T,H,4] -> heads.
    model m;
    m.input("q", {1, 4, 8}).input("k", {1, 4, 8}).input("v", {1, 4, 8});
    m.ints("split", {1, 4, 2, 4}).ints("merge", {1, 4, 8}).scalar("scale", 2.f).output("y");
    for (const char *t : {"q", "k", "v"})
        m.node("Reshape", {t, "split"}, {std::string(t) + "4"});
    attr(m.node("Transpose", {"q4"}, {"qh"}), "perm", shape_t{0, 2, 1, 3});
    attr(m.node("Transpose", {"k4"}, {"kh"}), "perm", shape_t{0, 2, 1, 3});
    attr(m.node("Transpose", {"kh"}, {"kt"}), "perm", shape_t{0, 1, 3, 2}); // k.transpose(-1,-2)
    attr(m.node("Transpose", {"v4"}, {"vh"}), "perm", shape_t{0, 2, 1, 3});
    m.node("MatMul", {"qh", "kt"}, {"s"});
    m.node("Div", {"s", "scale"}, {"ss"});
    attr(m.node("Softmax", {"ss"}, {"p"}), "axis", -1);
    m.node("MatMul", {"p", "vh"}, {"c"});
    attr(m.node("Transpose", {"c"}, {"ct"}), "perm", shape_t{0, 2, 1, 3});
    m.node("Reshape", {"ct", "merge"}, {"y"});
    graph g = m.import();
    // scores: matmul heads 2, transpose_b 1 on q [4,8], k [4,8]: [4, 2·4], H·T·T·dh = 128 MACs;
    // softmax group 4; context: matmul heads 2 on p [4,8], v [4,8]: [4,8], 128 MACs. Nothing
    // else: every transpose is a change of view, never data movement.
    REQUIRE(wltest::count_type(g, "matmul") == 2);
    CHECK(g.ops.size() == 3);
    CHECK(g.ops[0].attr_int("heads", 0) == 2);
    CHECK(g.ops[0].attr_int("transpose_b", 0) == 1);
    CHECK(g.ops[2].attr_int("transpose_b", 1) == 0);
    CHECK(only(g, "softmax").attr_int("group", 0) == 4);
    CHECK(out_shape(g, only(g, "softmax")) == shape_t{4, 8});
    CHECK(g.total_macs() == 256);
    CHECK(g.tensors[g.outputs[0]].shape == shape_t{4, 8});
}

TEST_CASE("onnx: an attention mask added to the scores folds into the softmax; a per-head mask "
          "is refused",
          "[onnx]") {
    // The attention above (T = 4, H = 2 heads of 4) with a mask added to the scaled scores
    // [1,2,4,4]: a key-padding mask computed from an input [1,4] as BERT's exporters write it
    // ((1 - m) · -10000, unsqueezed to [1,1,1,4]) or a constant causal mask [4,4]. Either is
    // folded into the softmax as the generators fold it: the same three operators, 256 MACs,
    // and no parameters (a mask is a buffer, not a parameter).
    auto attention = [](const std::string &kind) {
        model m;
        m.input("q", {1, 4, 8}).input("k", {1, 4, 8}).input("v", {1, 4, 8});
        m.ints("split", {1, 4, 2, 4}).ints("merge", {1, 4, 8}).scalar("scale", 2.f).output("y");
        for (const char *t : {"q", "k", "v"})
            m.node("Reshape", {t, "split"}, {std::string(t) + "4"});
        attr(m.node("Transpose", {"q4"}, {"qh"}), "perm", shape_t{0, 2, 1, 3});
        attr(m.node("Transpose", {"k4"}, {"kt"}), "perm", shape_t{0, 2, 3, 1});
        attr(m.node("Transpose", {"v4"}, {"vh"}), "perm", shape_t{0, 2, 1, 3});
        m.node("MatMul", {"qh", "kt"}, {"s"});
        m.node("Div", {"s", "scale"}, {"ss"});
        if (kind == "padding") {
            m.input("mask", {1, 4}).scalar("one", 1.f).scalar("big", -10000.f);
            m.ints("ax", {1, 2});
            m.node("Unsqueeze", {"mask", "ax"}, {"m4"});
            m.node("Sub", {"one", "m4"}, {"inv"});
            m.node("Mul", {"inv", "big"}, {"bias"});
            m.node("Add", {"ss", "bias"}, {"sm"}, "add_mask");
        } else if (kind == "causal") {
            m.weight("causal", {4, 4});
            m.node("Add", {"ss", "causal"}, {"sm"}, "add_mask");
        } else {
            m.weight("per_head", {2, 4, 4});
            m.node("Add", {"ss", "per_head"}, {"sm"}, "add_mask");
        }
        attr(m.node("Softmax", {"sm"}, {"p"}), "axis", -1);
        m.node("MatMul", {"p", "vh"}, {"c"});
        attr(m.node("Transpose", {"c"}, {"ct"}), "perm", shape_t{0, 2, 1, 3});
        m.node("Reshape", {"ct", "merge"}, {"y"});
        return m;
    };
    for (const std::string kind : {"padding", "causal"}) {
        INFO(kind);
        graph g = attention(kind).import();
        CHECK(g.ops.size() == 3);
        CHECK(wltest::count_type(g, "matmul") == 2);
        CHECK(only(g, "softmax").attr_int("group", 0) == 4);
        CHECK(g.total_macs() == 256);
        CHECK(g.total_params() == 0);
    }
    const std::string e = import_error(attention("per_head"));
    CHECK(e.find("Add (node \"add_mask\"): a mask [2,4,4] added to attention scores") !=
          std::string::npos);
}

#ifdef QCSIM_ONNX_NODE_TESTS
TEST_CASE("onnx: damaged node models are input errors, never crashes (fixed-seed mutations)",
          "[onnx][testdata]") {
    // Bytes of the node models of mapped operator types overwritten at random (1-4 bytes, and
    // every 10th cut short): each import must return a graph or throw sim::input_error. The
    // ASan/UBSan build runs the same (scripts/test.sh --sanitize).
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (const auto &d : fs::directory_iterator(QCSIM_ONNX_NODE_TESTS))
        for (const char *p : {"test_conv", "test_convtranspose", "test_gemm", "test_matmul",
                              "test_maxpool", "test_averagepool", "test_softmax", "test_slice",
                              "test_split", "test_layer_normalization", "test_transpose",
                              "test_reshape", "test_resize", "test_gather", "test_pad"})
            if (d.path().filename().string().rfind(p, 0) == 0 &&
                fs::exists(d.path() / "model.onnx"))
                files.push_back(d.path() / "model.onnx");
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() > 50);
    std::uint64_t state = 88172645463325252ull; // xorshift64: the same bytes on every run
    auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    int imported = 0, refused = 0;
    for (const auto &f : files) {
        std::ifstream in(f, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string base = ss.str();
        for (int k = 0; k < 40; ++k) {
            std::string b = base;
            for (int j = 0, flips = 1 + int(next() % 4); j < flips; ++j)
                b[next() % b.size()] = char(next());
            if (k % 10 == 0)
                b.resize(next() % b.size());
            try {
                import_onnx_bytes(b, "damaged.onnx");
                ++imported;
            } catch (const sim::input_error &) {
                ++refused;
            }
        }
    }
    CHECK(imported + refused == int(files.size()) * 40);
}
#endif
