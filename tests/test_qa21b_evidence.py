"""Evidence about the subject asked (issue 21, tuning-set work, second round): the kind of IP
the framing names when the asking clause names none, a service named by what it registers,
an office named by its place, the heading that gives what is asked, and a related lead that
names what is missing. The documents are written here, not taken from the samples."""

from __future__ import annotations

from corpus.parse import parse_document
from corpus.records import Passage
from index.boosts import HEADING_WEIGHT, Booster
from service.qa.answering import wording
from service.qa.answering.evidence import answering, elsewhere, services, shows
from service.qa.reading.fields import Asked
from service.qa.reading.understand import Qualifier, Reader

GUIDE = """# 专利权质押登记办事指南（示例）

## 三、申请材料

办理质押设立登记，应当提交申请表和质押合同。

## 五、办理时限

（1）质押设立登记：10个工作日内办结。

（2）变更登记、注销登记：5个工作日内办结。

## 六、收费标准

各环节时限及收费如下表：

| 环节 | 时限 |
|---|---|
| 受理 | 1个工作日 |
"""


def _passage(text: str, section=("五、办理时限",), title="专利权质押登记办事指南（示例）"):
    return Passage("p", "guide", text, list(section), "text", doc_title=title)


def test_the_framings_kind_of_ip_counts_when_the_asking_clause_names_none():
    reader = Reader([])
    q = reader.read("我们公司想拿专利去银行贷款，质押登记要准备哪些材料啊")
    assert q.objects == ("专利",)
    # a hotline is the office's, whatever the trouble is with
    hotline = reader.read("我们的商标好像被人仿冒了，想先咨询下维权，援助热线是多少？")
    assert hotline.objects == ()


def test_a_service_named_by_what_it_registers():
    assert services("专利权转让登记一般要几个工作日能办完") == ("转让登记",)
    assert services("专利质押变更登记一般多久") == ("变更登记",)
    assert services("商标质押怎么登记") == ()
    assert services("办理登记需要多久") == ()
    duration = (Qualifier("duration", ("多久",)),)
    neighbour = [_passage("（2）变更登记、注销登记：5个工作日内办结。")]
    assert answering(duration, neighbour, (), ("变更登记",)) == 0
    assert answering(duration, neighbour, (), ("转让登记",)) is None
    assert elsewhere(duration, neighbour, (), ("转让登记",)) == ("转让登记",)
    # its own word and its head apart: the title says 数据…登记, the passage neither
    data = [_passage("登记证书自颁发之日起有效期为3年。", title="本市数据知识产权登记办事指南")]
    assert services("那个数据登记证书的有效期是几年") == ("数据登记",)
    assert answering(duration, data, (), ("数据登记",)) == 0
    assert answering(duration, data, (), ("转让登记",)) is None
    # a fee named by what it is for: its evidence names that fee
    # (and what is applied for: 国际申请, since 申请 is a head too)
    assert services("PCT国际申请的检索费要交多少钱？") == ("国际申请", "检索费")
    assert services("办这个要交多少费用") == () and services("评估费用怎么算") == ("评估费",)
    fee = (Qualifier("fee", ("多少钱",)),)
    funding = [_passage("对通过PCT途径获得授权的发明专利，每件最高资助3万元。", ("第八条",))]
    assert answering(fee, funding, (), ()) == 0
    assert answering(fee, funding, (), ("检索费",)) is None
    rate = [_passage("引入融资担保机构的，担保费率不得超过年化1%。", ("第二十条",))]
    assert answering(fee, rate, (), services("担保费率的上限是多少")) == 0
    # what is registered as a mark: 变更注册 is not 商标注册, whose fee is no answer to it
    assert services("商标变更注册人名义要交多少官费") == ("变更注册",)
    assert services("个人注册商标要多少钱") == () and services("商标注册要多久") == ()
    filing = [_passage("问：商标注册的费用是多少？ 答：每个类别收费270元。")]
    assert answering(fee, filing, (), services("商标变更注册人名义要交多少官费")) is None


