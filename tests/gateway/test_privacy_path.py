"""What leaves the house: personal data is replaced before a provider outside the home sees
it, and put back in the answer the device receives, streamed or not. Checked on the bytes
the capture upstream received."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import openai
import pytest
from django.conf import settings

from gateway.capture import CaptureUpstream
from gateway.models import Provider
from tests.conftest import Live, PairedDevice, audited

pytestmark = pytest.mark.django_db(transaction=True)

SECRETS = {
    "EMAIL": "maria.lopez@example.org",
    "PHONE": "+44 20 7946 0958",
    "CARD": "4111 1111 1111 1111",
    "IBAN": "DE89 3704 0044 0532 0130 00",
}
PROMPT = f"Please write to {SECRETS['EMAIL']} or call {SECRETS['PHONE']}; pay with card {SECRETS['CARD']} or IBAN {SECRETS['IBAN']}."


def _cloud(make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider]) -> PairedDevice:
    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud")
    return phone


def _no_secret_in(raw: bytes) -> None:
    text = raw.decode("utf-8", "replace")
    for kind, value in SECRETS.items():
        assert value not in text, f"the {kind} left the house"
        assert "".join(value.split()) not in text.replace(" ", ""), f"the {kind} left the house, respaced"


def test_personal_data_is_replaced_before_a_cloud_provider_and_restored_in_the_answer(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = _cloud(make_device, make_provider)
    capture.reset(echo=1000)
    client = openai.OpenAI(base_url=live.api, api_key=phone.key)
    answer = client.chat.completions.create(model="cloudy-model", messages=[{"role": "user", "content": PROMPT}])
    assert answer.choices[0].message.content == PROMPT, "the device gets the real values back"
    _no_secret_in(capture.all_bytes())
    sent = capture.requests[0].json()["messages"][0]["content"]
    assert "<EMAIL_1>" in sent and "<CARD_1>" in sent and "<IBAN_1>" in sent and "<PHONE_1>" in sent
    [event] = audited(phone.device)
    assert event.redactions == {"EMAIL": 1, "PHONE": 1, "CARD": 1, "IBAN": 1}
    assert event.labels and event.classifier_version and not event.screening_failed


@pytest.mark.parametrize("piece", [1, 2, 3, 5, 7])
def test_placeholders_split_across_streamed_chunks_are_restored(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream, piece: int
) -> None:
    phone = _cloud(make_device, make_provider)
    capture.reset(echo=piece)  # every placeholder arrives cut into pieces of this size
    client = openai.OpenAI(base_url=live.api, api_key=phone.key)
    chunks = list(client.chat.completions.create(model="cloudy-model", messages=[{"role": "user", "content": PROMPT}], stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == PROMPT
    _no_secret_in(capture.all_bytes())


def test_the_same_value_gets_the_same_placeholder_in_every_message(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = _cloud(make_device, make_provider)
    email = SECRETS["EMAIL"]
    messages = [
        {"role": "system", "content": f"The user is {email}."},
        {"role": "user", "content": f"Remind {email} about the dentist."},
        {"role": "assistant", "content": "Done."},
        {"role": "user", "content": f"And mail bob@example.net and {email} again."},
    ]
    httpx.post(
        f"{live.api}/chat/completions",
        json={"model": "cloudy-model", "messages": messages},
        headers={"Authorization": f"Bearer {phone.key}"},
        timeout=30,
    )
    sent = [m["content"] for m in capture.requests[0].json()["messages"]]
    assert sent[0] == "The user is <EMAIL_1>." and sent[1] == "Remind <EMAIL_1> about the dentist."
    assert sent[3] == "And mail <EMAIL_2> and <EMAIL_1> again."


def test_tool_call_arguments_get_the_real_values_back(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = _cloud(make_device, make_provider)
    capture.reset(tool_call={"name": "send_mail", "arguments": '{"to": "<EMAIL_1>", "body": "hi"}'})
    tools = [{"type": "function", "function": {"name": "send_mail", "parameters": {"type": "object"}}}]
    client = openai.OpenAI(base_url=live.api, api_key=phone.key)
    messages = [{"role": "user", "content": f"Mail {SECRETS['EMAIL']}"}]
    whole = client.chat.completions.create(model="cloudy-model", messages=messages, tools=tools)
    assert json.loads(whole.choices[0].message.tool_calls[0].function.arguments)["to"] == SECRETS["EMAIL"]
    streamed = list(client.chat.completions.create(model="cloudy-model", messages=messages, tools=tools, stream=True))
    arguments = "".join(
        c.choices[0].delta.tool_calls[0].function.arguments or "" for c in streamed if c.choices and c.choices[0].delta.tool_calls
    )
    assert json.loads(arguments)["to"] == SECRETS["EMAIL"]
    _no_secret_in(capture.all_bytes())


def test_a_placeholder_the_request_did_not_create_is_never_replaced(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = _cloud(make_device, make_provider)
    capture.reset(echo=4)
    prompt = f"Literal <EMAIL_2> and <PERSON_9> stay; {SECRETS['EMAIL']} goes."
    client = openai.OpenAI(base_url=live.api, api_key=phone.key)
    chunks = list(client.chat.completions.create(model="cloudy-model", messages=[{"role": "user", "content": prompt}], stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == prompt
    sent = capture.requests[0].json()["messages"][0]["content"]
    assert SECRETS["EMAIL"] not in sent and "<PERSON_9>" in sent


def test_the_home_tier_receives_the_text_as_written(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    speaker = make_device(max_tier="home")
    Provider.objects.filter(name="home").update(enabled=False)
    make_provider("home-gpu", "home", models=["home"])  # a home engine that records what it gets
    httpx.post(
        f"{live.api}/chat/completions",
        json={"model": "hearth-auto", "messages": [{"role": "user", "content": PROMPT}]},
        headers={"Authorization": f"Bearer {speaker.key}"},
        timeout=30,
    )
    assert capture.requests[0].json()["messages"][0]["content"] == PROMPT
    [event] = audited(speaker.device)
    assert event.redactions == {}


def test_an_unscreenable_request_stays_home_and_the_audit_says_why(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    stack = live.stack
    [classify] = [s for s in stack.services if s.name == "worker-classify"]
    broken = Path(settings.DATA_DIR) / "broken-classifier.onnx"
    broken.write_bytes(b"not a model")
    stack.stop(classify)
    stack.services.remove(classify)
    stack.env["HEARTH_CLASSIFIER_MODEL"] = str(broken)
    stack.start(stack.worker("classify", "prefork", 1))
    try:
        phone = _cloud(make_device, make_provider)
        response = httpx.post(
            f"{live.api}/chat/completions",
            json={"model": "hearth-auto", "messages": [{"role": "user", "content": PROMPT}], "max_tokens": 4},
            headers={"Authorization": f"Bearer {phone.key}"},
            timeout=60,
        )
        assert response.status_code == 200 and response.headers["x-hearth-tier"] == "home"
        assert capture.requests == [], "nothing went to the cloud"
        [event] = audited(phone.device)
        assert event.tier == "home" and "missing or damaged" in event.screening_failed

        Provider.objects.filter(name="home").update(enabled=False)
        refused = httpx.post(
            f"{live.api}/chat/completions",
            json={"model": "hearth-auto", "messages": [{"role": "user", "content": "hi"}]},
            headers={"Authorization": f"Bearer {phone.key}"},
            timeout=60,
        )
        assert refused.status_code == 503 and "could not be screened" in refused.json()["error"]["message"]
        assert capture.requests == []
    finally:
        [bad] = [s for s in stack.services if s.name == "worker-classify"]
        stack.stop(bad)
        stack.services.remove(bad)
        del stack.env["HEARTH_CLASSIFIER_MODEL"]
        stack.start(stack.worker("classify", "prefork", 1))


def test_a_request_whose_screening_never_arrives_stays_home(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    stack = live.stack
    [classify] = [s for s in stack.services if s.name == "worker-classify"]
    stack.stop(classify)
    stack.services.remove(classify)
    try:
        phone = _cloud(make_device, make_provider)
        body = {"model": "hearth-auto", "messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 4}
        response = httpx.post(f"{live.api}/chat/completions", json=body, headers={"Authorization": f"Bearer {phone.key}"}, timeout=60)
        assert response.status_code == 200 and response.headers["x-hearth-tier"] == "home"
        assert capture.requests == []
        [event] = audited(phone.device)
        assert event.screening_failed == "screening did not finish in time"
    finally:
        stack.start(stack.worker("classify", "prefork", 1))


def test_the_prompt_is_not_copied_into_the_task_messages_headers(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    """Celery puts a repr of a task's arguments in its message headers for monitoring: the
    screening task's (queued by the web process) and the serving task's (queued by the
    classify worker) must show the request id only. Every message queued is read as Redis
    receives it."""
    import threading

    import redis
    from asgiref.sync import async_to_sync

    from gateway import journey, schema

    phone = _cloud(make_device, make_provider)
    r = redis.Redis.from_url(live.stack.redis_url, socket_timeout=None)
    written: list[list[str]] = []
    monitor = r.monitor().__enter__()  # type: ignore[no-untyped-call]
    watching = threading.Event()

    def watch() -> None:
        watching.set()
        while True:
            command = monitor.next_command()["command"]
            if "hearth-stop-watching" in command:
                return
            if command.startswith("LPUSH"):
                written.append(command.split(" ", 2))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    watching.wait(5)
    chat = {"model": "hearth-auto", "messages": [{"role": "user", "content": "my lantern-otter-quartz diary"}]}
    async_to_sync(journey.submit)(phone.device, schema.chat_request(chat))
    completion = {"model": "hearth-auto", "prompt": "my lantern-otter-quartz diary"}
    async_to_sync(journey.submit)(phone.device, schema.completion_request(completion))
    assert [e.outcome for e in audited(phone.device, 2)] == ["ok", "ok"], "the requests were still served"
    r.get("hearth-stop-watching")
    watcher.join(10)
    messages = [json.loads(rest) for _, queue, rest in written if queue in ("classify", "upstream")]
    tasks_seen = [m["headers"]["task"] for m in messages]
    assert sorted(tasks_seen) == ["gateway.tasks.screen_request"] * 2 + ["gateway.tasks.serve_request"] * 2
    assert all("lantern-otter-quartz" not in json.dumps(m["headers"]) for m in messages)
