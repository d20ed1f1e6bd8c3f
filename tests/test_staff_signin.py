"""Staff sign-in: lockout after wrong passwords (per account and per address) and an admin
lifting it, sessions that end at once (account disabled, new password, an admin), the cookie's
Secure flag only from https or a trusted proxy, the first admin made with the token, `ipqa
staff`, and the stores on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.office import accounts, sessions, staff_actions, throttle
from service.office.db import migrate, open_engine
from service.office.tables import staff_throttle
from service.office.throttle import Policy
from tests.fakes import FakeEmbedder
from tests.serverproc import PYTHON, ROOT, ipqa_env
from tests.staff_session import SETUP, add, audit_entries, csrf, password, sign_in, signed_in

pytestmark = pytest.mark.staff
TOKEN = "staff-sign-in-test-token"


def _app(fake_settings, tmp_path, **update):
    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/office.db", "admin_token": TOKEN, **update}
    )
    return create_app(settings, embedder=FakeEmbedder())


@pytest.fixture
def app(fake_settings, tmp_path):
    app = _app(fake_settings, tmp_path, staff_lockout_address_failures=8)
    with TestClient(app):
        add(app, "boss", "admin")
        add(app, "zhao", "editor")
        yield app


def _from(app, n: int, **kw) -> TestClient:
    return TestClient(app, client=(f"198.51.100.{n}", 4000), **kw)


def _locked_text(app) -> str:
    boss = _from(app, 99)
    signed_in(boss, "boss")
    return boss.get("/admin/accounts").text


def test_lockout_after_wrong_passwords_and_an_admin_lifts_it(app):
    zhao = _from(app, 1)
    for n in range(5):
        r = sign_in(zhao, "zhao", f"wrong-password-{n}")
        assert r.status_code == 401 and "用户名或密码不正确" in r.text, n
    # locked: the right password is refused too, from any address, and says until when
    for client in (zhao, _from(app, 2)):
        r = sign_in(client, "zhao")
        assert r.status_code == 429 and "已暂时锁定" in r.text
        assert 60 < int(r.headers["retry-after"]) <= 15 * 60
        assert "ipqa_admin" not in r.headers.get("set-cookie", "")
    assert [e["target"] for e in audit_entries(app) if e["action"] == "sign_in.locked"] == [
        "账号 zhao"
    ]
    boss = _from(app, 3)
    signed_in(boss, "boss")  # another account is not locked
    page = boss.get("/admin/accounts").text
    assert re.search(r"<td>zhao.*?已锁定至", page, re.S)
    r = boss.post(
        "/admin/accounts", data={"csrf": csrf(page), "action": "unlock", "username": "zhao"}
    )
    assert r.status_code == 200 and "已解除锁定" in r.text and "已锁定至" not in r.text
    unlock = audit_entries(app)[-1]
    assert (unlock["actor"], unlock["action"]) == ("boss", "account.unlock")
    assert unlock["before"]["failures"] == 5 and unlock["after"] is None
    assert sign_in(zhao, "zhao").status_code == 303


def test_a_success_resets_the_count_and_the_lock_runs_out(app):
    zhao = _from(app, 5)
    for _ in range(4):
        assert sign_in(zhao, "zhao", "wrong-password").status_code == 401
    assert sign_in(zhao, "zhao").status_code == 303  # four, then right: counted afresh
    zhao = _from(app, 6)  # (another address: this one's own count is not what is tested)
    for _ in range(4):
        assert sign_in(zhao, "zhao", "wrong-password").status_code == 401
    assert sign_in(zhao, "zhao").status_code == 303
    db = app.state.office.database()
    policy = Policy(account_failures=2, address_failures=99, minutes=15)
    names = throttle.keys("zhao", "x")
    assert throttle.failed(db, names, policy) == []
    assert throttle.failed(db, names, policy) == [names[0]]  # the failure that locks
    assert throttle.locked_until(db, names) is not None
    with db.begin() as c:  # fifteen minutes on
        c.execute(staff_throttle.update().values(locked_until=datetime(2000, 1, 1)))
    assert throttle.locked_until(db, names) is None
    assert sign_in(zhao, "zhao").status_code == 303


def test_unknown_accounts_count_against_the_address(app):
    """Guessing names from one address locks the address (8 here), not only an account."""
    guesser = _from(app, 7)
    for n in range(8):
        assert sign_in(guesser, f"nobody{n}", "whatever-it-is").status_code == 401
    r = sign_in(guesser, "zhao")  # a real account, the right password, the locked address
    assert r.status_code == 429
    assert sign_in(_from(app, 8), "zhao").status_code == 303  # elsewhere: fine
    assert "198.51.100.7" in _locked_text(app)
    boss = _from(app, 9)
    signed_in(boss, "boss")
    page = boss.get("/admin/accounts").text
    boss.post(
        "/admin/accounts",
        data={"csrf": csrf(page), "action": "unlock_address", "address": "198.51.100.7"},
    )
    assert sign_in(guesser, "zhao").status_code == 303
    assert audit_entries(app)[-2]["action"] == "address.unlock"  # then zhao's sign-in


def test_a_disabled_accounts_session_ends_at_once(app):
    zhao = _from(app, 10)
    signed_in(zhao, "zhao")
    token = csrf(zhao.get("/admin/suggestions").text)
    boss = _from(app, 11)
    signed_in(boss, "boss")
    r = boss.post(
        "/admin/accounts",
        data={
            "csrf": csrf(boss.get("/admin/accounts").text),
            "action": "disable",
            "username": "zhao",
        },
    )
    assert r.status_code == 200 and "账号已停用" in r.text
    # the very next request: signed out, and a form posted with the old page changes nothing
    assert zhao.get("/admin", follow_redirects=False).headers["location"] == "/admin/login"
    r = zhao.post(
        "/admin/suggestions",
        data={"csrf": token, "suggestions": "停用后的改动"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/login"
    assert app.state.office.suggestions_source != "staff"
    r = sign_in(zhao, "zhao")
    assert r.status_code == 403 and "已停用" in r.text and "set-cookie" not in r.headers
    # enabled again, the old session stays over: a new sign-in is needed
    accounts.set_enabled(app.state.office.database(), SETUP, "zhao", True)
    assert zhao.get("/admin", follow_redirects=False).status_code == 303


def test_new_password_and_an_admin_end_sessions(app):
    db = app.state.office.database()
    zhao = _from(app, 12)
    signed_in(zhao, "zhao")
    assert accounts.set_password(db, SETUP, "zhao", "a-new-password-1") == 1
    assert zhao.get("/admin", follow_redirects=False).status_code == 303
    assert sign_in(zhao, "zhao").status_code == 401  # the old password no longer works
    assert sign_in(zhao, "zhao", "a-new-password-1").status_code == 303
    assert zhao.get("/admin").status_code == 200
    boss = _from(app, 13)
    signed_in(boss, "boss")
    page = boss.get("/admin/accounts").text
    (own,) = [s["id"] for s in sessions.live(db) if s["username"] == "zhao"]
    assert f'name="session" value="{own}"' in page
    r = boss.post(
        "/admin/accounts", data={"csrf": csrf(page), "action": "end_session", "session": str(own)}
    )
    assert r.status_code == 200 and "会话已结束" in r.text
    assert zhao.get("/admin", follow_redirects=False).status_code == 303
    assert boss.get("/admin").status_code == 200  # only that one
    assert staff_actions.end_session(db, SETUP, own) is False  # over already


@pytest.mark.parametrize(
    ("trusted", "peer", "header", "secure"),
    [
        ([], "127.0.0.1", "https", False),  # no proxies trusted: nobody's header counts
        (["10.0.0.0/8"], "10.1.2.3", "https", True),  # our proxy says https
        (["10.0.0.0/8"], "10.1.2.3", None, False),  # our proxy, plain http
        (["10.0.0.0/8"], "192.0.2.9", "https", False),  # a client claiming https
        (["10.0.0.0/8"], "10.1.2.3", "http", False),
    ],
)
def test_secure_cookie_only_via_a_trusted_proxy(
    fake_settings, tmp_path, trusted, peer, header, secure
):
    app = _app(fake_settings, tmp_path, trusted_proxies=trusted)
    with TestClient(app, client=(peer, 4000)) as c:
        add(app, "zhao", "editor")
        headers = {"X-Forwarded-Proto": header} if header else {}
        r = sign_in(c, "zhao", headers=headers)
    cookie = r.headers["set-cookie"]
    assert r.status_code == 303 and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert ("Secure" in cookie) == secure, cookie


def test_the_first_admin_is_made_with_the_token_and_only_once(fake_settings, tmp_path):
    app = _app(fake_settings, tmp_path, staff_lockout_address_failures=3)
    with TestClient(app, client=("203.0.113.1", 4000)) as c:
        assert "/admin/setup" in c.get("/admin/login").text
        form = {"username": "Boss", "password": "p" * 12, "password2": "p" * 12}
        assert c.post("/admin/setup", data={**form, "token": "wrong"}).status_code == 401
        assert accounts.all_accounts(app.state.office.database()) == []
        r = c.post("/admin/setup", data={**form, "token": TOKEN}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/admin/login?created=1"
        assert "管理员账号已创建" in c.get("/admin/login?created=1").text
        (boss,) = accounts.all_accounts(app.state.office.database())
        assert (boss.username, boss.role, boss.created_by) == ("boss", "admin", "boss")
        # once there is an admin, the token makes no more accounts and signs nobody in
        assert "/admin/setup" not in c.get("/admin/login").text
        assert c.get("/admin/setup", follow_redirects=False).status_code == 303
        again = c.post("/admin/setup", data={**form, "username": "mallory", "token": TOKEN})
        assert again.status_code == 400 and "已经有管理员账号" in again.text
        assert sign_in(c, "boss", TOKEN).status_code == 401
        assert len(accounts.all_accounts(app.state.office.database())) == 1
        assert audit_entries(app)[0]["via"] == "setup"
        # wrong tokens count as failed sign-ins from this address (3 here, one so far)
        for _ in range(2):
            c.post("/admin/setup", data={**form, "token": "wrong"})
        assert sign_in(c, "boss", "p" * 12).status_code == 429


def test_ipqa_staff_commands(tmp_path):
    env = ipqa_env(database_url=f"sqlite:///{tmp_path}/office.db", admin_token=TOKEN)
    env["COLUMNS"] = "200"  # rich's tables on one line each

    def run(*args, stdin=""):
        return subprocess.run(
            [PYTHON, "-m", "service.cli", "staff", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=120,
        )

    added = run("add", "王五", "--role", "admin", stdin="pw-of-wangwu-1\n")
    assert added.returncode == 0 and "added 王五 (admin)" in added.stdout, added.stderr
    assert "pw-of-wangwu-1" not in added.stdout + added.stderr
    assert run("add", "王五", stdin="another-pass-1\n").returncode == 2  # taken
    short = run("add", "li", stdin="short\n")
    assert (
        short.returncode == 2
        and "至少 10 个字符" in short.stderr
        and "Traceback" not in short.stderr
    )
    assert run("add", "li", "--role", "root", stdin="pw-of-li-0001\n").returncode == 2
    assert run("add", "li", "--role", "viewer", stdin="pw-of-li-0001\n").returncode == 0
    db = open_engine(env["IPQA_DATABASE_URL"])
    migrate(db)
    assert accounts.verify(db, "li", "pw-of-li-0001") is not None
    for _ in range(5):
        accounts_failed(db, "li")
    listed = run("list")
    assert re.search(r"li\s.*viewer.*locked until", listed.stdout), listed.stdout
    assert "unlocked li" in run("unlock", "li").stdout
    assert throttle.locked_until(db, throttle.keys("li", "x")) is None
    assert run("passwd", "li", stdin="pw-of-li-0002\n").returncode == 0
    assert accounts.verify(db, "li", "pw-of-li-0002") and not accounts.verify(
        db, "li", "pw-of-li-0001"
    )
    assert "disabled li" in run("disable", "li").stdout
    assert not accounts.get(db, "li").enabled
    assert run("disable", "王五").returncode == 2  # the only admin
    assert "enabled li" in run("enable", "li").stdout
    assert run("passwd", "nobody", stdin="whatever-1234\n").returncode == 2
    vias = {(e["via"], e["action"]) for e in audit_entries_db(db)}
    assert {
        ("cli", "account.create"),
        ("cli", "account.password"),
        ("cli", "account.unlock"),
        ("cli", "account.disable"),
        ("cli", "account.enable"),
    } <= vias
    assert "--password" not in run("add", "--help").stdout  # never an argument
    db.dispose()


def accounts_failed(db, username: str) -> None:
    throttle.failed(db, throttle.keys(username, "cli-test"), Policy(5, 99, 15))


def audit_entries_db(db) -> list[dict]:
    from service.office import audit

    return audit.entries(db, limit=1000)


@pytest.mark.postgres
def test_the_stores_on_sqlite_and_postgresql(db_url):
    db = open_engine(db_url)
    migrate(db)
    a = accounts.create(db, SETUP, "Zhang.San", "editor", password("zhang.san"))
    assert a.username == "zhang.san" and accounts.get(db, "ZHANG.SAN").id == a.id
    assert accounts.verify(db, "zhang.san", password("zhang.san")).id == a.id
    assert accounts.verify(db, "zhang.san", "nope") is None
    assert accounts.verify(db, "nobody", "nope") is None
    with db.begin() as c:
        token, sid = sessions.start(c, a.id, hours=1)
    found = sessions.lookup(db, token)
    assert (found.session_id, found.username, found.role) == (sid, "zhang.san", "editor")
    assert sessions.lookup(db, token + "x") is None
    accounts.set_role(db, SETUP, "zhang.san", "viewer")
    assert sessions.lookup(db, token).role == "viewer"  # the role is read on every request
    accounts.set_enabled(db, SETUP, "zhang.san", False)
    assert sessions.lookup(db, token) is None
    policy = Policy(account_failures=3, address_failures=99, minutes=15)
    names = throttle.keys("zhang.san", "203.0.113.9")
    assert [throttle.failed(db, names, policy) for _ in range(3)][-1] == [names[0]]
    assert throttle.locked_until(db, names) > datetime.now(UTC).replace(tzinfo=None)
    assert staff_actions.unlock(db, SETUP, "zhang.san") is True
    assert throttle.locked_until(db, names) is None
    actions = [e["action"] for e in audit_entries_db(db)]
    assert actions == ["account.unlock", "account.disable", "account.role", "account.create"]
    db.dispose()