def test_another_kind_of_ip_is_named_as_what_is_missing():
    procedure = (Qualifier("procedure", ("怎么",)),)
    guide = [_passage("质押登记由出质人和质权人共同申请并提交材料。", ("二、申请",))]
    assert answering(procedure, guide, ("商标",)) is None
    assert elsewhere(procedure, guide, ("商标",)) == ("商标",)
    lead = wording.related(
        (Qualifier("object", ("商标",)), *procedure), [], None, Asked.NONE, "已收录的文件"
    )
    assert lead.startswith("已收录的文件中没有写到商标的办理流程")


def test_an_office_named_by_its_place_is_one_organization():
    q = Reader([]).read("北京知识产权局的电话")
    kinds = {x.kind: x.words for x in q.qualifiers}
    assert "北京知识产权局" in kinds.get("organization", ())
    assert "place" not in kinds
    lead = wording.related(q.qualifiers, [], None, Asked.NONE, "已收录的文件")
    assert "北京知识产权局的联系电话" in lead and "北京和" not in lead


def test_a_passage_under_a_heading_that_gives_what_is_asked_is_lifted():
    passages = parse_document(GUIDE, doc="guide").passages
    booster = Booster(passages)
    lifted = {i: w for i, why, w, _ in booster.kinds_asked(["duration"]) if why.startswith("章节")}
    items = [i for i, p in enumerate(passages) if "办结" in p.text and p.kind != "overview"]
    assert items and all(lifted.get(i) == HEADING_WEIGHT for i in items)
    # a table's lead-in that mentions the word is not such a heading
    assert not any(passages[i].kind == "row" for i in lifted)
    assert booster.kinds_asked(["opinion"]) == []


def test_a_figure_in_a_unit_of_measure_is_a_figure():
    """ "一个文件最大多大": "单个文件不超过20MB" gives the figure; "外文材料须附中文译文1份" gives a
    count, and a clause without a number none."""
    from service.qa.answering.extract import part_asked

    figure = Qualifier("figure", ())
    assert shows(figure, "单个文件不超过20MB") and shows(figure, "扫描件分辨率不低于300dpi")
    assert shows(figure, "申请书不超过10页") and not shows(figure, "文字清晰可辨")
    # hours of training and people are counted too ("多少学时": not the clause with 2年)
    assert shows(figure, "每年参加继续培训不少于16学时") and shows(figure, "专职调解员不少于4名")
    text = "电子材料一律使用PDF格式，单个文件不超过20MB。复印件须盖章。外文材料须附中文译文1份。"
    out = part_asked(text, (figure,), ("电子", "材料", "格式", "文件"), "text")
    assert out is not None and out.startswith("电子材料一律使用PDF格式")


def test_a_time_asked_in_advance_is_answered_by_how_long_before():
    """ "续展要提前多久申请": the clause saying how long before the expiry (届满前90日内), not the
    one saying how long the service takes (8个工作日内办结), though both give a time."""
    from service.qa.answering.extract import part_asked

    duration = Qualifier("duration", ())
    text = "续展登记自受理之日起8个工作日内办结。持证人应当在证书有效期届满前90日内申请续展登记。"
    out = part_asked(text, (duration,), (), "text", (), "续展要提前多久申请")
    assert out == "持证人应当在证书有效期届满前90日内申请续展登记"
    plain = part_asked(text, (duration,), (), "text", (), "续展多久能办好")
    assert plain == "续展登记自受理之日起8个工作日内办结"


def test_a_target_by_year_is_shown_by_a_table_cell_or_a_count_of_people():
    """An interpretation's targets ("2027年目标：65" in a table row; "调解员队伍达到300人" in
    prose) answer "诉前调解成功率2027年目标是多少" and "到2027年调解员队伍要达到多少人": a
    labelled number is a figure, a count of people or organizations is the detail asked."""
    row = "指标：诉前调解成功率（%）；2025年基数：42；2027年目标：65"
    assert shows(Qualifier("figure", ()), row)
    prose = "到2027年，专兼职知识产权纠纷调解员队伍达到300人，每年为不少于2000家企业提供服务。"
    assert shows(Qualifier("detail", ("多少人",)), prose)
    assert not shows(Qualifier("figure", ()), "第三条：本办法所称专利，是指发明。")
    assert not shows(Qualifier("detail", ("多少人",)), "加强知识产权人才队伍建设。")


