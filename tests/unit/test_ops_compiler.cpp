// ops::compile: lowering, fusion, tiling, residency and emission rules, on hand-built graphs.
// Every expected number is derived in a comment from the rule it checks.
#include "ops/compiler.h"
#include "ops/emit.h"
#include "ops/lower.h"
#include "ops/mac_cost.h"
#include "ops/plan.h"
#include "sim/errors.h"

#include <catch2/catch.hpp>

#include <set>

#include <map>
#include <tuple>

using namespace ops;

namespace {

/// Builds small vision graphs (int8, C x H x W) with correct shapes.
struct builder {
    workloads::graph g;
    int n = 0;
    int tensor(std::vector<std::int64_t> shape, bool constant = false) {
        workloads::tensor t;
        t.name = "t" + std::to_string(n++);
        t.shape = std::move(shape);
        t.constant = constant;
        return g.add_tensor(t);
    }
    int input(std::int64_t c, std::int64_t h, std::int64_t w) {
        int t = tensor({c, h, w});
        g.inputs.push_back(t);
        return t;
    }
    const std::vector<std::int64_t> &shape(int t) const { return g.tensors[t].shape; }
    int conv(int x, std::int64_t cout, std::int64_t k, std::int64_t s = 1, std::int64_t groups = 1,
             const std::string &act = "none", const std::string &name = "") {
        auto &xs = shape(x);
        const std::int64_t p = k / 2;
        const std::int64_t ho = (xs[1] + 2 * p - k) / s + 1, wo = (xs[2] + 2 * p - k) / s + 1;
        int w = tensor({cout, xs[0] / groups, k, k}, true);
        int y = tensor({cout, ho, wo});
        workloads::op o;
        o.name = name.empty() ? "conv" + std::to_string(g.ops.size()) : name;
        o.type = "conv2d";
        o.inputs = {x, w};
        o.outputs = {y};
        o.attrs["kernel"] = std::vector<std::int64_t>{k, k};
        o.attrs["stride"] = std::vector<std::int64_t>{s, s};
        o.attrs["pad"] = std::vector<std::int64_t>{p, p, p, p};
        o.attrs["groups"] = groups;
        o.attrs["activation"] = act;
        g.ops.push_back(o);
        return y;
    }
    int unary(const std::string &type, int x, const std::string &name = "") {
        int y = tensor(shape(x));
        workloads::op o;
        o.name = name.empty() ? type + std::to_string(g.ops.size()) : name;
        o.type = type;
        o.inputs = {x};
        o.outputs = {y};
        g.ops.push_back(o);
        return y;
    }
    int add(int a, int b, std::int64_t cb = -1, std::int64_t ce = -1,
            const std::string &name = "add") {
        int y = tensor(shape(a));
        workloads::op o;
        o.name = name;
        o.type = "add";
        o.inputs = {a, b};
        o.outputs = {y};
        if (cb >= 0)
            o.attrs["channel_begin"] = cb, o.attrs["channel_end"] = ce;
        g.ops.push_back(o);
        return y;
    }
    void output(int t) { g.outputs.push_back(t); }
};

chip_desc chip(std::uint32_t cores = 4) {
    chip_desc c;
    c.cores = cores;
    return c;
}

std::uint64_t op_gemm_macs(const program &p, std::uint32_t op) {
    std::uint64_t m = 0;
    for (const auto &s : p.streams)
        for (const auto &c : s)
            if (c.op == op && c.kind == cmd_kind::compute && c.unit == unit_kind::mac_array)
                m += c.gemm.macs();
    return m;
}
std::uint64_t op_vector_macs(const program &p, std::uint32_t op) {
    std::uint64_t m = 0;
    for (const auto &s : p.streams)
        for (const auto &c : s)
            if (c.op == op && c.kind == cmd_kind::compute && c.unit == unit_kind::vector_unit &&
                c.vec.fn == vec_fn::mac)
                m += c.vec.elements;
    return m;
}
std::size_t count(const program &p, cmd_kind k, std::int64_t op = -1) {
    std::size_t n = 0;
    for (const auto &s : p.streams)
        for (const auto &c : s)
            n += c.kind == k && (op < 0 || c.op == std::uint32_t(op));
    return n;
}
std::uint64_t dma_bytes(const program &p, cmd_kind k, std::uint32_t op) {
    std::uint64_t n = 0;
    for (const auto &s : p.streams)
        for (const auto &c : s)
            if (c.kind == k && c.op == op && c.far_space == mem_space::dram)
                n += c.far.bytes();
    return n;
}

/// A MobileNeXt sandglass block (variant D) on C x H x W with hidden h and shortcut range.
builder sandglass(std::int64_t C, std::int64_t H, std::int64_t h, std::int64_t div) {
    builder b;
    int x = b.input(C, H, H);
    int t = b.conv(x, C, 3, 1, C, "relu6", "dw1");
    t = b.conv(t, h, 1, 1, 1, "none", "pwr");
    t = b.conv(t, C, 1, 1, 1, "relu6", "pwe");
    t = b.conv(t, C, 3, 1, C, "none", "dw2");
    int y = div == 1 ? b.add(t, x) : b.add(t, x, 0, C / div);
    b.output(y);
    return b;
}

} // namespace

TEST_CASE("compile: MACs are conserved across tiles for every conv kind, 4 cores, uneven rows",
          "[ops]") {
    // 16x30x30 input; stride 2 gives Hout = 15 -> rows 4,4,4,3 over 4 cores (uneven).
    builder b;
    int x = b.input(16, 30, 30);
    int t = b.conv(x, 32, 3, 2); // dense 3x3 s2: 15·15·32·16·9
    t = b.conv(t, 48, 1);        // pointwise
    t = b.conv(t, 48, 3, 1, 48); // depthwise
    t = b.conv(t, 64, 3, 1, 4);  // grouped (4 groups of 12 -> 16)
    t = b.conv(t, 8, 5, 1, 1);   // dense 5x5, 8 outputs (< array cols)
    b.output(t);
    for (auto dw : {depthwise_policy::mac_array, depthwise_policy::vector_unit})
        for (auto split : {core_split::rows, core_split::channels, core_split::automatic})
            // Roomy; forces tiling; forces K blocks on the dense convs.
            for (std::uint32_t bank_bytes : {64u * 1024, 4u * 1024, 1024u}) {
                auto c = chip(4);
                c.compiler.depthwise = dw;
                c.compiler.split = split;
                c.scratchpad.bank_bytes = bank_bytes;
                auto p = compile(b.g, c, "test");
                REQUIRE(p.ops.size() == 5);
                // 16 KiB per core: the 5x5 conv's full-K weight block (8 oc · 64·25 B, two
                // buffers) cannot fit next to its input rows, so K is split.
                if (bank_bytes == 1024 && split == core_split::rows)
                    CHECK(p.ops[4].tiling.find("K split") != std::string::npos);
                for (std::uint32_t i = 0; i < 5; ++i) {
                    const auto macs = std::uint64_t(b.g.op_macs(b.g.ops[i]));
                    INFO("op " << i << " " << p.ops[i].type << " " << p.ops[i].tiling);
                    CHECK(p.ops[i].macs == macs);
                    if (i == 2 && dw == depthwise_policy::vector_unit) {
                        CHECK(op_vector_macs(p, i) == macs);
                        CHECK(p.ops[i].unit == unit_kind::vector_unit);
                    } else {
                        CHECK(op_gemm_macs(p, i) == macs);
                    }
                    CHECK(p.ops[i].sram_peak_bytes <= c.scratchpad.bytes());
                }
                CHECK(p.ops[0].type == "conv2d");
                CHECK(p.ops[1].type == "pointwise_conv2d");
                CHECK(p.ops[2].type == "depthwise_conv2d");
                CHECK(p.ops[3].type == "grouped_conv2d");
            }
}

