"""Sends one conversation through the official SDKs and LiteLLM to the strict server, each request labelled.

Usage: sdk_requests.py BASE_URL  (BASE_URL is the strict server, http://127.0.0.1:PORT)

The conversation is the one issue 19 names: a question, a tool call with arguments, the tool's result, a
follow-up, with two tools declared (one with a parameter, one without). Each SDK builds its request the way
its docs show; LiteLLM translates the OpenAI-format conversation, greeting first, to Anthropic and Gemini.
Then the known-bad requests of issue 19 are sent raw, to show the server rejects them. The server records
everything; ConformanceTests.swift reads its /_captured and judges. A failure of an SDK call is printed and
the script goes on, so every case is recorded; the Swift test decides.
"""
import json
import os
import sys
import traceback
import urllib.request

BASE = sys.argv[1].rstrip("/")
KEY = "sk-conformance-0123456789abcdef"
SYSTEM = "You are a helpful voice assistant."
GREETING = "Hello! How can I help you today?"
QUESTION = "What is the weather in Paris?"
RESULT = "18 degrees and sunny"
ANSWER = "It is 18 degrees and sunny in Paris."
FOLLOW_UP = "Thanks, and which model are you?"
WEATHER_SCHEMA = {"type": "object", "properties": {"city": {"type": "string", "description": "City name"}},
                  "required": ["city"]}
OPENAI_TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Current weather for a city",
                                      "parameters": WEATHER_SCHEMA}},
    {"type": "function", "function": {"name": "getModelInfo", "description": "Which model is answering",
                                      "parameters": {"type": "object", "properties": {}}}},
]


def post(path, body, headers=None):
    request = urllib.request.Request(BASE + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def label(name):
    post("/_label", {"case": name})


def run(name, action):
    label(name)
    try:
        action()
        print(json.dumps({"case": name, "ok": True}), flush=True)
    except Exception as error:  # recorded by the server; reported here for the test log
        print(json.dumps({"case": name, "ok": False, "error": repr(error)[:500]}), flush=True)
        traceback.print_exc(file=sys.stderr)


def openai_sdk():
    from openai import OpenAI
    client = OpenAI(api_key=KEY, base_url=BASE + "/v1", max_retries=0)
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "assistant", "content": GREETING},
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": RESULT},
        {"role": "assistant", "content": ANSWER},
        {"role": "user", "content": FOLLOW_UP},
    ]
    stream = client.chat.completions.create(model="gpt-6-luna", messages=messages, tools=OPENAI_TOOLS,
                                            max_completion_tokens=200, stream=True,
                                            stream_options={"include_usage": True})
    for _ in stream:
        pass


def anthropic_sdk():
    import anthropic
    client = anthropic.Anthropic(api_key=KEY, base_url=BASE, max_retries=0)
    messages = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": RESULT}]},
        {"role": "assistant", "content": ANSWER},
        {"role": "user", "content": FOLLOW_UP},
    ]
    tools = [{"name": "get_weather", "description": "Current weather for a city", "input_schema": WEATHER_SCHEMA},
             {"name": "getModelInfo", "description": "Which model is answering",
              "input_schema": {"type": "object", "properties": {}}}]
    with client.messages.stream(model="claude-haiku-5-5", max_tokens=200, system=SYSTEM, messages=messages,
                                tools=tools) as stream:
        for _ in stream:
            pass


def gemini_sdk():
    from google import genai
    from google.genai import types
    client = genai.Client(api_key=KEY, http_options=types.HttpOptions(base_url=BASE, retry_options=None))
    contents = [
        types.Content(role="user", parts=[types.Part(text=QUESTION)]),
        types.Content(role="model", parts=[types.Part(
            function_call=types.FunctionCall(name="get_weather", args={"city": "Paris"}))]),
        types.Content(role="user", parts=[
            types.Part(function_response=types.FunctionResponse(name="get_weather", response={"content": RESULT}))]),
        types.Content(role="model", parts=[types.Part(text=ANSWER)]),
        types.Content(role="user", parts=[types.Part(text=FOLLOW_UP)]),
    ]
    tools = [types.Tool(function_declarations=[
        types.FunctionDeclaration(name="get_weather", description="Current weather for a city",
                                  parameters=types.Schema(type="OBJECT", properties={
                                      "city": types.Schema(type="STRING", description="City name")},
                                      required=["city"])),
        types.FunctionDeclaration(name="getModelInfo", description="Which model is answering"),
    ])]
    config = types.GenerateContentConfig(system_instruction=SYSTEM, tools=tools, max_output_tokens=200,
                                         automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True))
    for _ in client.models.generate_content_stream(model="gemini-3.5-flash-lite", contents=contents, config=config):
        pass


