// Steadfast's pion interop peer (Debian golang-github-pion-webrtc.v3-dev 3.1.x, built offline by build.sh).
//
// Signalling is JSON lines on stdin/stdout, the same protocol `steadfast rtc peer` speaks:
//   offer role : prints {"type":"offer","sdp":...}, then reads {"type":"answer","sdp":...}
//   answer role: reads {"type":"offer",...}, then prints {"type":"answer",...}
//   at the end : prints {"type":"stats",...}. Logs go to stderr.
// Audio in:  --send FILE, Opus packets as "u16 big-endian length | payload" records, one per 20 ms.
// Audio out: --record FILE, received RTP as "u16 length | u16 seq | u32 timestamp | payload" records.
// --data-test: the data-channel scenario against an echoing peer (see runDataScenario); it prints
// {"type":"result",...}. pion/sctp refuses to send a message above 64 KiB (pion/webrtc#758), so the
// 256 KiB message comes from the other side, and pion's SDP announces the 256 KiB it receives.
package main

import (
	"bufio"
	"bytes"
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
	dataTest := flag.Bool("data-test", false, "run the data-channel scenario")
	waitRemote := flag.Bool("wait-remote-channel", false, "open our channels only after the other side opened one")
	dataQuit := flag.Bool("data-quit", false, "stop once the data scenario has its result")
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

	var remoteEchoed []string
	remoteOpened := make(chan struct{})
	var remoteOnce sync.Once
	pc.OnDataChannel(func(channel *webrtc.DataChannel) {
		mark("datachannel_" + channel.Label())
		remoteOnce.Do(func() { close(remoteOpened) })
		// The other side echoes what it receives, so only its own lines get a reply (no ping-pong).
		channel.OnMessage(func(msg webrtc.DataChannelMessage) {
			if !msg.IsString || strings.HasPrefix(string(msg.Data), "got: ") {
				return
			}
			mutex.Lock()
			remoteEchoed = append(remoteEchoed, string(msg.Data))
			mutex.Unlock()
			channel.SendText("got: " + string(msg.Data))
		})
	})
	var firstBulk *webrtc.DataChannel
	if *dataTest && *role == "offer" && !*waitRemote {
		if firstBulk, err = pc.CreateDataChannel("bulk", nil); err != nil {
			fail("data channel: %v", err)
		}
	}

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
	} else if *role == "offer" && !*dataTest {
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
		output.Encode(message{Type: "offer", SDP: withMaxMessageSize(pc.LocalDescription().SDP)})
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
		output.Encode(message{Type: "answer", SDP: withMaxMessageSize(pc.LocalDescription().SDP)})
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
	if *dataTest {
		results := make(chan map[string]interface{}, 1)
		go func() { results <- runDataScenario(pc, firstBulk, connected, remoteOpened, *waitRemote) }()
		var result map[string]interface{}
		select {
		case result = <-results:
		case <-time.After(time.Duration(*duration * float64(time.Second))):
			result = map[string]interface{}{"error": "the scenario did not finish in --duration"}
		}
		mutex.Lock()
		result["remoteEchoed"] = remoteEchoed
		mutex.Unlock()
		result["type"] = "result"
		output.Encode(result)
		if !*dataQuit {
			time.Sleep(time.Second)
		}
	} else {
		time.Sleep(time.Duration(*duration * float64(time.Second)))
	}
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

// withMaxMessageSize adds a=max-message-size:262144 to the data section: pion receives messages of
// that size (its receive buffer is 1 MiB) but its SDP says nothing, which RFC 8841 §6 reads as 64 KiB.
func withMaxMessageSize(sdp string) string {
	return strings.Replace(sdp, "a=sctp-port:5000\r\n", "a=sctp-port:5000\r\na=max-message-size:262144\r\n", 1)
}

// bigMessage is the 256 KiB pattern both sides use: byte i is (7i + i>>9) mod 256.
func bigMessage(size int) []byte {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i*7 + i>>9)
	}
	return data
}

func waitOpen(channel *webrtc.DataChannel) bool {
	opened := make(chan struct{})
	var once sync.Once
	channel.OnOpen(func() { once.Do(func() { close(opened) }) })
	if channel.ReadyState() == webrtc.DataChannelStateOpen {
		once.Do(func() { close(opened) })
	}
	select {
	case <-opened:
		return true
	case <-time.After(15 * time.Second):
		return false
	}
}