TEST_CASE("compile: depthwise on the MAC array is one k=kh·kw, n=1 GEMM per channel", "[ops]") {
    // 32x8x8 depthwise 3x3 on one core: one tile of m = 64 pixels, k = 9, n = 1, repeat = 32.
    builder b;
    int y = b.conv(b.input(32, 8, 8), 32, 3, 1, 32);
    b.output(y);
    auto c = chip(1);
    c.compiler.depthwise = depthwise_policy::mac_array;
    auto p = compile(b.g, c, "test");
    std::vector<gemm_tile> tiles;
    for (const auto &cmd : p.streams[0])
        if (cmd.kind == cmd_kind::compute)
            tiles.push_back(cmd.gemm);
    REQUIRE(tiles.size() == 1);
    CHECK(tiles[0].m == 64);
    CHECK(tiles[0].k == 9);
    CHECK(tiles[0].n == 1);
    CHECK(tiles[0].repeat == 32);
}

TEST_CASE("tiler: the double-buffered footprint fits at the boundary and errors one byte below",
          "[ops]") {
    // Pointwise 64x8x8 -> 64x8x8 int8 on one core with a 64x32 array. Smallest tile: 1 output
    // row x min(64, 32) = 32 channels:
    //   input  = 1 row · 8 · 64 ch            =  512 B (pointwise: all input channels)
    //   weight = 32 oc · 64                   = 2048 B, two channel blocks -> two buffers
    //   output = 1 row · 8 · 32               =  256 B
    //   footprint = 2·512 + 2·256 + 2·2048    = 5632 B (input and output live in DRAM).
    // The next larger tiles need more: 2 rows x 32 oc = 2·1024 + 2·512 + 2·2048 = 7168;
    // 1 row x 64 oc (one weight buffer) = 2·512 + 2·512 + 4096 = 6144.
    builder b;
    int y = b.conv(b.input(64, 8, 8), 64, 1, 1, 1, "none", "pw");
    b.output(y);
    auto c = chip(1);
    c.scratchpad.banks = 1;
    c.scratchpad.bank_bytes = 5632;
    auto p = compile(b.g, c, "test");
    CHECK(p.ops[0].sram_peak_bytes == 5632);
    CHECK(p.ops[0].tiles == 16); // 8 rows x 2 channel blocks
    CHECK(p.ops[0].tiling.find("rows=1 oc=32") != std::string::npos);

    c.scratchpad.bank_bytes = 5631;
    try {
        compile(b.g, c, "chip.json");
        FAIL("expected sim::input_error");
    } catch (const sim::input_error &e) {
        CHECK(e.json_path() == "ops[0]");
        CHECK(std::string(e.what()).find("smallest tile needs 5632 bytes, scratchpad has 5631") !=
              std::string::npos);
        CHECK(std::string(e.what()).find("\"pw\"") != std::string::npos);
    }
}

TEST_CASE("tiler: K is split when no full-K tile fits or every full-K tile is preload-bound, "
          "and the partial sums then stay in the array's accumulator",
          "[ops]") {
    // Pointwise 256x16x16 -> 32x16x16 int8 on one core, 64x32 WS array (a fold streams the
    // tile's rows·16 pixels and preloads 64 weight rows), 128 KiB accumulator. Full K
    // (kc = 256), r rows: in 2·(r·16·256) = 8192r, w 32·256 = 8192 (one block, one buffer),
    // out 2·(r·16·32) = 1024r: 9216r + 8192. K split (granule = 64 array rows): two weight
    // buffers; partial sums in the array's accumulator (r·16·32·4 B <= 128 KiB), so the output
    // buffer holds int8 results: kc = 64: 2·1024r + 2·2048 + 1024r = 3072r + 4096.
    builder b;
    int y = b.conv(b.input(256, 16, 16), 32, 1, 1, 1, "none", "pw");
    b.output(y);
    auto c = chip(1);
    c.scratchpad.banks = 1;
    auto gemm_writes_between_k_blocks = [](const program &p) {
        std::size_t n = 0;
        for (const auto &cmd : p.streams[0])
            if (cmd.kind == cmd_kind::compute && cmd.unit == unit_kind::mac_array &&
                cmd.writes.empty())
                ++n; // a K block that is not the last: nothing written to the scratchpad
        return n;
    };

    // 64 KiB: full K fits 6 rows (9216·6 + 8192 = 63488 <= 65536 < 72704): 96 pixels per fold,
    // not preload-bound -> K is not split.
    c.scratchpad.bank_bytes = 65536;
    auto p = compile(b.g, c, "test");
    CHECK(p.ops[0].tiling.find("K split") == std::string::npos);
    CHECK(p.ops[0].mapping.max_fit_rows == 6);
    CHECK(p.ops[0].mapping.stream_rows >= 64);

    // 20480: full K fits 1 row (17408 <= 20480 < 26624): 16 pixels per fold, preload-bound
    // (each fold waits 64 cycles for its weights). K blocks of 64 fit 5 rows (19456 <= 20480),
    // 80 pixels per fold -> K is split, and the partial sums chain in the accumulator: every
    // K block but the last writes nothing.
    c.scratchpad.bank_bytes = 20480;
    p = compile(b.g, c, "test");
    CHECK(p.ops[0].tiling.find("K split") != std::string::npos);
    CHECK(p.ops[0].mapping.stream_rows > 16);
    CHECK(p.ops[0].sram_peak_bytes <= 20480);
    CHECK(gemm_writes_between_k_blocks(p) > 0);
    CHECK(op_gemm_macs(p, 0) == 16 * 16 * 256 * 32);

    // 10000: no full-K tile fits (17408 > 10000): K is split whatever the rows (kc = 64 fits 1
    // row: 7168 <= 10000 < 10240 for 2 rows); MACs are conserved.
    c.scratchpad.bank_bytes = 10000;
    p = compile(b.g, c, "test");
    CHECK(p.ops[0].tiling.find("K split") != std::string::npos);
    CHECK(p.ops[0].sram_peak_bytes <= 10000);
    CHECK(op_gemm_macs(p, 0) == 16 * 16 * 256 * 32);
    for (const auto &cmd : p.streams[0])
        if (cmd.kind == cmd_kind::compute)
            CHECK(cmd.gemm.k % 64 == 0);

    // The smallest tile (1 row, 32 channels, kc = 64) needs 7168 bytes: one byte less fails.
    c.scratchpad.bank_bytes = 7168;
    CHECK_NOTHROW(compile(b.g, c, "test"));
    c.scratchpad.bank_bytes = 7167;
    try {
        compile(b.g, c, "test");
        FAIL("expected sim::input_error");
    } catch (const sim::input_error &e) {
        CHECK(std::string(e.what()).find("smallest tile needs 7168 bytes, scratchpad has 7167") !=
              std::string::npos);
    }
}

TEST_CASE("tiler: without room in the accumulator, K blocks write partial sums back", "[ops]") {
    // The same op with a 1 KiB accumulator (a tile's partial sums need r·16·32·4 = 2048r B):
    // no K block fits it, so K is split only when no full-K tile fits, and the partial sums go
    // to an accumulator-wide output buffer that the next K block reads back (RAW dependency).
    // kc = 64: 2048r + 4096 + 2·(r·16·32·4) = 6144r + 4096 -> 10240 at 1 row.
    builder b;
    int y = b.conv(b.input(256, 16, 16), 32, 1, 1, 1, "none", "pw");
    b.output(y);
    auto c = chip(1);
    c.scratchpad.banks = 1;
    c.mac_array.accumulator_kib = 1;
    c.scratchpad.bank_bytes = 20480; // full K fits 1 row: preload-bound, but no K split
    auto p = compile(b.g, c, "test");
    CHECK(p.ops[0].tiling.find("K split") == std::string::npos);
    c.scratchpad.bank_bytes = 10240; // no full-K tile fits: K split, write-back partial sums
    p = compile(b.g, c, "test");
    CHECK(p.ops[0].tiling.find("K split") != std::string::npos);
    bool reads_partial = false;
    const auto &st = p.streams[0];
    for (std::size_t i = 0; i < st.size(); ++i)
        if (st[i].kind == cmd_kind::compute)
            for (auto d : st[i].deps)
                reads_partial = reads_partial || (st[d].kind == cmd_kind::compute &&
                                                  st[d].unit == unit_kind::mac_array);
    CHECK(reads_partial);
}

