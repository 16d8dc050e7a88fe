"""Question analysis: what kind of question it is, what kind of answer it expects, what it is about.

The extractive generator uses this to pick the sentence that answers rather than the one that merely
shares words: "How many women were enrolled?" wants a number next to "women"/"enrolled"; "When did the
review come out online?" wants a date; "Who funded it?" an organisation. The analysis is by rules over
the question's wording (no model), general to any question and corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.safety import asks_personal_advice
from assistant.text import QUESTION_FRAME_WORDS, content_terms, is_fragment
from assistant.types import EVIDENCE_KINDS, Filters, Population, Question, QuestionKind, Turn

# question kinds (the enum's values are the strings earlier code compared with)
YES_NO, WHAT, WHO, WHEN, QUANTITY, LIST, MECHANISM, DEFINITION, COMPARISON, METADATA = (
    QuestionKind.YES_NO,
    QuestionKind.WHAT,
    QuestionKind.WHO,
    QuestionKind.WHEN,
    QuestionKind.QUANTITY,
    QuestionKind.LIST,
    QuestionKind.MECHANISM,
    QuestionKind.DEFINITION,
    QuestionKind.COMPARISON,
    QuestionKind.METADATA,
)
# expected answer types
(
    NUMBER,
    PERCENT,
    PERSON,
    DATE,
    CELL_TYPE,
    ROUTE,
    TRIAL,
    DOSE,
    ORGANISATION,
    JOURNAL,
    STRAIN,
    MICRORNA,
    MOLECULE,
    TRIAL_ID,
    IDENTIFIER,
) = (
    "number",
    "percent",
    "person",
    "date",
    "cell type",
    "route",
    "trial",
    "dose",
    "organisation",
    "journal",
    "strain",
    "microRNA",
    "molecule",
    "trial id",
    "identifier",
)

_AUX = r"(?:is|are|was|were|do|does|did|can|could|has|have|had|will|would|should|may|might|must)"
_YES_NO = re.compile(rf"^(?:and\s+|so\s+|but\s+)?{_AUX}\b", re.IGNORECASE)
_COMPARISON = re.compile(
    r"\b(?:compare[sd]?|comparison|versus|vs\.?|differ(?:s|ence|ences|ent)?|better|worse|more effective|"
    r"less effective|superior|inferior|than|best|worst|(?:most|least) (?:effective|efficient|successful|promising|"
    r"beneficial|potent)|rank(?:s|ed|ing)?)\b",
    re.IGNORECASE,
)
_LIST = re.compile(
    r"^(?:list|name|enumerate)\b|\bwhat are (?:the )?(?:main |major |key )?\w+s\b|\bwhich \w+s (?:are|were|have)\b",
    re.IGNORECASE,
)
_DEFINITION = re.compile(
    r"^(?:what|who) (?:is|are) (?:an? |the )?[\w\s-]{1,40}\??$|^define\b|\bwhat does [\w-]+ (?:mean|stand for)\b|"
    r"\bwhat does (?:that|this|the) (?:abbreviation|acronym|term) (?:mean|stand for)\b|"
    r"\bdefinition of\b|\bmeaning of\b|\b(?:stands? for|short for|abbreviation (?:of|for))\b|"
    r"^[\w-]{1,12}\s+(?:meaning|definition|abbreviation)\s*\??$|"
    r"^[\w\s-]{1,30}=\s*\?+$|\s[-\u2013\u2014:]\s*what (?:is|are) (?:it|they|these|those)\s*\??$",
    re.IGNORECASE,
)
_MECHANISM = re.compile(
    r"^(?:why|how (?:do|does|did|can|could|is|are|might|would)\b)|\bmechanism|\bpathway|\bin what way", re.IGNORECASE
)
_QUANTITY = re.compile(
    r"\bhow (?:many|much|long|often|large|big|high|low)\b|\bwhat (?:number|amount|proportion|percentage|share|rate|dose)\b",
    re.IGNORECASE,
)
#: questions about an article's or study's record rather than its findings (authors, funding, dates, ids)
_METADATA = re.compile(
    r"\b(?:who (?:wrote|authored|funded|financed|sponsored|published)|(?:first|corresponding|lead|last) authors?|"
    r"authors? of|fund(?:ed|ing|er|ers)|grants?|sponsor(?:ed|s)?|which journal|what journal|published (?:in|online|on)|"
    r"when was (?:it|this|the) (?:\w+ )?(?:published|received|accepted)|doi|pmid|pmcid|licen[cs]e|copyright|"
    r"affiliations?|trial (?:registration|id|number)|registration (?:number|id))\b",
    re.IGNORECASE,
)
_WHEN = re.compile(
    r"^when\b|\bwhat (?:year|date|day|month|time)\b|\bwhich (?:year|date|month)\b|\bwhen\b", re.IGNORECASE
)
_WHO = re.compile(
    r"^who(?:m|se)?\b|\bwhich (?:authors?|researchers?|group|people|person|institution|organi[sz]ation)\b|\bwho\b",
    re.IGNORECASE,
)

#: expected answer type from the question's wording (first match wins; order matters), case-insensitive
_EXPECTED_WORDING = (
    # a registration number is asked as such: its answer is the identifier, not any sentence about a trial
    (
        TRIAL_ID,
        r"\b(?:trial|registration|registry|NCT) (?:numbers?|ids?|identifiers?|codes?)\b|\bregistered (?:as|under)\b",
    ),
    (PERCENT, r"\b(?:percent(?:age)?|proportion|share|rate|%)\b"),
    (DOSE, r"\b(?:doses?|dosages?|dosing|how much)\b"),
    (NUMBER, r"\bhow (?:many|long|often|large|big|high|low)\b|\bwhat (?:number|amount|size)\b|\bnumber of\b"),
    (ROUTE, r"\b(?:route|routes|administ(?:er|ered|ration)|delivered|injected|given|infused|transplanted)\b"),
    # a publication's identifiers, stated by its record lines
    (IDENTIFIER, r"\b(?:doi|pmid|pmcid|pubmed (?:id|number)|article number)s?\b"),
    # "tried in women" asks whether it has been used clinically, i.e. about trials
    (
        TRIAL,
        r"\b(?:trials?|NCT\d+|registration|registered|phase|(?:tried|tested|used) (?:in|on) "
        r"(?:women|men|humans?|patients|people|participants|volunteers))\b",
    ),
    (CELL_TYPE, r"\b(?:which|what) (?:immune )?(?:cells?|cell types?|population)\b"),
    # a question naming the kind of thing it wants ("which strains", "which microRNA", "which cytokines"),
    # whose answer names instances ("CBA/J x DBA/2", "miR-146a-5p", "IL-10") and not the kind
    (STRAIN, r"\b(?:strains?|(?:mouse|mice|rat) (?:lines?|breeds?))\b"),
    (MICRORNA, r"\b(?:micro-?RNAs?|miRNAs?|miRs?)\b"),
    (
        MOLECULE,
        r"\b(?:molecules?|cytokines?|chemokines?|interleukins?|mediators?|(?:growth|soluble|secreted) factors?)\b",
    ),
    (ORGANISATION, r"\b(?:fund(?:ed|ing|s)?|grants?|sponsor(?:ed|s)?|paid|financ\w*|supported)\b"),
    (JOURNAL, r"\b(?:journals?|venue|periodical|published (?:in|by)|which publication)\b"),
    (DATE, r"^when\b|\bwhat (?:year|date|day|month)\b|\bwhich (?:year|date|month)\b|\bwhen\b"),
    # "who" asks for a person at the start or after a joining word ("and who funded it", "tell me who"),
    # not as a relative pronoun ("women who keep having miscarriages")
    (
        PERSON,
        r"^who(?:m|se)?\b|\bwhich (?:authors?|researchers?|person|people)\b|"
        r"(?:\b(?:and|or|but|me|us|out|know|asks?)|[,;:])\s+who(?:m|se)?\b",
    ),
)
_EXPECTED = tuple((name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _EXPECTED_WORDING)

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
#: what a sentence holding an answer of each type looks like
_ANSWER_PATTERNS = {
    # a number standing alone, not part of a name ("COVID-19", "H1N1", "IL-10")
    NUMBER: re.compile(
        r"(?<![\w-])\d+(?:[.,]\d+)*(?![\w-])|\b(?:two|three|four|five|six|seven|eight|nine|ten|dozen|"
        r"hundred|thousand|million|billion)\b",
        re.IGNORECASE,
    ),
    PERCENT: re.compile(r"\d\s*%|\bper ?cent\b|\b\d+(?:\.\d+)?\s*(?:of|out of)\s*\d+\b", re.IGNORECASE),
    DOSE: re.compile(
        r"\b\d+(?:\.\d+)?\s*(?:×|x)?\s*10\^?\d+|\b\d+(?:\.\d+)?\s*(?:mg|µg|ug|ml|mL|cells|μg|IU|g)\b|\bdose",
        re.IGNORECASE,
    ),
    DATE: re.compile(rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}|\b(?:19|20)\d{{2}}\b", re.IGNORECASE),
    PERSON: re.compile(
        # "Zhao X", "Salek Farrokhi A"; not a capitalised function word before an acronym ("In CBA/J")
        r"\b(?!(?:In|On|At|Of|The|For|By|With|And|From|To|As|After|Before|When|Where)\s)"
        r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?\s+[A-Z]{1,3}\b|\b[A-Z][a-z]+,\s+[A-Z][a-z]+|\bet al\b|\b[A-Z]\.\s?[A-Z][a-z]+|"
        r"\b(?:author|authors|investigators?|researchers?|Dr|Prof)\b"
    ),
    ORGANISATION: re.compile(
        r"\b(?:Foundation|Fund|Council|Institute|Ministry|University|Program(?:me)?|Grant|Agency|Society|"
        r"supported by|funded by|No\.\s*\d)",
        re.IGNORECASE,
    ),
    # a journal line: "published in Cell J 21(1):92-98", "World J Stem Cells 2025; 17(8): 108695"
    JOURNAL: re.compile(
        r"\bpublished in\b|\bJournal of\b|\b[A-Z][a-z]*\.? J\b|\b\d{4};\s*\d+\s*\(\d+\)|\b\d+\s*\(\d+\)\s*:\s*e?\d+"
    ),
    CELL_TYPE: re.compile(
        r"\b(?:cells?|NK|Tregs?|macrophages?|lymphocytes?|monocytes?|neutrophils?|dendritic|T[- ]?cells?|"
        r"B[- ]?cells?|trophoblasts?|CD\d+\+?)\b",
        re.IGNORECASE,
    ),
    ROUTE: re.compile(
        r"\b(?:intra\w+|intravenous\w*|subcutaneous\w*|tail vein|uterine horn|i\.?v\.?|i\.?p\.?|oral\w*|"
        r"inject\w*|infus\w*|transplant\w*|systemic\w*|local\w*|route)\b",
        re.IGNORECASE,
    ),
    # laboratory strains are written with a slash or a capitalised breed name: "CBA/J", "C57BL/6", "BALB/c"
    STRAIN: re.compile(
        r"\b[A-Z][A-Za-z0-9]*/[A-Za-z0-9]{1,3}(?![\w-])|\b(?:Sprague[- ]Dawley|Wistar|Kunming|ICR|NOD|SCID|nude)\b"
    ),
    MICRORNA: re.compile(r"\b(?:miR|microRNA|let)-\d+|\bmiRNA-\d+", re.IGNORECASE),
    # named signalling molecules: interleukins, interferons, growth factors, enzymes and ligands by their symbols
    MOLECULE: re.compile(
        r"\b(?:IL|TNF|IFN|TGF|VEGF|HGF|FGF|EGF|IGF|PDGF|CXCL|CCL|CXCR|CCR|HLA|PD-L|STAT|NF)-?[\w-]*|"
        r"\b(?:IDO|PGE2|FasL|perforin|granzymes?|interleukins?|interferons?|cytokines?|chemokines?)\b"
    ),
    IDENTIFIER: re.compile(r"\b10\.\d{4,9}/\S+|\bPMID\b|\bPMC\d+|\b(?:19|20)\d{2};\s*\d+\s*\(\d+\):\s*\d+"),
    TRIAL_ID: re.compile(r"\b(?:NCT\d{6,}|ChiCTR[-\w]+|ISRCTN\d+|ACTRN\d+|IRCT\w+|EudraCT\s*[\d-]+)", re.IGNORECASE),
    TRIAL: re.compile(
        r"\bNCT\d{6,}|\b(?:trial|phase\s+[1-4IV]+|randomi[sz]ed|enrolled|registered|participants|patients)\b",
        re.IGNORECASE,
    ),
}

#: words that frame a question rather than name its topic (one list: assistant.text)
_FRAME = QUESTION_FRAME_WORDS


@dataclass(frozen=True)
class QuestionAnalysis:
    question: str
    kind: QuestionKind
    #: the main expected answer type, or None
    expected: str | None
    focus: tuple[str, ...]
    #: every answer type the question asks for ("What dose and route...": dose, route)
    expected_all: tuple[str, ...] = ()

    def holds_expected(self, sentence: str) -> bool:
        """Whether a sentence holds something of an expected answer type (a number, a date...).
        Reference pointers ("[1]", "(3,4)", "(5-7)") are no numbers."""
        text = _REFERENCE_POINTER.sub(" ", sentence)
        return any(_ANSWER_PATTERNS[name].search(text) for name in self.expected_all if name in _ANSWER_PATTERNS)


def holds_answer_type(name: str | None, sentence: str) -> bool:
    """Whether a sentence holds an answer of one type ("trial id": an NCT number); True for a type
    without a pattern, or none."""
    pattern = _ANSWER_PATTERNS.get(name or "")
    return pattern is None or bool(pattern.search(_REFERENCE_POINTER.sub(" ", sentence)))


#: in-text reference pointers: "[1]", "[2, 5-7]", "(3,4)", "(5–7)"
_REFERENCE_POINTER = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]|\(\d+(?:\s*[,–-]\s*\d+)+\)")


#: words naming an answer type: a sentence holding that type covers them ("which route" is answered
#: by "intraperitoneal", "what dose" by "1 x 10^7 cells")
_TYPE_WORDS = {
    ROUTE: "route routes administration administered administer delivery delivered injected",
    DOSE: "dose doses dosage dosing amount",
    PERCENT: "percentage percent proportion rate rates share",
    NUMBER: "number count",
    DATE: "date year day month",
    CELL_TYPE: "cell cells type types",
    TRIAL: "trial trials clinical registered registration",
    JOURNAL: "journal journals venue periodical published publication volume issue page pages range",
    IDENTIFIER: "doi dois pmid pmcid pubmed id identifier article number",
    TRIAL_ID: "number numbers id ids identifier identifiers code codes registration registry nct",
    STRAIN: "strain strains line lines breed breeds",
    MICRORNA: "microrna micrornas mirna mirnas mir mirs",
    MOLECULE: "molecule molecules cytokine cytokines chemokine chemokines interleukin interleukins mediator "
    "mediators factor factors",
}


#: answer types a study's record lines hold, not its findings
_RECORD_TYPES = frozenset({PERSON, DATE, JOURNAL, TRIAL, TRIAL_ID, IDENTIFIER, ORGANISATION})


def asks_record(question: Question) -> bool:
    """Whether a question asks what a study's record states (who, when, which journal, which trial)."""
    return bool(_RECORD_TYPES.intersection(question.expected))


