// pion's SCTP and DCEP (github.com/pion/sctp, github.com/pion/datachannel; Debian's Go sources) as
// a test peer for Steadfast's SCTPAssociation, without DTLS: one SCTP packet per UDP datagram, as
// one per DTLS record over RFC 8261. It connects like pion/webrtc does (sctp.Client on both sides:
// simultaneous open), echoes every message on channels the other side opens, opens "from-pion" and
// says hello on it, closes a channel when the other side resets it, and exits after the first such
// close (or -timeout). The last stdout line is a JSON summary.
//
//	pionsctppeer -port SWIFT_UDP_PORT -role server|client [-loss 0.1 -seed 1]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"os"
	"sync"
	"time"

	"github.com/pion/datachannel"
	"github.com/pion/logging"
	"github.com/pion/sctp"
)

// lossyConn drops outgoing datagrams at random (seeded), like a lossy path.
type lossyConn struct {
	net.Conn
	loss float64
	mu   sync.Mutex
	rng  *rand.Rand
}

func (c *lossyConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	drop := c.loss > 0 && c.rng.Float64() < c.loss
	c.mu.Unlock()
	if drop {
		return len(p), nil
	}
	return c.Conn.Write(p)
}

type summary struct {
	Channels []string `json:"channels"`
	Echoed   int      `json:"echoed"`
	Bytes    int      `json:"echoedBytes"`
	Closed   []string `json:"closed"`
	Timeout  bool     `json:"timeout"`
	Error    string   `json:"error,omitempty"`
}

func main() {
	port := flag.Int("port", 0, "the Swift side's UDP port on 127.0.0.1")
	role := flag.String("role", "server", "our DTLS role: server (odd stream ids) or client (even)")
	loss := flag.Float64("loss", 0, "outgoing loss rate")
	seed := flag.Int64("seed", 1, "loss seed")
	timeout := flag.Duration("timeout", 120*time.Second, "give up after")
	flag.Parse()

	var mu sync.Mutex
	out := summary{Channels: []string{}, Closed: []string{}}
	var once sync.Once
	report := func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			bytes, _ := json.Marshal(out)
			fmt.Println(string(bytes))
		})
	}
	finish := func() {
		report()
		os.Exit(0)
	}
	fail := func(err error) {
		mu.Lock()
		out.Error = err.Error()
		mu.Unlock()
		finish()
	}
	time.AfterFunc(*timeout, func() { mu.Lock(); out.Timeout = true; mu.Unlock(); finish() })

	conn, err := net.DialUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: *port})
	if err != nil {
		fail(err)
	}
	logs := logging.NewDefaultLoggerFactory()
	logs.DefaultLogLevel = logging.LogLevelWarn
	association, err := sctp.Client(sctp.Config{
		NetConn: &lossyConn{Conn: conn, loss: *loss, rng: rand.New(rand.NewSource(*seed))}, LoggerFactory: logs,
		MaxReceiveBufferSize: 4 << 20, MaxMessageSize: 1 << 20,
	})
	if err != nil {
		fail(err)
	}

	ownID := uint16(1)
	if *role == "client" {
		ownID = 0
	}
	go func() {
		own, err := datachannel.Dial(association, ownID, &datachannel.Config{
			ChannelType: datachannel.ChannelTypeReliable, Label: "from-pion", LoggerFactory: logs})
		if err != nil {
			fail(err)
			return
		}
		if _, err := own.WriteDataChannel([]byte("hello from pion"), true); err != nil {
			fail(err)
		}
	}()

	for {
		channel, err := datachannel.Accept(association, &datachannel.Config{LoggerFactory: logs})
		if err != nil {
			fail(err)
			return
		}
		mu.Lock()
		out.Channels = append(out.Channels, channel.Config.Label)
		mu.Unlock()
		go func(channel *datachannel.DataChannel) {
			buffer := make([]byte, 2<<20)
			for {
				n, isString, err := channel.ReadDataChannel(buffer)
				if err != nil {
					// ReadDataChannel has reset our side of the stream in answer to the peer's reset.
					mu.Lock()
					out.Closed = append(out.Closed, channel.Config.Label)
					mu.Unlock()
					// Report now, but keep answering for a while: our response to the peer's
					// reset may be lost and asked for again (the test stops us when it is done).
					report()
					time.Sleep(10 * time.Second)
					finish()
					return
				}
				mu.Lock()
				out.Echoed++
				out.Bytes += n
				mu.Unlock()
				if _, err := channel.WriteDataChannel(buffer[:n], isString); err != nil {
					fail(err)
					return
				}
			}
		}(channel)
	}
}