TEST_CASE("residency: a kept tensor that leaves no room for a tile is spilled to DRAM", "[ops]") {
    // x 16x8x8 -> depthwise 3x3 A -> a -> depthwise 3x3 B -> output, int8, one core, vector
    // unit (K is never split), residency_fraction 0.75. Smallest tiles: 1 row x 16 channels,
    // weights 16·9 = 144 B (one buffer); a's slot holds all of a: 16·8·8 = 1024 B.
    //   A, a kept:   in 2·(3 rows·8·16 = 384) + out 0 + 144 + slot 1024 = 1936
    //   A, a spilled: 768 + 2·(1·8·16 = 128) + 144                       = 1168
    //   B, a kept:   in 0 (read in place) + 256 + 144 + 1024 = 1424;  a spilled: 1168.
    // The budget keeps a when 1024 <= 0.75·S, i.e. S >= 1366, so for S in [1366, 1935] the
    // greedy choice fails at A and spilling a makes it fit; below 1168 nothing fits at all.
    builder b;
    int t = b.conv(b.input(16, 8, 8), 16, 3, 1, 16, "none", "A");
    t = b.conv(t, 16, 3, 1, 16, "none", "B");
    b.output(t);
    auto c = chip(1);
    c.scratchpad.banks = 1;
    c.scratchpad.residency_fraction = 0.75;

    c.scratchpad.bank_bytes = 1936; // a fits next to A's tile: kept, A stores nothing
    auto p = compile(b.g, c, "test");
    CHECK(count(p, cmd_kind::store, 0) == 0);
    CHECK(p.ops[0].tiling.find("output kept on chip") != std::string::npos);
    CHECK(p.ops[0].sram_peak_bytes <= 1936);

    for (std::uint32_t s : {1935u, 1168u}) { // a spilled: A stores a, B loads it
        INFO("scratchpad " << s);
        c.scratchpad.bank_bytes = s;
        p = compile(b.g, c, "test");
        CHECK(p.ops[0].tiling.find("kept on chip") == std::string::npos);
        CHECK(dma_bytes(p, cmd_kind::store, 0) == 1024);
        CHECK(p.ops[0].sram_peak_bytes <= s);
        CHECK(p.ops[1].sram_peak_bytes <= s);
    }

    c.scratchpad.bank_bytes = 1167; // nothing kept and still no fit: the tile error
    try {
        compile(b.g, c, "test");
        FAIL("expected sim::input_error");
    } catch (const sim::input_error &e) {
        const std::string what = e.what();
        CHECK(e.json_path() == "ops[0]");
        CHECK(what.find("smallest tile needs 1168 bytes, scratchpad has 1167") !=
              std::string::npos);
        CHECK(what.find("kept on chip") == std::string::npos);
    }
}

TEST_CASE("fusion: an activation with a sole producer fuses, without the policy it is an op",
          "[ops]") {
    builder b;
    int t = b.conv(b.input(16, 8, 8), 16, 1, 1, 1, "none", "pw");
    t = b.unary("relu6", t, "act");
    b.output(t);
    auto c = chip(1);
    auto p = compile(b.g, c, "test");
    REQUIRE(p.ops.size() == 1);
    CHECK(p.ops[0].fused == std::vector<std::string>{"act"});
    CHECK(p.ops[0].vector_ops == 0); // relu6 clamps in the array's epilogue for free
    c.compiler.fuse_activations = false;
    auto q = compile(b.g, c, "test");
    REQUIRE(q.ops.size() == 2);
    CHECK(q.ops[1].type == "relu6");
    CHECK(q.ops[1].vector_ops == 16 * 8 * 8);
}

TEST_CASE("fusion: residual fused gives one op fewer than the vector policy", "[ops]") {
    // dw1, pwr, pwe, dw2, add: fused -> 4 ops (add in dw2's epilogue), vector -> 5 ops.
    auto b = sandglass(32, 8, 8, 1);
    auto c = chip(1);
    c.compiler.residual = residual_policy::fused;
    auto p = compile(b.g, c, "test");
    REQUIRE(p.ops.size() == 4);
    CHECK(p.ops[3].fused == std::vector<std::string>{"add"});
    // The epilogue adds every element of the 32x8x8 output once.
    CHECK(p.ops[3].vector_ops == 32 * 8 * 8 * 9 + 32 * 8 * 8);
    c.compiler.residual = residual_policy::vector;
    auto q = compile(b.g, c, "test");
    REQUIRE(q.ops.size() == 5);
    CHECK(q.ops[4].type == "add");
    CHECK(q.ops[4].unit == unit_kind::vector_unit);
}

TEST_CASE("fusion: a partial shortcut loads and adds only C/div channels", "[ops]") {
    // Block on 64x8x8 int8, keep_on_chip off so every tensor crosses DRAM, one core.
    // A full channel tile of dw2 covers all 64 channels; its shortcut load is rows x 8 x 32 ch.
    // Over the whole op the shortcut bytes are 32·8·8 = 2048 (div 2) vs 64·8·8 = 4096 (div 1).
    for (std::int64_t div : {1, 2}) {
        auto b = sandglass(64, 8, 16, div);
        auto c = chip(1);
        c.compiler.keep_on_chip = false;
        auto p = compile(b.g, c, "test");
        REQUIRE(p.ops.size() == 4);
        // dw2 loads: its input 64·8·8 = 4096, weights 64·9 = 576, shortcut 4096/div.
        CHECK(dma_bytes(p, cmd_kind::load, 3) == 4096 + 576 + std::uint64_t(4096 / div));
        CHECK(p.ops[3].vector_ops == 64 * 8 * 8 * 9 + std::uint64_t(64 / div) * 8 * 8);

        // Vector policy: the add runs in place on a's storage: loads a[0:C/div] and
        // x[0:C/div], stores only those channels; the other channels never move.
        c.compiler.residual = residual_policy::vector;
        auto q = compile(b.g, c, "test");
        REQUIRE(q.ops.size() == 5);
        CHECK(dma_bytes(q, cmd_kind::load, 4) == 2 * std::uint64_t(4096 / div));
        CHECK(dma_bytes(q, cmd_kind::store, 4) == std::uint64_t(4096 / div));
        CHECK(q.ops[4].vector_ops == std::uint64_t(4096 / div));
    }
}

