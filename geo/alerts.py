"""Alert rules: which events matter (type, zone and distance, country, confidence), and
telling someone, once.

A rule names event types (our kinds such as ``airstrike``, or ACLED event types and sub-types
once events carry them), zones (declared ids from the zone files, or generated ones such as
``border:IQ-SY`` and ``tripoint:IQ-JO-SY``) with a distance, countries and a least confidence.
An empty criterion matches everything. Each event a rule matches raises one alert, stored with
the event, the rule and the sentence; the store keeps it unique per (rule, event), so a
restart or a second report of the same event never raises it again.

Delivery is at least once and never loses an alert: an alert is marked written or posted only
after the JSON line is flushed or the webhook answered 2xx; a failing webhook is tried again
on the next poll. Every payload carries a stable ``id`` so a receiver can drop the rare
repeat (a kill between the answer and the mark).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from .errors import FetchError, InputError
from .events import Event
from .export import records_csv
from .feeds import Fetcher
from .model import Zone
from .store import Store

__all__ = [
    "ALERT_FIELDS",
    "AlertRule",
    "Match",
    "alerts_csv",
    "deliver",
    "evaluate",
    "match_event",
    "resolve_zones",
    "rules_from_config",
]


@dataclass(frozen=True)
class AlertRule:
    """One ``[[alert]]`` table of the config file; see the module docstring."""

    name: str
    zones: tuple[str, ...] = ()
    within_km: float = 0.0
    types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    min_confidence: float = 0.0
    webhook: str | None = None


@dataclass(frozen=True)
class Match:
    """An event a rule matched, and where it stands against the rule's nearest zone."""

    rule: AlertRule
    event: Event
    zone_id: str | None = None
    distance_km: float | None = None  # signed km to the zone's edge: negative inside


#: Columns of ``flashpoints alerts --format csv``, in order.
ALERT_FIELDS = (
    "id",
    "created",
    "rule",
    "kind",
    "event_type",
    "date",
    "place",
    "country",
    "lat",
    "lon",
    "zone",
    "distance_km",
    "confidence",
    "sentence",
    "delivered",
    "webhook",
    "webhook_attempts",
    "error",
    "event_id",
)

_RULE_KEYS = frozenset(AlertRule.__dataclass_fields__)


def rules_from_config(tables: Any, where: str = "config") -> list[AlertRule]:
    """Rules from the ``[[alert]]`` tables of a parsed TOML file, checked key by key."""
    if tables is None:
        return []
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise InputError(f"{where}: [[alert]] must be a list of tables")
    rules: list[AlertRule] = []
    for number, table in enumerate(tables, start=1):
        label = f"{where}: [[alert]] #{number}"
        unknown = sorted(set(table) - _RULE_KEYS)
        if unknown:
            raise InputError(f"{label}: unknown setting(s): {', '.join(unknown)}")
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{label}: needs a name")
        lists = {}
        for key in ("zones", "types", "countries"):
            value = table.get(key, [])
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(f"{label} ({name}): {key} must be a list of strings")
            lists[key] = tuple(v.strip() for v in value if v.strip())
        numbers = {}
        for key, low, high in (("within_km", 0.0, 20_000.0), ("min_confidence", 0.0, 1.0)):
            value = table.get(key, 0.0)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"{label} ({name}): {key} must be a number")
            if not low <= value <= high:
                raise InputError(f"{label} ({name}): {key} must be between {low:g} and {high:g}")
            numbers[key] = float(value)
        webhook = table.get("webhook")
        if webhook is not None and (
            not isinstance(webhook, str) or not webhook.startswith(("http://", "https://"))
        ):
            raise InputError(f"{label} ({name}): webhook must be an http(s) address")
        rules.append(
            AlertRule(
                name=name.strip(),
                zones=lists["zones"],
                within_km=numbers["within_km"],
                types=tuple(t.casefold() for t in lists["types"]),
                countries=tuple(c.upper() for c in lists["countries"]),
                min_confidence=numbers["min_confidence"],
                webhook=webhook,
            )
        )
    names = [r.name for r in rules]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"{where}: two alert rules are named {repeated[0]!r}")
    return rules


def resolve_zones(rules: Iterable[AlertRule], declared: Sequence[Zone]) -> dict[str, Zone]:
    """Every zone the rules name: declared ids, or ``border:AA-BB`` strips and
    ``tripoint:AA-BB-CC`` areas generated with the default sizes. An id that is neither is an
    error naming the declared ones, so a typo fails at start, not silently at every poll."""
    from .zonegen import ZoneOptions, border_strip, tripoint_area

    by_id = {z.id: z for z in declared}
    out: dict[str, Zone] = {}
    opts = ZoneOptions()
    for rule in rules:
        for zone_id in rule.zones:
            if zone_id in out:
                continue
            zone = by_id.get(zone_id)
            kind, _, codes = zone_id.partition(":")
            parts = [c.upper() for c in codes.split("-")] if codes else []
            if zone is None and kind == "border" and len(parts) == 2:
                zone = border_strip(parts[0], parts[1], opts.strip_km)
            elif zone is None and kind == "tripoint" and len(parts) == 3:
                zone = tripoint_area(parts, opts.tripoint_km)
            if zone is None:
                known = ", ".join(sorted(by_id)) or "none"
                raise InputError(
                    f"alert rule {rule.name!r}: no zone {zone_id!r} (declared: {known};"
                    " or border:AA-BB, tripoint:AA-BB-CC for countries that meet)"
                )
            out[zone_id] = zone
    return out


