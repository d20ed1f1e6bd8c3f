"""Computed answers over the indicator table: every operation, real rows and made-up tables."""

from __future__ import annotations

import json
import re
import tomllib

import pytest

from corpus.lexicon import LEXICON_DIR, lexicon
from corpus.load import load_corpus
from corpus.normalize import normalize_question
from corpus.records import Indicator
from corpus.table_header import columns
from service.qa.table import compute
from service.qa.table.compute import interpret
from service.qa.table.tableread import group_rows

REAL = load_corpus().indicators
BY_ID = {r.id: r for r in REAL}


def ask(question: str, rows: list[Indicator] | None = None, named=()):
    return interpret(normalize_question(question), REAL if rows is None else rows, list(named))


def text_of(question: str, rows=None, named=()) -> str:
    result = ask(question, rows, named)
    assert result is not None, question
    return result.text


PLAN_HEADER = columns(["2020年", "2025年", "累计增加值"])  # the plan's header, as printed


def row(id_, name, unit, v20, v25, inc=None, printed=True):
    """A made-up row under the plan's header; printed=False leaves the printed texts empty,
    as a row built from numbers."""

    def text(x):
        return None if x is None or not printed else str(x)

    values = (v20, v25, inc)
    return Indicator(id_, name, unit, PLAN_HEADER, values, tuple(text(v) for v in values))


def test_the_real_table_is_what_these_tests_assume():
    assert [(r.unit, r.text("base"), r.text("target")) for r in REAL] == [
        ("件", "6.3", "12"),
        ("万件", "4", "9"),
        ("亿元", "2180", "3200"),
        ("亿元", "3194.4", "3500"),
        ("%", "11.6", "13.0"),
        ("%", "7.39", "7.5"),
        ("分", "80.05", "82"),
        ("%", None, "85"),
    ]


# --- ratio and growth of one row --------------------------------------------------------------


def test_ratio_has_two_decimals_and_shows_the_working():
    result = ask("使用费年进出口总额2025年目标是2020年的几倍？")
    assert result.operation == "multiple" and result.outcome == "answer"
    assert "1.10倍" in result.text and "3500 ÷ 3194.4 ≈ 1.10" in result.text
    assert result.rows == (BY_ID[4],)
    assert "9 ÷ 4 = 2.25" in text_of("海外发明专利授权量2025年是2020年的几倍")
    assert "1.90倍" in text_of("每万人口高价值发明专利拥有量2025是2020的几倍")


def test_growth_has_one_decimal_and_a_percent_row_grows_relatively():
    assert "(12 − 6.3) ÷ 6.3 ≈ 90.5%" in text_of("高价值发明专利那项，从2020到2025要涨百分之多少？")
    assert "46.8%" in text_of("质押融资登记金额2020到2025的增长率算出来是多少？")
    assert "9.6%" in text_of("使用费进出口总额五年下来涨幅是百分之几")
    copyright_ = text_of("版权产业占GDP比重的增长率算下来是多少")
    assert "相对增长约1.5%" in copyright_ and "0.11" not in copyright_.split("（")[0]
    both = text_of("满意度那项要提高几分？折合增长百分之多少？")
    assert "2.4%" in both and "1.95分" in both


def test_yearly_rate_is_compound_and_yearly_increase_is_a_fifth():
    text = text_of("质押融资登记金额年均增长率是多少")
    assert "年均增长约8.0%（(3200 ÷ 2180)^(1/5) − 1 ≈ 8.0%）" in text
    assert "17.6%" in text_of("海外发明专利授权量年均增长百分之几")  # not 25.0% (125 ÷ 5)
    assert "204亿元（1020 ÷ 5 = 204）" in text_of("质押融资登记金额平均每年增加多少")
    assert "61.12亿元" in text_of("使用费进出口总额年均增加多少亿元")
    assert "最高的是海外发明专利授权量：17.6%" in text_of("哪个指标年均增长率最高")
    assert text_of("质押融资登记金额年均增长8%，对吗").startswith("没错")
    assert ask("服判息诉率年均增长多少").outcome == "related"


def test_growth_of_a_row_without_a_2020_value_is_not_made_up():
    result = ask("服判息诉率的增长率是多少")
    assert result.outcome == "related"
    assert "“—”" in result.text and "%" not in result.text.replace("85%", "")


