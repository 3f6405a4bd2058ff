from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Board',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=40)),
                ('name', fields.CharField(max_length=80)),
                ('description', fields.CharField(default='', max_length=500)),
                ('position', fields.IntField(default=0)),
                ('visibility', fields.CharField(default='public', max_length=8)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'boards', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(max_length=30)),
                ('username_key', fields.CharField(unique=True, max_length=30)),
                ('email', fields.CharField(null=True, max_length=254)),
                ('email_key', fields.CharField(null=True, unique=True, max_length=254)),
                ('display_name', fields.CharField(default='', max_length=60)),
                ('password_hash', fields.CharField(default='', max_length=255)),
                ('role', fields.CharField(default='member', max_length=16)),
                ('trust_level', fields.SmallIntField(default=0)),
                ('status', fields.CharField(default='active', db_index=True, max_length=16)),
                ('area', fields.CharField(default='', max_length=80)),
                ('bio', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'users', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', db_constraint=True, to_field='id', related_name='invites_made', on_delete=OnDelete.CASCADE)),
                ('note', fields.CharField(default='', max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_by', fields.ForeignKeyField('models.User', source_field='used_by_id', null=True, db_constraint=True, to_field='id', on_delete=OnDelete.SET_NULL)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'invites', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key_hash', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(default='cookie', max_length=8)),
                ('label', fields.CharField(default='', max_length=80)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sessions', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A signed-in browser (kind "cookie") or an API token (kind "token").'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Topic',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('board', fields.ForeignKeyField('models.Board', source_field='board_id', db_constraint=True, to_field='id', related_name='topics', on_delete=OnDelete.RESTRICT)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='topics', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_activity_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('post_count', fields.IntField(default=0)),
                ('locked', fields.BooleanField(default=False)),
                ('pinned', fields.BooleanField(default=False)),
                ('version', fields.IntField(default=0)),
            ],
            options={'table': 'topics', 'app': 'models', 'indexes': [Index(fields=['board_id', 'pinned', 'last_activity_at', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Post',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('topic', fields.ForeignKeyField('models.Topic', source_field='topic_id', db_constraint=True, to_field='id', related_name='posts', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='posts', on_delete=OnDelete.RESTRICT)),
                ('body', fields.TextField(unique=False)),
                ('body_html', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='visible', max_length=10)),
            ],
            options={'table': 'posts', 'app': 'models', 'indexes': [Index(fields=['topic_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('models.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('editor', fields.ForeignKeyField('models.User', source_field='editor_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.RESTRICT)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'post_revisions', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The text a post had before an edit.'},
            bases=['Model'],
        ),
    ]
