"""The aid vocabularies a new site starts with; administrators edit them afterwards.

The lists are written out here, not imported: a migration records what this release installed.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

CATEGORIES = (
    ("food", "Food and groceries"),
    ("meals", "Meals"),
    ("childcare", "Childcare"),
    ("rides", "Rides and transport"),
    ("housing", "Housing"),
    ("household", "Household items"),
    ("clothing", "Clothing"),
    ("money", "Financial help"),
    ("jobs", "Jobs and skills"),
    ("tutoring", "Tutoring"),
    ("companionship", "Companionship and check-ins"),
    ("health", "Health and medical"),
    ("pets", "Pets"),
    ("other", "Other"),
)
AREAS = (
    ("elm-street", "Elm Street"),
    ("mill-lane", "Mill Lane"),
    ("church-row", "Church Row"),
    ("station-road", "Station Road"),
    ("hope-court", "Hope Court"),
    ("town-centre", "Town centre"),
)


def _values(entries):
    # Fixed literals above (no quotes in them): nothing from outside reaches this SQL.
    return ", ".join(f"('{slug}', '{name}', {n})" for n, (slug, name) in enumerate(entries))


async def add_defaults(apps, schema_editor):
    for table, entries in (("aid_categories", CATEGORIES), ("aid_areas", AREAS)):
        await schema_editor.client.execute_script(
            f"INSERT INTO {table} (slug, name, position) VALUES {_values(entries)}"
        )


async def remove_defaults(apps, schema_editor):
    for table, entries in (("aid_categories", CATEGORIES), ("aid_areas", AREAS)):
        slugs = ", ".join(f"'{slug}'" for slug, _ in entries)
        await schema_editor.client.execute_script(f"DELETE FROM {table} WHERE slug IN ({slugs})")


class Migration(migrations.Migration):
    dependencies = [("models", "0006_aid")]

    initial = False

    operations = [ops.RunPython(add_defaults, remove_defaults)]
