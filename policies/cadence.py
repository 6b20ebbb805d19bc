"""The dunning cadence (régua de cobrança) the ISP configures: steps relative to a due date or to
the last legal act, per debtor segment, with channel, message, tone and an optional action;
the weekly cap, contact hours, segment thresholds and Anatel clocks it runs under.

Section `cadence` of the policy file, for example:

    cadence:
      weekly_cap: 3
      contact_hours:
        MG: {weekdays: "08:00-19:00", saturday: "09:00-13:00"}
      steps:
        - {name: overdue_d+2, days: 2, purpose: cadence_overdue, message: overdue}
        - {name: suspension_notice, days: 12, purpose: cadence_notice, message: notice,
           tone: formal, action: notice, mandatory: true}
        - ...

Given `steps` replace the default régua as a whole. Errors name the key at fault
("cadence.steps.2.days: ...").
"""

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from policies.anatel import NOTICE_PLACEHOLDERS, AnatelRules
from policies.base import RuleSet
from policies.cadence_texts import PLACEHOLDERS, MessageKind, Tone, placeholders_of
from policies.calendar import BusinessCalendar
from policies.contact_hours import DEFAULT_KEY, STATES, ContactHours, Window, hours_for
from policies.segments import ALL_SEGMENTS, Segment, SegmentRules


class Anchor(StrEnum):
    """What a step's `days` count from: the bill's due date (moved to a business day), the
    delivery of its suspension notice, or the contract's suspension or rescission."""

    DUE = "due"
    NOTICE = "notice"
    SUSPENSION = "suspension"
    RESCISSION = "rescission"


class Channel(StrEnum):
    WHATSAPP = "whatsapp"
    # Limitation: no e-mail or SMS sender exists yet; steps on these channels are recorded
    # as skipped ("channel_unavailable") so staff see them.
    EMAIL = "email"
    SMS = "sms"


class Action(StrEnum):
    """What a step asks of the ISP's ERP besides the message."""

    NOTICE = "notice"
    SUSPEND = "suspend"
    RESCIND = "rescind"
    LIST = "list"


class Subject(StrEnum):
    INVOICE = "invoice"
    INSTALLMENT = "installment"


# Each action starts the next clock, so each is anchored on the act before it.
ACTION_ANCHORS = {
    Action.NOTICE: Anchor.DUE,
    Action.SUSPEND: Anchor.NOTICE,
    Action.RESCIND: Anchor.SUSPENSION,
    Action.LIST: Anchor.RESCISSION,
}
NAME_PATTERN = r"^[a-z0-9][a-z0-9_+\-]{0,39}$"
PURPOSE_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"


