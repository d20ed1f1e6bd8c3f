"""Follow-ups resolved against the conversation (service/qa/followups/conversation.py), no model."""

from __future__ import annotations

import pytest

from corpus.normalize import normalize_question
from service.qa.followups.conversation import MAX_RESOLVED_CHARS, Resolver
from service.qa.followups.swap import swap_subject
from tests.fakes import FakeEmbedder, fake_searcher


@pytest.fixture(scope="module")
def resolver(fake_settings):
    return Resolver(fake_searcher(fake_settings, FakeEmbedder()))


def resolve(resolver, question, *turns):
    history = [("user" if n % 2 == 0 else "assistant", t) for n, t in enumerate(turns)]
    return resolver.resolve(normalize_question(question), history)


def test_a_question_of_its_own_is_left_alone(resolver):
    assert (
        resolve(resolver, "地理标志怎么保护？", "专栏5是什么？", "地理标志保护工程。")
        == "地理标志怎么保护"
    )
    assert resolve(resolver, "这个规划的主线是什么", "专栏5是什么？", "…") == "这个规划的主线是什么"


def test_that_year_keeps_the_subject(resolver):
    out = resolve(resolver, "那2020年呢？", "海外发明专利授权量2025年目标是多少？", "9万件。")
    assert out.startswith("海外发明专利授权量") and "2020年" in out


def test_these_two_are_the_two_rows_of_the_last_two_questions(resolver):
    out = resolve(
        resolver,
        "那这两个加起来呢？",
        "知识产权质押融资登记金额2025年目标多少？",
        "3200亿元。",
        "使用费年进出口总额呢？",
        "3500亿元。",
    )
    assert "知识产权质押融资登记金额" in out and "知识产权使用费年进出口总额" in out
    assert "加起来" in out and "2025" in out  # the value the conversation was about


def test_the_other_one_of_a_named_pair(resolver):
    out = resolve(
        resolver,
        "另一个呢？写了啥",
        "国际合作那部分有哪些专栏？",
        "专栏13 “一带一路”知识产权合作工程和专栏14 对外贸易知识产权保护工程。",
        "专栏14讲什么？",
        "加强海外知识产权纠纷应对指导体系建设。",
    )
    assert out.startswith("专栏13")


@pytest.mark.parametrize(
    "question, expected",
    [
        ("排在它前面的那个专栏是什么？", "专栏4"),
        ("下一个专栏是什么？", "专栏6"),
    ],
)
def test_columns_in_order(resolver, question, expected):
    out = resolve(resolver, question, "专栏5是什么？", "专栏5是地理标志保护工程。")
    assert out.startswith(expected)


def test_a_new_subject_asks_the_earlier_question(resolver):
    out = resolve(resolver, "主要目标呢？", "规划的基本原则有哪些？", "四条。")
    assert out == "主要目标有哪些"
    out = resolve(resolver, "专利密集型产业呢？", "海外发明专利授权量2025年目标是多少？", "9万件。")
    assert "专利密集型产业" in out and "2025" in out


def test_back_then_is_the_period_of_the_conversation(resolver):
    out = resolve(
        resolver,
        "那满意度当时到多少了",
        "“十三五”时期国内每万人口发明专利拥有量变化如何？",
        "6.3件增加到15.8件。",
    )
    assert "十三五" in out and "满意度" in out


def test_the_section_the_last_answer_named(resolver):
    out = resolve(
        resolver,
        "这一节还有哪些内容？",
        "专栏4属于哪一节？",
        "专栏4 植物新品种保护体系建设工程属于（六）加强知识产权行政保护。",
    )
    assert out.startswith("(六)") and "加强知识产权行政保护" in out and "哪些内容" in out


def test_chained_history_cannot_grow_the_question(resolver):
    """20 turns of 2,000 characters that each lean on the one before."""
    turn = "它" + "那这两个呢" * 399
    history = [("user" if n % 2 == 0 else "assistant", turn) for n in range(20)]
    out = resolver.resolve(normalize_question("那它们呢？"), history)
    assert len(out) <= MAX_RESOLVED_CHARS


def test_the_next_and_the_previous_section(resolver):
    out = resolve(resolver, "那（八）的上一节是讲什么的？", "（八）有哪些小标题？", "…")
    assert out.startswith("(七)") and "协同保护" in out
    out = resolve(
        resolver,
        "司法保护那一节的下一节是什么？",
        "（五）加强知识产权司法保护讲了什么？",
        "完善知识产权司法保护体系；提升知识产权司法保护能力。",
    )
    assert out.startswith("(六)") and "行政保护" in out