def litellm_messages(greeting):
    """OpenAI format; LiteLLM translates roles and tools but passes a greeting-first history through as is."""
    return [{"role": "system", "content": SYSTEM}] + ([{"role": "assistant", "content": GREETING}] if greeting else []) + [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": RESULT},
        {"role": "assistant", "content": ANSWER},
        {"role": "user", "content": FOLLOW_UP},
    ]


def litellm_call(model, api_base, greeting=False):
    import litellm
    litellm.telemetry = False
    response = litellm.completion(model=model, messages=litellm_messages(greeting), tools=OPENAI_TOOLS, api_key=KEY,
                                  api_base=api_base, stream=True, max_tokens=200, num_retries=0)
    for _ in response:
        pass


def deepgram_sdk(wav):
    from deepgram import DeepgramClient
    from deepgram.environment import DeepgramClientEnvironment
    environment = DeepgramClientEnvironment(base=BASE, production=BASE.replace("http", "ws"), agent=BASE,
                                            agent_rest=BASE)
    client = DeepgramClient(api_key=KEY, environment=environment)
    client.listen.v1.media.transcribe_file(request=wav, model="nova-3", smart_format=True)


def elevenlabs_sdk():
    from elevenlabs.client import ElevenLabs
    client = ElevenLabs(api_key=KEY, base_url=BASE)
    for _ in client.text_to_speech.stream("JBFqnCBsd6RMkjVDRZzb", text="Hello there.", model_id="eleven_flash_v2_5",
                                          output_format="pcm_24000"):
        pass


def cartesia_sdk():
    from cartesia import Cartesia
    client = Cartesia(api_key=KEY, base_url=BASE, max_retries=0)
    response = client.tts.generate(model_id="sonic-3.5", transcript="Hello there.",
                                   voice={"mode": "id", "id": "694f9389-aac1-45b6-b726-9d9369183238"},
                                   output_format={"container": "raw", "encoding": "pcm_s16le", "sample_rate": 24000})
    response.read()


def openai_speech_sdk(wav):
    from openai import OpenAI
    client = OpenAI(api_key=KEY, base_url=BASE + "/v1", max_retries=0)
    with client.audio.speech.with_streaming_response.create(model="gpt-4o-mini-tts", input="Hello there.",
                                                            voice="alloy", response_format="pcm") as response:
        response.read()
    client.audio.transcriptions.create(model="gpt-transcribe", file=("utterance.wav", wav, "audio/wav"),
                                       response_format="json", language="en")


def wav_bytes():
    import struct
    samples = b"\x00\x00" * 1600
    return (b"RIFF" + struct.pack("<I", 36 + len(samples)) + b"WAVEfmt " +
            struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16) + b"data" + struct.pack("<I", len(samples)) + samples)


