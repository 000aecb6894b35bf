/// SDP documents in the shapes the interop peers produce. The aiortc and pion ones were captured
/// from aiortc 1.16.0 and Debian's pion v3.1.56 (`pionpeer --role offer --lite --datachannel`);
/// the LiveKit subscriber offer is HAND-WRITTEN after the layout in docs/reference (§2.7), until the
/// embedded server and the official SDK can give a captured one; the Chrome offer is a real capture
/// (`SDPFixtures+Chromium.swift`, written by `scripts/capture-chromium-sdp`).
enum SDPFixtures {
    /// Joins lines with CRLF, as peers send them; fixtures are written with LF for readability.
    static func crlf(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
    }

    /// aiortc offerer: one sendrecv and one recvonly audio m-line plus a data channel, each with its
    /// own port and candidates (not bundle-only), three fingerprints, no fmtp for Opus (PT 96).
    static let aiortcOffer = crlf("""
        v=0
        o=- 4004303303 4004303303 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=group:BUNDLE 0 1 2
        a=msid-semantic:WMS *
        m=audio 58989 UDP/TLS/RTP/SAVPF 96 9 0 8
        c=IN IP4 127.0.0.1
        a=sendrecv
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=mid:0
        a=msid:c39a2217-233c-4ece-a189-2dc80576fd58 0dbfb636-4253-4a84-b822-f4893a761f71
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc:2136494747 cname:60fe105b-ec91-4895-afc8-8bece3b777c8
        a=rtpmap:96 opus/48000/2
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 58989 typ host
        a=end-of-candidates
        a=ice-ufrag:WzQd
        a=ice-pwd:ybRMS9yHrgtKJzl0594SA2
        a=fingerprint:sha-256 8B:EA:E2:D0:09:47:4C:D3:CB:86:23:C8:59:84:80:F8:9A:6F:50:9E:8A:4C:A1:4F:19:6E:D1:57:3E:E6:E6:9B
        a=fingerprint:sha-384 75:E3:2F:F8:16:B8:8C:C6:55:AD:3B:9A:DB:26:13:37:F9:B3:8F:EB:EF:3E:EB:44:3F:68:A6:FE:7E:E9:EC:BF:44:7F:2D:10:07:BA:3A:33:40:67:0B:8A:D4:E3:AE:10
        a=fingerprint:sha-512 63:B2:0A:5E:79:5E:D6:8F:0C:56:F1:24:3B:71:41:8E:BB:CF:BD:98:27:B4:B9:AE:0B:35:93:1C:72:66:E8:40:D1:A1:CF:33:AD:97:12:91:9C:BE:C6:D5:9E:4D:21:E8:20:DC:D6:D6:A3:CE:D6:58:F2:17:34:57:BC:33:AB:B0
        a=setup:actpass
        m=audio 58989 UDP/TLS/RTP/SAVPF 96 9 0 8
        c=IN IP4 127.0.0.1
        a=recvonly
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=mid:1
        a=msid:c39a2217-233c-4ece-a189-2dc80576fd58 9f11ab97-edc1-4d37-8e0a-dece9c9468df
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc:4291646237 cname:60fe105b-ec91-4895-afc8-8bece3b777c8
        a=rtpmap:96 opus/48000/2
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 58989 typ host
        a=end-of-candidates
        a=ice-ufrag:WzQd
        a=ice-pwd:ybRMS9yHrgtKJzl0594SA2
        a=fingerprint:sha-256 8B:EA:E2:D0:09:47:4C:D3:CB:86:23:C8:59:84:80:F8:9A:6F:50:9E:8A:4C:A1:4F:19:6E:D1:57:3E:E6:E6:9B
        a=setup:actpass
        m=application 60557 UDP/DTLS/SCTP webrtc-datachannel
        c=IN IP4 127.0.0.1
        a=mid:2
        a=sctp-port:5000
        a=max-message-size:262144
        a=candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 60557 typ host
        a=end-of-candidates
        a=ice-ufrag:WzQd
        a=ice-pwd:ybRMS9yHrgtKJzl0594SA2
        a=fingerprint:sha-256 8B:EA:E2:D0:09:47:4C:D3:CB:86:23:C8:59:84:80:F8:9A:6F:50:9E:8A:4C:A1:4F:19:6E:D1:57:3E:E6:E6:9B
        a=setup:actpass

        """)

