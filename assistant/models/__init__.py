"""The project's own trained models (issue 20), shipped as package data; rebuilt by `make models`.

`verifier/`: the learned verifier read by `assistant.claims.learned` (model card: verifier/CARD.md).
"""
