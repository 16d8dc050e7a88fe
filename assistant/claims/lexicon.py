"""The closed word lists the claim checks read: cues of polarity, direction, hedging, strength and
causation, and the named things (populations, cell sources, routes, cytokines, outcomes) that a
clause may only state when its evidence names them too.

Every list is general biomedical English, not fitted to one document: they were written from the
issue's categories and checked against a held-out part of the lie suite (eval/lies.yaml).
"""

from __future__ import annotations

import re

#: Negation and absence cues ("failed to" and "no longer" are matched as phrases first).
NEGATION_PHRASES = (
    "failed to",
    "fail to",
    "fails to",
    "no longer",
    "absence of",
    "lack of",
    "did not",
    "does not",
    "do not",
    "was not",
    "were not",
    "is not",
    "are not",
    "has not",
    "have not",
    "had not",
    "could not",
    "cannot",
)
NEGATION_WORDS = frozenset(
    "not no never without neither nor none lack lacks lacked lacking absent absence unchanged unaffected "
    "unaltered n't nothing fail fails failed failing".split()
)
#: Negation words that state "no change": their scope is the thing that did not change.
NO_CHANGE = frozenset({"unchanged", "unaffected", "unaltered"})


def _inflect(verbs: str, as_is: str = "") -> frozenset[str]:
    """Every regular form of each verb ("lower" -> lower, lowers, lowered, lowering), plus the words of
    `as_is` (irregular forms, nouns and adjectives of change) as they are."""
    forms: set[str] = set(as_is.split())
    for base in verbs.split():
        forms.add(base)
        if re.fullmatch(r"[a-z]*[^aeiou][aeiou][bdgmnpt]", base) and len(base) <= 4:
            forms.update({base + "s", base + base[-1] + "ed", base + base[-1] + "ing"})  # drop -> dropped
        elif base.endswith("y") and base[-2] not in "aeiou":
            forms.update({base[:-1] + "ies", base[:-1] + "ied", base + "ing"})  # amplify -> amplified
        elif base.endswith("e"):
            forms.update({base + "s", base + "d", base[:-1] + "ing"})  # reduce -> reduced
        else:
            forms.update({base + ("es" if base.endswith(("s", "sh", "ch", "x")) else "s"), base + "ed", base + "ing"})
    return frozenset(forms)


#: Increase / decrease cues (surface words, lowercase): general English verbs of change with all their
#: regular forms, their irregular forms, the nouns of change, and comparative adjectives.
UP = _inflect(
    """increase raise rise elevate upregulate up-regulate overexpress enhance boost augment expand promote
    improve restore stimulate induce amplify double triple quadruple multiply grow climb soar surge jump
    spike rebound accelerate intensify heighten strengthen widen potentiate escalate peak""",
    "rose risen grew grown higher more greater larger bigger elevation upregulation up-regulation",
)
DOWN = _inflect(
    """decrease reduce lower cut fall decline drop downregulate down-regulate inhibit suppress diminish
    attenuate alleviate lessen impair worsen prevent halve weaken shrink plummet plunge slump sink dip wane
    deplete abolish abrogate block blunt dampen curb slow narrow mitigate hinder hamper repress counteract
    decelerate""",
    """fell fallen shrank shrunk shrunken sank sunk less fewer smaller lower reduction prevention down
    downregulation down-regulation""",
)
#: Direction words that always follow their object ("IL-10 rose"): the intransitive verbs of change.
POSTPOSED = _inflect(
    "rise fall decline drop grow halve double shrink plummet plunge slump sink dip wane climb soar surge jump spike rebound peak",
    "rose risen fell fallen grew grown shrank shrunk sank sunk down",
)
#: Adjectives/adverbs that take a following noun ("more IL-4") unless followed by "than".
ADJECTIVES = frozenset("higher more greater less fewer lower smaller larger".split())
#: Verbs with an agent and a patient but no direction: used only to notice swapped roles.
ACTIONS = frozenset(
    """target targets targeted regulate regulates regulated activate activates activated express expresses
    expressed secrete secretes secreted produce produces produced kill kills killed infect infects infected
    bind binds bound attack attacks attacked cause causes caused modulate modulates modulated""".split()
)

