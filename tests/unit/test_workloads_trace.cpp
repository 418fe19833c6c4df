// The "qcsim.trace/1" reader and writer: exact round trips, and one rejected input per rule,
// each naming the file and the JSON path of the fault.

#include "workloads/generators.h"
#include "workloads/trace.h"

#include "sim/errors.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

using namespace workloads;
using nlohmann::json;

namespace {

std::filesystem::path temp_dir() {
    auto d = std::filesystem::temp_directory_path() / "qcsim_test_workloads";
    std::filesystem::create_directories(d);
    return d;
}

std::string slurp(const std::filesystem::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// x [3,8,8] --conv 3x3 s2 p1 (4 filters)--> y [4,4,4]: (8 + 1 + 1 - 3) / 2 + 1 = 4.
json base() {
    return json::parse(R"({"schema":"qcsim.trace/1","name":"t",
      "tensors":[{"name":"x","shape":[3,8,8]},
                 {"name":"w","shape":[4,3,3,3],"constant":true},
                 {"name":"y","shape":[4,4,4]}],
      "ops":[{"name":"c","type":"conv2d","inputs":["x","w"],"outputs":["y"],
              "attrs":{"kernel":[3,3],"stride":[2,2],"pad":[1,1,1,1]}}],
      "inputs":["x"],"outputs":["y"]})");
}

/// Parses `j` and expects an input_error at `path` whose message contains `fragment`.
void expect_error(const json &j, const std::string &path, const std::string &fragment) {
    try {
        parse_trace(j, "t.json");
        FAIL("accepted, expected an error at " << path);
    } catch (const sim::input_error &e) {
        INFO(e.what());
        CHECK(e.file() == "t.json");
        CHECK(e.json_path() == path);
        CHECK(std::string(e.what()).find("t.json: " + path + ": ") == 0);
        CHECK(std::string(e.what()).find(fragment) != std::string::npos);
    }
}

} // namespace

TEST_CASE("trace: a well-formed trace reads with defaults int8 and non-constant", "[workloads]") {
    graph g = parse_trace(base(), "t.json");
    REQUIRE(g.tensors.size() == 3);
    CHECK(g.tensors[0].type == dtype::int8);
    CHECK_FALSE(g.tensors[0].constant);
    CHECK(g.tensors[1].constant);
    CHECK(g.ops[0].attr_ints("stride", {}) == std::vector<std::int64_t>{2, 2});
    // 4·4·4 outputs · 3·3·3 = 1,728 MACs.
    CHECK(g.total_macs() == 1728);
}

TEST_CASE("trace: write -> read -> write is byte-identical for the vision networks",
          "[workloads]") {
    for (const char *spec :
         {"mobilenext", "mobilenetv2", "mobilenext:identity_div=2,width=0.75", "resnet50", "reid",
          "mobilefacenet:scale=2", "ssdlite", "ssdlite:backbone=mobilenetv2,config=coco"}) {
        INFO(spec);
        graph g = build_workload(spec);
        auto p1 = temp_dir() / "a.json", p2 = temp_dir() / "b.json";
        write_trace(g, p1.string());
        graph back = read_trace(p1.string());
        write_trace(back, p2.string());
        CHECK(slurp(p1) == slurp(p2));
        CHECK(to_json(back) == to_json(g));
        CHECK(back.name == g.name);
        CHECK(back.total_macs() == g.total_macs());
        CHECK(back.total_params() == g.total_params());
        // A spec that is a path reads the trace.
        CHECK(to_json(build_workload(p1.string())) == to_json(g));
    }
}

TEST_CASE("trace: malformed JSON names the line and byte", "[workloads]") {
    // Line 3 is missing its colon.
    const std::string text = "{\n  \"schema\": \"qcsim.trace/1\",\n  \"name\" \"t\"\n}";
    try {
        parse_trace_text(text, "t.json");
        FAIL("accepted malformed JSON");
    } catch (const sim::input_error &e) {
        INFO(e.what());
        CHECK(e.file() == "t.json");
        CHECK(std::string(e.what()).find("line 3") != std::string::npos);
        CHECK(std::string(e.what()).find("byte") != std::string::npos);
    }
    CHECK_THROWS_AS(read_trace((temp_dir() / "does_not_exist.json").string()), sim::input_error);
}