def test_a_time_limit_in_hours_is_a_time_limit():
    """ "抗辩材料最晚多长时间内要交": "被投诉后24小时内" gives it (an FAQ's "24小时内会有人响应"
    as well); a clock time is no time limit."""
    duration = Qualifier("duration", ("多长时间",))
    assert shows(duration, "展中（被投诉后24小时内）：向投诉机构提交不侵权抗辩材料。")
    assert shows(duration, "走绿色通道的，二十四小时内会有人响应")
    assert not shows(duration, "开放时间：9:00—17:30")


def test_a_kind_of_ip_named_only_in_the_story_allows_a_passage_naming_none():
    """ "平台投诉我们侵犯他的外观专利，最晚几天内要申诉": the deadline of any complaint answers;
    a passage about trademarks still does not, and a kind named in the asking clause stays
    strict ("专利申诉最晚几天")."""
    reader = Reader([])
    story = reader.read("平台邮件说有人投诉我们侵犯他的外观专利，想问下最晚几天之内要提交申诉啊？")
    assert story.objects == ("专利",) and story.framed_objects
    asked = reader.read("专利被投诉以后最晚几天之内要提交申诉？")
    assert asked.objects == ("专利",) and not asked.framed_objects
    duration = (Qualifier("duration", ("几天",)),)
    title = "企业海外纠纷应对指引（示例）"
    generic = [_passage("建议最迟在收到通知后5个工作日内提交申诉。", title=title)]
    marks = [_passage("商标被投诉的，5个工作日内提交申诉。", title=title)]
    assert answering(duration, generic, ("专利",), (), framed=True) == 0
    assert answering(duration, generic, ("专利",), ()) is None
    assert answering(duration, marks, ("专利",), (), framed=True) is None
    assert elsewhere(duration, marks, ("专利",), (), framed=True) == ("专利",)


def test_a_period_named_by_a_passages_heading_is_shown_by_it():
    """ "2026年专利授权的目标": an item under "八、2026年工作打算" is about 2026, though its own
    words do not say so; a passage with neither does not show it."""
    period = (Qualifier("period", ("2026",)),)
    under = Passage("p", "paper", "发明专利授权量突破10,500件。", ["八、2026年工作打算"], "text")
    other = Passage("q", "paper", "发明专利授权9,850件。", ["一、总体情况"], "text")
    assert answering(period, [other, under]) == 1
    assert answering(period, [other]) is None


def test_the_way_of_contacting_asked_for_must_be_given():
    """ "邮箱地址是多少": an e-mail address, not a street address or "发送至工作站邮箱"; a phone
    by its number; "联系方式" by any of them. "发到我邮箱" asks for no contact at all."""
    email = Qualifier("contact", ("邮箱地址",))
    assert shows(email, "电子邮箱：help@example.cn")
    assert not shows(email, "地址：本市高新区科创大道188号知识产权服务大厦2楼208室")
    assert not shows(email, "将申请表和材料发送至工作站邮箱。")
    phone = Qualifier("contact", ("电话",))
    assert shows(phone, "咨询电话：0500-8623 4517") and not shows(phone, "请致电咨询")
    assert shows(Qualifier("contact", ("联系方式",)), "请致电咨询热线")
    reader = Reader([])
    assert not reader.read("电子发票多久会发到我邮箱？").has("contact")
    assert reader.read("我想把材料用邮件发给工作站，邮箱地址是多少？").has("contact")
    where = reader.read("东湖区知识产权服务中心在什么地方，周末开门吗")
    assert where.has("contact")  # a place to go and its hours: not a district's figures
    contact = next(q for q in where.qualifiers if q.kind == "contact")
    assert not shows(contact, "区县：东湖区；常住人口：156；商标注册：13,280")
    # a wait in minutes is a time too ("一个预约时段是多长时间": 30分钟)
    assert shows(Qualifier("duration", ("多长时间",)), "预约时段以30分钟为一段")


