"""The mutants bench/mutations.py applies: each undoes one access, visibility or session rule.

A mutant replaces one snippet, which must occur exactly once inside the named function, with
another: a condition negated or made constant, one clause of an `and`/`or` dropped, a
predicate's answer fixed to True or False, a statement deleted.
"""

# ruff: noqa: E501 - one mutant a line reads as the table it is

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    function: str  # qualified: "AnonymousPageCache._store"
    old: str
    new: str


ACCOUNTS = "forum/accounts/services.py"
MODELS = "forum/accounts/models.py"
SESSIONS = "forum/accounts/sessions.py"
CACHE = "forum/pagecache.py"
BOARDS = "forum/boards/services.py"
POSTS = "forum/boards/posts.py"

ALL_VISIBILITIES = "tuple(v.value for v in Visibility)"
ALL_TOPIC_STATUSES = "tuple(s.value for s in TopicStatus)"
OWNER = 'is_owner_or_staff(actor, post["author_id"])'
RAW = "Page([as_seen_by(actor, r, hidden) for r in page.items], page.next_cursor)"
UNBLANKED = (
    '{**row, "blocked": row["author_id"] in hidden, "can_change": may_change(actor, row), '
    '"can_see_history": may_see_history(actor, row)}'
)
NO_IDLE = "if now - session.last_seen_at > SESSION_IDLE"
NOT_ACTIVE = "user.status != UserStatus.ACTIVE"
LOCKED = 'not topic["locked"]'