    /// aiortc answerer: always `setup:active`.
    static let aiortcAnswer = crlf("""
        v=0
        o=- 4004303303 4004303303 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=group:BUNDLE 0
        a=msid-semantic:WMS *
        m=audio 51414 UDP/TLS/RTP/SAVPF 96 9 0 8
        c=IN IP4 127.0.0.1
        a=sendrecv
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=mid:0
        a=msid:0482e835-a9d8-4339-b97f-049ca47f9133 325e35a1-53be-447a-b9c7-d845001b58f3
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc:2851492175 cname:2b84ec28-9c25-4564-b2a5-f19025e9eb71
        a=rtpmap:96 opus/48000/2
        a=candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 51414 typ host
        a=end-of-candidates
        a=ice-ufrag:IUBX
        a=ice-pwd:WEljfebb4PIMpEbtOvFSxu
        a=fingerprint:sha-256 CD:18:FD:71:9C:AD:9F:E7:17:ED:12:F0:73:C6:68:73:25:A1:6F:F9:02:03:45:87:BF:E8:CE:5B:87:A2:63:FF
        a=setup:active

        """)

    /// pion in ICE-lite mode offering a recvonly audio m-line and a data channel: fingerprint and
    /// ice-lite at session level, ICE credentials and setup per m-line, component-2 candidates.
    static let pionLiteOffer = crlf("""
        v=0
        o=- 5416003340676369270 1795314652 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=fingerprint:sha-256 E2:E8:FB:FD:B8:D2:76:38:71:0A:2A:35:E0:86:72:B6:EF:79:30:82:08:F9:DC:EA:17:C6:7C:FE:05:4D:16:54
        a=ice-lite
        a=extmap-allow-mixed
        a=group:BUNDLE 0 1
        m=audio 9 UDP/TLS/RTP/SAVPF 111 9 0 8
        c=IN IP4 0.0.0.0
        a=setup:actpass
        a=mid:0
        a=ice-ufrag:XyoMDRaRMWDgjGYr
        a=ice-pwd:vAxNEafiKlQCWDrvizEmyXRxbKqFzZey
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:111 opus/48000/2
        a=fmtp:111 minptime=10;useinbandfec=1
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=recvonly
        a=candidate:2878742611 1 udp 2130706431 127.0.0.1 60808 typ host
        a=candidate:2878742611 2 udp 2130706431 127.0.0.1 60808 typ host
        a=end-of-candidates
        m=application 9 UDP/DTLS/SCTP webrtc-datachannel
        c=IN IP4 0.0.0.0
        a=setup:actpass
        a=mid:1
        a=sendrecv
        a=sctp-port:5000
        a=ice-ufrag:XyoMDRaRMWDgjGYr
        a=ice-pwd:vAxNEafiKlQCWDrvizEmyXRxbKqFzZey

        """)

