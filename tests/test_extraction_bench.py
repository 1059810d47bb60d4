"""The extraction benchmark runs on a corpus folder and scores what it should."""

from __future__ import annotations

import json

from bench.extraction import scoring
from bench.extraction.__main__ import load_corpus, main

STORY = ("أعلن المجلس المحلي في بلدة الشدادي عن افتتاح مركز صحي جديد يقدم خدماته مجاناً لسكان البلدة "
         "والقرى المجاورة، بعد أشهر من أعمال الترميم.")
SECOND = "وقال رئيس المجلس إن المركز سيعمل بدوام كامل طوال أيام الأسبوع، وإن كادره يضم ثلاثة أطباء."
TITLE = "افتتاح مركز صحي جديد في الشدادي"


def make_corpus(folder):
    html = (f"<html lang='ar'><head><meta charset='utf-8'><title>{TITLE} | صوت الشدادي</title>"
            "<meta property='og:type' content='article'>"
            "<meta property='article:published_time' content='2022-05-01T10:00:00+03:00'></head><body>"
            f"<nav><a href='/'>الرئيسية</a></nav><article><h1>{TITLE}</h1><p>كتب: رامي الأحمد</p>"
            f"<p>{STORY}</p><p>{SECOND}</p></article><footer>جميع الحقوق محفوظة</footer></body></html>")
    (folder / "p1.html").write_text(html, encoding="utf-8")
    gold = {"url": "https://shaddadi.example/news/1", "title": TITLE, "title_variants": [],
            "author": "رامي الأحمد", "date": "2022-05-01", "date_alternatives": [],
            "must_contain": [STORY, SECOND], "must_not_contain": ["جميع الحقوق محفوظة", "الرئيسية"],
            "body": f"{STORY}\n{SECOND}"}
    (folder / "p1.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")


def test_scoring_counts_hits_misses_and_na():
    gold = {"title": "عنوان", "title_variants": ["عنوان آخر"], "author": None, "date": "2020-01-02",
            "date_alternatives": ["2020-01-03"], "must_contain": ["جملة أولى", "جملة ثانية"],
            "must_not_contain": ["حقوق"], "body": "جملة أولى جملة ثانية"}
    result = {"text": "جملة  أولى\nحقوق", "title": "عنوان آخر", "author": None, "date": "2020-01-05"}
    scores = scoring.score(result, gold, frozenset({"title", "author", "date"}))
    assert scores["keep"] == 0.5 and scores["leak"] == 1.0
    assert scores["title_ok"] is True and scores["author_ok"] is True
    assert scores["date_ok"] is False and scores["date_wrong"] is True
    assert 0 < scores["f1"] < 1
    bare = scoring.score({"text": ""}, gold, frozenset())
    assert bare["title_ok"] is None and bare["author_ok"] is None and bare["date_wrong"] is None


def test_bench_runs_on_a_folder(tmp_path, capsys):
    make_corpus(tmp_path)
    assert len(load_corpus([tmp_path])) == 1
    assert main([str(tmp_path), "--peers", "arshif,trafilatura", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "Per page" in out and "Summary" in out
    summary = out.split("Summary", 1)[1]
    row = {line.split("  ")[0]: line.split() for line in summary.splitlines() if line.strip()}
    assert row["must_contain kept"][2] == "100%"  # label is two words, then arshif, trafilatura
    assert row["title accuracy"][2] == "1/1" and row["author accuracy"][2] == "1/1"
    assert row["date accuracy"][2] == "1/1" and row["wrong dates"][2] == "0/1"


def test_bench_reports_empty_folder(tmp_path):
    assert main([str(tmp_path), "--peers", "arshif"]) == 2
