from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_handoff_names')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WatchedWord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('pattern', fields.CharField(max_length=100)),
                ('action', fields.CharField(max_length=8)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='watched_words', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'watched_words', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A word or phrase moderators watch for (an asterisk in it matches any letters).'},
            bases=['Model'],
        ),
    ]