    /// A LiveKit SFU subscriber offer (pion v4, ice-lite): data channel first, an Opus+RED audio
    /// track the SFU sends, a simulcast-less VP8 video with RTX, abs-capture-time at id 10.
    static let liveKitSubscriberOffer = crlf("""
        v=0
        o=- 7061498329418346343 1732240000 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=msid-semantic:WMS*
        a=fingerprint:sha-256 4F:12:9A:0B:CC:DE:21:7A:99:10:55:3E:81:6B:AA:0C:D3:42:77:EE:19:5B:C4:68:90:1F:2D:3A:4B:5C:6D:7E
        a=ice-lite
        a=extmap-allow-mixed
        a=group:BUNDLE 0 1 2
        m=application 9 UDP/DTLS/SCTP webrtc-datachannel
        c=IN IP4 0.0.0.0
        a=setup:actpass
        a=mid:0
        a=sendrecv
        a=sctp-port:5000
        a=ice-ufrag:kPqLwQhXbdvYzNnC
        a=ice-pwd:HcVjTqDEpoFsILgmWMnbBRtkAuxyOaZr
        a=candidate:1985214512 1 udp 2130706431 192.0.2.10 50002 typ host
        a=candidate:3391233017 1 tcp 1671430143 192.0.2.10 7881 typ host tcptype passive
        a=end-of-candidates
        m=audio 9 UDP/TLS/RTP/SAVPF 111 63
        c=IN IP4 0.0.0.0
        a=setup:actpass
        a=mid:1
        a=ice-ufrag:kPqLwQhXbdvYzNnC
        a=ice-pwd:HcVjTqDEpoFsILgmWMnbBRtkAuxyOaZr
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:111 opus/48000/2
        a=fmtp:111 minptime=10;useinbandfec=1
        a=rtcp-fb:111 nack
        a=rtpmap:63 red/48000/2
        a=fmtp:63 111/111
        a=extmap:10 http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time
        a=ssrc:2834119741 cname:PA_kX9yF3qLhZ2w|TR_AMbQ7rT2vYpN
        a=ssrc:2834119741 msid:PA_kX9yF3qLhZ2w|TR_AMbQ7rT2vYpN TR_AMbQ7rT2vYpN
        a=msid:PA_kX9yF3qLhZ2w|TR_AMbQ7rT2vYpN TR_AMbQ7rT2vYpN
        a=sendonly
        m=video 9 UDP/TLS/RTP/SAVPF 96 97
        c=IN IP4 0.0.0.0
        a=setup:actpass
        a=mid:2
        a=ice-ufrag:kPqLwQhXbdvYzNnC
        a=ice-pwd:HcVjTqDEpoFsILgmWMnbBRtkAuxyOaZr
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=ssrc-group:FID 1111111111 2222222222
        a=ssrc:1111111111 cname:PA_kX9yF3qLhZ2w|TR_VCx1
        a=ssrc:2222222222 cname:PA_kX9yF3qLhZ2w|TR_VCx1
        a=msid:PA_kX9yF3qLhZ2w|TR_VCx1 TR_VCx1
        a=sendonly

        """)

    /// Answers from the real peers to `JSEPSessionTests.interopOfferer()`'s offer (sendrecv + recvonly
    /// audio): pion v3.1.56 (`pionpeer --role answer`) and aiortc 1.16.0 with one track.
    static let pionAnswerToOurOffer = crlf("""
        v=0
        o=- 6039023746981340247 1795317250 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=fingerprint:sha-256 55:A0:A2:19:BC:F6:6F:DC:2E:0F:9F:B2:64:48:7F:F4:A4:11:2E:BA:BB:F5:6D:40:C5:FA:57:A8:F0:DD:DE:CE
        a=group:BUNDLE 0 1
        m=audio 9 UDP/TLS/RTP/SAVPF 111
        c=IN IP4 0.0.0.0
        a=setup:active
        a=mid:0
        a=ice-ufrag:rpVVvkHqaTTcJNLG
        a=ice-pwd:bkkRyWCxCkJRcsMWnrqvjEudlYGpNJgh
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:111 opus/48000/2
        a=fmtp:111 minptime=10;useinbandfec=1
        a=recvonly
        a=candidate:2878742611 1 udp 2130706431 127.0.0.1 34939 typ host
        a=candidate:2878742611 2 udp 2130706431 127.0.0.1 34939 typ host
        a=end-of-candidates
        m=audio 9 UDP/TLS/RTP/SAVPF 111
        c=IN IP4 0.0.0.0
        a=setup:active
        a=mid:1
        a=ice-ufrag:rpVVvkHqaTTcJNLG
        a=ice-pwd:bkkRyWCxCkJRcsMWnrqvjEudlYGpNJgh
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:111 opus/48000/2
        a=fmtp:111 minptime=10;useinbandfec=1
        a=sendonly

        """)

