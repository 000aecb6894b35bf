import Foundation
import TestSupport

/// A DTLS client built on pion/dtls v2 and pion/srtp v2 (Go), the DTLS and SRTP code family LiveKit's
/// SFU uses: an implementation independent of OpenSSL and libsrtp to check ours against.
///
/// The Go source lives here and is compiled on first use from Debian's packaged sources
/// (`apt-get install golang-go golang-github-pion-webrtc.v3-dev`), offline, with a GOPATH shim.
enum PionDTLSPeer {
    static let goSourceRoot = "/usr/share/gocode"

    /// Whether Go and the pion sources are installed.
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/go")
            && FileManager.default.fileExists(atPath: goSourceRoot + "/src/github.com/pion/dtls/v2/conn.go")
            && FileManager.default.fileExists(atPath: goSourceRoot + "/src/github.com/pion/srtp/v2/srtp.go")
    }

    /// Writes the peer's source into a fresh GOPATH and builds it; returns the binary's path.
    /// Throws, saying how to install them, when Go or the pion sources are missing.
    static func build() async throws -> String {
        guard isAvailable else {
            throw InteropPython.Missing(description: """
                the pion DTLS peer needs Go and pion's Debian sources under \(goSourceRoot) (golang-go, \
                golang-github-pion-webrtc.v3-dev): run `make deps peers`, which installs them and builds the pion peers
                """)
        }
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("steadfast-pion-dtls-\(UUID().uuidString)")
        let package = root.appendingPathComponent("src/dtlspeer")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        try source.write(to: package.appendingPathComponent("main.go"), atomically: true, encoding: .utf8)
        // pion/transport's Debian directory holds module v2 under its v1 path; GOPATH mode needs both.
        let transport = root.appendingPathComponent("src/github.com/pion/transport")
        try FileManager.default.createDirectory(at: transport, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: transport.appendingPathComponent("v2").path,
            withDestinationPath: goSourceRoot + "/src/github.com/pion/transport")
        var environment = ProcessInfo.processInfo.environment
        environment["GOPATH"] = root.path + ":" + goSourceRoot
        environment["GO111MODULE"] = "off"
        environment["GOPROXY"] = "off"
        let binary = root.appendingPathComponent("dtlspeer").path
        let result = try await Subprocess.run(
            "/usr/bin/go", ["build", "-o", binary, "dtlspeer"], environment: environment, currentDirectory: root)
        guard result.status == 0 else {
            throw InteropPython.Missing(description: "building the pion DTLS peer failed: \(result.stderr)")
        }
        return binary
    }

    static let source = #"""
// A pion/dtls peer for Steadfast's interop test: DTLS client over UDP, SRTP keys printed as hex.
package main

import (
	"crypto"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/pion/dtls/v2"
	"github.com/pion/dtls/v2/pkg/crypto/fingerprint"
	"github.com/pion/dtls/v2/pkg/crypto/selfsign"
	"github.com/pion/srtp/v2"
)

