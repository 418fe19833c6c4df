#include "ops/chip.h"

#include "ops/mac_cost.h"

#include <cmath>

namespace ops {

void validate(const chip_desc &c, const std::string &file) {
    if (c.dram.interleave_bytes % c.dma.burst_bytes != 0 &&
        c.dma.burst_bytes % c.dram.interleave_bytes != 0)
        throw sim::input_error(file, "dram.interleave_bytes",
                               "expected a multiple or a divisor of dma.burst_bytes (" +
                                   std::to_string(c.dma.burst_bytes) + ")");
    if (c.dma.burst_bytes > c.dram.row_bytes)
        throw sim::input_error(file, "dma.burst_bytes",
                               "expected at most dram.row_bytes (" +
                                   std::to_string(c.dram.row_bytes) +
                                   "): a burst must fit one DRAM row");
    if (c.dram.write_low_watermark >= c.dram.write_high_watermark)
        throw sim::input_error(file, "dram.write_low_watermark",
                               "expected less than dram.write_high_watermark (" +
                                   std::to_string(c.dram.write_high_watermark) + ")");
    if (c.scratchpad.bank_bytes % c.scratchpad.bank_width_bytes != 0)
        throw sim::input_error(file, "scratchpad.bank_bytes",
                               "expected a multiple of scratchpad.bank_width_bytes (" +
                                   std::to_string(c.scratchpad.bank_width_bytes) + ")");
}

double vector_fn_cost(const vector_costs &c, vec_fn fn) {
    switch (fn) {
    case vec_fn::copy:
        return c.copy;
    case vec_fn::add:
        return c.add;
    case vec_fn::mul:
        return c.mul;
    case vec_fn::relu:
        return c.relu;
    case vec_fn::prelu:
        return c.prelu;
    case vec_fn::sigmoid:
        return c.sigmoid;
    case vec_fn::pool:
        return c.pool;
    case vec_fn::mac:
        return c.mac;
    case vec_fn::softmax:
        return c.softmax;
    case vec_fn::layernorm:
        return c.layernorm;
    case vec_fn::gelu:
        return c.gelu;
    }
    return 1.0;
}

std::uint64_t vector_tile_cycles(const vector_unit_params &p, const vector_tile &t) {
    if (t.elements == 0)
        return 0;
    const double cost = vector_fn_cost(p.cost, t.fn);
    // ceil(elements · cost / lanes): the lanes work in lockstep; a partial last vector costs a
    // whole cycle. The pipeline latency is paid once per command.
    double c = std::ceil(double(t.elements) * cost / p.lanes - 1e-9);
    return static_cast<std::uint64_t>(c) + p.pipeline_cycles;
}

} // namespace ops