# fmt: off
MUTANTS = [
    # accounts: who is staff, owner, admin; what deleting an account ends
    Mutant("is_staff: always", ACCOUNTS, "is_staff", "actor is not None and actor.is_staff", "True"),
    Mutant("is_staff: never", ACCOUNTS, "is_staff", "actor is not None and actor.is_staff", "False"),
    Mutant("is_staff: no None check", ACCOUNTS, "is_staff", "actor is not None and ", ""),
    Mutant("User.is_staff: admins are not", MODELS, "User.is_staff", "in STAFF_ROLES", '== "moderator"'),
    Mutant("is_owner_or_staff: always", ACCOUNTS, "is_owner_or_staff", "actor is not None and (actor.is_staff or actor.id == owner_id)", "True"),
    Mutant("is_owner_or_staff: never", ACCOUNTS, "is_owner_or_staff", "actor is not None and (actor.is_staff or actor.id == owner_id)", "False"),
    Mutant("is_owner_or_staff: owner only", ACCOUNTS, "is_owner_or_staff", "actor.is_staff or ", ""),
    Mutant("is_owner_or_staff: staff only", ACCOUNTS, "is_owner_or_staff", " or actor.id == owner_id", ""),
    Mutant("is_owner_or_staff: anyone but the owner", ACCOUNTS, "is_owner_or_staff", "actor.id == owner_id", "actor.id != owner_id"),
    Mutant("require_admin: no sign-in check", ACCOUNTS, "require_admin", "if actor is None:", "if False:"),
    Mutant("require_admin: no admin check", ACCOUNTS, "require_admin", "if not actor.is_admin:", "if False:"),
    Mutant("require_admin: negated", ACCOUNTS, "require_admin", "if not actor.is_admin:", "if actor.is_admin:"),
    Mutant("delete_account: sessions kept", ACCOUNTS, "delete_account", "await Session.filter(user_id=actor.id).delete()", "pass"),
    # sessions.authenticate
    Mutant("authenticate: empty key looked up", SESSIONS, "authenticate", "not key or ", ""),
    Mutant("authenticate: oversize key looked up", SESSIONS, "authenticate", " or len(key) > 100", ""),
    Mutant("authenticate: non-active users accepted", SESSIONS, "authenticate", f" or {NOT_ACTIVE}", ""),
    Mutant("authenticate: idle sessions accepted", SESSIONS, "authenticate", f"{NO_IDLE} or ", "if "),
    Mutant("authenticate: only active users refused", SESSIONS, "authenticate", NOT_ACTIVE, 'user.status == "active"'),
    Mutant("authenticate: refused session kept", SESSIONS, "authenticate", "await Session.filter(id=session.id).delete()", "pass"),
    Mutant("authenticate: refused session returned", SESSIONS, "authenticate", "session.id)\n        return None", "session.id)"),
    Mutant("authenticate: touched on every request", SESSIONS, "authenticate", "if now - session.last_seen_at > SESSION_TOUCH_EVERY:", "if True:"),
    Mutant("authenticate: never touched", SESSIONS, "authenticate", "if now - session.last_seen_at > SESSION_TOUCH_EVERY:", "if False:"),
    # the anonymous page cache
    Mutant("_cacheable_request: always", CACHE, "AnonymousPageCache._cacheable_request", 'scope["type"] == "http"\n            and scope["method"] == "GET"\n            and scope.get("state", {}).get("user") is None\n            and web.is_page(scope)', "True"),
    Mutant("_cacheable_request: never", CACHE, "AnonymousPageCache._cacheable_request", 'scope["type"] == "http"\n            and scope["method"] == "GET"\n            and scope.get("state", {}).get("user") is None\n            and web.is_page(scope)', "False"),
    Mutant("_cacheable_request: any scope type", CACHE, "AnonymousPageCache._cacheable_request", 'scope["type"] == "http"\n            and ', ""),
    Mutant("_cacheable_request: any method", CACHE, "AnonymousPageCache._cacheable_request", 'and scope["method"] == "GET"\n            ', ""),
    Mutant("_cacheable_request: signed-in too", CACHE, "AnonymousPageCache._cacheable_request", 'and scope.get("state", {}).get("user") is None\n            ', ""),
    Mutant("_cacheable_request: not only pages", CACHE, "AnonymousPageCache._cacheable_request", "\n            and web.is_page(scope)", ""),
    Mutant("_store: any status", CACHE, "AnonymousPageCache._store", 'start["status"] != 200 or ', ""),
    Mutant("_store: any size", CACHE, "AnonymousPageCache._store", " or len(body) > MAX_BODY", ""),
    Mutant("_store: any headers", CACHE, "AnonymousPageCache._store", "if any(k not in _KEPT_HEADERS for k, _ in headers):", "if False:"),
    Mutant("_store: any content type", CACHE, "AnonymousPageCache._store", 'if not dict(headers).get(b"content-type", b"").startswith(b"text/html"):', "if False:"),
    Mutant("_store: pages with my token", CACHE, "AnonymousPageCache._store", "if token and token.encode() in body:", "if False:"),
    Mutant("_store: never", CACHE, "AnonymousPageCache._store", "self.store.put(key, (now + self.store.ttl, headers, body))", "pass"),
    # boards and topics
    Mutant("readable_visibilities: anonymous reads all", BOARDS, "readable_visibilities", "if actor is None:", "if False:"),
    Mutant("readable_visibilities: members read public only", BOARDS, "readable_visibilities", "return _ALL_VISIBILITIES", "return _PUBLIC_ONLY"),
    Mutant("readable_topic_statuses: everyone reads hidden", BOARDS, "readable_topic_statuses", "if is_staff(actor):", "if True:"),
    Mutant("readable_topic_statuses: staff too read visible only", BOARDS, "readable_topic_statuses", "if is_staff(actor):", "if False:"),
    Mutant("may_start_topic: always", BOARDS, "may_start_topic", "return actor is not None", "return True"),
    Mutant("may_start_topic: never", BOARDS, "may_start_topic", "return actor is not None", "return False"),
    Mutant("may_retitle: always", BOARDS, "may_retitle", 'return is_owner_or_staff(actor, topic["author_id"])', "return True"),
    Mutant("may_retitle: never", BOARDS, "may_retitle", 'return is_owner_or_staff(actor, topic["author_id"])', "return False"),
    Mutant("may_lock_or_pin: always", BOARDS, "may_lock_or_pin", "return is_staff(actor)", "return True"),
    Mutant("may_lock_or_pin: never", BOARDS, "may_lock_or_pin", "return is_staff(actor)", "return False"),
    Mutant("may_reply: anonymous too", BOARDS, "may_reply", "actor is not None and ", ""),
    Mutant("may_reply: lock binds staff too", BOARDS, "may_reply", f"({LOCKED} or is_staff(actor))", LOCKED),
    Mutant("may_reply: lock ignored", BOARDS, "may_reply", f"({LOCKED} or is_staff(actor))", "True"),
    Mutant("may_reply: lock negated", BOARDS, "may_reply", LOCKED, 'topic["locked"]'),
    Mutant("_refuse_unreadable_board: never", BOARDS, "_refuse_unreadable_board", "if visibility not in readable_visibilities(actor):", "if False:"),
    Mutant("access_board: board visibility unchecked", BOARDS, "access_board", '_refuse_unreadable_board(actor, board["visibility"])', "pass"),
    Mutant("access_topic: topic status unchecked", BOARDS, "access_topic", " or not may_open_topic(actor, rows[0])", ""),
    Mutant("access_topic: board visibility unchecked", BOARDS, "access_topic", '_refuse_unreadable_board(actor, topic["board_visibility"])', "pass"),
    Mutant("access_topic: to_retitle unchecked", BOARDS, "access_topic", 'if to_retitle and not topic["can_retitle"]:', "if False:"),
    Mutant("access_topic: anonymous retitle is a 403", BOARDS, "access_topic", "if actor is None:", "if False:"),
    Mutant("list_boards: every board", BOARDS, "list_boards", "Board.filter(visibility__in=readable_visibilities(actor))", "Board.all()"),
    Mutant("board_page: every topic status", BOARDS, "board_page", "statuses = readable_topic_statuses(actor)", f"statuses = {ALL_TOPIC_STATUSES}"),
    Mutant("latest_topics: every board", BOARDS, "latest_topics", "boards, statuses = readable_visibilities(actor),", f"boards, statuses = {ALL_VISIBILITIES},"),
    Mutant("latest_topics: every topic status", BOARDS, "latest_topics", ", readable_topic_statuses(actor)", f", {ALL_TOPIC_STATUSES}"),
    Mutant("update_topic: lock and pin unchecked", BOARDS, "update_topic", '("locked" in changes or "pinned" in changes) and not topic["can_lock_or_pin"]', "False"),
    Mutant("update_topic: retitle unchecked", BOARDS, "update_topic", '"title" in changes and not topic["can_retitle"]', "False"),
    # posts
    Mutant("may_read_body: deleted readable", POSTS, "may_read_body", "return False  # deleted", "return True"),
    Mutant("may_read_body: hidden readable by all", POSTS, "may_read_body", "return is_staff(actor)", "return True"),
    Mutant("may_read_body: hidden unreadable to staff", POSTS, "may_read_body", "return is_staff(actor)", "return False"),
    Mutant("may_read_body: pending readable by all", POSTS, "may_read_body", f"return {OWNER}", "return True"),
    Mutant("may_read_body: pending unreadable to its author", POSTS, "may_read_body", f"return {OWNER}", "return is_staff(actor)"),
    Mutant("may_read_body: visible unreadable", POSTS, "may_read_body", "VISIBLE:  # nearly every post: asked first, it keeps pages quick\n        return True", "VISIBLE:\n        return False"),
    Mutant("may_change: anyone changes", POSTS, "may_change", f"if not {OWNER}:", "if False:"),
    Mutant("may_change: deleted changeable", POSTS, "may_change", "status != PostStatus.DELETED and ", ""),
    Mutant("may_change: hidden changeable by its author", POSTS, "may_change", "status != PostStatus.HIDDEN or is_staff(actor)", "True"),
    Mutant("may_change: hidden unchangeable by staff", POSTS, "may_change", "status != PostStatus.HIDDEN or is_staff(actor)", "status != PostStatus.HIDDEN"),
    Mutant("may_change: always", POSTS, "may_change", "        return False", "        return True"),
    Mutant("may_change: never", POSTS, "may_change", "return status != PostStatus.DELETED and", "return False and"),
    Mutant("_change_refused: refuses nothing", POSTS, "_change_refused", "if may_change(actor, post):", "if True:"),
    Mutant("may_see_history: blanked posts too", POSTS, "may_see_history", " and may_read_body(actor, post)", ""),
    Mutant("may_see_history: not only author and staff", POSTS, "may_see_history", f"{OWNER} and ", ""),
    Mutant("may_see_history: always", POSTS, "may_see_history", f"{OWNER} and may_read_body(actor, post)", "True"),
    Mutant("may_see_history: never", POSTS, "may_see_history", f"{OWNER} and may_read_body(actor, post)", "False"),
    Mutant("as_seen_by: Markdown source kept", POSTS, "as_seen_by", '"body": "", ', ""),
    Mutant("as_seen_by: HTML kept", POSTS, "as_seen_by", ', "body_html": ""', ""),
    Mutant("access_post: topic unchecked", POSTS, "access_post", 'await access_topic(actor, row["topic_id"])', "pass"),
    Mutant("access_post: change without sign-in", POSTS, "access_post", "    require_member(actor)", "    pass"),
    Mutant("access_post: change refusal ignored", POSTS, "access_post", "if refused is not None:", "if False:"),
    Mutant("access_post: to_change ignored", POSTS, "access_post", "if not to_change:", "if True:"),
    Mutant("list_posts: topic unchecked", POSTS, "list_posts", "await access_topic(actor, topic_id)", "pass"),
    Mutant("list_posts: not blanked", POSTS, "list_posts", RAW, "page"),
    Mutant("topic_page: not blanked", POSTS, "topic_page", "as_seen_by(actor, row, hidden)", UNBLANKED),
    Mutant("viewer_standing: staff alike", POSTS, "viewer_standing", "return is_staff(actor), own,", "return False, own,"),
    Mutant("viewer_standing: own posts alike", POSTS, "viewer_standing", "is_staff(actor), own, ", "is_staff(actor), None, "),
    Mutant("viewer_standing: blocks alike", POSTS, "viewer_standing", "frozenset(authors & blocked) if blocked else frozenset()", "frozenset()"),
    Mutant("post_history: open to all", POSTS, "post_history", 'if not row["can_see_history"]:', "if False:"),
    Mutant("reply: locked topics take replies", POSTS, "reply", 'if not topic["can_reply"]:', "if False:"),
]
# fmt: on