TEST_CASE("trace: schema is required and must be qcsim.trace/1", "[workloads]") {
    json j = base();
    j.erase("schema");
    expect_error(j, "schema", "missing");
    j["schema"] = "qcsim.trace/2";
    expect_error(j, "schema", "qcsim.trace/1");
    j["schema"] = 1;
    expect_error(j, "schema", "qcsim.trace/1");
}

TEST_CASE("trace: unknown keys are rejected with the nearest valid key", "[workloads]") {
    json j = base();
    j["nmae"] = "x";
    expect_error(j, "nmae", "did you mean \"name\"");
    j = base();
    j["tensors"][1]["constnt"] = true;
    expect_error(j, "tensors[1].constnt", "did you mean \"constant\"");
    j = base();
    j["ops"][0]["atrs"] = json::object();
    expect_error(j, "ops[0].atrs", "did you mean \"attrs\"");
}

TEST_CASE("trace: wrong types name the element", "[workloads]") {
    json j = base();
    j["tensors"][0]["shape"][1] = "8";
    expect_error(j, "tensors[0].shape[1]", "expected an integer");
    j = base();
    j["tensors"][1]["constant"] = 1;
    expect_error(j, "tensors[1].constant", "true or false");
    j = base();
    j["tensors"][0]["dtype"] = "int9";
    expect_error(j, "tensors[0].dtype", "did you mean \"int8\"");
    j = base();
    j["ops"][0]["inputs"] = "x";
    expect_error(j, "ops[0].inputs", "expected an array");
    j = base();
    j["ops"][0]["attrs"]["stride"] = 2;
    expect_error(j, "ops[0].attrs.stride", "expected an array of integers");
    j = base();
    j["ops"][0]["attrs"]["stride"] = {2, "2"};
    expect_error(j, "ops[0].attrs.stride[1]", "expected an integer");
    j = base();
    j["ops"][0]["attrs"]["stride"] = {2};
    expect_error(j, "ops[0].attrs.stride", "expected 2 integers");
}

TEST_CASE("trace: dimensions must be positive", "[workloads]") {
    json j = base();
    j["tensors"][2]["shape"][0] = 0;
    expect_error(j, "tensors[2].shape[0]", "positive");
    j["tensors"][2]["shape"][0] = -4;
    expect_error(j, "tensors[2].shape[0]", "positive");
    j["tensors"][2]["shape"] = json::array();
    expect_error(j, "tensors[2].shape", "at least one dimension");
}

TEST_CASE("trace: names are unique and references resolve", "[workloads]") {
    json j = base();
    j["tensors"][2]["name"] = "w";
    expect_error(j, "tensors[2].name", "duplicate");
    j = base();
    j["ops"][0]["inputs"][1] = "ww";
    expect_error(j, "ops[0].inputs[1]", "unknown tensor \"ww\" (did you mean \"w\"?)");
    j = base();
    j["outputs"][0] = "z";
    expect_error(j, "outputs[0]", "unknown tensor");
    j = base();
    j["ops"].push_back(j["ops"][0]);
    j["ops"][1]["outputs"][0] = "x";
    expect_error(j, "ops[1].name", "duplicate operator name");
}

TEST_CASE("trace: a tensor is produced once, before it is used", "[workloads]") {
    // relu y -> z placed before the conv that produces y.
    json j = base();
    j["tensors"].push_back({{"name", "z"}, {"shape", {4, 4, 4}}});
    j["ops"].insert(j["ops"].begin(),
                    json{{"name", "r"}, {"type", "relu"}, {"inputs", {"y"}}, {"outputs", {"z"}}});
    expect_error(j, "ops[0].inputs[0]", "used before it is produced");
    // The same two operators in order are accepted.
    std::swap(j["ops"][0], j["ops"][1]);
    CHECK_NOTHROW(parse_trace(j, "t.json"));
    // Produced twice.
    j["ops"][1]["outputs"][0] = "y";
    j["ops"][1]["inputs"][0] = "x";
    expect_error(j, "ops[1].outputs[0]", "produced twice");
    // A network input cannot be produced; a constant cannot be either.
    j = base();
    j["ops"][0]["outputs"][0] = "x";
    expect_error(j, "ops[0].outputs[0]", "network input");
}