@lru_cache(maxsize=64)
def type_word_stems(expected: tuple[str, ...]) -> frozenset[str]:
    """Stems of the words that name the expected answer types."""
    return frozenset(content_terms(" ".join(_TYPE_WORDS.get(name, "") for name in expected)))


@lru_cache(maxsize=1)
def _frame_stems() -> frozenset[str]:
    return _FRAME | frozenset(content_terms(" ".join(_FRAME)))


@lru_cache(maxsize=2048)
def analyse(question: str) -> QuestionAnalysis:
    text = question.strip()
    every = tuple(name for name, pattern in _EXPECTED if pattern.search(text))
    return QuestionAnalysis(text, question_kind(text), every[0] if every else None, focus_terms(text), every)


def question_kind(question: str) -> QuestionKind:
    q = question.strip()
    if _METADATA.search(q):
        return METADATA
    if _asks_what_abbreviations_mean(q):
        # "dMSC vs DSC - what's the difference between the two abbreviations?" asks for long forms first
        return DEFINITION
    if _COMPARISON.search(q) and not _WHO.match(q):
        return COMPARISON
    if _QUANTITY.search(q):
        return QUANTITY
    if re.match(r"^(?:who|whom|whose)\b", q, re.IGNORECASE):
        return WHO
    if re.match(r"^when\b", q, re.IGNORECASE) or re.search(r"\bwhat (?:year|date)\b", q, re.IGNORECASE):
        return WHEN
    if _YES_NO.match(q):
        return YES_NO
    if _LIST.search(q):
        return LIST
    if _DEFINITION.search(q):
        return DEFINITION
    if _MECHANISM.search(q):
        return MECHANISM
    if _WHO.search(q):
        return WHO
    return WHAT


