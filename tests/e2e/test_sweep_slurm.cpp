// End-to-end tests of qcsim sweep's scale-out (docs/sweep.md "Scale-out on Slurm"): shards,
// the merge of their results, the emitted job array (run here by bash with the variables
// Slurm sets; tests/slurm/run_slurm_test.sh submits it to a real Slurm).
#include "e2e_common.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using e2e::lines_of;
using e2e::qcsim;
using e2e::scratch_dir;
using e2e::slurp;

std::string q(const fs::path &p) {
    return "\"" + p.string() + "\"";
}

/// Three points (DRAM channels 1, 2, 4) on two workloads, on the edge chip: six runs.
fs::path three_point_spec() {
    const fs::path p = scratch_dir() / "three.json";
    std::ofstream(p) << R"({"schema": "qcsim.sweep/1", "name": "three", "chip": ")"
                     << (fs::path(QCSIM_SOURCE_DIR) / "configs/edge.json").string() << R"(",
        "workloads": [{"spec": "mobilenext:resolution=64"},
                      {"spec": "mobilenext:resolution=64,identity_div=2"}],
        "parameters": [{"path": "dram.channels", "values": [1, 2, 4]}],
        "objectives": ["cycles", "energy_uj", "area_mm2"]})";
    return p;
}

/// The ids of a results file's lines.
std::vector<std::string> ids_of(const fs::path &p) {
    std::vector<std::string> ids;
    for (const auto &l : lines_of(p))
        ids.push_back(json::parse(l)["id"].get<std::string>());
    return ids;
}

} // namespace

TEST_CASE("sweep shards: shard i/K runs the points p with p mod K = i, and their merge is the "
          "local run byte for byte",
          "[e2e][sweep][slurm]") {
    const fs::path spec = three_point_spec();
    const fs::path local = scratch_dir() / "local", sharded = scratch_dir() / "sharded";
    fs::remove_all(local);
    fs::remove_all(sharded);
    auto r = qcsim("sweep " + q(spec) + " --out " + q(local) + " --jobs 2");
    INFO(r.err);
    REQUIRE(r.status == 0);
    const std::string local_best = r.out.substr(r.out.find('\n'));
    // The local results are in run order (index = point * 2 + workload) whatever order the two
    // jobs finished in.
    CHECK(ids_of(local / "results.jsonl") ==
          std::vector<std::string>{"p0-w0", "p0-w1", "p1-w0", "p1-w1", "p2-w0", "p2-w1"});

    // Shard 0 of 2: points 0 and 2 (0 mod 2, 2 mod 2), each on both workloads.
    r = qcsim("sweep " + q(spec) + " --out " + q(sharded) + " --shard 0/2 --jobs 2");
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto shard0 = ids_of(sharded / "shards/0-of-2.jsonl");
    CHECK(std::set<std::string>(shard0.begin(), shard0.end()) ==
          std::set<std::string>{"p0-w0", "p0-w1", "p2-w0", "p2-w1"});
    // The directory holds the spec's copy, its chip beside it.
    CHECK(slurp(sharded / "chip.json") == slurp(fs::path(QCSIM_SOURCE_DIR) / "configs/edge.json"));
    CHECK(json::parse(slurp(sharded / "sweep.json"))["chip"] == "chip.json");

    // Shard 1 missing: the merge names it and writes nothing.
    r = qcsim("sweep merge " + q(sharded));
    CHECK(r.status == 1);
    CHECK(r.err.find("2 of 6 runs missing") != std::string::npos);
    CHECK(r.err.find("shard 1/2: 2 runs missing (p1-w0 p1-w1)") != std::string::npos);
    CHECK_FALSE(fs::exists(sharded / "results.jsonl"));
    CHECK_FALSE(fs::exists(sharded / "results.csv"));

    // Shard 1 from the directory's copy of the spec (as the array tasks run it): point 1.
    r = qcsim("sweep " + q(sharded / "sweep.json") + " --out " + q(sharded) + " --shard 1/2");
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto shard1 = ids_of(sharded / "shards/1-of-2.jsonl"); // in the order runs ended
    CHECK(std::set<std::string>(shard1.begin(), shard1.end()) ==
          std::set<std::string>{"p1-w0", "p1-w1"});
    // Rerun: resumes, runs nothing.
    r = qcsim("sweep " + q(spec) + " --out " + q(sharded) + " --shard 1/2");
    CHECK(r.err.find("2 done already, 0 to run") != std::string::npos);

    r = qcsim("sweep merge " + q(sharded));
    INFO(r.err);
    REQUIRE(r.status == 0);
    for (const char *f : {"results.jsonl", "results.csv", "pareto.csv"}) {
        INFO(f);
        CHECK(slurp(sharded / f) == slurp(local / f));
    }
    CHECK(r.out.substr(r.out.find('\n')) == local_best);
    // Each ok line carries the cycles per operator type: the run report's by_type[] (p2-w1:
    // 4 channels, identity_div 2, on the edge chip), which add up to the run's cycles less its
    // idle gaps (report-fields.md exclusive_cycles), so never to more.
    const fs::path rep = scratch_dir() / "p2-w1.json";
    r = qcsim("run -q --chip " + q(fs::path(QCSIM_SOURCE_DIR) / "configs/edge.json") +
              " --set dram.channels=4 --workload mobilenext:resolution=64,identity_div=2 --json " +
              q(rep));
    REQUIRE(r.status == 0);
    json by_type = json::object();
    const json report = json::parse(slurp(rep));
    for (const auto &g : report["by_type"])
        by_type[g["type"].get<std::string>()] = g["cycles"];
    for (const auto &l : lines_of(local / "results.jsonl")) {
        const json j = json::parse(l);
        REQUIRE(j["status"] == "ok");
        std::uint64_t sum = 0;
        for (const auto &[t, c] : j["type_cycles"].items())
            sum += c.get<std::uint64_t>();
        CHECK(sum <= j["objectives"]["cycles"].get<std::uint64_t>());
        CHECK(sum > 0);
        if (j["id"] == "p2-w1")
            CHECK(j["type_cycles"] == by_type);
    }
}

