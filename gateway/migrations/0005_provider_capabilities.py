from django.conf import settings
from django.db import migrations, models


def home_capabilities(apps, schema_editor):  # type: ignore[no-untyped-def]
    """The home engine's row: llama.cpp's server sees no images and ignores tool_choice=required."""
    Provider = apps.get_model("gateway", "Provider")
    vllm = settings.HEARTH_HOME_ENGINE == "vllm"
    Provider.objects.filter(name="home", tier="home").update(takes_images=False, forces_tool_calls=vllm)


class Migration(migrations.Migration):
    dependencies = [
        ("gateway", "0004_prompt_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="provider",
            name="takes_images",
            field=models.BooleanField(
                default=True, help_text="Its models accept images in messages (vision). The bundled home model does not."
            ),
        ),
        migrations.AddField(
            model_name="provider",
            name="forces_tool_calls",
            field=models.BooleanField(
                default=True,
                help_text="It can be made to call one of several tools (tool_choice=required); llama.cpp's server cannot.",
                verbose_name="honours tool_choice=required",
            ),
        ),
        migrations.RunPython(home_capabilities, migrations.RunPython.noop),
    ]