TEST_CASE("residency: a kept tensor saves its producer's stores and brings halos from peers",
          "[ops]") {
    // 16x16x16 -> pointwise A -> 3x3 conv B -> output, 4 cores, row split: 4 rows per core,
    // each op one tile per core (everything fits).
    builder b;
    int t = b.conv(b.input(16, 16, 16), 16, 1, 1, 1, "none", "A");
    t = b.conv(t, 16, 3, 1, 1, "none", "B");
    b.output(t);
    auto c = chip(4);
    // keep_on_chip: A's output stays on chip -> only B stores, one per tile.
    auto p = compile(b.g, c, "test");
    CHECK(count(p, cmd_kind::store, 0) == 0);
    CHECK(count(p, cmd_kind::store) == p.ops[1].tiles);
    // B's core 0 needs input row 4 from core 1, core 3 row 11 from core 2, cores 1 and 2 one
    // row from each neighbour: 1 + 2 + 2 + 1 = 6 peer loads, each 16 ch x 1 row x 16 B.
    std::size_t peers = 0;
    for (std::uint32_t core = 0; core < 4; ++core)
        for (const auto &cmd : p.streams[core])
            if (cmd.kind == cmd_kind::load && cmd.far_space == mem_space::peer_sram) {
                ++peers;
                CHECK(cmd.far_core != core);
                CHECK((cmd.far_core + 1 == core || cmd.far_core == core + 1));
                CHECK(cmd.far.bytes() == 16 * 16);
            }
    CHECK(peers == 6);
    // Off: A stores its row blocks too (one per tile), no peer transfers.
    c.compiler.keep_on_chip = false;
    auto q = compile(b.g, c, "test");
    CHECK(count(q, cmd_kind::store, 0) == q.ops[0].tiles);
    CHECK(count(q, cmd_kind::store) == q.ops[0].tiles + q.ops[1].tiles);
    for (const auto &s : q.streams)
        for (const auto &cmd : s)
            CHECK(cmd.far_space == mem_space::dram);
}

TEST_CASE("emit: deps point backwards and barriers appear on every core in the same order",
          "[ops]") {
    auto b = sandglass(96, 28, 16, 2);
    for (auto pol : {barrier_policy::every_op, barrier_policy::when_needed})
        for (auto res : {residual_policy::fused, residual_policy::vector}) {
            auto c = chip(4);
            c.compiler.residual = res;
            c.compiler.barriers = pol;
            c.scratchpad.bank_bytes = 8 * 1024; // force several tiles per op
            auto p = compile(b.g, c, "test");
            std::vector<std::vector<std::uint32_t>> barriers(4);
            for (std::uint32_t core = 0; core < 4; ++core) {
                const auto &s = p.streams[core];
                for (std::size_t i = 0; i < s.size(); ++i) {
                    CHECK(s[i].op < p.ops.size());
                    for (auto d : s[i].deps)
                        CHECK(d < i);
                    if (s[i].kind == cmd_kind::barrier)
                        barriers[core].push_back(s[i].barrier_id);
                }
            }
            // every_op: one barrier before every op but the first. when_needed: exactly before
            // the ops the report marks (barrier_before), and the same on every core.
            std::vector<std::uint32_t> marked;
            for (std::uint32_t j = 0; j < p.ops.size(); ++j)
                if (p.ops[j].barrier)
                    marked.push_back(j);
            if (pol == barrier_policy::every_op)
                CHECK(barriers[0].size() == p.ops.size() - 1);
            CHECK(barriers[0] == marked);
            for (std::uint32_t core = 1; core < 4; ++core)
                CHECK(barriers[core] == barriers[0]);
        }
}

TEST_CASE("emit: when_needed keeps the barrier where a core reads another core's rows and drops "
          "it between row-split pointwise ops on the same rows",
          "[ops]") {
    // Sandglass block on 4 cores, all row split: 28 rows = 7 per core. A 3x3 depthwise reads
    // one halo row above and below its share, written by the neighbouring cores -> barrier.
    // The op after it reads from a core that read across (its remote reads must end before the
    // bytes are reused) -> barrier. A 1x1 pointwise conv reading exactly its own 7 rows of a
    // row-split producer with no barrier since -> none.
    builder b;
    int x = b.input(32, 28, 28);
    int y = b.conv(x, 32, 1, 1, 1, "relu", "pw1"); // reads the graph input: no writer
    y = b.conv(y, 32, 1, 1, 1, "relu", "pw2");     // own rows of pw1
    y = b.conv(y, 32, 3, 1, 32, "relu", "dw");     // halo rows from the neighbours
    y = b.conv(y, 32, 1, 1, 1, "relu", "pw3");     // follows a cross-core reader
    y = b.conv(y, 32, 1, 1, 1, "relu", "pw4");     // own rows of pw3
    b.output(y);
    auto c = chip(4);
    c.compiler.split = core_split::rows;
    c.compiler.keep_on_chip = false; // through DRAM: the same-core RAW needs its deps
    auto p = compile(b.g, c, "test");
    REQUIRE(p.ops.size() == 5);
    CHECK_FALSE(p.ops[1].barrier); // pw2
    CHECK(p.ops[2].barrier);       // dw
    CHECK(p.ops[3].barrier);       // pw3
    CHECK_FALSE(p.ops[4].barrier); // pw4
    // pw2's input loads on each core wait for pw1's stores on that core (no barrier orders
    // them). An input load is 2-D (CHW: one 7x28-byte run per channel); a weight load (32 x 32
    // bytes) is one row.
    for (std::uint32_t core = 0; core < 4; ++core) {
        const auto &s = p.streams[core];
        std::size_t n = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i].op != 1 || s[i].kind != cmd_kind::load || s[i].far.rows < 2)
                continue;
            ++n;
            bool waits_store = false;
            for (auto d : s[i].deps)
                waits_store = waits_store || (s[d].op == 0 && s[d].kind == cmd_kind::store);
            INFO("core " << core << " command " << i);
            CHECK(waits_store);
        }
        CHECK(n > 0);
    }
}

namespace {

/// A 64x8x8 -> 64 pointwise op on one core with a 5632-byte scratchpad (16 tiles: rows=1,
/// oc=32) in loop order `order`; its commands by kind, the input loads (512 B: one row of 64
/// channels) and the weight loads (2048 B: 32 x 64) told apart by size.
struct pw_stream {
    program p;
    std::vector<std::uint32_t> in_loads, w_loads, computes, stores;
    bool has(std::uint32_t cmd, std::uint32_t dep) const {
        const auto &d = p.streams[0][cmd].deps;
        return std::find(d.begin(), d.end(), dep) != d.end();
    }
};
pw_stream pointwise_16_tiles(loop_order_policy order) {
    builder b;
    int y = b.conv(b.input(64, 8, 8), 64, 1, 1, 1, "none", "pw");
    b.output(y);
    auto c = chip(1);
    c.scratchpad.banks = 1;
    c.scratchpad.bank_bytes = 5632;
    c.compiler.loop_order = order;
    pw_stream r;
    r.p = compile(b.g, c, "test");
    const auto &s = r.p.streams[0];
    for (std::uint32_t i = 0; i < s.size(); ++i) {
        if (s[i].kind == cmd_kind::compute)
            r.computes.push_back(i);
        if (s[i].kind == cmd_kind::store)
            r.stores.push_back(i);
        if (s[i].kind == cmd_kind::load && s[i].far.bytes() == 512)
            r.in_loads.push_back(i);
        if (s[i].kind == cmd_kind::load && s[i].far.bytes() == 2048)
            r.w_loads.push_back(i);
    }
    return r;
}

} // namespace

TEST_CASE("emit: double buffering: load i+2 waits for compute i, compute i for store i-2",
          "[ops]") {
    // Channel blocks outer (2 channel blocks x 8 rows): every tile loads its input row.
    const auto r = pointwise_16_tiles(loop_order_policy::weights_outer);
    REQUIRE(r.computes.size() == 16);
    REQUIRE(r.in_loads.size() == 16);
    CHECK(r.has(r.in_loads[2], r.computes[0]));
    CHECK(r.has(r.computes[2], r.in_loads[2]));
    CHECK(r.has(r.computes[2], r.stores[0]));
    CHECK(r.has(r.stores[2], r.computes[2]));
    CHECK(!r.has(r.in_loads[1], r.computes[0])); // the other buffer: no wait
}

