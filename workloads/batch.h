#pragma once
// Batching a vision network: B images stacked along H (C x B·H x W) as one graph, so that one
// compiled program runs them together and reads every weight once per batch (the scenario
// runtime's `max_batch`). With "same" padding and even feature maps a convolution or pooling
// of the stacked images has exactly B times the rows and the MACs of one image, and no window
// straddles two images' rows it would not have seen alone except at the pad rows between them
// (a cost model: data values are never computed). The rewrites that keep this exact:
//   - a window that covers a whole (unpadded) map, such as MobileFaceNet's 7x7 global
//     depthwise conv, gets stride H: one output row per image;
//   - global_avgpool becomes avgpool with kernel and stride (H, W): C x B x 1;
//   - fc on a C x 1 x 1 input becomes a 1x1 conv2d (weights [out, in, 1, 1]): out x B x 1;
//   - a constant operand of add / mul shaped like the activation is replicated per image.
// Anything else (reshape, transpose, concat, slice, token operators, a window whose stacked
// output is not B times its own) makes the network unbatchable: batch_graph throws.

#include "workloads/graph.h"

#include <cstdint>
#include <string>

namespace workloads {

/// The graph of `b` images of `g` at once (b >= 1; b = 1 returns g). Throws sim::input_error
/// (file `source`, path "ops[i]") naming the first operator that cannot be batched.
graph batch_graph(const graph &g, std::uint32_t b, const std::string &source);

} // namespace workloads
