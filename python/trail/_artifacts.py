"""Artifacts with MLflow's calls and meaning: log_artifact(s), log_dict, log_text, log_figure,
log_image.

An artifact is stored in trail's object store at the call and recorded under a path: by
default the file's path relative to the project root (trail's own behaviour), or, with MLflow's
`artifact_path`, `<artifact_path>/<file name>` (the folder inside the run's artifacts). The
log_dict/log_text/log_figure/log_image forms write the content to a temporary file first and
record it as `artifact_file`. `trail get RUN PATH` restores any of them.

Imports nothing heavy: yaml, numpy and the plotting libraries only inside the calls that need
them.
"""
import os
import shutil
import struct
import tempfile
import zlib

from . import _trail

__all__ = ["log_artifact", "log_artifacts", "log_dict", "log_text", "log_figure", "log_image"]


def _path(value, what, arg):
    if not isinstance(value, (str, bytes, os.PathLike)):
        raise TypeError(f"{what}: {arg} is {type(value).__name__}; expected a path")
    path = os.fspath(value)
    return os.fsdecode(path) if isinstance(path, bytes) else path


def _folder(artifact_path, what):
    """MLflow's artifact_path as a '/'-separated folder ('' for the artifacts' root); the library
    refuses an absolute one or one with '..' when it is recorded."""
    if artifact_path is None:
        return None
    path = _path(artifact_path, what, "artifact_path").replace(os.sep, "/")
    return path.strip("/")


def _join(folder, name):
    return f"{folder}/{name}" if folder else name


def _role(role, what):
    if role is not None and not isinstance(role, str):
        raise TypeError(f"{what}: role is {type(role).__name__}; expected str or None")
    return role or ""


def log_artifact(local_path, artifact_path=None, *, role=None):
    """Stores a file the run produced (a model, a checkpoint, a plot; or a SavedModel folder,
    whole) in trail's object store now, and records its path, size, content id and role
    (guessed from the name when None: checkpoint, keras, torch, onnx, joblib, ...).

    `artifact_path` is MLflow's: the folder inside the run's artifacts; the file is recorded as
    `<artifact_path>/<its name>`. None (trail's default): its path relative to the project root.
    `trail get RUN PATH` restores it later, even after the file was overwritten by the next
    checkpoint."""
    path = _path(local_path, "log_artifact", "local_path")
    folder = _folder(artifact_path, "log_artifact")
    role = _role(role, "log_artifact")
    full = os.path.abspath(path)
    name = "" if folder is None else _join(folder, os.path.basename(full.rstrip("/")))
    _trail._log_artifact(full, role, name)


def log_artifacts(local_dir, artifact_path=None, *, role=None):
    """Stores every file below `local_dir` (MLflow's log_artifacts): each is recorded as
    `<artifact_path>/<its path below local_dir>` (at the artifacts' root when artifact_path is
    None). Symbolic links to files are followed, links to folders are not. Returns the recorded
    paths."""
    base = os.path.abspath(_path(local_dir, "log_artifacts", "local_dir"))
    if not os.path.isdir(base):
        raise FileNotFoundError(f"log_artifacts: no folder {local_dir}")
    folder = _folder(artifact_path, "log_artifacts")
    role = _role(role, "log_artifacts")
    recorded = []
    for top, dirs, files in os.walk(base):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(top, name)
            if not os.path.isfile(full):
                continue  # a dangling link, a socket
            rel = os.path.relpath(full, base).replace(os.sep, "/")
            _trail._log_artifact(full, role, _join(folder or "", rel))
            recorded.append(_join(folder or "", rel))
    return recorded


