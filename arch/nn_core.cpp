#include "arch/nn_core.h"

#include <string>

namespace arch {

namespace {
/// Bursts per DMA transaction: sim.burst_group under the fr_fcfs scheduler, which serves the
/// row hits of its look-ahead window together anyway; 1 under in_order, whose point is that
/// bursts meet the channel one at a time in arrival order, and when the interconnect has a
/// multicast buffer (it looks up and holds single bursts). docs/timing-model.md, "Burst groups".
std::uint32_t burst_group(const ops::chip_desc &chip) {
    if (chip.interconnect.multicast_kib || chip.dram.scheduler != ops::dram_scheduler::fr_fcfs)
        return 1;
    return chip.sim.burst_group;
}
} // namespace

nn_core::nn_core(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                 const ops::chip_desc &chip, std::uint32_t index,
                 const std::vector<ops::command> *stream, barrier_hub &hub, op_ledger &ledger)
    : sim::block(name, clk), m_sram("scratchpad", clk, chip.scratchpad, ledger),
      m_mac("mac_array", clk, chip.mac_array, m_sram, ledger),
      m_vec("vector_unit", clk, chip.vector_unit, m_sram, ledger) {
    std::vector<dma *> raw;
    for (std::uint32_t e = 0; e < chip.dma.engines; ++e) {
        const std::string n = "dma" + std::to_string(e);
        m_dmas.push_back(std::make_unique<dma>(n.c_str(), clk, chip.dma, chip.sim, m_sram, ledger,
                                               burst_group(chip)));
        raw.push_back(m_dmas.back().get());
    }
    if (stream)
        m_ctl = std::make_unique<controller>("controller", clk, chip.controller, index, *stream,
                                             std::move(raw), m_mac, m_vec, hub, ledger);
    else
        m_ctl = std::make_unique<controller>("controller", clk, chip.controller, index,
                                             std::move(raw), m_mac, m_vec, hub, ledger);
}

} // namespace arch
