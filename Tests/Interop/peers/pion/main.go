// Steadfast's pion interop peer (Debian golang-github-pion-webrtc.v3-dev 3.1.x, built offline by build.sh).
//
// Signalling is JSON lines on stdin/stdout, the same protocol `steadfast rtc peer` speaks:
//   offer role : prints {"type":"offer","sdp":...}, then reads {"type":"answer","sdp":...}
//   answer role: reads {"type":"offer",...}, then prints {"type":"answer",...}
//   at the end : prints {"type":"stats",...}. Logs go to stderr.
// Audio in:  --send FILE, Opus packets as "u16 big-endian length | payload" records, one per 20 ms.
// Audio out: --record FILE, received RTP as "u16 length | u16 seq | u32 timestamp | payload" records.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pion/dtls/v2"
	"github.com/pion/webrtc/v3"
	"github.com/pion/webrtc/v3/pkg/media"
)

type message struct {
	Type  string                 `json:"type"`
	SDP   string                 `json:"sdp,omitempty"`
	Stats map[string]interface{} `json:"stats,omitempty"`
}

var start = time.Now()

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "[pion %8.1fms] %s\n", float64(time.Since(start).Microseconds())/1000, fmt.Sprintf(format, args...))
}

func fail(format string, args ...interface{}) {
	logf("fatal: "+format, args...)
	os.Exit(2)
}

func readPackets(path string) [][]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		fail("read %s: %v", path, err)
	}
	var packets [][]byte
	for offset := 0; offset+2 <= len(data); {
		length := int(binary.BigEndian.Uint16(data[offset:]))
		offset += 2
		if offset+length > len(data) {
			fail("truncated packet file %s", path)
		}
		packets = append(packets, data[offset:offset+length])
		offset += length
	}
	return packets
}