TEST_CASE("trace: unknown operator types and attributes suggest the nearest", "[workloads]") {
    json j = base();
    j["ops"][0]["type"] = "conv2";
    expect_error(j, "ops[0].type", "did you mean \"conv2d\"");
    j = base();
    j["ops"][0]["attrs"]["strides"] = {2, 2};
    expect_error(j, "ops[0].attrs.strides", "did you mean \"stride\"");
    j = base();
    j["ops"][0]["attrs"]["axis"] = 0; // an attribute of another operator type
    expect_error(j, "ops[0].attrs.axis", "unknown attribute for conv2d");
}

TEST_CASE("trace: conv2d shapes must agree", "[workloads]") {
    json j = base();
    // Declared output [4,5,5], the rule gives [4,4,4].
    j["tensors"][2]["shape"] = {4, 5, 5};
    expect_error(j, "ops[0].outputs[0]", "expected [4,4,4]");
    // Stride 1 on each side of the boundary: (8 + 2 - 3) / 1 + 1 = 8.
    j = base();
    j["ops"][0]["attrs"]["stride"] = {1, 1};
    expect_error(j, "ops[0].outputs[0]", "expected [4,8,8]");
    j["tensors"][2]["shape"] = {4, 8, 8};
    CHECK_NOTHROW(parse_trace(j, "t.json"));
    // Weight Cin/groups: w [4,2,3,3] against Cin 3.
    j = base();
    j["tensors"][1]["shape"] = {4, 2, 3, 3};
    expect_error(j, "ops[0].inputs[1]", "Cin/groups = 3");
    // groups 2 does not divide Cin 3.
    j = base();
    j["ops"][0]["attrs"]["groups"] = 2;
    expect_error(j, "ops[0].attrs.groups", "does not divide Cin 3");
    // kernel must be given and match w.
    j = base();
    j["ops"][0]["attrs"].erase("kernel");
    expect_error(j, "ops[0].attrs.kernel", "missing required");
    j = base();
    j["ops"][0]["attrs"]["kernel"] = {1, 1};
    expect_error(j, "ops[0].inputs[1]", "attrs.kernel");
    j = base();
    j["ops"][0]["attrs"]["activation"] = "rellu6";
    expect_error(j, "ops[0].attrs.activation", "did you mean \"relu6\"");
    j = base();
    j["ops"][0]["attrs"]["batchnorm"] = 2;
    expect_error(j, "ops[0].attrs.batchnorm", "[0, 1]");
}

TEST_CASE("trace: partial add combines channel_begin..channel_end of a with b", "[workloads]") {
    // a = y [4,4,4], b = s [2,4,4] added to channels 2..4.
    json j = base();
    j["tensors"].push_back({{"name", "s"}, {"shape", {2, 4, 4}}});
    j["tensors"].push_back({{"name", "o"}, {"shape", {4, 4, 4}}});
    j["inputs"].push_back("s");
    j["ops"].push_back({{"name", "a"},
                        {"type", "add"},
                        {"inputs", {"y", "s"}},
                        {"outputs", {"o"}},
                        {"attrs", {{"channel_begin", 2}, {"channel_end", 4}}}});
    j["outputs"] = {"o"};
    CHECK_NOTHROW(parse_trace(j, "t.json")); // end == C: accepted
    j["ops"][1]["attrs"]["channel_end"] = 5; // end == C + 1
    expect_error(j, "ops[1].attrs.channel_end", "<= C = 4");
    j["ops"][1]["attrs"] = {{"channel_begin", 1}, {"channel_end", 4}}; // 3 channels, b has 2
    expect_error(j, "ops[1].inputs[1]", "expected b [3,4,4]");
    j["ops"][1]["attrs"] = json::object(); // without attributes the shapes must broadcast
    expect_error(j, "ops[1].inputs[1]", "broadcasts with a [4,4,4]");
}

