import Foundation
import OpenSSLCrypto
import Testing

private func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

private func hexString(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

struct Vector: Sendable, CustomTestStringConvertible {
    let name: String
    let key: [UInt8]
    let data: [UInt8]
    let mac: String
    var testDescription: String { name }
}

/// RFC 4231 §4 test cases (HMAC-SHA-256); case 5 (truncated output) does not apply.
let rfc4231: [Vector] = [
    Vector(name: "RFC 4231 case 1", key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
           mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    Vector(name: "RFC 4231 case 2", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
           mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    Vector(name: "RFC 4231 case 3", key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
           mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    Vector(name: "RFC 4231 case 4", key: hex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
           data: [UInt8](repeating: 0xcd, count: 50),
           mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    Vector(name: "RFC 4231 case 6", key: [UInt8](repeating: 0xaa, count: 131),
           data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
           mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
]

/// RFC 2202 §3 test cases (HMAC-SHA-1), as STUN MESSAGE-INTEGRITY uses.
let rfc2202: [Vector] = [
    Vector(name: "RFC 2202 case 1", key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
           mac: "b617318655057264e28bc0b6fb378c8ef146be00"),
    Vector(name: "RFC 2202 case 2", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
           mac: "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
    Vector(name: "RFC 2202 case 6", key: [UInt8](repeating: 0xaa, count: 80),
           data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
           mac: "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
]

@Test(arguments: rfc4231) func hmacSHA256(vector: Vector) throws {
    #expect(hexString(try HMAC.authenticate(vector.data, key: vector.key, digest: .sha256)) == vector.mac)
}

@Test(arguments: rfc2202) func hmacSHA1(vector: Vector) throws {
    #expect(hexString(try HMAC.authenticate(vector.data, key: vector.key, digest: .sha1)) == vector.mac)
}

@Test func sha256OfABC() {
    // FIPS 180-2 appendix B.1
    #expect(hexString(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
}

@Test func constantTimeEqualsComparesContentAndLength() {
    #expect(SecureBytes.constantTimeEquals([1, 2, 3], [1, 2, 3]))
    #expect(!SecureBytes.constantTimeEquals([1, 2, 3], [1, 2, 4]))
    #expect(!SecureBytes.constantTimeEquals([1, 2, 3], [1, 2]))
    #expect(SecureBytes.constantTimeEquals([], []))
}

@Test func randomBytesDiffer() throws {
    let a = try SecureBytes.random(count: 32), b = try SecureBytes.random(count: 32)
    #expect(a.count == 32 && a != b)
}
