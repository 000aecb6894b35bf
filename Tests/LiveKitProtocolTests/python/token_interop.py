"""Token interop with the official livekit-api package (AccessToken / TokenVerifier).

  token_interop.py verify KEY SECRET   stdin: a JWT. Prints the claims TokenVerifier returns, as JSON;
                                       exits 3 with the error text when it refuses the token.
  token_interop.py mint KEY SECRET     stdin: a JSON spec. Prints AccessToken(...).to_jwt().

Secrets arrive as arguments only because this is a throwaway test helper.
"""
import dataclasses
import datetime
import json
import sys

from google.protobuf import json_format
from livekit import api
from livekit.protocol.room import RoomConfiguration


def verify(key, secret):
    token = sys.stdin.read().strip()
    try:
        claims = api.TokenVerifier(key, secret).verify(token)
    except Exception as error:  # noqa: BLE001 - the type is the answer
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(3)
    out = {
        "identity": claims.identity, "name": claims.name, "kind": claims.kind, "metadata": claims.metadata,
        "attributes": claims.attributes or {}, "sha256": claims.sha256 or "",
        "video": dataclasses.asdict(claims.video) if claims.video else None,
        "sip": dataclasses.asdict(claims.sip) if claims.sip else None,
        "room_config": json_format.MessageToDict(claims.room_config) if claims.room_config else None,
    }
    print(json.dumps(out, sort_keys=True))


def mint(key, secret):
    spec = json.loads(sys.stdin.read())
    token = api.AccessToken(key, secret).with_identity(spec["identity"])
    token = token.with_ttl(datetime.timedelta(seconds=spec.get("ttl_seconds", 3600)))
    if "name" in spec:
        token = token.with_name(spec["name"])
    if "kind" in spec:
        token = token.with_kind(spec["kind"])
    if "metadata" in spec:
        token = token.with_metadata(spec["metadata"])
    if "attributes" in spec:
        token = token.with_attributes(spec["attributes"])
    if "sha256" in spec:
        token = token.with_sha256(spec["sha256"])
    if "video" in spec:
        token = token.with_grants(api.VideoGrants(**spec["video"]))
    if "sip" in spec:
        token = token.with_sip_grants(api.SIPGrants(**spec["sip"]))
    if "room_config" in spec:
        token = token.with_room_config(json_format.ParseDict(spec["room_config"], RoomConfiguration()))
    print(token.to_jwt())


if __name__ == "__main__":
    {"verify": verify, "mint": mint}[sys.argv[1]](sys.argv[2], sys.argv[3])
