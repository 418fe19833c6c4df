// How the compiler spreads loads and stores over a core's DMA engines (ops/emit.h
// dma_groups, stripe_transfer; docs/compiler.md §5): expected pieces derived in comments.
#include "ops/compiler.h"
#include "ops/emit.h"

#include <catch2/catch.hpp>

#include <map>

using namespace ops;

namespace {

/// Bursts the DMA sends for a region (arch/dma.cpp): burst-aligned, never crossing a row.
std::uint64_t bursts(const region &r, std::uint64_t burst) {
    std::uint64_t n = 0;
    for (std::uint32_t i = 0; i < r.rows; ++i) {
        const std::uint64_t a = r.addr + i * r.stride, e = a + r.row_bytes;
        n += e > a ? (e - 1) / burst - a / burst + 1 : 0;
    }
    return n;
}

/// One pointwise conv, 64 -> 64 channels on 8 x 8, its output to DRAM (a graph output), on one
/// core whose 5632 B scratchpad forces 16 tiles (rows = 1, oc = 32: 2 channel blocks x 8 rows;
/// tests/unit/test_ops_compiler.cpp "emit: double buffering" derives the tiling).
program pointwise_16_tiles(std::uint32_t engines) {
    workloads::graph g;
    auto add = [&](std::vector<std::int64_t> shape, bool constant) {
        workloads::tensor t;
        t.name = "t" + std::to_string(g.tensors.size());
        t.shape = std::move(shape);
        t.constant = constant;
        return g.add_tensor(t);
    };
    const int x = add({64, 8, 8}, false), w = add({64, 64, 1, 1}, true), y = add({64, 8, 8}, false);
    g.inputs = {x};
    g.outputs = {y};
    workloads::op o;
    o.name = "pw";
    o.type = "conv2d";
    o.inputs = {x, w};
    o.outputs = {y};
    o.attrs["kernel"] = std::vector<std::int64_t>{1, 1};
    o.attrs["stride"] = std::vector<std::int64_t>{1, 1};
    o.attrs["pad"] = std::vector<std::int64_t>{0, 0, 0, 0};
    o.attrs["groups"] = std::int64_t(1);
    o.attrs["activation"] = std::string("none");
    g.ops.push_back(o);
    chip_desc c;
    c.cores = 1;
    c.scratchpad.banks = 1;
    c.scratchpad.bank_bytes = 5632;
    c.compiler.loop_order = loop_order_policy::weights_outer;
    c.dma.engines = engines;
    return compile(g, c, "test");
}

struct engine_use {
    std::map<std::uint32_t, std::uint64_t> load_bytes, store_bytes, commands;
    std::uint64_t loads = 0, stores = 0, load_bursts = 0, store_bursts = 0;
};

engine_use use(const program &p, std::uint64_t burst) {
    engine_use u;
    for (const auto &c : p.streams[0]) {
        if (c.kind == cmd_kind::load) {
            u.load_bytes[c.engine] += c.far.bytes();
            u.loads += c.far.bytes();
            u.load_bursts += bursts(c.far, burst);
        } else if (c.kind == cmd_kind::store) {
            u.store_bytes[c.engine] += c.far.bytes();
            u.stores += c.far.bytes();
            u.store_bursts += bursts(c.far, burst);
        } else {
            continue;
        }
        u.commands[c.engine] += 1;
    }
    return u;
}

} // namespace

TEST_CASE("dma engines: one engine carries both, two are a load and a store engine, "
          "more split in half with the odd one to loads",
          "[ops]") {
    auto g1 = dma_groups(1);
    CHECK((g1.load_first == 0 && g1.loads == 1 && g1.store_first == 0 && g1.stores == 1));
    auto g2 = dma_groups(2);
    CHECK((g2.load_first == 0 && g2.loads == 1 && g2.store_first == 1 && g2.stores == 1));
    auto g3 = dma_groups(3);
    CHECK((g3.loads == 2 && g3.store_first == 2 && g3.stores == 1));
    auto g4 = dma_groups(4);
    CHECK((g4.loads == 2 && g4.store_first == 2 && g4.stores == 2));
    auto g8 = dma_groups(8);
    CHECK((g8.loads == 4 && g8.store_first == 4 && g8.stores == 4));
}