# --- differences ----------------------------------------------------------------------------


def test_difference_between_two_rows_keeps_the_operands_decimals():
    assert "高4.21个百分点（11.6 − 7.39 = 4.21）" in text_of(
        "2020年专利密集型产业比版权产业占GDP比重高出多少？"
    )
    assert "5.5个百分点" in text_of("2025年专利密集型产业的占比比版权产业的占比高出多少")
    assert "多300亿元（3500 − 3200 = 300）" in text_of(
        "2025年使用费进出口总额比质押融资登记金额多多少"
    )


def test_difference_follows_the_order_the_rows_are_named():
    assert "少300亿元" in text_of("2025年质押融资登记金额比使用费进出口总额少多少")


def test_difference_within_one_row_is_its_increase():
    text = text_of("满意度打分2025年比2020年高几分")
    assert "1.95分" in text and "82 − 80.05 = 1.95" in text


def test_difference_across_units_is_refused():
    result = ask("满意度和服判息诉率2025年目标相差多少")
    assert result.outcome == "related" and "单位不同" in result.text


# --- sums -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("钱那两个指标，2025年的目标加起来是多少？", "6700亿元（3200 + 3500 = 6700）"),
        ("质押融资和使用费进出口，2020年的基数合计多少亿？", "5374.4亿元"),
        ("专利密集型产业和版权产业，2025年占GDP比重加起来是多少？", "20.5%（13.0 + 7.5 = 20.5）"),
        ("那两个亿元指标的累计增加值加一块是多少", "1325.6亿元"),
        ("两个占GDP比重的指标2020年加起来是多少", "18.99%"),
    ],
)
def test_sum_of_comparable_rows(question, expected):
    result = ask(question)
    assert result.operation == "sum" and expected in result.text


def test_sum_of_rows_in_different_units_is_refused():
    result = ask("高价值专利和海外专利2025年目标加起来多少")
    assert result.outcome == "related" and "单位不同" in result.text and "合计" not in result.text


# --- compare and rank -----------------------------------------------------------------------


def test_rank_by_growth_leaves_out_the_row_without_a_2020_value():
    result = ask("八个指标按增长百分比排，哪个涨得最猛？")
    assert "最高的是海外发明专利授权量：125.0%" in result.text
    assert "知识产权民事一审案件服判息诉率在表中为“—”" in result.text
    assert BY_ID[8] not in result.rows and len(result.rows) == 7
    lowest = text_of("按增长百分比算，哪个指标涨得最少？（没有2020年数的那个不算）")
    assert "最低的是版权产业增加值占GDP比重：1.5%" in lowest
    assert "海外发明专利授权量" in text_of("Which indicator grows fastest?")


def test_rank_of_two_rows_says_by_how_much():
    text = text_of("占GDP的那俩，哪个五年里提得多？提了几个点？")
    assert "最高的是专利密集型产业增加值占GDP比重：1.4个百分点" in text
    assert "高1.29个百分点（1.4 − 0.11 = 1.29）" in text
    money = text_of("两个以亿元计的指标，哪个累计增加得多，多多少？")
    assert "知识产权质押融资登记金额：1020亿元" in money and "多714.4亿元" in money
    assert "34.5个百分点" in text_of("海外发明专利授权量和高价值发明专利拥有量哪个增长率高")


def test_rank_across_units_compares_only_within_a_unit():
    text = text_of("哪个指标2025年目标最高？")
    assert "单位不同" in text
    assert "以亿元计的2项中最高的是知识产权使用费年进出口总额（3500亿元）" in text
    assert "单位为%的3项中最高的是知识产权民事一审案件服判息诉率（85%）" in text
    assert "海外发明专利授权量" not in text  # alone in its unit: nothing to compare it with


def test_order_lists_every_row_with_a_value_from_high_to_low():
    text = text_of("把八个指标按增长率从高到低排个序")
    expected = [2, 1, 3, 5, 4, 7, 6]
    positions = [text.index(f"{BY_ID[i].name}：") for i in expected]
    assert positions == sorted(positions)
    up = text_of("把八个指标按增长率从低到高排个序")
    assert up.index(BY_ID[6].name) < up.index(BY_ID[2].name)


