// The sweep spec (ops/sweep.h): its point sets derived by hand for small cases, and bad specs.
#include "ops/power.h"
#include "ops/sweep.h"
#include "ops/sweep_expr.h"
#include "sim/errors.h"

#include <catch2/catch.hpp>

#include <set>

using namespace ops;
using nlohmann::json;

namespace {
sweep_spec spec(const std::string &params, const std::string &sampling = "{}") {
    return parse_sweep(R"({"schema": "qcsim.sweep/1", "parameters": )" + params +
                           R"(, "sampling": )" + sampling + "}",
                       "s.json");
}
std::string error_of(const std::string &text) {
    try {
        parse_sweep(text, "s.json");
    } catch (const sim::input_error &e) {
        return e.json_path() + ": " + e.what();
    }
    return "";
}
} // namespace

TEST_CASE("sweep: a grid is the cartesian product, the last parameter fastest", "[ops][sweep]") {
    const auto s = spec(R"([{"path": "dram.channels", "values": [1, 2]},
                           {"path": "compiler.depthwise", "values": ["vector_unit", "mac_array"]},
                           {"path": "workload.mobilenext.identity_div", "values": [1, 2, 4]}])");
    const auto pts = sweep_points(s);
    REQUIRE(pts.size() == 12); // 2 x 2 x 3
    CHECK(pts[0] == sweep_point{{"dram.channels", 1},
                                {"compiler.depthwise", "vector_unit"},
                                {"workload.mobilenext.identity_div", 1}});
    CHECK(pts[1][2].second == 2);
    CHECK(pts[2][2].second == 4);
    CHECK(pts[3][1].second == "mac_array"); // the middle parameter after 3 points
    CHECK(pts[6][0].second == 2);           // the first after 2 x 3
    CHECK(pts[11] == sweep_point{{"dram.channels", 2},
                                 {"compiler.depthwise", "mac_array"},
                                 {"workload.mobilenext.identity_div", 4}});
    CHECK(s.workloads.size() == 1); // default: MobileNeXt
    CHECK(s.objectives == std::vector<std::string>{"cycles", "energy_uj", "area_mm2"});
}

TEST_CASE("sweep: linear and log ranges, integer keys rounded; tied keys move together",
          "[ops][sweep]") {
    // log 32 .. 256 in 4 steps: 32 * 8^(i/3) = 32, 64, 128, 256.
    auto s = spec(R"([{"path": "vector_unit.lanes",
                       "range": {"from": 32, "to": 256, "steps": 4, "scale": "log"}}])");
    REQUIRE(s.params[0].values.size() == 4);
    CHECK(s.params[0].values[1][0] == 64);
    CHECK(s.params[0].values[3][0] == 256);
    // linear 0.25 .. 1.0 in 4 steps of a number key: 0.25, 0.5, 0.75, 1.0.
    s = spec(R"([{"path": "scratchpad.residency_fraction",
                  "range": {"from": 0.25, "to": 1.0, "steps": 4}}])");
    CHECK(s.params[0].values[2][0].get<double>() == Approx(0.75));
    // rows and cols together: 3 points, not 9.
    s = spec(R"([{"paths": ["mac_array.rows", "mac_array.cols"],
                  "values": [[16, 16], [32, 32], [64, 32]]}])");
    const auto pts = sweep_points(s);
    REQUIRE(pts.size() == 3);
    CHECK(pts[2] == sweep_point{{"mac_array.rows", 64}, {"mac_array.cols", 32}});
}

