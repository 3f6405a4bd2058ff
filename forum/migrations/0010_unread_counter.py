from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_moderation')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='unread_notifications',
            field=fields.IntField(default=0, db_default=0),
        ),
        # Notifications written before the counter existed: count them once.
        ops.RunSQL(
            "UPDATE users SET unread_notifications = (SELECT COUNT(*) FROM notifications"
            " WHERE notifications.user_id = users.id AND notifications.read_at IS NULL)",
            reverse_sql="",
        ),
    ]
