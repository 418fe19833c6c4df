#pragma once
// The command vocabulary between the compiler (ops/) and the chip (arch/): per core, a stream of
// load / compute / store / barrier commands with dependencies, ONNXim-style
// (operation -> tile -> load/compute/store). Pure data, no SystemC.
//
// Execution semantics (what arch/ implements and README states):
// - Each core has queues: DMA engine e (loads and stores assigned to it), the MAC array, the
//   vector unit, and the controller (barriers). A queue executes its commands in stream order.
// - A command starts when every command in `deps` has completed and its queue is free; so
//   double buffering is expressed by deps (load of tile i+2 waits for compute of tile i, which
//   frees the buffer), and load, compute and store of different tiles overlap.
// - A barrier with id B completes when the barrier commands with id B of every core have had
//   their deps completed. Commands on other cores never appear in `deps`.

#include <cstdint>
#include <string>
#include <vector>

namespace ops {

enum class cmd_kind : std::uint8_t { load, store, compute, barrier };
enum class unit_kind : std::uint8_t { dma, mac_array, vector_unit, controller };

/// Vector-unit function classes; each has a cost in vector_costs (chip.h).
enum class vec_fn : std::uint8_t {
    copy,
    add,
    mul,
    relu,
    prelu,
    sigmoid,
    pool,
    mac,
    softmax,
    layernorm,
    gelu
};

/// Where the far side of a DMA transfer lives.
enum class mem_space : std::uint8_t { dram, peer_sram };

/// A 2-D strided region: `rows` runs of `row_bytes` bytes, `stride` bytes apart.
struct region {
    std::uint64_t addr = 0;
    std::uint32_t rows = 1;
    std::uint32_t row_bytes = 0;
    std::uint64_t stride = 0;
    std::uint64_t bytes() const { return std::uint64_t(rows) * row_bytes; }
};

/// A contiguous range of this core's scratchpad (byte address within the core's scratchpad).
struct sram_range {
    std::uint64_t addr = 0;
    std::uint64_t bytes = 0;
    /// A strided range (rows > 1): `rows` runs of `row_bytes` bytes, `stride` apart, within
    /// [addr, addr + bytes). The scratchpad serves (and counts) the runs only, and the
    /// compiler's hazard tracker uses them, so tiles writing other columns of a kept tensor do
    /// not depend on each other. (Until the sensitivity work the scratchpad charged the whole
    /// span: a 32-column tile of a kept 768-column output paid 24 times its bytes in bank time
    /// and energy, and DeiT-Tiny's MLP ran 25 % slower whenever its output was kept on chip.)
    std::uint32_t rows = 0;
    std::uint64_t row_bytes = 0, stride = 0;
};

/// A GEMM tile on the systolic array: M x K times K x N, repeated `repeat` times with different
/// data (e.g. the channels of a depthwise convolution, the groups of a grouped one). `taps` > 1:
/// the reduction is `taps` GEMMs of depth K accumulating into the same M x N outputs (a
/// convolution lowered per tap: K = channels, taps = kernel positions).
struct gemm_tile {
    std::uint64_t m = 0, k = 0, n = 0;
    std::uint64_t repeat = 1;
    std::uint64_t taps = 1;
    std::uint64_t macs() const { return m * k * n * repeat * taps; }
};

/// A vector-unit tile: `elements` element operations of function class `fn` (for fn == mac,
/// elements are MACs).
struct vector_tile {
    vec_fn fn = vec_fn::copy;
    std::uint64_t elements = 0;
};

struct command {
    cmd_kind kind = cmd_kind::compute;
    unit_kind unit = unit_kind::dma;
    std::uint32_t op = 0;     ///< index into program::ops: statistics are charged to it
    std::uint32_t engine = 0; ///< DMA engine index for loads and stores
    // load: far -> local; store: local -> far
    mem_space far_space = mem_space::dram;
    std::uint32_t far_core = 0; ///< the peer core when far_space == peer_sram
    region far;
    sram_range local;
    // compute
    gemm_tile gemm;                 ///< when unit == mac_array
    vector_tile vec;                ///< when unit == vector_unit
    std::vector<sram_range> reads;  ///< scratchpad operands the compute reads
    std::vector<sram_range> writes; ///< scratchpad results the compute writes
    // barrier
    std::uint32_t barrier_id = 0;
    std::vector<std::uint32_t> deps; ///< indices of earlier commands of the same core's stream
};

/// What the compiler decided for one (possibly fused) operator; the report's row.
struct op_info {
    std::string name;               ///< name of the graph operator that produced the result
    std::string type;               ///< conv2d, depthwise_conv2d, pointwise_conv2d, fc, add, ...
    std::string shapes;             ///< "96x56x56 -> 144x56x56" (inputs -> output)
    std::vector<std::string> fused; ///< names of graph operators fused into this one
    unit_kind unit = unit_kind::mac_array; ///< the compute unit it ran on
    std::uint32_t cores = 1;               ///< number of cores it was split over
    std::uint64_t macs = 0;                ///< MACs of the graph operator(s)
    std::uint64_t vector_ops = 0;          ///< element operations on the vector unit
    std::uint64_t sram_peak_bytes = 0;     ///< peak scratchpad bytes on one core (tiles + resident)
    std::uint64_t tiles = 0;               ///< compute tiles over all cores
    std::string tiling; ///< human-readable tiling decision, e.g. "rows=7 oc=64 x4 cores"
    /// A cross-core barrier precedes the op (compiler.barriers; never before the first op).
    bool barrier = false;
    /// The mapper's choice and its estimate on the busiest core (ops/plan.h op_estimate).
    struct mapping_info {
        std::int64_t rows = 0, oc = 0, kc = 0; ///< tile: output rows, channels, K block
        std::int64_t rows_per_core = 0;        ///< output rows of the busiest core
        std::int64_t max_fit_rows = 0;         ///< tallest row tile that fits with this oc and kc
        std::string order;                     ///< weights_outer | inputs_outer
        std::uint64_t stream_rows = 0;         ///< rows a full tile streams per fold (MAC ops)
        std::uint64_t est_cycles = 0;          ///< estimated cycles of the op
        std::uint64_t est_array_cycles = 0, est_vector_cycles = 0, est_dma_cycles = 0;
    } mapping;
    /// Where the output goes: "chip" (kept in the scratchpads for its readers), "spilled" (it
    /// could have been kept but did not fit: written to DRAM), or "dram".
    std::string output_placement = "dram";
};

struct program {
    std::vector<op_info> ops;
    std::vector<std::vector<command>> streams; ///< one per core
    std::uint64_t dram_bytes_needed = 0;       ///< DRAM footprint: weights + spilled activations
};

} // namespace ops