TEST_CASE("emit: inputs outer: an input row block loads once, weights once per row block",
          "[ops]") {
    // Rows outer: 8 row blocks x 2 channel blocks = 16 computes; each input row is loaded once,
    // read by both channel blocks; the weight blocks alternate, so one is loaded for every
    // tile: 16 weight loads.
    const auto r = pointwise_16_tiles(loop_order_policy::inputs_outer);
    REQUIRE(r.computes.size() == 16);
    REQUIRE(r.in_loads.size() == 8);
    REQUIRE(r.w_loads.size() == 16);
    // Both channel blocks of row block 1 read its one input load.
    CHECK(r.has(r.computes[2], r.in_loads[1]));
    CHECK(r.has(r.computes[3], r.in_loads[1]));
    // Row block 2's input reuses buffer 0: it waits for row block 0's last reader.
    CHECK(r.has(r.in_loads[2], r.computes[1]));
    CHECK(!r.has(r.in_loads[1], r.computes[1])); // the other buffer: no wait
    CHECK(r.p.ops[0].mapping.order == "inputs_outer");
}

TEST_CASE("compile: an operator the chip cannot run is an input_error naming ops[i]", "[ops]") {
    builder b;
    int t = b.conv(b.input(8, 4, 4), 8, 1);
    t = b.unary("softmax", t, "sm");
    b.output(t);
    try {
        compile(b.g, chip(1), "net.json");
        FAIL("expected sim::input_error");
    } catch (const sim::input_error &e) {
        CHECK(e.file() == "net.json");
        CHECK(e.json_path() == "ops[1]");
        CHECK(std::string(e.what()).find("softmax") != std::string::npos);
    }
}

TEST_CASE("compile: head (global pool + fc) splits channels, DRAM tensors are 4 KiB aligned",
          "[ops]") {
    builder b;
    int t = b.input(64, 7, 7);
    int p0 = b.tensor({64, 1, 1});
    workloads::op gp;
    gp.name = "pool";
    gp.type = "global_avgpool";
    gp.inputs = {t};
    gp.outputs = {p0};
    b.g.ops.push_back(gp);
    int w = b.tensor({10, 64}, true);
    int y = b.tensor({10});
    workloads::op fc;
    fc.name = "fc";
    fc.type = "fc";
    fc.inputs = {p0, w};
    fc.outputs = {y};
    b.g.ops.push_back(fc);
    b.output(y);
    auto p = compile(b.g, chip(4), "test");
    REQUIRE(p.ops.size() == 2);
    CHECK(p.ops[0].tiling.find("channel split") != std::string::npos);
    // global pool: 64·7·7 = 3136 input elements pooled; fc MACs 64·10 = 640.
    CHECK(p.ops[0].vector_ops == 3136);
    CHECK(op_gemm_macs(p, 1) == 640);
    for (const auto &s : p.streams)
        for (const auto &cmd : s)
            if (cmd.kind == cmd_kind::load && cmd.far_space == mem_space::dram &&
                cmd.far.addr % 4096 == 0)
                SUCCEED();
    // Weights (640 B -> 4 KiB), input (3136 B -> 4 KiB), pooled (64 B -> 4 KiB), out (10 B).
    CHECK(p.dram_bytes_needed == 4 * 4096);
}

#include "workloads/generators.h"

TEST_CASE("compile: bundled networks conserve MACs, fit every scratchpad, deps point backwards",
          "[ops]") {
    // 256 KiB per core forces tiling (and the mapper may split K where that cuts traffic);
    // 32 KiB forces K blocks (from MobileNeXt b6.pwr on, the full-K weight block no longer
    // fits); with residency_fraction 0.9 it also forces spills of kept tensors (MobileNeXt: 5
    // of them).
    const std::pair<std::uint32_t, double> scratchpads[] = {
        {16u * 1024, 0.5}, {2048u, 0.5}, {2048u, 0.9}};
    for (std::string spec : {"mobilenext", "mobilenext:identity_div=2", "mobilenetv2"})
        for (auto split : {core_split::rows, core_split::channels, core_split::automatic})
            for (bool keep : {true, false})
                for (auto res : {residual_policy::fused, residual_policy::vector})
                    for (auto [bank_bytes, fraction] : scratchpads) {
                        const auto g = workloads::build_workload(spec);
                        auto c = chip(4);
                        c.compiler.split = split;
                        c.compiler.keep_on_chip = keep;
                        c.compiler.residual = res;
                        c.scratchpad.bank_bytes = bank_bytes;
                        c.scratchpad.residency_fraction = fraction;
                        const auto p = compile(g, c, spec);
                        INFO(spec << " split=" << int(split) << " keep=" << keep << " bank_bytes="
                                  << bank_bytes << " residency_fraction=" << fraction);
                        std::uint64_t macs = 0, cmd_macs = 0;
                        bool k_split = false;
                        for (const auto &o : p.ops) {
                            macs += o.macs;
                            CHECK(o.sram_peak_bytes <= c.scratchpad.bytes());
                            k_split = k_split || o.tiling.find("K split") != std::string::npos;
                        }
                        if (bank_bytes == 2048u)
                            CHECK(k_split);
                        for (const auto &s : p.streams)
                            for (std::size_t i = 0; i < s.size(); ++i) {
                                if (s[i].kind == cmd_kind::compute)
                                    cmd_macs += s[i].unit == unit_kind::mac_array ? s[i].gemm.macs()
                                                : s[i].vec.fn == vec_fn::mac ? s[i].vec.elements
                                                                             : 0;
                                for (auto d : s[i].deps)
                                    REQUIRE(d < i);
                            }
                        CHECK(macs == std::uint64_t(g.total_macs()));
                        CHECK(cmd_macs == std::uint64_t(g.total_macs()));
                    }
}

TEST_CASE("core split auto: channels for a 7x7x960->160 pointwise, rows for 56x56x24->144",
          "[ops]") {
    // Estimates (4 cores, int8, network input in DRAM so "input on chip" is false):
    // 7x7x960 -> 160: W = 960·160 = 153,600 B, I = 7·7·960 = 47,040 B, O = 7·7·160 = 7,840 B.
    //   rows     = 4·W + halo 0 + I         = 614,400 + 47,040           = 661,440
    //   channels = W + 4·I + 2·O            = 153,600 + 188,160 + 15,680 = 357,440 -> channels
    // 56x56x24 -> 144: W = 24·144 = 3,456 B, I = 56·56·24 = 75,264 B, O = 56·56·144 = 451,584 B.
    //   rows     = 4·W + I                  = 13,824 + 75,264            = 89,088
    //   channels = W + 4·I + 2·O            = 3,456 + 301,056 + 903,168  = 1,207,680 -> rows
    auto c = chip(4);
    c.compiler.split = core_split::automatic;
    for (auto [cin, hw, cout, rows] :
         {std::tuple<std::int64_t, std::int64_t, std::int64_t, bool>{960, 7, 160, false},
          {24, 56, 144, true}}) {
        builder b;
        b.output(b.conv(b.input(cin, hw, hw), cout, 1));
        const auto p = compile(b.g, c, "test");
        INFO(p.ops[0].tiling);
        CHECK((p.ops[0].tiling.find("(row split)") != std::string::npos) == rows);
        CHECK(op_gemm_macs(p, 0) == std::uint64_t(b.g.op_macs(b.g.ops[0])));
        // Channels: each core loads only its 40 output channels' weights, so weights come from
        // DRAM once (153,600 B) instead of 4x under rows.
        if (!rows) {
            std::uint64_t w = 0;
            for (const auto &s : p.streams)
                for (const auto &cmd : s)
                    if (cmd.kind == cmd_kind::load && cmd.op == 0 &&
                        cmd.far_space == mem_space::dram)
                        w += cmd.far.bytes();
            // weights once + the whole input on each of 4 cores
            CHECK(w == 153600 + 4 * 47040);
        }
    }
}

