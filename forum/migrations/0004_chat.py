from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_user_dm_policy')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Room',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=8)),
                ('name', fields.CharField(default='', max_length=80)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name='rooms_owned', on_delete=OnDelete.SET_NULL)),
                ('aid_id', fields.IntField(null=True)),
                ('direct_key', fields.CharField(null=True, unique=True, max_length=24)),
                ('last_seq', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chat_rooms', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Message',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('room', fields.ForeignKeyField('models.Room', source_field='room_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField()),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.RESTRICT)),
                ('body', fields.TextField(unique=False)),
                ('body_html', fields.TextField(unique=False)),
                ('client_id', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('deleted', fields.BooleanField(default=False)),
            ],
            options={'table': 'chat_messages', 'app': 'models', 'unique_together': (('room_id', 'seq'), ('author_id', 'client_id')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoomMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('room', fields.ForeignKeyField('models.Room', source_field='room_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='room_memberships', on_delete=OnDelete.CASCADE)),
                ('last_read_seq', fields.IntField(default=0)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chat_members', 'app': 'models', 'unique_together': (('room_id', 'user_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
