"""What a use case returns: what happened, who won a race, and what to tell whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain import Article, ArticleStatus

# The statuses an admin may publish, schedule or queue an article from.
DECIDABLE: tuple[ArticleStatus, ...] = (
    ArticleStatus.PENDING,
    ArticleStatus.APPROVED,
    ArticleStatus.SCHEDULED,  # a new time or "now" replaces the schedule
    ArticleStatus.DRAFT,
    ArticleStatus.REJECTED,
)


class Outcome(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"
    WRONG_STATE = "wrong_state"
    NO_CHANNEL = "no_channel"
    NO_SLOT = "no_slot"
    INVALID = "invalid"


class DecisionKind(StrEnum):
    """A review decision, named as its audit entry is."""

    PUBLISH_NOW = "publish_now"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision that was taken: what the review card and the author are told."""

    kind: DecisionKind
    actor_id: int
    actor_name: str
    at: datetime
    due: datetime | None = None  # the first channel's time, for publishing decisions
    immediate: bool = False  # "publishing now" rather than "scheduled for"
    reason: str = ""
    signed: bool = False  # the rejection carries the admin's name
    tell_author: bool = True  # False when the author decided it themselves


@dataclass(frozen=True, slots=True)
class Winner:
    """Who took the decision a loser of a race tried to take, and what it was."""

    status: ArticleStatus
    name: str
    actor_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    article: Article | None = None
    detail: str = ""  # the offending channel (NO_SLOT), the reason (INVALID)
    winner: Winner | None = None  # for a lost race
    decision: Decision | None = None  # for a decision taken

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK
