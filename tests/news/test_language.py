"""Language detection (pipeline/news/language.py): news in 12 languages,
headlines and paragraphs; English news shapes that must stay "en" (a miss
costs an article its entities and quotes); hostile text that must give an
answer, never an exception, at a bounded cost. The texts are written for
this file (evaluation/language.py has a second, separate table)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.news import language
from pipeline.news.language import LanguageDetector, is_english, shared_detector

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "seed_article.txt"

# (code, headline of 5-8 words or, for zh and ja, of headline length; a paragraph)
NEWS = [
    ("de", "Hochwasser in Bayern: Hunderte Menschen evakuiert",
     "Nach tagelangen Regenfällen sind in Teilen Bayerns mehrere Flüsse über die Ufer getreten. Die "
     "Feuerwehr brachte in der Nacht Hunderte Anwohner in Sicherheit, wie ein Sprecher des Landratsamts "
     "mitteilte. Der Deutsche Wetterdienst warnt auch für die kommenden Tage vor Starkregen."),
    ("fr", "La grève des contrôleurs aériens perturbe les vols",
     "Des centaines de vols ont été annulés jeudi dans les aéroports français en raison d'une grève des "
     "contrôleurs aériens. La direction générale de l'aviation civile a demandé aux compagnies de réduire "
     "leur programme de moitié à Paris et à Marseille. Les passagers sont invités à vérifier l'état de "
     "leur vol avant de se rendre à l'aéroport."),
    ("es", "La inflación baja por tercer mes consecutivo",
     "Los precios de consumo subieron un dos por ciento en octubre respecto al mismo mes del año anterior, "
     "según los datos publicados este viernes por el Instituto Nacional de Estadística. El abaratamiento "
     "de la electricidad y de los carburantes explica buena parte de la moderación, aunque los alimentos "
     "siguen siendo más caros que hace un año."),
    ("it", "Terremoto in Calabria, nessun danno alle persone",
     "Una scossa di terremoto di magnitudo quattro è stata avvertita nella notte in gran parte della "
     "Calabria. Secondo la protezione civile non si registrano danni a persone o edifici, ma molti abitanti "
     "sono scesi in strada per paura. Le scuole della zona resteranno chiuse oggi per consentire le verifiche."),
    ("pt", "Seleção brasileira vence e garante vaga na Copa",
     "O Supremo Tribunal Federal decidiu nesta quarta-feira, por maioria de votos, que a nova lei sobre o "
     "uso de dados pessoais é constitucional. Os ministros entenderam que as regras protegem a privacidade "
     "dos cidadãos sem impedir o trabalho das empresas. A decisão era aguardada por entidades do setor de "
     "tecnologia, que acompanharam o julgamento."),
    ("nl", "Gemeente Amsterdam wil minder toeristen in de binnenstad",
     "De gemeente Amsterdam neemt nieuwe maatregelen om het aantal toeristen in de binnenstad te beperken. "
     "Zo komen er minder vergunningen voor hotels en wordt de toeristenbelasting volgend jaar verhoogd. "
     "Bewoners klagen al jaren over drukte en overlast, vooral in het weekend."),
    ("pl", "Sejm uchwalił nowelizację ustawy o szkolnictwie",
     "Sejm przyjął w piątek nowelizację ustawy o szkolnictwie wyższym, która zmienia zasady finansowania "
     "uczelni. Za ustawą głosowała większość posłów koalicji rządzącej, przeciw była opozycja. Teraz "
     "projektem zajmie się Senat, który ma na to trzydzieści dni."),
    ("tr", "Ankara'da yeni metro hattı hizmete açıldı",
     "Ankara'da uzun süredir yapımı devam eden yeni metro hattı düzenlenen törenle hizmete açıldı. Belediye "
     "başkanı, hattın günde yaklaşık iki yüz bin yolcu taşımasının beklendiğini söyledi. Yeni hat sayesinde "
     "şehir merkezine ulaşım süresinin yarı yarıya kısalacağı belirtiliyor."),
    ("ru", "Центробанк сохранил ключевую ставку без изменений",
     "Центральный банк в пятницу сохранил ключевую ставку на прежнем уровне, сообщила пресс-служба "
     "регулятора. Аналитики ожидали такого решения, поскольку инфляция в последние месяцы замедлилась. "
     "Следующее заседание совета директоров по ставке пройдёт в декабре."),
    ("ar", "انطلاق معرض الكتاب الدولي في القاهرة اليوم",
     "افتتح وزير الثقافة صباح اليوم معرض الكتاب الدولي بمشاركة أكثر من ألف دار نشر من عشرات الدول. "
     "ويستمر المعرض أسبوعين ويتضمن ندوات وأمسيات شعرية ولقاءات مع الكتاب. وتوقع المنظمون أن يزور المعرض "
     "نحو مليوني شخص هذا العام."),
    ("zh", "上海国际汽车展览会今日开幕",
     "第二十届上海国际汽车工业展览会今天在国家会展中心开幕，来自全球的一千多家企业参展。本届车展以新能源"
     "汽车为主角，多家厂商发布了新款电动车型。主办方预计，展会期间参观人数将超过八十万人次。"),
    ("ja", "日銀が金融政策の維持を決定",
     "日本銀行は金曜日に開いた金融政策決定会合で、現在の大規模な金融緩和策を維持することを決めた。"
     "物価上昇率は目標を上回っているものの、賃金の伸びがまだ十分ではないと判断したとみられる。"
     "市場では来年春にも政策の修正があるとの見方が広がっている。"),
]

# English news shapes: headlines only, names of other lands, quotes, figures.
ENGLISH = [
    "Kerry says talks with Iran will go on",
    "FTSE 100 closes 2.3% higher at 7,412",
    "Deutsche Bank shares slump after profit warning",
    "'We will not back down,' says Obama",
    '"We will not back down," Mr Obama told reporters at the White House on Tuesday, '
    "a day after the Senate vote.",
    "Francois Hollande, Angela Merkel, Vladimir Putin and Petro Poroshenko met in Minsk on Wednesday, "
    "while Jean-Claude Juncker and Donald Tusk waited in Brussels for news from the Belarusian capital. "
    "Sergei Lavrov and Frank-Walter Steinmeier had prepared the summit in Berlin.",
    "Shares in BP rose 4.5% to 512p on Tuesday after the company reported third-quarter profits of "
    "$3.2bn (£2.1bn), up from $1.8bn a year earlier. Analysts at Barclays and UBS had expected $2.9bn.",
    "Real Madrid beat Barcelona 3-1 at the Santiago Bernabeu on Sunday, with goals from Cristiano "
    "Ronaldo, Karim Benzema and Gareth Bale. \"It was a great night for us,\" said Carlo Ancelotti.",
    "ELECTION RESULTS: LABOUR WINS IN GLASGOW AND EDINBURGH",
    "Court rules against Google\n\nThe European Court of Justice ruled on Tuesday that Google must remove "
    "links to outdated personal information when asked.",
]


# Headlines of little but names: no language can be told, but never another
# language than English (that would cost the article its NLP).
NAMES_ONLY = [
    "Merkel and Hollande meet Putin in Minsk",
    "Juncker, Tusk and Rutte in Brussels",
    "Deutsche Telekom v Vodafone",
]


@pytest.fixture(scope="module")
def detector():
    return shared_detector()


@pytest.mark.parametrize("code,headline,paragraph", NEWS, ids=[row[0] for row in NEWS])
def test_headline_in_each_language(detector, code, headline, paragraph):
    assert detector.detect(headline) == code


@pytest.mark.parametrize("code,headline,paragraph", NEWS, ids=[row[0] for row in NEWS])
def test_paragraph_and_article_in_each_language(detector, code, headline, paragraph):
    assert detector.detect(paragraph) == code
    assert detector.detect(f"{headline}\n\n{paragraph}\n\n{paragraph}") == code
    assert not is_english(code)


@pytest.mark.parametrize("text", ENGLISH, ids=[t[:32] for t in ENGLISH])
def test_english_news_stays_english(detector, text):
    assert detector.detect(text) == "en"


@pytest.mark.parametrize("text", NAMES_ONLY)
def test_names_only_headlines_keep_english_nlp(detector, text):
    assert is_english(detector.detect(text))


def test_seed_article_is_english(detector):
    assert detector.detect(SEED.read_text(encoding="utf-8")) == "en"


def test_only_the_opening_is_read(detector):
    english = "The council said on Monday that the new bridge would open next spring. " * 40
    german = "Der Stadtrat teilte am Montag mit, dass die neue Brücke im Frühjahr eröffnet wird. " * 200
    assert len(english) > language.WINDOW
    assert detector.detect(english + german) == "en"
    assert detector.detect(german + english) == "de"


@pytest.mark.parametrize("text", [
    "", " \n\t ", "Go on", "UK: 3-1",
    "1-0, 2-1, 3-3 (45', 67', 89+2') 12,345 / 67.8% ... 2024-11-30 09:30",
    "🔥🔥🔥 😂😂 👍👍 🎉 " * 40,
    "!!! ??? ... --- *** ### " * 50,
    "+44 20 7946 0958 | 0800 123 456 | 12:45 | £1,234.56 | AB12 3CD",
], ids=["empty", "spaces", "two words", "score", "figures", "emoji", "punctuation", "contact line"])
def test_too_little_language_is_unknown(detector, text):
    assert detector.detect(text) is None


def fill(unit: str, n: int) -> str:
    """unit repeated to n characters."""
    return (unit * (n // len(unit) + 1))[:n]


HOSTILE = {
    "lone surrogates": "\ud800\udfff\udc00" * 5_000,
    "surrogates in English": "The minister \ud83d said on Tuesday \udc80 that the talks would resume next week.",
    "surrogateescape bytes": bytes(range(256)).decode("utf-8", "surrogateescape") * 20,
    "NUL": "\x00" * 10_000,
    "NUL between words": "The\x00council\x00said\x00on\x00Monday " * 50,
    "1 MB without spaces": fill("abcdefghij", 1_000_000),
    "1 MB of one letter": "a" * 1_000_000,
    "10k quote marks": '"' * 10_000,
    "10k curly quotes": "“”‘’«»" * 2_000,
    "combining marks": "e\u0301\u0302\u0303" * 5_000,
    "zero-width and bidi": "\u200b\u200e\u202e\ufeff" * 5_000,
    "private use": "\ue000\uf8ff" * 5_000,
    "control characters": "".join(chr(i) for i in range(32)) * 500,
    "one huge word and English": fill("x", 300_000) + " The council said on Monday.",
}


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_text_gets_an_answer(detector, text):
    got = detector.detect(text)
    assert got is None or (isinstance(got, str) and got.islower() and len(got) == 2)


def test_hostile_text_with_no_language_is_unknown(detector):
    for name in ("lone surrogates", "NUL", "10k quote marks", "10k curly quotes", "zero-width and bidi",
                 "private use", "control characters"):
        assert detector.detect(HOSTILE[name]) is None, name
    assert detector.detect(HOSTILE["surrogates in English"]) == "en"


def cost(detector, text: str, runs: int = 5) -> float:
    """Seconds of one detection of text: the minimum over runs (the machine is shared)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        detector.detect(text)
        best = min(best, time.perf_counter() - start)
    return best


