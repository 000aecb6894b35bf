"""Strict local provider servers: the request rules of OpenAI, Anthropic, Gemini, Deepgram, ElevenLabs and
Cartesia as their docs state them (docs/providers.md, checked 2026-12-07), answered with each vendor's own
error body, so a request the vendor would reject fails a test here instead of a user's call.

Faithfulness is proven, not assumed: ConformanceTests.swift sends requests made by the official SDKs and
LiteLLM (sdk_requests.py) and expects every one accepted, and sends the known-bad requests of issue 19 and
expects each rejected.

Usage: strict_server.py  -> prints {"port": N} and serves on 127.0.0.1 until killed or stdin closes.
Control endpoints (not vendor paths): POST /_label {"case": name} tags the requests that follow;
GET /_captured returns every request seen with the server's verdict.
"""
import base64
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MAX_BODY = 8 * 1024 * 1024

# OpenAI: models that take `max_completion_tokens` only ("Unsupported parameter: 'max_tokens' is not
# supported with this model"): the o-series and the GPT-5/GPT-6 reasoning families.
OPENAI_REASONING = re.compile(r"^(o1|o3|o4|gpt-5|gpt-6)")
OPENAI_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
ANTHROPIC_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
ANTHROPIC_TOOL_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
GEMINI_FUNCTION_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$")
# Gemini `Schema` fields (ai.google.dev/api/caching#Schema); anything else is "Unknown name ... Cannot find field".
GEMINI_SCHEMA_FIELDS = {
    "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties",
    "required", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf",
    "propertyOrdering", "default", "items", "minimum", "maximum",
}
GEMINI_TYPES = {"TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"}
GEMINI_PART_DATA = {"text", "inlineData", "functionCall", "functionResponse", "fileData", "executableCode",
                    "codeExecutionResult"}
# The dates the API reference lists, and the one the official SDK (cartesia 4.2.0) pins.
# anthropic-version values: the long-standing one (LiteLLM, most clients) and the one anthropic 2.10.0 pins.
ANTHROPIC_VERSIONS = {"2023-01-01", "2023-06-01", "2026-10-21"}
CARTESIA_VERSIONS = {"2024-06-10", "2024-11-13", "2025-04-16", "2026-03-01", "2026-08-14"}
# Cartesia "API changes": these stopped serving requests on 2026-06-01.
CARTESIA_SUNSET = {"sonic", "sonic-english", "sonic-multilingual", "sonic-2-2025-03-07", "sonic-turbo-2025-03-07"}
ELEVENLABS_FORMATS = re.compile(r"^(pcm_(8000|16000|22050|24000|44100|48000)|mp3_\d+_\d+|ulaw_8000|alaw_8000|opus_\d+_\d+|wav_\d+)$")
OPENAI_TTS_FORMATS = {"mp3", "opus", "aac", "flac", "wav", "pcm"}


class Rejected(Exception):
    def __init__(self, status, body, content_type="application/json"):
        super().__init__(status)
        self.status = status
        self.body = body
        self.content_type = content_type


def openai_error(message, param=None, code=None, status=400, kind="invalid_request_error"):
    return Rejected(status, {"error": {"message": message, "type": kind, "param": param, "code": code}})


def anthropic_error(message, status=400, kind="invalid_request_error"):
    return Rejected(status, {"type": "error", "error": {"type": kind, "message": message},
                             "request_id": "req_strict"})


def gemini_error(message, status=400, code="INVALID_ARGUMENT"):
    return Rejected(status, {"error": {"code": status, "message": message, "status": code}})


def cartesia_error(code, title, message, status=400):
    return Rejected(status, {"error_code": code, "title": title, "message": message, "request_id": "strict"})


def elevenlabs_error(status, message, kind="validation_error"):
    return Rejected(status, {"detail": {"status": kind, "message": message}})


def deepgram_error(status, code, message):
    return Rejected(status, {"err_code": code, "err_msg": message, "request_id": "strict"})


