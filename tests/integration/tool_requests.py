"""What monitoring tools send, built as their own code builds it, from the configuration
snippets of ``docs/integrations/`` (the snippets are the fixtures: a test reads them from the
page, so a page that drifts from what works fails a test).

Sources of the shapes (public code and documentation of each tool):

- Alertmanager 0.25 (Debian's ``prometheus-alertmanager``): ``notify/webhook`` posts
  ``{template.Data, version "4", groupKey, truncatedAlerts}`` JSON-encoded by Go with a
  trailing newline; ``notify/pagerduty`` posts an Events API v2 event whose ``dedup_key`` is
  the SHA-256 of the group key, ``source`` and ``client`` "Alertmanager", and the default
  details ``firing``, ``resolved``, ``num_firing``, ``num_resolved``. Both send
  ``User-Agent: Alertmanager/<version>``.
- Grafana alerting (``grafana/alerting``): ``receivers/webhook/v1`` posts ``ExtendedData``
  plus ``version "1"``, ``orgId``, ``title``, ``state`` (``alerting`` / ``ok``), ``message``,
  with ``Authorization: <scheme> <credentials>``; ``receivers/pagerduty/v1`` posts an event
  with ``class``, ``component`` and ``group`` defaults, a link to the external URL and
  string details.
- Datadog's webhooks integration substitutes ``$VARIABLES`` in the payload template (JSON
  escaped) and adds the custom headers.
- Sentry's integration platform (``sentry_apps/api/serializers/app_platform_event.py``)
  posts ``{action, installation, data, actor}`` with ``Content-Type``, ``Request-ID``,
  ``Sentry-Hook-Resource``, ``Sentry-Hook-Timestamp`` (Unix seconds) and
  ``Sentry-Hook-Signature`` (hex HMAC-SHA256 of the body with the Client Secret).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DOCS = Path(__file__).parents[2] / "docs" / "integrations"
PUBLIC_URL = "https://imas.example.com"
SECRET = "REPLACE_WITH_INTEGRATION_SECRET"
ROUTING_KEY = "REPLACE_WITH_ROUTING_KEY"
ALERTMANAGER_VERSION = "0.25.0"
ZERO_TIME = "0001-01-01T00:00:00Z"


@dataclass(frozen=True)
class Sent:
    """One request as the tool sends it: where, with which headers, which bytes."""

    url: str
    headers: dict[str, str]
    body: bytes


def snippet(page: str, name: str) -> str:
    """The fenced block named ``name`` (```` ```yaml name ````) of ``docs/integrations/page``."""
    text = (DOCS / page).read_text()
    found = re.findall(rf"^```\w+ {re.escape(name)}\n(.*?)^```$", text, re.M | re.S)
    assert len(found) == 1, f"{page} should have one block named {name}, it has {len(found)}"
    return str(found[0])


def placed(text: str, url: str, secret: str = "", routing_key: str = "") -> str:
    """A snippet pointed at a test gateway, with the integration's secret or routing key."""
    return text.replace(PUBLIC_URL, url).replace(SECRET, secret).replace(ROUTING_KEY, routing_key)


def go_json(value: Any) -> bytes:
    """As Go's ``json.Encoder`` writes it: compact, HTML characters escaped, a newline."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escaped)
    return (text + "\n").encode()


# -- Go templates, as far as the snippets use them ----------------------------------------------

_FIELD = re.compile(r"\{\{ \.(CommonLabels|CommonAnnotations)\.(\w+) \}\}")
_IF = re.compile(r'\{\{ (?:else )?if eq \.CommonLabels\.(\w+) "([^"]*)" \}\}([^{]*)')
_ELSE = re.compile(r"\{\{ else \}\}([^{]*)\{\{ end \}\}")


def render(template: str, data: dict[str, Any]) -> str:
    """The snippets' templates for one notification: fields of the common labels and
    annotations, and ``if eq … else if eq … else … end`` chains on a label."""
    if template.startswith("{{ if"):
        for label, value, result in _IF.findall(template):
            if data["commonLabels"].get(label, "") == value:
                return str(result)
        match = _ELSE.search(template)
        assert match, template
        return match.group(1)
    names = {"CommonLabels": "commonLabels", "CommonAnnotations": "commonAnnotations"}
    rendered = _FIELD.sub(lambda m: str(data[names[m.group(1)]].get(m.group(2), "")), template)
    assert "{{" not in rendered, f"a template the tests cannot render: {template}"
    return rendered


# -- Alertmanager and Grafana: a notification group ---------------------------------------------


@dataclass
class Group:
    """Alerts Alertmanager (or Grafana) notifies together, grouped by ``group_by``."""

    receiver: str
    group_by: list[str]
    alerts: list[dict[str, Any]] = field(default_factory=list)
    external_url: str = "http://alertmanager.example.com:9093"

    def alert(self, labels: dict[str, str], annotations: dict[str, str], **extra: Any) -> None:
        """A firing alert, as ``template.Alert`` encodes it."""
        self.alerts.append(
            {
                "status": "firing",
                "labels": labels,
                "annotations": annotations,
                "startsAt": "2026-02-05T18:29:00.000Z",
                "endsAt": ZERO_TIME,
                "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=errors",
                "fingerprint": uuid.uuid4().hex[:16],
                **extra,
            }
        )

    def resolve(self) -> None:
        for alert in self.alerts:
            alert["status"] = "resolved"
            alert["endsAt"] = "2026-02-05T18:41:00.000Z"

    @property
    def status(self) -> str:
        firing = any(a["status"] == "firing" for a in self.alerts)
        return "firing" if firing else "resolved"

    def _common(self, key: str) -> dict[str, str]:
        first = self.alerts[0][key]
        return {k: v for k, v in first.items() if all(a[key].get(k) == v for a in self.alerts[1:])}

    @property
    def group_labels(self) -> dict[str, str]:
        return {k: v for k, v in self.alerts[0]["labels"].items() if k in self.group_by}

    @property
    def group_key(self) -> str:
        pairs = ", ".join(f'{k}="{v}"' for k, v in sorted(self.group_labels.items()))
        return "{}:{" + pairs + "}"

    def data(self) -> dict[str, Any]:
        """``template.Data``: what every notifier renders and the webhook sends."""
        return {
            "receiver": self.receiver,
            "status": self.status,
            "alerts": self.alerts,
            "groupLabels": self.group_labels,
            "commonLabels": self._common("labels"),
            "commonAnnotations": self._common("annotations"),
            "externalURL": self.external_url,
        }

    def text_list(self, status: str) -> str:
        """``pagerduty.default.instances``: each alert's labels and annotations as text."""
        lines = []
        for alert in (a for a in self.alerts if a["status"] == status):
            lines.append("Labels:")
            lines += [f" - {k} = {v}" for k, v in sorted(alert["labels"].items())]
            lines.append("Annotations:")
            lines += [f" - {k} = {v}" for k, v in sorted(alert["annotations"].items())]
            lines.append(f"Source: {alert['generatorURL']}")
        return "\n".join(lines)

    def details(self) -> dict[str, str]:
        firing = [a for a in self.alerts if a["status"] == "firing"]
        return {
            "firing": self.text_list("firing"),
            "resolved": self.text_list("resolved"),
            "num_firing": str(len(firing)),
            "num_resolved": str(len(self.alerts) - len(firing)),
        }


def _alertmanager_receiver(config: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    (receiver,) = [r for r in config["receivers"] if r["name"] == config["route"]["receiver"]]
    (notifier,) = receiver[kind]
    return receiver["name"], notifier


def alertmanager_webhook(config: dict[str, Any], group: Group) -> Sent:
    """What Alertmanager's webhook notifier posts for ``group`` with this configuration."""
    _, notifier = _alertmanager_receiver(config, "webhook_configs")
    if group.status == "resolved":
        assert notifier.get("send_resolved", True), "this receiver never sends resolutions"
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"Alertmanager/{ALERTMANAGER_VERSION}",
    }
    authorization = notifier.get("http_config", {}).get("authorization")
    if authorization:
        scheme = authorization.get("type", "Bearer")
        headers["Authorization"] = f"{scheme} {authorization['credentials']}"
    message = {**group.data(), "version": "4", "groupKey": group.group_key, "truncatedAlerts": 0}
    return Sent(notifier["url"], headers, go_json(message))


def alertmanager_pagerduty(config: dict[str, Any], group: Group) -> Sent:
    """What Alertmanager's PagerDuty notifier (Events API v2) posts for ``group``."""
    name, notifier = _alertmanager_receiver(config, "pagerduty_configs")
    data = group.data()
    details = group.details()
    details.update({k: render(v, data) for k, v in notifier.get("details", {}).items()})
    event = {
        "routing_key": notifier["routing_key"],
        "dedup_key": hashlib.sha256(group.group_key.encode()).hexdigest(),
        "event_action": "trigger" if group.status == "firing" else "resolve",
        "payload": {
            "summary": render(notifier["description"], data)[:1024],
            "source": "Alertmanager",
            "severity": render(notifier.get("severity", "error"), data),
            "custom_details": details,
        },
        "client": "Alertmanager",
        "client_url": f"{group.external_url}/#/alerts?receiver={name}",
    }
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"Alertmanager/{ALERTMANAGER_VERSION}",
    }
    return Sent(notifier["url"], headers, go_json(event))


# -- Grafana -----------------------------------------------------------------------------------


def grafana_group(service: str, summary: str) -> Group:
    """A Grafana-managed alert with what Grafana adds: folder label, values, links."""
    group = Group(
        receiver="IMAS",
        group_by=["alertname", "grafana_folder"],
        external_url="https://grafana.example.com/",
    )
    rule = uuid.uuid4().hex[:14]
    group.alert(
        {
            "alertname": "CheckoutLatency",
            "grafana_folder": "Checkout",
            "service": service,
            "severity": "warning",
        },
        {"summary": summary, "description": "p99 above 2 s for 5 minutes"},
        generatorURL=f"https://grafana.example.com/alerting/grafana/{rule}/view?orgId=1",
        silenceURL="https://grafana.example.com/alerting/silence/new?alertmanager=grafana",
        dashboardURL="https://grafana.example.com/d/checkout?orgId=1",
        panelURL="https://grafana.example.com/d/checkout?orgId=1&viewPanel=4",
        values={"B": 2.4, "C": 1},
        valueString="[ var='B' labels={service=checkout-api} value=2.4 ]",
    )
    return group


def _grafana_receiver(provisioning: dict[str, Any], kind: str) -> dict[str, Any]:
    (point,) = provisioning["contactPoints"]
    (receiver,) = [r for r in point["receivers"] if r["type"] == kind]
    return receiver  # type: ignore[no-any-return]


def grafana_webhook(provisioning: dict[str, Any], group: Group) -> Sent:
    """What Grafana's webhook contact point posts for ``group``."""
    receiver = _grafana_receiver(provisioning, "webhook")
    if group.status == "resolved":
        assert not receiver.get("disableResolveMessage"), "this contact point never resolves"
    settings = receiver["settings"]
    headers = {"Content-Type": "application/json", "User-Agent": "Grafana"}
    if settings.get("authorization_credentials"):
        scheme = settings.get("authorization_scheme") or "Bearer"
        headers["Authorization"] = f"{scheme} {settings['authorization_credentials']}"
    firing = group.status == "firing"
    count = sum(a["status"] == group.status for a in group.alerts)
    title = f"[{group.status.upper()}{f':{count}' if firing else ''}] CheckoutLatency Checkout"
    message = {
        **group.data(),
        "version": "1",
        "groupKey": '{}/{__grafana_receiver__="IMAS"}:' + group.group_key[3:],
        "truncatedAlerts": 0,
        "orgId": 1,
        "title": title,
        "state": "alerting" if firing else "ok",
        "message": f"**{group.status.capitalize()}**\n\nValue: B=2.4",
    }
    return Sent(settings["url"], headers, go_json(message))


def grafana_pagerduty(provisioning: dict[str, Any], group: Group) -> Sent:
    """What Grafana's PagerDuty contact point posts for ``group``."""
    settings = _grafana_receiver(provisioning, "pagerduty")["settings"]
    data = group.data()
    details = group.details()
    details.update({k: render(v, data) for k, v in settings.get("details", {}).items()})
    event = {
        "routing_key": settings["integrationKey"],
        "dedup_key": hashlib.sha256(group.group_key.encode()).hexdigest(),
        "event_action": "trigger" if group.status == "firing" else "resolve",
        "payload": {
            "summary": render(settings["summary"], data),
            "source": "grafana-0",
            "severity": settings.get("severity", "critical"),
            "class": "default",
            "component": "Grafana",
            "group": "default",
            "custom_details": details,
        },
        "client": "Grafana",
        "client_url": group.external_url,
        "links": [{"href": group.external_url, "text": "External URL"}],
    }
    return Sent(settings["url"], {"Content-Type": "application/json"}, go_json(event))


# -- Datadog -----------------------------------------------------------------------------------


def datadog_webhook(url: str, payload: str, headers: str, values: dict[str, str]) -> Sent:
    """Datadog's webhook: the payload template with each ``$VARIABLE`` replaced (JSON
    escaped, longest names first so ``$ALERT_ID`` does not eat ``$ALERT_ID_X``)."""
    body = payload
    for name in sorted(values, key=len, reverse=True):
        body = body.replace(f"${name}", json.dumps(values[name])[1:-1])
    assert "$" not in body.replace("$$", ""), f"a variable left unset in {body}"
    sent_headers = {"Content-Type": "application/json", **json.loads(headers)}
    return Sent(url, sent_headers, body.encode())


def datadog_values(transition: str, monitor: str, service: str) -> dict[str, str]:
    """The variables of a monitor alert on ``service``, as Datadog fills them."""
    return {
        "ID": str(5815416416488585731 + len(transition)),
        "EVENT_TITLE": f"[{transition} on {{service:{service}}}] High error rate on {service}",
        "EVENT_MSG": (
            f'%%%\nError rate is above 5% on {service}\n\n"5xx" ratio: 6.2%\n@webhook-imas\n%%%'
        ),
        "DATE": "1770316200000",
        "LAST_UPDATED": "1770316200000",
        "EVENT_TYPE": "query_alert_monitor",
        "ALERT_ID": monitor,
        "ALERT_TITLE": f"High error rate on {service}",
        "ALERT_TRANSITION": transition,
        "ALERT_PRIORITY": "P2",
        "ALERT_TYPE": "success" if transition == "Recovered" else "error",
        "ALERT_SCOPE": f"service:{service}",
        "AGGREG_KEY": hashlib.md5(f"{monitor}{service}".encode()).hexdigest(),
        "HOSTNAME": "",
        "TAGS": f"env:prod,service:{service},team:payments,monitor",
        "LINK": f"https://app.datadoghq.com/monitors/{monitor}",
        "ORG_ID": "11287",
        "ORG_NAME": "Example Org",
    }


# -- Sentry ------------------------------------------------------------------------------------


def sentry(url: str, client_secret: str, resource: str, body: dict[str, Any]) -> Sent:
    """A Sentry webhook: the body once serialised, signed as sent."""
    raw = json.dumps(body, separators=(",", ":")).encode()
    signature = hmac.new(client_secret.encode(), raw, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "Request-ID": uuid.uuid4().hex,
        "Sentry-Hook-Resource": resource,
        "Sentry-Hook-Timestamp": str(int(time.time())),
        "Sentry-Hook-Signature": signature,
    }
    return Sent(url, headers, raw)


INSTALLATION = {"uuid": "7a485448-a9e2-4c85-8a3c-4f44175783c9"}
SENTRY_APP = {"type": "application", "id": "sentry", "name": "Sentry"}


def sentry_event_alert(issue_id: str) -> dict[str, Any]:
    """An issue alert rule's action (resource ``event_alert``)."""
    web = (
        f"https://example-org.sentry.io/issues/{issue_id}/events/9fac2ceed9344f2bbfdd1fdacb0ed9b1/"
    )
    return {
        "action": "triggered",
        "installation": INSTALLATION,
        "data": {
            "event": {
                "event_id": "9fac2ceed9344f2bbfdd1fdacb0ed9b1",
                "issue_id": issue_id,
                "issue_url": f"https://sentry.io/api/0/issues/{issue_id}/",
                "level": "error",
                "title": "ZeroDivisionError: division by zero",
                "culprit": "checkout.views in pay",
                "platform": "python",
                "project": 1,
                "environment": "prod",
                "web_url": web,
                "tags": [["environment", "prod"], ["level", "error"], ["release", "v42"]],
                "datetime": "2026-02-05T18:29:12.000000Z",
                "timestamp": 1770316152.0,
            },
            "triggered_rule": "Checkout errors",
        },
        "actor": SENTRY_APP,
    }


def sentry_issue(issue_id: str, action: str) -> dict[str, Any]:
    """An issue change (resource ``issue``): ``resolved`` by someone in Sentry."""
    return {
        "action": action,
        "installation": INSTALLATION,
        "data": {
            "issue": {
                "id": issue_id,
                "shortId": "CHECKOUT-1F",
                "title": "ZeroDivisionError: division by zero",
                "culprit": "checkout.views in pay",
                "level": "error",
                "status": action,
                "permalink": f"https://example-org.sentry.io/issues/{issue_id}/",
                "firstSeen": "2026-02-05T18:29:12.000000Z",
                "lastSeen": "2026-02-05T18:35:40.000000Z",
                "project": {"id": "1", "name": "checkout", "slug": "checkout"},
            }
        },
        "actor": {"type": "user", "id": 42, "name": "Alice"},
    }


def sentry_metric_alert(alert_id: str, action: str) -> dict[str, Any]:
    """A metric alert's trigger action (resource ``metric_alert``): critical, resolved."""
    title = {"critical": "Critical", "warning": "Warning", "resolved": "Resolved"}[action]
    return {
        "action": action,
        "installation": INSTALLATION,
        "data": {
            "metric_alert": {
                "id": alert_id,
                "identifier": 4,
                "title": "Too many checkout errors",
                "status": 20 if action == "critical" else 2,
                "date_started": "2026-02-05T18:20:00.000000Z",
                "date_detected": "2026-02-05T18:30:00.000000Z",
                "date_closed": None,
                "alert_rule": {
                    "id": "3",
                    "name": "Too many checkout errors",
                    "aggregate": "count()",
                    "time_window": 10,
                    "environment": "prod",
                    "projects": ["checkout"],
                },
            },
            "description_text": "1000 events in the last 10 minutes\nFilter: level:error",
            "description_title": f"{title}: Too many checkout errors",
            "web_url": "https://example-org.sentry.io/alerts/rules/details/3/",
        },
        "actor": SENTRY_APP,
    }


def yaml_snippet(page: str, name: str, url: str, **secrets: str) -> dict[str, Any]:
    """A YAML snippet of a page, pointed at ``url`` with the integration's secrets."""
    loaded: dict[str, Any] = yaml.safe_load(placed(snippet(page, name), url, **secrets))
    return loaded
