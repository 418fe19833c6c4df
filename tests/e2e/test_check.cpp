// End-to-end tests of `qcsim check`, the CI regression on cycle counts: golden files recorded by
// --update, a perturbed chip that must fail and name what moved, goldens that are corrupt or
// missing (bad input, exit 2, never a pass), the tolerance on both sides of its boundary, and the
// repository's own golden set. Each test builds its own small golden directory (one chip, one
// small MobileNeXt) so that it runs in well under a second.
#include "e2e_common.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using e2e::qcsim;
using e2e::result;
using e2e::scratch_dir;
using e2e::slurp;

void spit(const fs::path &p, const std::string &text) {
    std::ofstream(p, std::ios::binary) << text;
}

std::string q(const fs::path &p) {
    return "\"" + p.string() + "\"";
}

const char *small_workload = "mobilenext:width=0.5,resolution=96";
const char *golden_name = "questcore-ref/mobilenext_width=0.5_resolution=96.json";

/// A golden directory with a copy of the reference chip and one small workload, goldens
/// recorded by `qcsim check --update`.
fs::path recorded_golden_dir(const std::string &name) {
    fs::path d = scratch_dir() / name;
    fs::remove_all(d);
    fs::create_directories(d);
    fs::copy_file(fs::path(QCSIM_SOURCE_DIR) / "configs/questcore.json", d / "chip.json");
    json m = {{"schema", "qcsim.golden-manifest/1"},
              {"chips", {"chip.json"}},
              {"workloads", {small_workload}}};
    spit(d / "manifest.json", m.dump(2));
    auto r = qcsim("check --update --golden " + q(d));
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    REQUIRE(fs::exists(d / golden_name));
    return d;
}

/// Changes one key of the chip config in a golden directory.
void set_chip_key(const fs::path &dir, const std::string &group, const std::string &key,
                  const json &value) {
    json c = json::parse(slurp(dir / "chip.json"));
    c[group][key] = value;
    spit(dir / "chip.json", c.dump(2));
}

/// qcsim check whose JSON result is read back; the run must end with `expected`.
json check_json(const fs::path &dir, const std::string &extra, int expected) {
    fs::path out = scratch_dir() / "check.json";
    fs::remove(out);
    auto r = qcsim("check --golden " + q(dir) + " " + extra + " --json " + q(out));
    INFO(r.out << r.err);
    REQUIRE(r.status == expected);
    return json::parse(slurp(out));
}

/// Bad input: exit 2, stderr names every string, and no --json/--markdown file is left.
void check_bad_input(const fs::path &dir, const std::vector<std::string> &must_contain,
                     const std::string &extra = "") {
    fs::path js = scratch_dir() / "must-not-exist.json", md = scratch_dir() / "must-not-exist.md";
    fs::remove(js);
    fs::remove(md);
    auto r = qcsim("check --golden " + q(dir) + " " + extra + " --json " + q(js) + " --markdown " +
                   q(md));
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.status == 2);
    for (const auto &s : must_contain)
        CHECK(r.err.find(s) != std::string::npos);
    CHECK(!fs::exists(js));
    CHECK(!fs::exists(md));
    CHECK(r.out.find("PASS") == std::string::npos);
}

} // namespace

TEST_CASE("check: goldens recorded by --update pass unchanged, and a second --update changes "
          "nothing",
          "[check]") {
    fs::path d = recorded_golden_dir("record");
    const std::string golden = slurp(d / golden_name);
    json g = json::parse(golden);
    CHECK(g["schema"] == "qcsim.golden/1");
    CHECK(g["chip"]["name"] == "questcore-ref");
    CHECK(g["workload"]["spec"] == small_workload);
    CHECK(g["totals"]["cycles"].get<long>() > 0);
    CHECK(g["ops"].size() > 10);

    json r = check_json(d, "", 0);
    CHECK(r["status"] == "pass");
    CHECK(r["pairs"][0]["status"] == "ok");
    CHECK(r["pairs"][0]["max_abs_delta_pct"].get<double>() == 0.0);
    CHECK(r["pairs"][0]["wall_ms"].is_number());
    CHECK(r["determinism"]["identical"] == true);

    auto u = qcsim("check --update --golden " + q(d));
    CHECK(u.status == 0);
    CHECK(u.out.find("unchanged") != std::string::npos);
    CHECK(slurp(d / golden_name) == golden);
}