def test_the_next_column_is_counted_from_the_one_written_as_a_number(resolver):
    out = resolve(
        resolver,
        "那按顺序，下一个专栏是什么？",
        "专栏11是哪个工程？",
        "专栏11 知识产权助力乡村振兴工程：推进商标品牌富农、推进地理标志兴农。",
    )
    assert out.startswith("专栏12")


def test_the_last_item_of_a_named_column_is_not_the_last_column(resolver):
    out = resolve(resolver, "乡村那个专栏最后一条是啥", "专栏10讲什么？", "版权创新发展工程。")
    assert not out.startswith("专栏15")


def test_a_row_named_loosely_takes_its_full_name_from_the_conversation(resolver):
    out = resolve(
        resolver,
        "那个比重 2025要到多少",
        "版权产业占GDP 十三五到多少了",
        "“十三五”时期版权产业增加值占GDP比重超过7.39%。",
        "有版权的专栏吗",
        "有，专栏10 版权创新发展工程。",
    )
    assert "版权产业增加值占GDP比重" in out and "专利密集型" not in out


def test_that_indicator_is_the_newest_row_not_the_newest_section(resolver):
    out = resolve(
        resolver,
        "那个指标换成2020年是多少？",
        "版权产业增加值占GDP比重2025年要达到多少？",
        "7.5%。",
        "专栏10在哪一节？",
        "在（十）提升知识产权转移转化效益。",
    )
    assert out.startswith("版权产业增加值占GDP比重")


def test_the_first_question_is_read_with_its_answer(resolver):
    out = resolve(
        resolver,
        "第一个问的那个 具体有啥内容",
        "小企业IP有专门的专栏吗",
        "有，专栏8 中小企业知识产权战略推进工程。",
        "质押融资2025多少",
        "知识产权质押融资登记金额2025年目标3200亿元。",
    )
    assert out.startswith("专栏8")


def test_a_new_subject_the_plan_lacks_is_not_glued_to_the_last_one(resolver):
    history = ("专栏5是什么？", "专栏5 地理标志保护工程：实施地理标志保护提升行动。")
    assert resolve(resolver, "办事大厅周六开门吗？", *history) == "办事大厅周六开门吗"
    assert resolve(resolver, "具体有哪些内容？", *history).startswith("专栏5")


def test_a_sibling_subject_takes_the_earlier_question():
    # the two share their last word (登记): what comes before it is swapped
    out = swap_subject("专利质押设立登记一般多久能办完", "变更登记")
    assert out == "专利质押变更登记一般多久能办完"
    # nothing in common: which words were the subject is not known, so nothing is guessed
    assert swap_subject("发明专利一般多久能授权", "实用新型") is None


def test_a_pointing_word_does_not_cut_a_word_in_two(resolver):
    kinds = [kind for _, kind, _, _ in resolver._pointers("那个体户呢")]
    assert "singular" not in kinds  # 那 + 个体户, not 那个 + 体户
    assert "singular" in [kind for _, kind, _, _ in resolver._pointers("那个专栏呢")]


def test_a_third_turn_leans_on_the_subject_the_second_switched_to(resolver):
    """ "那商标呢" after a question about 专利 asked it of 商标; "那要多少钱" next is about 商标,
    though the history holds only "那商标呢" (the service keeps no state)."""
    second = resolve(resolver, "那商标呢", "专利权质押登记怎么办理", "提交申请表和质押合同。")
    assert second == "商标权质押登记怎么办理"
    third = resolve(resolver, "那要多少钱", "专利怎么申请", "……", "那商标呢", "……")
    assert "商标" in third and "专利" not in third and "多少钱" in third
    # a pointing follow-up is not re-read: "最后一条呢" is about the list, not about "第二条"
    last = resolve(
        resolver, "最后一条呢", "基本原则有几条", "四条。", "第二条具体叫啥", "坚持强化保护。"
    )
    assert "第二条" not in last


def test_a_figure_asked_of_a_row_is_not_asked_of_a_new_topic(resolver):
    out = resolve(resolver, "那商标被抢注呢", "海外发明专利授权量2025年目标是多少？", "9万件。")
    assert "商标被抢注" in out and "是多少" not in out


def test_the_next_or_previous_article_or_chapter_of_the_last_answer(resolver):
    """ "下一条呢" after an article, "它前面那一章呢" after a chapter, in any document: counted
    from the number the answer starts with."""
    article = ("第十二条讲的是什么", "第十二条 知识产权贯标奖励。对首次通过认证的企业……")
    assert resolve(resolver, "下一条呢", *article) == "第十三条讲的是什么"
    assert resolve(resolver, "那上一条是什么", *article) == "第十一条是什么"
    chapter = ("最后一章的标题是什么", "第六章 附则：第二十五条；第二十六条。")
    assert resolve(resolver, "它前面那一章呢", *chapter) == "第五章讲的是什么"
    # another kind of part, or a list item of the plan, is not counted this way
    assert "第七条" not in resolve(resolver, "下一章呢", "第六条讲什么", "第六条 ……")
    assert "第三条" not in resolve(resolver, "下一条呢", "基本原则第二条是什么", "坚持强化保护。")


