#pragma once
// The chip description: plain structs read strictly from the chip JSON (configs/questcore.json),
// SystemC-free so that the compiler and its tests never link SystemC. Every field is declared
// once, with its unit and meaning, in a visit() member (sim/params.h); the default of a
// default-constructed chip_desc IS the reference chip, whose assumptions README lists.

#include "ops/video.h"
#include "sim/params.h"

#include <cstdint>
#include <string>

namespace ops {

enum class dataflow : std::uint8_t { ws, os, is };
inline const sim::choice_table<dataflow> &dataflow_names() {
    static const sim::choice_table<dataflow> t{
        {{dataflow::ws, "ws"}, {dataflow::os, "os"}, {dataflow::is, "is"}}};
    return t;
}

/// How a MAC array's tile time is computed (ops/mac_cost.h, docs/timing-model.md):
/// `pipelined` = a double-buffered array whose folds (and back-to-back tiles) overlap the preload
/// of the next stationary operand with the current stream, paying the skew once per run;
/// `scalesim` = SCALE-Sim v2's stall-free per-fold formulas, every fold paid whole.
enum class mac_timing : std::uint8_t { pipelined, scalesim };
inline const sim::choice_table<mac_timing> &mac_timing_names() {
    static const sim::choice_table<mac_timing> t{
        {{mac_timing::pipelined, "pipelined"}, {mac_timing::scalesim, "scalesim"}}};
    return t;
}

/// How a KxK convolution becomes GEMMs on the array: `im2col` puts C·R·S on the array rows (an
/// im2col unit expands the window on the fly); `per_tap` puts C on the rows and runs the R·S
/// taps as accumulating folds, as arrays without an im2col unit do.
enum class conv_lowering : std::uint8_t { im2col, per_tap };
inline const sim::choice_table<conv_lowering> &conv_lowering_names() {
    static const sim::choice_table<conv_lowering> t{
        {{conv_lowering::im2col, "im2col"}, {conv_lowering::per_tap, "per_tap"}}};
    return t;
}

struct mac_array_params {
    std::uint32_t rows = 64;             ///< PE rows (count); WS maps the reduction dim K here
    std::uint32_t cols = 32;             ///< PE columns (count); WS maps output channels N here
    dataflow flow = dataflow::ws;        ///< systolic dataflow
    std::uint32_t accumulator_bytes = 4; ///< bytes of one partial sum (INT8 x INT8 -> INT32)
    mac_timing timing = mac_timing::pipelined; ///< tile timing model
    /// bytes/cycle of the port that preloads the stationary operand (WS weights, IS inputs) or
    /// drains it (OS outputs); 0 = a systolic shift: one array row per cycle, so a fold that
    /// uses r rows takes r cycles (R for a full fold)
    std::uint32_t preload_bytes_per_cycle = 0;
    bool double_buffer = true;           ///< stationary operand double-buffered in the PEs
    std::uint32_t accumulator_kib = 128; ///< KiB of accumulator SRAM below the array (WS/IS)
    conv_lowering lowering = conv_lowering::im2col; ///< KxK convolutions on the array
    template <class V> void visit(V &v) {
        v.field("rows", rows, "count", "PE rows of the systolic array", sim::between(1, 4096));
        v.field("cols", cols, "count", "PE columns of the systolic array", sim::between(1, 4096));
        v.choice("dataflow", flow, dataflow_names(),
                 "systolic dataflow: weight-, output- or input-stationary");
        v.field("accumulator_bytes", accumulator_bytes, "bytes", "bytes of one partial sum",
                sim::between(1, 8));
        v.choice("timing", timing, mac_timing_names(),
                 "tile timing: pipelined (double-buffered folds and back-to-back tiles overlap; "
                 "the skew is paid once per run) or scalesim (SCALE-Sim v2's stall-free "
                 "per-fold formulas, every fold paid whole)");
        v.field("preload_bytes_per_cycle", preload_bytes_per_cycle, "bytes/cycle",
                "port that loads the stationary operand (WS weights, IS inputs) or drains the "
                "outputs (OS); 0 = systolic shift, one array row per cycle",
                sim::between(0, 1 << 20));
        v.field("double_buffer", double_buffer, "bool",
                "stationary operand double-buffered: the next fold's preload overlaps the "
                "current fold's stream (pipelined timing)");
        v.field("accumulator_kib", accumulator_kib, "KiB",
                "accumulator SRAM of the array (WS/IS): a fold streams at most "
                "accumulator_kib·1024 / (cols·accumulator_bytes) rows before its partial sums "
                "must be complete (pipelined timing)",
                sim::between(1, 1 << 20));
        v.choice("conv_lowering", lowering, conv_lowering_names(),
                 "KxK convolutions: im2col (C·R·S on the array rows) or per_tap (C on the rows, "
                 "the R·S taps as accumulating folds)");
    }
    /// Rows a fold may stream before its accumulators fill (WS/IS, pipelined timing).
    std::uint64_t accumulator_depth() const {
        const std::uint64_t d =
            std::uint64_t(accumulator_kib) * 1024 / (std::uint64_t(cols) * accumulator_bytes);
        return d ? d : 1;
    }
};

/// Vector-unit cost of each function class, in cycles per element per lane (1 = one element per
/// lane per cycle). Softmax/GELU-class functions (exp, div) cost more than an add.
struct vector_costs {
    double copy = 0.5;    ///< cycles/elem/lane: move or layout change (concat, slice)
    double add = 1.0;     ///< cycles/elem/lane: element-wise add (two operands read)
    double mul = 1.0;     ///< cycles/elem/lane: element-wise multiply
    double relu = 1.0;    ///< cycles/elem/lane: ReLU, ReLU6 (compare/clamp)
    double prelu = 2.0;   ///< cycles/elem/lane: PReLU (compare, multiply)
    double sigmoid = 4.0; ///< cycles/elem/lane: sigmoid (exp + reciprocal via LUT)
    double pool = 1.0;    ///< cycles per input element per lane: max/avg pooling
    double mac = 1.0;     ///< cycles per MAC per lane: depthwise convolution routed here
    /// Softmax: max pass (1) + subtract and exp via LUT (4, as sigmoid) + normalise by a per-row
    /// reciprocal (1); the row sum accumulates during the exp pass.
    double softmax = 6.0;
    /// LayerNorm: mean pass (1) + variance pass (subtract, square-accumulate: 2) + normalise and
    /// affine (2); the per-row rsqrt is negligible.
    double layernorm = 5.0;
    /// GELU as x·sigmoid(1.702·x): sigmoid (4) + multiply (1).
    double gelu = 5.0;
    template <class V> void visit(V &v) {
        auto r = sim::between(0.01, 1000);
        v.field("copy", copy, "cycles/elem/lane", "data movement (concat, slice)", r);
        v.field("add", add, "cycles/elem/lane", "element-wise add", r);
        v.field("mul", mul, "cycles/elem/lane", "element-wise multiply", r);
        v.field("relu", relu, "cycles/elem/lane", "ReLU and ReLU6", r);
        v.field("prelu", prelu, "cycles/elem/lane", "PReLU", r);
        v.field("sigmoid", sigmoid, "cycles/elem/lane", "sigmoid", r);
        v.field("pool", pool, "cycles/input elem/lane", "max and average pooling", r);
        v.field("mac", mac, "cycles/MAC/lane",
                "depthwise convolution and ConvBERT's dynamic convolution on the vector unit", r);
        v.field("softmax", softmax, "cycles/elem/lane", "softmax (max, exp, sum, normalise)", r);
        v.field("layernorm", layernorm, "cycles/elem/lane", "layer normalisation", r);
        v.field("gelu", gelu, "cycles/elem/lane", "GELU", r);
    }
};

struct vector_unit_params {
    std::uint32_t lanes = 64;          ///< elements processed per cycle at cost 1 (count)
    std::uint32_t pipeline_cycles = 8; ///< cycles: latency of one vector command before results
    vector_costs cost;
    template <class V> void visit(V &v) {
        v.field("lanes", lanes, "count", "SIMD lanes", sim::between(1, 65536));
        v.field("pipeline_cycles", pipeline_cycles, "cycles", "pipeline latency per command",
                sim::between(0, 10000));
        v.group("cost", cost, "cost of each function class");
    }
};

/// Where consecutive scratchpad bytes live: `blocked` = bank_bytes-sized blocks, one bank after
/// another (a buffer sits in one or two banks); `interleaved` = interleave_bytes-sized pieces
/// round-robin over the banks (every buffer spreads over all banks).
enum class sram_layout : std::uint8_t { blocked, interleaved };
inline const sim::choice_table<sram_layout> &sram_layout_names() {
    static const sim::choice_table<sram_layout> t{
        {{sram_layout::blocked, "blocked"}, {sram_layout::interleaved, "interleaved"}}};
    return t;
}

struct scratchpad_params {
    std::uint32_t banks = 16;             ///< count per core
    std::uint32_t bank_bytes = 64 * 1024; ///< bytes per bank
    std::uint32_t bank_width_bytes = 64;  ///< bytes one bank reads or writes per cycle
    std::uint32_t latency_cycles = 2;     ///< cycles from access start to data
    std::uint32_t ports = 1; ///< per bank: 1 = one port shared by reads and writes, 2 = 1R1W
    sram_layout layout = sram_layout::blocked; ///< bank of an address
    std::uint32_t interleave_bytes = 64;       ///< bytes per bank before the next (interleaved)
    double residency_fraction = 0.5; ///< share of the scratchpad the compiler may use to keep
                                     ///< activations on chip between operators
    template <class V> void visit(V &v) {
        v.field("banks", banks, "count", "SRAM banks per core", sim::between(1, 1024));
        v.field("bank_bytes", bank_bytes, "bytes", "capacity of one bank", sim::at_least(64));
        v.field("bank_width_bytes", bank_width_bytes, "bytes/cycle", "port width of one bank",
                sim::between(1, 4096));
        v.field("latency_cycles", latency_cycles, "cycles", "access latency",
                sim::between(0, 1000));
        v.field("ports", ports, "count",
                "ports per bank: 1 = reads and writes share one port (one timeline per bank); "
                "2 = one read and one write port (1R1W), so a DMA write never waits for the "
                "array's operand reads",
                sim::between(1, 2));
        v.choice("layout", layout, sram_layout_names(),
                 "bank of an address: blocked (bank_bytes blocks, bank after bank: a buffer "
                 "sits in one or two banks) or interleaved (interleave_bytes pieces round-robin "
                 "over all banks)");
        v.field("interleave_bytes", interleave_bytes, "bytes",
                "consecutive bytes in one bank before the next (interleaved layout)",
                sim::between(1, 1 << 20));
        v.field("residency_fraction", residency_fraction, "fraction",
                "share of the scratchpad that may hold activations kept on chip between operators",
                sim::between(0, 0.9));
    }
    std::uint64_t bytes() const { return std::uint64_t(banks) * bank_bytes; }
};

struct dma_params {
    std::uint32_t engines = 2;          ///< DMA engines per core (count)
    std::uint32_t burst_bytes = 256;    ///< bytes per burst
    std::uint32_t bytes_per_cycle = 64; ///< bytes/cycle one engine can issue
    std::uint32_t outstanding = 16;     ///< bursts in flight per engine
    std::uint32_t setup_cycles = 16;    ///< cycles to fetch and decode one descriptor
    template <class V> void visit(V &v) {
        v.field("engines", engines, "count",
                "DMA engines per core: loads on the first half (rounded up), stores on the rest, "
                "each transfer striped over its half (docs/compiler.md §5)",
                sim::between(1, 64));
        v.field("burst_bytes", burst_bytes, "bytes", "bytes per burst", sim::between(16, 65536));
        v.field("bytes_per_cycle", bytes_per_cycle, "bytes/cycle", "issue rate of one engine",
                sim::between(1, 4096));
        v.field("outstanding", outstanding, "count", "bursts in flight per engine",
                sim::between(1, 1024));
        v.field("setup_cycles", setup_cycles, "cycles", "descriptor fetch and decode",
                sim::between(0, 100000));
    }
};

struct interconnect_params {
    std::uint32_t bytes_per_cycle = 64; ///< bytes/cycle of the shared path to DRAM
    std::uint32_t latency_cycles = 8;   ///< cycles of one traversal
    std::uint32_t multicast_kib = 0;    ///< multicast buffer (0 = none)
    template <class V> void visit(V &v) {
        v.field("bytes_per_cycle", bytes_per_cycle, "bytes/cycle",
                "bandwidth of the path shared by all cores to DRAM", sim::between(1, 65536));
        v.field("latency_cycles", latency_cycles, "cycles", "traversal latency",
                sim::between(0, 100000));
        v.field("multicast_kib", multicast_kib, "KiB",
                "multicast buffer in the interconnect: it holds the most recent DRAM read "
                "bursts (first in, first out) and serves a read of the same burst by any core "
                "without DRAM or the shared path, so the weights of a row split and the input of "
                "a channel split cross them once for all cores; 0 = no buffer",
                sim::between(0, 65536));
    }
};

enum class dram_model : std::uint8_t { simple, banked };
inline const sim::choice_table<dram_model> &dram_model_names() {
    static const sim::choice_table<dram_model> t{
        {{dram_model::simple, "simple"}, {dram_model::banked, "banked"}}};
    return t;
}

/// How a channel-local address picks its bank: `linear` = consecutive rows go to consecutive
/// banks; `xor` = that bank index XOR the low bits of the row index (permutation-based page
/// interleaving, Zhang, Zhu & Zhang, MICRO 2000), which spreads streams that start a multiple
/// of banks·row_bytes apart -- several cores streaming weights in lockstep -- over different
/// banks instead of thrashing one.
enum class bank_map : std::uint8_t { linear, xor_row };
inline const sim::choice_table<bank_map> &bank_map_names() {
    static const sim::choice_table<bank_map> t{
        {{bank_map::linear, "linear"}, {bank_map::xor_row, "xor"}}};
    return t;
}

/// The order in which a channel's controller serves requests (arch/dram_scheduler.h,
/// docs/timing-model.md): `in_order` = strictly in arrival order, reads and writes alike;
/// `fr_fcfs` = first-ready, first-come-first-served within a look-ahead window (row hits ahead
/// of older requests that wait for another row of their bank), with posted writes drained in
/// batches between watermarks.
enum class dram_scheduler : std::uint8_t { in_order, fr_fcfs };
inline const sim::choice_table<dram_scheduler> &dram_scheduler_names() {
    static const sim::choice_table<dram_scheduler> t{
        {{dram_scheduler::in_order, "in_order"}, {dram_scheduler::fr_fcfs, "fr_fcfs"}}};
    return t;
}

struct dram_params {
    dram_model model = dram_model::banked; ///< "simple": fixed latency + bandwidth; "banked": rows
    std::uint32_t channels = 4;            ///< count
    std::uint32_t mt_per_s = 4266;         ///< mega-transfers per second per pin (LPDDR4X-4266)
    std::uint32_t bus_bits = 16;           ///< data bits per channel
    std::uint32_t banks = 8;               ///< banks per channel
    bank_map map = bank_map::xor_row;      ///< bank index of an address
    std::uint32_t row_bytes = 2048;        ///< bytes per row (page) of a bank
    std::uint32_t interleave_bytes = 256;  ///< bytes per channel before the next channel
    double t_rcd_ns = 18;                  ///< ns activate -> read
    double t_cl_ns = 18;                   ///< ns read -> data (CAS latency)
    double t_rp_ns = 18;                   ///< ns precharge
    double controller_ns = 20;             ///< ns of controller and PHY latency per request
    double t_wtr_ns = 10; ///< ns from the last write data to the next read command (0: ignored)
    double t_rtw_ns = 5;  ///< ns of idle data bus between read data and the next write data
    dram_scheduler scheduler = dram_scheduler::fr_fcfs; ///< request order of a channel
    std::uint32_t read_queue_depth = 32;     ///< requests fr_fcfs looks ahead over, per channel
    std::uint32_t write_high_watermark = 32; ///< buffered writes per channel that start a drain
    std::uint32_t write_low_watermark = 8;   ///< buffered writes a drain leaves
    template <class V> void visit(V &v) {
        v.choice("model", model, dram_model_names(),
                 "simple: latency + bandwidth; banked: adds row-buffer hits and misses");
        v.field("channels", channels, "count", "independent channels", sim::between(1, 64));
        v.field("mt_per_s", mt_per_s, "MT/s", "transfers per second per pin",
                sim::between(1, 100000));
        v.field("bus_bits", bus_bits, "bits", "data width of one channel", sim::between(8, 1024));
        v.field("banks", banks, "count", "banks per channel", sim::between(1, 256));
        v.choice("bank_map", map, bank_map_names(),
                 "bank of a channel-local address (banked model): linear = row_bytes-sized "
                 "pieces round-robin over the banks; xor = that index XOR the row index "
                 "(permutation interleaving: concurrent streams land in different banks)");
        v.field("row_bytes", row_bytes, "bytes", "row (page) size of a bank",
                sim::between(64, 1 << 20));
        v.field("interleave_bytes", interleave_bytes, "bytes",
                "consecutive bytes mapped to one channel", sim::between(32, 1 << 20));
        v.field("t_rcd_ns", t_rcd_ns, "ns", "activate to read delay", sim::between(0, 1000));
        v.field("t_cl_ns", t_cl_ns, "ns", "read to data delay", sim::between(0, 1000));
        v.field("t_rp_ns", t_rp_ns, "ns", "precharge delay", sim::between(0, 1000));
        v.field("controller_ns", controller_ns, "ns", "controller and PHY latency",
                sim::between(0, 10000));
        v.field("t_wtr_ns", t_wtr_ns, "ns",
                "write-to-read turnaround: a read command issues at least this long after the "
                "last write data of its channel (0 = ignored)",
                sim::between(0, 1000));
        v.field("t_rtw_ns", t_rtw_ns, "ns",
                "read-to-write turnaround: idle data bus between read data and the next write "
                "data (0 = ignored)",
                sim::between(0, 1000));
        v.choice("scheduler", scheduler, dram_scheduler_names(),
                 "request order of a channel: in_order (arrival order, reads and writes alike) "
                 "or fr_fcfs (row hits ahead of older requests to another row of their bank "
                 "within read_queue_depth; writes posted and drained in batches)");
        v.field("read_queue_depth", read_queue_depth, "requests",
                "fr_fcfs look-ahead per channel: a request waiting for another row of its bank "
                "is bypassed by row hits of fewer than this many younger requests (1 = in order)",
                sim::between(1, 4096));
        v.field("write_high_watermark", write_high_watermark, "requests",
                "fr_fcfs write buffer per channel: writes are acknowledged when buffered and "
                "drained, grouped by row, when this many are buffered (or while the channel "
                "idles); a write waits while the buffer is full",
                sim::between(1, 4096));
        v.field("write_low_watermark", write_low_watermark, "requests",
                "fr_fcfs: buffered writes a drain leaves (below write_high_watermark)",
                sim::between(0, 4095));
    }
    /// Peak bytes per second of all channels.
    double peak_bytes_per_s() const { return double(channels) * mt_per_s * 1e6 * bus_bits / 8.0; }
};

struct controller_params {
    std::uint32_t issue_cycles = 2; ///< cycles for the controller to issue one command
    template <class V> void visit(V &v) {
        v.field("issue_cycles", issue_cycles, "cycles", "cycles to issue one command",
                sim::between(0, 10000));
    }
};

/// Self-attention's Q·Kᵀ -> softmax -> P·V: three operators with the scores in between (kept
/// on chip when they fit, else spilled), or one fused operator that computes the scores of a
/// block of query rows, normalises them and multiplies by V without ever storing them.
enum class attention_policy : std::uint8_t { separate, fused };
inline const sim::choice_table<attention_policy> &attention_policy_names() {
    static const sim::choice_table<attention_policy> t{
        {{attention_policy::separate, "separate"}, {attention_policy::fused, "fused"}}};
    return t;
}

enum class residual_policy : std::uint8_t { fused, vector };
inline const sim::choice_table<residual_policy> &residual_policy_names() {
    static const sim::choice_table<residual_policy> t{
        {{residual_policy::fused, "fused"}, {residual_policy::vector, "vector"}}};
    return t;
}
enum class depthwise_policy : std::uint8_t { mac_array, vector_unit };
inline const sim::choice_table<depthwise_policy> &depthwise_policy_names() {
    static const sim::choice_table<depthwise_policy> t{
        {{depthwise_policy::mac_array, "mac_array"},
         {depthwise_policy::vector_unit, "vector_unit"}}};
    return t;
}
enum class core_split : std::uint8_t { rows, channels, automatic };
inline const sim::choice_table<core_split> &core_split_names() {
    static const sim::choice_table<core_split> t{{{core_split::rows, "rows"},
                                                  {core_split::channels, "channels"},
                                                  {core_split::automatic, "auto"}}};
    return t;
}

/// Loop order of a MAC operator's tiles (ops/plan.h loop_order): chosen per operator by the
/// mapper's time estimate (`auto`), or forced, to compare.
enum class loop_order_policy : std::uint8_t { automatic, weights_outer, inputs_outer };
inline const sim::choice_table<loop_order_policy> &loop_order_policy_names() {
    static const sim::choice_table<loop_order_policy> t{
        {{loop_order_policy::automatic, "auto"},
         {loop_order_policy::weights_outer, "weights_outer"},
         {loop_order_policy::inputs_outer, "inputs_outer"}}};
    return t;
}

/// When cores synchronise between operators: before every operator (every_op), or only before
/// one that reads data another core wrote since the last synchronisation, or that follows one
/// that did (when_needed; docs/compiler.md §5).
enum class barrier_policy : std::uint8_t { every_op, when_needed };
inline const sim::choice_table<barrier_policy> &barrier_policy_names() {
    static const sim::choice_table<barrier_policy> t{
        {{barrier_policy::every_op, "every_op"}, {barrier_policy::when_needed, "when_needed"}}};
    return t;
}

struct compiler_params {
    residual_policy residual = residual_policy::fused;
    depthwise_policy depthwise = depthwise_policy::vector_unit;
    core_split split = core_split::automatic;
    bool fuse_activations = true;
    bool fuse_unfold = true;
    attention_policy attention = attention_policy::separate;
    bool keep_on_chip = true;
    loop_order_policy loop_order = loop_order_policy::automatic;
    barrier_policy barriers = barrier_policy::when_needed;
    template <class V> void visit(V &v) {
        v.choice("residual", residual, residual_policy_names(),
                 "residual add: fused into the producer's epilogue, or a vector-unit operator");
        v.choice("depthwise", depthwise, depthwise_policy_names(),
                 "unit that runs depthwise convolutions");
        v.choice("core_split", split, core_split_names(),
                 "how an operator is divided across cores: output rows, output channels, or "
                 "auto (per operator, fewer estimated DRAM+peer bytes; ties to rows); "
                 "operators without rows always split by channels");
        v.field("fuse_activations", fuse_activations, "bool",
                "fuse activations into the producing operator");
        v.field("fuse_unfold", fuse_unfold, "bool",
                "ConvBERT's unfold: read the k shifted token windows in place in the dynamic "
                "convolution (true) or materialise the k-times larger unfolded tensor (false)");
        v.choice("attention", attention, attention_policy_names(),
                 "self-attention scores: separate operators (Q·Kᵀ, softmax, P·V; the T x T "
                 "scores kept on chip or spilled) or fused (per block of query rows, the "
                 "scores never leave the scratchpad)");
        v.field("keep_on_chip", keep_on_chip, "bool",
                "keep activations in the scratchpad between operators when they fit");
        v.choice("loop_order", loop_order, loop_order_policy_names(),
                 "MAC operators' tile loop order: auto (the mapper's estimate picks per "
                 "operator), weights_outer (a weight block stays, inputs re-read per channel "
                 "block) or inputs_outer (an input row block stays, weights re-read per row "
                 "block; used where it applies)");
        v.choice("barriers", barriers, barrier_policy_names(),
                 "cross-core barriers between operators: every_op, or when_needed (only before "
                 "an operator that reads data another core wrote since the last barrier, or "
                 "after one that did; elsewhere each core runs on, ordered by its own "
                 "scratchpad and DRAM dependencies, and consecutive operators overlap)");
    }
};

/// Per-action energies. Defaults: docs/energy-area.md (Horowitz, ISSCC 2014, scaled from 45 nm
/// to a 16 nm-class node; LPDDR4 interface energy). Energy per action does not depend on the
/// clock, so dynamic power is energy / time; an idle block is clock-gated and burns only its
/// leakage (leakage_params).
struct energy_params {
    double pj_per_mac = 0.1; ///< pJ per INT8 MAC
    /// pJ per scratchpad byte read or written, for a bank of sram_ref_bank_bytes: 10 pJ per
    /// 64-bit read of an 8 KB SRAM at 45 nm (Horowitz) = 1.25 pJ/B, x sqrt(64/8) for a 64 KiB
    /// bank = 3.5 pJ/B, x 0.17 (45 -> 16 nm at 0.8 V, Stillmaker & Baas 2017) = 0.6 pJ/B for
    /// 8-byte accesses; a 64-byte port shares decode and word line among more bits: 0.4.
    double pj_per_sram_byte = 0.4;
    /// bytes: bank capacity at which pj_per_sram_byte holds (the reference chip's 64 KiB banks)
    std::uint32_t sram_ref_bank_bytes = 64 * 1024;
    /// SRAM energy per access grows as (bank_bytes / sram_ref_bank_bytes)^this: Horowitz's 45 nm
    /// 64-bit reads cost 10 pJ at 8 KB, 20 pJ at 32 KB (exponent 0.50) and 100 pJ at 1 MB
    /// (0.46 from 32 KB); longer bit and word lines, CACTI-style
    double sram_bank_exponent = 0.5;
    double pj_per_dram_byte = 32.0; ///< pJ per DRAM byte transferred (about 4 pJ/bit)
    double pj_per_vector_op = 0.4;  ///< pJ per vector-unit element operation of cost 1 (an add)
    double pj_per_noc_byte = 0.5;   ///< pJ per byte through the interconnect
    /// pJ per cycle of a PE that does no useful MAC while its array is busy (mapping losses,
    /// fill and drain): the array's clock is gated as a whole, so its unused PEs still clock
    /// their 40 streaming register bits (8-bit input, 32-bit partial sum). Aladdin's 40 nm
    /// register: 0.009 pJ per bit access, x 0.2 to 16 nm = 0.072 pJ per PE when data toggles;
    /// an idle PE's data holds, leaving the clock pins: about a quarter, 0.02.
    double pj_per_idle_pe_cycle = 0.02;
    /// pJ per pixel a video decoder engine outputs, its DRAM traffic excluded (counted at
    /// pj_per_dram_byte): Tikekar et al.'s 40 nm HEVC decoder (JSSC 2014) reports 1.19 nJ per
    /// pixel of system energy with its DRAM; x 0.2 to 16 nm and less than half of it in the
    /// core: 100 pJ, an assumption
    double pj_per_decoded_pixel = 100;
    /// pJ per pixel an image-unit engine outputs (its DRAM traffic excluded): 21 16-bit MACs
    /// of interpolation and colour conversion at ~0.4 pJ (4x an INT8 MAC) and its line buffers'
    /// accesses: 10, an assumption
    double pj_per_image_pixel = 10;
    template <class V> void visit(V &v) {
        auto r = sim::between(0, 1e6);
        v.field("pj_per_mac", pj_per_mac, "pJ", "energy of one INT8 MAC", r);
        v.field("pj_per_sram_byte", pj_per_sram_byte, "pJ",
                "energy per scratchpad byte, for a bank of sram_ref_bank_bytes", r);
        v.field("sram_ref_bank_bytes", sram_ref_bank_bytes, "bytes",
                "bank capacity at which pj_per_sram_byte holds", sim::at_least(64));
        v.field("sram_bank_exponent", sram_bank_exponent, "exponent",
                "SRAM energy per byte scales as (scratchpad.bank_bytes / sram_ref_bank_bytes) "
                "to this power (CACTI-style: longer bit and word lines in bigger banks)",
                sim::between(0, 2));
        v.field("pj_per_dram_byte", pj_per_dram_byte, "pJ", "energy per DRAM byte", r);
        v.field("pj_per_vector_op", pj_per_vector_op, "pJ",
                "energy per vector element op of cost 1 (an add); a function of cost c "
                "(vector_unit.cost.*) costs c times this",
                r);
        v.field("pj_per_noc_byte", pj_per_noc_byte, "pJ", "energy per interconnect byte", r);
        v.field("pj_per_idle_pe_cycle", pj_per_idle_pe_cycle, "pJ",
                "clock energy of a PE without a useful MAC in a cycle its array is busy (an idle "
                "array is clock-gated: leakage only)",
                r);
        v.field("pj_per_decoded_pixel", pj_per_decoded_pixel, "pJ",
                "energy of a video decoder engine per output pixel, its DRAM traffic excluded", r);
        v.field("pj_per_image_pixel", pj_per_image_pixel, "pJ",
                "energy of an image-unit engine per output pixel, its DRAM traffic excluded", r);
    }
};

/// Static power of powered, clock-gated hardware: transistor leakage, plus the DRAM PHY's
/// PLL, DLL and bias circuits. Paid for the whole run whatever the blocks do. Defaults: a
/// 16 nm-class node at 0.8 V and an 85 °C junction (docs/energy-area.md): logic leaks
/// 10 mW/mm² of 40 nm cells (Aladdin's multiplier and adder tables, Shao et al., ISCA 2014),
/// x 0.2 to 16 nm (Stillmaker & Baas 2017), x 3 for 85 °C over the libraries' 25 °C.
struct leakage_params {
    /// W per INT8 PE: 8x8 multiplier, 32-bit adder, 56 register bits = 1010 µm² of 40 nm cells
    /// x 10 mW/mm² x 0.2 x 3 = 6.1 µW
    double w_per_mac = 6e-6;
    /// W per KiB of SRAM (scratchpad and accumulators): a 16 nm 1 Mbit memory macro's
    /// 381 µW of static power (Giterman et al., IEEE SSC-L 2020) / 128 KiB x 3 for 85 °C
    double w_per_sram_kib = 9e-6;
    /// W per vector lane: 16x16 multiplier, 32-bit adder, comparator, 256 register bits and a
    /// 64 x 16-bit LUT = 9590 µm² of 40 nm cells x 10 mW/mm² x 0.2 x 3 = 58 µW
    double w_per_vector_lane = 6e-5;
    /// W per DMA engine: ~2000 register bits of queues and address generators (72 µW) and its
    /// 4 KiB data buffer (36 µW)
    double w_per_dma_engine = 1e-4;
    /// W per interconnect core port: 2 x 2 x 512 buffer flops and their muxes (147 µW)
    double w_per_noc_port = 1.5e-4;
    /// W per 16 bits of DRAM channel: PHY PLL/DLL, bias and calibration while not in
    /// self-refresh (~15 mW) and the controller's logic leakage (~5 mW); assumption
    double w_per_dram_phy_x16 = 0.02;
    /// W of the fixed uncore: 0.5 mm² of control logic (7.6 mW) plus a PLL and the always-on
    /// domain (~10 mW); assumption
    double w_uncore = 0.02;
    /// W per video decoder engine: Tikekar et al.'s 1.77 mm² 40 nm HEVC decoder x 10 mW/mm²
    /// x 0.2 to 16 nm x 3 for 85 °C = 10.6 mW for 249 Mpixel/s; x 1.6 for an engine of
    /// 480 fps of 1080p (1 Gpixel/s at 2.5 times the clock) = 17 mW; assumption
    double w_per_video_decoder = 0.017;
    /// W per image-unit engine: 84 16x16 multipliers (4 pixels x 21 MACs) of 40 nm cells =
    /// 0.13 mm² x 6 mW/mm² = 0.8 mW, and 6 KB of line buffers (0.05 mW): 1 mW; assumption
    double w_per_image_unit = 0.001;
    template <class V> void visit(V &v) {
        auto r = sim::between(0, 1e3);
        v.field("w_per_mac", w_per_mac, "W", "leakage of one INT8 PE of the MAC array", r);
        v.field("w_per_sram_kib", w_per_sram_kib, "W",
                "leakage per KiB of SRAM (scratchpad and the array's accumulators)", r);
        v.field("w_per_vector_lane", w_per_vector_lane, "W", "leakage of one vector lane", r);
        v.field("w_per_dma_engine", w_per_dma_engine, "W", "leakage of one DMA engine", r);
        v.field("w_per_noc_port", w_per_noc_port, "W",
                "leakage of one core's port on the interconnect", r);
        v.field("w_per_dram_phy_x16", w_per_dram_phy_x16, "W",
                "static power per 16 data bits of a DRAM channel's PHY and controller "
                "(PLL, DLL, bias; a channel of dram.bus_bits has bus_bits/16 of it)",
                r);
        v.field("w_uncore", w_uncore, "W",
                "static power of the fixed uncore (command processors, clocking, always-on)", r);
        v.field("w_per_video_decoder", w_per_video_decoder, "W",
                "leakage of one video decoder engine", r);
        v.field("w_per_image_unit", w_per_image_unit, "W", "leakage of one image-unit engine", r);
    }
};

/// Silicon area of each part, for one 16 nm-class node (docs/energy-area.md gives each
/// derivation). Logic: Aladdin's 40 nm cell areas (Shao et al., ISCA 2014) x 0.275
/// (40 -> 16 nm, Stillmaker & Baas 2017) / 0.7 placement density.
struct area_params {
    /// mm² per INT8 PE: 1010 µm² of 40 nm cells -> 4.0e-4 placed at 16 nm; TPU v1's matrix
    /// unit (24 % of a <= 331 mm² 28 nm die for 65,536 MACs, Jouppi et al., ISCA 2017) scaled
    /// by 0.57 gives <= 6.9e-4: 5e-4
    double mm2_per_mac = 5e-4;
    /// mm² per KiB of SRAM: a 0.07 µm² 16 nm high-density 6T cell x 8192 bits / 0.75 array
    /// efficiency = 7.6e-4 (0.78 mm²/MiB in one large bank)
    double mm2_per_sram_kib = 7.6e-4;
    /// mm² per SRAM bank: decoders, sense amplifiers and write drivers of a 64-byte port; with
    /// it a 64 KiB bank is 1.1 mm²/MiB and a 16 KiB bank 2.0 mm²/MiB, bracketing NVDLA's
    /// small-banked convolution buffer scaled to 16 nm (2.45e-3 mm²/KiB)
    double mm2_per_sram_bank = 0.02;
    /// mm² per vector lane: 9590 µm² of 40 nm cells -> 3.8e-3 placed at 16 nm
    double mm2_per_vector_lane = 0.004;
    /// mm² per DMA engine: a 4 KiB data buffer (16 outstanding 256-byte bursts) as one SRAM
    /// bank (0.023) plus queues and address generators (0.005)
    double mm2_per_dma_engine = 0.03;
    /// mm² per core port of the interconnect: 512-bit read and write paths with two-entry
    /// buffers, arbitration and the routing channel to the DRAM controllers; assumption
    double mm2_per_noc_port = 0.05;
    /// mm² per 16 data bits of DRAM channel: an LPDDR4 PHY (pad-limited hard macro, ~1-2 mm²
    /// per x32 at 16-12 nm) and its controller share; assumption
    double mm2_per_dram_phy_x16 = 0.8;
    /// mm² of the fixed uncore: the cores' command processors, PLL, clock and reset, debug and
    /// configuration; assumption (NVDLA's fixed part, from its primer's smallest configs, is
    /// 0.14 mm² at 16 nm)
    double mm2_uncore = 0.5;
    /// mm² per video decoder engine: Tikekar et al.'s HEVC decoder (249 Mpixel/s, 1.77 mm² in
    /// 40 nm, JSSC 2014) x 0.275 to 16 nm = 0.49, x 1.6 for 480 fps of 1080p: 0.8; assumption
    double mm2_per_video_decoder = 0.8;
    /// mm² per image-unit engine: 0.13 mm² of 40 nm multiplier cells x 0.275 / 0.7 = 0.05 and
    /// 6 KB of line buffers as one SRAM bank (0.025): 0.08; assumption
    double mm2_per_image_unit = 0.08;
    template <class V> void visit(V &v) {
        auto r = sim::between(0, 1e4);
        v.field("mm2_per_mac", mm2_per_mac, "mm2",
                "one INT8 PE (8x8 multiplier, 32-bit adder, pipeline registers)", r);
        v.field("mm2_per_sram_kib", mm2_per_sram_kib, "mm2",
                "per KiB of SRAM (scratchpad and the array's accumulators), cells and array "
                "periphery",
                r);
        v.field("mm2_per_sram_bank", mm2_per_sram_bank, "mm2",
                "per SRAM bank (decoders, sense amplifiers, port): more, smaller banks cost "
                "more area per byte",
                r);
        v.field("mm2_per_vector_lane", mm2_per_vector_lane, "mm2", "one vector lane", r);
        v.field("mm2_per_dma_engine", mm2_per_dma_engine, "mm2",
                "one DMA engine with its data buffer", r);
        v.field("mm2_per_noc_port", mm2_per_noc_port, "mm2", "one core's port on the interconnect",
                r);
        v.field("mm2_per_dram_phy_x16", mm2_per_dram_phy_x16, "mm2",
                "per 16 data bits of a DRAM channel's PHY and controller (a channel of "
                "dram.bus_bits has bus_bits/16 of it)",
                r);
        v.field("mm2_uncore", mm2_uncore, "mm2",
                "fixed uncore: command processors, clocking, debug, configuration", r);
        v.field("mm2_per_video_decoder", mm2_per_video_decoder, "mm2",
                "one video decoder engine with its reference cache", r);
        v.field("mm2_per_image_unit", mm2_per_image_unit, "mm2",
                "one image-unit engine with its line buffers", r);
    }
};

struct sim_params {
    /// Core cycles a DMA or pixel engine may run ahead of the kernel (temporal decoupling)
    /// before it synchronises: 16 cycles, 4 of a DMA engine's 256-byte bursts. Against a
    /// 4-cycle quantum, the 18 golden pairs' totals move by at most 0.85 % (DeiT-Tiny,
    /// reference); halving it keeps the quantum tests' bounds (a 4-core testbench within
    /// 0.5 %, MobileNeXt within 1 % and no operator over 0.5 % of the run, a scenario within
    /// 1 %). 64 cycles would be faster still but moves the 4-core testbench by 1.45 % when
    /// halved, and a 1000-cycle quantum lets one engine book a saturated DRAM before its
    /// peers (3 % shift).
    std::uint32_t quantum_cycles = 16;
    /// Bursts a DMA engine sends in one transaction (a burst group: consecutive bursts of one
    /// command, across the rows of its region; each keeps its own issue time, outstanding slot
    /// and completion; the engine synchronises with the kernel per group). 1 = one transaction
    /// per burst. Capped at dma.outstanding; used under the fr_fcfs scheduler without a
    /// multicast buffer only (arch/nn_core.cpp). Against 1, the golden pairs and BERT-Small,
    /// ConvBERT-Small and DeiT-Small move by less than 1 % (16 would be 1.1x faster but moves
    /// Re-ID by 1.4 %). README "Speed" and docs/timing-model.md "Burst groups" give its cost
    /// and effect.
    std::uint32_t burst_group = 8;
    template <class V> void visit(V &v) {
        v.field("quantum_cycles", quantum_cycles, "cycles",
                "temporal-decoupling quantum of the DMA and pixel-engine initiators",
                sim::between(1, 1e9));
        v.field("burst_group", burst_group, "count",
                "DMA bursts sent as one transaction, each with its own times (1 = one per call; "
                "capped at dma.outstanding; fr_fcfs only, docs/timing-model.md)",
                sim::between(1, 64));
    }
};

struct chip_desc {
    std::string name = "questcore-ref";
    double clock_mhz = 1000; ///< MHz of the NN cores; every report cycle is of this clock
    std::uint32_t cores = 4; ///< NN cores (count)
    mac_array_params mac_array;
    vector_unit_params vector_unit;
    scratchpad_params scratchpad;
    dma_params dma;
    interconnect_params interconnect;
    dram_params dram;
    controller_params controller;
    compiler_params compiler;
    video_decoder_params video_decoder;
    image_unit_params image_unit;
    energy_params energy;
    leakage_params leakage;
    area_params area;
    sim_params sim;