TEST_CASE("check: halving the vector unit's lanes fails and names the depthwise operators",
          "[check]") {
    fs::path d = recorded_golden_dir("lanes");
    // Depthwise convolutions run on the vector unit (compiler.depthwise = vector_unit) at
    // cost.mac = 1 cycle per MAC per lane: a tile takes ceil(MACs / lanes) + 8 cycles, so going
    // from 64 to 32 lanes roughly doubles their compute and every depthwise operator must take
    // longer. MACs cannot move (the network is the same).
    set_chip_key(d, "vector_unit", "lanes", 32);
    fs::path md = scratch_dir() / "lanes.md";
    auto text = qcsim("check --golden " + q(d) + " --markdown " + q(md));
    INFO(text.out << text.err);
    REQUIRE(text.status == 1);
    json r = check_json(d, "", 1);
    CHECK(r["status"] == "moved");
    const json &p = r["pairs"][0];
    CHECK(p["status"] == "MOVED");
    CHECK(p["totals"]["cycles"]["after"].get<long>() > p["totals"]["cycles"]["before"].get<long>());
    CHECK(p["totals"]["macs"]["moved"] == false);
    // The golden records the chip's config hash, so check says the config changed.
    CHECK(p["config_changed"] == true);
    CHECK(text.out.find("the chip config changed since the golden was recorded") !=
          std::string::npos);

    json golden = json::parse(slurp(d / golden_name));
    int depthwise = 0, slower = 0;
    long before = 0, after = 0;
    for (const auto &op : golden["ops"]) {
        if (op["type"] != "depthwise_conv2d")
            continue;
        ++depthwise;
        const std::string name = op["name"].get<std::string>();
        INFO(name);
        auto it = std::find_if(p["moved_ops"].begin(), p["moved_ops"].end(),
                               [&](const json &m) { return m["name"] == name; });
        REQUIRE(it != p["moved_ops"].end());
        // An operator whose span is set by its loads (limited_by latency) may keep its cycles
        // while its vector unit works longer (its energy moves): cycles not listed = unchanged.
        const json &f = (*it)["fields"];
        const long b = f.contains("cycles") ? f["cycles"]["before"].get<long>()
                                            : op["cycles"].get<long>(),
                   a = f.contains("cycles") ? f["cycles"]["after"].get<long>() : b;
        before += b, after += a, slower += a > b;
        CHECK(!(*it)["fields"].contains("macs"));
    }
    CHECK(depthwise > 10);
    // The mapper re-tiles for the narrower unit and neighbours shift, so a small depthwise op
    // (about a thousand cycles) may come out a little faster; together they must slow down
    // clearly, and most of them one by one.
    CHECK(after > before + before / 5);
    CHECK(slower * 10 >= depthwise * 8);
    // The most moved operator is listed by name, with before and after, in the text and in the
    // Markdown a CI job posts.
    const json &top = p["moved_ops"][0];
    const std::string top_name = top["name"].get<std::string>();
    CHECK(top["type"] == "depthwise_conv2d");
    CHECK(text.out.find(top_name) != std::string::npos);
    CHECK(text.out.find("MOVED") != std::string::npos);
    CHECK(text.out.find(std::to_string(top["fields"]["cycles"]["before"].get<long>())) !=
          std::string::npos);
    const std::string markdown = slurp(md);
    CHECK(markdown.find("`" + top_name + "`") != std::string::npos);
    CHECK(markdown.find("| operator | type | field | before | after | Δ% |") != std::string::npos);

    // --update accepts the change, prints what moved, and the check passes again.
    auto u = qcsim("check --update --golden " + q(d));
    CHECK(u.status == 0);
    CHECK(u.out.find("updated") != std::string::npos);
    CHECK(u.out.find(top_name) != std::string::npos);
    CHECK(qcsim("check --golden " + q(d)).status == 0);
}