TEST_CASE("sweep: Latin hypercube covers every stratum of every parameter once; random and lhs "
          "are fixed by the seed",
          "[ops][sweep]") {
    // 4 points over 8 and 4 values: the first parameter's strata map to values 0, 2, 4, 6
    // (s * 8 / 4) and the second's to 0, 1, 2, 3, each exactly once.
    const std::string params = R"([{"path": "dram.channels", "values": [1, 2, 3, 4, 5, 6, 7, 8]},
                                    {"path": "dma.engines", "values": [1, 2, 3, 4]}])";
    const auto s = spec(params, R"({"method": "lhs", "seed": 7, "max_points": 4})");
    const auto pts = sweep_points(s);
    REQUIRE(pts.size() == 4);
    std::multiset<int> a, b;
    for (const auto &p : pts) {
        a.insert(p[0].second.get<int>());
        b.insert(p[1].second.get<int>());
    }
    CHECK(a == std::multiset<int>{1, 3, 5, 7});
    CHECK(b == std::multiset<int>{1, 2, 3, 4});
    CHECK(sweep_points(s) == pts); // same seed, same points
    const auto other =
        sweep_points(spec(params, R"({"method": "lhs", "seed": 8, "max_points": 4})"));
    CHECK(other.size() == 4);
    const auto r = spec(params, R"({"method": "random", "seed": 3, "max_points": 50})");
    const auto rp = sweep_points(r);
    REQUIRE(rp.size() == 50);
    CHECK(sweep_points(r) == rp);
    std::set<int> seen;
    for (const auto &p : rp)
        seen.insert(p[0].second.get<int>());
    CHECK(seen.size() >= 6); // 50 draws of 8 values: all but a few appear
}

TEST_CASE("sweep: bad specs name the JSON path", "[ops][sweep]") {
    const std::string head = R"({"schema": "qcsim.sweep/1", )";
    struct bad {
        std::string text, path;
    };
    const std::vector<bad> cases = {
        {head + R"("parameters": [{"path": "dram.chanels", "values": [1]}]})",
         "parameters[0].path"},
        {head +
             R"("parameters": [{"path": "dram.channels", "range": {"from": 1, "to": 4, "steps": 0}}]})",
         "parameters[0].range.steps"},
        {head +
             R"("parameters": [{"path": "dram.channels", "range": {"from": 1, "to": 2, "steps": 5}}]})",
         "parameters[0].range.steps"},
        {head + R"("parameters": [{"path": "dram.channels", "values": ["two"]}]})",
         "parameters[0].values[0]"},
        {head + R"("parameters": [{"path": "workload.mobilenext.depth", "values": [1]}]})",
         "parameters[0].path"},
        {head +
             R"("parameters": [{"paths": ["mac_array.rows", "mac_array.cols"], "values": [[16]]}]})",
         "parameters[0].values[0]"},
        {head +
             R"("parameters": [{"path": "dram.channels", "values": [1]}], "sampling": {"method": "lhs"}})",
         "sampling.max_points"},
        {head +
             R"("parameters": [{"path": "dram.channels", "values": [1, 2, 3]}, {"path": "dma.engines", "values": [1, 2]}], "sampling": {"max_points": 5}})",
         "sampling.max_points"},
        {head + R"("parameters": [{"path": "dram.channels", "values": [1]}], "objectivs": []})",
         "objectivs"},
        {head +
             R"("parameters": [{"path": "dram.channels", "values": [1]}, {"path": "dram.channels", "values": [2]}]})",
         "parameters[1].path"},
    };
    for (const auto &c : cases) {
        INFO(c.text);
        const std::string e = error_of(c.text);
        CHECK(e.rfind(c.path + ":", 0) == 0);
    }
    CHECK(
        error_of(
            R"({"schema": "qcsim.sweep/1", "parameters": [{"path": "dram.chanels", "values": [1]}]})")
            .find("did you mean \"dram.channels\"") != std::string::npos);
}

TEST_CASE("sweep: the Pareto front of a hand-made point set", "[ops][sweep]") {
    // (cycles, energy): A(1,9) B(2,5) C(3,6) D(4,2) E(5,2) F(2,5) G(6,1).
    // C is dominated by B (2,5 <= 3,6), E by D (4,2 <= 5,2); B and F are equal: both kept.
    const std::vector<std::vector<double>> pts = {{1, 9}, {2, 5}, {3, 6}, {4, 2},
                                                  {5, 2}, {2, 5}, {6, 1}};
    CHECK(pareto_front(pts) == std::vector<std::size_t>{0, 1, 3, 5, 6});
    // Three objectives: a point best in one objective is always on the front.
    const std::vector<std::vector<double>> p3 = {{1, 5, 5}, {5, 1, 5}, {5, 5, 1}, {6, 6, 6}};
    CHECK(pareto_front(p3) == std::vector<std::size_t>{0, 1, 2});
    CHECK(pareto_front({}).empty());
}

// ---- constraints ----------------------------------------------------------------------------

