"""The lexicon (corpus/lexicon/*.toml) against the plan: every target term is the plan's own,
no qualifier is something the plan says, names point at real rows and columns."""

from __future__ import annotations

import pytest

from corpus.lexicon import FILES, LexiconError, PhraseIndex, build_lexicon, lexicon
from corpus.load import load_corpus
from corpus.normalize import normalize_text

CORPUS = load_corpus()
PLAN = normalize_text(" ".join(p.search_text for p in CORPUS.passages))
RAW = lexicon().raw


def test_every_expansion_target_is_a_term_of_the_plan():
    missing = [
        e["plan"] for e in RAW["terms.toml"]["term"] if normalize_text(e["plan"]) not in PLAN
    ]
    assert not missing, f"terms.toml targets the plan does not use: {missing}"


def test_names_point_at_real_indicators_and_columns():
    rows = {i.name for i in CORPUS.indicators}
    assert set(RAW["names.toml"]["indicators"]) == rows
    titles = {p.section[-1].split(maxsplit=1)[-1] for p in CORPUS.passages if p.kind == "column"}
    assert set(RAW["names.toml"]["columns"]) == titles


def test_no_qualifier_is_something_the_plan_says():
    """A qualifier marks what the plan lacks; one the plan contains would refuse its answers."""
    said = [
        p
        for kind, phrases in RAW["scope.toml"]["qualifiers"].items()
        for p in phrases
        if normalize_text(p) in PLAN
    ]
    assert not said, f"qualifiers that occur in the plan: {said}"


def test_no_domain_word_is_a_qualifier():
    qualifiers = {p for phrases in RAW["scope.toml"]["qualifiers"].values() for p in phrases}
    assert not qualifiers & set(RAW["scope.toml"]["domain"])


def test_phrase_index_takes_the_longest_match_and_respects_latin_words():
    index = PhraseIndex({"名单": "detail", "黑名单": None, "ip": "ip"})
    assert [(p, v) for p, v, _, _ in index.finditer("拉黑名单")] == [("黑名单", None)]
    assert index.find("IP质押") == ["ip"]
    assert index.find("tip jar") == []  # not glued to another Latin word
    assert index.replace("a 名单", lambda v: f"<{v}>") == "a <detail>"


def test_normalization_rewrites_come_from_the_lexicon():
    assert normalize_text("IP质押融资") == "知识产权质押融资"
    assert normalize_text("第十四个五年规划") == "十四五"
    assert normalize_text("每万人高价值") == "每万人口高价值"
    assert normalize_text("每万人口") == "每万人口"  # not 每万人口口
    assert normalize_text("25年目标") == "2025年目标" and normalize_text("2025年") == "2025年"


def test_traditional_text_gets_taiwan_words_and_simplified_text_is_left_alone():
    assert normalize_text("智慧財產權質押融資") == "知识产权质押融资"
    assert normalize_text("提高知识产权行政保护效能") == "提高知识产权行政保护效能"


def test_a_broken_lexicon_file_is_one_clear_error(tmp_path):
    for name in FILES:
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "terms.toml").write_text("[[term]\nplan = ", encoding="utf-8")
    with pytest.raises(LexiconError, match="terms.toml"):
        build_lexicon(tmp_path)
    (tmp_path / "terms.toml").unlink()
    with pytest.raises(LexiconError, match="missing"):
        build_lexicon(tmp_path)


def test_empty_lexicon_files_load_as_an_empty_lexicon(tmp_path):
    for name in FILES:
        (tmp_path / name).write_text("", encoding="utf-8")
    empty = build_lexicon(tmp_path)
    assert not empty.expansions and not empty.qualifiers and not empty.stopwords


def test_the_thesaurus_adds_plan_words_for_everyday_ones():
    """同义词词林 (cilin): a word in a synonym group with a plan word searches for it too."""
    from corpus.lexicon.cilin import plan_synonyms, synonym_groups

    assert len(synonym_groups()) > 5000
    found = plan_synonyms(lambda w: w in {"商标", "乡村"})
    assert "商标" in found["牌子"] and "乡村" in found["农村"]
    assert "商标" not in found  # the plan's own words need nothing


def test_english_words_stand_for_the_ordinary_chinese_words_of_any_document():
    """english.toml: not the plan's terms (terms.toml) but what a guide or a set of rules
    writes: "mediation" → 调解, "working days" → 工作日; and a part named in English is written
    as the documents write it."""
    from corpus.lexicon import lexicon
    from corpus.normalize import normalize_question

    lex = lexicon()
    found = {
        t
        for _, terms, _, _ in lex.expansions.finditer("How long does mediation take?")
        for t in terms
    }
    assert "调解" in found
    found = {
        t for _, terms, _, _ in lex.expansions.finditer("how many working days") for t in terms
    }
    assert "工作日" in found
    found = {
        t
        for _, terms, _, _ in lex.expansions.finditer("the interest subsidy application window")
        for t in terms
    }
    assert {"贴息", "申报期"} <= found  # the longest phrase: not "interest" alone
    assert "第7条" in normalize_question("What does Article 7 of the measures say?")
    assert "附件2" in normalize_question("annex 2, item 3") and "第3项" in normalize_question(
        "item 3"
    )
    assert normalize_question("the particle 5 rule") == "the particle 5 rule"


def test_a_question_in_english_is_weighed_by_the_words_its_english_stands_for():
    from index.search import _weighed

    assert _weighed(["how", "long", "mediation", "take"], ["调解"]) == ["调解"]
    assert _weighed(["调解", "要", "多久"], ["调解"]) == ["调解", "要", "多久"]  # Chinese: its own
    assert _weighed(["版权", "copyright", "industry"], []) == ["版权", "copyright", "industry"]


def test_an_english_alias_another_document_uses_in_chinese_is_not_the_plans():
    """ "pledge financing" names the plan's 质押融资 row unless another document's passage has
    质押 and 融资 (english.toml): the alias is checked in the words documents write."""
    from index.search import _in_chinese

    assert _in_chinese("pledge financing") == "质押 融资"
    assert _in_chinese("质押融资") == "质押融资"


def test_an_english_question_asks_a_fee_by_how_it_asks_not_by_naming_one():
    """ "Which window handles patent fee reduction?" names a service with "fee" in it and asks
    where; "How much is the fee for …?" asks a fee."""
    from corpus.lexicon import lexicon

    kinds = lambda q: {k for _, k, _, _ in lexicon().qualifiers.finditer(q.lower())}  # noqa: E731
    assert "fee" not in kinds("Which window at the service hall handles patent fee reduction?")
    assert "fee" in kinds("How much is the fee for a pledge registration?")
    assert "fee" in kinds("Is there a fee?")


def test_where_an_office_works_is_asked_as_a_place_not_a_procedure():
    """ "调解委员会在哪办公": 在哪办 (where a service is done, a procedure) is inside 在哪办公
    (where it sits); the longer phrase is what is asked."""
    from corpus.lexicon import lexicon

    kinds = [k for _, k, _, _ in lexicon().qualifiers.finditer("调解委员会在哪办公")]
    assert kinds == ["contact"]