# ----------------------------------------------------------------------------------------------------
# OpenAI Chat Completions


def check_openai_chat(headers, body):
    auth = headers.get("authorization", "")
    if not auth.startswith("Bearer ") or len(auth) <= len("Bearer "):
        raise openai_error("You didn't provide an API key.", status=401, code=None)
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise openai_error("you must provide a model parameter", param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise openai_error("[] is too short - 'messages'", param="messages", code="empty_array")
    if "max_tokens" in body and OPENAI_REASONING.match(body["model"]):
        raise openai_error("Unsupported parameter: 'max_tokens' is not supported with this model. "
                           "Use 'max_completion_tokens' instead.", param="max_tokens", code="unsupported_parameter")
    pending = []  # tool_call ids the next messages must answer
    for index, message in enumerate(messages):
        role = message.get("role")
        if role not in ("system", "developer", "user", "assistant", "tool"):
            raise openai_error(f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', "
                               f"'function', 'tool', and 'developer'.", param=f"messages[{index}].role",
                               code="invalid_value")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in pending:
                raise openai_error("Invalid parameter: messages with role 'tool' must be a response to a preceeding "
                                   "message with 'tool_calls'.", param=f"messages.[{index}].role")
            pending.remove(call_id)
            continue
        if pending:
            raise openai_error("An assistant message with 'tool_calls' must be followed by tool messages responding "
                               f"to each 'tool_call_id'. The following tool_call_ids did not have response messages: "
                               f"{', '.join(pending)}", param=f"messages.[{index}].role")
        if role == "assistant" and message.get("tool_calls"):
            for call in message["tool_calls"]:
                if call.get("type") != "function" or not isinstance(call.get("function", {}).get("arguments"), str):
                    raise openai_error("Invalid tool call", param=f"messages.[{index}].tool_calls")
                pending.append(call.get("id"))
        elif message.get("content") is None:
            raise openai_error(f"Invalid value for 'content': expected a string, got null.",
                               param=f"messages.[{index}].content")
    if pending:
        raise openai_error("An assistant message with 'tool_calls' must be followed by tool messages responding to "
                           f"each 'tool_call_id'. The following tool_call_ids did not have response messages: "
                           f"{', '.join(pending)}", param=f"messages.[{len(messages)}].role")
    for index, tool in enumerate(body.get("tools") or []):
        function = tool.get("function") or {}
        if tool.get("type") != "function" or not OPENAI_TOOL_NAME.match(function.get("name") or ""):
            raise openai_error(f"Invalid 'tools[{index}].function.name': string does not match pattern.",
                               param=f"tools[{index}].function.name", code="invalid_value")
        parameters = function.get("parameters")
        if parameters is not None and parameters.get("type") != "object":
            raise openai_error(f"Invalid schema for function '{function['name']}': schema must be a JSON Schema of "
                               "'type: \"object\"'.", param=f"tools[{index}].function.parameters",
                               code="invalid_function_parameters")


def openai_reply(body, text, call):
    model = body["model"]
    if not body.get("stream"):
        message = {"role": "assistant", "content": None if call else text}
        if call:
            message["tool_calls"] = [{"id": "call_strict1", "type": "function",
                                      "function": {"name": call[0], "arguments": json.dumps(call[1])}}]
        return "application/json", json.dumps({
            "id": "chatcmpl-strict", "object": "chat.completion", "created": 1, "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if call else "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}).encode()

    def chunk(delta, finish=None):
        return {"id": "chatcmpl-strict", "object": "chat.completion.chunk", "created": 1, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    events = [chunk({"role": "assistant", "content": ""})]
    if call:
        arguments = json.dumps(call[1])
        events.append(chunk({"tool_calls": [{"index": 0, "id": "call_strict1", "type": "function",
                                             "function": {"name": call[0], "arguments": ""}}]}))
        events.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": arguments}}]}))
        events.append(chunk({}, "tool_calls"))
    else:
        events.append(chunk({"content": text}))
        events.append(chunk({}, "stop"))
    if (body.get("stream_options") or {}).get("include_usage"):
        events.append({"id": "chatcmpl-strict", "object": "chat.completion.chunk", "created": 1, "model": model,
                       "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
    payload = "".join(f"data: {json.dumps(event)}\n\n" for event in events) + "data: [DONE]\n\n"
    return "text/event-stream", payload.encode()


# ----------------------------------------------------------------------------------------------------
# Anthropic Messages


def check_anthropic(headers, body):
    # x-api-key, or Authorization: Bearer as the official SDK (2.10.0) sends it.
    if not headers.get("x-api-key") and not headers.get("authorization", "").startswith("Bearer "):
        raise anthropic_error("x-api-key header is required", status=401, kind="authentication_error")
    if not headers.get("anthropic-version"):
        raise anthropic_error("anthropic-version: header is required")
    if headers["anthropic-version"] not in ANTHROPIC_VERSIONS:
        raise anthropic_error(f"anthropic-version: invalid version {headers['anthropic-version']}")
    if not isinstance(body.get("model"), str):
        raise anthropic_error("model: Field required")
    if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
        raise anthropic_error("max_tokens: Field required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise anthropic_error("messages: at least one message is required")
    if messages[0].get("role") != "user":
        raise anthropic_error('messages: first message must use the "user" role')
    previous_uses = []
    for index, message in enumerate(messages):
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise anthropic_error(f"messages.{index}.role: Input should be 'user' or 'assistant'")
        if index > 0 and messages[index - 1].get("role") == role:
            raise anthropic_error(f'messages: roles must alternate between "user" and "assistant", but found '
                                  f'multiple "{role}" roles in a row')
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        if not isinstance(blocks, list) or not blocks:
            raise anthropic_error(f"messages.{index}: all messages must have non-empty content except for the "
                                  "optional final assistant message")
        uses = []
        answered = []
        seen_other = False
        for position, block in enumerate(blocks):
            kind = block.get("type")
            if kind == "text" and not str(block.get("text", "")).strip():
                raise anthropic_error(f"messages.{index}.content.{position}.text: text content blocks must contain "
                                      "non-whitespace text")
            if kind == "tool_use":
                if role != "assistant" or not ANTHROPIC_TOOL_ID.match(block.get("id") or ""):
                    raise anthropic_error(f"messages.{index}.content.{position}.tool_use.id: String should match "
                                          "pattern '^[a-zA-Z0-9_-]+$'")
                if not isinstance(block.get("input"), dict):
                    raise anthropic_error(f"messages.{index}.content.{position}.tool_use.input: Input should be a "
                                          "valid dictionary")
                uses.append(block["id"])
            elif kind == "tool_result":
                if role != "user" or block.get("tool_use_id") not in previous_uses:
                    raise anthropic_error(f"messages.{index}.content.{position}: unexpected `tool_use_id` found in "
                                          "`tool_result` blocks: " + str(block.get("tool_use_id")) + ". Each "
                                          "`tool_result` block must have a corresponding `tool_use` block in the "
                                          "previous message.")
                if seen_other:
                    raise anthropic_error(f"messages.{index}: `tool_result` blocks must come first in the user "
                                          "message content, before any other content")
                answered.append(block["tool_use_id"])
            else:
                seen_other = True
        missing = [use for use in previous_uses if use not in answered]
        if missing:
            raise anthropic_error(f"messages.{index}: `tool_use` ids were found without `tool_result` blocks "
                                  f"immediately after: {', '.join(missing)}. Each `tool_use` block must have a "
                                  "corresponding `tool_result` block in the next message.")
        previous_uses = uses
    if previous_uses:
        raise anthropic_error(f"messages.{len(messages) - 1}: `tool_use` ids were found without `tool_result` "
                              f"blocks immediately after: {', '.join(previous_uses)}.")
    for index, tool in enumerate(body.get("tools") or []):
        if not ANTHROPIC_TOOL_NAME.match(tool.get("name") or ""):
            raise anthropic_error(f"tools.{index}.custom.name: String should match pattern "
                                  "'^[a-zA-Z0-9_-]{1,128}$'")
        schema = tool.get("input_schema")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise anthropic_error(f"tools.{index}.custom.input_schema.type: Input should be 'object'")
    system = body.get("system")
    if system is not None and not isinstance(system, (str, list)):
        raise anthropic_error("system: Input should be a valid string")


def anthropic_reply(body, text, call):
    model = body["model"]
    if not body.get("stream"):
        content = [{"type": "tool_use", "id": "toolu_strict1", "name": call[0], "input": call[1]}] if call \
            else [{"type": "text", "text": text}]
        return "application/json", json.dumps({
            "id": "msg_strict", "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": "tool_use" if call else "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 5}}).encode()
    events = [("message_start", {"type": "message_start", "message": {
        "id": "msg_strict", "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 1}}}),
        ("ping", {"type": "ping"})]
    if call:
        events += [
            ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {
                "type": "tool_use", "id": "toolu_strict1", "name": call[0], "input": {}}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {
                "type": "input_json_delta", "partial_json": json.dumps(call[1])}}),
            ("content_block_stop", {"type": "content_block_stop", "index": 0})]
    else:
        events += [
            ("content_block_start", {"type": "content_block_start", "index": 0,
                                     "content_block": {"type": "text", "text": ""}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                     "delta": {"type": "text_delta", "text": text}}),
            ("content_block_stop", {"type": "content_block_stop", "index": 0})]
    events += [("message_delta", {"type": "message_delta", "delta": {
        "stop_reason": "tool_use" if call else "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 5}}),
        ("message_stop", {"type": "message_stop"})]
    return "text/event-stream", "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n"
                                        for name, data in events).encode()


# ----------------------------------------------------------------------------------------------------
# Gemini generateContent / streamGenerateContent


# Protobuf JSON accepts either spelling of a field name (LiteLLM sends snake_case, the SDKs camelCase).
GEMINI_SNAKE = {
    "function_call": "functionCall", "function_response": "functionResponse", "inline_data": "inlineData",
    "file_data": "fileData", "thought_signature": "thoughtSignature", "function_declarations": "functionDeclarations",
    "system_instruction": "systemInstruction", "generation_config": "generationConfig", "tool_config": "toolConfig",
    "function_calling_config": "functionCallingConfig", "allowed_function_names": "allowedFunctionNames",
    "max_output_tokens": "maxOutputTokens", "parameters_json_schema": "parametersJsonSchema", "any_of": "anyOf",
    "max_items": "maxItems", "min_items": "minItems", "property_ordering": "propertyOrdering",
    "executable_code": "executableCode", "code_execution_result": "codeExecutionResult",
    "min_length": "minLength", "max_length": "maxLength", "min_properties": "minProperties",
    "max_properties": "maxProperties", "safety_settings": "safetySettings", "cached_content": "cachedContent",
}


def gemini_camel(value, user_map=False):
    """Field names in camelCase; the names inside args, response and properties maps are the caller's."""
    if isinstance(value, list):
        return [gemini_camel(item) for item in value]
    if not isinstance(value, dict):
        return value
    if user_map:
        return {key: gemini_camel(item) for key, item in value.items()}
    converted = {}
    for key, item in value.items():
        name = GEMINI_SNAKE.get(key, key)
        if name in ("args", "response", "example", "default"):
            converted[name] = item
        else:
            converted[name] = gemini_camel(item, user_map=(name == "properties"))
    return converted


def check_gemini_schema(schema, path):
    if not isinstance(schema, dict):
        raise gemini_error(f"Invalid JSON payload received. Invalid value at '{path}'")
    for key in schema:
        if key not in GEMINI_SCHEMA_FIELDS:
            raise gemini_error(f"Invalid JSON payload received. Unknown name \"{key}\" at '{path}': Cannot find field.")
    kind = schema.get("type")
    if kind is not None and (not isinstance(kind, str) or kind.upper() not in GEMINI_TYPES):
        raise gemini_error(f"Invalid JSON payload received. Invalid value at '{path}.type' ({json.dumps(kind)})")
    kind = (kind or "").upper()
    # The reported 400 is for an empty `properties` map; LiteLLM (used widely with Gemini) sends a
    # parameter-less tool as {"type": "object"} with no map at all, so only the empty map is rejected.
    if kind == "OBJECT" and "properties" in schema and not schema["properties"]:
        raise gemini_error(f"* GenerateContentRequest.{path}.properties: should be non-empty for OBJECT type\n")
    if "enum" in schema:
        if kind != "STRING" or not all(isinstance(value, str) for value in schema["enum"]):
            raise gemini_error(f"* GenerateContentRequest.{path}.enum: only allowed for STRING type\n")
    for name, value in (schema.get("properties") or {}).items():
        check_gemini_schema(value, f"{path}.properties[{name}].value")
    for name in schema.get("required") or []:
        if name not in (schema.get("properties") or {}):
            raise gemini_error(f"* GenerateContentRequest.{path}.required[{name}]: property is not defined\n")
    if "items" in schema:
        check_gemini_schema(schema["items"], f"{path}.items")
    for index, alternative in enumerate(schema.get("anyOf") or []):
        check_gemini_schema(alternative, f"{path}.any_of[{index}]")


def check_gemini(headers, query, body):
    if not headers.get("x-goog-api-key") and not query.get("key"):
        raise gemini_error("Method doesn't allow unregistered callers (callers without established identity). "
                           "Please use API Key or other form of API consumer identity to call this API.",
                           status=403, code="PERMISSION_DENIED")
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        raise gemini_error("* GenerateContentRequest.contents: contents is not specified\n")
    calls_pending = 0
    for index, content in enumerate(contents):
        role = content.get("role", "user")
        if role not in ("user", "model"):
            raise gemini_error(f"Please use a valid role: user, model.")
        if index == 0 and role != "user":
            raise gemini_error("Please ensure that multiturn requests alternate between user and model.")
        if index > 0 and contents[index - 1].get("role", "user") == role:
            raise gemini_error("Please ensure that multiturn requests alternate between user and model.")
        parts = content.get("parts")
        if not isinstance(parts, list) or not parts:
            raise gemini_error(f"* GenerateContentRequest.contents[{index}].parts: contents.parts must not be empty.\n")
        calls = responses = 0
        for position, part in enumerate(parts):
            data = [key for key in part if key in GEMINI_PART_DATA]
            if len(data) != 1:
                raise gemini_error(f"* GenerateContentRequest.contents[{index}].parts[{position}].data: required "
                                   "oneof field 'data' must have one initialized field\n")
            if "functionCall" in part:
                if role != "model" or not isinstance(part["functionCall"].get("args", {}), dict):
                    raise gemini_error("Please ensure that function call turn comes immediately after a user turn "
                                       "or after a function response turn.")
                calls += 1
            if "functionResponse" in part:
                response = part["functionResponse"]
                if not response.get("name") or not isinstance(response.get("response"), dict):
                    raise gemini_error(f"* GenerateContentRequest.contents[{index}].parts[{position}]."
                                       "function_response.name: Name cannot be empty.\n")
                responses += 1
        if role == "user" and responses != calls_pending:
            raise gemini_error("Please ensure that the number of function response parts is equal to the number of "
                               "function call parts of the function call turn.")
        calls_pending = calls if role == "model" else 0
    for tool_index, tool in enumerate(body.get("tools") or []):
        for index, declaration in enumerate(tool.get("functionDeclarations") or tool.get("function_declarations") or []):
            path = f"tools[{tool_index}].function_declarations[{index}]"
            if not GEMINI_FUNCTION_NAME.match(declaration.get("name") or ""):
                raise gemini_error(f"* GenerateContentRequest.{path}.name: Invalid function name. Must start with a "
                                   "letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots "
                                   "(.), colons (:) or dashes (-), with a maximum length of 64.\n")
            if "parameters" in declaration:
                check_gemini_schema(declaration["parameters"], f"{path}.parameters")
            elif "parametersJsonSchema" in declaration:
                schema = declaration["parametersJsonSchema"]
                if not isinstance(schema, dict) or schema.get("type") != "object":
                    raise gemini_error(f"* GenerateContentRequest.{path}.parameters_json_schema: must be an object "
                                       "schema\n")


def gemini_reply(streaming, text, call):
    part = {"functionCall": {"name": call[0], "args": call[1]}, "thoughtSignature": "c3RyaWN0"} if call \
        else {"text": text}
    frame = {"candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}],
             "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
             "modelVersion": "strict", "responseId": "strict"}
    if streaming:
        return "text/event-stream", f"data: {json.dumps(frame)}\r\n\r\n".encode()
    return "application/json", json.dumps(frame).encode()


# ----------------------------------------------------------------------------------------------------
# Speech


def check_cartesia(headers, body):
    version = headers.get("cartesia-version")
    if not version:
        raise cartesia_error("missing_version", "Missing version", "Cartesia-Version header is required.")
    if version not in CARTESIA_VERSIONS:
        raise cartesia_error("invalid_version", "Invalid version", f"Invalid Cartesia-Version: {version}.")
    auth = headers.get("authorization", "")
    if not auth.startswith("Bearer ") or len(auth) <= len("Bearer "):
        raise cartesia_error("unauthorized", "Unauthorized", "Authorization: Bearer <api_key> is required.",
                             status=401)
    model = body.get("model_id")
    if not isinstance(model, str) or not model:
        raise cartesia_error("invalid_request", "Invalid request", "model_id is required.")
    if model in CARTESIA_SUNSET:
        raise cartesia_error("model_sunsetted", "Model sunsetted",
                             "The requested model has been sunsetted and is no longer available.")
    if not isinstance(body.get("transcript"), str) or not body["transcript"]:
        raise cartesia_error("invalid_request", "Invalid request", "transcript is required.")
    voice = body.get("voice") or {}
    if voice.get("mode") != "id" or not re.match(r"^[0-9a-f-]{36}$", voice.get("id") or ""):
        raise cartesia_error("invalid_request", "Invalid request", "voice must be {\"mode\":\"id\",\"id\":<uuid>}.")
    output = body.get("output_format") or {}
    if output.get("container") not in ("raw", "wav", "mp3"):
        raise cartesia_error("invalid_request", "Invalid request", "output_format.container is required.")
    if output.get("container") in ("raw", "wav") and (
            output.get("encoding") not in ("pcm_f32le", "pcm_s16le", "pcm_mulaw", "pcm_alaw")
            or output.get("sample_rate") not in (8000, 16000, 22050, 24000, 44100, 48000)):
        raise cartesia_error("invalid_request", "Invalid request", "output_format needs encoding and sample_rate.")


def check_elevenlabs(headers, query, body):
    if not headers.get("xi-api-key"):
        raise elevenlabs_error(401, "Missing xi-api-key header", kind="missing_api_key")
    if not isinstance(body.get("text"), str) or not body["text"]:
        raise elevenlabs_error(422, "text: Field required")
    output = (query.get("output_format") or ["mp3_44100_128"])[0]
    if not ELEVENLABS_FORMATS.match(output):
        raise elevenlabs_error(422, f"output_format: invalid value {output}")


def check_openai_speech(headers, body):
    auth = headers.get("authorization", "")
    if not auth.startswith("Bearer "):
        raise openai_error("You didn't provide an API key.", status=401)
    for field in ("model", "input", "voice"):
        if not body.get(field):
            raise openai_error(f"Missing required parameter: '{field}'.", param=field, code="missing_required_parameter")
    if body.get("response_format", "mp3") not in OPENAI_TTS_FORMATS:
        raise openai_error("Invalid value for 'response_format'.", param="response_format", code="invalid_value")


def multipart_fields(headers, raw):
    match = re.search(r"boundary=\"?([^\";]+)\"?", headers.get("content-type", ""))
    if not match:
        raise openai_error("Expected a multipart/form-data body.")
    fields = {}
    for section in raw.split(b"--" + match.group(1).encode())[1:]:
        if section.startswith(b"--"):
            break
        head, _, value = section.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if name:
            fields[name.group(1).decode()] = value[:-2] if value.endswith(b"\r\n") else value
    return fields


def check_openai_transcription(headers, raw):
    if not headers.get("authorization", "").startswith("Bearer "):
        raise openai_error("You didn't provide an API key.", status=401)
    fields = multipart_fields(headers, raw)
    if "file" not in fields or not fields["file"]:
        raise openai_error("Missing required parameter: 'file'.", param="file", code="missing_required_parameter")
    if "model" not in fields:
        raise openai_error("Missing required parameter: 'model'.", param="model", code="missing_required_parameter")
    return fields


def check_deepgram(headers, raw):
    auth = headers.get("authorization", "")
    if not (auth.startswith("Token ") or auth.startswith("Bearer ")):
        raise deepgram_error(401, "INVALID_AUTH", "Invalid credentials.")
    if not raw:
        raise deepgram_error(400, "Bad Request", "Bad Request: failed to process audio: corrupt or unsupported data")


# ----------------------------------------------------------------------------------------------------
# What the fake model says: a weather question gets a call of a declared weather tool, a conversation
# that has a tool result gets the answer, anything else a greeting.


def conversation_text(value):
    return json.dumps(value).lower()


def plan_reply(history, tool_names, has_result):
    weather = next((name for name in tool_names if "weather" in name.lower()), None)
    if has_result:
        return "It is 18 degrees and sunny in Paris.", None
    if weather and "weather" in conversation_text(history):
        return None, (weather, {"city": "Paris"})
    return "Hello from the strict server.", None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "strict-provider"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/_captured":
            with self.server.lock:
                payload = json.dumps(self.server.captured).encode()
            self.send(200, "application/json", payload)
        else:
            self.send(404, "application/json", b'{"error":"not found"}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raw = self.read_chunked()
        else:
            raw = self.rfile.read(min(length, MAX_BODY))
        split = urlsplit(self.path)
        if split.path == "/_label":
            with self.server.lock:
                self.server.label = json.loads(raw or b"{}").get("case", "")
            return self.send(200, "application/json", b"{}")
        headers = {key.lower(): value for key, value in self.headers.items()}
        query = parse_qs(split.query)
        record = {"case": self.server.label, "method": "POST", "path": split.path, "query": query,
                  "headers": headers}
        try:
            content_type, payload = self.route(split.path, headers, query, raw, record)
            record["status"] = 200
            self.send(200, content_type, payload)
        except Rejected as rejected:
            record["status"] = rejected.status
            record["error"] = rejected.body
            self.send(rejected.status, rejected.content_type, json.dumps(rejected.body).encode())
        except Exception as error:  # a bug here must show, not pass as a vendor answer
            record["status"] = 500
            record["error"] = f"strict server bug: {error!r}"
            self.send(500, "application/json", json.dumps({"error": record["error"]}).encode())
        with self.server.lock:
            self.server.captured.append(record)

    def read_chunked(self):
        data = b""
        while len(data) < MAX_BODY:
            size = int(self.rfile.readline().strip().split(b";")[0] or b"0", 16)
            if size == 0:
                self.rfile.readline()
                break
            data += self.rfile.read(size)
            self.rfile.readline()
        return data

    def json_body(self, raw, error):
        try:
            body = json.loads(raw)
        except ValueError:
            raise error("Invalid JSON payload received.")
        if not isinstance(body, dict):
            raise error("Invalid JSON payload received.")
        return body

    def route(self, path, headers, query, raw, record):
        path = re.sub(r"^/(openai/)?v1(?=/)", "", path) if path.startswith(("/v1/chat", "/v1/audio", "/openai/v1")) \
            else path
        if path == "/chat/completions":
            body = self.json_body(raw, openai_error)
            record["body"] = body
            check_openai_chat(headers, body)
            names = [tool["function"]["name"] for tool in body.get("tools") or []]
            has_result = body["messages"][-1].get("role") == "tool"
            text, call = plan_reply(body["messages"][-1:], names, has_result)
            return openai_reply(body, text, call)
        if path == "/v1/messages":
            body = self.json_body(raw, anthropic_error)
            record["body"] = body
            check_anthropic(headers, body)
            names = [tool["name"] for tool in body.get("tools") or []]
            last = body["messages"][-1]
            has_result = isinstance(last.get("content"), list) and any(
                block.get("type") == "tool_result" for block in last["content"])
            text, call = plan_reply([last], names, has_result)
            return anthropic_reply(body, text, call)
        gemini = re.match(r"^/v1(?:beta)?/models/([^/:]+):(streamGenerateContent|generateContent)$", path)
        if gemini:
            body = gemini_camel(self.json_body(raw, gemini_error))
            record["body"] = body
            if gemini.group(2) == "streamGenerateContent" and query.get("alt") != ["sse"]:
                raise gemini_error("streamGenerateContent without alt=sse answers a JSON array; this server speaks SSE")
            check_gemini(headers, query, body)
            names = [declaration.get("name") for tool in body.get("tools") or []
                     for declaration in tool.get("functionDeclarations") or tool.get("function_declarations") or []]
            last = body["contents"][-1]
            has_result = any("functionResponse" in part for part in last.get("parts", []))
            text, call = plan_reply([last], names, has_result)
            return gemini_reply(gemini.group(2) == "streamGenerateContent", text, call)
        if path == "/tts/bytes":
            body = self.json_body(raw, lambda message: cartesia_error("invalid_request", "Invalid request", message))
            record["body"] = body
            check_cartesia(headers, body)
            return "application/octet-stream", b"\x01\x00\x02\x00" * 240
        elevenlabs = re.match(r"^/v1/text-to-speech/([A-Za-z0-9]+)(/stream)?$", path)
        if elevenlabs:
            body = self.json_body(raw, lambda message: elevenlabs_error(400, message))
            record["body"] = body
            check_elevenlabs(headers, query, body)
            return "audio/pcm", b"\x01\x00\x02\x00" * 240
        if path == "/audio/speech":
            body = self.json_body(raw, openai_error)
            record["body"] = body
            check_openai_speech(headers, body)
            return "application/octet-stream", b"\x01\x00\x02\x00" * 240
        if path == "/audio/transcriptions":
            fields = check_openai_transcription(headers, raw)
            record["body"] = {name: (value.decode("utf-8", "replace") if name != "file"
                                     else f"<{len(value)} bytes>") for name, value in fields.items()}
            return "application/json", json.dumps({"text": "What is the weather in Paris?"}).encode()
        if path == "/v1/listen":
            check_deepgram(headers, raw)
            record["body"] = {"bytes": len(raw), "wav": raw[:4] == b"RIFF"}
            return "application/json", json.dumps({
                "metadata": {"request_id": "strict", "channels": 1, "duration": 1.0, "models": ["strict"]},
                "results": {"channels": [{"alternatives": [
                    {"transcript": "what is the weather in paris", "confidence": 0.98, "words": []}]}]}}).encode()
        raise Rejected(404, {"error": f"no such vendor path {path}"})

    def send(self, status, content_type, payload):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.captured = []
    server.label = ""
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # Ends with its parent: the test closes stdin (or dies) and the server goes.
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