TEST_CASE("trace: other operator shape rules", "[workloads]") {
    graph g;
    auto t = [&](const char *n, std::vector<std::int64_t> s, bool c = false) {
        return g.add_tensor({n, std::move(s), dtype::int8, c});
    };
    int x = t("x", {8, 7, 7}), a = t("a", {2, 5, 6}), b = t("b", {2, 6, 3}),
        w = t("w", {10, 392}, true);
    auto shape = [&](const char *type, std::vector<int> in, std::map<std::string, attr_value> at) {
        op o;
        o.type = type;
        o.inputs = std::move(in);
        o.attrs = std::move(at);
        return infer_output_shape(g, o);
    };
    using v = std::vector<std::int64_t>;
    // Batched matmul [2,5,6]·[2,6,3] = [2,5,3].
    CHECK(shape("matmul", {a, b}, {}) == v{2, 5, 3});
    CHECK_THROWS_AS(shape("matmul", {b, a}, {}), op_error); // K 3 != 5
    // fc flattens 8·7·7 = 392 inputs.
    CHECK(shape("fc", {x, w}, {}) == v{10});
    CHECK(shape("global_avgpool", {x}, {}) == v{8, 1, 1});
    // resize: [8,7,7] to any size up to 64 times H and W (up, down, fractional); modes
    // nearest, linear, cubic.
    CHECK(shape("resize", {x}, {{"size", v{14, 21}}, {"mode", std::string("linear")}}) ==
          v{8, 14, 21});
    CHECK(shape("resize", {x}, {{"size", v{7, 7}}}) == v{8, 7, 7});
    CHECK(shape("resize", {x}, {{"size", v{15, 3}}, {"mode", std::string("cubic")}}) ==
          v{8, 15, 3});
    CHECK(shape("resize", {x}, {{"size", v{1, 448}}, {"mode", std::string("nearest")}}) ==
          v{8, 1, 448}); // 448 = 64 · 7
    CHECK_THROWS_WITH(shape("resize", {x}, {{"size", v{449, 7}}}), Catch::Contains("at most 64"));
    CHECK_THROWS_AS(shape("resize", {x}, {{"size", v{14, 0}}}), op_error);
    CHECK_THROWS_AS(shape("resize", {x}, {}), op_error); // size is required
    CHECK_THROWS_WITH(shape("resize", {x}, {{"size", v{14, 14}}, {"mode", std::string("area")}}),
                      Catch::Contains("expected \"nearest\""));
    // maxpool 3x3 s2 no pad over 7: (7 - 3) / 2 + 1 = 3; kernel 7 gives 1, kernel 8 too large.
    CHECK(shape("maxpool", {x}, {{"kernel", v{3, 3}}, {"stride", v{2, 2}}}) == v{8, 3, 3});
    CHECK(shape("avgpool", {x}, {{"kernel", v{7, 7}}}) == v{8, 1, 1});
    CHECK_THROWS_AS(shape("avgpool", {x}, {{"kernel", v{8, 8}}}), op_error);
    // slice channels 2..8 of 8 is fine, 2..9 is not.
    CHECK(
        shape("slice", {x},
              {{"axis", std::int64_t{0}}, {"begin", std::int64_t{2}}, {"end", std::int64_t{8}}}) ==
        v{6, 7, 7});
    CHECK_THROWS_AS(shape("slice", {x}, {{"begin", std::int64_t{2}}, {"end", std::int64_t{9}}}),
                    op_error);
    CHECK(shape("concat", {x, x}, {{"axis", std::int64_t{0}}}) == v{16, 7, 7});
    CHECK_THROWS_AS(shape("concat", {x, a}, {}), op_error);
    CHECK(shape("flatten", {x}, {}) == v{392});
    CHECK(shape("reshape", {x}, {{"shape", v{56, 7}}}) == v{56, 7});
    CHECK_THROWS_AS(shape("reshape", {x}, {{"shape", v{56, 8}}}), op_error);
    CHECK(shape("relu6", {x}, {}) == v{8, 7, 7});
    CHECK_THROWS_AS(shape("relu6", {x, x}, {}), op_error); // one input only
}

TEST_CASE("trace: docs/workloads.md names every operator type and attribute", "[workloads]") {
    // tests/unit/<this file> -> <repo>/docs/workloads.md
    auto doc_path = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() /
                    "docs" / "workloads.md";
    const std::string doc = slurp(doc_path);
    REQUIRE_FALSE(doc.empty());
    for (const auto &r : op_rules()) {
        CHECK(doc.find("`" + std::string(r.type) + "`") != std::string::npos);
        for (const auto &a : r.attrs)
            CHECK(doc.find("`" + std::string(a.name) + "`") != std::string::npos);
    }
    for (const auto &gen : generators())
        for (const auto &p : gen.params)
            CHECK(doc.find("`" + p.name + "`") != std::string::npos);
}