#: a question that asks what abbreviations mean, whatever else it says ("URSA: what does that acronym
#: stand for?", "what do PGE2 and HGF stand for")
_ABOUT_ABBREVIATIONS = re.compile(r"\b(?:abbreviations?|acronyms?|stands? for|short for)\b", re.IGNORECASE)
#: an abbreviation as text writes it, without its plural "s" ("MSCs" -> "MSC", "hAMSC", "MenSC", "PGE2")
ABBREVIATION = re.compile(r"\b([A-Za-z]*[A-Z][a-z0-9]*[A-Z][A-Za-z0-9]*?)s?\b")
#: "What is RSA?", "What are MSCs?", "What does dNK mean?": the one term a definition question asks about
_DEFINED = re.compile(
    r"^(?:(?:what|who) (?:is|are|does) (?:an? |the )?([A-Za-z][\w-]{1,15})(?: mean| stands? for| short for)?"
    r"|([A-Za-z][\w-]{1,15}) (?:meaning|definition|abbreviation))\s*\??$",
    re.IGNORECASE,
)
#: "what does SMD mean in the mouse meta-analysis": the term, wherever the question asks it
_MEANS = re.compile(
    r"\bwhat (?:does|do) (?!(?:it|that|this|they|these|those)\b)([A-Za-z][\w-]{1,15}) (?:mean|stands? for)\b()",
    re.IGNORECASE,
)
#: what a bare definition request says besides its terms ("dNK cell = ?", "LIT and IVIG - what are they?",
#: "Define TRAF6 please")
_DEFINITION_GLUE = frozenset(
    "what whats is are was were do does did it its they them these those this that the a an and or vs versus "
    "define definition meaning mean means please cell cells".split()
)


