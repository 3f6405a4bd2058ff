"""One watched word per pattern as matching reads it: a unique key, filled for the rows there.

Rows already there whose patterns read the same ("Scam", "scam", "scám") become one: the
strictest action among them stays (block, then hold, then flag), on the oldest row. The folding
is written out here, as this release folds (forum.content.screening.pattern_key).
"""

import unicodedata

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

STRICTNESS = {"block": 0, "hold": 1, "flag": 2}


def _key(pattern):
    decomposed = unicodedata.normalize("NFKD", " ".join(pattern.split()))
    kept = (
        c
        for c in decomposed
        if not unicodedata.combining(c) and unicodedata.category(c) not in ("Cf", "Mn")
    )
    return " ".join("".join(kept).casefold().split())[:400]


def _sql(client, sql):
    if client.capabilities.dialect == "sqlite":
        return sql
    numbers = iter(range(1, sql.count("?") + 1))
    return "".join(f"${next(numbers)}" if part == "?" else part for part in sql)


async def fill_keys(apps, schema_editor):
    client = schema_editor.client
    rows = await client.execute_query_dict(
        "SELECT id, pattern, action FROM watched_words ORDER BY id"
    )
    kept = {}
    for row in rows:
        key = _key(row["pattern"])
        first = kept.get(key)
        if first is None:
            kept[key] = dict(row)
            continue
        first["action"] = min(first["action"], row["action"], key=lambda a: STRICTNESS.get(a, 3))
        await client.execute_query(_sql(client, "DELETE FROM watched_words WHERE id = ?"), [row["id"]])
    for key, row in kept.items():
        await client.execute_query(
            _sql(client, "UPDATE watched_words SET pattern_key = ?, action = ? WHERE id = ?"),
            [key, row["action"], row["id"]],
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0012_watched_words")]

    initial = False

    operations = [
        ops.AddField(
            model_name="WatchedWord",
            name="pattern_key",
            field=fields.CharField(null=True, max_length=400),
        ),
        ops.RunPython(fill_keys, ops.RunPython.noop),
        ops.AlterField(
            model_name="WatchedWord",
            name="pattern_key",
            field=fields.CharField(unique=True, max_length=400),
        ),
    ]