func fail(format string, args ...interface{}) {
	fmt.Printf("ERROR "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	// args: <client|server> <swift port> <expected sha-256 hex with colons> <profile ids, comma separated>
	if len(os.Args) != 5 {
		fail("usage")
	}
	cert, err := selfsign.GenerateSelfSigned()
	if err != nil {
		fail("cert: %v", err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		fail("parse: %v", err)
	}
	fp, err := fingerprint.Fingerprint(leaf, crypto.SHA256)
	if err != nil {
		fail("fingerprint: %v", err)
	}
	fmt.Printf("FP sha-256 %s\n", fp)
	mode := os.Args[1]
	expected := strings.ToLower(os.Args[3])
	profiles := []dtls.SRTPProtectionProfile{}
	for _, name := range strings.Split(os.Args[4], ",") {
		switch name {
		case "1":
			profiles = append(profiles, dtls.SRTP_AES128_CM_HMAC_SHA1_80)
		case "7":
			profiles = append(profiles, dtls.SRTP_AEAD_AES_128_GCM)
		case "8":
			profiles = append(profiles, dtls.SRTP_AEAD_AES_256_GCM)
		}
	}
	config := &dtls.Config{
		Certificates:           []tls.Certificate{cert},
		InsecureSkipVerify:     true,
		ExtendedMasterSecret:   dtls.RequireExtendedMasterSecret,
		SRTPProtectionProfiles: profiles,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			sum := sha256.Sum256(raw[0])
			parts := make([]string, len(sum))
			for i, b := range sum {
				parts[i] = fmt.Sprintf("%02x", b)
			}
			if strings.Join(parts, ":") != expected {
				return fmt.Errorf("fingerprint mismatch")
			}
			return nil
		},
	}
	var conn *dtls.Conn
	if mode == "server" {
		config.ClientAuth = dtls.RequireAnyClientCert
		listener, err := dtls.Listen("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 0}, config)
		if err != nil {
			fail("listen: %v", err)
		}
		fmt.Printf("PORT %d\n", listener.Addr().(*net.UDPAddr).Port)
		accepted, err := listener.Accept()
		if err != nil {
			fail("handshake: %v", err)
		}
		conn = accepted.(*dtls.Conn)
	} else {
		addr := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 0}
		fmt.Sscanf(os.Args[2], "%d", &addr.Port)
		dialed, err := dtls.Dial("udp", addr, config)
		if err != nil {
			fail("handshake: %v", err)
		}
		conn = dialed
	}
	profile, ok := conn.SelectedSRTPProtectionProfile()
	if !ok {
		fail("no srtp profile")
	}
	keyLen, saltLen := 16, 14
	if profile == dtls.SRTP_AEAD_AES_128_GCM {
		saltLen = 12
	} else if profile == dtls.SRTP_AEAD_AES_256_GCM {
		keyLen, saltLen = 32, 12
	}
	state := conn.ConnectionState()
	km, err := state.ExportKeyingMaterial("EXTRACTOR-dtls_srtp", nil, 2*(keyLen+saltLen))
	if err != nil {
		fail("export: %v", err)
	}
	fmt.Printf("KEYS %d %s\n", profile, hex.EncodeToString(km))
	// RTP V=2 PT=111 seq=1 ts=960 ssrc=0x01020304, payload 0..19, protected with our role's keys.
	plain := []byte{0x80, 111, 0, 1, 0, 0, 0x03, 0xC0, 1, 2, 3, 4}
	for i := 0; i < 20; i++ {
		plain = append(plain, byte(i))
	}
	var srtpProfile srtp.ProtectionProfile
	switch profile {
	case dtls.SRTP_AES128_CM_HMAC_SHA1_80:
		srtpProfile = srtp.ProtectionProfileAes128CmHmacSha1_80
	case dtls.SRTP_AEAD_AES_128_GCM:
		srtpProfile = srtp.ProtectionProfileAeadAes128Gcm
	}
	if srtpProfile != 0 {
		key, salt := km[0:keyLen], km[2*keyLen:2*keyLen+saltLen]
		if mode == "server" {
			key, salt = km[keyLen:2*keyLen], km[2*keyLen+saltLen:]
		}
		ctx, err := srtp.CreateContext(key, salt, srtpProfile)
		if err != nil {
			fail("srtp: %v", err)
		}
		protected, err := ctx.EncryptRTP(nil, plain, nil)
		if err != nil {
			fail("encrypt: %v", err)
		}
		fmt.Printf("SRTP %s\n", hex.EncodeToString(protected))
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buffer := make([]byte, 2048)
	n, err := conn.Read(buffer)
	if err != nil {
		fail("read: %v", err)
	}
	if _, err := conn.Write(append([]byte("echo:"), buffer[:n]...)); err != nil {
		fail("write: %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	conn.Close()
	// Give the close_notify time to leave before the process (and its goroutines) ends.
	time.Sleep(300 * time.Millisecond)
	fmt.Println("DONE")
}
"""#
}