#: Attributes that name opposite ends of one scale: "low maternal viral load" is not "high ...".
ANTONYMS = {
    "high": "low",
    "low": "high",
    "early": "late",
    "late": "early",
    "short": "long",
    "long": "short",
    "positive": "negative",
    "negative": "positive",
    "acute": "chronic",
    "chronic": "acute",
    "severe": "mild",
    "mild": "severe",
    "upper": "lower",
    "major": "minor",
    "minor": "major",
    "old": "young",
    "young": "old",
    "older": "younger",
    "younger": "older",
    "maternal": "paternal",
    "paternal": "maternal",
    "male": "female",
    "female": "male",
    "males": "females",
    "females": "males",
    "inner": "outer",
    "outer": "inner",
    "primary": "secondary",
    "secondary": "primary",
    "fresh": "frozen",
    "frozen": "fresh",
    "resistant": "sensitive",
    "sensitive": "resistant",
    "benign": "malignant",
    "malignant": "benign",
}

HEDGES = frozenset(
    """may might could can possibly possible potential potentially suggest suggests suggested suggesting likely
    unlikely appear appears appeared seem seems seemed perhaps presumably probably putative apparently
    apparent reportedly seemingly arguably conceivably speculate speculated hypothesize hypothesized
    hypothesised tentatively""".split()
)

#: Claims of certainty or endorsement that only evidence saying the same can carry.
STRENGTH = re.compile(
    r"\b(approved|approval|approves|licensed|licen[cs]ed|proven|"
    r"prove[sd]? (?:to be )?(?:safe|effective|efficacious|beneficial)|cures?|cured|curing|"
    r"safe and effective|first[- ]line|guarantee[sd]?|guaranteeing|definitive(?:ly)?|conclusive(?:ly)?|"
    r"standard of care|established (?:treatment|therapy)|always|completely|eliminat\w*|fda|ema|exactly|precisely)\b"
)
#: Causal cues: a clause may only say that one thing caused another when its evidence does.
CAUSAL = re.compile(
    r"\b(because|caus\w*|due to|owing to|leads? to|led to|results? in|resulted in|responsible for|"
    r"through|via|mediated|mediates|by way of|thanks to|therefore|thus|hence|consequently|so that|"
    r"attributable|attributed|explains?|explained|trigger\w*|drives?|drove)\b"
)