TEST_CASE("trace: sizes are bounded, with overflow-safe arithmetic (docs/workloads.md Limits)",
          "[workloads][limits]") {
    // 2^32 elements is the largest tensor: [65536, 65536] passes the tensor check (and then
    // fails only because the conv's output disagrees), [65536, 65537] does not.
    json j = base();
    j["tensors"][0]["shape"] = {1, 65536, 65536};
    try {
        parse_trace(j, "t.json");
    } catch (const sim::input_error &e) {
        CHECK(std::string(e.what()).find("per tensor") == std::string::npos);
    }
    j["tensors"][0]["shape"] = {1, 65536, 65537};
    expect_error(j, "tensors[0].shape", "4295032832 elements, more than the limit of 2^32");
    // A product that does not fit 64 bits saturates instead of wrapping to a small number.
    j["tensors"][0]["shape"] = {4294967296, 4294967296, 4};
    expect_error(j, "tensors[0].shape", "2^63 - 1 or more elements");
    j["tensors"][0]["shape"] = json::parse("[18446744073709551615]");
    expect_error(j, "tensors[0].shape[0]", "below 2^63");
    // Attributes are bounded too, so that kernel · channels cannot overflow.
    json u = json::parse(R"({"schema":"qcsim.trace/1","name":"u",
      "tensors":[{"name":"x","shape":[4,8]},{"name":"y","shape":[4,8]}],
      "ops":[{"name":"u","type":"unfold","inputs":["x"],"outputs":["y"],
              "attrs":{"kernel":4611686018427387905}}],
      "inputs":["x"],"outputs":["y"]})");
    expect_error(u, "ops[0].attrs.kernel", "at most 2^32");
    u["ops"][0]["attrs"]["kernel"] = 4294967297;
    expect_error(u, "ops[0].attrs.kernel", "at most 2^32");
    // At the bound the product 8 · 2^32 is computed exactly and disagrees with y.
    u["ops"][0]["attrs"]["kernel"] = 4294967295;
    expect_error(u, "ops[0].outputs[0]", "[4,34359738360]");
}