def _asks_what_abbreviations_mean(question: str) -> bool:
    return bool(_ABOUT_ABBREVIATIONS.search(question) and ABBREVIATION.search(question))


def defined_terms(question: str, kind: QuestionKind) -> tuple[str, ...]:
    """The terms a definition question asks about, as written: the one term of "What is RSA?", or the
    abbreviations of a question that asks what abbreviations mean or says nothing else ("LIT and IVIG -
    what are they?"). A definition-shaped question about something else ("What is the role of IDO in
    MSC therapy?") defines nothing: its abbreviations are its topic, not what it asks."""
    if kind is not DEFINITION:
        return ()
    text = question.strip()
    named = _DEFINED.match(text) or _MEANS.search(text)
    if named:
        return (named.group(1) or named.group(2),)
    abbreviations = tuple(dict.fromkeys(ABBREVIATION.findall(text)))[:4]
    if not abbreviations or _asks_what_abbreviations_mean(text):
        return abbreviations
    asked = {a.lower() for a in abbreviations}
    rest = [
        w for w in re.findall(r"[A-Za-z][\w-]*", text) if w.lower().rstrip("s") not in asked and w.lower() not in asked
    ]
    return abbreviations if all(w.lower() in _DEFINITION_GLUE for w in rest) else ()


def expected_answer(question: str) -> str | None:
    for name, pattern in _EXPECTED:
        if pattern.search(question):
            return name
    return None