#: Named things a clause may only state when its evidence names them (key -> evidence patterns).
#: A key is satisfied when any of its accepted keys is found in the evidence.
ENTITY_PATTERNS: dict[str, str] = {
    # species and populations
    # (each class: the noun, its plural, the Latin-derived adjective and its plural used as a noun,
    # and the young: "dogs" == "canines", "cats" == "felines", "pigs" == "porcine")
    # a laboratory strain or a cross of two is mice ("CBA/J x DBA/2 matings")
    "mouse": r"mice|mouse|murine|cba/j|dba/2|c57bl/6\w*|balb/c|kunming|icr",
    "rat": r"rats?|rattus",
    "women": r"women|woman|mothers?",
    "men": r"men",
    # male animals as well as men ("CBA/J females mated with DBA/2 males")
    "male": r"males?",
    "patients": r"patients?|participants?|subjects|volunteers",
    "humans": r"humans?",
    "children": r"child|children|infants?|neonates?|newborns?|paediatric|pediatric",
    "adults": r"adults?|grown-ups?",
    "elderly": r"elderly|older adults?|aged (?:people|persons|patients)",
    "adolescents": r"adolescents?|teenagers?|youths?",
    "in_vitro": r"in vitro|co-?cultures?|cultured",
    "bat": r"bats?|chiropter\w*",
    "camel": r"camels?|camelids?|dromedar\w+",
    "pig": r"pigs?|swine|piglets?|porcines?|hogs?|sows?",
    "bird": r"birds?|avian|poultry|chickens?|fowls?",
    "ferret": r"ferrets?",
    "primate": r"macaques?|monkeys?|primates?|simians?",
    "dog": r"dogs?|canines?|pupp(?:y|ies)",
    "cattle": r"cattle|cows?|bovines?|calf|calves",
    "rabbit": r"rabbits?|leporid\w*",
    "hamster": r"hamsters?",
    "sheep": r"sheep|lambs?|ewes?|ovines?",
    "goat": r"goats?|caprines?",
    "horse": r"horses?|equines?|foals?|mares?",
    "cat": r"cats?|felines?|kittens?",
    # cell sources
    "bone_marrow": r"bone[- ]marrow|bm|bmscs?|bm-?mscs?|bmmscs?",
    "adipose": r"adipose|adscs?|ad-?mscs?|fat[- ]derived",
    "umbilical": r"umbilical|uc-?mscs?|ucmscs?|wharton'?s?",
    "wharton": r"wharton'?s?|wj-?mscs?|wj",
    "menstrual": r"menstrual|menscs?",
    "amniotic": r"amniotic|amnion|hamscs?",
    "decidual": r"decidual|dmscs?|predecidual",
    "placental": r"placental?",
    "endometrial": r"endometri\w*",
    "chorionic": r"chorionic|chorion",
    "dental": r"dental pulp",
    "vesicle": r"exosomes?|exosomal|extracellular vesicles?|evs?",
    # the cell class itself: a clause that names MSCs needs evidence about MSCs (any spelling: "MSCs",
    # "mesenchymal stromal cells", "ADSCs", "hAMSCs", "BM-MSCs")
    "msc": r"[a-z]*-?mscs?|mesenchymal (?:stem|stromal)|[a-z]{1,4}scs|stromal cells?|stem cells?",
    # routes
    "intraperitoneal": r"intraperitoneal(?:ly)?|i\.p\.",
    "intravenous": r"intravenous(?:ly)?|i\.v\.|tail[- ]vein",
    "intrauterine_route": r"uterine horns?|intra-?uterine(?:ly)? (?:injection|infusion|transplantation)",
    "subcutaneous": r"subcutaneous(?:ly)?",
    "oral": r"orally|oral administration|by mouth",
    "intranasal": r"intranasal(?:ly)?",
    # timing
    "before_pregnancy": r"before (?:pregnancy|conception|mating)|prior to (?:pregnancy|conception|mating)|preconception\w*",
    "postpartum": r"postpartum|after (?:delivery|birth)",
    "trimester1": r"first trimester",
    "trimester2": r"second trimester",
    "trimester3": r"third trimester",
    # outcomes and diseases a clause must not import
    "cancer": r"cancers?|tumou?rs?|malignan\w*|carcinoma\w*|oncogen\w*",
    "death": r"deaths?|died|mortality|fatal\w*",
    "live_birth": r"live births?|live-birth",
    "preeclampsia": r"pre-?eclampsia|preeclampsia-like",
    "infertility": r"infertil\w*",
    "menstruation": r"menstruation|amenorrh\w*",
    "blood_pressure": r"blood pressure|hypertension",
    "apoptosis": r"apopto\w*",
    "angiogenesis": r"angiogen\w*",
    "migration": r"migrat\w*",
    "proliferation": r"proliferat\w*",
    "fibrosis": r"fibros\w*|adhesions?",
    "infection": r"infections?|infected",
    "pneumonia": r"pneumonia",
    "hospitalisation": r"hospitali[sz]ations?|hospital admissions?|admitted to (?:the )?hospital",
    "icu": r"icu|intensive care",
    "survival": r"surviv\w*",
    "recovery": r"recover(?:y|ed|ies)",
    "remission": r"remissions?",
    "relapse": r"relaps\w*|recurrences?",
    "vaccine": r"vaccin\w*",
    # regulators
    "fda": r"fda|food and drug administration",
}
#: Clause key -> the evidence keys that satisfy it (default: itself).
ENTITY_ACCEPTS: dict[str, tuple[str, ...]] = {
    "umbilical": ("umbilical", "wharton"),
    "patients": ("patients", "women", "men", "children"),
    "humans": ("humans", "women", "men", "patients", "children"),
    "male": ("male", "men", "mouse", "rat", "pig", "dog", "cattle", "rabbit", "hamster", "sheep", "primate"),
}