def test_a_follow_up_that_asks_its_own_question_is_not_glued_to_the_last(resolver):
    # "累计" is a word of computing over the table, but no row is in play: no computation,
    # and the question has a subject and an ask of its own
    out = resolve(
        resolver,
        "那同一家企业累计最多能获得多少补偿？",
        "借款企业是首贷企业的，补偿比例会提高吗？",
        "会，在基础比例上提高10个百分点。",
    )
    assert out == "同一家企业累计最多能获得多少补偿"
    # with rows in play, the same word still computes over them
    summed = resolve(
        resolver,
        "那这两个累计加起来呢？",
        "知识产权质押融资登记金额2025年目标多少？",
        "3200亿元。",
        "使用费年进出口总额呢？",
        "3500亿元。",
    )
    assert "知识产权质押融资登记金额" in summed and "知识产权使用费年进出口总额" in summed


def test_a_subject_swapped_then_more_said_is_the_earlier_question_about_it(resolver):
    out = resolve(resolver, "那实用新型呢，也要这么久吗", "发明专利一般多久能授权？", "2年左右。")
    assert out == "实用新型一般多久能授权"


def test_a_question_word_is_no_subject_of_its_own(resolver):
    # "多久" asks; it names nothing, so the follow-up leans on the earlier question's subject
    out = resolve(resolver, "那要多久能办完", "地理标志产品怎么申请保护", "……")
    assert "地理标志" in out and "多久" in out


def test_the_last_of_a_long_listing_is_the_last_it_lists(resolver):
    """An answer listing all 15 专栏 runs past the 200 characters a turn is read for; "最后一个"
    two turns later is 专栏15, not the last of the first 200 characters (专栏12)."""
    listing = "规划共有15个专栏（重点工程）：" + "；".join(
        f"专栏{n} {title}" for n, title in sorted(resolver.titles.items())
    )
    assert len(listing) > 250
    out = resolve(
        resolver,
        "最后一个呢",
        "规划一共有几个专栏",
        listing,
        "第一个是啥",
        "专栏1 商业秘密保护工程：健全商业秘密保护政策。",
    )
    assert out.startswith("专栏15")


def test_a_section_an_answer_names_is_its_heading_not_the_item_after_it(resolver):
    """The service's own answer "(二) 基本原则：(2) 坚持强化保护。" names the section (二)
    基本原则; its item number "(2)" is not part of the name the follow-up is read with."""
    out = resolve(
        resolver,
        "最后一条呢",
        "基本原则有几条",
        "(二) 基本原则：(1) 坚持质量优先；(2) 坚持强化保护；(3) 坚持开放合作；(4) 坚持系统协同。",
        "第二条具体叫啥",
        "(二) 基本原则：(2) 坚持强化保护。",
    )
    assert "基本原则" in out and "(2)" not in out and "(1)" not in out


def test_an_answer_quoting_another_documents_title_names_no_row(resolver):
    """The service's answer starts with the document it quotes; a title holding 知识产权质押融资
    is not the plan's row 知识产权质押融资登记金额, which "累计最多" would then compute over."""
    out = resolve(
        resolver,
        "那同一家企业累计最多能获得多少补偿？",
        "借款企业是首贷企业的，补偿比例会提高吗？",
        "《本市知识产权质押融资风险补偿资金管理办法（示例）》写到了：借款企业为首贷企业的，"
        "在前两项规定比例的基础上提高10个百分点。",
    )
    assert "登记金额" not in out
    # a question's own loose words still name a row
    out = resolve(resolver, "那2020年呢？", "质押融资到2025年要到多少？", "3200亿元。")
    assert "知识产权质押融资登记金额" in out


def test_a_year_alone_asks_the_earlier_question_of_that_year():
    from service.qa.followups.swap import swap_year

    assert (
        swap_year("快速维权中心到2027年要达到几家", "那2026年呢")
        == "快速维权中心到2026年要达到几家"
    )
    assert swap_year("快速维权中心到2027年要达到几家", "那2027年呢") is None  # the same year
    assert swap_year("快速维权中心要达到几家", "那2026年呢") is None  # no year to replace
    assert swap_year("调解员2026年多少人", "2026年呢还有2027年") is None  # more than a year
    # a year of the indicator table's columns: its follow-ups name columns, read elsewhere
    assert (
        swap_year("2025年目标是多少", "那2020年呢", table_years={"2020": "base", "2025": "target"})
        is None
    )
    # …but a year the table has not: a white paper's 2024 after its 2025
    assert (
        swap_year("2025年发明专利授权多少件", "那2024年呢", {"2020": "base", "2025": "target"})
        == "2024年发明专利授权多少件"
    )


