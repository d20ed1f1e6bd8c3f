"""Answer the part asked (service/qa/answering/extract.py): whole clauses showing what is asked."""

from service.qa.answering.extract import answer_body, part_asked

FEES = (
    "（二）相关服务费用：申请人需要出具登记簿副本的，每份收取50元；小微企业和个人减按50%收取，"
    "即每份25元；高等学校和科研院所免收。；专利价值评估由申请人自行委托评估机构进行。"
)
ARTICLE = (
    "第八条 国外发明专利资助。按下列标准给予资助： （一）在美国获得授权的，每件最高资助3万元；"
    "（二）同一项发明在多个国家获得授权的，最多资助5个国家或者地区。 "
    "资助额度不超过实际发生的费用之和，每家单位每年累计不超过100万元。"
)
ROW = "办理环节：登记决定；办理时限：2个工作日；责任部门：运用促进处；办理结果：登记通知书"


def test_the_clause_about_the_questions_subject_shows_the_fee():
    out = part_asked(FEES, ("fee",), ("小微企业", "副本"), "text")
    assert "25元" in out and out.startswith("（二）相关服务费用")
    assert "评估" not in out  # a clause that shows no fee is left out


def test_an_article_answers_with_its_number_and_whole_clauses():
    out = part_asked(ARTICLE, ("fee", "figure"), ("同一", "发明", "国家", "最多"), "article")
    assert out.startswith("第八条：") and "最多资助5个国家或者地区" in out
    assert "，最多资助" in out  # never cut mid-clause


def test_a_row_keeps_its_first_cell_and_a_cell_for_each_thing_asked():
    out = part_asked(ROW, ("who", "duration"), ("登记", "决定", "工作日"), "row")
    assert out.startswith("办理环节：登记决定；")
    assert "2个工作日" in out and "运用促进处" in out and "办理结果" not in out


def test_nothing_shown_leaves_the_passage_to_the_caller():
    assert part_asked(FEES, ("contact",), ("电话",), "text") is None
    assert part_asked(FEES, ("procedure",), ("材料",), "text") is None  # a list stays whole


def test_an_faq_pair_answers_with_its_answer_not_its_question():
    text = "问：专利年费逾期没交怎么办？ 答：可以在6个月内补缴，同时缴纳滞纳金。"
    assert answer_body(text) == "可以在6个月内补缴，同时缴纳滞纳金。"
    assert part_asked(text, (), ("年费",), "faq") == "可以在6个月内补缴，同时缴纳滞纳金。"
