from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appliance", "0003_household_currency"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="notify_url",
            field=models.URLField(blank=True, max_length=300),
        ),
        migrations.CreateModel(
            name="Notice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=30)),
                ("key", models.CharField(help_text="The same condition is told once.", max_length=200, unique=True)),
                ("title", models.CharField(max_length=200)),
                ("detail", models.CharField(blank=True, max_length=500)),
                ("link", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField()),
                ("dismissed_at", models.DateTimeField(blank=True, null=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("send_error", models.CharField(blank=True, max_length=200)),
            ],
            options={"ordering": ["-created_at", "-id"]},
        ),
    ]
