// Reading JSON and files that may be hostile: nesting depth, numbers beyond a double, duplicate
// keys, directories and devices, oversized files, and messages that quote input only in short
// excerpts. Every case is bad input (sim::input_error) naming the file and where, never a crash.
#include "ops/chip.h"
#include "sim/errors.h"
#include "sim/output.h"
#include "sim/params.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

/// The input_error of parsing `text` as "f.json"; fails the test when it parses.
sim::input_error parse_error_of(const std::string &text) {
    try {
        sim::parse_json_text(text, "f.json");
    } catch (const sim::input_error &e) {
        return e;
    }
    FAIL("parsed: " << sim::brief(text));
    throw std::logic_error("unreachable");
}

std::string nested(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

fs::path temp_dir() {
    auto d = fs::temp_directory_path() / ("qcsim_test_json_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
}

} // namespace

TEST_CASE("json: nesting up to 64 levels parses, one more is refused at its position",
          "[sim][json]") {
    CHECK_NOTHROW(sim::parse_json_text(nested(64), "f.json"));
    auto e = parse_error_of(nested(65));
    CHECK(e.file() == "f.json");
    // The 65th '[' is byte 65, line 1, column 65.
    CHECK(std::string(e.what()).find("deeper than 64 levels at line 1, column 65 (byte 65)") !=
          std::string::npos);
    // Brackets inside strings do not count; objects do.
    CHECK_NOTHROW(sim::parse_json_text("[\"" + std::string(1000, '[') + "\"]", "f.json"));
    std::string objects;
    for (int i = 0; i < 65; ++i)
        objects += "{\"a\":";
    objects += "1" + std::string(65, '}');
    CHECK(std::string(parse_error_of(objects).what()).find("deeper than 64") != std::string::npos);
}

TEST_CASE("json: 80,000 levels of nesting are refused quickly, without a stack overflow",
          "[sim][json]") {
    const auto t0 = std::chrono::steady_clock::now();
    auto e = parse_error_of("{\"dram\": " + nested(80000) + "}");
    CHECK(std::string(e.what()).find("deeper than 64 levels") != std::string::npos);
    CHECK(std::string(e.what()).size() < 300);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
}

TEST_CASE("json: a number beyond the range of a double is bad input with its position",
          "[sim][json]") {
    // 1e400 starts at line 2, column 12 (after 11 characters), byte 14 ("{\n" is bytes 1-2).
    auto e = parse_error_of("{\n  \"cores\": 1e400}");
    CHECK(std::string(e.what()).find("1e400 is beyond the range of a double") != std::string::npos);
    CHECK(std::string(e.what()).find("line 2, column 12 (byte 14)") != std::string::npos);
    CHECK_THROWS_AS(sim::parse_json_text("[-1E+309]", "f.json"), sim::input_error);
    CHECK_THROWS_AS(sim::parse_json_text("[" + std::string(400, '9') + "]", "f.json"),
                    sim::input_error);
    // The largest doubles, an underflow to 0 and the text "1e400" in a string are fine.
    CHECK(sim::parse_json_text("[1.7e308, -1.7e308, 1e-400, \"1e400\"]", "f.json").size() == 4);
}

TEST_CASE("json: a key given twice in one object is refused, naming it and both occurrences",
          "[sim][json]") {
    auto e = parse_error_of(R"({"cores": 2, "cores": 64})");
    CHECK(e.json_path() == "cores");
    CHECK(std::string(e.what()).find("duplicate key \"cores\": the 1st and the 2nd key of the "
                                     "object at $") != std::string::npos);
    e = parse_error_of(R"({"dram": {"channels": 2, "banks": 8, "channels": 4}})");
    CHECK(e.json_path() == "dram.channels");
    CHECK(std::string(e.what()).find("the 1st and the 3rd key of the object at dram") !=
          std::string::npos);
    // In an array of objects, the element's index is in the path (after an array element).
    e = parse_error_of(R"({"tensors": [{"name": "x", "shape": [1]},
                                      {"name": "y", "shape": [[1], 2], "shape": [2]}]})");
    CHECK(e.json_path() == "tensors[1].shape");
    // Equal keys in different objects, and repeated comment keys, are fine.
    CHECK_NOTHROW(sim::parse_json_text(R"({"a": {"x": 1}, "b": {"x": 2}, "x": 3})", "f.json"));
    CHECK_NOTHROW(sim::parse_json_text(R"({"//": "one", "//": "two", "a": 1})", "f.json"));
}

TEST_CASE("json: messages quote values and names only in short excerpts", "[sim][json]") {
    const std::string long_text(4 << 20, 'n');
    CHECK(sim::brief(long_text).size() < 120);
    CHECK(sim::brief("short") == "short");
    // A cut never splits a UTF-8 sequence: "é" is two bytes.
    std::string accents;
    for (int i = 0; i < 100; ++i)
        accents += "\xc3\xa9";
    const std::string cut = sim::brief(accents, 81);
    CHECK(cut.substr(0, 80) == accents.substr(0, 80));
    CHECK(cut[80] == '.');
    json big = json::array();
    for (int i = 0; i < 100000; ++i)
        big.push_back(i);
    CHECK(sim::brief_json(big).size() <= 83);
    CHECK(sim::brief_json(json{{"a", 1}}) == R"({"a":1})");
    // input_error cuts its message and path as a backstop.
    sim::input_error e("f.json", long_text, long_text);
    CHECK(std::string(e.what()).size() < sim::max_path_chars + sim::max_message_chars + 100);
    // A wrong type in a config quotes the value briefly.
    try {
        sim::read_params<ops::chip_desc>(json{{"cores", big}}, "chip.json");
        FAIL("accepted");
    } catch (const sim::input_error &x) {
        CHECK(std::string(x.what()).size() < 300);
    }
}

TEST_CASE("json: suggestions are bounded: a 4 MB word gets none, at once", "[sim][json]") {
    std::vector<std::string> names;
    for (int i = 0; i < 1000; ++i)
        names.push_back("tensor" + std::to_string(i));
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(sim::nearest(std::string(4 << 20, 't'), names).empty());
    CHECK(sim::nearest(std::string(65, 't'), {std::string(65, 't')}).empty());
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
    // A short misspelling still gets its suggestion; a 64-character one too.
    CHECK(sim::nearest("tensr12", names) == "tensor12");
    CHECK(sim::nearest(std::string(63, 'a') + "b", {std::string(64, 'a')}) == std::string(64, 'a'));
}

TEST_CASE("files: a directory, a device and an oversized file are refused by name", "[sim][json]") {
    const fs::path d = temp_dir();
    auto what = [](const std::string &p) {
        try {
            sim::read_file(p);
        } catch (const sim::input_error &e) {
            return std::string(e.what());
        }
        return std::string("read");
    };
    CHECK(what(d.string()).find("is a directory") != std::string::npos);
    CHECK(what("/dev/zero").find("not a regular file") != std::string::npos);
    CHECK(what((d / "none.json").string()).find("cannot read file") != std::string::npos);
    // A sparse file one byte over the limit costs no disk space.
    const fs::path big = d / "big.json";
    { std::ofstream(big) << ""; }
    fs::resize_file(big, sim::max_input_bytes + 1);
    CHECK(what(big.string()).find("more than the 64 MiB") != std::string::npos);
    fs::resize_file(big, 3);
    CHECK(what(big.string()) == "read");
    fs::remove(big);
}

TEST_CASE("json: a --set value out of range or nested too deeply, or an unknown --set key path",
          "[sim][json]") {
    const json schema = json::parse(sim::write_params(ops::chip_desc{}).dump());
    auto error_of = [&](const std::string &assignment) {
        json cfg = json::object();
        try {
            sim::apply_override(cfg, schema, assignment);
        } catch (const sim::input_error &e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK(error_of("cores=1e400").find("--set: cores: value 1e400: the number 1e400 is beyond") ==
          0);
    CHECK(error_of("cores=" + nested(70000)).find("deeper than 64") != std::string::npos);
    // The whole path is named, and the nearest whole key suggested.
    CHECK(error_of("no.such.key=1") ==
          "--set: no.such.key: unknown key ('qcsim describe' lists every key)");
    CHECK(error_of("dram.chanels=2") ==
          "--set: dram.chanels: unknown key (did you mean \"dram.channels\"?)");
    CHECK(error_of("channels=2") ==
          "--set: channels: unknown key (did you mean \"dram.channels\"?)");
    CHECK(error_of("dram.nosuch.deeper=2").find("--set: dram.nosuch.deeper: unknown key") == 0);
    // A value that is not JSON is still a string.
    CHECK(error_of("dram.model=simple") == "accepted");
}

TEST_CASE("files: an output that is a pipe or a device is written in place, never replaced",
          "[sim][json]") {
    // A rename onto /dev/null would replace the device node with a regular file (as root). A
    // FIFO stands in for the device: a reader is opened first (non-blocking), so the write
    // cannot block, and afterwards the FIFO must still be a FIFO holding what was written.
    const fs::path fifo = temp_dir() / "out.fifo";
    fs::remove(fifo);
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(fd >= 0);
    CHECK_NOTHROW(sim::check_outputs({{"--json", fifo.string()}}));
    sim::write_file_atomic(fifo.string(), "{\"a\": 1}\n");
    CHECK(fs::is_fifo(fifo));
    char buf[64] = {};
    const auto n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    CHECK(std::string(buf, n > 0 ? std::size_t(n) : 0) == "{\"a\": 1}\n");
    for (const auto &f : fs::directory_iterator(temp_dir()))
        CHECK(f.path().filename().string().find("out.fifo.tmp") == std::string::npos);
    fs::remove(fifo);
}