def focus_terms(question: str) -> tuple[str, ...]:
    """The question's topic terms (stems), framing words left out."""
    frame = _frame_stems()
    return tuple(t for t in content_terms(question) if t not in frame)


#: populations a question can narrow to ("And in humans?"), and how a source or sentence shows it
_POPULATIONS = {
    "human": (
        re.compile(r"\b(?:humans?|women|woman|patients?|people|clinical|participants?|persons?)\b", re.IGNORECASE),
        re.compile(
            r"\b(?:humans?|women|woman|patients?|participants?|clinical|trial|NCT\d+|case series)\b", re.IGNORECASE
        ),
        ("clinical", "in-vitro-human"),
    ),
    "mouse": (
        re.compile(r"\b(?:mice|mouse|murine)\b", re.IGNORECASE),
        re.compile(r"\b(?:mice|mouse|murine|CBA/J|DBA/2)\b", re.IGNORECASE),
        ("preclinical-mouse",),
    ),
    "rat": (re.compile(r"\brats?\b", re.IGNORECASE), re.compile(r"\brats?\b", re.IGNORECASE), ("preclinical-rat",)),
}


def population(question: str) -> str | None:
    """The population a question narrows to (human, mouse, rat), or None."""
    for name, (asked, _, _) in _POPULATIONS.items():
        if asked.search(question):
            return name
    return None


