"""`assistant.api.retrieve` (module level) takes its number of passages from the settings (RSA_TOP_K)."""

from __future__ import annotations

import assistant.api as api


def test_module_level_retrieve_follows_rsa_top_k(settings, built_index, monkeypatch):
    for name in ("corpus_dir", "index_dir", "cache_dir", "reports_dir", "feedback_dir"):
        monkeypatch.setenv(f"RSA_{name.upper()}", str(getattr(settings, name)))
    monkeypatch.setenv("RSA_TOP_K", "3")
    monkeypatch.setattr(api, "_DEFAULT", None)  # a fresh default assistant reads the environment above
    question = "Through which mechanisms can MSCs improve pregnancy outcomes in RSA?"
    assert len(api.retrieve(question)) == 3
    assert len(api.retrieve(question, k=5)) == 5  # an explicit k still wins
