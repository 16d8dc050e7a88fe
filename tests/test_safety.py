"""The safety rules (assistant/safety.py): personal-advice questions and recommendation-like sentences."""

from __future__ import annotations

import pytest

from assistant.safety import asks_personal_advice, sounds_like_recommendation


@pytest.mark.parametrize(
    "question",
    [
        "Should I take MSC injections after my third miscarriage?",
        "I have had two miscarriages, what treatment would help?",
        "Is it safe for me to get stem cells while pregnant?",
        "What dose should my wife receive?",
        "Would you recommend umbilical-cord MSCs?",
        "Which clinic should I go to for MSC therapy?",
    ],
)
def test_personal_advice_questions_are_recognised(question):
    assert asks_personal_advice(question)


@pytest.mark.parametrize(
    "question",
    [
        "How do MSCs act on decidual NK cells?",
        "What dose of MSCs was used in the mouse studies?",
        "Which MSC source lowered the abortion rate most in mice?",
        "Can MSC-derived exosomes cross the placenta?",
        "What did the review conclude about safety in humans?",
        # "can i"/"should i" only as the word "I", not the start of "it" or "implant"
        "Delayed facial palsy after stapes surgery: can it be prevented?",
        "Can implant retention be recommended for infected knee replacements?",
        "Scrotal orchidopexy: should it become the standard approach?",
    ],
)
def test_questions_about_the_literature_are_not_personal_advice(question):
    assert not asks_personal_advice(question)


@pytest.mark.parametrize(
    "sentence",
    [
        "You should ask for MSC therapy before your next pregnancy [1].",
        "We recommend bone-marrow MSCs for women with RSA.",
        "Women with RSA should ask their doctor for an MSC infusion [2].",
        "Consider taking a course of MSC-derived exosomes.",
        "This treatment is safe for you.",
        "MSC transfusion is the recommended option [3].",
        "Patients must start treatment early.",
    ],
)
def test_recommendations_are_recognised(sentence):
    assert sounds_like_recommendation(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Bone-marrow MSCs lowered the embryo resorption rate in CBA/J x DBA/2 mice [1].",
        "The review recommends further randomised trials [2].",  # reporting what a source says is not advice
        "Tregs rose after MSC transfer (p < 0.05) [3].",
        "No clinical trial in women with RSA was reported.",
    ],
)
def test_findings_are_not_recommendations(sentence):
    assert not sounds_like_recommendation(sentence)