    template <class V> void visit(V &v) {
        v.field("name", name, "", "name of this chip configuration");
        v.field("clock_mhz", clock_mhz, "MHz", "clock of the NN cores", sim::between(1, 10000));
        v.field("cores", cores, "count", "NN cores", sim::between(1, 256));
        v.group("mac_array", mac_array, "systolic MAC array of each core");
        v.group("vector_unit", vector_unit, "vector unit of each core");
        v.group("scratchpad", scratchpad, "banked scratchpad SRAM of each core");
        v.group("dma", dma, "DMA engines of each core");
        v.group("interconnect", interconnect, "path shared by all cores to DRAM");
        v.group("dram", dram, "off-chip DRAM");
        v.group("controller", controller, "command processor of each core");
        v.group("compiler", compiler, "compiler policies");
        v.group("video_decoder", video_decoder,
                "video decoder engines (H.264/H.265 to NV12; used by qcsim scenario)");
        v.group("image_unit", image_unit,
                "image unit for pre-processing (NV12 to RGB, resize, crops; used by qcsim "
                "scenario)");
        v.group("energy", energy, "per-action energies");
        v.group("leakage", leakage, "static power of powered, clock-gated hardware");
        v.group("area", area, "silicon area of each part (16 nm class)");
        v.group("sim", sim, "simulation settings");
    }

    // ---- derived figures (printed before a run) ----
    std::uint64_t macs_per_cycle_per_core() const {
        return std::uint64_t(mac_array.rows) * mac_array.cols;
    }
    std::uint64_t peak_macs_per_cycle() const { return macs_per_cycle_per_core() * cores; }
    double peak_tops() const { return 2.0 * peak_macs_per_cycle() * clock_mhz * 1e6 / 1e12; }
    double dram_peak_bytes_per_cycle() const { return dram.peak_bytes_per_s() / (clock_mhz * 1e6); }
    double sram_bytes_per_cycle_per_core() const {
        return double(scratchpad.banks) * scratchpad.bank_width_bytes;
    }
};

/// Checks combinations no single field range can (e.g. a burst larger than a DRAM row);
/// throws sim::input_error naming `file`.
void validate(const chip_desc &c, const std::string &file);

} // namespace ops