TEST_CASE("core split auto: a depthwise follows its producer's split and keeps its input",
          "[ops]") {
    // 7x7x960 -> pointwise 160 (channels, above) -> pointwise 960: W = 153,600,
    // I = 7,840 not on chip, O = 47,040: rows = 4·W + I = 622,240 > channels = W + 4·I + 2·O =
    // 278,320 -> channels; the depthwise 3x3 after it follows (channel split).
    // 56x56x24 -> 144 (rows) -> depthwise follows rows and its input stays on chip.
    auto c = chip(4);
    c.compiler.split = core_split::automatic;
    builder b;
    int t = b.conv(b.input(960, 7, 7), 160, 1);
    t = b.conv(t, 960, 1);
    b.output(b.conv(t, 960, 3, 1, 960));
    auto p = compile(b.g, c, "test");
    for (int i = 0; i < 3; ++i)
        CHECK(p.ops[i].tiling.find("(channel split)") != std::string::npos);
    builder r;
    t = r.conv(r.input(24, 56, 56), 144, 1);
    r.output(r.conv(t, 144, 3, 1, 144));
    p = compile(r.g, c, "test");
    CHECK(p.ops[1].tiling.find("(row split)") != std::string::npos);
    CHECK(p.ops[1].tiling.find("input on chip") != std::string::npos);
}

TEST_CASE("mapper: no MAC operator of a bundled network streams fewer rows than the array "
          "while a taller tile fits, and no tile exceeds the scratchpad",
          "[ops][mapper]") {
    // Reference chip (64 x 32 WS, 1 MiB per core). A fold streaming T < 64 rows is
    // preload-bound (each fold loads 64 weight rows), so the mapper must stream the most rows
    // the operator has per core, or the most a tile can hold.
    for (std::string spec :
         {"mobilenext", "mobilenext:identity_div=2", "mobilenetv2", "bert:preset=base,seq=128",
          "convbert:preset=base,seq=128", "vit:preset=deit-tiny"}) {
        const auto g = workloads::build_workload(spec);
        const chip_desc c;
        const auto p = compile(g, c, spec);
        for (const auto &o : p.ops) {
            INFO(spec << " " << o.name << " " << o.tiling);
            CHECK(o.sram_peak_bytes <= c.scratchpad.bytes());
            if (o.unit != unit_kind::mac_array)
                continue;
            CHECK(o.mapping.rows <= o.mapping.max_fit_rows);
            if (o.mapping.stream_rows < c.mac_array.rows)
                CHECK((o.mapping.rows == o.mapping.rows_per_core ||
                       o.mapping.rows == o.mapping.max_fit_rows));
        }
    }
}

TEST_CASE("conv lowering: per_tap runs a KxK conv as kh·kw accumulating folds of C rows", "[ops]") {
    // Stem 3x3 conv, C = 3 -> 32, 16x16 output, one core. im2col: one GEMM k = 27 (27 of 64
    // rows used); per_tap: k = 3 with taps = 9. Same MACs; per_tap has 9x the folds.
    builder b;
    int y = b.conv(b.input(3, 16, 16), 32, 3, 1, 1, "none", "stem");
    b.output(y);
    auto c = chip(1);
    auto find_gemm = [](const program &p) {
        for (const auto &cmd : p.streams[0])
            if (cmd.kind == cmd_kind::compute && cmd.unit == unit_kind::mac_array)
                return cmd.gemm;
        return gemm_tile{};
    };
    const gemm_tile a = find_gemm(compile(b.g, c, "t"));
    CHECK(a.k == 27);
    CHECK(a.taps == 1);
    c.mac_array.lowering = conv_lowering::per_tap;
    const gemm_tile t = find_gemm(compile(b.g, c, "t"));
    CHECK(t.k == 3);
    CHECK(t.taps == 9);
    CHECK(t.macs() == a.macs());
    CHECK(mac_tile_cycles(c.mac_array, t).folds == 9 * mac_tile_cycles(c.mac_array, a).folds);
}

TEST_CASE("emit: hazards between strided ranges of one stride are exact (columns of a kept "
          "tensor), other ranges are compared by their spans",
          "[ops]") {
    // a: columns [0, 32) of 4 rows 128 B apart; b: columns [32, 64) of the same rows: disjoint.
    hazard_tracker hz;
    const sram_range a{0, 3 * 128 + 32, 4, 32, 128};
    hz.record(0, {}, {a});
    std::vector<std::uint32_t> deps;
    hz.add_deps({}, {sram_range{32, 3 * 128 + 32, 4, 32, 128}}, deps);
    CHECK(deps.empty());
    // Columns [16, 48): they share [16, 32) of every row.
    hz.add_deps({}, {sram_range{16, 3 * 128 + 32, 4, 32, 128}}, deps);
    CHECK(deps == std::vector<std::uint32_t>{0});
    // A contiguous read of [40, 120) falls between a's first two runs ([0, 32), [128, 160)): no
    // dependency; [100, 140) reaches into the second run (boundary: [100, 128) does not).
    deps.clear();
    hz.add_deps({sram_range{40, 80}}, {}, deps);
    CHECK(deps.empty());
    hz.add_deps({sram_range{100, 28}}, {}, deps);
    CHECK(deps.empty());
    hz.add_deps({sram_range{100, 29}}, {}, deps);
    CHECK(deps == std::vector<std::uint32_t>{0});
    // A different stride: judged by the spans (conservative).
    deps.clear();
    hz.add_deps({sram_range{32, 2 * 256 + 16, 3, 16, 256}}, {}, deps);
    CHECK(deps == std::vector<std::uint32_t>{0});
}

TEST_CASE("split: a grid of row groups x channel groups partitions the output, and the mapper "
          "takes it where it cuts the input every core reads",
          "[ops]") {
    // core_shares: 8 cores as 2 row groups x 4 channel groups over 16 rows x 256 channels:
    // every (row, channel) belongs to exactly one core, core c to row group c / 4.
    lowered_op op;
    op.hout = 16;
    op.cout = 256;
    op.split_rows = false;
    op.row_groups = 2;
    const auto s = core_shares(op, 8);
    std::vector<int> owner(16 * 256, 0);
    for (std::uint32_t c = 0; c < 8; ++c) {
        CHECK(s[c].r0 == (c / 4 ? 8 : 0));
        CHECK(s[c].r1 - s[c].r0 == 8);
        CHECK(s[c].q1 - s[c].q0 == 64);
        for (auto y = s[c].r0; y < s[c].r1; ++y)
            for (auto q = s[c].q0; q < s[c].q1; ++q)
                ++owner[std::size_t(y * 256 + q)];
    }
    CHECK(std::all_of(owner.begin(), owner.end(), [](int n) { return n == 1; }));

    // Pointwise 256 -> 256 channels on a 16x64 map, split by channels on 8 cores: alone, every
    // core loads the whole input, 256·16·64 = 262,144 bytes (8x in all). As a grid of gr row
    // groups a core loads its 16/gr rows: 262,144/gr bytes (runs of (16/gr)·64 >= 256 bytes per
    // channel for gr <= 4; an 8x1 grid would be 128-byte runs, not tried). The layer is
    // DRAM-bound (2 MB of input against 16.8 M MACs on 8 arrays), so the mapper's estimate
    // prefers a grid (it picks 4x2: a quarter of the input per core, half the weights).
    builder b;
    int y = b.conv(b.input(256, 16, 64), 256, 1, 1, 1, "none", "pw");
    b.output(y);
    auto c = chip(8);
    c.compiler.split = core_split::channels;
    const auto p = compile(b.g, c, "test");
    const std::string &tiling = p.ops[0].tiling;
    INFO(tiling);
    const auto at = tiling.find(" grid");
    REQUIRE(at != std::string::npos);
    const std::uint64_t gr = std::stoul(tiling.substr(tiling.rfind('(', at) + 1));
    CHECK((gr == 2 || gr == 4));
    std::uint64_t input_bytes = 0;
    for (const auto &st : p.streams)
        for (const auto &cmd : st)
            if (cmd.kind == cmd_kind::load && cmd.far.rows > 1) // CHW input: a run per channel
                input_bytes += cmd.far.bytes();
    CHECK(input_bytes == 8u * 262144u / gr);
}

