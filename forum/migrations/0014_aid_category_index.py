from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_watched_word_keys')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Aid',
            index=Index(fields=['status', 'category_id', 'kind']),
        ),
    ]
