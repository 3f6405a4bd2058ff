from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_unread_counter')]

    initial = False

    operations = [
        ops.AddField(
            model_name='RoomMember',
            name='shown_as',
            field=fields.CharField(null=True, max_length=120),
        ),
    ]
