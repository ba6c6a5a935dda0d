"""A fast guess at the language of a short post, for mentions whose source does not say.

Two kinds of evidence, no model file:

- **Script.** Letters of one non-Latin script settle it: Greek (el), Cyrillic (ru, or uk when
  it has more of the letters and common words only Ukrainian writes, such as ї, є, ґ and
  "дякую", than of those only Russian writes, such as ы, э, ё and "спасибо"), Hebrew (he),
  Arabic (ar), Devanagari (hi), Thai (th), Hangul (ko), kana (ja), and Chinese characters
  without kana (zh). When Latin letters are mixed in, the script wins if it has at least as
  many letters, a Chinese, Japanese or Korean character counting as three.
- **Function words** for twelve Latin-script languages: en, de, fr, es, it, nl, pt, sv, da, no,
  pl, tr, with a few words customers write to support desks ("refund", "Bestellung"). Each
  word of the post found in the lists gives one point, shared out among the languages that
  list it ("de" is in the Spanish, French, Dutch, Portuguese and Turkish lists, so it gives
  each a fifth); letters only some languages use (ñ, ã, ß, ø, ł, ğ …) add half a point each,
  shared the same way.

`detect` answers "" when unsure: under two points, under 0.15 points a word (a language it
does not know), a runner-up with more than two thirds of the winner's points (Danish and
Norwegian often), or a script whose language it does not name (Serbian or Belarusian
Cyrillic, Persian or Urdu Arabic). Links, @handles and #hashtags are left out first: they
name brands, not languages. docs/listening-queries.md has the measured speed.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right

# Common function words, lower-case. A word may be listed by several languages; it then
# counts for each, divided by how many list it. Keys ending or starting with an apostrophe
# stand for elisions and contractions: "l'" (l'application), "'t" (don't).
WORDS = {
    "en": """the a an and or but to of in on at for with from by about as is are was were be been
        being am have has had do does did will would can could should must may might shall i you he
        she it we they me him her us them my your his its our their this that these those what which
        who whom why how where when there here not no yes if then than so just only also very too
        all any some more most much many other such own same again still even ever never now up out
        over into after before because while until off down get got please thanks thank hi hello hey
        im i'm it's don't can't won't didn't doesn't isn't wasn't haven't i've i'll i'd you're
        they're that's what's there's 's 't 'm 're 've 'll 'd one like know need want going been
        anyone anything nothing something help order delivery refund never again nobody waiting
        answer phone still account thanks week weeks days today good great new time back way u ur r
        pls plz thx lol omg gonna wanna gotta ya y'all""",
    "de": """der die das den dem des ein eine einen einem einer und oder aber ist sind war waren bin
        bist hat haben habe hatte wird werden wurde nicht kein keine nichts ich du er sie es wir ihr
        mich mir dich dir uns euch sich mein meine meinen meinem dein deine sein seine zu mit auf
        für von im vom zum zur bei aus nach um über unter vor seit bis ohne gegen durch dass wenn
        wie warum wo wann noch nur auch schon doch mal jetzt hier sehr bitte danke hallo gibt geht
        kann können könnt muss müssen soll will wollte immer wieder heute gestern morgen dann denn
        weil also ja nein bestellung lieferung rückerstattung paket konto geld nie niemand wieder
        warte warten seit wochen tage telefon hilfe funktioniert kundenservice antwort leider""",
    "fr": """le la les un une des du de et ou mais est sont était été être avoir ai as avons avez
        ont pas ne je tu il elle nous vous ils elles on me te se moi toi lui leur ce cette ces mon
        ma mes ton ta tes son sa ses notre votre nos vos qui que quoi dont dans pour par sur avec
        sans sous chez vers au aux y en très plus moins bien tout tous toute toujours encore déjà
        merci bonjour svp pourquoi comment quand où c'est j'ai n'est qu'il l' d' j' n' qu' c' s' m'
        aussi alors donc car fait peut commande livraison remboursement colis compte argent jamais
        personne encore attends attendre depuis semaines jours téléphone aide marche fonctionne
        service client réponse toujours""",
    "es": """el la los las un una unos unas de del al y o pero que en es son era fue ser estar está
        están estoy estás he ha han hemos hay tengo tiene tienen no ni yo tú él ella nosotros ellos
        ellas me te se nos le les lo mi mis tu tus su sus nuestro este esta estos estas esto eso ese
        esa por para con sin sobre entre hasta desde muy más menos también ya todavía aún todo todos
        nada algo como cuando donde dónde qué cómo cuándo porque hola gracias favor bien mal hoy
        ayer pedido entrega reembolso paquete cuenta dinero nunca nadie otra vez espero esperando
        llevo semanas días teléfono ayuda funciona servicio cliente respuesta llegó todavía""",
    "it": """il lo la i gli le un una uno di del della dello dei degli delle al alla ai alle dal
        dalla nel nella nei sul sulla e ed o ma che non è sono era stato essere ho hai ha abbiamo
        avete hanno io tu lui lei noi voi loro mi ti ci si vi mio mia miei mie tuo tua suo sua
        nostro vostro questo questa questi quello quella per con su da in tra fra senza anche come
        perché quando dove cosa chi molto più già ancora sempre tutto tutti niente nulla grazie ciao
        buongiorno salve oggi ieri l' dell' all' nell' un' c'è ordine consegna rimborso pacco conto
        soldi mai nessuno ancora aspetto attesa settimane giorni telefono aiuto funziona servizio
        clienti risposta arrivato""",
    "nl": """de het een en of maar van in op te aan met voor door naar bij uit over om tot als dat
        die dit deze wat wie waar waarom hoe wanneer is zijn was waren ben bent heb hebt heeft
        hebben had wordt worden werd niet geen ik je jij u we wij ze zij hij haar hem ons mijn jouw
        jullie uw hun er ook nog al wel nu dan hier daar alleen maar heel erg graag bedankt dank
        alsjeblieft alstublieft hallo goedemorgen vandaag gisteren kan kunnen moet moeten wil zal
        zou bestelling levering terugbetaling pakket rekening geld nooit niemand weer wacht wachten
        sinds weken dagen telefoon hulp werkt klantenservice antwoord""",
    "pt": """o a os as um uma uns umas de do da dos das no na nos nas ao aos pelo pela e ou mas que
        em é são era foi ser estar está estão estou tem tenho têm temos não eu você vocês ele ela
        nós eles elas me te se lhe meu minha meus minhas seu sua seus suas nosso nossa este esta
        isto esse essa isso aquele por para com sem sobre entre até desde muito mais menos também já
        ainda tudo nada algo como quando onde porque porquê obrigado obrigada olá oi bom boa hoje
        ontem pedido entrega reembolso pacote conta dinheiro nunca ninguém novamente espero
        esperando há semanas dias telefone ajuda funciona atendimento resposta chegou""",
    "sv": """och i att det som en ett på är av för med till den de har hade inte om men var jag du
        han hon vi ni sig så kan kunde från eller när vad hur varför här där nu bara också mycket
        min mitt mina din ditt dina vår vårt er dem ska skulle kommer får fick tack hej inga ingen
        inget något någon efter utan över under vid mot alla beställning leverans återbetalning
        paket konto pengar aldrig ingen igen väntar väntat sedan veckor dagar telefon hjälp fungerar
        kundtjänst svar svarar""",
    "da": """og i at det som en et på er af for med til den de har havde ikke om men var jeg du han
        hun vi sig så kan kunne fra eller når hvad hvordan hvorfor her der nu kun også meget min mit
        mine din dit dine vores jeres dem skal skulle kommer får fik tak hej ingen intet noget nogen
        efter uden over under ved mod alle mig dig blev bliver jo lige ordre bestilling levering
        refusion pakke konto penge aldrig igen venter ventet siden uger dage telefon telefonen hjælp
        virker kundeservice svar svarer tager""",
    "no": """og i å at det som en et ei på er av for med til den de har hadde ikke om men var jeg du
        han hun vi dere seg så kan kunne fra eller når hva hvordan hvorfor her der nå bare også mye
        min mitt mine din ditt dine vår vårt deres dem skal skulle kommer får fikk takk hei ingen
        ingenting noe noen etter uten over under ved mot alle meg deg ble blir jo bestilling
        levering refusjon pakke konto penger aldri igjen venter ventet siden uker dager telefon
        telefonen hjelp virker kundeservice svar svarer tar""",
    "pl": """i w z na się nie to jest że do o a jak ale co po od za tak już jestem jesteś mam masz
        ma mamy są był była było były czy dla przez tylko mnie mi mój moja moje twój jego jej ich
        ten ta te tym tego tej jednak bardzo dziękuję dzięki proszę dzień dobry cześć może gdzie
        kiedy dlaczego więc też jeszcze nic wszystko wszystkie zamówienie dostawa zwrot paczka konto
        pieniądze nigdy nikt znowu czekam od tygodni dni telefon pomoc działa obsługa klienta
        odpowiedź""",
    "tr": """ve bir bu şu da de ile için çok ne var yok ben sen o biz siz onlar mi mı mu mü değil
        ama fakat gibi daha en kadar sonra önce şimdi neden niye nasıl her şey bana beni sana seni
        size bize teşekkür teşekkürler merhaba lütfen olarak olan oldu olur ise ki hiç hala artık
        bugün dün sipariş siparişim teslimat iade paket hesap para asla kimse yine bekliyorum beri
        hafta haftadır gün telefon yardım çalışıyor müşteri hizmetleri cevap""",
}
LANGUAGES = tuple(WORDS)
# Letters only some of the languages write: each one present adds half a point, shared.
LETTERS = {
    "ñ": "es",
    "ã": "pt",
    "õ": "pt",
    "ç": "fr pt tr",
    "ß": "de",
    "ä": "de sv",
    "ö": "de sv tr",
    "ü": "de tr",
    "å": "sv da no",
    "æ": "da no",
    "ø": "da no",
    "ğ": "tr",
    "ş": "tr",
    "ı": "tr",
    "è": "fr it",
    "ù": "fr it",
    "ì": "it",
    "ò": "it",
    "ê": "fr pt",
    "ô": "fr pt",
    "á": "es pt",
    "í": "es pt",
    "ú": "es pt",
    "ë": "nl fr",
} | dict.fromkeys("łąęśźżćń", "pl")
MIN_POINTS = 2.0
MIN_LEAD = 1.5  # the winner's points over the runner-up's
MIN_SHARE = 0.15  # points per word of the post: less, and most words are in no list
CJK_WEIGHT = 3  # a Chinese, Japanese or Korean character counts as this many letters

