"""Plain data shared by ingest, compose, storage and publishing.

Nothing here imports aiogram or touches the database: these are the values that flow between the
layers, so that parsing and formatting stay pure functions over them. The stored entities
(``Article``, ``Publication``, ``Channel``, ...) live here too: the repositories return them and
everything else imports them from here, never from ``storage``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ArticleStatus(StrEnum):
    """Editorial state of an article (the publication rows carry the per-channel state)."""

    DRAFT = "draft"
    PENDING = "pending"  # submitted, waiting for an admin
    APPROVED = "approved"  # approved, queued or waiting for a publish action
    SCHEDULED = "scheduled"  # has publications with a due time
    PUBLISHED = "published"
    REJECTED = "rejected"
    DELETED = "deleted"


class PublicationStatus(StrEnum):
    """State of one article x channel publication (the outbox row)."""

    SCHEDULED = "scheduled"  # due_at set, waiting for the scheduler
    PUBLISHING = "publishing"  # claimed: a send may be in flight
    PUBLISHED = "published"
    FAILED = "failed"
    HELD = "held"  # needs an admin decision (missed grace period, or unknown outcome)
    CANCELLED = "cancelled"


#: Publications that may still reach their channel: while one is open, its article is not
#: published yet.
OPEN_PUBLICATIONS: tuple[PublicationStatus, ...] = (
    PublicationStatus.SCHEDULED,
    PublicationStatus.PUBLISHING,
    PublicationStatus.HELD,
)
#: The state key ``/pause`` sets ("1") and the publishing engine reads before claiming anything.
PAUSED_KEY = "publishing_paused"


class Layout(StrEnum):
    """How an article that does not fit one caption is laid out."""

    AUTO = "auto"
    CAPTION = "caption"  # photo + caption, body shortened at a sentence boundary
    SPLIT = "split"  # photo + caption, then the full text in follow-up messages
    PREVIEW = "preview"  # one text message, photo as a large link preview above it
    RICH = "rich"  # one rich message (sendRichMessage): the whole article, see docs/RICH_POSTS.md


class Part(StrEnum):
    """Parts of a post a channel template can include and order."""

    TITLE = "title"
    LEAD = "lead"
    BODY = "body"
    CREDIT = "credit"
    SOURCE = "source"
    TAGS = "tags"
    SIGNATURE = "signature"


DEFAULT_PARTS: tuple[Part, ...] = (
    Part.TITLE,
    Part.LEAD,
    Part.BODY,
    Part.CREDIT,
    Part.SOURCE,
    Part.TAGS,
    Part.SIGNATURE,
)


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo reference: a Telegram ``file_id`` or a public http(s) URL.

    Width, height and size are known for photos Telegram gave us (PhotoSize) and unknown (0) for
    URLs until fetched; ``check()`` uses them to warn before Telegram refuses.
    """

    ref: str
    is_url: bool = False
    width: int = 0
    height: int = 0
    file_size: int = 0


@dataclass(frozen=True, slots=True)
class Formatting:
    """One formatting entity as Telegram sends it with a caption or a message.

    Offsets and lengths are in UTF-16 code units of the text it came with.
    """

    type: str
    offset: int
    length: int
    url: str | None = None


# Entity types kept as formatting of the body. Auto-detected ones (url, mention, hashtag, …)
# are left out because Telegram detects them again in the post; text_mention and custom_emoji
# are left out because they only mean something to the sender.
MARK_TYPES = frozenset(
    {"bold", "italic", "underline", "strikethrough", "spoiler", "code", "text_link"}
)


@dataclass(frozen=True, slots=True)
class Mark:
    """Formatting kept on a body paragraph: ``body[para][start:end]`` in code points.

    Marks of one paragraph nest or are disjoint (never partly overlap), so they render as
    well-formed HTML with exactly one entity each.
    """

    para: int
    start: int
    end: int
    type: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleContent:
    """The editorial content of an article: what parsers produce and the composer consumes."""

    title: str = ""
    lead: str = ""
    body: tuple[str, ...] = ()  # paragraphs, in order, without blank lines
    marks: tuple[Mark, ...] = ()  # formatting of the body (captions, forwarded posts)
    photos: tuple[Photo, ...] = ()
    photo_credit: str = ""
    source_name: str = ""
    source_url: str = ""
    original_source: str = ""
    original_url: str = ""  # link to the original post (forwarded channel posts)
    canonical_url: str = ""
    published_at: datetime | None = None  # when the source published it (aware, UTC)
    tags: tuple[str, ...] = ()
    language: str = ""  # "ru" / "en" / "" (unknown)