TEST_CASE("graph: MACs and element counts saturate instead of overflowing", "[workloads][limits]") {
    graph g;
    tensor t;
    t.shape = {4294967296, 4294967296};
    CHECK(t.elements() == std::numeric_limits<std::int64_t>::max());
    t.shape = {65536, 65536};
    CHECK(t.elements() == std::int64_t(1) << 32);
    // fc over x of 2^32 elements into 2^32 outputs: 2^64 MACs do not fit.
    int x = g.add_tensor({"x", {65536, 65536}, dtype::int8, false});
    int w = g.add_tensor({"w", {4294967296, 4294967296}, dtype::int8, true});
    int y = g.add_tensor({"y", {4294967296}, dtype::int8, false});
    op o;
    o.type = "fc";
    o.inputs = {x, w};
    o.outputs = {y};
    g.ops.push_back(o);
    CHECK(g.op_macs(o) == std::numeric_limits<std::int64_t>::max());
    g.ops.push_back(o);
    CHECK(g.total_macs() == std::numeric_limits<std::int64_t>::max());
    CHECK(g.total_params() == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("trace: a dilated conv2d's window spans (k-1)·d+1 rows; its MACs are the undilated "
          "kernel's",
          "[workloads]") {
    // x [3,8,8], w [4,3,3,3], dilation 2, stride 1, no pad: extent (3-1)·2+1 = 5, out
    // (8 - 5)/1 + 1 = 4 -> [4,4,4]; MACs 4·4·4·3·3·3 = 1,728 (kh·kw taps per output, spaced).
    json j = base();
    j["tensors"][2]["shape"] = {4, 4, 4};
    j["ops"][0]["attrs"] = {{"kernel", {3, 3}}, {"dilation", {2, 2}}};
    graph g = parse_trace(j, "t.json");
    CHECK(g.total_macs() == 4 * 4 * 4 * 3 * 3 * 3);
    // Asymmetric: dilation [1,3], pad [1,0,1,0]: H (8+2-3)+1 = 8, W extent 7: (8-7)+1 = 2.
    j["tensors"][2]["shape"] = {4, 8, 2};
    j["ops"][0]["attrs"] = {{"kernel", {3, 3}}, {"dilation", {1, 3}}, {"pad", {1, 0, 1, 0}}};
    CHECK(parse_trace(j, "t.json").total_macs() == 4 * 8 * 2 * 27);
    // Dilation 4: extent 9 > 8, the window does not fit; dilation 0 is refused.
    j["ops"][0]["attrs"] = {{"kernel", {3, 3}}, {"dilation", {4, 1}}};
    expect_error(j, "ops[0].attrs.kernel", "with dilation 4 (extent 9) is larger than the padded");
    j["ops"][0]["attrs"] = {{"kernel", {3, 3}}, {"dilation", {0, 1}}};
    expect_error(j, "ops[0].attrs.dilation[0]", "expected an integer >= 1");
    // maxpool with dilation 2, kernel 2 over 8: extent 3, (8-3)/1+1 = 6.
    j = base();
    j["tensors"] = {{{"name", "x"}, {"shape", {3, 8, 8}}}, {{"name", "y"}, {"shape", {3, 6, 6}}}};
    j["ops"] = {{{"name", "p"},
                 {"type", "maxpool"},
                 {"inputs", {"x"}},
                 {"outputs", {"y"}},
                 {"attrs", {{"kernel", {2, 2}}, {"dilation", {2, 2}}}}}};
    CHECK_NOTHROW(parse_trace(j, "t.json"));
}

TEST_CASE("trace: conv_transpose2d follows ONNX's output formula; MACs are Hin·Win·Cin·(Cout/g)·"
          "kh·kw",
          "[workloads]") {
    // x [4,5,5], w [4,3,3,3] (Cin, Cout/groups, kh, kw), stride 2, pad 1 each side,
    // output_padding 1: (5-1)·2 + (3-1)·1 + 1 - 1 - 1 + 1 = 9 + 1 = 10 -> [3,10,10].
    // MACs: every input pixel times every tap, 5·5·4·3·3·3 = 2,700; params 4·3·3·3 = 108.
    auto make = [](json attrs, std::vector<std::int64_t> y, std::vector<std::int64_t> w) {
        json j = {{"schema", "qcsim.trace/1"},
                  {"name", "t"},
                  {"tensors",
                   {{{"name", "x"}, {"shape", {4, 5, 5}}},
                    {{"name", "w"}, {"shape", w}, {"constant", true}},
                    {{"name", "y"}, {"shape", y}}}},
                  {"ops",
                   {{{"name", "up"},
                     {"type", "conv_transpose2d"},
                     {"inputs", {"x", "w"}},
                     {"outputs", {"y"}},
                     {"attrs", attrs}}}},
                  {"inputs", {"x"}},
                  {"outputs", {"y"}}};
        return j;
    };
    const json a = {
        {"kernel", {3, 3}}, {"stride", {2, 2}}, {"pad", {1, 1, 1, 1}}, {"output_padding", {1, 1}}};
    graph g = parse_trace(make(a, {3, 10, 10}, {4, 3, 3, 3}), "t.json");
    CHECK(g.total_macs() == 2700);
    CHECK(g.total_params() == 108);
    // groups 2: w [4, 3/... Cout/g = 3, Cout 6]: MACs 5·5·4·3·9 = 2,700 again (Cin·Cout/g).
    json a2 = a;
    a2["groups"] = 2;
    CHECK(parse_trace(make(a2, {6, 10, 10}, {4, 3, 3, 3}), "t.json").total_macs() == 2700);
    // dilation 2, no pads: (5-1)·2 + (3-1)·2 + 1 = 13.
    CHECK(parse_trace(make({{"kernel", {3, 3}}, {"stride", {2, 2}}, {"dilation", {2, 2}}},
                           {3, 13, 13}, {4, 3, 3, 3}),
                      "t.json")
              .total_macs() == 2700);
    // Refused: output_padding = stride (must be < max(stride, dilation)), pads that crop the
    // whole output, w's dimension 0 not Cin, an output shape off by one.
    json bad = a;
    bad["output_padding"] = {2, 0};
    expect_error(make(bad, {3, 11, 10}, {4, 3, 3, 3}), "ops[0].attrs.output_padding[0]",
                 "< max(stride, dilation) = 2");
    expect_error(make({{"kernel", {3, 3}}, {"pad", {4, 0, 4, 0}}}, {3, 1, 7}, {4, 3, 3, 3}),
                 "ops[0].attrs.pad", "crop the whole height 7");
    expect_error(make(a, {3, 10, 10}, {3, 4, 3, 3}), "ops[0].inputs[1]",
                 "expected dimension 0 = Cin = 4");
    expect_error(make(a, {3, 10, 11}, {4, 3, 3, 3}), "ops[0].outputs[0]", "expected [3,10,10]");
}