namespace {
sweep_spec with_constraints(const std::string &params, const std::string &constraints) {
    return parse_sweep(R"({"schema": "qcsim.sweep/1", "parameters": )" + params +
                           R"(, "constraints": )" + constraints + "}",
                       "s.json");
}
std::vector<std::size_t> kept(const sweep_spec &s, const chip_desc *base = nullptr) {
    std::vector<std::size_t> out;
    const auto pts = sweep_points(s);
    for (std::size_t i = 0; i < pts.size(); ++i) {
        chip_desc c = base ? *base : chip_desc{};
        for (const auto &[path, v] : pts[i])
            if (path == "cores")
                c.cores = v.get<std::uint32_t>();
        if (sweep_violation(s, pts[i], &c).first < 0)
            out.push_back(i);
    }
    return out;
}
} // namespace

TEST_CASE("sweep constraints: a hand-made grid keeps exactly the points within the bound, "
          "the bound itself included",
          "[ops][sweep]") {
    // cores x (rows, cols): cores*rows*cols = 1·256, 1·1024, 1·4096, 2·256, 2·1024, 2·4096,
    // 4·256, 4·1024, 4·4096 = 256, 1024, 4096, 512, 2048, 8192, 1024, 4096, 16384.
    const std::string params = R"([{"path": "cores", "values": [1, 2, 4]},
        {"paths": ["mac_array.rows", "mac_array.cols"], "values": [[16, 16], [32, 32], [64, 64]]}])";
    auto s = with_constraints(params, R"(["cores * rows * cols <= 4096"])");
    CHECK_FALSE(sweep_needs_chip(s));                                // every name is a parameter
    CHECK(kept(s) == std::vector<std::size_t>{0, 1, 2, 3, 4, 6, 7}); // 8192, 16384 out
    // Strictly below: the two points at exactly 4096 (p2, p7) go too.
    s = with_constraints(params, R"(["cores * rows * cols < 4096"])");
    CHECK(kept(s) == std::vector<std::size_t>{0, 1, 3, 4, 6});
    // Two constraints: both must hold; the first violated one is named.
    s = with_constraints(params, R"(["cores * rows * cols <= 4096", "rows >= 32"])");
    CHECK(kept(s) == std::vector<std::size_t>{1, 2, 4, 7});
    const auto pts = sweep_points(s);
    const auto v = sweep_violation(s, pts[0], nullptr); // (1, 16, 16): rows 16 < 32
    CHECK(v.first == 1);
    CHECK(v.second == "constraints[1] \"rows >= 32\": rows = 16");
    CHECK(sweep_violation(s, pts[5], nullptr).first == 0); // 8192 fails the first
    // Explicit names replace the defaults.
    s = with_constraints(R"([{"path": "cores", "name": "n", "values": [1, 2, 4]},
        {"paths": ["mac_array.rows", "mac_array.cols"], "names": ["r", "c"],
         "values": [[16, 16], [32, 32], [64, 64]]}])",
                         R"(["n * r * c <= 4096"])");
    CHECK(kept(s) == std::vector<std::size_t>{0, 1, 2, 3, 4, 6, 7});
}

TEST_CASE("sweep constraints: chip figures and unswept chip keys come from the point's chip",
          "[ops][sweep]") {
    // Area grows with cores: the bound set halfway between 2 and 4 cores' areas keeps 1 and 2.
    chip_desc c2, c4;
    c2.cores = 2;
    c4.cores = 4;
    const double a2 = chip_area(c2).total(), a4 = chip_area(c4).total();
    REQUIRE(a2 < a4);
    auto s = with_constraints(R"([{"path": "cores", "values": [1, 2, 4]}])",
                              "[\"area_mm2 <= " + std::to_string((a2 + a4) / 2) + "\"]");
    CHECK(sweep_needs_chip(s));
    CHECK(kept(s) == std::vector<std::size_t>{0, 1});
    // A chip key not swept, by its full path: the reference array is 64 x 32 (chip_desc).
    REQUIRE(chip_desc{}.mac_array.rows == 64);
    REQUIRE(chip_desc{}.mac_array.cols == 32);
    s = with_constraints(R"([{"path": "cores", "values": [1, 2, 4]}])",
                         R"(["cores * mac_array.rows * mac_array.cols <= 4096"])");
    CHECK(sweep_needs_chip(s));
    CHECK(kept(s) == std::vector<std::size_t>{0, 1}); // 2048, 4096 in; 8192 out
    // peak_tops = 2 · cores · 64 · 32 · 1 GHz / 1e12 = 4.096 per core at the reference clock.
    REQUIRE(chip_desc{}.clock_mhz == 1000);
    s = with_constraints(R"([{"path": "cores", "values": [1, 2, 4]}])", R"(["peak_tops > 4.096"])");
    CHECK(kept(s) == std::vector<std::size_t>{1, 2});
}

