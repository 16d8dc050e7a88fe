"""Faithful restatements of counts and values hold, and the lies next to them do not: a count that opens a
bracket, a value with its spread, a count stated "2 days later", "at least one day", a count whose
population the source names earlier, two named molecules on the two sides of a contrast, and a compound
("busulfan-induced") with another agent."""

from __future__ import annotations

import pytest

from assistant.claims import check_sentence
from tests.answer_checks import assert_rejected

RETRIEVAL = ["In all, 4 of 20 women conceived after egg retrieval (3 live births, 1 ectopic pregnancy)."]
FERRITIN = ["While baseline ferritin levels were 80.5±4.1 ng/mL, post-treatment levels were 62.3±3.7 ng/mL (p<0.01)."]
COHORT = [
    "This case series comprises nine patients who presented with ABPA in a 6-month period in northern Spain.",
    "Five women and four men of mean age 40 years.",
    "Four reported contact-lens use.",
]
RELEASE = ["The trial protocol was published on 3 March and 5 days later, two further centres joined the trial."]
FOLLOW_UP = [
    "The incidence was 9.1 cases per 1000 child-years in a cohort of 2210 children with at least 1 day of follow-up."
]
CONTRAST = ["Functional assays showed that ORF7 can induce IL-6 release, whereas ORF9b can block IFN-beta signalling."]
MODEL = ["In a busulfan-induced mouse model of ovarian failure, MSCs lowered TNF-alpha."]


@pytest.mark.parametrize(
    "claim, evidence",
    [
        ("Pregnancy after egg retrieval was achieved by 4 of 20 women.", RETRIEVAL),
        ("Post-treatment ferritin levels were 62.3±3.7 ng/mL, against 80.5±4.1 ng/mL at baseline.", FERRITIN),
        ("The case series included 9 patients with ABPA seen over six months in northern Spain.", COHORT),
        ("Four patients reported contact-lens use.", COHORT),
        ("Five days after the trial protocol was published on 3 March, two further centres joined the trial.", RELEASE),
        ("The cohort comprised 2210 children with at least one day of follow-up.", FOLLOW_UP),
        ("ORF7 can induce IL-6 release.", CONTRAST),
        ("MSCs lowered TNF-alpha in a busulfan-induced mouse model of ovarian failure.", MODEL),
    ],
)
def test_a_faithful_restatement_holds(claim, evidence):
    check = check_sentence(claim, evidence)
    assert check.supported, (claim, check.reason, [c.detail for c in check.claims])


@pytest.mark.parametrize(
    "claim, evidence, reason",
    [
        ("After egg retrieval there were 4 live births.", RETRIEVAL, "number_binding"),
        ("Post-treatment ferritin levels were 80.5±4.1 ng/mL.", FERRITIN, "number_binding"),
        ("Four women reported contact-lens use.", COHORT, "entity"),
        ("ORF9b can induce IL-6 release.", CONTRAST, "roles"),
        ("MSCs lowered TNF-alpha in a cisplatin-induced mouse model of ovarian failure.", MODEL, "entity"),
    ],
)
def test_the_lie_beside_it_is_caught(claim, evidence, reason):
    assert_rejected(claim, evidence, reason)