#: Cytokines, receptors and cell types: a short name, its long forms normalised to that name.
MARKER_LONG_FORMS: dict[str, str] = {
    r"interleukin[- ]?(\d+\w*)": r"il\1",
    r"tumou?r necrosis factor(?:[- ]alpha)?": "tnf",
    r"interferon(?:[- ]gamma)?": "ifn",
    r"transforming growth factor(?:[- ]beta\d?)?": "tgf",
    r"regulatory t[- ]cells?|t[- ]?regs?": "treg",
    r"natural killer(?: cells?)?|nk[- ]cells?": "nk",
    r"dendritic cells?": "dc",
    r"t helper (\d+)(?: cells?)?": r"th\1",
    r"vascular endothelial growth factor": "vegf",
    r"hepatocyte growth factor": "hgf",
    r"placental growth factor": "plgf",
    r"indoleamine 2,3-dioxygenase": "ido",
    r"prostaglandin e2": "pge2",
    r"heme oxygenase-1": "ho1",
    r"human chorionic gonadotropin": "hcg",
    r"follicle-stimulating hormone": "fsh",
}
#: Short names of markers and cell types (after normalisation: lowercase, no hyphen, greek spelled).
MARKER = re.compile(
    r"\b(il\d+\w*|tnf\w*|ifn\w*|tgf\w*|ido\d?|pge2|ho1|vegf\w*|hgf|plgf|hcg|fsh|cd\d+\w*|foxp3|ctla4|pd1|pdl1|"
    r"mir\d+\w*|treg|th\d+|dnk|nk|dc|myd88|traf6|nfkappab|rorgammat|perforin|granzymes?|endoglin|"
    r"macrophages?|lymphocytes?|trophoblasts?|neutrophils?|monocytes?|b cells?|mast cells?|"
    r"ace2|tmprss2|igg|igm|iga|cd\d+)\b"
)
#: Markers whose trailing variant letters matter little ("TNF-alpha" == "TNF").
MARKER_TRIM = re.compile(r"^(?:(tnf|ifn|tgf)(?:alpha|beta|gamma|a|b|g)?\d?|(il1)(?:alpha|beta|a|b))$")

TRIAL_ID = re.compile(r"\b(nct\d{8}|chictr[\w-]+|isrctn\d+|euctr[\w-]+|irct\w+)\b")

#: Words that name a measure, not a group: a number's label must be more specific than these.
GENERIC = frozenset(
    """rate level ratio number percent proport valu group score concentr express amount measur result
    outcom effect total mean median averag respect respect patient case overal incid frequenc""".split()
)

#: Synonyms folded to one stem before terms are compared (general biomedical English).
SYNONYMS: dict[str, str] = {
    "miscarriag": "abort",
    "miscarri": "abort",
    "resorpt": "abort",
    "absorpt": "abort",
    "loss": "abort",
    "mice": "mous",
    "murin": "mous",
    "woman": "women",
    "administ": "given",
    "inject": "given",
    "deliv": "given",
    "infus": "given",
    "transplant": "given",
    "receiv": "given",
    "treat": "therapi",
    "treatment": "therapi",
    "therapeut": "therapi",
    "enhanc": "improv",
    "better": "improv",
    "boost": "improv",
    "promot": "improv",
    "research": "studi",
    "investig": "studi",
    "trial": "studi",
    "experi": "studi",
    "show": "found",
    "shown": "found",
    "demonstr": "found",
    "report": "found",
    "observ": "found",
    "reveal": "found",
    "diminish": "lower",
    "reduc": "lower",
    "decreas": "lower",
    "declin": "lower",
    "drop": "lower",
    "fell": "lower",
    "fall": "lower",
    "cut": "lower",
    "lessen": "lower",
    "attenu": "lower",
    "suppress": "lower",
    "inhibit": "lower",
    "rais": "rais",
    "increas": "rais",
    "elev": "rais",
    "rose": "rais",
    "rise": "rais",
    "augment": "rais",
    "upregul": "rais",
    "higher": "rais",
    "downregul": "lower",
    "huge": "larg",
    "big": "larg",
    "substanti": "signific",
    "mark": "signific",
    "sharpli": "signific",
    "strong": "signific",
    "consider": "signific",
    "notabl": "signific",
    "greatli": "signific",
    "assess": "evalu",
    "examin": "evalu",
    "analys": "evalu",
    "analyz": "evalu",
    "human": "human",
    "peopl": "human",
    "person": "human",
    "uterin": "uterus",
    "uteru": "uterus",
    "womb": "uterus",
    "pregnant": "pregnanc",
    "gestat": "pregnanc",
    "conceiv": "pregnanc",
    "concept": "pregnanc",
    "placenta": "placent",
    "fetal": "fetus",
    "foetal": "fetus",
    "fetus": "fetus",
    "embryon": "embryo",
    "cytokin": "cytokin",
    "product": "produc",
    "secret": "produc",
    "releas": "produc",
    "util": "use",
    "employ": "use",
    "appli": "use",
    "applic": "use",
    "cell": "cell",
    "effici": "effect",
    "efficaci": "effect",
    "effect": "effect",
    "happen": "occur",
    "occurr": "occur",
    "detect": "found",
    "identifi": "found",
    "present": "found",
}

