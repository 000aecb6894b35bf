import LiveKitProtocol
import SwiftProtobuf

/// The messages of `python/protocol_interop.py`, built independently in Swift. Each side builds
/// its own copy, so a field the generator got wrong cannot agree with itself.
enum ProtocolScenarios {
    static let sdp = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
    // Must match json.dumps(...) in the helper byte for byte: it is an opaque string on the wire.
    static let candidate = #"{"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host", "sdpMid": "0", "sdpMLineIndex": 0}"#

    static let all: [String: any SwiftProtobuf.Message] = [
        "SignalRequest.offer": Livekit_SignalRequest.with {
            $0.offer = .with { $0.type = "offer"; $0.sdp = sdp; $0.id = 4; $0.midToTrackID = ["0": "TR_AMic1"] }
        },
        "SignalRequest.trickle": Livekit_SignalRequest.with {
            $0.trickle = .with { $0.candidateInit = candidate; $0.target = .subscriber; $0.final = false }
        },
        "SignalRequest.add_track": Livekit_SignalRequest.with {
            $0.addTrack = .with {
                $0.cid = "steadfast-mic-1"; $0.name = "microphone"; $0.type = .audio; $0.source = .microphone
                $0.muted = false; $0.disableRed = true; $0.disableDtx = false; $0.audioFeatures = [.tfNoiseSuppression]
            }
        },
        "SignalRequest.ping_req": Livekit_SignalRequest.with {
            $0.pingReq = .with { $0.timestamp = 1_763_000_000_456; $0.rtt = 42 }
        },
        "SignalRequest.leave": Livekit_SignalRequest.with {
            $0.leave = .with { $0.canReconnect = false; $0.reason = .clientInitiated; $0.action = .disconnect }
        },
        "SignalResponse.join": Livekit_SignalResponse.with {
            $0.join = .with {
                $0.room = .with { $0.sid = "RM_1"; $0.name = "demo"; $0.maxParticipants = 10; $0.metadata = "m"; $0.numParticipants = 2 }
                $0.participant = participant(sid: "PA_agent", identity: "agent-1", kind: .agent)
                $0.otherParticipants = [
                    participant(sid: "PA_caller", identity: "caller", tracks: [track()]),
                    participant(sid: "PA_other", identity: "other"),
                ]
                $0.serverVersion = "1.9.0"; $0.subscriberPrimary = true; $0.pingTimeout = 15; $0.pingInterval = 5
                $0.iceServers = [.with { $0.urls = ["stun:127.0.0.1:3478"] }]
                $0.serverInfo = .with {
                    $0.edition = .standard; $0.version = "1.9.0"; $0.protocol = 16; $0.region = "local"; $0.nodeID = "ND_1"
                }
            }
        },
        "SignalResponse.offer": Livekit_SignalResponse.with {
            $0.offer = .with { $0.type = "offer"; $0.sdp = sdp; $0.id = 9; $0.midToTrackID = ["0": "TR_AMic1", "1": "TR_B"] }
        },
        "SignalResponse.trickle": Livekit_SignalResponse.with {
            $0.trickle = .with { $0.candidateInit = candidate; $0.target = .publisher; $0.final = true }
        },
        "SignalResponse.track_published": Livekit_SignalResponse.with {
            $0.trackPublished = .with { $0.cid = "steadfast-mic-1"; $0.track = track() }
        },
        "WorkerMessage.register": Livekit_WorkerMessage.with {
            $0.register = .with {
                $0.type = .jtRoom; $0.agentName = "assistant"; $0.version = "0.1.0"; $0.namespace = ""
                $0.allowedPermissions = .with {
                    $0.canSubscribe = true; $0.canPublish = true; $0.canPublishData = true
                    $0.canUpdateMetadata = true; $0.agent = true
                }
            }
        },
        "WorkerMessage.availability": Livekit_WorkerMessage.with {
            $0.availability = .with {
                $0.jobID = "AJ_abc123"; $0.available = true; $0.participantIdentity = "agent-AJ_abc123"
                $0.participantName = "Assistant"; $0.participantMetadata = "{}"; $0.participantAttributes = ["role": "assistant"]
            }
        },
        "WorkerMessage.update_worker": Livekit_WorkerMessage.with {
            $0.updateWorker = .with { $0.status = .wsFull; $0.load = 0.75; $0.jobCount = 3 }
        },
        "WorkerMessage.update_job": Livekit_WorkerMessage.with {
            $0.updateJob = .with { $0.jobID = "AJ_abc123"; $0.status = .jsFailed; $0.error = "room closed" }
        },
        "ServerMessage.register": Livekit_ServerMessage.with {
            $0.register = .with {
                $0.workerID = "AW_1"
                $0.serverInfo = .with { $0.edition = .standard; $0.version = "1.9.0"; $0.protocol = 16; $0.agentProtocol = 1 }
            }
        },
        "ServerMessage.availability": Livekit_ServerMessage.with {
            $0.availability = .with { $0.job = job(); $0.resuming = true }
        },
        "ServerMessage.assignment": Livekit_ServerMessage.with {
            $0.assignment = .with { $0.job = job(); $0.url = "ws://127.0.0.1:7880"; $0.token = "eyJhbGciOi.x.y" }
        },
        "ServerMessage.termination": Livekit_ServerMessage.with { $0.termination = .with { $0.jobID = "AJ_abc123" } },
    ]

    static func track() -> Livekit_TrackInfo {
        .with {
            $0.sid = "TR_AMic1"; $0.type = .audio; $0.name = "microphone"; $0.source = .microphone
            $0.mimeType = "audio/opus"; $0.mid = "1"; $0.stereo = false; $0.disableRed = true
            $0.audioFeatures = [.tfAutoGainControl]
        }
    }

    static func participant(
        sid: String, identity: String, kind: Livekit_ParticipantInfo.Kind = .standard, tracks: [Livekit_TrackInfo] = []
    ) -> Livekit_ParticipantInfo {
        .with {
            $0.sid = sid; $0.identity = identity; $0.name = identity.capitalized; $0.state = .active
            $0.tracks = tracks; $0.metadata = #"{"lang":"en"}"#; $0.joinedAt = 1_763_000_000
            $0.joinedAtMs = 1_763_000_000_123; $0.version = 3; $0.kind = kind
            $0.attributes = ["lk.agent.state": "listening", "ünïcode": "✓"]
            $0.permission = .with { $0.canSubscribe = true; $0.canPublish = true; $0.canPublishData = true }
        }
    }

    static func job() -> Livekit_Job {
        .with {
            $0.id = "AJ_abc123"; $0.dispatchID = "AD_xyz"; $0.type = .jtRoom
            $0.room = .with { $0.sid = "RM_1"; $0.name = "demo"; $0.emptyTimeout = 300; $0.creationTime = 1_763_000_000 }
            $0.participant = participant(sid: "PA_caller", identity: "caller")
            $0.namespace = ""; $0.metadata = #"{"greeting":"hi"}"#; $0.agentName = "assistant"
            $0.state = .with { $0.status = .jsPending; $0.updatedAt = 1_763_000_001 }
        }
    }
}

private extension String {
    /// Python's str.title() for the simple ASCII identities used here.
    var capitalized: String { prefix(1).uppercased() + dropFirst() }
}
