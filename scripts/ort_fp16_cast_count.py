"""How many Cast nodes onnxruntime's convert_float_to_float16 leaves in a model, computed the way that tool
works (onnxruntime.transformers.float16), as an independent check of src/core/reference/ort-cast-count.ts:

- onnx shape inference first (which also fills value_info inside If/Loop/Scan bodies);
- a breadth-first walk over the main graph and the bodies of the nodes it does not block, collecting one
  model-wide list of float value names (graph inputs, outputs, value_info of every graph walked) plus the
  float initializers some unblocked node reads;
- keep_io_types: one Cast per float graph input and output, and readers of those names read the fp16 copy;
- then one Cast per input and per output of every blocked node whose name is in that list (the tool appends
  them to the main graph even for a node inside a body).

Usage: ort_fp16_cast_count.py '<json list of {"path", "opBlockList", "nodeBlockList", "keepIoTypes"}>'
Prints one JSON list of counts (existing Casts included), in order.
"""
import json
import sys

import onnx
from onnx import TensorProto, shape_inference


def graphs_of(node):
    for attribute in node.attribute:
        if attribute.type == onnx.AttributeProto.GRAPH:
            yield attribute.g
        for g in attribute.graphs:
            yield g


def existing_casts(graph):
    return sum((node.op_type == "Cast") + sum(existing_casts(g) for g in graphs_of(node)) for node in graph.node)


def is_float(value_info):
    return value_info.type.tensor_type.elem_type == TensorProto.FLOAT


def count(path, op_block_list, node_block_list, keep_io_types):
    model = shape_inference.infer_shapes(onnx.load(path))
    casts = existing_casts(model.graph)
    io_names = set()
    if keep_io_types:
        for value in list(model.graph.input) + list(model.graph.output):
            if is_float(value):
                casts += 1
                io_names.add(value.name)
    fp16_names = set()
    initializers = {}  # name -> read by an unblocked node
    blocked = []
    level = [model.graph]
    while level:
        next_level = []
        for graph in level:
            for tensor in graph.initializer:
                if tensor.data_type == TensorProto.FLOAT:
                    initializers.setdefault(tensor.name, False)
            for node in graph.node:
                is_blocked = node.op_type in op_block_list or node.name in node_block_list
                for name in node.input:
                    if name in initializers and not is_blocked:
                        initializers[name] = True
                if is_blocked:
                    blocked.append(node)
                else:
                    next_level.extend(graphs_of(node))
            for value in list(graph.input) + list(graph.output) + list(graph.value_info):
                if is_float(value) and value.name not in io_names:
                    fp16_names.add(value.name)
        level = next_level
    fp16_names.update(name for name, read_in_fp16 in initializers.items() if read_in_fp16)
    fp16_names.update(io_names)  # their readers and writers are renamed to the fp16 copies
    for node in blocked:
        casts += sum(1 for name in node.input if name in fp16_names)
        casts += sum(1 for name in node.output if name in fp16_names)
    return casts


if __name__ == "__main__":
    jobs = json.loads(sys.argv[1])
    print(json.dumps([count(j["path"], set(j["opBlockList"]), set(j["nodeBlockList"]), j["keepIoTypes"]) for j in jobs]))
