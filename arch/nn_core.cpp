#include "arch/nn_core.h"

#include <string>

namespace arch {

nn_core::nn_core(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                 const ops::chip_desc &chip, std::uint32_t index,
                 const std::vector<ops::command> *stream, barrier_hub &hub, op_ledger &ledger)
    : sim::block(name, clk), m_sram("scratchpad", clk, chip.scratchpad, ledger),
      m_mac("mac_array", clk, chip.mac_array, m_sram, ledger),
      m_vec("vector_unit", clk, chip.vector_unit, m_sram, ledger) {
    std::vector<dma *> raw;
    for (std::uint32_t e = 0; e < chip.dma.engines; ++e) {
        const std::string n = "dma" + std::to_string(e);
        m_dmas.push_back(std::make_unique<dma>(n.c_str(), clk, chip.dma, chip.sim, m_sram, ledger));
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
