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
#include "qcsim_version.h"
#include "arch/simulate.h"
#include "ops/compiler.h"
#include "sim/errors.h"
#include "sim/output.h"
#include "sim/table.h"
#include "workloads/generators.h"
#include "workloads/trace.h"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <sstream>
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

int cmd_run(const std::vector<std::string> &args) {
    po::options_description d("qcsim run options");
    d.add_options()("help,h", "this help")(
        "chip", po::value<std::string>()->default_value(""),
        "chip config JSON (default: the built-in reference chip, = configs/questcore.json)")(
        "workload,w", po::value<std::string>()->default_value(default_workload),
        "NAME[:k=v,...] of a built-in network, a trace FILE.json or scalesim:FILE.csv")(
        "set", po::value<std::vector<std::string>>()->composing(),
        "override a config key: --set dram.channels=2 (repeatable)")(
        "json", po::value<std::string>(), "write the JSON report to FILE ('-' = stdout)")(
        "csv", po::value<std::string>(), "write the per-operator CSV to FILE ('-' = stdout)")(
        "dump-config", po::value<std::string>(), "write the effective chip config to FILE")(
        "group-by", po::value<std::string>()->default_value("op"),
        "table and CSV rows: op (per operator, with layer subtotals), layer, or type (sums per "
        "operator type, most cycles first)")("quiet,q", "do not print the table")(
        "times", "print the wall time of each phase (build, compile, simulate, report) to stderr")(
        "wide", "every per-operator column in the table (the default fits 120 columns)");
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
    // Everything that can be wrong with the input is checked before anything is written.
    using clock = std::chrono::steady_clock;
    auto t0 = clock::now();
    auto ms_since = [&](clock::time_point &t) {
        const auto now = clock::now();
        const double ms = std::chrono::duration<double, std::milli>(now - t).count();
        t = now;
        return ms;
    };
    auto chip = app::load_chip(vm["chip"].as<std::string>(), sets);
    const std::string spec = vm["workload"].as<std::string>();
    workloads::graph g = workloads::build_workload(spec);
    const double t_build = ms_since(t0);
    ops::program prog = ops::compile(g, chip.chip, spec);
    const double t_compile = ms_since(t0);

    arch::run_stats st = arch::simulate(chip.chip, prog);
    const double t_sim = ms_since(t0);
    app::run_info run;
    run.version = QCSIM_VERSION;
    run.chip_file = vm["chip"].as<std::string>().empty() ? chip.source : vm["chip"].as<std::string>();
    run.overrides = sets;
    run.workload_spec = spec;
    run.config_hash = app::config_hash(chip.effective);
    auto report = app::make_report(chip.chip, g, prog, st, run);
    if (vm.count("times")) // wall times vary by machine: never part of a report
        std::cerr << fmt::format("times: config+workload {:.1f} ms, compile {:.1f} ms, "
                                 "simulate {:.1f} ms, report {:.1f} ms\n",
                                 t_build, t_compile, t_sim, ms_since(t0));

    std::string json_text = report.dump(2) + "\n";
    std::string csv_text = app::render_csv(report, group_by);
    std::string cfg_text = chip.effective.dump(2) + "\n";
    if (vm.count("dump-config"))
        sim::write_file_atomic(vm["dump-config"].as<std::string>(), cfg_text);
    if (vm.count("json"))
        sim::write_file_atomic(vm["json"].as<std::string>(), json_text);
    if (vm.count("csv"))
        sim::write_file_atomic(vm["csv"].as<std::string>(), csv_text);
    bool to_stdout = (vm.count("json") && vm["json"].as<std::string>() == "-") ||
                     (vm.count("csv") && vm["csv"].as<std::string>() == "-");
    if (!vm.count("quiet") && !to_stdout)
        std::cout << app::render_table(report, group_by, vm.count("wide") > 0);
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
    std::string text;
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
        // One block per generator: name, MACs and parameters of its default, what it is, then
        // its parameters (default [min, max] or {choices}), wrapped to 120 columns.
        text += fmt::format("{}: {:.1f} M MACs, {} parameters (defaults)\n", gen.name,
                            g.total_macs() / 1e6, g.total_params());
        text += sim::wrap(gen.description, 120, "  ");
        text += sim::wrap(ps, 120, "    ") + "\n";
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
        std::cout << text;
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
    // The meaning goes on the lines below its key, wrapped to 120 columns.
    for (auto &r : rows)
        t.add_row({r.path, r.type, r.unit, r.default_value});
    std::istringstream lines(t.str());
    std::string line;
    std::size_t row = 0, header_lines = 2;
    while (std::getline(lines, line)) {
        std::cout << line << "\n";
        if (header_lines) {
            --header_lines;
            continue;
        }
        if (row < rows.size())
            std::cout << sim::wrap(rows[row++].description, 120, "      ");
    }
    return 0;
}

int cmd_trace(const std::vector<std::string> &args) {
    po::options_description d("qcsim trace options");
    d.add_options()("help,h", "this help")(
        "workload,w", po::value<std::string>()->default_value(default_workload),
        "NAME[:k=v,...], FILE.json or scalesim:FILE.csv")(
        "out,o", po::value<std::string>()->default_value("-"), "output FILE ('-' = stdout)");
    auto vm = parse(d, args);
    if (vm.count("help")) {
        std::cout << d;
        return 0;
    }
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
        "jobs,j", po::value<unsigned>(&o.jobs)->default_value(0),
        "child processes at once (0 = hardware threads)")(
        "top", po::value<unsigned>(&o.top)->default_value(o.top),
        "moved operators listed per pair")("json", po::value<std::string>(&o.json_out),
                                           "write the result as JSON to FILE")(
        "markdown", po::value<std::string>(&o.markdown_out),
        "write the result as a Markdown table to FILE")(
        "determinism-pair", po::value<std::string>(&o.determinism_pair),
        "PATTERN: the pair run twice to check reproducibility (default: the first selected)");
    auto vm = parse(d, args);
    if (vm.count("help")) {
        std::cout << d;
        return 0;
    }
    o.update = vm.count("update") > 0;
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
        if (cmd == "--version" || cmd == "version") {
            std::cout << "qcsim " << QCSIM_VERSION << "\n";
            return 0;
        }
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