    static let aiortcAnswerToOurOffer = crlf("""
        v=0
        o=- 4004306049 4004306049 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=msid-semantic:WMS *
        m=audio 51457 UDP/TLS/RTP/SAVPF 111
        c=IN IP4 127.0.0.1
        a=sendrecv
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=mid:0
        a=msid:25deee1c-5090-4094-b907-a80835a3bbf4 c03fac9c-1ae9-44ff-87a6-7947d0ffe0fd
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc:1148098163 cname:df6b8e49-85af-443e-82c8-f5c66fefc33a
        a=rtpmap:111 opus/48000/2
        a=candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 51457 typ host
        a=end-of-candidates
        a=ice-ufrag:pgCT
        a=ice-pwd:oKKSpzdBxO6nRMf2sH9yNQ
        a=fingerprint:sha-256 5F:5E:97:35:17:D3:D5:E8:07:28:A3:FE:5A:45:8D:40:37:96:6E:9E:6C:8D:DB:DB:67:C8:B2:71:14:77:7E:7A
        a=fingerprint:sha-384 B2:53:79:B1:D7:65:DB:7C:0B:7A:FC:6A:82:6A:73:49:4C:4A:54:A8:B5:09:0D:C7:9C:35:F3:C7:13:7A:9C:03:71:5D:41:B5:39:86:C2:40:10:44:9B:5C:ED:7C:9F:AA
        a=fingerprint:sha-512 CD:02:BA:C0:12:4E:E5:58:88:FD:6A:82:8F:75:55:00:8E:E3:6A:82:4A:44:4C:93:E1:FA:EF:7B:B1:AE:E4:73:35:8C:96:61:13:5F:B9:CE:78:10:97:88:FC:37:31:1A:A6:EF:71:B0:84:40:FA:8A:EE:ED:D1:39:87:EA:6B:E5
        a=setup:active
        m=audio 51457 UDP/TLS/RTP/SAVPF 111
        c=IN IP4 127.0.0.1
        a=inactive
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=mid:1
        a=msid:25deee1c-5090-4094-b907-a80835a3bbf4 6df75eb5-93bf-41ed-828c-e72be8f11d16
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc:60105477 cname:df6b8e49-85af-443e-82c8-f5c66fefc33a
        a=rtpmap:111 opus/48000/2
        a=candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 51457 typ host
        a=end-of-candidates
        a=ice-ufrag:pgCT
        a=ice-pwd:oKKSpzdBxO6nRMf2sH9yNQ
        a=fingerprint:sha-256 5F:5E:97:35:17:D3:D5:E8:07:28:A3:FE:5A:45:8D:40:37:96:6E:9E:6C:8D:DB:DB:67:C8:B2:71:14:77:7E:7A
        a=fingerprint:sha-384 B2:53:79:B1:D7:65:DB:7C:0B:7A:FC:6A:82:6A:73:49:4C:4A:54:A8:B5:09:0D:C7:9C:35:F3:C7:13:7A:9C:03:71:5D:41:B5:39:86:C2:40:10:44:9B:5C:ED:7C:9F:AA
        a=fingerprint:sha-512 CD:02:BA:C0:12:4E:E5:58:88:FD:6A:82:8F:75:55:00:8E:E3:6A:82:4A:44:4C:93:E1:FA:EF:7B:B1:AE:E4:73:35:8C:96:61:13:5F:B9:CE:78:10:97:88:FC:37:31:1A:A6:EF:71:B0:84:40:FA:8A:EE:ED:D1:39:87:EA:6B:E5
        a=setup:active

        """)

    static let all: [(name: String, sdp: String)] = [
        ("aiortc offer", aiortcOffer), ("aiortc answer", aiortcAnswer), ("pion lite offer", pionLiteOffer),
        ("LiveKit subscriber offer", liveKitSubscriberOffer), ("Chrome offer", chromeOffer),
        ("pion answer", pionAnswerToOurOffer), ("aiortc answer to ours", aiortcAnswerToOurOffer),
    ]
}
