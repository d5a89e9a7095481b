"""Language detection (pipeline/news/language.py) on ../shared/data.

English news: every BBC article (business, entertainment, politics) and every
PolNeAR dev and train text must come out "en"; a miss costs that article
all its NLP, so the count of misses is the number that matters. The BBC
headlines alone are scored too (short text is where detectors slip), as a
second row. Other languages: the table below, written for this evaluation
(news-style headlines and paragraphs in 15 languages), scored as the share
detected right, and its headlines cut to their first 3 and 4 words (not
Chinese or Japanese), where a sure "en" would be a foreign text mislabelled. Speed: mean milliseconds per BBC article after warm-up.

    python -m evaluation.language [--data ../shared/data]
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (expected ISO 639-1 code, text). For each language: two headlines of 5-8
# words (Chinese and Japanese: a headline's length in characters) and one
# paragraph of three or four sentences. Written for this table, not taken
# from any outlet.
MULTILINGUAL: tuple[tuple[str, str], ...] = (
    ("de", "Bundesregierung beschließt neues Klimaschutzpaket bis 2030"),
    ("de", "Streik legt Bahnverkehr in ganz Deutschland lahm"),
    ("de", "Die Bundesregierung hat am Mittwoch in Berlin ein umfangreiches Paket zur Entlastung der "
           "Bürger beschlossen. Nach Angaben des Finanzministeriums sollen vor allem Familien mit kleinen "
           "Einkommen von den Maßnahmen profitieren. Die Opposition kritisierte die Pläne als unzureichend "
           "und forderte eine schnellere Umsetzung. „Wir werden das nicht einfach hinnehmen“, sagte ein "
           "Sprecher der Fraktion am Abend."),
    ("fr", "Le gouvernement annonce une réforme des retraites"),
    ("fr", "Incendie dans un entrepôt près de Lyon"),
    ("fr", "Le Premier ministre a présenté mardi devant l'Assemblée nationale les grandes lignes du budget "
           "pour l'année prochaine. Selon le gouvernement, les dépenses publiques devraient augmenter moins "
           "vite que prévu, tandis que les recettes fiscales resteraient stables. Les syndicats ont dénoncé "
           "un texte « injuste » et appellent à une journée de mobilisation la semaine prochaine."),
    ("es", "El Gobierno aprueba la subida del salario mínimo"),
    ("es", "Detenidos tres sospechosos tras el robo en Valencia"),
    ("es", "El presidente del Gobierno anunció este lunes en Madrid un plan de inversiones para mejorar la "
           "red de trenes de cercanías. Según fuentes del ministerio, las obras comenzarán a principios del "
           "próximo año y durarán al menos cuatro años. Los alcaldes de varias ciudades afectadas celebraron "
           "la noticia, aunque pidieron más información sobre los plazos y la financiación del proyecto."),
    ("it", "Il governo approva la nuova legge di bilancio"),
    ("it", "Maltempo, scuole chiuse in tutta la Liguria"),
    ("it", "Il presidente del Consiglio ha incontrato ieri a Roma i rappresentanti dei sindacati per "
           "discutere della riforma delle pensioni. Secondo quanto riferito dai partecipanti, l'incontro è "
           "durato più di tre ore e si è concluso senza un accordo. I sindacati hanno annunciato uno sciopero "
           "generale per la fine del mese se il governo non modificherà il testo."),
    ("pt", "Governo anuncia novo programa de habitação popular"),
    ("pt", "Chuvas fortes deixam milhares de desalojados no Recife"),
    ("pt", "O ministro da Economia afirmou nesta terça-feira que a inflação deve desacelerar nos próximos "
           "meses, graças à queda nos preços dos alimentos. Segundo ele, o governo não pretende alterar a "
           "meta fiscal deste ano. Economistas ouvidos pela reportagem, no entanto, avaliam que as contas "
           "públicas continuam pressionadas e que os juros devem continuar elevados por mais tempo."),
    ("nl", "Kabinet trekt extra geld uit voor de zorg"),
    ("nl", "Treinverkeer rond Utrecht urenlang plat door storing"),
    ("nl", "Het kabinet heeft vrijdag besloten om volgend jaar extra geld uit te trekken voor het onderwijs "
           "en de zorg. Volgens de minister van Financiën is daar ruimte voor omdat de economie beter "
           "presteert dan verwacht. De oppositie noemt het plan een verkiezingsstunt en wil dat de Tweede "
           "Kamer er volgende week over debatteert. Vakbonden reageerden voorzichtig positief."),
    ("sv", "Regeringen sänker skatten för pensionärer nästa år"),
    ("sv", "Kraftiga snöfall orsakar kaos i Stockholmstrafiken"),
    ("sv", "Regeringen presenterade på torsdagen sitt förslag till budget för nästa år. Enligt "
           "finansministern ska hushållen få sänkt skatt samtidigt som pengar satsas på polisen och "
           "försvaret. Oppositionen menar att förslaget saknar åtgärder mot den höga arbetslösheten och "
           "kräver att riksdagen behandlar frågan innan jul."),
    ("pl", "Rząd przyjął projekt budżetu na przyszły rok"),
    ("pl", "Powódź w południowej Polsce, tysiące ewakuowanych"),
    ("pl", "Premier zapowiedział we wtorek w Warszawie, że rząd przygotuje nowy program wsparcia dla rodzin "
           "z dziećmi. Według ministra finansów koszt programu wyniesie kilkanaście miliardów złotych "
           "rocznie. Opozycja skrytykowała pomysł, twierdząc, że państwa nie stać na kolejne wydatki w "
           "czasie spowolnienia gospodarczego."),
    ("tr", "Merkez Bankası faiz oranlarını yeniden artırdı"),
    ("tr", "İstanbul'da şiddetli yağış hayatı olumsuz etkiledi"),
    ("tr", "Cumhurbaşkanı salı günü yaptığı açıklamada, hükümetin enflasyonla mücadele için yeni bir "
           "ekonomik program hazırladığını söyledi. Programın önümüzdeki ay meclise sunulması bekleniyor. "
           "Ekonomistler, alınacak önlemlerin fiyat artışlarını yavaşlatabileceğini ancak büyümeyi de "
           "olumsuz etkileyebileceğini belirtiyor."),
    ("ru", "Правительство утвердило новый бюджет на следующий год"),
    ("ru", "В Москве открылась международная книжная ярмарка"),
    ("ru", "Президент заявил в среду, что правительство должно в ближайшие месяцы подготовить программу "
           "поддержки малого бизнеса. По его словам, особое внимание следует уделить регионам, где "
           "безработица остаётся высокой. Эксперты считают, что новые меры помогут сохранить рабочие места, "
           "однако сомневаются, что бюджет выдержит дополнительные расходы."),
    ("uk", "Уряд ухвалив нову програму підтримки аграріїв"),
    ("uk", "У Києві відкрили оновлений міст через Дніпро"),
    ("uk", "Прем'єр-міністр заявив у понеділок, що уряд планує збільшити видатки на відбудову зруйнованих "
           "міст. За його словами, перші кошти громади отримають уже навесні. Експерти вважають, що без "
           "допомоги міжнародних партнерів виконати ці плани буде складно."),
    ("ar", "الحكومة تعلن خطة جديدة لدعم الاقتصاد الوطني"),
    ("ar", "ارتفاع أسعار النفط في الأسواق العالمية اليوم"),
    ("ar", "أعلن رئيس الوزراء يوم الثلاثاء عن حزمة من الإجراءات الاقتصادية تهدف إلى خفض معدلات البطالة بين "
           "الشباب. وقال في مؤتمر صحفي إن الحكومة ستوفر آلاف فرص العمل الجديدة خلال العامين المقبلين. ورحب "
           "عدد من الخبراء بهذه الخطوة، لكنهم أكدوا أن نجاحها يعتمد على سرعة التنفيذ والتعاون مع القطاع الخاص."),
    ("el", "Η κυβέρνηση ανακοίνωσε νέα μέτρα στήριξης"),
    ("el", "Ισχυρός σεισμός σημειώθηκε ανοιχτά της Κρήτης"),
    ("el", "Ο πρωθυπουργός ανακοίνωσε την Τρίτη ένα νέο πακέτο μέτρων για τη στήριξη των νοικοκυριών. "
           "Σύμφωνα με το υπουργείο Οικονομικών, το κόστος των μέτρων θα ξεπεράσει το ένα δισεκατομμύριο "
           "ευρώ. Η αντιπολίτευση χαρακτήρισε τα μέτρα ανεπαρκή και ζήτησε άμεση συζήτηση στη Βουλή."),
    ("zh", "国务院发布新一轮稳经济政策"),
    ("zh", "北京今日迎来入冬以来首场降雪"),
    ("zh", "国家统计局周一公布的数据显示，今年第三季度国内生产总值同比增长百分之四点九，略高于市场预期。"
           "分析人士指出，消费和服务业的恢复是推动经济增长的主要因素。不过，房地产市场仍然低迷，"
           "地方政府债务问题也给未来的经济前景带来不确定性。"),
    ("ja", "政府が新たな経済対策を発表"),
    ("ja", "東京で記録的な大雨、交通に乱れ"),
    ("ja", "政府は火曜日、物価高騰に対応するための新たな経済対策を閣議決定した。対策の総額は約十七兆円で、"
           "低所得世帯への給付金や電気代の補助などが含まれる。首相は記者会見で「国民の生活を守るために"
           "全力を尽くす」と述べたが、野党からは効果を疑問視する声も上がっている。"),
)


def english_texts(data: str) -> list[tuple[str, str]]:
    """Data directory -> [(name, whole file text)] for every BBC article and
    every PolNeAR dev and train text (missing parts are skipped)."""
    patterns = [os.path.join(data, "bbc", "*", "*.txt"),
                os.path.join(data, "polnear", "dev", "text", "*.txt"),
                os.path.join(data, "polnear", "train-text", "*.txt")]
    out = []
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)):
            with open(path, encoding="utf-8") as f:
                out.append((os.path.relpath(path, data), f.read()))
    return out


def bbc_headlines(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """english_texts -> [(name, first line)] of the BBC articles (their headline)."""
    return [(name, text.split("\n", 1)[0].strip()) for name, text in texts if name.startswith("bbc")]


def score(detect, data: str, timing_rounds: int = 1) -> dict:
    """detect (str -> code or None) and the data directory -> English misses
    (articles and BBC headlines, with the names and what came out; "lost NLP"
    counts those given another language, not None), table
    accuracy (overall and per language, short and long apart) and mean ms per
    BBC article (after one warm-up pass)."""
    from pipeline.news.language import is_english

    texts = english_texts(data)
    misses = [(name, got) for name, text in texts if (got := detect(text)) != "en"]
    heads = bbc_headlines(texts)
    head_misses = [(name, got) for name, text in heads if (got := detect(text)) != "en"]
    wrong, per_lang = [], {}
    short_right = short_n = long_right = long_n = 0
    for code, text in MULTILINGUAL:
        got = detect(text)
        ok = got == code
        right, n = per_lang.get(code, (0, 0))
        per_lang[code] = (right + ok, n + 1)
        if len(text) < 100:
            short_right, short_n = short_right + ok, short_n + 1
        else:
            long_right, long_n = long_right + ok, long_n + 1
        if not ok:
            wrong.append((code, got, text[:60]))
    cuts = [(code, " ".join(text.split()[:n])) for code, text in MULTILINGUAL
            if len(text) < 100 and code not in ("zh", "ja") for n in (3, 4)]
    cut_got = [(code, detect(text)) for code, text in cuts]
    bbc = [text for name, text in texts if name.startswith("bbc")]
    for text in bbc[:100]:  # warm-up: lazy model loads, caches
        detect(text)
    best = None
    for _ in range(timing_rounds):
        start = time.perf_counter()
        for text in bbc:
            detect(text)
        ms = (time.perf_counter() - start) * 1000 / max(len(bbc), 1)
        best = ms if best is None else min(best, ms)
    n_table = len(MULTILINGUAL)
    return {
        "english_articles": len(texts), "english_misses": len(misses),
        "english_miss_rate": len(misses) / max(len(texts), 1), "english_missed": misses,
        "english_lost_nlp": sum(not is_english(got) for _, got in misses),
        "bbc_headlines": len(heads), "headline_misses": len(head_misses), "headline_missed": head_misses,
        "headline_lost_nlp": sum(not is_english(got) for _, got in head_misses),
        "table_texts": n_table, "table_right": n_table - len(wrong),
        "table_accuracy": (n_table - len(wrong)) / n_table,
        "table_short_accuracy": short_right / max(short_n, 1),
        "table_long_accuracy": long_right / max(long_n, 1),
        "table_languages": len(per_lang), "table_wrong": wrong,
        "cuts": len(cuts), "cuts_right": sum(code == got for code, got in cut_got),
        "cuts_unknown": sum(got is None for _, got in cut_got),
        "cuts_english": sum(got == "en" for _, got in cut_got),
        "ms_per_article": best, "timed_articles": len(bbc),
    }


def evaluate(data_dir: str) -> dict:
    """Data directory -> score() of the pipeline's detector (shared_detector)."""
    from pipeline.news.language import shared_detector

    return score(shared_detector().detect, data_dir)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evaluation.language", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    args = ap.parse_args(argv)
    if not os.path.isdir(os.path.join(args.data, "bbc")) and not os.path.isdir(os.path.join(args.data, "polnear")):
        print(f"language evaluation: no BBC or PolNeAR data under {args.data}; nothing was measured. "
              "Pass --data /path/to/data.")
        return 2
    from pipeline.news.language import describe

    r = evaluate(args.data)
    print(f"Language detection ({describe()}) on {args.data}\n")
    print(f"  English articles detected as 'en'     {r['english_articles'] - r['english_misses']}/{r['english_articles']}"
          f"   misses {r['english_misses']} ({r['english_miss_rate']:.2%}; {r['english_lost_nlp']} another "
          "language, the rest unknown); target 0")
    for name, got in r["english_missed"]:
        print(f"      missed: {name} -> {got}")
    print(f"  BBC headlines alone detected as 'en'  {r['bbc_headlines'] - r['headline_misses']}/{r['bbc_headlines']}"
          f"   {r['headline_lost_nlp']} another language, {r['headline_misses'] - r['headline_lost_nlp']} unknown")
    print(f"  multilingual table                    {r['table_right']}/{r['table_texts']} "
          f"({r['table_accuracy']:.1%}; headlines {r['table_short_accuracy']:.1%}, "
          f"paragraphs {r['table_long_accuracy']:.1%}; {r['table_languages']} languages)")
    for code, got, text in r["table_wrong"]:
        print(f"      wrong: {code} -> {got}: {text}")
    print(f"  table headlines cut to 3-4 words      {r['cuts_right']}/{r['cuts']} right, {r['cuts_unknown']} unknown, "
          f"{r['cuts_english']} called English")
    print(f"  mean time per BBC article             {r['ms_per_article']:.3f} ms ({r['timed_articles']} articles)")
    return 0 if r["english_misses"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