@dataclass(frozen=True, slots=True)
class ChannelTemplate:
    """Per-channel choices for how posts look; defaults need no configuration."""

    language: str = "ru"
    parts: tuple[Part, ...] = DEFAULT_PARTS
    signature: str = ""  # plain text; rendered as a link when signature_url is set
    signature_url: str = ""
    read_more_button: bool = True
    silent: bool = False
    layout: Layout = Layout.AUTO
    tag_list: tuple[str, ...] = ()  # channel hashtags matched in the text
    max_body_cut_ratio: float = 0.5  # check() warns when more of the body than this is cut
    # The source a pasted draft takes when its copy names none (issue 13); "" = none.
    default_source: str = ""
    # Issue 15: may ``auto`` lay an article out as one rich message when the ordinary layouts
    # need several? Off by default, so nothing subscribers see changes until an admin opts in.
    allow_rich: bool = False


@dataclass(frozen=True, slots=True)
class UrlButton:
    text: str
    url: str


@dataclass(frozen=True, slots=True)
class OutMessage:
    """One Bot API call of a post: a photo with caption, an album, or a text message.

    ``html`` is the caption or text in Telegram HTML parse mode; ``visible_length`` is the length
    Telegram counts after entity parsing.
    """

    kind: str  # "photo" | "album" | "text" | "rich"
    html: str
    visible_length: int
    entity_count: int
    photos: tuple[Photo, ...] = ()
    link_preview_url: str | None = None  # text messages: large preview above the text
    buttons: tuple[UrlButton, ...] = ()
    disable_notification: bool = False
    # kind "rich": the InputRichMessage as Bot API JSON (blocks form, see bot/compose/rich.py);
    # a string keeps the frozen message hashable and is exactly what goes on the wire.
    rich: str = ""


@dataclass(frozen=True, slots=True)
class Post:
    """The exact messages a channel receives for one article, in order."""

    messages: tuple[OutMessage, ...]
    layout: Layout
    body_chars_total: int = 0
    body_chars_kept: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


# --- stored entities: what the repositories return (never aiogram types, never sqlite rows) ---


@dataclass(frozen=True, slots=True)
class Doubts:
    """What the parser was not sure of when it made the draft, kept until the editor settles it.

    Issue 13: the draft card shows these with one-tap fixes instead of guessing silently.
    ``warnings`` are :class:`bot.ingest.report.ParseWarning` codes, plus ``default_source``
    when the source came from a default (``default_from``: "editor" or the channel's ref).
    """

    warnings: tuple[str, ...] = ()
    source_candidates: tuple[str, ...] = ()  # outlets named in the copy, the one taken first
    default_from: str = ""

    def without(self, *codes: str) -> Doubts:
        kept = tuple(w for w in self.warnings if w not in codes)
        return Doubts(kept, self.source_candidates, self.default_from)

    def __bool__(self) -> bool:
        return bool(self.warnings)


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    content: ArticleContent
    status: ArticleStatus
    author_id: int
    origin: str
    decided_by: int | None
    decided_at: datetime | None
    reject_reason: str
    embargo_until: datetime | None
    breaking: bool
    version: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    reminded_at: datetime | None = None
    author_language: str = ""
    doubts: Doubts = Doubts()


@dataclass(frozen=True, slots=True)
class Publication:
    id: int
    article_id: int
    channel_id: int
    status: PublicationStatus
    due_at: datetime
    silent: bool
    attempts: int
    message_ids: tuple[int, ...]
    link: str
    last_error: str
    claimed_at: datetime | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class Channel:
    id: int
    chat_ref: str
    chat_id: int | None
    username: str
    title: str
    template: dict[str, Any]
    slots: tuple[str, ...]
    quiet_hours: str
    is_default: bool

    @property
    def target(self) -> int | str:
        """What to pass as ``chat_id`` to the Bot API."""
        return self.chat_id if self.chat_id is not None else self.chat_ref


@dataclass(frozen=True, slots=True)
class User:
    id: int
    role: str
    language: str
    name: str
    added_by: int | None


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    url: str
    title: str
    mode: str
    interval_s: int
    etag: str | None
    last_modified: str | None
    next_poll_at: datetime
    failures: int
    last_error: str
    error_reported: bool
    added_by: int


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int | None
    article_id: int | None
    action: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ShownMessage:
    article_id: int
    kind: str
    chat_id: int
    message_id: int
