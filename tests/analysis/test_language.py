"""Guessing the language of a post from its script and its function words."""

# ruff: noqa: RUF001 - the sentences are in other alphabets on purpose

from __future__ import annotations

import csv
import re

import pytest

from analysis.language import LANGUAGES, detect
from eval.data import DATA

SENTENCES = {
    "en": [
        "My order never arrived and nobody answers the phone, what is going on?",
        "I have been waiting for a refund for three weeks now",
        "Thanks for the quick help, the app works again",
        "I don't know why my account was locked but it's really annoying",
    ],
    "de": [
        "Meine Bestellung ist immer noch nicht angekommen, was ist da los?",
        "Ich warte seit drei Wochen auf eine Rückerstattung",
        "Danke für die schnelle Hilfe, die App funktioniert wieder",
    ],
    "fr": [
        "Ma commande n'est jamais arrivée et personne ne répond au téléphone",
        "J'attends un remboursement depuis trois semaines",
        "Merci pour votre aide rapide, l'application marche de nouveau",
    ],
    "es": [
        "Mi pedido nunca llegó y nadie contesta el teléfono, ¿qué pasa?",
        "Llevo tres semanas esperando un reembolso",
        "Gracias por la ayuda tan rápida, la aplicación ya funciona",
    ],
    "it": [
        "Il mio ordine non è mai arrivato e nessuno risponde al telefono",
        "Aspetto un rimborso da tre settimane",
        "Grazie per l'aiuto veloce, l'app funziona di nuovo",
    ],
    "nl": [
        "Mijn bestelling is nooit aangekomen en niemand neemt de telefoon op",
        "Ik wacht al drie weken op een terugbetaling",
        "Bedankt voor de snelle hulp, de app werkt weer",
    ],
    "pt": [
        "Meu pedido nunca chegou e ninguém atende o telefone",
        "Estou esperando um reembolso há três semanas",
        "Obrigado pela ajuda rápida, o aplicativo já funciona",
    ],
    "sv": [
        "Min beställning har aldrig kommit och ingen svarar i telefonen",
        "Jag har väntat på en återbetalning i tre veckor",
        "Tack för hjälpen, det fungerar nu igen",
    ],
    "da": [
        "Min ordre er aldrig kommet, og ingen tager telefonen",
        "Jeg har ventet på pengene i tre uger, hvad sker der?",
        "Tak for hjælpen, det virker nu igen",
    ],
    "no": [
        "Bestillingen min har aldri kommet, og ingen tar telefonen",
        "Jeg har ventet på å få pengene tilbake i tre uker",
        "Takk for hjelpen, det virker nå igjen",
    ],
    "pl": [
        "Moje zamówienie nigdy nie dotarło i nikt nie odbiera telefonu",
        "Czekam na zwrot pieniędzy już od trzech tygodni",
        "Dziękuję za szybką pomoc, aplikacja znowu działa",
    ],
    "tr": [
        "Siparişim hiç gelmedi ve kimse telefona cevap vermiyor",
        "Üç haftadır para iadesi için bekliyorum",
        "Hızlı yardım için teşekkürler, uygulama yine çalışıyor",
    ],
    "ru": ["Мой заказ так и не пришёл, и никто не отвечает на звонки", "Спасибо за помощь"],
    "uk": ["Моє замовлення так і не прийшло, і ніхто не відповідає", "Дякую за допомогу"],
    "el": ["Η παραγγελία μου δεν έφτασε ποτέ και κανείς δεν απαντά"],
    "he": ["ההזמנה שלי לא הגיעה ואף אחד לא עונה לטלפון"],
    "ar": ["طلبي لم يصل أبدا ولا أحد يرد على الهاتف"],
    "hi": ["मेरा ऑर्डर अभी तक नहीं आया है"],
    "th": ["คำสั่งซื้อของฉันยังไม่มาถึง"],
    "ja": ["注文した商品がまだ届きません。どうなっていますか？", "ありがとうございました"],
    "zh": ["我的订单一直没有到，也没有人接电话"],
    "ko": ["주문한 상품이 아직 도착하지 않았어요"],
}


@pytest.mark.parametrize(
    ("expected", "text"), [(code, text) for code, texts in SENTENCES.items() for text in texts]
)
def test_clear_sentences_are_recognised(expected, text):
    assert detect(text) == expected