TEST_CASE("sweep shards: a malformed or out-of-range --shard is exit 2 naming the option",
          "[e2e][sweep][slurm]") {
    const fs::path spec = three_point_spec();
    const fs::path out = scratch_dir() / "bad-shard";
    for (const char *bad : {"2/2", "5/2", "0/0", "1", "a/2", "1/b", "-1/2", "1/2/3", "/2"}) {
        INFO(bad);
        auto r = qcsim("sweep " + q(spec) + " --out " + q(out) + " --shard " + bad);
        CHECK(r.status == 2);
        CHECK(r.err.find("--shard") != std::string::npos);
        CHECK_FALSE(fs::exists(out / "shards"));
    }
    // --shards is the array size of --emit: more shards than points, 0, or without --emit.
    for (const char *bad : {"--emit slurm --shards 4", "--emit slurm --shards 0", "--shards 2",
                            "--emit pbs", "--emit slurm --shard 0/2"}) {
        INFO(bad);
        auto r = qcsim("sweep " + q(spec) + " --out " + q(out) + " " + bad);
        CHECK(r.status == 2);
        CHECK((r.err.find("--shards") != std::string::npos ||
               r.err.find("--emit") != std::string::npos));
        CHECK_FALSE(fs::exists(out / "sweep.sbatch"));
    }
    auto r = qcsim("sweep merge " + q(scratch_dir() / "no-such-sweep"));
    CHECK(r.status == 2);
    CHECK(r.err.find("sweep.json") != std::string::npos);
}

TEST_CASE("sweep --emit slurm: a job array of K tasks whose tasks, run as Slurm runs them, "
          "merge into the local run",
          "[e2e][sweep][slurm]") {
    const fs::path spec = three_point_spec();
    const fs::path local = scratch_dir() / "emit-local", dir = scratch_dir() / "emit";
    fs::remove_all(local);
    fs::remove_all(dir);
    auto r = qcsim("sweep " + q(spec) + " --out " + q(local) + " --jobs 2");
    REQUIRE(r.status == 0);
    r = qcsim("sweep " + q(spec) + " --out " + q(dir) + " --emit slurm --shards 3 --jobs 2");
    INFO(r.err);
    REQUIRE(r.status == 0);
    const std::string script = slurp(dir / "sweep.sbatch");
    CHECK(script.find("#SBATCH --array=0-2\n") != std::string::npos);
    CHECK(script.find("#SBATCH --cpus-per-task=2\n") != std::string::npos);
    CHECK(script.find("#SBATCH --job-name=qcsim-sweep-three\n") != std::string::npos);
    CHECK(script.find("--shard \"${SLURM_ARRAY_TASK_ID}/3\"") != std::string::npos);
    // No path of this machine in the script: everything is relative to DIR.
    CHECK(script.find(scratch_dir().string()) == std::string::npos);
    CHECK(fs::is_directory(dir / "logs"));
    CHECK(slurp(dir / "qcsim") == slurp(QCSIM_BIN));
    // Run the three tasks as Slurm would: in DIR, with the array variables set.
    for (int i = 0; i < 3; ++i) {
        const std::string cmd = "cd " + q(dir) + " && SLURM_ARRAY_TASK_ID=" + std::to_string(i) +
                                " SLURM_CPUS_PER_TASK=2 bash sweep.sbatch >/dev/null 2>&1";
        CHECK(std::system(cmd.c_str()) == 0);
        // Shard i of 3 holds point i (one point per shard), on both workloads.
        CHECK(ids_of(dir / ("shards/" + std::to_string(i) + "-of-3.jsonl")).size() == 2);
    }
    r = qcsim("sweep merge " + q(dir));
    INFO(r.err);
    REQUIRE(r.status == 0);
    for (const char *f : {"results.jsonl", "results.csv", "pareto.csv"}) {
        INFO(f);
        CHECK(slurp(dir / f) == slurp(local / f));
    }
    // Submitted from elsewhere, the script refuses (exit 2) rather than run nothing.
    const std::string elsewhere =
        "cd / && SLURM_ARRAY_TASK_ID=0 bash " + q(dir / "sweep.sbatch") + " >/dev/null 2>&1";
    const int rc = std::system(elsewhere.c_str());
    CHECK((WIFEXITED(rc) && WEXITSTATUS(rc) == 2));
}