# Code point ranges of the scripts named here, by first code point.
_SCRIPTS = (
    (0x0370, 0x03FF, "el"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0591, 0x05F4, "he"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0x0900, 0x097F, "hi"),
    (0x0E01, 0x0E5B, "th"),
    (0x1100, 0x11FF, "ko"),
    (0x1F00, 0x1FFF, "el"),
    (0x3041, 0x309F, "kana"),
    (0x30A1, 0x30FF, "kana"),
    (0x3131, 0x318E, "ko"),
    (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7A3, "ko"),
    (0xF900, 0xFAFF, "han"),
    (0xFB1D, 0xFB4F, "he"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFC, "arabic"),
    (0xFF66, 0xFF9D, "kana"),
)
_STARTS = [start for start, _, _ in _SCRIPTS]
_RUN_RE = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b, _ in _SCRIPTS) + "]+")
_KANA_RE = re.compile("[\u3041-\u309f\u30a1-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_SKIP_RE = re.compile(r"[@#]\w+(?:[.@]\w+)*|https?://\S*|www\.\S*")  # handles, tags, links
# Lower-cases letters and blanks out everything else but the apostrophe, in ASCII or Latin-1:
# bytes.translate and split are several times faster than a regex or a loop over words.
_LATIN1_TABLE = bytes(
    ord(chr(c).lower()) if chr(c).isalpha() or c == ord("'") else ord(" ") for c in range(256)
)
_NOT_LETTERS = bytes(c for c in range(256) if not chr(c).isalpha())
_LATIN_EXTENDED_RE = re.compile("[\u0100-\u024f]")
# Stripped from the ends of whitespace-separated words: faster than a Unicode word regex.
_PUNCTUATION = "".join(chr(c) for c in range(128) if not chr(c).isalpha()) + "¡¿«»“”‘…–—„·"
_UKRAINIAN_RE = re.compile("[іїєґ]")
_RUSSIAN_RE = re.compile("[ыэъё]")
# Common words of one of the two without those letters; each counts like one such letter.
_UKRAINIAN_WORDS = frozenset(
    "дякую будь ласка що як вже мене мені ви ми чи щоб або коли тому дуже де чому ще "
    "вона воно вони мною немає було буде треба зараз".split()
)
_RUSSIAN_WORDS = frozenset(
    "спасибо пожалуйста что это как уже меня мне вы мы или чтобы когда потому очень где "
    "почему еще она оно они мной нет было будет надо сейчас".split()
)
_OTHER_CYRILLIC_RE = re.compile("[ђћџљњјўѓќѕ]")  # Serbian, Macedonian, Belarusian
_PERSIAN_URDU_RE = re.compile("[پچژگکیٹڈڑںے]")


def _shares(codes: str, points: float = 1.0) -> tuple[tuple[int, float], ...]:
    langs = codes.split()
    return tuple((LANGUAGES.index(code), points / len(langs)) for code in langs)


def _word_groups() -> tuple[dict[str, int], list[tuple[tuple[int, float], ...]]]:
    # Words listed by the same languages share one group and its tuple of shares.
    listed: dict[str, list[str]] = {}
    for code, words in WORDS.items():
        for word in set(words.split()):
            listed.setdefault(word, []).append(code)
    groups: dict[str, int] = {}
    group_of = {
        word: groups.setdefault(" ".join(codes), len(groups)) for word, codes in listed.items()
    }
    return group_of, [_shares(codes) for codes in groups]


_GROUP_OF, _GROUPS = _word_groups()
_LETTER_SHARES = {letter: _shares(codes, 0.5) for letter, codes in LETTERS.items()}
_MARKED_RE = re.compile(f"[{''.join(LETTERS)}]")


def _apostrophe_group(word: str) -> int | None:
    # A contraction or elision not listed whole counts by its apostrophe part: "l'", "'t".
    word = word.strip("'")
    head, tail = word.partition("'")[0], word.rpartition("'")[2]
    found = _GROUP_OF.get(word)
    if found is None:
        found = _GROUP_OF.get(head + "'")
    return _GROUP_OF.get("'" + tail) if found is None else found


def _range(char: str) -> int:
    return bisect_right(_STARTS, ord(char)) - 1


def _script_of(char: str) -> str:
    return _SCRIPTS[_range(char)][2]


def _letters(runs: list[str]) -> dict[str, int]:
    """Letters per script in runs of non-Latin letters; kana and han are told apart."""
    first = _range(min(runs)[0])
    name = _SCRIPTS[first][2]
    if first == _range(max(runs)[0]) and name not in ("kana", "han"):
        return {name: sum(map(len, runs))}  # the common case: every run starts in one range
    counts: dict[str, int] = {}
    for run in runs:
        name = _script_of(run[0])
        if name in ("kana", "han"):
            kana = len(_KANA_RE.findall(run))
            counts["kana"] = counts.get("kana", 0) + kana
            counts["han"] = counts.get("han", 0) + len(run) - kana
        else:
            counts[name] = counts.get(name, 0) + len(run)
    if counts.get("kana"):
        counts["ja"] = counts.pop("kana") + counts.pop("han", 0)
    elif counts.get("han"):
        counts["zh"] = counts.pop("han")
    return counts


def _script(runs: list[str], latin_letters: int) -> str:
    """The language a non-Latin script names, when its letters outweigh the Latin ones."""
    ranked = sorted(((n, name) for name, n in _letters(runs).items() if n), reverse=True)
    if not ranked or ranked[0][0] < 2 or (len(ranked) > 1 and ranked[1][0] == ranked[0][0]):
        return ""
    letters, name = ranked[0]
    if letters * (CJK_WEIGHT if name in ("ja", "zh", "ko") else 1) < latin_letters:
        return ""
    if name == "cyrillic":
        text = "".join(runs)
        if _OTHER_CYRILLIC_RE.search(text):
            return ""
        words = set(runs)
        ukrainian = len(_UKRAINIAN_RE.findall(text)) + len(words & _UKRAINIAN_WORDS)
        russian = len(_RUSSIAN_RE.findall(text)) + len(words & _RUSSIAN_WORDS)
        if ukrainian == russian:
            return "ru" if not russian else ""
        return "uk" if ukrainian > russian else "ru"
    if name == "arabic":
        return "" if _PERSIAN_URDU_RE.search("".join(runs)) else "ar"
    return name


def detect(text: str) -> str:
    """An ISO 639-1 code for the language of `text`, or "" when unsure."""
    if "@" in text or "#" in text or "://" in text or "www." in text:
        text = _SKIP_RE.sub(" ", text)
    runs: list[str] = []
    if text.isascii():
        encoded = text.encode("ascii")
    else:
        text = unicodedata.normalize("NFC", text).lower().replace("’", "'")
        encoded = text.encode("latin-1", "replace")
    if encoded.count(b"?") != text.count("?"):  # something beyond Latin-1: emoji, a script …
        runs = _RUN_RE.findall(text)
        if runs:
            # Latin letters outside Latin-1 (ł, ş …) are "?" here: not counted, but rare.
            found = _script(runs, len(encoded.translate(None, _NOT_LETTERS)))
            if found:
                return found
        if _LATIN_EXTENDED_RE.search(text):  # Polish, Turkish: keep those letters in words
            encoded = b""
    if encoded:
        words = encoded.translate(_LATIN1_TABLE).decode("latin-1").split()
    else:
        words = [word.strip(_PUNCTUATION) for word in text.split()]
    scores = [0.0] * len(LANGUAGES)
    group_of, groups = _GROUP_OF.get, _GROUPS
    for word in words:
        group = group_of(word)
        if group is not None:
            for index, share in groups[group]:
                scores[index] += share
    if "'" in text:
        for word in words:
            if "'" in word and word not in _GROUP_OF:
                group = _apostrophe_group(word)
                for index, share in _GROUPS[group] if group is not None else ():
                    scores[index] += share
    if not text.isascii():
        for letter in set(_MARKED_RE.findall(text)):
            for index, share in _LETTER_SHARES[letter]:
                scores[index] += share
    best = max(scores)
    ranked = sorted(scores)
    if (
        best < MIN_POINTS
        or ranked[-2] * MIN_LEAD > best
        or best < MIN_SHARE * (len(words) - words.count(""))
    ):
        return _script(runs, 0) if runs else ""
    return LANGUAGES[scores.index(best)]