def _log_content(artifact_file, what, write):
    """Writes a temporary file named as `artifact_file` with write(path) and records it as
    `artifact_file` (a relative path: MLflow's)."""
    name = _path(artifact_file, what, "artifact_file").replace(os.sep, "/")
    if not name or name.endswith("/"):
        raise ValueError(f"{what}: artifact_file {artifact_file!r} names no file")
    tmp = tempfile.mkdtemp(prefix="trail-artifact-")
    try:
        path = os.path.join(tmp, os.path.basename(name))
        write(path)
        _trail._log_artifact(path, "", name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return name


def log_dict(dictionary, artifact_file):
    """Records `dictionary` as the artifact `artifact_file`: YAML when it ends in .yaml or
    .yml, else JSON (indented), as MLflow's log_dict does."""
    if not isinstance(artifact_file, (str, os.PathLike)):
        raise TypeError(f"log_dict: artifact_file is {type(artifact_file).__name__}; expected a path")
    as_yaml = os.fspath(artifact_file).lower().endswith((".yaml", ".yml"))

    def write(path):
        with open(path, "w", encoding="utf-8") as f:
            if as_yaml:
                import yaml
                yaml.safe_dump(dictionary, f, default_flow_style=False)
            else:
                import json
                json.dump(dictionary, f, indent=2)

    return _log_content(artifact_file, "log_dict", write)


def log_text(text, artifact_file):
    """Records the string `text` (UTF-8) as the artifact `artifact_file`."""
    if not isinstance(text, str):
        raise TypeError(f"log_text: text is {type(text).__name__}; expected str")

    def write(path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    return _log_content(artifact_file, "log_text", write)


def log_figure(figure, artifact_file, *, save_kwargs=None):
    """Records a matplotlib figure (figure.savefig: the format follows the file's extension) or
    a plotly figure (write_html for .html, else write_image) as the artifact `artifact_file`."""
    if save_kwargs is not None and not isinstance(save_kwargs, dict):
        raise TypeError(f"log_figure: save_kwargs is {type(save_kwargs).__name__}; expected a dict or None")
    kwargs = save_kwargs or {}
    html = os.fspath(artifact_file).lower().endswith(".html") if isinstance(artifact_file, (str, os.PathLike)) else False
    if callable(getattr(figure, "savefig", None)):
        def write(path):
            figure.savefig(path, **kwargs)
    elif callable(getattr(figure, "write_html", None)) and (html or callable(getattr(figure, "write_image", None))):
        def write(path):
            (figure.write_html if html else figure.write_image)(path, **kwargs)
    else:
        raise TypeError(f"log_figure: figure is {type(figure).__name__}; expected a matplotlib or plotly figure")
    return _log_content(artifact_file, "log_figure", write)


def log_image(image, artifact_file=None, *, key=None, step=None, timestamp=None, synchronous=None):
    """Records an image as the artifact `artifact_file` (PNG unless a PIL image is given another
    extension). `image`: a PIL image, or a numpy array of shape (H, W), (H, W, 1), (H, W, 3) or
    (H, W, 4) with values in 0..255 (integers) or 0..1 (floats), as MLflow takes them. MLflow's
    image series (key=, step=) are not recorded by trail: give artifact_file."""
    if artifact_file is None or key is not None or step is not None or timestamp is not None:
        raise ValueError("log_image: trail records an image as a file: give artifact_file "
                         "(MLflow's key=/step= image series are not supported)")
    if type(image).__module__.split(".")[0] == "PIL":
        return _log_content(artifact_file, "log_image", image.save)
    pixels = _image_pixels(image)
    return _log_content(artifact_file, "log_image", lambda path: _write_png(path, pixels))


def _image_pixels(image):
    """The image as a C-contiguous uint8 array (H, W, C), C in 1..4; ValueError otherwise."""
    if type(image).__module__.split(".")[0] != "numpy":
        raise TypeError(f"log_image: image is {type(image).__name__}; expected a numpy array or a PIL image")
    import numpy
    array = numpy.asarray(image)
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or array.shape[2] not in (1, 2, 3, 4) or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"log_image: image has shape {tuple(numpy.shape(image))}; expected (H, W), (H, W, 1), "
                         "(H, W, 3) or (H, W, 4)")
    if array.dtype == numpy.bool_:
        array = array.astype(numpy.uint8) * 255
    elif numpy.issubdtype(array.dtype, numpy.floating):
        if not numpy.isfinite(array).all() or array.min() < 0 or array.max() > 1:
            raise ValueError("log_image: a float image's values must be in [0, 1]")
        array = numpy.rint(array * 255).astype(numpy.uint8)
    elif numpy.issubdtype(array.dtype, numpy.integer):
        if array.min() < 0 or array.max() > 255:
            raise ValueError("log_image: an integer image's values must be in [0, 255]")
        array = array.astype(numpy.uint8)
    else:
        raise TypeError(f"log_image: image has dtype {array.dtype}; expected integers, floats or bools")
    return numpy.ascontiguousarray(array)


_PNG_COLOR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}  # grey, grey + alpha, RGB, RGBA


def _write_png(path, pixels):
    """A PNG file (8 bits per channel, no interlace) of a uint8 (H, W, C) array: the format
    needs only zlib, so no imaging library is required."""
    height, width, channels = pixels.shape

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = pixels.reshape(height, width * channels)
    raw = b"".join(b"\x00" + rows[y].tobytes() for y in range(height))  # filter type 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, _PNG_COLOR_TYPE[channels], 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) +
                chunk(b"IEND", b""))