TEST_CASE("dma engines: an aligned single row deals its bursts round robin, an unaligned one "
          "is cut into contiguous runs of whole bursts",
          "[ops]") {
    // [0, 1024) with 256 B bursts, two engines: bursts 0 and 2 on the first engine (3), 1 and
    // 3 on the second, each a 2-D region of 2 rows of 256 B, 512 B apart; packed locally from
    // 4000: 512 + 512 B.
    auto al = stripe_transfer({0, 1, 1024, 1024}, {4000, 1024}, 3, 2, 256);
    REQUIRE(al.size() == 2);
    CHECK((al[0].far.addr == 0 && al[0].far.rows == 2 && al[0].far.row_bytes == 256));
    CHECK((al[0].far.stride == 512 && al[0].engine == 3 && al[0].local.addr == 4000));
    CHECK((al[1].far.addr == 256 && al[1].far.rows == 2 && al[1].far.stride == 512));
    CHECK((al[1].engine == 4 && al[1].local.addr == 4512 && al[1].local.bytes == 512));
    // An aligned 8 KiB weight block on 4 engines: 4 regions of 8 bursts, 1 KiB apart.
    auto w = stripe_transfer({4096, 1, 8192, 8192}, {0, 8192}, 0, 4, 256);
    REQUIRE(w.size() == 4);
    for (std::uint32_t e = 0; e < 4; ++e) {
        CHECK(w[e].far.addr == 4096 + 256 * e);
        CHECK((w[e].far.rows == 8 && w[e].far.row_bytes == 256 && w[e].far.stride == 1024));
        CHECK(w[e].local.addr == 2048 * e);
    }
    // [100, 1100): segments [100,256) [256,512) [512,768) [768,1024) [1024,1100) = 5 bursts,
    // the first and last partial. Two engines: piece p takes segments [5p/2, 5(p+1)/2) = [0,2)
    // and [2,5): [100,512) and [512,1100), one command each.
    const region r{100, 1, 1000, 1000};
    auto two = stripe_transfer(r, {4000, 1000}, 3, 2, 256);
    REQUIRE(two.size() == 2);
    CHECK((two[0].far.addr == 100 && two[0].far.row_bytes == 412 && two[0].engine == 3));
    CHECK((two[0].local.addr == 4000 && two[0].local.bytes == 412));
    CHECK((two[1].far.addr == 512 && two[1].far.row_bytes == 588 && two[1].engine == 4));
    CHECK(two[1].local.addr == 4412);
    // Five bursts over 5 engines: one each; over 6 engines still 5 (a burst is never cut).
    CHECK(stripe_transfer(r, {0, 1000}, 0, 5, 256).size() == 5);
    CHECK(stripe_transfer(r, {0, 1000}, 0, 6, 256).size() == 5);
    // One burst stays whole: [0, 256) and [100, 256).
    CHECK(stripe_transfer({0, 1, 256, 256}, {0, 256}, 0, 4, 256).size() == 1);
    CHECK(stripe_transfer({100, 1, 156, 156}, {0, 156}, 0, 4, 256).size() == 1);
    // 257 bytes from 0 (last burst partial): two pieces, [0,256) and [256,257).
    auto p = stripe_transfer({0, 1, 257, 257}, {0, 257}, 0, 4, 256);
    REQUIRE(p.size() == 2);
    CHECK((p[0].far.row_bytes == 256 && p[0].engine == 0));
    CHECK((p[1].far.addr == 256 && p[1].far.row_bytes == 1 && p[1].engine == 1));
}

