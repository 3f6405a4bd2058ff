"""Demo content: a small, believable neighbourhood so a fresh install opens on a living site."""

from __future__ import annotations

import secrets

from forum.accounts import services as accounts
from forum.accounts.models import User
from forum.aid import responses as aid_responses
from forum.aid import services as aid
from forum.boards import posts
from forum.boards import services as boards
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat

BOARDS = [
    (
        "welcome",
        "Welcome & introductions",
        "New here? Say hello, tell us which street you are on and what you enjoy.",
    ),
    (
        "news",
        "Neighbourhood news",
        "Road works, bin days, new shops, council notices: what is happening around us.",
    ),
    (
        "parents",
        "Parents & caregivers",
        "Swaps, school runs, playgroups and a kind word on hard days.",
    ),
    (
        "ask-for-help",
        "Ask for help",
        "Need a hand, a lift or a loan of a ladder? Asking is normal here.",
    ),
    ("events", "Events & gatherings", "Street parties, litter picks, coffee mornings and walks."),
]

PEOPLE = [
    ("rosa", "Rosa Delgado", "admin", "Elm Street", "Retired librarian. I keep this place tidy."),
    ("ibrahim", "Ibrahim K.", "moderator", "Mill Lane", "Dad of two, fixes bikes on Saturdays."),
    ("june", "June", "member", "Church Row", "Moved here in spring. Love gardening."),
    ("theo", "Theo Brandt", "member", "Elm Street", "Night-shift nurse, early-morning dog walker."),
    ("priya", "Priya S.", "member", "Station Road", "Runs the Thursday toddler group."),
    (
        "walter",
        "Walter",
        "member",
        "Hope Court",
        "82 and still cycling. Ask me about local history.",
    ),
]

TOPICS = [
    (
        "welcome",
        "june",
        "Hello from Church Row!",
        "Hi all, I moved into number 14 in April. I grow far too many tomatoes, so if anyone "
        "wants some in August, **just ask**.\n\nIs there a gardening group nearby?",
        [
            (
                "walter",
                "Welcome, June! There used to be an allotment society behind the school. "
                "I'll ask around.",
            ),
            ("priya", "Welcome! The library runs a seed swap on the first Saturday of the month."),
        ],
    ),
    (
        "welcome",
        "theo",
        "Night-shift worker saying hi",
        "I work nights at the hospital, so I'm around at odd hours. Happy to chat with anyone "
        "else who is awake at 4 am.",
        [
            (
                "ibrahim",
                "Good to have you, Theo. The bakery on Mill Lane opens at 5 if you need "
                "coffee after a shift.",
            )
        ],
    ),
    (
        "news",
        "rosa",
        "Bin collection moves to Tuesdays from next month",
        "The council wrote to say collections move from Monday to **Tuesday** starting on the "
        "1st. Garden waste stays on alternate Fridays.\n\nDetails: https://example.org/bins",
        [
            ("walter", "Thank you Rosa, I'd have put mine out on the wrong day for weeks."),
            ("june", "Does that include the recycling boxes too?"),
            ("rosa", "Yes, recycling moves to Tuesday as well."),
        ],
    ),
    (
        "news",
        "ibrahim",
        "Road works on Station Road, 3 weeks",
        "Expect one-way traffic near the bridge. The bus stop moves about 50 m towards the park.",
        [],
    ),
    (
        "parents",
        "priya",
        "Thursday toddler group is back",
        "We meet at the community hall, 10-11:30, every Thursday. Free, just bring a snack "
        "to share if you can.\n\n- toys provided\n- step-free entrance\n- quiet corner for babies",
        [("theo", "My sister might come along with her little one!")],
    ),
    (
        "parents",
        "ibrahim",
        "Outgrown kids' bikes: free to a good home",
        "Two bikes (ages 4-6 and 6-8), both checked and with new brake pads. Reply here and "
        "we'll sort out a time.",
        [],
    ),
    (
        "ask-for-help",
        "walter",
        "Could someone help me change a ceiling light bulb?",
        "My ladder days are behind me. It's a simple bulb in the hallway. I can offer tea and "
        "biscuits and a story or two about the old tram line.",
        [
            ("theo", "I can pop round on Saturday morning, Walter. I'll message you."),
            ("walter", "Wonderful, thank you Theo."),
        ],
    ),
    (
        "events",
        "rosa",
        "Spring litter pick, Saturday 10 am",
        "Meet at the park gates. Gloves and bags provided by the council. Children welcome "
        "with an adult.",
        [("june", "Count me in!"), ("priya", "We'll bring the toddlers' little grabbers.")],
    ),
]