TEST_CASE("check: --tolerance passes just above the largest move and fails just below it",
          "[check]") {
    fs::path d = recorded_golden_dir("tolerance");
    json before = json::parse(slurp(d / golden_name));
    // One DMA engine instead of two moves many operators by amounts we cannot bound by hand, so
    // the largest relative move is measured independently of qcsim check: from the golden (the
    // "before") and a plain `qcsim run` of the perturbed chip (the "after"). The boundary logic
    // is what is under test: |after - before| <= PCT/100 * |before| passes, so a tolerance 0.1 %
    // (relative) above the largest |delta %| passes and one 0.1 % below it fails.
    set_chip_key(d, "dma", "engines", 1);
    fs::path rep_file = scratch_dir() / "tolerance-run.json";
    auto run = qcsim("run --quiet --chip " + q(d / "chip.json") + " --workload " + small_workload +
                     " --json " + q(rep_file));
    REQUIRE(run.status == 0);
    json after = json::parse(slurp(rep_file));
    const char *fields[] = {"cycles", "macs", "dram_bytes_read", "dram_bytes_written", "energy_uj"};
    double max_pct = 0;
    auto note = [&](const json &b, const json &a) {
        for (const char *f : fields) {
            const double x = b[f].get<double>(), y = a[f].get<double>();
            if (x == y)
                continue;
            REQUIRE(x != 0); // a number leaving 0 can never be tolerated
            max_pct = std::max(max_pct, 100.0 * std::abs(y - x) / std::abs(x));
        }
    };
    note(before["totals"], after["summary"]);
    REQUIRE(before["ops"].size() == after["ops"].size());
    for (std::size_t i = 0; i < before["ops"].size(); ++i) {
        REQUIRE(before["ops"][i]["name"] == after["ops"][i]["name"]);
        note(before["ops"][i], after["ops"][i]);
    }
    REQUIRE(max_pct > 0.5);

    json exact = check_json(d, "", 1);
    // qcsim check computes the same largest move.
    CHECK(exact["pairs"][0]["max_abs_delta_pct"].get<double>() == Approx(max_pct).epsilon(1e-9));
    char above[64], below[64];
    std::snprintf(above, sizeof above, "%.12g", max_pct * 1.001);
    std::snprintf(below, sizeof below, "%.12g", max_pct * 0.999);
    json pass = check_json(d, std::string("--tolerance ") + above, 0);
    CHECK(pass["status"] == "pass");
    CHECK(pass["pairs"][0]["moved_ops"].empty());
    json fail = check_json(d, std::string("--tolerance ") + below, 1);
    CHECK(fail["status"] == "moved");
    CHECK(fail["pairs"][0]["status"] == "MOVED");
    CHECK(fail["pairs_moved"] == 1);
}

TEST_CASE("check: a corrupt golden is bad input that names the file and the JSON path",
          "[check][bad-input]") {
    fs::path d = recorded_golden_dir("corrupt");
    const fs::path g = d / golden_name;
    const std::string good = slurp(g);
    json j = json::parse(good);

    SECTION("invalid JSON") {
        spit(g, good.substr(0, good.size() / 2));
        check_bad_input(d, {golden_name, "malformed JSON", "line"});
    }
    SECTION("80,000 levels of nesting") {
        j["ops"][3]["cycles"] = "DEEP";
        std::string text = j.dump(1);
        text.replace(text.find("\"DEEP\""), 6, std::string(80000, '[') + std::string(80000, ']'));
        spit(g, text);
        check_bad_input(d, {golden_name, "nested deeper than 64 levels"});
    }
    SECTION("a number beyond a double") {
        std::string text = j.dump(1);
        const auto at = text.find("\"energy_uj\": ") + 13;
        text.replace(at, text.find_first_of(",}", at) - at, "1e400");
        spit(g, text);
        check_bad_input(d, {golden_name, "1e400", "beyond the range", "line"});
    }
    SECTION("a key given twice") {
        std::string text = good;
        const auto at = text.find("\"totals\": {") + 11;
        text.insert(at, "\"cycles\": 1, ");
        spit(g, text);
        check_bad_input(d, {golden_name, "totals.cycles", "duplicate key"});
    }
    SECTION("a missing field") {
        j["totals"].erase("cycles");
        spit(g, j.dump(1));
        check_bad_input(d, {golden_name, "totals.cycles", "missing"});
    }
    SECTION("a wrong type") {
        j["ops"][3]["cycles"] = "1919";
        spit(g, j.dump(1));
        check_bad_input(d, {golden_name, "ops[3].cycles", "expected an integer"});
    }
    SECTION("another schema") {
        j["schema"] = "qcsim.golden/0";
        spit(g, j.dump(1));
        check_bad_input(d, {golden_name, "schema", "qcsim.golden/1"});
    }
    SECTION("the golden of another workload") {
        j["workload"]["spec"] = "mobilenetv2";
        spit(g, j.dump(1));
        check_bad_input(d, {golden_name, "workload.spec", small_workload});
    }
}

