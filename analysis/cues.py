"""Cues in customer text that more than one model reads: questions and problem reports."""

from __future__ import annotations

import re

from .text import clean

QUESTION_START = re.compile(
    r"^(?:how|what|whats|what's|when|where|why|who|which|is|are|am|can|could|do|does|did|will|"
    r"would|should|has|have|any|anyone|anybody|may)\b",
    re.IGNORECASE,
)

PROBLEM = re.compile(
    r"\b(?:not working|doesn'?t work|don'?t work|isn'?t working|won'?t (?:load|work|open|let)|"
    r"broken|never (?:arrived|came|received|got)|still (?:waiting|no|not|haven'?t)|"
    r"(?:hasn'?t|haven'?t|didn'?t) (?:arrived|received|come|got)|cancell?ed|overcharged|"
    r"charged (?:me )?twice|worst|terrible|awful|horrible|useless|ridiculous|unacceptable|"
    r"disappoint\w*|frustrat\w*|rude|refund|delayed|late again|keeps? (?:crashing|freezing)|"
    r"crash\w*|error|issue|problem|outage|down|lost my|can'?t|cannot|unable to|won'?t|"
    r"not (?:receiving|allowing|able|getting|updated|available|entitled)|no (?:internet|service|"
    r"signal|one|response|luck|changes)|nothing (?:works|has been)|broke|lag\w*|slow|wtf|"
    r"ripped off|stuck|missing|wrong|fraud\w*|glitch\w*|buffering|fix (?:this|it|your))\b"
    r"|[😤😠😡😩😞😔🤨]",
    re.IGNORECASE,
)

LEADING_MENTIONS = re.compile(r"^(?:@\w+\s*)+")


def asks_plainly(text: str) -> bool:
    """A question mark, or a sentence that opens like a question once @mentions are stripped."""
    cleaned = clean(text)
    return "?" in cleaned or bool(QUESTION_START.match(LEADING_MENTIONS.sub("", cleaned)))
