// qcsim: the command line. Subcommands (DESIGN.md §8):
//   qcsim run        simulate a workload on a chip and report every operator
//   qcsim workloads  list the built-in networks with their parameters, MACs and parameters
//   qcsim describe   list every chip config key with unit, default and meaning
//   qcsim trace      write a workload (generator or file) as a JSON trace
//   qcsim check      rerun the golden (chip, workload) pairs and compare (CI regression)
// Exit status: 0 success, 1 a check found a difference, 2 bad input or usage, anything else a bug.

#include "app/check.h"
#include "app/chip_config.h"
#include "app/report.h"
#include "arch/simulate.h"
#include "ops/compiler.h"
#include "sim/errors.h"
#include "sim/output.h"
#include "sim/table.h"
#include "workloads/generators.h"
#include "workloads/trace.h"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

namespace po = boost::program_options;

namespace {

const char *usage_text =
    "usage: qcsim <command> [options]\n"
    "commands:\n"
    "  run        simulate a workload on a chip (default: MobileNeXt-1.0 on the reference chip)\n"
    "  workloads  list built-in networks, their parameters, MACs and parameter counts\n"
    "  describe   list every chip config key with its unit, default and meaning\n"
    "  trace      write a workload as a JSON trace file\n"
    "  check      rerun the golden chip/workload pairs and compare cycles (CI regression)\n"
    "run 'qcsim <command> --help' for its options\n";

const char *default_workload = "mobilenext";

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

po::variables_map parse(const po::options_description &desc, const std::vector<std::string> &args,
                        const po::positional_options_description *pos = nullptr) {
    po::variables_map vm;
    try {
        auto p = po::command_line_parser(args).options(desc);
        if (pos)
            p.positional(*pos);
        po::store(p.run(), vm);
        po::notify(vm);
    } catch (const po::error &e) {
        throw usage_error(e.what());
    }
    return vm;
}

/// A whole number in [lo, hi] given to `option`; anything else (a sign, a fraction, a number
/// too large) is bad input.
unsigned long count_option(const std::string &text, const char *option, unsigned long lo,
                           unsigned long hi, const char *what) {
    const bool digits =
        !text.empty() && text.size() <= 9 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    const unsigned long v = digits ? std::stoul(text) : 0;
    if (!digits || v < lo || v > hi)
        throw sim::input_error(option, "$",
                               fmt::format("expected a whole number from {} to {} ({}), found "
                                           "\"{}\"",
                                           lo, hi, what, sim::brief(text)));
    return v;
}

int cmd_run(const std::vector<std::string> &args) {
    po::options_description d("qcsim run options");
    d.add_options()("help,h", "this help")(
        "chip", po::value<std::string>()->default_value(""),
        "chip config JSON (default: the built-in reference chip, = configs/questcore.json)")(
        "workload,w", po::value<std::string>()->default_value(default_workload),
        "NAME[:k=v,...] of a built-in network, or a trace FILE.json")(
        "set", po::value<std::vector<std::string>>()->composing(),
        "override a config key: --set dram.channels=2 (repeatable)")(
        "json", po::value<std::string>(), "write the JSON report to FILE ('-' = stdout)")(
        "csv", po::value<std::string>(), "write the per-operator CSV to FILE ('-' = stdout)")(
        "dump-config", po::value<std::string>(), "write the effective chip config to FILE")(
        "group-by", po::value<std::string>()->default_value("op"),
        "table and CSV rows: op (per operator, with layer subtotals), layer, or type (sums per "
        "operator type, most cycles first)")("quiet,q", "do not print the table");
    auto vm = parse(d, args);
    if (vm.count("help")) {
        std::cout << d;
        return 0;
    }
    std::vector<std::string> sets;
    if (vm.count("set"))
        sets = vm["set"].as<std::vector<std::string>>();
    app::grouping group_by = app::grouping::op;
    try {
        group_by = app::parse_grouping(vm["group-by"].as<std::string>());
    } catch (const std::invalid_argument &e) {
        throw sim::input_error("command line", "--group-by", e.what());
    }
    // Everything that can be wrong with the input, output paths included, is checked before
    // anything is written; then every output is written at the end, all or none.
    std::vector<std::pair<std::string, std::string>> outputs; // (option, path)
    for (const char *o : {"dump-config", "json", "csv"})
        if (vm.count(o))
            outputs.emplace_back(std::string("--") + o, vm[o].as<std::string>());
    sim::check_outputs(outputs);
    auto chip = app::load_chip(vm["chip"].as<std::string>(), sets);
    const std::string spec = vm["workload"].as<std::string>();
    workloads::graph g = workloads::build_workload(spec);
    ops::program prog = ops::compile(g, chip.chip, spec);

    arch::run_stats st = arch::simulate(chip.chip, prog);
    auto report = app::make_report(chip.chip, g, prog, st);

    std::vector<std::pair<std::string, std::string>> files; // (path, text)
    for (const auto &[option, path] : outputs)
        files.emplace_back(path, option == "--json"  ? report.dump(2) + "\n"
                                 : option == "--csv" ? app::render_csv(report, group_by)
                                                     : chip.effective.dump(2) + "\n");
    sim::write_files_atomic(files);
    bool to_stdout = (vm.count("json") && vm["json"].as<std::string>() == "-") ||
                     (vm.count("csv") && vm["csv"].as<std::string>() == "-");
    if (!vm.count("quiet") && !to_stdout)
        std::cout << app::render_table(report, group_by);
    return 0;
}

int cmd_workloads(const std::vector<std::string> &args) {
    po::options_description d("qcsim workloads options");
    d.add_options()("help,h", "this help")("json", "print as JSON");
    auto vm = parse(d, args);
    if (vm.count("help")) {
        std::cout << d;
        return 0;
    }
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    sim::text_table t;
    t.add_column("workload", sim::text_table::align::left);
    t.add_column("parameters (default [min, max] or {choices})", sim::text_table::align::left);
    t.add_column("MACs (M)");
    t.add_column("params");
    t.add_column("description", sim::text_table::align::left);
    for (const auto &gen : workloads::generators()) {
        workloads::graph g = workloads::build_workload(gen.name);
        std::string ps;
        nlohmann::ordered_json pj = nlohmann::ordered_json::array();
        for (const auto &p : gen.params) {
            ps += (ps.empty() ? "" : ", ") +
                  fmt::format("{}={} {}", p.name, p.default_text(), p.range_text());
            if (p.type == workloads::gen_param::kind::choice) {
                pj.push_back({{"name", p.name},
                              {"default", p.default_choice},
                              {"choices", p.choices},
                              {"description", p.description}});
                continue;
            }
            pj.push_back({{"name", p.name},
                          {"default", p.default_value},
                          {"min", p.min},
                          {"max", p.max},
                          {"description", p.description}});
        }
        t.add_row({gen.name, ps, fmt::format("{:.1f}", g.total_macs() / 1e6),
                   std::to_string(g.total_params()), gen.description});
        all.push_back({{"name", gen.name},
                       {"description", gen.description},
                       {"params", pj},
                       {"default_spec", g.name},
                       {"macs", g.total_macs()},
                       {"parameters", g.total_params()}});
    }
    if (vm.count("json"))
        std::cout << all.dump(2) << "\n";
    else
        std::cout << t.str();
    return 0;
}

int cmd_describe(const std::vector<std::string> &args) {
    po::options_description d("qcsim describe options");
    d.add_options()("help,h", "this help")("json", "print as JSON");
    auto vm = parse(d, args);
    if (vm.count("help")) {
        std::cout << d;
        return 0;
    }
    auto rows = sim::describe_params<ops::chip_desc>();
    if (vm.count("json")) {
        nlohmann::ordered_json a = nlohmann::ordered_json::array();
        for (auto &r : rows)
            a.push_back({{"key", r.path},
                         {"type", r.type},
                         {"unit", r.unit},
                         {"default", r.default_value},
                         {"description", r.description}});
        std::cout << a.dump(2) << "\n";
        return 0;
    }
    sim::text_table t;
    using A = sim::text_table::align;
    t.add_column("key", A::left);
    t.add_column("type", A::left);
    t.add_column("unit", A::left);
    t.add_column("default", A::left);
    t.add_column("meaning", A::left);
    for (auto &r : rows)
        t.add_row({r.path, r.type, r.unit, r.default_value, r.description});
    std::cout << t.str();
    return 0;
}

int cmd_trace(const std::vector<std::string> &args) {
    po::options_description d("qcsim trace options");
    d.add_options()("help,h", "this help")(
        "workload,w", po::value<std::string>()->default_value(default_workload),
        "NAME[:k=v,...] or FILE.json")("out,o", po::value<std::string>()->default_value("-"),
                                       "output FILE ('-' = stdout)");
    auto vm = parse(d, args);
    if (vm.count("help")) {
        std::cout << d;
        return 0;
    }
    sim::check_outputs({{"--out", vm["out"].as<std::string>()}});
    workloads::graph g = workloads::build_workload(vm["workload"].as<std::string>());
    sim::write_file_atomic(vm["out"].as<std::string>(), workloads::trace_text(g));
    return 0;
}

int cmd_check(const std::vector<std::string> &args) {
    po::options_description d("qcsim check options (README 'Regression goldens')");
    app::check_options o;
    d.add_options()("help,h", "this help")(
        "golden", po::value<std::string>(&o.golden_dir)->default_value(o.golden_dir),
        "golden directory holding manifest.json")(
        "tolerance", po::value<double>(&o.tolerance_pct)->default_value(0.0),
        "PCT: a number passes when |after - before| <= PCT/100 * |before| (0 = exact)")(
        "only", po::value<std::string>(&o.only),
        "PATTERN: check only the pairs whose \"<chip>/<workload>\" matches this glob")(
        "update", "rewrite the goldens from this build and print what changed")(
        "jobs,j", po::value<std::string>(),
        "N: child processes at once, 1 to 256 (default: the hardware threads)")(
        "top", po::value<std::string>(), "N: moved operators listed per pair (default 10)")(
        "json", po::value<std::string>(&o.json_out),
        "write the result as JSON to FILE")("markdown", po::value<std::string>(&o.markdown_out),
                                            "write the result as a Markdown table to FILE")(
        "determinism-pair", po::value<std::string>(&o.determinism_pair),
        "PATTERN: the pair run twice to check reproducibility (default: the first selected)");
    auto vm = parse(d, args);
    if (vm.count("help")) {
        std::cout << d;
        return 0;
    }
    o.update = vm.count("update") > 0;
    if (vm.count("jobs"))
        o.jobs = unsigned(count_option(vm["jobs"].as<std::string>(), "--jobs", 1,
                                       app::max_check_jobs, "child processes at once"));
    if (vm.count("top"))
        o.top = unsigned(
            count_option(vm["top"].as<std::string>(), "--top", 0, 100000, "operators per pair"));
    return app::run_check(o);
}

} // namespace

