"""Text normalisation shared by every analysis model.

Customer text is short and noisy: @mentions, links, hashtags, emoji, HTML entities, repeated
letters ("sooo slow"). Every model reads text through `clean` and `words`, so a tweet, a
blog comment and an e-mail are seen the same way.
"""

from __future__ import annotations

import html
import re
import unicodedata

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![\w@])@\w{1,30}")
REPEAT_RE = re.compile(r"(\w)\1{2,}")
SPACE_RE = re.compile(r"\s+")
# A word (letters, digits, inner apostrophes), a hashtag, a run of ! or ?, or one pictograph.
TOKEN_RE = re.compile(
    r"#?[^\W_]+(?:['’][^\W_]+)*"
    r"|[!?]+"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u3030\u303D\u3297\u3299]"
    r"|[:;=8][-^']?[()\[\]DPpOo3/\\|*]"  # text emoticons :) ;-( :D
)

STOPWORDS = frozenset(
    "a about above after again all am an and any are as at be because been before being below mine "
    "between both but by can could did do does doing down during each few for from further "
    "had has have having he her here hers herself him himself his how i if in into is it its "
    "itself just let me more most my myself of off on once only or other our ours ourselves "
    "out over own same she should so some such than that the their theirs them themselves "
    "then there these they this those through to too under until up very was we were what "
    "when where which while who whom why will with would you your yours yourself yourselves "
    "im ive id youre dont doesnt didnt cant wont isnt arent wasnt u ur pls please hi hello "
    "hey thanks thank dm url user get got also still even one really know need want like "
    "amp".split()
)


def clean(text: str) -> str:
    """Unescape entities, normalise Unicode, and replace links and @mentions by placeholders."""
    text = html.unescape(text or "")
    text = unicodedata.normalize("NFKC", text)
    text = URL_RE.sub(" url ", text)
    text = MENTION_RE.sub(" @user ", text)
    text = REPEAT_RE.sub(r"\1\1", text)
    return SPACE_RE.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """Lower-case tokens of cleaned text: words, hashtags (kept with their #), !/? runs, emoji."""
    out = []
    for token in TOKEN_RE.findall(clean(text).lower()):
        if token[0] in "!?":
            token = token[0] * min(len(token), 2)
        out.append(token.replace("’", "'"))
    return out


def content_words(text: str) -> list[str]:
    """Words that carry a topic: no stop words, placeholders, punctuation, emoji or numbers."""
    result = []
    for token in words(text):
        token = token.lstrip("#")
        if len(token) < 3 or token in STOPWORDS or not token.isalpha():
            continue
        result.append(token.replace("'", ""))
    return result
