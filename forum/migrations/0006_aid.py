from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AidArea',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=40)),
                ('name', fields.CharField(max_length=80)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'aid_areas', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A neighbourhood or part of town: the only place an offer or request ever names.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AidCategory',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=40)),
                ('name', fields.CharField(max_length=80)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'aid_categories', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Aid',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=8)),
                ('title', fields.CharField(max_length=120)),
                ('body', fields.TextField(unique=False)),
                ('body_html', fields.TextField(unique=False)),
                ('category', fields.ForeignKeyField('models.AidCategory', source_field='category_id', db_constraint=True, to_field='id', related_name='aids', on_delete=OnDelete.RESTRICT)),
                ('area', fields.ForeignKeyField('models.AidArea', source_field='area_id', db_constraint=True, to_field='id', related_name='aids', on_delete=OnDelete.RESTRICT)),
                ('urgency', fields.CharField(default='normal', max_length=8)),
                ('status', fields.CharField(default='open', max_length=10)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='aids', on_delete=OnDelete.RESTRICT)),
                ('show_name', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expiry_warned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('thank_you', fields.TextField(default='', unique=False)),
                ('thank_you_html', fields.TextField(default='', unique=False)),
                ('thanked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'aid', 'app': 'models', 'indexes': [Index(fields=['status', 'created_at', 'id']), Index(fields=['status', 'expires_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AidAlert',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='aid_alerts', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(null=True, max_length=8)),
                ('category', fields.ForeignKeyField('models.AidCategory', source_field='category_id', null=True, db_constraint=True, to_field='id', related_name='alerts', on_delete=OnDelete.CASCADE)),
                ('area', fields.ForeignKeyField('models.AidArea', source_field='area_id', null=True, db_constraint=True, to_field='id', related_name='alerts', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'aid_alerts', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A standing wish of a member to hear of new posts in a category and/or an area.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AidFeedToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='aid_feed_token', on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'aid_feed_tokens', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The private key in the Atom feed address of a member: a reset retires the old address.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AidResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('aid', fields.ForeignKeyField('models.Aid', source_field='aid_id', db_constraint=True, to_field='id', related_name='responses', on_delete=OnDelete.CASCADE)),
                ('responder', fields.ForeignKeyField('models.User', source_field='responder_id', db_constraint=True, to_field='id', related_name='aid_responses', on_delete=OnDelete.CASCADE)),
                ('message', fields.TextField(unique=False)),
                ('status', fields.CharField(default='pending', max_length=10)),
                ('room_id', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'aid_responses', 'app': 'models', 'unique_together': (('aid_id', 'responder_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AidTransition',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('aid', fields.ForeignKeyField('models.Aid', source_field='aid_id', db_constraint=True, to_field='id', related_name='transitions', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='aid_transitions', on_delete=OnDelete.SET_NULL)),
                ('from_status', fields.CharField(null=True, max_length=10)),
                ('to_status', fields.CharField(max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'aid_transitions', 'app': 'models', 'indexes': [Index(fields=['aid_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One step in the lifecycle of a post: who moved it (None: the expiry task), and to what.'},
            bases=['Model'],
        ),
    ]