// runDataScenario: "bulk" (ordered, reliable) carries 1,000 texts and a 64 KiB binary that must come
// back intact and in order, and receives the other side's 256 KiB message; "lossy" (unordered,
// maxRetransmits 0) carries 300 texts, most back and none twice; then "bulk" is closed and opened
// again for one echo.
func runDataScenario(pc *webrtc.PeerConnection, bulk *webrtc.DataChannel, connected, remoteOpened chan struct{}, waitRemote bool) map[string]interface{} {
	result := map[string]interface{}{}
	var lock sync.Mutex
	select {
	case <-connected:
	case <-time.After(20 * time.Second):
		result["error"] = "not connected"
		return result
	}
	if waitRemote {
		select {
		case <-remoteOpened:
		case <-time.After(15 * time.Second):
			result["error"] = "the other side opened no channel"
			return result
		}
	}
	var err error
	if bulk == nil {
		if bulk, err = pc.CreateDataChannel("bulk", nil); err != nil {
			result["error"] = err.Error()
			return result
		}
	}
	medium := bigMessage(65536)
	var texts []string
	mediumOK, bigOK := false, false
	complete := make(chan struct{})
	var completeOnce sync.Once
	bulk.OnMessage(func(msg webrtc.DataChannelMessage) {
		lock.Lock()
		defer lock.Unlock()
		switch {
		case msg.IsString:
			texts = append(texts, string(msg.Data))
		case len(msg.Data) == 65536:
			mediumOK = bytes.Equal(msg.Data, medium)
		case len(msg.Data) == 262144:
			bigOK = bytes.Equal(msg.Data, bigMessage(262144))
		}
		if len(texts) >= 1000 && mediumOK && bigOK {
			completeOnce.Do(func() { close(complete) })
		}
	})
	if !waitOpen(bulk) {
		result["error"] = "bulk did not open"
		return result
	}
	result["bulkStreamID"] = *bulk.ID()
	for index := 0; index < 1000; index++ {
		bulk.SendText(fmt.Sprintf("message %d", index))
	}
	bulk.Send(medium)
	select {
	case <-complete:
	case <-time.After(60 * time.Second):
	}
	lock.Lock()
	ordered := len(texts) == 1000
	for index := 0; ordered && index < 1000; index++ {
		ordered = texts[index] == fmt.Sprintf("message %d", index)
	}
	result["bulkReceived"] = len(texts)
	result["bulkOrdered"] = ordered
	result["mediumIntact"] = mediumOK
	result["bigIntact"] = bigOK
	lock.Unlock()

	unordered, zero := false, uint16(0)
	lossy, err := pc.CreateDataChannel("lossy", &webrtc.DataChannelInit{Ordered: &unordered, MaxRetransmits: &zero})
	if err != nil {
		result["error"] = err.Error()
		return result
	}
	seen := map[string]int{}
	lossy.OnMessage(func(msg webrtc.DataChannelMessage) {
		lock.Lock()
		seen[string(msg.Data)]++
		lock.Unlock()
	})
	if !waitOpen(lossy) {
		result["error"] = "lossy did not open"
		return result
	}
	for index := 0; index < 300; index++ {
		lossy.SendText(fmt.Sprintf("lossy %d", index))
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	lock.Lock()
	duplicates := 0
	for _, count := range seen {
		duplicates += count - 1
	}
	result["lossySent"] = 300
	result["lossyReceived"] = len(seen)
	result["lossyDuplicates"] = duplicates
	lock.Unlock()

	closed := make(chan struct{})
	var closeOnce sync.Once
	bulk.OnClose(func() { closeOnce.Do(func() { close(closed) }) })
	bulk.Close()
	select {
	case <-closed:
		result["closed"] = true
	case <-time.After(15 * time.Second):
		result["error"] = "bulk did not close"
		return result
	}
	again, err := pc.CreateDataChannel("bulk", nil)
	if err != nil {
		result["error"] = err.Error()
		return result
	}
	echoed := make(chan struct{})
	var echoOnce sync.Once
	again.OnMessage(func(msg webrtc.DataChannelMessage) {
		if string(msg.Data) == "again" {
			echoOnce.Do(func() { close(echoed) })
		}
	})
	if !waitOpen(again) {
		result["error"] = "bulk did not open again"
		return result
	}
	result["reopenStreamID"] = *again.ID()
	again.SendText("again")
	select {
	case <-echoed:
		result["reopenEcho"] = true
	case <-time.After(15 * time.Second):
		result["error"] = "no echo after reopening"
	}
	return result
}
