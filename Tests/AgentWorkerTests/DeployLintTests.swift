import Foundation
import Testing
import TestSupport

/// `deploy/` passes its linters: hadolint on the Dockerfile, `kubernetes-validate --strict` on every
/// Kubernetes manifest. Both come from the interop venv (Tests/Interop/requirements.txt, installed
/// by `make test`); a missing linter fails the test, it never skips it. No Docker engine runs here,
/// so the image is linted, not built.
@Suite("deploy/ lint", .timeLimit(.minutes(2)))
struct DeployLintTests {
    /// The Kubernetes version the manifests are checked against (kubernetes-validate 1.37.0's newest schema).
    static let kubernetesVersion = "1.37.0"
    static let root = InteropPython.packageRoot

    /// A linter installed beside the venv's interpreter.
    static func tool(_ name: String) throws -> String {
        let bin = URL(fileURLWithPath: try InteropPython.interpreter()).deletingLastPathComponent()
        let path = bin.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw InteropPython.Missing(description: "\(name) not found at \(path): run `make venv` (it installs "
                                        + "Tests/Interop/requirements.txt), or set STEADFAST_PYTHON to a venv that has it")
        }
        return path
    }

    static func manifests() throws -> [String] {
        let directory = root.appendingPathComponent("deploy/k8s")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0).path }
    }

    @Test func theDockerfilePassesHadolint() async throws {
        let result = try await Subprocess.run(try Self.tool("hadolint"), [Self.root.appendingPathComponent("deploy/Dockerfile").path])
        #expect(result.status == 0, "hadolint: \(result.stdout)\(result.stderr)")
    }

    @Test func hadolintCatchesABrokenDockerfile() async throws {
        // The lint can fail: a Dockerfile running as root with a shell-form CMD and `apt-get` without cleanup.
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("Dockerfile.\(UUID().uuidString)")
        try "FROM debian:12-slim\nRUN cd /tmp && apt-get install curl\nCMD steadfast start\n".write(to: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: bad) }
        let result = try await Subprocess.run(try Self.tool("hadolint"), [bad.path])
        #expect(result.status != 0)
    }

    @Test func everyManifestValidatesStrictly() async throws {
        let files = try Self.manifests()
        #expect(files.count >= 5, "deployment, hpa, pdb, configmap, secret template: \(files)")
        let result = try await Subprocess.run(try Self.tool("kubernetes-validate"),
                                              ["--strict", "-k", Self.kubernetesVersion] + files)
        #expect(result.status == 0, "kubernetes-validate: \(result.stdout)\(result.stderr)")
        for kind in ["deployment/", "horizontalpodautoscaler/", "poddisruptionbudget/", "configmap/", "secret/"] {
            #expect(result.stdout.contains(kind), "no \(kind) manifest was validated")
        }
    }

    @Test func strictValidationRejectsAnUnknownField() async throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("pdb-\(UUID().uuidString).yaml")
        try """
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: x}
            spec: {maxUnavailable: 1, selector: {matchLabels: {a: b}}, drainTimeout: 5}
            """.write(to: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: bad) }
        let result = try await Subprocess.run(try Self.tool("kubernetes-validate"), ["--strict", "-k", Self.kubernetesVersion, bad.path])
        #expect(result.status != 0)
    }

    /// The worker's drain must fit in the pod's grace period, or Kubernetes kills calls mid-sentence.
    @Test func theGracePeriodCoversTheDrainTimeout() throws {
        let deployment = try String(contentsOf: Self.root.appendingPathComponent("deploy/k8s/deployment.yaml"), encoding: .utf8)
        let grace = try #require(Self.integer(after: "terminationGracePeriodSeconds:", in: deployment))
        let drain = try #require(Self.integer(after: "\"--drain-timeout\", \"", in: deployment))
        #expect(drain >= 1_800, "the worker's default drain is 1800 s")
        #expect(grace > drain)
        for probe in ["path: /ready", "path: /health"] { #expect(deployment.contains(probe)) }
    }

    /// Every variable of `.env.example` is in exactly one of the ConfigMap and the Secret template,
    /// and the secret ones (keys, secrets, tokens) only in the Secret.
    @Test func configMapAndSecretCoverEnvExample() throws {
        let names = try Self.variables(in: ".env.example", pattern: #"^([A-Z][A-Z0-9_]*)="#)
        let config = try Self.variables(in: "deploy/k8s/configmap.yaml", pattern: #"^  ([A-Z][A-Z0-9_]*): "#)
        let secret = try Self.variables(in: "deploy/k8s/secret.example.yaml", pattern: #"^  ([A-Z][A-Z0-9_]*): "#)
        #expect(!names.isEmpty)
        #expect(Set(config).isDisjoint(with: secret), "in both: \(Set(config).intersection(secret))")
        #expect(Set(config).union(secret) == Set(names),
                "missing: \(Set(names).subtracting(config).subtracting(secret)); extra: \(Set(config).union(secret).subtracting(names))")
        let secretLike = names.filter { $0.hasSuffix("_API_KEY") || $0.hasSuffix("_SECRET") || $0.hasSuffix("_TOKEN") }
        #expect(Set(secretLike).isSubset(of: secret), "secret variables in the ConfigMap: \(Set(secretLike).subtracting(secret))")
        let template = try String(contentsOf: Self.root.appendingPathComponent("deploy/k8s/secret.example.yaml"), encoding: .utf8)
        for name in secret { #expect(template.contains("  \(name): \"\"\n"), "the template must not carry a value for \(name)") }
    }

    static func variables(in file: String, pattern: String) throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        let regex = try Regex(pattern).anchorsMatchLineEndings()
        return text.matches(of: regex).compactMap { $0.output[1].substring.map(String.init) }
    }

    static func integer(after marker: String, in text: String) -> Int? {
        guard let range = text.range(of: marker) else { return nil }
        return Int(text[range.upperBound...].drop(while: { $0 == " " }).prefix(while: \.isNumber))
    }
}