def test_a_programme_named_without_a_sum_asked_is_shown_by_its_name():
    """ "交资助申请的时候要不要翻译": 资助 names the programme; a passage about 资助 answers,
    though it gives no sum. "资助能补多少" asks the sum: a passage without one does not."""
    reader = Reader([])
    named = reader.read("我们请的美国律所开的发票全是英文的，交资助申请的时候要不要翻译？")
    fee = next(q for q in named.qualifiers if q.kind == "fee")
    materials = (
        "申请资助须提交：1. 资助申请表；2. 营业执照复印件；3. 发票（外文票据需附中文翻译）。"
    )
    assert fee.named and shows(fee, materials)
    summed = reader.read("资助能补多少？")
    assert not any(q.named for q in summed.qualifiers)
    assert not shows(Qualifier("fee", ("资助",)), materials)


def test_a_foreign_place_is_shown_by_a_passage_about_what_happens_abroad():
    """ "下个月去德国参展，半夜被投诉了找谁": the emergency line for trade fairs abroad answers;
    a city is still shown only by its own name."""
    germany = Qualifier("place", ("德国",))
    assert shows(germany, "在国外参展时被投诉的，可以拨打展会应急电话0999-8627 3159。")
    assert not shows(germany, "展会期间值班电话：0999-8866 1288。")
    assert not shows(Qualifier("place", ("深圳",)), "在国外参展时被投诉的，可以拨打应急电话。")


def test_a_relative_year_is_the_year_of_a_report_titled_with_it():
    """ "知识产权保险去年赔了多少钱" asked in 2026: the 2025 annual report is about 去年; a
    document titled with no year is not, and "我们计划参加明年的展会，…什么时候做" asks no
    year (the asker's story). A time before the event answers when ("开展前30日内")."""
    reader = Reader([], this_year=2026)
    q = reader.read("知识产权保险去年赔了多少钱，赔了几件")
    period = next(x for x in q.qualifiers if x.kind == "period")
    assert period.years == ("2025",)
    text = "保险机构全年赔付案件19件，赔付金额共计438万元。"
    report = Passage("p", "paper", text, ["三、运用"], "text", doc_title="本市2025年白皮书（示例）")
    plain = Passage("q", "guide", text, ["三、运用"], "text", doc_title="本市保险办事指南（示例）")
    assert answering((period,), [report]) == 0
    assert answering((period,), [plain]) is None
    story = reader.read("我们计划参加明年的展会，参展之前的排查应该什么时候做？")
    assert not story.has("period")
    assert shows(Qualifier("when", ("什么时候",)), "展前（开展前30日内）：进行知识产权风险排查。")
    assert Reader([], this_year=2027).read("去年赔了多少钱").qualifiers[-1].years == ("2026",)


def test_a_passage_giving_a_contact_is_lifted_for_a_contact_question_wherever_it_stands():
    """ "这个调解委员会在什么地方": the article giving its address and phone is lifted like a
    passage under a heading "联系方式"; "还说我的专利没什么用" asks nothing (没什么), so its 专利
    is the story's."""
    from service.qa.reading.clauses import asking_clauses

    article = Passage(
        "a",
        "rules",
        "第七条 调解委员会设在保护中心，地址为澜石路72号，联系电话为099-86617250。",
        ["第二章 组织"],
        "article",
    )
    other = Passage("b", "rules", "第八条 调解委员会由主任1名组成。", ["第二章 组织"], "article")
    booster = Booster([article, other])
    lifted = [i for i, *_ in booster.kinds_asked(["contact"])]
    assert lifted == [0]
    text = "还说我的专利没什么用，请问这个调解委员会在什么地方？"
    clauses = asking_clauses(text, Reader([]).lex)
    assert [text[a:b] for a, b in clauses] == ["请问这个调解委员会在什么地方"]
    assert Reader([]).read(text).objects == ()
