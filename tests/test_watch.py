"""watch: feeds polled into the store politely, each item once, alerts raised and delivered
once, against a local news site that changes between polls (no network)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.alerts import AlertRule, match_event, resolve_zones
from geo.cli import main
from geo.errors import FetchError, InputError
from geo.events import Event
from geo.feeds import Fetcher, FetchSettings, parse_feed
from geo.model import Place
from geo.store import Store
from geo.watch import Watcher, load_watch_config, parse_duration
from geo.zones import load_zones

from .newssite import NewsSite, Story, atom, rss

#: Polite, but quick: the tests' site is local.
FAST = FetchSettings(
    host_delay_s=0.01, timeout_s=0.5, deadline_s=1.0, max_retries=0, backoff_s=0.01
)

TANF = Story(
    "/world/tanf-convoy.html",
    "Jets strike convoy near al Tanf",
    "Coalition jets struck a militia convoy near al Tanf on May 18, officials in Washington"
    " said on Friday.\n\nThe convoy had ignored warnings to turn back from the garrison.",
)
ABU_KAMAL = Story(
    "/border/abu-kamal.html",
    "Shelling on the Euphrates crossing",
    "Artillery shelling hit Abu Kamal on Monday, residents said, as fighting moved toward"
    " the crossing.\n\nMerchants closed their shops along the main road.",
    "2017-05-23",
)
TALKS = Story(
    "/world/talks.html",
    "Envoys meet again",
    "Envoys met in Geneva on Tuesday for talks on a ceasefire; no date was set for the next"
    " round.\n\nBoth delegations described the meeting as useful.",
    "2017-05-17",
)
TANF_AGAIN = replace(TANF, path="/mirror/tanf-convoy.html")  # the same text at another URL
RUKBAN = Story(
    "/world/rukban.html",
    "Drone strike near the camp",
    "A drone strike hit a militia post near Rukban camp on May 24, aid workers said.\n\n"
    "Families in the camp reported hearing several explosions overnight.",
    "2017-05-25",
)
PRIVATE = Story(
    "/private/memo.html",
    "Internal memo",
    "Shelling hit Raqqa on May 2, the memo says.\n\nIt was never meant for robots.",
)

RULES = [
    AlertRule("al Tanf zone", zones=("al-tanf-55km",), types=("airstrike", "shelling")),
    AlertRule("Iraq-Syria border", zones=("border:IQ-SY",), within_km=5, types=("shelling",)),
]


@pytest.fixture
def site():
    with NewsSite() as server:
        server.route(
            "/robots.txt", b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"
        )
        yield server


def _watcher(store, site, sources, **kwargs) -> tuple[Watcher, list[str], io.StringIO]:
    log: list[str] = []
    out = io.StringIO()
    kwargs.setdefault("rules", RULES)
    watcher = Watcher(
        store, [site.url(s) for s in sources], fetch=FAST, out=out, log=log.append, **kwargs
    )
    return watcher, log, out


def test_polls_store_each_item_once_and_survive_failing_feeds(tmp_path, site, gazetteer):
    site.publish(TANF, ABU_KAMAL, TALKS, TANF_AGAIN, RUKBAN, PRIVATE)
    site.route(
        "/rss.xml",
        rss(site, [TANF, TALKS, PRIVATE]),
        content_type="application/rss+xml",
        etag='"r1"',
    )
    site.route(
        "/atom.xml", atom(site, [ABU_KAMAL]), content_type="application/atom+xml", etag='"a1"'
    )
    site.route("/bad.xml", b"<rss><channel><item><title>half", content_type="application/rss+xml")
    site.route("/slow.xml", rss(site, [RUKBAN]), content_type="application/rss+xml", delay_s=1.5)
    with Store(tmp_path / "s.db") as store:
        watcher, log, out = _watcher(
            store, site, ["/rss.xml", "/atom.xml", "/bad.xml", "/slow.xml"]
        )

        first = watcher.poll()
        assert (first.new, first.seen, first.failed) == (3, 0, 1)  # the memo is robots-only
        assert set(first.failing_feeds) == {site.url("/bad.xml"), site.url("/slow.xml")}
        assert any(site.url("/bad.xml") in line and "not a readable" in line for line in log)
        assert any(site.url("/slow.xml") in line and "no answer" in line for line in log)
        assert any("robots.txt" in line and PRIVATE.path in line for line in log)
        assert site.hits[PRIVATE.path] == 0
        assert store.watch_items()[2]["status"] == "skipped"  # robots.txt: never asked again
        items = {i["url"]: i for i in store.watch_items()}
        assert items[site.url(TANF.path)]["status"] == "stored"
        assert items[site.url(TANF.path)]["published"] == "2017-05-19T09:00:00Z"
        assert items[site.url(ABU_KAMAL.path)]["feed"] == site.url("/atom.xml")
        docs = {d.source: d for d in store.documents()}
        assert docs[site.url(TANF.path)].title == TANF.title
        assert str(docs[site.url(ABU_KAMAL.path)].published) == "2017-05-23"
        assert any(a.startswith("flashpoints/") for a in site.agents)

        # Nothing changed: two 304s, no page fetched again.
        before = dict(site.hits)
        second = watcher.poll()
        assert (second.new, second.seen) == (0, 0)
        assert site.not_modified["/rss.xml"] == 1
        assert site.not_modified["/atom.xml"] == 1
        assert all(site.hits[p] == before[p] for p in (TANF.path, ABU_KAMAL.path, TALKS.path))

        # New items (one a copy of a stored article), a failing feed, the slow one recovered.
        site.route("/rss.xml", rss(site, [TANF_AGAIN, TANF, TALKS]), etag='"r2"')
        site.route("/atom.xml", b"", fail=5)
        site.route("/slow.xml", rss(site, [RUKBAN]), content_type="application/rss+xml")
        third = watcher.poll()
        assert third.new == 1  # Rukban
        assert third.seen == 3  # TANF and TALKS by URL, TANF_AGAIN by content
        assert site.url("/atom.xml") in third.failing_feeds
        assert store.feed_state(site.url("/atom.xml"))["etag"] == '"a1"'  # kept for later
        items = {i["url"]: i for i in store.watch_items()}
        assert items[site.url(TANF_AGAIN.path)]["status"] == "duplicate"
        texts = [d.text for d in store.documents()]
        assert len(texts) == len(set(texts)) == 4
        assert store.integrity_ok()

        # Alerts: one per matching event, each rule once, delivered as JSON lines.
        alerts = store.alerts()
        by_rule = {(a["rule"], a["place"]) for a in alerts}
        assert ("al Tanf zone", "near al Tanf garrison") in by_rule
        assert ("al Tanf zone", "near Rukban camp") in by_rule
        assert any(r == "Iraq-Syria border" and "Kam" in p for r, p in by_rule)
        assert not any(a["kind"] == "negotiation" for a in alerts)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        assert sorted(x["id"] for x in lines) == sorted({x["id"] for x in lines})
        assert len(lines) == len(alerts)
        assert all(a["delivered"] for a in alerts)
        tanf = next(x for x in lines if x["event"]["place"] == "near al Tanf garrison")
        assert tanf["zone"] == "al-tanf-55km"
        assert tanf["distance_km"] < 0
        assert tanf["articles"] == [{"title": TANF.title, "url": site.url(TANF.path)}]
        assert "struck a militia convoy near al Tanf" in tanf["event"]["sentence"]

        # Polling again raises nothing new.
        again = watcher.poll()
        assert (again.alerts, again.delivered) == (0, 0)
        assert len(store.alerts()) == len(alerts)


def test_a_page_is_watched_like_a_one_item_feed(tmp_path, site, gazetteer):
    site.publish(TANF)
    with Store(tmp_path / "s.db") as store:
        watcher, _, _ = _watcher(store, site, [TANF.path], rules=())
        assert watcher.poll().new == 1
        assert watcher.poll().seen == 1
        assert site.hits[TANF.path] == 2  # polled twice, never fetched a second time per poll
        assert store.counts()["documents"] == 1


def test_webhook_failing_first_gets_each_alert_once_next_poll(tmp_path, site, gazetteer):
    site.publish(TANF, RUKBAN)
    site.route("/rss.xml", rss(site, [TANF]), etag='"1"')
    site.hook_failures = 1
    rules = [replace(RULES[0], webhook=site.url("/hook"))]
    with Store(tmp_path / "s.db") as store:
        watcher, log, _ = _watcher(store, site, ["/rss.xml"], rules=rules)
        first = watcher.poll()
        assert (first.alerts, first.waiting) == (1, 1)  # written out, but the hook said 503
        assert site.received == []
        assert any("webhook failed" in line for line in log)
        assert store.alerts()[0]["delivered"] is False
        second = watcher.poll()
        assert (second.alerts, second.delivered, second.waiting) == (0, 1, 0)
        site.route("/rss.xml", rss(site, [RUKBAN, TANF]), etag='"2"')
        watcher.poll()
        watcher.poll()
        ids = [r["id"] for r in site.received]
        assert len(ids) == 2 == len(set(ids))
        assert {r["event"]["place"] for r in site.received} == {
            "near al Tanf garrison",
            "near Rukban camp",
        }
        assert all(a["delivered"] for a in store.alerts())


def test_a_new_rule_alerts_on_what_happens_next_not_on_history(tmp_path, site, gazetteer):
    site.publish(TANF, RUKBAN)
    site.route("/rss.xml", rss(site, [TANF]), etag='"1"')
    with Store(tmp_path / "s.db") as store:
        _watcher(store, site, ["/rss.xml"], rules=())[0].poll()
        watcher, _, _ = _watcher(store, site, ["/rss.xml"], rules=RULES[:1])
        assert watcher.poll().alerts == 0
        site.route("/rss.xml", rss(site, [RUKBAN, TANF]), etag='"2"')
        assert watcher.poll().alerts == 1


@dataclass(frozen=True)
class AcledEvent(Event):
    event_type: str = ""
    sub_event_type: str = ""


def _event(kind: str, lat: float, lon: float, country: str, confidence: float = 0.8, **extra):
    place = Place("p", "somewhere", lat, lon, "town", country, "", 0, "test")
    cls = AcledEvent if extra else Event
    return cls("e", kind, None, None, "", place, (), "It happened.", "d", confidence, "x", **extra)


@pytest.mark.parametrize(
    ("rule", "event", "matches"),
    [
        (AlertRule("any"), _event("closure", 0, 0, "XX"), True),
        (AlertRule("t", types=("airstrike",)), _event("airstrike", 0, 0, "XX"), True),
        (AlertRule("t", types=("airstrike",)), _event("shelling", 0, 0, "XX"), False),
        (
            AlertRule("acled", types=("explosions/remote violence",)),
            _event("airstrike", 0, 0, "XX", event_type="Explosions/Remote violence"),
            True,
        ),
        (
            AlertRule("acled sub", types=("air/drone strike",)),
            _event("attack", 0, 0, "XX", sub_event_type="Air/drone strike"),
            True,
        ),
        (AlertRule("c", countries=("SY",)), _event("clash", 33.5, 36.3, "SY"), True),
        (AlertRule("c", countries=("SY",)), _event("clash", 33.3, 44.4, "IQ"), False),
        (AlertRule("conf", min_confidence=0.9), _event("clash", 0, 0, "XX", 0.8), False),
        # al Tanf garrison is inside its zone; Damascus is ~200 km away
        (AlertRule("z", zones=("al-tanf-55km",)), _event("clash", 33.51, 38.62, "SY"), True),
        (AlertRule("z", zones=("al-tanf-55km",)), _event("clash", 33.51, 36.29, "SY"), False),
        (
            AlertRule("near", zones=("al-tanf-55km",), within_km=250),
            _event("clash", 33.51, 36.29, "SY"),
            True,
        ),
        # Abu Kamal sits on the Iraq-Syria border; Aleppo does not
        (AlertRule("b", zones=("border:IQ-SY",)), _event("clash", 34.45, 40.92, "SY"), True),
        (AlertRule("b", zones=("border:IQ-SY",)), _event("clash", 36.2, 37.15, "SY"), False),
        (AlertRule("tp", zones=("tripoint:IQ-JO-SY",)), _event("clash", 33.37, 38.79, "SY"), True),
    ],
)
def test_rule_matching(rule, event, matches):
    zones = resolve_zones([rule], load_zones())
    assert (match_event(rule, event, zones) is not None) is matches


def test_unknown_zone_names_the_declared_ones():
    with pytest.raises(InputError, match=r"no zone 'al-tanf'.*al-tanf-55km"):
        resolve_zones([AlertRule("x", zones=("al-tanf",))], load_zones())
    with pytest.raises(InputError, match="no zone 'border:SY-JP'"):
        resolve_zones([AlertRule("x", zones=("border:SY-JP",))], load_zones())


CONFIG = """
[watch]
feeds = ["{feed}"]
every = "0.2s"
delay = "10ms"
timeout = "0.5s"
retries = 0
alerts_out = "{out}"