// libsystemc.so refers to sc_main. qcsim's own main() drives the kernel instead (arch::simulate
// elaborates and calls sc_start), so SystemC's entry is never used.
extern "C" int sc_main(int, char *[]) {
    return 3;
}

int main(int argc, char **argv) {
    std::vector<std::string> all(argv + 1, argv + argc);
    std::string cmd = all.empty() ? "" : all[0];
    std::vector<std::string> rest(all.size() > 1 ? all.begin() + 1 : all.end(), all.end());
    try {
        if (cmd == "run")
            return cmd_run(rest);
        if (cmd == "workloads")
            return cmd_workloads(rest);
        if (cmd == "describe")
            return cmd_describe(rest);
        if (cmd == "trace")
            return cmd_trace(rest);
        if (cmd == "check")
            return cmd_check(rest);
        if (cmd == "--help" || cmd == "-h" || cmd == "help") {
            std::cout << usage_text;
            return 0;
        }
        std::cerr << (cmd.empty() ? "qcsim: missing command\n"
                                  : "qcsim: unknown command '" + cmd + "'\n")
                  << usage_text;
        return sim::exit_bad_input;
    } catch (const sim::input_error &e) {
        std::cerr << "qcsim: error: " << e.what() << "\n";
        return sim::exit_bad_input;
    } catch (const usage_error &e) {
        std::cerr << "qcsim " << cmd << ": " << e.what() << "\n" << usage_text;
        return sim::exit_bad_input;
    } catch (const std::exception &e) {
        std::cerr << "qcsim: internal error (a bug, please report): " << e.what() << "\n";
        return 3;
    }
}
