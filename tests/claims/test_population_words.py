"""The whole group for a share of it, and mice named by their strains."""

from __future__ import annotations

from assistant.claims import check_sentence

SHARE = ["Of 20 men with oligospermia, 7 of 20 regained normal sperm counts after the treatment."]
STRAINS = ["In C57BL/6 x BALB/c matings, the treated dams had fewer resorbed embryos."]


def test_all_for_a_share_of_the_group_is_not_supported():
    check = check_sentence("All men with oligospermia regained normal sperm counts after the treatment.", SHARE)
    assert not check.supported and check.reason == "strength"
    # the group counted as a whole is a number, checked as numbers are
    assert check_sentence("All 20 men had oligospermia.", SHARE).supported


def test_mice_named_by_their_strains_are_mice_and_males_are_not_only_men():
    assert check_sentence(
        "In C57BL/6 mice mated with BALB/c males, treated dams had fewer resorbed embryos.", STRAINS
    ).supported
    assert not check_sentence("In women, the treatment left fewer resorbed embryos.", STRAINS).supported
