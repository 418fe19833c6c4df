#pragma once
// ONNX models as workloads (docs/workloads.md "ONNX models"): the file is read with the ONNX
// library's protobuf classes, its shapes come from onnx::shape_inference::InferShapes after the
// batch is fixed and shape subgraphs (Shape, Gather, Unsqueeze, Concat ... on constants) are
// folded, and every node becomes operators of the same workloads::graph the generators build.
// Weights keep their shapes only; every computed tensor is int8, as in the generators. Any
// node that the graph cannot represent makes the whole import fail (no partial graph): one
// sim::input_error lists every unsupported operator type with a node name.

#include "workloads/graph.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace workloads {

/// Values of the spec's parameters: "batch" (default 1) and the names of symbolic input
/// dimensions (dim_param) other than the leading batch axis.
using onnx_dims = std::map<std::string, std::int64_t>;

/// Reads `path` (an ONNX ModelProto) into a validated graph of batch 1. Symbolic dimensions
/// other than an input's leading axis take their value from `dims` by name. Throws
/// sim::input_error(path, ...) for a file that does not parse, a shape that cannot be inferred
/// and for unsupported operators (all of them listed).
graph import_onnx(const std::string &path, const onnx_dims &dims = {});

/// Imports ONNX model bytes; `file` is only used in messages and the graph's name.
graph import_onnx_bytes(const std::string &bytes, const std::string &file,
                        const onnx_dims &dims = {});

/// The ONNX operator types (default domain) the importer maps, in documentation order.
const std::vector<std::string> &onnx_supported_ops();
/// Types read only as part of a pattern (GELU's Erf form, the decomposed LayerNorm).
const std::vector<std::string> &onnx_pattern_ops();
/// Types read only when their inputs are constant (folded shape subgraphs).
const std::vector<std::string> &onnx_folded_ops();

/// Spec "FILE.onnx" or "FILE.onnx:batch=4,seq=128": true when `spec` names an ONNX file.
bool is_onnx_spec(const std::string &spec);
/// Builds the graph of an ONNX spec (batch > 1 through batch_graph).
graph build_onnx_workload(const std::string &spec);

} // namespace workloads