def test_a_huge_body_costs_what_a_normal_one_does(detector):
    normal = SEED.read_text(encoding="utf-8")
    huge = fill(normal, 100_000)
    one_word = fill("abcdefghij", 1_000_000)
    base = cost(detector, normal)
    assert cost(detector, huge) < base + 0.005
    assert cost(detector, one_word) < base + 0.005


def test_unknown_language_gets_english_nlp():
    assert is_english("en") and is_english(None)
    assert not is_english("de") and not is_english("zh")


def test_shared_detector_is_built_once_across_threads(monkeypatch):
    monkeypatch.setattr(language, "_shared", None)
    got, barrier = [], threading.Barrier(6)

    def build():
        barrier.wait()
        got.append(shared_detector())

    threads = [threading.Thread(target=build) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 6 and all(d is got[0] for d in got)


def test_detection_from_threads_agrees(detector):
    texts = [p for _, _, p in NEWS] + ENGLISH
    expected = [detector.detect(t) for t in texts]
    results = {}

    def run(i):
        results[i] = [detector.detect(t) for t in texts]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results.values())


def test_a_detector_can_be_narrowed():
    only = LanguageDetector(languages=("en", "de"))
    assert only.detect(NEWS[0][2]) == "de"
    assert only.detect(ENGLISH[6]) == "en"


def test_importing_the_module_does_not_load_the_library():
    code = "import sys, pipeline.news.language; print('py3langid' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert out.stdout.strip() == "False"


def test_every_candidate_is_a_two_letter_code():
    assert len(language.LANGUAGES) >= 40
    assert all(len(code) == 2 and code.islower() for code in language.LANGUAGES)
    assert "en" in language.LANGUAGES