TEST_CASE("check: a missing or a stray golden file is bad input, not a pass",
          "[check][bad-input]") {
    fs::path d = recorded_golden_dir("missing");
    SECTION("missing") {
        fs::remove(d / golden_name);
        check_bad_input(d, {golden_name, "missing golden", "--update"});
    }
    SECTION("a golden for a pair the manifest does not list") {
        // What a pair dropped from the manifest leaves: the golden of questcore-ref/mobilenetv2
        // at that pair's own file name.
        json stale = json::parse(slurp(d / golden_name));
        stale["workload"]["spec"] = "mobilenetv2";
        spit(d / "questcore-ref/mobilenetv2.json", stale.dump(1));
        check_bad_input(d, {"mobilenetv2.json", "not in", "manifest", "--update' deletes it"});
        // --update removes it, and says so.
        auto u = qcsim("check --update --golden " + q(d));
        CHECK(u.status == 0);
        CHECK(u.out.find("removed") != std::string::npos);
        CHECK(u.out.find("questcore-ref/mobilenetv2.json") != std::string::npos);
        CHECK(!fs::exists(d / "questcore-ref/mobilenetv2.json"));
        CHECK(qcsim("check --golden " + q(d)).status == 0);
    }
    SECTION("a golden stored under another pair's name is never deleted") {
        // A copy of the recorded golden under a name that is not its pair's: --update cannot
        // prove it wrote that file, so it keeps it and says why; check still refuses it.
        fs::copy_file(d / golden_name, d / "questcore-ref/copy.json");
        check_bad_input(d, {"copy.json", "not in", "manifest", "by hand"});
        auto u = qcsim("check --update --golden " + q(d));
        INFO(u.out << u.err);
        CHECK(u.status == 0);
        CHECK(u.out.find("kept questcore-ref/copy.json") != std::string::npos);
        CHECK(slurp(d / "questcore-ref/copy.json") == slurp(d / golden_name));
    }
    SECTION("a manifest nested 80,000 levels deep, or with a duplicate key") {
        spit(d / "manifest.json",
             "{\"schema\": " + std::string(80000, '[') + std::string(80000, ']') + "}");
        check_bad_input(d, {"manifest.json", "nested deeper than 64 levels"});
        spit(d / "manifest.json",
             R"({"schema": "qcsim.golden-manifest/1", "chips": ["chip.json"],
                 "workloads": ["mobilenetv2"], "workloads": ["mobilenext"]})");
        check_bad_input(d, {"manifest.json", "workloads", "duplicate key"});
    }
    SECTION("no manifest") {
        fs::remove(d / "manifest.json");
        check_bad_input(d, {"manifest.json", "cannot read"});
    }
}

TEST_CASE("check: bad options and a chip the child rejects exit 2", "[check][bad-input]") {
    fs::path d = recorded_golden_dir("options");
    check_bad_input(d, {"--tolerance", ">= 0"}, "--tolerance -1");
    check_bad_input(d, {"--only", "matches none"}, "--only 'edge/*'");
    CHECK(qcsim("check --golden " + q(d) + " --only 'questcore-ref/*'").status == 0);
    // A scratchpad too small for any tile: the chip config itself is valid, the compiler in the
    // child process rejects it; check passes the child's message on.
    set_chip_key(d, "scratchpad", "banks", 1);
    set_chip_key(d, "scratchpad", "bank_bytes", 1024);
    check_bad_input(d, {"questcore-ref/", "fits"});
}

