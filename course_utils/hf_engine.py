"""A ``generate`` for the timing harness from a Hugging Face ``transformers`` model (Colab ships
transformers, torch and accelerate; locally they are optional). Text streams through
``TextIteratorStreamer``; the token count is the number of new token ids, so tokens/s is exact."""
from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Iterator

from . import extras
from .errors import EngineUnavailable, InvalidInput
from .i18n import t
from .timing import StreamStats

DEFAULT_HF_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"


def transformers_available(gguf: bool = False) -> tuple[bool, str]:
    """Whether torch and transformers import (and, to read a ``.gguf`` file, gguf and accelerate), and if not why."""
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        return False, t("models.transformers.missing", name=exc.name)
    if gguf:
        try:
            import accelerate  # noqa: F401
            import gguf as gguf_package  # noqa: F401
        except ImportError as exc:
            return False, t("models.transformers.gguf_missing", name=exc.name,
                            pip=extras.pip_install(extras.GGUF_FOR_TRANSFORMERS))
    return True, ""


class _HFStream:
    def __init__(self, model, tokenizer, prompt: str, max_new_tokens: int):
        from transformers import TextIteratorStreamer

        self.ids = prompt_ids(tokenizer, prompt).to(model.device)
        self.stats = StreamStats(max_tokens=max_new_tokens)
        self.streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=120)
        self.result: dict = {}

        def run():
            try:
                self.result["out"] = model.generate(self.ids, max_new_tokens=max_new_tokens, do_sample=False,
                                                    streamer=self.streamer)
            except Exception as exc:  # noqa: BLE001 - reported after the stream ends
                self.result["error"] = exc
                self.streamer.end()

        self.thread = threading.Thread(target=run, daemon=True)

    def __iter__(self) -> Iterator[str]:
        self.thread.start()
        yield from self.streamer
        self.thread.join()
        if "error" in self.result:
            exc = self.result["error"]
            raise EngineUnavailable(t("models.transformers.generate_failed", error=f"{type(exc).__name__}: {exc}"))
        self.stats.completion_tokens = int(self.result["out"].shape[-1] - self.ids.shape[-1])


def prompt_ids(tokenizer, prompt: str):
    """The prompt as a tensor of token ids: through the chat template when the tokenizer has one.

    transformers 5 returns a BatchEncoding from ``apply_chat_template(..., return_tensors="pt")`` where
    4.x returned the ids themselves; both are taken.
    """
    if getattr(tokenizer, "chat_template", None):
        encoded = tokenizer.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True,
                                                return_tensors="pt")
    else:
        encoded = tokenizer(prompt, return_tensors="pt")
    return encoded["input_ids"] if hasattr(encoded, "keys") else encoded


def _pretrained_args(model_id: str) -> tuple[str, dict]:
    """``from_pretrained``'s arguments: a Hub id or a folder as it is; a local ``.gguf`` file as its folder
    and ``gguf_file`` (transformers dequantizes it; it needs the gguf and accelerate packages)."""
    path = Path(model_id).expanduser()
    if path.suffix.lower() == ".gguf" and path.is_file():
        return str(path.parent), {"gguf_file": path.name}
    return model_id, {}


@functools.lru_cache(maxsize=1)  # a second run of the same model does not load it again; a new one replaces it
def _load(model_id: str, device: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    name, extra = _pretrained_args(model_id)
    try:
        tokenizer = AutoTokenizer.from_pretrained(name, **extra)
        model = AutoModelForCausalLM.from_pretrained(name, **extra).to(device)
    except (OSError, ValueError, ImportError) as exc:  # not found, not a model transformers reads, a missing package
        raise EngineUnavailable(t("models.transformers.load_failed", model_id=model_id, error=str(exc)[:200])) from None
    model.eval()
    return model, tokenizer


def transformers_generate(model_id: str = DEFAULT_HF_MODEL, device: str | None = None):
    """Load a model with transformers (GPU if there is one) and return ``generate(prompt, n)``.

    ``model_id``: a Hub id, a local model folder, or a local ``.gguf`` file (such as the course's model).
    """
    if not isinstance(model_id, str) or not model_id.strip():
        raise InvalidInput(t("models.transformers.no_id", example=DEFAULT_HF_MODEL))
    ok, why = transformers_available(gguf=bool(_pretrained_args(model_id.strip())[1]))
    if not ok:
        raise EngineUnavailable(why)
    import torch

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    model, tokenizer = _load(model_id.strip(), device)

    def generate(prompt: str, max_new_tokens: int):
        return _HFStream(model, tokenizer, prompt, max_new_tokens)

    generate.model, generate.tokenizer = model, tokenizer
    return generate