def test_an_answer_names_a_column_only_as_its_number(resolver):
    """The service's answer about a guide to 数据知识产权登记 shares words with the plan's
    专栏2 数据知识产权保护工程; the follow-up "在哪里办" is not about that 专栏."""
    out = resolve(
        resolver,
        "在哪里办",
        "我想给我们公司的数据做个知识产权登记，收费吗",
        "《本市数据知识产权登记办事指南（示例）》写到了：登记类型：初始登记；收费：800元/件。",
    )
    assert "专栏" not in out
    # a user's own words still name one
    out = resolve(resolver, "它讲了啥", "数据知识产权那个专栏是第几个", "专栏2。")
    assert out.startswith("专栏2")


def test_a_word_that_asks_is_no_subject_of_its_own(fake_settings):
    """ "收费吗" after "…知识产权登记，要准备啥材料", with 收费 a word the documents use: it asks
    a fee (scope.toml qualifiers), it names no new subject, so the earlier subject is kept; a
    longer question saying what it is about with such words is its own."""
    words = {"收费", "知识产权", "登记", "数据", "邮箱", "材料"}
    resolver = Resolver(
        fake_searcher(fake_settings, FakeEmbedder()), is_plan_word=words.__contains__
    )
    out = resolve(
        resolver,
        "收费吗",
        "我想给我们公司的数据做个知识产权登记，要准备啥材料",
        "申请人办理初始登记，应当提交以下材料：……",
    )
    assert "知识产权登记" in out and "收费" in out
    own = resolve(resolver, "有邮箱可以发材料吗", "调解委员会在哪办公？", "在知识产权大厦6楼。")
    assert own == "有邮箱可以发材料吗"


def test_an_item_an_answer_quotes_is_no_section(resolver):
    """An article's "（一）专项资金申请表；" in the service's answer is a list item, not one of
    the documents' sections; a section of the plan's an answer quotes still is one."""
    read = resolver.read_turn
    item = read(
        "assistant", "第十七条 申请人应当提交下列材料： （一）专项资金申请表； （二）营业执照。"
    )
    assert item.sections == ()
    section = read("assistant", "专栏4 植物新品种保护体系建设工程属于（六）加强知识产权行政保护。")
    assert section.sections == ("(六)加强知识产权行政保护",)


def test_a_single_character_is_no_subject_of_its_own(fake_settings):
    """ "那最多呢" after "银行能拿到多少补偿": 最 (a word the documents use on its own) names no
    subject, so the follow-up is read with the earlier question, not searched as "最多"."""
    words = {"最", "银行", "补偿"}
    resolver = Resolver(
        fake_searcher(fake_settings, FakeEmbedder()), is_plan_word=words.__contains__
    )
    out = resolve(resolver, "那最多呢", "银行能拿到多少补偿", "单笔贷款的补偿金额不超过200万元。")
    assert "补偿" in out and "最多" in out


def test_one_word_that_asks_and_nothing_else_leans_on_the_conversation(fake_settings):
    """ "那要带什么材料" (材料 a word the documents use, and a way of asking) after a question
    about something is read with it; two such words ("有邮箱可以发材料吗") are a question."""
    words = {"材料", "续展", "邮箱", "登记"}
    resolver = Resolver(
        fake_searcher(fake_settings, FakeEmbedder()), is_plan_word=words.__contains__
    )
    out = resolve(resolver, "那要带什么材料", "续展登记怎么办", "届满前90日内申请续展登记。")
    assert "续展" in out and "材料" in out
    assert resolver.words.subject_words("有邮箱可以发材料吗") == ["邮箱", "材料"]
    # two words of one way of asking ("要准备" and 材料, both how it is done) are no subject
    wider = Resolver(
        fake_searcher(fake_settings, FakeEmbedder()), is_plan_word=(words | {"准备"}).__contains__
    )
    assert wider.words.subject_words("要准备啥材料") == []


def test_another_way_of_contacting_asks_anew_of_the_same_subject():
    """ "在哪里办公" after "工作站服务热线多少": the station's address, not its hotline again
    (both contact, but another way of reaching it); "电话多少" after it asks nothing new."""
    from service.qa.followups.swap import asked_anew

    assert asked_anew("工作站服务热线多少", "在哪里办公") == ("工作站服务", "在哪里办公")
    assert asked_anew("工作站服务热线多少", "电话多少") is None