#: Words too general to carry a claim on their own ("5." or "Yes, see the sources." says nothing).
FILLER = frozenset(
    """yes no inde answer sourc see cite citat found accord note also howev therefor thus overal summari
    summar conclus base follow inform detail relev question mention describ discuss provid paper review
    articl text compar versus""".split()
)
#: Words too general to tie a cue to its object ("cells", "levels" say nothing about which).
CUE_GENERIC = frozenset("cell level express number rate effect group amount valu concentr".split())
#: Units after a number: never a label or an object.
UNITS = frozenset(
    """mg ml ng ug g kg l dl mm cm m nm um h hr hrs min s sec day days week weeks month months year years
    mmhg iu u mol mmol umol nmol""".split()
)

#: Nouns that count who or what was studied ("7 women", "16 people"): they say how a number was counted,
#: not which group it belongs to, so they never decide a number's binding (stems, see `canon`).
COUNTED = frozenset(
    "women woman men patient particip subject peopl person individu anim mous mice rat case volunt children child infant".split()
)

#: Units of measure that belong to the number before them: "5 mm" is not "5 (women)". Plural and short
#: spellings fold to one name.
MEASURE_UNITS: dict[str, str] = {
    **{u: u for u in "mm cm nm um km mg ug ng kg ml ul dl hz khz mhz mmhg iu kda bp kb".split()},
    "l": "l",
    "g": "g",
    "µm": "um",
    "μm": "um",
    "million": "million",
    "millions": "million",
    "billion": "billion",
    "billions": "billion",
    "thousand": "thousand",
    "thousands": "thousand",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "min": "min",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "wk": "week",
    "wks": "week",
    "month": "month",
    "months": "month",
    "mo": "month",
    "year": "year",
    "years": "year",
    "yr": "year",
    "yrs": "year",
}

NUMBER_WORDS = {
    "zero": 0,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
FOLD_WORDS = {"twofold": 2, "threefold": 3, "fourfold": 4, "fivefold": 5, "tenfold": 10, "hundredfold": 100}
MULTIPLIER_WORDS = {"twice": 2, "doubled": 2, "double": 2, "tripled": 3, "triple": 3, "halved": 0.5}

#: Stems are compared on their first STEM_PREFIX letters, so that a noun and its adjective or another
#: derivation read as one term ("amenorrhoea" == "amenorrhoeic", "dyskinesia" == "dyskinetic",
#: "inflammation" == "inflammatory"). Seven letters keep apart words that differ early
#: ("hypertension" / "hypertrophy", "intraperitoneal" / "intravenous").
STEM_PREFIX = 7


def canon(stem: str) -> str:
    """The form a stem is compared in (see STEM_PREFIX)."""
    return stem[:STEM_PREFIX]


GENERIC = frozenset(canon(w) for w in GENERIC)
COUNTED = frozenset(canon(w) for w in COUNTED)
FILLER = frozenset(canon(w) for w in FILLER)
CUE_GENERIC = frozenset(canon(w) for w in CUE_GENERIC)
