#pragma once
// The chip: N NN cores (core0..), the interconnect and the DRAM (dram, channels dram.ch0..),
// built from the chip description and bound together. A plain object, not a module, so the
// instance names of its blocks are top-level paths ("core0.dma0", "interconnect").
// Collects the run's statistics after sc_start() returned.

#include "arch/barrier_hub.h"
#include "arch/dram.h"
#include "arch/interconnect.h"
#include "arch/nn_core.h"
#include "arch/op_ledger.h"
#include "arch/run_stats.h"
#include "ops/chip.h"
#include "ops/command.h"
#include "sim/sc/clock_domain.h"

#include <memory>
#include <vector>

namespace arch {

class chip_top {
public:
    /// Throws sim::input_error when the program does not fit the chip. `launched`: the cores'
    /// controllers start idle and run the streams launched on them (the scenario runtime);
    /// prog.streams must then be empty and prog.ops lists every operator they will run.
    /// `tl`: the timeline recorder the blocks report to (null: none); it gets the operators'
    /// names and one track per core unit.
    chip_top(const ops::chip_desc &chip, const ops::program &prog, bool launched = false,
             timeline_rec *tl = nullptr);

    /// Throws sim::input_error naming a core whose commands never completed.
    void check_done() const;
    run_stats collect() const;

    const sim::clock_domain &clk() const { return m_clk; }
    nn_core &core(std::size_t i) { return *m_cores[i]; }
    std::size_t cores() const { return m_cores.size(); }
    const dram &mem() const { return m_dram; }
    const interconnect &noc() const { return m_noc; }
    interconnect &noc() { return m_noc; }
    barrier_hub &hub() { return m_hub; }
    op_ledger &ledger() { return m_ledger; }
    const op_ledger &ledger() const { return m_ledger; }

private:
    const ops::chip_desc &m_chip;
    const ops::program &m_prog;
    sim::clock_domain m_clk; // first member built: fixes the kernel's time resolution
    std::size_t m_n_ops;
    op_ledger m_ledger;
    barrier_hub m_hub;
    std::vector<ops::command> m_empty;
    interconnect m_noc;
    dram m_dram;
    std::vector<std::unique_ptr<nn_core>> m_cores;
};

} // namespace arch