func main() {
	role := flag.String("role", "answer", "offer|answer")
	send := flag.String("send", "", "Opus packet file to send")
	record := flag.String("record", "", "file for received RTP")
	duration := flag.Float64("duration", 6, "seconds to stay connected")
	lite := flag.Bool("lite", false, "ICE-lite, as LiveKit's SFU can run")
	srtp := flag.String("srtp", "", "comma list of SRTP profiles to offer: aes128cm,gcm128,gcm256 (default pion's)")
	flag.Parse()

	settings := webrtc.SettingEngine{}
	settings.SetIncludeLoopbackCandidate(true)
	settings.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	settings.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	settings.SetLite(*lite)
	if *srtp != "" {
		var profiles []dtls.SRTPProtectionProfile
		for _, name := range strings.Split(*srtp, ",") {
			switch name {
			case "aes128cm":
				profiles = append(profiles, dtls.SRTP_AES128_CM_HMAC_SHA1_80)
			case "gcm128":
				profiles = append(profiles, dtls.SRTP_AEAD_AES_128_GCM)
			case "gcm256":
				profiles = append(profiles, dtls.SRTP_AEAD_AES_256_GCM)
			default:
				fail("unknown SRTP profile %q", name)
			}
		}
		settings.SetSRTPProtectionProfiles(profiles...)
	}
	engine := &webrtc.MediaEngine{}
	if err := engine.RegisterDefaultCodecs(); err != nil {
		fail("codecs: %v", err)
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(engine), webrtc.WithSettingEngine(settings))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		fail("peer connection: %v", err)
	}

	var mutex sync.Mutex
	marks := map[string]float64{}
	mark := func(name string) {
		mutex.Lock()
		if _, seen := marks[name]; !seen {
			marks[name] = float64(time.Since(start).Microseconds()) / 1000
		}
		mutex.Unlock()
		logf("%s", name)
	}
	connected := make(chan struct{})
	var connectOnce sync.Once
	pc.OnICEConnectionStateChange(func(state webrtc.ICEConnectionState) { mark("ice_" + state.String()) })
	pc.OnConnectionStateChange(func(state webrtc.PeerConnectionState) {
		mark("pc_" + state.String())
		if state == webrtc.PeerConnectionStateConnected {
			connectOnce.Do(func() { close(connected) })
		}
	})

	received, gaps := 0, 0
	done := make(chan struct{})
	pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		mark("track_" + track.Codec().MimeType)
		var out io.WriteCloser
		if *record != "" {
			if out, err = os.Create(*record); err != nil {
				fail("create %s: %v", *record, err)
			}
			defer out.Close()
		}
		var last uint16
		for {
			packet, _, err := track.ReadRTP()
			if err != nil {
				break
			}
			mutex.Lock()
			if received > 0 && packet.SequenceNumber != last+1 {
				gaps++
			}
			received++
			mutex.Unlock()
			last = packet.SequenceNumber
			if out != nil {
				header := make([]byte, 8)
				binary.BigEndian.PutUint16(header[0:], uint16(len(packet.Payload)))
				binary.BigEndian.PutUint16(header[2:], packet.SequenceNumber)
				binary.BigEndian.PutUint32(header[4:], packet.Timestamp)
				out.Write(header)
				out.Write(packet.Payload)
			}
		}
		close(done)
	})

	var track *webrtc.TrackLocalStaticSample
	if *send != "" {
		track, err = webrtc.NewTrackLocalStaticSample(
			webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "pion")
		if err != nil {
			fail("track: %v", err)
		}
		if _, err := pc.AddTrack(track); err != nil {
			fail("add track: %v", err)
		}
	} else if *role == "offer" {
		if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio,
			webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			fail("transceiver: %v", err)
		}
	}

	input := bufio.NewReader(os.Stdin)
	readMessage := func(want string) message {
		line, err := input.ReadString('\n')
		if err != nil {
			fail("stdin: %v", err)
		}
		var value message
		if err := json.Unmarshal([]byte(line), &value); err != nil || value.Type != want {
			fail("expected a %s line, got %q", want, line)
		}
		return value
	}
	output := json.NewEncoder(os.Stdout)
	if *role == "offer" {
		offer, err := pc.CreateOffer(nil)
		if err != nil {
			fail("offer: %v", err)
		}
		gathered := webrtc.GatheringCompletePromise(pc)
		if err := pc.SetLocalDescription(offer); err != nil {
			fail("set local: %v", err)
		}
		<-gathered
		output.Encode(message{Type: "offer", SDP: pc.LocalDescription().SDP})
		answer := readMessage("answer")
		if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer.SDP}); err != nil {
			fail("set remote answer: %v", err)
		}
	} else {
		offer := readMessage("offer")
		if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer.SDP}); err != nil {
			fail("set remote offer: %v", err)
		}
		answer, err := pc.CreateAnswer(nil)
		if err != nil {
			fail("answer: %v", err)
		}
		gathered := webrtc.GatheringCompletePromise(pc)
		if err := pc.SetLocalDescription(answer); err != nil {
			fail("set local: %v", err)
		}
		<-gathered
		output.Encode(message{Type: "answer", SDP: pc.LocalDescription().SDP})
	}

	sent := 0
	if track != nil {
		packets := readPackets(*send)
		go func() {
			// Samples written before the connection is up are dropped silently by pion; wait for it.
			<-connected
			ticker := time.NewTicker(20 * time.Millisecond)
			defer ticker.Stop()
			for _, packet := range packets {
				<-ticker.C
				if err := track.WriteSample(media.Sample{Data: packet, Duration: 20 * time.Millisecond}); err == nil {
					mutex.Lock()
					sent++
					mutex.Unlock()
				}
			}
		}()
	}
	time.Sleep(time.Duration(*duration * float64(time.Second)))
	pc.Close()
	select {
	case <-done:
	case <-time.After(500 * time.Millisecond):
	}
	mutex.Lock()
	defer mutex.Unlock()
	output.Encode(message{Type: "stats", Stats: map[string]interface{}{
		"packetsReceived": received, "sequenceGaps": gaps, "packetsSent": sent, "marks": marks,
		"connected": marks["pc_connected"] > 0,
	}})
}
