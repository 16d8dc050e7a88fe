"""Answer generation: drafts from passages, behind one `Generator` protocol, and every prompt and fixed phrase.

`base.py` (drafts, typed draft sentences, stream events), `state.py` (`AnswerState`, `Generator`),
`extractive.py` (offline generator and relevance gate: `terms.py` reads the question's terms, `gate.py`
judges the evidence), `chat.py` (OpenAI-compatible chat model,
llama.cpp's server included), `fallback.py` (which draft answers). Generation reads passages and the
evidence they carry; it never imports indexing or retrieval.
"""