[[alert]]
name = "al Tanf zone"
zones = ["al-tanf-55km"]
within_km = 0
types = ["airstrike", "shelling", "clash", "attack"]
min_confidence = 0.5
webhook = "{hook}"
"""


def _config(tmp_path: Path, site: NewsSite, feed: str = "/rss.xml") -> Path:
    path = tmp_path / "flashpoints.toml"
    path.write_text(
        CONFIG.format(feed=site.url(feed), hook=site.url("/hook"), out=tmp_path / "alerts.jsonl")
    )
    return path


def test_config_file_is_read_and_checked(tmp_path, site):
    config = load_watch_config(_config(tmp_path, site))
    assert config.feeds == (site.url("/rss.xml"),)
    assert config.every_s == pytest.approx(0.2)
    assert config.fetch.host_delay_s == pytest.approx(0.01)
    (rule,) = config.rules
    assert rule.zones == ("al-tanf-55km",)
    assert rule.webhook == site.url("/hook")
    assert rule.min_confidence == 0.5
    bad = tmp_path / "bad.toml"
    for text, message in [
        ("[watch]\nevery = 'soon'\n", "not a duration"),
        ("[watch]\nfeed = []\n", "unknown \\[watch\\] setting"),
        ("[[alert]]\nname = 'x'\nzone = ['a']\n", "unknown setting.*zone"),
        ("[[alert]]\nzones = ['a']\n", "needs a name"),
        ("[[alert]]\nname = 'x'\nmin_confidence = 2\n", "between 0 and 1"),
        ("[[alert]]\nname = 'x'\nwebhook = 'ftp://x'\n", "http\\(s\\)"),
        ("watch = ", "not valid TOML"),
    ]:
        bad.write_text(text)
        with pytest.raises(InputError, match=message):
            load_watch_config(bad)


def test_the_readme_config_is_valid(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("## Watching feeds") :]
    block = section[section.index("```toml") + len("```toml") : section.index("```\n", 10)]
    path = tmp_path / "readme.toml"
    path.write_text(block)
    config = load_watch_config(path)
    assert config.every_s == 600
    (rule,) = config.rules
    assert rule.name == "al Tanf zone"
    assert resolve_zones(config.rules, load_zones())["al-tanf-55km"].kind == "deconfliction"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10m", 600), ("30s", 30), ("1h30m", 5400), ("0.2s", 0.2), ("250ms", 0.25), (5, 5)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


def test_cli_watch_once_then_alerts_as_json_and_csv(tmp_path, site, gazetteer):
    site.publish(TANF, TALKS)
    site.route("/rss.xml", rss(site, [TANF, TALKS]), etag='"1"')
    config = _config(tmp_path, site)
    db = str(tmp_path / "s.db")
    runner = CliRunner()
    result = runner.invoke(main, ["watch", "--db", db, "--once", "--config", str(config)])
    assert result.exit_code == 0, result.output
    line = "poll 1: items 2 new, 0 seen, 0 failed; alerts 1 new, 1 delivered, 0 waiting"
    assert line in result.stderr
    (line,) = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert json.loads(line)["rule"] == "al Tanf zone"
    assert len(site.received) == 1
    listed = runner.invoke(main, ["alerts", "--db", db, "--format", "json"])
    (alert,) = json.loads(listed.stdout)["alerts"]
    assert alert["rule"] == "al Tanf zone"
    assert alert["delivered"] is True
    assert alert["date"] == "2017-05-18"
    assert alert["place"] == "near al Tanf garrison"
    table = runner.invoke(main, ["alerts", "--db", db, "--format", "csv"])
    assert table.stdout.startswith("id,created,rule,kind")
    assert "al Tanf zone" in table.stdout
    assert ",-55.0," in table.stdout  # numbers stay numbers (inside: negative km to the edge)


def test_cli_watch_errors_are_one_line(tmp_path, site):
    config = tmp_path / "c.toml"
    config.write_text("[[alert]]\nname = 'x'\nzones = ['nowhere']\n")
    runner = CliRunner()
    for args in (
        ["watch", "--db", str(tmp_path / "s.db"), "--once"],
        ["watch", "ftp://example.org/feed", "--db", str(tmp_path / "s.db"), "--once"],
        ["watch", site.url("/rss.xml"), "--db", str(tmp_path / "s.db"), "--config", str(config)],
        ["watch", site.url("/rss.xml"), "--db", str(tmp_path / "s.db"), "--every", "often"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("flashpoints: error: ")
        assert result.stderr.count("\n") == 1


# -- HTTP politeness -------------------------------------------------------------------------


def test_fetcher_retries_with_backoff_then_fails_with_the_url(site):
    site.route("/flaky", b"ok", fail=2)
    waits: list[float] = []
    fetcher = Fetcher(replace(FAST, max_retries=2, backoff_s=0.5, robots=False), sleep=waits.append)
    assert fetcher.get(site.url("/flaky")).body == b"ok"
    backoffs = [w for w in waits if w >= 0.5]
    assert backoffs == [0.5, 1.0]
    site.route("/down", b"", fail=10)
    with pytest.raises(FetchError, match=r"/down: the server answered HTTP 500") as err:
        fetcher.get(site.url("/down"))
    assert err.value.status == 500
    with pytest.raises(FetchError, match="HTTP 404") as missing:
        fetcher.get(site.url("/missing"))
    assert missing.value.retryable is False
    assert site.hits["/missing"] == 1  # a 404 is not retried


def test_fetcher_spaces_requests_to_one_host(site):
    site.route("/a", b"a")
    fetcher = Fetcher(replace(FAST, host_delay_s=0.2, robots=False))
    started = time.monotonic()
    for _ in range(3):
        fetcher.get(site.url("/a"))
    assert time.monotonic() - started >= 0.4


def test_fetcher_caps_size_and_deadline(site):
    site.route("/big", b"x" * 5000)
    small = Fetcher(replace(FAST, max_bytes=1000, robots=False))
    with pytest.raises(FetchError, match=r"over the 1,000 allowed|larger than the 1,000 bytes"):
        small.get(site.url("/big"))
    site.route("/slow", b"late", delay_s=1.0)
    with pytest.raises(FetchError, match=r"no answer within 0\.5 s"):
        Fetcher(replace(FAST, robots=False)).get(site.url("/slow"))
    # A byte every 0.1 s never trips the socket timeout; the overall deadline stops it.
    site.route("/drip", b"x" * 40, drip_s=0.1)
    started = time.monotonic()
    with pytest.raises(FetchError, match="no whole answer within"):
        Fetcher(replace(FAST, robots=False)).get(site.url("/drip"))
    assert time.monotonic() - started < 2.0


def test_robots_txt_is_honoured_and_a_missing_one_allows(site):
    fetcher = Fetcher(FAST)
    assert fetcher.allowed(site.url("/world/x.html"))
    assert not fetcher.allowed(site.url("/private/x.html"))
    with NewsSite() as bare:
        assert Fetcher(FAST).allowed(bare.url("/anything"))


def test_parse_feed_reads_rss_and_atom_and_refuses_garbage(site):
    from geo.feeds import Response

    feed = parse_feed(Response(site.url("/rss.xml"), 200, rss(site, [TANF, TALKS])))
    assert feed.title == "World desk"
    assert [i.url for i in feed.items] == [site.url(TANF.path), site.url(TALKS.path)]
    entries = parse_feed(Response(site.url("/atom.xml"), 200, atom(site, [ABU_KAMAL])))
    assert entries.items[0].url == site.url(ABU_KAMAL.path)  # relative link resolved
    assert entries.items[0].published == "2017-05-23T09:00:00Z"
    with pytest.raises(InputError, match="not a readable RSS or Atom feed"):
        parse_feed(Response(site.url("/x.xml"), 200, b"<rss><channel><item>", "text/xml"))


# -- stopping and restarting -----------------------------------------------------------------


def _watch_process(db: Path, config: Path, tmp_path: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    return subprocess.Popen(
        [sys.executable, "-m", "geo", "watch", "--db", str(db), "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "watch.log").open("ab"),
        env=env,
    )


def _wait_for(check, timeout_s: float = 60.0) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    with Store(db) as store:
        return sum(i["status"] == "stored" for i in store.watch_items())


def test_sigkill_then_restart_loses_and_repeats_nothing(tmp_path, site, gazetteer):
    places = ["al Tanf", "Rukban camp", "Abu Kamal", "Palmyra", "Raqqa", "Sinjar", "Mosul", "Homs"]
    stories = [
        Story(
            f"/world/{i}.html",
            f"Report {i}",
            f"Coalition jets struck a militia post near {places[i % len(places)]} on May {i + 1},"
            f" officials said in report number {i}.\n\nResidents described heavy damage.",
        )
        for i in range(16)
    ]
    site.publish(*stories)
    site.route("/rss.xml", rss(site, stories), etag='"1"')
    site.hook_failures = 1
    for story in stories:  # slow pages, so the kill lands mid-poll
        site.routes[story.path].delay_s = 0.15
    db = tmp_path / "s.db"
    config = _config(tmp_path, site)
    proc = _watch_process(db, config, tmp_path)
    _wait_for(lambda: _stored(db) >= 4)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _stored(db) < len(stories)
    proc = _watch_process(db, config, tmp_path)
    _wait_for(lambda: _stored(db) == len(stories))
    with Store(db) as store:
        _wait_for(lambda: all(a["delivered"] for a in store.alerts()) and store.alerts())
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0  # a clean stop
    log = (tmp_path / "watch.log").read_text()
    assert "stopped; the next watch carries on" in log
    with Store(db) as store:
        assert store.integrity_ok()
        assert store.counts()["documents"] == len(stories)
        alerts = store.alerts()
        rules = load_watch_config(config).rules
        zones = resolve_zones(rules, load_zones())
        expected = {e.id for e in store.events() if match_event(rules[0], e, zones)}
    assert sorted(a["event_id"] for a in alerts) == sorted(expected)  # each match once
    fetched_twice = [s.path for s in stories if site.hits[s.path] > 1]
    assert len(fetched_twice) <= 1  # at most the page in flight when the kill came
    assert site.not_modified["/rss.xml"] >= 1  # the restart asked conditionally
    assert len(alerts) >= 2
    ids = [r["id"] for r in site.received]
    assert len(ids) == len(set(ids)) == len(alerts)
    lines = [json.loads(x)["id"] for x in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert sorted(lines) == sorted(set(lines)) == sorted(ids)