TEST_CASE("dma engines: a 2-D region deals its rows round robin and doubling the engines only "
          "splits each engine's rows",
          "[ops]") {
    // 5 rows of 300 B, 1000 B apart. Two engines: rows 0, 2, 4 (2000 B apart) and 1, 3; four:
    // 0 and 4, then 1, 2, 3 alone: each four-engine piece's rows are a subset of one
    // two-engine piece's (engine e of four takes rows of engine e mod 2 of two).
    const region r{0, 5, 300, 1000};
    auto two = stripe_transfer(r, {0, 1500}, 0, 2, 256);
    auto four = stripe_transfer(r, {0, 1500}, 0, 4, 256);
    REQUIRE(two.size() == 2);
    REQUIRE(four.size() == 4);
    CHECK((two[0].far.addr == 0 && two[0].far.rows == 3 && two[0].far.stride == 2000));
    CHECK((two[1].far.addr == 1000 && two[1].far.rows == 2 && two[1].far.stride == 2000));
    CHECK((two[1].local.addr == 900 && two[1].local.bytes == 600));
    CHECK((four[0].far.addr == 0 && four[0].far.rows == 2 && four[0].far.stride == 4000));
    CHECK((four[3].far.addr == 3000 && four[3].far.rows == 1));
    CHECK(four[3].local.addr == 1200);
    for (std::uint32_t e = 0; e < 4; ++e)
        CHECK((four[e].far.addr - two[e % 2].far.addr) % two[e % 2].far.stride == 0);
    // Six engines on five rows: five pieces of one row.
    CHECK(stripe_transfer(r, {0, 1500}, 0, 6, 256).size() == 5);
}

TEST_CASE("dma engines: with 4 engines all 4 carry commands of a tiled op, loads on 0-1, "
          "stores on 2-3, with the bytes and bursts of 2 engines",
          "[ops]") {
    const auto p2 = pointwise_16_tiles(2), p4 = pointwise_16_tiles(4);
    const auto u2 = use(p2, 256), u4 = use(p4, 256);
    // Two engines: every load on engine 0, every store on engine 1 (the compiler before
    // striping).
    CHECK(u2.load_bytes.size() == 1);
    CHECK(u2.load_bytes.count(0) == 1);
    CHECK(u2.store_bytes.size() == 1);
    CHECK(u2.store_bytes.count(1) == 1);
    // Four engines: each of 0..3 carries commands; loads only on 0 and 1, stores on 2 and 3.
    REQUIRE(u4.commands.size() == 4);
    for (std::uint32_t e = 0; e < 4; ++e)
        CHECK(u4.commands.at(e) > 0);
    CHECK(u4.load_bytes.size() == 2);
    CHECK(u4.load_bytes.count(0) + u4.load_bytes.count(1) == 2);
    CHECK(u4.store_bytes.count(2) + u4.store_bytes.count(3) == 2);
    // Nothing moves more, nothing is cut into more bursts. CHW tensors: a tile's input is one
    // image row of 64 channels (64 region rows of 8 B = 64 bursts, 512 B), 16 of them; a weight
    // block is 32 x 64 B contiguous (2048 B = 8 bursts), 2 of them: 16·64 + 2·8 = 1040 load
    // bursts, 12 288 B. A tile's output is 32 channels x 8 px (32 bursts of 8 B), 16 of them:
    // 512 store bursts, 4096 B.
    CHECK(u2.loads == 16 * 512 + 2 * 2048);
    CHECK(u2.load_bursts == 1040);
    CHECK(u2.stores == 4096);
    CHECK(u2.store_bursts == 512);
    CHECK(u4.loads == u2.loads);
    CHECK(u4.stores == u2.stores);
    CHECK(u4.load_bursts == u2.load_bursts);
    CHECK(u4.store_bursts == u2.store_bursts);
    // Striping halves every transfer here (64 rows -> 32 + 32, 8 bursts -> 4 + 4), so each load
    // engine moves exactly half of the bytes, and so does each store engine (32 rows -> 16 + 16).
    CHECK(u4.load_bytes.at(0) == u2.loads / 2);
    CHECK(u4.load_bytes.at(1) == u2.loads / 2);
    CHECK(u4.store_bytes.at(2) == u2.stores / 2);
    CHECK(u4.store_bytes.at(3) == u2.stores / 2);
    // Every compute still waits for both halves of its input: the same double-buffering
    // pattern, one dependency per piece.
    std::size_t computes = 0;
    for (const auto &c : p4.streams[0])
        computes += c.kind == cmd_kind::compute;
    CHECK(computes == 16);
}
