from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appliance", "0002_backups"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="currency",
            field=models.CharField(default="USD", max_length=3),
        ),
    ]
