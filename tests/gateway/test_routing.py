"""Routing: keys go only to their provider, failover stays within the allowed tiers,
failures after the first byte are explicit, clients going away cancel the upstream."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import openai
import pytest

from gateway.capture import CaptureUpstream
from gateway.models import Provider
from tests.conftest import Live, PairedDevice, audited

pytestmark = pytest.mark.django_db(transaction=True)
ASK = {"model": "hearth-auto", "messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 8}


def sse_events(response: httpx.Response) -> list[str]:
    return [line[6:] for line in response.iter_lines() if line.startswith("data: ")]


def test_a_cloud_request_reaches_its_provider_with_its_key_and_nothing_else(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud", key="sk-cloudy-secret-123456")
    client = openai.OpenAI(base_url=live.api, api_key=phone.key)
    answer = client.chat.completions.create(
        model="cloudy-model", messages=[{"role": "user", "content": "hello there"}], max_tokens=5, temperature=0.5, user="kid"
    )
    assert answer.choices[0].message.content == "Hello from the capture upstream."
    [sent] = capture.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-cloudy-secret-123456"
    assert phone.key.encode() not in sent.raw, "the device's own key never leaves the box"
    body = sent.json()
    assert body["model"] == "cloudy-model" and body["messages"] == [{"role": "user", "content": "hello there"}]
    assert body["temperature"] == 0.5 and body["max_tokens"] == 5
    [event] = audited(phone.device)
    assert (event.tier, event.provider_name, event.outcome) == ("cloud", "cloudy", "ok")
    assert event.cost > 0


def test_the_provider_key_never_appears_in_any_log(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = make_device(max_tier="cloud")
    make_provider("leaky", "cloud", key="sk-never-log-me-98765")
    Provider.objects.filter(name="home").update(enabled=False)
    capture.reset(mode="status", status=401)
    response = httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {phone.key}"}, timeout=30)
    assert response.status_code == 503
    assert "sk-never-log-me" not in response.text and "secret-upstream-detail" not in response.text
    time.sleep(0.5)
    logs = b"".join(p.read_bytes() for p in live.stack.log_dir.glob("*.log"))  # type: ignore[union-attr]
    assert b"sk-never-log-me" not in logs
    assert phone.key.encode() not in logs


@pytest.mark.parametrize(
    "failure",
    [{"mode": "refuse"}, {"mode": "stall", "stall_seconds": 10}, {"mode": "status", "status": 429}, {"mode": "status", "status": 500}],
)
def test_a_failing_trusted_provider_fails_over_to_home_before_the_first_byte(
    live: Live,
    make_device: Callable[..., PairedDevice],
    make_provider: Callable[..., Provider],
    capture: CaptureUpstream,
    failure: dict[str, object],
) -> None:
    tablet = make_device(max_tier="trusted")
    make_provider("zdr", "trusted", quality=10)
    Provider.objects.filter(name="home").update(quality=1, model_caps={})  # so the trusted one is tried first
    capture.reset(**failure)  # type: ignore[arg-type]
    with httpx.stream(
        "POST", f"{live.api}/chat/completions", json={**ASK, "stream": True}, headers={"Authorization": f"Bearer {tablet.key}"}, timeout=60
    ) as response:
        assert response.status_code == 200
        assert response.headers["x-hearth-tier"] == "home"
        told = response.headers["x-hearth-fallback"]
        events = sse_events(response)
    assert events[-1] == "[DONE]"
    assert capture.requests, "the trusted provider was tried first"
    assert told.startswith("zdr: "), "the client is told who did not answer first, and why"
    [event] = audited(tablet.device)
    assert (event.tier, event.outcome, event.attempts) == ("home", "ok", 2)
    assert event.reason.startswith("fell back: zdr: "), "the audit row says it fell back"


def test_failover_never_escalates_to_a_less_trusted_tier(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture_server: CaptureUpstream
) -> None:
    second = CaptureUpstream().start()
    try:
        tablet = make_device(max_tier="trusted")
        make_provider("zdr", "trusted")
        make_provider("cloudy", "cloud", url=second.url)
        Provider.objects.filter(name="home").update(enabled=False)
        capture_server.reset(mode="status", status=503)
        response = httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {tablet.key}"}, timeout=30)
        assert response.status_code == 503
        error = response.json()["error"]
        assert "zdr" in error["message"] and "503" in error["message"]
        assert second.requests == [], "the cloud provider must never see a trusted-only request"
        [event] = audited(tablet.device)
        assert event.outcome == "upstream_error" and event.allowed_tiers == ["home", "trusted"]
    finally:
        second.stop()


def test_no_configured_provider_of_an_allowed_tier_is_a_503_with_the_reason(live: Live, laptop: PairedDevice) -> None:
    Provider.objects.filter(name="home").update(enabled=False)
    response = httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {laptop.key}"}, timeout=30)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_provider"
    assert "up to home" in response.json()["error"]["message"]
    [event] = audited(laptop.device)
    assert event.outcome == "refused" and event.chain_seq is not None


def test_a_stream_cut_after_the_first_byte_ends_with_an_error_event_and_no_repeat(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud")
    capture.reset(mode="cut", cut_after=3)
    with httpx.stream(
        "POST",
        f"{live.api}/chat/completions",
        json={**ASK, "model": "cloudy-model", "stream": True},
        headers={"Authorization": f"Bearer {phone.key}"},
        timeout=30,
    ) as response:
        events = sse_events(response)
    contents = [json.loads(e)["choices"][0]["delta"].get("content") for e in events[:-1]]
    assert contents == ["", "Hello", " from"], "the chunks before the cut, each once"
    assert json.loads(events[-1])["error"]["code"] == "upstream_interrupted"
    assert "[DONE]" not in events
    assert len(capture.requests) == 1, "no retry once the answer started"
    [event] = audited(phone.device)
    assert event.outcome == "failed_midstream"


def test_chunks_are_relayed_one_to_one_as_they_arrive(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud")
    capture.reset(chunks=[f"w{i} " for i in range(20)], chunk_delay=0.05)
    arrivals = []
    with httpx.stream(
        "POST",
        f"{live.api}/chat/completions",
        json={**ASK, "model": "cloudy-model", "stream": True},
        headers={"Authorization": f"Bearer {phone.key}"},
        timeout=30,
    ) as response:
        for line in response.iter_lines():
            if line.startswith("data: {"):
                arrivals.append(time.monotonic())
    assert len(arrivals) == 22  # role chunk, 20 words, finish chunk; the usage chunk was not asked for
    assert arrivals[-1] - arrivals[0] > 0.8, "chunks were passed on as they came, not gathered"


def test_a_client_that_goes_away_cancels_the_upstream_call_within_a_second(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud")
    capture.reset(chunks=["tick "] * 200, chunk_delay=0.1)
    with httpx.stream(
        "POST",
        f"{live.api}/chat/completions",
        json={**ASK, "model": "cloudy-model", "stream": True},
        headers={"Authorization": f"Bearer {phone.key}"},
        timeout=30,
    ) as response:
        lines = response.iter_lines()
        while not next(lines).startswith("data: {"):
            pass
        left = time.monotonic()
    deadline = time.monotonic() + 5
    while not capture.hangups and time.monotonic() < deadline:
        time.sleep(0.02)
    assert capture.hangups, "the upstream connection was never closed"
    assert capture.hangups[0] - left < 1.0
    [event] = audited(phone.device)
    assert event.outcome == "cancelled"


@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_providers_are_translated_both_ways_with_tool_calls(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream, stream: bool
) -> None:
    phone = make_device(max_tier="cloud")
    make_provider("claude", "cloud", family="anthropic", key="sk-ant-test-777")
    capture.reset(tool_call={"name": "lights", "arguments": '{"room": "kitchen", "on": true}'})
    client = openai.OpenAI(base_url=live.api, api_key=phone.key)
    tools = [
        {
            "type": "function",
            "function": {
                "name": "lights",
                "description": "Switch lights",
                "parameters": {"type": "object", "properties": {"room": {"type": "string"}, "on": {"type": "boolean"}}},
            },
        }
    ]
    messages = [{"role": "system", "content": "You run the house."}, {"role": "user", "content": "Kitchen lights on"}]
    if stream:
        chunks = list(client.chat.completions.create(model="claude-model", messages=messages, tools=tools, stream=True))  # type: ignore[arg-type]
        calls = [c.choices[0].delta.tool_calls for c in chunks if c.choices and c.choices[0].delta.tool_calls]
        name = calls[0][0].function.name  # type: ignore[index,union-attr]
        arguments = "".join(call[0].function.arguments or "" for call in calls)  # type: ignore[index,union-attr]
        finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    else:
        answer = client.chat.completions.create(model="claude-model", messages=messages, tools=tools)  # type: ignore[arg-type]
        call = answer.choices[0].message.tool_calls[0]  # type: ignore[index]
        name, arguments, finish = call.function.name, call.function.arguments, [answer.choices[0].finish_reason]  # type: ignore[union-attr]
    assert name == "lights" and json.loads(arguments) == {"room": "kitchen", "on": True}
    assert finish == ["tool_calls"]
    [sent] = capture.requests
    assert sent.path == "/v1/messages" and sent.headers["x-api-key"] == "sk-ant-test-777"
    body = sent.json()
    assert body["system"] == "You run the house."
    assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Kitchen lights on"}]}]
    assert body["tools"][0]["name"] == "lights" and "input_schema" in body["tools"][0]


def test_tool_calls_pass_through_openai_compatible_providers_streamed(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud")
    capture.reset(tool_call={"name": "timer", "arguments": '{"minutes": 12}'})
    client = openai.OpenAI(base_url=live.api, api_key=phone.key)
    tools = [
        {
            "type": "function",
            "function": {"name": "timer", "parameters": {"type": "object", "properties": {"minutes": {"type": "integer"}}}},
        }
    ]
    chunks = list(
        client.chat.completions.create(
            model="cloudy-model", messages=[{"role": "user", "content": "12 minute timer"}], tools=tools, tool_choice="auto", stream=True
        )
    )  # type: ignore[arg-type]
    arguments = "".join(
        c.choices[0].delta.tool_calls[0].function.arguments or "" for c in chunks if c.choices and c.choices[0].delta.tool_calls
    )  # type: ignore[index,union-attr]
    assert json.loads(arguments) == {"minutes": 12}
    assert capture.requests[0].json()["tools"] == tools


def test_a_provider_changed_in_the_admin_applies_from_the_next_request(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    """The web process and the workers keep the providers between requests (appliance.plumbing.versioned);
    a change must still reach them before the next request, or a disabled provider gets prompts."""
    phone = make_device(max_tier="cloud")
    first = make_provider("first-cloud", "cloud")
    Provider.objects.filter(name="home").update(enabled=False)
    client = openai.OpenAI(base_url=live.api, api_key=phone.key)
    answer = client.chat.completions.with_raw_response.create(
        model="hearth-auto", messages=[{"role": "user", "content": "hi"}], max_tokens=5
    )
    assert answer.headers["x-hearth-provider"] == "first-cloud"

    first.enabled = False
    first.save()
    make_provider("second-cloud", "cloud")
    capture.requests.clear()
    answer = client.chat.completions.with_raw_response.create(
        model="hearth-auto", messages=[{"role": "user", "content": "hi"}], max_tokens=5
    )
    assert answer.headers["x-hearth-provider"] == "second-cloud"
    assert [m.id for m in client.models.list()] == ["hearth-auto", "second-cloud-model"]

    Provider.objects.filter(name="second-cloud").update(enabled=False)  # a bulk update, no save signal
    with pytest.raises(openai.APIStatusError) as refused:
        client.chat.completions.create(model="hearth-auto", messages=[{"role": "user", "content": "hi"}], max_tokens=5)
    assert refused.value.status_code == 503
    assert len(capture.requests) == 1, "nothing went to a provider after it was turned off"


def test_a_burst_of_requests_is_each_answered_and_audited_once_on_an_intact_chain(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    """Audit rows of requests arriving together are committed together (gateway.services._Opener):
    none may be lost, doubled or sealed out of the chain."""
    import asyncio

    from gateway.services import verify_chain

    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud")
    Provider.objects.filter(name="home").update(enabled=False)

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=60, headers={"Authorization": f"Bearer {phone.key}"}) as client:
            asks = [{**ASK, "messages": [{"role": "user", "content": f"question {i}"}]} for i in range(24)]
            return await asyncio.gather(*(client.post(f"{live.api}/chat/completions", json=ask) for ask in asks))

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [200] * 24
    rows = audited(phone.device, count=24, timeout=30)
    assert sorted(str(r.request_id) for r in rows) == sorted(r.headers["x-request-id"] for r in responses)
    assert {r.outcome for r in rows} == {"ok"}
    assert sorted(m.json()["messages"][0]["content"] for m in capture.requests) == sorted(f"question {i}" for i in range(24))
    report = verify_chain()
    assert report.first_bad is None and report.checked >= 24