# --- filters, counts, missing values --------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "ids"),
    [
        ("表里哪些指标是用百分比（%）表示的？", {5, 6, 8}),
        ("哪几个指标是以亿元计的", {3, 4}),
        ("单位是件或者万件的指标有哪几个？", {1, 2}),
        ("单位是件的指标有哪些", {1}),
        ("单位是分的指标有哪些", {7}),
        ("Which indicators are measured in percent?", {5, 6, 8}),
    ],
)
def test_filter_by_unit(question, ids):
    result = ask(question)
    assert result.operation == "which"
    assert {r.id for r in result.rows} == ids
    for r in REAL:
        assert (r.name in result.text) == (r.id in ids)


def test_count():
    result = ask("主要指标表一共列了几项？")
    assert result.operation == "count" and "共8项" in result.text
    assert "共2项" in text_of("以亿元计的指标有几项")
    assert "8项" in text_of("How many indicators are there in the table?")


@pytest.mark.parametrize(
    "question",
    [
        "指标表里哪一项没有2020年的数？",
        "表里哪个指标2020年没有数据？",
        "哪些指标的累计增加值表里是空的",
        "Which indicator has no 2020 value?",
    ],
)
def test_rows_with_a_missing_value(question):
    result = ask(question)
    assert result.rows == (BY_ID[8],) and "知识产权民事一审案件服判息诉率" in result.text
    assert "共1项" in text_of("没有2020年数据的指标有几个")


# --- checking a stated figure ---------------------------------------------------------------


def test_a_wrong_figure_is_corrected_in_one_sentence():
    assert text_of("使用费进出口总额2025年是4000亿元吗？") == (
        "不对，规划中知识产权使用费年进出口总额2025年的目标是3500亿元，不是4000亿元。"
    )
    assert text_of("知识产权保护社会满意度2020年是85分吧？").startswith("不对")
    assert "305.6亿元，不是350亿元" in text_of("使用费年进出口总额五年累计要增加350亿元，对吧？")
    assert "9万件，不是9件" in text_of("海外发明专利授权量2025年是9件吗")


def test_a_right_figure_is_confirmed():
    assert text_of("知识产权使用费年进出口总额2020年是3194.4亿元，对吗") == (
        "没错，规划中知识产权使用费年进出口总额2020年为3194.4亿元。"
    )
    assert text_of("专利密集型产业占GDP比重2025年目标是13%吗").startswith("没错")  # 13 is 13.0
    both = text_of("海外发明专利授权量要从4万件增加到9万件，我这么写没错吧？")
    assert both.startswith("没错") and "4万件" in both and "9万件" in both


def test_one_wrong_figure_of_two_makes_the_statement_wrong():
    text = text_of("每万人口高价值发明专利拥有量2020年已经15.8件了，2025年目标才12件，是吗")
    assert text.startswith("不对") and "6.3件，不是15.8件" in text and "12件" in text


def test_a_figure_the_table_does_not_have_is_not_confirmed():
    text = text_of("我稿子里写“服判息诉率从80%提升到85%”，没问题吧？")
    assert text.startswith("不对") and "表中为“—”" in text and "85%" in text


def test_a_computed_figure_is_checked_at_the_precision_it_was_stated():
    assert text_of("满意度增长了2.4%，对吗").startswith("没错")
    assert text_of("质押融资登记金额增长约47%，对吗").startswith("没错")
    wrong = text_of("质押融资登记金额2020年多少？增长百分之多少？我心算是50%，对不对")
    assert wrong.startswith("不对") and "46.8%" in wrong
    assert "2.25倍" in text_of("海外专利2025年是2020年的2倍吗")
    assert text_of("海外专利2025年是2020年的2倍吗").startswith("不对")  # 2.25 is not 2


# --- what the table does not determine, and what is not a computation -----------------------


@pytest.mark.parametrize(
    "question",
    [
        "这8个指标里，哪些是约束性指标，哪些是预期性指标？",
        "你觉得这几个指标里哪个对老百姓最重要？",
        "八个指标里哪个最难完成、最重要",
    ],
)
def test_what_the_table_does_not_say_is_related_not_guessed(question):
    result = ask(question)
    assert result.outcome == "related" and result.operation == "undetermined"
    assert not any(r.name in result.text for r in REAL)