def about_population(text: str, evidence: str, name: str) -> bool:
    """Whether a sentence (or its source's evidence kind) is about the population."""
    _, stated, kinds = _POPULATIONS[name]
    return bool(stated.search(text)) or (evidence or "").lower().startswith(kinds)


_PERSONAL_WORDS = re.compile(
    r"\b(?:i|i'm|i’m|im|me|my|mine|myself|we|our|us|should|shall|could|can|would|will|get|getting|got|take|taking|"
    r"try|trying|had|have|has|been|want|wanted|need|needs|one|two|three|four|five|six|seven|several|many|times|"
    r"doctor|wife|partner|husband|daughter|sister|friend|age|aged|years?|old|do|does|worth|it|ok|okay|safe)\b",
    re.IGNORECASE,
)


def personal_topic(question: str) -> str:
    """The research topic inside a personal question: "I had three miscarriages. Should I get stem
    cell injections?" -> "miscarriages. stem cell injections?" (what the sources can speak to)."""
    return re.sub(r"\s+", " ", _PERSONAL_WORDS.sub(" ", question)).strip()


# -- the Question, built once -------------------------------------------------------------------------
#: MSC (and other cell) sources a question can name, and how sources spell them
_CELL_SOURCES = {
    "menstrual blood": r"menstrual(?:[- ]blood)?|MenSCs?",
    "bone marrow": r"bone[- ]marrow|BM-?MSCs?|BMSCs?",
    "adipose tissue": r"adipose|fat[- ]derived|AD-?MSCs?|ADSCs?",
    "umbilical cord": r"umbilical[- ]cord|UC-?MSCs?|Wharton'?s jelly|WJ-?MSCs?",
    "placenta": r"placenta(?:l)?[- ](?:derived )?(?:MSCs?|stem|stromal|cells?)|PMSCs?",
    "amniotic membrane": r"amnio(?:n|tic)|hAMSCs?|AMSCs?",
    "decidua": r"decidua(?:l)?[- ](?:derived )?(?:MSCs?|stromal|stem)|dMSCs?|DSCs?",
    "endometrium": r"endometrial[- ](?:MSCs?|stem|stromal|regenerative)|eMSCs?",
}
_CELL_SOURCE_PATTERNS = {
    name: re.compile(rf"\b(?:{pattern})", re.IGNORECASE) for name, pattern in _CELL_SOURCES.items()
}
_IN_VITRO = re.compile(r"\bin[- ]vitro\b|\bcell cultures?\b|\bco-?cultur\w*|\bcultured\b", re.IGNORECASE)
_SETTINGS = {"human": "human", "mouse": "animal", "rat": "animal"}


