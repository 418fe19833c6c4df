#pragma once
// Small builders shared by the SystemC testbenches: commands, programs and a way to run a
// simulation in a child process (SystemC elaborates once per process) when a test needs two.

#include "arch/run_stats.h"
#include "arch/simulate.h"
#include "ops/chip.h"
#include "ops/command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <vector>

namespace tb {

inline ops::command load(std::uint32_t op, std::uint64_t far_addr, std::uint64_t bytes,
                         std::uint64_t local_addr, std::initializer_list<std::uint32_t> deps = {},
                         std::uint32_t engine = 0) {
    ops::command c;
    c.kind = ops::cmd_kind::load;
    c.unit = ops::unit_kind::dma;
    c.op = op;
    c.engine = engine;
    c.far.addr = far_addr;
    c.far.rows = 1;
    c.far.row_bytes = static_cast<std::uint32_t>(bytes);
    c.far.stride = bytes;
    c.local = {local_addr, bytes};
    c.deps = deps;
    return c;
}

inline ops::command store(std::uint32_t op, std::uint64_t far_addr, std::uint64_t bytes,
                          std::uint64_t local_addr, std::initializer_list<std::uint32_t> deps = {},
                          std::uint32_t engine = 1) {
    ops::command c = load(op, far_addr, bytes, local_addr, deps, engine);
    c.kind = ops::cmd_kind::store;
    return c;
}

inline ops::command gemm(std::uint32_t op, std::uint64_t m, std::uint64_t k, std::uint64_t n,
                         std::initializer_list<std::uint32_t> deps = {}) {
    ops::command c;
    c.kind = ops::cmd_kind::compute;
    c.unit = ops::unit_kind::mac_array;
    c.op = op;
    c.gemm = {m, k, n, 1};
    c.deps = deps;
    return c;
}

inline ops::command vec(std::uint32_t op, ops::vec_fn fn, std::uint64_t elements,
                        std::initializer_list<std::uint32_t> deps = {}) {
    ops::command c;
    c.kind = ops::cmd_kind::compute;
    c.unit = ops::unit_kind::vector_unit;
    c.op = op;
    c.vec = {fn, elements};
    c.deps = deps;
    return c;
}

inline ops::command barrier(std::uint32_t op, std::uint32_t id,
                            std::initializer_list<std::uint32_t> deps = {}) {
    ops::command c;
    c.kind = ops::cmd_kind::barrier;
    c.unit = ops::unit_kind::controller;
    c.op = op;
    c.barrier_id = id;
    c.deps = deps;
    return c;
}

inline ops::program program(std::size_t n_ops, std::vector<std::vector<ops::command>> streams) {
    ops::program p;
    p.ops.resize(n_ops);
    for (std::size_t i = 0; i < n_ops; ++i)
        p.ops[i].name = "op" + std::to_string(i);
    // An op whose compute runs on the vector unit only is a vector op (its main unit).
    std::vector<int> units(n_ops, 0); // bit 0: MAC array, bit 1: vector unit
    for (const auto &s : streams)
        for (const auto &c : s)
            if (c.kind == ops::cmd_kind::compute && c.op < n_ops)
                units[c.op] |= c.unit == ops::unit_kind::mac_array ? 1 : 2;
    for (std::size_t i = 0; i < n_ops; ++i)
        if (units[i] == 2)
            p.ops[i].unit = ops::unit_kind::vector_unit;
    p.streams = std::move(streams);
    return p;
}

/// A 1 GHz chip (1 cycle = 1000 ps) with `cores` cores; other parameters are the reference.
/// The reference chip at 1 GHz. The testbenches of the controller, DMA, DRAM and chip pin
/// rules other than the array's, so their MAC tiles use the `scalesim` model: each tile is one
/// opaque block of folds · (2R + C + T − 2) cycles, and a derivation stays a sum of tiles.
/// tb_mac_array covers the `pipelined` model (pass pipelined = true).
inline ops::chip_desc chip(std::uint32_t cores = 1, bool pipelined = false) {
    ops::chip_desc c;
    c.clock_mhz = 1000;
    c.cores = cores;
    if (!pipelined)
        c.mac_array.timing = ops::mac_timing::scalesim;
    return c;
}

/// Runs arch::simulate in a child process and returns its total cycles.
/// Runs arch::simulate in a child process (SystemC elaborates once per process) and returns
/// what `pick` takes from its result.
template <class Pick>
std::vector<std::uint64_t> in_child(const ops::chip_desc &chip, const ops::program &prog,
                                    Pick pick) {
    int fd[2];
    if (pipe(fd) != 0)
        throw std::runtime_error("pipe");
    const pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        const std::vector<std::uint64_t> v = pick(arch::simulate(chip, prog));
        const std::uint64_t n = v.size();
        (void)!write(fd[1], &n, sizeof n);
        (void)!write(fd[1], v.data(), n * sizeof n);
        _exit(0);
    }
    close(fd[1]);
    std::uint64_t n = 0;
    std::vector<std::uint64_t> v;
    if (read(fd[0], &n, sizeof n) == sizeof n) {
        v.resize(n);
        std::size_t got = 0;
        while (got < n * sizeof n) {
            const auto k =
                read(fd[0], reinterpret_cast<char *>(v.data()) + got, n * sizeof n - got);
            if (k <= 0)
                break;
            got += std::size_t(k);
        }
        if (got != n * sizeof n)
            v.clear();
    }
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (v.empty())
        throw std::runtime_error("child failed");
    return v;
}

/// Runs arch::simulate in a child process and returns its total cycles.
inline std::uint64_t cycles_in_child(const ops::chip_desc &chip, const ops::program &prog) {
    return in_child(chip, prog, [](const arch::run_stats &r) {
        return std::vector<std::uint64_t>{r.cycles};
    })[0];
}

} // namespace tb