namespace {

/// Every regular file below `dir` (relative path -> content).
std::map<std::string, std::string> snapshot(const fs::path &dir) {
    std::map<std::string, std::string> files;
    for (const auto &f : fs::recursive_directory_iterator(dir))
        if (f.is_regular_file())
            files[fs::relative(f.path(), dir).string()] = slurp(f.path());
    return files;
}

/// A golden directory like recorded_golden_dir's with a chip config named `chip_name`.
fs::path named_chip_dir(const std::string &dirname, const std::string &chip_name) {
    fs::path d = scratch_dir() / dirname;
    fs::remove_all(d);
    fs::create_directories(d / "golden");
    json chip = json::parse(slurp(fs::path(QCSIM_SOURCE_DIR) / "configs/questcore.json"));
    chip["name"] = chip_name;
    spit(d / "golden/chip.json", chip.dump(2));
    spit(d / "golden/manifest.json", json({{"schema", "qcsim.golden-manifest/1"},
                                           {"chips", {"chip.json"}},
                                           {"workloads", {small_workload}}})
                                         .dump(2));
    return d;
}

} // namespace

TEST_CASE("check --update deletes only goldens it wrote: a listed trace and other JSON files "
          "survive",
          "[check][update]") {
    fs::path d = recorded_golden_dir("keep");
    // A trace the manifest lists, kept in a folder of its own; a trace it does not list, a note
    // and a JSON file of another schema: none is a golden, so none may go.
    fs::create_directories(d / "traces");
    fs::create_directories(d / "notes");
    REQUIRE(
        qcsim("trace --workload mobilenext:width=0.5,resolution=64 -o " + q(d / "traces/tiny.json"))
            .status == 0);
    fs::copy_file(d / "traces/tiny.json", d / "questcore-ref/old-trace.json");
    spit(d / "notes/keep.json", R"({"note": "not a golden"})");
    spit(d / "questcore-ref/settings.json", R"({"schema": "something.else/1"})");
    json m = json::parse(slurp(d / "manifest.json"));
    m["workloads"].push_back("traces/tiny.json");
    spit(d / "manifest.json", m.dump(2));
    const auto before = snapshot(d);

    auto u = qcsim("check --update --golden " + q(d));
    INFO(u.out << u.err);
    REQUIRE(u.status == 0);
    CHECK(u.out.find("0 removed") != std::string::npos);
    const auto after = snapshot(d);
    for (const auto &[f, text] : before) {
        INFO(f);
        REQUIRE(after.count(f));
        CHECK(after.at(f) == text);
    }
    // The trace pair got its golden, named after the trace file's stem; nothing else changed,
    // and the plain check passes with the other files in place.
    CHECK(after.count("questcore-ref/tiny.json"));
    CHECK(after.size() == before.size() + 1);
    auto c = qcsim("check --golden " + q(d));
    INFO(c.out << c.err);
    CHECK(c.status == 0);

    // A listed trace in the chip's folder has the name of its own golden there: bad input,
    // before anything is run or written.
    fs::copy_file(d / "traces/tiny.json", d / "questcore-ref/tiny-trace.json");
    m["workloads"].push_back("questcore-ref/tiny-trace.json");
    spit(d / "manifest.json", m.dump(2));
    const auto listed = snapshot(d);
    auto clash = qcsim("check --update --golden " + q(d));
    INFO(clash.out << clash.err);
    CHECK(clash.status == 2);
    CHECK(clash.err.find("workloads[2]") != std::string::npos);
    CHECK(clash.err.find("would be stored at questcore-ref/tiny-trace.json") != std::string::npos);
    CHECK(snapshot(d) == listed);
}

TEST_CASE("check --update overwrites a damaged golden but no other file at a golden's path",
          "[check][update]") {
    fs::path d = recorded_golden_dir("overwrite");
    const std::string good = slurp(d / golden_name);
    // A golden cut in half (a bad merge): replaced.
    spit(d / golden_name, good.substr(0, good.size() / 2));
    auto u = qcsim("check --update --golden " + q(d));
    INFO(u.out << u.err);
    CHECK(u.status == 0);
    CHECK(u.out.find("replaced an unreadable golden") != std::string::npos);
    CHECK(slurp(d / golden_name) == good);
    // Someone's notes at that path: not a golden, left alone, exit 2.
    spit(d / golden_name, R"({"note": "mine"})");
    auto n = qcsim("check --update --golden " + q(d));
    CHECK(n.status == 2);
    CHECK(n.err.find("not a golden") != std::string::npos);
    CHECK(slurp(d / golden_name) == R"({"note": "mine"})");
}

