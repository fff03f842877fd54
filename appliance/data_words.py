"""The data files' words the pages show, for makemessages (written by tools/data_words.py; do not edit)."""

from django.utils.translation import gettext_noop

WORDS = (
    gettext_noop("Careful"),
    gettext_noop(
        "Only generic questions leave the house, and only to a trusted provider, with personal data replaced. Everything from cameras and kids' devices, and everything sensitive, stays home."
    ),
    gettext_noop("Everything stays home"),
    gettext_noop("Every request is answered by the box itself; nothing leaves the house."),
    gettext_noop("The household's stories"),
    gettext_noop(
        "Cameras and home footage stay home. Health, money and identity stay home, or go to a trusted provider with personal data replaced and faces blurred when the home GPU is busy; so does anything the box is not sure is generic. Kids' devices are anonymised and never reach the cloud. The vacuum's photos may leave with faces blurred, or untouched when nobody is home, unless its words are sensitive. Generic questions may go to the cloud, redacted. More evidence of sensitivity never means less protection."
    ),
    gettext_noop("OpenAI"),
    gettext_noop(
        "API prompts and answers are not used for training by default, but are kept for up to 30 days for abuse monitoring; zero data retention is only for approved customers, by agreement with OpenAI."
    ),
    gettext_noop("Anthropic"),
    gettext_noop(
        "API prompts and answers are not used for training and are deleted within 30 days (kept longer when flagged for a policy violation); zero data retention is by agreement with Anthropic for eligible customers."
    ),
    gettext_noop("Mistral (EU)"),
    gettext_noop(
        "A French company processing in the EU; API prompts and answers are kept for 30 days for abuse monitoring unless the account is granted zero data retention, which is asked for from Mistral (a trusted provider needs it on record)."
    ),
    gettext_noop("Groq"),
    gettext_noop(
        "Says it does not keep prompts and answers beyond serving them, except logs kept for a limited time for troubleshooting; zero data retention can be turned on in the console's data controls."
    ),
    gettext_noop("OpenRouter"),
    gettext_noop(
        "A router to many providers: it stores no prompts unless the account opts in to logging, but each provider it forwards to keeps data by its own terms."
    ),
    gettext_noop(
        'Turn on "Zero data retention endpoints only" in the account\'s privacy settings, so that OpenRouter sends requests only to providers that keep nothing.'
    ),
    gettext_noop("Ollama on your network"),
    gettext_noop(
        "Runs on a computer in your home, so nothing leaves your network; what it keeps is what that computer keeps (Ollama writes no prompts to disk unless its debug logging is on). Write your country's code as its jurisdiction."
    ),
    gettext_noop("llama.cpp server on your network"),
    gettext_noop(
        "Runs on a computer in your home, so nothing leaves your network; the server keeps no prompts unless it is started with its slot-saving or verbose logging options. Write your country's code as its jurisdiction."
    ),
)
