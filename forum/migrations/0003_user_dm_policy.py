from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_topic_status')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='dm_policy',
            field=fields.CharField(default='everyone', db_default='everyone', max_length=16),
        ),
    ]
