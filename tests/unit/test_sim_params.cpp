// Strict config parsing: every way a chip config can be wrong names the file, the JSON path and
// what was expected.
#include "ops/chip.h"
#include "sim/errors.h"
#include "sim/params.h"

#include <catch2/catch.hpp>

using nlohmann::json;

namespace {
std::string error_of(const json &j) {
    try {
        sim::read_params<ops::chip_desc>(j, "chip.json");
    } catch (const sim::input_error &e) {
        return e.what();
    }
    return "";
}
} // namespace

TEST_CASE("params: an empty object gives the reference chip", "[sim][params]") {
    auto c = sim::read_params<ops::chip_desc>(json::object(), "chip.json");
    CHECK(c.cores == ops::chip_desc{}.cores);
    CHECK(c.mac_array.rows == ops::chip_desc{}.mac_array.rows);
}

TEST_CASE("params: a misspelt key is rejected with the nearest valid key", "[sim][params]") {
    std::string e = error_of(json{{"dram", {{"chanels", 2}}}});
    CHECK(e.find("chip.json") != std::string::npos);
    CHECK(e.find("dram.chanels") != std::string::npos);
    CHECK(e.find("did you mean \"channels\"") != std::string::npos);
}

TEST_CASE("params: a wrong type names the path and the expected type", "[sim][params]") {
    std::string e = error_of(json{{"mac_array", {{"rows", "64"}}}});
    CHECK(e.find("mac_array.rows") != std::string::npos);
    CHECK(e.find("expected an integer") != std::string::npos);
    e = error_of(json{{"dram", {{"t_cl_ns", true}}}});
    CHECK(e.find("expected a number") != std::string::npos);
    e = error_of(json{{"mac_array", 3}});
    CHECK(e.find("mac_array: expected a JSON object") != std::string::npos);
}

TEST_CASE("params: zero and negative sizes are rejected, the boundary value is accepted",
          "[sim][params]") {
    CHECK(error_of(json{{"cores", 0}}).find("cores") != std::string::npos);
    CHECK(error_of(json{{"cores", -4}}).find("cores") != std::string::npos);
    CHECK(error_of(json{{"cores", 1}}).empty());
    CHECK(error_of(json{{"scratchpad", {{"bank_bytes", 63}}}}).find("scratchpad.bank_bytes") !=
          std::string::npos);
    CHECK(error_of(json{{"scratchpad", {{"bank_bytes", 64}}}}).empty());
    CHECK(error_of(json{{"mac_array", {{"rows", 2.5}}}}).find("integer") != std::string::npos);
}

TEST_CASE("params: an unknown choice suggests the nearest", "[sim][params]") {
    std::string e = error_of(json{{"mac_array", {{"dataflow", "wss"}}}});
    CHECK(e.find("mac_array.dataflow") != std::string::npos);
    CHECK(e.find("did you mean \"ws\"") != std::string::npos);
}

TEST_CASE("params: comment keys starting with // are ignored", "[sim][params]") {
    CHECK(error_of(json{{"//", "a note"}, {"dram", {{"// source", "JEDEC"}}}}).empty());
}

TEST_CASE("params: write then read gives the same config", "[sim][params]") {
    ops::chip_desc c;
    c.cores = 2;
    c.mac_array.flow = ops::dataflow::os;
    json j = json::parse(sim::write_params(c).dump());
    auto back = sim::read_params<ops::chip_desc>(j, "x");
    CHECK(json::parse(sim::write_params(back).dump()) == j);
}

TEST_CASE("params: --set overrides a key and rejects an unknown one", "[sim][params]") {
    json schema = json::parse(sim::write_params(ops::chip_desc{}).dump());
    json cfg = json::object();
    sim::apply_override(cfg, schema, "dram.channels=2");
    sim::apply_override(cfg, schema, "mac_array.dataflow=os");
    auto c = sim::read_params<ops::chip_desc>(cfg, "--set");
    CHECK(c.dram.channels == 2);
    CHECK(c.mac_array.flow == ops::dataflow::os);
    try {
        sim::apply_override(cfg, schema, "dram.chanels=2");
        FAIL("no error");
    } catch (const sim::input_error &e) {
        CHECK(std::string(e.what()).find("--set: dram.chanels") != std::string::npos);
        CHECK(std::string(e.what()).find("dram.channels") != std::string::npos);
    }
    CHECK_THROWS_AS(sim::apply_override(cfg, schema, "dram=2"), sim::input_error);
    CHECK_THROWS_AS(sim::apply_override(cfg, schema, "noequals"), sim::input_error);
}

TEST_CASE("params: describe lists every key with unit and default", "[sim][params]") {
    auto rows = sim::describe_params<ops::chip_desc>();
    bool found = false;
    for (auto &r : rows)
        if (r.path == "dram.t_rcd_ns") {
            found = true;
            CHECK(r.unit == "ns");
            CHECK(!r.description.empty());
        }
    CHECK(found);
}

TEST_CASE("chip: derived figures of the reference chip", "[sim][params]") {
    ops::chip_desc c;
    // 4 cores x 64 x 32 PEs = 8192 MACs/cycle; 2 ops per MAC at 1 GHz = 16.384 TOPS.
    CHECK(c.peak_macs_per_cycle() == 8192);
    CHECK(c.peak_tops() == Approx(16.384));
    // 4 channels x 16 bit x 4266 MT/s = 34.128 GB/s = 34.128 B per 1 GHz cycle.
    CHECK(c.dram.peak_bytes_per_s() == Approx(34.128e9));
    CHECK(c.dram_peak_bytes_per_cycle() == Approx(34.128));
}