def cell_source(text: str) -> str | None:
    """The cell source a text names ("menstrual blood" for "MenSCs"), or None."""
    return next((name for name, pattern in _CELL_SOURCE_PATTERNS.items() if pattern.search(text)), None)


def question_population(text: str) -> Population:
    """Whom or what the question narrows to: species, evidence setting and cell source."""
    species = population(text)
    setting = "in vitro" if _IN_VITRO.search(text) else _SETTINGS.get(species or "")
    return Population(species, setting, cell_source(text))


#: where one question ends and another begins inside one message: "...review and who funded it?",
#: "What is RSA? How common is it?"
_PART_BREAK = re.compile(
    rf"\?\s+(?=\S)|,?\s+and\s+(?=(?:who|whom|what|which|when|where|why|how|{_AUX[3:-1]})\b)", re.IGNORECASE
)
#: the article itself, which a later part's pronoun may point back to
_ARTICLE_PHRASE = re.compile(
    r"\b(?:this|the|that)\s+(?:review|article|paper|study|trial|meta-analysis)\b", re.IGNORECASE
)


def question_parts(text: str) -> tuple[str, ...]:
    """The questions a message asks, each searchable on its own ("it" resolved to "this review");
    () when it asks one. A part too short to search ("and why?") stays with its neighbour."""
    pieces = [piece.strip(" ,;") for piece in _PART_BREAK.split(text.strip()) if piece and piece.strip(" ,;?")]
    if len(pieces) < 2 or any(len(focus_terms(piece)) == 0 and not _ANAPHORA.search(piece) for piece in pieces):
        return ()
    if is_fragment(pieces[0]):
        return ()  # "on what day and how were the cells injected?": one question, its verb comes second
    first = pieces[0]
    named = _ARTICLE_PHRASE.search(first)
    topic = " ".join(word for word in re.findall(r"[\w][\w'\-/]*", first) if focus_terms(word))
    parts = [first]
    for piece in pieces[1:]:
        if _ANAPHORA.search(piece) and named:
            piece = _ANAPHORA.sub(named.group(0), piece, count=1)
        elif topic and (_ANAPHORA.search(piece) or _names_only_answer_kind(piece) or len(focus_terms(piece)) <= 1):
            piece = f"{piece.rstrip('?')} ({topic})"
        parts.append(piece)
    return tuple(part if part.endswith("?") else f"{part}?" for part in parts)


def _names_only_answer_kind(part: str) -> bool:
    """A part that names what kind of answer it wants and no topic ("which molecules are involved?",
    "and what's the DOI?"): it asks about the message's first question."""
    focus = set(focus_terms(part))
    return bool(focus) and focus <= type_word_stems(analyse(part).expected_all)


#: openings of elliptical follow-ups ("What about exosomes?", "And in humans?")
_ELLIPTICAL = re.compile(
    r"^(?:what about|how about|and\b|also\b|what of|same for|what else|how so|compared (?:to|with)|as for|"
    r"in (?:humans|women|mice|rats|patients)\b)",
    re.IGNORECASE,
)
#: pronouns that point back at the previous answer's topic
_ANAPHORA = re.compile(r"\b(?:it|its|they|them|their|theirs)\b", re.IGNORECASE)
#: demonstratives point back unless they name the article itself ("this review" is self-contained)
_DEMONSTRATIVE = re.compile(r"\b(?:this|that|these|those|such)\b(?:\s+(\w+))?", re.IGNORECASE)
_ARTICLE_NOUNS = frozenset("review article paper manuscript publication journal".split())


def is_follow_up(question: str) -> bool:
    """Whether a question leans on the conversation: elliptical ("And in humans?"), or a pronoun or
    demonstrative that points back ("Do they raise Tregs?", "Which cytokines did it lower?"; not "Who
    wrote this review and who funded it?", whose "it" is the review)."""
    lowered = question.lower().strip()
    if _ELLIPTICAL.match(lowered):
        return True
    # a pronoun points inside the question when it names the article ("this review ... it") or joins
    # two questions about one thing ("How do MSCs work and are they safe?"); else it points back
    if _names_its_topic_first(question):
        return False  # "LIT and IVIG - what are they?": the pronoun points at what the question named
    if _ANAPHORA.search(lowered) and not _ARTICLE_PHRASE.search(lowered) and not question_parts(question):
        return True
    return any((m.group(1) or "").lower() not in _ARTICLE_NOUNS for m in _DEMONSTRATIVE.finditer(lowered))