TEST_CASE("check --update --only writes the selected pairs and deletes nothing",
          "[check][update]") {
    fs::path d = recorded_golden_dir("only");
    json m = json::parse(slurp(d / "manifest.json"));
    m["workloads"].push_back("mobilenext:width=0.5,resolution=64");
    spit(d / "manifest.json", m.dump(2));
    REQUIRE(qcsim("check --update --golden " + q(d)).status == 0);
    const std::string other = "questcore-ref/mobilenext_width=0.5_resolution=64.json";
    // A stale golden that --update would delete without --only; the pattern below names it.
    json stale = json::parse(slurp(d / golden_name));
    stale["workload"]["spec"] = "mobilenext:width=0.5,resolution=128";
    const std::string stale_name = "questcore-ref/mobilenext_width=0.5_resolution=128.json";
    spit(d / stale_name, stale.dump(1));
    set_chip_key(d, "vector_unit", "lanes", 32); // moves both pairs
    const auto before = snapshot(d);

    auto u = qcsim("check --update --golden " + q(d) + " --only '*/*resolution=96*'");
    INFO(u.out << u.err);
    REQUIRE(u.status == 0);
    const auto after = snapshot(d);
    CHECK(after.at(golden_name) != before.at(golden_name)); // the selected pair: rewritten
    CHECK(after.at(other) == before.at(other));             // the other pair: untouched
    REQUIRE(after.count(stale_name));                       // nothing deleted
    CHECK(after.size() == before.size());
    CHECK(u.out.find("left alone because of --only") != std::string::npos);
    // Without --only the stale golden goes.
    REQUIRE(qcsim("check --update --golden " + q(d)).status == 0);
    CHECK(!fs::exists(d / stale_name));
}

TEST_CASE("check --update: a chip name cannot make it write outside --golden", "[check][update]") {
    SECTION("a relative path") {
        fs::path d = named_chip_dir("escape-rel", "../../escaped");
        auto u = qcsim("check --update --golden " + q(d / "golden"));
        INFO(u.out << u.err);
        CHECK(u.status == 0);
        // '/' becomes '_' and so does a leading '.': one folder inside the golden directory.
        CHECK(fs::exists(d / "golden/_._.._escaped" / "mobilenext_width=0.5_resolution=96.json"));
        CHECK(!fs::exists(d / "escaped"));
        CHECK(!fs::exists(d.parent_path() / "escaped"));
        CHECK(qcsim("check --golden " + q(d / "golden")).status == 0);
    }
    SECTION("an absolute path") {
        const fs::path target = scratch_dir() / "absolute-escape";
        fs::remove_all(target);
        fs::path d = named_chip_dir("escape-abs", target.string());
        auto u = qcsim("check --update --golden " + q(d / "golden"));
        INFO(u.out << u.err);
        CHECK(u.status == 0);
        CHECK(!fs::exists(target));
        std::string slug = target.string();
        for (auto &c : slug)
            if (c == '/')
                c = '_';
        CHECK(fs::exists(d / "golden" / slug / "mobilenext_width=0.5_resolution=96.json"));
    }
    SECTION("\"..\" alone") {
        fs::path d = named_chip_dir("escape-dots", "..");
        auto u = qcsim("check --update --golden " + q(d / "golden"));
        CHECK(u.status == 0);
        CHECK(fs::exists(d / "golden/_./mobilenext_width=0.5_resolution=96.json"));
    }
    SECTION("an empty name") {
        fs::path d = named_chip_dir("escape-empty", "");
        const auto before = snapshot(d);
        auto u = qcsim("check --update --golden " + q(d / "golden"));
        INFO(u.out << u.err);
        CHECK(u.status == 2);
        CHECK(u.err.find("chip.json: name: expected a non-empty chip name") != std::string::npos);
        CHECK(snapshot(d) == before);
    }
}