def known_bad():
    """Issue 19's findings, sent raw: each must be rejected."""
    gemini = "/v1beta/models/gemini-3.5-flash-lite:streamGenerateContent?alt=sse"
    gemini_headers = {"x-goog-api-key": KEY}
    user = {"role": "user", "parts": [{"text": QUESTION}]}
    model = {"role": "model", "parts": [{"text": GREETING}]}
    cases = {
        "bad-gemini-empty-properties": (gemini, {"contents": [user], "tools": [{"functionDeclarations": [
            {"name": "getModelInfo", "description": "x", "parameters": {"type": "object", "properties": {}}}]}]},
            gemini_headers),
        "bad-gemini-additional-properties": (gemini, {"contents": [user], "tools": [{"functionDeclarations": [
            {"name": "get_weather", "description": "x", "parameters": dict(WEATHER_SCHEMA, additionalProperties=False)}]}]},
            gemini_headers),
        "bad-gemini-model-first": (gemini, {"contents": [model, user]}, gemini_headers),
        "bad-gemini-not-alternating": (gemini, {"contents": [user, user]}, gemini_headers),
        "bad-gemini-no-key": (gemini, {"contents": [user]}, {}),
        "bad-anthropic-assistant-first": ("/v1/messages", {"model": "claude-haiku-5-5", "max_tokens": 100, "messages": [
            {"role": "assistant", "content": GREETING}, {"role": "user", "content": QUESTION}]},
            {"x-api-key": KEY, "anthropic-version": "2023-06-01"}),
        "bad-anthropic-tool-use-without-result": ("/v1/messages", {"model": "claude-haiku-5-5", "max_tokens": 100,
            "messages": [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
                {"role": "user", "content": FOLLOW_UP}]},
            {"x-api-key": KEY, "anthropic-version": "2023-06-01"}),
        "bad-anthropic-no-version": ("/v1/messages", {"model": "claude-haiku-5-5", "max_tokens": 100, "messages": [
            {"role": "user", "content": QUESTION}]}, {"x-api-key": KEY}),
        "bad-openai-max-tokens-reasoning": ("/v1/chat/completions", {"model": "gpt-6-luna", "max_tokens": 100,
            "messages": [{"role": "user", "content": QUESTION}]}, {"Authorization": "Bearer " + KEY}),
        "bad-openai-call-without-result": ("/v1/chat/completions", {"model": "gpt-4.1-mini", "messages": [
            {"role": "user", "content": QUESTION}, {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
            {"role": "user", "content": FOLLOW_UP}]}, {"Authorization": "Bearer " + KEY}),
        "bad-cartesia-sunset-model": ("/tts/bytes", {"model_id": "sonic-2-2025-03-07", "transcript": "Hi.",
            "voice": {"mode": "id", "id": "694f9389-aac1-45b6-b726-9d9369183238"},
            "output_format": {"container": "raw", "encoding": "pcm_s16le", "sample_rate": 24000}},
            {"Authorization": "Bearer " + KEY, "Cartesia-Version": "2026-03-01"}),
        "bad-cartesia-x-api-key": ("/tts/bytes", {"model_id": "sonic-3.5", "transcript": "Hi.",
            "voice": {"mode": "id", "id": "694f9389-aac1-45b6-b726-9d9369183238"},
            "output_format": {"container": "raw", "encoding": "pcm_s16le", "sample_rate": 24000}},
            {"X-API-Key": KEY, "Cartesia-Version": "2025-04-16"}),
        "bad-cartesia-no-version": ("/tts/bytes", {"model_id": "sonic-3.5", "transcript": "Hi.",
            "voice": {"mode": "id", "id": "694f9389-aac1-45b6-b726-9d9369183238"},
            "output_format": {"container": "raw", "encoding": "pcm_s16le", "sample_rate": 24000}},
            {"Authorization": "Bearer " + KEY}),
        "bad-elevenlabs-no-key": ("/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/stream?output_format=pcm_24000",
                                  {"text": "Hi."}, {}),
    }
    for name, (path, body, headers) in cases.items():
        label(name)
        status = post(path, body, headers)
        print(json.dumps({"case": name, "status": status}), flush=True)


def main():
    wav = wav_bytes()
    run("sdk-openai", openai_sdk)
    run("sdk-anthropic", anthropic_sdk)
    run("sdk-gemini", gemini_sdk)
    run("litellm-anthropic", lambda: litellm_call("anthropic/claude-haiku-5-5", BASE))
    run("litellm-gemini", lambda: litellm_call("gemini/gemini-3.5-flash-lite", BASE + "/v1beta"))
    run("litellm-openai", lambda: litellm_call("openai/gpt-4.1-mini", BASE + "/v1", greeting=True))
    # Translation alone does not make a greeting-first history valid: both are the findings.
    run("bad-litellm-anthropic-greeting-first", lambda: litellm_call("anthropic/claude-haiku-5-5", BASE, greeting=True))
    run("bad-litellm-gemini-greeting-first",
        lambda: litellm_call("gemini/gemini-3.5-flash-lite", BASE + "/v1beta", greeting=True))
    run("sdk-deepgram", lambda: deepgram_sdk(wav))
    run("sdk-elevenlabs", elevenlabs_sdk)
    run("sdk-cartesia", cartesia_sdk)
    run("sdk-openai-speech", lambda: openai_speech_sdk(wav))
    known_bad()
    label("")


if __name__ == "__main__":
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    main()
