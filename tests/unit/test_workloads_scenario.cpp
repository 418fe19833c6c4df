// qcsim.scenario/1: the shipped examples read, and each kind of bad input is an input_error
// naming the file and the JSON path (issue 12; the runtime that runs scenarios is not built yet).

#include "sim/errors.h"
#include "workloads/scenario.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace workloads;

namespace {

std::string repo(const std::string &rel) {
    // tests/unit/<this file> -> <repo>/rel
    return (std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / rel)
        .string();
}

const char *good = R"({"schema": "qcsim.scenario/1", "name": "t",
  "streams": [{"name": "a", "count": 2}],
  "pipeline": [{"name": "detect", "network": "ssdlite", "every": 5},
               {"name": "face", "network": "mobilefacenet", "after": "detect", "crops": 2}]})";

/// `text` must fail with `path` and a message containing `fragment`.
void expect_bad(const std::string &text, const std::string &path, const std::string &fragment) {
    try {
        parse_scenario(text, "s.json");
        FAIL("accepted: " << text);
    } catch (const sim::input_error &e) {
        INFO(e.what());
        CHECK(e.file() == "s.json");
        CHECK(e.json_path() == path);
        CHECK(std::string(e.what()).find(fragment) != std::string::npos);
    }
}

std::string with(const std::string &from, const std::string &to) {
    std::string s = good;
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

} // namespace

TEST_CASE("scenario: the shipped city and edge-box scenarios read", "[workloads][scenario]") {
    const scenario city = read_scenario(repo("configs/scenarios/city-50x1080p.json"));
    REQUIRE(city.streams.size() == 1);
    CHECK(city.streams[0].count == 50);
    CHECK(city.streams[0].fps == 25);
    CHECK(city.streams[0].codec == video_codec_name::h265);
    REQUIRE(city.pipeline.size() == 3);
    CHECK(city.pipeline[0].every == 5); // detection at 5 fps of 25
    CHECK(city.pipeline[1].after == "detect");
    CHECK(city.pipeline[1].crops == 2);
    CHECK(city.pipeline[2].network == "reid");
    CHECK(city.runtime.order == job_order::edf);
    const scenario edge = read_scenario(repo("configs/scenarios/edge-box-4x1080p.json"));
    CHECK(edge.chip == "../edge.json");
    CHECK(edge.streams[0].codec == video_codec_name::h264);
}

TEST_CASE("scenario: defaults fill what a scenario leaves out", "[workloads][scenario]") {
    const scenario s = parse_scenario(good, "s.json");
    CHECK(s.chip.empty());
    CHECK(s.duration_s == 1.0);
    CHECK(s.streams[0].width == 1920);
    CHECK(s.streams[0].gop_length == 50);
    CHECK(s.runtime.frame_buffers == 4);
    CHECK(s.pipeline[0].after.empty());
}

TEST_CASE("scenario: bad input names the file, the JSON path and what was expected",
          "[workloads][scenario]") {
    expect_bad("{", "$", ""); // not JSON
    expect_bad(with("\"schema\": \"qcsim.scenario/1\"", "\"schema\": \"x\""), "schema",
               "qcsim.scenario/1");
    expect_bad(with("\"count\": 2", "\"cuont\": 2"), "streams[0].cuont", "count");
    expect_bad(with("\"count\": 2", "\"count\": \"2\""), "streams[0].count", "integer");
    expect_bad(with("\"count\": 2", "\"count\": 0"), "streams[0].count", "in [1.0, 4096.0]");
    expect_bad(with("\"count\": 2", "\"count\": 2, \"codec\": \"h266\""), "streams[0].codec",
               "h265");
    expect_bad(with("\"count\": 2", "\"count\": 2, \"gop_length\": 2, \"b_frames\": 2"),
               "streams[0].b_frames", "fewer B frames");
    expect_bad(with("\"after\": \"detect\"", "\"after\": \"detct\""), "pipeline[1].after",
               "did you mean \"detect\"");
    expect_bad(with("\"network\": \"mobilefacenet\"", "\"network\": \"mobilefacenet:scale=3\""),
               "pipeline[1].network", "mobilefacenet.scale");
    expect_bad(with("\"name\": \"face\"", "\"name\": \"detect\""), "pipeline[1].name",
               "earlier stage");
    expect_bad(with("\"every\": 5", "\"every\": 5, \"after\": \"face\""), "pipeline[0].after",
               "not an earlier stage");
    expect_bad(with("\"streams\": [{\"name\": \"a\", \"count\": 2}]", "\"streams\": []"), "streams",
               "at least 1");
    expect_bad(with("\"streams\": [{\"name\": \"a\", \"count\": 2}]", "\"streams\": 3"), "streams",
               "array");
}

TEST_CASE("scenario: docs/scenario.md names every key", "[workloads][scenario]") {
    const std::string doc = [] {
        std::ifstream in(repo("docs/scenario.md"));
        return std::string(std::istreambuf_iterator<char>(in), {});
    }();
    REQUIRE_FALSE(doc.empty());
    for (const auto &row : sim::describe_params<scenario>()) {
        INFO(row.path);
        CHECK(doc.find("`" + row.path + "`") != std::string::npos);
    }
}

TEST_CASE("scenario: written back (every key) it reads the same", "[workloads][scenario]") {
    const scenario s = read_scenario(repo("configs/scenarios/city-50x1080p.json"));
    const std::string text = sim::write_params(s).dump();
    const scenario back = parse_scenario(text, "back.json");
    CHECK(sim::write_params(back).dump() == text);
    CHECK(back.pipeline.size() == 3);
    CHECK(back.streams[0].count == 50);
}