TEST_CASE("check --update killed at any step: the next run restores the previous goldens",
          "[check][update]") {
    fs::path d = recorded_golden_dir("killed");
    // One pair that changes (fewer vector lanes) and one stale golden to delete: the update
    // stages one file (step 1), writes its plan (2), moves the old golden aside (3), moves the
    // new one in (4) and moves the stale one aside (5).
    json stale = json::parse(slurp(d / golden_name));
    stale["workload"]["spec"] = "mobilenetv2";
    spit(d / "questcore-ref/mobilenetv2.json", stale.dump(1));
    set_chip_key(d, "vector_unit", "lanes", 32);
    const auto before = snapshot(d);
    for (int step = 1; step <= 5; ++step) {
        INFO("killed at step " << step);
        ::setenv("QCSIM_TEST_KILL_UPDATE_AT", std::to_string(step).c_str(), 1);
        auto k = qcsim("check --update --golden " + q(d));
        ::unsetenv("QCSIM_TEST_KILL_UPDATE_AT");
        // Killed by SIGKILL (the shell may report it as 128 + 9).
        REQUIRE((k.status == -1 || k.status == 128 + SIGKILL));
        REQUIRE(fs::exists(d / ".qcsim-update-staging"));
        // The next run finds the staging folder, says what it does, and rolls back, so that
        // every file is as it was before the killed update (then this check stops at the stale
        // golden, bad input for a check without --update).
        auto c = qcsim("check --golden " + q(d));
        INFO(c.out << c.err);
        CHECK(c.status == 2);
        CHECK(c.err.find(".qcsim-update-staging") != std::string::npos);
        CHECK(c.err.find(step == 1 ? "had not changed any file yet" : "rolled back") !=
              std::string::npos);
        CHECK(c.err.find("mobilenetv2.json") != std::string::npos);
        CHECK(!fs::exists(d / ".qcsim-update-staging"));
        CHECK(snapshot(d) == before);
    }
    // Uninterrupted, the same update completes.
    auto u = qcsim("check --update --golden " + q(d));
    CHECK(u.status == 0);
    CHECK(!fs::exists(d / "questcore-ref/mobilenetv2.json"));
    CHECK(qcsim("check --golden " + q(d)).status == 0);
}

TEST_CASE("check --update with an unwritable --json path changes nothing", "[check][update]") {
    fs::path d = recorded_golden_dir("report-path");
    set_chip_key(d, "vector_unit", "lanes", 32);
    const auto before = snapshot(d);
    for (const std::string &bad : std::vector<std::string>{"no/dir/x.json", d.string()}) {
        INFO(bad);
        auto u = qcsim("check --update --golden " + q(d) + " --json " + q(bad));
        CHECK(u.status == 2);
        CHECK(u.err.find("--json") != std::string::npos);
        CHECK(snapshot(d) == before);
    }
    auto md = qcsim("check --update --golden " + q(d) + " --markdown no/dir/x.md");
    CHECK(md.status == 2);
    CHECK(md.err.find("no/dir") != std::string::npos);
    CHECK(snapshot(d) == before);
}

TEST_CASE("check --jobs accepts 1 to 256 child processes", "[check][bad-input]") {
    fs::path d = recorded_golden_dir("jobs");
    for (const char *bad : {"-1", "0", "257", "4294967295", "2.5", "x"}) {
        INFO(bad);
        check_bad_input(d, {"--jobs", "1 to 256"}, std::string("--jobs ") + bad);
    }
    check_bad_input(d, {"--top"}, "--top -1");
    CHECK(qcsim("check --golden " + q(d) + " --jobs 1").status == 0);
    CHECK(qcsim("check --golden " + q(d) + " --jobs 256").status == 0);
}

TEST_CASE("check: the repository's golden set matches this build (the CI regression)",
          "[check][golden]") {
    fs::path out = scratch_dir() / "repo-check.json";
    auto r = qcsim(std::string("check --golden \"") + QCSIM_SOURCE_DIR + "/tests/golden\" --json " +
                   q(out));
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    json j = json::parse(slurp(out));
    CHECK(j["determinism"]["identical"] == true);
    // Both bundled chips and the three bundled networks, at least.
    CHECK(j["pairs"].size() >= 6);
}