def _types_of(event: Event) -> set[str]:
    """The names an event answers to: our kind, and ACLED's type and sub-type when present."""
    names = {event.kind.casefold()}
    for attr in ("event_type", "sub_event_type"):
        value = getattr(event, attr, None)
        if value:
            names.add(str(value).casefold())
    return names


def match_event(rule: AlertRule, event: Event, zones: Mapping[str, Zone]) -> Match | None:
    """The match of ``event`` against ``rule``, or None. Cheap tests first, distances last."""
    from .zones import zone_distance_km

    if event.confidence < rule.min_confidence:
        return None
    if rule.types and not _types_of(event) & set(rule.types):
        return None
    if rule.countries and event.place.country_code.upper() not in rule.countries:
        return None
    if not rule.zones:
        return Match(rule, event)
    best: tuple[float, str] | None = None
    for zone_id in rule.zones:
        _, distance = zone_distance_km(event.place.lat, event.place.lon, zones[zone_id])
        if best is None or distance < best[0]:
            best = (distance, zone_id)
    assert best is not None
    if best[0] > rule.within_km:
        return None
    return Match(rule, event, best[1], round(best[0], 3))


def alert_id(rule: str, event_id: str) -> str:
    """A stable id for the alert of ``rule`` on ``event_id`` (receivers can drop repeats)."""
    return hashlib.sha256(f"{rule}\x00{event_id}".encode()).hexdigest()[:20]


def summary(match: Match) -> str:
    """One line a person can read: what, where, when, and why the rule fired."""
    e = match.event
    when = e.date.isoformat() if e.date else "an unknown date"
    name = e.place.name
    # "near al Tanf garrison", "55 km northeast of ..." already say where they are relative to
    where = f"{'' if name[:1].islower() or name[:1].isdigit() else 'at '}{name}"
    where += f" ({e.place.country_code or '??'})"
    if match.zone_id is None:
        zone = ""
    elif match.distance_km is not None and match.distance_km <= 0:
        zone = f", inside {match.zone_id}"
    else:
        zone = f", {match.distance_km:g} km from {match.zone_id}"
    return f"[{match.rule.name}] {e.kind} {where} on {when}{zone}: {e.sentence}"


def payload(match: Match, articles: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """The JSON an alert is delivered as (a JSON line, or a webhook body)."""
    e = match.event
    record = e.record()
    return {
        "id": alert_id(match.rule.name, e.id),
        "rule": match.rule.name,
        "summary": summary(match),
        "zone": match.zone_id,
        "distance_km": match.distance_km,
        "event": {
            "id": e.id,
            "kind": e.kind,
            "event_type": getattr(e, "event_type", None),
            "sub_event_type": getattr(e, "sub_event_type", None),
            "date": record["date"],
            "date_precision": e.date_precision,
            "place": e.place.name,
            "country": e.place.country_code,
            "lat": e.place.lat,
            "lon": e.place.lon,
            "actors": list(e.actors),
            "confidence": e.confidence,
            "sentence": e.sentence,
        },
        "articles": [
            {"title": articles[d][0], "url": articles[d][1]}
            for d in record["sources"]
            if d in articles
        ],
    }


def evaluate(store: Store, rules: Sequence[AlertRule], zones: Mapping[str, Zone]) -> int:
    """Check the events each rule has not seen yet; store their alerts. Returns how many new.

    Each rule's alerts and its new mark go in one transaction, so a kill before it leaves
    the events to be checked again, and after it never checks them twice.
    """
    added = 0
    for rule in rules:
        mark = store.rule_mark(rule.name)
        events = store.events_after(mark)
        if not events:
            continue
        matches = [m for _, e in events if (m := match_event(rule, e, zones)) is not None]
        articles = store.document_sources({d for m in matches for d in m.event.sources})
        alerts = [
            {
                "event_id": m.event.id,
                "zone_id": m.zone_id,
                "distance_km": m.distance_km,
                "summary": summary(m),
                "payload": payload(m, articles),
                "webhook": rule.webhook,
            }
            for m in matches
        ]
        added += store.add_alerts(rule.name, alerts, events[-1][0])
    return added


def deliver(
    store: Store,
    out: TextIO | None,
    fetcher: Fetcher | None,
    log: Callable[[str], None] = lambda _: None,
) -> tuple[int, int]:
    """Write pending alerts as JSON lines to ``out`` and post them to their webhooks.

    Returns (alerts delivered now, to either, and alerts still waiting for their webhook). A
    webhook that fails keeps its alerts waiting for the next call; ``out`` None leaves
    JSON-line alerts waiting (a dashboard reads the store).
    """
    delivered: set[int] = set()
    if out is not None:
        for alert, body in store.alerts_to_notify():
            out.write(json.dumps(body, ensure_ascii=False) + "\n")
            out.flush()  # in the kernel's hands before it counts as written
            store.alert_notified(alert)
            delivered.add(alert)
    waiting = 0
    failing: set[str] = set()
    for alert, webhook, body in store.alerts_to_post():
        if fetcher is None or webhook in failing:
            waiting += 1
            continue
        try:
            fetcher.post_json(webhook, json.dumps(body, ensure_ascii=False).encode("utf-8"))
        except (FetchError, InputError) as err:
            store.alert_posted(alert, str(err))
            failing.add(webhook)  # one failure is enough: the rest wait for the next poll
            waiting += 1
            log(f"webhook failed, alert kept for the next poll: {err}")
            continue
        store.alert_posted(alert)
        delivered.add(alert)
    return len(delivered), waiting


def alerts_csv(records: Sequence[Mapping[str, Any]]) -> str:
    """Alert records (:meth:`Store.alerts`) as CSV, every cell safe for spreadsheets."""
    return records_csv(records, ALERT_FIELDS)
