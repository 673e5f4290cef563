import sys

from course_utils import environment, network


def test_environment_info_offline(monkeypatch):
    info = environment.environment_info()
    assert info.where == "local"
    assert info.python.count(".") == 2
    assert info.ipywidgets_major in (7, 8)
    assert info.hub.startswith("offline: offline mode (HF_HUB_OFFLINE is set)")
    html = info._repr_html_()
    assert "<table>" in html and "Hugging Face Hub" in html
    assert "course_utils" in str(info)


def test_environment_detects_colab(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", object())
    info = environment.environment_info(probe_network=False)
    assert info.where == "colab" and info.hub_status == "not_checked" and ("Running in", "Google Colab") in info.rows()


def test_setup_returns_info_without_display():
    assert environment.setup(show=False).package_version


def test_reachability_against_local_ports(monkeypatch):
    import socket

    monkeypatch.delenv("HF_HUB_OFFLINE")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    assert network.hub_reachability(use_cache=False).online
    server.close()
    r = network.hub_reachability(use_cache=False)
    assert not r.online and f"127.0.0.1:{port}" in r.reason


def test_statuses_are_codes_and_the_words_follow_the_language():
    from course_utils import i18n

    info = environment.environment_info()
    assert (info.where, info.hub_status) == ("local", "offline") and info.hub_reason
    try:
        i18n.set_language("fr")
        rows = dict(info.rows())
        assert rows[i18n.t("env.row.where", "fr")] == i18n.t("env.where.local", "fr")
        assert info.hub.startswith("hors ligne")
    finally:
        i18n.set_language(None)


def test_the_table_says_whether_a_real_model_can_run_here():
    """Exercises 4 and 6 run llama.cpp: the start notebook's table says up front whether it loads here."""
    import importlib.util

    from course_utils import i18n

    info = environment.environment_info(probe_network=False)
    installed = importlib.util.find_spec("xllamacpp") is not None
    assert info.engine_ready is installed
    for lang, ready, missing in (("en", "llama.cpp is ready", "pip install xllamacpp gguf"),
                                 ("fr", "llama.cpp est prêt", "pip install xllamacpp gguf")):
        i18n.set_language(lang)
        try:
            rows = dict(environment.environment_info(probe_network=False).rows())
        finally:
            i18n.set_language(None)
        assert (ready if installed else missing) in rows[i18n.t("env.row.engine", lang)]