TEST_CASE("compile: a bilinear resize x2 is 4 pool taps per output element on the vector unit",
          "[ops]") {
    // 8×4×4 -> 8×8×8 on one core: 8·8·8 = 512 output elements, 4 taps each = 2048 vector pool
    // elements. One tile holds all 8 output rows, which read input rows [0/2, 7/2 + 2) = [0,5)
    // clipped to the 4 rows: every input byte once, 8·4·4 = 128 bytes; the store is 512 bytes.
    builder b;
    int x = b.input(8, 4, 4);
    int y = b.tensor({8, 8, 8});
    workloads::op o;
    o.name = "up";
    o.type = "resize";
    o.inputs = {x};
    o.outputs = {y};
    o.attrs["size"] = std::vector<std::int64_t>{8, 8};
    o.attrs["mode"] = std::string("linear");
    b.g.ops.push_back(o);
    b.output(y);
    const auto p = compile(b.g, chip(1), "test");
    REQUIRE(p.ops.size() == 1);
    REQUIRE(p.ops[0].mapping.rows == 8);
    std::uint64_t taps = 0;
    for (const auto &c : p.streams[0])
        if (c.kind == cmd_kind::compute) {
            CHECK(c.unit == unit_kind::vector_unit);
            CHECK(c.vec.fn == vec_fn::pool);
            taps += c.vec.elements;
        }
    CHECK(taps == 4 * 8 * 8 * 8);
    CHECK(dma_bytes(p, cmd_kind::load, 0) == 8 * 4 * 4);
    CHECK(dma_bytes(p, cmd_kind::store, 0) == 8 * 8 * 8);
    // Two cores split the 8 output rows 4 + 4: core 0 reads rows [0, 3/2 + 2) = [0,3), core 1
    // rows [4/2, 7/2 + 2) = [2,5) clipped to [2,4): 3 + 2 = 5 rows of 8·4 bytes = 160 bytes
    // (ceil(4/2) + 1 = 3 rows for a whole tile, one fewer at the bottom edge).
    auto c2 = chip(2);
    c2.compiler.split = core_split::rows;
    const auto p2 = compile(b.g, c2, "test");
    CHECK(dma_bytes(p2, cmd_kind::load, 0) == 5 * 8 * 4);
    CHECK(dma_bytes(p2, cmd_kind::store, 0) == 8 * 8 * 8);
    // An unknown mode in the graph is refused at lowering.
    b.g.ops[0].attrs["mode"] = std::string("area");
    CHECK_THROWS_AS(compile(b.g, chip(1), "test"), sim::input_error);
}

TEST_CASE("compile: resize down, fractional and cubic: taps per output element and the input "
          "rows a tile reads",
          "[ops][resize]") {
    // 2x8x8 -> 2x4x12 (H halved, W x1.5): 2·4·12 = 96 output elements; taps 1 (nearest), 4
    // (linear), 16 (cubic) each. One core. A tile of output rows [y0,y1) reads input rows
    // [2·y0 - b, 2·(y1-1) - b + t) clipped to [0,8) (b = 1 for cubic), all 8 columns of both
    // channels: 16 bytes per row. With the whole 4 rows in one tile: nearest [0,7), linear
    // [0,8), cubic [0,8); with tiles of 2 rows: nearest [0,3) + [4,7), linear [0,4) + [4,8),
    // cubic [0,4) + [3,8). Summed below for the tile height the mapper chose.
    builder b;
    int x = b.input(2, 8, 8);
    int y = b.tensor({2, 4, 12});
    workloads::op o;
    o.name = "rs";
    o.type = "resize";
    o.inputs = {x};
    o.outputs = {y};
    o.attrs["size"] = std::vector<std::int64_t>{4, 12};
    b.g.ops.push_back(o);
    b.output(y);
    struct mode_case {
        const char *mode;
        std::uint64_t taps, kind;
    };
    // Rows read per tile height (1, 2, 4 output rows per tile) and mode (nearest, linear,
    // cubic), from the rule above: height 1 reads rows [2y - b, 2y - b + t) for y = 0..3.
    //   nearest: 1 row per tile: 4 | [0,3)+[4,7): 6 | [0,7): 7
    //   linear:  2 rows per tile: 8 | [0,4)+[4,8): 8 | [0,8): 8
    //   cubic:   [0,3)+[1,5)+[3,7)+[5,8) = 3+4+4+3 = 14 | [0,4)+[3,8) = 9 | [0,8): 8
    const std::map<std::int64_t, std::vector<std::uint64_t>> rows_read = {
        {1, {4, 8, 14}}, {2, {6, 8, 9}}, {4, {7, 8, 8}}};
    for (const auto &m :
         {mode_case{"nearest", 1, 0}, mode_case{"linear", 4, 1}, mode_case{"cubic", 16, 2}}) {
        INFO(m.mode);
        b.g.ops[0].attrs["mode"] = std::string(m.mode);
        const auto p = compile(b.g, chip(1), "test");
        REQUIRE(p.ops.size() == 1);
        REQUIRE(rows_read.count(p.ops[0].mapping.rows));
        const std::uint64_t rows = rows_read.at(p.ops[0].mapping.rows)[m.kind];
        std::uint64_t taps = 0;
        for (const auto &c : p.streams[0])
            if (c.kind == cmd_kind::compute) {
                CHECK(c.vec.fn == vec_fn::pool);
                taps += c.vec.elements;
            }
        CHECK(taps == m.taps * 96);
        CHECK(dma_bytes(p, cmd_kind::load, 0) == rows * 2 * 8);
        CHECK(dma_bytes(p, cmd_kind::store, 0) == 96);
    }
}

TEST_CASE("plan: the input rows of a resize follow the scale (down, fractional, cubic)",
          "[ops][resize]") {
    // Output row y reads taps from floor(y·H/Hout) - before: nearest 1 tap, linear 2 from 0,
    // cubic 4 from 1 before, clipped to [0, H).
    lowered_op op;
    op.hout = 4;
    operand a;
    a.view.h = 8;
    a.view.c = 1;
    a.view.w = 8;
    // 8 -> 4 (downscale by 2), output rows [1,3): floor(1·8/4) = 2, floor(2·8/4) = 4.
    a.rs_in = 8, a.rs_out = 4;
    a.rs_taps = 1, a.rs_before = 0;
    op.inputs = {a};
    CHECK(input_rows(op, 0, 1, 3) == std::pair<std::int64_t, std::int64_t>{2, 5});
    op.inputs[0].rs_taps = 2;
    CHECK(input_rows(op, 0, 1, 3) == std::pair<std::int64_t, std::int64_t>{2, 6});
    op.inputs[0].rs_taps = 4, op.inputs[0].rs_before = 1;
    CHECK(input_rows(op, 0, 1, 3) == std::pair<std::int64_t, std::int64_t>{1, 7});
    CHECK(input_rows(op, 0, 3, 4) == std::pair<std::int64_t, std::int64_t>{5, 8}); // 5+4 clipped
    // 8 -> 12 (x1.5) cubic, output rows [3,6): floor(3·8/12) - 1 = 1, floor(5·8/12) - 1 + 4 = 6.
    op.inputs[0].rs_out = 12;
    CHECK(input_rows(op, 0, 3, 6) == std::pair<std::int64_t, std::int64_t>{1, 6});
    // Upsampling by 2 in linear mode is the whole-factor rule [y0/2, (y1-1)/2 + 2): [1,4) for
    // rows [2,4) of 8 -> 16 (2/2 = 1, 3/2 + 2 = 3).
    op.inputs[0].rs_in = 8, op.inputs[0].rs_out = 16, op.inputs[0].rs_taps = 2;
    op.inputs[0].rs_before = 0;
    CHECK(input_rows(op, 0, 2, 4) == std::pair<std::int64_t, std::int64_t>{1, 3});
}

