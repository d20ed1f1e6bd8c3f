"""Staff accounts over HTTP (fake embedder): what each role may read and change, refusals that
change nothing, the name on a change being the account's, and every change in the audit log
with its before and after, readable by admins only."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.app import create_app
from service.office import accounts
from service.office import curated as store
from service.office.accounts import AccountError
from service.office.tables import audit_log, curated, staff_accounts, suggestions
from tests.fakes import FakeEmbedder
from tests.staff_session import SETUP, add, audit_entries, csrf, password, signed_in

pytestmark = pytest.mark.staff
TOKEN = "staff-accounts-test-token"
READ = ["/admin", "/admin/unanswered", "/admin/downvoted", "/admin/curated", "/admin/curated/1"]
READ += ["/admin/suggestions", "/admin/quality"]
EDIT = ["/admin/curated/new"]
ADMIN = ["/admin/accounts", "/admin/audit"]


@pytest.fixture
def app(fake_settings, tmp_path):
    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/office.db", "admin_token": TOKEN}
    )
    app = create_app(settings, embedder=FakeEmbedder())
    with TestClient(app):  # the lifespan: database migrated, log writer started
        for name, role in (("boss", "admin"), ("ed", "editor"), ("vi", "viewer")):
            add(app, name, role)
        store.save(app.state.office.database(), "ed", "办事大厅在哪？", [], "人民路1号。")
        yield app


def _client(app, username: str, n: int) -> TestClient:
    """A browser of its own (cookies), from an address of its own, signed in as username."""
    c = TestClient(app, client=(f"192.0.2.{n}", 5000))
    signed_in(c, username)
    return c


def _counts(app) -> dict[str, int]:
    db = app.state.office.database()
    with db.connect() as c:
        return {
            t.name: c.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (curated, suggestions, staff_accounts, audit_log)
        }


def _state(app) -> str:
    """Everything a refused action could have changed, as text to compare."""
    db = app.state.office.database()
    with db.connect() as c:
        rows = [
            [tuple(r) for r in c.execute(select(t).order_by(*t.primary_key.columns))]
            for t in (curated, suggestions, staff_accounts)
        ]
    return repr(rows) + repr(_counts(app))


@pytest.mark.parametrize(
    ("role", "user", "can_edit", "can_admin"),
    [("viewer", "vi", False, False), ("editor", "ed", True, False), ("admin", "boss", True, True)],
)
def test_each_roles_pages(app, role, user, can_edit, can_admin):
    c = _client(app, user, 10)
    for path in READ:
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 200, (role, path, r.status_code)
        assert f"{user}（" in r.text  # the account shows on every page
    for path, allowed in [(p, can_edit) for p in EDIT] + [(p, can_admin) for p in ADMIN]:
        r = c.get(path, follow_redirects=False)
        assert r.status_code == (200 if allowed else 403), (role, path, r.status_code)
        if not allowed:
            assert "没有权限" in r.text and "需要“" in r.text
    overview = c.get("/admin").text
    assert ('href="/admin/accounts"' in overview) == can_admin  # the nav shows what one may do
    assert ("新增人工答案" in c.get("/admin/curated").text) == can_edit
    assert ('action="/admin/suggestions"' in c.get("/admin/suggestions").text) == can_edit
    item = c.get("/admin/curated/1").text
    assert ('<fieldset class="plain" disabled>' in item) == (not can_edit)


def _actions(c, page_csrf: str) -> list[tuple[str, dict]]:
    """One of each kind of change a staff member can post, with their own CSRF token."""
    return [
        ("/admin/curated", {"question": "新问题？", "answer": "新回答。"}),
        ("/admin/curated/1", {"question": "办事大厅在哪？", "answer": "改了。", "enabled": "on"}),
        ("/admin/curated/1", {"action": "disable"}),
        ("/admin/suggestions", {"suggestions": "有人设的问题"}),
        (
            "/admin/accounts",
            {
                "action": "add",
                "username": "new1",
                "role": "admin",
                "password": "x" * 12,
                "password2": "x" * 12,
            },
        ),
        ("/admin/accounts", {"action": "role", "username": "vi", "role": "admin"}),
        ("/admin/accounts", {"action": "disable", "username": "ed"}),
        ("/admin/accounts", {"action": "end_sessions", "username": "boss"}),
    ]


@pytest.mark.parametrize(("user", "allowed"), [("vi", 0), ("ed", 4)])
def test_refused_actions_change_nothing(app, user, allowed):
    """A viewer may change nothing; an editor the content but no account. A refusal is a 403
    that names the role needed, and leaves every table (the audit log too) as it was."""
    c = _client(app, user, 11)
    token = csrf(c.get("/admin").text)
    for n, (path, data) in enumerate(_actions(c, token)):
        before = _state(app)
        r = c.post(path, data={"csrf": token, **data}, follow_redirects=False)
        if n < allowed:
            assert r.status_code == 303, (user, path, data, r.status_code)
            assert _state(app) != before
        else:
            assert r.status_code == 403 and "没有权限" in r.text, (user, path, r.status_code)
            assert _state(app) == before, (user, path, data)


def test_signed_out_posts_change_nothing(app):
    c = TestClient(app, client=("192.0.2.12", 5000))
    before = _state(app)
    for path, data in _actions(c, ""):
        r = c.post(path, data=data, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/admin/login", path
    assert _state(app) == before


def test_an_admin_can_do_every_action(app):
    c = _client(app, "boss", 13)
    token = csrf(c.get("/admin").text)
    for path, data in _actions(c, token):
        r = c.post(path, data={"csrf": token, **data}, follow_redirects=False)
        assert r.status_code == 303, (path, data, r.status_code, r.text[-500:])
    assert {a.username: a.role for a in _accounts(app)} == {
        "boss": "admin",
        "ed": "editor",
        "new1": "admin",
        "vi": "admin",
    }
    assert c.get("/admin", follow_redirects=False).status_code == 303  # ended its own sessions


def _accounts(app):
    return accounts.all_accounts(app.state.office.database())


def test_every_change_is_in_the_audit_log_with_before_and_after(app):
    ed, boss = _client(app, "ed", 20), _client(app, "boss", 21)
    start = len(audit_entries(app))
    token = csrf(ed.get("/admin").text)
    ed.post(
        "/admin/curated/1",
        data={
            "csrf": token,
            "question": "办事大厅在哪？",
            "answer": "人民路2号。",
            "enabled": "on",
            "name": "冒名顶替",
        },
    )
    ed.post("/admin/curated/1", data={"csrf": token, "action": "disable"})
    ed.post("/admin/suggestions", data={"csrf": token, "suggestions": "甲？\n乙？"})
    token = csrf(boss.get("/admin/accounts").text)
    for data in (
        {
            "action": "add",
            "username": "赵六",
            "role": "viewer",
            "password": "p" * 10,
            "password2": "p" * 10,
        },
        {"action": "role", "username": "赵六", "role": "editor"},
        {"action": "disable", "username": "vi"},
        {"action": "enable", "username": "vi"},
        {"action": "end_sessions", "username": "ed"},
    ):
        assert boss.post("/admin/accounts", data={"csrf": token, **data}).status_code == 200
    got = [
        (e["actor"], e["action"], e["target"], e["before"], e["after"])
        for e in audit_entries(app)[start:]
    ]
    old = {"question": "办事大厅在哪？", "variants": [], "passages": []}
    assert got == [
        (
            "ed",
            "curated.update",
            "人工答案 #1",
            {**old, "answer": "人民路1号。", "enabled": True, "version": 1},
            {**old, "answer": "人民路2号。", "enabled": True, "version": 2},
        ),
        (
            "ed",
            "curated.update",
            "人工答案 #1",
            {**old, "answer": "人民路2号。", "enabled": True, "version": 2},
            {**old, "answer": "人民路2号。", "enabled": False, "version": 3},
        ),
        ("ed", "suggestions.set", "推荐问题", [], ["甲？", "乙？"]),
        (
            "boss",
            "account.create",
            "账号 赵六",
            None,
            {"username": "赵六", "role": "viewer", "enabled": True},
        ),
        (
            "boss",
            "account.role",
            "账号 赵六",
            {"username": "赵六", "role": "viewer", "enabled": True},
            {"username": "赵六", "role": "editor", "enabled": True},
        ),
        (
            "boss",
            "account.disable",
            "账号 vi",
            {"username": "vi", "role": "viewer", "enabled": True},
            {"username": "vi", "role": "viewer", "enabled": False},
        ),
        (
            "boss",
            "account.enable",
            "账号 vi",
            {"username": "vi", "role": "viewer", "enabled": False},
            {"username": "vi", "role": "viewer", "enabled": True},
        ),
        ("boss", "session.end", "账号 ed", {"sessions": 1}, {"sessions": 0}),
    ]
    # the name on the change is the account's, whatever a form says
    assert store.get(app.state.office.database(), 1).updated_by == "ed"
    assert "冒名顶替" not in json.dumps(audit_entries(app), ensure_ascii=False, default=str)
    page = boss.get("/admin/audit")
    assert page.status_code == 200
    for text in ("修改人工答案", "设定推荐问题", "修改角色", "停用账号", "结束会话", "人民路2号。"):
        assert text in page.text, text
    assert "&#34;role&#34;: &#34;editor&#34;" in page.text  # the after, as escaped JSON
    assert ed.get("/admin/audit", follow_redirects=False).status_code == 303  # sessions ended


def test_sign_in_and_out_are_in_the_audit_log(app):
    c = _client(app, "vi", 30)
    c.post("/admin/logout", data={"csrf": csrf(c.get("/admin").text)})
    assert c.get("/admin", follow_redirects=False).status_code == 303
    kinds = [(e["actor"], e["action"]) for e in audit_entries(app)]
    assert kinds[-2:] == [("vi", "session.start"), ("vi", "session.end")]


def test_admins_cannot_lock_themselves_out(app):
    boss = _client(app, "boss", 40)
    token = csrf(boss.get("/admin/accounts").text)
    before = _state(app)
    for data in (
        {"action": "disable", "username": "boss"},
        {"action": "role", "username": "boss", "role": "viewer"},
    ):
        r = boss.post("/admin/accounts", data={"csrf": token, **data})
        assert r.status_code == 400 and "不能停用自己的账号" in r.text
    assert _state(app) == before
    add(app, "boss2", "admin")
    boss2 = _client(app, "boss2", 41)
    token2 = csrf(boss2.get("/admin/accounts").text)
    r = boss2.post(
        "/admin/accounts", data={"csrf": token2, "action": "disable", "username": "boss"}
    )
    assert r.status_code == 200 and "账号已停用" in r.text
    with pytest.raises(AccountError, match="唯一启用的管理员"):  # from the shell too
        accounts.set_role(app.state.office.database(), SETUP, "boss2", "viewer")
    with pytest.raises(AccountError, match="唯一启用的管理员"):
        accounts.set_enabled(app.state.office.database(), SETUP, "boss2", False)
    assert {a.username: a.role for a in _accounts(app)}["boss2"] == "admin"


def test_account_input_is_checked(app):
    boss = _client(app, "boss", 50)
    token = csrf(boss.get("/admin/accounts").text)
    base = {"csrf": token, "action": "add", "role": "viewer"}
    for data, message in (
        ({"username": "a b", "password": "p" * 10, "password2": "p" * 10}, "不含空格"),
        ({"username": "ok", "password": "short", "password2": "short"}, "至少 10 个字符"),
        ({"username": "ok", "password": "p" * 10, "password2": "q" * 10}, "两次输入的密码不一样"),
        ({"username": "ED", "password": "p" * 10, "password2": "p" * 10}, "已被使用"),
        ({"username": "ok", "password": "p" * 10, "password2": "p" * 10, "role": "root"}, "角色"),
    ):
        before = _state(app)
        r = boss.post("/admin/accounts", data={**base, **data})
        assert r.status_code == 400 and message in r.text, (data, r.text[-800:])
        assert _state(app) == before
    assert password("x")  # the helper's passwords pass the rule
