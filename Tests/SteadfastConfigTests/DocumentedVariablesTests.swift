import Foundation
import SteadfastConfig
import Testing

/// `.env.example` and the README document exactly the variables Steadfast reads.
@Suite("Documented configuration")
struct DocumentedVariablesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func envExampleListsEveryVariableWithItsComment() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(".env.example"), encoding: .utf8)
        let values = try DotEnvParser.parse(text, fileName: ".env.example")
        #expect(Set(values.keys) == Set(ConfigurationVariable.all.map(\.name)))
        let lines = text.split(separator: "\n").map(String.init)
        for variable in ConfigurationVariable.all {
            let index = try #require(lines.firstIndex { $0.hasPrefix("\(variable.name)=") })
            #expect(lines[index - 1] == "# \(variable.purpose)", "comment above \(variable.name)")
            if variable.isSecret { #expect(values[variable.name] == "", "\(variable.name) must be blank in the example") }
        }
    }

    @Test func readmeMentionsEveryVariable() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        for variable in ConfigurationVariable.all {
            #expect(readme.contains("`\(variable.name)`"), "README does not document \(variable.name)")
        }
    }

    @Test func theExampleLoadsCleanly() throws {
        let config = try ConfigurationLoader(
            environment: [:], envFile: Self.root.appendingPathComponent(".env.example").path).load()
        #expect(config.configuredProviders.isEmpty)
        #expect(config.openRouter.appName == "Steadfast")
    }
}
