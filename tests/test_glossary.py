"""Abbreviation glossary: Schwartz–Hearst detection, plurals, compounds, expansion both ways, persistence."""

from __future__ import annotations

import json

from assistant.indexing.glossary import Glossary, detect_abbreviations, load_curated


def test_detects_long_form_before_parenthesis():
    found = detect_abbreviations(
        "Patients with recurrent spontaneous abortion (RSA) were enrolled. Tumor necrosis factor (TNF) fell."
    )
    assert found["RSA"] == "recurrent spontaneous abortion"
    assert found["TNF"].lower() == "tumor necrosis factor"


def test_detects_plural_short_forms_as_singular():
    found = detect_abbreviations("Mesenchymal stem cells (MSCs) home to the uterus.")
    assert found == {"MSC": "Mesenchymal stem cell"} or found.get("MSC", "").lower() == "mesenchymal stem cell"
    assert "MSCs" not in found


def test_detects_short_form_before_parenthesis():
    found = detect_abbreviations("We measured HGF (hepatocyte growth factor) in serum.")
    assert found["HGF"] == "hepatocyte growth factor"


def test_ignores_parentheses_that_are_not_abbreviations():
    found = detect_abbreviations("The rate fell (n = 12) and the effect (P < 0.05) held in mice (see Table 1).")
    assert found == {}


def test_rejects_a_long_form_whose_letters_do_not_match():
    assert "XYZ" not in detect_abbreviations("The cells were counted twice (XYZ).")


def _glossary() -> Glossary:
    return Glossary({"RSA": "recurrent spontaneous abortion", "MSC": "mesenchymal stem cell", "BM": "bone marrow"})


def test_expands_short_to_long_and_long_to_short():
    glossary = _glossary()
    assert "recurrent spontaneous abortion" in glossary.expand("What is RSA?")
    assert "RSA" in glossary.expansions("Causes of recurrent spontaneous abortion")
    assert glossary.expansions("RSA means recurrent spontaneous abortion") == []


def test_plural_and_compound_short_forms_resolve():
    glossary = _glossary()
    assert glossary.long_form("MSCs") == "mesenchymal stem cell"
    assert glossary.long_form("BM-MSCs") == "bone marrow mesenchymal stem cell"
    expanded = glossary.expand("Do BM-MSCs raise Tregs?").lower()
    assert "bone marrow mesenchymal stem cell" in expanded


def test_plural_long_form_maps_to_short_form():
    assert "MSC" in _glossary().expansions("Effects of mesenchymal stem cells on mice")


def test_from_texts_votes_over_curated_and_round_trips(tmp_path):
    texts = ["Natural killer (NK) cells. Natural killer (NK) cells again.", "Nothing defined here."]
    glossary = Glossary.from_texts(texts, curated={"RSA": "recurrent spontaneous abortion"})
    assert glossary.pairs["NK"] == "natural killer" and glossary.pairs["RSA"] == "recurrent spontaneous abortion"
    path = tmp_path / "glossary.json"
    path.write_text(glossary.to_json(), encoding="utf-8")
    assert Glossary.from_file(path).pairs == glossary.pairs


def test_curated_glossary_of_the_corpus_loads(corpus_copy):
    curated = load_curated(corpus_copy)
    assert curated["RSA"] == "recurrent spontaneous abortion" and curated["MSC"] == "mesenchymal stem cell"


def test_built_index_keeps_its_glossary(settings, built_index):
    from assistant.indexing.layout import IndexLayout

    folder = IndexLayout(settings.index_dir).build_folder(built_index.build_id)
    pairs = json.loads((folder / "glossary.json").read_text(encoding="utf-8"))
    assert pairs["RSA"].lower() == "recurrent spontaneous abortion"
    assert len(pairs) > 20
