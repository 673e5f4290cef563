"""A ``generate`` for the timing harness from a Hugging Face ``transformers`` model (Colab ships
transformers and torch; locally they are optional). Text streams through ``TextIteratorStreamer``;
the token count is the number of new token ids, so tokens/s is exact."""
from __future__ import annotations

import threading
from typing import Iterator

from .errors import EngineUnavailable, InvalidInput
from .i18n import t
from .timing import StreamStats

DEFAULT_HF_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"


def transformers_available() -> tuple[bool, str]:
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        return False, t("models.transformers.missing", name=exc.name)
    return True, ""


class _HFStream:
    def __init__(self, model, tokenizer, prompt: str, max_new_tokens: int):
        from transformers import TextIteratorStreamer

        messages = [{"role": "user", "content": prompt}]
        if getattr(tokenizer, "chat_template", None):
            ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
        else:
            ids = tokenizer(prompt, return_tensors="pt").input_ids
        self.ids = ids.to(model.device)
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


def transformers_generate(model_id: str = DEFAULT_HF_MODEL, device: str | None = None):
    """Load a model with transformers (GPU if there is one) and return ``generate(prompt, n)``."""
    if not isinstance(model_id, str) or not model_id.strip():
        raise InvalidInput(t("models.transformers.no_id", example=DEFAULT_HF_MODEL))
    ok, why = transformers_available()
    if not ok:
        raise EngineUnavailable(why)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_id.strip())
        model = AutoModelForCausalLM.from_pretrained(model_id.strip()).to(device)
    except OSError as exc:
        raise EngineUnavailable(t("models.transformers.load_failed", model_id=model_id, error=str(exc)[:200])) from None
    model.eval()

    def generate(prompt: str, max_new_tokens: int):
        return _HFStream(model, tokenizer, prompt, max_new_tokens)

    generate.model, generate.tokenizer = model, tokenizer
    return generate