TEST_CASE("sweep constraints: comparison, logic and arithmetic operators", "[ops][sweep]") {
    // lanes = 64, channels = 2.
    auto val = [](const std::string &n) { return n == "lanes" ? 64.0 : 2.0; };
    const std::vector<std::pair<std::string, bool>> cases = {
        {"lanes == 64", true},
        {"lanes != 64", false},
        {"lanes < 64", false},
        {"lanes <= 64", true},
        {"lanes > 63", true},
        {"lanes >= 65", false},
        {"lanes == 64 && channels == 3", false},
        {"lanes == 64 || channels == 3", true},
        {"!(lanes > 32)", false},
        {"!(lanes > 32) || channels >= 2", true},
        {"lanes / channels == 32", true},
        {"channels ^ 3 == 8", true},
        {"-lanes < 0", true},
        {"max(lanes, 100) > 99", true},
        {"lanes > 32 ? channels == 2 : 0", true},
    };
    for (const auto &[text, expect] : cases) {
        INFO(text);
        CHECK((sweep_expr(text).eval(val) != 0) == expect);
    }
    CHECK(sweep_expr("lanes * channels <= area_mm2").names() ==
          std::vector<std::string>{"area_mm2", "channels", "lanes"});
}

TEST_CASE("sweep constraints: an unknown name, bad syntax or bad names are errors at their "
          "JSON path",
          "[ops][sweep]") {
    const std::string head = R"({"schema": "qcsim.sweep/1", "parameters": [
        {"path": "dram.channels", "values": [1, 2]},
        {"path": "compiler.depthwise", "values": ["vector_unit", "mac_array"]}], )";
    auto err = [&](const std::string &rest) { return error_of(head + rest + "}"); };
    std::string e = err(R"("constraints": ["channels <= 4", "chanels * 2 <= 8"])");
    CHECK(e.rfind("constraints[1]:", 0) == 0);
    CHECK(e.find("unknown name \"chanels\"") != std::string::npos);
    CHECK(e.find("did you mean \"channels\"") != std::string::npos);
    e = err(R"("constraints": ["channels <="])");
    CHECK(e.rfind("constraints[0]:", 0) == 0);
    e = err(R"("constraints": ["channels = 2"])"); // assignment, not comparison
    CHECK(e.rfind("constraints[0]:", 0) == 0);
    CHECK(e.find("compare with \"==\"") != std::string::npos);
    e = err(R"("constraints": ["depthwise == 1"])"); // a choice: strings
    CHECK(e.rfind("constraints[0]:", 0) == 0);
    e = err(R"("constraints": ["name == 1"])"); // a string chip key
    CHECK(e.rfind("constraints[0]:", 0) == 0);
    e = err(R"("constraints": [3])");
    CHECK(e.rfind("constraints[0]:", 0) == 0);
    // Two default names alike: ambiguous only when used.
    const std::string two = R"({"schema": "qcsim.sweep/1", "parameters": [
        {"path": "dma.engines", "values": [1, 2]},
        {"path": "video_decoder.engines", "values": [1, 2]}], )";
    CHECK(error_of(two + R"("constraints": ["cores >= 1"]})") == "");
    e = error_of(two + R"("constraints": ["engines >= 1"]})");
    CHECK(e.rfind("constraints[0]:", 0) == 0);
    CHECK(e.find("parameters[0] and parameters[1]") != std::string::npos);
    // Explicit names: identifiers, unique.
    CHECK(error_of(R"({"schema": "qcsim.sweep/1", "parameters": [
        {"path": "dram.channels", "name": "2ch", "values": [1]}]})")
              .rfind("parameters[0].name:", 0) == 0);
    CHECK(error_of(R"({"schema": "qcsim.sweep/1", "parameters": [
        {"path": "dram.channels", "name": "x", "values": [1]},
        {"path": "dma.engines", "name": "x", "values": [1]}]})")
              .rfind("parameters[1]:", 0) == 0);
}
