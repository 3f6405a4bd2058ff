from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_standing')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LogEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=32)),
                ('target_type', fields.CharField(max_length=12)),
                ('target_id', fields.IntField()),
                ('reason', fields.CharField(default='', max_length=1000)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'moderation_log', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One moderation action, automatic ones included. Append-only: see moderation/log.py.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Note',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('about', fields.ForeignKeyField('models.User', source_field='about_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('body', fields.CharField(max_length=2000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'moderation_notes', 'app': 'models', 'indexes': [Index(fields=['about_id', 'created_at'])], 'pk_attr': 'id', 'table_description': "A moderator's private note about a person, for the moderators who come after."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QueueItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=12)),
                ('target_type', fields.CharField(max_length=12)),
                ('target_id', fields.IntField()),
                ('open_key', fields.CharField(null=True, unique=True, max_length=48)),
                ('subject', fields.ForeignKeyField('models.User', source_field='subject_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('snapshot', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('reason', fields.CharField(default='', max_length=120)),
                ('score', fields.FloatField(default=0.0, db_index=True)),
                ('auto_hidden', fields.BooleanField(default=False)),
                ('status', fields.CharField(default='open', max_length=10)),
                ('claimed_by', fields.ForeignKeyField('models.User', source_field='claimed_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolved_by', fields.ForeignKeyField('models.User', source_field='resolved_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolution', fields.CharField(default='', max_length=16)),
                ('resolution_reason', fields.CharField(default='', max_length=1000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'moderation_queue', 'app': 'models', 'indexes': [Index(fields=['status', 'score']), Index(fields=['target_type', 'target_id', 'status'])], 'pk_attr': 'id', 'table_description': 'One thing waiting for a moderator: every open report of the same target joins one item.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Report',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('models.QueueItem', source_field='item_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.CASCADE)),
                ('reporter', fields.ForeignKeyField('models.User', source_field='reporter_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('target_type', fields.CharField(max_length=12)),
                ('target_id', fields.IntField()),
                ('reason', fields.CharField(max_length=16)),
                ('note', fields.CharField(default='', max_length=1000)),
                ('snapshot', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharField(default='open', max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'moderation_reports', 'app': 'models', 'indexes': [Index(fields=['reporter_id', 'created_at']), Index(fields=['target_type', 'target_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Sanction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=10)),
                ('reason', fields.CharField(max_length=1000)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lifted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lifted_by', fields.ForeignKeyField('models.User', source_field='lifted_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'moderation_sanctions', 'app': 'models', 'indexes': [Index(fields=['user_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Appeal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sanction', fields.OneToOneField('models.Sanction', source_field='sanction_id', db_constraint=True, to_field='id', related_name='appeal', on_delete=OnDelete.CASCADE)),
                ('message', fields.CharField(max_length=2000)),
                ('status', fields.CharField(default='open', max_length=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision_reason', fields.CharField(default='', max_length=1000)),
            ],
            options={'table': 'moderation_appeals', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