@pytest.mark.parametrize(
    "question",
    [
        "质押融资登记金额2025年目标是多少",
        "2025年海外发明专利授权量目标是多少？",
        "专利密集型产业占GDP比重要提高几个百分点？",
        "累计增加多少？",
        "规划有哪些主要指标",
        "规划里哪些工程跟专利有关",
        "哪个专栏内容最多",
        "规划一共有几个专栏",
        "基本原则有哪些",
        "知识产权保护为什么重要",
        "地理标志和商标哪个更重要",
        "质押融资最多能贷多少钱",
        "专栏5是地理标志保护工程，没记错吧？",
        "哪些指标跟案件有关",  # the 件 of 案件 is no unit: a bare unit needs 单位/计 nearby
        "2023年哪个指标最高",  # no such column: the normal path says so
        "十三五期间哪个指标增长最快",
        "In 2030 which indicator is highest?",
        "",
    ],
)
def test_not_a_computation(question):
    assert ask(question) is None


def test_a_question_without_an_operation_word_is_not_read_at_all(monkeypatch):
    def fail(*_args):
        raise AssertionError("read() ran for a question with no operation word")

    monkeypatch.setattr(compute, "read", fail)
    assert ask("到2025年每万人口高价值发明专利拥有量要达到多少？") is None
    with pytest.raises(AssertionError):
        ask("海外发明专利授权量2025年是2020年的几倍")


def test_traditional_and_english():
    assert "1.10倍" in text_of("使用費年進出口總額2025年目標是2020年的幾倍？")
    assert "6700亿元" in text_of("質押融資和使用費加起來2025年是多少億元")
    assert "专利密集型产业增加值占GDP比重" in text_of("兩個佔GDP比重的指標哪個漲得多")
    assert "6700亿元" in text_of("What do the two money indicators add up to in 2025?")
    assert "2.25倍" in text_of(
        "Overseas patents: how many times the 2020 value is the 2025 target?"
    )
    assert text_of("Is the 2025 target for royalties 4000亿元?").startswith("不对")
    assert "90.5%" in text_of(
        "What's the 2025 target for 高价值发明专利 per 10,000 people? So what's the percentage growth?"
    )


def test_rows_named_only_by_the_callers_matcher_are_used():
    text = text_of("这项指标的增长率是多少", named=[BY_ID[3]])
    assert "46.8%" in text and "90.5%" not in text
    assert "6700亿元" in text_of("那这两个加起来呢", named=[BY_ID[3], BY_ID[4]])


def test_a_follow_up_resolved_into_row_names():
    resolved = "知识产权质押融资登记金额 知识产权使用费年进出口总额 2025年 加起来"
    assert "6700亿元" in text_of(resolved)
    assert "2180 + 3194.4" in text_of(resolved.replace("2025年", "2020年"))


def test_no_answer_shows_more_digits_than_it_should():
    questions = [
        "各项指标的增长率分别是多少",
        "各项指标2025年目标是2020年的几倍",
        "把八个指标按增长率从高到低排个序",
        "哪个指标累计增加值最高",
    ]
    for q in questions:
        text = text_of(q)
        assert not re.search(r"\d\.\d{3,}", text), text
        for share in re.findall(r"(\d+(?:\.\d+)?)%", text):
            assert share in {"11.6", "13.0", "7.39", "7.5", "85"} or re.fullmatch(r"\d+\.\d", share)
        for times in re.findall(r"(\d+(?:\.\d+)?)倍", text):
            assert re.fullmatch(r"\d+\.\d\d", times), text


# --- made-up tables -------------------------------------------------------------------------


def test_ties_name_every_row_that_shares_the_top():
    rows = [
        row(1, "甲指标", "件", 2, 4, 2),
        row(2, "乙指标", "件", 3, 6, 3),
        row(3, "丙", "件", 4, 5, 1),
    ]
    text = text_of("哪个指标的增长率最高", rows)
    assert "并列最高的是甲指标和乙指标：100.0%" in text and "丙" not in text.split("：")[0]


def test_an_all_empty_column_gives_no_made_up_answer():
    rows = [row(1, "甲指标", "件", None, 4), row(2, "乙指标", "件", None, 6)]
    result = ask("哪个指标的增长率最高", rows)
    assert result.outcome == "related" and "算不出" in result.text and "%" not in result.text
    missing = ask("哪些指标没有2020年的数", rows)
    assert set(missing.rows) == set(rows)
    assert ask("甲指标和乙指标2020年加起来是多少", rows).outcome == "related"