class Step(BaseModel):
    """One step of the régua.

    Due `days` after its `anchor` (negative before a due date); for the debtor `segments` it
    names; sent on `channel` as outbox `purpose` with the `message` text in `tone` (or the
    segment's own tone in `tones`); `action` goes to the ERP. A `mandatory` step is a legal
    communication: exempt from the weekly cap and still sent after an opt-out when its purpose
    is one the sender treats as mandatory. A step not done within `expires_after_days` of its
    day is dropped (never for actions). Due-date steps of a bill replace one another: only
    the latest one due is sent, so a bill found late is not sent yesterday's reminders.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    subject: Subject = Subject.INVOICE
    anchor: Anchor = Anchor.DUE
    days: int = Field(ge=-30, le=365)
    segments: frozenset[Segment] = ALL_SEGMENTS
    channel: Channel = Channel.WHATSAPP
    purpose: str = Field(pattern=PURPOSE_PATTERN)
    message: MessageKind
    tone: Tone = Tone.NEUTRAL
    tones: dict[Segment, Tone] = Field(default_factory=dict)
    action: Action | None = None
    mandatory: bool = False
    expires_after_days: int | None = Field(default=None, ge=0)

    def __hash__(self) -> int:
        return hash(self.model_dump_json())

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.action is not None and self.anchor != ACTION_ANCHORS[self.action]:
            expected = ACTION_ANCHORS[self.action]
            raise ValueError(f"anchor: a {self.action} step counts from {expected}")
        if self.subject == Subject.INSTALLMENT and (self.action or self.anchor != Anchor.DUE):
            raise ValueError("subject: installment steps count from the due date, with no action")
        if self.action == Action.NOTICE and self.days < 1:
            raise ValueError("days: a suspension notice goes after the due date (1 or more)")
        if self.action is not None and self.expires_after_days is not None:
            raise ValueError("expires_after_days: legal steps do not expire")
        if self.anchor != Anchor.DUE and self.days < 0:
            raise ValueError("days: only due-date steps may come before their anchor")
        if not self.segments:
            raise ValueError("segments: name at least one segment")
        return self

    def tone_for(self, segment: Segment) -> Tone:
        return self.tones.get(segment, self.tone)


def _step(name: str, days: int, purpose: str, message: MessageKind, **extra: object) -> Step:
    return Step.model_validate(
        {"name": name, "days": days, "purpose": purpose, "message": message, **extra}
    )


_PAYS_LATE = [Segment.DISORGANIZED, Segment.CHRONIC, Segment.NEW_CUSTOMER]
_LEGAL = {"tone": Tone.FORMAL, "mandatory": True}
DEFAULT_STEPS: tuple[Step, ...] = (
    _step("reminder_d-3", -3, "cadence_reminder", MessageKind.REMINDER, segments=_PAYS_LATE,
          tones={Segment.CHRONIC: Tone.FIRM, Segment.NEW_CUSTOMER: Tone.GENTLE}),
    _step("due_today", 0, "cadence_reminder", MessageKind.DUE_TODAY,
          segments=[Segment.DISORGANIZED, Segment.CHRONIC]),
    _step("overdue_d+1", 1, "cadence_overdue", MessageKind.OVERDUE, expires_after_days=3,
          tones={Segment.LOYAL: Tone.GENTLE, Segment.NEW_CUSTOMER: Tone.GENTLE,
                 Segment.CASH_FLOW_TROUBLE: Tone.SUPPORTIVE}),
    _step("overdue_d+5", 5, "cadence_overdue", MessageKind.OVERDUE, expires_after_days=4,
          tones={Segment.LOYAL: Tone.GENTLE, Segment.CASH_FLOW_TROUBLE: Tone.SUPPORTIVE,
                 Segment.CHRONIC: Tone.FIRM}),
    _step("suspension_notice", 10, "cadence_notice", MessageKind.NOTICE, action=Action.NOTICE,
          **_LEGAL),
    _step("suspension", 15, "cadence_suspension", MessageKind.SUSPENSION, anchor=Anchor.NOTICE,
          action=Action.SUSPEND, **_LEGAL),
    _step("rescission", 60, "cadence_rescission", MessageKind.RESCISSION,
          anchor=Anchor.SUSPENSION, action=Action.RESCIND, **_LEGAL),
    _step("credit_listing", 10, "cadence_listing", MessageKind.LISTING,
          anchor=Anchor.RESCISSION, action=Action.LIST, **_LEGAL),
    _step("installment_d-2", -2, "cadence_reminder", MessageKind.INSTALLMENT_REMINDER,
          subject=Subject.INSTALLMENT),
    _step("installment_d+1", 1, "cadence_overdue", MessageKind.INSTALLMENT_OVERDUE,
          subject=Subject.INSTALLMENT, expires_after_days=5),
)  # fmt: skip


class CadenceRules(RuleSet):
    """Section `cadence` of the policy file.

    `weekly_cap` limits the non-mandatory messages a debtor gets in any 7 days (steps over it
    are recorded as skipped); `closing_margin_minutes` keeps sends that far from a window's
    end so that a queued message leaves in time; `contact_hours` overrides the presets by UF
    or "default".
    """

    steps: tuple[Step, ...] = DEFAULT_STEPS
    weekly_cap: int = Field(default=3, ge=1, le=50)
    closing_margin_minutes: int = Field(default=30, ge=0, le=180)
    contact_hours: dict[str, ContactHours] = Field(default_factory=dict)
    segments: SegmentRules = Field(default_factory=SegmentRules)
    anatel: AnatelRules = Field(default_factory=AnatelRules)
    texts: dict[MessageKind, dict[Tone, str]] = Field(default_factory=dict)

    @field_validator("contact_hours")
    @classmethod
    def _known_states(cls, value: dict[str, ContactHours]) -> dict[str, ContactHours]:
        for key in value:
            if key != DEFAULT_KEY and key not in STATES:
                raise ValueError(f"{key}: not a UF (use two capital letters, or {DEFAULT_KEY})")
        return value

    @field_validator("texts")
    @classmethod
    def _known_placeholders(
        cls, value: dict[MessageKind, dict[Tone, str]]
    ) -> dict[MessageKind, dict[Tone, str]]:
        for kind, by_tone in value.items():
            for tone, text in by_tone.items():
                _check_text(f"{kind}.{tone}", kind, text)
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        names = [step.name for step in self.steps]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"steps: step name {duplicates[0]!r} is used twice")
        for index, step in enumerate(self.steps):
            _check_legal_days(index, step, self.anatel)
        _check_margin(self.closing_margin_minutes, self.contact_hours)
        return self

    def steps_for(self, subject: Subject, anchor: Anchor) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.subject == subject and s.anchor == anchor)

    def step_named(self, name: str) -> Step | None:
        return next((step for step in self.steps if step.name == name), None)

    @property
    def margin(self) -> timedelta:
        return timedelta(minutes=self.closing_margin_minutes)

    def hours_for(self, state: str | None) -> ContactHours:
        return hours_for(state, self.contact_hours)


def due_threshold(days: int, today: date, calendar: BusinessCalendar) -> date:
    """The latest raw due date whose step `days` after it is due by `today`.

    A bill's clock runs from its effective due date (the next business day on or after the
    raw one), so the step is due when effective_due + days <= today. The effective date is
    monotonic in the raw one, so that holds exactly for raw dates up to the last business
    day on or before today - days.
    """
    day = today - timedelta(days)
    while not calendar.is_business_day(day):
        day -= timedelta(1)
    return day


def latest_due_step(
    steps: Iterable[Step],
    segment: Segment,
    due_date: date,
    today: date,
    calendar: BusinessCalendar,
    subject: Subject = Subject.INVOICE,
) -> Step | None:
    """Of the due-date steps of `subject` for `segment`, the one with the most days that is
    due by `today` for a bill due on `due_date` (ties: the first listed); None before any."""
    eligible = [
        s
        for s in steps
        if s.subject == subject and s.anchor == Anchor.DUE and segment in s.segments
    ]
    due = [s for s in eligible if due_date <= due_threshold(s.days, today, calendar)]
    return max(due, key=lambda s: s.days, default=None)


def _check_legal_days(index: int, step: Step, anatel: AnatelRules) -> None:
    minimums = {
        Action.SUSPEND: anatel.notice_to_suspension_days,
        Action.RESCIND: anatel.suspension_to_rescission_days,
    }
    minimum = minimums.get(step.action) if step.action else None
    if minimum is not None and step.days < minimum:
        raise ValueError(
            f"steps.{index}.days: a {step.action} step needs at least {minimum} days "
            f"after its {step.anchor} (Anatel RGC)"
        )


def _check_text(key: str, kind: MessageKind, text: str) -> None:
    try:
        used = placeholders_of(text)
    except ValueError as error:
        raise ValueError(f"{key}: {error}") from None
    unknown = sorted(used - PLACEHOLDERS)
    if unknown:
        raise ValueError(
            f"{key}: unknown placeholder {{{unknown[0]}}} (known: {sorted(PLACEHOLDERS)})"
        )
    missing = sorted(NOTICE_PLACEHOLDERS - used) if kind == MessageKind.NOTICE else []
    if missing:
        raise ValueError(f"{key}: a suspension notice must state {{{missing[0]}}} (Anatel RGC)")


def _check_margin(minutes: int, overrides: dict[str, ContactHours]) -> None:
    margin = timedelta(minutes=minutes)
    for key in {*STATES, DEFAULT_KEY}:
        hours = hours_for(key, overrides)
        for window in (hours.weekdays, hours.saturday):
            if window is not None and _length(window) <= margin:
                raise ValueError(
                    f"closing_margin_minutes: {minutes} minutes leaves no time in the "
                    f"{window.label} window of {key}"
                )


def _length(window: Window) -> timedelta:
    start = timedelta(hours=window.start.hour, minutes=window.start.minute)
    return timedelta(hours=window.end.hour, minutes=window.end.minute) - start