TEST_CASE("sweep merge: refuses another sweep's shard, shards of two counts and another spec in "
          "DIR, and does not read a line still being written",
          "[e2e][sweep][slurm]") {
    const fs::path spec = three_point_spec();
    const fs::path dir = scratch_dir() / "merge-guards";
    fs::remove_all(dir);
    for (const char *s : {"0/2", "1/2"})
        REQUIRE(qcsim("sweep " + q(spec) + " --out " + q(dir) + " --shard " + s).status == 0);
    const std::string shard0 = slurp(dir / "shards/0-of-2.jsonl");
    // A cut line at the end of shard 1 (a task still writing): merge reads the complete lines,
    // finds the cut run missing, exits 1 and leaves the file as it was.
    const auto lines1 = lines_of(dir / "shards/1-of-2.jsonl");
    REQUIRE(lines1.size() == 2);
    const std::string cut = lines1[0] + "\n" + lines1[1].substr(0, 30);
    std::ofstream(dir / "shards/1-of-2.jsonl", std::ios::trunc | std::ios::binary) << cut;
    auto r = qcsim("sweep merge " + q(dir));
    CHECK(r.status == 1);
    CHECK(r.err.find("1 of 6 runs missing") != std::string::npos);
    CHECK(slurp(dir / "shards/1-of-2.jsonl") == cut);
    CHECK_FALSE(fs::exists(dir / "results.jsonl"));
    // The shard rerun drops the cut line and completes it; then the merge passes.
    REQUIRE(qcsim("sweep " + q(spec) + " --out " + q(dir) + " --shard 1/2").status == 0);
    CHECK(qcsim("sweep merge " + q(dir)).status == 0);
    // A stale shard file of another count beside them: exit 2 naming it.
    std::ofstream(dir / "shards/0-of-3.jsonl") << "";
    r = qcsim("sweep merge " + q(dir));
    CHECK(r.status == 2);
    CHECK(r.err.find("0-of-3.jsonl") != std::string::npos);
    fs::remove(dir / "shards/0-of-3.jsonl");
    // A line of another sweep (its key differs) in a shard file: exit 2 naming the file.
    std::string other = shard0;
    other.replace(other.find("\"key\":\"") + 7, 1, "[[\\\"x\\\",1]],");
    std::ofstream(dir / "shards/0-of-2.jsonl", std::ios::trunc | std::ios::binary) << other;
    r = qcsim("sweep merge " + q(dir));
    CHECK(r.status == 2);
    CHECK(r.err.find("0-of-2.jsonl") != std::string::npos);
    CHECK(r.err.find("another sweep") != std::string::npos);
    std::ofstream(dir / "shards/0-of-2.jsonl", std::ios::trunc | std::ios::binary) << shard0;
    // Another spec (other points) into the same DIR: its copy differs, refused before running.
    const fs::path two = scratch_dir() / "two.json";
    std::ofstream(two) << R"({"schema": "qcsim.sweep/1", "name": "two",
        "parameters": [{"path": "dram.channels", "values": [1, 8]}]})";
    r = qcsim("sweep " + q(two) + " --out " + q(dir) + " --shard 0/2");
    CHECK(r.status == 2);
    CHECK(r.err.find("another sweep") != std::string::npos);
    r = qcsim("sweep " + q(two) + " --out " + q(dir) + " --emit slurm --shards 2");
    CHECK(r.status == 2);
    CHECK_FALSE(fs::exists(dir / "sweep.sbatch"));
}