def test_mixed_units_in_a_made_up_table():
    rows = [row(1, "甲金额", "亿元", 10, 20, 10), row(2, "乙金额", "万元", 10, 30, 20)]
    assert "单位不同" in text_of("甲金额和乙金额2025年加起来是多少", rows)
    assert "单位不同" in text_of("甲金额和乙金额哪个2025年目标最高", rows)
    assert "200.0%" in text_of("甲金额和乙金额哪个增长率最高", rows)  # rates compare across units


def test_a_new_row_joins_its_groups_and_the_counts():
    extra = row(9, "数据知识产权交易额", "亿元", 100, 300, 200)
    share = row(10, "数据产业增加值占GDP比重", "%", 1.0, 2.0, 1.0)
    rows = [*REAL, extra, share]
    assert "7000亿元（3200 + 3500 + 300 = 7000）" in text_of("钱那几个指标2025年目标加起来", rows)
    assert "共10项" in text_of("主要指标表一共列了几项？", rows)
    gdp = ask("占GDP比重的那几项，哪个涨得最多", rows)
    assert {r.id for r in gdp.rows} == {5, 6, 10}
    assert "最高的是专利密集型产业增加值占GDP比重：1.4个百分点" in gdp.text


def test_rows_without_printed_text_and_a_zero_base():
    rows = [row(1, "甲指标", "件", 6.3, 12, None, printed=False), row(2, "乙指标", "件", 0, 5, 5)]
    assert "1.90倍" in text_of("甲指标2025年是2020年的几倍", rows)
    assert "5.7件" in text_of("甲指标2025年比2020年多几件", rows)  # increase computed: 12 − 6.3
    assert ask("乙指标的增长率是多少", rows).outcome == "related"  # no growth from 0


# --- the lexicon file -----------------------------------------------------------------------


def test_every_row_group_resolves_to_real_rows():
    groups = lexicon().table_groups
    assert groups
    for key, group in groups.items():
        assert group.get("label") and group.get("say"), key
        assert group_rows(key, REAL), f"group {key} names no row of the plan's table"


def test_every_table_phrase_means_one_thing():
    raw = tomllib.loads((LEXICON_DIR / "table.toml").read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    lists = [(f"{s}.{k}", v) for s in ("columns", "operations") for k, v in raw[s].items()]
    for key, group in raw["groups"].items():
        lists += [
            (f"groups.{key}.say", group.get("say", [])),
            (f"groups.{key}.bare", group.get("bare", [])),
        ]
    for where, phrases in lists:
        for phrase in phrases:
            assert seen.setdefault(phrase.lower(), where) == where, (
                f"{phrase!r}: {seen[phrase.lower()]} and {where}"
            )


def test_the_code_finds_every_kind_of_word_it_reads():
    raw = tomllib.loads((LEXICON_DIR / "table.toml").read_text(encoding="utf-8"))
    assert set(raw["columns"]) == {
        "base",
        "target",
        "change",
        "growth",
        "multiple",
        "annual_growth",
        "annual_increase",
        "from_base",
    }
    needed = {"sum", "difference", "largest", "smallest", "faster", "slower", "higher", "lower",
              "order", "order_up", "count", "which", "missing", "check", "compute", "table",
              "binding", "judgement", "ignore", "unit_cue", "other_period"}  # fmt: skip
    assert set(raw["operations"]) == needed


# --- the tuning questions (eval/questions.jsonl; the held-out file is never read here) -------


def _tuning(category: str) -> list[dict]:
    path = LEXICON_DIR.parents[1] / "eval" / "questions.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [q for q in rows if q["category"] == category]


@pytest.mark.parametrize("item", _tuning("computed"), ids=lambda q: q["id"])
def test_tuning_computed_questions(item):
    result = ask(item["question"])
    assert result is not None
    if item["ood"]:  # the table does not determine it
        assert result.outcome == "related"
    else:
        assert result.outcome == "answer"
        assert all(s in result.text for s in item["answer_contains"]), result.text


@pytest.mark.parametrize(
    "item",
    [q for q in _tuning("false_premise") if q["indicator"] not in (None, "*")],
    ids=lambda q: q["id"],
)
def test_tuning_false_premise_questions_about_a_row(item):
    result = ask(item["question"])
    assert result.operation == "check"
    assert all(s in result.text for s in item["answer_contains"]), result.text