TEST_CASE("emit: a stride-2 1x1 convolution loads only the input rows it uses", "[ops]") {
    // 64×16×16 -> 128×8×8, 1×1 stride 2 (ResNet's downsample), input in DRAM, one core. Output
    // row y uses input row 2y only: each input load is one used row in all 64 channels (64 runs
    // of 16 bytes, 256 bytes apart), never an odd row, and every used row is loaded once: the
    // tile holds all 8 output rows, so the input stays for every channel block (plan.h
    // input_reused): 8 rows of 64·16 bytes, half the 15 rows 0..14 a row range would load.
    builder b;
    int y = b.conv(b.input(64, 16, 16), 128, 1, 2, 1, "none", "ds");
    b.output(y);
    const auto p = compile(b.g, chip(1), "test");
    std::vector<const command *> in;
    for (const auto &cmd : p.streams[0])
        if (cmd.kind == cmd_kind::load && cmd.far.rows > 1)
            in.push_back(&cmd);
    REQUIRE_FALSE(in.empty());
    std::uint64_t base = ~std::uint64_t(0), bytes = 0;
    for (const auto *c : in)
        base = std::min(base, c->far.addr);
    std::set<std::uint64_t> rows;
    for (const auto *c : in) {
        CHECK(c->far.row_bytes == 16);
        CHECK(c->far.stride % 256 == 0); // a channel plane apart (or more: striped engines)
        const std::uint64_t row = (c->far.addr - base) % 256 / 16;
        CHECK(row % 2 == 0);
        rows.insert(row);
        bytes += c->far.bytes();
    }
    CHECK(rows.size() == 8);
    REQUIRE(p.ops[0].mapping.rows == 8);
    CHECK(bytes == 8 * 64 * 16);
}

TEST_CASE("tiler: a dilated conv reads its dilated extent of input rows and costs the array "
          "kh·kw taps per output, as the undilated conv",
          "[ops]") {
    // 8×16×16 -> 8×16×16, 3×3 with dilation d and pad d (extent 2d+1). Output rows [0,8) read
    // input rows [0-d, 7-d+2d+1) clipped: d = 2: [0,10), d = 1: [0,9); rows [8,16) read
    // [8-d, 15+d+1) clipped: [6,16) and [7,16). A tile of 8 rows budgets (8-1)+2d+1 rows of
    // 16 columns · 8 channels: 12·128 = 1,536 bytes (d = 2), 10·128 = 1,280 (d = 1). MACs
    // 16·16·8·8·9 = 147,456 either way, and every array GEMM has k = 8·9 = 72 (im2col).
    for (std::int64_t d : {1, 2}) {
        builder b;
        int x = b.input(8, 16, 16);
        int y = b.conv(x, 8, 3, 1, 1, "none", "c");
        b.g.ops[0].attrs["pad"] = std::vector<std::int64_t>{d, d, d, d};
        b.g.ops[0].attrs["dilation"] = std::vector<std::int64_t>{d, d};
        b.output(y);
        workloads::validate(b.g, "test");
        auto c = chip(2);
        c.compiler.split = core_split::rows;
        const auto low = lower_graph(b.g, c, "test");
        REQUIRE(low.ops.size() == 1);
        const lowered_op &l = low.ops[0];
        using rows = std::pair<std::int64_t, std::int64_t>;
        CHECK(input_rows(l, 0, 0, 8) == rows{0, d == 2 ? 10 : 9});
        CHECK(input_rows(l, 0, 8, 16) == rows{d == 2 ? 6 : 7, 16});
        tile_env env;
        env.oc_core = 8;
        CHECK(tile_footprint(l, env, 8, 8).in_bytes[0] == (d == 2 ? 1536u : 1280u));
        const auto p = compile(b.g, c, "test");
        CHECK(p.ops[0].macs == 147456);
        CHECK(op_gemm_macs(p, 0) == 147456);
        for (const auto &s : p.streams)
            for (const auto &cmd : s)
                if (cmd.kind == cmd_kind::compute)
                    CHECK(cmd.gemm.k == 72);
    }
}

TEST_CASE("tiler: conv_transpose2d runs as stride phases: ceil(k/s)² taps per output, the input "
          "rows its taps land on",
          "[ops]") {
    // x 4×5×5, w [4,6,3,3], stride 2, pads 1, output_padding 1: out (5-1)·2 + 3 - 2 + 1 = 10.
    // Graph MACs 5·5·4·6·9 = 5,400. Output y = 2i + t - 1: a phase (y even or odd) has taps
    // t ∈ {1} or {0, 2}: the array runs ceil(3/2) = 2 per axis, 4 per output (zero taps
    // padding the smaller phase): 10·10·6·4·4 = 9,600 array MACs, k = 4·4 = 16.
    builder b;
    int x = b.input(4, 5, 5);
    int w = b.tensor({4, 6, 3, 3}, true);
    int y = b.tensor({6, 10, 10});
    workloads::op o;
    o.name = "up";
    o.type = "conv_transpose2d";
    o.inputs = {x, w};
    o.outputs = {y};
    o.attrs["kernel"] = std::vector<std::int64_t>{3, 3};
    o.attrs["stride"] = std::vector<std::int64_t>{2, 2};
    o.attrs["pad"] = std::vector<std::int64_t>{1, 1, 1, 1};
    o.attrs["output_padding"] = std::vector<std::int64_t>{1, 1};
    b.g.ops.push_back(o);
    b.output(y);
    workloads::validate(b.g, "test");
    const auto p = compile(b.g, chip(1), "test");
    REQUIRE(p.ops.size() == 1);
    CHECK(p.ops[0].type == "conv_transpose2d");
    CHECK(p.ops[0].macs == 5400);
    CHECK(op_gemm_macs(p, 0) == 9600);
    for (const auto &cmd : p.streams[0])
        if (cmd.kind == cmd_kind::compute)
            CHECK(cmd.gemm.k == 16);
    // One core, one tile: the whole input 4·5·5 = 100 bytes and weights 4·6·9 = 216 bytes.
    CHECK(dma_bytes(p, cmd_kind::load, 0) == 100 + 216);
    // Two cores, rows 5 + 5: rows [0,5) read i from ceil((0+1-2)/2) = 0 to floor((4+1)/2) = 2,
    // rows [5,10) from ceil((5+1-2)/2) = 2 to floor((9+1)/2) = 5 -> 4: 3 + 3 input rows of
    // 4·5 bytes = 120 bytes, plus the weights on each core.
    auto c2 = chip(2);
    c2.compiler.split = core_split::rows;
    const auto p2 = compile(b.g, c2, "test");
    REQUIRE(p2.ops[0].mapping.rows == 5);
    CHECK(dma_bytes(p2, cmd_kind::load, 0) == 120 + 2 * 216);
    CHECK(op_gemm_macs(p2, 0) == 9600);
    // Kernel = stride (2, no pads): no overlap, 1 tap per output: array MACs = graph MACs =
    // 5·5·4·6·4 = 2,400 = 10·10·6·4.
    b.g.ops[0].attrs["kernel"] = std::vector<std::int64_t>{2, 2};
    b.g.ops[0].attrs["pad"] = std::vector<std::int64_t>{0, 0, 0, 0};
    b.g.ops[0].attrs.erase("output_padding");
    b.g.tensors[w].shape = {4, 6, 2, 2};
    workloads::validate(b.g, "test");
    const auto p3 = compile(b.g, chip(1), "test");
    CHECK(p3.ops[0].macs == 2400);
    CHECK(op_gemm_macs(p3, 0) == 2400);
}