def test_every_listed_latin_language_has_sentences():
    assert set(LANGUAGES) <= set(SENTENCES)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ok",
        "lol",
        "thanks",
        "Larder",
        "de la",
        "non",
        "Je suis",
        "12345 !!! ???",
        "😡😡😡",
        "https://example.com/the/and/is",
        "@the_and_of",
        "#the #and #of",
        "iPhone X battery drain iOS 11.1",
        "好",  # one character is not enough
        "Здравей, поръчката ми ђе",  # Serbian letters: a Cyrillic language not named here
        "سفارش من هنوز نرسیده است و کسی پاسخ نمی‌دهد",  # Persian
        "Hyvää päivää, tilaukseni ei ole vielä saapunut ja odotan sitä edelleen",  # Finnish
        "Pesanan saya belum sampai dan tidak ada yang menjawab telepon",  # Indonesian
        "Jeg har ventet",  # Danish or Norwegian: too close to call
    ],
)
def test_short_ambiguous_or_unknown_text_is_unsure(text):
    assert detect(text) == ""


def test_links_handles_and_hashtags_do_not_count():
    assert detect("@elpais_es #la #de #el https://elpais.es/la/de/el/los/las www.la.es") == ""
    assert detect("@LaPoste_fr #commande my parcel is late again and nobody answers") == "en"
    assert detect("@ann@mastodon.social la commande est arrivée, merci beaucoup") == "fr"
    assert detect("Check https://example.com/der/die/das/und — it is the best thing") == "en"


def test_mixed_scripts_go_by_the_larger_share():
    assert detect("Привет! My order never arrived and the app is broken again") == "en"
    assert detect("Заказ не пришёл, order 123") == "ru"
    assert detect("amazonのfireTVstickが見れない😢") == "ja"  # Latin brand names, Japanese text
    assert detect("我的订单 tracking number 12345 还没到") == "zh"
    assert detect("Παραγγελία #123 ακόμα δεν ήρθε, @support") == "el"
    assert detect("Привет, γεια") == "ru"  # two scripts: the one with more letters
    assert detect("Да, γεια σου") == "el"
    assert detect("Привет, γεια σα") == ""  # as many letters of each


def test_ukrainian_and_russian_letters_are_weighed():
    assert detect("Дякую, все працює") == "uk"
    assert detect("Спасибо, всё работает") == "ru"
    assert detect("Дякую за допомогу") == "uk"  # a common word without those letters
    assert detect("Привет і ы") == ""  # as many of each
    assert detect("Привет Hola") == "ru"  # more Cyrillic letters than Latin ones


def test_contractions_elisions_and_curly_apostrophes():
    assert detect("I don\u2019t think it\u2019s working, can\u2019t log in") == "en"
    assert detect("we're sure they'd say it's fine, y'all") == "en"
    assert detect("'quoted' words still count for the English text here") == "en"
    assert detect("l'application s'arrête quand j'ouvre l'écran d'accueil") == "fr"
    assert detect("dell'applicazione nell'app c'è un errore, l'ordine") == "it"


def test_decomposed_accents_read_like_composed_ones():
    composed = "Ma commande n'est jamais arrivée, où est-elle ?"
    decomposed = composed.replace("é", "e\u0301").replace("ù", "u\u0300")
    assert detect(decomposed) == detect(composed) == "fr"


def twcs_english_tweets() -> list[str]:
    """Customer tweets of six words or more, in ASCII letters: English nearly all of them."""
    path = DATA / "twcs_sample_5000.csv"
    with path.open(encoding="utf-8", newline="") as f:
        texts = [row["text"] or "" for row in csv.DictReader(f)]
    latin = re.compile(
        r"[^\x00-\x7f\u2018-\u201d\u2026\u200d\ufe0f\u2600-\u27bf\U0001F000-\U0001FFFF]"
    )
    return [
        text
        for text in texts
        if not latin.search(text)
        and len(re.findall(r"[A-Za-z]+", re.sub(r"https?://\S+|[@#]\w+", " ", text))) >= 6
    ]


def test_english_customer_tweets_are_english_or_unsure():
    tweets = twcs_english_tweets()
    assert len(tweets) > 4000
    found = [detect(text) for text in tweets]
    english, unsure = found.count("en") / len(found), found.count("") / len(found)
    assert english >= 0.95
    assert english + unsure >= 0.99
    # The rest are not all wrong: the sample holds some Spanish and French tweets.
    others = [text for text, code in zip(tweets, found, strict=True) if code not in ("en", "")]
    assert len(others) < 0.01 * len(found)
