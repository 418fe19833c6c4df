// sim::dir_update: a set of files replaced all at once, and the rollback of an update that was
// interrupted at any step (the e2e tests kill a real `qcsim check --update`; here an exception
// from the step hook stops the update where a SIGKILL would).
#include "sim/dir_update.h"
#include "sim/errors.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

const char *staging = ".staging";

fs::path fresh_dir(const std::string &name) {
    fs::path d =
        fs::temp_directory_path() / ("qcsim_test_dir_update_" + std::to_string(::getpid())) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

void spit(const fs::path &p, const std::string &text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::map<std::string, std::string> snapshot(const fs::path &dir) {
    std::map<std::string, std::string> files;
    for (const auto &f : fs::recursive_directory_iterator(dir))
        if (f.is_regular_file()) {
            std::ifstream in(f.path(), std::ios::binary);
            std::ostringstream ss;
            ss << in.rdbuf();
            files[fs::relative(f.path(), dir).string()] = ss.str();
        }
    return files;
}

struct interrupted {};

/// The update under test: replace a/x.json, add b/new.json (a new folder), delete a/old.json.
/// Staging two files is steps 1-2, the plan 3, then the renames: x aside (4), x in (5), new in
/// (6), old aside (7).
void run_update(const fs::path &d, int stop_at) {
    sim::dir_update up(d, staging);
    up.on_step = [stop_at](int step) {
        if (step == stop_at)
            throw interrupted{};
    };
    up.write("a/x.json", "x new");
    up.write("b/new.json", "new");
    up.remove("a/old.json");
    up.commit();
}

void seed(const fs::path &d) {
    spit(d / "a/x.json", "x old");
    spit(d / "a/old.json", "old");
    spit(d / "keep.json", "keep");
}

} // namespace

TEST_CASE("dir_update: a completed update swaps every file and leaves no staging folder",
          "[sim][dir_update]") {
    fs::path d = fresh_dir("complete");
    seed(d);
    run_update(d, 0);
    const std::map<std::string, std::string> want = {
        {"a/x.json", "x new"}, {"b/new.json", "new"}, {"keep.json", "keep"}};
    CHECK(snapshot(d) == want);
    CHECK(!fs::exists(d / staging));
    CHECK_FALSE(sim::recover_dir_update(d, staging).found);
}

TEST_CASE("dir_update: interrupted at any step, recovery restores the files as they were",
          "[sim][dir_update]") {
    for (int step = 1; step <= 7; ++step) {
        INFO("interrupted at step " << step);
        fs::path d = fresh_dir("step" + std::to_string(step));
        seed(d);
        const auto before = snapshot(d);
        CHECK_THROWS_AS(run_update(d, step), interrupted);
        const sim::dir_recovery r = sim::recover_dir_update(d, staging);
        // Before the plan exists the interrupted update cleans up after itself (a SIGKILL
        // would leave the folder, which recovery removes the same way).
        if (step >= 3) {
            CHECK(r.found);
            CHECK(r.had_plan);
            CHECK(r.pid == ::getpid());
        }
        CHECK(snapshot(d) == before);
        CHECK(!fs::exists(d / staging));
        CHECK(!fs::exists(d / "b")); // the folder the update created is gone again
    }
}

TEST_CASE("dir_update: paths outside the directory are refused", "[sim][dir_update]") {
    fs::path d = fresh_dir("outside");
    sim::dir_update up(d, staging);
    for (const char *bad : {"../x.json", "/tmp/x.json", "a/../../x.json", ""}) {
        INFO(bad);
        CHECK_THROWS_AS(up.write(bad, "x"), sim::input_error);
    }
    CHECK_THROWS_AS(sim::require_inside(d, d / "..", "t"), sim::input_error);
    CHECK_THROWS_AS(sim::require_inside(d, d, "t"), sim::input_error);
    CHECK_NOTHROW(sim::require_inside(d, d / "a/b.json", "t"));
    // A symbolic link inside that points outside is outside.
    fs::create_directory_symlink(d.parent_path(), d / "link");
    CHECK_THROWS_AS(sim::require_inside(d, d / "link/x.json", "t"), sim::input_error);
}

TEST_CASE("dir_update: a second update while a staging folder exists is refused",
          "[sim][dir_update]") {
    fs::path d = fresh_dir("twice");
    fs::create_directories(d / staging);
    CHECK_THROWS_AS(sim::dir_update(d, staging), sim::input_error);
}
