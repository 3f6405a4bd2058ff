from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Topic',
            name='status',
            field=fields.CharField(default='visible', db_default='visible', max_length=10),
        ),
    ]
