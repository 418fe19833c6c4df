#pragma once
// One NN core: scratchpad, DMA engines, MAC array, vector unit and the controller that feeds
// them its command stream (nullptr: a controller in launched mode, controller.h). Instance names
// (public report keys): coreN.scratchpad, coreN.dmaE, coreN.mac_array, coreN.vector_unit,
// coreN.controller. The DMA sockets are bound by chip_top.

#include "arch/barrier_hub.h"
#include "arch/controller.h"
#include "arch/dma.h"
#include "arch/mac_array.h"
#include "arch/op_ledger.h"
#include "arch/sram.h"
#include "arch/vector_unit.h"
#include "ops/chip.h"
#include "ops/command.h"
#include "sim/sc/block.h"

#include <memory>
#include <vector>

namespace arch {

class nn_core : public sim::block {
public:
    nn_core(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
            const ops::chip_desc &chip, std::uint32_t index,
            const std::vector<ops::command> *stream, barrier_hub &hub, op_ledger &ledger);

    sram &scratchpad() { return m_sram; }
    const sram &scratchpad() const { return m_sram; }
    std::size_t engines() const { return m_dmas.size(); }
    dma &engine(std::size_t e) { return *m_dmas[e]; }
    const dma &engine(std::size_t e) const { return *m_dmas[e]; }
    const mac_array &mac() const { return m_mac; }
    const vector_unit &vec() const { return m_vec; }
    const controller &ctl() const { return *m_ctl; }
    controller &ctl() { return *m_ctl; }

private:
    sram m_sram;
    std::vector<std::unique_ptr<dma>> m_dmas;
    mac_array m_mac;
    vector_unit m_vec;
    std::unique_ptr<controller> m_ctl;
};

} // namespace arch
