"""Made-up neighbourhood text for the HTTP benchmark: names, titles and Markdown bodies."""

import random

# fmt: off
FIRST_NAMES = (
    "Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemi",
    "Lars", "Maya", "Nils", "Olu", "Pia", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wim",
    "Xia", "Yusuf", "Zoe",
)
SURNAMES = ("Lima", "Novak", "Okafor", "Brandt", "Sato", "Haddad", "Kowalski", "Moreau", "Singh")
AREAS = ("Elm Street", "Mill Lane", "Church Row", "Station Road", "Hope Court", "Park Rise")
BOARD_NAMES = (
    "Welcome", "News", "Parents", "Ask for help", "Events", "Gardening", "Lost and found",
    "For sale", "Free stuff", "Recommendations", "Safety", "Pets", "Cycling", "Local history",
    "Council", "Schools", "Sport", "Food", "Volunteering", "Off topic", "Music", "Books",
)
TITLE_SUBJECTS = (
    "Lost cat", "Street party", "Broken streetlight", "Bin day", "Spare ladder", "Plumber",
    "Seed swap", "Book club", "Noisy roadworks", "Bike repair", "Toddler group", "Choir",
    "Community fridge", "Allotment", "Charity run", "Parking",
)
TITLE_TAILS = (
    "near the bakery", "on Saturday", "any advice?", "thank you all", "this week",
    "behind the school", "by the station", "in the park", "update", "who can help?",
)
# fmt: on
SENTENCES = (
    "The bakery on Mill Lane now opens at seven, which is lovely for the school run.",
    "Does anyone know whether the council still collects garden waste on alternate Fridays?",
    "We found a small tabby cat sitting by the recycling bins, very friendly and well fed.",
    "There is a seed swap at the library on the first Saturday of every month.",
    "If you need a ladder, ours is in the shed and you are welcome to borrow it.",
    "The road works by the bridge should be finished by the end of the month.",
    "Thanks to everyone who came to the litter pick, we filled thirty bags.",
    "My neighbour recommends a plumber who was quick, tidy and fairly priced.",
    "The toddler group meets in the community hall every Thursday morning.",
    "Please slow down on Church Row, there are a lot of children about after school.",
    "I have too many tomatoes again this year, so help yourselves from the box outside.",
    "The choir is looking for tenors, no experience needed, just enthusiasm.",
)
LIST_ITEMS = ("gloves", "bin bags", "a flask of tea", "sturdy shoes", "a torch", "some cake")
LINKS = ("https://example.org/bins", "https://example.org/events", "https://example.org/map")


def _paragraph(rng: random.Random) -> str:
    text = " ".join(rng.sample(SENTENCES, rng.randint(1, 3)))
    words = text.split(" ")
    spot = rng.randrange(len(words) - 2)
    words[spot] = f"**{words[spot]} {words[spot + 1]}**"
    del words[spot + 1]
    return " ".join(words)


def markdown_body(rng: random.Random) -> str:
    """A few hundred characters of the Markdown people actually write."""
    parts = [_paragraph(rng)]
    extra = rng.choice(("list", "link", "quote", "code", "plain"))
    if extra == "list":
        parts.append("\n".join(f"- {item}" for item in rng.sample(LIST_ITEMS, 3)))
    elif extra == "link":
        parts.append(
            f"Details are [on the council page]({rng.choice(LINKS)}), or see "
            f"{rng.choice(LINKS)} for the map."
        )
    elif extra == "quote":
        parts.append(f"> {rng.choice(SENTENCES)}")
    elif extra == "code":
        parts.append("The gate code is `4821#`, *please* keep it to yourselves.")
    parts.append(_paragraph(rng))
    return "\n\n".join(parts)