# (author, kind, title, body, category, area, urgency, show_name)
AID = [
    (
        "walter",
        "request",
        "A lift to the clinic on Tuesday mornings",
        "My appointments are at 10 am at the health centre. I can walk to the end of my road.",
        "rides",
        "hope-court",
        "normal",
        True,
    ),
    (
        "priya",
        "offer",
        "Toddler clothes, ages 1-3",
        "Two bags of clean clothes, mostly winter things. Free to anyone who can use them.",
        "clothing",
        "station-road",
        "low",
        True,
    ),
    (
        "june",
        "offer",
        "Homegrown tomatoes and courgettes",
        "Far more than I can eat. Pick up from my porch any afternoon.",
        "food",
        "church-row",
        "low",
        True,
    ),
    (
        "theo",
        "request",
        "Meals for a few days after my operation",
        "I will be off my feet for a week from the 12th. Anything simple is a huge help.",
        "meals",
        "elm-street",
        "urgent",
        False,
    ),
    (
        "ibrahim",
        "offer",
        "Bike repairs on Saturdays",
        "Punctures, brakes, gears. Bring it to the shed behind the community hall.",
        "jobs",
        "mill-lane",
        "normal",
        True,
    ),
    (
        "june",
        "request",
        "Someone to chat with on Sunday afternoons",
        "I am new here and the weekends are long. A walk or a cup of tea would be lovely.",
        "companionship",
        "church-row",
        "normal",
        True,
    ),
]

LOUNGE = [
    ("ibrahim", "Welcome to the lounge! Say hello any time; someone is usually around."),
    ("june", "Morning all. The bakery on Elm Street has fresh rolls today."),
    ("walter", "Thanks for the tip, @june. I'll take a slow walk over there."),
]


async def seed_demo() -> str | None:
    """Fill an empty database; return the demo password, or None if people already exist."""
    if await accounts.anyone_registered():
        return None
    password = "porch-" + secrets.token_urlsafe(9)
    people: dict[str, User] = {}
    for username, name, role, area, bio in PEOPLE:
        if role == "admin":
            person = await accounts.create_admin(username, f"{username}@example.org", password)
        else:
            person = await accounts.register(
                {
                    "username": username,
                    "email": f"{username}@example.org",
                    "password": password,
                    "display_name": name,
                },
                signup="open",
            )
        await accounts.update_profile(person, {"display_name": name, "area": area, "bio": bio})
        people[username] = person
    admin = people["rosa"]
    for username, _, role, _, _ in PEOPLE:
        if role == "moderator":
            people[username] = await accounts.update_user(admin, username, {"role": role})
        elif role == "member":
            # Neighbours of long standing: past the new-account limits (trust level 1).
            people[username] = await accounts.update_user(admin, username, {"trust_level": 1})
    for slug, name, description in BOARDS:
        await boards.create_board(admin, {"slug": slug, "name": name, "description": description})
    for slug, author, title, body, replies in TOPICS:
        topic, _ = await boards.create_topic(people[author], slug, {"title": title, "body": body})
        for replier, text in replies:
            await posts.reply(people[replier], topic["id"], {"body": text})
    pinned = await boards.latest_topics(admin, limit=100)
    welcome = next(t for t in pinned if t["title"].startswith("Hello from"))
    await boards.update_topic(people["ibrahim"], welcome["id"], {"pinned": True})
    await _seed_chat(people)
    await _seed_aid(people)
    return password


async def _seed_chat(people: dict[str, User]) -> None:
    """The lounge everyone can drop into, a room beside each board, a few first words."""
    moderator = people["ibrahim"]
    lounge = await chat_rooms.create_room(
        moderator, {"name": "Neighbourhood lounge", "kind": "public"}
    )
    for _, name, _ in BOARDS:
        await chat_rooms.create_room(moderator, {"name": f"{name} chat", "kind": "public"})
    for username, body in LOUNGE:
        await chat.send_message(people[username], lounge["id"], body)


async def _seed_aid(people: dict[str, User]) -> None:
    """Offers and requests, one of them already matched through its hand-off thread."""
    made = {}
    for author, kind, title, body, category, area, urgency, show_name in AID:
        made[title] = await aid.create_aid(
            people[author],
            {
                "kind": kind,
                "title": title,
                "body": body,
                "category": category,
                "area": area,
                "urgency": urgency,
                "show_name": show_name,
            },
        )
    lift = made[AID[0][2]]
    offer = await aid_responses.respond(
        people["theo"], lift["id"], {"message": "I am off on Tuesdays and can drive you, Walter."}
    )
    await aid_responses.accept(people["walter"], lift["id"], offer["id"])
    await aid_responses.respond(
        people["priya"], made[AID[3][2]]["id"], {"message": "I can bring a lasagne on the 12th."}
    )