#: "LIT and IVIG - what are they?", "ISCT: what does it stand for?": the topic, then a question about it
_TOPIC_FIRST = re.compile(
    r"^(?P<topic>[^?]{2,80}?)\s*(?:\s[-\u2013\u2014]|:)\s*(?:what|which|how|why|is|are|does|do|did|can|could|where|when|who)\b",
    re.I,
)


def _names_its_topic_first(question: str) -> bool:
    """Whether the question names what its pronoun points at before asking ("LIT and IVIG - what are
    they?"): self-contained, so it borrows nothing from the conversation."""
    match = _TOPIC_FIRST.match(question.strip())
    return match is not None and bool(focus_terms(match.group("topic")))


def build_question(text: str, history: list[Turn] | tuple[Turn, ...] = (), filters: Filters | None = None) -> Question:
    """The typed, frozen `Question` every step of the chain reads (built once, at its top)."""
    analysis = analyse(text)
    personal = asks_personal_advice(text)
    return Question(
        text=text,
        kind=analysis.kind,
        expected=analysis.expected_all,
        focus=analysis.focus,
        population=question_population(text),
        parts=question_parts(text),
        filters=filters or Filters(),
        history=tuple(history),
        follow_up=bool(history) and is_follow_up(text),
        personal=personal,
        topic=personal_topic(text) if personal else text,
        place=place_qualifier(text) or ("", ""),
        defines=defined_terms(text, analysis.kind),
    )


def place_qualifier(text: str) -> tuple[str, str] | None:
    """The trailing phrase that narrows a question to a place or setting ("... in the endometrium?"),
    as (the question without it, the phrase's object: "the endometrium"), or None. Populations
    ("in mice", "in women") and cell sources are not places: the population rules answer those.

    The gate asks the narrower question when the whole one is not in the sources, and the answer
    then says that the sources do not tie it to the place."""
    match = _PLACE_QUALIFIER.search(text.strip())
    if match is None:
        return None
    phrase, place = match.group(0), match.group("place")
    core = text.strip()[: match.start()].rstrip(" ,") + "?"
    if population(phrase) or cell_source(phrase) or _IN_VITRO.search(phrase):
        return None
    if not 1 <= len(focus_terms(place)) <= _QUALIFIER_TERMS or len(focus_terms(core)) < 2:
        return None
    return core, place.strip()


#: "in the endometrium?", "at the maternal-fetal interface", "during the first trimester": a last phrase
#: naming a thing with "the"; a bare noun phrase ("in premature birth", "in lupus pregnancies") names a
#: condition or a population, which is the question's topic, not where it is asked about
_PLACE_QUALIFIER = re.compile(
    r",?\s+(?:in|at|within|inside|into|during|throughout|across)\s+"
    r"(?P<place>(?:the|their|its)\s+[\w'\-/]+(?:\s+[\w'\-/]+){0,3})\s*\??\s*$",
    re.IGNORECASE,
)
#: a narrowing phrase of more content words than this is a topic, not a place
_QUALIFIER_TERMS = 3


def evidence_setting(evidence: str) -> tuple[str, str]:
    """How a source's evidence kind reads in a lead ("in mice") and its population ("mouse"); ("", "")
    for a review or background source, whose population is not one setting."""
    kind = EVIDENCE_KINDS.get((evidence or "").lower())
    return (kind.lead, kind.population) if kind else ("", "")


def names_cell_source(text: str, name: str) -> bool:
    """Whether a text (a sentence, a source's `msc_source` field) names the cell source."""
    pattern = _CELL_SOURCE_PATTERNS.get(name)
    return bool(pattern and pattern.search(text or ""))
